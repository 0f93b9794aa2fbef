import { paginateListAuditTasks } from '@aws-sdk/client-iot';
import type { Context, ScheduledEvent, SNSEvent } from 'aws-lambda';
import { AUDIT_ENV as ENV } from '../contract/environment';
import { METRICS } from '../contract/telemetry';
import { AuditPlan, actionsMapping, planAuditMitigation, reasonToIgnoreTrigger } from './shared/audit-plan';
import { AuditSummary, AuditTrigger, parseAuditNotification } from './shared/audit-summary';
import { HandlerConfig, readConfig } from './shared/config';
import {
  auditDryRunEvent, auditTaskStartedEvent, checksExcludedEvents, emitAuditPlanMetrics, emitMitigationCounts,
} from './shared/decision-signals';
import { auditMitigationTaskId } from './shared/ids';
import {
  auditMitigationTaskExists, createIotClient, describeAudit, errorMessage, errorName, isPermanent, startAuditMitigationTask, StartOutcome,
} from './shared/iot-tasks';
import { log } from './shared/log';
import { MalformedMessageError } from './shared/message';
import { Reporter } from './shared/report';

// Module scope: reused across invocations. Throttling, LimitExceeded and 5xx answers are retried
// by the SDK with backoff; what still fails makes the invocation fail, so Lambda retries it and
// then sends it to the on-failure destination.
const iot = createIotClient();

/** What one invocation did, per audit (also logged, one line per decision). */
export interface Outcome {
  readonly auditTaskId?: string;
  readonly decision: 'ignored' | 'malformed' | 'nothing-to-start' | 'dry-run' | 'started' | 'already-exists'
  | 'already-mitigated' | 'failed-permanently';
  readonly taskId?: string;
  readonly reason?: string;
}

/**
 * Starts one audit mitigation actions task per finished audit: on the audit notification (SNS),
 * and from a scheduled reconciler that finds audits whose notification never arrived.
 */
export async function handler(event: SNSEvent | ScheduledEvent, context: Context): Promise<Outcome[]> {
  let config: HandlerConfig;
  try {
    config = readConfig(process.env, context.invokedFunctionArn.split(':')[4]);
  } catch (error) {
    // The deployment is broken: report it, and fail the invocation so the event is retried and
    // then kept in the dead-letter queue until it is fixed.
    await new Reporter(process.env[ENV.REPORT_TOPIC_ARN] || undefined, process.env[ENV.MITIGATION] || undefined,
      process.env[ENV.EVENT_BUS] || undefined).permanentFailure('config-error', error);
    throw error;
  }
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);
  if ('Records' in event && Array.isArray(event.Records)) {
    const outcomes: Outcome[] = [];
    for (const record of event.Records) {
      outcomes.push(await onNotification(record.Sns?.Message ?? '', config, reporter));
    }
    return outcomes;
  }
  if ((event as ScheduledEvent).source === 'aws.events') {
    return reconcile(config, reporter);
  }
  await reporter.permanentFailure('unknown-event', new MalformedMessageError('event', 'neither an SNS notification nor a scheduled event'),
    { received: JSON.stringify(event).slice(0, 2000) });
  return [];
}

/**
 * The notification is only a trigger: its audit id (and account, to set aside another account's
 * audit without calling AWS). Status, checks and counts come from DescribeAuditTask, so a message
 * with wrong or missing counts cannot widen what is mitigated.
 */
async function onNotification(message: string, config: HandlerConfig, reporter: Reporter): Promise<Outcome> {
  let trigger: AuditTrigger;
  try {
    trigger = parseAuditNotification(message);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) { throw error; }
    await reporter.permanentFailure('malformed-notification', error, { received: message.slice(0, 2000) });
    return { decision: 'malformed', reason: error.message };
  }
  const reason = reasonToIgnoreTrigger(trigger, config);
  if (reason) {
    log('INFO', 'ignored', { auditTaskId: trigger.taskId, reason, trigger: 'notification' });
    return { auditTaskId: trigger.taskId, decision: 'ignored', reason };
  }
  const audit = await describeOrFail(trigger.taskId, reporter, 'notification');
  return 'decision' in audit ? audit : act(planAuditMitigation(audit, config), config, reporter, 'notification');
}

