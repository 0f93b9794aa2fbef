import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Lookup, LookupResult, lookUpActiveViolations, planLookups } from './detect-mitigation/active-violations';
import { DetectHandlerConfig, readDetectConfig } from './detect-mitigation/config';
import { Batch, decideAlerts, decideBatch, decideTask, decideVerification, Notice, ReadRecord } from './detect-mitigation/decide';
import { parseViolationAlert } from './detect-mitigation/violation';
import { DETECT_ENV } from '../contract/environment';
import { openConfig } from './shared/config';
import { perform } from './shared/effects';
import { Answer, answerOf } from './shared/errors';
import { createIotClient, startDetectMitigationTask } from './shared/iot-tasks';
import { MalformedMessageError } from './shared/message';
import { Reporter, reportSent } from './shared/report';

const iot = createIotClient();

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
 *
 * Parse (the messages), decide (`./detect-mitigation/decide.ts`, pure), act: the I/O is here. A
 * configuration that cannot be read fails the invocation, so every message is kept (redelivered,
 * then dead-lettered) until the deployment is fixed.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const config = await openConfig(process.env, readDetectConfig, DETECT_ENV);
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);
  // The SQS messages to deliver again.
  const retry = new Set<string>();
  const say = (notices: Notice[]) => sayAll(notices, reporter, retry);

  const records = event.Records.map((record) => ({ messageId: record.messageId, body: record.body, alert: readAlert(record.body) }));
  const alerts = decideAlerts(records, config);
  await say(alerts.notices);

  const lookups = planLookups(alerts.received.map((r) => r.alert));
  const answers = new Map<Lookup, Answer<LookupResult>>();
  for (const lookup of lookups) {
    answers.set(lookup, await answerOf(() => lookUpActiveViolations(iot, config.securityProfileName, lookup)));
  }
  const verification = decideVerification(alerts.received, lookups, answers, config);
  verification.retry.forEach((id) => retry.add(id));
  await say(verification.notices);

  const { notices, batch } = decideBatch(verification.verified, config);
  await say(notices);
  for (const violationIds of batch.tasks) {
    await mitigate(violationIds, batch, config, reporter, retry);
  }
  return { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** A message, read: its alert, or why it cannot be read. */
function readAlert(body: string): ReadRecord['alert'] {
  try {
    return parseViolationAlert(body);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) { throw error; }
    return error;
  }
}

/** Says each notice; the messages of one whose report could not be sent are added to `retry`. */
async function sayAll(notices: Notice[], reporter: Reporter, retry: Set<string>): Promise<void> {
  for (const { effects, onFailure } of notices) {
    if (!onFailure) {
      await perform(effects, reporter);
    } else if (!await reportSent(() => perform(effects, reporter), onFailure.fields)) {
      onFailure.messageIds.forEach((id) => retry.add(id));
    }
  }
}

/** Starts (or, in a dry run, reports) the task of `violationIds`, and then does what `decideTask` says about it. */
async function mitigate(violationIds: string[], batch: Batch, config: DetectHandlerConfig, reporter: Reporter, retry: Set<string>,
  splitFrom?: string): Promise<void> {
  let step = decideTask(violationIds, batch, config, undefined, splitFrom);
  if (step.kind === 'start') {
    const { request } = step;
    step = decideTask(violationIds, batch, config, await answerOf(() => startDetectMitigationTask(iot, request)), splitFrom);
  }
  switch (step.kind) {
    case 'start':
      throw new Error(`internal error: task ${step.request.taskId} asked to start twice`);
    case 'notify':
      return sayAll([step.notice], reporter, retry);
    case 'retry':
      await perform(step.effects, reporter);
      step.messageIds.forEach((id) => retry.add(id));
      return;
    case 'split':
      await perform(step.effects, reporter);
      for (const part of step.parts) { await mitigate(part, batch, config, reporter, retry, step.splitFrom); }
      return;
  }
}
