import { execFileSync } from 'child_process';
import { delimiter, join } from 'path';
import { bundleCommands, ROOT } from './bundle-commands';

/**
 * Builds the Lambda handler and CLI bundles into assets/ without projen, for the example app:
 * cdk.json loads this file (`--require`) before examples/quickstart.ts, because a fresh clone has
 * no assets/. One source of truth: it runs exactly the esbuild command lines of projen's `bundle`
 * task, with node_modules/.bin on the PATH as projen runs them.
 */
for (const args of bundleCommands()) {
  execFileSync('esbuild', args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
  });
}
