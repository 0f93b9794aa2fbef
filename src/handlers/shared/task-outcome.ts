import {
  AuditMitigationActionsTaskTarget, DescribeAuditFindingCommand, DescribeAuditMitigationActionsTaskCommand,
  DescribeDetectMitigationActionsTaskCommand, IoTClient, MitigationAction, paginateListAuditFindings,
  paginateListAuditMitigationActionsExecutions, paginateListDetectMitigationActionsExecutions, TaskStatisticsForAuditCheck,
} from '@aws-sdk/client-iot';
import { errorName } from './errors';
import { UNKNOWN_ACTION_TYPE, actionTypeOf } from '../../contract/action-types';
import { ExecutionCounts, MAX_OUTCOME_ERROR_CODES, OutcomeErrorCode, TaskKind, TaskOutcomeDetail } from '../../contract/telemetry';

// How a finished mitigation actions task ended: what AWS IoT says about it (I/O, readTaskOutcome)
// and the counts made of it (pure, aggregateOutcome). The task follower reports it; the CLI may
// print it. Nothing here knows about either.

/** At most this many findings of an audit task are read (their executions counted); then `truncated`. */
export const MAX_FINDINGS_READ = 1000;

/** At most this many executions of a detect task are read (a violation has 1-5 actions); then `truncated`. */
export const MAX_DETECT_EXECUTIONS_READ = 5 * MAX_FINDINGS_READ;

/** The statuses in which a task has ended, by kind (the API models' task status enums). */
const FINISHED: Record<TaskKind, ReadonlySet<string>> = {
  audit: new Set(['COMPLETED', 'FAILED', 'CANCELED']),
  detect: new Set(['SUCCESSFUL', 'FAILED', 'CANCELED']),
};

/** Whether a task of `kind` in `status` has ended (nothing about it changes any more). */
export function isFinished(kind: TaskKind, status: string | undefined): boolean {
  return status !== undefined && FINISHED[kind].has(status);
}

/** An outcome as the event reports it, without the construct it belongs to. */
export type TaskOutcome = Omit<TaskOutcomeDetail, 'mitigation'>;

/** One execution (one action applied to one finding or violation), as the counts need it. */
export interface ExecutionRecord {
  readonly actionName: string;
  readonly status: string;
  /** The check of the finding (audit tasks), when known. */
  readonly checkName?: string;
  readonly findingId?: string;
  readonly violationId?: string;
  readonly errorCode?: string;
  readonly message?: string;
}

/** Everything the counts are made of: what AWS IoT said about the task and its executions. */
export interface TaskFacts {
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly status: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** Every action of the task: name -> type. */
  readonly actionTypes: Record<string, string>;
  /** The checks the task maps to actions (audit tasks). */
  readonly checks?: string[];
  /** The task's statistics per check (audit tasks). */
  readonly statistics?: Record<string, TaskStatisticsForAuditCheck>;
  readonly executions: ExecutionRecord[];
  /** Not every execution was read (the cap). */
  readonly truncated: boolean;
}

type Outcome = keyof ExecutionCounts;

/**
 * The outcome an execution status counts as. COMPLETED (audit) and SUCCESSFUL (detect) are
 * successes; IN_PROGRESS and PENDING (never seen in a finished task) count nowhere.
 */
export function outcomeOf(status: string): Outcome | undefined {
  switch (status) {
    case 'COMPLETED':
    case 'SUCCESSFUL': return 'succeeded';
    case 'FAILED': return 'failed';
    case 'SKIPPED': return 'skipped';
    case 'CANCELED': return 'canceled';
    default: return undefined;
  }
}

const zero = (): { -readonly [K in Outcome]: number } => ({ succeeded: 0, failed: 0, skipped: 0, canceled: 0 });

/**
 * Counts a task's executions: in all, by action (every action of the task, even one that never
 * ran), by check (audit tasks: every mapped check), the findings per check from the statistics,
 * and the failed executions' error codes, the most frequent first (ties by code), at most
 * MAX_OUTCOME_ERROR_CODES, each with its first execution as the example.
 */
