import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { datapointsOf, Emulators, metricSum, resetEmulators, startEmulators, stopEmulators, withLogs } from './harness';
import { EVENT_DETAIL_TYPES, EVENT_SOURCE, METRIC_NAMESPACE } from '../../src/contract/telemetry';
import { putEvents } from '../../src/handlers/shared/events';
import { emitMetrics } from '../../src/handlers/shared/metrics';
import { expectNoEventsViolations } from '../emulator/events-emulator';

let emulators: Emulators;
beforeAll(async () => { emulators = await startEmulators(); });
afterAll(async () => { await stopEmulators(emulators); });
beforeEach(() => { resetEmulators(emulators); });
afterEach(() => { expectNoEventsViolations(emulators.events); });

describe('emitMetrics: embedded metric format', () => {
  test('one line; each metric recorded under every dimension set, in namespace CdkDeviceDefender', async () => {
    const { logs } = await withLogs(async () => {
      emitMetrics({ Mitigation: 'Stack/Audit', CheckName: 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK' },
        [['Mitigation'], ['Mitigation', 'CheckName']], { ExecutionsFailed: 3, ExecutionsSucceeded: 0 });
    });
    expect(logs).toHaveLength(1);
    const aws = logs[0]._aws as { Timestamp: number; CloudWatchMetrics: unknown[] };
    expect(Math.abs(aws.Timestamp - Date.now())).toBeLessThan(60_000);
    expect(aws.CloudWatchMetrics).toEqual([{
      Namespace: METRIC_NAMESPACE,
      Dimensions: [['Mitigation'], ['Mitigation', 'CheckName']],
      Metrics: [{ Name: 'ExecutionsFailed', Unit: 'Count' }, { Name: 'ExecutionsSucceeded', Unit: 'Count' }],
    }]);
    const points = datapointsOf(logs);
    expect(points).toHaveLength(4);
    expect(metricSum(points, 'ExecutionsFailed', { Mitigation: 'Stack/Audit' })).toBe(3);
    expect(metricSum(points, 'ExecutionsFailed', { Mitigation: 'Stack/Audit', CheckName: 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK' })).toBe(3);
    expect(metricSum(points, 'ExecutionsSucceeded', { Mitigation: 'Stack/Audit' })).toBe(0);
  });

  test('writes nothing for no values', async () => {
    const { logs } = await withLogs(async () => { emitMetrics({ Mitigation: 'm' }, [['Mitigation']], {}); });
    expect(logs).toEqual([]);
  });

  test.each([
    ['a set naming a dimension the line lacks', { Mitigation: 'm' }, [['Mitigation', 'CheckName']], { TasksStarted: 1 }, /dimension CheckName/],
    ['an empty dimension value', { Mitigation: '' }, [['Mitigation']], { TasksStarted: 1 }, /dimension Mitigation/],
    ['a dimension value over 1024 characters', { Mitigation: 'x'.repeat(1025) }, [['Mitigation']], { TasksStarted: 1 }, /1 to 1024/],
    ['an empty dimension set', { Mitigation: 'm' }, [[]], { TasksStarted: 1 }, /1 to 30/],
    ['a value that is not finite', { Mitigation: 'm' }, [['Mitigation']], { TasksStarted: NaN }, /finite/],
  ])('refuses %s (CloudWatch would drop the line silently)', (_, dims, sets, values, message) => {
    expect(() => emitMetrics(dims as Record<string, string>, sets, values)).toThrow(message);
  });
});

describe('putEvents', () => {
  const detail = { mitigation: 'Stack/Audit', taskKind: 'audit', taskId: 't-1', alreadyStarted: false };

  test('puts each event on the default bus with source cdk-device-defender and the detail as JSON', async () => {
    await putEvents([{ detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail }]);
    expect(emulators.events.events).toEqual([expect.objectContaining({
      source: EVENT_SOURCE, detailType: 'Mitigation Task Started', detail, eventBusName: 'default',
    })]);
  });

  test.each([
    ['by ARN', 'arn:aws:events:eu-west-1:123456789012:event-bus/mitigation-events'],
    ['by name', 'mitigation-events'],
  ])('with an event bus (%s), puts the events on that bus, not the default one', async (_how, bus) => {
    emulators.events.addEventBus('mitigation-events');
    await putEvents([{ detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail }], bus);
    expect(emulators.events.events).toEqual([expect.objectContaining({ detailType: 'Mitigation Task Started', eventBusName: 'mitigation-events' })]);
  });

  test('sends 10 entries per request', async () => {
    await putEvents(Array.from({ length: 23 }, (_, i) => ({ detailType: EVENT_DETAIL_TYPES.DRY_RUN, detail: { ...detail, taskId: `t-${i}` } })));
    expect(emulators.events.events.map((e) => e.detail.taskId)).toEqual(Array.from({ length: 23 }, (_, i) => `t-${i}`));
    expect(emulators.events.requests.map((r) => (r.body as { Entries: unknown[] }).Entries.length)).toEqual([10, 10, 3]);
  });

  test('an entry EventBridge did not accept is an error, not a silent loss', async () => {
    emulators.events.injectFault({ kind: 'failedEntries' });
    await expect(putEvents([{ detailType: EVENT_DETAIL_TYPES.FAILED, detail }])).rejects.toMatchObject({
      name: 'PutEventsFailedError', message: expect.stringContaining('Mitigation Failed: InternalFailure'),
    });
    expect(emulators.events.events).toEqual([]);
  });

  test('throttling is retried by the SDK', async () => {
    emulators.events.injectFault({ kind: 'throttled', times: 2 });
    await putEvents([{ detailType: EVENT_DETAIL_TYPES.TASK_OUTCOME, detail }]);
    expect(emulators.events.events).toHaveLength(1);
    expect(emulators.events.requests).toHaveLength(3);
  });

  test('a role limited to source cdk-device-defender may put these events, and no other source', async () => {
    emulators.events.allowedSources = [EVENT_SOURCE];
    await putEvents([{ detailType: EVENT_DETAIL_TYPES.TASK_STARTED, detail }]);
    const other = new EventBridgeClient({});
    await expect(other.send(new PutEventsCommand({ Entries: [{ Source: 'someone.else', DetailType: 'x', Detail: '{}' }] })))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(emulators.events.events.map((e) => e.source)).toEqual([EVENT_SOURCE]);
  });
});

describe('EventBridge emulator', () => {
  const client = () => new EventBridgeClient({});

  test('an entry naming a bus that does not exist is refused per entry; a bus added with addEventBus is accepted by name and ARN', async () => {
    emulators.events.addEventBus('ops');
    const answer = await client().send(new PutEventsCommand({
      Entries: [
        { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'ops' },
        { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops' },
        { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
        { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'nope' },
      ],
    }));
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries![3]).toEqual({ ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' });
    expect(emulators.events.events.map((e) => e.eventBusName)).toEqual(['ops', 'ops', 'default']);
  });

  test('reports per-entry errors as EventBridge does: a missing field, a detail that is not a JSON object, an aws. source', async () => {
    const answer = await client().send(new PutEventsCommand({
      Entries: [
        { Source: 'a', DetailType: 'b', Detail: '{"ok":true}' },
        { Source: 'a', DetailType: 'b' },
        { Source: 'a', DetailType: 'b', Detail: '[1]' },
        { Source: 'aws.iot', DetailType: 'b', Detail: '{}' },
      ],
    }));
    expect(answer.FailedEntryCount).toBe(3);
    expect(answer.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InvalidArgument', 'MalformedDetail', 'NotAuthorizedForSourceException']);
    expect(emulators.events.events).toHaveLength(1);
    expect(emulators.events.violations()).toHaveLength(3);
    emulators.events.requests.length = 0; // seen; don't fail afterEach
  });

  test('refuses more than 10 entries and more than 256 KB', async () => {
    const entries = (n: number, size = 2) => Array.from({ length: n }, () => ({ Source: 'a', DetailType: 'b', Detail: JSON.stringify({ x: 'y'.repeat(size) }) }));
    await expect(client().send(new PutEventsCommand({ Entries: entries(11) }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client().send(new PutEventsCommand({ Entries: entries(2, 140 * 1024) }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(emulators.events.events).toEqual([]);
    emulators.events.requests.length = 0;
  });
});
