import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AuditCheck } from '../audit-check';
import { ACTION_TYPES as CONTRACT } from '../contract/action-types';
import { AUDIT_CHECKS, isAuditCheck } from '../contract/audit-checks';
import { MitigationActionType } from '../mitigation-action-type';
import { ANY_RESOURCE_FINDING, IAM5, NagSuppression, iotWildcardFinding } from './nag';
import { IOT_SERVICE_PRINCIPAL, SNS_PUBLISH_ACTIONS, TOPIC_KEY_ACTIONS } from './permissions';

/**
 * A value the factory's options give when it binds: the thing groups' ARNs, the logging role's
 * ARN, the topic's ARN, its key's ARN, and `sns.<region>.<url suffix>` for the key's condition.
 */
export type GivenValue = 'thingGroups' | 'loggingRole' | 'topic' | 'topicKey' | 'snsService';

/** What a `_bind` passes for the values its statements name. */
export type GivenValues = Partial<Record<GivenValue, readonly string[]>>;

/** An AWS IoT resource type that a finding names, known only when the action runs. */
export type IotResourceType = 'cacert' | 'cert' | 'policy' | 'thing';

/** Where a statement's resources come from. */
export type ResourceSpec =
  /** `arn:<partition>:iot:<region>:<account>:<type>/*` of the stack: a wildcard that needs a cdk-nag reason. */
  | { readonly kind: 'iot'; readonly resourceType: IotResourceType }
  /** `*`: the action has no resource type in the IAM service authorization reference. */
  | { readonly kind: 'any' }
  /** The ARNs the factory's options give. */
  | { readonly kind: 'given'; readonly value: GivenValue };

/** One statement of an action type's role. */
export interface StatementSpec {
  readonly actions: readonly string[];
  readonly resources: readonly ResourceSpec[];
  /** Condition operator to key to value: a literal, or a value the factory gives. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | { readonly given: GivenValue }>>>>;
  /** Granted only when the factory gives this value (the key of a topic, which may have none). */
  readonly onlyWith?: GivenValue;
}

/**
 * What the constructs know about one mitigation action type, beside the contract's entry
 * (`src/contract/action-types.ts`: its API and CloudFormation names, Detect, undo).
 */
export interface ActionTypeEntry {
  /** The `MitigationActionParams` factory that defines an action of this type, with its required options (the README's table). */
  readonly factory: string;
  /** What AWS IoT does to the resources of a finding, in a few words (the README's table). */
  readonly effect: string;
  /**
   * The statements the action's role needs, in the order they are granted, from the "Permissions
   * for mitigation actions" templates of the Device Defender guide. Resources are narrowed where the
   * service authorization reference gives the action a resource type.
   */
  readonly statements: readonly StatementSpec[];
  /**
   * Why the wildcards of `statements` (their `iot` and `any` resources) are needed: the reason of the
   * role's cdk-nag AwsSolutions-IAM5 suppression, which covers exactly those wildcards. Absent when
   * the statements have none.
   */
  readonly wildcardReason?: string;
}

const iot = (resourceType: IotResourceType): ResourceSpec => ({ kind: 'iot', resourceType });
const given = (value: GivenValue): ResourceSpec => ({ kind: 'given', value });
const ANY: ResourceSpec = { kind: 'any' };

/**
 * Every mitigation action type: its factory, its role's statements and the reason for their
 * wildcards. Adding a type to `MitigationActionType` fails to compile until it has an entry here
 * (and one in the contract's table, which says which checks and whether Detect accept it).
 */
export const ACTION_TYPES: Readonly<Record<MitigationActionType, ActionTypeEntry>> = {
  [MitigationActionType.PUBLISH_FINDING_TO_SNS]: {
    factory: 'publishFindingToSns({ topic })',
    effect: 'publishes the finding (encrypted topics: [Permissions](#permissions))',
    // On the topic, and exactly kms:GenerateDataKey and kms:Decrypt (not kms:GenerateDataKey*) through
    // SNS only on its key, when the app can see one.
    statements: [
      { actions: SNS_PUBLISH_ACTIONS, resources: [given('topic')] },
      {
        actions: TOPIC_KEY_ACTIONS,
        resources: [given('topicKey')],
        conditions: { StringEquals: { 'kms:ViaService': { given: 'snsService' } } },
        onlyWith: 'topicKey',
      },
    ],
  },
  [MitigationActionType.UPDATE_CA_CERTIFICATE]: {
    factory: 'updateCaCertificate()',
    effect: 'deactivates the CA certificate',
    statements: [{ actions: ['iot:UpdateCACertificate'], resources: [iot('cacert')] }],
    wildcardReason: 'The CA certificate a finding names is only known when the action runs: iot:UpdateCACertificate is scoped to cacert/* of this account and region.',
  },
  [MitigationActionType.UPDATE_DEVICE_CERTIFICATE]: {
    factory: 'updateDeviceCertificate()',
    effect: 'deactivates the device certificate',
    statements: [{ actions: ['iot:UpdateCertificate'], resources: [iot('cert')] }],
    wildcardReason: 'The device certificate a finding names is only known when the action runs: iot:UpdateCertificate is scoped to cert/* of this account and region.',
  },
  [MitigationActionType.ADD_THINGS_TO_THING_GROUP]: {
    factory: 'addThingsToThingGroup({ thingGroups })',
    effect: 'moves the things into 1-10 groups',
    // iot:ListPrincipalThings finds the things attached to the finding's certificate.
    statements: [
      { actions: ['iot:ListPrincipalThings'], resources: [iot('cert')] },
      { actions: ['iot:AddThingToThingGroup'], resources: [given('thingGroups'), iot('thing')] },
    ],
    wildcardReason: 'The certificates and things a finding names are only known when AWS IoT applies the action: '
      + 'iot:ListPrincipalThings is scoped to cert/* and iot:AddThingToThingGroup to the configured groups and thing/* of this account and region.',
  },
  [MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION]: {
    factory: 'replaceDefaultPolicyVersion()',
    effect: 'makes a blank version (BLANK_POLICY) the default',
    statements: [{ actions: ['iot:CreatePolicyVersion'], resources: [iot('policy')] }],
    wildcardReason: 'The AWS IoT policy a finding names is only known when the action runs: iot:CreatePolicyVersion is scoped to policy/* of this account and region.',
  },
  [MitigationActionType.ENABLE_IOT_LOGGING]: {
    factory: 'enableIotLogging({ logLevel })',
    effect: 'turns AWS IoT v2 logging on',
    statements: [
      { actions: ['iot:SetV2LoggingOptions'], resources: [ANY] },
      {
        actions: ['iam:PassRole'],
        resources: [given('loggingRole')],
        conditions: { StringEquals: { 'iam:PassedToService': IOT_SERVICE_PRINCIPAL } },
      },
    ],
    wildcardReason: 'iot:SetV2LoggingOptions has no resource type in the IAM service authorization reference, so it can only be granted on *.',
  },
};

