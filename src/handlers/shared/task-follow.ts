import { answerOf, errorMessage, errorName, isPermanent } from './errors';
import { putEvents } from './events';
import {
  Candidate, Claim, decideFollow, FINDINGS_ARRIVAL_MS, findingsMetricLine, findingsRetryAt, FollowFacts, retryingFields, TaskResult,
} from './follow-decide';
import { log } from './log';
import { emitMetrics, inSpoke, SpokeScope } from './metrics';
import { Reporter } from './report';
import type { FinishedTask } from './task-outcome';
import type { SecurityHubUpdateDetail } from '../../contract/telemetry';

// How a task follower follows one finished task, the I/O of `decideFollow`: the stack's follower
// (task-follower.lambda.ts) for the tasks of its stack's constructs, the organization hub's
// (hub-task-follower.lambda.ts) for the tasks it started in its spokes. Each gives its ledger's
// claims on the task and how to read the task's outcome; the hub also the spoke the task runs in.

/** A follower's function timeout: a claim older than this belongs to a run that is over. */
export const CLAIM_STALE_MS = 5 * 60 * 1000;

/** How long a stack follower's ledger item is kept (DynamoDB TTL) after it was written: far beyond its lookback. */
export const LEDGER_RETENTION_SECONDS = 30 * 24 * 3600;

/** The TTL attribute's value: epoch seconds, `retentionSeconds` after `now`. */
export function expiresAt(now: Date, retentionSeconds = LEDGER_RETENTION_SECONDS): number {
  return Math.floor(now.getTime() / 1000) + retentionSeconds;
}

/** A ledger's claims on one task, as `followTask` uses them. */
export interface TaskClaims {
  /** Claims the task for this run; undefined when another run holds it or reported it. */
  claim(): Promise<Claim | undefined>;
  /** Gives the claim up (nothing was reported), so a later run reports the task. */
  release(claim: Claim): Promise<void>;
  /**
   * Records that the task was reported (`failed`: its outcome could not be read, for good;
   * `findingsRetryAt`: some of its Security Hub findings were not there yet, look again then).
   */
  markReported(claim: Claim, options?: ReportedOptions): Promise<void>;
}

/** A follower's ledger (the stack's, keyed by task id; the hub's, by `<account>/<region>/<taskId>`), as claims need it. */
export interface FollowerLedger {
  claim(key: string, claimId: string, now: Date, staleMs: number): Promise<Claim | undefined>;
  release(claim: Claim): Promise<void>;
  markReported(claim: Claim, now: Date, options?: ReportedOptions): Promise<void>;
}

/** A run's claims on the ledger entry `key` (claims older than CLAIM_STALE_MS are taken over). */
export function ledgerClaims(ledger: FollowerLedger, key: string, claimId: string, now: Date): TaskClaims {
  return {
    claim: () => ledger.claim(key, claimId, now, CLAIM_STALE_MS),
    release: (claim) => ledger.release(claim),
    markReported: (claim, options) => ledger.markReported(claim, now, options),
  };
}

/** How a task was reported. */
export interface ReportedOptions {
  readonly failed?: boolean;
  /** Epoch ms: look again for its Security Hub findings then (`followFindings`). */
  readonly findingsRetryAt?: number;
}

/** What following one task needs. */
export interface FollowTaskIo {
  readonly claims: TaskClaims;
  /** The task's outcome, as AWS IoT tells it (`readFinishedTask`); undefined while it has not finished. */
  readonly readOutcome: () => Promise<FinishedTask | undefined>;
  /**
   * Updates the task's Security Hub findings (`FindingUpdater.update`), for a construct followed with
   * `securityHub`: a refusal for good is answered, not thrown; what throws is retried.
   */
  readonly updateFindings: (task: FinishedTask) => Promise<SecurityHubUpdateDetail>;
  /** The run's time, taken once. */
  readonly now: Date;
  /**
   * The account and region the task runs in, when they are not the function's own (the hub's
   * spokes): its event, report, log lines and metrics name them.
   *
   * @default - the function's own account and region: nothing added
   */
  readonly spoke?: SpokeScope;
}

