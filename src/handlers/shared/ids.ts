import { createHash } from 'crypto';
import { MAX_TASKS_PER_RESOURCE, TASK_ID_PATTERN } from '../../contract/limits';

/** The SHA-256 of `parts` joined by NUL, in hex (64 characters): every digest of the handlers. */
export function sha256Hex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** JSON with object keys in sorted order at every level; undefined members are left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) { return `[${value.map(canonicalJson).join(',')}]`; }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The idempotency token for a task: a function of the task id alone (64 hex characters, the
 * API's maximum), so every retry of the same task sends the same token.
 */
export function clientRequestToken(taskId: string): string {
  return sha256Hex(taskId);
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
  return sha256Hex(...parts).slice(0, 10);
}

/**
 * The detect mitigation task for a set of violations: `<prefix>-<digest of the sorted ids>`, so
 * the same batch redelivered is the same task.
 */
export function detectMitigationTaskId(prefix: string, violationIds: string[]): string {
  const digest = sha256Hex([...violationIds].sort().join(',')).slice(0, 24);
  return `${prefix}-${digest}`;
}

/** An AuditMitigationTask's physical id, `<prefix>:<count>`: its tasks are `<prefix>-0` ... `<prefix>-<count-1>`. */
const PHYSICAL_ID = /^(dd[0-9a-f]{10}):(\d+)$/;

/** The task id prefix and task count a physical id encodes, or undefined for one the handler never issued. */
export function parsePhysicalId(physicalResourceId: string): { prefix: string; count: number } | undefined {
  const match = PHYSICAL_ID.exec(physicalResourceId);
  if (!match || Number(match[2]) > MAX_TASKS_PER_RESOURCE) { return undefined; }
  return { prefix: match[1], count: Number(match[2]) };
}

/** The physical id of a resource whose work has `count` tasks under `prefix`. */
export function physicalIdOf(prefix: string, count: number): string {
  return `${prefix}:${count}`;
}

/** The ids of a resource's tasks: `<prefix>-0` ... `<prefix>-<count-1>`. */
export function taskIdsOf(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}
