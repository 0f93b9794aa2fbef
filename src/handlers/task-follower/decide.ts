import type { FollowerConfig } from './config';
import { followedOf, metricLinesOf } from './follow-plan';
import type { Claim } from './ledger';
import type { FollowedMitigation } from '../../contract/environment';
import { EVENT_DETAIL_TYPES, TaskKind, TaskOutcomeDetail } from '../../contract/telemetry';
import { Answer, errorMessage, errorName, Failure } from '../shared/errors';
import type { MitigationEvent } from '../shared/events';
import type { Level } from '../shared/log';
import type { MetricLine } from '../shared/metrics';
import { isFinished, TaskOutcome } from '../shared/task-outcome';

// The task follower's decisions, pure: which listed tasks to follow, and for each one what to ask
// next (the ledger, AWS IoT, EventBridge) and what to report. The handler (task-follower.lambda.ts)
// lists, reads and writes, with `now` taken once per run.

/** A finished task of a followed construct. */
export interface Candidate {
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly followed: FollowedMitigation;
}

/** A task as ListAudit/DetectMitigationActionsTasks gave it. */
export interface ListedTask {
  readonly kind: TaskKind;
  readonly taskId?: string;
  readonly status?: string;
}

/** What a run lists: the tasks of the lookback window, of the kinds some construct is followed for. */
export function listingOf(config: FollowerConfig, now: Date): { window: { startTime: Date; endTime: Date }; kinds: TaskKind[] } {
  const kinds: TaskKind[] = ['audit', 'detect'];
  return {
    window: { startTime: new Date(now.getTime() - config.lookbackHours * 3600_000), endTime: now },
    kinds: kinds.filter((kind) => config.followed.some((f) => f.kind === kind)),
  };
}

/** The listed tasks that have finished and belong to a followed construct. */
export function candidatesOf(listed: ListedTask[], config: FollowerConfig): Candidate[] {
  return listed.flatMap(({ kind, taskId, status }) => {
    const followed = taskId ? followedOf(kind, taskId, config.followed) : undefined;
    return followed && isFinished(kind, status) ? [{ kind, taskId: taskId!, followed }] : [];
  });
}

/** How following one task ended (the run's summary lists it there). */
export type TaskResult = 'reported' | 'claimed-elsewhere' | 'failed' | 'retrying';

/** What is known about one task so far. */
export interface FollowFacts {
  /** The ledger's claim: undefined = another run holds it. */
  readonly claim?: Answer<Claim | undefined>;
  /** The task's outcome as AWS IoT tells it; undefined = not finished after all. */
  readonly outcome?: Answer<TaskOutcome | undefined>;
  /** Whether EventBridge took the outcome event. */
  readonly published?: Answer<void>;
}

/** What to do next about one task. */
export type FollowStep =
  | { readonly kind: 'claim' }
  | { readonly kind: 'read-outcome' }
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
  };

/** The next step for one task: claim it, read its outcome, put ONE event, then report it (see `FollowStep`). */
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
  const detail: TaskOutcomeDetail = { mitigation: followed.mitigation, ...facts.outcome.value };
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
  };
}

/** The `retrying` line of a task a later run retries. */
export function retryingFields(fields: Record<string, unknown>, error: unknown): Record<string, unknown> {
  return { ...fields, error: errorName(error), message: errorMessage(error) };
}
