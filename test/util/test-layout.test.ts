import * as fs from 'fs';
import * as path from 'path';

// test/README.md tells a maintainer where the tests of a file are: test/<p>.test.ts tests src/<p>.ts
// (test/examples/<app>.test.ts tests examples/<app>.ts),
// a test of a test helper sits beside it, and the cross-cutting tests are listed there. This holds
// every test file to that, so the estate stays findable.
const ROOT = path.join(__dirname, '..', '..');
const TEST = path.join(ROOT, 'test');
/** The handler tests (test/handlers/) keep their own layout for now: their restructuring maps them. */
const OWN_LAYOUT = /^handlers\//;

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf-8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'));
}

const isTestFile = (file: string) => /\.(test|spec)\.tsx?$/.test(file);

/** The file a test mirrors (relative to the repository), or undefined. */
function mirrored(testFile: string): string | undefined {
  const stem = testFile.replace(/\.(test|spec)\.tsx?$/, '');
  return [`src/${stem}.ts`, `test/${stem}.ts`, ...(stem.startsWith('examples/') ? [`${stem}.ts`] : [])].find((candidate) => fs.existsSync(path.join(ROOT, candidate)));
}

/** The test files test/README.md lists as cross-cutting (`- \`<file>\`: what it tests`). */
function crossCutting(): string[] {
  const readme = fs.readFileSync(path.join(TEST, 'README.md'), 'utf-8');
  const list = readme.slice(readme.indexOf('Cross-cutting tests'));
  return [...list.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]);
}

describe('the test estate\'s layout (test/README.md)', () => {
  const tests = filesUnder(TEST).filter(isTestFile).filter((f) => !OWN_LAYOUT.test(f));

  test('every test file mirrors a source file or a test helper, or is listed as cross-cutting', () => {
    const listed = new Set(crossCutting());
    expect(tests.filter((f) => !listed.has(f) && mirrored(f) === undefined)).toEqual([]);
  });

  test('the cross-cutting list names test files that exist and mirror no file', () => {
    const listed = crossCutting();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((f) => !tests.includes(f))).toEqual([]);
    expect(listed.filter((f) => mirrored(f) !== undefined)).toEqual([]);
  });

  test('Jest finds test files under test/ only', () => {
    const elsewhere = ['src', 'projenrc'].flatMap((dir) => filesUnder(path.join(ROOT, dir)).filter(isTestFile).map((f) => `${dir}/${f}`));
    expect(elsewhere).toEqual([]);
  });

  test('a file that breaks the layout is reported', () => {
    // A test file named after no source file or helper, and not listed, is what the first check names.
    expect(mirrored('orphan-construct.test.ts')).toBeUndefined();
    expect(mirrored('mitigation-action.test.ts')).toBe('src/mitigation-action.ts');
    expect(mirrored('emulator/iot-emulator.test.ts')).toBe('test/emulator/iot-emulator.ts');
    expect(crossCutting()).not.toContain('orphan-construct.test.ts');
  });
});
