import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { HubConfig, readHubConfig, readSpokeConfig } from './mitigation-hub/config';
import {
  decideIntegration, decideRecord, decideRegistered, decideRegistration, decideStageFailure, decideUnknownHubEvent, Envelope, HubRecord,
  integrationDue, isAllowed, parseEnvelope, parseHubInvocation, RegisteredSpoke, registration, SpokeRef, SpokeStage, spokeOfTopic, tasksToFollow,
} from './mitigation-hub/decide';
import { Registry } from './mitigation-hub/registry';
import { HUB_ENV } from '../contract/environment';
import { spokeKey } from '../contract/organization';
import type { Outcome } from './shared/audit-decide';
import { MitigationContext, onNotification, reconcile } from './shared/audit-engine';
import { openConfig } from './shared/config';
import { runWithDeadline } from './shared/deadline';
import { perform } from './shared/effects';
import { answerOf, errorMessage, errorName } from './shared/errors';
import { HubLedger } from './shared/hub-ledger';
import { log } from './shared/log';
import { MalformedMessageError } from './shared/message';
import { Reporter, reportSent } from './shared/report';
import { turnOnDeviceDefenderIntegration } from './shared/security-hub-integration';
import { readSpokeDocument, SpokeSessions } from './shared/spokes';

/** What the hub did about one audit of one spoke (the reconciler's answer). */
export type SpokeOutcome = Outcome & { readonly account: string; readonly region: string };

/** The reconciler works on at most this many spokes at a time. */
export const RECONCILE_CONCURRENCY = 8;
/** The function's timeout (`MitigationHub` sets it), for an invocation without a Lambda context. */
const TIMEOUT_MS = 5 * 60_000;
/** The reconciler starts no spoke this close to the timeout (the next run does it). */
const RECONCILE_MARGIN_MS = 30_000;

// Module scope: reused across invocations (and so are the spoke sessions, while their credentials last).
const sts = new STSClient({});
const dynamodb = new DynamoDBClient({});
const snsClients = new Map<string, SNSClient>();
let sessions: SpokeSessions | undefined;

/** An SNS client in `region`: ConfirmSubscription must be called in the topic's region. */
function snsIn(region: string): SNSClient {
  let client = snsClients.get(region);
  if (!client) {
    client = new SNSClient({ region });
    snsClients.set(region, client);
  }
  return client;
}

/**
 * The organization hub: the audit mitigation of every spoke (an account and region with a
 * `MitigationSpoke`), from one function.
 *
 * SQS records are the SNS documents the spokes' topics deliver to the hub's queue. A
 * SubscriptionConfirmation from an allowed account is confirmed (in the topic's region) and the
 * spoke registered; a Notification from a registered spoke's topic is handled in that spoke: the
 * hub assumes the spoke's role (credentials cached), reads the spoke's configuration, and runs the
 * same engine as AuditMitigation (`./shared/audit-engine.ts`) there. Anything else starts nothing
 * and is reported. Each record stands alone: one that failed for a transient reason is returned as
 * a batch item failure (redelivered, then dead-lettered); one that failed for good is reported.
 *
 * The schedule runs the reconciler: every registered spoke, at most `RECONCILE_CONCURRENCY` at a time.
 *
 * With `HUB_ENV.SECURITY_HUB_INTEGRATION`, the hub also turns on Device Defender's Security Hub
 * integration in each spoke, when it registers it and on each reconciler run until it is on
 * (`turnOnIntegration`).
 */
export async function handler(event: SQSEvent | ScheduledEvent, context?: Context): Promise<SQSBatchResponse | SpokeOutcome[]> {
  const hub = await openConfig(process.env, readHubConfig, HUB_ENV);
  const reporter = new Reporter(hub.reportTopicArn, hub.mitigation, hub.eventBus);
  sessions ??= new SpokeSessions(sts, hub.spokeRoleName);
  const registry = new Registry(dynamodb, hub.registryTable);
  const work: HubWork = { hub, reporter, registry, ledger: new HubLedger(dynamodb, hub.taskLedgerTable), sessions, now: new Date() };
  const invocation = parseHubInvocation(event);
  switch (invocation.kind) {
    case 'records': {
      const retry: string[] = [];
      for (const record of invocation.records) {
        if (await onRecord(record, work) === 'retry') { retry.push(record.messageId); }
      }
      return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    case 'reconcile': {
      const began = Date.now();
      const remainingMs = context?.getRemainingTimeInMillis ? () => context.getRemainingTimeInMillis() : () => TIMEOUT_MS - (Date.now() - began);
      return reconcileAll(work, remainingMs);
    }
    case 'unknown':
      await perform(decideUnknownHubEvent(invocation.received), reporter);
      return [];
  }
}

/** What every step of an invocation needs. */
interface HubWork {
  readonly hub: HubConfig;
  readonly reporter: Reporter;
  readonly registry: Registry;
  /** Where each task started in a spoke is recorded, for the hub's follower. */
  readonly ledger: HubLedger;
  readonly sessions: SpokeSessions;
  readonly now: Date;
}

/** What became of a record: done with (handled, or reported), or to be delivered again. */
type RecordResult = 'done' | 'retry';

/** A record's body, read: its SNS document, or why it cannot be read. */
function readEnvelope(body: string): Envelope | MalformedMessageError {
  try {
    return parseEnvelope(body);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) { throw error; }
    return error;
  }
}

