import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MitigationActionType } from './mitigation-action-type';
import { GrantTarget, grantActionType } from './private/action-types';
import { grantPublish, iotPrincipal } from './private/grants';
import { LOGGING_ROLE_SUPPRESSIONS, addNagSuppressions } from './private/nag';
import * as perms from './private/permissions';
import {
  MAX_THING_GROUPS, MAX_TOPIC_ARN_LENGTH, MAX_ROLE_ARN_LENGTH, MIN_ROLE_ARN_LENGTH, THING_GROUP_NAME_PATTERN,
  describeValue, invalid, validateLength, validateOneOf, validatePattern,
} from './private/validation';

/**
 * The AWS IoT log level an ENABLE_IOT_LOGGING action sets.
 *
 * The API also knows DISABLED, which the Device Defender guide forbids for this action.
 */
export enum LogLevel {
  /** The most detailed logs. */
  DEBUG = 'DEBUG',
  /** Informational messages, warnings and errors. */
  INFO = 'INFO',
  /** Warnings and errors. */
  WARN = 'WARN',
  /** Errors only. */
  ERROR = 'ERROR',
}

/** Options for `MitigationActionParams.addThingsToThingGroup()`. */
export interface AddThingsToThingGroupOptions {
  /**
   * The thing groups to add the devices to: 1 to 10 distinct groups.
   *
   * `CfnThingGroup` and `CfnThingGroup.fromThingGroupName()` both qualify.
   */
  readonly thingGroups: iot.IThingGroupRef[];

  /**
   * Whether to remove a device from dynamic thing groups when adding it would exceed the
   * number of groups a thing can belong to.
   *
   * @default false
   */
  readonly overrideDynamicGroups?: boolean;
}

/** Options for `MitigationActionParams.enableIotLogging()`. */
export interface EnableIotLoggingOptions {
  /** The log level to set. DISABLED is not allowed for this action. */
  readonly logLevel: LogLevel;

  /**
   * The role AWS IoT uses to write its logs to CloudWatch Logs.
   *
   * @default - one role per stack, assumable by AWS IoT from this account and region only
   * (`aws:SourceAccount`, and `aws:SourceArn` like `arn:<partition>:iot:<region>:<account>:*`),
   * allowed to write to the `AWSIotLogsV2` log group. It is retained when the stack is deleted,
   * because the account's logging options still point at it.
   */
  readonly loggingRole?: iam.IRole;
}

/** Options for `MitigationActionParams.publishFindingToSns()`. */
export interface PublishFindingToSnsOptions {
  /**
   * The topic to publish findings to. When the app can see its KMS key (a `Topic` with
   * `masterKey`, or `Topic.fromTopicAttributes()` with `keyArn`), the action's role is also
   * allowed `kms:GenerateDataKey` and `kms:Decrypt` on the key, through SNS only. For a topic
   * imported without its key, the construct warns (`cdk-device-defender:encryptedTopicKey`) and
   * names what to grant if the topic is encrypted.
   */
  readonly topic: sns.ITopicRef;
}

/**
 * What a mitigation action does, with its parameters: one factory per action type that
 * AWS IoT Device Defender supports.
 *
 * Each factory also knows the permissions its action type needs; `MitigationAction` grants
 * exactly those to the action's role.
 */
export abstract class MitigationActionParams {
  /**
   * Adds the things in a finding or alarm to thing groups (for example a quarantine group).
   * The only action type that Detect alarms accept.
   */
  public static addThingsToThingGroup(options: AddThingsToThingGroupOptions): MitigationActionParams {
    return new AddThingsToThingGroupParams(options);
  }

  /**
   * Enables AWS IoT logging at the given level (the fix for LOGGING_DISABLED_CHECK).
   *
   * Without `loggingRole`, one logging role per stack is defined, and it is retained
   * (`RemovalPolicy.RETAIN`) when the stack is deleted: the action points the account's v2 logging
   * options at it, and they keep pointing at it after the stack is gone, so deleting it would stop
   * AWS IoT logging for the account. Delete it by hand once logging uses another role.
   */
  public static enableIotLogging(options: EnableIotLoggingOptions): MitigationActionParams {
    return new EnableIotLoggingParams(options);
  }

  /** Publishes the finding to an SNS topic. Every audit check supports this action type. */
  public static publishFindingToSns(options: PublishFindingToSnsOptions): MitigationActionParams {
    return new PublishFindingToSnsParams(options);
  }

  /** Adds a blank policy version (template BLANK_POLICY) and makes it the policy's default. */
  public static replaceDefaultPolicyVersion(): MitigationActionParams {
    return new ReplaceDefaultPolicyVersionParams();
  }

  /** Deactivates the CA certificate in the finding (action DEACTIVATE). */
  public static updateCaCertificate(): MitigationActionParams {
    return new UpdateCaCertificateParams();
  }

  /** Deactivates the device certificate in the finding (action DEACTIVATE). */
  public static updateDeviceCertificate(): MitigationActionParams {
    return new UpdateDeviceCertificateParams();
  }

  /** The mitigation action type these parameters define. */
  public abstract readonly actionType: MitigationActionType;

  protected constructor() {}

