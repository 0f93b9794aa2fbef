/**
 * Cold-start proxies of the handler bundles: their size, and the time a fresh Node.js process
 * takes to `require` them, for the bundles `npx projen bundle` builds (AWS SDK left to the Lambda
 * runtime, loaded here from node_modules) and for the same entry points with the SDK bundled in.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { Summary, progress, summarize } from './stats';

const ROOT = path.join(__dirname, '..');
export const HANDLERS = [
  'audit-mitigation.lambda', 'audit-mitigation-task.lambda', 'detect-mitigation.lambda', 'audit-suppression.lambda', 'task-follower.lambda',
] as const;
export type Variant = 'sdk-external' | 'sdk-bundled';

export interface BundleFacts {
  readonly file: string;
  readonly bytes: number;
  readonly requireMs: Summary;
}

export interface ColdStartCase {
  readonly handler: string;
  readonly external: BundleFacts;
  readonly bundled: BundleFacts;
}

/** The time, in ms, a fresh `node` takes to require `file` (printed by the child itself). */
function requireTime(file: string): number {
  const script = `const t=process.hrtime.bigint(); require(${JSON.stringify(file)}); console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'ignore'],
    // What the handlers' module scope may read; no endpoint: nothing is called.
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' },
  });
  const lines = out.trim().split('\n');
  const ms = Number(lines[lines.length - 1]);
  if (!Number.isFinite(ms)) { throw new Error(`cannot read the require time of ${file}: ${out}`); }
  return ms;
}

export async function runColdStartBenchmark(options: { spawns: number; outdir: string }): Promise<ColdStartCase[]> {
  progress('npx projen bundle');
  execFileSync('npx', ['projen', 'bundle'], { cwd: ROOT, stdio: 'ignore' });

  const files: Record<string, Record<Variant, string>> = {};
  for (const handler of HANDLERS) {
    const bundled = path.resolve(options.outdir, handler, 'index.js');
    // The projen bundle task's esbuild options, without `--external:@aws-sdk/*` and without its minification flags.
    await build({
      entryPoints: [path.join(ROOT, 'src', 'handlers', `${handler}.ts`)],
      bundle: true,
      platform: 'node',
      target: 'node24',
      outfile: bundled,
      tsconfig: path.join(ROOT, 'tsconfig.dev.json'),
      logLevel: 'silent',
    });
    files[handler] = { 'sdk-external': path.join(ROOT, 'assets', 'handlers', handler, 'index.js'), 'sdk-bundled': bundled };
  }

  // One untimed load of each, so that every timed one finds the files in the page cache.
  for (const handler of HANDLERS) {
    for (const file of Object.values(files[handler])) { requireTime(file); }
  }
  const times: Record<string, Record<Variant, number[]>> = {};
  for (const handler of HANDLERS) { times[handler] = { 'sdk-external': [], 'sdk-bundled': [] }; }
  for (let i = 0; i < options.spawns; i++) {
    // Interleaved, alternating which variant goes first, so that machine noise hits both alike.
    const order: Variant[] = i % 2 === 0 ? ['sdk-external', 'sdk-bundled'] : ['sdk-bundled', 'sdk-external'];
    for (const handler of HANDLERS) {
      for (const variant of order) { times[handler][variant].push(requireTime(files[handler][variant])); }
    }
  }
  const facts = (handler: string, variant: Variant): BundleFacts => ({
    file: path.relative(ROOT, files[handler][variant]),
    bytes: fs.statSync(files[handler][variant]).size,
    requireMs: summarize(times[handler][variant]),
  });
  const cases = HANDLERS.map((handler) => ({ handler, external: facts(handler, 'sdk-external'), bundled: facts(handler, 'sdk-bundled') }));
  for (const c of cases) {
    progress(`cold start ${c.handler}: external ${c.external.requireMs.median.toFixed(0)} ms, bundled ${c.bundled.requireMs.median.toFixed(0)} ms`);
  }
  return cases;
}
