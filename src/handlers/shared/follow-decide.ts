import { Answer, errorMessage, errorName, Failure } from './errors';
import type { MitigationEvent } from './events';
import type { Level } from './log';
import type { MetricLine, MetricName } from './metrics';
import type { FinishedTask, TaskOutcome } from './task-outcome';
import type { FollowedMitigation } from '../../contract/environment';
import { EVENT_DETAIL_TYPES, ExecutionCounts, METRIC_DIMENSIONS as D, METRICS, SecurityHubUpdateDetail, TaskKind, TaskOutcomeDetail } from '../../contract/telemetry';

// The task followers' decisions about one finished task, pure: what to ask next (the ledger, AWS
// IoT, EventBridge) and what to report. The stack's follower (task-follower.lambda.ts) and the
// organization hub's (hub-task-follower.lambda.ts) find their tasks each their own way, then both
// follow each one the same way (task-follow.ts, with `now` taken once per run).

/** A claim a run holds on a task in its ledger (`taskId`: the ledger item's key). */
export interface Claim {
  readonly taskId: string;
  /** Unique to the run that claimed: release and take-over check it. */
  readonly claimId: string;
}

/** A finished task of a followed construct. */
export interface Candidate {
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly followed: FollowedMitigation;
}

/** How following one task ended (the run's summary lists it there). */
export type TaskResult = 'reported' | 'claimed-elsewhere' | 'failed' | 'retrying';

/** What is known about one task so far. */
export interface FollowFacts {
  /** The ledger's claim: undefined = another run holds it. */
  readonly claim?: Answer<Claim | undefined>;
  /** The task's outcome as AWS IoT tells it, with its executions; undefined = not finished after all. */
  readonly outcome?: Answer<FinishedTask | undefined>;
  /** What updating the task's Security Hub findings did (constructs with `securityHub`, audit tasks). */
  readonly findings?: Answer<SecurityHubUpdateDetail>;
  /** Whether EventBridge took the outcome event. */
  readonly published?: Answer<void>;
}

/** What to do next about one task. */
export type FollowStep =
  | { readonly kind: 'claim' }
  | { readonly kind: 'read-outcome' }
  /** Note on the task's Security Hub findings what was done, before the outcome goes out (which then says so). */
  | { readonly kind: 'update-findings'; readonly task: FinishedTask }
  | { readonly kind: 'publish'; readonly event: MitigationEvent; readonly eventBusArn?: string }
  /** Another run holds the claim. */
  | { readonly kind: 'claimed-elsewhere'; readonly fields: Record<string, unknown> }
  /** Retried by a later run: log `retrying`, after releasing the claim when `release` (a claim this run holds). */
  | { readonly kind: 'retry'; readonly release: boolean; readonly fields: Record<string, unknown>; readonly error: unknown }
  /**
   * AWS IoT refuses to show the outcome (a role without the read permissions, a task gone): report
   * that once (a permanent failure, through the construct's report topic and event bus), and record
   * the task as done so it does not fail every run for days.
   */
  | { readonly kind: 'give-up'; readonly failure: Failure; readonly fields: Record<string, unknown>; readonly followed: FollowedMitigation }
  /**
   * The outcome is out: write its metrics and its `task-outcome` report (to the construct's report
   * topic when an execution failed), then mark it reported. Whatever fails from here on must not
   * make a later run report it again.
   */
  | {
    readonly kind: 'finish';
    readonly fields: Record<string, unknown>;
    readonly metrics: MetricLine[];
    readonly report: { readonly level: Level; readonly fields: Record<string, unknown>; readonly topicArn?: string };
    /** What was done in Security Hub (constructs with `securityHub`), and when the task ended: for `findingsRetryAt`. */
    readonly securityHub?: SecurityHubUpdateDetail;
    readonly endTime?: string;
  };

/**
 * The next step for one task: claim it, read its outcome, update its Security Hub findings (when
 * followed so), put ONE event, then report it (see `FollowStep`).
 */
