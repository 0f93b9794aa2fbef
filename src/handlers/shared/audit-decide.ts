import { AuditMitigationConfig, AuditPlan, actionsMapping, planAuditMitigation, reasonToIgnoreTrigger } from './audit-plan';
import type { AuditSummary, AuditTrigger } from './audit-summary';
import {
  auditDryRunEvent, auditPlanMetricLines, auditTaskStartedEvent, CheckPlan, checksExcludedEvents, mitigationCounts,
} from './decision-signals';
import { Effect, logLine, metricLines, permanentFailure, report } from './effects';
import { Answer, errorMessage, errorName, Failure } from './errors';
import { auditMitigationTaskId } from './ids';
import type { StartOutcome } from './iot-tasks';
import { MalformedMessageError } from './message';
import { METRICS } from '../../contract/telemetry';

// The audit mitigation decisions, pure: given what is known about an audit so far (the
// notification, what AWS IoT answered), what to ask AWS IoT next, or what to report and emit. No
// I/O and no clock: the caller passes `now` in, asks AWS IoT what a step says, and performs the
// effects (audit-engine.ts, for AuditMitigation's handler and the organization hub's alike).

/**
 * What the decisions need of a mitigation's configuration: the policy (`AuditMitigationConfig`),
 * the name its metrics and events carry, and the reconciler's lookback.
 */
export interface AuditEngineConfig extends AuditMitigationConfig {
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  readonly mitigation: string;
  readonly reconcileLookbackHours: number;
}

/** What started the handling of an audit: its notification, or the scheduled reconciler. */
export type Trigger = 'notification' | 'reconciler';

/** What one invocation did, per audit (also logged, one line per decision). */
export interface Outcome {
  readonly auditTaskId?: string;
  readonly decision: 'ignored' | 'malformed' | 'nothing-to-start' | 'dry-run' | 'started' | 'already-exists'
  | 'already-mitigated' | 'failed-permanently';
  readonly taskId?: string;
  readonly reason?: string;
}

/** The end of a decision: the effects to perform, and what it came to. */
export interface Done {
  readonly kind: 'done';
  readonly effects: Effect[];
  readonly outcome: Outcome;
}

/** A transient failure: perform the effects (the `retrying` line), then fail the invocation with `error` so that it is retried. */
export interface Retry {
  readonly kind: 'retry';
  readonly effects: Effect[];
  readonly error: unknown;
}

/** The StartAuditMitigationActionsTask request of a plan. */
export interface AuditTaskRequest {
  readonly taskId: string;
  readonly clientRequestToken: string;
  readonly target: { readonly auditTaskId: string };
  readonly auditCheckToActionsMapping: Record<string, string[]>;
}

/** What is known about one audit so far. */
export interface AuditFacts {
  readonly trigger: Trigger;
  readonly auditTaskId: string;
  /** The reconciler asks first whether this construct's task for the audit exists (DescribeAuditMitigationActionsTask). */
  readonly taskExists?: boolean;
  /** DescribeAuditTask's answer. */
  readonly audit?: Answer<AuditSummary>;
  /** The start's answer (StartAuditMitigationActionsTask, unless Describe found the task). */
  readonly started?: Answer<StartOutcome>;
}

/** What to do next about an audit. */
export type AuditStep =
  | { readonly kind: 'check-task'; readonly taskId: string }
  | { readonly kind: 'describe' }
  | { readonly kind: 'start'; readonly request: AuditTaskRequest }
  | Retry
  | Done;

/** What the invocation is: SNS notifications (their messages), the reconciler's schedule, or neither. */
export type Invocation =
  | { readonly kind: 'notifications'; readonly messages: string[] }
  | { readonly kind: 'reconcile' }
  | { readonly kind: 'unknown'; readonly received: string };

/** Sorts the invocation's event. */
export function parseInvocation(event: unknown): Invocation {
  const e = event as { Records?: unknown; source?: unknown };
  if ('Records' in e && Array.isArray(e.Records)) {
    return { kind: 'notifications', messages: (e.Records as Array<{ Sns?: { Message?: string } }>).map((record) => record.Sns?.Message ?? '') };
  }
  if (e.source === 'aws.events') { return { kind: 'reconcile' }; }
  return { kind: 'unknown', received: JSON.stringify(event).slice(0, 2000) };
}

/** An event that is neither a notification nor the schedule: a permanent failure, nothing else. */
export function decideUnknownEvent(received: string): Effect[] {
  return [permanentFailure('unknown-event', new MalformedMessageError('event', 'neither an SNS notification nor a scheduled event'), { received })];
}

