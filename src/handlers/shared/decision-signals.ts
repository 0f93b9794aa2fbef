import type { AuditPlan } from './audit-plan';
import { actionsMapping } from './audit-plan';
import type { MitigationEvent } from './events';
import type { MetricLine } from './metrics';
import { ChecksExcludedDetail, DryRunDetail, EVENT_DETAIL_TYPES, METRIC_DIMENSIONS, METRICS, TaskStartedDetail } from '../../contract/telemetry';

// What a decision is besides its report, as data: the EventBridge events and the
// embedded-metric-format lines. The handlers' decide() functions say WHEN (once per decision, see
// report.ts) and perform() writes them (effects.ts).

const MITIGATION = METRIC_DIMENSIONS.MITIGATION;
const CHECK = METRIC_DIMENSIONS.CHECK;

/** A plan that names checks (not an ignored audit). */
export type CheckPlan = Exclude<AuditPlan, { kind: 'ignore' }>;

/** Per-mitigation counts (`TasksStarted`, `DryRunPlans`, `AuditsRecovered`, `AuditsTooOld`): dimension set [Mitigation]. */
export function mitigationCounts(mitigation: string,
  values: Partial<Record<'TasksStarted' | 'DryRunPlans' | 'AuditsRecovered' | 'AuditsTooOld', number>>): MetricLine {
  return { dimensions: { [MITIGATION]: mitigation }, dimensionSets: [[MITIGATION]], values };
}

/**
 * An audit plan's per-check counts, one line per check with [Mitigation] and
 * [Mitigation, CheckName]: `FindingsFound` for every check with a rule and findings (planned or
 * excluded), `ChecksExcluded` (1) and `FindingsExcluded` for each check the blast-radius limit left out.
 */
export function auditPlanMetricLines(mitigation: string, plan: CheckPlan): MetricLine[] {
  const sets = [[MITIGATION], [MITIGATION, CHECK]];
  return [
    ...plan.checks.map((check): MetricLine => ({
      dimensions: { [MITIGATION]: mitigation, [CHECK]: check.checkName },
      dimensionSets: sets,
      values: { [METRICS.FINDINGS_FOUND]: check.resourceCount },
    })),
    ...plan.excluded.map((check): MetricLine => ({
      dimensions: { [MITIGATION]: mitigation, [CHECK]: check.checkName },
      dimensionSets: sets,
      values: {
        ...(check.resourceCount > 0 ? { [METRICS.FINDINGS_FOUND]: check.resourceCount } : {}),
        [METRICS.CHECKS_EXCLUDED]: 1,
        [METRICS.FINDINGS_EXCLUDED]: check.resourceCount,
      },
    })),
  ];
}

/** The `Mitigation Task Started` event of an audit plan's task. */
export function auditTaskStartedEvent(mitigation: string, plan: CheckPlan, alreadyStarted: boolean): MitigationEvent {
  const detail: TaskStartedDetail = {
    mitigation, taskKind: 'audit', taskId: plan.taskId, auditTaskId: plan.auditTaskId, checks: actionsMapping(plan.checks), alreadyStarted,
  };
  return { detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail };
}

/** The `Mitigation Checks Excluded` event of a plan, or none when it excludes nothing. */
export function checksExcludedEvents(mitigation: string, plan: CheckPlan): MitigationEvent[] {
  if (plan.excluded.length === 0) { return []; }
  const detail: ChecksExcludedDetail = {
    mitigation,
    auditTaskId: plan.auditTaskId,
    taskId: plan.taskId,
    excluded: plan.excluded.map((c) => ({ checkName: c.checkName, findings: c.resourceCount, reason: c.reason })),
  };
  return [{ detailType: EVENT_DETAIL_TYPES.CHECKS_EXCLUDED, detail }];
}

/** The `Mitigation Dry Run` event of an audit plan. */
export function auditDryRunEvent(mitigation: string, plan: CheckPlan): MitigationEvent {
  const detail: DryRunDetail = {
    mitigation, taskKind: 'audit', taskId: plan.taskId, auditTaskId: plan.auditTaskId, checks: actionsMapping(plan.checks),
  };
  return { detailType: EVENT_DETAIL_TYPES.DRY_RUN, detail };
}

/** The `Mitigation Task Started` event of a detect task. */
export function detectTaskStartedEvent(
  mitigation: string, taskId: string, violationIds: string[], actions: string[], alreadyStarted: boolean,
): MitigationEvent {
  const detail: TaskStartedDetail = { mitigation, taskKind: 'detect', taskId, violationIds, actions, alreadyStarted };
  return { detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail };
}

/** The `Mitigation Dry Run` event of a detect batch. */
export function detectDryRunEvent(mitigation: string, taskId: string, violationIds: string[], actions: string[]): MitigationEvent {
  const detail: DryRunDetail = { mitigation, taskKind: 'detect', taskId, violationIds, actions };
  return { detailType: EVENT_DETAIL_TYPES.DRY_RUN, detail };
}

/** The `Mitigation Task Started` event of a task an `AuditMitigationTask` started (or found started). */
export function resourceTaskStartedEvent(mitigation: string, task: {
  readonly taskId: string; readonly target: { readonly auditTaskId?: string }; readonly auditCheckToActionsMapping: Record<string, string[]>;
}, alreadyStarted: boolean): MitigationEvent {
  const detail: TaskStartedDetail = {
    mitigation,
    taskKind: 'audit',
    taskId: task.taskId,
    ...(task.target.auditTaskId ? { auditTaskId: task.target.auditTaskId } : {}),
    checks: task.auditCheckToActionsMapping,
    alreadyStarted,
  };
  return { detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail };
}
