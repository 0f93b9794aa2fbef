/**
 * The IoT emulator's state: mitigation actions, audits and their findings, audit and detect
 * mitigation tasks, their executions, and the resources the actions change (`iot-resources.ts`).
 * Seeding checks its input against the API model (`iot-model.ts`); the operations
 * (`iot-operations.ts`) and the execution simulator (`iot-executions.ts`) read and change it.
 */
import { sequentialId } from './http-emulator';
import type { Scope } from './identity';
import {
  AUDIT_CHECK_RUN_STATUSES,
  AUDIT_FINDING_SEVERITIES,
  AUDIT_TASK_ID,
  AuditCheckRunStatus,
  AuditFindingSeverity,
  AuditMitigationActionsTaskStatus,
  AuditTaskStatus,
  AuditTaskType,
  checkNonCompliantResource,
  checkString,
  DetectMitigationActionExecutionStatus,
  DetectMitigationActionsTaskStatus,
  FINDING_ID,
  isMitigationActionType,
  isRecord,
  MITIGATION_ACTION_NAME,
  MitigationActionType,
} from './iot-model';
import { IotArns, IotResourceStore } from './iot-resources';
import { ActiveViolationStore } from './iot-violations';

// ---------------------------------------------------------------------------------------------
// Seeds, snapshots and execution records (public through IotEmulator)
// ---------------------------------------------------------------------------------------------

/** Target of an audit mitigation actions task (exactly one member is set). */
export interface AuditMitigationTarget {
  auditTaskId?: string;
  findingIds?: string[];
  auditCheckToReasonCodeFilter?: Record<string, string[]>;
}

/** Target of a detect mitigation actions task. */
export interface DetectMitigationTarget {
  violationIds?: string[];
  securityProfileName?: string;
  behaviorName?: string;
}

export interface ViolationEventOccurrenceRange {
  startTime: Date;
  endTime: Date;
}

export interface AuditMitigationTaskSnapshot {
  taskId: string;
  clientRequestToken: string;
  target: AuditMitigationTarget;
  auditCheckToActionsMapping: Record<string, string[]>;
  taskStatus: AuditMitigationActionsTaskStatus;
  startTime: Date;
  endTime?: Date;
  /** The findings the task acts on (resolved from the target when the task started). */
  findingIds: string[];
}

export interface DetectMitigationTaskSnapshot {
  taskId: string;
  clientRequestToken: string;
  target: DetectMitigationTarget;
  actions: string[];
  taskStatus: DetectMitigationActionsTaskStatus;
  includeOnlyActiveViolations?: boolean;
  includeSuppressedAlerts?: boolean;
  violationEventOccurrenceRange?: ViolationEventOccurrenceRange;
  startTime: Date;
  endTime?: Date;
}

export interface MitigationActionSeed {
  actionName: string;
  /** API action type, e.g. 'UPDATE_DEVICE_CERTIFICATE'. */
  actionType: string;
  /** Defaults to a fixed fake role ARN. */
  roleArn?: string;
  /** The API `actionParams` union; defaults to a valid value for the type. */
  actionParams?: Record<string, unknown>;
}

export interface AuditCheckSeed {
  /** Defaults to COMPLETED_NON_COMPLIANT when nonCompliantResourcesCount > 0, else COMPLETED_COMPLIANT. */
  checkRunStatus?: string;
  nonCompliantResourcesCount: number;
  /** Defaults to nonCompliantResourcesCount. */
  totalResourcesCount?: number;
  suppressedNonCompliantResourcesCount?: number;
}

export interface AuditTaskSeed {
  taskId: string;
  /** Defaults to SCHEDULED_AUDIT_TASK when scheduledAuditName is set, else ON_DEMAND_AUDIT_TASK. */
  taskType?: AuditTaskType;
  /** Defaults to COMPLETED. */
  taskStatus?: AuditTaskStatus;
  scheduledAuditName?: string;
  /** Defaults to now. */
  taskStartTime?: Date;
  checks: Record<string, AuditCheckSeed>;
}

export interface AuditFindingSeed {
  findingId: string;
  /** Must be a task added with addAuditTask. */
  taskId: string;
  checkName: string;
  reasonForNonComplianceCode?: string;
  reasonForNonCompliance?: string;
  /** Defaults to MEDIUM. */
  severity?: string;
  isSuppressed?: boolean;
  /**
   * The resource the finding is about. Checked when seeded: a known resourceType, known identifier
   * members, and the identifier the type needs (DEVICE_CERTIFICATE: deviceCertificateId,
   * CA_CERTIFICATE: caCertificateId, IOT_POLICY: policyVersionIdentifier.policyName).
   */
  nonCompliantResource?: NonCompliantResourceSeed;
  /** Defaults to the audit task's start time. */
  findingTime?: Date;
}

