import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_DETAIL_TYPES, EVENT_SOURCE } from '../../../src/contract/telemetry';
import { putEvents } from '../../../src/handlers/shared/events';
import { expectNoEventsViolations } from '../../emulator/events-emulator';
import { Emulators, resetEmulators, startEmulators, stopEmulators } from '../harness';

let emulators: Emulators;
beforeAll(async () => { emulators = await startEmulators(); });
afterAll(async () => { await stopEmulators(emulators); });
beforeEach(() => { resetEmulators(emulators); });
afterEach(() => { expectNoEventsViolations(emulators.events); });

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
