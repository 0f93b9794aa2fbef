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
 * StartDetectMitigationActionsTask takes at most 25 violation ids per task, and the alert queue
 * hands `DetectMitigation`'s function batches of at most this many alerts: one batch, one task.
 */
export const MAX_VIOLATIONS_PER_TASK = 25;

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
  /** The value of the `Mitigation` metric dimension and of events' `detail.mitigation`: the construct's path. */
  MITIGATION: 'AUDIT_MITIGATION_NAME',
  /** The ARN of the event bus the handler puts its events on; absent = the account's default bus. */
  EVENT_BUS: 'AUDIT_MITIGATION_EVENT_BUS',
} as const;

/** Environment variables of the detect mitigation handler, set by `DetectMitigation`. */
export const DETECT_ENV = {
  SECURITY_PROFILE: 'DETECT_MITIGATION_SECURITY_PROFILE',
  ACTIONS: 'DETECT_MITIGATION_ACTIONS',
  BEHAVIORS: 'DETECT_MITIGATION_BEHAVIORS',
  DRY_RUN: 'DETECT_MITIGATION_DRY_RUN',
  TASK_ID_PREFIX: 'DETECT_MITIGATION_TASK_ID_PREFIX',
  REPORT_TOPIC_ARN: 'DETECT_MITIGATION_REPORT_TOPIC_ARN',
  /** The value of the `Mitigation` metric dimension and of events' `detail.mitigation`: the construct's path. */
  MITIGATION: 'DETECT_MITIGATION_NAME',
  /** The ARN of the event bus the handler puts its events on; absent = the account's default bus. */
  EVENT_BUS: 'DETECT_MITIGATION_EVENT_BUS',
} as const;

/** A mitigation construct whose tasks the task follower reports on (one entry of `FOLLOWER_ENV.FOLLOWED`). */
export interface FollowedMitigation {
  /** The construct's path: the `Mitigation` dimension and `detail.mitigation`. */
  readonly mitigation: string;
  readonly kind: TaskKind;
  /** Its tasks are `<taskIdPrefix>-...` (AuditMitigation, DetectMitigation). */
  readonly taskIdPrefix?: string;
  /** An AuditMitigationTask's physical id, `<prefix>:<count>`: its tasks are `<prefix>-0` ... `<prefix>-<count-1>`. */
  readonly physicalResourceId?: string;
  /** Where a finished task with failed executions is reported too. */
  readonly reportTopicArn?: string;
  /** The event bus (ARN) its outcome events go to; absent = the account's default bus. */
  readonly eventBusArn?: string;
}

/** Environment variables of the task follower (one per stack), set by the mitigation constructs. */
export const FOLLOWER_ENV = {
  /** The ledger table (partition key `taskId`, string; TTL attribute `expiresAt`). */
  TABLE_NAME: 'TASK_FOLLOWER_TABLE_NAME',
  /** JSON array of `FollowedMitigation`. */
  FOLLOWED: 'TASK_FOLLOWER_FOLLOWED',
  /** How far back tasks are looked for, in hours (default `DEFAULT_FOLLOWER_LOOKBACK_HOURS`). */
  LOOKBACK_HOURS: 'TASK_FOLLOWER_LOOKBACK_HOURS',
} as const;

export const DEFAULT_FOLLOWER_LOOKBACK_HOURS = 72;

/** The ledger's partition key and TTL attribute. */
export const FOLLOWER_LEDGER = { PARTITION_KEY: 'taskId', TTL_ATTRIBUTE: 'expiresAt' } as const;

/**
 * The `event` of the one log line (level ERROR) a handler writes for every permanent failure: a
 * failure no retry can fix (a malformed message, an unknown event, a request AWS IoT refuses, a
 * broken configuration). With it the handler writes a `PermanentFailures` datapoint (embedded
 * metric format), which the constructs' alarms watch.
 */
export const PERMANENT_FAILURE_EVENT = 'permanent-failure';

