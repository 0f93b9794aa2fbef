/**
 * The SNS emulator's subscriptions: a topic subscribed to Amazon SQS queues (the only protocol
 * emulated), what SNS delivers to those queues (the SubscriptionConfirmation and Notification
 * JSON documents, or the raw message with RawMessageDelivery), and the request checks of
 * Subscribe, ConfirmSubscription and ListSubscriptionsByTopic.
 *
 * As SNS does: a queue of the topic's own account is subscribed at once; a queue of another
 * account gets a SubscriptionConfirmation with a token and the subscription stays pending until
 * ConfirmSubscription is called with that token in the topic's region (the token is valid for
 * three days, https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html). Confirming again
 * with the same valid token answers the same subscription ARN. There is no SQS emulator: the
 * deliveries are recorded, for a test to hand to the code that reads the queue.
 */
import { createHash } from 'node:crypto';
import { formMap, Problem } from './aws-query';
import { sequentialId } from './http-emulator';
import { checkTopicArn, invalidParameter, TOPIC_ARN, unknownParameters } from './sns-model';

/** A confirmation token is valid for three days. */
export const TOKEN_LIFETIME_MS = 3 * 24 * 3600 * 1000;
/** ListSubscriptionsByTopic answers at most 100 subscriptions per page. */
const PAGE_SIZE = 100;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'];
const SUBSCRIPTION_ATTRIBUTES = [
  'DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy',
];

export interface SnsSubscription {
  subscriptionArn: string;
  topicArn: string;
  protocol: 'sqs';
  /** The SQS queue ARN. */
  endpoint: string;
  /** The account that subscribed. */
  owner: string;
  status: 'PendingConfirmation' | 'Confirmed';
  /** The token of the SubscriptionConfirmation (only a pending subscription needs it). */
  token?: string;
  /** Epoch milliseconds (emulators' clock) after which the token is refused. */
  tokenExpiresAt?: number;
  rawMessageDelivery: boolean;
  /** Set by ConfirmSubscription's AuthenticateOnUnsubscribe=true on a signed request. */
  authenticateOnUnsubscribe: boolean;
}

/** A message SNS sent to a subscribed queue: `body` is what the queue's consumer receives. */
export interface SnsDelivery {
  /** The SQS queue ARN. */
  endpoint: string;
  subscriptionArn: string;
  type: 'SubscriptionConfirmation' | 'Notification';
  body: string;
  time: number;
}

const SUBSCRIBE_PARAMS = new Set(['Action', 'Version', 'TopicArn', 'Protocol', 'Endpoint', 'ReturnSubscriptionArn']);
const CONFIRM_PARAMS = new Set(['Action', 'Version', 'TopicArn', 'Token', 'AuthenticateOnUnsubscribe']);
const LIST_PARAMS = new Set(['Action', 'Version', 'TopicArn', 'NextToken']);

const booleanProblem = (name: string, value: string | undefined): Problem[] =>
  (value === undefined || value === 'true' || value === 'false'
    ? [] : [invalidParameter(`${name}: '${value}' is not true or false`, `Invalid parameter: ${name}`)]);

