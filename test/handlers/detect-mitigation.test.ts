import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Emulators, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import { detectMitigationTaskId } from '../../src/handlers/shared/ids';
import { ActiveViolationSeed, expectNoViolations } from '../emulator/iot-emulator';
import { expectNoSnsViolations } from '../emulator/sns-emulator';

type Handler = typeof import('../../src/handlers/detect-mitigation.lambda').handler;
let handler: Handler;
let e: Emulators;

const PROFILE = 'chatty-devices';
const PREFIX = 'dd00aa11bb22';
const FUNCTION_NAME = 'Stack-QuarantineOnAlarmHandler-1A2B3C';
const MITIGATION = 'Stack/QuarantineOnAlarm';

function configure(overrides: Record<string, string | undefined> = {}): void {
  const env: Record<string, string | undefined> = {
    DETECT_MITIGATION_SECURITY_PROFILE: PROFILE,
    DETECT_MITIGATION_ACTIONS: JSON.stringify(['quarantine', 'watch-list']),
    DETECT_MITIGATION_BEHAVIORS: undefined,
    DETECT_MITIGATION_DRY_RUN: 'false',
    DETECT_MITIGATION_TASK_ID_PREFIX: PREFIX,
    DETECT_MITIGATION_REPORT_TOPIC_ARN: REPORT_TOPIC,
    DETECT_MITIGATION_NAME: MITIGATION,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME, // set by Lambda
    ...overrides,
  };
  setEnv(env);
}

/**
 * A violation alert as a security profile's SNS alert target delivers it: violationEventTime (epoch ms), thingName,
 * behavior { name, metric, criteria }, violationEventType (in-alarm | alarm-cleared | alarm-invalidated), metricValue,
 * violationId, securityProfileName (the fields of https://docs.aws.amazon.com/iot/latest/apireference/API_ViolationEvent.html).
 */
function alert(violationId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    violationEventTime: Date.now(),
    thingName: `thing-${violationId}`,
    behavior: { name: 'MsgsSent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 100 } } },
    violationEventType: 'in-alarm',
    metricValue: { count: 250 },
    violationId,
    securityProfileName: PROFILE,
    ...overrides,
  };
}

/**
 * Seeds the violations as AWS IoT has them in alarm for the configured profile (what the handler
 * verifies each alert against), with the thing and behavior `alert()` names by default.
 */
function inAlarm(violationIds: string[], overrides: Partial<ActiveViolationSeed> = {}): void {
  for (const violationId of violationIds) {
    e.iot.addActiveViolation({
      violationId, securityProfileName: PROFILE, thingName: `thing-${violationId}`, behavior: { name: 'MsgsSent', metric: 'aws:num-messages-sent' }, ...overrides,
    });
  }
}

let messageCounter = 0;
function sqsEvent(bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      messageCounter += 1;
      return { messageId: `message-${messageCounter}`, body: typeof body === 'string' ? body : JSON.stringify(body) } as SQSRecord;
    }),
  };
}

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `violation-${String(i + from).padStart(3, '0')}`);
const reports = () => e.sns.jsonPublishedTo(REPORT_TOPIC) as Array<Record<string, any>>;
const permanentFailures = (logs: Array<Record<string, unknown>>) => logs.filter((l) => l.event === 'permanent-failure');

beforeAll(async () => {
  e = await startEmulators();
  configure();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../src/handlers/detect-mitigation.lambda').handler;
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  resetEmulators(e);
  configure();
  e.iot.addMitigationAction({ actionName: 'quarantine', actionType: 'ADD_THINGS_TO_THING_GROUP' });
  e.iot.addMitigationAction({ actionName: 'watch-list', actionType: 'ADD_THINGS_TO_THING_GROUP' });
  e.iot.addSecurityProfile(PROFILE);
});

// Every request satisfies the API model: at most 25 violation ids, 1-5 actions, id patterns, token.
afterEach(() => {
  expectNoViolations(e.iot);
  expectNoSnsViolations(e.sns);
});

async function run(event: SQSEvent) {
  const { result, error, logs } = await withLogs(() => handler(event));
  if (error) { throw error; }
  return { ...result!, logs };
}