  /**
   * Validates the parameters, adds the permissions the action type needs to `role` (the user's
   * role, or the one the action is about to define) and returns the CloudFormation `ActionParams`.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty;
}

class AddThingsToThingGroupParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.ADD_THINGS_TO_THING_GROUP;

  constructor(private readonly options: AddThingsToThingGroupOptions) {
    super();
  }

  public _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty {
    const groups = this.options.thingGroups.map((g) => g.thingGroupRef);
    const names = groups.map((g) => g.thingGroupName);
    if (names.length < 1 || names.length > MAX_THING_GROUPS) {
      invalid(scope, 'thingGroups', names, `must name 1 to ${MAX_THING_GROUPS} thing groups, got ${names.length}`);
    }
    const duplicates = names.filter((name, i) => names.indexOf(name) !== i);
    if (duplicates.length > 0) {
      invalid(scope, 'thingGroups', names, `must be distinct thing groups, ${duplicates.map(describeValue).join(', ')} appears more than once`);
    }
    for (const name of names) {
      validatePattern(scope, 'thingGroups[].thingGroupName', name, THING_GROUP_NAME_PATTERN,
        'must match [a-zA-Z0-9:_-]{1,128}');
    }

    grantActionType(scope, role, this.actionType, { thingGroups: groups.map((g) => g.thingGroupArn) });

    return {
      addThingsToThingGroupParams: {
        thingGroupNames: names,
        overrideDynamicGroups: this.options.overrideDynamicGroups,
      },
    };
  }
}

class EnableIotLoggingParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.ENABLE_IOT_LOGGING;

  constructor(private readonly options: EnableIotLoggingOptions) {
    super();
  }

  public _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty {
    validateOneOf(scope, 'logLevel', this.options.logLevel, Object.values(LogLevel));
    const loggingRole = this.options.loggingRole ?? defaultLoggingRole(scope);
    validateLength(scope, 'loggingRole.roleArn', loggingRole.roleArn, MIN_ROLE_ARN_LENGTH, MAX_ROLE_ARN_LENGTH);

    grantActionType(scope, role, this.actionType, { loggingRole: [loggingRole.roleArn] });

    return {
      enableIoTLoggingParams: {
        logLevel: this.options.logLevel,
        roleArnForLogging: loggingRole.roleArn,
      },
    };
  }
}

const LOGGING_ROLE_ID = 'CdkDeviceDefenderIotLoggingRole';

/** One logging role per stack, shared by every ENABLE_IOT_LOGGING action in it. */
function defaultLoggingRole(scope: Construct): iam.IRole {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOGGING_ROLE_ID) as iam.IRole | undefined;
  if (existing) { return existing; }
  const logGroupArn = stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: perms.IOT_V2_LOG_GROUP_NAME, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  // AWS IoT assumes this role for the account's v2 logging options (SetV2LoggingOptions), not for a
  // resource, and Device Defender's confused-deputy guidance gives no aws:SourceArn for it. So the
  // trust policy allows any AWS IoT source ARN of this account and region (ArnLike ...:<account>:*,
  // which also matches the account-level arn:<partition>:iot:<region>:<account>:) together with
  // aws:SourceAccount: another account's AWS IoT cannot use the role.
  const role = new iam.Role(stack, LOGGING_ROLE_ID, {
    description: 'Lets AWS IoT write its v2 logs to CloudWatch Logs (defined by cdk-device-defender)',
    assumedBy: iotPrincipal(stack, stack.formatArn({ service: 'iot', resource: '*' }), 'pattern'),
    inlinePolicies: {
      IotLogging: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ actions: perms.IOT_LOGGING_ROLE_ACTIONS, resources: [logGroupArn, `${logGroupArn}:*`] })],
      }),
    },
  });
  // The account's v2 logging options keep pointing at this role after the stack is gone: deleting
  // the role with the stack would stop AWS IoT logging for the whole account.
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  addNagSuppressions(role, LOGGING_ROLE_SUPPRESSIONS);
  return role;
}

class PublishFindingToSnsParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.PUBLISH_FINDING_TO_SNS;

  constructor(private readonly options: PublishFindingToSnsOptions) {
    super();
  }

  public _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty {
    const topicArn = this.options.topic.topicRef.topicArn;
    if (!Token.isUnresolved(topicArn) && topicArn.length > MAX_TOPIC_ARN_LENGTH) {
      invalid(scope, 'topic.topicArn', topicArn, `must be at most ${MAX_TOPIC_ARN_LENGTH} characters long, got ${topicArn.length}`);
    }
    // sns:Publish on the topic, and kms:GenerateDataKey and kms:Decrypt (through SNS only) on its key when
    // the app can see one; a warning on this action when it cannot.
    grantPublish(scope, this.options.topic, role);
    return { publishFindingToSnsParams: { topicArn } };
  }
}

class ReplaceDefaultPolicyVersionParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION;

  public _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty {
    grantActionType(scope, role, this.actionType, {});
    return { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } };
  }
}

class UpdateCaCertificateParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.UPDATE_CA_CERTIFICATE;

  public _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty {
    grantActionType(scope, role, this.actionType, {});
    return { updateCaCertificateParams: { action: 'DEACTIVATE' } };
  }
}

class UpdateDeviceCertificateParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.UPDATE_DEVICE_CERTIFICATE;

  public _bind(scope: Construct, role: GrantTarget): iot.CfnMitigationAction.ActionParamsProperty {
    grantActionType(scope, role, this.actionType, {});
    return { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
  }
}
