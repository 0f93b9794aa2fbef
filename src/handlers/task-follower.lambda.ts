import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient, paginateListAuditMitigationActionsTasks, paginateListDetectMitigationActionsTasks } from '@aws-sdk/client-iot';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { ScheduledEvent } from 'aws-lambda';
import { openConfig } from './shared/config';
import { isPermanent } from './shared/errors';
import type { Candidate, TaskResult } from './shared/follow-decide';
import { createIotClient } from './shared/iot-tasks';
import { Reporter } from './shared/report';
import { FindingUpdater } from './shared/security-hub';
import { followFindings, followTask, ledgerClaims } from './shared/task-follow';
import { FinishedTask, readFinishedTask } from './shared/task-outcome';
import { readFollowerConfig } from './task-follower/config';
import { candidatesOf, ListedTask, listingOf } from './task-follower/decide';
import { Ledger } from './task-follower/ledger';
import type { FollowedMitigation } from '../contract/environment';
import { partitionOf } from '../contract/organization';

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
 * Decide (`./task-follower/decide.ts`, pure: which tasks; `./shared/follow-decide.ts`: what to ask
 * next, what to report), act: the listing is here, the following of each task `./shared/task-follow.ts`.
 */
const iot: IoTClient = createIotClient();
const dynamodb = new DynamoDBClient({});
/** Made on first use: a stack whose constructs have no `securityHub` never loads the SDK's Security Hub module. */
let securityHub: SecurityHubClient | undefined;

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
  const region = await iot.config.region();
  // One updater per run (a refusal is reported once), made when a construct with securityHub needs it.
  let findings: FindingUpdater | undefined;
  const updateFindings = (candidate: Candidate) => (task: FinishedTask) => {
    findings ??= new FindingUpdater(securityHub ??= securityHubClient(), { partition: partitionOf(region), region });
    return findings.update(task, reporterOf(candidate.followed));
  };
  const readOutcome = (candidate: Candidate) => () => readFinishedTask(iot, { kind: candidate.kind, taskId: candidate.taskId });
  const summary: FollowSummary = { reported: [], claimedElsewhere: [], failed: [], retrying: [] };
  const into: Record<TaskResult, string[]> = {
    'reported': summary.reported, 'claimed-elsewhere': summary.claimedElsewhere, 'failed': summary.failed, 'retrying': summary.retrying,
  };
  for (const candidate of candidates) {
    const done = reported.get(candidate.taskId);
    if (done) {
      // Reported; some of its Security Hub findings had not arrived: look again once it is time.
      const dueAt = done.findingsRetryAt;
      if (dueAt !== undefined && dueAt <= now.getTime()) {
        await followFindings(candidate, {
          readOutcome: readOutcome(candidate),
          updateFindings: updateFindings(candidate),
          done: () => ledger.findingsDone(candidate.taskId),
          dueAt,
          now,
        });
      }
      continue;
    }
    into[await followTask(candidate, {
      claims: ledgerClaims(ledger, candidate.taskId, claimId, now),
      readOutcome: readOutcome(candidate),
      updateFindings: updateFindings(candidate),
      now,
    })].push(candidate.taskId);
  }
  if (summary.retrying.length > 0) {
    // Every other task was handled; failing the invocation gets these retried (or dead-lettered).
    throw new Error(`task outcomes to retry: ${summary.retrying.join(', ')}`);
  }
  return summary;
}

/** A Security Hub client, the SDK's module loaded now (require: the Lambda runtime's SDK is found through NODE_PATH). */
function securityHubClient(): SecurityHubClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk: typeof import('@aws-sdk/client-securityhub') = require('@aws-sdk/client-securityhub');
  return new sdk.SecurityHubClient({});
}

/** The reporter of a followed construct: its report topic, its name, its event bus. */
function reporterOf(followed: FollowedMitigation): Reporter {
  return new Reporter(followed.reportTopicArn, followed.mitigation, followed.eventBusArn);
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
