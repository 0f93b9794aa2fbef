import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { definePermanentFailureAlarm, ReportTopics } from './alarms';
import { grantPutMitigationEvents, securityHubIntegrationStatement } from './grants';
import { defineHandlerRole } from './handler-role';
import { InlinePolicyRole } from './inline-policy-role';
import { addNagSuppressions, handlerRoleSuppressions } from './nag';
import {
  AUDIT_MITIGATION_TASK_HANDLER_ACTIONS, AUDIT_SUPPRESSION_HANDLER_ACTIONS, SECURITY_HUB_INTEGRATION_IOT_ACTIONS, SECURITY_HUB_INTEGRATION_IOT_NOTE,
} from './permissions';
import { AuditMitigationTaskFunction } from '../handlers/audit-mitigation-task-function';
import { AuditSuppressionFunction } from '../handlers/audit-suppression-function';
import { SecurityHubIntegrationFunction } from '../handlers/security-hub-integration-function';

/** What differs between the custom resource providers of this library. */
interface ProviderOptions {
  /** What the resources are, for the roles' descriptions: e.g. 'audit mitigation task'. */
  readonly what: string;
  /** The handler's IoT actions (all on `*`). */
  readonly actions: string[];
  /**
   * When set, every action of `actions` has resource types, optional ones its requests never name:
   * why they are granted on `*` anyway (the reason of the role's cdk-nag suppression).
   */
  readonly actionsNote?: string;
  /** The handler's statements on specific resources (in the stack's partition, account and region). */
  readonly statements?: (stack: Stack) => iam.PolicyStatement[];
  readonly timeout: Duration;
  readonly defineHandler: (scope: Construct, id: string, props: lambda.FunctionOptions) => lambda.Function;
  readonly handlerDescription: string;
  /** What the handler's permanent failures are, in words, for its alarm's description. */
  readonly failures: string;
}

/**
 * The handler (role, log group, function) and the provider framework of one kind of custom
 * resource, as children of `scope` with fixed ids (HandlerLogs, HandlerRole, Handler,
 * ProviderLogs, ProviderRole, Provider): ids are API, every provider keeps them.
 */
function defineProvider(scope: Construct, options: ProviderOptions): { provider: cr.Provider; role: iam.IRole; onEvent: lambda.Function } {
  const { role, logGroup } = defineHandlerRole(scope, `Runs the AWS IoT Device Defender ${options.what} custom resource`, options.actions);
  (options.statements?.(Stack.of(scope)) ?? []).forEach((statement) => role.addToPrincipalPolicy(statement));
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
  // Every permanent failure is also a `Mitigation Failed` event.
  grantPutMitigationEvents(scope, role);
  addNagSuppressions(role, handlerRoleSuppressions(options.actionsNote ? [] : options.actions, options.actionsNote));
  role.seal();
  frameworkRole.seal();
  return { provider, role, onEvent };
}

/**
 * One provider (function and framework) per stack and kind of custom resource, at a fixed id, with
 * the alarm on its function's permanent failures. Each construct that uses it adds its report
 * topic (`addReportTopic`): the function may publish to it, and the alarm notifies it.
 */
class StackProvider extends Construct {
  public static getOrCreate(scope: Construct, id: string, options: ProviderOptions, use: ProviderUse): cr.Provider {
    const stack = Stack.of(scope);
    const provider = (stack.node.tryFindChild(id) as StackProvider | undefined) ?? new StackProvider(stack, id, options);
    if (use.reportTopic) { provider.reportTopics.add(use.reportTopic); }
    if (use.eventBus) {
      // Granted once per bus, in a policy of its own (the role is sealed): the resources of `scope`
      // wait for it, so their first request may already put events there.
      const grant = grantPutMitigationEvents(provider, provider.role, use.eventBus);
      if (grant) { scope.node.addDependency(grant); }
    }
    return provider.provider;
  }

  public readonly provider: cr.Provider;
  /** In alarm for 5 minutes after any permanent failure of the handler (metric `PermanentFailures`). */
  public readonly permanentFailureAlarm: cloudwatch.Alarm;
  private readonly reportTopics: ReportTopics;
  private readonly role: iam.IRole;

