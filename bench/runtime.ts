/**
 * Runtime cost of the handlers against the in-process IoT (and SNS) emulators of test/emulator,
 * set up exactly as test/handlers does it: the standard AWS_ENDPOINT_URL_* variables, a region,
 * fake credentials, and the handler's own variables, all before the handler module is loaded.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { SNSEvent } from 'aws-lambda';
import { Summary, progress, quietly, summarize, timed } from './stats';
import { TaskJob, TaskRun, TaskWorkerResult, WorkerMessage } from './task-worker';
import { AuditCheck } from '../src/audit-check';
import { ACCOUNT, CONTEXT, Emulators, REPORT_TOPIC, auditHandlerEnv, setEnv } from '../test/handlers/harness';

const ROOT = path.join(__dirname, '..');
const START = 'StartAuditMitigationActionsTask';

/** The fault of the throttled runs: 30% of all IoT calls answered 429. */
export const THROTTLE = { kind: 'throttle429', probability: 0.3, times: Infinity } as const;

// ---------------------------------------------------------------------------------------------
// The audit mitigation handler (audit-completion notification -> one task per audit)
// ---------------------------------------------------------------------------------------------

/** The 17 audit checks of src/audit-check.ts. */
export const CHECKS: readonly string[] = Object.values(AuditCheck);
const ACTION = 'bench-notify';
const PREFIX = 'dd0123456789';

type AuditHandler = typeof import('../src/handlers/audit-mitigation.lambda').handler;

/** The handler's configuration, as test/handlers/audit-mitigation.test.ts sets it; a rule for every check. */
export function configureAuditHandler(): void {
  setEnv(auditHandlerEnv(Object.fromEntries(CHECKS.map((check) => [check, [ACTION]])), { AUDIT_MITIGATION_TASK_ID_PREFIX: PREFIX }));

}

export function loadAuditHandler(): AuditHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../src/handlers/audit-mitigation.lambda') as { handler: AuditHandler }).handler;
}

export interface AuditCase {
  readonly failingChecks: number;
  readonly throttled: boolean;
  readonly audits: number;
  readonly time: Summary;
  /** Requests the IoT emulator received per audit (including throttled attempts). */
  readonly iotCalls: Summary;
  /** StartAuditMitigationActionsTask requests per audit (including throttled attempts). */
  readonly startCalls: Summary;
  /** StartAuditMitigationActionsTask requests AWS IoT accepted, per audit. */
  readonly startsAccepted: Summary;
  /** SNS Publish requests (the report of the started task) per audit. */
  readonly snsCalls: Summary;
  /** Audits whose decision was not `started`, and why. */
  readonly failures: string[];
  /** Whether each audit's task maps exactly its failing checks. */
  readonly tasksCorrect: boolean;
  readonly violations: number;
}

