import type { DescribeAuditTaskCommandOutput } from '@aws-sdk/client-iot';
import { MalformedMessageError, parseJsonObject } from './message';
import { AUDIT_TASK_ID_PATTERN } from '../../contract/limits';

/** One check's outcome in a finished audit, as DescribeAuditTask reports it (`AuditCheckDetails`). */
export interface CheckSummary {
  readonly checkName: string;
  readonly checkRunStatus: string;
  /** Resources found non-compliant; undefined when DescribeAuditTask did not say (the check is then never mitigated). */
  readonly nonCompliantResourcesCount?: number;
  /** Non-compliant resources whose findings are suppressed; AWS never mitigates those. */
  readonly suppressedNonCompliantResourcesCount: number;
}

/**
 * What the mitigation logic knows about an audit: always built from DescribeAuditTask, the source
 * of truth, by the notification path, the reconciler and the CLI's preview alike.
 */
export interface AuditSummary {
  readonly taskId: string;
  readonly taskStatus: string;
  readonly taskType: string;
  readonly scheduledAuditName?: string;
  /** When the audit started; undefined when DescribeAuditTask did not say (its age is then unknown). */
  readonly taskStartTime?: Date;
  readonly checks: CheckSummary[];
}

/**
 * What an audit-completion notification is used for: a trigger. Only the audit id and, for
 * filtering out what is not ours without calling AWS, the account and scheduled audit name are
 * read; counts and statuses in the message are never trusted (anyone allowed to publish to the
 * topic could write them).
 */
export interface AuditTrigger {
  readonly taskId: string;
  readonly accountId?: string;
  readonly scheduledAuditName?: string;
}

const WHAT = 'audit notification';

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) { return undefined; }
  if (typeof value !== 'string') { throw new MalformedMessageError(WHAT, `${name} must be a string, got ${JSON.stringify(value)}`); }
  return value;
}

/**
 * Reads the trigger out of the audit-completion message AWS IoT publishes to the notification
 * topic. Only `taskId` is required; every other field (counts, statuses, checks) is ignored.
 */
export function parseAuditNotification(message: string): AuditTrigger {
  const body = parseJsonObject(message, WHAT);
  const taskId = optionalString(body, 'taskId');
  if (taskId === undefined) { throw new MalformedMessageError(WHAT, 'missing taskId'); }
  if (!AUDIT_TASK_ID_PATTERN.test(taskId)) {
    throw new MalformedMessageError(WHAT, `taskId ${JSON.stringify(taskId)} is not an audit task id`);
  }
  return { taskId, accountId: optionalString(body, 'accountId'), scheduledAuditName: optionalString(body, 'scheduledAuditName') };
}

/** A count DescribeAuditTask gave, or undefined when it gave none (or nonsense). */
function count(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The planner's input, from DescribeAuditTask. */
export function summaryFromDescribe(taskId: string, task: DescribeAuditTaskCommandOutput): AuditSummary {
  return {
    taskId,
    taskStatus: task.taskStatus ?? 'UNKNOWN',
    taskType: task.taskType ?? 'UNKNOWN',
    scheduledAuditName: task.scheduledAuditName,
    taskStartTime: task.taskStartTime instanceof Date && !Number.isNaN(task.taskStartTime.getTime()) ? task.taskStartTime : undefined,
    checks: Object.entries(task.auditDetails ?? {}).map(([checkName, d]) => ({
      checkName,
      checkRunStatus: d.checkRunStatus ?? 'UNKNOWN',
      nonCompliantResourcesCount: count(d.nonCompliantResourcesCount),
      // Missing = none suppressed: counts more resources, never fewer, against the limit.
      suppressedNonCompliantResourcesCount: count(d.suppressedNonCompliantResourcesCount) ?? 0,
    })),
  };
}
