import {
  InvalidRequestException, IoTClient, ListActiveViolationsCommand, ListActiveViolationsCommandInput, ListSecurityProfilesCommand,
  ListSecurityProfilesCommandInput, paginateListActiveViolations, paginateListSecurityProfiles, ResourceNotFoundException, ThrottlingException,
} from '@aws-sdk/client-iot';
import { expectNoViolations, IotEmulator } from './iot-emulator';
import { checkListActiveViolations, checkListSecurityProfiles, matchOperation } from './iot-model';
import { rejection, sendRawRequest } from './test-clients';

let emulator: IotEmulator;
let client: IoTClient;

beforeAll(async () => { emulator = await IotEmulator.start({ seed: 3 }); });
afterAll(async () => { await emulator.stop(); });
beforeEach(() => {
  emulator.reset();
  client = new IoTClient({
    endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
});
afterEach(() => client.destroy());

const started = new Date('2026-03-01T10:00:00.000Z');

function seed(): void {
  emulator.addActiveViolation({
    violationId: 'v-1',
    securityProfileName: 'fleet',
    thingName: 'sensor-1',
    violationStartTime: started,
    behavior: { name: 'MsgsSent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 100 } } },
    lastViolationValue: { count: 250 },
  });
  emulator.addActiveViolation({
    violationId: 'v-2',
    securityProfileName: 'fleet',
    thingName: 'sensor-2',
    verificationState: 'FALSE_POSITIVE',
    behavior: { name: 'AuthFailures', criteria: { statisticalThreshold: { statistic: 'p90' } } },
  });
  emulator.addActiveViolation({
    violationId: 'v-3', securityProfileName: 'fleet', thingName: 'sensor-1', behavior: { name: 'Quiet', suppressAlerts: true },
  });
  emulator.addActiveViolation({
    violationId: 'v-4', securityProfileName: 'other', thingName: 'sensor-1', behavior: { name: 'Anomaly', criteria: { mlDetectionConfig: { confidenceLevel: 'HIGH' } } },
  });
}

const ids = async (input: ListActiveViolationsCommandInput) =>
  (await client.send(new ListActiveViolationsCommand(input))).activeViolations?.map((v) => v.violationId);

test('GET /active-violations with query parameters; answers the model\'s ActiveViolation shape (timestamps as dates)', async () => {
  seed();
  const answer = await client.send(new ListActiveViolationsCommand({ securityProfileName: 'fleet', thingName: 'sensor-1', maxResults: 10 }));
  expect(emulator.requestsFor('ListActiveViolations')).toEqual([expect.objectContaining({
    method: 'GET', path: '/active-violations', query: { securityProfileName: 'fleet', thingName: 'sensor-1', maxResults: '10' }, response: { status: 200 },
  })]);
  expect(answer.activeViolations).toEqual([{
    violationId: 'v-1',
    thingName: 'sensor-1',
    securityProfileName: 'fleet',
    behavior: { name: 'MsgsSent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 100 } } },
    lastViolationValue: { count: 250 },
    violationStartTime: started,
    lastViolationTime: started,
  }]);
  expect(answer.nextToken).toBeUndefined();
  expectNoViolations(emulator);
});

test('filters: security profile, thing, behavior criteria type, verification state; suppressed alerts only on request', async () => {
  seed();
  expect(await ids({ securityProfileName: 'fleet' })).toEqual(['v-1', 'v-2']);
  expect(await ids({ securityProfileName: 'fleet', listSuppressedAlerts: true })).toEqual(['v-1', 'v-2', 'v-3']);
  expect(await ids({ thingName: 'sensor-1' })).toEqual(['v-1', 'v-4']);
  expect(await ids({ securityProfileName: 'fleet', behaviorCriteriaType: 'STATISTICAL' })).toEqual(['v-2']);
  expect(await ids({ behaviorCriteriaType: 'MACHINE_LEARNING' })).toEqual(['v-4']);
  expect(await ids({ securityProfileName: 'fleet', verificationState: 'FALSE_POSITIVE' })).toEqual(['v-2']);
  // An unknown thing has no violations; an unknown profile does not exist.
  expect(await ids({ securityProfileName: 'fleet', thingName: 'nobody' })).toEqual([]);
  const missing = await rejection(client.send(new ListActiveViolationsCommand({ securityProfileName: 'nope' })));
  expect(missing).toBeInstanceOf(ResourceNotFoundException);
  // A declared profile without violations lists none; a cleared alarm is no longer listed.
  emulator.addSecurityProfile('quiet-profile');
  expect(await ids({ securityProfileName: 'quiet-profile' })).toEqual([]);
  emulator.clearActiveViolation('v-1');
  expect(await ids({ securityProfileName: 'fleet' })).toEqual(['v-2']);
  expectNoViolations(emulator);
});

test('pages with nextToken (the SDK paginator), maxResults 1 to 250', async () => {
  for (let i = 0; i < 7; i++) {
    emulator.addActiveViolation({ violationId: `v-${i}`, securityProfileName: 'fleet', thingName: `t-${i}`, behavior: { name: 'MsgsSent' } });
  }
  const pages: string[][] = [];
  for await (const page of paginateListActiveViolations({ client, pageSize: 3 }, { securityProfileName: 'fleet' })) {
    pages.push((page.activeViolations ?? []).map((v) => v.violationId!));
  }
  expect(pages).toEqual([['v-0', 'v-1', 'v-2'], ['v-3', 'v-4', 'v-5'], ['v-6']]);
  expectNoViolations(emulator);

  await rejection(client.send(new ListActiveViolationsCommand({ securityProfileName: 'fleet', maxResults: 251 })));
  expect(emulator.violations()).toEqual(['ListActiveViolations: query maxResults: 251 is outside the range 1-250']);
});

test('model constraints of the query string', async () => {
  const route = matchOperation('GET', '/active-violations');
  expect(route?.operation.name).toBe('ListActiveViolations');
  const check = (query: Record<string, string>) => checkListActiveViolations({ pathParams: {}, query, body: undefined, headers: {} });
  expect(check({ securityProfileName: 'fleet', thingName: 'any name: no pattern', listSuppressedAlerts: 'false', verificationState: 'UNKNOWN' })).toEqual([]);
  expect(check({
    securityProfileName: 'no spaces', thingName: 'x'.repeat(129), behaviorCriteriaType: 'FUZZY', listSuppressedAlerts: 'yes', verificationState: 'MAYBE', other: '1',
  })).toEqual([
    'query: unknown parameter "other"',
    'query thingName: length 129 exceeds the maximum 128',
    'query securityProfileName: "no spaces" does not match /^[a-zA-Z0-9:_-]+$/',
    'query behaviorCriteriaType: "FUZZY" is not one of STATIC, STATISTICAL, MACHINE_LEARNING',
    'query listSuppressedAlerts: "yes" is not a boolean (true or false)',
    'query verificationState: "MAYBE" is not one of FALSE_POSITIVE, BENIGN_POSITIVE, TRUE_POSITIVE, UNKNOWN',
  ]);
  // A hand-built request with a bad value is refused as InvalidRequestException.
  const raw = await sendRawRequest(new URL('/active-violations?verificationState=MAYBE', emulator.endpoint), { method: 'GET' });
  expect(raw.status).toBe(400);
  expect(raw.headers['x-amzn-errortype']).toBe('InvalidRequestException');
  emulator.requests.length = 0;
});

test('faults apply to it like to every operation (throttling)', async () => {
  emulator.addSecurityProfile('fleet');
  emulator.injectFault({ kind: 'throttlingException', operation: 'ListActiveViolations' });
  expect(await rejection(client.send(new ListActiveViolationsCommand({ securityProfileName: 'fleet' })))).toBeInstanceOf(ThrottlingException);
  expect(await ids({ securityProfileName: 'fleet' })).toEqual([]);
});

test('seeding checks the values against the model', () => {
  expect(() => emulator.addActiveViolation({ violationId: 'bad_id', securityProfileName: 'fleet', thingName: 't', behavior: { name: 'b' } }))
    .toThrow('addActiveViolation: violationId: "bad_id" does not match /^[a-zA-Z0-9-]+$/');
  expect(() => emulator.addActiveViolation({ violationId: 'v', securityProfileName: 'fleet', thingName: 't', behavior: { name: 'no spaces' } }))
    .toThrow(/behavior.name: "no spaces" does not match/);
  emulator.addActiveViolation({ violationId: 'v', securityProfileName: 'fleet', thingName: 't', behavior: { name: 'b' } });
  expect(() => emulator.addActiveViolation({ violationId: 'v', securityProfileName: 'fleet', thingName: 't', behavior: { name: 'b' } }))
    .toThrow('addActiveViolation: violation v already exists');
  expect(() => emulator.addSecurityProfile('no spaces')).toThrow(/addSecurityProfile: securityProfileName/);
  expect(() => emulator.clearActiveViolation('nope')).toThrow('clearActiveViolation: no active violation nope');
});

describe('ListSecurityProfiles', () => {
  const names = async (input: ListSecurityProfilesCommandInput = {}) =>
    (await client.send(new ListSecurityProfilesCommand(input))).securityProfileIdentifiers?.map((p) => p.name);

  test('GET /security-profiles: every profile of the account and region (seeded, or by a violation), with its name and ARN', async () => {
    expect(await names()).toEqual([]);
    emulator.addSecurityProfile('fleet');
    emulator.addActiveViolation({ violationId: 'v-1', securityProfileName: 'chatty', thingName: 't', behavior: { name: 'MsgsSent' } });
    emulator.at({ region: 'eu-west-1' }).addSecurityProfile('elsewhere');
    emulator.requests.length = 0;
    const answer = await client.send(new ListSecurityProfilesCommand({ maxResults: 1 }));
    expect(emulator.requestsFor('ListSecurityProfiles')).toEqual([expect.objectContaining({
      method: 'GET', path: '/security-profiles', query: { maxResults: '1' }, response: { status: 200 },
    })]);
    expect(answer.securityProfileIdentifiers).toEqual([{ name: 'fleet', arn: `arn:aws:iot:us-east-1:${emulator.requests[0].account}:securityprofile/fleet` }]);
    expect(answer.nextToken).toEqual(expect.any(String));
    expect(await names()).toEqual(['fleet', 'chatty']);
    expectNoViolations(emulator);
  });

  test('filters on a dimension or a custom metric the profiles\' behaviors use; pages with nextToken', async () => {
    emulator.addSecurityProfile('by-topic', { dimensionNames: ['TopicFilter'] });
    emulator.addSecurityProfile('by-battery', { metricNames: ['battery_level'] });
    emulator.addSecurityProfile('both', { dimensionNames: ['TopicFilter'], metricNames: ['battery_level'] });
    expect(await names({ dimensionName: 'TopicFilter' })).toEqual(['by-topic', 'both']);
    expect(await names({ metricName: 'battery_level' })).toEqual(['by-battery', 'both']);
    expect(await names({ metricName: 'unused' })).toEqual([]);
    const pages: string[][] = [];
    for await (const page of paginateListSecurityProfiles({ client, pageSize: 2 }, {})) {
      pages.push((page.securityProfileIdentifiers ?? []).map((p) => p.name!));
    }
    expect(pages).toEqual([['by-topic', 'by-battery'], ['both']]);
    expectNoViolations(emulator);
  });

  test('model constraints of the query string: dimensionName and metricName not together', async () => {
    expect(matchOperation('GET', '/security-profiles')?.operation.name).toBe('ListSecurityProfiles');
    const check = (query: Record<string, string>) => checkListSecurityProfiles({ pathParams: {}, query, body: undefined, headers: {} });
    expect(check({ dimensionName: 'TopicFilter', maxResults: '250', nextToken: 'x' })).toEqual([]);
    expect(check({ dimensionName: 'no spaces', metricName: 'm'.repeat(129), maxResults: '0', other: '1' })).toEqual([
      'query: unknown parameter "other"',
      'query dimensionName: "no spaces" does not match /^[a-zA-Z0-9:_-]+$/',
      'query metricName: length 129 exceeds the maximum 128',
      'query maxResults: 0 is outside the range 1-250',
      'query dimensionName and metricName: cannot be used in the same request',
    ]);
    const both = await rejection(client.send(new ListSecurityProfilesCommand({ dimensionName: 'TopicFilter', metricName: 'battery_level' })));
    expect(both).toBeInstanceOf(InvalidRequestException);
    expect(emulator.violations()).toEqual(['ListSecurityProfiles: query dimensionName and metricName: cannot be used in the same request']);
    emulator.requests.length = 0;
  });

  test('faults apply to it (throttling); seeding checks the names against the model', async () => {
    emulator.injectFault({ kind: 'throttlingException', operation: 'ListSecurityProfiles' });
    expect(await rejection(client.send(new ListSecurityProfilesCommand({})))).toBeInstanceOf(ThrottlingException);
    expect(() => emulator.addSecurityProfile('fleet', { dimensionNames: ['no spaces'] })).toThrow(/addSecurityProfile: dimensionNames\[\]: "no spaces" does not match/);
    expect(() => emulator.addSecurityProfile('fleet', { metricNames: [''] })).toThrow(/addSecurityProfile: metricNames\[\]/);
  });
});
