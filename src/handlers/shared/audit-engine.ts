import { IoTClient, paginateListAuditTasks } from '@aws-sdk/client-iot';
import { AuditEngineConfig, AuditFacts, decideAudit, decideNotification, Outcome, reconcileWindow, Trigger } from './audit-decide';
import { AuditTrigger, parseAuditNotification } from './audit-summary';
import { perform } from './effects';
import { answerOf } from './errors';
import { auditMitigationTaskExists, describeAudit, startAuditMitigationTask } from './iot-tasks';
import { log } from './log';
import { MalformedMessageError } from './message';
import type { Reporter } from './report';

// The audit mitigation engine: what AuditMitigation's handler does in its own account and region,
// and what the organization hub does in each spoke's. The decisions are audit-decide.ts (pure);
// the I/O is here, against the one account and region a `MitigationContext` names.

/** Where and how one audit mitigation acts: an account and region, its IoT client there, its policy and its reporter. */
export interface MitigationContext {
  /** The account whose audits are mitigated. */
  readonly account: string;
  /** The region whose audits are mitigated. */
  readonly region: string;
  /** An AWS IoT client of that account and region. */
  readonly iot: IoTClient;
  readonly config: AuditEngineConfig;
  /** Where reports, permanent failures and events go. */
  readonly reporter: Reporter;
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

/**
 * Handles one audit-completion notification (the SNS message AWS IoT published). A transient
 * failure is thrown (after its `retrying` line), for the caller to have the message delivered again.
 */
export async function onNotification(message: string, context: MitigationContext, now: Date): Promise<Outcome> {
  const decision = decideNotification(readTrigger(message), message, context.config);
  if (decision.kind === 'done') {
    await perform(decision.effects, context.reporter);
    return decision.outcome;
  }
  return handleAudit({ trigger: 'notification', auditTaskId: decision.auditTaskId }, context, now);
}

/**
 * Handles one audit: asks AWS IoT what each step needs until the decision is done, then performs
 * its effects. A transient failure is thrown (after its `retrying` line).
 */
export async function handleAudit(start: AuditFacts, context: MitigationContext, now: Date): Promise<Outcome> {
  const { iot, config, reporter } = context;
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
 * of every one that has none yet. Idempotent: task ids and tokens derive from the audit ids. A
 * transient failure on one audit does not stop the others; the first is thrown at the end.
 */
export async function reconcile(context: MitigationContext, now: Date, logFields: Record<string, unknown> = {}): Promise<Outcome[]> {
  const { startTime, endTime, taskTypes } = reconcileWindow(context.config, now);
  const trigger: Trigger = 'reconciler';
  const outcomes: Outcome[] = [];
  let transient: unknown;
  for (const taskType of taskTypes) {
    const pages = paginateListAuditTasks({ client: context.iot, pageSize: 100 },
      { startTime, endTime, taskType: taskType as 'SCHEDULED_AUDIT_TASK', taskStatus: 'COMPLETED' });
    for await (const page of pages) {
      for (const task of page.tasks ?? []) {
        if (!task.taskId) { continue; }
        try {
          outcomes.push(await handleAudit({ trigger, auditTaskId: task.taskId }, context, now));
        } catch (error) {
          transient = error; // already logged; try the other audits first
        }
      }
    }
  }
  log('INFO', 'reconciled', {
    ...logFields, startTime, endTime, audits: outcomes.length, started: outcomes.filter((o) => o.decision === 'started').length,
  });
  if (transient) { throw transient; }
  return outcomes;
}
