import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient, paginateListAuditMitigationActionsTasks, paginateListDetectMitigationActionsTasks } from '@aws-sdk/client-iot';
import type { ScheduledEvent } from 'aws-lambda';
import { FollowedMitigation } from '../contract/environment';
import { EVENT_DETAIL_TYPES, TaskKind, TaskOutcomeDetail } from '../contract/telemetry';
import { putEvents } from './shared/events';
import { FollowerConfig, followedOf, metricLinesOf, readFollowerConfig } from './shared/follow-plan';
import { createIotClient, errorMessage, errorName, isPermanent } from './shared/iot-tasks';
import { Claim, Ledger } from './shared/ledger';
import { log } from './shared/log';
import { emitMetrics } from './shared/metrics';
import { Reporter } from './shared/report';
import { isFinished, readTaskOutcome } from './shared/task-outcome';

/**
 * The task follower: reports, once, how every mitigation actions task the stack's constructs
 * started ended (AuditMitigation, DetectMitigation and AuditMitigationTask alike).
 *
 * Why a scheduled follower (every 5 minutes, one per stack) rather than the reconciler's run:
 * DetectMitigation and AuditMitigationTask have no scheduled run of their own to piggyback on; one
 * follower covers every mitigation construct of the stack; and its role only reads (tasks,
 * executions, findings) and writes its ledger and events, while the handlers that start tasks keep
 * their narrow roles.
 *
 * Each run lists the audit and detect mitigation tasks of the lookback window, keeps the finished
 * ones that belong to a followed construct, skips those the ledger says were reported, and for
 * each other one: claims it in the ledger (so no two runs report it), reads its outcome, puts ONE
 * `Mitigation Task Outcome` event, writes its metrics (embedded metric format), logs one
 * `task-outcome` line (WARN when an execution failed), publishes it to the construct's report
 * topic when something failed, and marks it reported. A run after that adds nothing.
 */
const iot: IoTClient = createIotClient();
const dynamodb = new DynamoDBClient({});

/** The function's timeout: a claim older than this belongs to a run that is over. */
export const CLAIM_STALE_MS = 5 * 60 * 1000;

/** What one run did, by task id. */
export interface FollowSummary {
  readonly reported: string[];
  /** Claimed by another run that is still going. */
  readonly claimedElsewhere: string[];
  /** Failed for good (a permanent failure was reported; the ledger says so). */
  readonly failed: string[];
  /** To be retried by the next run. */
  readonly retrying: string[];
}

/** A finished task of a followed construct. */
interface Candidate {
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly followed: FollowedMitigation;
}

type TaskResult = 'reported' | 'claimed-elsewhere' | 'failed' | 'retrying';

export async function handler(_event?: ScheduledEvent): Promise<FollowSummary> {
  let config: FollowerConfig;
  try {
    config = readFollowerConfig(process.env);
  } catch (error) {
    await new Reporter(undefined).permanentFailure('config-error', error);
    throw error;
  }
  const now = new Date();
  let candidates: Candidate[];
  try {
    candidates = await finishedTasks(config, now);
  } catch (error) {
    if (!isPermanent(error)) { throw error; } // the async invocation is retried
    await new Reporter(undefined).permanentFailure('follow-failed', error);
    return { reported: [], claimedElsewhere: [], failed: [], retrying: [] };
  }
  const ledger = new Ledger(dynamodb, config.tableName);
  const reported = await ledger.reported(candidates.map((c) => c.taskId));
  const claimId = randomUUID();
  const summary: FollowSummary = { reported: [], claimedElsewhere: [], failed: [], retrying: [] };
  const into: Record<TaskResult, string[]> = {
    'reported': summary.reported, 'claimed-elsewhere': summary.claimedElsewhere, 'failed': summary.failed, 'retrying': summary.retrying,
  };
  for (const candidate of candidates.filter((c) => !reported.has(c.taskId))) {
    into[await follow(ledger, candidate, claimId, now)].push(candidate.taskId);
  }
  if (summary.retrying.length > 0) {
    // Every other task was handled; failing the invocation gets these retried (or dead-lettered).
    throw new Error(`task outcomes to retry: ${summary.retrying.join(', ')}`);
  }
  return summary;
}

