import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { scheduledAuditNameOf } from './audit-setup';
import { unauditedRules } from './audit-wiring';
import { AuditRuleSet, RuleAction } from './rules';
import { invalid } from './validation';
import { AuditCheck } from '../audit-check';
import { AUDIT_ENV as ENV } from '../contract/environment';
import { taskIdPrefixOf } from '../contract/limits';
import { SPOKE_CONFIG_VERSION, SpokeConfig } from '../contract/organization';

/** The blast-radius limit when none is given. */
export const DEFAULT_MAX_FINDINGS_PER_CHECK = 100;

/** One rule, as `AuditMitigationRule` gives it. */
export interface AuditPolicyRule {
  readonly check: AuditCheck;
  readonly actions: RuleAction[];
}

/** What describes an account's audit mitigation policy (the props `AuditMitigation` and `MitigationSpoke` share). */
export interface AuditPolicyProps {
  readonly rules?: AuditPolicyRule[];
  readonly includeOnDemandAudits?: boolean;
  readonly dryRun?: boolean;
  readonly maxFindingsPerCheck?: number;
}

/**
 * The handler's environment variable for each field of `SpokeConfig`: one policy, two renderings
 * (a local handler's environment, a spoke's configuration document). A field added to the
 * document without its variable here does not compile.
 */
export const POLICY_VARIABLES: { readonly [K in Exclude<keyof SpokeConfig, 'version'>]-?: string } = {
  includeOnDemandAudits: ENV.INCLUDE_ON_DEMAND,
  dryRun: ENV.DRY_RUN,
  maxFindingsPerCheck: ENV.MAX_FINDINGS_PER_CHECK,
  taskIdPrefix: ENV.TASK_ID_PREFIX,
  mitigation: ENV.MITIGATION,
  rules: ENV.RULES,
  scheduledAudits: ENV.SCHEDULED_AUDITS,
};

/** The fields a handler gets as they are when the construct is built, in the order its environment lists them. */
const FIXED_FIELDS = ['includeOnDemandAudits', 'dryRun', 'maxFindingsPerCheck', 'taskIdPrefix', 'mitigation'] as const;

/**
 * An account's audit mitigation policy, as `AuditMitigation` and `MitigationSpoke` hold it: the
 * rules (checked as they are added), the scheduled audits acted on, the safety rails, and the
 * synth-time checks against the app's audit configuration and scheduled audits. It renders as a
 * `SpokeConfig` document, and, for a local handler, as that document's fields in environment
 * variables (`environment()`, `bindTo()`), so the two cannot drift.
 */
export class AuditPolicy {
  public readonly dryRun: boolean;
  public readonly maxFindingsPerCheck: number;
  public readonly includeOnDemandAudits: boolean;
  public readonly ruleSet: AuditRuleSet;
  /** The scheduled audits acted on; `undefined` for every scheduled audit. */
  private scheduledAudits?: IConstruct[];
  /** Their names, in the same order. */
  private readonly scheduledAuditNames: string[] = [];
  /** Called once, when the policy first names a scheduled audit. */
  private readonly onRestricted: Array<() => void> = [];

  /**
   * Validates and records the policy of `owner` (`kind` names it in messages: "an AuditMitigation").
   * Scheduled audits are added with `addScheduledAudit()`, once whatever renders them is bound.
   */
  constructor(private readonly owner: IConstruct, kind: string, props: AuditPolicyProps) {
    const maxFindingsPerCheck = props.maxFindingsPerCheck ?? DEFAULT_MAX_FINDINGS_PER_CHECK;
    this.maxFindingsPerCheck = maxFindingsPerCheck;
    this.dryRun = props.dryRun ?? false;
    this.includeOnDemandAudits = props.includeOnDemandAudits ?? false;
    if (!Token.isUnresolved(maxFindingsPerCheck) && (!Number.isInteger(maxFindingsPerCheck) || maxFindingsPerCheck < 1)) {
      invalid(owner, 'maxFindingsPerCheck', maxFindingsPerCheck, 'must be a whole number of at least 1');
    }
    this.ruleSet = new AuditRuleSet(owner);
    for (const rule of props.rules ?? []) { this.ruleSet.add(rule.check, rule.actions); }
    owner.node.addValidation({
      validate: () => this.ruleSet.given === 0 ? [`${kind} needs at least one rule (rules or addRule())`] : [],
    });
    // Rules may be added after the audit configuration and scheduled audits: check them together at synth.
    owner.node.addValidation({
      validate: () => unauditedRules(owner, this.ruleSet.checks, this.scheduledAudits, this.includeOnDemandAudits),
    });
  }

  /**
   * Acts only on the audits of the scheduled audits added (and on-demand ones when
   * `includeOnDemandAudits` is set). Refuses anything that is not a scheduled audit.
   */
  public addScheduledAudit(audit: IConstruct): void {
    const name = scheduledAuditNameOf(audit);
    if (name === undefined) {
      invalid(this.owner, 'scheduledAudits', audit.node.path, 'must be a scheduled audit: a ScheduledAudit, an iot.IScheduledAuditRef '
        + '(CfnScheduledAudit), or aws-iot-alpha\'s ScheduledAudit (defined, or imported with fromScheduledAuditArn or '
        + 'fromScheduledAuditAttributes)');
      return;
    }
    this.restrictToScheduledAudits();
    this.scheduledAudits!.push(audit);
    this.scheduledAuditNames.push(name);
  }

  /** Acts only on the scheduled audits given, even when none is given (the `scheduledAudits` prop, even `[]`). */
  public restrictToScheduledAudits(): void {
    if (this.scheduledAudits) { return; }
    this.scheduledAudits = [];
    this.onRestricted.forEach((listener) => listener());
  }

  /** The policy as the hub reads it; the rules and scheduled audits as they are now. */
  public toSpokeConfig(): SpokeConfig {
    return {
      version: SPOKE_CONFIG_VERSION,
      mitigation: this.owner.node.path,
      rules: this.ruleSet.toMapping(),
      ...(this.scheduledAudits ? { scheduledAudits: [...this.scheduledAuditNames] } : {}),
      includeOnDemandAudits: this.includeOnDemandAudits,
      dryRun: this.dryRun,
      maxFindingsPerCheck: this.maxFindingsPerCheck,
      taskIdPrefix: taskIdPrefixOf(this.owner.node.addr),
    };
  }

  /**
   * The fields of `toSpokeConfig()` that are fixed when the construct is built, as the handler's
   * environment variables, in this order: include on-demand audits, dry run, blast-radius limit,
   * task id prefix, mitigation.
   */
  public environment(): Record<string, string> {
    const config = this.toSpokeConfig();
    return Object.fromEntries(FIXED_FIELDS.map((field) => [POLICY_VARIABLES[field], String(config[field])]));
  }

  /**
   * Gives `handler` the fields that may still grow, rendered when the template is written: the
   * rules now, the scheduled audits once the policy names one (then or later).
   */
  public bindTo(handler: lambda.Function): void {
    const stack = Stack.of(this.owner);
    handler.addEnvironment(POLICY_VARIABLES.rules, Lazy.string({ produce: () => stack.toJsonString(this.toSpokeConfig().rules) }));
    const renderScheduledAudits = () => handler.addEnvironment(POLICY_VARIABLES.scheduledAudits,
      Lazy.string({ produce: () => stack.toJsonString(this.toSpokeConfig().scheduledAudits) }));
    if (this.scheduledAudits) { renderScheduledAudits(); } else { this.onRestricted.push(renderScheduledAudits); }
  }
}
