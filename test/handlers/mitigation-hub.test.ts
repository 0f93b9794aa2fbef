import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import {
  ACCOUNT, CONTEXT, Emulators, REGION, REPORT_TOPIC, datapointsOf, metricSum, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs,
} from './harness';
import { HUB_ENV } from '../../src/contract/environment';
import { HUB_QUEUE_NAME, HUB_TASK_LEDGER, SPOKE_CONFIG_PARAMETER, hubRoleName, hubTaskKey, spokeKey, spokeRoleNameIn } from '../../src/contract/organization';
import { registration, spokeOfTopic } from '../../src/handlers/mitigation-hub/decide';
import { Registry } from '../../src/handlers/mitigation-hub/registry';
import { expectNoDynamoDbViolations } from '../emulator/dynamodb-emulator';
import { expectNoEventsViolations } from '../emulator/events-emulator';
import { expectNoViolations } from '../emulator/iot-emulator';
import { awsProductArn, expectNoSecurityHubViolations } from '../emulator/securityhub-emulator';
import { expectNoSnsViolations } from '../emulator/sns-emulator';
import { expectNoSsmViolations } from '../emulator/ssm-emulator';
import { expectNoStsViolations } from '../emulator/sts-emulator';

// The organization hub's handler end to end: two member accounts x two regions of spokes, the hub
// in the harness's account and region, every call through the real SDK clients against the
// emulators (STS for the spoke roles, SSM for the spokes' configuration, SNS for the spoke topics'
// subscriptions to the hub's queue, DynamoDB for the registry, IoT in each spoke). The handler's
// registry (mitigation-hub/registry.ts) and spoke sessions (shared/spokes.ts) are tested
// here, and the shared audit engine (shared/audit-engine.ts) here and in audit-mitigation.test.ts.

type Handler = typeof import('../../src/handlers/mitigation-hub.lambda').handler;
type SpokeOutcome = import('../../src/handlers/mitigation-hub.lambda').SpokeOutcome;
let handler: Handler;
let e: Emulators;

