import { createHash } from 'crypto';
import { TASK_ID_PATTERN } from '../../contract';


/**
 * The idempotency token for a task: a function of the task id alone (64 hex characters, the
 * API's maximum), so every retry of the same task sends the same token.
 */
export function clientRequestToken(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex');
}

/** The mitigation task an `AuditMitigation` starts for one audit: `<prefix>-<auditTaskId>`. */
export function auditMitigationTaskId(prefix: string, auditTaskId: string): string {
  const taskId = `${prefix}-${auditTaskId}`;
  if (!TASK_ID_PATTERN.test(taskId)) {
    throw new Error(`cannot derive a task id from prefix ${JSON.stringify(prefix)} and audit ${JSON.stringify(auditTaskId)}`);
  }
  return taskId;
}

/** A short stable digest of `parts`, for ids that must be unique per input. */
export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
}

/**
 * The detect mitigation task for a set of violations: `<prefix>-<digest of the sorted ids>`, so
 * the same batch redelivered is the same task.
 */
export function detectMitigationTaskId(prefix: string, violationIds: string[]): string {
  const digest = createHash('sha256').update([...violationIds].sort().join(',')).digest('hex').slice(0, 24);
  return `${prefix}-${digest}`;
}
