/**
 * The AWS IoT API's limits and id formats that the constructs and the handlers must both respect,
 * and the batch sizes that follow from them. Part of the contract (see `environment.ts`): imports
 * nothing but its sibling modules and the public enums.
 */

/** StartAuditMitigationActionsTask takes at most 25 finding ids per task. */
export const MAX_FINDINGS_PER_TASK = 25;

/** StartDetectMitigationActionsTask takes at most 25 violation ids per task. */
export const MAX_VIOLATIONS_PER_TASK = 25;

/**
 * How many alerts the alert queue hands `DetectMitigation`'s function at once (the event source's
 * batch size), and how many violations the function puts in one task: one batch, one task.
 */
export const DETECT_ALERT_BATCH_SIZE = MAX_VIOLATIONS_PER_TASK;

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

/**
 * The prefix of the task ids a construct's handler starts, from its construct address: stable for
 * the construct's path, and different for two constructs, so each can start its own task for the
 * same audit or violations.
 */
export function taskIdPrefixOf(constructAddress: string): string {
  return `dd${constructAddress.slice(2, 12)}`;
}