export function aggregateOutcome(facts: TaskFacts): TaskOutcome {
  const executions = zero();
  const byAction = Object.fromEntries(Object.keys(facts.actionTypes).sort().map((name) => [name, zero()]));
  const byCheck = facts.kind === 'audit' ? Object.fromEntries([...facts.checks ?? []].sort().map((c) => [c, zero()])) : undefined;
  const errors = new Map<string, { count: number; example: OutcomeErrorCode['example'] }>();
  for (const e of facts.executions) {
    const outcome = outcomeOf(e.status);
    if (!outcome) { continue; }
    executions[outcome] += 1;
    (byAction[e.actionName] ??= zero())[outcome] += 1;
    if (byCheck && e.checkName) { (byCheck[e.checkName] ??= zero())[outcome] += 1; }
    if (outcome === 'failed') {
      const code = e.errorCode ?? 'UNKNOWN';
      const seen = errors.get(code);
      if (seen) {
        seen.count += 1;
      } else {
        errors.set(code, {
          count: 1,
          example: { actionName: e.actionName, findingId: e.findingId, violationId: e.violationId, message: e.message },
        });
      }
    }
  }
  const errorCodes = [...errors.entries()]
    .sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0))
    .map(([errorCode, { count, example }]) => ({ errorCode, count, example: withoutUndefined(example) }));
  return {
    taskKind: facts.kind,
    taskId: facts.taskId,
    status: facts.status,
    startTime: facts.startTime?.toISOString(),
    endTime: facts.endTime?.toISOString(),
    executions,
    byAction: Object.fromEntries(Object.entries(byAction).map(([name, counts]) => [name, { ...counts, actionType: facts.actionTypes[name] ?? 'UNKNOWN' }])),
    byCheck,
    findingsByCheck: facts.statistics ? findingsByCheck(facts.statistics) : undefined,
    errorCodes: errorCodes.slice(0, MAX_OUTCOME_ERROR_CODES),
    truncated: facts.truncated || errorCodes.length > MAX_OUTCOME_ERROR_CODES,
  };
}

function findingsByCheck(statistics: Record<string, TaskStatisticsForAuditCheck>): TaskOutcome['findingsByCheck'] {
  return Object.fromEntries(Object.keys(statistics).sort().map((check) => {
    const s = statistics[check];
    return [check, {
      total: s.totalFindingsCount ?? 0,
      succeeded: s.succeededFindingsCount ?? 0,
      failed: s.failedFindingsCount ?? 0,
      skipped: s.skippedFindingsCount ?? 0,
      canceled: s.canceledFindingsCount ?? 0,
    }];
  }));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface ReadOutcomeOptions {
  /** @default MAX_FINDINGS_READ */
  readonly maxFindings?: number;
  /** @default MAX_DETECT_EXECUTIONS_READ */
  readonly maxDetectExecutions?: number;
}

/**
 * How a task ended, or undefined while it has not. Reads the task (status, times, statistics,
 * actions) and its executions: an audit task's per finding (at most `maxFindings` findings), a
 * detect task's all at once (at most `maxDetectExecutions`). Errors are the caller's to sort.
 */
export async function readTaskOutcome(iot: IoTClient, task: { kind: TaskKind; taskId: string },
  options: ReadOutcomeOptions = {}): Promise<TaskOutcome | undefined> {
  return (await readFinishedTask(iot, task, options))?.outcome;
}

/** A finished task: its outcome, and the executions it was counted from (with every action's type). */
export interface FinishedTask {
  readonly outcome: TaskOutcome;
  /** The executions read (see `truncated`): which action ended how on which finding or violation. */
  readonly executions: readonly ExecutionRecord[];
  /** Every action of the task: name -> type. */
  readonly actionTypes: Readonly<Record<string, string>>;
}

/** `readTaskOutcome`, with the executions the outcome was counted from. */
export async function readFinishedTask(iot: IoTClient, task: { kind: TaskKind; taskId: string },
  options: ReadOutcomeOptions = {}): Promise<FinishedTask | undefined> {
  const facts = task.kind === 'audit'
    ? await readAuditFacts(iot, task.taskId, options.maxFindings ?? MAX_FINDINGS_READ)
    : await readDetectFacts(iot, task.taskId, options.maxDetectExecutions ?? MAX_DETECT_EXECUTIONS_READ);
  return facts && { outcome: aggregateOutcome(facts), executions: facts.executions, actionTypes: facts.actionTypes };
}

const actionTypesOf = (definitions: MitigationAction[] | undefined): Record<string, string> =>
  Object.fromEntries((definitions ?? []).filter((a) => a.name).map((a) => [a.name!, actionTypeOf(a) ?? UNKNOWN_ACTION_TYPE]));

async function readAuditFacts(iot: IoTClient, taskId: string, maxFindings: number): Promise<TaskFacts | undefined> {
  const task = await iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId }));
  if (!isFinished('audit', task.taskStatus)) { return undefined; }
  const checks = Object.keys(task.auditCheckToActionsMapping ?? {});
  const { findings, truncated } = await findingsOf(iot, task.target ?? {}, checks, maxFindings);
  const executions: ExecutionRecord[] = [];
  for (const { findingId, checkName } of findings) {
    for await (const page of paginateListAuditMitigationActionsExecutions({ client: iot, pageSize: 250 }, { taskId, findingId })) {
      for (const e of page.actionsExecutions ?? []) {
        executions.push({
          actionName: e.actionName ?? 'UNKNOWN', status: e.status ?? 'UNKNOWN', checkName, findingId, errorCode: e.errorCode, message: e.message,
        });
      }
    }
  }
  return {
    kind: 'audit',
    taskId,
    status: task.taskStatus!,
    startTime: task.startTime,
    endTime: task.endTime,
    actionTypes: actionTypesOf(task.actionsDefinition),
    checks,
    statistics: task.taskStatistics ?? {},
    executions,
    truncated,
  };
}

