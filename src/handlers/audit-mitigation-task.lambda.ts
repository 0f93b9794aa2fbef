import { CancelAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { EVENT_DETAIL_TYPES, METRIC_DIMENSIONS, METRICS, TaskStartedDetail } from '../contract/telemetry';
import { physicalIdOf, planRequest, planTasks, Props, taskIdsOf } from './shared/audit-task-plan';
import { runWithDeadline } from './shared/deadline';
import { MitigationEvent, putEvents } from './shared/events';
import {
  createIotClient, errorMessage, errorName, findingsMatching, startAuditMitigationTask,
} from './shared/iot-tasks';
import { log } from './shared/log';
import { emitMetrics } from './shared/metrics';
import { AnswerDeadline, customResourceReporter, Reporter } from './shared/report';
import { TargetSpec, targetsFor } from './shared/targets';

export { parsePhysicalId, parseProps } from './shared/audit-task-plan';

const iot = createIotClient();

/** Cancels run 5 at a time. */
export const CANCEL_CONCURRENCY = 5;
/** Each cancel gets 3 attempts in all, so one throttled call cannot use up a Delete's time. */
export const CANCEL_MAX_ATTEMPTS = 3;
/** No cancel starts, and any in flight is abandoned, once less than this is left of the invocation. */
export const CANCEL_SAFETY_MARGIN_MS = 10_000;
/** A report topic or event not sent this long before the end is given up (and logged). */
export const REPORT_MARGIN_MS = 2_000;

const cancelClient = createIotClient({ maxAttempts: CANCEL_MAX_ATTEMPTS, requestTimeoutMs: 10_000 });

interface Response {
  readonly PhysicalResourceId: string;
  readonly Data?: { TaskIds: string; TaskCount: string };
}

function response(prefix: string, count: number): Response {
  return { PhysicalResourceId: physicalIdOf(prefix, count), Data: { TaskIds: taskIdsOf(prefix, count).join(','), TaskCount: String(count) } };
}

/**
 * Starts audit mitigation actions tasks at deploy time, and cancels the ones still running on
 * Delete when asked. Task ids derive from the stack, the logical id and the work (target,
 * mapping, runId), never from the request: work that ran once is never started again, whether
 * CloudFormation rolls back, repeats an Update or retries a request. Delete never fails.
 *
 * Every permanent failure goes through the `Reporter` (metric, log line, report topic, event): a
 * Create or an Update that fails (the request fails too), and tasks a Delete did not cancel (the
 * Delete succeeds; its reports are best effort, so that one that cannot be sent never fails it).
 *
 * Parse and decide (`planRequest`, pure), then act: the I/O is here.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Response> {
  const remainingMs = () => context.getRemainingTimeInMillis();
  const reporter = customResourceReporter(event.ResourceProperties, event.LogicalResourceId);
  const answer: AnswerDeadline = { remainingMs, marginMs: REPORT_MARGIN_MS };
  try {
    const plan = planRequest(event);
    switch (plan.kind) {
      case 'start':
        return await start(plan.prefix, plan.props, plan.props.mitigationName ?? event.LogicalResourceId, remainingMs, reporter, answer);
      case 'unchanged':
        log('INFO', 'unchanged', { physicalResourceId: plan.physicalResourceId });
        return response(plan.prefix, plan.count);
      case 'nothing-to-delete':
        log('INFO', 'nothing-to-delete', { physicalResourceId: plan.physicalResourceId, reason: plan.reason });
        return { PhysicalResourceId: plan.physicalResourceId };
      case 'leave-running':
        log('INFO', 'tasks-left-running', { taskIds: plan.taskIds, reason: plan.reason });
        return { PhysicalResourceId: plan.physicalResourceId };
      case 'cancel':
        await cancelAll(plan.taskIds, remainingMs, reporter, answer);
        return { PhysicalResourceId: plan.physicalResourceId };
    }
  } catch (error) {
    // Only a Create or an Update gets here (a Delete never throws): CloudFormation fails the
    // request and rolls back, and the failure is reported like every other.
    await reporter.permanentFailure('request-failed', error, { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId }, answer);
    throw error;
  }
}

/** The targets of a work: a reason-code filter is resolved with ListAuditFindings, the rest is pure. */
async function resolveTargets(spec: TargetSpec) {
  const matched = spec.reasonCodeFilter && spec.auditTaskId ? await findingsMatching(iot, spec.auditTaskId, spec.reasonCodeFilter) : undefined;
  return targetsFor(spec, matched);
}

/**
 * Starts the work's tasks. Each started task is counted (`TasksStarted`, only when AWS IoT answered
 * 'started') as it starts; then every task, started now or found, is a `Mitigation Task Started`
 * event (`alreadyStarted` for a found one). An event EventBridge refuses fails the request (the
 * tasks keep running; the next deployment puts the events again, with `alreadyStarted`).
 */
async function start(prefix: string, props: Props, mitigation: string, remainingMs: () => number, reporter: Reporter,
  answer: AnswerDeadline): Promise<Response> {
  const plan = planTasks(prefix, await resolveTargets(props.target), props.auditCheckToActionsMapping);
  if (plan.kind === 'refuse') { throw new Error(plan.reason); }
  const started: string[] = [];
  const events: MitigationEvent[] = [];
  try {
    for (const task of plan.tasks) {
      // A task of this work that exists ran (or runs) already: never start it again.
      const outcome = await startAuditMitigationTask(iot, task);
      if (outcome === 'started') {
        started.push(task.taskId);
        emitMetrics({ [METRIC_DIMENSIONS.MITIGATION]: mitigation }, [[METRIC_DIMENSIONS.MITIGATION]], { [METRICS.TASKS_STARTED]: 1 });
      }
      log('INFO', outcome, { taskId: task.taskId, target: task.target, auditCheckToActionsMapping: task.auditCheckToActionsMapping });
      const detail: TaskStartedDetail = {
        mitigation,
        taskKind: 'audit',
        taskId: task.taskId,
        ...(task.target.auditTaskId ? { auditTaskId: task.target.auditTaskId } : {}),
        checks: task.auditCheckToActionsMapping,
        alreadyStarted: outcome !== 'started',
      };
      events.push({ detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail });
    }
  } catch (error) {
    log('ERROR', 'start-failed', { started, error: errorName(error), message: errorMessage(error) });
    // Only tasks this request started: those of earlier requests belong to a resource CloudFormation still knows.
    if (props.cancelOnDelete) { await cancelAll(started, remainingMs, reporter, answer); }
    throw error;
  }
  // Outside the try: a refused event must not cancel tasks that started.
  await putEvents(events, reporter.eventBus);
  return response(prefix, plan.tasks.length);
}

/**
 * Cancels tasks still in progress, a few at a time, and stops in time to answer CloudFormation.
 * Never throws (a Delete must not fail the stack): each cancel that failed is logged at ERROR, and
 * the tasks left running are one permanent failure.
 */
async function cancelAll(ids: string[], remainingMs: () => number, reporter: Reporter, answer: AnswerDeadline): Promise<void> {
  const run = await runWithDeadline(ids, async (taskId, abortSignal): Promise<{ cancelled: boolean; error?: unknown }> => {
    try {
      await cancelClient.send(new CancelAuditMitigationActionsTaskCommand({ taskId }), { abortSignal });
      log('INFO', 'cancelled', { taskId });
      return { cancelled: true };
    } catch (error) {
      if (abortSignal.aborted) { throw error; }
      // InvalidRequest: not in progress any more; ResourceNotFound: never started.
      const expected = ['InvalidRequestException', 'ResourceNotFoundException'].includes(errorName(error));
      log(expected ? 'INFO' : 'ERROR', expected ? 'not-cancelled' : 'cancel-failed', { taskId, error: errorName(error), message: errorMessage(error) });
      return expected ? { cancelled: true } : { cancelled: false, error };
    }
  }, { concurrency: CANCEL_CONCURRENCY, remainingMs, marginMs: CANCEL_SAFETY_MARGIN_MS });
  const failedRuns = run.settled.filter((s) => s.result?.cancelled !== true);
  const failed = failedRuns.map((s) => s.item);
  const notCancelled = [...failed, ...run.unfinished, ...run.notStarted];
  if (notCancelled.length === 0) {
    log('INFO', 'cancel-done', { taskCount: ids.length });
    return;
  }
  // The first refusal names the cause; without one, time ran out.
  const firstError = failedRuns.map((s) => s.result?.error ?? s.error).find((e) => e !== undefined);
  const error = firstError ?? Object.assign(new Error(`${notCancelled.length} of ${ids.length} task(s) not cancelled before the function had to answer`),
    { name: 'DeadlineExceeded' });
  await reporter.permanentFailure('tasks-not-cancelled', error, {
    taskIds: notCancelled,
    failed,
    unfinished: run.unfinished,
    notStarted: run.notStarted,
    remainingMs: remainingMs(),
    reason: 'cancel each with `npx cdk-device-defender cancel <taskId>` (or CancelAuditMitigationActionsTask)',
  }, answer);
}
