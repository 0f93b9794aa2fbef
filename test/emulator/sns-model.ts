/**
 * The Amazon SNS API model as the SNS emulator checks requests against it: topic ARNs, the
 * Publish request's constraints (message size, subject, message attributes, FIFO ids, message
 * structure), and the InvalidParameter / ParameterValueInvalid errors SNS answers a broken
 * request with. The subscription operations' checks are in `sns-subscriptions.ts`.
 */
import { Problem } from './aws-query';

export const API_VERSION = '2010-03-31';
export const XML_NAMESPACE = `http://sns.amazonaws.com/doc/${API_VERSION}/`;
/** Default topic MaximumMessageSize: 256 KiB, body plus attributes, in UTF-8 bytes. */
const MAX_MESSAGE_BYTES = 262144;
const MAX_SUBJECT_CHARS = 100;
const MAX_ATTRIBUTE_NAME_CHARS = 256;
const MAX_GROUP_OR_DEDUP_ID_CHARS = 128;
/** A topic ARN: region, account, name. */
export const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;
/** Alphanumerics and ASCII punctuation, as documented for MessageGroupId / MessageDeduplicationId. */
const GROUP_OR_DEDUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTRIBUTE_DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$/;
const NUMBER_VALUE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const ATTRIBUTE_KEY = /^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/;
const PUBLISH_PARAMS: ReadonlySet<string> = new Set([
  'Action', 'Version', 'TopicArn', 'TargetArn', 'PhoneNumber', 'Message', 'Subject', 'MessageStructure',
  'MessageDeduplicationId', 'MessageGroupId',
]);

export const invalidParameter = (violation: string, message: string): Problem =>
  ({ violation, error: { status: 400, type: 'Sender', code: 'InvalidParameter', message } });
export const invalidParameterValue = (violation: string, message: string): Problem =>
  ({ violation, error: { status: 400, type: 'Sender', code: 'ParameterValueInvalid', message } });

export interface MessageAttribute {
  name: string;
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The problems of a TopicArn member: missing, not a topic ARN, or a topic in another region than
 * the request is signed for (SNS serves a region's topics only from that region's endpoint).
 */
export function checkTopicArn(topicArn: string | undefined, signingRegion: string | undefined): Problem[] {
  if (topicArn === undefined) return [invalidParameter('TopicArn is missing', 'Invalid parameter: TopicArn Reason: no value for required parameter')];
  const m = TOPIC_ARN.exec(topicArn);
  if (!m) return [invalidParameter(`TopicArn: '${topicArn}' is not a valid SNS topic ARN`, 'Invalid parameter: TopicArn')];
  if (signingRegion !== undefined && m[1] !== signingRegion) {
    return [invalidParameter(`TopicArn: topic region ${m[1]} differs from the request's signing region ${signingRegion}`, 'Invalid parameter: TopicArn')];
  }
  return [];
}

/** A problem for each parameter that is neither in `known` nor matched by `pattern` (a list or map member's keys). */
export function unknownParameters(params: Record<string, string>, known: ReadonlySet<string>, pattern?: RegExp): Problem[] {
  return Object.keys(params)
    .filter((key) => !known.has(key) && !(pattern?.test(key) ?? false))
    .map((key) => invalidParameter(`unknown parameter '${key}'`, `Invalid parameter: ${key}`));
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

export interface PublishCheck {
  problems: Problem[];
  attributes: MessageAttribute[];
}

/** All model constraints of a Publish request (plus the emulator's "topics only" limitation). */
export function checkPublish(params: Record<string, string>, signingRegion: string | undefined): PublishCheck {
  const problems = unknownParameters(params, PUBLISH_PARAMS, ATTRIBUTE_KEY);
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
    const topicProblems = checkTopicArn(topicArn, signingRegion);
    problems.push(...topicProblems);
    if (topicProblems.length === 0 && topicArn.endsWith('.fifo') && params.MessageGroupId === undefined) {
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

