import {
  DescribeAuditMitigationActionsTaskCommand, DetectMitigationActionsTaskStatistics, IoTClient,
  paginateListAuditMitigationActionsTasks, paginateListDetectMitigationActionsTasks,
} from '@aws-sdk/client-iot';
import { AUDIT_TASK_STATUSES, DETECT_TASK_STATUSES } from './commands';
import { TaskKind } from '../contract/telemetry';
import { isFinished, readTaskOutcome, TaskOutcome } from '../handlers/shared/task-outcome';

/**
 * One mitigation task, audit or detect, with its execution counts: a finished task's from its
 * outcome (the follower's counts, `readTaskOutcome`), a task in progress's live ones from the
 * task's statistics (an audit task's count findings, a detect task's actions).
 */
export interface TaskRow {
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly status: string;
  readonly startTime?: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly canceled: number;
  readonly total: number;
  /** How the task ended: by action, by check and error codes (finished tasks only). */
  readonly outcome?: TaskOutcome;
}

/** A task as listed, before its counts are read. */
interface ListedTask {
  readonly kind: TaskKind;
  readonly taskId: string;
  readonly status: string;
  readonly startTime?: Date;
  readonly detectStatistics?: DetectMitigationActionsTaskStatistics;
}

export interface ListTasksOptions {
  readonly sinceMs: number;
  /** Only tasks in this status; a status only one kind of task has (COMPLETED, SUCCESSFUL) lists only that kind. */
  readonly status?: string;
  readonly now?: Date;
  /** Called once per task whose counts were read (for a progress indicator). */
  readonly onTask?: () => void;
}

/**
 * Audit and detect mitigation tasks started within `sinceMs`, newest first, each finished one with
 * its outcome. Reading an outcome lists the task's executions (per finding for an audit task), so
 * the cost grows with the window: `sinceMs` bounds it.
 */
export async function listTasks(iot: IoTClient, options: ListTasksOptions): Promise<TaskRow[]> {
  const endTime = options.now ?? new Date();
  const startTime = new Date(endTime.getTime() - options.sinceMs);
  const listed: ListedTask[] = [];

  const { status } = options;
  const auditPages = paginateListAuditMitigationActionsTasks({ client: iot, pageSize: 100 },
    { startTime, endTime, taskStatus: status as 'IN_PROGRESS' | undefined });
  for await (const page of status === undefined || AUDIT_TASK_STATUSES.includes(status) ? auditPages : []) {
    for (const task of page.tasks ?? []) {
      listed.push({ kind: 'audit', taskId: task.taskId!, status: task.taskStatus ?? 'UNKNOWN', startTime: task.startTime });
    }
  }
  const detectPages = paginateListDetectMitigationActionsTasks({ client: iot, pageSize: 100 }, { startTime, endTime });
  for await (const page of status === undefined || DETECT_TASK_STATUSES.includes(status) ? detectPages : []) {
    for (const task of page.tasks ?? []) {
      if (options.status && task.taskStatus !== options.status) { continue; }
      listed.push({
        kind: 'detect', taskId: task.taskId!, status: task.taskStatus ?? 'UNKNOWN', startTime: task.taskStartTime, detectStatistics: task.taskStatistics ?? {},
      });
    }
  }

  const rows: TaskRow[] = [];
  for (const task of listed) {
    rows.push(await rowOf(iot, task));
    options.onTask?.();
  }
  return rows.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
}

async function rowOf(iot: IoTClient, task: ListedTask): Promise<TaskRow> {
  if (isFinished(task.kind, task.status)) {
    const outcome = await readTaskOutcome(iot, task);
    if (outcome) { return finishedRow(task, outcome); }
  }
  const live = await liveCounts(iot, task);
  if (isFinished(task.kind, live.status)) {
    // It finished after it was listed.
    const outcome = await readTaskOutcome(iot, task);
    if (outcome) { return finishedRow(task, outcome); }
  }
  return { ...base(task), ...live };
}

function finishedRow(task: ListedTask, outcome: TaskOutcome): TaskRow {
  return { ...base(task), status: outcome.status, ...outcome.executions, total: totalOf(outcome.executions), outcome };
}

const base = (task: ListedTask) => ({ kind: task.kind, taskId: task.taskId, status: task.status, startTime: task.startTime?.toISOString() });

/** Every execution counted (succeeded, failed, skipped and canceled). */
export function totalOf(counts: { succeeded: number; failed: number; skipped: number; canceled: number }): number {
  return counts.succeeded + counts.failed + counts.skipped + counts.canceled;
}

/** A task in progress: an audit task's findings by outcome so far, a detect task's actions. */
async function liveCounts(iot: IoTClient, task: ListedTask) {
  if (task.kind === 'detect') {
    const statistics = task.detectStatistics ?? {};
    const executed = {
      succeeded: statistics.actionsExecuted ?? 0, failed: statistics.actionsFailed ?? 0, skipped: statistics.actionsSkipped ?? 0, canceled: 0,
    };
    return { status: task.status, ...executed, total: totalOf(executed) };
  }
  const described = await iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: task.taskId }));
  const stats = Object.values(described.taskStatistics ?? {});
  const sum = (key: 'succeededFindingsCount' | 'failedFindingsCount' | 'skippedFindingsCount' | 'canceledFindingsCount' | 'totalFindingsCount') =>
    stats.reduce((total, s) => total + (s[key] ?? 0), 0);
  return {
    status: described.taskStatus ?? task.status,
    succeeded: sum('succeededFindingsCount'),
    failed: sum('failedFindingsCount'),
    skipped: sum('skippedFindingsCount'),
    canceled: sum('canceledFindingsCount'),
    total: sum('totalFindingsCount'),
  };
}
