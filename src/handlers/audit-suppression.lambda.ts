import {
  CreateAuditSuppressionCommand, DeleteAuditSuppressionCommand, DescribeAuditSuppressionCommand, DescribeAuditSuppressionCommandOutput, IoTClient,
  UpdateAuditSuppressionCommand,
} from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { AUDIT_SUPPRESSION_RULES, parseSuppressionDescription, stringRuleProblem, withSuppressionMarker } from '../contract/suppression';
import { planSuppressionRequest, SuppressionPlan, SuppressionProps, suppressionPhysicalId } from './shared/audit-suppression-plan';
import { runWithDeadline } from './shared/deadline';
import { createIotClient, errorName, IotClientLimits } from './shared/iot-tasks';
import { log } from './shared/log';
import { AnswerDeadline, customResourceReporter, Reporter } from './shared/report';
import { decideOnExisting, ExistingDecision, RequestingResource } from './shared/suppression-ownership';

export { parseSuppressionProps, suppressionPhysicalId } from './shared/audit-suppression-plan';

/** Create and Update: the SDK's retries (8 attempts). */
const iot = createIotClient();
/** Delete: 3 attempts of at most 10 s each, so that one slow or throttled call cannot use up its time. */
export const DELETE_CLIENT_LIMITS: IotClientLimits = { maxAttempts: 3, requestTimeoutMs: 10_000 };
const deleteClient = createIotClient(DELETE_CLIENT_LIMITS);

/** AWS IoT calls stop (in flight ones are aborted) this long before the function must answer: time to report. */
export const SAFETY_MARGIN_MS = 15_000;
/** A report topic or event not sent this long before the end is given up (and logged). */
export const REPORT_MARGIN_MS = 2_000;
/** The function's timeout (2 minutes, see the provider), for an invocation without a Lambda context. */
const FUNCTION_TIMEOUT_MS = 120_000;

interface Response {
  readonly PhysicalResourceId: string;
}

/** What every step of one request needs. */
interface Request {
  readonly self: RequestingResource;
  readonly reporter: Reporter;
  readonly answer: AnswerDeadline;
  readonly remainingMs: () => number;
}

/** A suppression this resource may not touch (see `decideOnExisting`), or a description that does not fit. */
class SuppressionRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionRefused';
  }
}

/**
 * Creates, updates and deletes an AWS IoT Device Defender audit finding suppression for
 * CloudFormation. The physical id encodes the suppression's key (check and resource): the same key
 * is updated in place, a new key is a new suppression (CloudFormation deletes the old one).
 *
 * The description ends with an ownership marker naming the stack and the logical id; a suppression
 * that exists is taken over, changed or deleted only as `decideOnExisting` says (this resource's
 * own, one a moved construct of the same stack had, one this resource made before markers).
 *
 * Every permanent failure goes through the `Reporter` (metric, log line, report topic, event). A
 * Create or an Update that fails also fails the CloudFormation request; an Update or a Delete
 * that finds a suppression it may not touch leaves it, reports, and succeeds; a Delete always
 * answers, before the function's timeout (AWS IoT calls stop `SAFETY_MARGIN_MS` before it).
 *
 * Parse and decide (`planSuppressionRequest`, `decideOnExisting`: pure), then act: the I/O is here.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Response> {
  const began = Date.now();
  const remainingMs = context ? () => context.getRemainingTimeInMillis() : () => FUNCTION_TIMEOUT_MS - (Date.now() - began);
  const request: Request = {
    self: { stackId: event.StackId, logicalResourceId: event.LogicalResourceId },
    reporter: customResourceReporter(event.ResourceProperties, event.LogicalResourceId),
    answer: { remainingMs, marginMs: REPORT_MARGIN_MS },
    remainingMs,
  };
  let plan: SuppressionPlan | undefined;
  try {
    plan = planSuppressionRequest(event);
    switch (plan.kind) {
      case 'nothing-to-delete':
        log('INFO', 'nothing-to-delete', { physicalResourceId: plan.physicalResourceId, reason: plan.reason });
        return { PhysicalResourceId: plan.physicalResourceId };
      case 'delete':
        await remove(plan, request);
        return { PhysicalResourceId: plan.physicalResourceId };
      case 'create': {
        const created = plan;
        return { PhysicalResourceId: await withinDeadline(remainingMs, (signal) => create(created, request, signal)) };
      }
      case 'update': {
        const updated = plan;
        const notOwned = await withinDeadline(remainingMs, (signal) => update(updated, request, signal));
        if (notOwned) {
          await reportNotOwned(request, plan.props, notOwned, 'left as it is: this stack\'s expiry and description were not applied. Delete it '
            + '(`npx cdk-device-defender unsuppress <findingId>`) and deploy again for the stack to manage it, or remove this AuditSuppression');
        }
        return { PhysicalResourceId: plan.physicalResourceId };
      }
    }
  } catch (error) {
    // Only a Create or an Update gets here (a Delete never throws): CloudFormation fails the
    // request and rolls back, and the failure is reported like every other.
    await request.reporter.permanentFailure(error instanceof SuppressionRefusedError ? 'suppression-refused' : 'request-failed', error, {
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      ...(plan && plan.kind !== 'nothing-to-delete' ? { checkName: plan.props.checkName, resourceIdentifier: plan.props.resourceIdentifier } : {}),
    }, request.answer);
    throw error;
  }
}

/** Runs `work` with a signal that aborts it `SAFETY_MARGIN_MS` before the function must answer. */
async function withinDeadline<R>(remainingMs: () => number, work: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const run = await runWithDeadline([work], (w, signal) => w(signal), { concurrency: 1, remainingMs, marginMs: SAFETY_MARGIN_MS });
  const [settled] = run.settled;
  if (!settled) {
    const error = new Error(`AWS IoT did not answer in time: stopped ${SAFETY_MARGIN_MS / 1000} s before the function's timeout`);
    error.name = 'DeadlineExceeded';
    throw error;
  }
  if ('error' in settled) { throw settled.error; }
  return settled.result!;
}

