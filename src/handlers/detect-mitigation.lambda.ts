import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readDetectConfig } from './shared/config';
import { detectMitigationTaskId } from './shared/ids';
import { createIotClient, errorMessage, errorName, isPermanent, startDetectMitigationTask } from './shared/iot-tasks';
import { log } from './shared/log';
import { MalformedMessageError } from './shared/message';
import { Reporter } from './shared/report';
import { chunk } from './shared/targets';
import { parseViolationAlert, reasonToIgnore } from './shared/violation';

const iot = createIotClient();

/** StartDetectMitigationActionsTask takes at most 25 violation ids per task. */
const MAX_VIOLATIONS_PER_TASK = 25;

/**
 * Moves the things of in-alarm violations into thing groups: one detect mitigation actions task
 * per batch of at most 25 violations. Alerts arrive through an SQS queue (raw SNS delivery), so a
 * burst is batched; records whose task could not be started for a transient reason are returned
 * as batch item failures, retried by SQS and dead-lettered after the last attempt.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const config = readDetectConfig(process.env);
  const reporter = new Reporter(config.reportTopicArn);

  // violation id -> the SQS messages that carried it (the same alert may arrive twice)
  const messagesOf = new Map<string, string[]>();
  for (const record of event.Records) {
    let alert;
    try {
      alert = parseViolationAlert(record.body);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) { throw error; }
      await reporter.report('WARN', 'malformed-alert', { reason: error.message, message: record.body.slice(0, 2000) });
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
    const taskId = detectMitigationTaskId(config.taskIdPrefix, violationIds);
    const details = { taskId, securityProfileName: config.securityProfileName, violationIds, actions: config.actions };
    if (config.dryRun) {
      await reporter.report('INFO', 'dry-run', details);
      continue;
    }
    try {
      const outcome = await startDetectMitigationTask(iot, { taskId, violationIds, actions: config.actions });
      await reporter.report('INFO', outcome === 'started' ? 'mitigation-started' : 'mitigation-already-started', details);
    } catch (error) {
      if (isPermanent(error)) {
        await reporter.report('ERROR', 'mitigation-failed', { ...details, error: errorName(error), message: errorMessage(error) });
      } else {
        log('WARN', 'retrying', { ...details, error: errorName(error), message: errorMessage(error) });
        failed.push(...violationIds.flatMap((id) => messagesOf.get(id)!));
      }
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
