/**
 * Library load time: what `require('cdk-device-defender')` adds, in a fresh Node.js process, over
 * requiring the aws-cdk-lib modules the library itself uses (which every CDK app loads anyway).
 *
 * Each process first requires those modules (timed: the baseline), then lib/index.js (timed: the
 * added cost), so the added time never includes aws-cdk-lib. lib/ must be built (`projen compile`).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Summary, progress, summarize } from './stats';

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');

export interface LoadTimeCase {
  /** The aws-cdk-lib and constructs modules that lib/ requires, loaded first (every export touched). */
  readonly baselineModules: string[];
  readonly baselineMs: Summary;
  /** What requiring lib/index.js adds after them. */
  readonly addedMs: Summary;
  /** Files of lib/ that the require loaded. */
  readonly libFiles: number;
}

/**
 * The aws-cdk-lib and constructs modules lib/ requires. aws-cdk-lib defines a module's classes
 * lazily, on first access, so a bare `require` of them loads almost nothing: the baseline touches
 * every export of each, which is what loading these modules costs any app that uses them.
 */
function baselineModules(): string[] {
  const modules = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) { walk(file); continue; }
      if (!entry.name.endsWith('.js')) { continue; }
      for (const m of fs.readFileSync(file, 'utf-8').matchAll(/require\("((?:aws-cdk-lib|constructs)(?:\/[^"]*)?)"\)/g)) { modules.add(m[1]); }
    }
  };
  walk(LIB);
  return [...modules].sort();
}

function measureOnce(modules: string[]): { baseline: number; added: number; libFiles: number } {
  const script = [
    'const { performance } = require("node:perf_hooks");',
    `const t0 = performance.now(); for (const m of ${JSON.stringify(modules)}) { const x = require(m); for (const k of Object.keys(x)) void x[k]; }`,
    `const t1 = performance.now(); require(${JSON.stringify(path.join(LIB, 'index.js'))}); const t2 = performance.now();`,
    `const libFiles = Object.keys(require.cache).filter((f) => f.startsWith(${JSON.stringify(LIB + path.sep)})).length;`,
    'console.log(JSON.stringify({ baseline: t1 - t0, added: t2 - t1, libFiles }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf-8', env: { PATH: process.env.PATH } });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export function runLoadTimeBenchmark(options: { spawns: number }): LoadTimeCase {
  if (!fs.existsSync(path.join(LIB, 'index.js'))) { throw new Error('lib/index.js is missing: run npx projen compile first'); }
  const modules = baselineModules();
  measureOnce(modules); // untimed: fills the page cache
  const runs = Array.from({ length: options.spawns }, () => measureOnce(modules));
  const result: LoadTimeCase = {
    baselineModules: modules,
    baselineMs: summarize(runs.map((r) => r.baseline)),
    addedMs: summarize(runs.map((r) => r.added)),
    libFiles: runs[0].libFiles,
  };
  progress(`library load: aws-cdk-lib modules ${result.baselineMs.median.toFixed(0)} ms, cdk-device-defender adds ${result.addedMs.median.toFixed(1)} ms`);
  return result;
}
