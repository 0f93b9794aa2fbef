/**
 * In-process HTTP emulator of the AWS IoT control-plane operations used for Device Defender
 * mitigation. Tests point the real `@aws-sdk/client-iot` client at `emulator.endpoint`; the
 * emulator speaks restJson1 exactly as the SDK expects it, keeps task state, records every request
 * with the model-constraint violations it carries (see `iot-model.ts`), and can inject faults.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  checkString,
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
} from './iot-model';

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
  nonCompliantResource?: { resourceType: string; resourceIdentifier: Record<string, string> };
  /** Defaults to the audit task's start time. */
  findingTime?: Date;
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const DEFAULT_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iot-emulator-mitigation-role`;
const DEFAULT_PAGE_SIZE = 25;
const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

const FAULTS: Readonly<Record<Exclude<FaultKind, 'resetConnection'>, { status: number; code: string; message: string }>> = {
  throttle429: { status: 429, code: 'ThrottlingException', message: 'Rate exceeded' },
  throttlingException: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
  limitExceeded410: { status: 410, code: 'LimitExceededException', message: 'Limit exceeded' },
  internalFailure500: { status: 500, code: 'InternalFailureException', message: 'Internal failure (injected)' },
  invalidRequest: { status: 400, code: 'InvalidRequestException', message: 'Invalid request (injected)' },
  serviceUnavailable503: { status: 503, code: 'ServiceUnavailableException', message: 'Service unavailable (injected)' },
};

/** An API error the handlers throw; sent as restJson1 error. */
class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const invalidRequest = (message: string): ApiError => new ApiError(400, 'InvalidRequestException', message);
const notFound = (message: string): ApiError => new ApiError(404, 'ResourceNotFoundException', message);

/** Park-Miller "minimal standard" PRNG: deterministic, exact in doubles, no bitwise operators. */
class MinStdRandom {
  private static readonly MODULUS = 2147483647;
  private state: number;
  constructor(seed: number) {
    const s = Math.abs(Math.floor(seed)) % (MinStdRandom.MODULUS - 1);
    this.state = s + 1;
  }
  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state * 48271) % MinStdRandom.MODULUS;
    return (this.state - 1) / (MinStdRandom.MODULUS - 1);
  }
}

interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number;
}

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
  nonCompliantResource?: { resourceType: string; resourceIdentifier: Record<string, string> };
  findingTime: Date;
  taskStartTime: Date;
}

type JsonObject = Record<string, unknown>;

interface HandlerContext {
  readonly pathParams: Record<string, string>;
  readonly query: Query;
  readonly body: JsonObject;
  readonly record: RecordedRequest;
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
      return { updateCaCertificateParams: { action: 'DEACTIVATE' } };
    case 'UPDATE_DEVICE_CERTIFICATE':
      return { updateDeviceCertificateParams: { action: 'DEACTIVATE' } };
  }
}

function singleQuery(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

function resourceMatches(filter: Record<string, unknown>, actual: Record<string, string> | undefined): boolean {
  if (!actual) return false;
  const a: Record<string, unknown> = actual;
  return Object.entries(filter).every(([k, v]) => JSON.stringify(a[k]) === JSON.stringify(v));
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

export class IotEmulator {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static async start(options: { seed?: number } = {}): Promise<IotEmulator> {
    const emulator = new IotEmulator(options.seed ?? 42);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(0, '127.0.0.1', () => {
        emulator.server.off('error', reject);
        resolve();
      });
    });
    const address = emulator.server.address() as AddressInfo;
    emulator.endpoint = `http://127.0.0.1:${address.port}`;
    return emulator;
  }

  /** 'http://127.0.0.1:PORT'. */
  public endpoint = '';
  /** Every request, in order, including faulted ones. */
  public readonly requests: RecordedRequest[] = [];

  private readonly server: http.Server;
  private readonly seed: number;
  private random: MinStdRandom;
  private faults: ActiveFault[] = [];
  private readonly latency = new Map<string | undefined, number>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private stopped = false;
  private readonly sequences = { actions: 0, requests: 0 };

  private readonly actions = new Map<string, MitigationActionState>();
  private readonly auditTasks = new Map<string, AuditTaskState>();
  private readonly findings = new Map<string, AuditFindingState>();
  private readonly auditMitigationTaskMap = new Map<string, AuditMitigationTaskSnapshot>();
  private readonly detectMitigationTaskMap = new Map<string, DetectMitigationTaskSnapshot>();

  private readonly handlers: Readonly<Record<string, Handler>> = {
    StartAuditMitigationActionsTask: (ctx) => this.startAuditMitigationActionsTask(ctx),
    DescribeAuditMitigationActionsTask: (ctx) => this.describeAuditMitigationActionsTask(ctx),
    ListAuditMitigationActionsTasks: (ctx) => this.listAuditMitigationActionsTasks(ctx),
    CancelAuditMitigationActionsTask: (ctx) => this.cancelAuditMitigationActionsTask(ctx),
    ListAuditMitigationActionsExecutions: (ctx) => this.listAuditMitigationActionsExecutions(ctx),
    ListAuditFindings: (ctx) => this.listAuditFindings(ctx),
    DescribeAuditTask: (ctx) => this.describeAuditTask(ctx),
    ListAuditTasks: (ctx) => this.listAuditTasks(ctx),
    StartDetectMitigationActionsTask: (ctx) => this.startDetectMitigationActionsTask(ctx),
    DescribeDetectMitigationActionsTask: (ctx) => this.describeDetectMitigationActionsTask(ctx),
    ListDetectMitigationActionsTasks: (ctx) => this.listDetectMitigationActionsTasks(ctx),
    CancelDetectMitigationActionsTask: (ctx) => this.cancelDetectMitigationActionsTask(ctx),
    DescribeMitigationAction: (ctx) => this.describeMitigationAction(ctx),
  };

  private constructor(seed: number) {
    this.seed = seed;
    this.random = new MinStdRandom(seed);
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        // Last resort: never let a request crash the process.
        if (!res.headersSent && !res.destroyed) {
          this.sendError(res, 500, 'InternalFailureException', `IoT emulator bug: ${String(err)}`);
        }
      });
    });
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

  injectFault(fault: FaultSpec): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error(`injectFault: times must be > 0, got ${times}`);
    if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
      throw new Error(`injectFault: probability must be within 0..1, got ${fault.probability}`);
    }
    if (fault.kind !== 'resetConnection' && !(fault.kind in FAULTS)) throw new Error(`injectFault: unknown kind ${String(fault.kind)}`);
    this.faults.push({ spec: { ...fault }, remaining: times });
  }

  /** Delays every response of `operation` (or of all operations when undefined) by `ms`; 0 clears. */
  setLatency(operation: string | undefined, ms: number): void {
    if (ms > 0) this.latency.set(operation, ms); else this.latency.delete(operation);
  }

  /** Clears state, recorded requests, faults and latencies; re-seeds the PRNG. */
  reset(): void {
    this.requests.length = 0;
    this.faults = [];
    this.latency.clear();
    this.random = new MinStdRandom(this.seed);
    this.sequences.actions = 0;
    this.sequences.requests = 0;
    this.actions.clear();
    this.auditTasks.clear();
    this.findings.clear();
    this.auditMitigationTaskMap.clear();
    this.detectMitigationTaskMap.clear();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
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
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = Date.now();
    let text: string;
    try {
      text = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
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

    record.violations.push(...(parseError ? [parseError] : route.operation.check({ pathParams: route.pathParams, query, body })));

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
      const result = handler({ pathParams: route.pathParams, query, body: isRecord(body) ? body : {}, record });
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

  private takeFault(operation: string): FaultSpec | undefined {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.spec.operation !== undefined && f.spec.operation !== operation) continue;
      if (f.spec.probability !== undefined && this.random.next() >= f.spec.probability) continue;
      f.remaining -= 1;
      return f.spec;
    }
    return undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  /** Deterministic UUID-shaped ids: one sequence for action ids, one for request ids. */
  private nextId(kind: 'actions' | 'requests'): string {
    this.sequences[kind] += 1;
    const hex = this.sequences[kind].toString(16).padStart(12, '0');
    return `${kind === 'actions' ? '00000000' : '11111111'}-0000-4000-8000-${hex}`;
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
    for (const check of Object.keys(task.auditCheckToActionsMapping)) {
      const findings = task.findingIds.map((id) => this.findings.get(id)).filter((f): f is AuditFindingState => f?.checkName === check);
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
    return {
      taskStatus: task.taskStatus,
      startTime: epochSeconds(task.startTime),
      endTime: task.endTime ? epochSeconds(task.endTime) : undefined,
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
    if (task && finding && task.findingIds.includes(findingId)) {
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
      .filter((f) => resource === undefined || resourceMatches(resource, f.nonCompliantResource?.resourceIdentifier))
      .filter((f) => start === undefined || f.findingTime >= start)
      .filter((f) => end === undefined || f.findingTime <= end)
      .filter((f) => f.isSuppressed === suppressed);
    const { page, nextToken } = this.paginate(ctx, findings, b.maxResults as number | undefined, b.nextToken as string | undefined);
    return {
      findings: page.map((f) => ({
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
      })),
      nextToken,
    };
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
      taskStatistics: { actionsExecuted: 0, actionsSkipped: 0, actionsFailed: 0 },
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

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Jest helper: fails with one line per violation when the emulator recorded any model-constraint
 * violation.
 */
export function expectNoViolations(emulator: IotEmulator): void {
  const violations = emulator.violations();
  if (violations.length > 0) {
    throw new Error(
      `IoT emulator recorded ${violations.length} request constraint violation(s):\n${violations.map((v) => `  - ${v}`).join('\n')}`,
    );
  }
}