/**
 * The CloudWatch metrics the functions emit in the embedded metric format (EMF), all in namespace
 * `METRIC_NAMESPACE`. Dimensions answer "which mitigation construct, which check, which action":
 * never a task, finding or violation id (that would make one metric per task). Each metric is
 * emitted with the dimension sets listed beside it (every set is its own CloudWatch metric).
 */
export const METRIC_NAMESPACE = 'CdkDeviceDefender';

export const METRIC_DIMENSIONS = {
  /** The mitigation construct's path (`AuditMitigation`, `DetectMitigation`, `AuditMitigationTask`). */
  MITIGATION: 'Mitigation',
  /** An audit check name (audit tasks only). */
  CHECK: 'CheckName',
  /** A mitigation action's name. */
  ACTION: 'ActionName',
  /** The Lambda function's name (permanent failures, as before EMF). */
  FUNCTION: 'FunctionName',
} as const;

export const METRICS = {
  /** Tasks started (a retried start that finds the task already there is not counted): [Mitigation]. */
  TASKS_STARTED: 'TasksStarted',
  /** Checks left out by the blast-radius limit, one per check per audit: [Mitigation], [Mitigation, CheckName]. */
  CHECKS_EXCLUDED: 'ChecksExcluded',
  /** Unsuppressed non-compliant findings of checks with a rule, per audit handled: [Mitigation], [Mitigation, CheckName]. */
  FINDINGS_FOUND: 'FindingsFound',
  /** Findings of the checks the blast-radius limit left out: [Mitigation], [Mitigation, CheckName]. */
  FINDINGS_EXCLUDED: 'FindingsExcluded',
  /** Findings every action of their check succeeded on (from the finished task's statistics): [Mitigation], [Mitigation, CheckName]. */
  FINDINGS_MITIGATED: 'FindingsMitigated',
  /** Plans reported instead of started (dry run): [Mitigation]. */
  DRY_RUN_PLANS: 'DryRunPlans',
  /** Audits not mitigated because they started before the reconciler's lookback (decision `ignored`, reason `too-old`): [Mitigation]. */
  AUDITS_TOO_OLD: 'AuditsTooOld',
  /** Tasks the audit reconciler started for audits whose notification never arrived: [Mitigation]. */
  AUDITS_RECOVERED: 'AuditsRecovered',
  /** Finished tasks whose outcome was reported (once per task): [Mitigation]. */
  TASKS_FINISHED: 'TasksFinished',
  /** Action executions of finished tasks, by outcome: [Mitigation], [Mitigation, ActionName], and for audit tasks [Mitigation, CheckName]. */
  EXECUTIONS_SUCCEEDED: 'ExecutionsSucceeded',
  EXECUTIONS_FAILED: 'ExecutionsFailed',
  EXECUTIONS_SKIPPED: 'ExecutionsSkipped',
  EXECUTIONS_CANCELED: 'ExecutionsCanceled',
  /** Permanent failures (one per `permanent-failure` log line): [FunctionName], [Mitigation]. */
  PERMANENT_FAILURES: 'PermanentFailures',
} as const;

/**
 * The metric permanent failures are counted in, per function, as the constructs' alarms watch it:
 * `METRICS.PERMANENT_FAILURES` with dimension `FunctionName` (the permanent-failure log line's
 * `functionName` holds the same name).
 */
export const PERMANENT_FAILURE_METRIC = {
  NAMESPACE: METRIC_NAMESPACE,
  NAME: METRICS.PERMANENT_FAILURES,
  DIMENSION: METRIC_DIMENSIONS.FUNCTION,
  /** The field of the log line that holds the dimension's value. */
  DIMENSION_FIELD: 'functionName',
} as const;

/**
 * The EventBridge events the functions put on the construct's event bus (`eventBus`, by default the
 * account's default bus): `source` is `EVENT_SOURCE`, `detail-type` one of `EVENT_DETAIL_TYPES`,
 * `detail` the matching `...Detail` shape below. The functions' roles may put events with this
 * source only, and only on that bus.
 */
export const EVENT_SOURCE = 'cdk-device-defender';

