import type { HubConfig } from './config';
import { spokeKey } from '../../contract/organization';
import type { Outcome } from '../shared/audit-decide';
import { Effect, logLine, permanentFailure, report } from '../shared/effects';
import { Answer, errorMessage, errorName, Failure, PermanentError } from '../shared/errors';
import { isObject, MalformedMessageError, parseJsonObject } from '../shared/message';
import type { SpokeScope } from '../shared/metrics';
import { IntegrationResult, SecurityHubNotEnabledError } from '../shared/security-hub-integration';

// The hub's decisions, pure: what an SQS record is (a spoke topic's subscription confirmation or
// audit notification), whether its spoke may be served, and what to report when a step in the spoke
// fails. The handler (mitigation-hub.lambda.ts) asks AWS and performs; the audit itself is the
// shared engine's (shared/audit-engine.ts), the same as AuditMitigation's.

/** A spoke as a message names it: the account and region of its topic, and the topic. */
export interface SpokeRef extends SpokeScope {
  readonly partition: string;
  readonly topicArn: string;
}

/** What the SNS envelope of a record says (SNS delivers the JSON document, not raw messages, to the hub's queue). */
export type Envelope =
  | { readonly type: 'SubscriptionConfirmation'; readonly topicArn: string; readonly token: string }
  | { readonly type: 'Notification'; readonly topicArn: string; readonly message: string };

const TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):([A-Za-z0-9_-]{1,256})$/;
const WHAT = 'SNS message';

/** The spoke a topic ARN names, or undefined for anything that is not an SNS topic ARN. */
export function spokeOfTopic(topicArn: string): SpokeRef | undefined {
  const match = TOPIC_ARN.exec(topicArn);
  return match ? { partition: match[1], region: match[2], account: match[3], topicArn } : undefined;
}

/** Reads a record's body: an SNS JSON document of type SubscriptionConfirmation or Notification. */
export function parseEnvelope(body: string): Envelope {
  const doc = parseJsonObject(body, WHAT);
  const text = (name: string): string => {
    const value = doc[name];
    if (typeof value !== 'string' || value === '') { throw new MalformedMessageError(WHAT, `${name} must be a non-empty string`); }
    return value;
  };
  const type = text('Type');
  const topicArn = text('TopicArn');
  if (!spokeOfTopic(topicArn)) { throw new MalformedMessageError(WHAT, `TopicArn ${JSON.stringify(topicArn)} is not an SNS topic ARN`); }
  if (type === 'SubscriptionConfirmation') { return { type, topicArn, token: text('Token') }; }
  if (type === 'Notification') { return { type, topicArn, message: text('Message') }; }
  throw new MalformedMessageError(WHAT, `Type ${JSON.stringify(type)} is neither SubscriptionConfirmation nor Notification`);
}

/** A spoke the hub does not serve: its account is not allowed, or it never had its subscription confirmed. */
export class UnregisteredSpokeError extends PermanentError {
  constructor(message: string) {
    super('UnregisteredSpokeError', message);
  }
}

/** One SQS message of a batch. */
export interface HubRecord {
  readonly messageId: string;
  readonly body: string;
}

/** What the invocation is: SQS records, the reconciler's schedule, or neither. */
export type HubInvocation =
  | { readonly kind: 'records'; readonly records: HubRecord[] }
  | { readonly kind: 'reconcile' }
  | { readonly kind: 'unknown'; readonly received: string };

export function parseHubInvocation(event: unknown): HubInvocation {
  const e = (isObject(event) ? event : {}) as { Records?: unknown; source?: unknown };
  if (Array.isArray(e.Records)) {
    return {
      kind: 'records',
      records: (e.Records as Array<{ messageId?: unknown; body?: unknown }>).map((r) => ({ messageId: String(r.messageId ?? ''), body: String(r.body ?? '') })),
    };
  }
  if (e.source === 'aws.events') { return { kind: 'reconcile' }; }
  return { kind: 'unknown', received: JSON.stringify(event ?? null).slice(0, 2000) };
}

/**
 * Whether the hub serves `account`: in the allow list, or, with an organization, any account: the
 * queue's policy lets SNS deliver only from topics of the organization's accounts
 * (`aws:SourceOrgID`), so a message from elsewhere never reaches the hub.
 */
export function isAllowed(account: string, hub: HubConfig): boolean {
  return hub.accounts ? hub.accounts.includes(account) : true;
}

/** Why the hub does not serve the account, for its report. */
function notAllowed(spoke: SpokeRef, hub: HubConfig): string {
  return `account ${spoke.account} is not one of the hub's accounts (${(hub.accounts ?? []).join(', ')})`;
}

/** What to do with one record. */
export type RecordStep =
  | { readonly kind: 'confirm'; readonly spoke: SpokeRef; readonly token: string }
  | { readonly kind: 'notification'; readonly spoke: SpokeRef; readonly message: string }
  | { readonly kind: 'done'; readonly spoke?: SpokeRef; readonly effects: Effect[] };

