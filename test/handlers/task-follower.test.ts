import { IoTClient, StartAuditMitigationActionsTaskCommand, StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { datapointsOf, Emulators, LEDGER_TABLE, metricSum, REGION, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import { FollowedMitigation, FOLLOWER_ENV } from '../../src/contract/environment';
import { EVENT_DETAIL_TYPES, EVENT_SOURCE, METRIC_NAMESPACE } from '../../src/contract/telemetry';
import { readTaskOutcome } from '../../src/handlers/shared/task-outcome';
import { expectNoDynamoDbViolations } from '../emulator/dynamodb-emulator';
import { expectNoEventsViolations } from '../emulator/events-emulator';
import { expectNoViolations } from '../emulator/iot-emulator';
import { awsProductArn, expectNoSecurityHubViolations } from '../emulator/securityhub-emulator';

let e: Emulators;
let handler: typeof import('../../src/handlers/task-follower.lambda').handler;
let iot: IoTClient;

const AUDIT = 'audit-1';
const CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
const PREFIX = 'dd0123456789';
const MITIGATION = 'Stack/AuditMitigation';
const FOLLOWED: FollowedMitigation[] = [
  { mitigation: MITIGATION, kind: 'audit', taskIdPrefix: PREFIX, reportTopicArn: REPORT_TOPIC },
  { mitigation: 'Stack/DetectMitigation', kind: 'detect', taskIdPrefix: 'dd9999999999' },
  { mitigation: 'Stack/Task', kind: 'audit', physicalResourceId: 'ddaaaaaaaaaa:2' },
];

beforeAll(async () => {
  e = await startEmulators();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../src/handlers/task-follower.lambda').handler;
  iot = new IoTClient({});
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  resetEmulators(e);
  e.events.allowedSources = [EVENT_SOURCE];
  setEnv({ [FOLLOWER_ENV.TABLE_NAME]: LEDGER_TABLE, [FOLLOWER_ENV.FOLLOWED]: JSON.stringify(FOLLOWED), [FOLLOWER_ENV.LOOKBACK_HOURS]: undefined });
  e.iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
  e.iot.addMitigationAction({ actionName: 'escalate', actionType: 'PUBLISH_FINDING_TO_SNS' });
  e.iot.addAuditTask({ taskId: AUDIT, scheduledAuditName: 'daily', checks: { [CHECK]: { nonCompliantResourcesCount: 5 } } });
  for (let i = 1; i <= 5; i++) {
    e.iot.addAuditFinding({ findingId: `f${i}`, taskId: AUDIT, checkName: CHECK, reasonForNonComplianceCode: 'CERTIFICATE_PAST_EXPIRATION' });
  }
});
afterEach(() => {
  expectNoViolations(e.iot);
  expectNoDynamoDbViolations(e.dynamodb);
  expectNoEventsViolations(e.events);
});

async function startAudit(taskId: string, target: Record<string, unknown> = { auditTaskId: AUDIT }) {
  await iot.send(new StartAuditMitigationActionsTaskCommand({
    taskId, target, auditCheckToActionsMapping: { [CHECK]: ['notify', 'escalate'] }, clientRequestToken: `token-${taskId}`,
  }));
}

async function follow() {
  const { result, error, logs } = await withLogs(() => handler());
  return { result, error, logs, points: datapointsOf(logs), outcomes: logs.filter((l) => l.event === 'task-outcome') };
}

const outcomeEvents = () => e.events.eventsOfType(EVENT_DETAIL_TYPES.TASK_OUTCOME);

test('a task that ends with 3 failed executions produces exactly one outcome; a second run adds nothing', async () => {
  // GIVEN an audit mitigation task whose first action fails on 3 of its 5 findings
  await startAudit(`${PREFIX}-daily`);
  e.iot.runAuditMitigationTask(`${PREFIX}-daily`, { failFindingIds: ['f1', 'f2', 'f3'] });

  // WHEN the follower runs
  const first = await follow();

  // THEN one event with the outcome
  expect(first.error).toBeUndefined();
  expect(first.result?.reported).toEqual([`${PREFIX}-daily`]);
  expect(outcomeEvents()).toHaveLength(1);
  const event = outcomeEvents()[0];
  expect(event.source).toBe(EVENT_SOURCE);
  expect(event.detail).toMatchObject({
    mitigation: MITIGATION,
    taskKind: 'audit',
    taskId: `${PREFIX}-daily`,
    status: 'FAILED',
    executions: { succeeded: 4, failed: 3, skipped: 3, canceled: 0 },
    byAction: {
      notify: { succeeded: 2, failed: 3, skipped: 0, canceled: 0, actionType: 'PUBLISH_FINDING_TO_SNS' },
      escalate: { succeeded: 2, failed: 0, skipped: 3, canceled: 0, actionType: 'PUBLISH_FINDING_TO_SNS' },
    },
    byCheck: { [CHECK]: { succeeded: 4, failed: 3, skipped: 3, canceled: 0 } },
    findingsByCheck: { [CHECK]: { total: 5, succeeded: 2, failed: 3, skipped: 0, canceled: 0 } },
    errorCodes: [{ errorCode: 'EmulatedFailure', count: 3, example: { actionName: 'notify', findingId: 'f1' } }],
    truncated: false,
  });
  expect(typeof event.detail.startTime).toBe('string');
  expect(typeof event.detail.endTime).toBe('string');

  // THEN the metrics, from the embedded-metric-format lines
  const emf = first.logs.filter((l) => '_aws' in l);
  for (const line of emf) {
    const directive = (line._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> }).CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(METRIC_NAMESPACE);
  }
  expect(emf.map((l) => (l._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0].Dimensions)).toEqual([
    [['Mitigation']], [['Mitigation', 'ActionName']], [['Mitigation', 'ActionName']], [['Mitigation', 'CheckName']],
  ]);
  const p = first.points;
  expect(metricSum(p, 'TasksFinished', { Mitigation: MITIGATION })).toBe(1);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION })).toBe(3);
  expect(metricSum(p, 'ExecutionsSucceeded', { Mitigation: MITIGATION })).toBe(4);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION, ActionName: 'notify' })).toBe(3);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION, ActionName: 'escalate' })).toBe(0);
  expect(metricSum(p, 'ExecutionsSkipped', { Mitigation: MITIGATION, ActionName: 'escalate' })).toBe(3);
  expect(metricSum(p, 'ExecutionsFailed', { Mitigation: MITIGATION, CheckName: CHECK })).toBe(3);
  expect(metricSum(p, 'FindingsMitigated', { Mitigation: MITIGATION, CheckName: CHECK })).toBe(2);
  expect(metricSum(p, 'FindingsMitigated', { Mitigation: MITIGATION })).toBe(2);

  // THEN one log line, at WARN (something failed), and the report topic has it
  expect(first.outcomes).toHaveLength(1);
  expect(first.outcomes[0]).toMatchObject({ level: 'WARN', event: 'task-outcome', taskId: `${PREFIX}-daily`, mitigation: MITIGATION });
  expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([expect.objectContaining({ event: 'task-outcome', taskId: `${PREFIX}-daily` })]);
  expect(e.dynamodb.item(LEDGER_TABLE, `${PREFIX}-daily`)).toMatchObject({ state: { S: 'reported' }, failed: { BOOL: false }, expiresAt: { N: expect.any(String) } });
  const expires = Number((e.dynamodb.item(LEDGER_TABLE, `${PREFIX}-daily`)!.expiresAt as { N: string }).N);
  expect(expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);

  // WHEN the follower runs again THEN nothing is added: no event, no metric line, no log line, no report
  const second = await follow();
  expect(second.error).toBeUndefined();
  expect(second.result?.reported).toEqual([]);
  expect(outcomeEvents()).toHaveLength(1);
  expect(second.points).toEqual([]);
  expect(second.outcomes).toEqual([]);
  expect(e.sns.publishedTo(REPORT_TOPIC)).toHaveLength(1);
  expect(e.dynamodb.requestsFor('PutItem')).toHaveLength(1);
});

