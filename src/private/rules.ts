import { IConstruct } from 'constructs';
import { supportedActionTypes } from './action-types';
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

  constructor(private readonly owner: IConstruct) {}

  /** Validates and records one rule; throws an Error naming the owner, the value and what is allowed. */
  public add(check: AuditCheck, actions: A[]): void {
    const where = `${this.owner.node.path}: rule for ${check}`;
    const known = Object.values(AuditCheck) as string[];
    if (!known.includes(check)) {
      throw new Error(`${this.owner.node.path}: unknown audit check ${JSON.stringify(check)}: must be one of ${known.join(', ')}`);
    }
    if (this.rules.has(check)) {
      throw new Error(`${where}: the check already has a rule; give all its actions in one rule (at most ${MAX_ACTIONS_PER_CHECK}, applied in order)`);
    }
    if (actions.length === 0) {
      throw new Error(`${where}: needs 1 to ${MAX_ACTIONS_PER_CHECK} actions, got none`);
    }
    if (actions.length > MAX_ACTIONS_PER_CHECK) {
      throw new Error(`${where}: needs 1 to ${MAX_ACTIONS_PER_CHECK} actions, got ${actions.length}: `
        + actions.map((a) => a.node.path).join(', '));
    }
    const supported = supportedActionTypes(check)!;
    actions.forEach((action, i) => {
      if (actions.indexOf(action) !== i) {
        throw new Error(`${where}: action ${action.node.path} is listed twice; each action applies once per finding`);
      }
      if (action.actionType === undefined) {
        throw new Error(`${where}: the type of action ${action.node.path} is unknown; import it with `
          + 'MitigationAction.fromMitigationActionAttributes({ actionType }) so it can be checked');
      }
      if (!supported.includes(action.actionType)) {
        throw new Error(`${where}: action ${action.node.path} is ${action.actionType}, which AWS IoT Device Defender `
          + `cannot apply to ${check} findings; allowed: ${supported.join(', ')}`);
      }
    });
    this.rules.set(check, [...actions]);
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