const HUB = ACCOUNT;
const HUB_ROLE = `arn:aws:iam::${HUB}:role/${hubRoleName('audit', REGION)}`;
const QUEUE = `arn:aws:sqs:${REGION}:${HUB}:${HUB_QUEUE_NAME}`;
const REGISTRY = 'hub-registry';
const LEDGER = 'hub-tasks';
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
    [HUB_ENV.TASK_LEDGER_TABLE]: LEDGER,
    [HUB_ENV.ACCOUNTS]: JSON.stringify([A, B]),
    [HUB_ENV.ORGANIZATION_ID]: undefined,
    [HUB_ENV.SPOKE_ROLE_NAME]: BASE_ROLE_NAME,
    [HUB_ENV.REPORT_TOPIC_ARN]: REPORT_TOPIC,
    [HUB_ENV.MITIGATION]: MITIGATION,
    [HUB_ENV.EVENT_BUS]: undefined,
    [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: '24',
    [HUB_ENV.SECURITY_HUB_INTEGRATION]: undefined,
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

/** The hub's ledger entries: key -> [state, account, region, task id, mitigation, the active index's key]. */
const ledger = () => Object.fromEntries(e.dynamodb.items(LEDGER).map((item) => [
  (item.task as { S: string }).S,
  ['state', 'account', 'region', 'taskId', 'mitigation', 'activeIn'].map((name) => (item[name] as { S?: string } | undefined)?.S),
]));

/** The roles the hub assumed, in order. */
const assumed = () => e.sts.requestsFor('AssumeRole').filter((r) => r.status === 200).map((r) => r.params.RoleArn);

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
  e.dynamodb.createTable(LEDGER, HUB_TASK_LEDGER.PARTITION_KEY, { [HUB_TASK_LEDGER.ACTIVE_INDEX]: HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE });
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
  expectNoSecurityHubViolations(e.securityhub);
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
    const registered = e.dynamodb.items(REGISTRY)
      .map((item) => [item.spoke, item.topicArn, item.account, item.region].map((v) => (v as { S: string }).S));
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

describe('audit notifications', () => {
  beforeEach(async () => {
    SPOKES.forEach((s) => seedSpoke(s));
    await confirmAll();
    e.sns.published.length = 0; // the registrations' reports
  });

  test('a spoke\'s audit starts exactly one task, in that spoke\'s account and region and nowhere else, with the spoke\'s role', async () => {
    const spoke = { account: B, region: 'us-east-1' };
    SPOKES.forEach((s) => seedAudit(s)); // every spoke has an audit with this id: only the notified one is mitigated
    const body = await publishAudit(spoke);

    const { result, logs } = await withLogs(() => handler(sqsEvent([body]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({ [spokeKey(B, 'us-east-1')]: [TASK_ID] });
    expect(tasksIn(spoke)[0]).toMatchObject({
      target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine'], LOGGING_DISABLED_CHECK: ['logging'] },
    });
    expect(e.iot.at(spoke).requestsFor('StartAuditMitigationActionsTask')).toEqual([expect.objectContaining({
      principalArn: `arn:aws:sts::${B}:assumed-role/${spokeRoleNameIn(BASE_ROLE_NAME, 'us-east-1')}/cdk-device-defender-hub`,
    })]);
    // The configuration was read in the spoke, with its role.
    expect(e.ssm.at(spoke).requestsFor('GetParameter')).toHaveLength(1);
    // Reports, events, log lines and metrics carry the spoke's account and region.
    expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-started', taskId: TASK_ID, account: B, region: 'us-east-1' })]);
    expect(e.events.eventsOfType('Mitigation Task Started').map((ev) => ev.detail)).toEqual([expect.objectContaining({
      mitigation: MITIGATION, taskId: TASK_ID, account: B, region: 'us-east-1', alreadyStarted: false,
    })]);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'mitigation-started', account: B, region: 'us-east-1' }));
    const points = datapointsOf(logs);
    expect(metricSum(points, 'TasksStarted', { Mitigation: MITIGATION })).toBe(1);
    expect(metricSum(points, 'TasksStarted', { Mitigation: MITIGATION, Account: B, Region: 'us-east-1' })).toBe(1);
    expect(metricSum(points, 'FindingsFound', { Mitigation: MITIGATION, Account: B, Region: 'us-east-1' })).toBe(3);
    expect(metricSum(points, 'FindingsFound', { Mitigation: MITIGATION, CheckName: 'DEVICE_CERTIFICATE_SHARED_CHECK' })).toBe(2);
  });

  test('redelivery and the reconciler start none more: one task per audit, counted once', async () => {
    const spoke = { account: A, region: 'eu-west-1' };
    seedAudit(spoke);
    const body = await publishAudit(spoke);
    const first = await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    const again = await withLogs(() => handler(sqsEvent([body, body]), CONTEXT));
    const reconciled = await withLogs(() => handler(scheduledEvent, CONTEXT));

    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'eu-west-1')]: [TASK_ID] });
    expect(e.iot.at(spoke).requestsFor('StartAuditMitigationActionsTask')).toHaveLength(1);
    const started = (logs: Array<Record<string, unknown>>) => metricSum(datapointsOf(logs), 'TasksStarted', { Mitigation: MITIGATION });
    expect([started(first.logs), started(again.logs), started(reconciled.logs)]).toEqual([1, 0, 0]);
    expect(again.result).toEqual({ batchItemFailures: [] });
    expect(reconciled.result).toEqual([expect.objectContaining({ auditTaskId: AUDIT, decision: 'already-mitigated', account: A, region: 'eu-west-1' })]);
  });

  test('each task the hub starts is recorded for its follower, once, with its account, region and the hub\'s name; redelivery adds nothing', async () => {
    const spoke = { account: B, region: 'us-east-1' };
    seedAudit(spoke);
    const body = await publishAudit(spoke);
    await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    const entry = ['active', B, 'us-east-1', TASK_ID, MITIGATION, spokeKey(B, 'us-east-1')];
    expect(ledger()).toEqual({ [hubTaskKey(B, 'us-east-1', TASK_ID)]: entry });
    expect(e.dynamodb.item(LEDGER, hubTaskKey(B, 'us-east-1', TASK_ID))).toMatchObject({ partition: { S: 'aws' }, expiresAt: { N: expect.any(String) } });

    // An entry the follower has reported is never made active again by a redelivered notification.
    const { activeIn: _active, ...recorded } = e.dynamodb.item(LEDGER, hubTaskKey(B, 'us-east-1', TASK_ID))!;
    e.dynamodb.putItem(LEDGER, { ...recorded, state: { S: 'reported' } });
    const reported = e.dynamodb.item(LEDGER, hubTaskKey(B, 'us-east-1', TASK_ID));
    const again = await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    expect(again.result).toEqual({ batchItemFailures: [] });
    expect(e.dynamodb.item(LEDGER, hubTaskKey(B, 'us-east-1', TASK_ID))).toEqual(reported);
  });

  test('a task that cannot be recorded (transient) gives the record back; its redelivery finds the task started and records it', async () => {
    const spoke = { account: A, region: 'eu-west-1' };
    seedAudit(spoke);
    const body = await publishAudit(spoke);
    // As many 500s as the DynamoDB client's attempts (its default is 4): the record is given back.
    e.dynamodb.injectFault({ kind: 'internalError', operation: 'PutItem', times: 4 });
    const failed = await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    expect(failed.result).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
    expect(failed.logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', stage: 'record-task', taskId: TASK_ID, account: A }));
    expect(ledger()).toEqual({});

    const redelivered = await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    expect(redelivered.result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'eu-west-1')]: [TASK_ID] });
    expect(Object.keys(ledger())).toEqual([hubTaskKey(A, 'eu-west-1', TASK_ID)]);
  });

  test('a spoke in dry run starts nothing and reports the plan, with its account and region', async () => {
    const spoke = { account: A, region: 'us-east-1' };
    e.ssm.at(spoke).putParameter({ name: SPOKE_CONFIG_PARAMETER, value: spokeConfig({ dryRun: true }) });
    seedAudit(spoke);
    const { result, logs } = await withLogs(async () => handler(sqsEvent([await publishAudit(spoke)]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({});
    expect(reports()).toEqual([expect.objectContaining({ event: 'dry-run', taskId: TASK_ID, account: A, region: 'us-east-1' })]);
    expect(e.events.eventsOfType('Mitigation Dry Run').map((ev) => ev.detail)).toEqual([expect.objectContaining({ account: A, region: 'us-east-1' })]);
    expect(metricSum(datapointsOf(logs), 'DryRunPlans', { Mitigation: MITIGATION, Account: A, Region: 'us-east-1' })).toBe(1);
    expect(ledger()).toEqual({});
  });

  test('a forged message naming a spoke that is not registered, or an account outside the allow list, starts nothing and is reported', async () => {
    const unregistered = `arn:aws:sns:ap-south-1:${A}:spoke-notifications`; // an allowed account, a region with no confirmed spoke
    const replaced = `arn:aws:sns:eu-west-1:${A}:another-topic`; // a registered spoke, not its topic
    const outsider = `arn:aws:sns:eu-west-1:${OUTSIDER}:spoke-notifications`;
    SPOKES.forEach((s) => seedAudit(s));
    const bodies = [forgedNotification(unregistered, A), forgedNotification(replaced, A), forgedNotification(outsider, OUTSIDER)];

    const { result, logs } = await withLogs(() => handler(sqsEvent(bodies), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({});
    expect(e.sts.requestsFor('AssumeRole')).toEqual([]);
    expect(e.iot.requests).toEqual([]);
    const failures = reports().filter((r) => r.event === 'permanent-failure');
    expect(failures.map((r) => [r.kind, r.account, r.region, r.topicArn])).toEqual([
      ['unregistered-spoke', A, 'ap-south-1', unregistered],
      ['unregistered-spoke', A, 'eu-west-1', replaced],
      ['unregistered-spoke', OUTSIDER, 'eu-west-1', outsider],
    ]);
    expect(failures.map((r) => r.message)).toEqual([
      expect.stringMatching(/spoke 222222222222\/ap-south-1 is not registered/),
      expect.stringMatching(/is registered with topic arn:aws:sns:eu-west-1:222222222222:spoke-notifications, not .*another-topic/),
      expect.stringMatching(/account 444444444444 is not one of the hub's accounts/),
    ]);
    expect(metricSum(datapointsOf(logs), 'PermanentFailures', { FunctionName: 'HubStack-HubHandler-1A2B3C' })).toBe(3);
    expect(e.events.eventsOfType('Mitigation Failed').map((ev) => ev.detail.kind)).toEqual(['unregistered-spoke', 'unregistered-spoke', 'unregistered-spoke']);
  });

  test('a malformed record is a permanent failure; the rest of the batch goes ahead', async () => {
    const spoke = { account: A, region: 'eu-west-1' };
    seedAudit(spoke);
    const { result } = await withLogs(async () => handler(sqsEvent(['not json', JSON.stringify({ Type: 'Unsubscribe' }), await publishAudit(spoke)]), CONTEXT));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'eu-west-1')]: [TASK_ID] });
    expect(reports().filter((r) => r.event === 'permanent-failure').map((r) => r.kind)).toEqual(['malformed-message', 'malformed-message']);
  });

  test.each([
    ['not JSON', '{', /is not JSON/],
    ['another version', spokeConfig({ version: 2 }), /has version 2: this hub reads version 1/],
    ['no rules', spokeConfig({ rules: {} }), /has rules \{\}: must map each audit check/],
    ['a bad blast-radius limit', spokeConfig({ maxFindingsPerCheck: 0 }), /has maxFindingsPerCheck 0/],
  ])('a spoke whose configuration is %s is a configuration error for that spoke, reported; the batch goes ahead', async (_what, document, message) => {
    const broken = { account: B, region: 'eu-west-1' };
    const fine = { account: A, region: 'eu-west-1' };
    e.ssm.at(broken).putParameter({ name: SPOKE_CONFIG_PARAMETER, value: document });
    seedAudit(broken);
    seedAudit(fine);
    const { result } = await withLogs(async () => handler(sqsEvent([await publishAudit(broken), await publishAudit(fine)]), CONTEXT));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'eu-west-1')]: [TASK_ID] });
    expect(reports()).toContainEqual(expect.objectContaining({
      event: 'permanent-failure',
      kind: 'spoke-config-error',
      error: 'ConfigError',
      account: B,
      region: 'eu-west-1',
      message: expect.stringMatching(message),
    }));
  });

  test('a spoke role that does not trust the hub is a permanent failure of that spoke (spoke-role-refused)', async () => {
    const spoke = { account: A, region: 'us-east-1' };
    e.identities.setPrincipal('AKIDEXAMPLE', `arn:aws:sts::${HUB}:assumed-role/some-other-role/x`);
    seedAudit(spoke);
    const { result } = await withLogs(async () => handler(sqsEvent([await publishAudit(spoke)]), CONTEXT));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({});
    expect(reports()).toContainEqual(expect.objectContaining({ event: 'permanent-failure', kind: 'spoke-role-refused', error: 'AccessDenied', account: A }));
  });

  test('a transient failure in one spoke gives back that record only (redelivered, then dead-lettered); the redelivery starts the task', async () => {
    const flaky = { account: B, region: 'us-east-1' };
    const fine = { account: A, region: 'us-east-1' };
    seedAudit(flaky);
    seedAudit(fine);
    const flakyBody = await publishAudit(flaky);
    const event = sqsEvent([flakyBody, await publishAudit(fine)]);
    // As many 500s as the spoke client's attempts: the record is given back, its redelivery gets through.
    e.iot.injectFault({ kind: 'internalFailure500', operation: 'DescribeAuditTask', account: B, region: 'us-east-1', times: 2 });
    process.env.IOT_MAX_ATTEMPTS = '2';
    try {
      const { result } = await withLogs(() => handler(event, CONTEXT));
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] });
      expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'us-east-1')]: [TASK_ID] });
    } finally {
      delete process.env.IOT_MAX_ATTEMPTS;
    }
    const { result } = await withLogs(() => handler(sqsEvent([flakyBody]), CONTEXT));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'us-east-1')]: [TASK_ID], [spokeKey(B, 'us-east-1')]: [TASK_ID] });
  });
});