test('in-alarm violations start one task: the violation ids, the actions in order, only active violations', async () => {
  inAlarm(ids(3));
  const { batchItemFailures } = await run(sqsEvent(ids(3).map((id) => alert(id))));
  expect(batchItemFailures).toEqual([]);
  const tasks = e.iot.detectMitigationTasks();
  expect(tasks).toEqual([expect.objectContaining({
    target: { violationIds: ids(3) },
    actions: ['quarantine', 'watch-list'],
    includeOnlyActiveViolations: true,
    taskId: expect.stringMatching(/^dd00aa11bb22-[0-9a-f]{24}$/),
    clientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
  })]);
  expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-started', violationIds: ids(3), securityProfileName: PROFILE })]);
});

test('a burst of 100 violations is batched into four tasks of 25 ids', async () => {
  inAlarm(ids(100));
  await run(sqsEvent(ids(100).map((id) => alert(id))));
  const tasks = e.iot.detectMitigationTasks();
  expect(tasks.map((t) => t.target.violationIds!.length)).toEqual([25, 25, 25, 25]);
  expect(tasks.flatMap((t) => t.target.violationIds).sort()).toEqual(ids(100));
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask').every((r) => r.body.target.violationIds.length <= 25)).toBe(true);
});

test('the same batch redelivered starts no second task; a duplicate alert in a batch counts once', async () => {
  inAlarm(ids(5));
  const bodies = [...ids(5).map((id) => alert(id)), alert('violation-000')];
  await run(sqsEvent(bodies));
  await run(sqsEvent(bodies));
  expect(e.iot.detectMitigationTasks()).toHaveLength(1);
  expect(e.iot.detectMitigationTasks()[0].target.violationIds).toEqual(ids(5));
  // The redelivery finds the task (DescribeDetectMitigationActionsTask) and does not start it again.
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(1);
  expect(e.iot.requestsFor('DescribeDetectMitigationActionsTask').map((r) => r.response.status)).toEqual([404, 200]);
});

test('throttling (429, ThrottlingException, LimitExceeded 410, 500) is retried: still one task', async () => {
  inAlarm(ids(2));
  for (const kind of ['throttle429', 'throttlingException', 'limitExceeded410', 'internalFailure500'] as const) {
    e.iot.injectFault({ kind, operation: 'StartDetectMitigationActionsTask' });
  }
  const { batchItemFailures } = await run(sqsEvent(ids(2).map((id) => alert(id))));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask').map((r) => r.response.status)).toEqual([429, 400, 410, 500, 200]);
  expect(e.iot.detectMitigationTasks()).toHaveLength(1);
});

test('a transient failure that outlasts the retries returns exactly that batch\'s messages for SQS to retry (then dead-letter)', async () => {
  inAlarm(ids(30));
  const event = sqsEvent(ids(30).map((id) => alert(id)));
  // The first task's attempts all fail; the second task (5 ids) starts.
  e.iot.injectFault({ kind: 'internalFailure500', operation: 'StartDetectMitigationActionsTask', times: 8 });
  const { batchItemFailures, logs } = await run(event);
  expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.slice(0, 25).map((r) => r.messageId));
  expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([ids(5, 25)]);
  expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying' }));
  // SQS redelivers the failed messages: the retry starts the missing task, once.
  await run({ Records: event.Records.slice(0, 25) });
  expect(e.iot.detectMitigationTasks()).toHaveLength(2);
});

test('a permanent failure (an action AWS IoT refuses) is one ERROR log line and one report, not retried; the invocation succeeds', async () => {
  configure({ DETECT_MITIGATION_ACTIONS: JSON.stringify(['no-such-action']) });
  inAlarm(['violation-1']);
  const { batchItemFailures, logs } = await run(sqsEvent([alert('violation-1')]));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(1);
  const line = {
    level: 'ERROR',
    event: 'permanent-failure',
    kind: 'mitigation-failed',
    error: 'InvalidRequestException',
    message: 'Mitigation action no-such-action does not exist.',
    functionName: FUNCTION_NAME,
    violationIds: ['violation-1'],
    securityProfileName: PROFILE,
  };
  expect(permanentFailures(logs)).toEqual([expect.objectContaining(line)]);
  expect(reports()).toEqual([expect.objectContaining(line)]);
  expect(e.sns.requests.map((r) => r.params.Subject)).toEqual(['cdk-device-defender: permanent-failure']);
});

