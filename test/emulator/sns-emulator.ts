/**
 * In-process HTTP emulator of the Amazon SNS `Publish` operation. Tests point the real
 * `@aws-sdk/client-sns` client at `emulator.endpoint` (the `endpoint` option, or the
 * `AWS_ENDPOINT_URL_SNS` environment variable a Lambda handler's client picks up); the emulator
 * speaks the awsQuery protocol exactly as the SDK expects it, records every request with the
 * constraint violations it carries, keeps the successfully published messages, and can inject faults.
 *
 * Wire format (confirmed against @aws-sdk/client-sns 3.x and @aws-sdk/core's AwsQueryProtocol):
 *  - request: `POST /`, `content-type: application/x-www-form-urlencoded`, SigV4-signed for service
 *    `sns`, body `Action=Publish&Version=2010-03-31&Message=..&TopicArn=..&Subject=..` followed by
 *    `MessageAttributes.entry.N.Name`, `.Value.DataType`, `.Value.StringValue` / `.Value.BinaryValue`
 *    (base64); values are percent-encoded (space = %20, '+' = %2B).
 *  - success: XML `<PublishResponse xmlns=".."><PublishResult><MessageId>..</MessageId></PublishResult>
 *    <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></PublishResponse>`.
 *  - error: XML `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>..</Code><Message>..</Message>
 *    </Error><RequestId>..</RequestId></ErrorResponse>`; the SDK maps `Code` through the model's
 *    awsQueryError trait (NotFound -> NotFoundException, AuthorizationError -> AuthorizationErrorException,
 *    InternalError -> InternalErrorException, InvalidParameter -> InvalidParameterException,
 *    ParameterValueInvalid -> InvalidParameterValueException); unmodeled codes such as `Throttling`
 *    become an `SNSServiceException` named after the code.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { HttpEmulator, sequentialId, throwOnViolations } from './http-emulator';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

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

export interface RecordedSnsRequest {
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

export interface SnsFaultSpec {
  /**
   * - throttled: 400 `Throttling` "Rate exceeded" (Sender); the SDK retries it (throttling error code).
   * - internalError: 500 `InternalError` (Receiver); the SDK retries it (transient 5xx), then raises InternalErrorException.
   * - authorizationError: 403 `AuthorizationError` (Sender); not retried, SDK raises AuthorizationErrorException.
   */
  kind: SnsFaultKind;
  /** How many requests the fault hits; default 1; Infinity allowed. */
  times?: number;
  /** Chance (0..1) that a request is hit, drawn from the emulator's seeded PRNG; default 1. */
  probability?: number;
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

const API_VERSION = '2010-03-31';
const XML_NAMESPACE = `http://sns.amazonaws.com/doc/${API_VERSION}/`;
/** Default topic MaximumMessageSize: 256 KiB, body plus attributes, in UTF-8 bytes. */
const MAX_MESSAGE_BYTES = 262144;
const MAX_SUBJECT_CHARS = 100;
const MAX_ATTRIBUTE_NAME_CHARS = 256;
const MAX_GROUP_OR_DEDUP_ID_CHARS = 128;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;
/** Alphanumerics and ASCII punctuation, as documented for MessageGroupId / MessageDeduplicationId. */
const GROUP_OR_DEDUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTRIBUTE_DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/;
const NUMBER_VALUE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ATTRIBUTE_KEY = /^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/;
const PUBLISH_PARAMS: ReadonlySet<string> = new Set([
  'Action', 'Version', 'TopicArn', 'TargetArn', 'PhoneNumber', 'Message', 'Subject', 'MessageStructure',
  'MessageDeduplicationId', 'MessageGroupId',
]);

type ErrorType = 'Sender' | 'Receiver';

interface ErrorSpec {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
}

/** A request-constraint violation and the SNS error it earns. */
interface Problem {
  violation: string;
  error: ErrorSpec;
}

const invalidParameter = (violation: string, message: string): Problem =>
  ({ violation, error: { status: 400, type: 'Sender', code: 'InvalidParameter', message } });
const invalidParameterValue = (violation: string, message: string): Problem =>
  ({ violation, error: { status: 400, type: 'Sender', code: 'ParameterValueInvalid', message } });