/**
 * A notification, read (`parseAuditNotification`; a message that cannot be read is a
 * MalformedMessageError). The notification is only a trigger: its audit id, and its account and
 * scheduled audit to set aside what is not this construct's without calling AWS. Status, checks
 * and counts come from DescribeAuditTask (`decideAudit`).
 */
export function decideNotification(trigger: AuditTrigger | MalformedMessageError, message: string,
  config: AuditEngineConfig): Done | { readonly kind: 'audit'; readonly auditTaskId: string } {
  if (trigger instanceof MalformedMessageError) {
    return {
      kind: 'done',
      effects: [permanentFailure('malformed-notification', trigger, { received: message.slice(0, 2000) })],
      outcome: { decision: 'malformed', reason: trigger.message },
    };
  }
  const reason = reasonToIgnoreTrigger(trigger, config);
  if (reason) {
    return {
      kind: 'done',
      effects: [logLine('INFO', 'ignored', { auditTaskId: trigger.taskId, reason, trigger: 'notification' })],
      outcome: { auditTaskId: trigger.taskId, decision: 'ignored', reason },
    };
  }
  return { kind: 'audit', auditTaskId: trigger.taskId };
}

/** What the reconciler lists: the completed audits of its look-back window, of these types. */
export function reconcileWindow(config: AuditEngineConfig, now: Date): { startTime: Date; endTime: Date; taskTypes: string[] } {
  return {
    startTime: new Date(now.getTime() - config.reconcileLookbackHours * 3_600_000),
    endTime: now,
    taskTypes: config.includeOnDemandAudits ? ['SCHEDULED_AUDIT_TASK', 'ON_DEMAND_AUDIT_TASK'] : ['SCHEDULED_AUDIT_TASK'],
  };
}

/**
 * The next step for one audit. The reconciler first asks whether the task exists (idempotent: task
 * ids and tokens derive from the audit ids); both paths then read the audit with DescribeAuditTask
 * and plan (`planAuditMitigation`). The notification path carries out any plan; the reconciler only
 * starts tasks, and logs the rest (dry runs, ignored audits, excluded checks): the notification path
 * reports them, or every run would repeat them.
 */
export function decideAudit(facts: AuditFacts, config: AuditEngineConfig, now: Date): AuditStep {
  const { trigger, auditTaskId } = facts;
  if (trigger === 'reconciler') {
    const taskId = auditMitigationTaskId(config.taskIdPrefix, auditTaskId);
    if (facts.taskExists === undefined) { return { kind: 'check-task', taskId }; }
    if (facts.taskExists) {
      return { kind: 'done', effects: [logLine('DEBUG', 'already-mitigated', { auditTaskId, taskId, trigger })], outcome: { auditTaskId, decision: 'already-mitigated', taskId } };
    }
  }
  if (!facts.audit) { return { kind: 'describe' }; }
  if (!('value' in facts.audit)) { return describeFailed(auditTaskId, trigger, facts.audit); }
  const plan = planAuditMitigation(facts.audit.value, config, now);
  if (trigger === 'reconciler' && !(plan.kind === 'start' && !config.dryRun)) {
    const decision = plan.kind === 'start' ? 'dry-run' : plan.kind === 'ignore' ? 'ignored' : 'nothing-to-start';
    const taskId = auditMitigationTaskId(config.taskIdPrefix, auditTaskId);
    const fields = plan.kind === 'ignore' ? { reason: plan.reason } : { checks: plan.checks, excluded: plan.excluded };
    return { kind: 'done', effects: [logLine('INFO', decision, { auditTaskId, taskId, trigger, ...fields })], outcome: { auditTaskId, decision, taskId } };
  }
  return decidePlan(plan, config, trigger, facts.started);
}

/**
 * DescribeAuditTask failed. A permanent error (an audit this account does not have, access denied)
 * is a permanent failure that ends the audit's handling; any other is retried (the invocation fails).
 */
function describeFailed(auditTaskId: string, trigger: Trigger, failure: Failure): Retry | Done {
  const { error } = failure;
  if (failure.errorClass !== 'permanent') {
    return { kind: 'retry', effects: [logLine('WARN', 'retrying', { auditTaskId, trigger, error: errorName(error), message: errorMessage(error) })], error };
  }
  const reason = errorName(error) === 'ResourceNotFoundException'
    ? `DescribeAuditTask does not know audit ${auditTaskId}: no such audit in this account and region, so nothing is started`
    : `DescribeAuditTask failed for audit ${auditTaskId} (${errorName(error)}), so nothing is started`;
  return {
    kind: 'done',
    effects: [permanentFailure('describe-audit-failed', error, { reason, auditTaskId, trigger })],
    outcome: { auditTaskId, decision: 'failed-permanently', reason },
  };
}