/** The settings of a Create or an Update: an expiry or "indefinitely", and the description (with its marker). */
function settings(props: SuppressionProps, description: string) {
  return { expirationDate: props.expirationDate, suppressIndefinitely: props.suppressIndefinitely, description };
}

function key(props: SuppressionProps) {
  return { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier };
}

/** `description` if AWS IoT takes it; refused otherwise (the user's description and the marker are too long together). */
function fitting(description: string): string {
  const problem = stringRuleProblem(description, AUDIT_SUPPRESSION_RULES.description);
  if (problem) {
    const { text } = parseSuppressionDescription(description);
    throw new SuppressionRefusedError(`the description with its ownership marker is ${description.length} characters, and AWS IoT allows `
      + `${AUDIT_SUPPRESSION_RULES.description.max}: shorten the description (${text.length} characters) by at least `
      + `${description.length - AUDIT_SUPPRESSION_RULES.description.max}`);
  }
  return description;
}

/** The suppression of `props`' key, or undefined when there is none. */
async function describe(client: IoTClient, props: SuppressionProps,
  abortSignal: AbortSignal): Promise<DescribeAuditSuppressionCommandOutput | undefined> {
  try {
    return await client.send(new DescribeAuditSuppressionCommand(key(props)), { abortSignal });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') { return undefined; }
    throw error;
  }
}

/** A suppression in a few words: its key and expiry, and its description. */
function summary(props: SuppressionProps, found: DescribeAuditSuppressionCommandOutput): string {
  const expiry = found.suppressIndefinitely ? 'indefinitely' : `until ${found.expirationDate?.toISOString() ?? 'an unknown date'}`;
  return `an audit suppression of ${props.checkName} for ${JSON.stringify(props.resourceIdentifier)} exists already `
    + `(suppressed ${expiry}${found.description ? `: ${JSON.stringify(parseSuppressionDescription(found.description).text)}` : ''})`;
}

/** Creates the suppression; one that exists already is taken over or refused (`decideOnExisting`). Returns the physical id. */
async function create(plan: Extract<SuppressionPlan, { kind: 'create' }>, request: Request, abortSignal: AbortSignal): Promise<string> {
  const { props } = plan;
  const description = fitting(withSuppressionMarker(props.description, { ...request.self, pending: false }));
  try {
    const input = { ...key(props), ...settings(props, description), clientRequestToken: plan.clientRequestToken };
    await iot.send(new CreateAuditSuppressionCommand(input), { abortSignal });
    log('INFO', 'created', { physicalResourceId: plan.physicalResourceId, checkName: props.checkName });
    return plan.physicalResourceId;
  } catch (error) {
    if (errorName(error) !== 'ResourceAlreadyExistsException') { throw error; }
  }
  const found = await describe(iot, props, abortSignal);
  if (!found) { throw new Error(`the suppression of ${props.checkName} existed when created, and was gone when read: deploy again`); }
  const decision = decideOnExisting({ kind: 'create', self: request.self, description: props.description, released: plan.released }, found.description ?? '');
  if (decision.kind !== 'write') {
    throw new SuppressionRefusedError(`${summary(props, found)}, and ${refusal(decision)}. AuditSuppression does not adopt it (it adopts only a `
      + 'suppression whose ownership marker names its stack), so that it never changes or deletes one someone else decided on: delete it '
      + '(`npx cdk-device-defender unsuppress <findingId>` or DeleteAuditSuppression) and deploy again, or remove this AuditSuppression.');
  }
  await iot.send(new UpdateAuditSuppressionCommand({ ...key(props), ...settings(props, fitting(decision.description)) }), { abortSignal });
  log('INFO', 'adopted', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: decision.note });
  return suppressionPhysicalId(props.checkName, props.resourceIdentifier, decision.adoptedFrom);
}