const FAULTS: Readonly<Record<SnsFaultKind, (topicArn: string) => ErrorSpec>> = {
  throttled: () => ({ status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' }),
  internalError: () => ({ status: 500, type: 'Receiver', code: 'InternalError', message: 'Internal Error (injected)' }),
  authorizationError: (topicArn) => ({
    status: 403,
    type: 'Sender',
    code: 'AuthorizationError',
    message: `User: arn:aws:sts::123456789012:assumed-role/sns-emulator-role/handler is not authorized to perform: SNS:Publish on resource: ${topicArn} because no identity-based policy allows the SNS:Publish action`,
  }),
};

interface MessageAttribute {
  name: string;
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function escapeXml(s: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
  return s.replace(/[&<>"']/g, (c) => entities[c]);
}

/** Decodes an application/x-www-form-urlencoded body; repeated keys are reported, first value wins. */
function parseForm(text: string): { params: Record<string, string>; duplicates: string[] } {
  const params: Record<string, string> = {};
  const duplicates: string[] = [];
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.prototype.hasOwnProperty.call(params, key)) duplicates.push(key);
    else params[key] = value;
  }
  return { params, duplicates };
}

/** Signing region and service from a SigV4 Authorization header, if it is one. */
function sigV4Scope(authorization: string | undefined): { region: string; service: string } | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request,/.exec(authorization ?? '');
  return m ? { region: m[1], service: m[2] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Publish request model checks
// ---------------------------------------------------------------------------------------------

/** Groups `MessageAttributes.entry.N.*` parameters into attributes, reporting malformed entries. */
function collectAttributes(params: Record<string, string>, problems: Problem[]): MessageAttribute[] {
  const entries = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(params)) {
    const m = ATTRIBUTE_KEY.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    const entry = entries.get(index) ?? {};
    entry[m[2]] = value;
    entries.set(index, entry);
  }
  const indexes = [...entries.keys()].sort((a, b) => a - b);
  indexes.forEach((index, i) => {
    if (index !== i + 1) {
      problems.push(invalidParameter(`MessageAttributes.entry.${index}: entries must be numbered 1..N without gaps`, 'Invalid parameter: MessageAttributes'));
    }
  });
  const attributes: MessageAttribute[] = [];
  const seen = new Set<string>();
  for (const index of indexes) {
    const e = entries.get(index) as Record<string, string>;
    const name = e.Name;
    if (name === undefined) {
      problems.push(invalidParameter(`MessageAttributes.entry.${index}.Name is missing`, 'Invalid parameter: MessageAttributes'));
      continue;
    }
    if (seen.has(name)) {
      problems.push(invalidParameterValue(`MessageAttributes: duplicate attribute name '${name}'`, `Message attribute name '${name}' is repeated.`));
    }
    seen.add(name);
    attributes.push({ name, dataType: e['Value.DataType'] ?? '', stringValue: e['Value.StringValue'], binaryValue: e['Value.BinaryValue'] });
  }
  for (const a of attributes) problems.push(...checkAttribute(a));
  return attributes;
}

function checkAttribute(a: MessageAttribute): Problem[] {
  const problems: Problem[] = [];
  const bad = (violation: string, message: string): void => {
    problems.push(invalidParameterValue(`MessageAttributes '${a.name}': ${violation}`, message));
  };
  const name = a.name;
  if (name.length === 0 || name.length > MAX_ATTRIBUTE_NAME_CHARS) {
    bad(`name must be 1..${MAX_ATTRIBUTE_NAME_CHARS} characters`, `Message attribute name '${name}' has an invalid length.`);
  }
  if (name.length > 0 && !ATTRIBUTE_NAME.test(name)) {
    bad('name may contain only A-Z, a-z, 0-9, underscore, hyphen and period', `Message attribute name '${name}' has an invalid character.`);
  }
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    bad('name must not start or end with a period or contain successive periods', `Message attribute name '${name}' has an invalid period.`);
  }
  if (/^(aws|amazon)\./i.test(name)) {
    bad("name must not start with the reserved prefixes 'AWS.' or 'Amazon.'", `Message attribute name '${name}' uses a reserved prefix.`);
  }
  if (a.dataType === '') {
    bad('Value.DataType is missing', `The message attribute '${name}' must contain a message attribute type.`);
    return problems;
  }
  if (!ATTRIBUTE_DATA_TYPE.test(a.dataType)) {
    bad(`unknown DataType '${a.dataType}'`, `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    return problems;
  }
  const base = a.dataType.split('.')[0];
  if (base === 'Binary') {
    if (a.stringValue !== undefined) bad('a Binary attribute must not carry StringValue', `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
    if (!a.binaryValue) {
      bad('a Binary attribute needs a non-empty BinaryValue', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${a.dataType}'.`);
    } else if (!BASE64.test(a.binaryValue)) {
      bad('BinaryValue is not valid base64', `The message attribute '${name}' has an invalid binary value.`);
    }
    return problems;
  }
  if (a.binaryValue !== undefined) bad(`a ${base} attribute must not carry BinaryValue`, `The message attribute '${name}' with type '${base}' must use field 'String'.`);
  if (!a.stringValue) {
    bad(`a ${base} attribute needs a non-empty StringValue`, `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${a.dataType}'.`);
    return problems;
  }
  if (base === 'Number') {
    const digits = a.stringValue.replace(/[eE].*$/, '').replace(/\D/g, '').replace(/^0+/, '');
    if (!NUMBER_VALUE.test(a.stringValue) || digits.length > 38) {
      bad(`'${a.stringValue}' is not a number of at most 38 significant digits`, `Could not cast message attribute '${name}' value to number.`);
    }
  }
  if (a.dataType === 'String.Array') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(a.stringValue);
    } catch {
      parsed = undefined;
    }
    const scalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
    if (!Array.isArray(parsed) || !parsed.every(scalar)) {
      bad('String.Array value must be a JSON array of strings, numbers, booleans or nulls', `The message attribute '${name}' has an invalid message attribute value for type 'String.Array'.`);
    }
  }
  return problems;
}

function checkSubject(subject: string): Problem[] {
  const problems: Problem[] = [];
  const bad = (violation: string): void => {
    problems.push(invalidParameter(`Subject: ${violation}`, 'Invalid parameter: Subject'));
  };
  const chars = [...subject];
  if (chars.length > MAX_SUBJECT_CHARS) bad(`must be at most ${MAX_SUBJECT_CHARS} characters, got ${chars.length}`);
  if (/\p{Cc}/u.test(subject)) bad('must not contain line breaks or control characters');
  if (!/^[\p{L}\p{N}\p{P}]/u.test(subject)) bad('must begin with a letter, number, or punctuation mark');
  return problems;
}

function checkGroupOrDedupId(name: 'MessageGroupId' | 'MessageDeduplicationId', value: string): Problem[] {
  if (value.length >= 1 && value.length <= MAX_GROUP_OR_DEDUP_ID_CHARS && GROUP_OR_DEDUP_ID.test(value)) return [];
  return [invalidParameter(`${name}: must be 1..${MAX_GROUP_OR_DEDUP_ID_CHARS} alphanumeric or punctuation characters`, `Invalid parameter: ${name}`)];
}

function checkMessageStructure(structure: string, message: string): Problem[] {
  if (structure !== 'json') {
    return [invalidParameter(`MessageStructure: only 'json' is valid, got '${structure}'`, 'Invalid parameter: MessageStructure')];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [invalidParameter('Message: MessageStructure=json but the message is not valid JSON', 'Invalid parameter: Message Structure - JSON message body failed to parse')];
  }
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  if (!isObject || typeof (parsed as Record<string, unknown>).default !== 'string') {
    return [invalidParameter("Message: MessageStructure=json requires a JSON object with a string 'default' key", 'Invalid parameter: Message Structure - No default entry in JSON message body')];
  }
  return [];
}

interface PublishCheck {
  problems: Problem[];
  attributes: MessageAttribute[];
}

/** All model constraints of a Publish request (plus the emulator's "topics only" limitation). */
function checkPublish(params: Record<string, string>, signingRegion: string | undefined): PublishCheck {
  const problems: Problem[] = [];
  for (const key of Object.keys(params)) {
    if (!PUBLISH_PARAMS.has(key) && !ATTRIBUTE_KEY.test(key)) {
      problems.push(invalidParameter(`unknown parameter '${key}'`, `Invalid parameter: ${key}`));
    }
  }
  const { TopicArn: topicArn, TargetArn: targetArn, PhoneNumber: phoneNumber, Message: message, Subject: subject } = params;
  if (topicArn === undefined) {
    problems.push(targetArn !== undefined || phoneNumber !== undefined
      ? invalidParameter('TopicArn is missing: the SNS emulator only supports publishing to topics (not TargetArn / PhoneNumber)',
        'Invalid parameter: TopicArn Reason: the SNS emulator only supports publishing to topics')
      : invalidParameter('TopicArn is missing', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter'));
  } else {
    if (targetArn !== undefined || phoneNumber !== undefined) {
      problems.push(invalidParameter('TopicArn must not be combined with TargetArn or PhoneNumber', 'Invalid parameter: TopicArn Reason: only one of TopicArn, TargetArn or PhoneNumber may be given'));
    }
    const m = TOPIC_ARN.exec(topicArn);
    if (!m) {
      problems.push(invalidParameter(`TopicArn: '${topicArn}' is not a valid SNS topic ARN`, 'Invalid parameter: TopicArn'));
    } else if (signingRegion !== undefined && m[1] !== signingRegion) {
      problems.push(invalidParameter(`TopicArn: topic region ${m[1]} differs from the request's signing region ${signingRegion}`, 'Invalid parameter: TopicArn'));
    } else if (m[3].endsWith('.fifo') && params.MessageGroupId === undefined) {
      problems.push(invalidParameter('MessageGroupId is required when publishing to a FIFO topic', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics'));
    }
  }
  if (message === undefined) {
    problems.push(invalidParameter('Message is missing', 'Invalid parameter: Message Reason: no value for required parameter'));
  } else if (message.length === 0) {
    problems.push(invalidParameter('Message must not be empty', 'Invalid parameter: Empty message'));
  } else if (utf8Bytes(message) > MAX_MESSAGE_BYTES) {
    problems.push(invalidParameter(`Message: ${utf8Bytes(message)} UTF-8 bytes exceeds the ${MAX_MESSAGE_BYTES}-byte (256 KiB) limit`, 'Invalid parameter: Message too long'));
  }
  if (subject !== undefined) problems.push(...checkSubject(subject));
  if (params.MessageStructure !== undefined && message !== undefined) problems.push(...checkMessageStructure(params.MessageStructure, message));
  if (params.MessageGroupId !== undefined) problems.push(...checkGroupOrDedupId('MessageGroupId', params.MessageGroupId));
  if (params.MessageDeduplicationId !== undefined) problems.push(...checkGroupOrDedupId('MessageDeduplicationId', params.MessageDeduplicationId));

  const attributes = collectAttributes(params, problems);
  if (message !== undefined && utf8Bytes(message) <= MAX_MESSAGE_BYTES) {
    const attributeBytes = attributes.reduce((sum, a) => sum + utf8Bytes(a.name) + utf8Bytes(a.dataType)
      + (a.binaryValue !== undefined ? Buffer.from(a.binaryValue, 'base64').length : utf8Bytes(a.stringValue ?? '')), 0);
    const total = utf8Bytes(message) + attributeBytes;
    if (total > MAX_MESSAGE_BYTES) {
      problems.push(invalidParameter(`Message plus MessageAttributes: ${total} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte (256 KiB) limit`, 'Invalid parameter: Message too long'));
    }
  }
  return { problems, attributes };
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

export class SnsEmulator extends HttpEmulator<SnsFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: { seed?: number } = {}): Promise<SnsEmulator> {
    return new SnsEmulator(options.seed ?? 42).listen();
  }

  /** Successfully published messages, in order. */
  public readonly published: PublishedMessage[] = [];
  /** Every request, in order, including rejected and faulted ones. */
  public readonly requests: RecordedSnsRequest[] = [];

  private readonly topics = new Set<string>();
  private readonly sequences = { messages: 0, requests: 0 };

  private constructor(seed: number) {
    super(seed);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection and control
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

  /** Registers a topic; Publish to any topic not added here fails with 404 NotFound. */
  addTopic(topicArn: string): void {
    if (!TOPIC_ARN.test(topicArn)) throw new Error(`addTopic: '${topicArn}' is not a valid SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
    this.topics.add(topicArn);
  }

  /** All constraint violations of all recorded requests, as '<Action>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.action || '(no Action)'}: ${v}`));
  }

  /** Clears topics, published messages, recorded requests and faults; re-seeds the PRNG. */
  reset(): void {
    this.published.length = 0;
    this.requests.length = 0;
    this.resetFaults();
    this.topics.clear();
    this.sequences.messages = 0;
    this.sequences.requests = 0;
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const { params, duplicates } = parseForm(text);
    const record: RecordedSnsRequest = { action: params.Action ?? '', params, status: 0, violations: [], time };
    this.requests.push(record);

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
    const scope = sigV4Scope(req.headers.authorization);
    if (!scope) {
      transport.push({
        violation: 'request is not SigV4-signed (no AWS4-HMAC-SHA256 Authorization header)',
        error: { status: 403, type: 'Sender', code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' },
      });
    } else if (scope.service !== 'sns') {
      transport.push({
        violation: `request is signed for service '${scope.service}', not 'sns'`,
        error: { status: 403, type: 'Sender', code: 'InvalidSignature', message: "Credential should be scoped to correct service: 'sns'." },
      });
    }

    let problems: Problem[];
    let attributes: MessageAttribute[] = [];
    if (record.action !== 'Publish') {
      const what = record.action === '' ? 'no Action parameter' : `Action '${record.action}' is not emulated (only Publish)`;
      problems = [{ violation: what, error: { status: 400, type: 'Sender', code: 'InvalidAction', message: `Could not find operation ${record.action} for version ${params.Version ?? ''}` } }];
    } else if (params.Version !== API_VERSION) {
      problems = [{ violation: `Version must be ${API_VERSION}, got '${params.Version ?? ''}'`, error: { status: 400, type: 'Sender', code: 'InvalidAction', message: `Could not find operation Publish for version ${params.Version ?? ''}` } }];
    } else {
      ({ problems, attributes } = checkPublish(params, scope?.region));
    }
    const all = [...transport, ...problems];
    record.violations.push(...all.map((p) => p.violation));

    const fault = this.takeFault();
    if (fault) {
      this.respondError(record, res, FAULTS[fault.kind](params.TopicArn ?? '*'));
      return;
    }
    if (all.length > 0) {
      this.respondError(record, res, all[0].error);
      return;
    }
    const topicArn = params.TopicArn as string;
    if (!this.topics.has(topicArn)) {
      this.respondError(record, res, { status: 404, type: 'Sender', code: 'NotFound', message: 'Topic does not exist' });
      return;
    }

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

    const sequenceNumber = topicArn.endsWith('.fifo')
      ? `<SequenceNumber>1${String(this.sequences.messages).padStart(19, '0')}</SequenceNumber>`
      : '';
    const requestId = this.nextId('requests');
    record.status = 200;
    this.send(res, 200, requestId,
      `<PublishResponse xmlns="${XML_NAMESPACE}">`
      + `<PublishResult><MessageId>${messageId}</MessageId>${sequenceNumber}</PublishResult>`
      + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`
      + '</PublishResponse>');
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    this.sendError(res, { status: 500, type: 'Receiver', code: 'InternalError', message: `SNS emulator bug: ${String(err)}` });
  }

  protected isFaultKind(kind: string): boolean {
    return kind in FAULTS;
  }

  private respondError(record: RecordedSnsRequest, res: http.ServerResponse, error: ErrorSpec): void {
    record.status = error.status;
    record.errorCode = error.code;
    this.sendError(res, error);
  }

  private sendError(res: http.ServerResponse, error: ErrorSpec): void {
    const requestId = this.nextId('requests');
    this.send(res, error.status, requestId,
      `<ErrorResponse xmlns="${XML_NAMESPACE}">`
      + `<Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>`
      + `<RequestId>${requestId}</RequestId>`
      + '</ErrorResponse>');
  }

  private send(res: http.ServerResponse, status: number, requestId: string, xml: string): void {
    const body = `<?xml version="1.0"?>\n${xml}\n`;
    res.writeHead(status, {
      'Content-Type': 'text/xml',
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': requestId,
    });
    res.end(body);
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
