import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IOT_V2_LOG_GROUP_NAME } from './permissions';

/** A cdk-nag rule suppression on a resource this library defines, with the reason it is safe. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** Finding ids (granular rules), as regular expressions in cdk-nag's `/.../` form. */
  readonly appliesToRegex?: string[];
}

/**
 * Records suppressions in the `cdk_nag` metadata of `scope`'s CloudFormation resource, the format
 * `NagSuppressions.addResourceSuppressions` writes, so users need no cdk-nag dependency of ours.
 */
export function addNagSuppressions(scope: IConstruct, suppressions: NagSuppression[]): void {
  const resource = scope instanceof CfnResource ? scope : scope.node.defaultChild;
  if (!(resource instanceof CfnResource) || suppressions.length === 0) { return; }
  const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const rules = suppressions.map((s) => ({
    id: s.id,
    reason: s.reason,
    ...(s.appliesToRegex ? { applies_to: s.appliesToRegex.map((regex) => ({ regex })) } : {}),
  }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...rules] });
}

/** `Resource::arn:<partition>:iot:<region>:<account>:<type>/*`, whatever the stack's environment. */
function iotWildcard(resourceType: string): string {
  return `/^Resource::${arnPrefix('iot')}:${resourceType}\\/\\*$/`;
}

/** `arn:<partition>:<service>:<region>:<account>` as cdk-nag prints it, tokens or literals. */
function arnPrefix(service: string): string {
  return `arn:(<AWS::Partition>|aws[a-z-]*):${service}:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12})`;
}

const IAM5 = 'AwsSolutions-IAM5';

/**
 * Why each wildcard in a generated mitigation action role is needed, by action type: exactly the
 * wildcards the type's statements have (PUBLISH_FINDING_TO_SNS has none: the topic, and the key with
 * kms:GenerateDataKey and kms:Decrypt).
 */
export const MITIGATION_ROLE_SUPPRESSIONS: Readonly<Record<string, NagSuppression[]>> = {
  ADD_THINGS_TO_THING_GROUP: [{
    id: IAM5,
    reason: 'The certificates and things a finding names are only known when AWS IoT applies the action: '
      + 'iot:ListPrincipalThings is scoped to cert/* and iot:AddThingToThingGroup to the configured groups and thing/* of this account and region.',
    appliesToRegex: [iotWildcard('cert'), iotWildcard('thing')],
  }],
  ENABLE_IOT_LOGGING: [{
    id: IAM5,
    reason: 'iot:SetV2LoggingOptions has no resource type in the IAM service authorization reference, so it can only be granted on *.',
    appliesToRegex: ['/^Resource::\\*$/'],
  }],
  PUBLISH_FINDING_TO_SNS: [],
  REPLACE_DEFAULT_POLICY_VERSION: [{
    id: IAM5,
    reason: 'The AWS IoT policy a finding names is only known when the action runs: iot:CreatePolicyVersion is scoped to policy/* of this account and region.',
    appliesToRegex: [iotWildcard('policy')],
  }],
  UPDATE_CA_CERTIFICATE: [{
    id: IAM5,
    reason: 'The CA certificate a finding names is only known when the action runs: iot:UpdateCACertificate is scoped to cacert/* of this account and region.',
    appliesToRegex: [iotWildcard('cacert')],
  }],
  UPDATE_DEVICE_CERTIFICATE: [{
    id: IAM5,
    reason: 'The device certificate a finding names is only known when the action runs: iot:UpdateCertificate is scoped to cert/* of this account and region.',
    appliesToRegex: [iotWildcard('cert')],
  }],
};

/** Why the shared AWS IoT logging role has a wildcard. */
export const LOGGING_ROLE_SUPPRESSIONS: NagSuppression[] = [{
  id: IAM5,
  reason: `AWS IoT names the log streams it writes in the ${IOT_V2_LOG_GROUP_NAME} log group; the grant is scoped to that one group's streams.`,
  appliesToRegex: [`/^Resource::${arnPrefix('logs')}:log-group:${IOT_V2_LOG_GROUP_NAME}:\\*$/`],
}];

/**
 * Why a handler role of this library has `*` resources: its one wildcard (`Resource::*`), and the
 * Serverless pack's rule on the same statements (not granular, so it cannot name them). Both cover
 * only the role's inline policy: the role is sealed, so what is added to it later lands in its
 * default policy, which carries no suppression and which cdk-nag checks on its own.
 *
 * `note` explains any action on `*` that does have a resource type.
 */
export function handlerRoleSuppressions(iotActions: string[], note?: string): NagSuppression[] {
  const reason = `${iotActions.join(', ')} have no resource type in the IAM service authorization reference, `
    + 'so they can only be granted on *; so do xray:PutTraceSegments and xray:PutTelemetryRecords for tracing.'
    + (note ? ` ${note}` : '');
  return [
    { id: IAM5, reason, appliesToRegex: ['/^Resource::\\*$/'] },
    { id: 'Serverless-LambdaStarPermissions', reason },
  ];
}
