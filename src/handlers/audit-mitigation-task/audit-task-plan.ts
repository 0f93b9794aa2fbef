import type { AuditMitigationActionsTaskTarget } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AUDIT_MITIGATION_TASK_PROPS as P } from '../../contract/custom-resources';
import {
  AUDIT_TASK_ID_PATTERN, FINDING_ID_PATTERN, MAX_FINDINGS_PER_TASK, MAX_REASON_CODES, MAX_TASKS_PER_RESOURCE, REASON_CODE_PATTERN, RUN_ID_PATTERN,
} from '../../contract/limits';
import { clientRequestToken, parsePhysicalId, taskIdsOf } from '../shared/ids';
import { canonicalWork, TargetSpec, Work, workTaskIdPrefix } from '../shared/targets';

// The AuditMitigationTask custom resource's decisions, pure: what a request asks for (planRequest),
// and which tasks a Create or an Update starts (planTasks). The handler does the I/O around them.

/** The custom resource's properties, validated. */
export interface Props extends Work {
  readonly cancelOnDelete: boolean;
  /**
   * The AuditMitigationTask's construct path (property `MitigationName`): the `Mitigation` metric
   * dimension and events' `detail.mitigation`. Not part of the work: a resource that gains it, or
   * whose construct moves, starts nothing.
   */
  readonly mitigationName?: string;
}

/** What the handler does for one request. */
export type ResourcePlan =
  /** Create, or Update to other work: start the tasks of `props` under `prefix`. */
  | { readonly kind: 'start'; readonly prefix: string; readonly props: Props }
  /** Update to the same work: answer with the tasks that exist, start nothing. */
  | { readonly kind: 'unchanged'; readonly physicalResourceId: string; readonly prefix: string; readonly count: number }
  /** Delete of a resource whose physical id the handler never issued (a failed Create): no tasks. */
  | { readonly kind: 'nothing-to-delete'; readonly physicalResourceId: string; readonly reason: string }
  /** Delete without cancelOnDelete: the tasks keep running. */
  | { readonly kind: 'leave-running'; readonly physicalResourceId: string; readonly taskIds: string[]; readonly reason: string }
  /** Delete with cancelOnDelete: cancel these tasks (those still in progress). */
  | { readonly kind: 'cancel'; readonly physicalResourceId: string; readonly taskIds: string[] };

/** One task a Create or an Update starts, unless a task of that id exists already. */
export interface PlannedTask {
  readonly taskId: string;
  readonly clientRequestToken: string;
  readonly target: AuditMitigationActionsTaskTarget;
  readonly auditCheckToActionsMapping: Record<string, string[]>;
}

/** The tasks of a resource's work, or why none may start. */
export type TaskPlan =
  | { readonly kind: 'start'; readonly tasks: PlannedTask[] }
  | { readonly kind: 'refuse'; readonly reason: string };

/**
 * Decides what a request asks for. Create starts the work; Update answers with the existing tasks
 * when the work is the same (same task id prefix, or old properties that parse to the same
 * canonical work), and otherwise starts the new work under its own prefix; Delete cancels the
 * tasks only with cancelOnDelete. Throws, naming the property, when a Create's or an Update's
 * properties are invalid; a Delete never throws (it must not fail the stack).
 */
export function planRequest(event: CloudFormationCustomResourceEvent): ResourcePlan {
  switch (event.RequestType) {
    case 'Create': {
      const props = parseProps(event.ResourceProperties, event.LogicalResourceId);
      return { kind: 'start', prefix: workTaskIdPrefix(event.StackId, event.LogicalResourceId, props), props };
    }
    case 'Update': {
      const props = parseProps(event.ResourceProperties, event.LogicalResourceId);
      const prefix = workTaskIdPrefix(event.StackId, event.LogicalResourceId, props);
      const current = parsePhysicalId(event.PhysicalResourceId);
      if (current && (current.prefix === prefix || sameWork(event.OldResourceProperties, props, event.LogicalResourceId))) {
        return { kind: 'unchanged', physicalResourceId: event.PhysicalResourceId, prefix: current.prefix, count: current.count };
      }
      // Other work: its own task ids (for a rollback, those of the resource rolled back to, which
      // exist and are not started again). CloudFormation then deletes the resource replaced.
      return { kind: 'start', prefix, props };
    }
    case 'Delete': {
      const physicalResourceId = event.PhysicalResourceId;
      const current = parsePhysicalId(physicalResourceId);
      if (!current) { return { kind: 'nothing-to-delete', physicalResourceId, reason: 'no tasks were started (a failed create)' }; }
      const taskIds = taskIdsOf(current.prefix, current.count);
      // Read without parseProps: properties that no longer parse must not make a Delete fail.
      return event.ResourceProperties?.[P.CANCEL_ON_DELETE] === 'true'
        ? { kind: 'cancel', physicalResourceId, taskIds }
        : { kind: 'leave-running', physicalResourceId, taskIds, reason: 'cancelOnDelete is false' };
    }
  }
}

