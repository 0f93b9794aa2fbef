/**
 * In-process HTTP emulator of the AWS IoT control-plane operations used for Device Defender
 * mitigation. Tests point the real `@aws-sdk/client-iot` client at `emulator.endpoint`; the
 * emulator speaks restJson1 exactly as the SDK expects it, keeps task state, records every request
 * with the model-constraint violations it carries (see `iot-model.ts`), and can inject faults.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { HttpEmulator, sequentialId, throwOnViolations } from './http-emulator';
import {
  actionTypeAllowedForCheck,
  AuditCheckRunStatus,
  AuditFindingSeverity,
  AuditMitigationActionsExecutionStatus,
  AuditMitigationActionsTaskStatus,
  AuditTaskStatus,
  AuditTaskType,
  AUDIT_CHECK_RUN_STATUSES,
  AUDIT_FINDING_SEVERITIES,
  AUDIT_TASK_ID,
  CACertificateStatus,
  CertificateStatus,
  checkNonCompliantResource,
  checkString,
  DetectMitigationActionExecutionStatus,
  DetectMitigationActionsTaskStatus,
  FINDING_ID,
  isMitigationActionType,
  isRecord,
  matchOperation,
  MAX_RESULTS,
  MITIGATION_ACTION_NAME,
  MitigationActionType,
  parseBodyTimestamp,
  parseQueryTimestamp,
  Query,
  VIOLATION_ID,
} from './iot-model';
import {
  ACCOUNT,
  ApiError,
  BLANK_POLICY_DOCUMENT,
  CaCertificateSeed,
  CaCertificateSnapshot,
  certificateArn,
  CertificateSeed,
  CertificateSnapshot,
  invalidRequest,
  IotResourceStore,
  nameFromArn,
  notFound,
  policyArn,
  PolicySeed,
  PolicySnapshot,
  REGION,
  thingGroupArn,
} from './iot-resources';

export { BLANK_POLICY_DOCUMENT } from './iot-resources';
export type {
  CaCertificateSeed, CaCertificateSnapshot, CertificateSeed, CertificateSnapshot, PolicySeed, PolicySnapshot, PolicyVersionSnapshot,
} from './iot-resources';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface RecordedRequest {
  /** Operation name (e.g. 'StartAuditMitigationActionsTask'), or 'Unknown' when no route matched. */
  operation: string;
  method: string;
  /** The raw request path (still percent-encoded), without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** The parsed JSON body, `undefined` when empty, or the raw text when it is not valid JSON. */
  body: any;
  headers: Record<string, string | string[] | undefined>;
  /** Epoch milliseconds at which the request arrived. */
  time: number;
  violations: string[];
  /** status 0 with errorType 'ConnectionReset' means the socket was destroyed (resetConnection). */
  response: { status: number; errorType?: string };
}

export type FaultKind =
  | 'throttle429'
  | 'throttlingException'
  | 'limitExceeded410'
  | 'internalFailure500'
  | 'invalidRequest'
  | 'accessDenied403'
  | 'serviceUnavailable503'
  | 'resetConnection';

export interface FaultSpec {
  kind: FaultKind;
  /** Operation name, e.g. 'StartAuditMitigationActionsTask'; omitted = any operation. */
  operation?: string;
  /** How many requests the fault hits; default 1; Infinity allowed. */
  times?: number;
  /** Chance (0..1) that a matching request is hit, drawn from the emulator's seeded PRNG. */
  probability?: number;
  /** Delay before the fault is delivered. */
  delayMs?: number;
}

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

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

const DEFAULT_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iot-emulator-mitigation-role`;
const DEFAULT_PAGE_SIZE = 25;
const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

const FAULTS: Readonly<Record<Exclude<FaultKind, 'resetConnection'>, { status: number; code: string; message: string }>> = {
  throttle429: { status: 429, code: 'ThrottlingException', message: 'Rate exceeded' },
  throttlingException: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
  limitExceeded410: { status: 410, code: 'LimitExceededException', message: 'Limit exceeded' },
  internalFailure500: { status: 500, code: 'InternalFailureException', message: 'Internal failure (injected)' },
  invalidRequest: { status: 400, code: 'InvalidRequestException', message: 'Invalid request (injected)' },
  // What IAM answers when no policy allows the call (not in the IoT model: a common error of every AWS API).
  accessDenied403: { status: 403, code: 'AccessDeniedException', message: 'User is not authorized to perform this operation (injected)' },
  serviceUnavailable503: { status: 503, code: 'ServiceUnavailableException', message: 'Service unavailable (injected)' },
};

interface MitigationActionState {
  actionName: string;
  actionType: MitigationActionType;
  actionId: string;
  roleArn: string;
  actionParams: Record<string, unknown>;
  creationDate: Date;
}

interface AuditTaskState {
  taskId: string;
  taskType: AuditTaskType;
  taskStatus: AuditTaskStatus;
  scheduledAuditName?: string;
  taskStartTime: Date;
  checks: Record<string, Required<AuditCheckSeed> & { checkRunStatus: AuditCheckRunStatus }>;
}

interface AuditFindingState {
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

type JsonObject = Record<string, unknown>;

interface HandlerContext {
  readonly pathParams: Record<string, string>;
  readonly query: Query;
  readonly body: JsonObject;
  readonly record: RecordedRequest;
  readonly headers: Record<string, string | string[] | undefined>;
}

type Handler = (ctx: HandlerContext) => JsonObject;

const epochSeconds = (d: Date): number => d.getTime() / 1000;

function clone<T>(value: T): T {
  return structuredClone(value);
}

function defaultActionParams(type: MitigationActionType): Record<string, unknown> {
  switch (type) {
    case 'ADD_THINGS_TO_THING_GROUP':
      return { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: false } };
    case 'ENABLE_IOT_LOGGING':
      return { enableIoTLoggingParams: { roleArnForLogging: `arn:aws:iam::${ACCOUNT}:role/iot-logging`, logLevel: 'ERROR' } };
    case 'PUBLISH_FINDING_TO_SNS':
      return { publishFindingToSnsParams: { topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:iot-findings` } };
    case 'REPLACE_DEFAULT_POLICY_VERSION':
      return { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } };
    case 'UPDATE_CA_CERTIFICATE':
      // The API model spells it updateCACertificateParams (CloudFormation: UpdateCACertificateParams, L1: updateCaCertificateParams).
      return { updateCACertificateParams: { action: 'DEACTIVATE' } };
    case 'UPDATE_DEVICE_CERTIFICATE':
      return { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
  }
}

