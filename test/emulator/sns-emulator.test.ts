import type * as http from 'node:http';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  InvalidParameterValueException,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  PublishCommandInput,
  SNSClient,
  SNSClientConfig,
  SNSServiceException,
} from '@aws-sdk/client-sns';
import { DEFAULT_ACCOUNT, DEFAULT_PRINCIPAL_ARN } from './identity';
import { expectNoSnsViolations, SnsEmulator } from './sns-emulator';
import { rejection, RawResponse, sendRawRequest } from './test-clients';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mitigation-findings';
const OTHER_TOPIC = 'arn:aws:sns:us-east-1:123456789012:other';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

let emulator: SnsEmulator;
let client: SNSClient;
const clients: SNSClient[] = [];

function newClient(extra: Partial<SNSClientConfig> = {}): SNSClient {
  const c = new SNSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...extra });
  clients.push(c);
  return c;
}

const publish = (overrides: Partial<PublishCommandInput> = {}): PublishCommand =>
  new PublishCommand({ TopicArn: TOPIC, Message: '{"finding":"f-1"}', ...overrides });

/** Sends a hand-built request (for shapes the SDK would never produce). */
function rawRequest(body: string, headers: http.OutgoingHttpHeaders = {}): Promise<RawResponse> {
  return sendRawRequest(new URL('/', emulator.endpoint), { method: 'POST', headers }, body);
}

beforeAll(async () => {
  emulator = await SnsEmulator.start({ seed: 7 });
});

afterAll(async () => {
  await emulator.stop();
});

