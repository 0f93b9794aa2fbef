import { parsePhysicalId } from './audit-task-plan';
import { ConfigError } from './config';
import type { MetricName } from './metrics';
import type { TaskOutcome } from './task-outcome';
import { DEFAULT_FOLLOWER_LOOKBACK_HOURS, FollowedMitigation, FOLLOWER_ENV } from '../../contract/environment';
import { ExecutionCounts, METRIC_DIMENSIONS as D, METRICS, TaskKind } from '../../contract/telemetry';

// The task follower's decisions, pure: its configuration, which listed tasks belong to which
// followed construct, and the metric lines of an outcome.

export interface FollowerConfig {
  readonly tableName: string;
  readonly followed: FollowedMitigation[];
  readonly lookbackHours: number;
}

/** Reads the follower's configuration; throws a ConfigError naming the variable and the value. */
export function readFollowerConfig(env: NodeJS.ProcessEnv): FollowerConfig {
  const tableName = env[FOLLOWER_ENV.TABLE_NAME];
  if (!tableName) { throw new ConfigError(`environment variable ${FOLLOWER_ENV.TABLE_NAME} is not set`); }
  const raw = env[FOLLOWER_ENV.FOLLOWED];
  if (!raw) { throw new ConfigError(`environment variable ${FOLLOWER_ENV.FOLLOWED} is not set`); }
  let followed: unknown;
  try {
    followed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`environment variable ${FOLLOWER_ENV.FOLLOWED} is not JSON: ${raw}`);
  }
  if (!Array.isArray(followed)) { throw new ConfigError(`${FOLLOWER_ENV.FOLLOWED} must be a JSON array, got ${raw}`); }
  for (const f of followed as Array<Partial<FollowedMitigation>>) {
    const problem = !f || typeof f.mitigation !== 'string' || f.mitigation === '' ? 'has no mitigation'
      : f.kind !== 'audit' && f.kind !== 'detect' ? `has kind ${JSON.stringify(f.kind)} (allowed: "audit", "detect")`
        : !f.taskIdPrefix && !f.physicalResourceId ? 'has neither taskIdPrefix nor physicalResourceId'
          : undefined;
    if (problem) { throw new ConfigError(`${FOLLOWER_ENV.FOLLOWED}: entry ${JSON.stringify(f)} ${problem}`); }
  }
  const hours = env[FOLLOWER_ENV.LOOKBACK_HOURS] ? Number(env[FOLLOWER_ENV.LOOKBACK_HOURS]) : DEFAULT_FOLLOWER_LOOKBACK_HOURS;
  if (!Number.isInteger(hours) || hours < 1) {
    throw new ConfigError(`${FOLLOWER_ENV.LOOKBACK_HOURS} must be a positive integer, got ${env[FOLLOWER_ENV.LOOKBACK_HOURS]}`);
  }
  return { tableName, followed: followed as FollowedMitigation[], lookbackHours: hours };
}

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

/** One embedded-metric-format line: `emitMetrics(dimensions, dimensionSets, values)`. */
export interface MetricLine {
  readonly dimensions: Record<string, string>;
  readonly dimensionSets: string[][];
  readonly values: Partial<Record<MetricName, number>>;
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