describe('spoke credentials', () => {
  beforeEach(async () => {
    SPOKES.forEach((s) => seedSpoke(s));
    await confirmAll();
  });

  test('are cached per spoke: one AssumeRole per spoke while they last, a new one 5 minutes before they expire', async () => {
    const [one, two] = SPOKES;
    seedAudit(one, 'audit-1');
    seedAudit(one, 'audit-2');
    seedAudit(two, 'audit-1');
    const bodies = [await publishAudit(one, 'audit-1'), await publishAudit(two, 'audit-1'), await publishAudit(one, 'audit-2')];
    // Only Date is faked: the hub's clock and the emulators' (which derives from it) move together.
    jest.useFakeTimers({
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval',
        'clearInterval', 'setTimeout', 'clearTimeout'],
    });

    await withLogs(() => handler(sqsEvent(bodies), CONTEXT));
    expect(assumed()).toEqual([spokeRoleArn(one), spokeRoleArn(two)]);
    expect(tasksIn(one).map((t) => t.taskId).sort()).toEqual([`${PREFIX}-audit-1`, `${PREFIX}-audit-2`]);

    // 54 minutes on, the 1-hour credentials still have 6 minutes: cached.
    jest.setSystemTime(Date.now() + 54 * 60_000);
    await withLogs(() => handler(sqsEvent([bodies[0]]), CONTEXT));
    expect(assumed()).toHaveLength(2);
    // 2 minutes later, they are within 5 minutes of their expiry: renewed, once.
    jest.setSystemTime(Date.now() + 2 * 60_000);
    await withLogs(() => handler(sqsEvent([bodies[0], bodies[2]]), CONTEXT));
    expect(assumed()).toEqual([spokeRoleArn(one), spokeRoleArn(two), spokeRoleArn(one)]);
    // Past the first credentials' expiry the spoke still answers: the hub uses the new ones.
    jest.setSystemTime(Date.now() + 10 * 60_000);
    const { result } = await withLogs(() => handler(sqsEvent([bodies[0]]), CONTEXT));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(assumed()).toHaveLength(3);
    expect(e.iot.requests.filter((r) => r.response.status === 403)).toEqual([]);
  });

  test('credentials the spoke refuses (expired early, revoked) are dropped: the record is retried and gets new ones', async () => {
    const spoke = SPOKES[0];
    seedAudit(spoke, 'audit-1');
    seedAudit(spoke, 'audit-2');
    e.sts.setCredentialLifetime(3600);
    await withLogs(async () => handler(sqsEvent([await publishAudit(spoke, 'audit-1')]), CONTEXT));
    e.identities.advanceClock(3601_000); // the emulators' clock only: the hub believes its credentials are fresh
    const body = await publishAudit(spoke, 'audit-2');
    const refused = await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    expect(refused.result).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
    const retried = await withLogs(() => handler(sqsEvent([body]), CONTEXT));
    expect(retried.result).toEqual({ batchItemFailures: [] });
    expect(assumed()).toEqual([spokeRoleArn(spoke), spokeRoleArn(spoke)]);
    expect(tasksIn(spoke).map((t) => t.taskId).sort()).toEqual([`${PREFIX}-audit-1`, `${PREFIX}-audit-2`]);
  });
});

