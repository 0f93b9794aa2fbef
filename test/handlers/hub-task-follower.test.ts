import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { ScheduledEvent } from 'aws-lambda';
import { ACCOUNT, CONTEXT, datapointsOf, Emulators, metricSum, REGION, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import { HUB_ENV } from '../../src/contract/environment';
import { HUB_TASK_LEDGER, hubRoleName, hubTaskKey, spokeKey, spokeRoleNameIn } from '../../src/contract/organization';
import { EVENT_DETAIL_TYPES, EVENT_SOURCE } from '../../src/contract/telemetry';
import { HubLedger } from '../../src/handlers/shared/hub-ledger';
import { expectNoDynamoDbViolations } from '../emulator/dynamodb-emulator';
import { expectNoEventsViolations } from '../emulator/events-emulator';
import { expectNoViolations } from '../emulator/iot-emulator';
import { awsProductArn, expectNoSecurityHubViolations } from '../emulator/securityhub-emulator';
import { expectNoSnsViolations } from '../emulator/sns-emulator';
import { expectNoStsViolations } from '../emulator/sts-emulator';

// The organization hub's task follower end to end: two member accounts x two regions of spokes,
// the hub in the harness's account and region, every call through the real SDK clients against
// the emulators (DynamoDB for the hub's ledger, STS for the spoke roles, IoT in each spoke,
// EventBridge and SNS for the outcome). The hub's audit function records the tasks it starts
// (test/handlers/mitigation-hub.test.ts checks what it records); here the same ledger code records them.

type Handler = typeof import('../../src/handlers/hub-task-follower.lambda').handler;
let handler: Handler;
let e: Emulators;

const HUB = ACCOUNT;
const FOLLOWER_ROLE = `arn:aws:iam::${HUB}:role/${hubRoleName('follower', REGION)}`;
const AUDIT_ROLE = `arn:aws:iam::${HUB}:role/${hubRoleName('audit', REGION)}`;
const LEDGER = 'hub-tasks';
const BASE_ROLE_NAME = 'cdk-device-defender-spoke';
const MITIGATION = 'HubStack/Hub';
const A = '222222222222';
const B = '333333333333';
const REGIONS = ['eu-west-1', 'us-east-1'];
interface Spoke { readonly account: string; readonly region: string }
const SPOKES: Spoke[] = [A, B].flatMap((account) => REGIONS.map((region) => ({ account, region })));
const [SPOKE_A, SPOKE_A2, SPOKE_B] = SPOKES;
const AUDIT = 'audit-1';
const CHECK = 'DEVICE_CERTIFICATE_SHARED_CHECK';
const TASK_ID = `dd0123456789-${AUDIT}`;

const spokeRoleArn = (s: Spoke) => `arn:aws:iam::${s.account}:role/${spokeRoleNameIn(BASE_ROLE_NAME, s.region)}`;
const key = (s: Spoke, taskId = TASK_ID) => hubTaskKey(s.account, s.region, taskId);
const scheduledEvent = { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} } as ScheduledEvent;

function configureFollower(overrides: Record<string, string | undefined> = {}): void {
  setEnv({
    [HUB_ENV.TASK_LEDGER_TABLE]: LEDGER,
    [HUB_ENV.SPOKE_ROLE_NAME]: BASE_ROLE_NAME,
    [HUB_ENV.MITIGATION]: MITIGATION,
    [HUB_ENV.REPORT_TOPIC_ARN]: REPORT_TOPIC,
    [HUB_ENV.EVENT_BUS]: undefined,
    [HUB_ENV.SECURITY_HUB]: undefined,
    AWS_LAMBDA_FUNCTION_NAME: 'HubStack-HubTaskFollowerHandler-1A2B3C',
    ...overrides,
  });
}

/** What a MitigationSpoke and its audits are in `s`: the role the hub's functions assume, two actions, an audit with 3 findings. */
function seedSpoke(s: Spoke, trusted = [AUDIT_ROLE, FOLLOWER_ROLE]): void {
  e.sts.addRole(spokeRoleArn(s), { trustedPrincipalArns: trusted });
  const iot = e.iot.at(s);
  iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
  iot.addMitigationAction({ actionName: 'escalate', actionType: 'PUBLISH_FINDING_TO_SNS' });
  iot.addAuditTask({ taskId: AUDIT, scheduledAuditName: 'daily', checks: { [CHECK]: { nonCompliantResourcesCount: 3 } } });
  for (const findingId of ['f1', 'f2', 'f3']) { iot.addAuditFinding({ findingId, taskId: AUDIT, checkName: CHECK }); }
}