/** Reports one task's outcome, at most once across runs: does what `decideFollow` says until it is done. */
export async function followTask(candidate: Candidate, io: FollowTaskIo): Promise<TaskResult> {
  const { claims, spoke } = io;
  const about = (fields: Record<string, unknown>) => (spoke ? { ...fields, ...spoke } : fields);
  const reporter = (r: Reporter) => (spoke ? r.about(spoke) : r);
  let facts: FollowFacts = {};
  for (;;) {
    const step = decideFollow(candidate, facts);
    const claim = facts.claim && 'value' in facts.claim ? facts.claim.value : undefined;
    switch (step.kind) {
      case 'claim':
        facts = { ...facts, claim: await answerOf(() => claims.claim()) };
        break;
      case 'read-outcome':
        facts = { ...facts, outcome: await answerOf(io.readOutcome) };
        break;
      case 'update-findings':
        facts = { ...facts, findings: await answerOf(() => io.updateFindings(step.task)) };
        break;
      case 'publish': {
        const event = spoke ? { ...step.event, detail: { ...step.event.detail, ...spoke } } : step.event;
        facts = { ...facts, published: await answerOf(() => putEvents([event], step.eventBusArn)) };
        break;
      }
      case 'claimed-elsewhere':
        log('INFO', 'claimed-elsewhere', about(step.fields));
        return 'claimed-elsewhere';
      case 'retry':
        if (step.release && claim) {
          try {
            await claims.release(claim);
          } catch (releaseError) {
            // The claim goes stale and is taken over after CLAIM_STALE_MS.
            log('WARN', 'claim-not-released', about(retryingFields(step.fields, releaseError)));
          }
        }
        log('WARN', 'retrying', about(retryingFields(step.fields, step.error)));
        return 'retrying';
      case 'give-up': {
        const { followed } = step;
        await reporter(new Reporter(followed.reportTopicArn, followed.mitigation, followed.eventBusArn))
          .permanentFailure('outcome-unreadable', step.failure.error, step.fields);
        await markReported(claims, claim!, about(step.fields), { failed: true });
        return 'failed';
      }
      case 'finish':
        for (const line of step.metrics.map((l) => (spoke ? inSpoke(l, spoke) : l))) {
          emitMetrics(line.dimensions, line.dimensionSets, line.values);
        }
        try {
          await reporter(new Reporter(step.report.topicArn)).report(step.report.level, 'task-outcome', step.report.fields);
        } catch (error) {
          log('WARN', 'report-not-published', { ...about(step.fields), error: errorName(error), message: errorMessage(error) });
        }
        // The claim stays when this fails: after the staleness another run would report the task again. Said in the log.
        await markReported(claims, claim!, about(step.fields), { findingsRetryAt: findingsRetryAt(step.securityHub, step.endTime, io.now) });
        return 'reported';
    }
  }
}

/** What looking again at a reported task's Security Hub findings needs (`followFindings`). */
export interface FollowFindingsIo {
  readonly readOutcome: () => Promise<FinishedTask | undefined>;
  readonly updateFindings: (task: FinishedTask) => Promise<SecurityHubUpdateDetail>;
  /** Records that the task's findings need no other look. */
  readonly done: () => Promise<void>;
  /** When the look was due (epoch ms): failing for FINDINGS_ARRIVAL_MS more, it is given up. */
  readonly dueAt: number;
  readonly now: Date;
  readonly spoke?: SpokeScope;
}

/**
 * Looks once more for the Security Hub findings of a reported task that were not there yet, and
 * updates those that arrived (the others were updated already: their notes are found, nothing is
 * written twice); its metrics and a `security-hub-findings` line say what it did. The outcome is not
 * reported again. A failure leaves the look to the next run, unless it is permanent or the look is
 * long overdue: then it is given up (`findings-given-up`).
 */
export async function followFindings(candidate: Candidate, io: FollowFindingsIo): Promise<void> {
  const { spoke } = io;
  const fields = { taskId: candidate.taskId, taskKind: candidate.kind, mitigation: candidate.followed.mitigation, ...spoke };
  try {
    const task = await io.readOutcome();
    if (task) {
      const detail = await io.updateFindings(task);
      const line = findingsMetricLine(candidate.followed.mitigation, detail);
      const scoped = spoke ? inSpoke(line, spoke) : line;
      emitMetrics(scoped.dimensions, scoped.dimensionSets, scoped.values);
      log('INFO', 'security-hub-findings', { ...fields, ...detail });
    }
  } catch (error) {
    if (!isPermanent(error) && io.now.getTime() < io.dueAt + FINDINGS_ARRIVAL_MS) {
      log('WARN', 'retrying', retryingFields(fields, error));
      return;
    }
    log('WARN', 'findings-given-up', retryingFields(fields, error));
  }
  try {
    await io.done();
  } catch (error) {
    log('WARN', 'ledger-not-updated', retryingFields(fields, error));
  }
}

/** Marks the task reported; a ledger that cannot be written is logged (`ledger-not-updated`), not thrown. */
async function markReported(claims: TaskClaims, claim: Claim, fields: Record<string, unknown>, options?: ReportedOptions): Promise<void> {
  try {
    await claims.markReported(claim, options);
  } catch (error) {
    log('WARN', 'ledger-not-updated', { ...fields, error: errorName(error), message: errorMessage(error) });
  }
}