/** The API's ResourceIdentifier (one member set, matching the resource type). */
export interface AuditResourceIdentifier {
  deviceCertificateId?: string;
  caCertificateId?: string;
  cognitoIdentityPoolId?: string;
  clientId?: string;
  policyVersionIdentifier?: { policyName?: string; policyVersionId?: string };
  account?: string;
  iamRoleArn?: string;
  roleAliasArn?: string;
  issuerCertificateIdentifier?: { issuerCertificateSubject?: string; issuerId?: string; issuerCertificateSerialNumber?: string };
  deviceCertificateArn?: string;
}

export interface NonCompliantResourceSeed {
  /** DEVICE_CERTIFICATE, CA_CERTIFICATE, IOT_POLICY, ACCOUNT_SETTINGS, ... */
  resourceType: string;
  resourceIdentifier: AuditResourceIdentifier | Record<string, string>;
  additionalInfo?: Record<string, string>;
}

/** One (finding, action) execution recorded by runAuditMitigationTask. */
export interface AuditMitigationExecution {
  taskId: string;
  findingId: string;
  actionName: string;
  actionId: string;
  actionType: MitigationActionType;
  status: 'COMPLETED' | 'FAILED' | 'SKIPPED';
  startTime: Date;
  endTime: Date;
  errorCode?: string;
  message?: string;
}

/** One (violation, action) execution recorded by runDetectMitigationTask. */
export interface DetectMitigationExecution {
  taskId: string;
  violationId: string;
  thingName: string;
  actionName: string;
  status: Exclude<DetectMitigationActionExecutionStatus, 'IN_PROGRESS'>;
  executionStartDate: Date;
  executionEndDate: Date;
  errorCode?: string;
  message?: string;
}

/**
 * What an emulated mitigation action did outside the resources the emulator models: an SNS
 * publication (PUBLISH_FINDING_TO_SNS) or a change of the account's logging (ENABLE_IOT_LOGGING).
 */
export type MitigationSideEffect =
  | {
    kind: 'sns-publish';
    taskId: string;
    findingId: string;
    actionName: string;
    topicArn: string;
    /** The finding as ListAuditFindings returns it (timestamps in epoch seconds). */
    finding: Record<string, unknown>;
  }
  | {
    kind: 'logging-enabled';
    taskId: string;
    findingId: string;
    actionName: string;
    roleArnForLogging: string;
    logLevel: string;
  };

// ---------------------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------------------

export interface MitigationActionState {
  actionName: string;
  actionType: MitigationActionType;
  actionId: string;
  roleArn: string;
  actionParams: Record<string, unknown>;
  creationDate: Date;
}

export interface AuditTaskState {
  taskId: string;
  taskType: AuditTaskType;
  taskStatus: AuditTaskStatus;
  scheduledAuditName?: string;
  taskStartTime: Date;
  checks: Record<string, Required<AuditCheckSeed> & { checkRunStatus: AuditCheckRunStatus }>;
}

export interface AuditFindingState {
  findingId: string;
  taskId: string;
  checkName: string;
  reasonForNonComplianceCode?: string;
  reasonForNonCompliance?: string;
  severity: AuditFindingSeverity;
  isSuppressed: boolean;
  nonCompliantResource?: NonCompliantResourceSeed;
  findingTime: Date;
  taskStartTime: Date;
}

export type JsonObject = Record<string, unknown>;

/** JSON with object keys sorted, so nested identifiers compare regardless of member order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** An audit finding suppression, as the emulator keeps it (its key: check and resource). */
export interface AuditSuppressionSnapshot {
  checkName: string;
  resourceIdentifier: AuditResourceIdentifier;
  /** Unset when suppressIndefinitely. */
  expirationDate?: Date;
  suppressIndefinitely: boolean;
  description?: string;
  /** The token of the Create that made it (a retry with the same token is answered as a success). */
  clientRequestToken: string;
}

/** A suppression's key: the check and the resource identifier, member order aside. */
export function suppressionKey(checkName: string, resourceIdentifier: unknown): string {
  return `${checkName} ${canonicalJson(resourceIdentifier)}`;
}