describe('the reconciler', () => {
  beforeEach(async () => {
    SPOKES.forEach((s) => seedSpoke(s));
    await confirmAll();
  });

  test('walks every registered spoke and starts the task of each audit whose notification was lost, in its spoke only', async () => {
    const lost = [{ account: A, region: 'us-east-1' }, { account: B, region: 'eu-west-1' }];
    lost.forEach((s) => seedAudit(s));
    const { result, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));

    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'us-east-1')]: [TASK_ID], [spokeKey(B, 'eu-west-1')]: [TASK_ID] });
    expect((result as SpokeOutcome[]).map((o) => [o.account, o.region, o.decision]).sort()).toEqual([
      [A, 'us-east-1', 'started'], [B, 'eu-west-1', 'started'],
    ]);
    expect(assumed()).toHaveLength(4);
    expect(logs.filter((l) => l.event === 'reconciled').map((l) => spokeKey(l.account as string, l.region as string)).sort())
      .toEqual(SPOKES.map((s) => spokeKey(s.account, s.region)).sort());
    expect(metricSum(datapointsOf(logs), 'AuditsRecovered', { Mitigation: MITIGATION, Account: B, Region: 'eu-west-1' })).toBe(1);
    // The tasks it started are recorded for the follower.
    expect(Object.keys(ledger()).sort()).toEqual([hubTaskKey(A, 'us-east-1', TASK_ID), hubTaskKey(B, 'eu-west-1', TASK_ID)]);
    // A second run starts nothing more.
    await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'us-east-1')]: [TASK_ID], [spokeKey(B, 'eu-west-1')]: [TASK_ID] });
  });

  test('a spoke whose account left the allow list is skipped; a spoke that fails for good is reported and the others go ahead', async () => {
    configureHub({ [HUB_ENV.ACCOUNTS]: JSON.stringify([A]) });
    SPOKES.forEach((s) => seedAudit(s));
    e.ssm.at({ account: A, region: 'eu-west-1' }).putParameter({ name: SPOKE_CONFIG_PARAMETER, value: '[]' });
    const { result, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));

    expect(tasksEverywhere()).toEqual({ [spokeKey(A, 'us-east-1')]: [TASK_ID] });
    expect(result).toEqual([expect.objectContaining({ account: A, region: 'us-east-1', decision: 'started' })]);
    expect(logs.filter((l) => l.event === 'spoke-not-allowed').map((l) => l.spoke).sort()).toEqual([spokeKey(B, 'eu-west-1'), spokeKey(B, 'us-east-1')]);
    expect(reports()).toContainEqual(expect.objectContaining({ event: 'permanent-failure', kind: 'spoke-config-error', account: A, region: 'eu-west-1' }));
  });

  test('a transient failure in one spoke fails the run after the others, so it is retried', async () => {
    SPOKES.forEach((s) => seedAudit(s));
    e.ssm.injectFault({ kind: 'internalError', account: B, region: 'us-east-1', times: Infinity });
    const { error } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(error).toBeDefined();
    expect(Object.keys(tasksEverywhere()).sort()).toEqual([spokeKey(A, 'eu-west-1'), spokeKey(A, 'us-east-1'), spokeKey(B, 'eu-west-1')]);
  });
});

