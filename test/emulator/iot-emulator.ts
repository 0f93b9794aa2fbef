/**
 * In-process HTTP emulator of the AWS IoT control-plane operations used for Device Defender
 * mitigation. Tests point the real `@aws-sdk/client-iot` client at `emulator.endpoint`; the
 * emulator speaks restJson1 exactly as the SDK expects it, keeps task state, records every request
 * with the model-constraint violations it carries, and can inject faults.
 *
 * This file is the HTTP front and the public surface; each concern has its own file:
 * - `iot-model.ts`: the API model: routes, request constraints, enums;
 * - `iot-operations.ts`: what each operation answers, over the state;
 * - `iot-state.ts` and `iot-resources.ts`: the state, and its seeding;
 * - `iot-faults.ts`: the injectable faults (bookkeeping shared in `http-emulator.ts`);
 * - `iot-executions.ts`: the simulator that runs a mitigation task to its end.
 *
 * State lives per account and region (`identity.ts`): a request acts on the IoT of its caller's
 * account in the region it is signed for (an unsigned request on the default ones); the seeding
 * and read-back methods act on the default account and region, and `at({ account, region })`
 * answers the same methods for another.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { AUTH_ERRORS, AUTH_MESSAGES, Scope, ScopedStates } from './identity';
import {
  runAuditMitigationTask, RunAuditMitigationTaskOptions, runDetectMitigationTask, RunDetectMitigationTaskOptions,
} from './iot-executions';
import { FaultSpec, IOT_FAULTS, isIotFaultKind } from './iot-faults';
import {
  AuditMitigationActionsTaskStatus,
  DetectMitigationActionsTaskStatus,
  isRecord,
  matchOperation,
  Query,
} from './iot-model';
import { IotOperations } from './iot-operations';
import {
  ApiError,
  CaCertificateSeed,
  CaCertificateSnapshot,
  CertificateSeed,
  CertificateSnapshot,
  PolicySeed,
  PolicySnapshot,
} from './iot-resources';
import {
  AuditFindingSeed,
  AuditMitigationExecution,
  AuditMitigationTaskSnapshot,
  AuditSuppressionSnapshot,
  AuditTaskSeed,
  clone,
  DetectMitigationExecution,
  DetectMitigationTaskSnapshot,
  IotState,
  JsonObject,
  MitigationActionSeed,
  MitigationSideEffect,
} from './iot-state';
import { ActiveViolationSeed, SecurityProfileUses } from './iot-violations';

export { BLANK_POLICY_DOCUMENT } from './iot-resources';
export type {
  CaCertificateSeed, CaCertificateSnapshot, CertificateSeed, CertificateSnapshot, PolicySeed, PolicySnapshot, PolicyVersionSnapshot,
} from './iot-resources';
export type { FaultKind, FaultSpec } from './iot-faults';
export type { RunAuditMitigationTaskOptions, RunDetectMitigationTaskOptions } from './iot-executions';
export type { ActiveViolationSeed, BehaviorSeed, SecurityProfileUses } from './iot-violations';
export type {
  AuditCheckSeed, AuditFindingSeed, AuditMitigationExecution, AuditMitigationTarget, AuditMitigationTaskSnapshot, AuditResourceIdentifier,
  AuditSuppressionSnapshot,
  AuditTaskSeed, DetectMitigationExecution, DetectMitigationTarget, DetectMitigationTaskSnapshot, MitigationActionSeed, MitigationSideEffect,
  NonCompliantResourceSeed, ViolationEventOccurrenceRange,
} from './iot-state';

export interface RecordedRequest extends RequestScope {
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

/** What `IotEmulator.at()` answers: the seeding and read-back methods, for one account and region. */
export type IotScope = Pick<IotEmulator,
| 'sideEffects' | 'requestsFor' | 'addMitigationAction' | 'addAuditTask' | 'addAuditFinding' | 'auditSuppressions' | 'auditMitigationTasks'
| 'markViolationsInvalid' | 'addSecurityProfile' | 'addActiveViolation' | 'clearActiveViolation' | 'detectMitigationTasks'
| 'setAuditMitigationTaskStatus' | 'setDetectMitigationTaskStatus' | 'addCertificate' | 'addCaCertificate' | 'addThing' | 'addThingGroup'
| 'attachThingPrincipal' | 'addThingToThingGroup' | 'addPolicy' | 'certificate' | 'caCertificate' | 'policy' | 'thingGroupsOf' | 'thingsInGroup'
| 'certificateArn' | 'auditMitigationExecutions' | 'detectMitigationExecutions' | 'runAuditMitigationTask' | 'runDetectMitigationTask'>;

