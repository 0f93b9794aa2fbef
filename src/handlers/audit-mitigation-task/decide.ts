import type { PlannedTask, Props, ResourcePlan } from './audit-task-plan';
import { METRICS } from '../../contract/telemetry';
import type { DeadlineRun } from '../shared/deadline';
import { mitigationCounts, resourceTaskStartedEvent } from '../shared/decision-signals';
import { Effect, logLine, metricLines, permanentFailure } from '../shared/effects';
import { DeadlineExceededError, errorMessage, errorName } from '../shared/errors';
import type { MitigationEvent } from '../shared/events';
import { physicalIdOf, taskIdsOf } from '../shared/ids';
import type { StartOutcome } from '../shared/iot-tasks';

// The AuditMitigationTask custom resource's decisions besides the request's plan
// (audit-task-plan.ts), pure: what each request answers, what a started task is counted and put
// as, what a start that failed part-way leaves to cancel, and what a Delete's cancels come to. The
// handler (audit-mitigation-task.lambda.ts) starts, cancels and answers.

/** The answer to CloudFormation. */
export interface Response {
  readonly PhysicalResourceId: string;
  readonly Data?: { TaskIds: string; TaskCount: string };
}

/** The answer of a resource whose work has `count` tasks under `prefix`. */
export function response(prefix: string, count: number): Response {
  return { PhysicalResourceId: physicalIdOf(prefix, count), Data: { TaskIds: taskIdsOf(prefix, count).join(','), TaskCount: String(count) } };
}

/** What a request plan comes to besides starting work: log and answer, or cancel the tasks and answer. */
export type RequestStep =
  /** Start the work of `props` under `prefix`. */
  | { readonly kind: 'start'; readonly prefix: string; readonly props: Props }
  | { readonly kind: 'answer'; readonly effects: Effect[]; readonly response: Response }
  | { readonly kind: 'cancel'; readonly taskIds: string[]; readonly response: Response };

export function decideRequest(plan: ResourcePlan): RequestStep {
  switch (plan.kind) {
    case 'start':
      return { kind: 'start', prefix: plan.prefix, props: plan.props };
    case 'unchanged':
      return { kind: 'answer', effects: [logLine('INFO', 'unchanged', { physicalResourceId: plan.physicalResourceId })], response: response(plan.prefix, plan.count) };
    case 'nothing-to-delete':
      return {
        kind: 'answer',
        effects: [logLine('INFO', 'nothing-to-delete', { physicalResourceId: plan.physicalResourceId, reason: plan.reason })],
        response: { PhysicalResourceId: plan.physicalResourceId },
      };
    case 'leave-running':
      return {
        kind: 'answer',
        effects: [logLine('INFO', 'tasks-left-running', { taskIds: plan.taskIds, reason: plan.reason })],
        response: { PhysicalResourceId: plan.physicalResourceId },
      };
    case 'cancel':
      return { kind: 'cancel', taskIds: plan.taskIds, response: { PhysicalResourceId: plan.physicalResourceId } };
  }
}

/**
 * What a task the work asked for comes to, once AWS IoT answered: counted (`TasksStarted`) only
 * when it started now, logged, and a `Mitigation Task Started` event (`alreadyStarted` for one found).
 */
export function afterTaskStart(task: PlannedTask, outcome: StartOutcome, mitigation: string): { effects: Effect[]; event: MitigationEvent } {
  return {
    effects: [
      ...(outcome === 'started' ? [metricLines(mitigationCounts(mitigation, { [METRICS.TASKS_STARTED]: 1 }))] : []),
      logLine('INFO', outcome, { taskId: task.taskId, target: task.target, auditCheckToActionsMapping: task.auditCheckToActionsMapping }),
    ],
    event: resourceTaskStartedEvent(mitigation, task, outcome !== 'started'),
  };
}

/**
 * A start failed part-way: log it; with cancelOnDelete, cancel the tasks this request started
 * (those of earlier requests belong to a resource CloudFormation still knows). The request fails.
 */
export function decideStartFailure(started: string[], error: unknown, cancelOnDelete: boolean): { effects: Effect[]; cancel?: string[] } {
  return {
    effects: [logLine('ERROR', 'start-failed', { started, error: errorName(error), message: errorMessage(error) })],
    ...(cancelOnDelete ? { cancel: started } : {}),
  };
}

/** How a cancel's error counts: InvalidRequest (not in progress any more) and ResourceNotFound (never started) leave nothing running. */
export function cancelVerdict(error: unknown): { cancelled: boolean; event: 'not-cancelled' | 'cancel-failed' } {
  const expected = ['InvalidRequestException', 'ResourceNotFoundException'].includes(errorName(error));
  return { cancelled: expected, event: expected ? 'not-cancelled' : 'cancel-failed' };
}

/**
 * What a run of cancels comes to: done, or the tasks left running as ONE permanent failure, whose
 * error is the first refusal (it names the cause) or, without one, the deadline. `remainingMs`:
 * what was left of the invocation when the run ended.
 */
export function decideCancelled(ids: string[], run: DeadlineRun<string, { cancelled: boolean; error?: unknown }>, remainingMs: number): Effect[] {
  const failedRuns = run.settled.filter((s) => s.result?.cancelled !== true);
  const failed = failedRuns.map((s) => s.item);
  const notCancelled = [...failed, ...run.unfinished, ...run.notStarted];
  if (notCancelled.length === 0) { return [logLine('INFO', 'cancel-done', { taskCount: ids.length })]; }
  const firstError = failedRuns.map((s) => s.result?.error ?? s.error).find((e) => e !== undefined);
  const error = firstError ?? new DeadlineExceededError(`${notCancelled.length} of ${ids.length} task(s) not cancelled before the function had to answer`);
  return [permanentFailure('tasks-not-cancelled', error, {
    taskIds: notCancelled,
    failed,
    unfinished: run.unfinished,
    notStarted: run.notStarted,
    remainingMs,
    reason: 'cancel each with `npx cdk-device-defender cancel <taskId>` (or CancelAuditMitigationActionsTask)',
  })];
}
