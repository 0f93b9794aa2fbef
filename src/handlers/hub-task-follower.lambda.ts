import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { HubFollowerConfig, readHubFollowerConfig } from './hub-task-follower/config';
import { bySpoke, decideStatus, candidateOf, SpokeTasks } from './hub-task-follower/decide';
import { HUB_ENV } from '../contract/environment';
import { spokeKey } from '../contract/organization';
import type { SecurityHubUpdateDetail } from '../contract/telemetry';
import { openConfig } from './shared/config';
import { runWithDeadline } from './shared/deadline';
import { Answer, answerOf, isPermanent } from './shared/errors';
import type { TaskResult } from './shared/follow-decide';
import { ActiveTask, HubLedger } from './shared/hub-ledger';
import { log } from './shared/log';
import { Reporter } from './shared/report';
import { FindingUpdater } from './shared/security-hub';
import { SpokeLocation, SpokeSession, SpokeSessions } from './shared/spokes';
import { CLAIM_STALE_MS, followFindings, followTask, ledgerClaims } from './shared/task-follow';
import { FinishedTask, readFinishedTask } from './shared/task-outcome';

/**
 * The organization hub's task follower: reports, once, how every task the hub started in a spoke
 * ended, with the spoke's account and region (the same `Mitigation Task Outcome` event, metrics,
 * `task-outcome` line and report as the stack's follower, `./task-follower.lambda.ts`).
 *
 * It follows only what the hub started: the hub's audit function records each task it starts in
 * the ledger (`./shared/hub-ledger.ts`), and each run (every 5 minutes) reads the active entries
 * only, so a run costs what the active tasks cost, not what the spokes or past tasks would: with
 * none, one read of the ledger and no call to any spoke. For each spoke with active tasks it
 * assumes the spoke's role (credentials cached per spoke while they last), asks each task's status,
 * and follows each finished one as the stack's follower does (`./shared/task-follow.ts`): claim,
 * read the outcome, put ONE event, write the metrics and the report, mark it reported.
 */
const sts = new STSClient({});
const dynamodb = new DynamoDBClient({});
let sessions: SpokeSessions | undefined;

/** The run works on at most this many spokes at a time. */
export const SPOKE_CONCURRENCY = 8;
/** The function's timeout (`MitigationHub` sets it), for an invocation without a Lambda context. */
const TIMEOUT_MS = CLAIM_STALE_MS;
/** No spoke is started this close to the timeout (the next run does it). */
const MARGIN_MS = 30_000;

/** What one run did, by ledger key (`<account>/<region>/<taskId>`). */
export interface HubFollowSummary {
  readonly reported: string[];
  /** Claimed by another run that is still going. */
  readonly claimedElsewhere: string[];
  /** Failed for good (a permanent failure was reported; the ledger says so). */
  readonly failed: string[];
  /** To be retried by the next run. */
  readonly retrying: string[];
  /** Still running in their spokes. */
  readonly running: string[];
}

type Result = TaskResult | 'running';

export async function handler(_event?: ScheduledEvent, context?: Context): Promise<HubFollowSummary> {
  const config = await openConfig(process.env, readHubFollowerConfig, HUB_ENV);
  sessions ??= new SpokeSessions(sts, config.spokeRoleName);
  const now = new Date();
  const began = Date.now();
  const ledger = new HubLedger(dynamodb, config.taskLedgerTable);
  const summary: HubFollowSummary = { reported: [], claimedElsewhere: [], failed: [], retrying: [], running: [] };
  let active: ActiveTask[];
  try {
    active = await ledger.active();
  } catch (error) {
    if (!isPermanent(error)) { throw error; } // the scheduled invocation is retried
    await new Reporter(config.reportTopicArn, config.mitigation, config.eventBus).permanentFailure('follow-failed', error);
    return summary;
  }
  const claimId = randomUUID();
  const follow = (group: SpokeTasks) => followSpoke(group, { config, ledger, sessions: sessions!, claimId, now });
  const remainingMs = context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis() : () => TIMEOUT_MS - (Date.now() - began);
  // A reported task waiting to look again at its Security Hub findings costs nothing until it is time.
  const due = active.filter((t) => t.findingsRetryAt === undefined || t.findingsRetryAt <= now.getTime());
  const run = await runWithDeadline(bySpoke(due), follow, { concurrency: SPOKE_CONCURRENCY, remainingMs, marginMs: MARGIN_MS });
  const into: Record<Result, string[]> = {
    'reported': summary.reported, 'claimed-elsewhere': summary.claimedElsewhere, 'failed': summary.failed, 'retrying': summary.retrying, 'running': summary.running,
  };
  for (const settled of run.settled) {
    for (const [key, result] of settled.result ?? []) { into[result].push(key); }
  }
  const left = [...run.unfinished, ...run.notStarted].map((group) => spokeKey(group.spoke.account, group.spoke.region));
  if (left.length > 0) { log('WARN', 'follow-unfinished', { spokes: left, reason: 'the function had to answer; the next run follows their tasks' }); }
  // A report of a permanent failure that could not be sent: the run fails, after the other spokes, and the task is followed again.
  const failed = run.settled.find((s) => 'error' in s && s.error !== undefined);
  if (failed) { throw failed.error; }
  if (summary.retrying.length > 0) {
    // Every other task was handled; failing the invocation gets these retried (or dead-lettered).
    throw new Error(`task outcomes to retry: ${summary.retrying.join(', ')}`);
  }
  return summary;
}