/** A record, read (`parseEnvelope`; one that cannot be read is a MalformedMessageError): what to do with it. */
export function decideRecord(record: HubRecord, envelope: Envelope | MalformedMessageError, hub: HubConfig): RecordStep {
  if (envelope instanceof MalformedMessageError) {
    return { kind: 'done', effects: [permanentFailure('malformed-message', envelope, { messageId: record.messageId, received: record.body.slice(0, 2000) })] };
  }
  const spoke = spokeOfTopic(envelope.topicArn)!;
  if (!isAllowed(spoke.account, hub)) {
    const confirming = envelope.type === 'SubscriptionConfirmation';
    const error = new UnregisteredSpokeError(`${notAllowed(spoke, hub)}: ${confirming ? 'its subscription is not confirmed' : 'nothing is started'}`);
    return {
      kind: 'done',
      spoke,
      effects: [permanentFailure(confirming ? 'spoke-not-allowed' : 'unregistered-spoke', error, { messageId: record.messageId, topicArn: spoke.topicArn })],
    };
  }
  return envelope.type === 'SubscriptionConfirmation'
    ? { kind: 'confirm', spoke, token: envelope.token }
    : { kind: 'notification', spoke, message: envelope.message };
}

/** What the registry holds of a confirmed spoke. */
export interface RegisteredSpoke {
  readonly spoke: string;
  readonly account: string;
  readonly region: string;
  readonly topicArn: string;
  readonly subscriptionArn: string;
  readonly confirmedAt: string;
  /**
   * Device Defender's Security Hub integration in the spoke, as the hub last found it: 'on' (never
   * asked again), 'refused' (reported once, asked again each reconciler run); absent until it tried.
   */
  readonly securityHubIntegration?: 'on' | 'refused';
  /** With 'refused': the kind of the permanent failure reported, so the same refusal is not reported again. */
  readonly securityHubRefusal?: string;
}

/** The registry entry of a spoke whose subscription was just confirmed. */
export function registration(spoke: SpokeRef, subscriptionArn: string, now: Date): RegisteredSpoke {
  return {
    spoke: spokeKey(spoke.account, spoke.region),
    account: spoke.account,
    region: spoke.region,
    topicArn: spoke.topicArn,
    subscriptionArn,
    confirmedAt: now.toISOString(),
  };
}

/** A spoke confirmed and registered: reported, so a person sees each account and region join. */
export function decideRegistered(entry: RegisteredSpoke): Effect[] {
  return [report('INFO', 'spoke-registered', { topicArn: entry.topicArn, subscriptionArn: entry.subscriptionArn })];
}

/**
 * Whether a notification's spoke is registered with this very topic: a notification from a topic
 * the hub never confirmed (or not the spoke's latest) starts nothing and is a permanent failure.
 */
export function decideRegistration(spoke: SpokeRef, entry: RegisteredSpoke | undefined, messageId: string): Effect[] | undefined {
  if (entry && entry.topicArn === spoke.topicArn) { return undefined; }
  const reason = entry
    ? `spoke ${entry.spoke} is registered with topic ${entry.topicArn}, not ${spoke.topicArn}`
    : `spoke ${spokeKey(spoke.account, spoke.region)} is not registered (its topic's subscription to the hub's queue was never confirmed)`;
  return [permanentFailure('unregistered-spoke', new UnregisteredSpokeError(`${reason}: nothing is started`), { messageId, topicArn: spoke.topicArn })];
}

/** A step of the hub's own work in or for a spoke (not the audit's, which the engine decides). */
export type SpokeStage = 'confirm-subscription' | 'register' | 'assume-role' | 'read-configuration' | 'read-registry' | 'record-task';

/** The permanent failure's kind for each stage. */
const FAILURE_KINDS: Readonly<Record<SpokeStage, string>> = {
  'confirm-subscription': 'subscription-not-confirmed',
  'register': 'registry-failed',
  'assume-role': 'spoke-role-refused',
  'read-configuration': 'spoke-config-error',
  'read-registry': 'registry-failed',
  'record-task': 'task-not-followed',
};

/**
 * The tasks of the engine's outcomes the hub's follower must follow, by id: every task the hub
 * started, found started (a retry after a start whose record failed), or, in the reconciler, found
 * there (its run that started it may have failed to record it). Recording is a no-op for a task
 * recorded before, so none is reported twice.
 */
export function tasksToFollow(outcomes: readonly Outcome[]): string[] {
  const followed: ReadonlySet<Outcome['decision']> = new Set(['started', 'already-exists', 'already-mitigated']);
  return [...new Set(outcomes.flatMap((o) => (followed.has(o.decision) && o.taskId ? [o.taskId] : [])))];
}

/**
 * A step in or for a spoke failed: a permanent failure is reported (the message is done with), any
 * other is retried (the record goes back to the queue, then to the dead-letter queue).
 */