test('one bad violation id in a batch of 25 loses only itself: the batch is split, the 24 others start, the bad one is a permanent failure', async () => {
  const bad = 'violation-013';
  inAlarm(ids(25));
  e.iot.markViolationsInvalid(bad);
  const event = sqsEvent(ids(25).map((id) => alert(id)));
  const { batchItemFailures, logs } = await run(event);

  expect(batchItemFailures).toEqual([]);
  const batchTaskId = detectMitigationTaskId(PREFIX, ids(25));
  const starts = e.iot.requestsFor('StartDetectMitigationActionsTask');
  expect(starts.map((r) => r.body.target.violationIds)).toEqual([ids(25), ...ids(25).map((id) => [id])]);
  expect(starts[0].response).toEqual({ status: 400, errorType: 'InvalidRequestException' });
  const good = ids(25).filter((id) => id !== bad);
  const tasks = e.iot.detectMitigationTasks();
  expect(tasks.map((t) => t.target.violationIds)).toEqual(good.map((id) => [id]));
  // Single-id task ids derive from the id alone, so a redelivery is the same task.
  expect(tasks.map((t) => t.taskId)).toEqual(good.map((id) => detectMitigationTaskId(PREFIX, [id])));

  expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'splitting', taskId: batchTaskId, error: 'InvalidRequestException' }));
  const failure = {
    level: 'ERROR',
    event: 'permanent-failure',
    kind: 'mitigation-failed',
    error: 'InvalidRequestException',
    functionName: FUNCTION_NAME,
    violationIds: [bad],
    taskId: detectMitigationTaskId(PREFIX, [bad]),
    splitFrom: batchTaskId,
  };
  expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
  expect(reports().filter((r) => r.event === 'permanent-failure')).toEqual([expect.objectContaining(failure)]);
  expect(reports().filter((r) => r.event === 'mitigation-started').map((r) => r.violationIds)).toEqual(good.map((id) => [id]));

  // SQS redelivers the batch (say its deletion failed): no task is started twice. The 24 tasks
  // are found (Describe) and not started again; only the batch and the bad id are tried again,
  // with the same tokens.
  await run(event);
  expect(e.iot.detectMitigationTasks()).toHaveLength(24);
  const first = e.iot.requestsFor('StartDetectMitigationActionsTask').slice(0, 26);
  const again = e.iot.requestsFor('StartDetectMitigationActionsTask').slice(26);
  expect(again.map((r) => r.body.target.violationIds)).toEqual([ids(25), [bad]]);
  const expected = [first[0], first.find((r) => r.body.target.violationIds[0] === bad)!];
  expect(again.map((r) => r.body.clientRequestToken)).toEqual(expected.map((r) => r.body.clientRequestToken));
});

test('after a split, a transient error for one id returns only that id\'s messages to SQS', async () => {
  // The batch is refused for good; then the first id's own task fails every SDK attempt (8).
  e.iot.injectFault({ kind: 'invalidRequest', operation: 'StartDetectMitigationActionsTask' });
  e.iot.injectFault({ kind: 'internalFailure500', operation: 'StartDetectMitigationActionsTask', times: 8 });
  e.iot.markViolationsInvalid('violation-001');
  inAlarm(ids(3));
  const event = sqsEvent([...ids(3).map((id) => alert(id)), alert('violation-000')]);
  const { batchItemFailures, logs } = await run(event);

  expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual([event.Records[0].messageId, event.Records[3].messageId]);
  expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-002']]);
  expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', violationIds: ['violation-000'] }));
  expect(permanentFailures(logs)).toEqual([expect.objectContaining({ violationIds: ['violation-001'], error: 'InvalidRequestException' })]);
});

test('AccessDenied on StartDetectMitigationActionsTask (the role may not start the task) is a permanent failure: logged, reported, not retried', async () => {
  e.iot.injectFault({ kind: 'accessDenied403', operation: 'StartDetectMitigationActionsTask', times: Infinity });
  inAlarm(['violation-1']);
  const { batchItemFailures, logs } = await run(sqsEvent([alert('violation-1')]));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask').map((r) => r.response.status)).toEqual([403]);
  const failure = {
    level: 'ERROR', event: 'permanent-failure', kind: 'mitigation-failed', error: 'AccessDeniedException', functionName: FUNCTION_NAME, violationIds: ['violation-1'],
  };
  expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
  expect(reports()).toEqual([expect.objectContaining(failure)]);
});

test.each([
  ['an actions list that is not JSON', { DETECT_MITIGATION_ACTIONS: 'quarantine' }, 'environment variable DETECT_MITIGATION_ACTIONS is not JSON: quarantine'],
  ['no security profile', { DETECT_MITIGATION_SECURITY_PROFILE: undefined }, 'environment variable DETECT_MITIGATION_SECURITY_PROFILE is not set'],
])('a broken configuration (%s) is a permanent failure, logged and reported; the invocation fails so SQS keeps the messages', async (_what, env, message) => {
  configure(env);
  const { error, logs } = await withLogs(() => handler(sqsEvent([alert('violation-1')])));
  expect(error).toMatchObject({ name: 'ConfigError', message });
  expect(e.iot.requests).toHaveLength(0);
  const failure = { level: 'ERROR', event: 'permanent-failure', kind: 'config-error', error: 'ConfigError', message, functionName: FUNCTION_NAME };
  expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
  expect(reports()).toEqual([expect.objectContaining(failure)]);
});

