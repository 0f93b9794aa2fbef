import { Lookup, LookupResult, UnverifiedViolationError, verifiedAlert } from './active-violations';
import type { DetectHandlerConfig } from './config';
import { afterStartFailure, reasonNotToVerify, reasonToIgnore, ViolationAlert } from './violation';
import { MAX_VIOLATIONS_PER_TASK } from '../../contract/limits';
import { METRICS } from '../../contract/telemetry';
import { detectDryRunEvent, detectTaskStartedEvent, mitigationCounts } from '../shared/decision-signals';
import { Effect, logLine, metricLines, permanentFailure, report } from '../shared/effects';
import { Answer, errorMessage, errorName } from '../shared/errors';
import { detectMitigationTaskId } from '../shared/ids';
import type { StartOutcome } from '../shared/iot-tasks';
import { MalformedMessageError } from '../shared/message';
import { chunk } from '../shared/targets';

// The detect mitigation handler's decisions, pure: which alerts to verify, which of them AWS IoT
// confirmed, which tasks to start, and what to report, emit and hand back to SQS. The handler
// (detect-mitigation.lambda.ts) reads the batch, asks AWS IoT and performs what these say.

/** One SQS message of the batch, read: its alert, or why it cannot be read. */
export interface ReadRecord {
  readonly messageId: string;
  readonly body: string;
  readonly alert: ViolationAlert | MalformedMessageError;
}

/** An alert and the SQS message that carried it. */
export interface Received {
  readonly messageId: string;
  readonly alert: ViolationAlert;
}

/**
 * Something to say: `effects`, performed in order. With `onFailure`, they may include a report that
 * cannot be sent: then the WARN `report-failed` line carries `onFailure.fields`, and the messages
 * `onFailure.messageIds` go back to SQS (redelivered, then dead-lettered), never the whole batch.
 */
export interface Notice {
  readonly effects: Effect[];
  readonly onFailure?: { readonly messageIds: string[]; readonly fields: Record<string, unknown> };
}

/** The alerts worth verifying, and what to say about the others (in the order of the batch). */
export function decideAlerts(records: ReadRecord[], config: DetectHandlerConfig): { notices: Notice[]; received: Received[] } {
  const notices: Notice[] = [];
  const received: Received[] = [];
  for (const { messageId, body, alert } of records) {
    if (alert instanceof MalformedMessageError) {
      notices.push({
        effects: [permanentFailure('malformed-alert', alert, { messageId, received: body.slice(0, 2000) })],
        onFailure: { messageIds: [messageId], fields: { messageIds: [messageId] } },
      });
      continue;
    }
    const reason = reasonNotToVerify(alert, config);
    if (reason) {
      notices.push({ effects: [logLine('INFO', 'ignored', { violationId: alert.violationId, reason })] });
      continue;
    }
    received.push({ messageId, alert });
  }
  return { notices, received };
}

/**
 * The alerts AWS IoT confirms, as it confirms them (`verifiedAlert`), from the answers to the
 * batch's lookups. Each other alert is refused as a permanent failure (not in alarm for the
 * profile, or a lookup AWS IoT refused for good) or, when its lookup failed for another reason,
 * handed back to SQS (`retry`).
 */
export function decideVerification(received: Received[], lookups: Lookup[], answers: ReadonlyMap<Lookup, Answer<LookupResult>>,
  config: DetectHandlerConfig): { notices: Notice[]; retry: string[]; verified: Received[] } {
  const { securityProfileName } = config;
  const notices: Notice[] = [];
  for (const lookup of lookups) {
    const answer = answers.get(lookup)!;
    if (!('value' in answer) && answer.errorClass !== 'permanent') {
      notices.push({
        effects: [logLine('WARN', 'retrying', {
          securityProfileName,
          thingName: lookup.thingName,
          violationIds: lookup.violationIds,
          error: errorName(answer.error),
          message: errorMessage(answer.error),
        })],
      });
    }
  }
  const retry: string[] = [];
  const verified: Received[] = [];
  for (const { messageId, alert } of received) {
    const lookup = lookups.find((l) => l.thingName === undefined || l.thingName === alert.thingName)!;
    const answer = answers.get(lookup)!;
    const violation = 'value' in answer ? answer.value.active.get(alert.violationId) : undefined;
    if (violation) {
      verified.push({ messageId, alert: verifiedAlert(alert, violation) });
      continue;
    }
    if (!('value' in answer) && answer.errorClass !== 'permanent') {
      retry.push(messageId);
      continue;
    }
    const [kind, error] = 'value' in answer
      ? ['unverified-violation', new UnverifiedViolationError(alert.violationId, securityProfileName, answer.value.stoppedAfter)]
      : ['verification-failed', answer.error];
    notices.push({
      effects: [permanentFailure(kind, error, { messageId, violationId: alert.violationId, securityProfileName })],
      onFailure: { messageIds: [messageId], fields: { messageIds: [messageId] } },
    });
  }
  return { notices, retry, verified };
}