export const EVENT_DETAIL_TYPES = {
  /** A task was started (detail: `TaskStartedDetail`). */
  TASK_STARTED: 'Mitigation Task Started',
  /** The blast-radius limit left checks out of an audit's task (detail: `ChecksExcludedDetail`). */
  CHECKS_EXCLUDED: 'Mitigation Checks Excluded',
  /** A dry run: what would have been started (detail: `DryRunDetail`). */
  DRY_RUN: 'Mitigation Dry Run',
  /** A permanent failure: nothing was started and nothing will be retried (detail: `MitigationFailedDetail`). */
  FAILED: 'Mitigation Failed',
  /** A task finished: its executions by outcome (detail: `TaskOutcomeDetail`). */
  TASK_OUTCOME: 'Mitigation Task Outcome',
} as const;

/** What kind of task: started by `AuditMitigation`/`AuditMitigationTask` (audit) or `DetectMitigation` (detect). */
export type TaskKind = 'audit' | 'detect';

/** Every event's detail has these. */
export interface EventDetailBase {
  /** The mitigation construct's path (the `Mitigation` metric dimension). */
  readonly mitigation: string;
}

export interface TaskStartedDetail extends EventDetailBase {
  readonly taskKind: TaskKind;
  readonly taskId: string;
  /** The audit whose findings the task mitigates (audit tasks). */
  readonly auditTaskId?: string;
  /** check name -> action names in the order applied (audit tasks). */
  readonly checks?: Record<string, string[]>;
  /** The violations the task mitigates (detect tasks). */
  readonly violationIds?: string[];
  /** The action names the task applies, in order (detect tasks). */
  readonly actions?: string[];
  /** True when a retry found the task already started. */
  readonly alreadyStarted: boolean;
}

export interface ExcludedCheckDetail {
  readonly checkName: string;
  /** Unsuppressed non-compliant findings of the check. */
  readonly findings: number;
  readonly reason: string;
}

export interface ChecksExcludedDetail extends EventDetailBase {
  readonly auditTaskId: string;
  readonly taskId: string;
  readonly excluded: ExcludedCheckDetail[];
}

export interface DryRunDetail extends EventDetailBase {
  readonly taskKind: TaskKind;
  readonly taskId: string;
  readonly auditTaskId?: string;
  readonly checks?: Record<string, string[]>;
  readonly violationIds?: string[];
  readonly actions?: string[];
}

export interface MitigationFailedDetail extends EventDetailBase {
  /** What failed: 'malformed-notification', 'mitigation-failed', 'config-error', ... */
  readonly kind: string;
  /** The error's name, e.g. 'AccessDeniedException'. */
  readonly error: string;
  readonly message: string;
  readonly functionName?: string;
  readonly taskId?: string;
  readonly auditTaskId?: string;
}

/** Executions by outcome. */
export interface ExecutionCounts {
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly canceled: number;
}

/** At most this many error codes are listed in an outcome (the most frequent first). */
export const MAX_OUTCOME_ERROR_CODES = 10;

export interface OutcomeErrorCode {
  /** The execution's `errorCode`. */
  readonly errorCode: string;
  /** Failed executions with this code. */
  readonly count: number;
  /** One of them: its action and finding or violation, and AWS's message. */
  readonly example: { readonly actionName: string; readonly findingId?: string; readonly violationId?: string; readonly message?: string };
}

export interface TaskOutcomeDetail extends EventDetailBase {
  readonly taskKind: TaskKind;
  readonly taskId: string;
  /** The task's final status as AWS IoT reports it (COMPLETED/FAILED/CANCELED, SUCCESSFUL for detect). */
  readonly status: string;
  readonly startTime?: string;
  readonly endTime?: string;
  /** Every execution of the task. */
  readonly executions: ExecutionCounts;
  /** By action name (with its type). */
  readonly byAction: Record<string, ExecutionCounts & { readonly actionType: string }>;
  /** By audit check (audit tasks): executions of the check's actions. */
  readonly byCheck?: Record<string, ExecutionCounts>;
  /** By audit check (audit tasks): findings, from the task's statistics (`succeeded` = every action succeeded). */
  readonly findingsByCheck?: Record<string, ExecutionCounts & { readonly total: number }>;
  /** The failed executions' error codes, at most MAX_OUTCOME_ERROR_CODES. */
  readonly errorCodes: OutcomeErrorCode[];
  /** More distinct error codes than listed, or more executions than the follower reads per task (then `byAction` and `byCheck` count only those read). */
  readonly truncated: boolean;
}