/** Subscribe's constraints: a topic, the sqs protocol with a queue ARN, known attributes (RawMessageDelivery only emulated). */
export function checkSubscribe(params: Record<string, string>, signingRegion: string | undefined): Problem[] {
  const problems = [...unknownParameters(params, SUBSCRIBE_PARAMS, /^Attributes\.entry\.\d+\.(key|value)$/), ...checkTopicArn(params.TopicArn, signingRegion)];
  const { Protocol: protocol, Endpoint: endpoint } = params;
  if (protocol === undefined) {
    problems.push(invalidParameter('Protocol is missing', 'Invalid parameter: Protocol Reason: no value for required parameter'));
  } else if (!PROTOCOLS.includes(protocol)) {
    problems.push(invalidParameter(`Protocol: '${protocol}' is not one of ${PROTOCOLS.join(', ')}`, `Invalid parameter: Amazon SNS does not support this protocol string: ${protocol}`));
  } else if (protocol !== 'sqs') {
    problems.push(invalidParameter(`Protocol: only sqs is emulated, got '${protocol}'`, 'Invalid parameter: Protocol Reason: the SNS emulator only supports sqs'));
  } else if (endpoint === undefined || !QUEUE_ARN.test(endpoint)) {
    problems.push(invalidParameter(`Endpoint: '${endpoint ?? ''}' is not an SQS queue ARN`, 'Invalid parameter: SQS endpoint ARN'));
  }
  const attributes = formMap(params, 'Attributes');
  problems.push(...attributes.problems.map((p) => invalidParameter(p, 'Invalid parameter: Attributes')));
  for (const [name, value] of attributes.entries) {
    if (!SUBSCRIPTION_ATTRIBUTES.includes(name)) problems.push(invalidParameter(`Attributes: unknown attribute '${name}'`, 'Invalid parameter: Attributes Reason: Unknown attribute'));
    else if (name !== 'RawMessageDelivery') problems.push(invalidParameter(`Attributes: ${name} is not emulated (only RawMessageDelivery)`, `Invalid parameter: Attributes Reason: ${name} is not emulated`));
    else problems.push(...booleanProblem('Attributes RawMessageDelivery', value));
  }
  problems.push(...booleanProblem('ReturnSubscriptionArn', params.ReturnSubscriptionArn));
  return problems;
}

/** ConfirmSubscription's constraints: the topic (in the signing region) and a token. */
export function checkConfirmSubscription(params: Record<string, string>, signingRegion: string | undefined): Problem[] {
  const problems = [...unknownParameters(params, CONFIRM_PARAMS), ...checkTopicArn(params.TopicArn, signingRegion)];
  if (params.Token === undefined || params.Token === '') problems.push(invalidParameter('Token is missing', 'Invalid parameter: Token Reason: no value for required parameter'));
  problems.push(...booleanProblem('AuthenticateOnUnsubscribe', params.AuthenticateOnUnsubscribe));
  return problems;
}

/** ListSubscriptionsByTopic's constraints: the topic (in the signing region). */
export function checkListSubscriptionsByTopic(params: Record<string, string>, signingRegion: string | undefined): Problem[] {
  return [...unknownParameters(params, LIST_PARAMS), ...checkTopicArn(params.TopicArn, signingRegion)];
}

/** Whether the Subscribe request asks for raw message delivery. */
export function rawMessageDelivery(params: Record<string, string>): boolean {
  return formMap(params, 'Attributes').entries.some(([name, value]) => name === 'RawMessageDelivery' && value === 'true');
}