export const epochSeconds = (d: Date): number => d.getTime() / 1000;

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A valid `actionParams` for an action of `type` in `scope`, under the API model's member name for the type. */
export function defaultActionParams(type: MitigationActionType, { account, region }: Scope): Record<string, unknown> {
  switch (type) {
    case 'ADD_THINGS_TO_THING_GROUP':
      return { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: false } };
    case 'ENABLE_IOT_LOGGING':
      return { enableIoTLoggingParams: { roleArnForLogging: `arn:aws:iam::${account}:role/iot-logging`, logLevel: 'ERROR' } };
    case 'PUBLISH_FINDING_TO_SNS':
      return { publishFindingToSnsParams: { topicArn: `arn:aws:sns:${region}:${account}:iot-findings` } };
    case 'REPLACE_DEFAULT_POLICY_VERSION':
      return { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } };
    case 'UPDATE_CA_CERTIFICATE':
      // The API model spells it updateCACertificateParams (CloudFormation: UpdateCACertificateParams, L1: updateCaCertificateParams).
      return { updateCACertificateParams: { action: 'DEACTIVATE' } };
    case 'UPDATE_DEVICE_CERTIFICATE':
      return { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
  }
}

/** A finding as ListAuditFindings returns it. */
export function findingToApi(f: AuditFindingState): JsonObject {
  return {
    findingId: f.findingId,
    taskId: f.taskId,
    checkName: f.checkName,
    taskStartTime: epochSeconds(f.taskStartTime),
    findingTime: epochSeconds(f.findingTime),
    severity: f.severity,
    nonCompliantResource: f.nonCompliantResource,
    reasonForNonCompliance: f.reasonForNonCompliance,
    reasonForNonComplianceCode: f.reasonForNonComplianceCode,
    isSuppressed: f.isSuppressed,
  };
}

/** One account's AWS IoT in one region. */
export class IotState {
  readonly arns: IotArns;
  readonly actions = new Map<string, MitigationActionState>();
  readonly auditTasks = new Map<string, AuditTaskState>();
  readonly findings = new Map<string, AuditFindingState>();
  readonly auditMitigationTaskMap = new Map<string, AuditMitigationTaskSnapshot>();
  readonly detectMitigationTaskMap = new Map<string, DetectMitigationTaskSnapshot>();
  /** Violation ids StartDetectMitigationActionsTask refuses (unknown to AWS IoT, or no longer valid). */
  readonly invalidViolationIds = new Set<string>();
  readonly resources: IotResourceStore;
  /** Detect's security profiles and their violations in alarm (ListActiveViolations). */
  readonly activeViolations = new ActiveViolationStore();
  /** Executions of tasks run with runAuditMitigationTask / runDetectMitigationTask, by task id. */
  readonly auditExecutions = new Map<string, AuditMitigationExecution[]>();
  readonly detectExecutions = new Map<string, DetectMitigationExecution[]>();
  /** Audit mitigation tasks run with `timesUnknown`: described and listed without start and end times. */
  readonly timelessTasks = new Set<string>();
  /** SNS publications and logging changes made by emulated mitigation actions, in order. */
  readonly sideEffects: MitigationSideEffect[] = [];
  /** Audit finding suppressions, by `suppressionKey`. */
  readonly suppressions = new Map<string, AuditSuppressionSnapshot>();
  private actionSequence = 0;

  constructor(scope: Scope) {
    this.arns = new IotArns(scope);
    this.resources = new IotResourceStore(this.arns);
  }

  clear(): void {
    this.actionSequence = 0;
    this.actions.clear();
    this.auditTasks.clear();
    this.findings.clear();
    this.auditMitigationTaskMap.clear();
    this.detectMitigationTaskMap.clear();
    this.resources.clear();
    this.activeViolations.clear();
    this.auditExecutions.clear();
    this.detectExecutions.clear();
    this.timelessTasks.clear();
    this.sideEffects.length = 0;
    this.invalidViolationIds.clear();
    this.suppressions.clear();
  }

  /**
   * Whether a finding is suppressed: seeded as suppressed, or a suppression of its check and
   * resource is in force at `now` (indefinitely, or until a later expiration date).
   */
  isFindingSuppressed(f: AuditFindingState, now: Date = new Date()): boolean {
    if (f.isSuppressed) return true;
    const id = f.nonCompliantResource?.resourceIdentifier;
    if (!id) return false;
    const s = this.suppressions.get(suppressionKey(f.checkName, id));
    return s !== undefined && (s.suppressIndefinitely || (s.expirationDate !== undefined && s.expirationDate > now));
  }

