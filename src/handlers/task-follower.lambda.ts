import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient, paginateListAuditMitigationActionsTasks, paginateListDetectMitigationActionsTasks } from '@aws-sdk/client-iot';
import type { ScheduledEvent } from 'aws-lambda';
import { openConfig } from './shared/config';
import { answerOf, errorMessage, errorName, isPermanent } from './shared/errors';
import { putEvents } from './shared/events';
import { createIotClient } from './shared/iot-tasks';
import { log } from './shared/log';
import { emitMetrics } from './shared/metrics';
import { Reporter } from './shared/report';
import { readTaskOutcome } from './shared/task-outcome';
import { readFollowerConfig } from './task-follower/config';
import { Candidate, candidatesOf, decideFollow, FollowFacts, ListedTask, listingOf, retryingFields, TaskResult } from './task-follower/decide';
import { Claim, Ledger } from './task-follower/ledger';

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
 *
 * Decide (`./task-follower/decide.ts`, pure: which tasks, what to ask next, what to report), act:
 * the I/O is here.
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

export async function handler(_event?: ScheduledEvent): Promise<FollowSummary> {
  const config = await openConfig(process.env, readFollowerConfig);
  const now = new Date();
  const { window, kinds } = listingOf(config, now);
  let candidates: Candidate[];
  try {
    candidates = candidatesOf(await listTasks(kinds, window), config);
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

/** The mitigation actions tasks of `kinds` in the window, audit tasks first. */
async function listTasks(kinds: string[], window: { startTime: Date; endTime: Date }): Promise<ListedTask[]> {
  const listed: ListedTask[] = [];
  if (kinds.includes('audit')) {
    for await (const page of paginateListAuditMitigationActionsTasks({ client: iot, pageSize: 100 }, window)) {
      for (const t of page.tasks ?? []) { listed.push({ kind: 'audit', taskId: t.taskId, status: t.taskStatus }); }
    }
  }
  if (kinds.includes('detect')) {
    for await (const page of paginateListDetectMitigationActionsTasks({ client: iot, pageSize: 100 }, window)) {
      for (const t of page.tasks ?? []) { listed.push({ kind: 'detect', taskId: t.taskId, status: t.taskStatus }); }
    }
  }
  return listed;
}

/** Reports one task's outcome, at most once across runs: does what `decideFollow` says until it is done. */
async function follow(ledger: Ledger, candidate: Candidate, claimId: string, now: Date): Promise<TaskResult> {
  let facts: FollowFacts = {};
  for (;;) {
    const step = decideFollow(candidate, facts);
    const claim = facts.claim && 'value' in facts.claim ? facts.claim.value : undefined;
    switch (step.kind) {
      case 'claim':
        facts = { ...facts, claim: await answerOf(() => ledger.claim(candidate.taskId, claimId, now, CLAIM_STALE_MS)) };
        break;
      case 'read-outcome':
        facts = { ...facts, outcome: await answerOf(() => readTaskOutcome(iot, { kind: candidate.kind, taskId: candidate.taskId })) };
        break;
      case 'publish':
        facts = { ...facts, published: await answerOf(() => putEvents([step.event], step.eventBusArn)) };
        break;
      case 'claimed-elsewhere':
        log('INFO', 'claimed-elsewhere', step.fields);
        return 'claimed-elsewhere';
      case 'retry':
        if (step.release && claim) {
          try {
            await ledger.release(claim);
          } catch (releaseError) {
            // The claim goes stale and is taken over after CLAIM_STALE_MS.
            log('WARN', 'claim-not-released', retryingFields(step.fields, releaseError));
          }
        }
        log('WARN', 'retrying', retryingFields(step.fields, step.error));
        return 'retrying';
      case 'give-up': {
        const { followed } = step;
        await new Reporter(followed.reportTopicArn, followed.mitigation, followed.eventBusArn).permanentFailure('outcome-unreadable', step.failure.error, step.fields);
        await markReported(ledger, claim!, now, step.fields, { failed: true });
        return 'failed';
      }
      case 'finish':
        for (const line of step.metrics) { emitMetrics(line.dimensions, line.dimensionSets, line.values); }
        try {
          await new Reporter(step.report.topicArn).report(step.report.level, 'task-outcome', step.report.fields);
        } catch (error) {
          log('WARN', 'report-not-published', { ...step.fields, error: errorName(error), message: errorMessage(error) });
        }
        // The claim stays when this fails: after the staleness another run would report the task again. Said in the log.
        await markReported(ledger, claim!, now, step.fields);
        return 'reported';
    }
  }
}

/** Marks the task reported; a ledger that cannot be written is logged (`ledger-not-updated`), not thrown. */
async function markReported(ledger: Ledger, claim: Claim, now: Date, fields: Record<string, unknown>, options?: { failed: true }): Promise<void> {
  try {
    await ledger.markReported(claim, now, options);
  } catch (error) {
    log('WARN', 'ledger-not-updated', { ...fields, error: errorName(error), message: errorMessage(error) });
  }
}