async function onRecord(record: HubRecord, work: HubWork): Promise<RecordResult> {
  const step = decideRecord(record, readEnvelope(record.body), work.hub);
  switch (step.kind) {
    case 'done': {
      const reporter = step.spoke ? work.reporter.about(step.spoke) : work.reporter;
      return await reportSent(() => perform(step.effects, reporter), { messageId: record.messageId }) ? 'done' : 'retry';
    }
    case 'confirm':
      return confirm(step.spoke, step.token, record, work);
    case 'notification':
      return notify(step.spoke, step.message, record, work);
  }
}

/**
 * Runs one step of the hub's own work for a spoke. A failure is decided by `decideStageFailure`: a
 * transient one (or credentials that are no good any more) gives 'retry', a permanent one is
 * reported and gives 'done' ('retry' if the report cannot be sent).
 */
async function runStep<T>(stage: SpokeStage, spoke: SpokeRef, work: HubWork, fields: Record<string, unknown>,
  call: () => Promise<T>): Promise<{ readonly value: T } | RecordResult> {
  const answer = await answerOf(call);
  if ('value' in answer) { return answer; }
  const reporter = work.reporter.about(spoke);
  const stale = work.sessions.forgetIfStale(spoke, answer.error);
  const decision = decideStageFailure(stage, stale ? { ...answer, errorClass: 'retryable' } : answer, fields);
  if (decision.kind === 'retry') {
    await perform(decision.effects, reporter);
    return 'retry';
  }
  return await reportSent(() => perform(decision.effects, reporter), fields) ? 'done' : 'retry';
}

/** Confirms an allowed spoke topic's subscription to the queue, in the topic's region, and registers the spoke. */
async function confirm(spoke: SpokeRef, token: string, record: HubRecord, work: HubWork): Promise<RecordResult> {
  const fields = { messageId: record.messageId, topicArn: spoke.topicArn };
  const confirmed = await runStep('confirm-subscription', spoke, work, fields, async () => {
    const output = await snsIn(spoke.region).send(new ConfirmSubscriptionCommand({ TopicArn: spoke.topicArn, Token: token }));
    if (!output.SubscriptionArn) { throw new Error('ConfirmSubscription answered no SubscriptionArn'); }
    return output.SubscriptionArn;
  });
  if (typeof confirmed === 'string') { return confirmed; }
  const entry = registration(spoke, confirmed.value, work.now);
  const registered = await runStep('register', spoke, work, fields, () => work.registry.put(entry));
  if (typeof registered === 'string') { return registered; }
  const reported = await reportSent(() => perform(decideRegistered(entry), work.reporter.about(spoke)), fields);
  if (reported) { await turnOnIntegration(entry, spoke, work); }
  return reported ? 'done' : 'retry';
}

/**
 * Turns on Device Defender's Security Hub integration in a registered spoke, with the spoke's role,
 * when the hub is asked to and it is not on yet (`integrationDue`), and records what it found in
 * the registry (`decideIntegration`). Never throws, and never holds mitigation up: anything that
 * goes wrong is logged, and the next reconciler run tries again.
 */
async function turnOnIntegration(entry: RegisteredSpoke, spoke: SpokeRef, work: HubWork): Promise<void> {
  if (!integrationDue(work.hub, entry)) { return; }
  const place = { partition: spoke.partition, account: spoke.account, region: spoke.region };
  try {
    const session = await work.sessions.session(spoke, work.now.getTime());
    const answer = await answerOf(() => turnOnDeviceDefenderIntegration({ securityHub: session.securityHub, iot: session.iot }, place));
    if (!('value' in answer)) { work.sessions.forgetIfStale(spoke, answer.error); }
    const step = decideIntegration(entry, answer, work.sessions.roleArn(spoke));
    await perform(step.effects, work.reporter.about(spoke));
    if (step.entry) { await work.registry.update(step.entry); }
  } catch (error) {
    log('WARN', 'security-hub-integration-deferred', {
      spoke: entry.spoke,
      account: spoke.account,
      region: spoke.region,
      error: errorName(error),
      message: errorMessage(error),
      reason: 'the next reconciler run tries again',
    });
  }
}

/** The engine's context in a spoke: a session with its role, and its configuration. */
async function spokeContext(spoke: SpokeRef, work: HubWork, fields: Record<string, unknown>): Promise<MitigationContext | RecordResult> {
  const session = await runStep('assume-role', spoke, work, fields, () => work.sessions.session(spoke, work.now.getTime()));
  if (typeof session === 'string') { return session; }
  const config = await runStep('read-configuration', spoke, work, fields,
    async () => readSpokeConfig(await readSpokeDocument(session.value), spoke, work.hub));
  if (typeof config === 'string') { return config; }
  return { account: spoke.account, region: spoke.region, iot: session.value.iot, config: config.value, reporter: work.reporter.about(spoke) };
}