/** Whether the old properties ask for the same work (also true for resources from before work-derived ids). */
export function sameWork(oldProperties: Record<string, unknown> | undefined, props: Props, logicalId: string): boolean {
  try {
    return canonicalWork(parseProps(oldProperties, logicalId)) === canonicalWork(props);
  } catch {
    return false;
  }
}

/**
 * The tasks that carry out a work's targets: `<prefix>-<i>` for target i, each with its
 * idempotency token; refused when the physical id could not name them all.
 */
export function planTasks(
  prefix: string,
  targets: AuditMitigationActionsTaskTarget[],
  auditCheckToActionsMapping: Record<string, string[]>,
): TaskPlan {
  if (targets.length > MAX_TASKS_PER_RESOURCE) {
    return {
      kind: 'refuse',
      reason: `${targets.length} tasks would be needed (${MAX_TASKS_PER_RESOURCE * MAX_FINDINGS_PER_TASK} findings at most per AuditMitigationTask); `
        + 'split the findings over several AuditMitigationTask resources. No task was started.',
    };
  }
  const taskIds = taskIdsOf(prefix, targets.length);
  return {
    kind: 'start',
    tasks: targets.map((target, i) => ({
      taskId: taskIds[i], clientRequestToken: clientRequestToken(taskIds[i]), target, auditCheckToActionsMapping,
    })),
  };
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

  const auditTaskId = optionalString(P.AUDIT_TASK_ID, AUDIT_TASK_ID_PATTERN, 'must match [a-zA-Z0-9-]{1,40}');
  const findingIds = p[P.FINDING_IDS] === undefined ? undefined : stringList(P.FINDING_IDS, p[P.FINDING_IDS],
    Infinity, FINDING_ID_PATTERN, 'must match [a-zA-Z0-9_-]{1,128}');
  const reasonCodeFilter = p[P.REASON_CODE_FILTER] === undefined ? undefined : Object.fromEntries(
    Object.entries(record(P.REASON_CODE_FILTER, p[P.REASON_CODE_FILTER])).map(([check, codes]) =>
      [check, stringList(`${P.REASON_CODE_FILTER}.${check}`, codes, MAX_REASON_CODES, REASON_CODE_PATTERN, 'must match [A-Z0-9_]{1,128}')]));
  if (findingIds && auditTaskId) { fail(P.AUDIT_TASK_ID, auditTaskId, `must not be set together with ${P.FINDING_IDS}`); }
  if (reasonCodeFilter && !auditTaskId) { fail(P.REASON_CODE_FILTER, reasonCodeFilter, `needs ${P.AUDIT_TASK_ID}`); }
  if (!findingIds && !auditTaskId) { fail(P.AUDIT_TASK_ID, auditTaskId, `one of ${P.AUDIT_TASK_ID} and ${P.FINDING_IDS} is required`); }

  const auditCheckToActionsMapping = Object.fromEntries(
    Object.entries(record(P.AUDIT_CHECK_TO_ACTIONS_MAPPING, p[P.AUDIT_CHECK_TO_ACTIONS_MAPPING])).map(([check, actions]) =>
      [check, stringList(`${P.AUDIT_CHECK_TO_ACTIONS_MAPPING}.${check}`, actions, 5, /^.+$/, 'must be a mitigation action name')]));
  const cancelOnDelete = optionalString(P.CANCEL_ON_DELETE, /^(true|false)$/, 'must be "true" or "false"') === 'true';
  const runId = optionalString(P.RUN_ID, RUN_ID_PATTERN, 'must match [a-zA-Z0-9._-]{1,64}');
  const mitigationName = optionalString(P.MITIGATION_NAME, /^.{1,1024}$/s, 'must be 1 to 1024 characters (a construct path)');
  const target: TargetSpec = { auditTaskId, findingIds, reasonCodeFilter };
  return { target, auditCheckToActionsMapping, cancelOnDelete, runId, ...(mitigationName ? { mitigationName } : {}) };
}