export class IotEmulator extends HttpEmulator<FaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<IotEmulator> {
    return new IotEmulator(options.seed ?? 42, options).listen();
  }

  /** Every request, to any account and region, in order, including faulted ones. */
  public readonly requests: RecordedRequest[] = [];

  private readonly latency = new Map<string | undefined, number>();
  private requestSequence = 0;
  private readonly states = new ScopedStates((scope) => {
    const state = new IotState(scope);
    return { state, operations: new IotOperations(state) };
  });

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  /** SNS publications and logging changes made by emulated mitigation actions, in order. */
  get sideEffects(): MitigationSideEffect[] {
    return this.state.sideEffects;
  }

  /** The state of this object's scope. */
  private get state(): IotState {
    return this.states.get(this.scope).state;
  }

  /** The same seeding and read-back methods, acting on another account and region. */
  at(scope: Partial<Scope>): IotScope {
    return this.view(scope);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection and control
  // -------------------------------------------------------------------------------------------

  /** Requests of one operation made in this object's scope (the default one, or the one `at()` named). */
  requestsFor(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation && this.inScope(r));
  }

  /** All constraint violations of all recorded requests, as '<Operation>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.operation}: ${v}`));
  }

  /** Delays every response of `operation` (or of all operations when undefined) by `ms`; 0 clears. */
  setLatency(operation: string | undefined, ms: number): void {
    if (ms > 0) this.latency.set(operation, ms); else this.latency.delete(operation);
  }

  /** Clears the state of every account and region, recorded requests, faults and latencies; re-seeds the PRNG. */
  reset(): void {
    this.requests.length = 0;
    this.resetFaults();
    this.latency.clear();
    this.requestSequence = 0;
    this.states.clear();
  }

  // -------------------------------------------------------------------------------------------
  // State seeding and inspection
  // -------------------------------------------------------------------------------------------

  addMitigationAction(a: MitigationActionSeed): void {
    this.state.addMitigationAction(a);
  }

  addAuditTask(t: AuditTaskSeed): void {
    this.state.addAuditTask(t);
  }

  addAuditFinding(f: AuditFindingSeed): void {
    this.state.addAuditFinding(f);
  }

  /** The audit finding suppressions, in the order they were created. */
  auditSuppressions(): AuditSuppressionSnapshot[] {
    return [...this.state.suppressions.values()].map(clone);
  }

  auditMitigationTasks(): AuditMitigationTaskSnapshot[] {
    return [...this.state.auditMitigationTaskMap.values()].map(clone);
  }

  /**
   * Makes StartDetectMitigationActionsTask refuse any target that names one of these violation
   * ids with InvalidRequestException, as AWS IoT does for a violation it does not know.
   */
  markViolationsInvalid(...violationIds: string[]): void {
    for (const id of violationIds) { this.state.invalidViolationIds.add(id); }
  }

  /**
   * Seeds a Device Defender security profile, listed by ListSecurityProfiles (with the dimensions and
   * custom metrics its behaviors use, for that operation's filters); ListActiveViolations answers
   * ResourceNotFound for an unknown one.
   */
  addSecurityProfile(securityProfileName: string, uses?: SecurityProfileUses): void {
    this.state.activeViolations.addSecurityProfile(securityProfileName, uses);
  }

  /**
   * Seeds a violation in alarm, listed by ListActiveViolations (its security profile is added too).
   * This is what a handler can verify an alert against; StartDetectMitigationActionsTask does not
   * look at it (see `markViolationsInvalid`).
   */
  addActiveViolation(seed: ActiveViolationSeed): void {
    this.state.activeViolations.add(seed);
  }

  /** The violation's alarm cleared: ListActiveViolations no longer lists it. */
  clearActiveViolation(violationId: string): void {
    this.state.activeViolations.remove(violationId);
  }

  detectMitigationTasks(): DetectMitigationTaskSnapshot[] {
    return [...this.state.detectMitigationTaskMap.values()].map(clone);
  }

  setAuditMitigationTaskStatus(taskId: string, status: AuditMitigationActionsTaskStatus): void {
    const task = this.state.auditMitigationTaskMap.get(taskId);
    if (!task) throw new Error(`setAuditMitigationTaskStatus: no audit mitigation task ${taskId}`);
    task.taskStatus = status;
    task.endTime = status === 'IN_PROGRESS' ? undefined : new Date();
  }

  setDetectMitigationTaskStatus(taskId: string, status: DetectMitigationActionsTaskStatus): void {
    const task = this.state.detectMitigationTaskMap.get(taskId);
    if (!task) throw new Error(`setDetectMitigationTaskStatus: no detect mitigation task ${taskId}`);
    task.taskStatus = status;
    task.endTime = status === 'IN_PROGRESS' ? undefined : new Date();
  }

  // -------------------------------------------------------------------------------------------
  // Resources the mitigation actions change: seeding and inspection
  // -------------------------------------------------------------------------------------------

  /** Seeds a device certificate (id: 64 hex characters; status defaults to ACTIVE). */
  addCertificate(seed: CertificateSeed): void {
    this.state.resources.addCertificate(seed);
  }

  /** Seeds a CA certificate (status defaults to ACTIVE). */
  addCaCertificate(seed: CaCertificateSeed): void {
    this.state.resources.addCaCertificate(seed);
  }

  addThing(thingName: string): void {
    this.state.resources.addThing(thingName);
  }

  addThingGroup(groupName: string): void {
    this.state.resources.addThingGroup(groupName);
  }

  /** Attaches a principal (normally a certificate ARN, see `certificateArn`) to an existing thing. */
  attachThingPrincipal(thingName: string, principal: string): void {
    this.state.resources.attachThingPrincipal(thingName, principal);
  }

  /** Makes an existing thing a member of an existing thing group. */
  addThingToThingGroup(thingName: string, groupName: string): void {
    if (!this.state.resources.hasThing(thingName)) throw new Error(`addThingToThingGroup: thing ${thingName} does not exist`);
    if (!this.state.resources.hasThingGroup(groupName)) throw new Error(`addThingToThingGroup: thing group ${groupName} does not exist`);
    this.state.resources.addThingToThingGroup(thingName, groupName);
  }

  /** Seeds a policy whose version 1 (the default) has `document`. */
  addPolicy(seed: PolicySeed): void {
    this.state.resources.addPolicy(seed);
  }

  /** The certificate's current state, or undefined when it does not exist. */
  certificate(certificateId: string): CertificateSnapshot | undefined {
    return this.state.resources.certificate(certificateId);
  }

  /** The CA certificate's current state, or undefined when it does not exist. */
  caCertificate(certificateId: string): CaCertificateSnapshot | undefined {
    return this.state.resources.caCertificate(certificateId);
  }

  /** The policy with all its versions, or undefined when it does not exist. */
  policy(policyName: string): PolicySnapshot | undefined {
    return this.state.resources.policy(policyName);
  }

  /** The groups `thingName` belongs to, in the order it joined them; throws for an unknown thing. */
  thingGroupsOf(thingName: string): string[] {
    if (!this.state.resources.hasThing(thingName)) throw new Error(`thingGroupsOf: thing ${thingName} does not exist`);
    return this.state.resources.thingGroupsOfOr404(thingName);
  }

  /** The members of a thing group, in the order they were added; throws for an unknown group. */
  thingsInGroup(groupName: string): string[] {
    if (!this.state.resources.hasThingGroup(groupName)) throw new Error(`thingsInGroup: thing group ${groupName} does not exist`);
    return this.state.resources.thingsInGroupOr404(groupName);
  }

  /** The ARN IoT gives the certificate (what attachThingPrincipal and ListPrincipalThings use). */
  certificateArn(certificateId: string): string {
    return this.state.arns.certificate(certificateId);
  }

  /** Executions recorded by runAuditMitigationTask (all tasks, or one). */
  auditMitigationExecutions(taskId?: string): AuditMitigationExecution[] {
    const all = taskId === undefined ? [...this.state.auditExecutions.values()].flat() : this.state.auditExecutions.get(taskId) ?? [];
    return all.map(clone);
  }

  /** Executions recorded by runDetectMitigationTask (all tasks, or one). */
  detectMitigationExecutions(taskId?: string): DetectMitigationExecution[] {
    const all = taskId === undefined ? [...this.state.detectExecutions.values()].flat() : this.state.detectExecutions.get(taskId) ?? [];
    return all.map(clone);
  }

  // -------------------------------------------------------------------------------------------
  // Running tasks (the simulator is in iot-executions.ts)
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
    return runAuditMitigationTask(this.state, taskId, options);
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
    return runDetectMitigationTask(this.state, taskId, violations, options);
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
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const record: RecordedRequest = {
      ...scope,
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

    if (attribution.kind === 'refused') {
      const e = AUTH_ERRORS.restJson[attribution.refusal];
      this.respondError(record, res, e.status, e.code, AUTH_MESSAGES[attribution.refusal]);
      return;
    }
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

    const fault = this.takeFault(record.operation, scope);
    if (fault) {
      if (fault.delayMs && fault.delayMs > 0) await this.sleep(fault.delayMs);
      if (this.stopped || res.destroyed) return;
      if (fault.kind === 'resetConnection') {
        record.response = { status: 0, errorType: 'ConnectionReset' };
        req.socket.destroy();
        return;
      }
      const f = IOT_FAULTS[fault.kind];
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
      const handler = this.states.get(scope).operations.handlers[record.operation];
      const result = handler({
        operation: record.operation,
        pathParams: route.pathParams,
        query,
        body: isRecord(body) ? body : {},
        headers: record.headers,
        violations: record.violations,
      });
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
    return isIotFaultKind(kind);
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
      'x-amzn-RequestId': this.nextRequestId(),
      ...headers,
    });
    res.end(text);
  }

  /** Deterministic UUID-shaped request ids (action ids have their own sequence, in IotState). */
  private nextRequestId(): string {
    this.requestSequence += 1;
    return sequentialId('11111111', this.requestSequence);
  }
}

/**
 * Jest helper: fails with one line per violation when the emulator recorded any model-constraint
 * violation.
 */
export function expectNoViolations(emulator: IotEmulator): void {
  throwOnViolations('IoT', emulator.violations());
}
