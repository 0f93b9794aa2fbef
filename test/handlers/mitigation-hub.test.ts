import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import {
  ACCOUNT, CONTEXT, Emulators, REGION, REPORT_TOPIC, datapointsOf, metricSum, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs,
} from './harness';
import { HUB_ENV } from '../../src/contract/environment';
import { HUB_QUEUE_NAME, SPOKE_CONFIG_PARAMETER, hubRoleName, spokeKey, spokeRoleNameIn } from '../../src/contract/organization';
import { expectNoDynamoDbViolations } from '../emulator/dynamodb-emulator';
import { expectNoEventsViolations } from '../emulator/events-emulator';
import { expectNoViolations } from '../emulator/iot-emulator';
import { expectNoSnsViolations } from '../emulator/sns-emulator';
import { expectNoSsmViolations } from '../emulator/ssm-emulator';
import { expectNoStsViolations } from '../emulator/sts-emulator';

// The organization hub's handler end to end: two member accounts x two regions of spokes, the hub
// in the harness's account and region, every call through the real SDK clients against the
// emulators (STS for the spoke roles, SSM for the spokes' configuration, SNS for the spoke topics'
// subscriptions to the hub's queue, DynamoDB for the registry, IoT in each spoke).

type Handler = typeof import('../../src/handlers/mitigation-hub.lambda').handler;
let handler: Handler;
let e: Emulators;

const HUB = ACCOUNT;
const HUB_ROLE = `arn:aws:iam::${HUB}:role/${hubRoleName('audit', REGION)}`;
const QUEUE = `arn:aws:sqs:${REGION}:${HUB}:${HUB_QUEUE_NAME}`;
const REGISTRY = 'hub-registry';
const BASE_ROLE_NAME = 'cdk-device-defender-spoke';
const MITIGATION = 'HubStack/Hub';
const A = '222222222222';
const B = '333333333333';
const OUTSIDER = '444444444444';
const REGIONS = ['eu-west-1', 'us-east-1'];
interface Spoke { readonly account: string; readonly region: string }
const SPOKES: Spoke[] = [A, B].flatMap((account) => REGIONS.map((region) => ({ account, region })));
const AUDIT = '4e2bcd1ccbc2a5dd15292a82ab80c380';
const PREFIX = 'dd0123456789';
const TASK_ID = `${PREFIX}-${AUDIT}`;
const RULES = { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine'], LOGGING_DISABLED_CHECK: ['logging'] };

const topicOf = (s: Spoke) => `arn:aws:sns:${s.region}:${s.account}:spoke-notifications`;
const spokeRoleArn = (s: Spoke) => `arn:aws:iam::${s.account}:role/${spokeRoleNameIn(BASE_ROLE_NAME, s.region)}`;

function spokeConfig(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: 1,
    mitigation: 'SpokeStack/Spoke',
    rules: RULES,
    scheduledAudits: ['daily'],
    includeOnDemandAudits: false,
    dryRun: false,
    maxFindingsPerCheck: 100,
    taskIdPrefix: PREFIX,
    ...overrides,
  });
}