const spokeKeys = new Set<string>();
/** A task as the hub starts it in `s` (with that account's credentials), and records it in its ledger. */
async function startTask(s: Spoke, taskId = TASK_ID, record = true): Promise<void> {
  const accessKeyId = `AKIDSPOKE${s.account}`;
  if (!spokeKeys.has(accessKeyId)) {
    e.identities.addAccessKey({ accessKeyId, account: s.account });
    spokeKeys.add(accessKeyId);
  }
  const iot = new IoTClient({ region: s.region, credentials: { accessKeyId, secretAccessKey: 'x' } });
  try {
    await iot.send(new StartAuditMitigationActionsTaskCommand({
      taskId, target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: { [CHECK]: ['notify', 'escalate'] }, clientRequestToken: `token-${taskId}`,
    }));
  } finally {
    iot.destroy();
  }
  if (record) {
    const dynamodb = new DynamoDBClient({});
    try {
      await new HubLedger(dynamodb, LEDGER).record({ partition: 'aws', account: s.account, region: s.region, taskId, mitigation: MITIGATION }, new Date());
    } finally {
      dynamodb.destroy();
    }
  }
}

async function follow() {
  const { result, error, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));
  return { result, error, logs, points: datapointsOf(logs) };
}

const outcomeEvents = () => e.events.eventsOfType(EVENT_DETAIL_TYPES.TASK_OUTCOME);
const reports = () => e.sns.jsonPublishedTo(REPORT_TOPIC) as Array<Record<string, any>>;
const assumed = () => e.sts.requestsFor('AssumeRole').filter((r) => r.status === 200).map((r) => r.params.RoleArn);
/** The IoT requests made in each spoke (`<account>/<region>` -> count), leaving out none. */
function iotRequestsBySpoke(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of e.iot.requests) { counts[spokeKey(r.account, r.region)] = (counts[spokeKey(r.account, r.region)] ?? 0) + 1; }
  return counts;
}
const ledgerState = (k: string) => (e.dynamodb.item(LEDGER, k)?.state as { S: string } | undefined)?.S;

beforeAll(async () => {
  e = await startEmulators();
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  resetEmulators(e);
  spokeKeys.clear();
  e.events.allowedSources = [EVENT_SOURCE];
  configureFollower();
  e.dynamodb.createTable(LEDGER, HUB_TASK_LEDGER.PARTITION_KEY, { [HUB_TASK_LEDGER.ACTIVE_INDEX]: HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE });
  // The handler runs as the hub's follower role, which the spoke roles trust by its exact ARN.
  e.identities.setPrincipal('AKIDEXAMPLE', `arn:aws:sts::${HUB}:assumed-role/${hubRoleName('follower', REGION)}/HubStack-HubTaskFollowerHandler-1A2B3C`);
  SPOKES.forEach((s) => seedSpoke(s));
  // A fresh module per test: its cached spoke sessions are the emulators' of this test.
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require('../../src/handlers/hub-task-follower.lambda').handler;
  });
});

afterEach(() => {
  jest.useRealTimers();
  expectNoViolations(e.iot);
  expectNoSnsViolations(e.sns);
  expectNoStsViolations(e.sts);
  expectNoDynamoDbViolations(e.dynamodb);
  expectNoEventsViolations(e.events);
});