/** The verified alerts to act on: the violations (and their things and messages), and the ids of each task. */
export interface Batch {
  /** violation id -> its thing, as AWS IoT named it */
  readonly thingOf: ReadonlyMap<string, string | undefined>;
  /** violation id -> the SQS messages that carried it (the same alert may arrive twice) */
  readonly messagesOf: ReadonlyMap<string, string[]>;
  /** The violation ids of each task to start: sorted, at most MAX_VIOLATIONS_PER_TASK each. */
  readonly tasks: string[][];
}

/** Which verified alerts are acted on (the behaviour filter reads AWS IoT's answer), and in which tasks. */
export function decideBatch(verified: Received[], config: DetectHandlerConfig): { notices: Notice[]; batch: Batch } {
  const notices: Notice[] = [];
  const thingOf = new Map<string, string | undefined>();
  const messagesOf = new Map<string, string[]>();
  for (const { messageId, alert } of verified) {
    const reason = reasonToIgnore(alert, config);
    if (reason) {
      notices.push({ effects: [logLine('INFO', 'ignored', { violationId: alert.violationId, thingName: alert.thingName, reason })] });
      continue;
    }
    thingOf.set(alert.violationId, alert.thingName);
    messagesOf.set(alert.violationId, [...messagesOf.get(alert.violationId) ?? [], messageId]);
  }
  return { notices, batch: { thingOf, messagesOf, tasks: chunk([...messagesOf.keys()].sort(), MAX_VIOLATIONS_PER_TASK) } };
}

/** What to do next about one task's violations. */
export type TaskStep =
  | { readonly kind: 'start'; readonly request: { readonly taskId: string; readonly violationIds: string[]; readonly actions: string[] } }
  /** Say `notice`; the task's decision is done. */
  | { readonly kind: 'notify'; readonly notice: Notice }
  /** A transient failure: log it, and hand the messages back to SQS. */
  | { readonly kind: 'retry'; readonly effects: Effect[]; readonly messageIds: string[] }
  /** AWS IoT refused the batch for good: log it, and start one task per violation, so a bad id loses only itself. */
  | { readonly kind: 'split'; readonly effects: Effect[]; readonly parts: string[][]; readonly splitFrom: string };

/** The report fields of a task. */
function detailsOf(violationIds: string[], batch: Batch, config: DetectHandlerConfig, splitFrom?: string) {
  return {
    taskId: detectMitigationTaskId(config.taskIdPrefix, violationIds),
    securityProfileName: config.securityProfileName,
    violationIds,
    thingNames: violationIds.map((id) => batch.thingOf.get(id)),
    actions: config.actions,
    ...(splitFrom ? { splitFrom } : {}),
  };
}

/**
 * The next step for the task of `violationIds` (its id derives from the ids, so a single-id task is
 * the same task on every redelivery). A dry run reports the task it would start. A started task is
 * counted only when AWS IoT started it (a redelivery that finds the task counts nothing) and
 * reported; a report that cannot be sent hands its messages back, and their redelivery finds the
 * task and reports it ('mitigation-already-started'). A failed start is retried later, split, or
 * given up (`afterStartFailure`). `splitFrom`: the batch's task this one was split from.
 */
export function decideTask(violationIds: string[], batch: Batch, config: DetectHandlerConfig, started?: Answer<StartOutcome>,
  splitFrom?: string): TaskStep {
  const fields = detailsOf(violationIds, batch, config, splitFrom);
  const { taskId } = fields;
  const messageIds = violationIds.flatMap((id) => batch.messagesOf.get(id) ?? []);
  const onFailure = { messageIds, fields: { taskId, violationIds } };
  if (config.dryRun) {
    return {
      kind: 'notify',
      notice: {
        // The count after the report and the event: a redelivered batch whose report failed did not count it yet.
        effects: [
          report('INFO', 'dry-run', fields, [detectDryRunEvent(config.mitigation, taskId, violationIds, config.actions)]),
          metricLines(mitigationCounts(config.mitigation, { [METRICS.DRY_RUN_PLANS]: 1 })),
        ],
        onFailure,
      },
    };
  }
  if (!started) { return { kind: 'start', request: { taskId, violationIds, actions: config.actions } }; }
  if ('value' in started) {
    const outcome = started.value;
    return {
      kind: 'notify',
      notice: {
        effects: [
          ...(outcome === 'started' ? [metricLines(mitigationCounts(config.mitigation, { [METRICS.TASKS_STARTED]: 1 }))] : []),
          report('INFO', outcome === 'started' ? 'mitigation-started' : 'mitigation-already-started', fields,
            [detectTaskStartedEvent(config.mitigation, taskId, violationIds, config.actions, outcome !== 'started')]),
        ],
        onFailure,
      },
    };
  }
  const error = { error: errorName(started.error), message: errorMessage(started.error) };
  switch (afterStartFailure(started.errorClass === 'permanent', violationIds.length)) {
    case 'retry-later':
      return { kind: 'retry', effects: [logLine('WARN', 'retrying', { ...fields, ...error })], messageIds };
    case 'give-up':
      return { kind: 'notify', notice: { effects: [permanentFailure('mitigation-failed', started.error, fields)], onFailure } };
    case 'split':
      return {
        kind: 'split',
        effects: [logLine('WARN', 'splitting', { ...fields, ...error, reason: 'AWS IoT refused the batch: starting one task per violation' })],
        parts: violationIds.map((id) => [id]),
        splitFrom: taskId,
      };
  }
}
