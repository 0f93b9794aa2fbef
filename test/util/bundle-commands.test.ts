import { mkdtempSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { bundleCommands } from '../../projenrc/bundle-commands';

// The example app (cdk.json) bundles without projen by running the `bundle` task's own esbuild
// command lines; these tests hold it to every bundle the package ships, and to a loud refusal when
// the task takes a shape it cannot run.

const ROOT = join(__dirname, '..', '..');

test('the example app builds every handler and the CLI, with the bundle task\'s own flags', () => {
  const commands = bundleCommands();
  const entries = commands.map((args) => args.find((arg) => arg.startsWith('src/')));
  const handlers = readdirSync(join(ROOT, 'src', 'handlers')).filter((file) => file.endsWith('.lambda.ts'));
  expect(handlers.length).toBeGreaterThan(0);
  expect(entries.sort()).toEqual([...handlers.map((file) => `src/handlers/${file}`), 'src/cli/bin.ts'].sort());
  for (const args of commands) {
    expect(args).toContain('--bundle');
    expect(args.some((arg) => arg.startsWith('--outfile=assets/'))).toBe(true);
  }
  expect(commands.find((args) => args.includes('src/cli/bin.ts'))).toContain('--banner:js=#!/usr/bin/env node');
  for (const args of commands.filter((command) => !command.includes('src/cli/bin.ts'))) {
    expect(args).toContain('--external:@aws-sdk/*');
    // Smaller, and stack traces still name each function.
    expect(args).toEqual(expect.arrayContaining(['--minify-whitespace', '--minify-syntax', '--keep-names']));
  }
});

function tasksFile(tasks: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bundle-commands-')), 'tasks.json');
  writeFileSync(file, JSON.stringify({ tasks }));
  return file;
}

test('a bundle task that is not one esbuild command is refused, naming the task', () => {
  const file = tasksFile({
    'bundle': { name: 'bundle', steps: [{ spawn: 'bundle:x' }] },
    'bundle:x': { name: 'bundle:x', steps: [{ exec: 'esbuild --bundle src/x.ts' }] },
  });
  expect(() => bundleCommands(file)).toThrow(/task 'bundle:x' is not one esbuild command \(execArgs\); update projenrc\/bundle\.ts/);
});

test('a bundle task with an environment or a condition is refused rather than run without it', () => {
  const file = tasksFile({
    'bundle': { name: 'bundle', steps: [{ spawn: 'bundle:x' }] },
    'bundle:x': { name: 'bundle:x', env: { A: '1' }, steps: [{ execArgs: ['esbuild', '--bundle', 'src/x.ts'] }] },
  });
  expect(() => bundleCommands(file)).toThrow(/task 'bundle:x' is not one esbuild command/);
});

test('a bundle step that spawns a missing task, or a bundle task of exec steps, is refused', () => {
  expect(() => bundleCommands(tasksFile({ bundle: { name: 'bundle', steps: [{ spawn: 'bundle:gone' }] } })))
    .toThrow(/task 'bundle:gone' does not exist/);
  expect(() => bundleCommands(tasksFile({ bundle: { name: 'bundle', steps: [{ exec: 'esbuild x' }] } })))
    .toThrow(/task 'bundle' is not a list of spawn steps \(step \{"exec":"esbuild x"\}\)/);
  expect(() => bundleCommands(tasksFile({}))).toThrow(/task 'bundle' does not exist, expected a list of spawn steps/);
});
