import { CancelAuditMitigationActionsTaskCommand, IoTClient } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import {
  AUDIT_TASK_ID_PATTERN, FINDING_ID_PATTERN, MAX_FINDINGS_PER_TASK, MAX_REASON_CODES, MAX_TASKS_PER_RESOURCE, REASON_CODE_PATTERN,
  RUN_ID_PATTERN,
} from '../contract';
import { runWithDeadline } from './shared/deadline';
import { auditMitigationTaskExists, createIotClient, errorMessage, errorName, startAuditMitigationTask } from './shared/iot-tasks';
import { log } from './shared/log';
import { canonicalWork, resolveTargets, TargetSpec, Work, workTaskIdPrefix } from './shared/targets';

const iot = createIotClient();

/** Cancels run 5 at a time. */
export const CANCEL_CONCURRENCY = 5;
/** Each cancel gets 3 attempts in all, so one throttled call cannot use up a Delete's time. */
export const CANCEL_MAX_ATTEMPTS = 3;
/** No cancel starts, and any in flight is abandoned, once less than this is left of the invocation. */
export const CANCEL_SAFETY_MARGIN_MS = 10_000;

const cancelClient = new IoTClient({ maxAttempts: CANCEL_MAX_ATTEMPTS });

/** The custom resource's properties, validated. */
export interface Props extends Work {
  readonly cancelOnDelete: boolean;
}

interface Response {
  readonly PhysicalResourceId: string;
  readonly Data?: { TaskIds: string; TaskCount: string };
}

/** `<prefix>:<count>`: the tasks are `<prefix>-0` ... `<prefix>-<count-1>`. */
const PHYSICAL_ID = /^(dd[0-9a-f]{10}):(\d+)$/;

/** The task id prefix and task count a physical id encodes, or undefined for one the handler never issued. */
export function parsePhysicalId(physicalResourceId: string): { prefix: string; count: number } | undefined {
  const match = PHYSICAL_ID.exec(physicalResourceId);
  if (!match || Number(match[2]) > MAX_TASKS_PER_RESOURCE) { return undefined; }
  return { prefix: match[1], count: Number(match[2]) };
}

