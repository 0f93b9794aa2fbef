import type { DescribeAuditTaskCommandOutput } from '@aws-sdk/client-iot';
import { MalformedMessageError, isObject, parseJsonObject } from './message';
import { AUDIT_TASK_ID_PATTERN } from '../../contract';

/** One check's outcome in a finished audit. */
export interface CheckSummary {
  readonly checkName: string;
  readonly checkRunStatus: string;
  readonly nonCompliantResourcesCount: number;
  /** Non-compliant resources whose findings are suppressed; AWS never mitigates those. */
  readonly suppressedNonCompliantResourcesCount: number;
}

/** What the mitigation logic needs to know about an audit, from a notification or from DescribeAuditTask. */
export interface AuditSummary {
  readonly accountId?: string;
  readonly taskId: string;
  readonly taskStatus: string;
  readonly taskType: string;
  readonly scheduledAuditName?: string;
  readonly checks: CheckSummary[];
}

const WHAT = 'audit notification';

function field<T>(obj: Record<string, unknown>, name: string, type: 'string' | 'number', required: true): T;
function field<T>(obj: Record<string, unknown>, name: string, type: 'string' | 'number', required: boolean): T | undefined;
function field<T>(obj: Record<string, unknown>, name: string, type: 'string' | 'number', required: boolean): T | undefined {
  const value = obj[name];
  if (value === undefined || value === null) {
    if (required) { throw new MalformedMessageError(WHAT, `missing ${name}`); }
    return undefined;
  }
  if (typeof value !== type || (type === 'number' && (!Number.isFinite(value) || (value as number) < 0))) {
    throw new MalformedMessageError(WHAT, `${name} must be a ${type === 'number' ? 'non-negative number' : type}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/**
 * Parses the audit-completion message AWS IoT publishes to the audit notification topic.
 * Unknown fields are ignored; missing or mistyped required fields make it malformed.
 */
export function parseAuditNotification(message: string): AuditSummary {
  const body = parseJsonObject(message, WHAT);
  const taskId = field<string>(body, 'taskId', 'string', true);
  if (!AUDIT_TASK_ID_PATTERN.test(taskId)) {
    throw new MalformedMessageError(WHAT, `taskId ${JSON.stringify(taskId)} is not an audit task id`);
  }
  const details = body.auditDetails ?? [];
  if (!Array.isArray(details)) { throw new MalformedMessageError(WHAT, 'auditDetails must be a list'); }
  const checks = details.map((entry, i): CheckSummary => {
    if (!isObject(entry)) { throw new MalformedMessageError(WHAT, `auditDetails[${i}] must be an object`); }
    const checkRunStatus = field<string>(entry, 'checkRunStatus', 'string', true);
    return {
      checkName: field<string>(entry, 'checkName', 'string', true),
      checkRunStatus,
      nonCompliantResourcesCount: field<number>(entry, 'nonCompliantResourcesCount', 'number',
        checkRunStatus === 'COMPLETED_NON_COMPLIANT') ?? 0,
      // The field's name in notifications is not documented: parse it when present.
      suppressedNonCompliantResourcesCount: field<number>(entry, 'suppressedNonCompliantResourcesCount', 'number', false) ?? 0,
    };
  });
  return {
    accountId: field<string>(body, 'accountId', 'string', true),
    taskId,
    taskStatus: field<string>(body, 'taskStatus', 'string', true),
    taskType: field<string>(body, 'taskType', 'string', true),
    scheduledAuditName: field<string>(body, 'scheduledAuditName', 'string', false),
    checks,
  };
}

/** The same summary from DescribeAuditTask (used by the reconciler, which has no notification). */
export function summaryFromDescribe(taskId: string, task: DescribeAuditTaskCommandOutput): AuditSummary {
  return {
    taskId,
    taskStatus: task.taskStatus ?? 'UNKNOWN',
    taskType: task.taskType ?? 'UNKNOWN',
    scheduledAuditName: task.scheduledAuditName,
    checks: Object.entries(task.auditDetails ?? {}).map(([checkName, d]) => ({
      checkName,
      checkRunStatus: d.checkRunStatus ?? 'UNKNOWN',
      nonCompliantResourcesCount: d.nonCompliantResourcesCount ?? 0,
      suppressedNonCompliantResourcesCount: d.suppressedNonCompliantResourcesCount ?? 0,
    })),
  };
}