/** What following one spoke's tasks needs. */
interface FollowWork {
  readonly config: HubFollowerConfig;
  readonly ledger: HubLedger;
  readonly sessions: SpokeSessions;
  readonly claimId: string;
  readonly now: Date;
}

/** Follows the active tasks of one spoke, with one session in it; answers what became of each task, by ledger key. */
async function followSpoke({ spoke, tasks }: SpokeTasks, work: FollowWork): Promise<Array<[string, Result]>> {
  const { ledger, claimId, now } = work;
  const session = await inSpoke(spoke, work, () => work.sessions.session(spoke, now.getTime()));
  const results: Array<[string, Result]> = [];
  // Without a session, the outcome cannot be read, nor findings updated, for the same reason: no second AssumeRole.
  const readOutcome = (task: ActiveTask) => (): Promise<FinishedTask | undefined> => ('value' in session
    ? inSpokeOrThrow(spoke, work, () => readFinishedTask(session.value.iot, { kind: 'audit', taskId: task.taskId }))
    : Promise.reject(session.error));
  // The spoke's findings, with the spoke's role; one updater per spoke and run: a refusal is reported once.
  let findings: FindingUpdater | undefined;
  const updateFindings = (task: ActiveTask) => (finished: FinishedTask): Promise<SecurityHubUpdateDetail> => {
    if (!('value' in session)) { return Promise.reject(session.error); }
    const updater = findings ??= new FindingUpdater(session.value.securityHub, spoke);
    const reporter = new Reporter(work.config.reportTopicArn, task.mitigation, work.config.eventBus).about(spoke);
    return inSpokeOrThrow(spoke, work, () => updater.update(finished, reporter));
  };
  for (const task of tasks) {
    if (task.findingsRetryAt !== undefined) {
      // Reported already: only its Security Hub findings that had not arrived are looked for again.
      if ('value' in session) {
        await followFindings(candidateOf(task, work.config), {
          readOutcome: readOutcome(task),
          updateFindings: updateFindings(task),
          done: () => ledger.findingsDone(task.key),
          dueAt: task.findingsRetryAt,
          now,
          spoke,
        });
      }
      continue;
    }
    const status: Answer<string | undefined> = 'value' in session
      ? await inSpoke(spoke, work, () => taskStatus(session.value, task.taskId))
      : session;
    const step = decideStatus(task, status, work.config);
    if (step.kind === 'running') {
      results.push([task.key, 'running']);
    } else if (step.kind === 'retry') {
      log('WARN', 'retrying', step.fields);
      results.push([task.key, 'retrying']);
    } else {
      const result = await followTask(step.candidate, {
        claims: ledgerClaims(ledger, task.key, claimId, now),
        readOutcome: readOutcome(task),
        updateFindings: updateFindings(task),
        spoke,
        now,
      });
      results.push([task.key, result]);
    }
  }
  return results;
}

/** An audit mitigation task's status in a spoke. */
async function taskStatus(session: SpokeSession, taskId: string): Promise<string | undefined> {
  return (await session.iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }))).taskStatus;
}

/**
 * Runs `call` in `spoke`, answering its failure (`answerOf`). Credentials the spoke no longer
 * accepts (expired early, revoked: failures that are not permanent) drop the spoke's session, so the
 * next run assumes the role again.
 */
async function inSpoke<T>(spoke: SpokeLocation, work: FollowWork, call: () => Promise<T>): Promise<Answer<T>> {
  const answer = await answerOf(call);
  if (!('value' in answer)) { work.sessions.forgetIfStale(spoke, answer.error); }
  return answer;
}

/** `inSpoke`, its failure thrown again: for `followTask`, which sorts failures itself. */
async function inSpokeOrThrow<T>(spoke: SpokeLocation, work: FollowWork, call: () => Promise<T>): Promise<T> {
  const answer = await inSpoke(spoke, work, call);
  if ('value' in answer) { return answer.value; }
  throw answer.error;
}
