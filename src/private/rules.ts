import { IConstruct } from 'constructs';
import { supportedActionTypes } from './action-types';
import { describeValue, refuse } from './validation';
import { AuditCheck } from '../audit-check';
import { MitigationActionType } from '../mitigation-action-type';

/** StartAuditMitigationActionsTask takes at most 5 actions per check. */
export const MAX_ACTIONS_PER_CHECK = 5;

/** What a rule needs to know of a mitigation action (an `IMitigationAction` has it). */
export interface RuleAction extends IConstruct {
  readonly mitigationActionName: string;
  readonly actionType?: MitigationActionType;
}

/**
 * The audit check to actions mapping of an audit mitigation construct, validated against the
 * Device Defender guide's table as rules are added.
 */
export class AuditRuleSet<A extends RuleAction = RuleAction> {
  private readonly rules = new Map<AuditCheck, A[]>();
  private givenCount = 0;

  constructor(private readonly owner: IConstruct) {}

  /**
   * Records one rule; refuses at synth (naming the owner, the value and what is allowed) an unknown
   * check, a check that already has a rule, and a wrong list of actions. A refused rule is not recorded.
   */
  public add(check: AuditCheck, actions: A[]): void {
    this.givenCount++;
    const known = Object.values(AuditCheck) as string[];
    if (!known.includes(check)) {
      refuse(this.owner, `unknown audit check ${describeValue(check)}: must be one of ${known.join(', ')}`);
      return;
    }
    const rule = `rule for ${check}`;
    const problems: string[] = [];
    if (this.rules.has(check)) {
      problems.push('the check already has a rule; give all its actions in one rule '
        + `(at most ${MAX_ACTIONS_PER_CHECK}, applied in order)`);
    }
    if (actions.length === 0) {
      problems.push(`needs 1 to ${MAX_ACTIONS_PER_CHECK} actions, got none`);
    }
    if (actions.length > MAX_ACTIONS_PER_CHECK) {
      problems.push(`needs 1 to ${MAX_ACTIONS_PER_CHECK} actions, got ${actions.length}: ${actions.map((a) => a.node.path).join(', ')}`);
    }
    const supported = supportedActionTypes(check)!;
    actions.forEach((action, i) => {
      if (actions.indexOf(action) !== i) {
        problems.push(`action ${action.node.path} is listed twice; each action applies once per finding`);
      } else if (action.actionType === undefined) {
        problems.push(`the type of action ${action.node.path} is unknown; import it with `
          + 'MitigationAction.fromMitigationActionAttributes({ actionType }) so it can be checked');
      } else if (!supported.includes(action.actionType)) {
        problems.push(`action ${action.node.path} is ${action.actionType}, which AWS IoT Device Defender `
          + `cannot apply to ${check} findings; allowed: ${supported.join(', ')}`);
      }
    });
    problems.forEach((problem) => refuse(this.owner, `${rule}: ${problem}`));
    if (problems.length === 0) { this.rules.set(check, [...actions]); }
  }

  /** How many rules were given, refused ones included (a construct with only refused rules is not also told it has none). */
  public get given(): number {
    return this.givenCount;
  }

  public get size(): number {
    return this.rules.size;
  }

  public get checks(): AuditCheck[] {
    return [...this.rules.keys()];
  }

  /** The API's `auditCheckToActionsMapping`: check name to action names, in order. */
  public toMapping(): Record<string, string[]> {
    const mapping: Record<string, string[]> = {};
    for (const [check, actions] of this.rules) {
      mapping[check] = actions.map((a) => a.mitigationActionName);
    }
    return mapping;
  }

  public get actions(): A[] {
    return [...new Set([...this.rules.values()].flat())];
  }
}
