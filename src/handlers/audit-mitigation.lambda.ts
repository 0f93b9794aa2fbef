import { paginateListAuditTasks } from '@aws-sdk/client-iot';
import type { Context, ScheduledEvent, SNSEvent } from 'aws-lambda';
import { AuditHandlerConfig, readAuditConfig } from './audit-mitigation/config';
import {
  AuditFacts, decideAudit, decideNotification, decideUnknownEvent, Outcome, parseInvocation, reconcileWindow, Trigger,
} from './audit-mitigation/decide';
import { AUDIT_ENV as ENV } from '../contract/environment';
import { AuditTrigger, parseAuditNotification } from './shared/audit-summary';
import { openConfig } from './shared/config';
import { perform } from './shared/effects';
import { answerOf } from './shared/errors';
import { auditMitigationTaskExists, createIotClient, describeAudit, startAuditMitigationTask } from './shared/iot-tasks';
import { log } from './shared/log';
import { MalformedMessageError } from './shared/message';
import { Reporter } from './shared/report';

export type { Outcome } from './audit-mitigation/decide';

// Module scope: reused across invocations. Throttling, LimitExceeded and 5xx answers are retried
// by the SDK with backoff; what still fails makes the invocation fail, so Lambda retries it and
// then sends it to the on-failure destination.
const iot = createIotClient();

/**
 * Starts one audit mitigation actions task per finished audit: on the audit notification (SNS),
 * and from a scheduled reconciler that finds audits whose notification never arrived.
 *
 * Parse (the event, the notification), decide (`./audit-mitigation/decide.ts`, pure: what to ask
 * AWS IoT next, what to report and emit), act: the I/O is here.
 */
export async function handler(event: SNSEvent | ScheduledEvent, context: Context): Promise<Outcome[]> {
  const config = await openConfig(process.env, (env) => readAuditConfig(env, context.invokedFunctionArn.split(':')[4]), ENV);
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);
  const now = new Date();
  const invocation = parseInvocation(event);
  switch (invocation.kind) {
    case 'notifications': {
      const outcomes: Outcome[] = [];
      for (const message of invocation.messages) {
        outcomes.push(await onNotification(message, config, reporter, now));
      }
      return outcomes;
    }
    case 'reconcile':
      return reconcile(config, reporter, now);
    case 'unknown':
      await perform(decideUnknownEvent(invocation.received), reporter);
      return [];
  }
}

/** The notification, read: its trigger, or why it cannot be read. */
function readTrigger(message: string): AuditTrigger | MalformedMessageError {
  try {
    return parseAuditNotification(message);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) { throw error; }
    return error;
  }
}

async function onNotification(message: string, config: AuditHandlerConfig, reporter: Reporter, now: Date): Promise<Outcome> {
  const decision = decideNotification(readTrigger(message), message, config);
  if (decision.kind === 'done') {
    await perform(decision.effects, reporter);
    return decision.outcome;
  }
  return handleAudit({ trigger: 'notification', auditTaskId: decision.auditTaskId }, config, reporter, now);
}

/**
 * Handles one audit: asks AWS IoT what each step needs until the decision is done, then performs
 * its effects. A transient failure fails the invocation (after its `retrying` line).
 */
async function handleAudit(start: AuditFacts, config: AuditHandlerConfig, reporter: Reporter, now: Date): Promise<Outcome> {
  let facts = start;
  for (;;) {
    const step = decideAudit(facts, config, now);
    switch (step.kind) {
      case 'check-task':
        facts = { ...facts, taskExists: await auditMitigationTaskExists(iot, step.taskId) };
        break;
      case 'describe':
        facts = { ...facts, audit: await answerOf(() => describeAudit(iot, start.auditTaskId)) };
        break;
      case 'start':
        facts = { ...facts, started: await answerOf(() => startAuditMitigationTask(iot, step.request)) };
        break;
      case 'retry':
        await perform(step.effects, reporter);
        throw step.error;
      case 'done':
        await perform(step.effects, reporter);
        return step.outcome;
    }
  }
}

/**
 * Lists the audits that completed within the look-back window and starts the mitigation task
 * of every one that has none yet. Idempotent: task ids and tokens derive from the audit ids.
 */
async function reconcile(config: AuditHandlerConfig, reporter: Reporter, now: Date): Promise<Outcome[]> {
  const { startTime, endTime, taskTypes } = reconcileWindow(config, now);
  const trigger: Trigger = 'reconciler';
  const outcomes: Outcome[] = [];
  let transient: unknown;
  for (const taskType of taskTypes) {
    const pages = paginateListAuditTasks({ client: iot, pageSize: 100 },
      { startTime, endTime, taskType: taskType as 'SCHEDULED_AUDIT_TASK', taskStatus: 'COMPLETED' });
    for await (const page of pages) {
      for (const task of page.tasks ?? []) {
        if (!task.taskId) { continue; }
        try {
          outcomes.push(await handleAudit({ trigger, auditTaskId: task.taskId }, config, reporter, now));
        } catch (error) {
          transient = error; // already logged; try the other audits first
        }
      }
    }
  }
  log('INFO', 'reconciled', { startTime, endTime, audits: outcomes.length, started: outcomes.filter((o) => o.decision === 'started').length });
  if (transient) { throw transient; }
  return outcomes;
}
