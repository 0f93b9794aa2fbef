/**
 * Child process of the AuditMitigationTask handler benchmark (see runtime.ts): runs the handler's
 * Create against the IoT emulator of the parent process, so that the memory this process
 * reports is the handler's, not the emulator's.
 *
 * The parent passes the job as the first argument and the emulator through the standard
 * AWS_ENDPOINT_URL_IOT environment variable. Around each run the worker asks the parent how many
 * requests the emulator has received ("mark"), so that calls are counted per run.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { collectGarbage } from './stats';

export interface TaskJob {
  /** Finding ids per custom resource of one run, e.g. [4000, 4000, 2000]. */
  readonly resources: number[];
  /** Untimed runs first, each a list of resources like `resources`. */
  readonly warmups: number[][];
  readonly reps: number;
  readonly mapping: Record<string, string[]>;
  readonly stackId: string;
}

/** What the parent's emulator has received so far. */
export interface RequestCounts {
  readonly calls: number;
  readonly starts: number;
  readonly startsAccepted: number;
}

export interface TaskRun {
  readonly warmup: boolean;
  readonly ms: number;
  readonly calls: number;
  readonly starts: number;
  readonly startsAccepted: number;
  readonly tasksStarted: number;
  /** Peak of heapUsed during the run, above heapUsed right before it (after a full GC). */
  readonly heapPeakDeltaBytes: number;
  readonly error?: string;
}

export interface TaskWorkerResult {
  readonly runs: TaskRun[];
  /** RSS once the handler module is loaded, before any run. */
  readonly rssBaselineBytes: number;
  /** process.resourceUsage().maxRSS at the end: the peak RSS of the whole process. */
  readonly maxRssBytes: number;
  /** Highest heapUsed sampled during any run. */
  readonly heapPeakBytes: number;
}

export type WorkerMessage = { type: 'mark' } | { type: 'result'; result: TaskWorkerResult } | { type: 'failed'; error: string };

type Handler = (event: CloudFormationCustomResourceEvent) => Promise<{ PhysicalResourceId: string; Data?: { TaskCount: string } }>;

function mark(): Promise<RequestCounts> {
  return new Promise((resolve) => {
    process.once('message', (counts: RequestCounts) => resolve(counts));
    process.send!({ type: 'mark' } satisfies WorkerMessage);
  });
}

function createEvent(job: TaskJob, run: number, resource: number, findingIds: string[]): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: job.stackId,
    RequestId: `bench-run-${run}-resource-${resource}`,
    LogicalResourceId: `Findings${resource}`,
    ResourceType: 'Custom::IotMitigationAuditTask',
    ResourceProperties: {
      ServiceToken: 'token',
      FindingIds: findingIds,
      AuditCheckToActionsMapping: job.mapping,
      CancelOnDelete: 'false',
    },
  } as CloudFormationCustomResourceEvent;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as TaskJob;
  // The handler logs one JSON line per task: keep it out of the way.
  console.log = () => undefined;
  console.error = () => undefined;
  // Loaded only now: its module-scope IoT client reads the emulator's endpoint from the environment.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = (require('../src/handlers/audit-mitigation-task.lambda') as { handler: Handler }).handler;
  collectGarbage();
  const rssBaselineBytes = process.memoryUsage().rss;

  const runs: TaskRun[] = [];
  let heapPeakBytes = 0;
  const plans = [
    ...job.warmups.map((r) => ({ resources: r, warmup: true })),
    ...Array.from({ length: job.reps }, () => ({ resources: job.resources, warmup: false })),
  ];
  for (const [run, plan] of plans.entries()) {
    // The events CloudFormation would send, built before the clock starts.
    let offset = 0;
    const events = plan.resources.map((count, resource) => {
      const ids = Array.from({ length: count }, (_, i) => `finding-${offset + i}`);
      offset += count;
      return createEvent(job, run, resource, ids);
    });
    collectGarbage();
    const before = await mark();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed); }, 5);
    let tasksStarted = 0;
    let error: string | undefined;
    const start = process.hrtime.bigint();
    try {
      for (const event of events) {
        const response = await handler(event);
        tasksStarted += Number(response.Data?.TaskCount ?? 0);
      }
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    clearInterval(sampler);
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    heapPeakBytes = Math.max(heapPeakBytes, heapPeak);
    const after = await mark();
    runs.push({
      warmup: plan.warmup,
      ms,
      calls: after.calls - before.calls,
      starts: after.starts - before.starts,
      startsAccepted: after.startsAccepted - before.startsAccepted,
      tasksStarted,
      heapPeakDeltaBytes: heapPeak - heapBefore,
      error,
    });
  }
  const result: TaskWorkerResult = {
    runs,
    rssBaselineBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapPeakBytes,
  };
  process.send!({ type: 'result', result } satisfies WorkerMessage, () => process.exit(0));
}

main().catch((e: unknown) => {
  process.send!({ type: 'failed', error: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies WorkerMessage, () => process.exit(1));
});