function snsEvent(message: string): SNSEvent {
  return { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn', Sns: { Message: message } as any }] };
}

/** Empties the emulators and seeds what every run needs; optionally throttles every IoT operation. */
function resetEmulators(e: Emulators, throttled: boolean): void {
  e.iot.reset();
  e.sns.reset();
  e.sns.addTopic(REPORT_TOPIC);
  e.iot.addMitigationAction({ actionName: ACTION, actionType: 'PUBLISH_FINDING_TO_SNS' });
  if (throttled) { e.iot.injectFault({ ...THROTTLE }); }
}

/**
 * Runs `warmups + audits` distinct audits whose notification names all 17 checks, `failing` of them
 * COMPLETED_NON_COMPLIANT (the others compliant), each handled by one invocation.
 */
export async function runAuditCase(e: Emulators, handler: AuditHandler, options: {
  failing: number; audits: number; warmups: number; throttled: boolean;
}): Promise<AuditCase> {
  resetEmulators(e, options.throttled);
  const failingChecks = CHECKS.slice(0, options.failing);
  const times: number[] = [];
  const iotCalls: number[] = [];
  const startCalls: number[] = [];
  const startsAccepted: number[] = [];
  const snsCalls: number[] = [];
  const failures: string[] = [];
  const taskIds: string[] = [];
  for (let i = -options.warmups; i < options.audits; i++) {
    const auditId = `bench-${options.failing}-${options.throttled ? 't' : 'n'}-${i + options.warmups}`;
    const checks = Object.fromEntries(CHECKS.map((check) => [check, { nonCompliantResourcesCount: failingChecks.includes(check) ? 3 : 0 }]));
    e.iot.addAuditTask({ taskId: auditId, scheduledAuditName: 'daily', taskStartTime: new Date(Date.now() - 60_000), checks });
    const message = JSON.stringify({
      accountId: ACCOUNT,
      taskId: auditId,
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      failedChecksCount: 0,
      canceledChecksCount: 0,
      nonCompliantChecksCount: failingChecks.length,
      compliantChecksCount: CHECKS.length - failingChecks.length,
      totalChecksCount: CHECKS.length,
      taskStartTime: Date.now() - 60_000,
      auditDetails: CHECKS.map((checkName) => ({
        checkName,
        checkRunStatus: failingChecks.includes(checkName) ? 'COMPLETED_NON_COMPLIANT' : 'COMPLETED_COMPLIANT',
        nonCompliantResourcesCount: failingChecks.includes(checkName) ? 3 : 0,
        totalResourcesCount: 40,
      })),
    });
    const event = snsEvent(message);
    const iotBefore = e.iot.requests.length;
    const snsBefore = e.sns.requests.length;
    let outcome: string;
    let ms: number;
    try {
      const run = await timed(() => quietly(() => handler(event, CONTEXT)));
      ms = run.ms;
      outcome = run.result[0]?.decision ?? 'none';
    } catch (error) {
      ms = NaN;
      outcome = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (i < 0) { continue; }
    const requests = e.iot.requests.slice(iotBefore);
    const starts = requests.filter((r) => r.operation === START);
    times.push(ms);
    iotCalls.push(requests.length);
    startCalls.push(starts.length);
    startsAccepted.push(starts.filter((r) => r.response.status === 200).length);
    snsCalls.push(e.sns.requests.length - snsBefore);
    taskIds.push(`${PREFIX}-${auditId}`);
    if (outcome !== 'started') { failures.push(`${auditId}: ${outcome}`); }
  }
  const tasks = new Map(e.iot.auditMitigationTasks().map((t) => [t.taskId, t]));
  const tasksCorrect = taskIds.every((id) => {
    const mapping = tasks.get(id)?.auditCheckToActionsMapping;
    return mapping !== undefined && Object.keys(mapping).sort().join() === [...failingChecks].sort().join();
  });
  const ok = times.filter((t) => !Number.isNaN(t));
  return {
    failingChecks: options.failing,
    throttled: options.throttled,
    audits: options.audits,
    time: summarize(ok.length > 0 ? ok : [NaN]),
    iotCalls: summarize(iotCalls),
    startCalls: summarize(startCalls),
    startsAccepted: summarize(startsAccepted),
    snsCalls: summarize(snsCalls),
    failures,
    tasksCorrect,
    violations: e.iot.violations().length + e.sns.violations().length,
  };
}

// ---------------------------------------------------------------------------------------------
// The AuditMitigationTask custom resource handler (finding ids -> tasks of 25)
// ---------------------------------------------------------------------------------------------

const FINDINGS_AUDIT = 'bench-findings-audit';
const FINDINGS_CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';

export interface TaskCase {
  readonly findings: number;
  readonly resources: number[];
  readonly throttled: boolean;
  readonly reps: number;
  readonly time: Summary;
  readonly calls: Summary;
  readonly starts: Summary;
  readonly startsAccepted: Summary;
  readonly tasks: Summary;
  /** Milliseconds per finding, and per task, from the median time. */
  readonly msPerFinding: number;
  readonly msPerTask: number;
  readonly heapPeakDeltaBytes: number;
  readonly rssBaselineBytes: number;
  readonly maxRssBytes: number;
  readonly errors: string[];
  readonly violations: number;
}

/** Seeds the audit and the findings the targets name (finding-0 ... finding-<n-1>). */
function seedFindings(e: Emulators, count: number, throttled: boolean): void {
  resetEmulators(e, false);
  e.iot.addAuditTask({
    taskId: FINDINGS_AUDIT, scheduledAuditName: 'daily', checks: { [FINDINGS_CHECK]: { nonCompliantResourcesCount: count } },
  });
  for (let i = 0; i < count; i++) {
    e.iot.addAuditFinding({
      findingId: `finding-${i}`, taskId: FINDINGS_AUDIT, checkName: FINDINGS_CHECK, reasonForNonComplianceCode: 'CERTIFICATE_PAST_EXPIRATION',
    });
  }
  if (throttled) { e.iot.injectFault({ ...THROTTLE }); }
}

/** Runs the handler in a child process (see task-worker.ts) against the emulator of this process. */
function runWorker(e: Emulators, job: TaskJob): Promise<TaskWorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'task-worker.ts'), [JSON.stringify(job)], {
      cwd: ROOT,
      execArgv: ['--expose-gc', '-r', 'ts-node/register/transpile-only'],
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result: TaskWorkerResult | undefined;
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'mark') {
        const starts = e.iot.requestsFor(START);
        child.send({ calls: e.iot.requests.length, starts: starts.length, startsAccepted: starts.filter((r) => r.response.status === 200).length });
      } else if (message.type === 'result') {
        result = message.result;
      } else {
        reject(new Error(`task worker failed: ${message.error}`));
      }
    });
    child.on('exit', (code) => {
      if (result) { resolve(result); } else { reject(new Error(`task worker exited with ${code}: ${stderr.slice(-2000)}`)); }
    });
  });
}

export async function runTaskCase(e: Emulators, options: {
  resources: number[]; warmups: number[][]; reps: number; throttled: boolean;
}): Promise<TaskCase> {
  const findings = options.resources.reduce((a, b) => a + b, 0);
  const seeded = Math.max(findings, ...options.warmups.flat());
  seedFindings(e, seeded, options.throttled);
  const result = await runWorker(e, {
    resources: options.resources,
    warmups: options.warmups,
    reps: options.reps,
    mapping: { [FINDINGS_CHECK]: [ACTION] },
    stackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/Bench/${options.throttled ? 'throttled' : 'normal'}-${findings}`,
  });
  const runs: TaskRun[] = result.runs.filter((r) => !r.warmup);
  const time = summarize(runs.map((r) => r.ms));
  const tasks = summarize(runs.map((r) => r.tasksStarted));
  progress(`task handler ${findings} findings${options.throttled ? ' (throttled)' : ''}: ${time.median.toFixed(0)} ms`);
  return {
    findings,
    resources: options.resources,
    throttled: options.throttled,
    reps: runs.length,
    time,
    calls: summarize(runs.map((r) => r.calls)),
    starts: summarize(runs.map((r) => r.starts)),
    startsAccepted: summarize(runs.map((r) => r.startsAccepted)),
    tasks,
    msPerFinding: time.median / findings,
    msPerTask: time.median / tasks.median,
    heapPeakDeltaBytes: Math.max(...runs.map((r) => r.heapPeakDeltaBytes)),
    rssBaselineBytes: result.rssBaselineBytes,
    maxRssBytes: result.maxRssBytes,
    errors: result.runs.filter((r) => r.error).map((r) => r.error!),
    violations: e.iot.violations().length,
  };
}
