import {
  CreateAuditSuppressionCommand, DeleteAuditSuppressionCommand, DescribeAuditSuppressionCommand, IoTClient, UpdateAuditSuppressionCommand,
} from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { planSuppressionRequest, SuppressionPlan, SuppressionProps } from './audit-suppression/audit-suppression-plan';
import {
  CreatePlan, decideCreate, decideDelete, decideDeleteFailure, decideUpdate, DeletePlan, Existing, keyOf, SuppressionFacts, SuppressionRefusedError,
  SuppressionStep, UpdatePlan,
} from './audit-suppression/decide';
import { RequestingResource } from './audit-suppression/suppression-ownership';
import { openRequest, RequestOpening } from './shared/config';
import { runWithDeadline } from './shared/deadline';
import { perform } from './shared/effects';
import { DeadlineExceededError, errorName } from './shared/errors';
import { createIotClient, IotClientLimits } from './shared/iot-tasks';
import { log } from './shared/log';

export { parseSuppressionProps, suppressionPhysicalId } from './audit-suppression/audit-suppression-plan';

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
 * Parse and decide (`planSuppressionRequest`, `./audit-suppression/decide.ts`: pure), then act:
 * the I/O is here.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Response> {
  const self: RequestingResource = { stackId: event.StackId, logicalResourceId: event.LogicalResourceId };
  let plan: SuppressionPlan | undefined;
  return openRequest(event, context, { reportMarginMs: REPORT_MARGIN_MS, timeoutMs: FUNCTION_TIMEOUT_MS }, async (request) => {
    plan = planSuppressionRequest(event);
    switch (plan.kind) {
      case 'nothing-to-delete':
        log('INFO', 'nothing-to-delete', { physicalResourceId: plan.physicalResourceId, reason: plan.reason });
        return { PhysicalResourceId: plan.physicalResourceId };
      case 'delete':
        await remove(plan, self, request);
        return { PhysicalResourceId: plan.physicalResourceId };
      case 'create':
      case 'update': {
        const writing = plan;
        const done = await withinDeadline(request.remainingMs, (signal) => createOrUpdate(writing, self, request, signal));
        await perform(done.reports, request.reporter, request.answer);
        return { PhysicalResourceId: writing.kind === 'create' ? done.physicalResourceId! : writing.physicalResourceId };
      }
    }
  }, (error) => ({
    // Only a Create or an Update gets here (a Delete never throws).
    kind: error instanceof SuppressionRefusedError ? 'suppression-refused' : 'request-failed',
    fields: plan && plan.kind !== 'nothing-to-delete' ? { checkName: plan.props.checkName, resourceIdentifier: plan.props.resourceIdentifier } : {},
  }));
}

/** Runs `work` with a signal that aborts it `SAFETY_MARGIN_MS` before the function must answer. */
async function withinDeadline<R>(remainingMs: () => number, work: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const run = await runWithDeadline([work], (w, signal) => w(signal), { concurrency: 1, remainingMs, marginMs: SAFETY_MARGIN_MS });
  const [settled] = run.settled;
  if (!settled) { throw new DeadlineExceededError(`AWS IoT did not answer in time: stopped ${SAFETY_MARGIN_MS / 1000} s before the function's timeout`); }
  if ('error' in settled) { throw settled.error; }
  return settled.result!;
}

/** The suppression of `props`' key, or null when there is none. */
async function describe(client: IoTClient, props: SuppressionProps, abortSignal: AbortSignal): Promise<Existing | null> {
  try {
    return await client.send(new DescribeAuditSuppressionCommand(keyOf(props)), { abortSignal });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') { return null; }
    throw error;
  }
}

/** The final step of a request: its effects logged, its reports (if any) for the caller to send once AWS IoT is done with. */
type Done = Extract<SuppressionStep, { kind: 'done' }>;

/**
 * Does what `decideCreate` or `decideUpdate` says until it is done. Throws what fails the request
 * (a refusal, an AWS error); an Update whose suppression is gone is created again.
 */
async function createOrUpdate(start: CreatePlan | UpdatePlan, self: RequestingResource, request: RequestOpening,
  abortSignal: AbortSignal): Promise<Done> {
  let plan = start;
  let facts: SuppressionFacts = {};
  for (;;) {
    const step = plan.kind === 'create' ? decideCreate(plan, self, facts) : decideUpdate(plan, self, facts);
    switch (step.kind) {
      case 'create':
        facts = { ...facts, created: await createOrFind(step.input, abortSignal) };
        break;
      case 'describe':
        facts = { ...facts, found: await describe(iot, plan.props, abortSignal) };
        break;
      case 'recreate':
        await perform(step.effects, request.reporter);
        plan = step.plan;
        facts = {};
        break;
      case 'write':
        await iot.send(new UpdateAuditSuppressionCommand(step.input), { abortSignal });
        await perform(step.effects, request.reporter);
        return { kind: 'done', effects: [], reports: [], physicalResourceId: step.physicalResourceId };
      case 'delete':
        throw new Error('internal error: a Create or an Update never deletes');
      case 'fail':
        throw step.error;
      case 'done':
        await perform(step.effects, request.reporter);
        return step;
    }
  }
}

/** CreateAuditSuppression: 'created', or 'exists' when AWS IoT has one of this key already. */
async function createOrFind(input: Extract<SuppressionStep, { kind: 'create' }>['input'], abortSignal: AbortSignal): Promise<'created' | 'exists'> {
  try {
    await iot.send(new CreateAuditSuppressionCommand(input), { abortSignal });
    return 'created';
  } catch (error) {
    if (errorName(error) !== 'ResourceAlreadyExistsException') { throw error; }
    return 'exists';
  }
}

/**
 * Does what `decideDelete` says, with the Delete's client, and never throws: what it could not do
 * in time, or was refused, is a permanent failure (`decideDeleteFailure`), and the Delete succeeds.
 */
async function remove(plan: DeletePlan, self: RequestingResource, request: RequestOpening): Promise<void> {
  /** Set when the step under way rewrites the marker instead of deleting: what it was for. */
  let remarking: string | undefined;
  try {
    const done = await withinDeadline(request.remainingMs, async (abortSignal): Promise<Done> => {
      let facts: SuppressionFacts = {};
      for (;;) {
        const step = decideDelete(plan, self, facts);
        switch (step.kind) {
          case 'describe':
            facts = { ...facts, found: await describe(deleteClient, plan.props, abortSignal) };
            break;
          case 'delete':
            try {
              await deleteClient.send(new DeleteAuditSuppressionCommand(keyOf(plan.props)), { abortSignal });
              await perform(step.effects, request.reporter);
            } catch (error) {
              // Gone already (deleted outside CloudFormation, or expired) is what a Delete wants.
              if (errorName(error) !== 'ResourceNotFoundException') { throw error; }
              await perform(step.ifGone, request.reporter);
            }
            return { kind: 'done', effects: [], reports: [] };
          case 'write':
            remarking = step.remarking;
            await deleteClient.send(new UpdateAuditSuppressionCommand(step.input), { abortSignal });
            await perform(step.effects, request.reporter);
            return { kind: 'done', effects: [], reports: [] };
          case 'fail':
            remarking = step.remarking;
            throw step.error;
          case 'done':
            await perform(step.effects, request.reporter);
            return step;
          default:
            throw new Error(`internal error: a Delete does not ${step.kind}`);
        }
      }
    });
    await perform(done.reports, request.reporter, request.answer);
  } catch (error) {
    await perform(decideDeleteFailure(plan.props, error, remarking), request.reporter, request.answer);
  }
}
