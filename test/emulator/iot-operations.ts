/**
 * What each emulated IoT operation answers: the API's semantics over the emulator's state
 * (`iot-state.ts`), with its pagination and its errors. Requests reach these handlers only once
 * `iot-model.ts` routed them and found no model violation, and no fault was injected
 * (`IotEmulator.onRequest`); a handler throws `ApiError` to answer with an IoT error.
 */
import { executionStatus } from './iot-executions';
import {
  actionTypeAllowedForCheck,
  DETECT_ACTION_TYPES,
  AuditCheckRunStatus,
  CACertificateStatus,
  CertificateStatus,
  isRecord,
  MAX_RESULTS,
  parseBodyTimestamp,
  parseQueryTimestamp,
  Query,
} from './iot-model';
import { ApiError, invalidRequest, notFound } from './iot-resources';
import {
  AuditFindingState,
  AuditMitigationTarget,
  AuditMitigationTaskSnapshot,
  AuditResourceIdentifier,
  AuditSuppressionSnapshot,
  canonicalJson,
  clone,
  DetectMitigationTarget,
  DetectMitigationTaskSnapshot,
  epochSeconds,
  findingToApi,
  IotState,
  JsonObject,
  MitigationActionState,
  suppressionKey,
} from './iot-state';

const DEFAULT_PAGE_SIZE = 25;
const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/** One request, as an operation handler sees it. */
export interface HandlerContext {
  /** The operation's name: pagination tokens are issued for it only. */
  readonly operation: string;
  readonly pathParams: Record<string, string>;
  readonly query: Query;
  readonly body: JsonObject;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The request's recorded violations: a handler adds those only it can see (a foreign nextToken). */
  readonly violations: string[];
}

export type Handler = (ctx: HandlerContext) => JsonObject;

