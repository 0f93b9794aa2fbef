import { readFileSync } from 'fs';
import { join } from 'path';

// `npx projen build` must work where CI works (the npm registry, nothing else): no step of it may
// package a language whose toolchain fetches from its own registry (Maven for Java, NuGet, PyPI, Go).

interface Step { readonly spawn?: string; readonly exec?: string; readonly condition?: string }
const TASKS: Record<string, { steps?: Step[] }> = JSON.parse(readFileSync(join(__dirname, '..', '..', '.projen', 'tasks.json'), 'utf8')).tasks;

/** Every task `name` can spawn, conditions counted as true (they may be, on a maintainer's machine). */
function reachable(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) { return seen; }
  seen.add(name);
  for (const step of TASKS[name]?.steps ?? []) {
    if (step.spawn) { reachable(step.spawn, seen); }
  }
  return seen;
}

test('build packages JavaScript and no language that needs its own registry (Java, .NET, Python, Go)', () => {
  const tasks = reachable('build');
  expect(tasks).toContain('package:js');
  expect([...tasks].filter((t) => /^package:(java|python|dotnet|go)$|^package-all$/.test(t))).toEqual([]);
});

test('the other languages stay one command each (package-all), outside build', () => {
  expect(reachable('package-all')).toEqual(new Set(['package-all', 'package:js', 'package:java', 'package:python', 'package:dotnet', 'package:go']));
});
