/**
 * What an organization's mitigation hub and its spokes agree on. A spoke is deployed by a
 * CloudFormation StackSet, which cannot resolve cross-stack references: every name below is fixed
 * or derived from the hub's account and region, so a spoke's template needs nothing from the hub's.
 */

/** The default base name of the role each spoke defines for the hub (`MitigationHub`'s `spokeRoleName`). */
export const DEFAULT_SPOKE_ROLE_NAME = 'cdk-device-defender-spoke';

/**
 * The name of a spoke's role in one region. IAM is global: a StackSet deploys the same template to
 * every region of an account, so each region's role carries its region in its name.
 */
export function spokeRoleNameIn(baseName: string, region: string): string {
  return `${baseName}-${region}`;
}

/** The hub's functions that act in spokes; each has a role with a fixed name the spokes trust. */
export type HubFunction = 'audit' | 'follower';

/** The name of the hub's role for one function: one hub per account and region. */
export function hubRoleName(fn: HubFunction, hubRegion: string): string {
  return `cdk-device-defender-hub-${fn}-${hubRegion}`;
}

/** The hub's notification queue (queues are regional: its ARN carries the hub's account and region). */
export const HUB_QUEUE_NAME = 'cdk-device-defender-hub-notifications';

/** The SSM parameter (String, JSON `SpokeConfig`) each spoke writes, one per account and region. */
export const SPOKE_CONFIG_PARAMETER = '/cdk-device-defender/spoke';

/** The version of `SpokeConfig` this library writes and reads. */
export const SPOKE_CONFIG_VERSION = 1;

/**
 * A spoke's mitigation policy: what `AuditMitigation` sets as its handler's environment, as one
 * JSON document the hub reads with the spoke's role.
 */
export interface SpokeConfig {
  readonly version: number;
  /** The spoke construct's path: the `Mitigation` dimension and events' `detail.mitigation`. */
  readonly mitigation: string;
  /** check name -> mitigation action names, in the order they are applied. */
  readonly rules: Record<string, string[]>;
  /** Scheduled audits to act on; absent = every scheduled audit. */
  readonly scheduledAudits?: string[];
  readonly includeOnDemandAudits: boolean;
  readonly dryRun: boolean;
  /** A check with more unsuppressed non-compliant resources than this is left out and reported. */
  readonly maxFindingsPerCheck: number;
  /** Makes task ids unique to the spoke construct: `<prefix>-<auditTaskId>`. */
  readonly taskIdPrefix: string;
}

/** The key of a spoke in the hub's registry and in its dimensions: `<account>/<region>`. */
export function spokeKey(account: string, region: string): string {
  return `${account}/${region}`;
}

/** The hub's registry of confirmed spokes (DynamoDB: partition key `spoke`, string). */
export const HUB_REGISTRY = { PARTITION_KEY: 'spoke' } as const;

/**
 * The hub's ledger of the tasks it started in its spokes (DynamoDB: partition key `task`, string,
 * `hubTaskKey()`; TTL attribute `expiresAt`). The audit function records each task it starts; the
 * follower reads the active ones through the sparse index `active`, whose key attribute (`activeIn`,
 * the task's spoke) only an entry not yet reported has, and marks each one reported when it ends.
 */
export const HUB_TASK_LEDGER = {
  PARTITION_KEY: 'task',
  TTL_ATTRIBUTE: 'expiresAt',
  ACTIVE_INDEX: 'active',
  ACTIVE_ATTRIBUTE: 'activeIn',
} as const;

/** The key of a task in the hub's ledger: `<account>/<region>/<taskId>` (a task id is unique only in its account and region). */
export function hubTaskKey(account: string, region: string, taskId: string): string {
  return `${spokeKey(account, region)}/${taskId}`;
}

/** An AWS account id. */
export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;

/** A region name (`eu-west-1`, `us-gov-west-1`, `eusc-de-east-1`). */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$/;

/** An AWS Organizations organization id. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

/**
 * The longest region name a spoke role's name must hold (`us-isof-south-1`): with the `-` before
 * it, a base name of at most 64 - 16 characters keeps every region's role name within IAM's 64.
 */
export const MAX_REGION_NAME_LENGTH = 15;

/** The longest base name of the spoke roles: `-<region>` must still fit IAM's 64 characters. */
export const MAX_SPOKE_ROLE_BASE_NAME_LENGTH = 64 - 1 - MAX_REGION_NAME_LENGTH;

/** The base name of the spoke roles: IAM role name characters, with room left for `-<region>`. */
export const SPOKE_ROLE_BASE_NAME_PATTERN = new RegExp(`^[\\w+=,.@-]{1,${MAX_SPOKE_ROLE_BASE_NAME_LENGTH}}$`);

/** The partition of a region's ARNs (`aws` for a region of no other partition). */
export function partitionOf(region: string): string {
  const partitions: Array<[string, string]> = [
    ['cn-', 'aws-cn'], ['us-gov-', 'aws-us-gov'], ['us-isob-', 'aws-iso-b'], ['us-isof-', 'aws-iso-f'], ['eu-isoe-', 'aws-iso-e'],
    ['us-iso-', 'aws-iso'], ['eusc-', 'aws-eusc'],
  ];
  return partitions.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}