function singleQuery(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

function resourceMatches(filter: Record<string, unknown>, actual: Record<string, unknown> | undefined): boolean {
  if (!actual) return false;
  return Object.entries(filter).every(([k, v]) => canonicalJson(actual[k]) === canonicalJson(v));
}

export class IotOperations {
  /** The answer of each emulated operation, by operation name (the routes are in iot-model.ts). */
  readonly handlers: Readonly<Record<string, Handler>> = {
    StartAuditMitigationActionsTask: (ctx) => this.startAuditMitigationActionsTask(ctx),
    DescribeAuditMitigationActionsTask: (ctx) => this.describeAuditMitigationActionsTask(ctx),
    ListAuditMitigationActionsTasks: (ctx) => this.listAuditMitigationActionsTasks(ctx),
    CancelAuditMitigationActionsTask: (ctx) => this.cancelAuditMitigationActionsTask(ctx),
    ListAuditMitigationActionsExecutions: (ctx) => this.listAuditMitigationActionsExecutions(ctx),
    ListAuditFindings: (ctx) => this.listAuditFindings(ctx),
    DescribeAuditFinding: (ctx) => {
      const finding = this.state.findings.get(ctx.pathParams.findingId);
      if (!finding) throw notFound(`Finding ${ctx.pathParams.findingId} does not exist.`);
      return { finding: this.findingToApi(finding) };
    },
    CreateAuditSuppression: (ctx) => this.createAuditSuppression(ctx),
    UpdateAuditSuppression: (ctx) => this.updateAuditSuppression(ctx),
    DeleteAuditSuppression: (ctx) => this.deleteAuditSuppression(ctx),
    DescribeAuditSuppression: (ctx) => this.describeAuditSuppression(ctx),
    ListAuditSuppressions: (ctx) => this.listAuditSuppressions(ctx),
    DescribeAuditTask: (ctx) => this.describeAuditTask(ctx),
    ListAuditTasks: (ctx) => this.listAuditTasks(ctx),
    StartDetectMitigationActionsTask: (ctx) => this.startDetectMitigationActionsTask(ctx),
    DescribeDetectMitigationActionsTask: (ctx) => this.describeDetectMitigationActionsTask(ctx),
    ListDetectMitigationActionsTasks: (ctx) => this.listDetectMitigationActionsTasks(ctx),
    CancelDetectMitigationActionsTask: (ctx) => this.cancelDetectMitigationActionsTask(ctx),
    ListDetectMitigationActionsExecutions: (ctx) => this.listDetectMitigationActionsExecutions(ctx),
    ListActiveViolations: (ctx) => this.listActiveViolations(ctx),
    ListSecurityProfiles: (ctx) => this.listSecurityProfiles(ctx),
    DescribeCertificate: (ctx) => this.describeCertificate(ctx),
    UpdateCertificate: (ctx) => this.updateCertificate(ctx),
    DescribeCACertificate: (ctx) => this.describeCaCertificate(ctx),
    UpdateCACertificate: (ctx) => this.updateCaCertificate(ctx),
    ListPrincipalThings: (ctx) => this.listPrincipalThings(ctx),
    RemoveThingFromThingGroup: (ctx) => this.removeThingFromThingGroupOp(ctx),
    ListThingGroupsForThing: (ctx) => this.listThingGroupsForThing(ctx),
    ListThingPrincipals: (ctx) => this.listThingPrincipals(ctx),
    GetPolicy: (ctx) => this.getPolicy(ctx),
    ListPolicyVersions: (ctx) => this.listPolicyVersions(ctx),
    GetPolicyVersion: (ctx) => this.getPolicyVersion(ctx),
    CreatePolicyVersion: (ctx) => this.createPolicyVersion(ctx),
    SetDefaultPolicyVersion: (ctx) => this.setDefaultPolicyVersion(ctx),
    DeletePolicyVersion: (ctx) => this.deletePolicyVersion(ctx),
  };

  constructor(private readonly state: IotState) {}

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
      if (!decoded || decoded.op !== ctx.operation) {
        ctx.violations.push(`nextToken: ${JSON.stringify(nextToken)} was not issued by ${ctx.operation}`);
        throw invalidRequest('The nextToken is invalid.');
      }
      offset = decoded.offset;
    }
    const size = Math.min(Math.max(maxResults ?? DEFAULT_PAGE_SIZE, MAX_RESULTS.min), MAX_RESULTS.max);
    const page = items.slice(offset, offset + size);
    const next = offset + size < items.length ? encodeToken({ op: ctx.operation, offset: offset + size }) : undefined;
    return { page, nextToken: next };
  }

  // -------------------------------------------------------------------------------------------
  // Audit mitigation actions tasks
  // -------------------------------------------------------------------------------------------

  private startAuditMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const taskId = ctx.pathParams.taskId;
    const token = ctx.body.clientRequestToken as string;
    const existing = this.state.auditMitigationTaskMap.get(taskId);
    if (existing) {
      if (existing.clientRequestToken === token) return { taskId };
      throw new ApiError(400, 'TaskAlreadyExistsException', `A task with the ID ${taskId} already exists (different clientRequestToken).`);
    }
    const target = ctx.body.target as AuditMitigationTarget;
    const mapping = ctx.body.auditCheckToActionsMapping as Record<string, string[]>;
    for (const [check, names] of Object.entries(mapping)) {
      for (const name of names) {
        const action = this.state.actions.get(name);
        if (!action) throw invalidRequest(`Mitigation action ${name} does not exist.`);
        if (!actionTypeAllowedForCheck(check, action.actionType)) {
          throw invalidRequest(`Mitigation action ${name} of type ${action.actionType} cannot be applied to ${check}.`);
        }
      }
    }
    let findings: AuditFindingState[];
    if (target.auditTaskId !== undefined) {
      if (!this.state.auditTasks.has(target.auditTaskId)) throw invalidRequest(`Audit task ${target.auditTaskId} does not exist.`);
      findings = [...this.state.findings.values()].filter((f) => f.taskId === target.auditTaskId);
    } else if (target.findingIds !== undefined) {
      const missing = target.findingIds.filter((id) => !this.state.findings.has(id));
      if (missing.length > 0) throw invalidRequest(`Audit findings do not exist: ${missing.join(', ')}.`);
      findings = target.findingIds.map((id) => this.state.findings.get(id) as AuditFindingState);
    } else {
      const filter = target.auditCheckToReasonCodeFilter ?? {};
      findings = [...this.state.findings.values()].filter((f) =>
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
    this.state.auditMitigationTaskMap.set(taskId, task);
    return { taskId };
  }

  private auditMitigationTaskOr404(taskId: string): AuditMitigationTaskSnapshot {
    const task = this.state.auditMitigationTaskMap.get(taskId);
    if (!task) throw notFound(`Audit mitigation actions task ${taskId} does not exist.`);
    return task;
  }

  private describeAuditMitigationActionsTask(ctx: HandlerContext): JsonObject {
    const task = this.auditMitigationTaskOr404(ctx.pathParams.taskId);
    const statistics: Record<string, JsonObject> = {};
    const executions = this.state.auditExecutions.get(task.taskId);
    for (const check of Object.keys(task.auditCheckToActionsMapping)) {
      const findings = task.findingIds.map((id) => this.state.findings.get(id)).filter((f): f is AuditFindingState => f?.checkName === check);
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
      const skipped = findings.filter((f) => this.state.isFindingSuppressed(f)).length;
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
    const timeless = this.state.timelessTasks.has(task.taskId);
    return {
      taskStatus: task.taskStatus,
      startTime: timeless ? undefined : epochSeconds(task.startTime),
      endTime: task.endTime && !timeless ? epochSeconds(task.endTime) : undefined,
      taskStatistics: statistics,
      target: task.target,
      auditCheckToActionsMapping: task.auditCheckToActionsMapping,
      actionsDefinition: actionNames.map((n) => this.state.actions.get(n)).filter((a): a is MitigationActionState => a !== undefined)
        .map((a) => ({ name: a.actionName, id: a.actionId, roleArn: a.roleArn, actionParams: a.actionParams })),
    };
  }

  private listAuditMitigationActionsTasks(ctx: HandlerContext): JsonObject {
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime')) as Date;
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime')) as Date;
    const auditTaskId = singleQuery(ctx.query, 'auditTaskId');
    const findingId = singleQuery(ctx.query, 'findingId');
    const status = singleQuery(ctx.query, 'taskStatus');
    const tasks = [...this.state.auditMitigationTaskMap.values()]
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
    const task = this.state.auditMitigationTaskMap.get(taskId);
    const finding = this.state.findings.get(findingId);
    const executions: JsonObject[] = [];
    const recorded = this.state.auditExecutions.get(taskId);
    if (recorded) {
      // A task that ran: its recorded executions.
      const timeless = this.state.timelessTasks.has(taskId);
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
        const status = executionStatus(task.taskStatus, this.state.isFindingSuppressed(finding), i);
        const done = status !== 'IN_PROGRESS' && status !== 'PENDING';
        executions.push({
          taskId,
          findingId,
          actionName: name,
          actionId: this.state.actions.get(name)?.actionId,
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
    const findings = [...this.state.findings.values()]
      .filter((f) => taskId === undefined || f.taskId === taskId)
      .filter((f) => checkName === undefined || f.checkName === checkName)
      .filter((f) => resource === undefined
        || resourceMatches(resource, f.nonCompliantResource?.resourceIdentifier as Record<string, unknown> | undefined))
      .filter((f) => start === undefined || f.findingTime >= start)
      .filter((f) => end === undefined || f.findingTime <= end)
      .filter((f) => this.state.isFindingSuppressed(f) === suppressed);
    const { page, nextToken } = this.paginate(ctx, findings, b.maxResults as number | undefined, b.nextToken as string | undefined);
    return { findings: page.map((f) => this.findingToApi(f)), nextToken };
  }

  /** A finding as the API returns it: suppressed when seeded so, or when a suppression in force covers it. */
  private findingToApi(f: AuditFindingState): JsonObject {
    return { ...findingToApi(f), isSuppressed: this.state.isFindingSuppressed(f) };
  }

  // -------------------------------------------------------------------------------------------
  // Audit finding suppressions
  // -------------------------------------------------------------------------------------------

  /**
   * The expiry of a Create or an Update: exactly one of an expirationDate in the future and
   * suppressIndefinitely true (AWS answers InvalidRequestException otherwise).
   */
  private suppressionExpiry(b: JsonObject): { expirationDate?: Date; suppressIndefinitely: boolean } {
    const expirationDate = parseBodyTimestamp(b.expirationDate);
    const indefinitely = b.suppressIndefinitely === true;
    if (indefinitely && expirationDate) throw invalidRequest('Specify either an expiration date or suppressIndefinitely, not both.');
    if (!indefinitely && !expirationDate) throw invalidRequest('Specify an expiration date or suppressIndefinitely.');
    if (expirationDate && expirationDate.getTime() <= Date.now()) throw invalidRequest('The expiration date must be in the future.');
    return { expirationDate, suppressIndefinitely: indefinitely };
  }

  /** The resource identifier names exactly one resource. */
  private suppressionIdentifier(b: JsonObject): AuditResourceIdentifier {
    const id = b.resourceIdentifier as AuditResourceIdentifier;
    if (Object.keys(id).length !== 1) throw invalidRequest('The resource identifier must name exactly one resource.');
    return id;
  }

  private createAuditSuppression(ctx: HandlerContext): JsonObject {
    const b = ctx.body;
    const checkName = b.checkName as string;
    const resourceIdentifier = this.suppressionIdentifier(b);
    const key = suppressionKey(checkName, resourceIdentifier);
    const existing = this.state.suppressions.get(key);
    const token = b.clientRequestToken as string;
    if (existing) {
      // The same token is a retry of the request that created it: answered as a success.
      if (existing.clientRequestToken === token) return {};
      throw new ApiError(409, 'ResourceAlreadyExistsException', `A suppression for ${checkName} and this resource already exists.`);
    }
    this.state.suppressions.set(key, {
      checkName,
      resourceIdentifier: clone(resourceIdentifier),
      ...this.suppressionExpiry(b),
      description: b.description as string | undefined,
      clientRequestToken: token,
    });
    return {};
  }

  private suppressionOr404(b: JsonObject) {
    const s = this.state.suppressions.get(suppressionKey(b.checkName as string, b.resourceIdentifier));
    if (!s) throw notFound(`No suppression for ${String(b.checkName)} and this resource.`);
    return s;
  }

  private updateAuditSuppression(ctx: HandlerContext): JsonObject {
    const b = ctx.body;
    const s = this.suppressionOr404(b);
    if (b.expirationDate !== undefined || b.suppressIndefinitely !== undefined) {
      const expiry = this.suppressionExpiry(b);
      s.expirationDate = expiry.expirationDate;
      s.suppressIndefinitely = expiry.suppressIndefinitely;
    }
    if (b.description !== undefined) s.description = b.description as string;
    return {};
  }

  /** The model lists no ResourceNotFoundException for DeleteAuditSuppression: deleting a missing one answers 200. */
  private deleteAuditSuppression(ctx: HandlerContext): JsonObject {
    this.state.suppressions.delete(suppressionKey(ctx.body.checkName as string, ctx.body.resourceIdentifier));
    return {};
  }

  private suppressionToApi(s: AuditSuppressionSnapshot): JsonObject {
    return {
      checkName: s.checkName,
      resourceIdentifier: s.resourceIdentifier,
      expirationDate: s.expirationDate ? epochSeconds(s.expirationDate) : undefined,
      suppressIndefinitely: s.suppressIndefinitely,
      description: s.description,
    };
  }

  private describeAuditSuppression(ctx: HandlerContext): JsonObject {
    return this.suppressionToApi(this.suppressionOr404(ctx.body));
  }

  private listAuditSuppressions(ctx: HandlerContext): JsonObject {
    const b = ctx.body;
    const resource = b.resourceIdentifier as Record<string, unknown> | undefined;
    const items = [...this.state.suppressions.values()]
      .filter((s) => b.checkName === undefined || s.checkName === b.checkName)
      .filter((s) => resource === undefined || canonicalJson(resource) === canonicalJson(s.resourceIdentifier))
      // By expiration date (the API's order); indefinite ones last.
      .sort((x, y) => (x.expirationDate?.getTime() ?? Infinity) - (y.expirationDate?.getTime() ?? Infinity));
    if (b.ascendingOrder === false) items.reverse();
    const { page, nextToken } = this.paginate(ctx, items, b.maxResults as number | undefined, b.nextToken as string | undefined);
    return { suppressions: page.map((s) => this.suppressionToApi(s)), nextToken };
  }

  private describeAuditTask(ctx: HandlerContext): JsonObject {
    const task = this.state.auditTasks.get(ctx.pathParams.taskId);
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
    const tasks = [...this.state.auditTasks.values()]
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
    const existing = this.state.detectMitigationTaskMap.get(taskId);
    if (existing) {
      if (existing.clientRequestToken === token) return { taskId };
      throw new ApiError(400, 'TaskAlreadyExistsException', `A task with the ID ${taskId} already exists (different clientRequestToken).`);
    }
    const actions = b.actions as string[];
    for (const name of actions) {
      const action = this.state.actions.get(name);
      if (!action) throw invalidRequest(`Mitigation action ${name} does not exist.`);
      if (!DETECT_ACTION_TYPES.includes(action.actionType)) {
        throw invalidRequest(`Mitigation action ${name} is of type ${action.actionType}; only ${DETECT_ACTION_TYPES.join(', ')} is supported for Detect.`);
      }
    }
    const invalid = ((b.target as DetectMitigationTarget).violationIds ?? []).filter((id) => this.state.invalidViolationIds.has(id));
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
    this.state.detectMitigationTaskMap.set(taskId, task);
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
      actionsDefinition: task.actions.map((n) => this.state.actions.get(n)).filter((a): a is MitigationActionState => a !== undefined)
        .map((a) => ({ name: a.actionName, id: a.actionId, roleArn: a.roleArn, actionParams: a.actionParams })),
      taskStatistics: this.detectTaskStatistics(task.taskId),
    };
  }

  /** actionsExecuted counts SUCCESSFUL executions; failed and skipped ones are counted apart. */
  private detectTaskStatistics(taskId: string): JsonObject {
    const executions = this.state.detectExecutions.get(taskId) ?? [];
    return {
      actionsExecuted: executions.filter((e) => e.status === 'SUCCESSFUL').length,
      actionsSkipped: executions.filter((e) => e.status === 'SKIPPED').length,
      actionsFailed: executions.filter((e) => e.status === 'FAILED').length,
    };
  }

  private detectMitigationTaskOr404(taskId: string): DetectMitigationTaskSnapshot {
    const task = this.state.detectMitigationTaskMap.get(taskId);
    if (!task) throw notFound(`Detect mitigation actions task ${taskId} does not exist.`);
    return task;
  }

  private describeDetectMitigationActionsTask(ctx: HandlerContext): JsonObject {
    return { taskSummary: this.detectTaskSummary(this.detectMitigationTaskOr404(ctx.pathParams.taskId)) };
  }

  private listDetectMitigationActionsTasks(ctx: HandlerContext): JsonObject {
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime')) as Date;
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime')) as Date;
    const tasks = [...this.state.detectMitigationTaskMap.values()].filter((t) => t.startTime >= start && t.startTime <= end);
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

  private listActiveViolations(ctx: HandlerContext): JsonObject {
    const listSuppressedAlerts = singleQuery(ctx.query, 'listSuppressedAlerts');
    const violations = this.state.activeViolations.list({
      securityProfileName: singleQuery(ctx.query, 'securityProfileName'),
      thingName: singleQuery(ctx.query, 'thingName'),
      behaviorCriteriaType: singleQuery(ctx.query, 'behaviorCriteriaType'),
      verificationState: singleQuery(ctx.query, 'verificationState'),
      listSuppressedAlerts: listSuppressedAlerts === undefined ? undefined : listSuppressedAlerts === 'true',
    });
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, violations, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { activeViolations: page, nextToken };
  }

  private listSecurityProfiles(ctx: HandlerContext): JsonObject {
    const names = this.state.activeViolations.profileNames({
      dimensionName: singleQuery(ctx.query, 'dimensionName'),
      metricName: singleQuery(ctx.query, 'metricName'),
    });
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, names, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { securityProfileIdentifiers: page.map((name) => ({ name, arn: this.state.arns.securityProfile(name) })), nextToken };
  }

  private listDetectMitigationActionsExecutions(ctx: HandlerContext): JsonObject {
    const taskId = singleQuery(ctx.query, 'taskId');
    const violationId = singleQuery(ctx.query, 'violationId');
    const thingName = singleQuery(ctx.query, 'thingName');
    const start = parseQueryTimestamp(singleQuery(ctx.query, 'startTime'));
    const end = parseQueryTimestamp(singleQuery(ctx.query, 'endTime'));
    const executions = [...this.state.detectExecutions.values()].flat()
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
    const c = this.state.resources.certificateOr404(ctx.pathParams.certificateId);
    return {
      certificateDescription: {
        certificateArn: c.certificateArn,
        certificateId: c.certificateId,
        caCertificateId: c.caCertificateId,
        status: c.status,
        ownedBy: this.state.arns.scope.account,
        creationDate: epochSeconds(c.creationDate),
        lastModifiedDate: epochSeconds(c.lastModifiedDate),
        customerVersion: c.customerVersion,
        generationId: c.generationId,
        certificateMode: 'DEFAULT',
      },
    };
  }

  private updateCertificate(ctx: HandlerContext): JsonObject {
    this.state.resources.updateCertificate(ctx.pathParams.certificateId, singleQuery(ctx.query, 'newStatus') as CertificateStatus);
    return {};
  }

  private describeCaCertificate(ctx: HandlerContext): JsonObject {
    const c = this.state.resources.caCertificateOr404(ctx.pathParams.certificateId);
    return {
      certificateDescription: {
        certificateArn: c.certificateArn,
        certificateId: c.certificateId,
        status: c.status,
        ownedBy: this.state.arns.scope.account,
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
    this.state.resources.updateCaCertificate(ctx.pathParams.certificateId, {
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
    const things = this.state.resources.principalThings(Array.isArray(header) ? header[0] : header as string);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, things, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { things: page, nextToken };
  }

  private membership(ctx: HandlerContext): { thing: string; group: string } {
    const b = ctx.body;
    return {
      group: this.state.resources.resolveThingGroup(b.thingGroupName as string | undefined, b.thingGroupArn as string | undefined),
      thing: this.state.resources.resolveThing(b.thingName as string | undefined, b.thingArn as string | undefined),
    };
  }

  private removeThingFromThingGroupOp(ctx: HandlerContext): JsonObject {
    const { thing, group } = this.membership(ctx);
    this.state.resources.removeThingFromThingGroup(thing, group);
    return {};
  }

  private listThingGroupsForThing(ctx: HandlerContext): JsonObject {
    const groups = this.state.resources.thingGroupsOfOr404(ctx.pathParams.thingName);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, groups, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { thingGroups: page.map((g) => ({ groupName: g, groupArn: this.state.arns.thingGroup(g) })), nextToken };
  }

  private listThingPrincipals(ctx: HandlerContext): JsonObject {
    const principals = this.state.resources.thingPrincipals(ctx.pathParams.thingName);
    const maxResults = singleQuery(ctx.query, 'maxResults');
    const { page, nextToken } = this.paginate(ctx, principals, maxResults ? Number(maxResults) : undefined, singleQuery(ctx.query, 'nextToken'));
    return { principals: page, nextToken };
  }

  // -------------------------------------------------------------------------------------------
  // Policies and policy versions
  // -------------------------------------------------------------------------------------------

  private getPolicy(ctx: HandlerContext): JsonObject {
    const p = this.state.resources.policyOr404(ctx.pathParams.policyName);
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
    const p = this.state.resources.policyOr404(ctx.pathParams.policyName);
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
    const p = this.state.resources.policyOr404(policyName);
    const v = this.state.resources.policyVersionOr404(policyName, policyVersionId);
    return {
      policyArn: this.state.arns.policy(policyName),
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
    const v = this.state.resources.createPolicyVersion(policyName, ctx.body.policyDocument as string, singleQuery(ctx.query, 'setAsDefault') === 'true');
    return {
      policyArn: this.state.arns.policy(policyName), policyDocument: v.document, policyVersionId: v.versionId, isDefaultVersion: v.isDefaultVersion,
    };
  }

  private setDefaultPolicyVersion(ctx: HandlerContext): JsonObject {
    this.state.resources.setDefaultPolicyVersion(ctx.pathParams.policyName, ctx.pathParams.policyVersionId);
    return {};
  }

  private deletePolicyVersion(ctx: HandlerContext): JsonObject {
    this.state.resources.deletePolicyVersion(ctx.pathParams.policyName, ctx.pathParams.policyVersionId);
    return {};
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