/** The type of the `AuditSuppression` custom resource. */
export const AUDIT_SUPPRESSION_RESOURCE_TYPE = 'Custom::IotAuditSuppression';

/**
 * The reporting properties of both custom resources (`Custom::IotMitigationAuditTask`,
 * `Custom::IotAuditSuppression`): not part of what the resource does, so adding or changing them
 * starts, creates or deletes nothing.
 */
export const CUSTOM_RESOURCE_REPORT_PROPS = {
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  MITIGATION_NAME: 'MitigationName',
  /** Where permanent failures are reported too (an SNS topic ARN); absent without a report topic. */
  REPORT_TOPIC_ARN: 'ReportTopicArn',
  /** The event bus (ARN) the resource's events go to; absent = the account's default bus. */
  EVENT_BUS_ARN: 'EventBusArn',
} as const;

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
  /** What the user wrote; the handler appends the ownership marker (`withSuppressionMarker`). */
  DESCRIPTION: 'Description',
  ...CUSTOM_RESOURCE_REPORT_PROPS,
} as const;

/**
 * The ownership marker at the end of a suppression's description:
 * `[cdk-device-defender:<stack id>/<logical id>]`, after the user's description and one space. It
 * names the one `AuditSuppression` resource that manages the suppression. ` pending` before the `]`:
 * taken over from another resource of the same stack (a construct moved to a new logical id) in a
 * deployment whose cleanup has not run yet, so a rollback hands it back.
 */
export const SUPPRESSION_MARKER = { PREFIX: '[cdk-device-defender:', PENDING: ' pending', SUFFIX: ']' } as const;

/** Who a suppression's marker names. */
export interface SuppressionOwner {
  /** The CloudFormation stack id (its ARN). */
  readonly stackId: string;
  readonly logicalResourceId: string;
  /** Taken over from a sibling whose Delete has not confirmed it yet (see `SUPPRESSION_MARKER`). */
  readonly pending: boolean;
}

const MARKER = /^(?:(.*) )?\[cdk-device-defender:(arn:[^\s[\]]+)\/([A-Za-z0-9]{1,255})( pending)?\]$/s;

/** A description as the handler writes it: the user's description (if any), a space, the marker naming `owner`. */
export function withSuppressionMarker(description: string | undefined, owner: SuppressionOwner): string {
  const { PREFIX, PENDING, SUFFIX } = SUPPRESSION_MARKER;
  const marker = `${PREFIX}${owner.stackId}/${owner.logicalResourceId}${owner.pending ? PENDING : ''}${SUFFIX}`;
  return description ? `${description} ${marker}` : marker;
}

/** A description split into the user's text and its owner (undefined without a marker: made by hand, or before markers). */
export function parseSuppressionDescription(description: string | undefined): { readonly text: string; readonly owner?: SuppressionOwner } {
  const match = MARKER.exec(description ?? '');
  if (!match) { return { text: description ?? '' }; }
  return { text: match[1] ?? '', owner: { stackId: match[2], logicalResourceId: match[3], pending: match[4] !== undefined } };
}

/** The most characters the marker and its space add, for a stack id and a logical id of these lengths. */
export function suppressionMarkerOverhead(stackIdLength: number, logicalIdLength: number): number {
  const { PREFIX, PENDING, SUFFIX } = SUPPRESSION_MARKER;
  return ' '.length + PREFIX.length + stackIdLength + '/'.length + logicalIdLength + PENDING.length + SUFFIX.length;
}

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

/** The AWS IoT API's rules for the audit suppression strings (https://docs.aws.amazon.com/iot/latest/apireference/API_ResourceIdentifier.html). */
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
