import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { defineHandlerRole } from './handler-role';
import { InlinePolicyRole } from './inline-policy-role';
import { addNagSuppressions, handlerRoleSuppressions } from './nag';
import { AUDIT_MITIGATION_TASK_HANDLER_ACTIONS } from './permissions';
import { AuditMitigationTaskFunction } from '../handlers/audit-mitigation-task-function';

/** One provider (function and framework) per stack for every AuditMitigationTask in it. */
export class AuditMitigationTaskProvider extends Construct {
  public static getOrCreate(scope: Construct): cr.Provider {
    const stack = Stack.of(scope);
    const id = 'CdkDeviceDefenderAuditMitigationTaskProvider';
    const existing = stack.node.tryFindChild(id) as AuditMitigationTaskProvider | undefined;
    return (existing ?? new AuditMitigationTaskProvider(stack, id)).provider;
  }

  public readonly provider: cr.Provider;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { role, logGroup } = defineHandlerRole(this, 'Runs the AWS IoT Device Defender audit mitigation task custom resource',
      AUDIT_MITIGATION_TASK_HANDLER_ACTIONS);
    const onEvent = new AuditMitigationTaskFunction(this, 'Handler', {
      description: 'Starts and cancels AWS IoT Device Defender audit mitigation tasks for CloudFormation (cdk-device-defender)',
      role,
      logGroup,
      timeout: Duration.minutes(10),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
    });
    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const frameworkRole = new InlinePolicyRole(this, 'ProviderRole', {
      description: 'Runs the custom resource provider framework of cdk-device-defender audit mitigation tasks',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    frameworkRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [frameworkLogs.logGroupArn],
    }));
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    addNagSuppressions(onEvent, [{
      id: 'Serverless-LambdaDLQ',
      reason: 'The provider framework invokes this function synchronously and reports any failure to CloudFormation; there is no asynchronous event to keep.',
    }]);
    addNagSuppressions(frameworkRole, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The provider framework may invoke any version of the custom resource handler (lambda:InvokeFunction on <handler ARN>:*), as aws-cdk-lib grants it.',
      appliesToRegex: ['/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/'],
    }]);
    const framework = this.provider.node.findChild('framework-onEvent');
    const frameworkReason = 'aws-cdk-lib\'s custom-resources Provider framework defines this function (runtime, memory, tracing); '
      + 'it is updated with aws-cdk-lib, and CloudFormation sees every failure it reports.';
    addNagSuppressions(framework, ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion', 'Serverless-LambdaDefaultMemorySize',
      'Serverless-LambdaTracing', 'Serverless-LambdaDLQ'].map((rule) => ({ id: rule, reason: frameworkReason })));
    addNagSuppressions(role, handlerRoleSuppressions(AUDIT_MITIGATION_TASK_HANDLER_ACTIONS));
    role.seal();
    frameworkRole.seal();
  }
}
