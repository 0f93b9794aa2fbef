import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { decideLeftOn, decideTurnedOn, integrationPhysicalId, planIntegrationRequest } from './security-hub-integration/decide';
import { openRequest } from './shared/config';
import { runWithDeadline } from './shared/deadline';
import { perform } from './shared/effects';
import { DeadlineExceededError } from './shared/errors';
import { createIotClient } from './shared/iot-tasks';
import { SecurityHubNotEnabledError, turnOnDeviceDefenderIntegration } from './shared/security-hub-integration';

/** Security Hub and AWS IoT calls stop (in flight ones are aborted) this long before the function must answer: time to report. */
export const SAFETY_MARGIN_MS = 15_000;
/** A report topic or event not sent this long before the end is given up (and logged). */
export const REPORT_MARGIN_MS = 2_000;
/** The function's timeout (2 minutes, see the provider), for an invocation without a Lambda context. */
const FUNCTION_TIMEOUT_MS = 120_000;

// Module scope: reused across invocations. Throttling and 5xx answers are retried by the SDK.
const securityHub = new SecurityHubClient({ maxAttempts: 5 });
const iot = createIotClient();

interface Response {
  readonly PhysicalResourceId: string;
}

/**
 * Turns on AWS IoT Device Defender's integration with AWS Security Hub for CloudFormation
 * (`Custom::IotSecurityHubIntegration`, one per stack): on Create and Update, the audit product,
 * and the Detect product where the account has a security profile, each only when it is not on
 * already (see `./shared/security-hub-integration.ts`). A Delete calls nothing: the
 * integration stays on.
 *
 * Security Hub not enabled in the account and region fails the request with a message that says
 * so and what to do, reported once as a permanent failure (`security-hub-not-enabled`) through the
 * `Reporter`; any other failure too (`request-failed`), after the SDK's retries.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<Response> {
  return openRequest(event, context, { reportMarginMs: REPORT_MARGIN_MS, timeoutMs: FUNCTION_TIMEOUT_MS }, async (request) => {
    const plan = planIntegrationRequest(event);
    if (plan.kind === 'leave-on') {
      await perform(decideLeftOn(plan.physicalResourceId), request.reporter);
      return { PhysicalResourceId: plan.physicalResourceId };
    }
    const run = await runWithDeadline([plan.place], (place, abortSignal) => turnOnDeviceDefenderIntegration({ securityHub, iot }, place, abortSignal),
      { concurrency: 1, remainingMs: request.remainingMs, marginMs: SAFETY_MARGIN_MS });
    const [settled] = run.settled;
    if (!settled) {
      throw new DeadlineExceededError(`AWS Security Hub did not answer in time: stopped ${SAFETY_MARGIN_MS / 1000} s before the function's timeout`);
    }
    if ('error' in settled) { throw settled.error; }
    await perform(decideTurnedOn(plan.place, settled.result!), request.reporter);
    return { PhysicalResourceId: integrationPhysicalId(plan.place) };
  }, (error) => ({ kind: error instanceof SecurityHubNotEnabledError ? 'security-hub-not-enabled' : 'request-failed' }));
}
