import { CustomResource, Duration, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditMitigationRule } from './audit-mitigation-rule';
import {
  AUDIT_TASK_ID_PATTERN, FINDING_ID_PATTERN, MAX_FINDINGS_PER_TASK, MAX_REASON_CODES, MAX_TASKS_PER_RESOURCE, REASON_CODE_PATTERN,
  RUN_ID_PATTERN,
} from './contract';
import { AuditMitigationTaskFunction } from './handlers/audit-mitigation-task-function';
import { IMitigationAction } from './mitigation-action';
import { defineHandlerRole } from './private/handler-role';
import { InlinePolicyRole } from './private/inline-policy-role';
import { addNagSuppressions, handlerRoleSuppressions } from './private/nag';
import { AUDIT_MITIGATION_TASK_HANDLER_ACTIONS } from './private/permissions';
import { AuditRuleSet } from './private/rules';
import { invalid, validatePattern } from './private/validation';

/** Findings of one audit check with any of these reason codes. */
export interface ReasonCodeFilter {
  /** The audit check. It needs a rule in the same `AuditMitigationTask`. */
  readonly check: AuditCheck;
  /** 1 to 25 reason codes, e.g. `CERTIFICATE_PAST_EXPIRATION`. */
  readonly reasonCodes: string[];
}

/** The findings an `AuditMitigationTask` applies its actions to: the three kinds of target AWS offers. */
export abstract class AuditMitigationTarget {
  /** Every non-compliant, unsuppressed finding of one audit. */
  public static auditTask(auditTaskId: string): AuditMitigationTarget {
    return new (class extends AuditMitigationTarget {
      public _bind(scope: Construct) {
        validatePattern(scope, 'auditTaskId', auditTaskId, AUDIT_TASK_ID_PATTERN, 'must match [a-zA-Z0-9-]{1,40}');
        return { properties: { AuditTaskId: auditTaskId }, taskCount: 1 };
      }
    })();
  }

  /**
   * A list of findings, from one or more audits, split into tasks of at most 25 findings.
   * At most 4,000 findings per `AuditMitigationTask` (the started task ids must fit in the
   * response to CloudFormation); use several for more.
   */
  public static findings(findingIds: string[]): AuditMitigationTarget {
    return new (class extends AuditMitigationTarget {
      public _bind(scope: Construct) {
        if (!Token.isUnresolved(findingIds)) {
          const max = MAX_TASKS_PER_RESOURCE * MAX_FINDINGS_PER_TASK;
          if (findingIds.length < 1 || findingIds.length > max) {
            invalid(scope, 'findingIds', findingIds.length > 10 ? `${findingIds.length} ids` : findingIds,
              `must name 1 to ${max} findings per AuditMitigationTask, got ${findingIds.length}`);
          }
          const seen = new Set<string>();
          for (const id of findingIds) {
            validatePattern(scope, 'findingIds[]', id, FINDING_ID_PATTERN, 'must match [a-zA-Z0-9_-]{1,128}');
            if (seen.has(id)) { invalid(scope, 'findingIds[]', id, 'appears more than once'); }
            seen.add(id);
          }
        }
        return {
          properties: { FindingIds: findingIds },
          taskCount: Token.isUnresolved(findingIds) ? undefined : Math.ceil(findingIds.length / MAX_FINDINGS_PER_TASK),
        };
      }
    })();
  }

  /**
   * The findings of one audit whose check and reason code match a filter (for example only
   * CERTIFICATE_PAST_EXPIRATION findings of DEVICE_CERTIFICATE_EXPIRING_CHECK). Suppressed
   * findings are never included.
   */
  public static reasonCodes(auditTaskId: string, filters: ReasonCodeFilter[]): AuditMitigationTarget {
    return new (class extends AuditMitigationTarget {
      public _bind(scope: Construct, rules: AuditRuleSet) {
        validatePattern(scope, 'auditTaskId', auditTaskId, AUDIT_TASK_ID_PATTERN, 'must match [a-zA-Z0-9-]{1,40}');
        if (filters.length === 0) { invalid(scope, 'filters', filters, 'must filter at least one check'); }
        const filter: Record<string, string[]> = {};
        for (const f of filters) {
          if (filter[f.check]) { invalid(scope, 'filters', f.check, 'each check can be filtered once'); }
          if (f.reasonCodes.length < 1 || f.reasonCodes.length > MAX_REASON_CODES) {
            invalid(scope, `filters[${f.check}].reasonCodes`, f.reasonCodes, `must list 1 to ${MAX_REASON_CODES} reason codes`);
          }
          for (const code of f.reasonCodes) {
            validatePattern(scope, `filters[${f.check}].reasonCodes[]`, code, REASON_CODE_PATTERN, 'must match [A-Z0-9_]{1,128}');
          }
          filter[f.check] = [...f.reasonCodes];
        }
        scope.node.addValidation({
          validate: () => Object.keys(filter).filter((check) => !rules.checks.includes(check as AuditCheck))
            .map((check) => `${scope.node.path}: the reason-code filter selects ${check} findings, but no rule says what to do with them`),
        });
        return { properties: { AuditTaskId: auditTaskId, ReasonCodeFilter: filter }, taskCount: undefined };
      }
    })();
  }