/** The SNS JSON document's common part: SNS signs it; the emulator's signature is a placeholder nobody can verify. */
function envelope(region: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    ...fields,
    SignatureVersion: '1',
    Signature: Buffer.from('sns-emulator-signature').toString('base64'),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-emulator.pem`,
  }, undefined, 2);
}

/** What a subscription's delivery needs of a published message. */
export interface PublishedForDelivery {
  topicArn: string;
  messageId: string;
  message: string;
  subject?: string;
  attributes: Array<{ name: string; dataType: string; value: string }>;
  time: number;
}

export class SnsSubscriptions {
  readonly subscriptions: SnsSubscription[] = [];
  readonly deliveries: SnsDelivery[] = [];
  private sequence = 0;

  clear(): void {
    this.subscriptions.length = 0;
    this.deliveries.length = 0;
    this.sequence = 0;
  }

  /**
   * Subscribes `endpoint` (an SQS queue ARN) to the topic, or answers the existing subscription
   * with the same endpoint. A queue in another account than the topic's gets a SubscriptionConfirmation.
   */
  subscribe(topicArn: string, endpoint: string, options: { owner: string; rawMessageDelivery: boolean; now: number }): SnsSubscription {
    const existing = this.subscriptions.find((s) => s.topicArn === topicArn && s.endpoint === endpoint);
    if (existing) return existing;
    const topic = TOPIC_ARN.exec(topicArn);
    const queue = QUEUE_ARN.exec(endpoint);
    if (!topic || !queue) throw new Error(`subscribe: '${topicArn}' must be a topic ARN and '${endpoint}' an SQS queue ARN`);
    this.sequence += 1;
    const subscription: SnsSubscription = {
      subscriptionArn: `${topicArn}:${sequentialId('55555555', this.sequence)}`,
      topicArn,
      protocol: 'sqs',
      endpoint,
      owner: options.owner,
      status: queue[2] === topic[2] ? 'Confirmed' : 'PendingConfirmation',
      rawMessageDelivery: options.rawMessageDelivery,
      authenticateOnUnsubscribe: false,
    };
    this.subscriptions.push(subscription);
    if (subscription.status === 'PendingConfirmation') {
      subscription.token = createHash('sha512').update(`${subscription.subscriptionArn} ${this.sequence}`).digest('hex');
      subscription.tokenExpiresAt = options.now + TOKEN_LIFETIME_MS;
      const region = topic[1];
      const query = `TopicArn=${encodeURIComponent(topicArn)}&Token=${subscription.token}`;
      this.deliveries.push({
        endpoint,
        subscriptionArn: subscription.subscriptionArn,
        type: 'SubscriptionConfirmation',
        time: Date.now(),
        body: envelope(region, {
          Type: 'SubscriptionConfirmation',
          MessageId: sequentialId('66666666', this.sequence),
          Token: subscription.token,
          TopicArn: topicArn,
          Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
          SubscribeURL: `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&${query}`,
          Timestamp: new Date(options.now).toISOString(),
        }),
      });
    }
    return subscription;
  }

  /** The subscription a valid, unexpired token of this topic confirms (now confirmed), or undefined. */
  confirm(topicArn: string, token: string, options: { authenticateOnUnsubscribe: boolean; now: number }): SnsSubscription | undefined {
    const s = this.subscriptions.find((x) => x.topicArn === topicArn && x.token === token);
    if (!s || s.tokenExpiresAt === undefined || options.now >= s.tokenExpiresAt) return undefined;
    s.status = 'Confirmed';
    if (options.authenticateOnUnsubscribe) s.authenticateOnUnsubscribe = true;
    return s;
  }

  /** One page of the topic's subscriptions and the token of the next page. */
  page(topicArn: string, nextToken: string | undefined): { page: SnsSubscription[]; nextToken?: string } | undefined {
    const all = this.subscriptions.filter((s) => s.topicArn === topicArn);
    const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64').toString('utf8').replace(/^page:/, ''));
    if (!Number.isInteger(start) || start < 0 || start > all.length) return undefined;
    const end = start + PAGE_SIZE;
    return { page: all.slice(start, end), nextToken: end < all.length ? Buffer.from(`page:${end}`).toString('base64') : undefined };
  }

  /** Delivers a published message to every confirmed subscription of its topic. */
  deliver(message: PublishedForDelivery): void {
    const region = (TOPIC_ARN.exec(message.topicArn) as RegExpExecArray)[1];
    for (const s of this.subscriptions.filter((x) => x.topicArn === message.topicArn && x.status === 'Confirmed')) {
      const attributes = Object.fromEntries(message.attributes.map((a) => [a.name, { Type: a.dataType, Value: a.value }]));
      const body = s.rawMessageDelivery ? message.message : envelope(region, {
        Type: 'Notification',
        MessageId: message.messageId,
        TopicArn: message.topicArn,
        ...(message.subject !== undefined ? { Subject: message.subject } : {}),
        Message: message.message,
        Timestamp: new Date(message.time).toISOString(),
        UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(s.subscriptionArn)}`,
        ...(message.attributes.length > 0 ? { MessageAttributes: attributes } : {}),
      });
      this.deliveries.push({ endpoint: s.endpoint, subscriptionArn: s.subscriptionArn, type: 'Notification', body, time: message.time });
    }
  }
}
