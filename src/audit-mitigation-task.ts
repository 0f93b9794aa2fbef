import { CustomResource, Fn, Lazy, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditMitigationRule } from './audit-mitigation-rule';
import { AuditMitigationTarget } from './audit-mitigation-target';
import { RUN_ID_PATTERN } from './contract';
import { IMitigationAction } from './mitigation-action';
import { auditMitigationTaskProvider } from './private/provider';
import { AuditRuleSet } from './private/rules';
import { TaskFollower } from './private/task-follower';
import { validatePattern } from './private/validation';

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
      serviceToken: auditMitigationTaskProvider(this).serviceToken,
      resourceType: 'Custom::IotMitigationAuditTask',
      properties: {
        ...target.properties,
        AuditCheckToActionsMapping: Lazy.any({ produce: () => this.rules.toMapping() }),
        CancelOnDelete: String(props.cancelOnDelete ?? false),
        RunId: props.runId,
        // The Mitigation metric dimension and events' detail.mitigation; not part of the work, so
        // adding or changing it starts nothing.
        MitigationName: this.node.path,
      },
    });
    // The mapping names the actions with Ref, so CloudFormation creates them first.
    // AWS says nothing when a task ends: the stack's follower reports each outcome once. The
    // physical id names the tasks' prefix and count.
    TaskFollower.of(this).follow({ mitigation: this, kind: 'audit', physicalResourceId: resource.ref });
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
