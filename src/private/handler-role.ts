import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { InlinePolicyRole } from './inline-policy-role';

/**
 * A handler's log group and role: its own logs, and `actions` on `*` (actions without a resource type,
 * or, like iot:StartDetectMitigationActionsTask, with an optional one its requests never name; none
 * when empty). The role is named `roleName` when given (one another account's trust names).
 */
export function defineHandlerRole(scope: Construct, description: string, actions: string[],
  roleName?: string): { role: InlinePolicyRole; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'HandlerLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const role = new InlinePolicyRole(scope, 'HandlerRole', {
    description,
    roleName,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  if (actions.length > 0) { role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] })); }
  return { role, logGroup };
}
