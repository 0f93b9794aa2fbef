/**
 * In-process HTTP emulator of Amazon SNS: Publish, Subscribe (to Amazon SQS queues),
 * ConfirmSubscription and ListSubscriptionsByTopic. Tests point the real `@aws-sdk/client-sns`
 * client at `emulator.endpoint` (the `endpoint` option, or the `AWS_ENDPOINT_URL_SNS` environment
 * variable a Lambda handler's client picks up); the emulator speaks the awsQuery protocol
 * (`aws-query.ts`) exactly as the SDK expects it, records every request with the constraint
 * violations it carries (`sns-model.ts`, `sns-subscriptions.ts`), keeps the published messages and
 * what SNS delivered to subscribed queues, and can inject faults.
 *
 * Topics are named by ARN, which carries their account and region: SNS needs no `at()`. A request
 * acts as its caller (`identity.ts`): a topic answers only in its own region (a TopicArn of
 * another region is a violation), and only its own account may Publish to it, Subscribe to it or
 * list its subscriptions (the default topic policy; anyone else gets AuthorizationError). The SDK
 * maps error codes through the model's awsQueryError traits (NotFound -> NotFoundException,
 * AuthorizationError -> AuthorizationErrorException, InternalError -> InternalErrorException,
 * InvalidParameter -> InvalidParameterException, ParameterValueInvalid ->
 * InvalidParameterValueException); unmodeled codes such as `Throttling` become an
 * `SNSServiceException` named after the code.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { authError, escapeXml, parseForm, Problem, QueryError, sendQueryError, sendResult, xmlElement } from './aws-query';
import { BaseFaultSpec, EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { API_VERSION, checkPublish, invalidParameter, MessageAttribute, TOPIC_ARN, XML_NAMESPACE } from './sns-model';
import {
  checkConfirmSubscription, checkListSubscriptionsByTopic, checkSubscribe, rawMessageDelivery, SnsDelivery, SnsSubscription, SnsSubscriptions,
} from './sns-subscriptions';

export type { SnsDelivery, SnsSubscription } from './sns-subscriptions';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  /** Attribute name -> StringValue (or the base64 BinaryValue for Binary attributes). */
  messageAttributes: Record<string, string>;
  /** Attribute name -> DataType ('String', 'Number', 'Binary', 'String.Array', ...). */
  messageAttributeTypes: Record<string, string>;
  /** The MessageId returned to the publisher. */
  messageId: string;
  /** Present only when the request carried it. */
  messageStructure?: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** Epoch milliseconds at which the request arrived. */
  time: number;
}

export interface RecordedSnsRequest extends RequestScope {
  /** The `Action` form parameter ('' when absent). */
  action: string;
  /** Decoded form parameters (first value wins for a repeated key). */
  params: Record<string, string>;
  /** HTTP status returned. */
  status: number;
  /** The error `Code` returned, when status is not 200. */
  errorCode?: string;
  violations: string[];
  /** Epoch milliseconds at which the request arrived. */
  time: number;
}

export type SnsFaultKind = 'throttled' | 'internalError' | 'authorizationError';

export interface SnsFaultSpec extends BaseFaultSpec {
  /**
   * - throttled: 400 `Throttling` "Rate exceeded" (Sender); the SDK retries it (throttling error code).
   * - internalError: 500 `InternalError` (Receiver); the SDK retries it (transient 5xx), then raises InternalErrorException.
   * - authorizationError: 403 `AuthorizationError` (Sender); not retried, SDK raises AuthorizationErrorException.
   */
  kind: SnsFaultKind;
  /** The Action it hits (`Publish`, `Subscribe`, ...); omitted = any. */
  operation?: string;
}

const ACTIONS = ['Publish', 'Subscribe', 'ConfirmSubscription', 'ListSubscriptionsByTopic'];

const notAuthorized = (principal: string, action: string, resource: string): QueryError => ({
  status: 403,
  type: 'Sender',
  code: 'AuthorizationError',
  message: `User: ${principal} is not authorized to perform: SNS:${action} on resource: ${resource} because no resource-based policy allows the SNS:${action} action`,
});

