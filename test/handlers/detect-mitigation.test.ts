import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Emulators, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import { expectNoViolations } from '../emulator/iot-emulator';
import { expectNoSnsViolations } from '../emulator/sns-emulator';

type Handler = typeof import('../../src/handlers/detect-mitigation.lambda').handler;
let handler: Handler;
let e: Emulators;

const PROFILE = 'chatty-devices';

function configure(overrides: Record<string, string | undefined> = {}): void {
  const env: Record<string, string | undefined> = {
    DETECT_MITIGATION_SECURITY_PROFILE: PROFILE,
    DETECT_MITIGATION_ACTIONS: JSON.stringify(['quarantine', 'watch-list']),
    DETECT_MITIGATION_BEHAVIORS: undefined,
    DETECT_MITIGATION_DRY_RUN: 'false',
    DETECT_MITIGATION_TASK_ID_PREFIX: 'dd00aa11bb22',
    DETECT_MITIGATION_REPORT_TOPIC_ARN: REPORT_TOPIC,
    ...overrides,
  };
  setEnv(env);
}

/** A violation alert as a security profile's SNS alert target delivers it (facts §6). */
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
  await run(sqsEvent(ids(100).map((id) => alert(id))));
  const tasks = e.iot.detectMitigationTasks();
  expect(tasks.map((t) => t.target.violationIds!.length)).toEqual([25, 25, 25, 25]);
  expect(tasks.flatMap((t) => t.target.violationIds).sort()).toEqual(ids(100));
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask').every((r) => r.body.target.violationIds.length <= 25)).toBe(true);
});

test('the same batch redelivered starts no second task; a duplicate alert in a batch counts once', async () => {
  const bodies = [...ids(5).map((id) => alert(id)), alert('violation-000')];
  await run(sqsEvent(bodies));
  await run(sqsEvent(bodies));
  expect(e.iot.detectMitigationTasks()).toHaveLength(1);
  expect(e.iot.detectMitigationTasks()[0].target.violationIds).toEqual(ids(5));
  const tokens = e.iot.requestsFor('StartDetectMitigationActionsTask').map((r) => r.body.clientRequestToken);
  expect(tokens).toHaveLength(2);
  expect(new Set(tokens).size).toBe(1);
});

test('throttling (429, ThrottlingException, LimitExceeded 410, 500) is retried: still one task', async () => {
  for (const kind of ['throttle429', 'throttlingException', 'limitExceeded410', 'internalFailure500'] as const) {
    e.iot.injectFault({ kind, operation: 'StartDetectMitigationActionsTask' });
  }
  const { batchItemFailures } = await run(sqsEvent(ids(2).map((id) => alert(id))));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask').map((r) => r.response.status)).toEqual([429, 400, 410, 500, 200]);
  expect(e.iot.detectMitigationTasks()).toHaveLength(1);
});

test('a transient failure that outlasts the retries returns exactly that batch\'s messages for SQS to retry (then dead-letter)', async () => {
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

test('a permanent failure (an action AWS IoT refuses) is reported, not retried', async () => {
  configure({ DETECT_MITIGATION_ACTIONS: JSON.stringify(['no-such-action']) });
  const { batchItemFailures } = await run(sqsEvent([alert('violation-1')]));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.requestsFor('StartDetectMitigationActionsTask')).toHaveLength(1);
  expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-failed', level: 'ERROR', error: 'InvalidRequestException' })]);
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
])('a malformed alert (%s) is reported and dropped, the rest of the batch goes ahead', async (_what, body) => {
  const { batchItemFailures } = await run(sqsEvent([body, alert('violation-2')]));
  expect(batchItemFailures).toEqual([]);
  expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-2']]);
  expect(reports()).toEqual([
    expect.objectContaining({ event: 'malformed-alert', level: 'WARN' }),
    expect.objectContaining({ event: 'mitigation-started' }),
  ]);
});

test('behaviour filter: only violations of the named behaviours', async () => {
  configure({ DETECT_MITIGATION_BEHAVIORS: JSON.stringify(['MsgsSent']) });
  await run(sqsEvent([
    alert('violation-1'),
    alert('violation-2', { behavior: { name: 'AuthFailures' } }),
    alert('violation-3', { behavior: undefined }),
  ]));
  expect(e.iot.detectMitigationTasks().map((t) => t.target.violationIds)).toEqual([['violation-1']]);
});

test('dry run: reports the tasks it would start, starts nothing', async () => {
  configure({ DETECT_MITIGATION_DRY_RUN: 'true' });
  await run(sqsEvent(ids(30).map((id) => alert(id))));
  expect(e.iot.requests).toHaveLength(0);
  expect(reports().map((r) => [r.event, r.violationIds.length])).toEqual([['dry-run', 25], ['dry-run', 5]]);
});
