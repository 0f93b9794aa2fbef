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

/** The cdk-nag rule for IAM wildcards. */
export const IAM5 = 'AwsSolutions-IAM5';

/** The AwsSolutions-IAM5 finding of a `*` resource. */
export const ANY_RESOURCE_FINDING = '/^Resource::\\*$/';

/** The finding of `arn:<partition>:iot:<region>:<account>:<type>/*`, whatever the stack's environment. */
export function iotWildcardFinding(resourceType: string): string {
  return `/^Resource::${arnPrefix('iot')}:${resourceType}\\/\\*$/`;
}

/** `arn:<partition>:<service>:<region>:<account>` as cdk-nag prints it, tokens or literals. */
function arnPrefix(service: string): string {
  return `arn:(<AWS::Partition>|aws[a-z-]*):${service}:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12})`;
}

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
  const reason = (iotActions.length > 0
    ? `${iotActions.join(', ')} have no resource type in the IAM service authorization reference, `
      + 'so they can only be granted on *; so do xray:PutTraceSegments and xray:PutTelemetryRecords for tracing.'
    : 'xray:PutTraceSegments and xray:PutTelemetryRecords (for tracing) have no resource type in the IAM service authorization reference, '
      + 'so they can only be granted on *.')
    + (note ? ` ${note}` : '');
  return [
    { id: IAM5, reason, appliesToRegex: [ANY_RESOURCE_FINDING] },
    { id: 'Serverless-LambdaStarPermissions', reason },
  ];
}