function configureHub(overrides: Record<string, string | undefined> = {}): void {
  setEnv({
    [HUB_ENV.REGISTRY_TABLE]: REGISTRY,
    [HUB_ENV.ACCOUNTS]: JSON.stringify([A, B]),
    [HUB_ENV.ORGANIZATION_ID]: undefined,
    [HUB_ENV.SPOKE_ROLE_NAME]: BASE_ROLE_NAME,
    [HUB_ENV.REPORT_TOPIC_ARN]: REPORT_TOPIC,
    [HUB_ENV.MITIGATION]: MITIGATION,
    [HUB_ENV.EVENT_BUS]: undefined,
    [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: '24',
    AWS_LAMBDA_FUNCTION_NAME: 'HubStack-HubHandler-1A2B3C',
    ...overrides,
  });
}

/**
 * What a MitigationSpoke defines in `s`, as the emulators hold it: the role the hub assumes
 * (trusting the hub's audit role), the configuration parameter, the mitigation actions, and the
 * topic subscribed to the hub's queue (pending: SNS delivered a SubscriptionConfirmation to it).
 */
function seedSpoke(s: Spoke, config = spokeConfig()): void {
  e.sts.addRole(spokeRoleArn(s), { trustedPrincipalArns: [HUB_ROLE] });
  e.ssm.at(s).putParameter({ name: SPOKE_CONFIG_PARAMETER, value: config });
  for (const [actionName, actionType] of [['notify', 'PUBLISH_FINDING_TO_SNS'], ['quarantine', 'ADD_THINGS_TO_THING_GROUP'], ['logging', 'ENABLE_IOT_LOGGING']]) {
    e.iot.at(s).addMitigationAction({ actionName, actionType });
  }
  e.sns.addTopic(topicOf(s));
  e.sns.subscribe(topicOf(s), QUEUE);
}

function seedAudit(s: Spoke, taskId = AUDIT): void {
  e.iot.at(s).addAuditTask({
    taskId,
    scheduledAuditName: 'daily',
    taskStartTime: new Date(Date.now() - 60_000),
    checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 2 }, LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } },
  });
}

let messages = 0;
function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      messages += 1;
      return { messageId: `message-${messages}`, body, eventSource: 'aws:sqs', eventSourceARN: QUEUE } as SQSEvent['Records'][number];
    }),
  };
}

/** Everything SNS delivered to the hub's queue since `from`. */
const deliveredSince = (from: number) => e.sns.deliveredTo(QUEUE).slice(from).map((d) => d.body);

/** Runs the hub on the spokes' pending SubscriptionConfirmations (what SNS put on the queue). */
async function confirmAll(): Promise<void> {
  const { result } = await withLogs(() => handler(sqsEvent(deliveredSince(0)), CONTEXT));
  expect(result).toEqual({ batchItemFailures: [] });
}

const spokeKeys = new Map<string, string>();
/** AWS IoT publishing a spoke's audit-completion notification to its topic (as the spoke's account). */
async function publishAudit(s: Spoke, taskId = AUDIT): Promise<string> {
  let key = spokeKeys.get(s.account);
  if (!key) {
    key = `AKIDSPOKE${s.account}`;
    e.identities.addAccessKey({ accessKeyId: key, account: s.account });
    spokeKeys.set(s.account, key);
  }
  const from = e.sns.deliveredTo(QUEUE).length;
  const sns = new SNSClient({ region: s.region, credentials: { accessKeyId: key, secretAccessKey: 'x' } });
  try {
    await sns.send(new PublishCommand({
      TopicArn: topicOf(s),
      Message: JSON.stringify({ accountId: s.account, taskId, taskStatus: 'COMPLETED', taskType: 'SCHEDULED_AUDIT_TASK', scheduledAuditName: 'daily' }),
    }));
  } finally {
    sns.destroy();
  }
  const [body] = deliveredSince(from);
  return body;
}

/** An SNS Notification document as a forger would write it straight onto the queue. */
function forgedNotification(topicArn: string, account: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'forged',
    TopicArn: topicArn,
    Timestamp: new Date().toISOString(),
    Message: JSON.stringify({ accountId: account, taskId: AUDIT, taskStatus: 'COMPLETED', taskType: 'SCHEDULED_AUDIT_TASK', scheduledAuditName: 'daily' }),
  });
}

const scheduledEvent = { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} } as ScheduledEvent;
const reports = () => e.sns.jsonPublishedTo(REPORT_TOPIC) as Array<Record<string, any>>;
const tasksIn = (s: Spoke) => e.iot.at(s).auditMitigationTasks();
/** Every scope with a mitigation task: `<account>/<region>` -> task ids. */
function tasksEverywhere(): Record<string, string[]> {
  const scopes = [...SPOKES, { account: OUTSIDER, region: 'eu-west-1' }, { account: HUB, region: REGION }, { account: HUB, region: 'us-east-1' }];
  return Object.fromEntries(scopes.map((s) => [spokeKey(s.account, s.region), tasksIn(s).map((t) => t.taskId)]).filter(([, ids]) => ids.length > 0));
}