test('a task still IN_PROGRESS is not reported, and is reported once it finishes (INFO, no report when nothing failed)', async () => {
  await startAudit(`${PREFIX}-daily`);
  const running = await follow();
  expect(running.result?.reported).toEqual([]);
  expect(outcomeEvents()).toHaveLength(0);
  expect(e.dynamodb.items(LEDGER_TABLE)).toEqual([]);

  e.iot.runAuditMitigationTask(`${PREFIX}-daily`);
  const finished = await follow();
  expect(finished.result?.reported).toEqual([`${PREFIX}-daily`]);
  expect(finished.outcomes).toEqual([expect.objectContaining({ level: 'INFO' })]);
  expect(e.sns.publishedTo(REPORT_TOPIC)).toHaveLength(0);
  expect(outcomeEvents()).toHaveLength(1);
});

test('another construct\'s task and someone else\'s task are ignored', async () => {
  await startAudit('dd0000000000-daily');
  await startAudit('manual-task');
  await startAudit(`${PREFIX}x-daily`); // the prefix, but not followed by '-'
  await startAudit('ddaaaaaaaaaa-2'); // beyond the custom resource's 2 tasks
  for (const id of ['dd0000000000-daily', 'manual-task', `${PREFIX}x-daily`, 'ddaaaaaaaaaa-2']) e.iot.runAuditMitigationTask(id);
  const run = await follow();
  expect(run.result?.reported).toEqual([]);
  expect(outcomeEvents()).toHaveLength(0);
});