test('without a report topic a permanent failure is still its ERROR log line (which the construct counts and alarms on)', async () => {
  configure({ DETECT_MITIGATION_REPORT_TOPIC_ARN: undefined });
  const { logs } = await run(sqsEvent(['in-alarm!']));
  expect(e.sns.requests).toHaveLength(0);
  expect(permanentFailures(logs)).toEqual([expect.objectContaining({ level: 'ERROR', kind: 'malformed-alert', functionName: FUNCTION_NAME })]);
});

test.each([
  ['alarm-cleared', { violationEventType: 'alarm-cleared' }, /alarm-cleared, not in-alarm/],
  ['alarm-invalidated', { violationEventType: 'alarm-invalidated' }, /alarm-invalidated, not in-alarm/],
  ['another security profile', { securityProfileName: 'other' }, /security profile other, not chatty-devices/],
])('%s alerts start nothing', async (_what, overrides, reason) => {
  const { logs, batchItemFailures } = await run(sqsEvent([alert('violation-1', overrides)]));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.requests).toHaveLength(0);
  expect(logs).toContainEqual(expect.objectContaining({ event: 'ignored', violationId: 'violation-1', reason: expect.stringMatching(reason) }));
});

test.each([
  ['not JSON', 'in-alarm!'],
  ['no violationId', alert('x', { violationId: undefined })],
  ['a violationId the API rejects', alert('bad_id')],
  ['no event type', alert('violation-1', { violationEventType: undefined })],
  ['a behavior that is not an object', alert('violation-1', { behavior: 'MsgsSent' })],
])('a malformed alert (%s) is a permanent failure, logged and reported, and dropped; the rest of the batch goes ahead', async (_what, body) => {
  inAlarm(['violation-2']);
  const event = sqsEvent([body, alert('violation-2')]);
  const { batchItemFailures, logs } = await run(event);
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-2']]);
  const failure = {
    level: 'ERROR',
    event: 'permanent-failure',
    kind: 'malformed-alert',
    error: 'MalformedMessageError',
    message: expect.stringMatching(/^malformed violation alert: /),
    functionName: FUNCTION_NAME,
    messageId: event.Records[0].messageId,
  };
  expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
  expect(reports()).toEqual([
    expect.objectContaining({ ...failure, received: event.Records[0].body }),
    expect.objectContaining({ event: 'mitigation-started' }),
  ]);
});

test('behaviour filter: only violations of the named behaviours (as AWS IoT names them)', async () => {
  configure({ DETECT_MITIGATION_BEHAVIORS: JSON.stringify(['MsgsSent']) });
  inAlarm(['violation-1']);
  inAlarm(['violation-2'], { behavior: { name: 'AuthFailures' } });
  inAlarm(['violation-3'], { behavior: { name: 'Other' } });
  await run(sqsEvent([
    alert('violation-1'),
    alert('violation-2', { behavior: { name: 'AuthFailures' } }),
    alert('violation-3', { behavior: undefined }),
  ]));
  expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-1']]);
});

test('dry run: verifies the alerts and reports the tasks it would start, starts nothing', async () => {
  configure({ DETECT_MITIGATION_DRY_RUN: 'true' });
  inAlarm(ids(30));
  await run(sqsEvent(ids(30).map((id) => alert(id))));
  expect(e.iot.requests.filter((r) => r.operation !== 'ListActiveViolations')).toHaveLength(0);
  expect(reports().map((r) => [r.event, r.violationIds.length])).toEqual([['dry-run', 25], ['dry-run', 5]]);
});

