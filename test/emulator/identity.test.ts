/**
 * Several accounts and regions across the emulators, as the handler harness starts them (one
 * `Identities` shared by all): a hub account assumes a role in a spoke account and calls IoT, SSM,
 * SNS, EventBridge and DynamoDB there; each emulator keeps every (account, region) apart.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeAuditTaskCommand, IoTClient, ListAuditTasksCommand, ListPrincipalThingsCommand, ListThingGroupsForThingCommand, ResourceNotFoundException,
  StartAuditMitigationActionsTaskCommand,
} from '@aws-sdk/client-iot';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expectNoDynamoDbViolations } from './dynamodb-emulator';
import { expectNoEventsViolations } from './events-emulator';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, Identities } from './identity';
import { expectNoViolations } from './iot-emulator';
import { expectNoSsmViolations } from './ssm-emulator';
import { rejection } from './test-clients';
import { Emulators, REGION, resetEmulators, startEmulators, stopEmulators } from '../handlers/harness';

const HUB = DEFAULT_ACCOUNT;
const SPOKE = '222222222222';
const OTHER = '333333333333';
const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/dd-spoke`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let e: Emulators;
const clients: Array<{ destroy(): void }> = [];
const track = <T extends { destroy(): void }>(c: T): T => {
  clients.push(c);
  return c;
};

/** The spoke role's credentials, assumed by the hub through STS (as the hub's handler will). */
async function spokeCredentials(): Promise<Credentials> {
  const out = await track(new STSClient({})).send(new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'hub' }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
}

const listAuditTasks = () => new ListAuditTasksCommand({ startTime: new Date(Date.now() - 3600_000), endTime: new Date() });
const iot = (region: string, credentials?: Credentials) => track(new IoTClient({ region, credentials, maxAttempts: 1 }));

