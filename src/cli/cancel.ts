import { CancelAuditMitigationActionsTaskCommand, CancelDetectMitigationActionsTaskCommand, IoTClient } from '@aws-sdk/client-iot';
import { listExecutions } from './executions';
import { describeTask } from './task-info';

export interface CancelResult {
  readonly taskId: string;
  readonly kind: 'audit' | 'detect';
  readonly cancelled: boolean;
  /** Why nothing was cancelled. */
  readonly reason?: string;
  /** What had already run, by execution status: AWS never rolls it back. */
  readonly alreadyRan: Record<string, number>;
}

/** Cancels an audit or detect mitigation task still in progress, and says what already ran. */
export async function cancelTask(iot: IoTClient, taskId: string): Promise<CancelResult> {
  const info = await describeTask(iot, taskId);
  const status = info.kind === 'audit' ? info.task.taskStatus : info.task.taskSummary?.taskStatus;
  let cancelled = false;
  let reason: string | undefined;
  if (status === 'IN_PROGRESS') {
    if (info.kind === 'audit') {
      await iot.send(new CancelAuditMitigationActionsTaskCommand({ taskId }));
    } else {
      await iot.send(new CancelDetectMitigationActionsTaskCommand({ taskId }));
    }
    cancelled = true;
  } else {
    reason = `the task is ${status ?? 'in an unknown state'}, not IN_PROGRESS: there is nothing left to cancel`;
  }
  const alreadyRan: Record<string, number> = {};
  for (const e of await listExecutions(iot, info)) { alreadyRan[e.status] = (alreadyRan[e.status] ?? 0) + 1; }
  return { taskId, kind: info.kind, cancelled, reason, alreadyRan };
}