describe('each alert is verified with ListActiveViolations for the configured profile', () => {
  test.each([
    ['a violation of another security profile, the message naming this one', () => {
      e.iot.addActiveViolation({ violationId: 'violation-1', securityProfileName: 'other-profile', thingName: 'thing-violation-1', behavior: { name: 'MsgsSent' } });
    }],
    ['a violation id AWS IoT does not have in alarm', () => inAlarm(['violation-2'])],
    ['a thing name that is not the violation\'s', () => inAlarm(['violation-1'], { thingName: 'another-thing' })],
  ])('refused, not started, a permanent failure (not retried): %s', async (_what, seed) => {
    seed();
    const event = sqsEvent([alert('violation-1')]);
    const { batchItemFailures, logs } = await run(event);
    expect(batchItemFailures).toEqual([]);
    expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(0);
    const failure = {
      level: 'ERROR',
      event: 'permanent-failure',
      kind: 'unverified-violation',
      error: 'UnverifiedViolationError',
      message: `violation violation-1 is not an active violation of security profile ${PROFILE} (ListActiveViolations)`,
      functionName: FUNCTION_NAME,
      messageId: event.Records[0].messageId,
      violationId: 'violation-1',
      securityProfileName: PROFILE,
    };
    expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
    expect(reports()).toEqual([expect.objectContaining(failure)]);
    expect(e.events.events.map((x) => x.detailType)).toEqual(['Mitigation Failed']);
  });

  test('the behaviour filter and the thing name come from AWS IoT\'s answer, not from the message', async () => {
    configure({ DETECT_MITIGATION_BEHAVIORS: JSON.stringify(['MsgsSent']) });
    inAlarm(['violation-1'], { behavior: { name: 'AuthFailures' } });
    inAlarm(['violation-2'], { behavior: { name: 'MsgsSent' } });
    const { logs } = await run(sqsEvent([
      alert('violation-1', { behavior: { name: 'MsgsSent' } }),
      alert('violation-2', { behavior: { name: 'AuthFailures' } }),
    ]));
    expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-2']]);
    expect(logs).toContainEqual(expect.objectContaining({
      event: 'ignored', violationId: 'violation-1', thingName: 'thing-violation-1', reason: 'behavior "AuthFailures" is not one of MsgsSent',
    }));
    expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-started', violationIds: ['violation-2'], thingNames: ['thing-violation-2'] })]);
  });

  test('one lookup per thing the batch names (filtered by thing); an alert without a thing name lists the profile, paginated', async () => {
    inAlarm(['violation-1', 'violation-2'], { thingName: 'sensor-a' });
    e.iot.addActiveViolation({ violationId: 'violation-3', securityProfileName: PROFILE, thingName: 'sensor-a', behavior: { name: 'AuthFailures' } });
    inAlarm(['violation-4'], { thingName: 'sensor-b' });
    await run(sqsEvent([
      alert('violation-1', { thingName: 'sensor-a' }), alert('violation-2', { thingName: 'sensor-a' }), alert('violation-4', { thingName: 'sensor-b' }),
    ]));
    expect(e.iot.requestsFor('ListActiveViolations').map((r) => r.query)).toEqual([
      { securityProfileName: PROFILE, thingName: 'sensor-a', maxResults: '250' },
      { securityProfileName: PROFILE, thingName: 'sensor-b', maxResults: '250' },
    ]);
    expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-1', 'violation-2', 'violation-4']]);

    resetEmulators(e);
    e.iot.addMitigationAction({ actionName: 'quarantine', actionType: 'ADD_THINGS_TO_THING_GROUP' });
    e.iot.addMitigationAction({ actionName: 'watch-list', actionType: 'ADD_THINGS_TO_THING_GROUP' });
    inAlarm(ids(600));
    await run(sqsEvent([alert('violation-599', { thingName: undefined }), alert('violation-001')]));
    // The profile's 600 violations come in pages of 250; the thing's lookup is not needed then.
    expect(e.iot.requestsFor('ListActiveViolations').map((r) => [r.query.thingName, r.query.nextToken !== undefined])).toEqual([
      [undefined, false], [undefined, true], [undefined, true],
    ]);
    expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-001', 'violation-599']]);
  });

  test('an alert without a thing name whose violation is not among the profile\'s first 5,000 active ones is refused, and says so', async () => {
    inAlarm(Array.from({ length: 5_001 }, (_, i) => `violation-${i}`));
    const { batchItemFailures, logs } = await run(sqsEvent([alert('violation-5000', { thingName: undefined })]));
    expect(batchItemFailures).toEqual([]);
    expect(e.iot.requestsFor('ListActiveViolations')).toHaveLength(20);
    expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(0);
    expect(permanentFailures(logs)).toEqual([expect.objectContaining({
      kind: 'unverified-violation',
      message: `violation violation-5000 is not an active violation of security profile ${PROFILE} (ListActiveViolations); `
        + 'the alert names no thing, and only the profile\'s first 5000 active violations were read',
    })]);
  });

  test('ListActiveViolations throttled beyond the SDK\'s retries: only the records whose lookup failed are returned for SQS to retry', async () => {
    inAlarm(['violation-1', 'violation-2'], { thingName: 'sensor-a' });
    inAlarm(['violation-3'], { thingName: 'sensor-b' });
    // Every SDK attempt of the first lookup fails, the last one throttled (the SDK's throttling
    // backoff is long: the other attempts fail with 500s to keep the test fast).
    e.iot.injectFault({ kind: 'internalFailure500', operation: 'ListActiveViolations', times: 7 });
    e.iot.injectFault({ kind: 'throttlingException', operation: 'ListActiveViolations' });
    const event = sqsEvent([
      alert('violation-1', { thingName: 'sensor-a' }), alert('violation-3', { thingName: 'sensor-b' }), alert('violation-2', { thingName: 'sensor-a' }),
    ]);
    const { batchItemFailures, logs } = await run(event);
    expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual([event.Records[0].messageId, event.Records[2].messageId]);
    expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-3']]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', error: 'ThrottlingException', violationIds: ['violation-1', 'violation-2'] }));
    expect(permanentFailures(logs)).toEqual([]);
  });

  test('ListActiveViolations refused for good (the profile does not exist): a permanent failure for each of its records, not retried', async () => {
    configure({ DETECT_MITIGATION_SECURITY_PROFILE: 'deleted-profile' });
    const event = sqsEvent([alert('violation-1', { securityProfileName: 'deleted-profile' })]);
    const { batchItemFailures, logs } = await run(event);
    expect(batchItemFailures).toEqual([]);
    expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(0);
    expect(permanentFailures(logs)).toEqual([expect.objectContaining({
      kind: 'verification-failed', error: 'ResourceNotFoundException', messageId: event.Records[0].messageId, violationId: 'violation-1',
    })]);
  });
});

