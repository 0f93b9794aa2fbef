import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DETECT_ENV } from '../contract/environment';
import { MAX_VIOLATIONS_PER_TASK } from '../contract/limits';
import { METRICS } from '../contract/telemetry';
import {
  Lookup, LookupResult, lookUpActiveViolations, planLookups, UnverifiedViolationError, verifiedAlert,
} from './shared/active-violations';
import { DetectHandlerConfig, readDetectConfig } from './shared/config';
import { detectDryRunEvent, detectTaskStartedEvent, emitMitigationCounts } from './shared/decision-signals';
import { detectMitigationTaskId } from './shared/ids';
import {
  createIotClient, errorMessage, errorName, isPermanent, startDetectMitigationTask, StartOutcome,
} from './shared/iot-tasks';
import { log } from './shared/log';
import { MalformedMessageError } from './shared/message';
import { Reporter, reportSent } from './shared/report';
import { chunk } from './shared/targets';
import { afterStartFailure, parseViolationAlert, reasonNotToVerify, reasonToIgnore, ViolationAlert } from './shared/violation';

const iot = createIotClient();

/** What one invocation works with. */
interface Batch {
  readonly config: DetectHandlerConfig;
  readonly reporter: Reporter;
  /** violation id -> its thing, as AWS IoT named it */
  readonly thingOf: Map<string, string | undefined>;
}

/** An alert and the SQS message that carried it. */
interface Received {
  readonly messageId: string;
  readonly alert: ViolationAlert;
}

/**
 * Moves the things of in-alarm violations into thing groups: one detect mitigation actions task
 * per batch of at most 25 violations. Alerts arrive through an SQS queue (raw SNS delivery), so a
 * burst is batched. Nothing starts before AWS IoT confirms the alert (ListActiveViolations for the
 * configured profile, once per batch); the thing and behaviour used are AWS IoT's. Each record
 * stands alone: a record whose processing failed for a transient reason (a throttled lookup or
 * start, a report that could not be sent) is returned as a batch item failure, retried by SQS and
 * dead-lettered after the last attempt, and the others go ahead. A batch AWS IoT refuses for good
 * is split, one task per violation, so a bad violation id loses only itself; what still fails for
 * good, and an alert AWS IoT does not confirm, is reported as a permanent failure.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  let config: DetectHandlerConfig;
  try {
    config = readDetectConfig(process.env);
  } catch (error) {
    // The deployment is broken and every message would fail the same way: report it, and fail the
    // invocation so the messages are kept (redelivered, then dead-lettered) until it is fixed.
    await new Reporter(process.env[DETECT_ENV.REPORT_TOPIC_ARN] || undefined, process.env[DETECT_ENV.MITIGATION] || undefined,
      process.env[DETECT_ENV.EVENT_BUS] || undefined).permanentFailure('config-error', error);
    throw error;
  }
  const batch: Batch = { config, reporter: new Reporter(config.reportTopicArn, config.mitigation, config.eventBus), thingOf: new Map() };
  // The SQS messages to deliver again.
  const retry = new Set<string>();

  const received: Received[] = [];
  for (const record of event.Records) {
    let alert;
    try {
      alert = parseViolationAlert(record.body);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) { throw error; }
      const sent = await reportSent(() => batch.reporter.permanentFailure('malformed-alert', error,
        { messageId: record.messageId, received: record.body.slice(0, 2000) }), { messageIds: [record.messageId] });
      if (!sent) { retry.add(record.messageId); }
      continue;
    }
    const reason = reasonNotToVerify(alert, config);
    if (reason) {
      log('INFO', 'ignored', { violationId: alert.violationId, reason });
      continue;
    }
    received.push({ messageId: record.messageId, alert });
  }

  // violation id -> the SQS messages that carried it (the same alert may arrive twice)
  const messagesOf = new Map<string, string[]>();
  for (const { messageId, alert } of await verify(received, batch, retry)) {
    const reason = reasonToIgnore(alert, config);
    if (reason) {
      log('INFO', 'ignored', { violationId: alert.violationId, thingName: alert.thingName, reason });
      continue;
    }
    batch.thingOf.set(alert.violationId, alert.thingName);
    messagesOf.set(alert.violationId, [...messagesOf.get(alert.violationId) ?? [], messageId]);
  }

  for (const violationIds of chunk([...messagesOf.keys()].sort(), MAX_VIOLATIONS_PER_TASK)) {
    const failed = config.dryRun ? await planOnly(violationIds, batch) : await mitigate(violationIds, batch);
    failed.flatMap((id) => messagesOf.get(id)!).forEach((messageId) => retry.add(messageId));
  }
  return { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * The alerts AWS IoT confirms, as it confirms them (`verifiedAlert`). Each other alert is refused
 * as a permanent failure (not in alarm for the profile, or a lookup AWS IoT refused for good) or,
 * when its lookup failed for a transient reason, added to `retry`.
 */