beforeEach(() => {
  emulator.reset();
  emulator.addTopic(TOPIC);
  client = newClient();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('Publish success', () => {
  test('returns a MessageId and records the message and the request', async () => {
    const out = await client.send(publish());

    expect(out.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.SequenceNumber).toBeUndefined();
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.published).toHaveLength(1);
    expect(emulator.published[0]).toEqual({
      topicArn: TOPIC,
      message: '{"finding":"f-1"}',
      messageAttributes: {},
      messageAttributeTypes: {},
      messageId: out.MessageId,
      time: expect.any(Number),
    });
    expect(emulator.published[0].subject).toBeUndefined();
    expect(emulator.requests).toEqual([{
      action: 'Publish',
      params: { Action: 'Publish', Version: '2010-03-31', TopicArn: TOPIC, Message: '{"finding":"f-1"}' },
      account: DEFAULT_ACCOUNT,
      region: 'us-east-1',
      principalArn: DEFAULT_PRINCIPAL_ARN,
      status: 200,
      violations: [],
      time: expect.any(Number),
    }]);
    expect(emulator.publishedTo(TOPIC)).toEqual(emulator.published);
    expect(emulator.publishedTo(OTHER_TOPIC)).toEqual([]);
    expect(emulator.jsonPublishedTo(TOPIC)).toEqual([{ finding: 'f-1' }]);
    expectNoSnsViolations(emulator);
  });

  test('a client configured only by AWS_ENDPOINT_URL_SNS (as a Lambda handler is) reaches the emulator', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SNS;
    process.env.AWS_ENDPOINT_URL_SNS = emulator.endpoint;
    try {
      const envClient = new SNSClient({ region: 'us-east-1', credentials: CREDENTIALS });
      clients.push(envClient);
      const out = await envClient.send(publish({ Message: 'via env' }));
      expect(emulator.published.map((m) => [m.message, m.messageId])).toEqual([['via env', out.MessageId]]);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SNS; else process.env.AWS_ENDPOINT_URL_SNS = saved;
    }
  });

  test('records subject and message attributes of every data type; text round-trips byte for byte', async () => {
    const message = 'a & b = c + d % 100\nline 2: "quoted" <tag> é 🚀';
    await client.send(publish({
      Message: message,
      Subject: 'Audit finding: DEVICE_CERTIFICATE_SHARED_CHECK (ok?)',
      MessageAttributes: {
        'severity': { DataType: 'String', StringValue: 'CRITICAL & urgent' },
        'count': { DataType: 'Number', StringValue: '-12.5e3' },
        'blob': { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
        'check.names': { DataType: 'String.Array', StringValue: '["A",1,true,null]' },
      },
    }));

    const [m] = emulator.publishedTo(TOPIC);
    expect(m.message).toBe(message);
    expect(m.subject).toBe('Audit finding: DEVICE_CERTIFICATE_SHARED_CHECK (ok?)');
    expect(m.messageAttributes).toEqual({
      'severity': 'CRITICAL & urgent',
      'count': '-12.5e3',
      'blob': Buffer.from([0, 1, 254, 255]).toString('base64'),
      'check.names': '["A",1,true,null]',
    });
    expect(m.messageAttributeTypes).toEqual({ 'severity': 'String', 'count': 'Number', 'blob': 'Binary', 'check.names': 'String.Array' });
    expect(emulator.requests[0].params).toMatchObject({
      'MessageAttributes.entry.1.Name': 'severity',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'CRITICAL & urgent',
      'MessageAttributes.entry.3.Value.BinaryValue': 'AAH+/w==',
    });
    expect(() => emulator.jsonPublishedTo(TOPIC)).toThrow(/message #0 published to .*mitigation-findings .* is not JSON/);
    expectNoSnsViolations(emulator);
  });

  test('FIFO topics get a SequenceNumber and keep the group and deduplication ids', async () => {
    const fifo = 'arn:aws:sns:us-east-1:123456789012:findings.fifo';
    emulator.addTopic(fifo);
    const out = await client.send(publish({ TopicArn: fifo, MessageGroupId: 'thing-1', MessageDeduplicationId: 'dedup-1' }));

    expect(out.SequenceNumber).toMatch(/^\d{20}$/);
    expect(emulator.publishedTo(fifo)[0]).toMatchObject({ messageGroupId: 'thing-1', messageDeduplicationId: 'dedup-1' });
    expectNoSnsViolations(emulator);
  });

  test('ids are deterministic and reset() clears messages, requests, topics and faults', async () => {
    const first = await client.send(publish());
    emulator.injectFault({ kind: 'authorizationError' });
    emulator.reset();

    expect(emulator.published).toEqual([]);
    expect(emulator.requests).toEqual([]);
    expect(await rejection(client.send(publish()))).toBeInstanceOf(NotFoundException);
    emulator.addTopic(TOPIC);
    const again = await client.send(publish());
    expect(again.MessageId).toBe(first.MessageId);
  });
});

describe('errors the SDK raises', () => {
  test('unknown topic -> 404 NotFound -> NotFoundException, nothing published', async () => {
    const err = await rejection(client.send(publish({ TopicArn: OTHER_TOPIC })));

    expect(err).toBeInstanceOf(NotFoundException);
    expect(err.message).toBe('Topic does not exist');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 404, attempts: 1 });
    expect(emulator.published).toEqual([]);
    expect(emulator.requests).toMatchObject([{ action: 'Publish', status: 404, errorCode: 'NotFound', violations: [] }]);
  });

  test('throttled once: the SDK retries, one message is published over two requests', async () => {
    emulator.injectFault({ kind: 'throttled' });
    const out = await client.send(publish());

    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.published).toHaveLength(1);
    expect(emulator.published[0].messageId).toBe(out.MessageId);
    expect(emulator.requests.map((r) => [r.status, r.errorCode])).toEqual([[400, 'Throttling'], [200, undefined]]);
    expect(emulator.requests[0].params).toEqual(emulator.requests[1].params);
    expectNoSnsViolations(emulator);
  });

  test('throttled on every attempt: the SDK gives up with a Throttling service exception', async () => {
    emulator.injectFault({ kind: 'throttled', times: Infinity });
    const err = await rejection(newClient({ maxAttempts: 2 }).send(publish()));

    expect(err).toBeInstanceOf(SNSServiceException);
    expect(err.name).toBe('Throttling');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    expect(emulator.published).toEqual([]);
    expect(emulator.requests).toHaveLength(2);
  });

  test('authorization error -> 403 AuthorizationErrorException, not retried', async () => {
    emulator.injectFault({ kind: 'authorizationError', times: 5 });
    const err = await rejection(client.send(publish()));

    expect(err).toBeInstanceOf(AuthorizationErrorException);
    expect(err.message).toContain(`is not authorized to perform: SNS:Publish on resource: ${TOPIC}`);
    expect(err.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    expect(emulator.requests.map((r) => r.status)).toEqual([403]);
    expect(emulator.published).toEqual([]);
  });

  test('internal error -> 500 InternalErrorException after the SDK retries it', async () => {
    emulator.injectFault({ kind: 'internalError', times: Infinity });
    const err = await rejection(newClient({ maxAttempts: 2 }).send(publish()));

    expect(err).toBeInstanceOf(InternalErrorException);
    expect(err.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 2 });
    expect(emulator.requests.map((r) => r.errorCode)).toEqual(['InternalError', 'InternalError']);
  });

  test('probabilistic faults are deterministic for a seed', async () => {
    const pattern = async (): Promise<number[]> => {
      emulator.reset();
      emulator.addTopic(TOPIC);
      emulator.injectFault({ kind: 'authorizationError', times: Infinity, probability: 0.5 });
      for (let i = 0; i < 12; i++) await client.send(publish()).catch(() => undefined);
      return emulator.requests.map((r) => r.status);
    };
    const first = await pattern();
    expect(first).toContain(200);
    expect(first).toContain(403);
    expect(await pattern()).toEqual(first);
  });
});

