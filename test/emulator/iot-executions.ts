/**
 * The execution simulator: runs an emulated audit or detect mitigation actions task to its end,
 * as AWS IoT would, applying each action to the emulated resources (`iot-resources.ts`) and
 * recording one execution per (finding or violation, action) in the state (`iot-state.ts`).
 * Tests call it through `IotEmulator.runAuditMitigationTask` / `runDetectMitigationTask`.
 */
import {
  AuditMitigationActionsExecutionStatus,
  AuditMitigationActionsTaskStatus,
  checkString,
  VIOLATION_ID,
} from './iot-model';
import { ApiError, BLANK_POLICY_DOCUMENT, invalidRequest, notFound } from './iot-resources';
import {
  AuditFindingState,
  AuditMitigationExecution,
  AuditMitigationTaskSnapshot,
  AuditResourceIdentifier,
  clone,
  DetectMitigationExecution,
  findingToApi,
  IotState,
  MitigationActionState,
} from './iot-state';

export interface RunAuditMitigationTaskOptions {
  /** The first action of each of these findings fails (errorCode 'EmulatedFailure'); later ones are skipped. */
  failFindingIds?: string[];
  /**
   * AWS answers without the task's and its executions' startTime and endTime from then on (both
   * are optional in the API model): for code that must not guess a time window.
   */
  timesUnknown?: boolean;
}

export interface RunDetectMitigationTaskOptions {
  /** The first action of each of these violations fails (errorCode 'EmulatedFailure'); later ones are skipped. */
  failViolationIds?: string[];
}

/**
 * Runs an IN_PROGRESS audit mitigation actions task to completion, as AWS would: for every
 * finding of the task and every action mapped to the finding's check, in order, applies the
 * action to the emulated resources and records one execution (COMPLETED, FAILED or SKIPPED).
 * Suppressed findings are never mitigated (all their executions are SKIPPED); a failed action
 * skips the later actions of that finding only; nothing is rolled back. The task ends COMPLETED,
 * or FAILED when any action failed.
 *
 * Effects: UPDATE_DEVICE_CERTIFICATE sets the finding's device certificate INACTIVE;
 * UPDATE_CA_CERTIFICATE sets its CA certificate INACTIVE; ADD_THINGS_TO_THING_GROUP adds every
 * thing attached to the finding's device certificate to each group of the action's
 * thingGroupNames; REPLACE_DEFAULT_POLICY_VERSION creates a version with BLANK_POLICY_DOCUMENT and
 * makes it the default; PUBLISH_FINDING_TO_SNS and ENABLE_IOT_LOGGING append to `sideEffects`.
 * An action fails with the error the equivalent API call returns (e.g. ResourceNotFoundException
 * for a missing certificate or group, VersionsLimitExceededException for a policy that already
 * has 5 versions).
 */
export function runAuditMitigationTask(state: IotState, taskId: string, options: RunAuditMitigationTaskOptions = {}): AuditMitigationExecution[] {
  const task = state.auditMitigationTaskMap.get(taskId);
  if (!task) throw new Error(`runAuditMitigationTask: no audit mitigation task ${taskId}`);
  if (task.taskStatus !== 'IN_PROGRESS') throw new Error(`runAuditMitigationTask: task ${taskId} is ${task.taskStatus}; only IN_PROGRESS tasks can run`);
  const failing = new Set(options.failFindingIds ?? []);
  const unknown = [...failing].filter((id) => !task.findingIds.includes(id));
  if (unknown.length > 0) throw new Error(`runAuditMitigationTask: failFindingIds not targeted by task ${taskId}: ${unknown.join(', ')}`);

  const executions: AuditMitigationExecution[] = [];
  for (const findingId of task.findingIds) {
    const finding = state.findings.get(findingId);
    if (!finding) continue;
    let failed = false;
    (task.auditCheckToActionsMapping[finding.checkName] ?? []).forEach((actionName, index) => {
      const action = state.actions.get(actionName);
      const startTime = new Date();
      const base = {
        taskId, findingId, actionName, actionId: action?.actionId ?? '', actionType: action?.actionType ?? 'PUBLISH_FINDING_TO_SNS', startTime,
      };
      if (state.isFindingSuppressed(finding)) {
        executions.push({ ...base, status: 'SKIPPED', endTime: new Date(), message: 'The finding is suppressed; suppressed findings are not mitigated.' });
        return;
      }
      if (failed) {
        executions.push({ ...base, status: 'SKIPPED', endTime: new Date(), message: 'Skipped because an earlier action for this finding failed.' });
        return;
      }
      try {
        if (!action) throw notFound(`Mitigation action ${actionName} does not exist.`);
        if (index === 0 && failing.has(findingId)) throw new ApiError(500, 'EmulatedFailure', 'The mitigation action failed (emulated).');
        applyAuditAction(state, task, finding, action);
        executions.push({ ...base, status: 'COMPLETED', endTime: new Date() });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        failed = true;
        executions.push({ ...base, status: 'FAILED', endTime: new Date(), errorCode: err.code, message: err.message });
      }
    });
  }
  state.auditExecutions.set(taskId, executions);
  if (options.timesUnknown) state.timelessTasks.add(taskId);
  task.taskStatus = executions.some((e) => e.status === 'FAILED') ? 'FAILED' : 'COMPLETED';
  task.endTime = new Date();
  return executions.map(clone);
}