/** The finished tasks of the lookback window that belong to a followed construct. */
async function finishedTasks(config: FollowerConfig, now: Date): Promise<Candidate[]> {
  const window = { startTime: new Date(now.getTime() - config.lookbackHours * 3600_000), endTime: now };
  const candidates: Candidate[] = [];
  const keep = (kind: TaskKind, taskId: string | undefined, status: string | undefined) => {
    const followed = taskId ? followedOf(kind, taskId, config.followed) : undefined;
    if (followed && isFinished(kind, status)) { candidates.push({ kind, taskId: taskId!, followed }); }
  };
  if (config.followed.some((f) => f.kind === 'audit')) {
    for await (const page of paginateListAuditMitigationActionsTasks({ client: iot, pageSize: 100 }, window)) {
      for (const t of page.tasks ?? []) { keep('audit', t.taskId, t.taskStatus); }
    }
  }
  if (config.followed.some((f) => f.kind === 'detect')) {
    for await (const page of paginateListDetectMitigationActionsTasks({ client: iot, pageSize: 100 }, window)) {
      for (const t of page.tasks ?? []) { keep('detect', t.taskId, t.taskStatus); }
    }
  }
  return candidates;
}

/** Reports one task's outcome, at most once across runs (see the module's comment). */
async function follow(ledger: Ledger, candidate: Candidate, claimId: string, now: Date): Promise<TaskResult> {
  const { kind, taskId, followed } = candidate;
  const fields = { taskId, taskKind: kind, mitigation: followed.mitigation };
  let claim: Claim | undefined;
  try {
    claim = await ledger.claim(taskId, claimId, now, CLAIM_STALE_MS);
  } catch (error) {
    return retrying(fields, error);
  }
  if (!claim) {
    log('INFO', 'claimed-elsewhere', fields);
    return 'claimed-elsewhere';
  }

  let detail: TaskOutcomeDetail;
  try {
    const outcome = await readTaskOutcome(iot, { kind, taskId });
    if (!outcome) { throw new Error(`task ${taskId} was listed as finished but is not`); }
    detail = { mitigation: followed.mitigation, ...outcome };
  } catch (error) {
    if (!isPermanent(error)) { return releaseAndRetry(ledger, claim, fields, error); }
    // AWS IoT refuses to show the outcome (a role without the read permissions, a task gone):
    // report that once, and record the task as done so it does not fail every run for days.
    await new Reporter(followed.reportTopicArn, followed.mitigation, followed.eventBusArn).permanentFailure('outcome-unreadable', error, fields);
    try {
      await ledger.markReported(claim, now, { failed: true });
    } catch (ledgerError) {
      log('WARN', 'ledger-not-updated', { ...fields, error: errorName(ledgerError), message: errorMessage(ledgerError) });
    }
    return 'failed';
  }

  try {
    await putEvents([{ detailType: EVENT_DETAIL_TYPES.TASK_OUTCOME, detail }], followed.eventBusArn);
  } catch (error) {
    return releaseAndRetry(ledger, claim, fields, error);
  }
  // From here on the outcome is out: whatever fails below must not make a later run report it again.
  for (const line of metricLinesOf(followed.mitigation, detail)) { emitMetrics(line.dimensions, line.dimensionSets, line.values); }
  const failed = detail.executions.failed > 0;
  try {
    await new Reporter(failed ? followed.reportTopicArn : undefined).report(failed ? 'WARN' : 'INFO', 'task-outcome', { ...detail });
  } catch (error) {
    log('WARN', 'report-not-published', { ...fields, error: errorName(error), message: errorMessage(error) });
  }
  try {
    await ledger.markReported(claim, now);
  } catch (error) {
    // The claim stays: after the staleness another run would report the task again. Say so.
    log('WARN', 'ledger-not-updated', { ...fields, error: errorName(error), message: errorMessage(error) });
  }
  return 'reported';
}

async function releaseAndRetry(ledger: Ledger, claim: Claim, fields: Record<string, unknown>, error: unknown): Promise<TaskResult> {
  try {
    await ledger.release(claim);
  } catch (releaseError) {
    // The claim goes stale and is taken over after CLAIM_STALE_MS.
    log('WARN', 'claim-not-released', { ...fields, error: errorName(releaseError), message: errorMessage(releaseError) });
  }
  return retrying(fields, error);
}

function retrying(fields: Record<string, unknown>, error: unknown): TaskResult {
  log('WARN', 'retrying', { ...fields, error: errorName(error), message: errorMessage(error) });
  return 'retrying';
}
