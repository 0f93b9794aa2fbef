import {
  AuthorizationErrorException, ConfirmSubscriptionCommand, InvalidParameterException, ListSubscriptionsByTopicCommand,
  NotFoundException, PublishCommand, SNSClient, SubscribeCommand,
} from '@aws-sdk/client-sns';
import { expectNoSnsViolations, SnsEmulator } from './sns-emulator';
import { TOKEN_LIFETIME_MS } from './sns-subscriptions';
import { rejection } from './test-clients';

const SPOKE = '222222222222';
const HUB = '111111111111';
/** A spoke's notification topic, and the hub's queue in another account and region. */
const TOPIC = `arn:aws:sns:eu-west-1:${SPOKE}:dd-spoke-notifications`;
const HUB_QUEUE = `arn:aws:sqs:us-east-1:${HUB}:dd-hub-notifications`;
const SPOKE_QUEUE = `arn:aws:sqs:eu-west-1:${SPOKE}:local`;

let emulator: SnsEmulator;
const clients: SNSClient[] = [];

/** A client of `account` (its key is AKID<account>) signing for `region`. */
function sns(account: string, region = 'eu-west-1'): SNSClient {
  const c = new SNSClient({ endpoint: emulator.endpoint, region, credentials: { accessKeyId: `AKID${account}`, secretAccessKey: 'secret' }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

const confirmationOf = (queueArn: string) => JSON.parse(emulator.deliveredTo(queueArn).filter((d) => d.type === 'SubscriptionConfirmation')[0].body);

beforeAll(async () => {
  emulator = await SnsEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.identities.reset();
  emulator.identities.addAccessKey({ accessKeyId: `AKID${SPOKE}`, account: SPOKE });
  emulator.identities.addAccessKey({ accessKeyId: `AKID${HUB}`, account: HUB });
  emulator.addTopic(TOPIC);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('Subscribe', () => {
  test('the topic\'s owner subscribes another account\'s queue: pending, with a SubscriptionConfirmation delivered to the queue', async () => {
    const out = await sns(SPOKE).send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: HUB_QUEUE }));
    expect(out.SubscriptionArn).toBe('pending confirmation');

    const [subscription] = emulator.subscriptions(TOPIC);
    expect(subscription).toMatchObject({ topicArn: TOPIC, endpoint: HUB_QUEUE, owner: SPOKE, status: 'PendingConfirmation', rawMessageDelivery: false });
    expect(subscription.subscriptionArn).toMatch(new RegExp(`^${TOPIC}:[0-9a-f-]{36}$`));
    const message = confirmationOf(HUB_QUEUE);
    expect(message).toEqual({
      Type: 'SubscriptionConfirmation',
      MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Token: subscription.token,
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=${subscription.token}`,
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.stringMatching(/^https:\/\/sns\.eu-west-1\.amazonaws\.com\//),
    });
    // Asked for, the ARN of the pending subscription; subscribing again answers the same subscription.
    const again = await sns(SPOKE).send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: HUB_QUEUE, ReturnSubscriptionArn: true }));
    expect(again.SubscriptionArn).toBe(subscription.subscriptionArn);
    expect(emulator.subscriptions()).toHaveLength(1);
    expectNoSnsViolations(emulator);
  });

  test('a queue of the topic\'s own account is subscribed at once, nothing to confirm', async () => {
    const out = await sns(SPOKE).send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: SPOKE_QUEUE }));
    expect(out.SubscriptionArn).toMatch(new RegExp(`^${TOPIC}:`));
    expect(emulator.subscriptions(TOPIC)[0].status).toBe('Confirmed');
    expect(emulator.deliveredTo(SPOKE_QUEUE)).toEqual([]);
  });

  test('only the topic\'s account may subscribe (AuthorizationError); another protocol or attribute is a violation', async () => {
    const denied = await rejection(sns(HUB).send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: HUB_QUEUE })));
    expect(denied).toBeInstanceOf(AuthorizationErrorException);
    expect(denied.message).toBe(`User: arn:aws:iam::${HUB}:user/AKID${HUB} is not authorized to perform: SNS:Subscribe on resource: ${TOPIC} `
      + 'because no resource-based policy allows the SNS:Subscribe action');
    expectNoSnsViolations(emulator);

    const client = sns(SPOKE);
    expect(await rejection(client.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'https', Endpoint: 'https://example.com' }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(await rejection(client.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'queue' })))).toBeInstanceOf(InvalidParameterException);
    expect(await rejection(client.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: HUB_QUEUE, Attributes: { FilterPolicy: '{}' } }))))
      .toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual([
      "Subscribe: Protocol: only sqs is emulated, got 'https'",
      "Subscribe: Endpoint: 'queue' is not an SQS queue ARN",
      'Subscribe: Attributes: FilterPolicy is not emulated (only RawMessageDelivery)',
    ]);
    expect(emulator.subscriptions()).toEqual([]);
  });
});

describe('ConfirmSubscription', () => {
  test('the hub confirms with the token, in the topic\'s region: the subscription is confirmed, and confirming again answers it again', async () => {
    emulator.subscribe(TOPIC, HUB_QUEUE);
    const { Token, TopicArn } = confirmationOf(HUB_QUEUE);

    const out = await sns(HUB, 'eu-west-1').send(new ConfirmSubscriptionCommand({ TopicArn, Token, AuthenticateOnUnsubscribe: 'true' }));
    const [subscription] = emulator.subscriptions(TOPIC);
    expect(out.SubscriptionArn).toBe(subscription.subscriptionArn);
    expect(subscription).toMatchObject({ status: 'Confirmed', authenticateOnUnsubscribe: true });
    const again = await sns(HUB, 'eu-west-1').send(new ConfirmSubscriptionCommand({ TopicArn, Token }));
    expect(again.SubscriptionArn).toBe(subscription.subscriptionArn);
    expect(emulator.requests.map((r) => [r.action, r.account, r.region, r.status])).toEqual([
      ['ConfirmSubscription', HUB, 'eu-west-1', 200], ['ConfirmSubscription', HUB, 'eu-west-1', 200],
    ]);
    expectNoSnsViolations(emulator);
  });

  test('called in another region than the topic\'s: InvalidParameter, recorded as a violation; the subscription stays pending', async () => {
    emulator.subscribe(TOPIC, HUB_QUEUE);
    const { Token, TopicArn } = confirmationOf(HUB_QUEUE);
    const err = await rejection(sns(HUB, 'us-east-1').send(new ConfirmSubscriptionCommand({ TopicArn, Token })));
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual(['ConfirmSubscription: TopicArn: topic region eu-west-1 differs from the request\'s signing region us-east-1']);
    expect(emulator.subscriptions(TOPIC)[0].status).toBe('PendingConfirmation');
  });

  test('a wrong token, or one older than three days, is InvalidParameter "Invalid token"', async () => {
    emulator.subscribe(TOPIC, HUB_QUEUE);
    const { Token, TopicArn } = confirmationOf(HUB_QUEUE);
    const wrong = await rejection(sns(HUB).send(new ConfirmSubscriptionCommand({ TopicArn, Token: `${Token}0` })));
    expect([wrong.name, wrong.message]).toEqual(['InvalidParameterException', 'Invalid token']);
    emulator.identities.advanceClock(TOKEN_LIFETIME_MS);
    const expired = await rejection(sns(HUB).send(new ConfirmSubscriptionCommand({ TopicArn, Token })));
    expect(expired.message).toBe('Invalid token');
    expect(emulator.subscriptions(TOPIC)[0].status).toBe('PendingConfirmation');
    const unknownTopic = await rejection(sns(HUB).send(new ConfirmSubscriptionCommand({ TopicArn: `${TOPIC}-gone`, Token })));
    expect(unknownTopic).toBeInstanceOf(NotFoundException);
    expectNoSnsViolations(emulator);
  });
});

describe('deliveries and ListSubscriptionsByTopic', () => {
  test('a publication reaches confirmed subscriptions only, as the SNS JSON document (or raw)', async () => {
    emulator.subscribe(TOPIC, HUB_QUEUE);
    const rawQueue = `arn:aws:sqs:eu-west-1:${SPOKE}:raw`;
    emulator.subscribe(TOPIC, rawQueue, { rawMessageDelivery: true });
    await sns(SPOKE).send(new PublishCommand({ TopicArn: TOPIC, Message: '{"taskId":"a1"}', Subject: 'audit' }));
    expect(emulator.deliveredTo(HUB_QUEUE).map((d) => d.type)).toEqual(['SubscriptionConfirmation']);
    expect(emulator.deliveredTo(rawQueue).map((d) => d.body)).toEqual(['{"taskId":"a1"}']);

    const { Token } = confirmationOf(HUB_QUEUE);
    await sns(HUB).send(new ConfirmSubscriptionCommand({ TopicArn: TOPIC, Token }));
    const published = await sns(SPOKE).send(new PublishCommand({
      TopicArn: TOPIC, Message: '{"taskId":"a2"}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'audit' } },
    }));
    const notification = emulator.deliveredTo(HUB_QUEUE)[1];
    expect(notification).toMatchObject({ type: 'Notification', subscriptionArn: emulator.subscriptions(TOPIC)[0].subscriptionArn });
    expect(JSON.parse(notification.body)).toEqual({
      Type: 'Notification',
      MessageId: published.MessageId,
      TopicArn: TOPIC,
      Message: '{"taskId":"a2"}',
      Timestamp: expect.any(String),
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.any(String),
      UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(emulator.subscriptions(TOPIC)[0].subscriptionArn)}`,
      MessageAttributes: { kind: { Type: 'String', Value: 'audit' } },
    });
    expectNoSnsViolations(emulator);
  });

  test('only the topic\'s account may publish', async () => {
    const err = await rejection(sns(HUB).send(new PublishCommand({ TopicArn: TOPIC, Message: 'forged' })));
    expect(err).toBeInstanceOf(AuthorizationErrorException);
    expect(emulator.published).toEqual([]);
  });

  test('ListSubscriptionsByTopic: pending ones as PendingConfirmation, 100 per page; only for the topic\'s account', async () => {
    for (let i = 0; i < 101; i++) emulator.subscribe(TOPIC, `arn:aws:sqs:us-east-1:${HUB}:q${i}`);
    emulator.subscribe(TOPIC, SPOKE_QUEUE);
    const client = sns(SPOKE);
    const first = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }));
    expect(first.Subscriptions).toHaveLength(100);
    expect(first.Subscriptions![0]).toEqual({
      TopicArn: TOPIC, Protocol: 'sqs', SubscriptionArn: 'PendingConfirmation', Owner: SPOKE, Endpoint: `arn:aws:sqs:us-east-1:${HUB}:q0`,
    });
    const second = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC, NextToken: first.NextToken }));
    expect(second.Subscriptions!.map((s) => [s.Endpoint, s.SubscriptionArn?.startsWith(TOPIC)])).toEqual([
      [`arn:aws:sqs:us-east-1:${HUB}:q100`, false], [SPOKE_QUEUE, true],
    ]);
    expect(second.NextToken).toBeUndefined();
    expect(await rejection(sns(HUB).send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC })))).toBeInstanceOf(AuthorizationErrorException);
    // In another region than the topic's: a violation.
    expect(await rejection(sns(SPOKE, 'us-east-1').send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC })))).toBeInstanceOf(InvalidParameterException);
    expect(emulator.violations()).toEqual(["ListSubscriptionsByTopic: TopicArn: topic region eu-west-1 differs from the request's signing region us-east-1"]);
  });

  test('subscribe (seeding) needs an existing topic and a queue ARN', () => {
    expect(() => emulator.subscribe(`${TOPIC}-gone`, HUB_QUEUE)).toThrow(/does not exist/);
    expect(() => emulator.subscribe(TOPIC, 'https://example.com')).toThrow(/SQS queue ARN/);
  });
});