/**
 * Reads the audit with DescribeAuditTask. A permanent error (an audit this account does not have,
 * access denied) is reported as a permanent failure and ends the audit's handling; a transient
 * one is thrown, so the invocation is retried.
 */
async function describeOrFail(auditTaskId: string, reporter: Reporter, trigger: string): Promise<AuditSummary | Outcome> {
  try {
    return await describeAudit(iot, auditTaskId);
  } catch (error) {
    if (!isPermanent(error)) {
      log('WARN', 'retrying', { auditTaskId, trigger, error: errorName(error), message: errorMessage(error) });
      throw error;
    }
    const reason = errorName(error) === 'ResourceNotFoundException'
      ? `DescribeAuditTask does not know audit ${auditTaskId}: no such audit in this account and region, so nothing is started`
      : `DescribeAuditTask failed for audit ${auditTaskId} (${errorName(error)}), so nothing is started`;
    await reporter.permanentFailure('describe-audit-failed', error, { reason, auditTaskId, trigger });
    return { auditTaskId, decision: 'failed-permanently', reason };
  }
}

/**
 * Carries out a plan: ignore, report, or start the task. Each decision is also metrics and events
 * (see report.ts for the order). A metric is counted once per decision: a start's with the start
 * itself (only when AWS IoT answered 'started', so a retry that finds the task counts nothing), a
 * report-only decision's (dry run, nothing to start) once its report and events went out (a
 * retried invocation did not count it before).
 */
async function act(plan: AuditPlan, config: HandlerConfig, reporter: Reporter, trigger: string): Promise<Outcome> {
  if (plan.kind === 'ignore') {
    // Not retried: the audit only gets older. A too-old audit is also counted, so it can be seen and alarmed on.
    log(plan.tooOld ? 'WARN' : 'INFO', 'ignored', { auditTaskId: plan.auditTaskId, reason: plan.reason, trigger });
    if (plan.tooOld) { emitMitigationCounts(config.mitigation, { [METRICS.AUDITS_TOO_OLD]: 1 }); }
    return { auditTaskId: plan.auditTaskId, decision: 'ignored', reason: plan.reason };
  }
  const details = {
    auditTaskId: plan.auditTaskId,
    scheduledAuditName: plan.scheduledAuditName,
    taskId: plan.taskId,
    trigger,
    checks: plan.checks,
    excluded: plan.excluded,
    skipped: plan.skipped,
  };
  const excludedEvents = checksExcludedEvents(config.mitigation, plan);
  if (plan.kind === 'nothing-to-start') {
    if (plan.excluded.length > 0) {
      await reporter.report('WARN', 'nothing-to-start', details, excludedEvents);
    } else {
      log('INFO', 'nothing-to-start', details);
    }
    emitAuditPlanMetrics(config.mitigation, plan);
    return { auditTaskId: plan.auditTaskId, decision: 'nothing-to-start', taskId: plan.taskId };
  }
  if (config.dryRun) {
    await reporter.report('INFO', 'dry-run', details, [auditDryRunEvent(config.mitigation, plan), ...excludedEvents]);
    emitMitigationCounts(config.mitigation, { [METRICS.DRY_RUN_PLANS]: 1 });
    emitAuditPlanMetrics(config.mitigation, plan);
    return { auditTaskId: plan.auditTaskId, decision: 'dry-run', taskId: plan.taskId };
  }
  let outcome: StartOutcome;
  try {
    outcome = await startAuditMitigationTask(iot, {
      taskId: plan.taskId,
      clientRequestToken: plan.clientRequestToken,
      target: { auditTaskId: plan.auditTaskId },
      auditCheckToActionsMapping: actionsMapping(plan.checks),
    });
  } catch (error) {
    if (!isPermanent(error)) {
      log('WARN', 'retrying', { ...details, error: errorName(error), message: errorMessage(error) });
      throw error;
    }
    await reporter.permanentFailure('mitigation-failed', error, details);
    return { auditTaskId: plan.auditTaskId, decision: 'failed-permanently', taskId: plan.taskId, reason: errorMessage(error) };
  }
  if (outcome === 'started') {
    emitMitigationCounts(config.mitigation, {
      [METRICS.TASKS_STARTED]: 1, ...(trigger === 'reconciler' ? { [METRICS.AUDITS_RECOVERED]: 1 } : {}),
    });
    emitAuditPlanMetrics(config.mitigation, plan);
  }
  await reporter.report(plan.excluded.length > 0 ? 'WARN' : 'INFO', outcome === 'started' ? 'mitigation-started' : 'mitigation-already-started', details,
    [auditTaskStartedEvent(config.mitigation, plan, outcome !== 'started'), ...excludedEvents]);
  return { auditTaskId: plan.auditTaskId, decision: outcome, taskId: plan.taskId };
}

