import { CancelAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { MAX_FINDINGS_PER_TASK, MAX_TASKS_PER_RESOURCE } from '../contract';
import { shortHash } from './shared/ids';
import { createIotClient, errorMessage, errorName, startAuditMitigationTask } from './shared/iot-tasks';
import { log } from './shared/log';
import { TargetSpec, resolveTargets } from './shared/targets';

const iot = createIotClient();

/** The custom resource's properties, as CloudFormation sends them (every scalar a string). */
interface Props {
  readonly AuditTaskId?: string;
  readonly FindingIds?: string[];
  readonly ReasonCodeFilter?: Record<string, string[]>;
  readonly AuditCheckToActionsMapping: Record<string, string[]>;
  readonly CancelOnDelete?: string;
}

interface Response {
  readonly PhysicalResourceId: string;
  readonly Data?: { TaskIds: string; TaskCount: string };
}

/** `<prefix>:<count>`: the tasks are `<prefix>-0` ... `<prefix>-<count-1>`. */
const PHYSICAL_ID = /^(dd[0-9a-f]{10}):(\d+)$/;

function taskIds(physicalResourceId: string): string[] | undefined {
  const match = PHYSICAL_ID.exec(physicalResourceId);
  if (!match) { return undefined; }
  return Array.from({ length: Number(match[2]) }, (_, i) => `${match[1]}-${i}`);
}

function response(prefix: string, count: number): Response {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  return { PhysicalResourceId: `${prefix}:${count}`, Data: { TaskIds: ids.join(','), TaskCount: String(count) } };
}

/**
 * Starts audit mitigation actions tasks at deploy time (Create, and Update with a new target or
 * new rules), and cancels the ones still running on Delete when asked. Delete never fails.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<Response> {
  const props = event.ResourceProperties as unknown as Props;
  switch (event.RequestType) {
    case 'Create':
      return start(event.StackId, event.LogicalResourceId, event.RequestId, props);
    case 'Update': {
      const old = event.OldResourceProperties as unknown as Props;
      const ids = taskIds(event.PhysicalResourceId);
      if (ids && sameWork(old, props)) {
        log('INFO', 'unchanged', { physicalResourceId: event.PhysicalResourceId });
        return response(PHYSICAL_ID.exec(event.PhysicalResourceId)![1], ids.length);
      }
      // A new physical id: CloudFormation then deletes the old resource (cancelling its
      // tasks if CancelOnDelete was set).
      return start(event.StackId, event.LogicalResourceId, event.RequestId, props);
    }
    case 'Delete':
      await remove(event.PhysicalResourceId, props);
      return { PhysicalResourceId: event.PhysicalResourceId };
  }
}

function sameWork(a: Props, b: Props): boolean {
  const work = (p: Props) => JSON.stringify([p.AuditTaskId, p.FindingIds, p.ReasonCodeFilter, p.AuditCheckToActionsMapping]);
  return work(a) === work(b);
}

async function start(stackId: string, logicalId: string, requestId: string, props: Props): Promise<Response> {
  // Unique per CloudFormation request, identical for retries of the same request.
  const prefix = `dd${shortHash(stackId, logicalId, requestId)}`;
  const spec: TargetSpec = { auditTaskId: props.AuditTaskId, findingIds: props.FindingIds, reasonCodeFilter: props.ReasonCodeFilter };
  const targets = await resolveTargets(iot, spec);
  if (targets.length > MAX_TASKS_PER_RESOURCE) {
    throw new Error(`${targets.length} tasks would be needed (${MAX_TASKS_PER_RESOURCE * MAX_FINDINGS_PER_TASK} findings at most per AuditMitigationTask); `
      + 'split the findings over several AuditMitigationTask resources. No task was started.');
  }
  const started: string[] = [];
  try {
    for (const [i, target] of targets.entries()) {
      const taskId = `${prefix}-${i}`;
      const outcome = await startAuditMitigationTask(iot, { taskId, target, auditCheckToActionsMapping: props.AuditCheckToActionsMapping });
      started.push(taskId);
      log('INFO', outcome, { taskId, target, auditCheckToActionsMapping: props.AuditCheckToActionsMapping });
    }
  } catch (error) {
    log('ERROR', 'start-failed', { started, error: errorName(error), message: errorMessage(error) });
    if (props.CancelOnDelete === 'true') { await cancelAll(started); }
    throw error;
  }
  return response(prefix, targets.length);
}

async function remove(physicalResourceId: string, props: Props): Promise<void> {
  const ids = taskIds(physicalResourceId);
  if (!ids) {
    log('INFO', 'nothing-to-delete', { physicalResourceId, reason: 'no tasks were started (a failed create)' });
    return;
  }
  if (props.CancelOnDelete !== 'true') {
    log('INFO', 'tasks-left-running', { taskIds: ids, reason: 'cancelOnDelete is false' });
    return;
  }
  await cancelAll(ids);
}

/** Cancels tasks still in progress; never throws (a Delete must not fail the stack). */
async function cancelAll(ids: string[]): Promise<void> {
  for (const taskId of ids) {
    try {
      await iot.send(new CancelAuditMitigationActionsTaskCommand({ taskId }));
      log('INFO', 'cancelled', { taskId });
    } catch (error) {
      // InvalidRequest: not in progress any more; ResourceNotFound: never started.
      const expected = ['InvalidRequestException', 'ResourceNotFoundException'].includes(errorName(error));
      log(expected ? 'INFO' : 'ERROR', expected ? 'not-cancelled' : 'cancel-failed', { taskId, error: errorName(error), message: errorMessage(error) });
    }
  }
}
