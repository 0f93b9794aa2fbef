import * as fs from 'fs';
import * as path from 'path';

// Where code lives, checked: files stay small, modules shared by the handlers are really shared,
// each handler opens the one shared way, and tests mirror the sources they test (test/README.md).

const ROOT = path.join(__dirname, '..', '..');
const HANDLERS = 'src/handlers';
const SHARED = `${HANDLERS}/shared`;

/** The files under `dir` (relative to the repository) whose names end with `suffix`. */
function filesUnder(dir: string, suffix = '.ts'): string[] {
  if (!fs.existsSync(path.join(ROOT, dir))) { return []; }
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file, suffix) : file.endsWith(suffix) ? [file] : [];
  });
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf-8');

/** The repository files `file` imports by a relative path. */
function importsOf(file: string): string[] {
  const specifiers = [...read(file).matchAll(/(?:from|require\()\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => `${path.posix.join(path.posix.dirname(file), s)}.ts`).filter((f) => fs.existsSync(path.join(ROOT, f)));
}

/** Who a runtime file belongs to: 'cli', 'shared', or its handler's name. */
function ownerOf(file: string): string | undefined {
  if (file.startsWith('src/cli/')) { return 'cli'; }
  if (file.startsWith(`${SHARED}/`)) { return 'shared'; }
  const match = new RegExp(`^${HANDLERS}/([a-z-]+)(?:\\.lambda\\.ts$|/)`).exec(file);
  return match?.[1];
}

test('no file in src/ is over 400 lines', () => {
  const long = filesUnder('src').map((file) => [file, read(file).split('\n').length - 1] as const).filter(([, lines]) => lines > 400);
  expect(long).toEqual([]);
});

test('every module in src/handlers/shared/ is used by two or more handlers, or by the CLI (the others live beside their handler)', () => {
  const runtime = [...filesUnder(HANDLERS), ...filesUnder('src/cli')].filter((file) => !file.endsWith('-function.ts'));
  const importers = new Map<string, string[]>();
  for (const file of runtime) {
    for (const imported of importsOf(file)) { importers.set(imported, [...importers.get(imported) ?? [], file]); }
  }
  const usersOf = (module: string, seen = new Set<string>()): Set<string> => {
    const users = new Set<string>();
    for (const importer of importers.get(module) ?? []) {
      if (seen.has(importer)) { continue; }
      seen.add(importer);
      const owner = ownerOf(importer);
      if (owner === 'shared') { usersOf(importer, seen).forEach((u) => users.add(u)); } else if (owner) { users.add(owner); }
    }
    return users;
  };
  const private_ = filesUnder(SHARED).map((module) => [module, [...usersOf(module)].sort()] as const)
    .filter(([, users]) => users.length < 2 && !users.includes('cli'));
  expect(private_).toEqual([]);
});

test('a handler\'s own modules are in src/handlers/<handler>/, beside its <handler>.lambda.ts', () => {
  const folders = fs.readdirSync(path.join(ROOT, HANDLERS), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'shared').map((e) => e.name);
  expect(folders.filter((name) => !fs.existsSync(path.join(ROOT, HANDLERS, `${name}.lambda.ts`)))).toEqual([]);
});

test('every handler opens through the shared configuration opening; none reports its own configuration errors', () => {
  for (const file of filesUnder(HANDLERS, '.lambda.ts')) {
    const text = read(file);
    expect([file, /\bopen(Config|Request)\(/.test(text)]).toEqual([file, true]);
    expect([file, text.includes('config-error')]).toEqual([file, false]);
  }
});

test('tests mirror the modules they test: test/handlers/<folder>/<module>.test.ts tests src/handlers/<folder>/<module>.ts', () => {
  const orphans = filesUnder('test/handlers', '.test.ts')
    .filter((file) => path.posix.dirname(file) !== 'test/handlers')
    .map((file) => file.replace(/^test\//, 'src/').replace(/\.test\.ts$/, '.ts'))
    .filter((source) => !fs.existsSync(path.join(ROOT, source)));
  expect(orphans).toEqual([]);
});
