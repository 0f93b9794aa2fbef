/**
 * The handlers' embedded-metric-format (EMF) emitter against Powertools for AWS Lambda
 * (TypeScript) `@aws-lambda-powertools/metrics`: two tiny entry points that write the same metrics
 * (one with src/handlers/shared/metrics.ts, one with Powertools), bundled with the handler
 * bundles' esbuild options; each bundle's bytes, the time a fresh `node` takes to require it, and
 * the time of its first emit (one metric line, the first call of a cold invocation).
 *
 * Run alone (prints its RESULTS.md section):
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/emf.ts
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { Summary, fmt, int, progress, summarize } from './stats';

const ROOT = path.join(__dirname, '..');
export const EMITTERS = ['hand-written', 'powertools'] as const;
export type Emitter = typeof EMITTERS[number];

export interface EmitterFacts {
  readonly emitter: Emitter;
  readonly bytes: number;
  readonly requireMs: Summary;
  readonly firstEmitMs: Summary;
  /** require and first emit, per process: what a cold invocation pays. */
  readonly totalMs: Summary;
}

export interface EmfResult {
  readonly spawns: number;
  readonly powertoolsVersion: string;
  readonly cases: EmitterFacts[];
}

// The same metrics from both: FindingsFound 2, ChecksExcluded 1 and FindingsExcluded 2 for one
// check, under [Mitigation] and [Mitigation, CheckName], namespace CdkDeviceDefender.
const ENTRIES: Record<Emitter, string> = {
  'hand-written': `import { emitMetrics } from ${JSON.stringify(path.join(ROOT, 'src', 'handlers', 'shared', 'metrics'))};
export function emit(): void {
  emitMetrics({ Mitigation: 'Stack/Audit', CheckName: 'DEVICE_CERTIFICATE_SHARED_CHECK' }, [['Mitigation'], ['Mitigation', 'CheckName']],
    { FindingsFound: 2, ChecksExcluded: 1, FindingsExcluded: 2 });
}
`,
  'powertools': `import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
const metrics = new Metrics({ namespace: 'CdkDeviceDefender', serviceName: 'cdk-device-defender' });
export function emit(): void {
  metrics.setDefaultDimensions({ Mitigation: 'Stack/Audit' });
  metrics.addDimensions({ CheckName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
  metrics.addMetric('FindingsFound', MetricUnit.Count, 2);
  metrics.addMetric('ChecksExcluded', MetricUnit.Count, 1);
  metrics.addMetric('FindingsExcluded', MetricUnit.Count, 2);
  metrics.publishStoredMetrics();
}
`,
};

/** Bundles `emitter`'s entry point as the projen bundle task bundles a handler. */
async function bundle(emitter: Emitter, outdir: string): Promise<string> {
  const dir = path.join(outdir, emitter);
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'entry.ts');
  fs.writeFileSync(entry, ENTRIES[emitter]);
  const outfile = path.join(dir, 'index.js');
  // The options of the bundle:handlers/* tasks (.projenrc.ts, projen's bundler).
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node24',
    outfile,
    tsconfig: path.join(ROOT, 'tsconfig.dev.json'),
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return outfile;
}

/** A fresh `node` requires `file` and calls its `emit()` once; returns both times in ms. */
function spawnOnce(file: string): { requireMs: number; firstEmitMs: number } {
  const script = `const t0=process.hrtime.bigint(); const m=require(${JSON.stringify(file)}); const t1=process.hrtime.bigint();
m.emit(); const t2=process.hrtime.bigint();
process.stderr.write('EMF-BENCH ' + JSON.stringify({ requireMs: Number(t1-t0)/1e6, firstEmitMs: Number(t2-t1)/1e6 }) + '\\n');`;
  // stdout (the metric line) is discarded; the times come on stderr.
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf-8',
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'bench' },
  });
  const out = child.stderr ?? '';
  if (child.status !== 0) { throw new Error(`${file} failed: ${out}`); }
  const line = out.split('\n').find((l) => l.startsWith('EMF-BENCH '));
  if (!line) { throw new Error(`cannot read the times of ${file}: ${out}`); }
  return JSON.parse(line.slice('EMF-BENCH '.length));
}

