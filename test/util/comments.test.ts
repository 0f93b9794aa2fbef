import * as fs from 'fs';
import * as path from 'path';

// A comment states the fact it relies on, or cites something a reader of the repository can open:
// a file in the repository or a public page (AWS documentation by its URL). Notes kept outside the
// repository (a facts sheet and its sections, a seed document, a style guide, the issue tracker,
// a local copy of the AWS IoT API model) are not, so citing them in src/ or test/ fails here.
const ROOT = path.join(__dirname, '..', '..');
const SELF = path.relative(ROOT, __filename);

const OUTSIDE_CITATIONS: Array<[string, RegExp]> = [
  ['a section of a document ("§")', /§/],
  ['the facts sheet', /\bfacts sheet\b|device-defender-facts/i],
  ['the seed document', /\bthe seed\b|\bseed's\b|\bseed (?:example|table|template|prose)\b/i],
  ['the style guide', /\bstyle[ -]guide\b/i],
  ['a shared folder outside the repository', /\/work\/|\bshared\/(?:reference|style)/i],
  ['an issue of the tracker', /\bissues? #?\d+\b/i],
  ['a local copy of the AWS IoT API model', /\biot-service-2\.json\b/i],
];

/** The TypeScript files under `dir` (relative to the repository), skipping node_modules and snapshots. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) { return entry.name === 'node_modules' || entry.name === '__snapshots__' ? [] : sourceFiles(file); }
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** `file:line: what it cites: the line` for each line of `files` that cites something outside the repository. */
function outsideCitations(files: string[], read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf-8')): string[] {
  return files.flatMap((file) => read(file).split('\n').flatMap((line, i) => OUTSIDE_CITATIONS
    .filter(([, pattern]) => pattern.test(line))
    .map(([what]) => `${file}:${i + 1}: cites ${what}: ${line.trim()}`)));
}

test('no comment in src/ or test/ cites a document that is not in the repository', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('test')].filter((file) => file !== SELF);
  expect(files.length).toBeGreaterThan(50);
  expect(outsideCitations(files)).toEqual([]);
});

test.each([
  ['// A failed action skips the later actions (facts §3).', 'a section of a document ("§")'],
  ['/** The seed\'s table, row by row. */', 'the seed document'],
  ['// as the style guide says', 'the style guide'],
  ['// see /work/shared/reference/notes.md', 'a shared folder outside the repository'],
  ['// (issue 19 item 7)', 'an issue of the tracker'],
  ['// the shapes of iot-service-2.json', 'a local copy of the AWS IoT API model'],
])('%j is found', (line, what) => {
  expect(outsideCitations(['x.ts'], () => `const a = 1;\n${line}\n`)).toEqual([`x.ts:2: cites ${what}: ${line}`]);
});

test.each([
  '// https://docs.aws.amazon.com/iot-device-defender/latest/devguide/dd-mitigation-actions.html',
  '// Seeds the emulator with the findings the test reads (seeded state, seedFindings, ActiveViolationSeed).',
  '// CONTRIBUTING.md and README.md say how; src/handlers/shared/report.ts reports it.',
])('%j is not a citation', (line) => {
  expect(outsideCitations(['x.ts'], () => line)).toEqual([]);
});