interface TaskFinding { readonly findingId: string; readonly checkName?: string }

/**
 * The findings an audit mitigation task was applied to, with their checks, at most `max` of them:
 * the listed ones (their check from DescribeAuditFinding), or the audit's findings of the mapped
 * checks (only the filter's checks and reason codes, when the target has a reason-code filter).
 */
async function findingsOf(iot: IoTClient, target: AuditMitigationActionsTaskTarget, checks: string[],
  max: number): Promise<{ findings: TaskFinding[]; truncated: boolean }> {
  const findings: TaskFinding[] = [];
  if (target.findingIds) {
    for (const findingId of target.findingIds.slice(0, max)) {
      findings.push({ findingId, checkName: await checkOfFinding(iot, findingId) });
    }
    return { findings, truncated: target.findingIds.length > max };
  }
  if (!target.auditTaskId) { return { findings, truncated: false }; }
  const filter = target.auditCheckToReasonCodeFilter;
  for (const checkName of checks.filter((c) => !filter || c in filter)) {
    for await (const page of paginateListAuditFindings({ client: iot, pageSize: 250 }, { taskId: target.auditTaskId, checkName })) {
      for (const f of page.findings ?? []) {
        if (!f.findingId || (filter && !filter[checkName].includes(f.reasonForNonComplianceCode ?? ''))) { continue; }
        if (findings.length >= max) { return { findings, truncated: true }; }
        findings.push({ findingId: f.findingId, checkName });
      }
    }
  }
  return { findings, truncated: false };
}

/** A finding's check, or undefined when AWS IoT no longer has the finding. */
async function checkOfFinding(iot: IoTClient, findingId: string): Promise<string | undefined> {
  try {
    return (await iot.send(new DescribeAuditFindingCommand({ findingId }))).finding?.checkName;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') { return undefined; }
    throw error;
  }
}

async function readDetectFacts(iot: IoTClient, taskId: string, maxExecutions: number): Promise<TaskFacts | undefined> {
  const summary = (await iot.send(new DescribeDetectMitigationActionsTaskCommand({ taskId }))).taskSummary ?? {};
  if (!isFinished('detect', summary.taskStatus)) { return undefined; }
  const executions: ExecutionRecord[] = [];
  let truncated = false;
  read: for await (const page of paginateListDetectMitigationActionsExecutions({ client: iot, pageSize: 250 }, { taskId })) {
    for (const e of page.actionsExecutions ?? []) {
      if (executions.length >= maxExecutions) {
        truncated = true;
        break read;
      }
      executions.push({
        actionName: e.actionName ?? 'UNKNOWN', status: e.status ?? 'UNKNOWN', violationId: e.violationId, errorCode: e.errorCode, message: e.message,
      });
    }
  }
  return {
    kind: 'detect',
    taskId,
    status: summary.taskStatus!,
    startTime: summary.taskStartTime,
    endTime: summary.taskEndTime,
    actionTypes: actionTypesOf(summary.actionsDefinition),
    executions,
    truncated,
  };
}
