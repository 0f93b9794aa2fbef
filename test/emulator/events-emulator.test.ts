import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { expectNoEventsViolations } from './events-emulator';
import { Emulators, resetEmulators, startEmulators, stopEmulators } from '../handlers/harness';

let emulators: Emulators;
beforeAll(async () => { emulators = await startEmulators(); });
afterAll(async () => { await stopEmulators(emulators); });
beforeEach(() => { resetEmulators(emulators); });
afterEach(() => { expectNoEventsViolations(emulators.events); });

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