describe('an oversized body and a failing report topic lose only their own record', () => {
  // A violation id the API rejects, 300 KB long: the error message names it.
  const oversized = () => alert(`bad_${'x'.repeat(300 * 1024)}`);

  test('a 300 KB malformed body beside a legitimate alert: its report is cut to SNS\'s limit, the legitimate alert starts, nothing is returned', async () => {
    inAlarm(['violation-2']);
    const event = sqsEvent([oversized(), alert('violation-2')]);
    const { batchItemFailures } = await run(event);
    expect(batchItemFailures).toEqual([]);
    expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-2']]);
    const [failure, started] = e.sns.publishedTo(REPORT_TOPIC);
    expect(Buffer.byteLength(failure.message, 'utf8')).toBeLessThanOrEqual(262_144);
    expect(JSON.parse(failure.message)).toMatchObject({
      event: 'permanent-failure', kind: 'malformed-alert', messageId: event.Records[0].messageId, truncated: expect.stringMatching(/^the report was \d+ bytes/),
    });
    expect(JSON.parse(started.message)).toMatchObject({ event: 'mitigation-started', violationIds: ['violation-2'] });
    expect(e.events.events.map((x) => x.detailType)).toEqual(['Mitigation Failed', 'Mitigation Task Started']);
  });

  test.each([
    ['fails (500, every SDK attempt)', { kind: 'internalError' as const, times: 3 }],
    ['refuses it (AuthorizationError)', { kind: 'authorizationError' as const, times: 1 }],
  ])('the report topic %s for the malformed record: only that record is returned; the legitimate alert\'s task starts', async (_what, fault) => {
    inAlarm(['violation-2']);
    e.sns.injectFault(fault);
    const event = sqsEvent([oversized(), alert('violation-2')]);
    const { batchItemFailures, logs } = await run(event);
    expect(batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-2']]);
    expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-started', violationIds: ['violation-2'] })]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'report-failed', messageIds: [event.Records[0].messageId] }));
  });

  test('a mitigation-started report that cannot be sent returns that task\'s records; their redelivery finds the task and reports it', async () => {
    inAlarm(ids(2));
    e.sns.injectFault({ kind: 'authorizationError', times: 1 });
    const event = sqsEvent(ids(2).map((id) => alert(id)));
    const { batchItemFailures } = await run(event);
    expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.map((r) => r.messageId));
    expect(e.iot.detectMitigationTasks()).toHaveLength(1);
    const again = await run(event);
    expect(again.batchItemFailures).toEqual([]);
    expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(1);
    expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-already-started', violationIds: ids(2) })]);
  });
});