function taskIdsOf(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

function response(prefix: string, count: number): Response {
  return { PhysicalResourceId: `${prefix}:${count}`, Data: { TaskIds: taskIdsOf(prefix, count).join(','), TaskCount: String(count) } };
}

/**
 * Starts audit mitigation actions tasks at deploy time, and cancels the ones still running on
 * Delete when asked. Task ids derive from the stack, the logical id and the work (target,
 * mapping, runId), never from the request: work that ran once is never started again, whether
 * CloudFormation rolls back, repeats an Update or retries a request. Delete never fails.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Response> {
  const remainingMs = () => context.getRemainingTimeInMillis();
  switch (event.RequestType) {
    case 'Create':
      return start(event, parseProps(event.ResourceProperties, event.LogicalResourceId), remainingMs);
    case 'Update': {
      const props = parseProps(event.ResourceProperties, event.LogicalResourceId);
      const current = parsePhysicalId(event.PhysicalResourceId);
      if (current && (current.prefix === prefixOf(event, props) || sameWork(event.OldResourceProperties, props, event.LogicalResourceId))) {
        log('INFO', 'unchanged', { physicalResourceId: event.PhysicalResourceId });
        return response(current.prefix, current.count);
      }
      // Other work: its own task ids (for a rollback, those of the resource rolled back to, which
      // exist and are not started again). CloudFormation then deletes the resource replaced.
      return start(event, props, remainingMs);
    }
    case 'Delete':
      await remove(event.PhysicalResourceId, event.ResourceProperties?.CancelOnDelete === 'true', remainingMs);
      return { PhysicalResourceId: event.PhysicalResourceId };
  }
}

function prefixOf(event: CloudFormationCustomResourceEvent, props: Props): string {
  return workTaskIdPrefix(event.StackId, event.LogicalResourceId, props);
}

/** Whether the old properties ask for the same work (also true for resources from before work-derived ids). */
function sameWork(oldProperties: Record<string, unknown>, props: Props, logicalId: string): boolean {
  try {
    return canonicalWork(parseProps(oldProperties, logicalId)) === canonicalWork(props);
  } catch {
    return false;
  }
}

async function start(event: CloudFormationCustomResourceEvent, props: Props, remainingMs: () => number): Promise<Response> {
  const prefix = prefixOf(event, props);
  const targets = await resolveTargets(iot, props.target);
  if (targets.length > MAX_TASKS_PER_RESOURCE) {
    throw new Error(`${targets.length} tasks would be needed (${MAX_TASKS_PER_RESOURCE * MAX_FINDINGS_PER_TASK} findings at most per AuditMitigationTask); `
      + 'split the findings over several AuditMitigationTask resources. No task was started.');
  }
  const started: string[] = [];
  try {
    for (const [i, target] of targets.entries()) {
      const taskId = `${prefix}-${i}`;
      // A task of this work that exists ran (or runs) already: never start it again.
      const outcome = await auditMitigationTaskExists(iot, taskId)
        ? 'already-exists'
        : await startAuditMitigationTask(iot, { taskId, target, auditCheckToActionsMapping: props.auditCheckToActionsMapping });
      if (outcome === 'started') { started.push(taskId); }
      log('INFO', outcome, { taskId, target, auditCheckToActionsMapping: props.auditCheckToActionsMapping });
    }
  } catch (error) {
    log('ERROR', 'start-failed', { started, error: errorName(error), message: errorMessage(error) });
    // Only tasks this request started: those of earlier requests belong to a resource CloudFormation still knows.
    if (props.cancelOnDelete) { await cancelAll(started, remainingMs); }
    throw error;
  }
  return response(prefix, targets.length);
}

async function remove(physicalResourceId: string, cancelOnDelete: boolean, remainingMs: () => number): Promise<void> {
  const current = parsePhysicalId(physicalResourceId);
  if (!current) {
    log('INFO', 'nothing-to-delete', { physicalResourceId, reason: 'no tasks were started (a failed create)' });
    return;
  }
  const ids = taskIdsOf(current.prefix, current.count);
  if (!cancelOnDelete) {
    log('INFO', 'tasks-left-running', { taskIds: ids, reason: 'cancelOnDelete is false' });
    return;
  }
  await cancelAll(ids, remainingMs);
}

/**
 * Cancels tasks still in progress, a few at a time, and stops in time to answer CloudFormation.
 * Never throws (a Delete must not fail the stack): what it could not cancel is logged at ERROR.
 */
async function cancelAll(ids: string[], remainingMs: () => number): Promise<void> {
  const run = await runWithDeadline(ids, async (taskId, abortSignal) => {
    try {
      await cancelClient.send(new CancelAuditMitigationActionsTaskCommand({ taskId }), { abortSignal });
      log('INFO', 'cancelled', { taskId });
      return true;
    } catch (error) {
      if (abortSignal.aborted) { throw error; }
      // InvalidRequest: not in progress any more; ResourceNotFound: never started.
      const expected = ['InvalidRequestException', 'ResourceNotFoundException'].includes(errorName(error));
      log(expected ? 'INFO' : 'ERROR', expected ? 'not-cancelled' : 'cancel-failed', { taskId, error: errorName(error), message: errorMessage(error) });
      return expected;
    }
  }, { concurrency: CANCEL_CONCURRENCY, remainingMs, marginMs: CANCEL_SAFETY_MARGIN_MS });
  const failed = run.settled.filter((s) => s.result !== true).map((s) => s.item);
  const notCancelled = [...failed, ...run.unfinished, ...run.notStarted];
  if (notCancelled.length > 0) {
    log('ERROR', 'tasks-not-cancelled', {
      taskIds: notCancelled,
      failed,
      unfinished: run.unfinished,
      notStarted: run.notStarted,
      remainingMs: remainingMs(),
      reason: 'cancel each with `npx cdk-device-defender cancel <taskId>` (or CancelAuditMitigationActionsTask)',
    });
  } else {
    log('INFO', 'cancel-done', { taskCount: ids.length });
  }
}

/**
 * Parses and validates the custom resource's properties (every scalar arrives as a string).
 * Throws an error naming the resource, the property, the value and what is allowed.
 */
export function parseProps(raw: Record<string, unknown> | undefined, logicalId: string): Props {
  const p = raw ?? {};
  const fail = (name: string, value: unknown, allowed: string): never => {
    throw new Error(`AuditMitigationTask ${logicalId}: invalid property ${name} ${JSON.stringify(value)}: ${allowed}`);
  };
  const optionalString = (name: string, pattern: RegExp, allowed: string): string | undefined => {
    const value = p[name];
    if (value === undefined) { return undefined; }
    if (typeof value !== 'string' || !pattern.test(value)) { fail(name, value, allowed); }
    return value as string;
  };
  const stringList = (name: string, value: unknown, max: number, pattern: RegExp, allowed: string): string[] => {
    if (!Array.isArray(value) || value.length < 1 || value.length > max) {
      fail(name, Array.isArray(value) && value.length > 10 ? `${value.length} values` : value,
        max === Infinity ? 'must be a non-empty list' : `must be a list of 1 to ${max} values`);
    }
    for (const item of value as unknown[]) {
      if (typeof item !== 'string' || !pattern.test(item)) { fail(`${name}[]`, item, allowed); }
    }
    return value as string[];
  };
  const record = (name: string, value: unknown): Record<string, unknown> => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
      fail(name, value, 'must map at least one audit check to a list');
    }
    return value as Record<string, unknown>;
  };

  const auditTaskId = optionalString('AuditTaskId', AUDIT_TASK_ID_PATTERN, 'must match [a-zA-Z0-9-]{1,40}');
  const findingIds = p.FindingIds === undefined ? undefined : stringList('FindingIds', p.FindingIds,
    Infinity, FINDING_ID_PATTERN, 'must match [a-zA-Z0-9_-]{1,128}');
  const reasonCodeFilter = p.ReasonCodeFilter === undefined ? undefined : Object.fromEntries(
    Object.entries(record('ReasonCodeFilter', p.ReasonCodeFilter)).map(([check, codes]) =>
      [check, stringList(`ReasonCodeFilter.${check}`, codes, MAX_REASON_CODES, REASON_CODE_PATTERN, 'must match [A-Z0-9_]{1,128}')]));
  if (findingIds && auditTaskId) { fail('AuditTaskId', auditTaskId, 'must not be set together with FindingIds'); }
  if (reasonCodeFilter && !auditTaskId) { fail('ReasonCodeFilter', reasonCodeFilter, 'needs AuditTaskId'); }
  if (!findingIds && !auditTaskId) { fail('AuditTaskId', auditTaskId, 'one of AuditTaskId and FindingIds is required'); }

  const auditCheckToActionsMapping = Object.fromEntries(
    Object.entries(record('AuditCheckToActionsMapping', p.AuditCheckToActionsMapping)).map(([check, actions]) =>
      [check, stringList(`AuditCheckToActionsMapping.${check}`, actions, 5, /^.+$/, 'must be a mitigation action name')]));
  const cancelOnDelete = optionalString('CancelOnDelete', /^(true|false)$/, 'must be "true" or "false"') === 'true';
  const runId = optionalString('RunId', RUN_ID_PATTERN, 'must match [a-zA-Z0-9._-]{1,64}');
  const target: TargetSpec = { auditTaskId, findingIds, reasonCodeFilter };
  return { target, auditCheckToActionsMapping, cancelOnDelete, runId };
}
