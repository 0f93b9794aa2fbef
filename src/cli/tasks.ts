import {
  DescribeAuditMitigationActionsTaskCommand, DetectMitigationActionsTaskStatistics, IoTClient,
  paginateListAuditMitigationActionsTasks, paginateListDetectMitigationActionsTasks,
} from '@aws-sdk/client-iot';

/** One mitigation task, audit or detect, with its execution counts. */
export interface TaskRow {
  readonly kind: 'audit' | 'detect';
  readonly taskId: string;
  readonly status: string;
  readonly startTime?: string;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly canceled: number;
  readonly total: number;
}

/** Audit and detect mitigation tasks started within `sinceMs`, newest first. */
export async function listTasks(iot: IoTClient, options: { sinceMs: number; status?: string; now?: Date }): Promise<TaskRow[]> {
  const endTime = options.now ?? new Date();
  const startTime = new Date(endTime.getTime() - options.sinceMs);
  const rows: TaskRow[] = [];

  const auditPages = paginateListAuditMitigationActionsTasks({ client: iot, pageSize: 100 },
    { startTime, endTime, taskStatus: options.status as 'IN_PROGRESS' | undefined });
  for await (const page of auditPages) {
    for (const task of page.tasks ?? []) {
      const described = await iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: task.taskId! }));
      const stats = Object.values(described.taskStatistics ?? {});
      const sum = (key: 'succeededFindingsCount' | 'failedFindingsCount' | 'skippedFindingsCount' | 'canceledFindingsCount' | 'totalFindingsCount') =>
        stats.reduce((total, s) => total + (s[key] ?? 0), 0);
      rows.push({
        kind: 'audit',
        taskId: task.taskId!,
        status: task.taskStatus ?? 'UNKNOWN',
        startTime: task.startTime?.toISOString(),
        succeeded: sum('succeededFindingsCount'),
        failed: sum('failedFindingsCount'),
        skipped: sum('skippedFindingsCount'),
        canceled: sum('canceledFindingsCount'),
        total: sum('totalFindingsCount'),
      });
    }
  }

  for await (const page of paginateListDetectMitigationActionsTasks({ client: iot, pageSize: 100 }, { startTime, endTime })) {
    for (const task of page.tasks ?? []) {
      if (options.status && task.taskStatus !== options.status) { continue; }
      const statistics: DetectMitigationActionsTaskStatistics = task.taskStatistics ?? {};
      const executed = {
        succeeded: statistics.actionsExecuted ?? 0, failed: statistics.actionsFailed ?? 0, skipped: statistics.actionsSkipped ?? 0,
      };
      rows.push({
        kind: 'detect',
        taskId: task.taskId!,
        status: task.taskStatus ?? 'UNKNOWN',
        startTime: task.taskStartTime?.toISOString(),
        ...executed,
        canceled: 0,
        total: executed.succeeded + executed.failed + executed.skipped,
      });
    }
  }

  return rows.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
}
