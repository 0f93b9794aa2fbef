/**
 * What the functions emit, which the constructs' alarms, dashboards and rules read: the
 * permanent-failure log line, the CloudWatch metrics (embedded metric format) and the EventBridge
 * events with their detail shapes. Part of the contract between the constructs and the handlers
 * (see `environment.ts`).
 */

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
 * emitted with the dimension sets listed beside it (every set is its own CloudWatch metric). A
 * hub's lines, about one spoke, carry `Account` and `Region` too, and add the set
 * [Mitigation, Account, Region] to those with [Mitigation].
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
  /** The account a hub's metric is about (a spoke's): with `Region`, in the set [Mitigation, Account, Region]. */
  ACCOUNT: 'Account',
  /** The region a hub's metric is about (a spoke's). */
  REGION: 'Region',
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
  /** Security Hub findings the task follower gave a note about a finished task (with or without a status): [Mitigation]. */
  SECURITY_HUB_FINDINGS_UPDATED: 'SecurityHubFindingsUpdated',
  /** Of those, the findings it moved from NEW to NOTIFIED (an action on them succeeded): [Mitigation]. */
  SECURITY_HUB_FINDINGS_NOTIFIED: 'SecurityHubFindingsNotified',
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
  /** The account the event is about, in a hub's events (a spoke's); absent in a local construct's. */
  readonly account?: string;
  /** The region the event is about, in a hub's events (a spoke's); absent in a local construct's. */
  readonly region?: string;
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
  /**
   * What the follower did in Security Hub about the task's findings (audit tasks of a construct
   * with `securityHub`); absent otherwise.
   */
  readonly securityHub?: SecurityHubUpdateDetail;
}

/** What the task follower did in Security Hub about one finished task's findings. */
export interface SecurityHubUpdateDetail {
  /** Findings given the note (NOTIFIED ones included). */
  readonly updated: number;
  /** Findings moved from NEW to NOTIFIED. */
  readonly notified: number;
  /** Findings that already had this task's note (an earlier run wrote it): left alone. */
  readonly unchanged: number;
  /** Audit findings of the task with no Security Hub finding (the integration off, or not sent yet). */
  readonly notFound: number;
  /** Why nothing was updated: Security Hub refused for good (not enabled, no permission). */
  readonly error?: string;
}