describe('constraint violations', () => {
  test('a Subject over 100 characters is rejected with InvalidParameter and recorded', async () => {
    const err = await rejection(client.send(publish({ Subject: 'S'.repeat(101) })));

    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toBe('Invalid parameter: Subject');
    expect(emulator.published).toEqual([]);
    expect(emulator.violations()).toEqual(['Publish: Subject: must be at most 100 characters, got 101']);
    expect(() => expectNoSnsViolations(emulator)).toThrow(/1 request constraint violation\(s\):\n {2}- Publish: Subject: must be at most 100/);
  });

  test('a Subject of exactly 100 characters is accepted', async () => {
    await client.send(publish({ Subject: 'S'.repeat(100) }));
    expectNoSnsViolations(emulator);
  });

  test.each([
    ['a line break', 'Finding\nsecond line', 'must not contain line breaks or control characters'],
    ['a leading space', ' Finding', 'must begin with a letter, number, or punctuation mark'],
    ['emptiness', '', 'must begin with a letter, number, or punctuation mark'],
  ])('a Subject with %s is a violation', async (_what, subject, violation) => {
    expect(await rejection(client.send(publish({ Subject: subject })))).toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual([`Publish: Subject: ${violation}`]);
  });

  test('a message over 256 KiB (in UTF-8 bytes) is rejected; exactly 256 KiB is accepted', async () => {
    await client.send(publish({ Message: 'x'.repeat(262144) }));
    expectNoSnsViolations(emulator);

    const err = await rejection(client.send(publish({ Message: 'é'.repeat(131073) })));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toBe('Invalid parameter: Message too long');
    expect(emulator.violations()).toEqual(['Publish: Message: 262146 UTF-8 bytes exceeds the 262144-byte (256 KiB) limit']);
    expect(emulator.published).toHaveLength(1);
  });

  test('message attributes count towards the 256 KiB limit', async () => {
    const err = await rejection(client.send(publish({
      Message: 'x'.repeat(262140),
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'abc' } },
    })));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual(['Publish: Message plus MessageAttributes: 262153 bytes exceeds the 262144-byte (256 KiB) limit']);
  });

  test('missing TopicArn and missing Message are violations', async () => {
    expect(await rejection(client.send(new PublishCommand({ Message: 'hi' })))).toBeInstanceOf(InvalidParameterException);
    expect(await rejection(client.send(new PublishCommand({ TopicArn: TOPIC, Message: undefined })))).toBeInstanceOf(InvalidParameterException);
    expect(await rejection(client.send(new PublishCommand({ TargetArn: 'arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/1', Message: 'hi' }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual([
      'Publish: TopicArn is missing',
      'Publish: Message is missing',
      'Publish: TopicArn is missing: the SNS emulator only supports publishing to topics (not TargetArn / PhoneNumber)',
    ]);
  });

  test('a topic in another region than the client signs for is a violation', async () => {
    const err = await rejection(newClient({ region: 'eu-west-1' }).send(publish()));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual(['Publish: TopicArn: topic region us-east-1 differs from the request\'s signing region eu-west-1']);
  });

  test('invalid message attributes -> InvalidParameterValueException with the (XML-escaped) message intact', async () => {
    const err = await rejection(client.send(publish({ MessageAttributes: { 'a<b>&c': { DataType: 'String', StringValue: 'v' } } })));
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect(err.message).toBe("Message attribute name 'a<b>&c' has an invalid character.");

    await rejection(client.send(publish({
      MessageAttributes: {
        'n': { DataType: 'Number', StringValue: 'twelve' },
        'AWS.reserved': { DataType: 'String', StringValue: 'v' },
        'e': { DataType: 'String', StringValue: '' },
        'arr': { DataType: 'String.Array', StringValue: '[{"nested":true}]' },
        't': { DataType: 'Decimal', StringValue: '1' },
      },
    })));
    expect(emulator.requests[1].violations).toEqual([
      "MessageAttributes 'n': 'twelve' is not a number of at most 38 significant digits",
      "MessageAttributes 'AWS.reserved': name must not start with the reserved prefixes 'AWS.' or 'Amazon.'",
      "MessageAttributes 'e': a String attribute needs a non-empty StringValue",
      "MessageAttributes 'arr': String.Array value must be a JSON array of strings, numbers, booleans or nulls",
      "MessageAttributes 't': unknown DataType 'Decimal'",
    ]);
    expect(emulator.published).toEqual([]);
  });

  test("MessageStructure=json needs a JSON object with a string 'default'", async () => {
    const err = await rejection(client.send(publish({ MessageStructure: 'json', Message: '{"email":"hi"}' })));
    expect(err.message).toBe('Invalid parameter: Message Structure - No default entry in JSON message body');

    await client.send(publish({ MessageStructure: 'json', Message: '{"default":"hi","email":"hello"}' }));
    expect(emulator.published[0].messageStructure).toBe('json');
    expect(emulator.violations()).toHaveLength(1);
  });

  test('an operation the emulator does not serve is an InvalidAction violation', async () => {
    const err = await rejection(client.send(new ListTopicsCommand({})));
    expect(err).toBeInstanceOf(SNSServiceException);
    expect(err.name).toBe('InvalidAction');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(emulator.violations()).toEqual(["ListTopics: Action 'ListTopics' is not emulated (only Publish, Subscribe, ConfirmSubscription, ListSubscriptionsByTopic)"]);
  });

  test('a hand-built request for an unknown action gets an XML-escaped InvalidAction error', async () => {
    const res = await rawRequest('Action=Get%3CAll%3E%26More&Version=2010-03-31', {
      'content-type': 'application/x-www-form-urlencoded',
      // The emulator checks the SigV4 credential scope, not the signature itself.
      'authorization': 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00',
    });

    expect(res.status).toBe(400);
    expect(res.body).toContain('<Code>InvalidAction</Code><Message>Could not find operation Get&lt;All&gt;&amp;More for version 2010-03-31</Message>');
    expect(emulator.requests[0]).toMatchObject({ action: 'Get<All>&More', status: 400, errorCode: 'InvalidAction' });
  });

  test('an unsigned, hand-built request gets the exact awsQuery XML error and is recorded', async () => {
    const res = await rawRequest(`Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(TOPIC)}&Message=hi`, {
      'content-type': 'application/x-www-form-urlencoded',
    });

    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('text/xml');
    const requestId = String(res.headers['x-amzn-requestid']);
    expect(res.body).toBe('<?xml version="1.0"?>\n'
      + '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
      + '<Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error>'
      + `<RequestId>${requestId}</RequestId></ErrorResponse>\n`);
    expect(emulator.violations()).toEqual(['Publish: request is not SigV4-signed (no AWS4-HMAC-SHA256 Authorization header)']);
    expect(emulator.published).toEqual([]);
  });
});

describe('control API', () => {
  test('addTopic and injectFault reject bad input', () => {
    expect(() => emulator.addTopic('arn:aws:sqs:us-east-1:123456789012:queue')).toThrow(/not a valid SNS topic ARN/);
    expect(() => emulator.injectFault({ kind: 'throttled', times: 0 })).toThrow(/times must be > 0/);
    expect(() => emulator.injectFault({ kind: 'throttled', probability: 2 })).toThrow(/probability must be within 0..1/);
  });
});