  private constructor(scope: Construct, id: string, options: ProviderOptions) {
    super(scope, id);
    const { provider, role, onEvent } = defineProvider(this, options);
    this.provider = provider;
    this.role = role;
    this.permanentFailureAlarm = definePermanentFailureAlarm(this, onEvent, undefined, options.failures);
    this.reportTopics = new ReportTopics(this, [this.permanentFailureAlarm], role);
  }
}

/** What a construct brings to its stack's provider. */
export interface ProviderUse {
  /** Gets its reports and the provider's alarm notifications. */
  readonly reportTopic?: sns.ITopic;
  /** Where its events go (the account's default bus when absent). */
  readonly eventBus?: events.IEventBus;
}

/** Each provider of this library: its construct id in the stack, and what it is. */
const PROVIDERS = {
  auditMitigationTask: {
    id: 'CdkDeviceDefenderAuditMitigationTaskProvider',
    options: {
      what: 'audit mitigation task',
      actions: AUDIT_MITIGATION_TASK_HANDLER_ACTIONS,
      timeout: Duration.minutes(10),
      defineHandler: (s, i, props) => new AuditMitigationTaskFunction(s, i, props),
      handlerDescription: 'Starts and cancels AWS IoT Device Defender audit mitigation tasks for CloudFormation (cdk-device-defender)',
      failures: 'tasks an AuditMitigationTask did not start, or did not cancel on Delete (refused request, time out)',
    },
  },
  auditSuppression: {
    id: 'CdkDeviceDefenderAuditSuppressionProvider',
    options: {
      what: 'audit suppression',
      actions: AUDIT_SUPPRESSION_HANDLER_ACTIONS,
      timeout: Duration.minutes(2),
      defineHandler: (s, i, props) => new AuditSuppressionFunction(s, i, props),
      handlerDescription: 'Creates, updates and deletes AWS IoT Device Defender audit finding suppressions for CloudFormation (cdk-device-defender)',
      failures: 'audit suppressions not created, updated or deleted as the stack asked (one the stack does not own, a refused request, '
        + 'a Delete that did not finish in time)',
    },
  },
  securityHubIntegration: {
    id: 'CdkDeviceDefenderSecurityHubIntegrationProvider',
    options: {
      what: 'Security Hub integration',
      actions: SECURITY_HUB_INTEGRATION_IOT_ACTIONS,
      actionsNote: SECURITY_HUB_INTEGRATION_IOT_NOTE,
      statements: (stack) => [securityHubIntegrationStatement(stack)],
      timeout: Duration.minutes(2),
      defineHandler: (s, i, props) => new SecurityHubIntegrationFunction(s, i, props),
      handlerDescription: 'Turns on AWS IoT Device Defender\'s AWS Security Hub integration for CloudFormation (cdk-device-defender)',
      failures: 'a Security Hub integration not turned on (Security Hub not enabled in the account and region, a refused request, a time out)',
    },
  },
} satisfies Record<string, { readonly id: string; readonly options: ProviderOptions }>;

/** The stack's provider of one kind of custom resource; `use.reportTopic` is added to it (see `StackProvider`). */
function stackProvider(kind: keyof typeof PROVIDERS, scope: Construct, use: ProviderUse): cr.Provider {
  return StackProvider.getOrCreate(scope, PROVIDERS[kind].id, PROVIDERS[kind].options, use);
}

/** The stack's provider for every AuditMitigationTask in it. */
export function auditMitigationTaskProvider(scope: Construct, use: ProviderUse = {}): cr.Provider {
  return stackProvider('auditMitigationTask', scope, use);
}

/** The stack's provider of the Security Hub integration custom resource (one per stack, see `SecurityHubIntegration`). */
export function securityHubIntegrationProvider(scope: Construct, use: ProviderUse = {}): cr.Provider {
  return stackProvider('securityHubIntegration', scope, use);
}

/** The stack's provider for every AuditSuppression in it. */
export function auditSuppressionProvider(scope: Construct, use: ProviderUse = {}): cr.Provider {
  return stackProvider('auditSuppression', scope, use);
}
