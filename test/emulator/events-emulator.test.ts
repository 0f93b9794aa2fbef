import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventsEmulator, expectNoEventsViolations } from './events-emulator';
import { DEFAULT_ACCOUNT } from './identity';
import { rejection } from './test-clients';
import { Emulators, resetEmulators, startEmulators, stopEmulators } from '../handlers/harness';

const SPOKE = '222222222222';

let emulator: EventsEmulator;
const clients: EventBridgeClient[] = [];

function events(region: string, accessKeyId = 'AKIDEXAMPLE'): EventBridgeClient {
  const c = new EventBridgeClient({ endpoint: emulator.endpoint, region, credentials: { accessKeyId, secretAccessKey: 'secret' }, maxAttempts: 2 });
  clients.push(c);
  return c;
}

const put = (entry: Partial<PutEventsRequestEntry> = {}) => new PutEventsCommand({
  Entries: [{ Source: 'cdk-device-defender', DetailType: 'Mitigation Task Started', Detail: '{"taskId":"t-1"}', ...entry }],
});

beforeAll(async () => {
  emulator = await EventsEmulator.start({ region: 'eu-west-1' });
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.identities.reset();
  emulator.identities.addAccessKey({ accessKeyId: 'AKIDSPOKE', account: SPOKE });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

test('an event goes to its caller\'s account in its region; events and addEventBus act on the default one, at() on another', async () => {
  emulator.addEventBus('ops');
  emulator.at({ account: SPOKE, region: 'us-west-2' }).addEventBus('ops');
  await events('eu-west-1').send(put({ EventBusName: 'ops' }));
  await events('us-west-2', 'AKIDSPOKE').send(put({ EventBusName: 'ops', DetailType: 'Spoke' }));
  await events('eu-west-1', 'AKIDSPOKE').send(put({ DetailType: 'Spoke default bus' }));

  expect(emulator.events.map((e) => [e.detailType, e.eventBusName])).toEqual([['Mitigation Task Started', 'ops']]);
  expect(emulator.eventsOfType('Spoke')).toEqual([]);
  expect(emulator.at({ account: SPOKE, region: 'us-west-2' }).eventsOfType('Spoke').map((e) => e.eventBusName)).toEqual(['ops']);
  expect(emulator.at({ account: SPOKE }).events.map((e) => [e.detailType, e.eventBusName])).toEqual([['Spoke default bus', 'default']]);
  expect(emulator.requests.map((r) => [r.account, r.region])).toEqual([[DEFAULT_ACCOUNT, 'eu-west-1'], [SPOKE, 'us-west-2'], [SPOKE, 'eu-west-1']]);
  expectNoEventsViolations(emulator);
});

test('a bus of another account or region, even by ARN, is not found', async () => {
  emulator.at({ account: SPOKE }).addEventBus('ops');
  const out = await events('eu-west-1').send(put({ EventBusName: `arn:aws:events:eu-west-1:${SPOKE}:event-bus/ops` }));
  expect(out.Entries).toEqual([{ ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus arn:aws:events:eu-west-1:${SPOKE}:event-bus/ops does not exist.` }]);
  const own = await events('eu-west-1', 'AKIDSPOKE').send(put({ EventBusName: `arn:aws:events:eu-west-1:${SPOKE}:event-bus/ops` }));
  expect(own.FailedEntryCount).toBe(0);
  expectNoEventsViolations(emulator);
});

test('a key nobody issued is UnrecognizedClientException (400); a fault may be aimed at one account', async () => {
  const err = await rejection(events('eu-west-1', 'AKIDNOBODY').send(put()));
  expect([err.name, err.message, err.$metadata?.httpStatusCode]).toEqual(['UnrecognizedClientException', 'The security token included in the request is invalid.', 400]);
  emulator.injectFault({ kind: 'internalError', account: SPOKE, times: Infinity });
  await events('eu-west-1').send(put());
  expect((await rejection(events('eu-west-1', 'AKIDSPOKE').send(put()))).name).toBe('InternalException');
  expect(emulator.events).toHaveLength(1);
});

// PutEvents as the handlers' putEvents() calls it, through the harness (test/handlers/harness.ts).
describe('EventBridge emulator, through the harness', () => {
  let emulators: Emulators;
  beforeAll(async () => { emulators = await startEmulators(); });
  afterAll(async () => { await stopEmulators(emulators); });
  beforeEach(() => { resetEmulators(emulators); });
  afterEach(() => { expectNoEventsViolations(emulators.events); });

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
