/**
 * The synth benchmark's baseline: the same N mitigation actions written by hand with L1
 * constructs only (`iot.CfnMitigationAction` and `iam.CfnRole`), with the trust policy and inline
 * policies the library generates, and without calling the library.
 *
 * Each action lives in a plain `Construct` scope named like the library's construct, and its
 * name is built with aws-cdk-lib's `Names.uniqueResourceName` as the library builds it, so both
 * apps have the same logical ids and action names: the templates are then identical except for
 * the cdk-nag suppression metadata the library adds to its roles (checked by `compareTemplates`
 * in synth.ts).
 *
 * `roles: 'iam.Role'` is a reference variant, not the baseline: the same app with aws-cdk-lib's L2
 * `iam.Role` (inline policies from the same JSON) instead of `iam.CfnRole`. It shows how much of
 * the library's synth cost is aws-cdk-lib's own L2 role machinery.
 */
import { App, Aws, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ACTION_TYPES, STACK_NAME } from './stack-shape';

const IOT_PRINCIPAL = 'iot.amazonaws.com';

/** `arn:<partition>:iot:<region>:<account>:<resource>`. */
function iotArn(resource: string): string {
  return `arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

function allow(action: string | string[], resource: unknown, condition?: Record<string, unknown>): Record<string, unknown> {
  return { Action: action, ...(condition ? { Condition: condition } : {}), Effect: 'Allow', Resource: resource };
}

function document(statements: Array<Record<string, unknown>>): Record<string, unknown> {
  return { Statement: statements, Version: '2012-10-17' };
}

/** How the roles are written: L1 (the baseline) or aws-cdk-lib's L2 (the reference variant). */
export type RoleStyle = 'iam.CfnRole' | 'iam.Role';

interface RoleSpec {
  readonly trustConditions: Record<string, unknown>;
  readonly description: string;
  readonly policyName: string;
  readonly statements: Array<Record<string, unknown>>;
  /** Keep the role when the stack is deleted. */
  readonly retain?: boolean;
}

/** A role that only AWS IoT can assume, with one inline policy; returns its ARN. */
function defineRole(scope: Construct, id: string, spec: RoleSpec, style: RoleStyle): string {
  if (style === 'iam.Role') {
    const role = new iam.Role(scope, id, {
      assumedBy: new iam.ServicePrincipal(IOT_PRINCIPAL).withConditions(spec.trustConditions),
      description: spec.description,
      inlinePolicies: { [spec.policyName]: iam.PolicyDocument.fromJson(document(spec.statements)) },
    });
    if (spec.retain) { role.applyRemovalPolicy(RemovalPolicy.RETAIN); }
    return role.roleArn;
  }
  const role = new iam.CfnRole(new Construct(scope, id), 'Resource', {
    assumeRolePolicyDocument: document([{
      Action: 'sts:AssumeRole',
      Condition: spec.trustConditions,
      Effect: 'Allow',
      Principal: { Service: IOT_PRINCIPAL },
    }]),
    description: spec.description,
    policies: [{ policyName: spec.policyName, policyDocument: document(spec.statements) }],
  });
  if (spec.retain) { role.applyRemovalPolicy(RemovalPolicy.RETAIN); }
  return role.attrArn;
}

/** Defines the hand-written app's stack in `app`. */
export function defineRawStack(app: App, actions: number, roles: RoleStyle = 'iam.CfnRole'): Stack {
  const stack = new Stack(app, STACK_NAME);
  const quarantine = new iot.CfnThingGroup(stack, 'Quarantine', { thingGroupName: 'quarantine' });
  const findings = new sns.CfnTopic(new Construct(stack, 'Findings'), 'Resource');
  let loggingRoleArn: string | undefined;

  // One role for AWS IoT to write its logs with, shared by every ENABLE_IOT_LOGGING action.
  const sharedLoggingRole = (): string => {
    if (loggingRoleArn) { return loggingRoleArn; }
    const logGroupArn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:AWSIotLogsV2`;
    // AWS IoT from this account and region only; retained, since the account's logging options keep pointing at it.
    loggingRoleArn = defineRole(stack, 'CdkDeviceDefenderIotLoggingRole', {
      trustConditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'aws:SourceArn': iotArn('*') } },
      retain: true,
      description: 'Lets AWS IoT write its v2 logs to CloudWatch Logs (defined by cdk-device-defender)',
      policyName: 'IotLogging',
      statements: [allow(
        ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
        [logGroupArn, `${logGroupArn}:*`],
      )],
    }, roles);
    return loggingRoleArn;
  };

  for (let i = 0; i < actions; i++) {
    const scope = new Construct(stack, `Action${i}`);
    const actionName = Names.uniqueResourceName(scope, { maxLength: 128 });
    const actionType = ACTION_TYPES[i % ACTION_TYPES.length];

    let statements: Array<Record<string, unknown>>;
    let actionParams: iot.CfnMitigationAction.ActionParamsProperty;
    switch (actionType) {
      case 'ADD_THINGS_TO_THING_GROUP':
        statements = [
          allow('iot:ListPrincipalThings', iotArn('cert/*')),
          allow('iot:AddThingToThingGroup', [quarantine.attrArn, iotArn('thing/*')]),
        ];
        actionParams = { addThingsToThingGroupParams: { thingGroupNames: [quarantine.ref] } };
        break;
      case 'ENABLE_IOT_LOGGING': {
        const logging = sharedLoggingRole();
        statements = [
          allow('iot:SetV2LoggingOptions', '*'),
          allow('iam:PassRole', logging, { StringEquals: { 'iam:PassedToService': IOT_PRINCIPAL } }),
        ];
        actionParams = { enableIoTLoggingParams: { logLevel: 'WARN', roleArnForLogging: logging } };
        break;
      }
      case 'PUBLISH_FINDING_TO_SNS':
        statements = [allow('sns:Publish', findings.ref)];
        actionParams = { publishFindingToSnsParams: { topicArn: findings.ref } };
        break;
      case 'REPLACE_DEFAULT_POLICY_VERSION':
        statements = [allow('iot:CreatePolicyVersion', iotArn('policy/*'))];
        actionParams = { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } };
        break;
      case 'UPDATE_CA_CERTIFICATE':
        statements = [allow('iot:UpdateCACertificate', iotArn('cacert/*'))];
        actionParams = { updateCaCertificateParams: { action: 'DEACTIVATE' } };
        break;
      case 'UPDATE_DEVICE_CERTIFICATE':
        statements = [allow('iot:UpdateCertificate', iotArn('cert/*'))];
        actionParams = { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
        break;
    }

    // Only AWS IoT, from this account and acting for this very action, may assume the role.
    const roleArn = defineRole(scope, 'Role', {
      trustConditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': iotArn(`mitigationaction/${actionName}`) },
      },
      description: `Assumed by AWS IoT to apply the ${actionType} mitigation action ${actionName}`,
      policyName: 'Permissions',
      statements,
    }, roles);
    new iot.CfnMitigationAction(scope, 'Resource', { actionName, roleArn, actionParams });
  }
  return stack;
}
