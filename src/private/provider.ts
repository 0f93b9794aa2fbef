import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { grantPutMitigationEvents } from './grants';
import { defineHandlerRole } from './handler-role';
import { InlinePolicyRole } from './inline-policy-role';
import { addNagSuppressions, handlerRoleSuppressions } from './nag';
import { AUDIT_MITIGATION_TASK_HANDLER_ACTIONS, AUDIT_SUPPRESSION_HANDLER_ACTIONS } from './permissions';
import { AuditMitigationTaskFunction } from '../handlers/audit-mitigation-task-function';
import { AuditSuppressionFunction } from '../handlers/audit-suppression-function';

/** What differs between the custom resource providers of this library. */
interface ProviderOptions {
  /** What the resources are, for the roles' descriptions: e.g. 'audit mitigation task'. */
  readonly what: string;
  /** The handler's IoT actions (all on `*`). */
  readonly actions: string[];
  readonly timeout: Duration;
  readonly defineHandler: (scope: Construct, id: string, props: lambda.FunctionOptions) => lambda.Function;
  readonly handlerDescription: string;
  /** Whether the handler puts the library's events (`grantPutMitigationEvents`). */
  readonly putsEvents?: boolean;
}

/**
 * The handler (role, log group, function) and the provider framework of one kind of custom
 * resource, as children of `scope` with fixed ids (HandlerLogs, HandlerRole, Handler,
 * ProviderLogs, ProviderRole, Provider): ids are API, every provider keeps them.
 */
function defineProvider(scope: Construct, options: ProviderOptions): cr.Provider {
  const { role, logGroup } = defineHandlerRole(scope, `Runs the AWS IoT Device Defender ${options.what} custom resource`, options.actions);
  const onEvent = options.defineHandler(scope, 'Handler', {
    description: options.handlerDescription,
    role,
    logGroup,
    timeout: options.timeout,
    memorySize: 256,
    tracing: lambda.Tracing.ACTIVE,
  });
  const frameworkLogs = new logs.LogGroup(scope, 'ProviderLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const frameworkRole = new InlinePolicyRole(scope, 'ProviderRole', {
    description: `Runs the custom resource provider framework of cdk-device-defender ${options.what}s`,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  frameworkRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [frameworkLogs.logGroupArn],
  }));
  const provider = new cr.Provider(scope, 'Provider', {
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
  const framework = provider.node.findChild('framework-onEvent');
  const frameworkReason = 'aws-cdk-lib\'s custom-resources Provider framework defines this function (runtime, memory, tracing); '
    + 'it is updated with aws-cdk-lib, and CloudFormation sees every failure it reports.';
  addNagSuppressions(framework, ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion', 'Serverless-LambdaDefaultMemorySize',
    'Serverless-LambdaTracing', 'Serverless-LambdaDLQ'].map((rule) => ({ id: rule, reason: frameworkReason })));
  if (options.putsEvents) { grantPutMitigationEvents(scope, role); }
  addNagSuppressions(role, handlerRoleSuppressions(options.actions));
  role.seal();
  frameworkRole.seal();
  return provider;
}

/** One provider (function and framework) per stack and kind of custom resource, at a fixed id. */
class StackProvider extends Construct {
  public static getOrCreate(scope: Construct, id: string, options: ProviderOptions): cr.Provider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(id) as StackProvider | undefined;
    return (existing ?? new StackProvider(stack, id, options)).provider;
  }

  public readonly provider: cr.Provider;

  private constructor(scope: Construct, id: string, options: ProviderOptions) {
    super(scope, id);
    this.provider = defineProvider(this, options);
  }
}

/** The stack's provider for every AuditMitigationTask in it. */
export function auditMitigationTaskProvider(scope: Construct): cr.Provider {
  return StackProvider.getOrCreate(scope, 'CdkDeviceDefenderAuditMitigationTaskProvider', {
    what: 'audit mitigation task',
    actions: AUDIT_MITIGATION_TASK_HANDLER_ACTIONS,
    timeout: Duration.minutes(10),
    defineHandler: (s, i, props) => new AuditMitigationTaskFunction(s, i, props),
    handlerDescription: 'Starts and cancels AWS IoT Device Defender audit mitigation tasks for CloudFormation (cdk-device-defender)',
    putsEvents: true,
  });
}

/** The stack's provider for every AuditSuppression in it. */
export function auditSuppressionProvider(scope: Construct): cr.Provider {
  return StackProvider.getOrCreate(scope, 'CdkDeviceDefenderAuditSuppressionProvider', {
    what: 'audit suppression',
    actions: AUDIT_SUPPRESSION_HANDLER_ACTIONS,
    timeout: Duration.minutes(2),
    defineHandler: (s, i, props) => new AuditSuppressionFunction(s, i, props),
    handlerDescription: 'Creates, updates and deletes AWS IoT Device Defender audit finding suppressions for CloudFormation (cdk-device-defender)',
  });
}
