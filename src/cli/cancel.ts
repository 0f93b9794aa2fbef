import { CancelAuditMitigationActionsTaskCommand, CancelDetectMitigationActionsTaskCommand, IoTClient } from '@aws-sdk/client-iot';
import { listExecutions } from './executions';
import { TaskInfo, describeTask } from './task-info';

export interface CancelResult {
  readonly taskId: string;
  readonly kind: 'audit' | 'detect';
  readonly cancelled: boolean;
  /** Why nothing was cancelled. */
  readonly reason?: string;
  /** What had already run, by execution status: AWS never rolls it back. */
  readonly alreadyRan: Record<string, number>;
}

/** What `cancel` would do: cancel the task when it is still in progress. */
export interface CancelPlan {
  readonly info: TaskInfo;
  /** Whether the task is still in progress, so there is something to cancel. */
  readonly cancellable: boolean;
  /** Why there is nothing to cancel. */
  readonly reason?: string;
  readonly alreadyRan: Record<string, number>;
}

async function alreadyRan(iot: IoTClient, info: TaskInfo): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of await listExecutions(iot, info)) { counts[e.status] = (counts[e.status] ?? 0) + 1; }
  return counts;
}

/** Reads a task and what already ran, without changing anything. */
export async function planCancel(iot: IoTClient, taskId: string): Promise<CancelPlan> {
  const info = await describeTask(iot, taskId);
  const status = info.kind === 'audit' ? info.task.taskStatus : info.task.taskSummary?.taskStatus;
  const cancellable = status === 'IN_PROGRESS';
  return {
    info,
    cancellable,
    reason: cancellable ? undefined : `the task is ${status ?? 'in an unknown state'}, not IN_PROGRESS: there is nothing left to cancel`,
    alreadyRan: await alreadyRan(iot, info),
  };
}

/** The plan as a result: nothing cancelled, and why (`reason` overrides the plan's own). */
export function notCancelled(plan: CancelPlan, reason?: string): CancelResult {
  return { taskId: plan.info.taskId, kind: plan.info.kind, cancelled: false, reason: reason ?? plan.reason, alreadyRan: plan.alreadyRan };
}

/** Cancels a planned task still in progress, and says what ran before it stopped. */
export async function cancelTask(iot: IoTClient, plan: CancelPlan): Promise<CancelResult> {
  const { info } = plan;
  if (!plan.cancellable) { return notCancelled(plan); }
  if (info.kind === 'audit') {
    await iot.send(new CancelAuditMitigationActionsTaskCommand({ taskId: info.taskId }));
  } else {
    await iot.send(new CancelDetectMitigationActionsTaskCommand({ taskId: info.taskId }));
  }
  return { taskId: info.taskId, kind: info.kind, cancelled: true, alreadyRan: await alreadyRan(iot, info) };
}