/** The fields of a plan's report and log lines. */
function detailsOf(plan: CheckPlan, trigger: Trigger) {
  return {
    auditTaskId: plan.auditTaskId,
    scheduledAuditName: plan.scheduledAuditName,
    taskId: plan.taskId,
    trigger,
    checks: plan.checks,
    excluded: plan.excluded,
    skipped: plan.skipped,
  };
}

/**
 * Carries out a plan: ignore, report, or start the task and then report. Each decision is also
 * metrics and events, counted once per decision: a start's with the start itself (only when AWS IoT
 * answered 'started', so a retry that finds the task counts nothing), a report-only decision's (dry
 * run, nothing to start) once its report and events went out (a retried invocation did not count it
 * before).
 */
export function decidePlan(plan: AuditPlan, config: AuditEngineConfig, trigger: Trigger, started?: Answer<StartOutcome>): AuditStep {
  const { mitigation } = config;
  if (plan.kind === 'ignore') {
    // Not retried: the audit only gets older. A too-old audit is also counted, so it can be seen and alarmed on.
    return {
      kind: 'done',
      effects: [
        logLine(plan.tooOld ? 'WARN' : 'INFO', 'ignored', { auditTaskId: plan.auditTaskId, reason: plan.reason, trigger }),
        ...(plan.tooOld ? [metricLines(mitigationCounts(mitigation, { [METRICS.AUDITS_TOO_OLD]: 1 }))] : []),
      ],
      outcome: { auditTaskId: plan.auditTaskId, decision: 'ignored', reason: plan.reason },
    };
  }
  const details = detailsOf(plan, trigger);
  const excludedEvents = checksExcludedEvents(mitigation, plan);
  const planMetrics = metricLines(...auditPlanMetricLines(mitigation, plan));
  if (plan.kind === 'nothing-to-start') {
    return {
      kind: 'done',
      effects: [
        plan.excluded.length > 0 ? report('WARN', 'nothing-to-start', details, excludedEvents) : logLine('INFO', 'nothing-to-start', details),
        planMetrics,
      ],
      outcome: { auditTaskId: plan.auditTaskId, decision: 'nothing-to-start', taskId: plan.taskId },
    };
  }
  if (config.dryRun) {
    return {
      kind: 'done',
      effects: [
        report('INFO', 'dry-run', details, [auditDryRunEvent(mitigation, plan), ...excludedEvents]),
        metricLines(mitigationCounts(mitigation, { [METRICS.DRY_RUN_PLANS]: 1 })),
        planMetrics,
      ],
      outcome: { auditTaskId: plan.auditTaskId, decision: 'dry-run', taskId: plan.taskId },
    };
  }
  if (!started) {
    return {
      kind: 'start',
      request: {
        taskId: plan.taskId,
        clientRequestToken: plan.clientRequestToken,
        target: { auditTaskId: plan.auditTaskId },
        auditCheckToActionsMapping: actionsMapping(plan.checks),
      },
    };
  }
  if (!('value' in started)) {
    const { error } = started;
    if (started.errorClass !== 'permanent') {
      return { kind: 'retry', effects: [logLine('WARN', 'retrying', { ...details, error: errorName(error), message: errorMessage(error) })], error };
    }
    return {
      kind: 'done',
      effects: [permanentFailure('mitigation-failed', error, details)],
      outcome: { auditTaskId: plan.auditTaskId, decision: 'failed-permanently', taskId: plan.taskId, reason: errorMessage(error) },
    };
  }
  const outcome = started.value;
  const counts = outcome === 'started'
    ? [metricLines(
      mitigationCounts(mitigation, { [METRICS.TASKS_STARTED]: 1, ...(trigger === 'reconciler' ? { [METRICS.AUDITS_RECOVERED]: 1 } : {}) }),
      ...auditPlanMetricLines(mitigation, plan),
    )]
    : [];
  return {
    kind: 'done',
    effects: [
      ...counts,
      report(plan.excluded.length > 0 ? 'WARN' : 'INFO', outcome === 'started' ? 'mitigation-started' : 'mitigation-already-started', details,
        [auditTaskStartedEvent(mitigation, plan, outcome !== 'started'), ...excludedEvents]),
    ],
    outcome: { auditTaskId: plan.auditTaskId, decision: outcome, taskId: plan.taskId },
  };
}
