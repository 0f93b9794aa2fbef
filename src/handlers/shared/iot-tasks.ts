import {
  AuditMitigationActionsTaskTarget, DescribeAuditMitigationActionsTaskCommand, DescribeAuditTaskCommand, DescribeDetectMitigationActionsTaskCommand,
  IoTClient, paginateListAuditFindings, StartAuditMitigationActionsTaskCommand, StartDetectMitigationActionsTaskCommand,
} from '@aws-sdk/client-iot';
import { AuditSummary, summaryFromDescribe } from './audit-summary';
import { errorName } from './errors';
import { clientRequestToken } from './ids';

/** Limits of a client for work with a deadline (a custom resource's Delete). */
export interface IotClientLimits {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** Each attempt is abandoned (and retried, while attempts are left) after this long without an answer. */
  readonly requestTimeoutMs: number;
}

/**
 * The handlers' IoT client, created once per execution environment. Throttling, LimitExceeded and
 * 5xx answers are retried by the SDK with backoff (8 attempts unless IOT_MAX_ATTEMPTS says
 * otherwise); with `limits`, fewer attempts, each with a request timeout, so that one slow or
 * throttled call cannot use up the time a Delete has to answer. With `spoke`, a client of another
 * account and region (the organization hub's, with a spoke role's credentials).
 */
export function createIotClient(limits?: IotClientLimits, spoke?: {
  readonly region: string;
  readonly credentials: SpokeCredentials;
  /** The HTTP agents the spoke's clients share. */
  readonly requestHandler: { readonly httpAgent: object; readonly httpsAgent: object };
}): IoTClient {
  const where = spoke ? { region: spoke.region, credentials: spoke.credentials, requestHandler: spoke.requestHandler } : {};
  return limits
    ? new IoTClient({ ...where, maxAttempts: limits.maxAttempts, requestHandler: { requestTimeout: limits.requestTimeoutMs } })
    : new IoTClient({ ...where, maxAttempts: Number(process.env.IOT_MAX_ATTEMPTS ?? 8) });
}

/** Temporary credentials of a role the organization hub assumed in a spoke. */
export interface SpokeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** The outcome of asking AWS IoT to start a task that may already exist. */
export type StartOutcome = 'started' | 'already-exists';

/**
 * Starts an audit mitigation actions task unless it exists (`startOnce`): the planner derives the
 * token from the task id (`clientRequestToken`), so a retried request is the same request.
 */
export async function startAuditMitigationTask(iot: IoTClient, request: {
  readonly taskId: string;
  readonly clientRequestToken: string;
  readonly target: AuditMitigationActionsTaskTarget;
  readonly auditCheckToActionsMapping: Record<string, string[]>;
}): Promise<StartOutcome> {
  return startOnce(
    () => iot.send(new StartAuditMitigationActionsTaskCommand({
      taskId: request.taskId,
      clientRequestToken: request.clientRequestToken,
      target: request.target,
      auditCheckToActionsMapping: request.auditCheckToActionsMapping,
    })),
    () => iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: request.taskId })),
  );
}

/**
 * Starts a task that does not exist yet: 'already-exists', without a Start, when `describe` finds
 * it. A Start with the same token succeeds again (AWS IoT's idempotency), so only this tells a
 * retry from the first start: the `TasksStarted` metric counts 'started' only. (Two invocations
 * that handle the same task at the same moment may both see it absent; both then answer
 * 'started'.) A TaskAlreadyExistsException (the id was used with another token) counts as done
 * once `describe` finds the task.
 */
async function startOnce(start: () => Promise<unknown>, describe: () => Promise<unknown>): Promise<StartOutcome> {
  if (await found(describe)) { return 'already-exists'; }
  try {
    await start();
    return 'started';
  } catch (error) {
    if (errorName(error) !== 'TaskAlreadyExistsException') { throw error; }
    await describe();
    return 'already-exists';
  }
}

/** Whether `describe` finds what it describes (ResourceNotFound = no; other errors are thrown). */
async function found(describe: () => Promise<unknown>): Promise<boolean> {
  try {
    await describe();
    return true;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') { return false; }
    throw error;
  }
}

/**
 * What AWS IoT says about an audit (status, type, per-check counts): the only input the planner
 * trusts. Errors are the caller's to sort (ResourceNotFound = no such audit in this account).
 */
export async function describeAudit(iot: IoTClient, auditTaskId: string): Promise<AuditSummary> {
  return summaryFromDescribe(auditTaskId, await iot.send(new DescribeAuditTaskCommand({ taskId: auditTaskId })));
}

/**
 * The findings of `auditTaskId` whose check and reason code match the filter. Suppressed
 * findings are left out: AWS never mitigates them.
 */
export async function findingsMatching(iot: IoTClient, auditTaskId: string, filter: Record<string, string[]>): Promise<string[]> {
  const ids: string[] = [];
  for (const [checkName, reasonCodes] of Object.entries(filter)) {
    for await (const page of paginateListAuditFindings({ client: iot, pageSize: 250 },
      { taskId: auditTaskId, checkName, listSuppressedFindings: false })) {
      for (const finding of page.findings ?? []) {
        if (finding.findingId && reasonCodes.includes(finding.reasonForNonComplianceCode ?? '')) {
          ids.push(finding.findingId);
        }
      }
    }
  }
  return ids;
}

/** Whether an audit mitigation task exists. */
export async function auditMitigationTaskExists(iot: IoTClient, taskId: string): Promise<boolean> {
  return found(() => iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId })));
}

/**
 * Starts a detect mitigation actions task for violations still in alarm, idempotently, the same
 * way as `startAuditMitigationTask`.
 */
export async function startDetectMitigationTask(iot: IoTClient, request: {
  taskId: string;
  violationIds: string[];
  actions: string[];
}): Promise<StartOutcome> {
  return startOnce(
    () => iot.send(new StartDetectMitigationActionsTaskCommand({
      taskId: request.taskId,
      target: { violationIds: request.violationIds },
      actions: request.actions,
      includeOnlyActiveViolations: true,
      clientRequestToken: clientRequestToken(request.taskId),
    })),
    () => iot.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: request.taskId })),
  );
}
