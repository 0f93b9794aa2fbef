import {
  AuditFinding, DescribeAuditFindingCommand, IoTClient, paginateListAuditMitigationActionsExecutions,
  paginateListDetectMitigationActionsExecutions,
} from '@aws-sdk/client-iot';
import { AUDIT_EXECUTION_STATUSES, DETECT_EXECUTION_STATUSES } from './commands';
import { Progress, UsageError, table } from './output';
import { Spoke, SPOKE_HEADERS, spokeCells } from './spoke-options';
import { TaskInfo, actionsByName, describeTask, findingsOfTask } from './task-info';
import { UNKNOWN_ACTION_TYPE, actionTypeOf } from '../contract/action-types';
import { MitigationActionType } from '../mitigation-action-type';

/** One action applied (or not) to one finding or violation. */
export interface ExecutionRow {
  readonly taskId: string;
  /** The audit finding, for audit tasks. */
  readonly findingId?: string;
  /** The violation and its thing, for detect tasks. */
  readonly violationId?: string;
  readonly thingName?: string;
  readonly actionName: string;
  /** The type of the action, or UNKNOWN when it is not one this version knows. */
  readonly actionType: MitigationActionType | typeof UNKNOWN_ACTION_TYPE;
  readonly status: string;
  readonly errorCode?: string;
  readonly message?: string;
  /** When the execution started and ended, as AWS reports them (either may be missing). */
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** The finding behind an audit execution (check and resource), when known. */
  readonly finding?: AuditFinding;
}

export interface ExecutionsOptions {
  readonly actionType?: string;
  readonly status?: string;
  readonly progress?: Progress;
}

/**
 * Every execution of the audit or detect task `taskId`, optionally filtered; a `status` its kind of
 * task never has is a `UsageError`.
 */
export async function executionsOfTask(iot: IoTClient, taskId: string, options: ExecutionsOptions = {}): Promise<ExecutionRow[]> {
  const info = await describeTask(iot, taskId);
  const statuses = info.kind === 'audit' ? AUDIT_EXECUTION_STATUSES : DETECT_EXECUTION_STATUSES;
  if (options.status !== undefined && !statuses.includes(options.status)) {
    throw new UsageError(`--status ${options.status}: ${taskId} is ${info.kind === 'audit' ? 'an audit' : 'a detect'} task; its executions are ${statuses.join(', ')}`);
  }
  return listExecutions(iot, info, options);
}

/** Every execution of a task, optionally filtered by action type and status. */
export async function listExecutions(iot: IoTClient, info: TaskInfo, options: ExecutionsOptions = {}): Promise<ExecutionRow[]> {
  const actions = actionsByName(info);
  // What an audit and a detect execution report alike.
  const common = (e: { actionName?: string; status?: string; errorCode?: string; message?: string }): ExecutionRow => ({
    taskId: info.taskId,
    actionName: e.actionName!,
    actionType: actionTypeOf(actions.get(e.actionName!)) ?? UNKNOWN_ACTION_TYPE,
    status: e.status ?? 'UNKNOWN',
    errorCode: e.errorCode,
    message: e.message,
  });
  const rows: ExecutionRow[] = [];
  if (info.kind === 'audit') {
    for (const listed of await findingsOfTask(iot, info, options.progress)) {
      let finding: AuditFinding | undefined = listed.checkName ? listed : undefined;
      const pages = paginateListAuditMitigationActionsExecutions({ client: iot, pageSize: 250 },
        { taskId: info.taskId, findingId: listed.findingId!, actionStatus: options.status as 'COMPLETED' | undefined });
      for await (const page of pages) {
        const executions = page.actionsExecutions ?? [];
        if (executions.length > 0 && !finding) {
          finding = (await iot.send(new DescribeAuditFindingCommand({ findingId: listed.findingId! }))).finding;
        }
        for (const e of executions) {
          rows.push({ ...common(e), findingId: e.findingId, startTime: e.startTime, endTime: e.endTime, finding });
        }
        options.progress?.tick(executions.length);
      }
    }
  } else {
    for await (const page of paginateListDetectMitigationActionsExecutions({ client: iot, pageSize: 250 }, { taskId: info.taskId })) {
      for (const e of page.actionsExecutions ?? []) {
        if (options.status && e.status !== options.status) { continue; }
        rows.push({
          ...common(e), violationId: e.violationId, thingName: e.thingName, startTime: e.executionStartDate, endTime: e.executionEndDate,
        });
      }
      options.progress?.tick(page.actionsExecutions?.length ?? 0);
    }
  }
  options.progress?.done();
  return options.actionType ? rows.filter((r) => r.actionType === options.actionType) : rows;
}

/** Executions as `--json` carries them: the finding's check instead of the whole finding. */
export function executionsJson(rows: Array<ExecutionRow & Partial<Spoke>>) {
  return rows.map(({ finding, ...row }) => ({ ...row, checkName: finding?.checkName }));
}

/** Executions as a table; rows read in spokes start with their account and region. */
export function executionLines(rows: Array<ExecutionRow & Partial<Spoke>>): string[] {
  const inSpokes = rows.some((r) => r.account !== undefined);
  return table(
    [...(inSpokes ? SPOKE_HEADERS : []), 'TARGET', 'CHECK / THING', 'ACTION', 'TYPE', 'STATUS', 'ERROR'],
    rows.map((r) => [...(inSpokes ? spokeCells(r) : []), r.findingId ?? r.violationId, r.finding?.checkName ?? r.thingName, r.actionName,
      r.actionType, r.status, r.errorCode ? `${r.errorCode}: ${r.message ?? ''}` : undefined]));
}