function singleQuery(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** JSON with object keys sorted, so nested identifiers compare regardless of member order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function resourceMatches(filter: Record<string, unknown>, actual: Record<string, unknown> | undefined): boolean {
  if (!actual) return false;
  return Object.entries(filter).every(([k, v]) => canonicalJson(actual[k]) === canonicalJson(v));
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

export class IotEmulator extends HttpEmulator<FaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: { seed?: number } = {}): Promise<IotEmulator> {
    return new IotEmulator(options.seed ?? 42).listen();
  }

  /** Every request, in order, including faulted ones. */
  public readonly requests: RecordedRequest[] = [];

  private readonly latency = new Map<string | undefined, number>();
  private readonly sequences = { actions: 0, requests: 0 };

  private readonly actions = new Map<string, MitigationActionState>();
  private readonly auditTasks = new Map<string, AuditTaskState>();
  private readonly findings = new Map<string, AuditFindingState>();
  private readonly auditMitigationTaskMap = new Map<string, AuditMitigationTaskSnapshot>();
  private readonly detectMitigationTaskMap = new Map<string, DetectMitigationTaskSnapshot>();
  /** Violation ids StartDetectMitigationActionsTask refuses (unknown to AWS IoT, or no longer valid). */
  private readonly invalidViolationIds = new Set<string>();
  private readonly resources = new IotResourceStore();
  /** Executions of tasks run with runAuditMitigationTask / runDetectMitigationTask, by task id. */
  private readonly auditExecutions = new Map<string, AuditMitigationExecution[]>();
  private readonly detectExecutions = new Map<string, DetectMitigationExecution[]>();
  /** Audit mitigation tasks run with `timesUnknown`: described and listed without start and end times. */
  private readonly timelessTasks = new Set<string>();

  /** SNS publications and logging changes made by emulated mitigation actions, in order. */
  public readonly sideEffects: MitigationSideEffect[] = [];

  private readonly handlers: Readonly<Record<string, Handler>> = {
    StartAuditMitigationActionsTask: (ctx) => this.startAuditMitigationActionsTask(ctx),
    DescribeAuditMitigationActionsTask: (ctx) => this.describeAuditMitigationActionsTask(ctx),
    ListAuditMitigationActionsTasks: (ctx) => this.listAuditMitigationActionsTasks(ctx),
    CancelAuditMitigationActionsTask: (ctx) => this.cancelAuditMitigationActionsTask(ctx),
    ListAuditMitigationActionsExecutions: (ctx) => this.listAuditMitigationActionsExecutions(ctx),
    ListAuditFindings: (ctx) => this.listAuditFindings(ctx),
    DescribeAuditFinding: (ctx) => {
      const finding = this.findings.get(ctx.pathParams.findingId);
      if (!finding) throw notFound(`Finding ${ctx.pathParams.findingId} does not exist.`);
      return { finding: findingToApi(finding) };
    },
    DescribeAuditTask: (ctx) => this.describeAuditTask(ctx),
    ListAuditTasks: (ctx) => this.listAuditTasks(ctx),
    StartDetectMitigationActionsTask: (ctx) => this.startDetectMitigationActionsTask(ctx),
    DescribeDetectMitigationActionsTask: (ctx) => this.describeDetectMitigationActionsTask(ctx),
    ListDetectMitigationActionsTasks: (ctx) => this.listDetectMitigationActionsTasks(ctx),
    CancelDetectMitigationActionsTask: (ctx) => this.cancelDetectMitigationActionsTask(ctx),
    DescribeMitigationAction: (ctx) => this.describeMitigationAction(ctx),
    ListDetectMitigationActionsExecutions: (ctx) => this.listDetectMitigationActionsExecutions(ctx),
    DescribeCertificate: (ctx) => this.describeCertificate(ctx),
    UpdateCertificate: (ctx) => this.updateCertificate(ctx),
    DescribeCACertificate: (ctx) => this.describeCaCertificate(ctx),
    UpdateCACertificate: (ctx) => this.updateCaCertificate(ctx),
    ListPrincipalThings: (ctx) => this.listPrincipalThings(ctx),
    AddThingToThingGroup: (ctx) => this.addThingToThingGroupOp(ctx),
    RemoveThingFromThingGroup: (ctx) => this.removeThingFromThingGroupOp(ctx),
    ListThingGroupsForThing: (ctx) => this.listThingGroupsForThing(ctx),
    ListThingsInThingGroup: (ctx) => this.listThingsInThingGroup(ctx),
    GetPolicy: (ctx) => this.getPolicy(ctx),
    ListPolicyVersions: (ctx) => this.listPolicyVersions(ctx),
    GetPolicyVersion: (ctx) => this.getPolicyVersion(ctx),
    CreatePolicyVersion: (ctx) => this.createPolicyVersion(ctx),
    SetDefaultPolicyVersion: (ctx) => this.setDefaultPolicyVersion(ctx),
    DeletePolicyVersion: (ctx) => this.deletePolicyVersion(ctx),
  };

  private constructor(seed: number) {
    super(seed);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection and control
  // -------------------------------------------------------------------------------------------

  requestsFor(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  /** All constraint violations of all recorded requests, as '<Operation>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.operation}: ${v}`));
  }

  /** Delays every response of `operation` (or of all operations when undefined) by `ms`; 0 clears. */
  setLatency(operation: string | undefined, ms: number): void {
    if (ms > 0) this.latency.set(operation, ms); else this.latency.delete(operation);
  }

  /** Clears state, recorded requests, faults and latencies; re-seeds the PRNG. */
  reset(): void {
    this.requests.length = 0;
    this.resetFaults();
    this.latency.clear();
    this.sequences.actions = 0;
    this.sequences.requests = 0;
    this.actions.clear();
    this.auditTasks.clear();
    this.findings.clear();
    this.auditMitigationTaskMap.clear();
    this.detectMitigationTaskMap.clear();
    this.resources.clear();
    this.auditExecutions.clear();
    this.detectExecutions.clear();
    this.timelessTasks.clear();
    this.sideEffects.length = 0;
    this.invalidViolationIds.clear();
  }

  // -------------------------------------------------------------------------------------------
  // State seeding and inspection
  // -------------------------------------------------------------------------------------------

  addMitigationAction(a: MitigationActionSeed): void {
    const nameProblems = checkString('actionName', a.actionName, MITIGATION_ACTION_NAME, true);
    if (nameProblems.length > 0) throw new Error(`addMitigationAction: ${nameProblems.join('; ')}`);
    if (!isMitigationActionType(a.actionType)) throw new Error(`addMitigationAction: unknown actionType ${a.actionType}`);
    if (this.actions.has(a.actionName)) throw new Error(`addMitigationAction: ${a.actionName} already exists`);
    this.actions.set(a.actionName, {
      actionName: a.actionName,
      actionType: a.actionType,
      actionId: this.nextId('actions'),
      roleArn: a.roleArn ?? DEFAULT_ROLE_ARN,
      actionParams: clone(a.actionParams ?? defaultActionParams(a.actionType)),
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

  auditMitigationTasks(): AuditMitigationTaskSnapshot[] {
    return [...this.auditMitigationTaskMap.values()].map(clone);
  }

  /**
   * Makes StartDetectMitigationActionsTask refuse any target that names one of these violation
   * ids with InvalidRequestException, as AWS IoT does for a violation it does not know.
   */
  markViolationsInvalid(...violationIds: string[]): void {
    for (const id of violationIds) { this.invalidViolationIds.add(id); }
  }

  detectMitigationTasks(): DetectMitigationTaskSnapshot[] {
    return [...this.detectMitigationTaskMap.values()].map(clone);
  }

  setAuditMitigationTaskStatus(taskId: string, status: AuditMitigationActionsTaskStatus): void {
    const task = this.auditMitigationTaskMap.get(taskId);
    if (!task) throw new Error(`setAuditMitigationTaskStatus: no audit mitigation task ${taskId}`);
    task.taskStatus = status;
    task.endTime = status === 'IN_PROGRESS' ? undefined : new Date();
  }

  setDetectMitigationTaskStatus(taskId: string, status: DetectMitigationActionsTaskStatus): void {
    const task = this.detectMitigationTaskMap.get(taskId);
    if (!task) throw new Error(`setDetectMitigationTaskStatus: no detect mitigation task ${taskId}`);
    task.taskStatus = status;
    task.endTime = status === 'IN_PROGRESS' ? undefined : new Date();
  }

  // -------------------------------------------------------------------------------------------
  // Resources the mitigation actions change: seeding and inspection
  // -------------------------------------------------------------------------------------------

  /** Seeds a device certificate (id: 64 hex characters; status defaults to ACTIVE). */
  addCertificate(seed: CertificateSeed): void {
    this.resources.addCertificate(seed);
  }

  /** Seeds a CA certificate (status defaults to ACTIVE). */
  addCaCertificate(seed: CaCertificateSeed): void {
    this.resources.addCaCertificate(seed);
  }

  addThing(thingName: string): void {
    this.resources.addThing(thingName);
  }

  addThingGroup(groupName: string): void {
    this.resources.addThingGroup(groupName);
  }

  /** Attaches a principal (normally a certificate ARN, see `certificateArn`) to an existing thing. */
  attachThingPrincipal(thingName: string, principal: string): void {
    this.resources.attachThingPrincipal(thingName, principal);
  }

  /** Seeds a policy whose version 1 (the default) has `document`. */
  addPolicy(seed: PolicySeed): void {
    this.resources.addPolicy(seed);
  }

  /** The certificate's current state, or undefined when it does not exist. */
  certificate(certificateId: string): CertificateSnapshot | undefined {
    return this.resources.certificate(certificateId);
  }

  /** The CA certificate's current state, or undefined when it does not exist. */
  caCertificate(certificateId: string): CaCertificateSnapshot | undefined {
    return this.resources.caCertificate(certificateId);
  }

  /** The policy with all its versions, or undefined when it does not exist. */
  policy(policyName: string): PolicySnapshot | undefined {
    return this.resources.policy(policyName);
  }

  /** The groups `thingName` belongs to, in the order it joined them; throws for an unknown thing. */
  thingGroupsOf(thingName: string): string[] {
    if (!this.resources.hasThing(thingName)) throw new Error(`thingGroupsOf: thing ${thingName} does not exist`);
    return this.resources.thingGroupsOfOr404(thingName);
  }

  /** The members of a thing group, in the order they were added; throws for an unknown group. */
  thingsInGroup(groupName: string): string[] {
    if (!this.resources.hasThingGroup(groupName)) throw new Error(`thingsInGroup: thing group ${groupName} does not exist`);
    return this.resources.thingsInGroupOr404(groupName);
  }

  /** The ARN IoT gives the certificate (what attachThingPrincipal and ListPrincipalThings use). */
  certificateArn(certificateId: string): string {
    return certificateArn(certificateId);
  }

  /** Executions recorded by runAuditMitigationTask (all tasks, or one). */
  auditMitigationExecutions(taskId?: string): AuditMitigationExecution[] {
    const all = taskId === undefined ? [...this.auditExecutions.values()].flat() : this.auditExecutions.get(taskId) ?? [];
    return all.map(clone);
  }

  /** Executions recorded by runDetectMitigationTask (all tasks, or one). */
  detectMitigationExecutions(taskId?: string): DetectMitigationExecution[] {
    const all = taskId === undefined ? [...this.detectExecutions.values()].flat() : this.detectExecutions.get(taskId) ?? [];
    return all.map(clone);
  }

  // -------------------------------------------------------------------------------------------
  // Running tasks
  // -------------------------------------------------------------------------------------------

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
  runAuditMitigationTask(taskId: string, options: RunAuditMitigationTaskOptions = {}): AuditMitigationExecution[] {
    const task = this.auditMitigationTaskMap.get(taskId);
    if (!task) throw new Error(`runAuditMitigationTask: no audit mitigation task ${taskId}`);
    if (task.taskStatus !== 'IN_PROGRESS') throw new Error(`runAuditMitigationTask: task ${taskId} is ${task.taskStatus}; only IN_PROGRESS tasks can run`);
    const failing = new Set(options.failFindingIds ?? []);
    const unknown = [...failing].filter((id) => !task.findingIds.includes(id));
    if (unknown.length > 0) throw new Error(`runAuditMitigationTask: failFindingIds not targeted by task ${taskId}: ${unknown.join(', ')}`);

    const executions: AuditMitigationExecution[] = [];
    for (const findingId of task.findingIds) {
      const finding = this.findings.get(findingId);
      if (!finding) continue;
      let failed = false;
      (task.auditCheckToActionsMapping[finding.checkName] ?? []).forEach((actionName, index) => {
        const action = this.actions.get(actionName);
        const startTime = new Date();
        const base = {
          taskId, findingId, actionName, actionId: action?.actionId ?? '', actionType: action?.actionType ?? 'PUBLISH_FINDING_TO_SNS', startTime,
        };
        if (finding.isSuppressed) {
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
          this.applyAuditAction(task, finding, action);
          executions.push({ ...base, status: 'COMPLETED', endTime: new Date() });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          failed = true;
          executions.push({ ...base, status: 'FAILED', endTime: new Date(), errorCode: err.code, message: err.message });
        }
      });
    }
    this.auditExecutions.set(taskId, executions);
    if (options.timesUnknown) this.timelessTasks.add(taskId);
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
  runDetectMitigationTask(
    taskId: string,
    violations: Record<string, string>,
    options: RunDetectMitigationTaskOptions = {},
  ): DetectMitigationExecution[] {
    const task = this.detectMitigationTaskMap.get(taskId);
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
          const action = this.actions.get(actionName);
          if (!action) throw notFound(`Mitigation action ${actionName} does not exist.`);
          if (index === 0 && failing.has(violationId)) throw new ApiError(500, 'EmulatedFailure', 'The mitigation action failed (emulated).');
          this.addThingsToGroups([thingName], action);
          executions.push({ ...base, status: 'SUCCESSFUL', executionEndDate: new Date() });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          failed = true;
          executions.push({ ...base, status: 'FAILED', executionEndDate: new Date(), errorCode: err.code, message: err.message });
        }
      });
    }
    this.detectExecutions.set(taskId, executions);
    task.taskStatus = executions.some((e) => e.status === 'FAILED') ? 'FAILED' : 'SUCCESSFUL';
    task.endTime = new Date();
    return executions.map(clone);
  }

  private applyAuditAction(task: AuditMitigationTaskSnapshot, finding: AuditFindingState, action: MitigationActionState): void {
    const id = (finding.nonCompliantResource?.resourceIdentifier ?? {}) as AuditResourceIdentifier;
    const deviceCertificateId = (): string => {
      const certId = id.deviceCertificateId ?? (id.deviceCertificateArn ? nameFromArn(id.deviceCertificateArn, 'cert') : undefined);
      if (certId === undefined) throw invalidRequest(`Finding ${finding.findingId} does not identify a device certificate.`);
      return certId;
    };
    switch (action.actionType) {
      case 'UPDATE_DEVICE_CERTIFICATE':
        this.resources.updateCertificate(deviceCertificateId(), 'INACTIVE');
        return;
      case 'UPDATE_CA_CERTIFICATE':
        if (id.caCertificateId === undefined) throw invalidRequest(`Finding ${finding.findingId} does not identify a CA certificate.`);
        this.resources.updateCaCertificate(id.caCertificateId, { newStatus: 'INACTIVE' });
        return;
      case 'ADD_THINGS_TO_THING_GROUP': {
        const certId = deviceCertificateId();
        this.resources.certificateOr404(certId);
        this.addThingsToGroups(this.resources.principalThings(certificateArn(certId)), action);
        return;
      }
      case 'REPLACE_DEFAULT_POLICY_VERSION': {
        const policyName = id.policyVersionIdentifier?.policyName;
        if (policyName === undefined) throw invalidRequest(`Finding ${finding.findingId} does not identify a policy.`);
        this.resources.createPolicyVersion(policyName, BLANK_POLICY_DOCUMENT, true);
        return;
      }
      case 'PUBLISH_FINDING_TO_SNS': {
        const params = action.actionParams.publishFindingToSnsParams as { topicArn?: string } | undefined;
        this.sideEffects.push({
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
        this.sideEffects.push({
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
  private addThingsToGroups(things: string[], action: MitigationActionState): void {
    const params = action.actionParams.addThingsToThingGroupParams as { thingGroupNames?: string[] } | undefined;
    const groups = params?.thingGroupNames ?? [];
    for (const g of groups) {
      if (!this.resources.hasThingGroup(g)) throw notFound(`The thing group ${g} does not exist.`);
    }
    for (const t of things) {
      if (!this.resources.hasThing(t)) throw notFound(`The thing ${t} does not exist.`);
    }
    for (const t of things) for (const g of groups) this.resources.addThingToThingGroup(t, g);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const query: Query = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? all[0] : all;
    }
    let body: unknown = undefined;
    let parseError: string | undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        body = text;
        parseError = `body: malformed JSON (${(err as Error).message})`;
      }
    }
    const route = matchOperation(method, url.pathname);
    const record: RecordedRequest = {
      operation: route?.operation.name ?? 'Unknown',
      method,
      path: url.pathname,
      query,
      body,
      headers: { ...req.headers },
      time,
      violations: [],
      response: { status: 0 },
    };
    this.requests.push(record);

    if (!route) {
      record.violations.push(`no IoT operation is emulated for ${method} ${url.pathname}`);
      this.respondError(record, res, 404, 'UnknownOperationException', `IoT emulator: no operation for ${method} ${url.pathname}`);
      return;
    }

    const parts = { pathParams: route.pathParams, query, body, headers: record.headers };
    record.violations.push(...(parseError ? [parseError] : route.operation.check(parts)));

    const latency = this.latency.get(record.operation) ?? this.latency.get(undefined) ?? 0;
    if (latency > 0) await this.sleep(latency);
    if (this.stopped || res.destroyed) return;

    const fault = this.takeFault(record.operation);
    if (fault) {
      if (fault.delayMs && fault.delayMs > 0) await this.sleep(fault.delayMs);
      if (this.stopped || res.destroyed) return;
      if (fault.kind === 'resetConnection') {
        record.response = { status: 0, errorType: 'ConnectionReset' };
        req.socket.destroy();
        return;
      }
      const f = FAULTS[fault.kind];
      this.respondError(record, res, f.status, f.code, f.message);
      return;
    }

    if (parseError) {
      this.respondError(record, res, 400, 'SerializationException', parseError);
      return;
    }
    if (record.violations.length > 0) {
      this.respondError(record, res, 400, 'InvalidRequestException', record.violations.join('; '));
      return;
    }

    try {
      const handler = this.handlers[record.operation];
      const result = handler({ pathParams: route.pathParams, query, body: isRecord(body) ? body : {}, record, headers: record.headers });
      record.response = { status: 200 };
      this.send(res, 200, result);
    } catch (err) {
      if (err instanceof ApiError) {
        this.respondError(record, res, err.status, err.code, err.message);
      } else {
        record.violations.push(`IoT emulator bug: ${String(err)}`);
        this.respondError(record, res, 500, 'InternalFailureException', `IoT emulator bug: ${String(err)}`);
      }
    }
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    this.sendError(res, 500, 'InternalFailureException', `IoT emulator bug: ${String(err)}`);
  }

  protected isFaultKind(kind: string): boolean {
    return kind === 'resetConnection' || kind in FAULTS;
  }

  private respondError(record: RecordedRequest, res: http.ServerResponse, status: number, code: string, message: string): void {
    record.response = { status, errorType: code };
    this.sendError(res, status, code, message);
  }

  private sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, { message }, { 'x-amzn-ErrorType': code });
  }

  private send(res: http.ServerResponse, status: number, payload: JsonObject, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': this.nextId('requests'),
      ...headers,
    });
    res.end(text);
  }

  /** Deterministic UUID-shaped ids: one sequence for action ids, one for request ids. */
  private nextId(kind: 'actions' | 'requests'): string {
    this.sequences[kind] += 1;
    return sequentialId(kind === 'actions' ? '00000000' : '11111111', this.sequences[kind]);
  }

  // -------------------------------------------------------------------------------------------
  // Pagination
  // -------------------------------------------------------------------------------------------

  private paginate<T>(
    ctx: HandlerContext,
    items: T[],
    maxResults: number | undefined,
    nextToken: string | undefined,
  ): { page: T[]; nextToken?: string } {
    let offset = 0;
    if (nextToken !== undefined) {
      const decoded = decodeToken(nextToken);
      if (!decoded || decoded.op !== ctx.record.operation) {
        ctx.record.violations.push(`nextToken: ${JSON.stringify(nextToken)} was not issued by ${ctx.record.operation}`);
        throw invalidRequest('The nextToken is invalid.');
      }
      offset = decoded.offset;
    }
    const size = Math.min(Math.max(maxResults ?? DEFAULT_PAGE_SIZE, MAX_RESULTS.min), MAX_RESULTS.max);
    const page = items.slice(offset, offset + size);
    const next = offset + size < items.length ? encodeToken({ op: ctx.record.operation, offset: offset + size }) : undefined;
    return { page, nextToken: next };
  }

  // -------------------------------------------------------------------------------------------
  // Audit mitigation actions tasks
  // -------------------------------------------------------------------------------------------

  private startAuditMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const taskId = ctx.pathParams.taskId;
    const token = ctx.body.clientRequestToken as string;
    const existing = this.auditMitigationTaskMap.get(taskId);
    if (existing) {
      if (existing.clientRequestToken === token) return { taskId };
      throw new ApiError(400, 'TaskAlreadyExistsException', `A task with the ID ${taskId} already exists (different clientRequestToken).`);
    }
    const target = ctx.body.target as AuditMitigationTarget;
    const mapping = ctx.body.auditCheckToActionsMapping as Record<string, string[]>;
    for (const [check, names] of Object.entries(mapping)) {
      for (const name of names) {
        const action = this.actions.get(name);
        if (!action) throw invalidRequest(`Mitigation action ${name} does not exist.`);
        if (!actionTypeAllowedForCheck(check, action.actionType)) {
          throw invalidRequest(`Mitigation action ${name} of type ${action.actionType} cannot be applied to ${check}.`);
        }
      }
    }
    let findings: AuditFindingState[];
    if (target.auditTaskId !== undefined) {
      if (!this.auditTasks.has(target.auditTaskId)) throw invalidRequest(`Audit task ${target.auditTaskId} does not exist.`);
      findings = [...this.findings.values()].filter((f) => f.taskId === target.auditTaskId);
    } else if (target.findingIds !== undefined) {
      const missing = target.findingIds.filter((id) => !this.findings.has(id));
      if (missing.length > 0) throw invalidRequest(`Audit findings do not exist: ${missing.join(', ')}.`);
      findings = target.findingIds.map((id) => this.findings.get(id) as AuditFindingState);
    } else {
      const filter = target.auditCheckToReasonCodeFilter ?? {};
      findings = [...this.findings.values()].filter((f) =>
        (filter[f.checkName] ?? []).includes(f.reasonForNonComplianceCode ?? ''));
    }
    const task: AuditMitigationTaskSnapshot = {
      taskId,
      clientRequestToken: token,
      target: clone(target),
      auditCheckToActionsMapping: clone(mapping),
      taskStatus: 'IN_PROGRESS',
      startTime: new Date(),
      findingIds: findings.filter((f) => mapping[f.checkName] !== undefined).map((f) => f.findingId),
    };
    this.auditMitigationTaskMap.set(taskId, task);
    return { taskId };
  }

  private auditMitigationTaskOr404(taskId: string): AuditMitigationTaskSnapshot {
    const task = this.auditMitigationTaskMap.get(taskId);
    if (!task) throw notFound(`Audit mitigation actions task ${taskId} does not exist.`);
    return task;
  }

  private describeAuditMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const task = this.auditMitigationTaskOr404(ctx.pathParams.taskId);
    const statistics: Record<string, JsonObject> = {};
    const executions = this.auditExecutions.get(task.taskId);
    for (const check of Object.keys(task.auditCheckToActionsMapping)) {
      const findings = task.findingIds.map((id) => this.findings.get(id)).filter((f): f is AuditFindingState => f?.checkName === check);
      if (executions) {
        // A task that ran: each finding counts once, by the outcome of its executions.
        const outcome = (f: AuditFindingState): 'skipped' | 'failed' | 'succeeded' => {
          const mine = executions.filter((e) => e.findingId === f.findingId);
          if (mine.some((e) => e.status === 'FAILED')) return 'failed';
          return mine.every((e) => e.status === 'SKIPPED') ? 'skipped' : 'succeeded';
        };
        const outcomes = findings.map(outcome);
        statistics[check] = {
          totalFindingsCount: findings.length,
          skippedFindingsCount: outcomes.filter((o) => o === 'skipped').length,
          succeededFindingsCount: outcomes.filter((o) => o === 'succeeded').length,
          failedFindingsCount: outcomes.filter((o) => o === 'failed').length,
          canceledFindingsCount: 0,
        };
        continue;
      }
      const skipped = findings.filter((f) => f.isSuppressed).length;
      const acted = findings.length - skipped;
      statistics[check] = {
        totalFindingsCount: findings.length,
        skippedFindingsCount: skipped,
        succeededFindingsCount: task.taskStatus === 'COMPLETED' ? acted : 0,
        failedFindingsCount: task.taskStatus === 'FAILED' ? acted : 0,
        canceledFindingsCount: task.taskStatus === 'CANCELED' ? acted : 0,
      };
    }
    const actionNames = [...new Set(Object.values(task.auditCheckToActionsMapping).flat())];
    const timeless = this.timelessTasks.has(task.taskId);
    return {
      taskStatus: task.taskStatus,
      startTime: timeless ? undefined : epochSeconds(task.startTime),
      endTime: task.endTime && !timeless ? epochSeconds(task.endTime) : undefined,
      taskStatistics: statistics,
      target: task.target,
      auditCheckToActionsMapping: task.auditCheckToActionsMapping,
      actionsDefinition: actionNames.map((n) => this.actions.get(n)).filter((a): a is MitigationActionState => a !== undefined)
        .map((a) => ({ name: a.actionName, id: a.actionId, roleArn: a.roleArn, actionParams: a.actionParams })),
    };
  }

  private listAuditMitigationActionsTasks(ctx: HandlerContext): JsonObject {
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime')) as Date;
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime')) as Date;
    const auditTaskId = singleQuery(ctx.query, 'auditTaskId');
    const findingId = singleQuery(ctx.query, 'findingId');
    const status = singleQuery(ctx.query, 'taskStatus');
    const tasks = [...this.auditMitigationTaskMap.values()]
      .filter((t) => t.startTime >= start && t.startTime <= end)
      .filter((t) => auditTaskId === undefined || t.target.auditTaskId === auditTaskId)
      .filter((t) => findingId === undefined || t.findingIds.includes(findingId) || (t.target.findingIds ?? []).includes(findingId))
      .filter((t) => status === undefined || t.taskStatus === status);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, tasks, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return {
      tasks: page.map((t) => ({ taskId: t.taskId, startTime: epochSeconds(t.startTime), taskStatus: t.taskStatus })),
      nextToken,
    };
  }

  private cancelAuditMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const task = this.auditMitigationTaskOr404(ctx.pathParams.taskId);
    if (task.taskStatus !== 'IN_PROGRESS') {
      throw invalidRequest(`Audit mitigation actions task ${task.taskId} is ${task.taskStatus}; only IN_PROGRESS tasks can be canceled.`);
    }
    task.taskStatus = 'CANCELED';
    task.endTime = new Date();
    return {};
  }

  private listAuditMitigationActionsExecutions(ctx: HandlerContext): JsonObject {
    const taskId = singleQuery(ctx.query, 'taskId') as string;
    const findingId = singleQuery(ctx.query, 'findingId') as string;
    const wanted = singleQuery(ctx.query, 'actionStatus');
    const task = this.auditMitigationTaskMap.get(taskId);
    const finding = this.findings.get(findingId);
    const executions: JsonObject[] = [];
    const recorded = this.auditExecutions.get(taskId);
    if (recorded) {
      // A task that ran: its recorded executions.
      const timeless = this.timelessTasks.has(taskId);
      for (const e of recorded.filter((x) => x.findingId === findingId)) {
        executions.push({
          taskId: e.taskId,
          findingId: e.findingId,
          actionName: e.actionName,
          actionId: e.actionId,
          status: e.status,
          startTime: timeless ? undefined : epochSeconds(e.startTime),
          endTime: timeless ? undefined : epochSeconds(e.endTime),
          errorCode: e.errorCode,
          message: e.message,
        });
      }
    } else if (task && finding && task.findingIds.includes(findingId)) {
      const names = task.auditCheckToActionsMapping[finding.checkName] ?? [];
      names.forEach((name, i) => {
        const status = executionStatus(task.taskStatus, finding.isSuppressed, i);
        const done = status !== 'IN_PROGRESS' && status !== 'PENDING';
        executions.push({
          taskId,
          findingId,
          actionName: name,
          actionId: this.actions.get(name)?.actionId,
          status,
          startTime: epochSeconds(task.startTime),
          endTime: done ? epochSeconds(task.endTime ?? task.startTime) : undefined,
          errorCode: status === 'FAILED' ? 'EmulatedFailure' : undefined,
          message: status === 'FAILED' ? 'The mitigation action failed (emulated).' : undefined,
        });
      });
    }
    const filtered = executions.filter((e) => wanted === undefined || e.status === wanted);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, filtered, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { actionsExecutions: page, nextToken };
  }

  // -------------------------------------------------------------------------------------------
  // Audit tasks and findings
  // -------------------------------------------------------------------------------------------

  private listAuditFindings(ctx: HandlerContext): JsonObject {
    const b = ctx.body;
    const taskId = b.taskId as string | undefined;
    const checkName = b.checkName as string | undefined;
    const resource = b.resourceIdentifier as Record<string, unknown> | undefined;
    const start = parseBodyTimestamp(b.startTime);
    const end = parseBodyTimestamp(b.endTime);
    const suppressed = b.listSuppressedFindings === true;
    const findings = [...this.findings.values()]
      .filter((f) => taskId === undefined || f.taskId === taskId)
      .filter((f) => checkName === undefined || f.checkName === checkName)
      .filter((f) => resource === undefined
        || resourceMatches(resource, f.nonCompliantResource?.resourceIdentifier as Record<string, unknown> | undefined))
      .filter((f) => start === undefined || f.findingTime >= start)
      .filter((f) => end === undefined || f.findingTime <= end)
      .filter((f) => f.isSuppressed === suppressed);
    const { page, nextToken } = this.paginate(ctx, findings, b.maxResults as number | undefined, b.nextToken as string | undefined);
    return { findings: page.map(findingToApi), nextToken };
  }

  private describeAuditTask(ctx: HandlerContext): JsonObject {
    const task = this.auditTasks.get(ctx.pathParams.taskId);
    if (!task) throw notFound(`Audit task ${ctx.pathParams.taskId} does not exist.`);
    const checks = Object.values(task.checks);
    const count = (s: AuditCheckRunStatus): number => checks.filter((c) => c.checkRunStatus === s).length;
    const auditDetails: Record<string, JsonObject> = {};
    for (const [name, c] of Object.entries(task.checks)) {
      const completed = c.checkRunStatus === 'COMPLETED_COMPLIANT' || c.checkRunStatus === 'COMPLETED_NON_COMPLIANT';
      auditDetails[name] = {
        checkRunStatus: c.checkRunStatus,
        checkCompliant: completed ? c.checkRunStatus === 'COMPLETED_COMPLIANT' : undefined,
        totalResourcesCount: c.totalResourcesCount,
        nonCompliantResourcesCount: c.nonCompliantResourcesCount,
        suppressedNonCompliantResourcesCount: c.suppressedNonCompliantResourcesCount,
      };
    }
    return {
      taskStatus: task.taskStatus,
      taskType: task.taskType,
      taskStartTime: epochSeconds(task.taskStartTime),
      taskStatistics: {
        totalChecks: checks.length,
        inProgressChecks: count('IN_PROGRESS'),
        waitingForDataCollectionChecks: count('WAITING_FOR_DATA_COLLECTION'),
        compliantChecks: count('COMPLETED_COMPLIANT'),
        nonCompliantChecks: count('COMPLETED_NON_COMPLIANT'),
        failedChecks: count('FAILED'),
        canceledChecks: count('CANCELED'),
      },
      scheduledAuditName: task.scheduledAuditName,
      auditDetails,
    };
  }

  private listAuditTasks(ctx: HandlerContext): JsonObject {
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime')) as Date;
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime')) as Date;
    if (start.getTime() < Date.now() - AUDIT_RETENTION_MS) {
      throw invalidRequest('startTime is before the 90 days of retained audit information.');
    }
    const type = singleQuery(ctx.query, 'taskType');
    const status = singleQuery(ctx.query, 'taskStatus');
    const tasks = [...this.auditTasks.values()]
      .filter((t) => t.taskStartTime >= start && t.taskStartTime <= end)
      .filter((t) => type === undefined || t.taskType === type)
      .filter((t) => status === undefined || t.taskStatus === status);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, tasks, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { tasks: page.map((t) => ({ taskId: t.taskId, taskStatus: t.taskStatus, taskType: t.taskType })), nextToken };
  }

  // -------------------------------------------------------------------------------------------
  // Detect mitigation actions tasks
  // -------------------------------------------------------------------------------------------

  private startDetectMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const taskId = ctx.pathParams.taskId;
    const b = ctx.body;
    const token = b.clientRequestToken as string;
    const existing = this.detectMitigationTaskMap.get(taskId);
    if (existing) {
      if (existing.clientRequestToken === token) return { taskId };
      throw new ApiError(400, 'TaskAlreadyExistsException', `A task with the ID ${taskId} already exists (different clientRequestToken).`);
    }
    const actions = b.actions as string[];
    for (const name of actions) {
      const action = this.actions.get(name);
      if (!action) throw invalidRequest(`Mitigation action ${name} does not exist.`);
      if (action.actionType !== 'ADD_THINGS_TO_THING_GROUP') {
        throw invalidRequest(`Mitigation action ${name} is of type ${action.actionType}; only ADD_THINGS_TO_THING_GROUP is supported for Detect.`);
      }
    }
    const invalid = ((b.target as DetectMitigationTarget).violationIds ?? []).filter((id) => this.invalidViolationIds.has(id));
    if (invalid.length > 0) throw invalidRequest(`Invalid violation ids: ${invalid.join(', ')}.`);
    const range = b.violationEventOccurrenceRange as { startTime: number; endTime: number } | undefined;
    const task: DetectMitigationTaskSnapshot = {
      taskId,
      clientRequestToken: token,
      target: clone(b.target as DetectMitigationTarget),
      actions: [...actions],
      taskStatus: 'IN_PROGRESS',
      includeOnlyActiveViolations: b.includeOnlyActiveViolations as boolean | undefined,
      includeSuppressedAlerts: b.includeSuppressedAlerts as boolean | undefined,
      violationEventOccurrenceRange: range
        ? { startTime: parseBodyTimestamp(range.startTime) as Date, endTime: parseBodyTimestamp(range.endTime) as Date }
        : undefined,
      startTime: new Date(),
    };
    this.detectMitigationTaskMap.set(taskId, task);
    return { taskId };
  }

  private detectTaskSummary(task: DetectMitigationTaskSnapshot): JsonObject {
    return {
      taskId: task.taskId,
      taskStatus: task.taskStatus,
      taskStartTime: epochSeconds(task.startTime),
      taskEndTime: task.endTime ? epochSeconds(task.endTime) : undefined,
      target: task.target,
      violationEventOccurrenceRange: task.violationEventOccurrenceRange
        ? {
          startTime: epochSeconds(task.violationEventOccurrenceRange.startTime),
          endTime: epochSeconds(task.violationEventOccurrenceRange.endTime),
        }
        : undefined,
      onlyActiveViolationsIncluded: task.includeOnlyActiveViolations ?? false,
      suppressedAlertsIncluded: task.includeSuppressedAlerts ?? false,
      actionsDefinition: task.actions.map((n) => this.actions.get(n)).filter((a): a is MitigationActionState => a !== undefined)
        .map((a) => ({ name: a.actionName, id: a.actionId, roleArn: a.roleArn, actionParams: a.actionParams })),
      taskStatistics: this.detectTaskStatistics(task.taskId),
    };
  }

  /** actionsExecuted counts SUCCESSFUL executions; failed and skipped ones are counted apart. */
  private detectTaskStatistics(taskId: string): JsonObject {
    const executions = this.detectExecutions.get(taskId) ?? [];
    return {
      actionsExecuted: executions.filter((e) => e.status === 'SUCCESSFUL').length,
      actionsSkipped: executions.filter((e) => e.status === 'SKIPPED').length,
      actionsFailed: executions.filter((e) => e.status === 'FAILED').length,
    };
  }

  private detectMitigationTaskOr404(taskId: string): DetectMitigationTaskSnapshot {
    const task = this.detectMitigationTaskMap.get(taskId);
    if (!task) throw notFound(`Detect mitigation actions task ${taskId} does not exist.`);
    return task;
  }

  private describeDetectMitigationActionsTask(ctx: HandlerContext): JsonObject {
    return { taskSummary: this.detectTaskSummary(this.detectMitigationTaskOr404(ctx.pathParams.taskId)) };
  }

  private listDetectMitigationActionsTasks(ctx: HandlerContext): JsonObject {
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime')) as Date;
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime')) as Date;
    const tasks = [...this.detectMitigationTaskMap.values()].filter((t) => t.startTime >= start && t.startTime <= end);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, tasks, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { tasks: page.map((t) => this.detectTaskSummary(t)), nextToken };
  }

  private cancelDetectMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const task = this.detectMitigationTaskOr404(ctx.pathParams.taskId);
    if (task.taskStatus !== 'IN_PROGRESS') {
      throw invalidRequest(`Detect mitigation actions task ${task.taskId} is ${task.taskStatus}; only IN_PROGRESS tasks can be canceled.`);
    }
    task.taskStatus = 'CANCELED';
    task.endTime = new Date();
    return {};
  }

  // -------------------------------------------------------------------------------------------
  // Mitigation actions
  // -------------------------------------------------------------------------------------------

  private describeMitigationAction(ctx: HandlerContext): JsonObject {
    const a = this.actions.get(ctx.pathParams.actionName);
    if (!a) throw notFound(`Mitigation action ${ctx.pathParams.actionName} does not exist.`);
    return {
      actionName: a.actionName,
      actionType: a.actionType,
      actionArn: `arn:aws:iot:${REGION}:${ACCOUNT}:mitigationaction/${a.actionName}`,
      actionId: a.actionId,
      roleArn: a.roleArn,
      actionParams: a.actionParams,
      creationDate: epochSeconds(a.creationDate),
      lastModifiedDate: epochSeconds(a.creationDate),
    };
  }

  private listDetectMitigationActionsExecutions(ctx: HandlerContext): JsonObject {
    const taskId = singleQuery(ctx.query, 'taskId');
    const violationId = singleQuery(ctx.query, 'violationId');
    const thingName = singleQuery(ctx.query, 'thingName');
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime'));
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime'));
    const executions = [...this.detectExecutions.values()].flat()
      .filter((e) => taskId === undefined || e.taskId === taskId)
      .filter((e) => violationId === undefined || e.violationId === violationId)
      .filter((e) => thingName === undefined || e.thingName === thingName)
      .filter((e) => start === undefined || e.executionStartDate >= start)
      .filter((e) => end === undefined || e.executionStartDate <= end);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, executions, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return {
      actionsExecutions: page.map((e) => ({
        taskId: e.taskId,
        violationId: e.violationId,
        actionName: e.actionName,
        thingName: e.thingName,
        executionStartDate: epochSeconds(e.executionStartDate),
        executionEndDate: epochSeconds(e.executionEndDate),
        status: e.status,
        errorCode: e.errorCode,
        message: e.message,
      })),
      nextToken,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Certificates and CA certificates
  // -------------------------------------------------------------------------------------------

  private describeCertificate(ctx: HandlerContext): JsonObject {
    const c = this.resources.certificateOr404(ctx.pathParams.certificateId);
    return {
      certificateDescription: {
        certificateArn: c.certificateArn,
        certificateId: c.certificateId,
        caCertificateId: c.caCertificateId,
        status: c.status,
        ownedBy: ACCOUNT,
        creationDate: epochSeconds(c.creationDate),
        lastModifiedDate: epochSeconds(c.lastModifiedDate),
        customerVersion: c.customerVersion,
        generationId: c.generationId,
        certificateMode: 'DEFAULT',
      },
    };
  }

  private updateCertificate(ctx: HandlerContext): JsonObject {
    this.resources.updateCertificate(ctx.pathParams.certificateId, singleQuery(ctx.query, 'newStatus') as CertificateStatus);
    return {};
  }

  private describeCaCertificate(ctx: HandlerContext): JsonObject {
    const c = this.resources.caCertificateOr404(ctx.pathParams.certificateId);
    return {
      certificateDescription: {
        certificateArn: c.certificateArn,
        certificateId: c.certificateId,
        status: c.status,
        ownedBy: ACCOUNT,
        creationDate: epochSeconds(c.creationDate),
        autoRegistrationStatus: c.autoRegistrationStatus,
        lastModifiedDate: epochSeconds(c.lastModifiedDate),
        customerVersion: c.customerVersion,
        generationId: c.generationId,
        certificateMode: 'DEFAULT',
      },
      registrationConfig: c.registrationConfig,
    };
  }

  private updateCaCertificate(ctx: HandlerContext): JsonObject {
    this.resources.updateCaCertificate(ctx.pathParams.certificateId, {
      newStatus: singleQuery(ctx.query, 'newStatus') as CACertificateStatus | undefined,
      newAutoRegistrationStatus: singleQuery(ctx.query, 'newAutoRegistrationStatus') as 'ENABLE' | 'DISABLE' | undefined,
      registrationConfig: ctx.body.registrationConfig as { templateBody?: string; roleArn?: string; templateName?: string } | undefined,
      removeAutoRegistration: ctx.body.removeAutoRegistration as boolean | undefined,
    });
    return {};
  }

  // -------------------------------------------------------------------------------------------
  // Things and thing groups
  // -------------------------------------------------------------------------------------------

  private listPrincipalThings(ctx: HandlerContext): JsonObject {
    const header = ctx.headers['x-amzn-principal'];
    const things = this.resources.principalThings(Array.isArray(header) ? header[0] : header as string);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, things, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { things: page, nextToken };
  }

  private membership(ctx: HandlerContext): { thing: string; group: string } {
    const b = ctx.body;
    return {
      group: this.resources.resolveThingGroup(b.thingGroupName as string | undefined, b.thingGroupArn as string | undefined),
      thing: this.resources.resolveThing(b.thingName as string | undefined, b.thingArn as string | undefined),
    };
  }

  private addThingToThingGroupOp(ctx: HandlerContext): JsonObject {
    const { thing, group } = this.membership(ctx);
    this.resources.addThingToThingGroup(thing, group);
    return {};
  }

  private removeThingFromThingGroupOp(ctx: HandlerContext): JsonObject {
    const { thing, group } = this.membership(ctx);
    this.resources.removeThingFromThingGroup(thing, group);
    return {};
  }

  private listThingGroupsForThing(ctx: HandlerContext): JsonObject {
    const groups = this.resources.thingGroupsOfOr404(ctx.pathParams.thingName);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, groups, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { thingGroups: page.map((g) => ({ groupName: g, groupArn: thingGroupArn(g) })), nextToken };
  }

  /** Groups have no children in the emulator, so `recursive` changes nothing. */
  private listThingsInThingGroup(ctx: HandlerContext): JsonObject {
    const things = this.resources.thingsInGroupOr404(ctx.pathParams.thingGroupName);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, things, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { things: page, nextToken };
  }

  // -------------------------------------------------------------------------------------------
  // Policies and policy versions
  // -------------------------------------------------------------------------------------------

  private getPolicy(ctx: HandlerContext): JsonObject {
    const p = this.resources.policyOr404(ctx.pathParams.policyName);
    return {
      policyName: p.policyName,
      policyArn: p.policyArn,
      policyDocument: p.document,
      defaultVersionId: p.defaultVersionId,
      creationDate: epochSeconds(p.creationDate),
      lastModifiedDate: epochSeconds(p.lastModifiedDate),
      generationId: p.generationId,
    };
  }

  /** Versions in ascending version order. */
  private listPolicyVersions(ctx: HandlerContext): JsonObject {
    const p = this.resources.policyOr404(ctx.pathParams.policyName);
    return {
      policyVersions: p.versions.map((v) => ({
        versionId: v.versionId,
        isDefaultVersion: v.isDefaultVersion,
        createDate: epochSeconds(v.creationDate),
      })),
    };
  }

  private getPolicyVersion(ctx: HandlerContext): JsonObject {
    const { policyName, policyVersionId } = ctx.pathParams;
    const p = this.resources.policyOr404(policyName);
    const v = this.resources.policyVersionOr404(policyName, policyVersionId);
    return {
      policyArn: policyArn(policyName),
      policyName,
      policyDocument: v.document,
      policyVersionId: v.versionId,
      isDefaultVersion: v.isDefaultVersion,
      creationDate: epochSeconds(v.creationDate),
      lastModifiedDate: epochSeconds(v.creationDate),
      generationId: p.generationId,
    };
  }

  private createPolicyVersion(ctx: HandlerContext): JsonObject {
    const policyName = ctx.pathParams.policyName;
    const v = this.resources.createPolicyVersion(policyName, ctx.body.policyDocument as string, singleQuery(ctx.query, 'setAsDefault') === 'true');
    return { policyArn: policyArn(policyName), policyDocument: v.document, policyVersionId: v.versionId, isDefaultVersion: v.isDefaultVersion };
  }

  private setDefaultPolicyVersion(ctx: HandlerContext): JsonObject {
    this.resources.setDefaultPolicyVersion(ctx.pathParams.policyName, ctx.pathParams.policyVersionId);
    return {};
  }

  private deletePolicyVersion(ctx: HandlerContext): JsonObject {
    this.resources.deletePolicyVersion(ctx.pathParams.policyName, ctx.pathParams.policyVersionId);
    return {};
  }
}

/** A finding as ListAuditFindings returns it. */
function findingToApi(f: AuditFindingState): JsonObject {
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

function executionStatus(taskStatus: AuditMitigationActionsTaskStatus, suppressed: boolean, index: number): AuditMitigationActionsExecutionStatus {
  if (suppressed) return 'SKIPPED';
  switch (taskStatus) {
    case 'IN_PROGRESS':
      return index === 0 ? 'IN_PROGRESS' : 'PENDING';
    case 'COMPLETED':
      return 'COMPLETED';
    case 'FAILED':
      // A failed action skips the later actions for that finding (facts §3).
      return index === 0 ? 'FAILED' : 'SKIPPED';
    case 'CANCELED':
      return 'CANCELED';
  }
}

function encodeToken(token: { op: string; offset: number }): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeToken(text: string): { op: string; offset: number } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (isRecord(value) && typeof value.op === 'string' && typeof value.offset === 'number' && Number.isInteger(value.offset) && value.offset >= 0) {
      return { op: value.op, offset: value.offset };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * Jest helper: fails with one line per violation when the emulator recorded any model-constraint
 * violation.
 */
export function expectNoViolations(emulator: IotEmulator): void {
  throwOnViolations('IoT', emulator.violations());
}