export function decideFollow(candidate: Candidate, facts: FollowFacts): FollowStep {
  const { kind, taskId, followed } = candidate;
  const fields = { taskId, taskKind: kind, mitigation: followed.mitigation };
  if (!facts.claim) { return { kind: 'claim' }; }
  if (!('value' in facts.claim)) { return { kind: 'retry', release: false, fields, error: facts.claim.error }; }
  if (!facts.claim.value) { return { kind: 'claimed-elsewhere', fields }; }
  if (!facts.outcome) { return { kind: 'read-outcome' }; }
  if (!('value' in facts.outcome)) {
    return facts.outcome.errorClass === 'permanent'
      ? { kind: 'give-up', failure: facts.outcome, fields, followed }
      : { kind: 'retry', release: true, fields, error: facts.outcome.error };
  }
  if (!facts.outcome.value) {
    return { kind: 'retry', release: true, fields, error: new Error(`task ${taskId} was listed as finished but is not`) };
  }
  if (followed.securityHub && kind === 'audit' && !facts.findings) { return { kind: 'update-findings', task: facts.outcome.value }; }
  if (facts.findings && !('value' in facts.findings)) { return { kind: 'retry', release: true, fields, error: facts.findings.error }; }
  const securityHub = facts.findings && 'value' in facts.findings ? { securityHub: facts.findings.value } : {};
  const detail: TaskOutcomeDetail = { mitigation: followed.mitigation, ...facts.outcome.value.outcome, ...securityHub };
  if (!facts.published) {
    return { kind: 'publish', event: { detailType: EVENT_DETAIL_TYPES.TASK_OUTCOME, detail }, eventBusArn: followed.eventBusArn };
  }
  if (!('value' in facts.published)) { return { kind: 'retry', release: true, fields, error: facts.published.error }; }
  const failed = detail.executions.failed > 0;
  return {
    kind: 'finish',
    fields,
    metrics: metricLinesOf(followed.mitigation, detail),
    report: { level: failed ? 'WARN' : 'INFO', fields: { ...detail }, topicArn: failed ? followed.reportTopicArn : undefined },
    ...(detail.securityHub ? { securityHub: detail.securityHub, endTime: detail.endTime } : {}),
  };
}

/**
 * How long after an audit AWS IoT Device Defender's findings may still be on their way to Security
 * Hub: its integration sends them up to about an hour after the audit, and a task ends after its
 * audit. Findings not there when the task is reported are looked for once more after this.
 */
export const FINDINGS_ARRIVAL_MS = 75 * 60_000;

/**
 * When to look again for the task's findings that were not in Security Hub yet (epoch ms), or
 * undefined: every finding was found, Security Hub refused for good, or the findings had all the
 * time they need to arrive already (they will not: the integration is off for them, or they are gone).
 */
export function findingsRetryAt(securityHub: SecurityHubUpdateDetail | undefined, endTime: string | undefined, now: Date): number | undefined {
  if (!securityHub || securityHub.error !== undefined || securityHub.notFound === 0) { return undefined; }
  const ended = endTime ? Date.parse(endTime) : NaN;
  const at = (Number.isNaN(ended) ? now.getTime() : ended) + FINDINGS_ARRIVAL_MS;
  return at > now.getTime() ? at : undefined;
}

/** What was done in Security Hub, as metric values (the outcome's [Mitigation] line and a late look's). */
const securityHubValues = (detail: SecurityHubUpdateDetail): Partial<Record<MetricName, number>> => ({
  [METRICS.SECURITY_HUB_FINDINGS_UPDATED]: detail.updated,
  [METRICS.SECURITY_HUB_FINDINGS_NOTIFIED]: detail.notified,
});

/** The metric line of a late look at a task's findings: what it updated in Security Hub, under [Mitigation]. */
export function findingsMetricLine(mitigation: string, securityHub: SecurityHubUpdateDetail): MetricLine {
  return { dimensions: { [D.MITIGATION]: mitigation }, dimensionSets: [[D.MITIGATION]], values: securityHubValues(securityHub) };
}


/** The `retrying` line of a task a later run retries. */
export function retryingFields(fields: Record<string, unknown>, error: unknown): Record<string, unknown> {
  return { ...fields, error: errorName(error), message: errorMessage(error) };
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
  const securityHub = outcome.securityHub ? securityHubValues(outcome.securityHub) : {};
  const lines: MetricLine[] = [{
    dimensions: { [D.MITIGATION]: mitigation },
    dimensionSets: [[D.MITIGATION]],
    values: { [METRICS.TASKS_FINISHED]: 1, ...executionValues(outcome.executions), ...mitigated, ...securityHub },
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