test('an AuditMitigationTask\'s tasks are found through its physical id', async () => {
  await startAudit('ddaaaaaaaaaa-0', { findingIds: ['f1', 'f2'] });
  await startAudit('ddaaaaaaaaaa-1', { findingIds: ['f3'] });
  e.iot.runAuditMitigationTask('ddaaaaaaaaaa-0', { failFindingIds: ['f2'] });
  e.iot.runAuditMitigationTask('ddaaaaaaaaaa-1');
  const run = await follow();
  expect(run.result?.reported.sort()).toEqual(['ddaaaaaaaaaa-0', 'ddaaaaaaaaaa-1']);
  const first = outcomeEvents().find((ev) => ev.detail.taskId === 'ddaaaaaaaaaa-0')!;
  // findingIds target: each finding's check comes from DescribeAuditFinding
  expect(first.detail).toMatchObject({ mitigation: 'Stack/Task', executions: { failed: 1, succeeded: 2, skipped: 1 }, byCheck: { [CHECK]: { failed: 1 } } });
});

test('a claim left by a crashed run is taken over once stale; a fresh one is left alone', async () => {
  await startAudit(`${PREFIX}-daily`);
  e.iot.runAuditMitigationTask(`${PREFIX}-daily`);
  const claimed = (at: number) => ({ taskId: { S: `${PREFIX}-daily` }, state: { S: 'claimed' }, claimId: { S: 'crashed-run' }, claimedAt: { N: String(at) } });
  e.dynamodb.putItem(LEDGER_TABLE, claimed(Date.now() - 60_000));
  const fresh = await follow();
  expect(fresh.result?.claimedElsewhere).toEqual([`${PREFIX}-daily`]);
  expect(outcomeEvents()).toHaveLength(0);

  e.dynamodb.putItem(LEDGER_TABLE, claimed(Date.now() - 6 * 60_000));
  const stale = await follow();
  expect(stale.result?.reported).toEqual([`${PREFIX}-daily`]);
  expect(outcomeEvents()).toHaveLength(1);
});

