import {
  AuditFinding, DescribeAuditMitigationActionsTaskCommand, DescribeAuditMitigationActionsTaskCommandOutput,
  DescribeDetectMitigationActionsTaskCommand, DescribeDetectMitigationActionsTaskCommandOutput, IoTClient, paginateListAuditFindings,
  MitigationAction,
} from '@aws-sdk/client-iot';
import { CliError } from './errors';
import { Progress } from './output';
import { errorName } from '../handlers/shared/errors';

export type TaskInfo =
  | { readonly kind: 'audit'; readonly taskId: string; readonly task: DescribeAuditMitigationActionsTaskCommandOutput }
  | { readonly kind: 'detect'; readonly taskId: string; readonly task: DescribeDetectMitigationActionsTaskCommandOutput };

/** Finds a task among audit and detect mitigation tasks. */
export async function describeTask(iot: IoTClient, taskId: string): Promise<TaskInfo> {
  try {
    return { kind: 'audit', taskId, task: await iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId })) };
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') { throw error; }
  }
  try {
    return { kind: 'detect', taskId, task: await iot.send(new DescribeDetectMitigationActionsTaskCommand({ taskId })) };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      throw new CliError('TaskNotFound', `no audit or detect mitigation task ${taskId}`,
        'check the id: `cdk-device-defender tasks --since 30d` lists the tasks started in the last 30 days');
    }
    throw error;
  }
}

/** The actions a task applies, by name. */
export function actionsByName(info: TaskInfo): Map<string, MitigationAction> {
  const definitions = info.kind === 'audit' ? info.task.actionsDefinition : info.task.taskSummary?.actionsDefinition;
  return new Map((definitions ?? []).map((a) => [a.name!, a]));
}

/** The findings an audit mitigation task applies to (unsuppressed: AWS never mitigates the others). */
export async function findingsOfTask(iot: IoTClient, info: Extract<TaskInfo, { kind: 'audit' }>, progress?: Progress): Promise<AuditFinding[]> {
  const target = info.task.target ?? {};
  const checks = Object.keys(info.task.auditCheckToActionsMapping ?? {});
  const findings: AuditFinding[] = [];
  if (target.auditTaskId) {
    for (const checkName of checks) {
      for await (const page of paginateListAuditFindings({ client: iot, pageSize: 250 }, { taskId: target.auditTaskId, checkName })) {
        findings.push(...page.findings ?? []);
        progress?.tick(page.findings?.length ?? 0);
      }
    }
    return findings;
  }
  // A list of findings: their details come with the audit they belong to, which the task does
  // not name; the executions carry the finding ids, which is what the commands need.
  return (target.findingIds ?? []).map((findingId) => ({ findingId }));
}
