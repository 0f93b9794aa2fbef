import { readFileSync } from 'fs';
import { join } from 'path';

// A newcomer needs two commands from the README's quick start: the main job and the tests, and
// the test command must be the one CI runs (.ci/run), or a green README proves nothing.

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

function quickStartCommands(): string[] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) { throw new Error('the quick start has no sh block'); }
  return block[1].split('\n').filter((line) => line.trim() !== '').map((line) => line.replace(/#.*$/, '').trim());
}

test('the quick start names both commands: the example synth (main job) and the test suite, each with its time', () => {
  const commands = quickStartCommands();
  expect(commands).toEqual(['npm ci && npx cdk synth', 'npm ci && npx projen test']);
  const section = read('README.md').split('## Quick start')[1].split('\n## ')[0];
  expect(section).toMatch(/npx cdk synth .*# .*about \d+ minutes?\)/);
  expect(section).toMatch(/npx projen test .*# .*about \d+ minutes?\)/);
});

test('.ci/run runs exactly the quick start\'s test command', () => {
  const ci = read('.ci/run').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '));
  expect(ci).toEqual([quickStartCommands()[1]]);
});

test('cdk.json\'s app is the example the quick start says it synthesizes', () => {
  const app: string = JSON.parse(read('cdk.json')).app;
  expect(app).toMatch(/examples\/quickstart\.ts$/);
  // A fresh clone has no assets/: the app builds them first (projenrc/bundle.ts runs the bundle
  // task's esbuild commands), without running projen, which would regenerate the project's files.
  expect(app).toMatch(/^npx ts-node .*--require \.\/projenrc\/bundle\.ts examples\/quickstart\.ts$/);
  expect(app).not.toMatch(/projen /);
  expect(read('README.md')).toMatch(/npx cdk synth +# the main job: synthesizes examples\/quickstart\.ts/);
});
