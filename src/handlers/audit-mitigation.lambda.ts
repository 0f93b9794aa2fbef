import type { Context, ScheduledEvent, SNSEvent } from 'aws-lambda';
import { readAuditConfig } from './audit-mitigation/config';
import { AUDIT_ENV as ENV } from '../contract/environment';
import { decideUnknownEvent, Outcome, parseInvocation } from './shared/audit-decide';
import { MitigationContext, onNotification, reconcile } from './shared/audit-engine';
import { openConfig } from './shared/config';
import { perform } from './shared/effects';
import { createIotClient } from './shared/iot-tasks';
import { Reporter } from './shared/report';

export type { Outcome } from './shared/audit-decide';

// Module scope: reused across invocations. Throttling, LimitExceeded and 5xx answers are retried
// by the SDK with backoff; what still fails makes the invocation fail, so Lambda retries it and
// then sends it to the on-failure destination.
const iot = createIotClient();

/**
 * Starts one audit mitigation actions task per finished audit: on the audit notification (SNS),
 * and from a scheduled reconciler that finds audits whose notification never arrived.
 *
 * Parse (the event), then the audit mitigation engine (`./shared/audit-engine.ts`) in this
 * function's own account and region: it decides (`./shared/audit-decide.ts`, pure: what to ask AWS
 * IoT next, what to report and emit) and acts.
 */
export async function handler(event: SNSEvent | ScheduledEvent, context: Context): Promise<Outcome[]> {
  const account = context.invokedFunctionArn.split(':')[4];
  const config = await openConfig(process.env, (env) => readAuditConfig(env, account), ENV);
  const reporter = new Reporter(config.reportTopicArn, config.mitigation, config.eventBus);
  const local: MitigationContext = { account, region: process.env.AWS_REGION ?? '', iot, config, reporter };
  const now = new Date();
  const invocation = parseInvocation(event);
  switch (invocation.kind) {
    case 'notifications': {
      const outcomes: Outcome[] = [];
      for (const message of invocation.messages) {
        outcomes.push(await onNotification(message, local, now));
      }
      return outcomes;
    }
    case 'reconcile':
      return reconcile(local, now);
    case 'unknown':
      await perform(decideUnknownEvent(invocation.received), reporter);
      return [];
  }
}
