import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MitigationActionType } from './audit-check';
import { LOGGING_ROLE_SUPPRESSIONS, addNagSuppressions } from './private/nag';
import * as perms from './private/permissions';
import {
  MAX_THING_GROUPS, MAX_TOPIC_ARN_LENGTH, MAX_ROLE_ARN_LENGTH, MIN_ROLE_ARN_LENGTH, THING_GROUP_NAME_PATTERN,
  invalid, validateLength, validateOneOf, validatePattern,
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
   * @default - one role per stack, assumable by AWS IoT from this account only, allowed to write
   * to the `AWSIotLogsV2` log group
   */
  readonly loggingRole?: iam.IRole;
}

/** Options for `MitigationActionParams.publishFindingToSns()`. */
export interface PublishFindingToSnsOptions {
  /**
   * The topic to publish findings to. When it is a `Topic` encrypted with a KMS key, the
   * action's role is also allowed to use the key.
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

  /** Enables AWS IoT logging at the given level (the fix for LOGGING_DISABLED_CHECK). */
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
   * Validates the parameters, adds the permissions the action type needs to `role` and
   * returns the CloudFormation `ActionParams`.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty;
}

/** `arn:<partition>:iot:<region>:<account>:<resourceType>/*` in the scope's stack. */
function iotArns(scope: Construct, resourceType: string): string {
  return Stack.of(scope).formatArn({ service: 'iot', resource: resourceType, resourceName: '*' });
}

function allow(actions: string[], resources: string[], conditions?: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions, resources, conditions });
}

class AddThingsToThingGroupParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.ADD_THINGS_TO_THING_GROUP;

  constructor(private readonly options: AddThingsToThingGroupOptions) {
    super();
  }

  public _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty {
    const groups = this.options.thingGroups.map((g) => g.thingGroupRef);
    const names = groups.map((g) => g.thingGroupName);
    if (names.length < 1 || names.length > MAX_THING_GROUPS) {
      invalid(scope, 'thingGroups', names, `must name 1 to ${MAX_THING_GROUPS} thing groups, got ${names.length}`);
    }
    const duplicates = names.filter((name, i) => names.indexOf(name) !== i);
    if (duplicates.length > 0) {
      invalid(scope, 'thingGroups', names, `must be distinct thing groups, ${duplicates.join(', ')} appears more than once`);
    }
    for (const name of names) {
      validatePattern(scope, 'thingGroups[].thingGroupName', name, THING_GROUP_NAME_PATTERN,
        'must match [a-zA-Z0-9:_-]{1,128}');
    }

    role.addToPrincipalPolicy(allow(perms.LIST_PRINCIPAL_THINGS_ACTIONS, [iotArns(scope, 'cert')]));
    role.addToPrincipalPolicy(allow(perms.ADD_THING_TO_THING_GROUP_ACTIONS,
      [...groups.map((g) => g.thingGroupArn), iotArns(scope, 'thing')]));

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

  public _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty {
    validateOneOf(scope, 'logLevel', this.options.logLevel, Object.values(LogLevel));
    const loggingRole = this.options.loggingRole ?? defaultLoggingRole(scope);
    validateLength(scope, 'loggingRole.roleArn', loggingRole.roleArn, MIN_ROLE_ARN_LENGTH, MAX_ROLE_ARN_LENGTH);

    role.addToPrincipalPolicy(allow(perms.ENABLE_IOT_LOGGING_ACTIONS, ['*']));
    role.addToPrincipalPolicy(allow(perms.PASS_ROLE_ACTIONS, [loggingRole.roleArn], {
      StringEquals: { 'iam:PassedToService': perms.IOT_SERVICE_PRINCIPAL },
    }));

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
  const role = new iam.Role(stack, LOGGING_ROLE_ID, {
    description: 'Lets AWS IoT write its v2 logs to CloudWatch Logs (defined by cdk-device-defender)',
    assumedBy: new iam.ServicePrincipal(perms.IOT_SERVICE_PRINCIPAL).withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
    }),
    inlinePolicies: {
      IotLogging: new iam.PolicyDocument({
        statements: [allow(perms.IOT_LOGGING_ROLE_ACTIONS, [logGroupArn, `${logGroupArn}:*`])],
      }),
    },
  });
  addNagSuppressions(role, LOGGING_ROLE_SUPPRESSIONS);
  return role;
}

class PublishFindingToSnsParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.PUBLISH_FINDING_TO_SNS;

  constructor(private readonly options: PublishFindingToSnsOptions) {
    super();
  }

  public _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty {
    const topicArn = this.options.topic.topicRef.topicArn;
    if (!Token.isUnresolved(topicArn) && topicArn.length > MAX_TOPIC_ARN_LENGTH) {
      invalid(scope, 'topic.topicArn', topicArn, `must be at most ${MAX_TOPIC_ARN_LENGTH} characters long, got ${topicArn.length}`);
    }
    // Grants sns:Publish on the topic, and kms:GenerateDataKey*/kms:Decrypt on its key when it has one.
    sns.TopicGrants.fromTopic(this.options.topic).publish(role);
    return { publishFindingToSnsParams: { topicArn } };
  }
}

class ReplaceDefaultPolicyVersionParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION;

  public _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty {
    role.addToPrincipalPolicy(allow(perms.REPLACE_DEFAULT_POLICY_VERSION_ACTIONS, [iotArns(scope, 'policy')]));
    return { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } };
  }
}

class UpdateCaCertificateParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.UPDATE_CA_CERTIFICATE;

  public _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty {
    role.addToPrincipalPolicy(allow(perms.UPDATE_CA_CERTIFICATE_ACTIONS, [iotArns(scope, 'cacert')]));
    return { updateCaCertificateParams: { action: 'DEACTIVATE' } };
  }
}

class UpdateDeviceCertificateParams extends MitigationActionParams {
  public readonly actionType = MitigationActionType.UPDATE_DEVICE_CERTIFICATE;

  public _bind(scope: Construct, role: iam.IRole): iot.CfnMitigationAction.ActionParamsProperty {
    role.addToPrincipalPolicy(allow(perms.UPDATE_DEVICE_CERTIFICATE_ACTIONS, [iotArns(scope, 'cert')]));
    return { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
  }
}
