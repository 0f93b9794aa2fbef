import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { InlinePolicyRole } from './inline-policy-role';

/**
 * A handler's log group and role: its own logs, and `actions` on `*` (actions without a resource type,
 * or, like iot:StartDetectMitigationActionsTask, with an optional one its requests never name).
 */
export function defineHandlerRole(scope: Construct, description: string, actions: string[]): { role: InlinePolicyRole; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'HandlerLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const role = new InlinePolicyRole(scope, 'HandlerRole', {
    description,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
  return { role, logGroup };
}
