/**
 * Benchmarks: synth cost, runtime cost, and how both grow.
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/run.ts
 *
 * Prints a summary table and writes bench/RESULTS.md. Needs no AWS account: the handlers talk to
 * the in-process emulators of test/emulator on 127.0.0.1. Progress goes to stderr.
 *
 * Each run keeps its figures in .tmp/bench/results.json; after a change to the report alone
 * (report.ts and the sections it renders), `bench/run.ts --render` writes RESULTS.md again from them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runColdStartBenchmark } from './cold-start';
import { runEmfBenchmark } from './emf';
import { runLoadTimeBenchmark } from './load-time';
import { ORGANIZATION_SETTINGS, runOrganizationBenchmark } from './organization';
import { runProcessSynthBenchmark } from './process-synth';
import { Machine, Results, Settings, renderResultsMarkdown, renderSummary } from './report';
import { AuditCase, TaskCase, configureAuditHandler, loadAuditHandler, runAuditCase, runTaskCase } from './runtime';
import { progress } from './stats';
import { runSynthBenchmark } from './synth';
import { startEmulators, stopEmulators } from '../test/handlers/harness';

const ROOT = path.join(__dirname, '..');
const COMMAND = 'npx ts-node --transpile-only --project tsconfig.dev.json bench/run.ts';
/** Build output of the benchmark (cloud assemblies, SDK-bundled handlers); .tmp/ is gitignored. */
const OUT = path.join(ROOT, '.tmp', 'bench');
/** The last run's figures. */
const RESULTS_JSON = path.join(OUT, 'results.json');

const SETTINGS: Settings = {
  synthWarmups: 1,
  synthReps: 15,
  processSizes: [10, 100],
  processWarmups: 1,
  processReps: 15,
  auditWarmups: 3,
  audits: 15,
  throttledAudits: 10,
  spawns: 20,
};

/** Finding ids per resource, warm-up runs and timed runs of the AuditMitigationTask handler. */
const TASK_CASES: Array<{ resources: number[]; warmups: number[][]; reps: number; throttled: boolean }> = [
  { resources: [10], warmups: Array.from({ length: 10 }, () => [10]), reps: 15, throttled: false },
  { resources: [1000], warmups: [[1000], [1000]], reps: 7, throttled: false },
  { resources: [4000, 4000, 2000], warmups: [[4000]], reps: 5, throttled: false },
  // Under throttling the SDK's back-off dominates (about a second per retry): fewer runs, small warm-ups.
  { resources: [10], warmups: [[10]], reps: 5, throttled: true },
  { resources: [1000], warmups: [[25]], reps: 2, throttled: true },
  { resources: [4000, 4000, 2000], warmups: [[25]], reps: 1, throttled: true },
];

function machine(): Machine {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf-8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || os.cpus().length;
  const version = (pkg: string) => (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf-8')) as { version: string }).version;
  return {
    cpu: model,
    cores,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    loadStart: os.loadavg()[0],
    versions: Object.fromEntries(['aws-cdk-lib', 'constructs', '@aws-sdk/client-iot', 'esbuild', 'typescript'].map((p) => [p, version(p)])),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const info = machine();
  fs.mkdirSync(OUT, { recursive: true });

  progress('1/7 synth scale');
  const synthDir = path.join(OUT, 'synth');
  const synth = runSynthBenchmark({ sizes: [10, 100, 240], warmups: SETTINGS.synthWarmups, reps: SETTINGS.synthReps, outdir: synthDir });
  fs.rmSync(synthDir, { recursive: true, force: true });

  progress('2/7 synth as a whole app process');
  const processDir = path.join(OUT, 'process-synth');
  const processSynth = await runProcessSynthBenchmark({
    sizes: SETTINGS.processSizes, warmups: SETTINGS.processWarmups, reps: SETTINGS.processReps, outdir: processDir,
  });
  fs.rmSync(processDir, { recursive: true, force: true });

  progress('3/7 runtime cost against the emulators');
  const emulators = await startEmulators();
  const audit: AuditCase[] = [];
  const task: TaskCase[] = [];
  try {
    configureAuditHandler();
    const handler = loadAuditHandler();
    for (const throttled of [false, true]) {
      for (const failing of [1, 5, 17]) {
        audit.push(await runAuditCase(emulators, handler, {
          failing,
          throttled,
          audits: throttled ? SETTINGS.throttledAudits : SETTINGS.audits,
          warmups: throttled ? 0 : SETTINGS.auditWarmups,
        }));
        progress(`audit handler ${failing} failing checks${throttled ? ' (throttled)' : ''}: ${audit[audit.length - 1].time.median.toFixed(1)} ms`);
      }
    }
    for (const c of TASK_CASES) { task.push(await runTaskCase(emulators, c)); }
  } finally {
    await stopEmulators(emulators);
  }

  progress('4/7 cold-start proxies');
  const coldStart = await runColdStartBenchmark({ spawns: SETTINGS.spawns, outdir: path.join(OUT, 'bundles') });
  progress('5/7 library load time');
  const loadTime = runLoadTimeBenchmark({ spawns: SETTINGS.spawns });
  progress('6/7 metrics emitter: hand-written or Powertools');
  const emf = await runEmfBenchmark({ spawns: SETTINGS.spawns, outdir: path.join(OUT, 'emf') });
  progress('7/7 organization scale: the mitigation hub with 10, 100 and 1,000 spokes');
  const organization = await runOrganizationBenchmark(ORGANIZATION_SETTINGS, path.join(OUT, 'organization'));

  const results: Results = {
    machine: info,
    command: COMMAND,
    settings: SETTINGS,
    wallSeconds: (performance.now() - started) / 1000,
    loadEnd: os.loadavg()[0],
    synth,
    processSynth,
    audit,
    task,
    coldStart,
    loadTime,
    emf,
    organization,
  };
  fs.writeFileSync(RESULTS_JSON, JSON.stringify(results));
  write(results);
}

/** Prints the summary and writes RESULTS.md. */
function write(results: Results): void {
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), renderResultsMarkdown(results));
  console.log(renderSummary(results));
  console.log(`\nWrote ${path.relative(process.cwd(), path.join(__dirname, 'RESULTS.md'))}`);
}

/** `--render`: RESULTS.md from the last run's figures, without running anything. */
async function render(): Promise<void> {
  if (!fs.existsSync(RESULTS_JSON)) { throw new Error(`${RESULTS_JSON} is missing: run the benchmarks first (npx projen bench)`); }
  write(JSON.parse(fs.readFileSync(RESULTS_JSON, 'utf-8')) as Results);
}

(process.argv.includes('--render') ? render() : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