test('a task the hub started in spoke A is followed and reported once, with A\'s account and region; a second run reports nothing', async () => {
  // GIVEN the task the hub started in A (eu-west-1), whose first action fails on 2 of its 3 findings, and the same task id
  // started by someone else in A's other region, which the hub did not record
  await startTask(SPOKE_A);
  await startTask(SPOKE_A2, TASK_ID, false);
  e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID, { failFindingIds: ['f1', 'f2'] });
  e.iot.at(SPOKE_A2).runAuditMitigationTask(TASK_ID);

  // WHEN the follower runs
  const first = await follow();

  // THEN one outcome event, naming the spoke's account and region
  expect(first.error).toBeUndefined();
  expect(first.result).toEqual({ reported: [key(SPOKE_A)], claimedElsewhere: [], failed: [], retrying: [], running: [] });
  expect(outcomeEvents().map((ev) => ev.detail)).toEqual([expect.objectContaining({
    mitigation: MITIGATION,
    account: A,
    region: 'eu-west-1',
    taskKind: 'audit',
    taskId: TASK_ID,
    status: 'FAILED',
    executions: { succeeded: 2, failed: 2, skipped: 2, canceled: 0 },
    findingsByCheck: { [CHECK]: expect.objectContaining({ total: 3, succeeded: 1, failed: 2 }) },
  })]);
  // THEN its metrics, organization-wide and for the spoke
  const p = first.points;
  expect(metricSum(p, 'TasksFinished', { Mitigation: MITIGATION })).toBe(1);
  expect(metricSum(p, 'TasksFinished', { Mitigation: MITIGATION, Account: A, Region: 'eu-west-1' })).toBe(1);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION })).toBe(2);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION, Account: A, Region: 'eu-west-1' })).toBe(2);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION, ActionName: 'notify' })).toBe(2);
  // THEN one task-outcome line and report (an execution failed), with the spoke
  expect(first.logs.filter((l) => l.event === 'task-outcome')).toEqual([expect.objectContaining({ level: 'WARN', account: A, region: 'eu-west-1' })]);
  expect(reports()).toEqual([expect.objectContaining({ event: 'task-outcome', taskId: TASK_ID, account: A, region: 'eu-west-1' })]);
  // THEN the entry is reported and out of the active index; only spoke A was asked, with its role
  expect(e.dynamodb.item(LEDGER, key(SPOKE_A))).toMatchObject({ state: { S: 'reported' }, failed: { BOOL: false } });
  expect(e.dynamodb.item(LEDGER, key(SPOKE_A))?.activeIn).toBeUndefined();
  expect(assumed()).toEqual([spokeRoleArn(SPOKE_A)]);
  expect(Object.keys(iotRequestsBySpoke())).toEqual([spokeKey(A, 'eu-west-1'), spokeKey(A, 'us-east-1')]); // the second: startTask's own
  expect(e.iot.at(SPOKE_A).requestsFor('DescribeAuditMitigationActionsTask')[0]).toMatchObject({
    principalArn: `arn:aws:sts::${A}:assumed-role/${spokeRoleNameIn(BASE_ROLE_NAME, 'eu-west-1')}/cdk-device-defender-hub`,
  });

  // WHEN the follower runs again THEN nothing is added: no event, metric, log line, report, or call to the spoke
  const iotBefore = e.iot.requests.length;
  const second = await follow();
  expect(second.result).toEqual({ reported: [], claimedElsewhere: [], failed: [], retrying: [], running: [] });
  expect(outcomeEvents()).toHaveLength(1);
  expect(second.points).toEqual([]);
  expect(second.logs.filter((l) => l.event === 'task-outcome')).toEqual([]);
  expect(reports()).toHaveLength(1);
  expect(e.iot.requests).toHaveLength(iotBefore);
  expect(assumed()).toHaveLength(1);
});

test('a task still running is not reported and nothing is written; it is reported once it finishes (INFO, no report topic)', async () => {
  await startTask(SPOKE_B);
  const running = await follow();
  expect(running.result).toEqual({ reported: [], claimedElsewhere: [], failed: [], retrying: [], running: [key(SPOKE_B)] });
  expect(outcomeEvents()).toEqual([]);
  expect(running.points).toEqual([]);
  expect(ledgerState(key(SPOKE_B))).toBe('active');
  expect(e.dynamodb.requestsFor('UpdateItem')).toEqual([]);

  e.iot.at(SPOKE_B).runAuditMitigationTask(TASK_ID);
  const finished = await follow();
  expect(finished.result?.reported).toEqual([key(SPOKE_B)]);
  expect(finished.logs.filter((l) => l.event === 'task-outcome')).toEqual([expect.objectContaining({ level: 'INFO', account: B, region: 'eu-west-1' })]);
  expect(outcomeEvents().map((ev) => [ev.detail.account, ev.detail.region, ev.detail.status])).toEqual([[B, 'eu-west-1', 'COMPLETED']]);
  expect(reports()).toEqual([]);
});

