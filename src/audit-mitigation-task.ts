import { CustomResource, Fn, Lazy, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditMitigationRule } from './audit-mitigation-rule';
import { AuditMitigationTarget } from './audit-mitigation-target';
import { AUDIT_MITIGATION_TASK_PROPS as P, AUDIT_MITIGATION_TASK_RESOURCE_TYPE } from './contract/custom-resources';
import { RUN_ID_PATTERN } from './contract/limits';
import { IMitigationAction } from './mitigation-action';
import { auditMitigationTaskProvider } from './private/provider';
import { AuditRuleSet } from './private/rules';
import { SecurityHubIntegration } from './private/security-hub-integration';
import { TaskFollower } from './private/task-follower';
import { validatePattern } from './private/validation';
import { SecurityHubOptions } from './security-hub-options';

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

  /**
   * Gets a report of every permanent failure of this resource's requests (a Create or an Update
   * that failed, tasks a Delete could not cancel) and of every finished task with failed executions.
   *
   * The alarms of the stack's AuditMitigationTask handler and task follower notify it too (each is
   * shared by the constructs of the stack, and notifies every topic they give). The handler and the
   * follower may publish to it; for a topic encrypted with a KMS key the app defines, the key lets
   * them and CloudWatch (otherwise a warning says what to grant).
   *
   * @default - no report topic: failures are logged, counted and put as events
   */
  readonly reportTopic?: sns.ITopic;

  /**
   * The event bus this resource's events (tasks started, failures, and, for a task, its outcome)
   * are put on; the stack's handler may put events on it (and on the default bus, for the
   * resources that give none). Give a `MitigationEventBus` before acting on these events: the
   * default bus accepts `PutEvents` from any principal of the account allowed it.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Update the AWS Security Hub findings of this resource's tasks when they finish, as
   * `AuditMitigation`'s `securityHub` does (see `SecurityHubOptions`): the stack's task follower
   * may then find and note this region's findings; `enableIntegration` turns on Device Defender's
   * Security Hub integration as `AuditMitigation`'s does (once per stack).
   *
   * @default - Security Hub is not touched
   */
  readonly securityHub?: SecurityHubOptions;
}

/**
 * Starts audit mitigation actions tasks when the stack is deployed, for a whole audit, a list
 * of findings or a filtered set of an audit's findings.
 *
 * Create starts the tasks; an Update to work (target, rules, `runId`) that never ran starts new
 * ones, while a rollback or an Update back to earlier work starts nothing; Delete never fails the
 * stack and, with `cancelOnDelete`, cancels tasks still in progress, a few at a time, stopping in
 * time to answer CloudFormation.
 *
 * Every permanent failure (a Create or an Update that fails, tasks a Delete did not cancel) is a
 * `PermanentFailures` datapoint, an ERROR log line, a `Mitigation Failed` event and a report to
 * `reportTopic`; the stack's handler has an alarm on them.
 *
 * @resource Custom::IotMitigationAuditTask
 */
export class AuditMitigationTask extends Construct {
  /**
   * The ids of the started tasks (`DescribeAuditMitigationActionsTask` takes them). Known once
   * the stack is deployed.
   */
  public readonly taskIds: string[];

  private readonly ruleSet: AuditRuleSet;

  constructor(scope: Construct, id: string, props: AuditMitigationTaskProps) {
    super(scope, id);
    this.ruleSet = new AuditRuleSet(this);
    for (const rule of props.rules ?? []) { this.addRule(rule.check, rule.actions); }
    this.node.addValidation({
      validate: () => this.ruleSet.given === 0 ? ['an AuditMitigationTask needs at least one rule (rules or addRule())'] : [],
    });
    const target = props.target._bind(this, this.ruleSet);
    if (props.runId !== undefined) {
      validatePattern(this, 'runId', props.runId, RUN_ID_PATTERN, 'must be 1 to 64 letters, digits, ".", "_" or "-"');
    }

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: auditMitigationTaskProvider(this, { reportTopic: props.reportTopic, eventBus: props.eventBus }).serviceToken,
      resourceType: AUDIT_MITIGATION_TASK_RESOURCE_TYPE,
      properties: {
        ...target.properties,
        [P.AUDIT_CHECK_TO_ACTIONS_MAPPING]: Lazy.any({ produce: () => this.ruleSet.toMapping() }),
        [P.CANCEL_ON_DELETE]: String(props.cancelOnDelete ?? false),
        [P.RUN_ID]: props.runId,
        // The Mitigation metric dimension and events' detail.mitigation, and where failures are
        // reported; not part of the work, so adding or changing them starts nothing.
        [P.MITIGATION_NAME]: this.node.path,
        [P.REPORT_TOPIC_ARN]: props.reportTopic?.topicArn,
        [P.EVENT_BUS_ARN]: props.eventBus?.eventBusArn,
      },
    });
    // The mapping names the actions with Ref, so CloudFormation creates them first.
    // AWS says nothing when a task ends: the stack's follower reports each outcome once. The
    // physical id names the tasks' prefix and count.
    TaskFollower.of(this).follow({
      mitigation: this,
      kind: 'audit',
      physicalResourceId: resource.ref,
      reportTopic: props.reportTopic,
      eventBus: props.eventBus,
      securityHub: props.securityHub !== undefined,
    });
    if (props.securityHub?.enableIntegration) {
      SecurityHubIntegration.requestedBy(this, { reportTopic: props.reportTopic, eventBus: props.eventBus });
    }
    this.taskIds = Token.asList(Fn.split(',', resource.getAttString('TaskIds'), target.taskCount));
  }

  /**
   * Applies `actions`, in this order, to the targeted findings of `check`; the same checks as
   * `AuditMitigation.addRule()`.
   */
  public addRule(check: AuditCheck, actions: IMitigationAction[]): void {
    this.ruleSet.add(check, actions);
  }

  /**
   * The rules so far, as the handler gets them: each audit check that has a rule, with the names
   * of its actions in the order they apply (the API's `auditCheckToActionsMapping`). Each read
   * returns a new map, without the rules `addRule()` adds later.
   *
   * The name of an action defined in this app is a token (it resolves to the action's `Ref`), so
   * compare it with `action.mitigationActionName`, or resolve both with `Stack.of(this).resolve()`;
   * an imported action's name is the name you gave.
   */
  public get rules(): { [check: string]: string[] } {
    return this.ruleSet.toMapping();
  }
}
