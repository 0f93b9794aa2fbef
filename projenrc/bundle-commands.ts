import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * The esbuild command lines of projen's `bundle` task, read from .projen/tasks.json, for
 * projenrc/bundle.ts (the example app's bundling without projen). A bundle task of another shape
 * is refused rather than half run.
 */

export const ROOT = join(__dirname, '..');

interface TaskStep { readonly spawn?: string; readonly exec?: string; readonly execArgs?: string[] }
interface Task { readonly steps?: TaskStep[]; readonly [other: string]: unknown }

/** The esbuild argument lists of every bundle the `bundle` task builds, in its order. */
export function bundleCommands(tasksFile = join(ROOT, '.projen', 'tasks.json')): string[][] {
  const tasks: Record<string, Task> = JSON.parse(readFileSync(tasksFile, 'utf8')).tasks;
  const shape = (name: string, task: Task | undefined, expected: string) =>
    new Error(`${tasksFile}: task '${name}' ${task ? 'is not' : 'does not exist, expected'} ${expected}; update projenrc/bundle.ts to run it`);
  const bundle = tasks.bundle;
  if (!bundle?.steps || Object.keys(bundle).some((key) => !['name', 'description', 'steps'].includes(key))) {
    throw shape('bundle', bundle, 'a list of spawn steps');
  }
  return bundle.steps.map((step) => {
    const name = step.spawn;
    if (name === undefined) { throw shape('bundle', bundle, `a list of spawn steps (step ${JSON.stringify(step)})`); }
    const task = tasks[name];
    const only = task?.steps?.length === 1 ? task.steps[0] : undefined;
    const args = only?.execArgs;
    if (!task || Object.keys(task).some((key) => !['name', 'description', 'steps'].includes(key))
      || !only || Object.keys(only).length !== 1 || !args || args[0] !== 'esbuild') {
      throw shape(name, task, 'one esbuild command (execArgs)');
    }
    return args.slice(1);
  });
}