test('no call to any spoke without active tasks: an empty ledger is one read; tasks in one spoke call that spoke only', async () => {
  // GIVEN no active task (a reported one only)
  await startTask(SPOKE_B);
  e.iot.at(SPOKE_B).runAuditMitigationTask(TASK_ID);
  await follow();
  e.sts.requests.length = 0;
  e.iot.requests.length = 0;
  e.dynamodb.requests.length = 0;
  const idle = await follow();
  expect(idle.result).toEqual({ reported: [], claimedElsewhere: [], failed: [], retrying: [], running: [] });
  expect(e.sts.requests).toEqual([]);
  expect(e.iot.requests).toEqual([]);
  expect(e.dynamodb.requests.map((r) => [r.operation, r.body.IndexName])).toEqual([['Scan', HUB_TASK_LEDGER.ACTIVE_INDEX]]);

  // GIVEN two running tasks in spoke A (eu-west-1) and none elsewhere
  await startTask(SPOKE_A, 'dd0123456789-one');
  await startTask(SPOKE_A, 'dd0123456789-two');
  e.iot.requests.length = 0;
  await follow();
  // THEN one AssumeRole, of A's role there; one status read per active task, in that spoke only
  expect(assumed()).toEqual([spokeRoleArn(SPOKE_A)]);
  expect(iotRequestsBySpoke()).toEqual({ [spokeKey(A, 'eu-west-1')]: 2 });
  expect(e.iot.requests.map((r) => r.operation)).toEqual(['DescribeAuditMitigationActionsTask', 'DescribeAuditMitigationActionsTask']);
});

test('credentials are cached per spoke: one AssumeRole per spoke while they last, a new one 5 minutes before they expire', async () => {
  await startTask(SPOKE_A);
  await startTask(SPOKE_B);
  // Only Date is faked: the follower's clock and the emulators' (which derives from it) move together.
  jest.useFakeTimers({
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval',
      'clearInterval', 'setTimeout', 'clearTimeout'],
  });
  await follow();
  await follow();
  // 54 minutes on, the 1-hour credentials still have 6 minutes: cached.
  jest.setSystemTime(Date.now() + 54 * 60_000);
  await follow();
  expect(assumed().sort()).toEqual([spokeRoleArn(SPOKE_A), spokeRoleArn(SPOKE_B)]);
  // 2 minutes later, they are within 5 minutes of their expiry: renewed, once per spoke.
  jest.setSystemTime(Date.now() + 2 * 60_000);
  await follow();
  await follow();
  expect(assumed().sort()).toEqual([spokeRoleArn(SPOKE_A), spokeRoleArn(SPOKE_A), spokeRoleArn(SPOKE_B), spokeRoleArn(SPOKE_B)]);
  expect(e.iot.requests.filter((r) => r.response?.status === 403)).toEqual([]);
});

test('a spoke role that does not trust the follower: each of its tasks is reported once as a permanent failure, with its account and region', async () => {
  // GIVEN spoke B's role trusts the audit role only
  e.sts.reset();
  SPOKES.forEach((s) => e.sts.addRole(spokeRoleArn(s), { trustedPrincipalArns: s === SPOKE_B ? [AUDIT_ROLE] : [AUDIT_ROLE, FOLLOWER_ROLE] }));
  await startTask(SPOKE_B, 'dd0123456789-one');
  await startTask(SPOKE_B, 'dd0123456789-two');
  await startTask(SPOKE_A);
  e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID);

  const run = await follow();

  expect(run.error).toBeUndefined();
  expect(run.result?.reported).toEqual([key(SPOKE_A)]);
  expect(run.result?.failed).toEqual([key(SPOKE_B, 'dd0123456789-one'), key(SPOKE_B, 'dd0123456789-two')]);
  // One AssumeRole of B's role per run, whatever its number of tasks.
  expect(e.sts.requestsFor('AssumeRole').filter((r) => r.params.RoleArn === spokeRoleArn(SPOKE_B))).toHaveLength(1);
  expect(e.events.eventsOfType('Mitigation Failed').map((ev) => [ev.detail.kind, ev.detail.error, ev.detail.account, ev.detail.region, ev.detail.taskId]))
    .toEqual([
      ['outcome-unreadable', 'AccessDenied', B, 'eu-west-1', 'dd0123456789-one'],
      ['outcome-unreadable', 'AccessDenied', B, 'eu-west-1', 'dd0123456789-two'],
    ]);
  expect(metricSum(run.points, 'PermanentFailures', { Mitigation: MITIGATION, Account: B, Region: 'eu-west-1' })).toBe(2);
  expect(e.dynamodb.item(LEDGER, key(SPOKE_B, 'dd0123456789-one'))).toMatchObject({ state: { S: 'reported' }, failed: { BOOL: true } });

  // The next run does not ask again.
  e.sts.requests.length = 0;
  const next = await follow();
  expect(e.sts.requests).toEqual([]);
  expect(next.logs.filter((l) => l.event === 'permanent-failure')).toEqual([]);
});