export async function runEmfBenchmark(options: { spawns: number; outdir: string }): Promise<EmfResult> {
  const files = {} as Record<Emitter, string>;
  for (const emitter of EMITTERS) { files[emitter] = await bundle(emitter, options.outdir); }
  // One untimed load of each, so that every timed one finds the files in the page cache.
  for (const emitter of EMITTERS) { spawnOnce(files[emitter]); }
  const times = Object.fromEntries(EMITTERS.map((e) => [e, { requireMs: [] as number[], firstEmitMs: [] as number[] }])) as
    Record<Emitter, { requireMs: number[]; firstEmitMs: number[] }>;
  for (let i = 0; i < options.spawns; i++) {
    // Interleaved, alternating which goes first, so that machine noise hits both alike.
    const order = i % 2 === 0 ? EMITTERS : [...EMITTERS].reverse();
    for (const emitter of order) {
      const t = spawnOnce(files[emitter]);
      times[emitter].requireMs.push(t.requireMs);
      times[emitter].firstEmitMs.push(t.firstEmitMs);
    }
  }
  const cases = EMITTERS.map((emitter) => ({
    emitter,
    bytes: fs.statSync(files[emitter]).size,
    requireMs: summarize(times[emitter].requireMs),
    firstEmitMs: summarize(times[emitter].firstEmitMs),
    totalMs: summarize(times[emitter].requireMs.map((t, i) => t + times[emitter].firstEmitMs[i])),
  }));
  for (const c of cases) { progress(`emf ${c.emitter}: ${int(c.bytes)} bytes, require ${c.requireMs.median.toFixed(1)} ms`); }
  // The package's exports hide package.json: find it from the entry point.
  const packageJson = path.join(require.resolve('@aws-lambda-powertools/metrics').split(`${path.sep}lib${path.sep}`)[0], 'package.json');
  const version = (JSON.parse(fs.readFileSync(packageJson, 'utf-8')) as { version: string }).version;
  return { spawns: options.spawns, powertoolsVersion: version, cases };
}

/** The RESULTS.md section. */
export function renderEmfSection(r: EmfResult, heading = '## 5. Metrics emitter: hand-written or Powertools'): string {
  const [own, pt] = EMITTERS.map((e) => r.cases.find((c) => c.emitter === e)!);
  const rows = r.cases.map((c) => `| ${c.emitter} | ${int(c.bytes)} | ${fmt(c.requireMs, 1)} | ${fmt(c.firstEmitMs, 1)} | ${fmt(c.totalMs, 1)} |`);
  return `${heading}

Two tiny entry points that write the same three metrics for one check in one line (\`bench/emf.ts\`): one with the handlers'
emitter (\`src/handlers/shared/metrics.ts\`, dimension sets [Mitigation] and [Mitigation, CheckName]), one with
\`@aws-lambda-powertools/metrics\` ${r.powertoolsVersion} (as written, one set [service, Mitigation, CheckName]: the library's two
sets without \`service\` would take more configuration, not less code). Both bundled with the handler bundles' esbuild options
(\`bundle, platform: 'node', target: 'node24', external: @aws-sdk/*\`); each required in a fresh \`node\` process, then its
\`emit()\` called once; ${r.spawns} processes per bundle, interleaved.

| emitter | bundle bytes | require ms | first emit ms | require + first emit ms |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

Powertools adds ${int(pt.bytes - own.bytes)} bytes (${(pt.bytes / own.bytes).toFixed(0)} ×), and
${(pt.totalMs.median - own.totalMs.median).toFixed(1)} ms to require and first emit (medians; the hand-written emitter's first
\`console.log\` pays for opening stdout, which Powertools does while it loads). CONTRIBUTING.md "Handlers" says what we chose.
`;
}

if (require.main === module) {
  runEmfBenchmark({ spawns: 20, outdir: path.join(ROOT, '.tmp', 'bench', 'emf') })
    .then((r) => { console.log(renderEmfSection(r)); })
    .catch((error: unknown) => { console.error(error); process.exitCode = 1; });
}