export function decideStageFailure(stage: SpokeStage, failure: Failure, fields: Record<string, unknown>):
{ readonly kind: 'retry'; readonly effects: Effect[] } | { readonly kind: 'done'; readonly effects: Effect[] } {
  const { error } = failure;
  if (failure.errorClass !== 'permanent') {
    return { kind: 'retry', effects: [logLine('WARN', 'retrying', { ...fields, stage, error: errorName(error), message: errorMessage(error) })] };
  }
  return { kind: 'done', effects: [permanentFailure(FAILURE_KINDS[stage], error, { ...fields, stage })] };
}

/** An event that is neither SQS records nor the schedule: a permanent failure, nothing else. */
export function decideUnknownHubEvent(received: string): Effect[] {
  return [permanentFailure('unknown-event', new MalformedMessageError('event', 'neither SQS records nor a scheduled event'), { received })];
}

/**
 * The spoke's role may not turn on Device Defender's Security Hub integration (access denied): the
 * spoke was deployed without `securityHub.enableIntegration`. No retry fixes that.
 */
export class IntegrationNotAllowedError extends PermanentError {
  constructor(spoke: SpokeScope, roleArn: string, cause: unknown) {
    super('SecurityHubIntegrationNotAllowed', `the spoke role ${roleArn} may not turn on AWS IoT Device Defender's Security Hub integration `
      + `in account ${spoke.account}, region ${spoke.region} (${errorName(cause)}: ${errorMessage(cause)}): give that account's MitigationSpoke `
      + 'securityHub: { enableIntegration: true } (its role may then), or turn off the MitigationHub\'s securityHub.enableIntegration');
  }
}

/** The AWS error names of a call the caller's policy does not allow. */
const ACCESS_DENIED: ReadonlySet<string> = new Set(['AccessDeniedException', 'AccessDenied']);

/** Whether the hub turns on Device Defender's Security Hub integration in a registered spoke now: it is asked to, and it is not on yet. */
export function integrationDue(hub: Pick<HubConfig, 'securityHubIntegration'>, entry: RegisteredSpoke): boolean {
  return hub.securityHubIntegration && entry.securityHubIntegration !== 'on';
}

/** What to do after an attempt to turn the integration on in a spoke: what to say, and the registry entry to write (if any). */
export interface IntegrationStep {
  readonly effects: Effect[];
  /** The spoke's entry with what the hub found; undefined when nothing changed. */
  readonly entry?: RegisteredSpoke;
}

/**
 * What an attempt to turn on the integration in `entry`'s spoke (with its role, `roleArn`) answered:
 * - on: recorded, so the spoke costs no call again;
 * - refused for good (Security Hub not enabled there, the role may not, or any other permanent
 *   failure): a permanent failure naming the account, the region and the fix, reported once:
 *   recorded with its kind, and the same refusal on a later run is only logged (each reconciler run tries again, so a spoke fixed
 *   later is turned on);
 * - anything else (throttled, a 5xx): logged, and the next reconciler run tries again.
 * Never a reason to hold mitigation up: the caller goes on whatever this says.
 */
export function decideIntegration(entry: RegisteredSpoke, answer: Answer<IntegrationResult>, roleArn: string): IntegrationStep {
  const where = { spoke: entry.spoke };
  if ('value' in answer) {
    const { turnedOn, alreadyOn, leftOff } = answer.value;
    const on: RegisteredSpoke = { ...entry, securityHubIntegration: 'on', securityHubRefusal: undefined };
    return {
      effects: [logLine('INFO', turnedOn.length > 0 ? 'security-hub-integration-turned-on' : 'security-hub-integration-already-on',
        { ...where, turnedOn, alreadyOn, leftOff })],
      entry: on,
    };
  }
  if (answer.errorClass !== 'permanent') {
    return {
      effects: [logLine('WARN', 'security-hub-integration-deferred', {
        ...where, error: errorName(answer.error), message: errorMessage(answer.error), reason: 'the next reconciler run tries again',
      })],
    };
  }
  const denied = ACCESS_DENIED.has(errorName(answer.error));
  const kind = answer.error instanceof SecurityHubNotEnabledError ? 'security-hub-not-enabled'
    : denied ? 'security-hub-integration-refused' : 'security-hub-integration-failed';
  if (entry.securityHubIntegration === 'refused' && entry.securityHubRefusal === kind) {
    return { effects: [logLine('INFO', 'security-hub-integration-still-refused', { ...where, kind, reason: 'reported before; tried again each reconciler run' })] };
  }
  const error = denied ? new IntegrationNotAllowedError(entry, roleArn, answer.error) : answer.error;
  return {
    effects: [permanentFailure(kind, error, { ...where, stage: 'security-hub-integration' })],
    entry: { ...entry, securityHubIntegration: 'refused', securityHubRefusal: kind },
  };
}
