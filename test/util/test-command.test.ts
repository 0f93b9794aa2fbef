import { readFileSync } from 'fs';
import { join } from 'path';

// The test command (`npx projen test`, CI's `.ci/run`) runs within its time budget on a fresh clone on
// 2 cores: what it runs, what runs only with `release-gates`, and what every task run costs.

const ROOT = join(__dirname, '..', '..');
interface Step { readonly spawn?: string; readonly exec?: string; readonly execArgs?: string[] }
const MANIFEST: { env?: Record<string, string>; tasks: Record<string, { steps?: Step[]; env?: Record<string, string> }> } =
  JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8'));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** A task's steps, one word each: the task a step spawns, or the program it runs. */
const stepsOf = (task: string) => (MANIFEST.tasks[task].steps ?? []).map((s) => s.spawn ?? s.execArgs?.[0] ?? s.exec!.split(' ')[0]);

test('the test command: type check, bundles, Jest, lint, integration snapshots, then the gates on what users install', () => {
  expect(stepsOf('test')).toEqual(['tsc', 'bundle', 'jest', 'eslint', 'integ', 'compile', 'gate:api-docs', 'gate:consumer', 'gate:compat']);
});

test('the languages gate (README\'s examples with jsii-rosetta, alone as gate:examples; the other languages\' code) runs with release-gates, which README and CONTRIBUTING name', () => {
  expect(stepsOf('gate:examples')).toEqual(['jsii-rosetta']);
  expect(stepsOf('release-gates')).toEqual(['gate:languages', 'gate:api-docs', 'gate:consumer', 'gate:compat']);
  expect(stepsOf('gate:languages')).toEqual(['compile', 'gate:examples', 'jsii-pacmak']);
  expect(read('README.md')).toMatch(/`npx projen release-gates`/);
  expect(read('CONTRIBUTING.md')).toMatch(/`npx projen release-gates`/);
  expect(read('CONTRIBUTING.md')).toMatch(/`npx projen gate:languages`/);
  expect(read('CONTRIBUTING.md')).toMatch(/`npx projen gate:examples`/);
});

test('no task environment runs npx or npm, which take seconds each time a task starts', () => {
  const envs = [MANIFEST.env ?? {}, ...Object.values(MANIFEST.tasks).map((t) => t.env ?? {})];
  const commands = envs.flatMap((env) => Object.values(env)).filter((value) => value.startsWith('$('));
  expect(commands.length).toBeGreaterThan(0);
  expect(commands.filter((command) => /\b(npx|npm)\b/.test(command))).toEqual([]);
});
