import { FollowedMitigation } from '../../contract/environment';
import { ExecutionCounts, METRIC_DIMENSIONS as D, METRICS, TaskKind } from '../../contract/telemetry';
import { parsePhysicalId } from '../shared/ids';
import type { MetricLine, MetricName } from '../shared/metrics';
import type { TaskOutcome } from '../shared/task-outcome';

// The task follower's decisions about tasks, pure: which listed tasks belong to which followed
// construct, and the metric lines of an outcome.

/**
 * The followed construct a listed task belongs to, or undefined (another construct's, or someone
 * else's). A task id prefix matches `<prefix>-<anything>`; an AuditMitigationTask's physical id
 * `<prefix>:<count>` matches exactly `<prefix>-0` ... `<prefix>-<count-1>`. Only audit tasks
 * belong to audit constructs, detect tasks to detect constructs. A physical id the handler never
 * issued (a failed Create) matches nothing.
 */
export function followedOf(kind: TaskKind, taskId: string, followed: FollowedMitigation[]): FollowedMitigation | undefined {
  return followed.find((f) => {
    if (f.kind !== kind) { return false; }
    if (f.taskIdPrefix && taskId.startsWith(`${f.taskIdPrefix}-`)) { return true; }
    const resource = f.physicalResourceId ? parsePhysicalId(f.physicalResourceId) : undefined;
    if (!resource || !taskId.startsWith(`${resource.prefix}-`)) { return false; }
    const index = taskId.slice(resource.prefix.length + 1);
    return /^(0|[1-9]\d*)$/.test(index) && Number(index) < resource.count;
  });
}

const executionValues = (c: ExecutionCounts): Partial<Record<MetricName, number>> => ({
  [METRICS.EXECUTIONS_SUCCEEDED]: c.succeeded,
  [METRICS.EXECUTIONS_FAILED]: c.failed,
  [METRICS.EXECUTIONS_SKIPPED]: c.skipped,
  [METRICS.EXECUTIONS_CANCELED]: c.canceled,
});

/**
 * The metric lines of one outcome: the task and its executions under [Mitigation], the executions
 * of each action under [Mitigation, ActionName], and for audit tasks the executions and mitigated
 * findings of each check under [Mitigation, CheckName] (the [Mitigation] line carries the
 * mitigated findings of every check). Zeros are written: they are data for the alarms.
 */
export function metricLinesOf(mitigation: string, outcome: TaskOutcome): MetricLine[] {
  const findings = outcome.findingsByCheck;
  const mitigated = findings ? { [METRICS.FINDINGS_MITIGATED]: Object.values(findings).reduce((sum, f) => sum + f.succeeded, 0) } : {};
  const lines: MetricLine[] = [{
    dimensions: { [D.MITIGATION]: mitigation },
    dimensionSets: [[D.MITIGATION]],
    values: { [METRICS.TASKS_FINISHED]: 1, ...executionValues(outcome.executions), ...mitigated },
  }];
  for (const [actionName, counts] of Object.entries(outcome.byAction)) {
    lines.push({
      dimensions: { [D.MITIGATION]: mitigation, [D.ACTION]: actionName },
      dimensionSets: [[D.MITIGATION, D.ACTION]],
      values: executionValues(counts),
    });
  }
  if (outcome.taskKind === 'audit') {
    const none: ExecutionCounts = { succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
    for (const check of [...new Set([...Object.keys(outcome.byCheck ?? {}), ...Object.keys(findings ?? {})])].sort()) {
      lines.push({
        dimensions: { [D.MITIGATION]: mitigation, [D.CHECK]: check },
        dimensionSets: [[D.MITIGATION, D.CHECK]],
        values: { ...executionValues(outcome.byCheck?.[check] ?? none), [METRICS.FINDINGS_MITIGATED]: findings?.[check]?.succeeded ?? 0 },
      });
    }
  }
  return lines;
}