  protected constructor() {}

  /**
   * Validates the target and returns the custom resource's properties, and how many tasks
   * it starts when that is known at synth time.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, rules: AuditRuleSet): { properties: Record<string, unknown>; taskCount?: number };
}

/** Properties of an `AuditMitigationTask`. */
export interface AuditMitigationTaskProps {
  /** The findings to apply the actions to. */
  readonly target: AuditMitigationTarget;

  /**
   * Which actions to apply to which checks. More can be added with `addRule()`.
   *
   * @default - none; at least one rule is needed before synthesis
   */
  readonly rules?: AuditMitigationRule[];

  /**
   * Whether deleting this resource (or replacing it with a new target) cancels its tasks that
   * are still in progress. Actions already applied are never rolled back.
   *
   * @default false
   */
  readonly cancelOnDelete?: boolean;

  /**
   * A label that asks for a deliberate re-run of the same work.
   *
   * The task ids derive from the stack, the construct's logical id and the work (target and
   * rules), so work that ran once never starts again: not on a CloudFormation rollback, nor when
   * an Update returns to earlier work. A new `runId` makes the same work new work, and its tasks
   * start. Letters, digits, `.`, `_` and `-`, 1 to 64 characters.
   *
   * @default - none: the same target and rules start their tasks only once
   */
  readonly runId?: string;
}

/**
 * Starts audit mitigation actions tasks when the stack is deployed, for a whole audit, a list
 * of findings or a filtered set of an audit's findings.
 *
 * Create starts the tasks; an Update to work (target, rules, `runId`) that never ran starts new
 * ones, while a rollback or an Update back to earlier work starts nothing; Delete never fails the
 * stack and, with `cancelOnDelete`, cancels tasks still in progress.
 *
 * @resource Custom::IotMitigationAuditTask
 */
export class AuditMitigationTask extends Construct {
  /**
   * The ids of the started tasks (`DescribeAuditMitigationActionsTask` takes them). Known once
   * the stack is deployed.
   */
  public readonly taskIds: string[];

  private readonly rules: AuditRuleSet;

  constructor(scope: Construct, id: string, props: AuditMitigationTaskProps) {
    super(scope, id);
    this.rules = new AuditRuleSet(this);
    for (const rule of props.rules ?? []) { this.addRule(rule.check, rule.actions); }
    this.node.addValidation({
      validate: () => this.rules.size === 0 ? [`${this.node.path}: an AuditMitigationTask needs at least one rule (rules or addRule())`] : [],
    });
    const target = props.target._bind(this, this.rules);
    if (props.runId !== undefined) {
      validatePattern(this, 'runId', props.runId, RUN_ID_PATTERN, 'must be 1 to 64 letters, digits, ".", "_" or "-"');
    }

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: AuditMitigationTaskProvider.getOrCreate(this).serviceToken,
      resourceType: 'Custom::IotMitigationAuditTask',
      properties: {
        ...target.properties,
        AuditCheckToActionsMapping: Lazy.any({ produce: () => this.rules.toMapping() }),
        CancelOnDelete: String(props.cancelOnDelete ?? false),
        RunId: props.runId,
      },
    });
    // The mapping names the actions with Ref, so CloudFormation creates them first.
    this.taskIds = Token.asList(Fn.split(',', resource.getAttString('TaskIds'), target.taskCount));
  }

  /**
   * Applies `actions`, in this order, to the targeted findings of `check`; the same checks as
   * `AuditMitigation.addRule()`.
   */
  public addRule(check: AuditCheck, actions: IMitigationAction[]): void {
    this.rules.add(check, actions);
  }
}

/** One provider (function and framework) per stack for every AuditMitigationTask in it. */
class AuditMitigationTaskProvider extends Construct {
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