function refusal(decision: ExistingDecision): string {
  return decision.kind === 'refuse' ? decision.reason : decision.kind;
}

/**
 * Updates the suppression in place when it is this resource's; one that is not is left as it is
 * and returned as the error to report (the request succeeds). One deleted outside CloudFormation is
 * created again.
 */
async function update(plan: Extract<SuppressionPlan, { kind: 'update' }>, request: Request, abortSignal: AbortSignal): Promise<SuppressionRefusedError | undefined> {
  const { props } = plan;
  const found = await describe(iot, props, abortSignal);
  if (!found) {
    // Deleted outside CloudFormation (console, CLI, or it expired): the stack says it exists, so make it again.
    log('WARN', 'recreated', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: 'not found on Update' });
    await create({ ...plan, kind: 'create', released: undefined }, request, abortSignal);
    return undefined;
  }
  const decision = decideOnExisting({ kind: 'update', self: request.self, description: props.description, released: plan.released }, found.description ?? '');
  if (decision.kind !== 'write') { return new SuppressionRefusedError(`${summary(props, found)}, and ${refusal(decision)}`); }
  await iot.send(new UpdateAuditSuppressionCommand({ ...key(props), ...settings(props, fitting(decision.description)) }), { abortSignal });
  log('INFO', 'updated', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: decision.note });
  return undefined;
}

/** Reports a suppression this resource found and may not touch, left as it is (`reason`: what that means, what to do). */
async function reportNotOwned(request: Request, props: SuppressionProps, error: SuppressionRefusedError, reason: string): Promise<void> {
  await request.reporter.permanentFailure('suppression-not-owned', error, {
    checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason,
  }, request.answer);
}

/**
 * Deletes the suppression when it is this resource's, hands it back or leaves it as
 * `decideOnExisting` says, and never throws: what it could not do in time, or was refused, is a
 * permanent failure, and the Delete succeeds.
 */
async function remove(plan: Extract<SuppressionPlan, { kind: 'delete' }>, request: Request): Promise<void> {
  const { props } = plan;
  const fields = { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier };
  /** Set when the step under way rewrites the marker instead of deleting: what it was for. */
  let remarking: string | undefined;
  try {
    const notOwned = await withinDeadline(request.remainingMs, async (abortSignal): Promise<SuppressionRefusedError | undefined> => {
      const found = await describe(deleteClient, props, abortSignal);
      if (!found) {
        log('INFO', 'already-deleted', fields);
        return undefined;
      }
      const decision = decideOnExisting({ kind: 'delete', self: request.self, released: props.description ?? '', adoptedFrom: plan.adoptedFrom }, found.description ?? '');
      switch (decision.kind) {
        case 'delete':
          try {
            await deleteClient.send(new DeleteAuditSuppressionCommand(key(props)), { abortSignal });
            log('INFO', 'deleted', { ...fields, reason: decision.note });
          } catch (error) {
            // Gone already (deleted outside CloudFormation, or expired) is what a Delete wants.
            if (errorName(error) !== 'ResourceNotFoundException') { throw error; }
            log('INFO', 'already-deleted', fields);
          }
          return undefined;
        case 'remark':
          remarking = decision.note;
          await deleteClient.send(new UpdateAuditSuppressionCommand({ ...key(props), description: fitting(decision.description) }), { abortSignal });
          log('INFO', 'left-in-force', { ...fields, reason: decision.note });
          return undefined;
        case 'leave':
          log('INFO', 'left-in-force', { ...fields, reason: decision.note });
          return undefined;
        default:
          return new SuppressionRefusedError(`${summary(props, found)}, and ${refusal(decision)}`);
      }
    });
    if (notOwned) {
      await reportNotOwned(request, props, notOwned, 'left in force: this stack does not delete a suppression it does not own. If nobody '
        + 'needs it, delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)');
    }
  } catch (error) {
    // A Delete never fails the stack. The suppression left in place still hides findings, so
    // this is a permanent failure that says what is left and what to do.
    await request.reporter.permanentFailure(remarking ? 'suppression-marker-not-updated' : 'suppression-not-deleted', error, {
      ...fields,
      reason: remarking
        ? `the suppression is in force, and its ownership marker was not rewritten (${remarking}): rewrite the marker at the end of `
          + 'its description by hand (UpdateAuditSuppression), or delete it if no AuditSuppression of this stack has this check and resource'
        : 'the suppression is still in force: delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)',
    }, request.answer);
  }
}
