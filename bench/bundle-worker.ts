/**
 * Child process of the organization benchmark (see organization.ts): loads one handler bundle from
 * assets/ (what Lambda runs) and invokes its `handler` with the events the parent sends, against
 * the emulators of the parent process, so that the memory this process reports is the handler's
 * alone. organization.ts bundles this file with esbuild and forks plain `node` on it (no ts-node,
 * no TypeScript compiler in this process).
 *
 * The bundle is the first argument; its configuration and the emulators' endpoints come in the
 * environment, as Lambda and test/handlers/harness.ts give them. The handler's JSON log lines are
 * silenced. Every invocation gets a Lambda-like context whose remaining time counts down from the
 * function's timeout.
 */
import * as fs from 'node:fs';
import { collectGarbage } from './stats';

/** What the parent asks. */
export type WorkerRequest =
  | { readonly type: 'invoke'; readonly event: unknown; readonly memory: boolean }
  | { readonly type: 'exit' };

/** Memory around one invocation, in bytes. */
export interface InvocationMemory {
  /** heapUsed and RSS right before the invocation (after a full garbage collection). */
  readonly heapBefore: number;
  readonly rssBefore: number;
  /** Highest heapUsed and RSS sampled every 5 ms during the invocation. */
  readonly heapPeak: number;
  readonly rssPeak: number;
  /** heapUsed and RSS after the invocation and a full garbage collection: what the module keeps. */
  readonly heapAfterGc: number;
  readonly rssAfterGc: number;
  /** Open file descriptors (sockets included): before, highest sampled every 50 ms, after; undefined without /proc (Linux only). */
  readonly fdsBefore?: number;
  readonly fdsPeak?: number;
  readonly fdsAfter?: number;
}

export interface Invocation {
  /** Epoch milliseconds (Date.now()) at which the handler was called: the emulators record their requests on the same clock. */
  readonly startedAt: number;
  readonly ms: number;
  readonly result?: unknown;
  readonly error?: string;
  /** With `memory: true` only. */
  readonly memory?: InvocationMemory;
}

export type WorkerReply =
  | { readonly type: 'ready'; readonly rss: number; readonly heapUsed: number }
  | { readonly type: 'invoked'; readonly invocation: Invocation }
  | { readonly type: 'failed'; readonly error: string };

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** The functions' timeout (MitigationHub and the task follower set 5 minutes). */
const TIMEOUT_MS = 5 * 60_000;

function send(reply: WorkerReply): void {
  process.send!(reply);
}

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Open file descriptors of this process (Lambda allows 1,024), or undefined where /proc is missing. */
function openFds(): number | undefined {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

async function invoke(handler: Handler, event: unknown, memory: boolean): Promise<Invocation> {
  let heapBefore = 0;
  let rssBefore = 0;
  let heapPeak = 0;
  let rssPeak = 0;
  let sampler: NodeJS.Timeout | undefined;
  let fdSampler: NodeJS.Timeout | undefined;
  const fdsBefore = memory ? openFds() : undefined;
  let fdsPeak = fdsBefore;
  if (memory) {
    collectGarbage();
    ({ heapUsed: heapBefore, rss: rssBefore } = process.memoryUsage());
    heapPeak = heapBefore;
    rssPeak = rssBefore;
    sampler = setInterval(() => {
      const now = process.memoryUsage();
      heapPeak = Math.max(heapPeak, now.heapUsed);
      rssPeak = Math.max(rssPeak, now.rss);
    }, 5);
    if (fdsBefore !== undefined) { fdSampler = setInterval(() => { fdsPeak = Math.max(fdsPeak!, openFds() ?? 0); }, 50); }
  }
  const startedAt = Date.now();
  const start = process.hrtime.bigint();
  const context = {
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
    getRemainingTimeInMillis: () => TIMEOUT_MS - Number(process.hrtime.bigint() - start) / 1e6,
  };
  let result: unknown;
  let error: string | undefined;
  try {
    result = await handler(event, context);
  } catch (e) {
    error = describe(e);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!memory) { return { startedAt, ms, result, error }; }
  clearInterval(sampler);
  clearInterval(fdSampler);
  const fdsAfter = openFds();
  if (fdsPeak !== undefined && fdsAfter !== undefined) { fdsPeak = Math.max(fdsPeak, fdsAfter); }
  const end = process.memoryUsage();
  heapPeak = Math.max(heapPeak, end.heapUsed);
  rssPeak = Math.max(rssPeak, end.rss);
  collectGarbage();
  const after = process.memoryUsage();
  return {
    startedAt,
    ms,
    result,
    error,
    memory: { heapBefore, rssBefore, heapPeak, rssPeak, heapAfterGc: after.heapUsed, rssAfterGc: after.rss, fdsBefore, fdsPeak, fdsAfter },
  };
}

function main(): void {
  const bundle = process.argv[2];
  console.log = () => undefined;
  console.error = () => undefined;
  console.warn = () => undefined;
  // Loaded only now: its module-scope clients read the emulators' endpoints from the environment.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = (require(bundle) as { handler: Handler }).handler;
  collectGarbage();
  let queue = Promise.resolve();
  process.on('message', (request: WorkerRequest) => {
    if (request.type === 'exit') {
      process.exit(0);
    }
    // One invocation at a time, as one Lambda execution environment runs them.
    queue = queue.then(async () => send({ type: 'invoked', invocation: await invoke(handler, request.event, request.memory) }));
  });
  const { rss, heapUsed } = process.memoryUsage();
  send({ type: 'ready', rss, heapUsed });
}

try {
  main();
} catch (e) {
  process.send!({ type: 'failed', error: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies WorkerReply, () => process.exit(1));
}