describe('Device Defender\'s Security Hub integration in the spokes (MITIGATION_HUB_SECURITY_HUB_INTEGRATION)', () => {
  const audit = (s: Spoke) => awsProductArn(s.region, 'iot-device-defender-audit');
  const detect = (s: Spoke) => awsProductArn(s.region, 'iot-device-defender-detect');
  /** The registry's record of each spoke's integration: `<account>/<region>` -> [state, refusal]. */
  const integration = () => Object.fromEntries(e.dynamodb.items(REGISTRY).map((item) => [
    (item.spoke as { S: string }).S, ['securityHubIntegration', 'securityHubRefusal'].map((name) => (item[name] as { S?: string } | undefined)?.S),
  ]));
  /** Security Hub requests in each spoke: `<account>/<region>` -> operations, in order. */
  const securityHubCalls = () => {
    const calls: Record<string, string[]> = {};
    for (const r of e.securityhub.requests) { (calls[spokeKey(r.account, r.region)] ??= []).push(r.operation); }
    return calls;
  };
  const [AE, AU, BE, BU] = SPOKES;

  beforeEach(() => {
    configureHub({ [HUB_ENV.SECURITY_HUB_INTEGRATION]: 'true' });
    SPOKES.forEach((s) => seedSpoke(s));
  });

  test('turned on in each spoke when the hub registers it, with the spoke\'s role, in the spoke\'s account and region; Detect only with a profile', async () => {
    SPOKES.forEach((s) => e.securityhub.at(s).enableHub());
    e.iot.at(BU).addSecurityProfile('chatty-devices');
    await confirmAll();

    for (const s of SPOKES) {
      expect(e.securityhub.at(s).productSubscriptions()).toEqual(s === BU ? [audit(s), detect(s)] : [audit(s)]);
    }
    expect(e.securityhub.requests.every((r) => (r.principalArn ?? '').startsWith(`arn:aws:sts::${r.account}:assumed-role/${spokeRoleNameIn(BASE_ROLE_NAME, r.region)}/`)))
      .toBe(true);
    expect(e.securityhub.at({ account: HUB, region: REGION }).requestsFor('ListEnabledProductsForImport')).toEqual([]);
    expect(integration()).toEqual(Object.fromEntries(SPOKES.map((s) => [spokeKey(s.account, s.region), ['on', undefined]])));
    expect(reports().filter((r) => r.event === 'permanent-failure')).toEqual([]);
  });

  test('a spoke that was off is turned on by the reconciler; once on, a spoke costs no call', async () => {
    [AE, AU, BE].forEach((s) => e.securityhub.at(s).enableHub());
    await confirmAll(); // BU: Security Hub not enabled there yet (reported, see below)
    expect(integration()[spokeKey(BU.account, BU.region)]).toEqual(['refused', 'security-hub-not-enabled']);

    e.securityhub.at(BU).enableHub();
    e.securityhub.requests.length = 0;
    await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(e.securityhub.at(BU).productSubscriptions()).toEqual([audit(BU)]);
    expect(securityHubCalls()).toEqual({ [spokeKey(BU.account, BU.region)]: ['ListEnabledProductsForImport', 'EnableImportFindingsForProduct'] });
    expect(integration()[spokeKey(BU.account, BU.region)]).toEqual(['on', undefined]);

    e.securityhub.requests.length = 0;
    e.iot.requests.length = 0;
    const again = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(again.error).toBeUndefined();
    expect(e.securityhub.requests).toEqual([]);
    expect(e.iot.requests.filter((r) => r.operation === 'ListSecurityProfiles')).toHaveLength(0);
  });

  test('a spoke that refuses (its role may not; Security Hub not enabled) is reported once, naming it and the fix; tried each run; audits still mitigated', async () => {
    [AE, AU].forEach((s) => e.securityhub.at(s).enableHub());
    // BE's role lacks the grant (a spoke without securityHub.enableIntegration); BU has no Security Hub.
    e.securityhub.injectFault({ kind: 'accessDenied', account: BE.account, region: BE.region, times: Infinity });
    await confirmAll();
    const refusals = () => reports().filter((r) => r.event === 'permanent-failure');
    expect(refusals()).toEqual([
      expect.objectContaining({
        kind: 'security-hub-integration-refused',
        account: BE.account,
        region: BE.region,
        stage: 'security-hub-integration',
        error: 'SecurityHubIntegrationNotAllowed',
        message: expect.stringMatching(new RegExp(`^the spoke role ${spokeRoleArn(BE)} may not turn on .* give that account's MitigationSpoke securityHub: \\{ enableIntegration: true \\}`)),
      }),
      expect.objectContaining({
        kind: 'security-hub-not-enabled',
        account: BU.account,
        region: BU.region,
        error: 'SecurityHubNotEnabled',
        message: expect.stringMatching(`^AWS Security Hub is not enabled in account ${BU.account}, region ${BU.region} `),
      }),
    ]);

    // Two reconciler runs: the refusing spokes are asked again each time, not reported again, and every spoke's audit is mitigated.
    SPOKES.forEach((s) => seedAudit(s));
    for (let run = 0; run < 2; run++) {
      e.securityhub.requests.length = 0;
      const { result, error, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));
      expect(error).toBeUndefined();
      if (run === 0) { expect((result as SpokeOutcome[]).map((o) => o.decision)).toEqual(['started', 'started', 'started', 'started']); }
      expect(Object.keys(securityHubCalls()).sort()).toEqual([spokeKey(BE.account, BE.region), spokeKey(BU.account, BU.region)]);
      expect(logs.filter((l) => l.event === 'security-hub-integration-still-refused')).toHaveLength(2);
    }
    expect(refusals()).toHaveLength(2);
    expect(Object.keys(tasksEverywhere()).sort()).toEqual(SPOKES.map((s) => spokeKey(s.account, s.region)).sort());
  });

  test('a transient failure (Security Hub keeps failing) is logged and left to the next run; it never fails the reconciler', async () => {
    SPOKES.forEach((s) => e.securityhub.at(s).enableHub());
    e.securityhub.injectFault({ kind: 'internalError', account: AE.account, region: AE.region, times: Infinity });
    await confirmAll();
    SPOKES.forEach((s) => seedAudit(s));
    const { error, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(error).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({
      event: 'security-hub-integration-deferred', level: 'WARN', account: AE.account, region: AE.region, error: 'InternalException',
    }));
    expect(integration()[spokeKey(AE.account, AE.region)]).toEqual([undefined, undefined]);
    expect(Object.keys(tasksEverywhere())).toHaveLength(4);
    expect(reports().filter((r) => r.event === 'permanent-failure')).toEqual([]);
  });

  test('what the hub found is written over the spoke\'s registry entry only while it is the same registration', async () => {
    const dynamodb = new DynamoDBClient({});
    const registry = new Registry(dynamodb, REGISTRY);
    const entry = registration(spokeOfTopic(topicOf(AE))!, `${topicOf(AE)}:sub-1`, new Date());
    await registry.put(entry);
    expect(await registry.update({ ...entry, securityHubIntegration: 'refused', securityHubRefusal: 'security-hub-not-enabled' })).toBe(true);
    expect(await registry.get(entry.spoke)).toEqual({ ...entry, securityHubIntegration: 'refused', securityHubRefusal: 'security-hub-not-enabled' });
    // The spoke is registered again (a new subscription) meanwhile: its new entry is kept, and tried again.
    const again = { ...entry, subscriptionArn: `${topicOf(AE)}:sub-2` };
    await registry.put(again);
    expect(await registry.update({ ...entry, securityHubIntegration: 'on' })).toBe(false);
    expect(await registry.get(entry.spoke)).toEqual(again);
    expect(await registry.all()).toEqual([again]);
    dynamodb.destroy();
  });

  test('without it, the hub never calls Security Hub', async () => {
    configureHub();
    SPOKES.forEach((s) => e.securityhub.at(s).enableHub());
    await confirmAll();
    await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(e.securityhub.requests).toEqual([]);
    expect(integration()).toEqual(Object.fromEntries(SPOKES.map((s) => [spokeKey(s.account, s.region), [undefined, undefined]])));
  });
});

test('an event that is neither SQS records nor the schedule is a permanent failure, reported', async () => {
  const { result } = await withLogs(() => handler({ hello: 'world' } as unknown as ScheduledEvent, CONTEXT));
  expect(result).toEqual([]);
  expect(reports()).toEqual([expect.objectContaining({ event: 'permanent-failure', kind: 'unknown-event' })]);
});

test('a hub configuration with neither accounts nor an organization (or both) is a configuration error', async () => {
  configureHub({ [HUB_ENV.ACCOUNTS]: undefined });
  const { error, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));
  expect(error).toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/exactly one of MITIGATION_HUB_ACCOUNTS and MITIGATION_HUB_ORGANIZATION_ID/) });
  expect(logs).toContainEqual(expect.objectContaining({ event: 'permanent-failure', kind: 'config-error' }));
});
