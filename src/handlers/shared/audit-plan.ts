import { AuditSummary, AuditTrigger } from './audit-summary';
import { auditMitigationTaskId, clientRequestToken } from './ids';
import { SpokeConfig } from '../../contract/organization';

/**
 * How an `AuditMitigation` (from its function's environment) or a spoke (from its configuration
 * document) was configured: the spoke's policy, in the account the handler acts in.
 */
export interface AuditMitigationConfig extends Omit<SpokeConfig, 'version' | 'mitigation'> {
  /** The account the handler acts in; notifications from other accounts are ignored. */
  readonly accountId: string;
  /**
   * Audits that started longer ago than this many hours are ignored (`too-old`): the reconciler's
   * lookback, so a notification (or a direct invoke) cannot mitigate an audit the reconciler would
   * no longer look at, such as one skipped during a dry-run period. Undefined = no age bound.
   */
  readonly maxAuditAgeHours?: number;
}

export interface PlannedCheck {
  readonly checkName: string;
  readonly actions: string[];
  /** Unsuppressed non-compliant resources the actions will apply to. */
  readonly resourceCount: number;
}

export interface ExcludedCheck {
  readonly checkName: string;
  readonly resourceCount: number;
  readonly reason: string;
}

/** What to do about one audit. */
export type AuditPlan =
  | {
    readonly kind: 'ignore';
    readonly auditTaskId: string;
    readonly reason: string;
    /** Set for an audit older than `maxAuditAgeHours`: counted (`AuditsTooOld`), where other ignored audits are only logged. */
    readonly tooOld?: true;
  }
  | {
    readonly kind: 'start' | 'nothing-to-start';
    readonly auditTaskId: string;
    readonly scheduledAuditName?: string;
    readonly taskId: string;
    readonly clientRequestToken: string;
    readonly checks: PlannedCheck[];
    readonly excluded: ExcludedCheck[];
    /** Checks with a rule that found nothing to mitigate, and why. */
    readonly skipped: ExcludedCheck[];
  };

/**
 * Whether a notification can be set aside without asking AWS: it names another account, or a
 * scheduled audit this construct does not act on. Undefined = ask DescribeAuditTask. Fields the
 * message lacks never count against it: it is only a trigger.
 */
export function reasonToIgnoreTrigger(trigger: AuditTrigger, config: AuditMitigationConfig): string | undefined {
  if (trigger.accountId !== undefined && trigger.accountId !== config.accountId) {
    return `audit of account ${trigger.accountId}, not ${config.accountId}`;
  }
  if (trigger.scheduledAuditName !== undefined && config.scheduledAudits && !config.scheduledAudits.includes(trigger.scheduledAuditName)) {
    return `scheduled audit ${JSON.stringify(trigger.scheduledAuditName)} is not one of ${config.scheduledAudits.join(', ')}`;
  }
  return undefined;
}

/**
 * Why an audit is too old to mitigate (`config.maxAuditAgeHours`), or undefined when it is not. An
 * audit whose start time DescribeAuditTask did not give is too old too: its age cannot be checked.
 */
export function tooOld(audit: AuditSummary, config: AuditMitigationConfig, now: Date): string | undefined {
  if (config.maxAuditAgeHours === undefined) { return undefined; }
  if (!audit.taskStartTime) {
    return `DescribeAuditTask gave no taskStartTime, so the audit's age cannot be checked against ${config.maxAuditAgeHours} h (reconcileLookback)`;
  }
  const ageHours = (now.getTime() - audit.taskStartTime.getTime()) / 3_600_000;
  if (ageHours <= config.maxAuditAgeHours) { return undefined; }
  return `audit started ${audit.taskStartTime.toISOString()}, ${Math.floor(ageHours)} h ago: older than reconcileLookback `
    + `(${config.maxAuditAgeHours} h), so it is not mitigated (start a task for it by hand, e.g. with AuditMitigationTask, after review)`;
}

/**
 * Decides what to do about a finished audit, from what DescribeAuditTask says about it: which
 * checks to mitigate with which actions, and which to leave out. Pure (`now` is the caller's
 * clock, for the age bound): the notification path, the reconciler and the CLI's preview all use it.
 */
export function planAuditMitigation(audit: AuditSummary, config: AuditMitigationConfig, now: Date): AuditPlan {
  const ignore = (reason: string): AuditPlan => ({ kind: 'ignore', auditTaskId: audit.taskId, reason });
  if (audit.taskStatus !== 'COMPLETED') {
    return ignore(`audit status is ${audit.taskStatus} (DescribeAuditTask), not COMPLETED`);
  }
  if (audit.taskType === 'ON_DEMAND_AUDIT_TASK') {
    if (!config.includeOnDemandAudits) { return ignore('on-demand audit, and includeOnDemandAudits is false'); }
  } else if (audit.taskType === 'SCHEDULED_AUDIT_TASK') {
    if (config.scheduledAudits && !config.scheduledAudits.includes(audit.scheduledAuditName ?? '')) {
      return ignore(`scheduled audit ${JSON.stringify(audit.scheduledAuditName ?? null)} is not one of ${config.scheduledAudits.join(', ')}`);
    }
  } else {
    return ignore(`unknown audit type ${audit.taskType}`);
  }
  const age = tooOld(audit, config, now);
  if (age) { return { kind: 'ignore', auditTaskId: audit.taskId, reason: `too-old: ${age}`, tooOld: true }; }

  const checks: PlannedCheck[] = [];
  const excluded: ExcludedCheck[] = [];
  const skipped: ExcludedCheck[] = [];
  for (const check of audit.checks) {
    const actions = config.rules[check.checkName];
    if (!actions) { continue; }
    if (check.checkRunStatus === 'COMPLETED_NON_COMPLIANT' && check.nonCompliantResourcesCount === undefined) {
      excluded.push({
        checkName: check.checkName,
        resourceCount: 0,
        reason: 'DescribeAuditTask gave no nonCompliantResourcesCount, so maxFindingsPerCheck cannot be checked; apply by hand after review',
      });
      continue;
    }
    const resourceCount = Math.max(0, (check.nonCompliantResourcesCount ?? 0) - check.suppressedNonCompliantResourcesCount);
    if (check.checkRunStatus !== 'COMPLETED_NON_COMPLIANT') {
      skipped.push({ checkName: check.checkName, resourceCount, reason: `check run status ${check.checkRunStatus}` });
    } else if (resourceCount === 0) {
      skipped.push({ checkName: check.checkName, resourceCount, reason: 'every non-compliant finding is suppressed' });
    } else if (resourceCount > config.maxFindingsPerCheck) {
      excluded.push({
        checkName: check.checkName,
        resourceCount,
        reason: `${resourceCount} non-compliant resources exceed maxFindingsPerCheck (${config.maxFindingsPerCheck}); apply by hand after review`,
      });
    } else {
      checks.push({ checkName: check.checkName, actions: [...actions], resourceCount });
    }
  }
  const taskId = auditMitigationTaskId(config.taskIdPrefix, audit.taskId);
  return {
    kind: checks.length > 0 ? 'start' : 'nothing-to-start',
    auditTaskId: audit.taskId,
    scheduledAuditName: audit.scheduledAuditName,
    taskId,
    clientRequestToken: clientRequestToken(taskId),
    checks,
    excluded,
    skipped,
  };
}

/** The `auditCheckToActionsMapping` of a plan. */
export function actionsMapping(checks: PlannedCheck[]): Record<string, string[]> {
  return Object.fromEntries(checks.map((c) => [c.checkName, c.actions]));
}