/** Every IAM action the role of a `type` action needs, for messages. */
export function iamActionsOf(type: MitigationActionType): string[] {
  return ACTION_TYPES[type].statements.flatMap((s) => s.actions);
}

/**
 * A role that is about to be defined at `rolePath`: the statements granted to it so far, which it gets
 * whole when it is constructed (as `iam.Role`'s `inlinePolicies`, which is also what the report of
 * `iam.Role.customizeRoles()` lists).
 */
export class PendingRole {
  public readonly statements: iam.PolicyStatement[] = [];
  constructor(public readonly rolePath: string) {}
}

/** Where the library's grants to a role go: an existing role (through `addToPrincipalPolicy`), or a `PendingRole`. */
export type GrantTarget = iam.IRole | PendingRole;

/** The construct path of the role `target` is or will be. */
export function rolePathOf(target: GrantTarget): string {
  return target instanceof PendingRole ? target.rolePath : target.node.path;
}

/** Adds the statements of `type` to `role`, with the resources and condition values the factory gives. */
export function grantActionType(scope: IConstruct, role: GrantTarget, type: MitigationActionType, values: GivenValues): void {
  const valueOf = (value: GivenValue): readonly string[] => {
    const found = values[value];
    if (!found) { throw new Error(`${scope.node.path}: internal error: a ${type} action was bound without ${value}`); }
    return found;
  };
  for (const spec of ACTION_TYPES[type].statements) {
    if (spec.onlyWith && !values[spec.onlyWith]) { continue; }
    const resources = spec.resources.flatMap((r) => {
      switch (r.kind) {
        case 'iot': return [Stack.of(scope).formatArn({ service: 'iot', resource: r.resourceType, resourceName: '*' })];
        case 'any': return ['*'];
        case 'given': return [...valueOf(r.value)];
      }
    });
    const conditions = spec.conditions && Object.fromEntries(Object.entries(spec.conditions).map(([operator, keys]) =>
      [operator, Object.fromEntries(Object.entries(keys).map(([key, v]) => [key, typeof v === 'string' ? v : valueOf(v.given)[0]]))]));
    const statement = new iam.PolicyStatement({ actions: [...spec.actions], resources, conditions });
    if (role instanceof PendingRole) { role.statements.push(statement); } else { role.addToPrincipalPolicy(statement); }
  }
}

/**
 * The cdk-nag suppressions of a role that the library defines for a `type` action: exactly the
 * wildcards of the type's statements, with the entry's reason.
 */
export function mitigationRoleSuppressions(type: MitigationActionType): NagSuppression[] {
  const entry = ACTION_TYPES[type];
  const findings = entry.statements.flatMap((s) => s.resources).flatMap((r) => {
    switch (r.kind) {
      case 'iot': return [iotWildcardFinding(r.resourceType)];
      case 'any': return [ANY_RESOURCE_FINDING];
      case 'given': return [];
    }
  });
  if ((findings.length > 0) !== (entry.wildcardReason !== undefined)) {
    throw new Error(`internal error: the ${type} entry must have a wildcardReason exactly when its statements have wildcards`);
  }
  return entry.wildcardReason === undefined ? [] : [{ id: IAM5, reason: entry.wildcardReason, appliesToRegex: [...new Set(findings)] }];
}

/** The action types AWS IoT can apply to findings of `check`, in the contract's order; undefined for an unknown check. */
export function supportedActionTypes(check: AuditCheck): MitigationActionType[] | undefined {
  if (!isAuditCheck(check)) { return undefined; }
  return [...AUDIT_CHECKS[check].actionTypes];
}

/** The action types Detect alarms accept. */
export function detectActionTypes(): MitigationActionType[] {
  return (Object.keys(CONTRACT) as MitigationActionType[]).filter((type) => CONTRACT[type].detect);
}
