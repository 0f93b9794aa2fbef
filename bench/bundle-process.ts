/**
 * The parent's side of bundle-worker.ts: a handler bundle from assets/ running in a child `node`
 * process, invoked one event at a time, and the requests the emulators of this process received
 * while it ran, by service and operation.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { Invocation, WorkerReply, WorkerRequest } from './bundle-worker';
import type { Emulators } from '../test/handlers/harness';

const ROOT = path.join(__dirname, '..');

let worker: string | undefined;

/** With BENCH_CPU_PROF_DIR set, each worker writes a V8 CPU profile there when it exits (what dominates a run). */
function profiling(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** The worker, bundled once per process (plain JavaScript: no ts-node in the child). */
function workerScript(outdir: string): string {
  if (!worker) {
    worker = path.join(outdir, 'bundle-worker.js');
    buildSync({
      entryPoints: [path.join(__dirname, 'bundle-worker.ts')], bundle: true, platform: 'node', target: 'node20', outfile: worker, logLevel: 'silent',
    });
  }
  return worker;
}

/** A handler bundle (`assets/handlers/<name>/index.js`) in its own process, as one Lambda execution environment. */
export class BundleProcess {
  /** Forks the worker on `assets/handlers/<name>/index.js` with `env` added to this process's environment. */
  public static async start(name: string, env: Record<string, string | undefined>, outdir: string): Promise<BundleProcess> {
    const bundle = path.join(ROOT, 'assets', 'handlers', name, 'index.js');
    if (!fs.existsSync(bundle)) { throw new Error(`${bundle} is missing: run \`npx projen bundle\` first`); }
    // The SDK's warning about Node.js versions before 22 (Lambda runs 22 or later) would only clutter the output.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) { delete childEnv[key]; } else { childEnv[key] = value; }
    }
    const child = fork(workerScript(outdir), [bundle], { cwd: ROOT, env: childEnv, execArgv: ['--expose-gc', ...profiling()], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ready = await new Promise<{ rss: number; heapUsed: number }>((resolve, reject) => {
      child.once('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') { resolve(reply); } else { reject(new Error(`${name}: ${reply.type === 'failed' ? reply.error : reply.type}`)); }
      });
      child.once('exit', (code) => reject(new Error(`${name}: the worker exited (${code}) before it was ready`)));
    });
    return new BundleProcess(child, ready.rss, ready.heapUsed);
  }

  private constructor(private readonly child: ChildProcess, public readonly rssLoaded: number, public readonly heapLoaded: number) {}

  /** Invokes the handler once; with `memory`, garbage is collected around it and memory sampled during it. */
  public invoke(event: unknown, memory = false): Promise<Invocation> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the worker exited (${code}) during an invocation`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: WorkerReply) => {
        this.child.off('exit', onExit);
        if (reply.type === 'invoked') { resolve(reply.invocation); } else { reject(new Error(reply.type === 'failed' ? reply.error : reply.type)); }
      });
      this.child.send({ type: 'invoke', event, memory } satisfies WorkerRequest);
    });
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) { resolve(); return; }
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'exit' } satisfies WorkerRequest);
    });
  }
}

/** How many requests each emulator has recorded: a mark to count from. */
export type Mark = Record<Service, number>;

/** One request, as counted: its service and operation, its status, and when it arrived. */
export interface Call {
  readonly service: string;
  readonly operation: string;
  readonly status: number;
  /** Epoch milliseconds; undefined where the emulator does not record it (EventBridge). */
  readonly time?: number;
}

type Service = 'iot' | 'sts' | 'ssm' | 'sns' | 'dynamodb' | 'events' | 'securityhub';
type Recorded = { readonly status?: number; readonly time?: number; readonly response?: { readonly status: number } };

/** Each emulator's recorded requests, and how to read one's service, operation and status. */
const SERVICES: Record<Service, { list: (e: Emulators) => Recorded[]; call: (r: any) => Call }> = {
  iot: { list: (e) => e.iot.requests, call: (r) => ({ service: 'IoT', operation: r.operation, status: r.response.status, time: r.time }) },
  sts: { list: (e) => e.sts.requests, call: (r) => ({ service: 'STS', operation: r.action, status: r.status, time: r.time }) },
  ssm: { list: (e) => e.ssm.requests, call: (r) => ({ service: 'SSM', operation: r.operation, status: r.status, time: r.time }) },
  sns: { list: (e) => e.sns.requests, call: (r) => ({ service: 'SNS', operation: r.action, status: r.status, time: r.time }) },
  dynamodb: { list: (e) => e.dynamodb.requests, call: (r) => ({ service: 'DynamoDB', operation: r.operation, status: r.status, time: r.time }) },
  events: { list: (e) => e.events.requests, call: (r) => ({ service: 'EventBridge', operation: String(r.target).replace(/^AWSEvents\./, ''), status: r.status }) },
  securityhub: { list: (e) => e.securityhub.requests, call: (r) => ({ service: 'SecurityHub', operation: r.operation, status: r.status, time: r.time }) },
};
const KEYS = Object.keys(SERVICES) as Service[];

export function mark(e: Emulators): Mark {
  return Object.fromEntries(KEYS.map((k) => [k, SERVICES[k].list(e).length])) as Mark;
}

/** Every request the emulators received since `from`. */
export function callsSince(e: Emulators, from: Mark): Call[] {
  return KEYS.flatMap((k) => SERVICES[k].list(e).slice(from[k]).map(SERVICES[k].call));
}

/** `Service Operation` -> count. */
export function countByOperation(calls: readonly Call[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) { counts[`${c.service} ${c.operation}`] = (counts[`${c.service} ${c.operation}`] ?? 0) + 1; }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Forgets what the emulators recorded (their state stays): a run at 1,000 spokes must not hold every request of the sizes before it. */
export function forgetRequests(e: Emulators): void {
  for (const k of KEYS) { SERVICES[k].list(e).length = 0; }
  e.sns.published.length = 0;
}
