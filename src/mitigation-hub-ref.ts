import { IConstruct } from 'constructs';

/**
 * What a spoke needs to know of an organization's mitigation hub (`MitigationHub`): where it runs,
 * who it is, and the names both sides derive from them. A spoke is deployed by CloudFormation
 * StackSets, which cannot resolve cross-stack references, so every value here is known when the
 * spoke's template is written: the ARNs are built from the hub's account and region, the library's
 * fixed names and the spoke stack's partition.
 */
export interface IMitigationHubRef extends IConstruct {
  /** The account the hub runs in. */
  readonly hubAccount: string;
  /** The region the hub runs in. */
  readonly hubRegion: string;
  /**
   * The AWS Organizations organization the hub and its spokes belong to: a spoke's role then also
   * requires the hub's sessions to come from it (`aws:PrincipalOrgID`).
   *
   * @default - no organization: the hub's role ARNs alone are trusted
   */
  readonly organizationId?: string;
  /**
   * The base name of the role each spoke defines for the hub; a spoke's role is named
   * `<spokeRoleName>-<region>` (IAM is global, a StackSet deploys one template to every region).
   */
  readonly spokeRoleName: string;
  /** The ARN of the hub's notification queue, which each spoke's notification topic delivers to. */
  readonly hubQueueArn: string;
  /** The ARN of the role of the hub's audit handler, which starts mitigation tasks in the spokes. */
  readonly hubAuditRoleArn: string;
  /** The ARN of the role of the hub's task follower, which reads the tasks the hub started in the spokes. */
  readonly hubFollowerRoleArn: string;
}

/** Where an organization's mitigation hub runs, and how its spokes are named: what a spoke is given of it. */
export interface MitigationHubAttributes {
  /** The hub's account id (12 digits). */
  readonly account: string;
  /** The hub's region (`eu-west-1`). */
  readonly region: string;
  /**
   * The hub's AWS Organizations organization id (`o-` and 10 to 32 lowercase letters or digits).
   *
   * @default - no organization condition on the spokes' roles
   */
  readonly organizationId?: string;
  /**
   * The base name of the spokes' roles, as the hub was given it (at most 48 characters, so that
   * `-<region>` fits IAM's 64).
   *
   * @default 'cdk-device-defender-spoke'
   */
  readonly spokeRoleName?: string;
}