/**
 * Lists the audits that completed within the look-back window and starts the mitigation task
 * of every one that has none yet. Idempotent: task ids and tokens derive from the audit ids.
 */
async function reconcile(config: HandlerConfig, reporter: Reporter): Promise<Outcome[]> {
  const endTime = new Date();
  const startTime = new Date(endTime.getTime() - config.reconcileLookbackHours * 3_600_000);
  const taskTypes = config.includeOnDemandAudits ? ['SCHEDULED_AUDIT_TASK', 'ON_DEMAND_AUDIT_TASK'] : ['SCHEDULED_AUDIT_TASK'];
  const outcomes: Outcome[] = [];
  let transient: unknown;
  for (const taskType of taskTypes) {
    const pages = paginateListAuditTasks({ client: iot, pageSize: 100 },
      { startTime, endTime, taskType: taskType as 'SCHEDULED_AUDIT_TASK', taskStatus: 'COMPLETED' });
    for await (const page of pages) {
      for (const task of page.tasks ?? []) {
        if (!task.taskId) { continue; }
        try {
          outcomes.push(await reconcileAudit(task.taskId, config, reporter));
        } catch (error) {
          transient = error; // already logged by act(); try the other audits first
        }
      }
    }
  }
  log('INFO', 'reconciled', { startTime, endTime, audits: outcomes.length, started: outcomes.filter((o) => o.decision === 'started').length });
  if (transient) { throw transient; }
  return outcomes;
}

async function reconcileAudit(auditTaskId: string, config: HandlerConfig, reporter: Reporter): Promise<Outcome> {
  const taskId = auditMitigationTaskId(config.taskIdPrefix, auditTaskId);
  if (await auditMitigationTaskExists(iot, taskId)) {
    log('DEBUG', 'already-mitigated', { auditTaskId, taskId, trigger: 'reconciler' });
    return { auditTaskId, decision: 'already-mitigated', taskId };
  }
  const audit = await describeOrFail(auditTaskId, reporter, 'reconciler');
  if ('decision' in audit) { return audit; }
  const plan = planAuditMitigation(audit, config);
  if (plan.kind === 'start' && !config.dryRun) {
    return act(plan, config, reporter, 'reconciler');
  }
  // Reports, events and metrics of dry runs, ignored audits and excluded checks come from the
  // notification path; the reconciler only logs them, or every run would repeat them.
  const decision = plan.kind === 'start' ? 'dry-run' : plan.kind === 'ignore' ? 'ignored' : 'nothing-to-start';
  log('INFO', decision, { auditTaskId, taskId, trigger: 'reconciler', ...(plan.kind === 'ignore' ? { reason: plan.reason } : { checks: plan.checks, excluded: plan.excluded }) });
  return { auditTaskId, decision, taskId };
}