/**
 * Runs an IN_PROGRESS detect mitigation actions task: for every violation (id -> the thing in
 * violation), in order, applies each of the task's ADD_THINGS_TO_THING_GROUP actions (the thing
 * joins every group of the action's thingGroupNames) and records one execution per (violation,
 * action): SUCCESSFUL, FAILED (e.g. ResourceNotFoundException for a missing thing or group) or
 * SKIPPED (after a failed action of the same violation). The task ends SUCCESSFUL, or FAILED when
 * any action failed. When the task targets violationIds, only those may be given.
 */
export function runDetectMitigationTask(
  state: IotState,
  taskId: string,
  violations: Record<string, string>,
  options: RunDetectMitigationTaskOptions = {},
): DetectMitigationExecution[] {
  const task = state.detectMitigationTaskMap.get(taskId);
  if (!task) throw new Error(`runDetectMitigationTask: no detect mitigation task ${taskId}`);
  if (task.taskStatus !== 'IN_PROGRESS') throw new Error(`runDetectMitigationTask: task ${taskId} is ${task.taskStatus}; only IN_PROGRESS tasks can run`);
  for (const id of Object.keys(violations)) {
    const problems = checkString('violationId', id, VIOLATION_ID, true);
    if (problems.length > 0) throw new Error(`runDetectMitigationTask: ${problems.join('; ')}`);
    if (task.target.violationIds && !task.target.violationIds.includes(id)) {
      throw new Error(`runDetectMitigationTask: violation ${id} is not a target of task ${taskId}`);
    }
  }
  const failing = new Set(options.failViolationIds ?? []);
  const executions: DetectMitigationExecution[] = [];
  for (const [violationId, thingName] of Object.entries(violations)) {
    let failed = false;
    task.actions.forEach((actionName, index) => {
      const executionStartDate = new Date();
      const base = { taskId, violationId, thingName, actionName, executionStartDate };
      if (failed) {
        executions.push({ ...base, status: 'SKIPPED', executionEndDate: new Date(), message: 'Skipped because an earlier action for this violation failed.' });
        return;
      }
      try {
        const action = state.actions.get(actionName);
        if (!action) throw notFound(`Mitigation action ${actionName} does not exist.`);
        if (index === 0 && failing.has(violationId)) throw new ApiError(500, 'EmulatedFailure', 'The mitigation action failed (emulated).');
        addThingsToGroups(state, [thingName], action);
        executions.push({ ...base, status: 'SUCCESSFUL', executionEndDate: new Date() });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        failed = true;
        executions.push({ ...base, status: 'FAILED', executionEndDate: new Date(), errorCode: err.code, message: err.message });
      }
    });
  }
  state.detectExecutions.set(taskId, executions);
  task.taskStatus = executions.some((e) => e.status === 'FAILED') ? 'FAILED' : 'SUCCESSFUL';
  task.endTime = new Date();
  return executions.map(clone);
}