test('a transient failure in one spoke: the others are reported, the run fails after them, and the next run reports it once', async () => {
  await startTask(SPOKE_A);
  await startTask(SPOKE_B);
  e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID);
  e.iot.at(SPOKE_B).runAuditMitigationTask(TASK_ID);
  e.iot.injectFault({ kind: 'internalFailure500', operation: 'DescribeAuditMitigationActionsTask', account: B, region: 'eu-west-1', times: 2 });
  process.env.IOT_MAX_ATTEMPTS = '2';
  let failing;
  try {
    failing = await follow();
  } finally {
    delete process.env.IOT_MAX_ATTEMPTS;
  }
  expect(failing.error).toEqual(expect.objectContaining({ message: `task outcomes to retry: ${key(SPOKE_B)}` }));
  expect(failing.logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', taskId: TASK_ID, account: B, region: 'eu-west-1' }));
  expect(outcomeEvents().map((ev) => ev.detail.account)).toEqual([A]);
  expect(ledgerState(key(SPOKE_B))).toBe('active');

  const next = await follow();
  expect(next.result?.reported).toEqual([key(SPOKE_B)]);
  await follow();
  expect(outcomeEvents().map((ev) => ev.detail.account)).toEqual([A, B]);
});

test('a claim of another run is left to it; a stale one is taken over', async () => {
  await startTask(SPOKE_A);
  e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID);
  const entry = e.dynamodb.item(LEDGER, key(SPOKE_A))!;
  const claimed = (at: number) => ({ ...entry, state: { S: 'claimed' }, claimId: { S: 'crashed-run' }, claimedAt: { N: String(at) } });
  e.dynamodb.putItem(LEDGER, claimed(Date.now() - 60_000));
  expect((await follow()).result?.claimedElsewhere).toEqual([key(SPOKE_A)]);
  expect(outcomeEvents()).toEqual([]);

  e.dynamodb.putItem(LEDGER, claimed(Date.now() - 6 * 60_000));
  expect((await follow()).result?.reported).toEqual([key(SPOKE_A)]);
  expect(outcomeEvents()).toHaveLength(1);
});

test('EventBridge failing: the claim is released, the run fails, and the next run reports exactly once', async () => {
  await startTask(SPOKE_A);
  e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID);
  e.events.injectFault({ kind: 'failedEntries' });
  const failing = await follow();
  expect(failing.error).toBeInstanceOf(Error);
  expect(failing.points).toEqual([]);
  expect(ledgerState(key(SPOKE_A))).toBe('active');
  expect(e.dynamodb.item(LEDGER, key(SPOKE_A))?.claimId).toBeUndefined();
  expect((await follow()).result?.reported).toEqual([key(SPOKE_A)]);
  await follow();
  expect(outcomeEvents()).toHaveLength(1);
});

test('a configuration without the ledger is a configuration error, reported', async () => {
  configureFollower({ [HUB_ENV.TASK_LEDGER_TABLE]: undefined });
  const run = await follow();
  expect(run.error).toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/MITIGATION_HUB_TASK_LEDGER_TABLE is not set/) });
  expect(reports()).toEqual([expect.objectContaining({ event: 'permanent-failure', kind: 'config-error' })]);
});