beforeAll(async () => {
  e = await startEmulators();
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  resetEmulators(e);
  spokeKeys.clear();
  configureHub();
  e.dynamodb.createTable(REGISTRY, 'spoke');
  // The handler runs as the hub's audit role, which the spoke roles trust by its exact ARN.
  e.identities.setPrincipal('AKIDEXAMPLE', `arn:aws:sts::${HUB}:assumed-role/${hubRoleName('audit', REGION)}/HubStack-HubHandler-1A2B3C`);
  // A fresh module per test: its cached spoke sessions are the emulators' of this test.
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require('../../src/handlers/mitigation-hub.lambda').handler;
  });
});

afterEach(() => {
  jest.useRealTimers();
  expectNoViolations(e.iot);
  expectNoSnsViolations(e.sns);
  expectNoStsViolations(e.sts);
  expectNoSsmViolations(e.ssm);
  expectNoDynamoDbViolations(e.dynamodb);
  expectNoEventsViolations(e.events);
});

describe('subscription confirmation', () => {
  test('an allowed spoke\'s topic is confirmed in the topic\'s region and the spoke registered; an outsider\'s is not confirmed, and reported', async () => {
    SPOKES.forEach((s) => seedSpoke(s));
    const outsider = { account: OUTSIDER, region: 'eu-west-1' };
    e.sns.addTopic(topicOf(outsider));
    e.sns.subscribe(topicOf(outsider), QUEUE);

    const { result } = await withLogs(() => handler(sqsEvent(deliveredSince(0)), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    for (const s of SPOKES) { expect(e.sns.subscriptions(topicOf(s))[0].status).toBe('Confirmed'); }
    expect(e.sns.subscriptions(topicOf(outsider))[0].status).toBe('PendingConfirmation');
    // ConfirmSubscription is called in each topic's region, once per spoke, never for the outsider.
    const confirmations = e.sns.requests.filter((r) => r.action === 'ConfirmSubscription');
    expect(confirmations.map((r) => [r.params.TopicArn, r.region]).sort()).toEqual(SPOKES.map((s) => [topicOf(s), s.region]).sort());
    const registered = e.dynamodb.items(REGISTRY).map((item) => [item.spoke, item.topicArn, item.account, item.region].map((v) => (v as { S: string }).S));
    expect(registered).toEqual(SPOKES.map((s) => [spokeKey(s.account, s.region), topicOf(s), s.account, s.region]).sort());
    expect(reports().filter((r) => r.event === 'spoke-registered')).toHaveLength(4);
    expect(reports()).toContainEqual(expect.objectContaining({
      event: 'permanent-failure',
      kind: 'spoke-not-allowed',
      account: OUTSIDER,
      region: 'eu-west-1',
      topicArn: topicOf(outsider),
      message: expect.stringMatching(/account 444444444444 is not one of the hub's accounts .*its subscription is not confirmed/),
    }));
  });

  test('a confirmation that fails for a transient reason is retried; a token SNS refuses (expired) is a permanent failure', async () => {
    const [first, second] = SPOKES;
    seedSpoke(first);
    seedSpoke(second);
    const [one, two] = deliveredSince(0);
    // As many 500s as the SDK's attempts (3): the invocation gives the record back, the next delivery gets through.
    e.sns.injectFault({ kind: 'internalError', operation: 'ConfirmSubscription', times: 3 });
    const retried = await withLogs(() => handler(sqsEvent([one]), CONTEXT));
    expect(retried.result).toEqual({ batchItemFailures: [{ itemIdentifier: expect.stringMatching(/^message-/) }] });
    expect(e.dynamodb.items(REGISTRY)).toEqual([]);

    e.identities.advanceClock(4 * 24 * 3600_000); // the tokens are valid for 3 days
    const expired = await withLogs(() => handler(sqsEvent([two]), CONTEXT));
    expect(expired.result).toEqual({ batchItemFailures: [] });
    expect(reports()).toContainEqual(expect.objectContaining({ event: 'permanent-failure', kind: 'subscription-not-confirmed', account: second.account }));
    expect(e.dynamodb.items(REGISTRY)).toEqual([]);
  });
});
