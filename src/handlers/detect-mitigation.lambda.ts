import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DETECT_ENV, METRICS } from '../contract';
import { DetectHandlerConfig, readDetectConfig } from './shared/config';
import { detectDryRunEvent, detectTaskStartedEvent, emitMitigationCounts } from './shared/decision-signals';
import { detectMitigationTaskId } from './shared/ids';
import {
  createIotClient, errorMessage, errorName, isPermanent, startDetectMitigationTask, StartOutcome,
} from './shared/iot-tasks';
import { log } from './shared/log';
import { MalformedMessageError } from './shared/message';
import { Reporter } from './shared/report';
import { chunk } from './shared/targets';
import { afterStartFailure, parseViolationAlert, reasonToIgnore } from './shared/violation';

const iot = createIotClient();

/** StartDetectMitigationActionsTask takes at most 25 violation ids per task. */
const MAX_VIOLATIONS_PER_TASK = 25;

/**
 * Moves the things of in-alarm violations into thing groups: one detect mitigation actions task
 * per batch of at most 25 violations. Alerts arrive through an SQS queue (raw SNS delivery), so a
 * burst is batched; records whose task could not be started for a transient reason are returned
 * as batch item failures, retried by SQS and dead-lettered after the last attempt. A batch AWS IoT
 * refuses for good is split, one task per violation, so a bad violation id loses only itself; what
 * still fails for good is reported as a permanent failure.
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
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);

  // violation id -> the SQS messages that carried it (the same alert may arrive twice)
  const messagesOf = new Map<string, string[]>();
  for (const record of event.Records) {
    let alert;
    try {
      alert = parseViolationAlert(record.body);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) { throw error; }
      await reporter.permanentFailure('malformed-alert', error, { messageId: record.messageId, received: record.body.slice(0, 2000) });
      continue;
    }
    const reason = reasonToIgnore(alert, config);
    if (reason) {
      log('INFO', 'ignored', { violationId: alert.violationId, thingName: alert.thingName, reason });
      continue;
    }
    messagesOf.set(alert.violationId, [...messagesOf.get(alert.violationId) ?? [], record.messageId]);
  }

  const failed: string[] = [];
  for (const violationIds of chunk([...messagesOf.keys()].sort(), MAX_VIOLATIONS_PER_TASK)) {
    if (config.dryRun) {
      const fields = details(config, violationIds);
      await reporter.report('INFO', 'dry-run', fields, [detectDryRunEvent(config.mitigation, fields.taskId, violationIds, config.actions)]);
      // After the report and the event: a redelivered batch whose report failed did not count it yet.
      emitMitigationCounts(config.mitigation, { [METRICS.DRY_RUN_PLANS]: 1 });
      continue;
    }
    const retry = await mitigate(violationIds, config, reporter);
    failed.push(...retry.flatMap((id) => messagesOf.get(id)!));
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

function details(config: DetectHandlerConfig, violationIds: string[], splitFrom?: string) {
  return {
    taskId: detectMitigationTaskId(config.taskIdPrefix, violationIds),
    securityProfileName: config.securityProfileName,
    violationIds,
    actions: config.actions,
    ...(splitFrom ? { splitFrom } : {}),
  };
}

/**
 * Starts the task for `violationIds` (its id derives from the ids, so a single-id task is the same
 * task on every redelivery). Returns the ids to hand back to SQS for a later retry.
 */
async function mitigate(violationIds: string[], config: DetectHandlerConfig, reporter: Reporter, splitFrom?: string): Promise<string[]> {
  const fields = details(config, violationIds, splitFrom);
  let outcome: StartOutcome;
  try {
    outcome = await startDetectMitigationTask(iot, { taskId: fields.taskId, violationIds, actions: config.actions });
  } catch (failure) {
    return onStartFailure(failure, violationIds, fields, config, reporter);
  }
  // Counted only when AWS IoT started it: a redelivery that finds the task counts nothing.
  if (outcome === 'started') { emitMitigationCounts(config.mitigation, { [METRICS.TASKS_STARTED]: 1 }); }
  await reporter.report('INFO', outcome === 'started' ? 'mitigation-started' : 'mitigation-already-started', fields,
    [detectTaskStartedEvent(config.mitigation, fields.taskId, violationIds, config.actions, outcome !== 'started')]);
  return [];
}

async function onStartFailure(failure: unknown, violationIds: string[], fields: ReturnType<typeof details>,
  config: DetectHandlerConfig, reporter: Reporter): Promise<string[]> {
  const error = { error: errorName(failure), message: errorMessage(failure) };
  switch (afterStartFailure(isPermanent(failure), violationIds.length)) {
    case 'retry-later':
      log('WARN', 'retrying', { ...fields, ...error });
      return violationIds;
    case 'give-up':
      await reporter.permanentFailure('mitigation-failed', failure, fields);
      return [];
    case 'split': {
      log('WARN', 'splitting', { ...fields, ...error, reason: 'AWS IoT refused the batch: starting one task per violation' });
      const retry: string[] = [];
      for (const id of violationIds) { retry.push(...await mitigate([id], config, reporter, fields.taskId)); }
      return retry;
    }
  }
}