function applyAuditAction(state: IotState, task: AuditMitigationTaskSnapshot, finding: AuditFindingState, action: MitigationActionState): void {
  const id = (finding.nonCompliantResource?.resourceIdentifier ?? {}) as AuditResourceIdentifier;
  const deviceCertificateId = (): string => {
    const certId = id.deviceCertificateId ?? (id.deviceCertificateArn ? state.arns.nameFrom(id.deviceCertificateArn, 'cert') : undefined);
    if (certId === undefined) throw invalidRequest(`Finding ${finding.findingId} does not identify a device certificate.`);
    return certId;
  };
  switch (action.actionType) {
    case 'UPDATE_DEVICE_CERTIFICATE':
      state.resources.updateCertificate(deviceCertificateId(), 'INACTIVE');
      return;
    case 'UPDATE_CA_CERTIFICATE':
      if (id.caCertificateId === undefined) throw invalidRequest(`Finding ${finding.findingId} does not identify a CA certificate.`);
      state.resources.updateCaCertificate(id.caCertificateId, { newStatus: 'INACTIVE' });
      return;
    case 'ADD_THINGS_TO_THING_GROUP': {
      const certId = deviceCertificateId();
      state.resources.certificateOr404(certId);
      addThingsToGroups(state, state.resources.principalThings(state.arns.certificate(certId)), action);
      return;
    }
    case 'REPLACE_DEFAULT_POLICY_VERSION': {
      const policyName = id.policyVersionIdentifier?.policyName;
      if (policyName === undefined) throw invalidRequest(`Finding ${finding.findingId} does not identify a policy.`);
      state.resources.createPolicyVersion(policyName, BLANK_POLICY_DOCUMENT, true);
      return;
    }
    case 'PUBLISH_FINDING_TO_SNS': {
      const params = action.actionParams.publishFindingToSnsParams as { topicArn?: string } | undefined;
      state.sideEffects.push({
        kind: 'sns-publish',
        taskId: task.taskId,
        findingId: finding.findingId,
        actionName: action.actionName,
        topicArn: params?.topicArn ?? '',
        finding: clone(findingToApi(finding)),
      });
      return;
    }
    case 'ENABLE_IOT_LOGGING': {
      const params = action.actionParams.enableIoTLoggingParams as { roleArnForLogging?: string; logLevel?: string } | undefined;
      state.sideEffects.push({
        kind: 'logging-enabled',
        taskId: task.taskId,
        findingId: finding.findingId,
        actionName: action.actionName,
        roleArnForLogging: params?.roleArnForLogging ?? '',
        logLevel: params?.logLevel ?? '',
      });
      return;
    }
  }
}

/** ADD_THINGS_TO_THING_GROUP: all groups must exist (else nothing changes), then every thing joins every group. */
function addThingsToGroups(state: IotState, things: string[], action: MitigationActionState): void {
  const params = action.actionParams.addThingsToThingGroupParams as { thingGroupNames?: string[] } | undefined;
  const groups = params?.thingGroupNames ?? [];
  for (const g of groups) {
    if (!state.resources.hasThingGroup(g)) throw notFound(`The thing group ${g} does not exist.`);
  }
  for (const t of things) {
    if (!state.resources.hasThing(t)) throw notFound(`The thing ${t} does not exist.`);
  }
  for (const t of things) for (const g of groups) state.resources.addThingToThingGroup(t, g);
}

/**
 * The status ListAuditMitigationActionsExecutions reports for the `index`-th action of a finding
 * of a task that was not run with runAuditMitigationTask (its status set by a test, or cancelled).
 */
export function executionStatus(
  taskStatus: AuditMitigationActionsTaskStatus,
  suppressed: boolean,
  index: number,
): AuditMitigationActionsExecutionStatus {
  if (suppressed) return 'SKIPPED';
  switch (taskStatus) {
    case 'IN_PROGRESS':
      return index === 0 ? 'IN_PROGRESS' : 'PENDING';
    case 'COMPLETED':
      return 'COMPLETED';
    case 'FAILED':
      // A failed action skips the later actions for that finding only; nothing is rolled back
      // (https://docs.aws.amazon.com/iot-device-defender/latest/devguide/dd-mitigation-actions.html).
      return index === 0 ? 'FAILED' : 'SKIPPED';
    case 'CANCELED':
      return 'CANCELED';
  }
}
