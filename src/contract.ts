/**
 * What the constructs and the handlers must agree on: API limits, id formats and environment
 * variable names. Both sides import this module, so it imports nothing at all: constructs load it
 * in users' apps (where no AWS SDK is installed), handlers bundle it.
 *
 * Not exported from the package's index.
 */

/** StartAuditMitigationActionsTask takes at most 25 finding ids per task. */
export const MAX_FINDINGS_PER_TASK = 25;

/**
 * At most this many tasks per `AuditMitigationTask` custom resource: their ids travel back to
 * CloudFormation in the response, which is limited to 4 KB. 160 tasks hold 4,000 findings.
 */
export const MAX_TASKS_PER_RESOURCE = 160;

/** A mitigation actions task id (StartAudit/DetectMitigationActionsTask): `[a-zA-Z0-9_-]{1,128}`. */
export const TASK_ID_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

/** An audit task id: `[a-zA-Z0-9-]{1,40}`. */
export const AUDIT_TASK_ID_PATTERN = /^[a-zA-Z0-9-]{1,40}$/;

/** An audit finding id: `[a-zA-Z0-9_-]{1,128}`. */
export const FINDING_ID_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

/** An audit finding's reason code, as a reason-code filter names it: `[A-Z0-9_]{1,128}`. */
export const REASON_CODE_PATTERN = /^[A-Z0-9_]{1,128}$/;

/** A reason-code filter lists 1 to this many reason codes per check. */
export const MAX_REASON_CODES = 25;

/**
 * An `AuditMitigationTask`'s `runId`: a label that asks for a deliberate re-run of the same work.
 * Letters, digits, `.`, `_` and `-`, 1 to 64 characters.
 */
export const RUN_ID_PATTERN = /^[a-zA-Z0-9._-]{1,64}$/;

/** The prefix of the task ids the library starts: `dd` and 10 hex digits. */
export const TASK_ID_PREFIX_PATTERN = /^dd[0-9a-f]{10}$/;

/**
 * The prefix of the task ids a construct's handler starts, from its construct address: stable for
 * the construct's path, and different for two constructs, so each can start its own task for the
 * same audit or violations.
 */
export function taskIdPrefixOf(constructAddress: string): string {
  return `dd${constructAddress.slice(2, 12)}`;
}

/** Environment variables of the audit mitigation handler, set by `AuditMitigation`. */
export const AUDIT_ENV = {
  RULES: 'AUDIT_MITIGATION_RULES',
  SCHEDULED_AUDITS: 'AUDIT_MITIGATION_SCHEDULED_AUDITS',
  INCLUDE_ON_DEMAND: 'AUDIT_MITIGATION_INCLUDE_ON_DEMAND',
  DRY_RUN: 'AUDIT_MITIGATION_DRY_RUN',
  MAX_FINDINGS_PER_CHECK: 'AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK',
  TASK_ID_PREFIX: 'AUDIT_MITIGATION_TASK_ID_PREFIX',
  REPORT_TOPIC_ARN: 'AUDIT_MITIGATION_REPORT_TOPIC_ARN',
  RECONCILE_LOOKBACK_HOURS: 'AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS',
} as const;

/** Environment variables of the detect mitigation handler, set by `DetectMitigation`. */
export const DETECT_ENV = {
  SECURITY_PROFILE: 'DETECT_MITIGATION_SECURITY_PROFILE',
  ACTIONS: 'DETECT_MITIGATION_ACTIONS',
  BEHAVIORS: 'DETECT_MITIGATION_BEHAVIORS',
  DRY_RUN: 'DETECT_MITIGATION_DRY_RUN',
  TASK_ID_PREFIX: 'DETECT_MITIGATION_TASK_ID_PREFIX',
  REPORT_TOPIC_ARN: 'DETECT_MITIGATION_REPORT_TOPIC_ARN',
} as const;

/**
 * The `event` of the one log line (level ERROR) a handler writes for every permanent failure: a
 * failure no retry can fix (a malformed message, an unknown event, a request AWS IoT refuses, a
 * broken configuration). The constructs count these lines with a metric filter and alarm on them.
 */
export const PERMANENT_FAILURE_EVENT = 'permanent-failure';

/** The metric the permanent-failure lines are counted in, per function (`$.functionName`). */
export const PERMANENT_FAILURE_METRIC = {
  NAMESPACE: 'CdkDeviceDefender',
  NAME: 'PermanentFailures',
  DIMENSION: 'FunctionName',
  /** The field of the log line that holds the dimension's value. */
  DIMENSION_FIELD: 'functionName',
} as const;