beforeAll(async () => {
  e = await startEmulators();
});
afterAll(() => stopEmulators(e));
beforeEach(() => {
  resetEmulators(e);
  e.identities.addAccount(SPOKE, { organizationId: 'o-abcdefghij' });
  e.sts.addRole(SPOKE_ROLE, { trustedPrincipalArns: [HUB] });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('the handler harness', () => {
  test('points the SDK at STS and SSM too, through AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL_SSM', async () => {
    expect(process.env.AWS_ENDPOINT_URL_STS).toBe(e.sts.endpoint);
    expect(process.env.AWS_ENDPOINT_URL_SSM).toBe(e.ssm.endpoint);
    expect(await track(new STSClient({})).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: DEFAULT_ACCOUNT });
    e.ssm.putParameter({ name: 'p', value: 'v' });
    expect((await track(new SSMClient({})).send(new GetParameterCommand({ Name: 'p' }))).Parameter?.Value).toBe('v');
    // Seeding without at() is the default account in the harness's region.
    expect(e.ssm.requests[0]).toMatchObject({ account: DEFAULT_ACCOUNT, region: REGION });
  });

  test('the default key may act as the hub handler\'s role session, which a spoke role trusts by its exact role ARN', async () => {
    const exact = `arn:aws:iam::${SPOKE}:role/trusts-the-handler`;
    e.sts.addRole(exact, { trustedPrincipalArns: [`arn:aws:iam::${HUB}:role/HubAuditHandlerRole`], principalOrgId: 'o-abcdefghij' });
    e.identities.addAccount(HUB, { organizationId: 'o-abcdefghij' });
    const client = track(new STSClient({}));
    expect((await rejection(client.send(new AssumeRoleCommand({ RoleArn: exact, RoleSessionName: 'hub' })))).name).toBe('AccessDenied');

    e.identities.setPrincipal('AKIDEXAMPLE', `arn:aws:sts::${HUB}:assumed-role/HubAuditHandlerRole/hub-audit`);
    expect(await client.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: HUB, Arn: `arn:aws:sts::${HUB}:assumed-role/HubAuditHandlerRole/hub-audit`, UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:hub-audit$/),
    });
    const out = await client.send(new AssumeRoleCommand({ RoleArn: exact, RoleSessionName: 'hub' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/trusts-the-handler/hub`);
    expect(() => e.identities.setPrincipal('AKIDEXAMPLE', `arn:aws:sts::${SPOKE}:assumed-role/x/y`)).toThrow(/of account 123456789012/);
    expect(() => e.identities.setPrincipal('AKIDNOBODY', `arn:aws:iam::${HUB}:user/x`)).toThrow('setPrincipal: AKIDNOBODY is not a registered long-term key');
  });

  test('resetEmulators resets the identities: accounts, keys and credentials added by a test are gone', async () => {
    e.identities.addAccessKey({ accessKeyId: 'AKIDTEMPORARY', account: OTHER });
    const c = await spokeCredentials();
    resetEmulators(e);
    expect((await rejection(track(new STSClient({ credentials: c })).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    const stranger = { accessKeyId: 'AKIDTEMPORARY', secretAccessKey: 'x' };
    expect((await rejection(track(new STSClient({ credentials: stranger })).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
  });
});

describe('AWS IoT in several accounts and regions', () => {
  test('a request acts on its caller\'s account in its region; seeding and read-back name theirs with at()', async () => {
    const spokeWest = e.iot.at({ account: SPOKE, region: 'eu-west-1' });
    spokeWest.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    spokeWest.addAuditTask({ taskId: 'audit-1', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 1 } } });
    spokeWest.addAuditFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
    e.iot.at({ account: SPOKE, region: 'eu-central-1' }).addAuditTask({ taskId: 'audit-9', checks: {} });

    const c = await spokeCredentials();
    const west = iot('eu-west-1', c);
    expect((await west.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' }))).taskStatus).toBe('COMPLETED');
    // The same account in another region, and the hub's own account in the same region, do not have it.
    expect(await rejection(iot('eu-central-1', c).send(new DescribeAuditTaskCommand({ taskId: 'audit-1' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(iot('eu-west-1').send(new DescribeAuditTaskCommand({ taskId: 'audit-1' })))).toBeInstanceOf(ResourceNotFoundException);

    await west.send(new StartAuditMitigationActionsTaskCommand({
      taskId: 'task-1', target: { auditTaskId: 'audit-1' }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify'] }, clientRequestToken: 't-1',
    }));
    expect(spokeWest.auditMitigationTasks().map((t) => t.taskId)).toEqual(['task-1']);
    expect(e.iot.at({ account: SPOKE, region: 'eu-central-1' }).auditMitigationTasks()).toEqual([]);
    expect(e.iot.auditMitigationTasks()).toEqual([]);
    expect(spokeWest.requestsFor('StartAuditMitigationActionsTask')).toEqual([expect.objectContaining({
      account: SPOKE, region: 'eu-west-1', principalArn: `arn:aws:sts::${SPOKE}:assumed-role/dd-spoke/hub`,
    })]);
    expect(e.iot.requestsFor('DescribeAuditTask').map((r) => r.response.status)).toEqual([404]);
    expect(e.iot.requests).toHaveLength(4);
    expectNoViolations(e.iot);
  });

  test('the ARNs the emulator builds carry the account and region', async () => {
    const spoke = e.iot.at({ account: SPOKE, region: 'ap-south-1' });
    spoke.addThingGroup('quarantine');
    spoke.addCertificate({ certificateId: 'c'.repeat(64) });
    expect(spoke.certificateArn('c'.repeat(64))).toBe(`arn:aws:iot:ap-south-1:${SPOKE}:cert/${'c'.repeat(64)}`);
    expect(spoke.certificate('c'.repeat(64))?.certificateArn).toBe(`arn:aws:iot:ap-south-1:${SPOKE}:cert/${'c'.repeat(64)}`);
    expect(e.iot.certificateArn('c'.repeat(64))).toBe(`arn:aws:iot:${REGION}:${DEFAULT_ACCOUNT}:cert/${'c'.repeat(64)}`);
    spoke.addThing('sensor');
    spoke.addThingToThingGroup('sensor', 'quarantine');
    const client = iot('ap-south-1', await spokeCredentials());
    const groups = await client.send(new ListThingGroupsForThingCommand({ thingName: 'sensor' }));
    expect(groups.thingGroups).toEqual([{ groupName: 'quarantine', groupArn: `arn:aws:iot:ap-south-1:${SPOKE}:thinggroup/quarantine` }]);
    // The certificate is the spoke's: its ARN in another account names nothing there.
    spoke.attachThingPrincipal('sensor', spoke.certificateArn('c'.repeat(64)));
    expect((await client.send(new ListPrincipalThingsCommand({ principal: spoke.certificateArn('c'.repeat(64)) }))).things).toEqual(['sensor']);
    const elsewhere = `arn:aws:iot:ap-south-1:${OTHER}:cert/${'c'.repeat(64)}`;
    expect(await rejection(client.send(new ListPrincipalThingsCommand({ principal: elsewhere })))).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(e.iot);
  });

  test('a key nobody issued is UnrecognizedClientException, expired credentials ExpiredTokenException (both 403)', async () => {
    const unknown = await rejection(iot('eu-west-1', { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }).send(listAuditTasks()));
    expect([unknown.name, unknown.message, unknown.$metadata?.httpStatusCode]).toEqual(['UnrecognizedClientException', 'The security token included in the request is invalid.', 403]);
    const c = await spokeCredentials();
    e.identities.advanceClock(3600_000);
    const expired = await rejection(iot('eu-west-1', c).send(listAuditTasks()));
    expect([expired.name, expired.message, expired.$metadata?.httpStatusCode]).toEqual(['ExpiredTokenException', 'The security token included in the request is expired', 403]);
    expect(e.iot.requests.map((r) => [r.account, r.principalArn, r.response.errorType])).toEqual([
      [DEFAULT_ACCOUNT, undefined, 'UnrecognizedClientException'], [SPOKE, undefined, 'ExpiredTokenException'],
    ]);
  });

  test('a fault may be aimed at one account and region', async () => {
    e.iot.injectFault({ kind: 'throttlingException', account: SPOKE, region: 'eu-west-1', times: Infinity });
    const c = await spokeCredentials();
    await iot('eu-central-1', c).send(listAuditTasks());
    await iot('eu-west-1').send(listAuditTasks());
    expect((await rejection(iot('eu-west-1', c).send(listAuditTasks()))).name).toBe('ThrottlingException');
  });
});

describe('SSM, SNS, EventBridge and DynamoDB in several accounts and regions', () => {
  test('the hub reads the spoke\'s configuration with the spoke role, in the spoke\'s region', async () => {
    e.ssm.at({ account: SPOKE, region: 'eu-west-1' }).putParameter({ name: '/dd/spoke', value: '{"dryRun":true}' });
    const c = await spokeCredentials();
    const read = (region: string, credentials?: Credentials) =>
      track(new SSMClient({ region, credentials, maxAttempts: 1 })).send(new GetParameterCommand({ Name: '/dd/spoke' }));
    expect((await read('eu-west-1', c)).Parameter?.Value).toBe('{"dryRun":true}');
    expect((await rejection(read('eu-west-1'))).name).toBe('ParameterNotFound');
    expect((await rejection(read('us-east-1', c))).name).toBe('ParameterNotFound');
    expectNoSsmViolations(e.ssm);
  });

  test('SNS: a spoke publishes to its own topic with the spoke role; the hub\'s key may not', async () => {
    const topic = `arn:aws:sns:eu-west-1:${SPOKE}:dd-spoke`;
    e.sns.addTopic(topic);
    const c = await spokeCredentials();
    await track(new SNSClient({ region: 'eu-west-1', credentials: c })).send(new PublishCommand({ TopicArn: topic, Message: 'm' }));
    const denied = await rejection(track(new SNSClient({ region: 'eu-west-1', maxAttempts: 1 })).send(new PublishCommand({ TopicArn: topic, Message: 'm' })));
    expect(denied.name).toBe('AuthorizationErrorException');
    expect(e.sns.publishedTo(topic)).toHaveLength(1);
    expect(e.sns.requests.map((r) => [r.account, r.region, r.status])).toEqual([[SPOKE, 'eu-west-1', 200], [DEFAULT_ACCOUNT, 'eu-west-1', 403]]);
  });

  test('EventBridge: each account and region has its own buses and events', async () => {
    const c = await spokeCredentials();
    e.events.at({ account: SPOKE, region: 'eu-west-1' }).addEventBus('ops');
    const put = (region: string, credentials?: Credentials) => track(new EventBridgeClient({ region, credentials, maxAttempts: 1 }))
      .send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'Thing', Detail: '{}', EventBusName: 'ops' }] }));
    expect((await put('eu-west-1', c)).FailedEntryCount).toBe(0);
    expect((await put('eu-west-1')).Entries).toEqual([expect.objectContaining({ ErrorCode: 'ResourceNotFoundException' })]);
    expect((await put('us-east-1', c)).Entries).toEqual([expect.objectContaining({ ErrorCode: 'ResourceNotFoundException' })]);
    expect(e.events.at({ account: SPOKE, region: 'eu-west-1' }).events.map((x) => x.eventBusName)).toEqual(['ops']);
    expect(e.events.events).toEqual([]);
    const unknown = await rejection(put('eu-west-1', { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }));
    expect([unknown.name, unknown.$metadata?.httpStatusCode]).toEqual(['UnrecognizedClientException', 400]);
    expectNoEventsViolations(e.events);
  });

  test('DynamoDB: each account and region has its own tables', async () => {
    const c = await spokeCredentials();
    e.dynamodb.at({ account: SPOKE, region: 'eu-west-1' }).createTable('ledger', 'id');
    const db = (region: string, credentials?: Credentials) => track(new DynamoDBClient({ region, credentials, maxAttempts: 1 }));
    await db('eu-west-1', c).send(new PutItemCommand({ TableName: 'ledger', Item: { id: { S: 'spoke' } } }));
    // The harness's ledger table is the default account's in its region only.
    await db(REGION).send(new PutItemCommand({ TableName: 'task-ledger', Item: { taskId: { S: 'hub' } } }));
    expect((await rejection(db('eu-west-1').send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: 'spoke' } } })))).name).toBe('ResourceNotFoundException');
    expect((await rejection(db('eu-west-1', c).send(new GetItemCommand({ TableName: 'task-ledger', Key: { taskId: { S: 'hub' } } })))).name)
      .toBe('ResourceNotFoundException');
    expect(e.dynamodb.at({ account: SPOKE, region: 'eu-west-1' }).items('ledger')).toEqual([{ id: { S: 'spoke' } }]);
    expect(e.dynamodb.items('task-ledger')).toEqual([{ taskId: { S: 'hub' } }]);
    const issued = e.identities.issue({ account: SPOKE, principalArn: `arn:aws:sts::${SPOKE}:assumed-role/r/s`, userId: 'AROAX:s', lifetimeMs: 0 });
    const expired = await rejection(db('eu-west-1', { accessKeyId: issued.accessKeyId, secretAccessKey: 'x', sessionToken: issued.sessionToken })
      .send(new GetItemCommand({ TableName: 'ledger', Key: { id: { S: 'spoke' } } })));
    expect([expired.name, expired.$metadata?.httpStatusCode]).toEqual(['ExpiredTokenException', 400]);
    expectNoDynamoDbViolations(e.dynamodb);
  });
});

describe('Identities', () => {
  test('refuse what AWS would not issue, and keep the default account\'s key', () => {
    const ids = new Identities();
    expect(() => ids.addAccount('1')).toThrow("addAccount: account must be 12 digits, got '1'");
    expect(() => ids.addAccount(SPOKE, { organizationId: 'org' })).toThrow(/organizationId must match/);
    ids.addAccount(SPOKE, { organizationId: 'o-abcdefghij' });
    expect(() => ids.addAccount(SPOKE, { organizationId: 'o-zzzzzzzzzz' })).toThrow(/already in organization o-abcdefghij/);
    expect(ids.organizationOf(SPOKE)).toBe('o-abcdefghij');
    expect(() => ids.addAccessKey({ accessKeyId: 'AKIDEXAMPLE', account: SPOKE })).toThrow('addAccessKey: AKIDEXAMPLE is already registered');
    expect(() => ids.addAccessKey({ accessKeyId: 'bad key', account: SPOKE })).toThrow(/accessKeyId must be/);
    expect(() => ids.addAccessKey({ accessKeyId: 'AKIDX', account: SPOKE, principalArn: `arn:aws:iam::${OTHER}:user/x` })).toThrow(/of account 222222222222/);
    expect(() => ids.advanceClock(-1)).toThrow(/ms must be >= 0/);
    expect(() => e.iot.at({ region: 'Europe' })).toThrow("at: region must be a region name such as us-east-1, got 'Europe'");
    expect(DEFAULT_REGION).toBe('us-east-1');
  });
});