async function verify(received: Received[], batch: Batch, retry: Set<string>): Promise<Received[]> {
  const { config, reporter } = batch;
  const results = new Map<Lookup, LookupResult | { error: unknown }>();
  const lookups = planLookups(received.map((r) => r.alert));
  for (const lookup of lookups) {
    try {
      results.set(lookup, await lookUpActiveViolations(iot, config.securityProfileName, lookup));
    } catch (error) {
      results.set(lookup, { error });
      if (!isPermanent(error)) {
        log('WARN', 'retrying', {
          securityProfileName: config.securityProfileName,
          thingName: lookup.thingName,
          violationIds: lookup.violationIds,
          error: errorName(error),
          message: errorMessage(error),
        });
      }
    }
  }
  const verified: Received[] = [];
  for (const { messageId, alert } of received) {
    const lookup = lookups.find((l) => l.thingName === undefined || l.thingName === alert.thingName)!;
    const result = results.get(lookup)!;
    const violation = 'error' in result ? undefined : result.active.get(alert.violationId);
    if (violation) {
      verified.push({ messageId, alert: verifiedAlert(alert, violation) });
      continue;
    }
    if ('error' in result && !isPermanent(result.error)) {
      retry.add(messageId);
      continue;
    }
    const [kind, error] = 'error' in result
      ? ['verification-failed', result.error]
      : ['unverified-violation', new UnverifiedViolationError(alert.violationId, config.securityProfileName, result.stoppedAfter)];
    const fields = { messageId, violationId: alert.violationId, securityProfileName: config.securityProfileName };
    if (!await reportSent(() => reporter.permanentFailure(kind, error, fields), { messageIds: [messageId] })) {
      retry.add(messageId);
    }
  }
  return verified;
}

function details(batch: Batch, violationIds: string[], splitFrom?: string) {
  return {
    taskId: detectMitigationTaskId(batch.config.taskIdPrefix, violationIds),
    securityProfileName: batch.config.securityProfileName,
    violationIds,
    thingNames: violationIds.map((id) => batch.thingOf.get(id)),
    actions: batch.config.actions,
    ...(splitFrom ? { splitFrom } : {}),
  };
}

/** Dry run: reports the task it would start. Returns the ids to hand back to SQS (the report could not be sent). */
async function planOnly(violationIds: string[], batch: Batch): Promise<string[]> {
  const { config, reporter } = batch;
  const fields = details(batch, violationIds);
  const sent = await reportSent(() => reporter.report('INFO', 'dry-run', fields,
    [detectDryRunEvent(config.mitigation, fields.taskId, violationIds, config.actions)]), { taskId: fields.taskId, violationIds });
  if (!sent) { return violationIds; }
  // After the report and the event: a redelivered batch whose report failed did not count it yet.
  emitMitigationCounts(config.mitigation, { [METRICS.DRY_RUN_PLANS]: 1 });
  return [];
}

/**
 * Starts the task for `violationIds` (its id derives from the ids, so a single-id task is the same
 * task on every redelivery). Returns the ids to hand back to SQS for a later retry.
 */
async function mitigate(violationIds: string[], batch: Batch, splitFrom?: string): Promise<string[]> {
  const { config, reporter } = batch;
  const fields = details(batch, violationIds, splitFrom);
  let outcome: StartOutcome;
  try {
    outcome = await startDetectMitigationTask(iot, { taskId: fields.taskId, violationIds, actions: config.actions });
  } catch (failure) {
    return onStartFailure(failure, violationIds, fields, batch);
  }
  // Counted only when AWS IoT started it: a redelivery that finds the task counts nothing.
  if (outcome === 'started') { emitMitigationCounts(config.mitigation, { [METRICS.TASKS_STARTED]: 1 }); }
  // A report that could not be sent: the redelivery finds the task and reports it ('mitigation-already-started').
  const sent = await reportSent(() => reporter.report('INFO', outcome === 'started' ? 'mitigation-started' : 'mitigation-already-started', fields,
    [detectTaskStartedEvent(config.mitigation, fields.taskId, violationIds, config.actions, outcome !== 'started')]), { taskId: fields.taskId, violationIds });
  return sent ? [] : violationIds;
}

async function onStartFailure(failure: unknown, violationIds: string[], fields: ReturnType<typeof details>, batch: Batch): Promise<string[]> {
  const error = { error: errorName(failure), message: errorMessage(failure) };
  switch (afterStartFailure(isPermanent(failure), violationIds.length)) {
    case 'retry-later':
      log('WARN', 'retrying', { ...fields, ...error });
      return violationIds;
    case 'give-up': {
      const sent = await reportSent(() => batch.reporter.permanentFailure('mitigation-failed', failure, fields), { taskId: fields.taskId, violationIds });
      return sent ? [] : violationIds;
    }
    case 'split': {
      log('WARN', 'splitting', { ...fields, ...error, reason: 'AWS IoT refused the batch: starting one task per violation' });
      const retry: string[] = [];
      for (const id of violationIds) { retry.push(...await mitigate([id], batch, fields.taskId)); }
      return retry;
    }
  }
}
