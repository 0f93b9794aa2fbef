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