const FAULTS: Readonly<Record<SnsFaultKind, (principal: string, action: string, topicArn: string) => QueryError>> = {
  throttled: () => ({ status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' }),
  internalError: () => ({ status: 500, type: 'Receiver', code: 'InternalError', message: 'Internal Error (injected)' }),
  authorizationError: notAuthorized,
};

const NOT_FOUND: QueryError = { status: 404, type: 'Sender', code: 'NotFound', message: 'Topic does not exist' };

export class SnsEmulator extends HttpEmulator<SnsFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<SnsEmulator> {
    return new SnsEmulator(options.seed ?? 42, options).listen();
  }

  /** Successfully published messages, to any topic, in order. */
  public readonly published: PublishedMessage[] = [];
  /** Every request, in order, including rejected and faulted ones. */
  public readonly requests: RecordedSnsRequest[] = [];

  private readonly topics = new Set<string>();
  private readonly subscriptionState = new SnsSubscriptions();
  private readonly sequences = { messages: 0, requests: 0 };

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  // -------------------------------------------------------------------------------------------
  // Seeding, inspection and control
  // -------------------------------------------------------------------------------------------

  /** Messages successfully published to `topicArn`, in order. */
  publishedTo(topicArn: string): PublishedMessage[] {
    return this.published.filter((m) => m.topicArn === topicArn);
  }

  /** Parsed JSON of each message published to the topic (throws a readable error if one is not JSON). */
  jsonPublishedTo(topicArn: string): unknown[] {
    return this.publishedTo(topicArn).map((m, i) => {
      try {
        return JSON.parse(m.message) as unknown;
      } catch (err) {
        const excerpt = m.message.length > 200 ? `${m.message.slice(0, 200)}...` : m.message;
        throw new Error(`SNS emulator: message #${i} published to ${topicArn} (MessageId ${m.messageId}) is not JSON `
          + `(${(err as Error).message}): ${JSON.stringify(excerpt)}`);
      }
    });
  }

  /** Registers a topic (its ARN names its account and region); Publish to any topic not added here fails with 404 NotFound. */
  addTopic(topicArn: string): void {
    if (!TOPIC_ARN.test(topicArn)) throw new Error(`addTopic: '${topicArn}' is not a valid SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
    this.topics.add(topicArn);
  }

  /**
   * Subscribes an SQS queue to a topic as its owner would (as a CloudFormation `AWS::SNS::Subscription`
   * in the topic's stack does): a queue of another account stays pending and receives a
   * SubscriptionConfirmation (see `deliveredTo`) until ConfirmSubscription is called with its token.
   */
  subscribe(topicArn: string, queueArn: string, options: { rawMessageDelivery?: boolean } = {}): SnsSubscription {
    if (!this.topics.has(topicArn)) throw new Error(`subscribe: topic ${topicArn} does not exist (addTopic first)`);
    const owner = (TOPIC_ARN.exec(topicArn) as RegExpExecArray)[2];
    return structuredClone(this.subscriptionState.subscribe(topicArn, queueArn, {
      owner, rawMessageDelivery: options.rawMessageDelivery ?? false, now: this.identities.now(),
    }));
  }

  /** The subscriptions (of one topic, or all), pending or confirmed, in the order they were made. */
  subscriptions(topicArn?: string): SnsSubscription[] {
    return this.subscriptionState.subscriptions.filter((s) => topicArn === undefined || s.topicArn === topicArn).map((s) => structuredClone(s));
  }

  /** What SNS delivered to an SQS queue (confirmations and notifications), in order. */
  deliveredTo(queueArn: string): SnsDelivery[] {
    return this.subscriptionState.deliveries.filter((d) => d.endpoint === queueArn).map((d) => ({ ...d }));
  }

  /** All constraint violations of all recorded requests, as '<Action>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.action || '(no Action)'}: ${v}`));
  }

  /** Clears topics, subscriptions, deliveries, published messages, recorded requests and faults; re-seeds the PRNG. */
  reset(): void {
    this.published.length = 0;
    this.requests.length = 0;
    this.resetFaults();
    this.topics.clear();
    this.subscriptionState.clear();
    this.sequences.messages = 0;
    this.sequences.requests = 0;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const { params, duplicates } = parseForm(text);
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const record: RecordedSnsRequest = { action: params.Action ?? '', params, status: 0, violations: [], time, ...scope };
    this.requests.push(record);
    if (attribution.kind === 'refused') {
      this.respondError(record, res, authError(attribution.refusal));
      return;
    }
    const signingRegion = attribution.kind === 'caller' ? attribution.caller.region : undefined;

    // Transport-level checks. Every violation is recorded; the first one decides the error response.
    const transport: Problem[] = [];
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (method !== 'POST' || path !== '/') {
      transport.push(invalidParameter(`expected POST /, got ${method} ${path}`, `The SNS emulator only accepts POST /, got ${method} ${path}`));
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      transport.push(invalidParameter(`content-type must be application/x-www-form-urlencoded, got '${contentType}'`, 'Invalid content-type'));
    }
    for (const key of duplicates) transport.push(invalidParameter(`parameter '${key}' is repeated`, `Invalid parameter: ${key}`));
    if (attribution.kind === 'unsigned') {
      transport.push({
        violation: 'request is not SigV4-signed (no AWS4-HMAC-SHA256 Authorization header)',
        error: { status: 403, type: 'Sender', code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' },
      });
    } else if (attribution.caller.service !== 'sns') {
      transport.push({
        violation: `request is signed for service '${attribution.caller.service}', not 'sns'`,
        error: { status: 403, type: 'Sender', code: 'InvalidSignature', message: "Credential should be scoped to correct service: 'sns'." },
      });
    }

    let problems: Problem[];
    let attributes: MessageAttribute[] = [];
    if (!ACTIONS.includes(record.action)) {
      const what = record.action === '' ? 'no Action parameter' : `Action '${record.action}' is not emulated (only ${ACTIONS.join(', ')})`;
      problems = [{ violation: what, error: { status: 400, type: 'Sender', code: 'InvalidAction', message: `Could not find operation ${record.action} for version ${params.Version ?? ''}` } }];
    } else if (params.Version !== API_VERSION) {
      problems = [{ violation: `Version must be ${API_VERSION}, got '${params.Version ?? ''}'`, error: { status: 400, type: 'Sender', code: 'InvalidAction', message: `Could not find operation ${record.action} for version ${params.Version ?? ''}` } }];
    } else if (record.action === 'Publish') {
      ({ problems, attributes } = checkPublish(params, signingRegion));
    } else if (record.action === 'Subscribe') {
      problems = checkSubscribe(params, signingRegion);
    } else if (record.action === 'ConfirmSubscription') {
      problems = checkConfirmSubscription(params, signingRegion);
    } else {
      problems = checkListSubscriptionsByTopic(params, signingRegion);
    }
    const all = [...transport, ...problems];
    record.violations.push(...all.map((p) => p.violation));

    const principal = scope.principalArn ?? 'anonymous';
    const fault = this.takeFault(record.action, scope);
    if (fault) {
      this.respondError(record, res, FAULTS[fault.kind](principal, record.action, params.TopicArn ?? '*'));
      return;
    }
    if (all.length > 0) {
      this.respondError(record, res, all[0].error);
      return;
    }
    const topicArn = params.TopicArn as string;
    if (!this.topics.has(topicArn)) {
      this.respondError(record, res, NOT_FOUND);
      return;
    }
    // The default topic policy: only the topic's account may publish, subscribe and list; anyone holding a token may confirm.
    if (record.action !== 'ConfirmSubscription' && (TOPIC_ARN.exec(topicArn) as RegExpExecArray)[2] !== scope.account) {
      this.respondError(record, res, notAuthorized(principal, record.action, topicArn));
      return;
    }
    const result = this.perform(record, attributes, time);
    if ('error' in result) {
      this.respondError(record, res, result.error);
      return;
    }
    record.status = 200;
    sendResult(res, XML_NAMESPACE, record.action, this.nextId('requests'), result.xml);
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    sendQueryError(res, XML_NAMESPACE, this.nextId('requests'), { status: 500, type: 'Receiver', code: 'InternalError', message: `SNS emulator bug: ${String(err)}` });
  }

  protected isFaultKind(kind: string): boolean {
    return kind in FAULTS;
  }

  /** Carries out a valid request on an existing topic its caller may use; answers the result's inner XML. */
  private perform(record: RecordedSnsRequest, attributes: MessageAttribute[], time: number): { xml: string } | { error: QueryError } {
    const params = record.params;
    const topicArn = params.TopicArn as string;
    const now = this.identities.now();
    switch (record.action) {
      case 'Subscribe': {
        const endpoint = params.Endpoint as string;
        const raw = rawMessageDelivery(params);
        const existing = this.subscriptionState.subscriptions.find((s) => s.topicArn === topicArn && s.endpoint === endpoint);
        if (existing && existing.rawMessageDelivery !== raw) {
          return { error: { status: 400, type: 'Sender', code: 'InvalidParameter', message: 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes' } };
        }
        const s = this.subscriptionState.subscribe(topicArn, endpoint, { owner: record.account, rawMessageDelivery: raw, now });
        const pending = s.status === 'PendingConfirmation' && params.ReturnSubscriptionArn !== 'true';
        return { xml: xmlElement('SubscriptionArn', pending ? 'pending confirmation' : s.subscriptionArn) };
      }
      case 'ConfirmSubscription': {
        const s = this.subscriptionState.confirm(topicArn, params.Token as string, {
          authenticateOnUnsubscribe: params.AuthenticateOnUnsubscribe === 'true' && record.principalArn !== undefined, now,
        });
        return s ? { xml: xmlElement('SubscriptionArn', s.subscriptionArn) } : { error: { status: 400, type: 'Sender', code: 'InvalidParameter', message: 'Invalid token' } };
      }
      case 'ListSubscriptionsByTopic': {
        const page = this.subscriptionState.page(topicArn, params.NextToken);
        if (!page) return { error: { status: 400, type: 'Sender', code: 'InvalidParameter', message: 'Invalid parameter: NextToken' } };
        const members = page.page.map((s) => '<member>'
          + xmlElement('TopicArn', s.topicArn) + xmlElement('Protocol', s.protocol)
          + xmlElement('SubscriptionArn', s.status === 'Confirmed' ? s.subscriptionArn : 'PendingConfirmation')
          + xmlElement('Owner', s.owner) + xmlElement('Endpoint', s.endpoint) + '</member>').join('');
        return { xml: `<Subscriptions>${members}</Subscriptions>${xmlElement('NextToken', page.nextToken)}` };
      }
      default: return { xml: this.publish(params, attributes, time) };
    }
  }

  private publish(params: Record<string, string>, attributes: MessageAttribute[], time: number): string {
    const topicArn = params.TopicArn as string;
    const messageId = this.nextId('messages');
    const message: PublishedMessage = {
      topicArn,
      message: params.Message as string,
      messageAttributes: Object.fromEntries(attributes.map((a) => [a.name, a.binaryValue ?? a.stringValue ?? ''])),
      messageAttributeTypes: Object.fromEntries(attributes.map((a) => [a.name, a.dataType])),
      messageId,
      time,
    };
    if (params.Subject !== undefined) message.subject = params.Subject;
    if (params.MessageStructure !== undefined) message.messageStructure = params.MessageStructure;
    if (params.MessageGroupId !== undefined) message.messageGroupId = params.MessageGroupId;
    if (params.MessageDeduplicationId !== undefined) message.messageDeduplicationId = params.MessageDeduplicationId;
    this.published.push(message);
    this.subscriptionState.deliver({
      topicArn,
      messageId,
      message: message.message,
      subject: message.subject,
      time,
      attributes: attributes.map((a) => ({ name: a.name, dataType: a.dataType, value: a.binaryValue ?? a.stringValue ?? '' })),
    });
    const sequenceNumber = topicArn.endsWith('.fifo') ? `<SequenceNumber>1${String(this.sequences.messages).padStart(19, '0')}</SequenceNumber>` : '';
    return `<MessageId>${escapeXml(messageId)}</MessageId>${sequenceNumber}`;
  }

  private respondError(record: RecordedSnsRequest, res: http.ServerResponse, error: QueryError): void {
    record.status = error.status;
    record.errorCode = error.code;
    sendQueryError(res, XML_NAMESPACE, this.nextId('requests'), error);
  }

  /** Deterministic UUID-shaped ids: one sequence for message ids, one for request ids. */
  private nextId(kind: 'messages' | 'requests'): string {
    this.sequences[kind] += 1;
    return sequentialId(kind === 'messages' ? '22222222' : '33333333', this.sequences[kind]);
  }
}

/**
 * Jest helper: fails with one line per violation when the emulator recorded any request
 * constraint violation.
 */
export function expectNoSnsViolations(emulator: SnsEmulator): void {
  throwOnViolations('SNS', emulator.violations());
}
