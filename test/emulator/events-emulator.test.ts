import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventsEmulator, expectNoEventsViolations } from './events-emulator';
import { DEFAULT_ACCOUNT } from './identity';
import { rejection } from './test-clients';

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
