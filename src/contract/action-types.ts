import { FindingResource } from './audit-checks';
import { MitigationActionType as T } from '../mitigation-action-type';

/** What `undo` does about a completed execution of an action type. */
export type UndoRule =
  /**
   * Reactivates the certificate the finding names by `certificate`, if it is still INACTIVE and
   * unchanged since, unless a finding of a check with an `undoRefusal` names it.
   */
  | { readonly kind: 'reactivate-certificate'; readonly certificate: 'deviceCertificateId' | 'caCertificateId' }
  /** Removes the things from the action's groups they are still in, unless another task also added them. */
  | { readonly kind: 'remove-things-from-groups' }
  /** Makes the finding's policy version the default again and deletes the blank version the execution created. */
  | { readonly kind: 'restore-default-policy-version' }
  /** Nothing can be reversed, for the reason given. */
  | { readonly kind: 'cannot-undo'; readonly why: string };

/** Everything the constructs, the handlers and the CLI agree on about one mitigation action type. */
export interface ActionTypeContract {
  /**
   * The member of the AWS IoT API's `MitigationActionParams` that holds this type's parameters
   * (in CreateMitigationAction, DescribeMitigationAction and a task's `actionsDefinition`).
   */
  readonly actionParamsMember: string;
  /** The property of CloudFormation's `AWS::IoT::MitigationAction` `ActionParams` (as the template spells it). */
  readonly cloudFormationProperty: string;
  /** Whether StartDetectMitigationActionsTask (Detect alarms) accepts actions of this type. */
  readonly detect: boolean;
  /**
   * The `ResourceIdentifier` member of an audit finding that names what an action of this type
   * changes (for ADD_THINGS_TO_THING_GROUP: the certificate whose things join the groups; a Detect
   * execution changes its violation's thing), or `undefined` when it changes no resource. Every
   * check whose findings the type applies to names it.
   */
  readonly changes: FindingResource | undefined;
  /** What `undo` does about an execution of this type. */
  readonly undo: UndoRule;
}

const TABLE = {
  [T.ADD_THINGS_TO_THING_GROUP]: {
    actionParamsMember: 'addThingsToThingGroupParams',
    cloudFormationProperty: 'AddThingsToThingGroupParams',
    detect: true,
    changes: 'deviceCertificateId',
    undo: { kind: 'remove-things-from-groups' },
  },
  [T.ENABLE_IOT_LOGGING]: {
    actionParamsMember: 'enableIoTLoggingParams',
    cloudFormationProperty: 'EnableIoTLoggingParams',
    detect: false,
    changes: 'account',
    undo: { kind: 'cannot-undo', why: 'the previous logging settings were not recorded by AWS: set them by hand' },
  },
  [T.PUBLISH_FINDING_TO_SNS]: {
    actionParamsMember: 'publishFindingToSnsParams',
    cloudFormationProperty: 'PublishFindingToSnsParams',
    detect: false,
    changes: undefined,
    undo: { kind: 'cannot-undo', why: 'a published message cannot be unpublished' },
  },
  [T.REPLACE_DEFAULT_POLICY_VERSION]: {
    actionParamsMember: 'replaceDefaultPolicyVersionParams',
    cloudFormationProperty: 'ReplaceDefaultPolicyVersionParams',
    detect: false,
    changes: 'policyVersionIdentifier',
    undo: { kind: 'restore-default-policy-version' },
  },
  // The API model spells the member updateCACertificateParams (aws-cdk-lib's L1: updateCaCertificateParams).
  [T.UPDATE_CA_CERTIFICATE]: {
    actionParamsMember: 'updateCACertificateParams',
    cloudFormationProperty: 'UpdateCACertificateParams',
    detect: false,
    changes: 'caCertificateId',
    undo: { kind: 'reactivate-certificate', certificate: 'caCertificateId' },
  },
  [T.UPDATE_DEVICE_CERTIFICATE]: {
    actionParamsMember: 'updateDeviceCertificateParams',
    cloudFormationProperty: 'UpdateDeviceCertificateParams',
    detect: false,
    changes: 'deviceCertificateId',
    undo: { kind: 'reactivate-certificate', certificate: 'deviceCertificateId' },
  },
} as const satisfies Record<T, ActionTypeContract>;

/**
 * Every mitigation action type, one entry each: a type added to `MitigationActionType` fails to
 * compile until it has one, with every field decided.
 */
export const ACTION_TYPES: Readonly<Record<T, ActionTypeContract>> = TABLE;

/**
 * The `actionParams` members, as literal types: code that has the AWS SDK's `MitigationActionParams`
 * holds them against it, so a member the API does not have fails to compile.
 */
export type ActionParamsMember = (typeof TABLE)[T]['actionParamsMember'];

/** What the CLI and the task outcome say for an action whose type this library does not know. */
export const UNKNOWN_ACTION_TYPE = 'UNKNOWN';

const TYPE_OF_MEMBER: ReadonlyMap<string, T> = new Map(
  (Object.keys(ACTION_TYPES) as T[]).map((type) => [ACTION_TYPES[type].actionParamsMember, type]));

/**
 * The type of a mitigation action (as DescribeMitigationAction or a task's `actionsDefinition` gives
 * it), from the member of its `actionParams` that is set; `undefined` when that member is not one
 * this library knows, or none is set.
 */
export function actionTypeOf(action: { readonly actionParams?: object } | undefined): T | undefined {
  const member = Object.entries(action?.actionParams ?? {}).find(([, value]) => value !== undefined)?.[0];
  return member === undefined ? undefined : TYPE_OF_MEMBER.get(member);
}
