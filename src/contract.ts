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

/** The type of the `AuditSuppression` custom resource. */
export const AUDIT_SUPPRESSION_RESOURCE_TYPE = 'Custom::IotAuditSuppression';

/**
 * The properties of the `Custom::IotAuditSuppression` resource (CloudFormation passes every value
 * as a string; `ResourceIdentifier` is an object with the API's member names).
 */
export const AUDIT_SUPPRESSION_PROPS = {
  CHECK_NAME: 'CheckName',
  RESOURCE_IDENTIFIER: 'ResourceIdentifier',
  /** ISO 8601 date-time; absent when `SuppressIndefinitely` is 'true'. */
  EXPIRATION_DATE: 'ExpirationDate',
  SUPPRESS_INDEFINITELY: 'SuppressIndefinitely',
  DESCRIPTION: 'Description',
} as const;

/** A rule of the API model for one string: length (in characters) and pattern. */
export interface StringRule {
  readonly min: number;
  readonly max: number;
  readonly pattern?: RegExp;
  /** What is allowed, in words, for error messages. */
  readonly allowed: string;
}

/**
 * Printable characters, as the model's `[\p{Graph}\x20]*` means them (Java's POSIX classes are
 * ASCII): a space and `!` to `~`.
 */
const PRINTABLE = /^[\x20-\x7E]*$/;

/** The IoT API model's rules for the audit suppression strings (iot-service-2.json). */
export const AUDIT_SUPPRESSION_RULES = {
  /** CertificateId: 64 characters, hexadecimal, with an optional `0x` (then 62 hex digits). */
  certificateId: { min: 64, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/, allowed: '64 characters: hexadecimal digits, optionally after "0x"' },
  // The model sets no length or pattern for these two: only that they are not empty.
  cognitoIdentityPoolId: { min: 1, max: 2048, allowed: 'a non-empty identity pool id' },
  clientId: { min: 1, max: 2048, allowed: 'a non-empty client id' },
  policyName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, allowed: '1 to 128 letters, digits and + = , . @ _ -' },
  policyVersionId: { min: 1, max: 16, pattern: /^[0-9]+$/, allowed: 'a version number (digits)' },
  account: { min: 12, max: 12, pattern: /^[0-9]+$/, allowed: '12 digits' },
  iamRoleArn: { min: 20, max: 2048, allowed: 'an IAM role ARN of 20 to 2048 characters' },
  roleAliasArn: { min: 1, max: 2048, pattern: /^arn:/, allowed: 'a role alias ARN (arn:...) of 1 to 2048 characters' },
  issuerCertificateSubject: { min: 1, max: 1000, pattern: PRINTABLE, allowed: '1 to 1000 printable characters' },
  issuerId: { min: 1, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/, allowed: '1 to 64 characters: hexadecimal digits, optionally after "0x"' },
  issuerCertificateSerialNumber: { min: 1, max: 20, pattern: /^[a-fA-F0-9:]+$/, allowed: '1 to 20 hexadecimal digits and ":"' },
  deviceCertificateArn: { min: 1, max: 2048, pattern: /^arn:/, allowed: 'a certificate ARN (arn:...)' },
  description: { min: 0, max: 1000, pattern: PRINTABLE, allowed: 'at most 1000 printable ASCII characters' },
} as const satisfies Record<string, StringRule>;

/** Why `value` breaks `rule`, or undefined when it does not. */
export function stringRuleProblem(value: string, rule: StringRule): string | undefined {
  const length = [...value].length;
  if (length < rule.min || length > rule.max || (rule.pattern && !rule.pattern.test(value))) {
    return `must be ${rule.allowed}`;
  }
  return undefined;
}
