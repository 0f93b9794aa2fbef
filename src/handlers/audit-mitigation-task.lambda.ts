import { CancelAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { planRequest, planTasks, Props } from './audit-mitigation-task/audit-task-plan';
import {
  afterTaskStart, cancelVerdict, decideCancelled, decideRequest, decideStartFailure, response, Response,
} from './audit-mitigation-task/decide';
import { openRequest, RequestOpening } from './shared/config';
import { runWithDeadline } from './shared/deadline';
import { perform } from './shared/effects';
import { errorMessage, errorName } from './shared/errors';
import { MitigationEvent, putEvents } from './shared/events';
import { createIotClient, findingsMatching, startAuditMitigationTask } from './shared/iot-tasks';
import { log } from './shared/log';
import { TargetSpec, targetsFor } from './shared/targets';

export { parseProps } from './audit-mitigation-task/audit-task-plan';
export { parsePhysicalId } from './shared/ids';

const iot = createIotClient();

/** Cancels run 5 at a time. */
export const CANCEL_CONCURRENCY = 5;
/** Each cancel gets 3 attempts in all, so one throttled call cannot use up a Delete's time. */
export const CANCEL_MAX_ATTEMPTS = 3;
/** No cancel starts, and any in flight is abandoned, once less than this is left of the invocation. */
export const CANCEL_SAFETY_MARGIN_MS = 10_000;
/** A report topic or event not sent this long before the end is given up (and logged). */
export const REPORT_MARGIN_MS = 2_000;
/** The function's timeout (10 minutes, see the provider), for an invocation without a Lambda context. */
const FUNCTION_TIMEOUT_MS = 600_000;

const cancelClient = createIotClient({ maxAttempts: CANCEL_MAX_ATTEMPTS, requestTimeoutMs: 10_000 });

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
 * Parse and decide (`planRequest`, `./audit-mitigation-task/decide.ts`: pure), then act: the I/O is here.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Response> {
  return openRequest(event, context, { reportMarginMs: REPORT_MARGIN_MS, timeoutMs: FUNCTION_TIMEOUT_MS }, async (request) => {
    const step = decideRequest(planRequest(event));
    switch (step.kind) {
      case 'start':
        return start(step, event.LogicalResourceId, request);
      case 'answer':
        await perform(step.effects, request.reporter);
        return step.response;
      case 'cancel':
        await cancelAll(step.taskIds, request);
        return step.response;
    }
  }, () => ({ kind: 'request-failed' }));
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
async function start(work: { readonly prefix: string; readonly props: Props }, logicalResourceId: string,
  request: RequestOpening): Promise<Response> {
  const { prefix, props } = work;
  const mitigation = props.mitigationName ?? logicalResourceId;
  const tasks = planTasks(prefix, await resolveTargets(props.target), props.auditCheckToActionsMapping);
  if (tasks.kind === 'refuse') { throw new Error(tasks.reason); }
  const started: string[] = [];
  const events: MitigationEvent[] = [];
  try {
    for (const task of tasks.tasks) {
      // A task of this work that exists ran (or runs) already: never start it again.
      const outcome = await startAuditMitigationTask(iot, task);
      if (outcome === 'started') { started.push(task.taskId); }
      const after = afterTaskStart(task, outcome, mitigation);
      await perform(after.effects, request.reporter);
      events.push(after.event);
    }
  } catch (error) {
    const failure = decideStartFailure(started, error, props.cancelOnDelete);
    await perform(failure.effects, request.reporter);
    if (failure.cancel) { await cancelAll(failure.cancel, request); }
    throw error;
  }
  // Outside the try: a refused event must not cancel tasks that started.
  await putEvents(events, request.reporter.eventBus);
  return response(prefix, tasks.tasks.length);
}

/**
 * Cancels tasks still in progress, a few at a time, and stops in time to answer CloudFormation.
 * Never throws (a Delete must not fail the stack): each cancel that failed is logged at ERROR, and
 * the tasks left running are one permanent failure (`decideCancelled`).
 */
async function cancelAll(ids: string[], request: RequestOpening): Promise<void> {
  const { remainingMs } = request;
  const run = await runWithDeadline(ids, async (taskId, abortSignal): Promise<{ cancelled: boolean; error?: unknown }> => {
    try {
      await cancelClient.send(new CancelAuditMitigationActionsTaskCommand({ taskId }), { abortSignal });
      log('INFO', 'cancelled', { taskId });
      return { cancelled: true };
    } catch (error) {
      if (abortSignal.aborted) { throw error; }
      const verdict = cancelVerdict(error);
      log(verdict.cancelled ? 'INFO' : 'ERROR', verdict.event, { taskId, error: errorName(error), message: errorMessage(error) });
      return verdict.cancelled ? { cancelled: true } : { cancelled: false, error };
    }
  }, { concurrency: CANCEL_CONCURRENCY, remainingMs, marginMs: CANCEL_SAFETY_MARGIN_MS });
  await perform(decideCancelled(ids, run, remainingMs()), request.reporter, request.answer);
}
