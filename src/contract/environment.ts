import type { TaskKind } from './telemetry';

/**
 * The environment variables the constructs set on their functions, and the task follower's ledger.
 *
 * `src/contract/` holds what the constructs and the handlers must agree on, one module per concern
 * (`limits.ts`, `environment.ts`, `telemetry.ts`, `custom-resources.ts`, `suppression.ts`). Both
 * sides import these modules, so they import nothing but each other and the public enums:
 * constructs load them in users' apps (where no AWS SDK is installed), handlers bundle them. Not
 * exported from the package's index.
 */

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
  /** Its audit tasks' Security Hub findings are updated when they finish. */
  readonly securityHub?: boolean;
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
 * Environment variables of an organization's mitigation hub (`MitigationHub`): its audit function's,
 * and those of its task follower (which has the ledger, spoke role name, name, report topic and bus).
 */
export const HUB_ENV = {
  /** The registry of confirmed spokes (DynamoDB, partition key `HUB_REGISTRY.PARTITION_KEY`). */
  REGISTRY_TABLE: 'MITIGATION_HUB_REGISTRY_TABLE',
  /** The ledger of the tasks the hub started in its spokes (DynamoDB, `HUB_TASK_LEDGER`). */
  TASK_LEDGER_TABLE: 'MITIGATION_HUB_TASK_LEDGER_TABLE',
  /** The accounts whose spokes the hub serves, a JSON array of account ids; absent with an organization. */
  ACCOUNTS: 'MITIGATION_HUB_ACCOUNTS',
  /** The organization whose spokes the hub serves; absent with an account list. */
  ORGANIZATION_ID: 'MITIGATION_HUB_ORGANIZATION_ID',
  /** The base name of the spokes' roles: each spoke's is `<base>-<region>`. */
  SPOKE_ROLE_NAME: 'MITIGATION_HUB_SPOKE_ROLE_NAME',
  REPORT_TOPIC_ARN: 'MITIGATION_HUB_REPORT_TOPIC_ARN',
  /** The hub construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  MITIGATION: 'MITIGATION_HUB_NAME',
  /** The ARN of the event bus the hub puts its events on; absent = the account's default bus. */
  EVENT_BUS: 'MITIGATION_HUB_EVENT_BUS',
  /** How far back the reconciler looks in each spoke, in hours (also the notification path's age bound). */
  RECONCILE_LOOKBACK_HOURS: 'MITIGATION_HUB_RECONCILE_LOOKBACK_HOURS',
  /** 'true': the follower updates the spokes' Security Hub findings of the tasks it reports. */
  SECURITY_HUB: 'MITIGATION_HUB_SECURITY_HUB',
  /** 'true': the audit function turns on Device Defender's Security Hub integration in each registered spoke. */
  SECURITY_HUB_INTEGRATION: 'MITIGATION_HUB_SECURITY_HUB_INTEGRATION',
} as const;