describe('Security Hub (a hub with securityHub): each spoke\'s findings, with the spoke\'s role', () => {
  const auditProduct = (s: Spoke) => awsProductArn(s.region, 'iot-device-defender-audit');
  afterEach(() => expectNoSecurityHubViolations(e.securityhub));

  test('the findings of each spoke\'s task are updated in that account and region only; a spoke without Security Hub is reported once', async () => {
    configureFollower({ [HUB_ENV.SECURITY_HUB]: 'true' });
    const ids: Record<string, string> = {};
    for (const s of [SPOKE_A, SPOKE_B]) {
      e.securityhub.at(s).enableHub({ products: [auditProduct(s)] });
      for (const f of ['f1', 'f2', 'f3']) { ids[`${spokeKey(s.account, s.region)}/${f}`] = e.securityhub.at(s).addFinding({ findingId: f, taskId: AUDIT, checkName: CHECK }).Id; }
      await startTask(s);
      e.iot.at(s).runAuditMitigationTask(TASK_ID);
    }
    // SPOKE_A2 has no Security Hub (every spoke is seeded: its role, its audit).
    await startTask(SPOKE_A2);
    e.iot.at(SPOKE_A2).runAuditMitigationTask(TASK_ID);

    const run = await follow();

    expect(run.error).toBeUndefined();
    expect(run.result?.reported.sort()).toEqual([key(SPOKE_A), key(SPOKE_A2), key(SPOKE_B)].sort());
    for (const s of [SPOKE_A, SPOKE_B]) {
      for (const f of ['f1', 'f2', 'f3']) {
        const finding = e.securityhub.at(s).finding(ids[`${spokeKey(s.account, s.region)}/${f}`])!;
        expect(finding.Workflow.Status).toBe('NOTIFIED');
        expect(finding.Note).toMatchObject({ UpdatedBy: 'cdk-device-defender', Text: expect.stringContaining(`task ${TASK_ID}: notify (PUBLISH_FINDING_TO_SNS) succeeded; escalate`) });
      }
      // With the spoke's role: the session STS gave the follower in that account.
      const calls = e.securityhub.requests.filter((r) => r.account === s.account && r.region === s.region);
      expect(calls.map((r) => r.operation)).toEqual(['GetFindings', 'BatchUpdateFindings']);
      expect(calls.every((r) => r.principalArn?.startsWith(`arn:aws:sts::${s.account}:assumed-role/${spokeRoleNameIn(BASE_ROLE_NAME, s.region)}/`))).toBe(true);
    }
    expect(e.securityhub.requests.filter((r) => r.account === HUB)).toEqual([]);
    const refused = run.logs.filter((l) => l.event === 'permanent-failure' && l.kind === 'security-hub-refused');
    expect(refused).toEqual([expect.objectContaining({ account: A, region: SPOKE_A2.region, error: 'InvalidAccessException' })]);
    const detailOf = (s: Spoke) => outcomeEvents().find((ev) => ev.detail.account === s.account && ev.detail.region === s.region)!.detail;
    expect(detailOf(SPOKE_A).securityHub).toEqual({ updated: 3, notified: 3, unchanged: 0, notFound: 0 });
    expect(detailOf(SPOKE_A2).securityHub).toMatchObject({ updated: 0, notFound: 3, error: expect.stringMatching(/^InvalidAccessException/) });
  });

  test('findings that arrive later are updated by one more look, with the spoke\'s role; the entry stays in the index until then, and nothing else is asked', async () => {
    configureFollower({ [HUB_ENV.SECURITY_HUB]: 'true' });
    jest.useFakeTimers({
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval',
        'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    e.securityhub.at(SPOKE_A).enableHub({ products: [auditProduct(SPOKE_A)] });
    await startTask(SPOKE_A);
    e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID);

    const first = await follow();
    expect(first.result?.reported).toEqual([key(SPOKE_A)]);
    const entry = e.dynamodb.item(LEDGER, key(SPOKE_A))!;
    expect(entry).toMatchObject({ state: { S: 'reported' }, activeIn: { S: spokeKey(A, SPOKE_A.region) }, findingsRetryAt: { N: expect.any(String) } });

    const ids = ['f1', 'f2', 'f3'].map((f) => e.securityhub.at(SPOKE_A).addFinding({ findingId: f, taskId: AUDIT, checkName: CHECK }).Id);
    const iotCalls = e.iot.requests.length;
    jest.setSystemTime(Date.now() + 30 * 60_000);
    await follow();
    // Waiting: no call to the spoke at all.
    expect(e.iot.requests).toHaveLength(iotCalls);

    jest.setSystemTime(Number((entry.findingsRetryAt as { N: string }).N));
    const late = await follow();

    expect(late.result?.reported).toEqual([]);
    expect(ids.map((id) => e.securityhub.at(SPOKE_A).finding(id)!.Workflow.Status)).toEqual(['NOTIFIED', 'NOTIFIED', 'NOTIFIED']);
    expect(late.logs.filter((l) => l.event === 'security-hub-findings')).toEqual([
      expect.objectContaining({ account: A, region: SPOKE_A.region, updated: 3, notified: 3, notFound: 0 }),
    ]);
    expect(e.dynamodb.item(LEDGER, key(SPOKE_A))!.activeIn).toBeUndefined();
    expect(outcomeEvents()).toHaveLength(1);
  });

  test('a hub without securityHub never calls Security Hub in a spoke', async () => {
    configureFollower();
    e.securityhub.at(SPOKE_A).enableHub({ products: [auditProduct(SPOKE_A)] });
    e.securityhub.at(SPOKE_A).addFinding({ findingId: 'f1', taskId: AUDIT, checkName: CHECK });
    await startTask(SPOKE_A);
    e.iot.at(SPOKE_A).runAuditMitigationTask(TASK_ID);

    const run = await follow();

    expect(run.result?.reported).toEqual([key(SPOKE_A)]);
    expect(e.securityhub.requests).toEqual([]);
  });
});