test('EventBridge failing: the claim is released, the run fails, and the next run reports exactly once', async () => {
  await startAudit(`${PREFIX}-daily`);
  e.iot.runAuditMitigationTask(`${PREFIX}-daily`, { failFindingIds: ['f1'] });
  e.events.injectFault({ kind: 'failedEntries' });
  const failing = await follow();
  expect(failing.error).toBeInstanceOf(Error);
  expect(failing.logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', taskId: `${PREFIX}-daily` }));
  expect(failing.points).toEqual([]);
  expect(failing.outcomes).toEqual([]);
  expect(e.dynamodb.items(LEDGER_TABLE)).toEqual([]);

  const next = await follow();
  expect(next.result?.reported).toEqual([`${PREFIX}-daily`]);
  const again = await follow();
  expect(again.result?.reported).toEqual([]);
  expect(outcomeEvents()).toHaveLength(1);
  expect(e.sns.publishedTo(REPORT_TOPIC)).toHaveLength(1);
});

test('a detect task', async () => {
  e.iot.addThing('thing-1');
  e.iot.addThing('thing-2');
  e.iot.addThingGroup('quarantine');
  e.iot.addMitigationAction({ actionName: 'quarantine', actionType: 'ADD_THINGS_TO_THING_GROUP', actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } } });
  await iot.send(new StartDetectMitigationActionsTaskCommand({
    taskId: 'dd9999999999-v', target: { violationIds: ['v-1', 'v-2'] }, actions: ['quarantine'], clientRequestToken: 'token-detect',
  }));
  e.iot.runDetectMitigationTask('dd9999999999-v', { 'v-1': 'thing-1', 'v-2': 'thing-2' }, { failViolationIds: ['v-2'] });
  const run = await follow();
  expect(run.result?.reported).toEqual(['dd9999999999-v']);
  expect(outcomeEvents()[0].detail).toMatchObject({
    mitigation: 'Stack/DetectMitigation',
    taskKind: 'detect',
    status: 'FAILED',
    executions: { succeeded: 1, failed: 1, skipped: 0, canceled: 0 },
    byAction: { quarantine: { succeeded: 1, failed: 1, actionType: 'ADD_THINGS_TO_THING_GROUP' } },
    errorCodes: [{ errorCode: 'EmulatedFailure', count: 1, example: { actionName: 'quarantine', violationId: 'v-2' } }],
  });
  expect(outcomeEvents()[0].detail.byCheck).toBeUndefined();
  expect(metricSum(run.points, 'ExecutionsFailed', { Mitigation: 'Stack/DetectMitigation', ActionName: 'quarantine' })).toBe(1);
});

test('an audit task with more findings than the cap is reported truncated', async () => {
  await startAudit(`${PREFIX}-daily`);
  e.iot.runAuditMitigationTask(`${PREFIX}-daily`, { failFindingIds: ['f1', 'f2', 'f3', 'f4'] });
  const outcome = await readTaskOutcome(iot, { kind: 'audit', taskId: `${PREFIX}-daily` }, { maxFindings: 3 });
  expect(outcome?.truncated).toBe(true);
  expect(outcome?.executions.failed).toBe(3);
  expect(e.iot.requestsFor('ListAuditMitigationActionsExecutions')).toHaveLength(3);
});

test('a permanent failure reading the outcome is reported once and not retried forever', async () => {
  await startAudit(`${PREFIX}-daily`);
  e.iot.runAuditMitigationTask(`${PREFIX}-daily`);
  e.iot.injectFault({ kind: 'accessDenied403', operation: 'DescribeAuditMitigationActionsTask', times: Infinity });
  const run = await follow();
  expect(run.result?.failed).toEqual([`${PREFIX}-daily`]);
  expect(run.logs.filter((l) => l.event === 'permanent-failure')).toHaveLength(1);
  // Counted for the construct whose task it is (its dashboard shows it), and put as a Mitigation Failed event.
  expect(metricSum(datapointsOf(run.logs), 'PermanentFailures', { Mitigation: MITIGATION })).toBe(1);
  expect(e.events.eventsOfType('Mitigation Failed').map((ev) => ev.detail)).toEqual([
    expect.objectContaining({ mitigation: MITIGATION, kind: 'outcome-unreadable', error: 'AccessDeniedException', taskId: `${PREFIX}-daily` }),
  ]);
  expect(e.dynamodb.item(LEDGER_TABLE, `${PREFIX}-daily`)).toMatchObject({ state: { S: 'reported' }, failed: { BOOL: true } });
  const again = await follow();
  expect(again.logs.filter((l) => l.event === 'permanent-failure')).toHaveLength(0);
  expect(outcomeEvents()).toHaveLength(0);
});