  addMitigationAction(a: MitigationActionSeed): void {
    const nameProblems = checkString('actionName', a.actionName, MITIGATION_ACTION_NAME, true);
    if (nameProblems.length > 0) throw new Error(`addMitigationAction: ${nameProblems.join('; ')}`);
    if (!isMitigationActionType(a.actionType)) throw new Error(`addMitigationAction: unknown actionType ${a.actionType}`);
    if (this.actions.has(a.actionName)) throw new Error(`addMitigationAction: ${a.actionName} already exists`);
    this.actions.set(a.actionName, {
      actionName: a.actionName,
      actionType: a.actionType,
      actionId: this.nextActionId(),
      roleArn: a.roleArn ?? `arn:aws:iam::${this.arns.scope.account}:role/iot-emulator-mitigation-role`,
      actionParams: clone(a.actionParams ?? defaultActionParams(a.actionType, this.arns.scope)),
      creationDate: new Date(),
    });
  }

  addAuditTask(t: AuditTaskSeed): void {
    const idProblems = checkString('taskId', t.taskId, AUDIT_TASK_ID, true);
    if (idProblems.length > 0) throw new Error(`addAuditTask: ${idProblems.join('; ')}`);
    if (this.auditTasks.has(t.taskId)) throw new Error(`addAuditTask: ${t.taskId} already exists`);
    const checks: AuditTaskState['checks'] = {};
    for (const [name, c] of Object.entries(t.checks)) {
      const status = c.checkRunStatus ?? (c.nonCompliantResourcesCount > 0 ? 'COMPLETED_NON_COMPLIANT' : 'COMPLETED_COMPLIANT');
      if (!(AUDIT_CHECK_RUN_STATUSES as readonly string[]).includes(status)) {
        throw new Error(`addAuditTask: check ${name} has unknown checkRunStatus ${status}`);
      }
      checks[name] = {
        checkRunStatus: status as AuditCheckRunStatus,
        nonCompliantResourcesCount: c.nonCompliantResourcesCount,
        totalResourcesCount: c.totalResourcesCount ?? c.nonCompliantResourcesCount,
        suppressedNonCompliantResourcesCount: c.suppressedNonCompliantResourcesCount ?? 0,
      };
    }
    this.auditTasks.set(t.taskId, {
      taskId: t.taskId,
      taskType: t.taskType ?? (t.scheduledAuditName ? 'SCHEDULED_AUDIT_TASK' : 'ON_DEMAND_AUDIT_TASK'),
      taskStatus: t.taskStatus ?? 'COMPLETED',
      scheduledAuditName: t.scheduledAuditName,
      taskStartTime: t.taskStartTime ? new Date(t.taskStartTime) : new Date(),
      checks,
    });
  }

  addAuditFinding(f: AuditFindingSeed): void {
    const idProblems = checkString('findingId', f.findingId, FINDING_ID, true);
    if (idProblems.length > 0) throw new Error(`addAuditFinding: ${idProblems.join('; ')}`);
    if (this.findings.has(f.findingId)) throw new Error(`addAuditFinding: ${f.findingId} already exists`);
    const task = this.auditTasks.get(f.taskId);
    if (!task) throw new Error(`addAuditFinding: audit task ${f.taskId} does not exist; add it with addAuditTask first`);
    const severity = f.severity ?? 'MEDIUM';
    if (!(AUDIT_FINDING_SEVERITIES as readonly string[]).includes(severity)) throw new Error(`addAuditFinding: unknown severity ${severity}`);
    if (f.nonCompliantResource !== undefined) {
      const problems = checkNonCompliantResource('nonCompliantResource', f.nonCompliantResource);
      if (problems.length > 0) throw new Error(`addAuditFinding: ${problems.join('; ')}`);
    }
    this.findings.set(f.findingId, {
      findingId: f.findingId,
      taskId: f.taskId,
      checkName: f.checkName,
      reasonForNonComplianceCode: f.reasonForNonComplianceCode,
      reasonForNonCompliance: f.reasonForNonCompliance,
      severity: severity as AuditFindingSeverity,
      isSuppressed: f.isSuppressed ?? false,
      nonCompliantResource: f.nonCompliantResource ? clone(f.nonCompliantResource) : undefined,
      findingTime: f.findingTime ? new Date(f.findingTime) : new Date(task.taskStartTime),
      taskStartTime: new Date(task.taskStartTime),
    });
  }

  /** Deterministic UUID-shaped action ids. */
  private nextActionId(): string {
    this.actionSequence += 1;
    return sequentialId('00000000', this.actionSequence);
  }
}
