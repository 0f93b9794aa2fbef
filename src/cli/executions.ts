import {
  AuditFinding, DescribeAuditFindingCommand, IoTClient, ListAuditMitigationActionsExecutionsCommand,
  ListDetectMitigationActionsExecutionsCommand,
} from '@aws-sdk/client-iot';
import { Progress } from './output';
import { TaskInfo, actionTypeOf, actionsByName, findingsOfTask } from './task-info';

/** One action applied (or not) to one finding or violation. */
export interface ExecutionRow {
  readonly taskId: string;
  /** The audit finding, for audit tasks. */
  readonly findingId?: string;
  /** The violation and its thing, for detect tasks. */
  readonly violationId?: string;
  readonly thingName?: string;
  readonly actionName: string;
  readonly actionType: string;
  readonly status: string;
  readonly errorCode?: string;
  readonly message?: string;
  /** The finding behind an audit execution (check and resource), when known. */
  readonly finding?: AuditFinding;
}

/** Every execution of a task, optionally filtered by action type and status. */
export async function listExecutions(iot: IoTClient, info: TaskInfo, options: {
  actionType?: string; status?: string; progress?: Progress;
} = {}): Promise<ExecutionRow[]> {
  const actions = actionsByName(info);
  const typeOf = (name: string) => actionTypeOf(actions.get(name));
  const rows: ExecutionRow[] = [];
  if (info.kind === 'audit') {
    for (const listed of await findingsOfTask(iot, info, options.progress)) {
      let nextToken: string | undefined;
      let finding: AuditFinding | undefined = listed.checkName ? listed : undefined;
      do {
        const page = await iot.send(new ListAuditMitigationActionsExecutionsCommand({
          taskId: info.taskId,
          findingId: listed.findingId!,
          nextToken,
          maxResults: 250,
          actionStatus: options.status as 'COMPLETED' | undefined,
        }));
        const executions = page.actionsExecutions ?? [];
        if (executions.length > 0 && !finding) {
          finding = (await iot.send(new DescribeAuditFindingCommand({ findingId: listed.findingId! }))).finding;
        }
        for (const e of executions) {
          rows.push({
            taskId: info.taskId,
            findingId: e.findingId,
            actionName: e.actionName!,
            actionType: typeOf(e.actionName!),
            status: e.status ?? 'UNKNOWN',
            errorCode: e.errorCode,
            message: e.message,
            finding,
          });
        }
        options.progress?.tick(executions.length);
        nextToken = page.nextToken;
      } while (nextToken);
    }
  } else {
    let nextToken: string | undefined;
    do {
      const page = await iot.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: info.taskId, nextToken, maxResults: 250 }));
      for (const e of page.actionsExecutions ?? []) {
        if (options.status && e.status !== options.status) { continue; }
        rows.push({
          taskId: info.taskId,
          violationId: e.violationId,
          thingName: e.thingName,
          actionName: e.actionName!,
          actionType: typeOf(e.actionName!),
          status: e.status ?? 'UNKNOWN',
          errorCode: e.errorCode,
          message: e.message,
        });
      }
      options.progress?.tick(page.actionsExecutions?.length ?? 0);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  options.progress?.done();
  return options.actionType ? rows.filter((r) => r.actionType === options.actionType) : rows;
}