test('a followed construct with an event bus gets its outcome on that bus; the others on the default bus', async () => {
  // GIVEN the audit mitigation's events go to its own bus
  const bus = 'arn:aws:events:eu-west-1:123456789012:event-bus/mitigation-events';
  e.events.addEventBus('mitigation-events');
  setEnv({ [FOLLOWER_ENV.FOLLOWED]: JSON.stringify([{ ...FOLLOWED[0], eventBusArn: bus }, ...FOLLOWED.slice(1)]) });
  await startAudit(`${PREFIX}-daily`);
  e.iot.runAuditMitigationTask(`${PREFIX}-daily`, {});
  await startAudit('ddaaaaaaaaaa-0');
  e.iot.runAuditMitigationTask('ddaaaaaaaaaa-0', {});
  // WHEN
  const { error } = await follow();
  // THEN
  expect(error).toBeUndefined();
  expect(outcomeEvents().map((ev) => [ev.detail.taskId, ev.eventBusName])).toEqual(expect.arrayContaining([
    [`${PREFIX}-daily`, 'mitigation-events'], ['ddaaaaaaaaaa-0', 'default'],
  ]));
  expect(outcomeEvents()).toHaveLength(2);
});

describe('Security Hub: the findings of a followed construct with securityHub', () => {
  const SH_PREFIX = 'ddbbbbbbbbbb';
  const SH_MITIGATION = 'Stack/Quarantine';
  const TASK_ID = `${SH_PREFIX}-daily`;
  const AUDIT_PRODUCT = awsProductArn(REGION, 'iot-device-defender-audit');
  /** The Security Hub finding Id of each audit finding f1..f5. */
  let ids: Record<string, string>;

  beforeEach(() => {
    setEnv({
      [FOLLOWER_ENV.FOLLOWED]: JSON.stringify([...FOLLOWED, { mitigation: SH_MITIGATION, kind: 'audit', taskIdPrefix: SH_PREFIX, securityHub: true }]),
    });
  });
  afterEach(() => expectNoSecurityHubViolations(e.securityhub));

  /** Security Hub enabled with Device Defender's audit findings, one per audit finding; `workflow` seeds an analyst's status. */
  function seedFindings(workflow: Record<string, 'NEW' | 'NOTIFIED' | 'SUPPRESSED'> = {}) {
    e.securityhub.enableHub({ products: [AUDIT_PRODUCT] });
    ids = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`f${i}`,
      e.securityhub.addFinding({ findingId: `f${i}`, taskId: AUDIT, checkName: CHECK, workflowStatus: workflow[`f${i}`] }).Id]));
  }

  /** One action, `notify`, on the 5 findings; f4 and f5 fail. */
  async function finishTask() {
    await iot.send(new StartAuditMitigationActionsTaskCommand({
      taskId: TASK_ID, target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: { [CHECK]: ['notify'] }, clientRequestToken: 'sh',
    }));
    e.iot.runAuditMitigationTask(TASK_ID, { failFindingIds: ['f4', 'f5'] });
  }

  const statusOf = (f: string) => e.securityhub.finding(ids[f])!.Workflow.Status;
  const noteOf = (f: string) => e.securityhub.finding(ids[f])!.Note;

  test('3 successful and 2 failed executions: 3 findings NOTIFIED with the note, 2 with a note only; a second run changes nothing', async () => {
    seedFindings();
    await finishTask();

    const first = await follow();

    expect(first.error).toBeUndefined();
    expect(first.result?.reported).toEqual([TASK_ID]);
    for (const f of ['f1', 'f2', 'f3']) {
      expect(statusOf(f)).toBe('NOTIFIED');
      expect(noteOf(f)).toMatchObject({
        UpdatedBy: 'cdk-device-defender',
        Text: `cdk-device-defender mitigation task ${TASK_ID}: notify (PUBLISH_FINDING_TO_SNS) succeeded. `
          + 'The finding stays until the next audit finds the resource compliant.',
      });
    }
    for (const f of ['f4', 'f5']) {
      expect(statusOf(f)).toBe('NEW');
      expect(noteOf(f)).toMatchObject({ UpdatedBy: 'cdk-device-defender', Text: `cdk-device-defender mitigation task ${TASK_ID}: notify (PUBLISH_FINDING_TO_SNS) failed.` });
    }
    // One call per note and status, each finding in one call only.
    const updates = e.securityhub.requestsFor('BatchUpdateFindings');
    expect(updates).toHaveLength(2);
    expect(updates.map((u) => (u.input.FindingIdentifiers as unknown[]).length).sort()).toEqual([2, 3]);
    // The outcome says what was done, and so do the metrics.
    const detail = outcomeEvents().find((ev) => ev.detail.taskId === TASK_ID)!.detail;
    expect(detail.securityHub).toEqual({ updated: 5, notified: 3, unchanged: 0, notFound: 0 });
    expect(metricSum(first.points, 'SecurityHubFindingsUpdated', { Mitigation: SH_MITIGATION })).toBe(5);
    expect(metricSum(first.points, 'SecurityHubFindingsNotified', { Mitigation: SH_MITIGATION })).toBe(3);

    // A second run: nothing to report, nothing written.
    const second = await follow();
    expect(second.result?.reported).toEqual([]);
    expect(e.securityhub.requestsFor('BatchUpdateFindings')).toHaveLength(2);
    for (const f of ['f1', 'f2', 'f3', 'f4', 'f5']) { expect(e.securityhub.updatesOf(ids[f])).toHaveLength(1); }
  });

  test('a run retried after Security Hub updated some findings writes the others only, the same notes', async () => {
    seedFindings();
    await finishTask();
    // The first run's note-only call goes through, then EventBridge refuses: the task is retried.
    e.events.injectFault({ kind: 'failedEntries' });
    const first = await follow();
    expect(first.result).toBeUndefined();
    expect(first.error).toBeDefined();
    const written = e.securityhub.requestsFor('BatchUpdateFindings').length;
    expect(written).toBe(2);

    const second = await follow();

    expect(second.result?.reported).toEqual([TASK_ID]);
    // Every finding already had its note: nothing written again, and the outcome says so.
    expect(e.securityhub.requestsFor('BatchUpdateFindings')).toHaveLength(written);
    for (const f of Object.keys(ids)) { expect(e.securityhub.updatesOf(ids[f])).toHaveLength(1); }
    const detail = outcomeEvents().find((ev) => ev.detail.taskId === TASK_ID)!.detail;
    expect(detail.securityHub).toEqual({ updated: 0, notified: 0, unchanged: 5, notFound: 0 });
  });

  test('a finding an analyst SUPPRESSED, or already NOTIFIED, keeps its status and gets the note', async () => {
    seedFindings({ f1: 'SUPPRESSED', f2: 'NOTIFIED' });
    await finishTask();

    await follow();

    expect(statusOf('f1')).toBe('SUPPRESSED');
    expect(statusOf('f2')).toBe('NOTIFIED');
    expect(statusOf('f3')).toBe('NOTIFIED');
    expect(e.securityhub.updatesOf(ids.f1)).toEqual([expect.objectContaining({ workflowStatus: undefined, note: expect.objectContaining({ UpdatedBy: 'cdk-device-defender' }) })]);
    expect(e.securityhub.updatesOf(ids.f2)).toEqual([expect.objectContaining({ workflowStatus: undefined })]);
    expect(e.securityhub.updatesOf(ids.f3)).toEqual([expect.objectContaining({ workflowStatus: 'NOTIFIED' })]);
  });

  test('Security Hub not enabled: reported once, the outcome still reported, the task not retried', async () => {
    await finishTask();

    const first = await follow();

    expect(first.error).toBeUndefined();
    expect(first.result?.reported).toEqual([TASK_ID]);
    const refused = first.logs.filter((l) => l.event === 'permanent-failure' && l.kind === 'security-hub-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ error: 'InvalidAccessException', taskId: TASK_ID, fix: expect.stringMatching(/^enable Security Hub/) });
    expect(e.events.eventsOfType(EVENT_DETAIL_TYPES.FAILED)).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ kind: 'security-hub-refused', mitigation: SH_MITIGATION, taskId: TASK_ID }) }),
    ]);
    expect(metricSum(first.points, 'PermanentFailures', { Mitigation: SH_MITIGATION })).toBe(1);
    const detail = outcomeEvents().find((ev) => ev.detail.taskId === TASK_ID)!.detail;
    expect(detail.securityHub).toEqual({ updated: 0, notified: 0, unchanged: 0, notFound: 5, error: expect.stringMatching(/^InvalidAccessException: /) });

    const second = await follow();
    expect(second.result?.reported).toEqual([]);
    expect(second.logs.filter((l) => l.event === 'permanent-failure')).toEqual([]);
  });

  test('Security Hub throttling past the SDK\'s retries: the task is retried by the next run, then updated once', async () => {
    seedFindings();
    await finishTask();
    e.securityhub.injectFault({ kind: 'throttled', operation: 'GetFindings', times: 3 });

    const first = await follow();
    expect(first.error).toBeDefined();
    expect(outcomeEvents().filter((ev) => ev.detail.taskId === TASK_ID)).toEqual([]);

    const second = await follow();
    expect(second.result?.reported).toEqual([TASK_ID]);
    expect(statusOf('f1')).toBe('NOTIFIED');
    expect(outcomeEvents().filter((ev) => ev.detail.taskId === TASK_ID)).toHaveLength(1);
  });

  test('findings not in Security Hub yet when the task is reported are looked for once more, 75 minutes after it ended; the outcome is not reported again', async () => {
    // Only Date is faked: the follower's clock and the emulators' move together.
    jest.useFakeTimers({
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval',
        'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    try {
      e.securityhub.enableHub({ products: [AUDIT_PRODUCT] });
      await finishTask();

      const first = await follow();
      expect(first.result?.reported).toEqual([TASK_ID]);
      const reportedDetail = outcomeEvents().find((ev) => ev.detail.taskId === TASK_ID)!.detail;
      expect(reportedDetail.securityHub).toEqual({ updated: 0, notified: 0, unchanged: 0, notFound: 5 });
      const retryAt = Number((e.dynamodb.item(LEDGER_TABLE, TASK_ID)!.findingsRetryAt as { N: string }).N);
      expect(retryAt).toBeGreaterThan(Date.now() + 74 * 60_000);

      // Device Defender's findings arrive; before the time, nothing is asked.
      const arrived = (i: number) => e.securityhub.addFinding({ findingId: `f${i}`, taskId: AUDIT, checkName: CHECK }).Id;
      ids = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`f${i}`, arrived(i)]));
      jest.setSystemTime(Date.now() + 30 * 60_000);
      const early = await follow();
      expect(early.error).toBeUndefined();
      expect(e.securityhub.requestsFor('GetFindings')).toHaveLength(1);

      jest.setSystemTime(retryAt);
      const late = await follow();

      expect(late.error).toBeUndefined();
      expect(late.result?.reported).toEqual([]);
      expect(['f1', 'f2', 'f3'].map(statusOf)).toEqual(['NOTIFIED', 'NOTIFIED', 'NOTIFIED']);
      expect(['f4', 'f5'].map(statusOf)).toEqual(['NEW', 'NEW']);
      expect(noteOf('f4')).toMatchObject({ UpdatedBy: 'cdk-device-defender', Text: expect.stringContaining('notify (PUBLISH_FINDING_TO_SNS) failed') });
      expect(late.logs.filter((l) => l.event === 'security-hub-findings')).toEqual([
        expect.objectContaining({ taskId: TASK_ID, mitigation: SH_MITIGATION, updated: 5, notified: 3, notFound: 0 }),
      ]);
      expect(metricSum(late.points, 'SecurityHubFindingsUpdated', { Mitigation: SH_MITIGATION })).toBe(5);
      expect(outcomeEvents().filter((ev) => ev.detail.taskId === TASK_ID)).toHaveLength(1);
      expect(e.dynamodb.item(LEDGER_TABLE, TASK_ID)!.findingsRetryAt).toBeUndefined();

      // Done: later runs ask nothing more.
      const calls = e.securityhub.requests.length;
      jest.setSystemTime(Date.now() + 60 * 60_000);
      await follow();
      expect(e.securityhub.requests).toHaveLength(calls);
    } finally {
      jest.useRealTimers();
    }
  });

  test('the constructs without securityHub never call Security Hub', async () => {
    seedFindings();
    await startAudit(`${PREFIX}-daily`);
    e.iot.runAuditMitigationTask(`${PREFIX}-daily`);

    const run = await follow();

    expect(run.result?.reported).toEqual([`${PREFIX}-daily`]);
    expect(e.securityhub.requests).toEqual([]);
    expect(outcomeEvents()[0].detail.securityHub).toBeUndefined();
  });
});