/** Handles a registered spoke's audit notification in the spoke, with the engine. */
async function notify(spoke: SpokeRef, message: string, record: HubRecord, work: HubWork): Promise<RecordResult> {
  const fields = { messageId: record.messageId, topicArn: spoke.topicArn };
  const entry = await runStep('read-registry', spoke, work, fields, () => work.registry.get(spokeKey(spoke.account, spoke.region)));
  if (typeof entry === 'string') { return entry; }
  const unregistered = decideRegistration(spoke, entry.value, record.messageId);
  if (unregistered) {
    return await reportSent(() => perform(unregistered, work.reporter.about(spoke)), fields) ? 'done' : 'retry';
  }
  const context = await spokeContext(spoke, work, fields);
  if (typeof context === 'string') { return context; }
  let outcome: Outcome;
  try {
    outcome = await onNotification(message, context, work.now);
  } catch (error) {
    // A transient failure, already logged by the engine (or a report that could not be sent).
    work.sessions.forgetIfStale(spoke, error);
    log('WARN', 'record-retried', { ...fields, account: spoke.account, region: spoke.region, error: errorName(error), message: errorMessage(error) });
    return 'retry';
  }
  return recordTasks(spoke, [outcome], work, fields);
}

/**
 * Records the tasks the engine started (or found started) in `spoke` in the ledger, for the hub's
 * follower. A transient failure gives 'retry': the message comes back, the engine finds its task
 * started, and it is recorded then; a permanent one is reported (`task-not-followed`).
 */
async function recordTasks(spoke: SpokeRef, outcomes: readonly Outcome[], work: HubWork, fields: Record<string, unknown>): Promise<RecordResult> {
  for (const taskId of tasksToFollow(outcomes)) {
    const task = { partition: spoke.partition, account: spoke.account, region: spoke.region, taskId, mitigation: work.hub.mitigation };
    const recorded = await runStep('record-task', spoke, work, { ...fields, taskId }, () => work.ledger.record(task, work.now));
    if (typeof recorded === 'string') { return recorded; }
  }
  return 'done';
}

/**
 * The reconciler: every registered spoke whose account is still allowed, `RECONCILE_CONCURRENCY`
 * at a time, each as AuditMitigation's reconciler does it. A spoke that fails for good is reported
 * (and tried again next run); one that fails for a transient reason makes the run fail at the end,
 * after the others, so it is retried.
 */
async function reconcileAll(work: HubWork, remainingMs: () => number): Promise<SpokeOutcome[]> {
  const entries = (await work.registry.all()).filter((entry) => {
    if (isAllowed(entry.account, work.hub)) { return true; }
    log('WARN', 'spoke-not-allowed', { spoke: entry.spoke, reason: 'registered, but its account is no longer one of the hub\'s accounts: skipped' });
    return false;
  });
  const run = await runWithDeadline(entries, (entry) => reconcileSpoke(entry, work),
    { concurrency: RECONCILE_CONCURRENCY, remainingMs, marginMs: RECONCILE_MARGIN_MS });
  const outcomes = run.settled.flatMap((s) => s.result ?? []);
  const left = [...run.unfinished, ...run.notStarted].map((entry) => entry.spoke);
  if (left.length > 0) { log('WARN', 'reconcile-unfinished', { spokes: left, reason: 'the function had to answer; the next run reconciles them' }); }
  const failed = run.settled.find((s) => 'error' in s && s.error !== undefined);
  if (failed) { throw failed.error; }
  return outcomes;
}

/** Reconciles one spoke; a transient failure is thrown (after the others, see `reconcileAll`). */
async function reconcileSpoke(entry: RegisteredSpoke, work: HubWork): Promise<SpokeOutcome[]> {
  const spoke = spokeOfTopic(entry.topicArn);
  if (!spoke) { throw new Error(`registry entry ${entry.spoke} has no valid topic ARN: ${entry.topicArn}`); }
  const fields = { spoke: entry.spoke, trigger: 'reconciler' };
  const context = await spokeContext(spoke, work, fields);
  if (context === 'retry') { throw new Error(`reconciling spoke ${entry.spoke}: to be retried`); }
  if (context === 'done') { return []; }
  const outcomes = await reconcile(context, work.now, { account: spoke.account, region: spoke.region });
  if (await recordTasks(spoke, outcomes, work, fields) === 'retry') { throw new Error(`recording the tasks of spoke ${entry.spoke}: to be retried`); }
  // After the spoke's audits: the integration never holds mitigation up.
  await turnOnIntegration(entry, spoke, work);
  return outcomes.map((o) => ({ ...o, account: spoke.account, region: spoke.region }));
}
