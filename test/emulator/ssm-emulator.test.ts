import {
  GetParameterCommand, GetParametersCommand, ParameterAlreadyExists, ParameterNotFound, ParameterVersionNotFound, PutParameterCommand,
  SSMClient, SSMServiceException, ValidationException,
} from '@aws-sdk/client-ssm';
import { DEFAULT_ACCOUNT } from './identity';
import { expectNoSsmViolations, SsmEmulator } from './ssm-emulator';
import { rejection, sendRawRequest } from './test-clients';

const SPOKE = '222222222222';
const CONFIG = '/cdk-device-defender/spoke';

let emulator: SsmEmulator;
const clients: SSMClient[] = [];

function ssm(region = 'us-east-1', credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }): SSMClient {
  const c = new SSMClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 2 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  emulator = await SsmEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.identities.reset();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  expectNoSsmViolations(emulator);
});

describe('GetParameter and GetParameters', () => {
  test('answer the latest version, or the one a :N selector names', async () => {
    expect(emulator.putParameter({ name: CONFIG, value: '{"dryRun":true}' })).toBe(1);
    expect(emulator.putParameter({ name: CONFIG, value: '{"dryRun":false}' })).toBe(2);

    const latest = await ssm().send(new GetParameterCommand({ Name: CONFIG }));
    expect(latest.Parameter).toEqual({
      Name: CONFIG,
      Type: 'String',
      Value: '{"dryRun":false}',
      Version: 2,
      LastModifiedDate: expect.any(Date),
      ARN: `arn:aws:ssm:us-east-1:${DEFAULT_ACCOUNT}:parameter${CONFIG}`,
      DataType: 'text',
    });
    const first = await ssm().send(new GetParameterCommand({ Name: `${CONFIG}:1` }));
    expect(first.Parameter).toMatchObject({ Name: CONFIG, Value: '{"dryRun":true}', Version: 1, Selector: ':1' });
    const byArn = await ssm().send(new GetParameterCommand({ Name: `arn:aws:ssm:us-east-1:${DEFAULT_ACCOUNT}:parameter${CONFIG}:2` }));
    expect(byArn.Parameter).toMatchObject({ Version: 2, Selector: ':2' });

    const many = await ssm().send(new GetParametersCommand({ Names: [`${CONFIG}:1`, '/missing', `${CONFIG}:9`, CONFIG] }));
    expect(many.Parameters?.map((p) => [p.Name, p.Version])).toEqual([[CONFIG, 1], [CONFIG, 2]]);
    expect(many.InvalidParameters).toEqual(['/missing', `${CONFIG}:9`]);
  });

  test('a missing parameter is ParameterNotFound; a missing version ParameterVersionNotFound (400, not retried)', async () => {
    const missing = await rejection(ssm().send(new GetParameterCommand({ Name: '/nope' })));
    expect(missing).toBeInstanceOf(ParameterNotFound);
    expect(missing.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    emulator.putParameter({ name: CONFIG, value: 'x' });
    const version = await rejection(ssm().send(new GetParameterCommand({ Name: `${CONFIG}:3` })));
    expect(version).toBeInstanceOf(ParameterVersionNotFound);
    expect(version.message).toBe(`Systems Manager could not find version 3 of ${CONFIG}. Verify the version and try again.`);
  });

  test('parameters live per account and region: each request reads its caller\'s, in its region', async () => {
    emulator.identities.addAccessKey({ accessKeyId: 'AKIDSPOKE', account: SPOKE });
    const spokeKey = { accessKeyId: 'AKIDSPOKE', secretAccessKey: 'secret' };
    emulator.putParameter({ name: CONFIG, value: 'default account, us-east-1' });
    emulator.at({ account: SPOKE, region: 'eu-west-1' }).putParameter({ name: CONFIG, value: 'spoke, eu-west-1' });
    emulator.at({ account: SPOKE, region: 'eu-central-1' }).putParameter({ name: CONFIG, value: 'spoke, eu-central-1' });

    const read = async (region: string, credentials?: typeof spokeKey) =>
      (await ssm(region, credentials).send(new GetParameterCommand({ Name: CONFIG }))).Parameter?.Value;
    expect(await read('us-east-1')).toBe('default account, us-east-1');
    expect(await read('eu-west-1', spokeKey)).toBe('spoke, eu-west-1');
    expect(await read('eu-central-1', spokeKey)).toBe('spoke, eu-central-1');
    expect(await rejection(read('us-east-1', spokeKey))).toBeInstanceOf(ParameterNotFound);
    expect(await rejection(read('eu-west-1'))).toBeInstanceOf(ParameterNotFound);
    // Another account's parameter ARN is not found either (sharing is not emulated).
    const other = await rejection(ssm('eu-west-1').send(new GetParameterCommand({ Name: `arn:aws:ssm:eu-west-1:${SPOKE}:parameter${CONFIG}` })));
    expect(other).toBeInstanceOf(ParameterNotFound);

    expect(emulator.at({ account: SPOKE, region: 'eu-west-1' }).parameter(CONFIG)).toMatchObject({
      arn: `arn:aws:ssm:eu-west-1:${SPOKE}:parameter${CONFIG}`, versions: [{ version: 1, value: 'spoke, eu-west-1' }],
    });
    expect(emulator.at({ account: SPOKE, region: 'eu-west-1' }).requestsFor('GetParameter')).toHaveLength(1);
    expect(emulator.requestsFor('GetParameter').map((r) => r.status)).toEqual([200]);
    expect(emulator.requests.map((r) => `${r.account} ${r.region} ${r.status}`)).toEqual([
      `${DEFAULT_ACCOUNT} us-east-1 200`, `${SPOKE} eu-west-1 200`, `${SPOKE} eu-central-1 200`, `${SPOKE} us-east-1 400`,
      `${DEFAULT_ACCOUNT} eu-west-1 400`, `${DEFAULT_ACCOUNT} eu-west-1 400`,
    ]);
  });

  test('a key nobody issued is UnrecognizedClientException, expired credentials ExpiredTokenException (both 400)', async () => {
    const err = await rejection(ssm('us-east-1', { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }).send(new GetParameterCommand({ Name: CONFIG })));
    expect(err).toBeInstanceOf(SSMServiceException);
    expect([err.name, err.message, err.$metadata?.httpStatusCode]).toEqual(['UnrecognizedClientException', 'The security token included in the request is invalid.', 400]);
    const issued = emulator.identities.issue({ account: SPOKE, principalArn: `arn:aws:sts::${SPOKE}:assumed-role/r/s`, userId: 'AROAX:s', lifetimeMs: 1000 });
    emulator.identities.advanceClock(1000);
    const { accessKeyId, secretAccessKey, sessionToken } = issued;
    const expired = await rejection(ssm('us-east-1', { accessKeyId, secretAccessKey, sessionToken } as never).send(new GetParameterCommand({ Name: CONFIG })));
    expect([expired.name, expired.$metadata?.httpStatusCode]).toEqual(['ExpiredTokenException', 400]);
  });
});

describe('PutParameter', () => {
  test('creates version 1, refuses to overwrite without Overwrite, then adds versions', async () => {
    const client = ssm();
    expect(await client.send(new PutParameterCommand({ Name: CONFIG, Value: 'a', Type: 'String' }))).toMatchObject({ Version: 1, Tier: 'Standard' });
    expect(await rejection(client.send(new PutParameterCommand({ Name: CONFIG, Value: 'b' })))).toBeInstanceOf(ParameterAlreadyExists);
    expect((await client.send(new PutParameterCommand({ Name: CONFIG, Value: 'b', Overwrite: true }))).Version).toBe(2);
    expect(emulator.parameter(CONFIG)?.versions.map((v) => v.value)).toEqual(['a', 'b']);
  });

  test('keeps the last 100 versions', () => {
    for (let i = 1; i <= 101; i++) emulator.putParameter({ name: 'p', value: `v${i}` });
    const versions = emulator.parameter('p')!.versions;
    expect([versions.length, versions[0].version, versions[99].version]).toEqual([100, 2, 101]);
  });

  test.each([
    ['no Type for a new parameter', { Name: 'new', Value: 'x' }, 'A parameter type is required when you create a parameter.'],
    ['a name prefixed with aws', { Name: 'aws-thing', Value: 'x', Type: 'String' }, expect.stringMatching(/^Parameter name: can't be prefixed with "aws" or "ssm"/)],
    ['a path without the leading slash', { Name: 'a/b', Value: 'x', Type: 'String' }, 'Parameter name must be a fully qualified name.'],
    ['SecureString', { Name: 'p', Value: 'x', Type: 'SecureString' }, 'Type SecureString is not emulated'],
    ['4097 characters in the Standard tier', { Name: 'p', Value: 'x'.repeat(4097), Type: 'String' }, 'Parameter value of 4097 characters exceeds the 4096-character limit of its tier'],
    ['tags', { Name: 'p', Value: 'x', Type: 'String', Tags: [{ Key: 'k', Value: 'v' }] }, 'Tags is not emulated'],
  ])('%s is a ValidationException, recorded as a violation', async (_what, input, message) => {
    const err = await rejection(ssm().send(new PutParameterCommand(input as never)));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toEqual(message);
    expect(emulator.violations()).toEqual([expect.stringMatching(/^PutParameter: /)]);
    emulator.requests.length = 0;
  });

  test('putParameter (seeding) checks the name as PutParameter does', () => {
    expect(() => emulator.putParameter({ name: 'ssm-x', value: 'v' })).toThrow(/^putParameter: Parameter name: can't be prefixed/);
    expect(() => emulator.putParameter({ name: `/${'a/'.repeat(15)}b`, value: 'v' })).toThrow('putParameter: A hierarchy can have a maximum of 15 levels.');
    expect(() => emulator.at({ account: '1', region: 'eu-west-1' })).toThrow("at: account must be 12 digits, got '1'");
  });
});

describe('faults and transport', () => {
  test('throttling is retried by the SDK, and may be aimed at one account and region', async () => {
    emulator.putParameter({ name: CONFIG, value: 'x' });
    emulator.injectFault({ kind: 'throttled', operation: 'GetParameter', account: DEFAULT_ACCOUNT, region: 'eu-west-1' });
    expect((await ssm('us-east-1').send(new GetParameterCommand({ Name: CONFIG }))).$metadata.attempts).toBe(1);
    const err = await rejection(ssm('eu-west-1').send(new GetParameterCommand({ Name: CONFIG })));
    expect(err).toBeInstanceOf(ParameterNotFound);
    expect(err.$metadata?.attempts).toBe(2);
    expect(emulator.requests.map((r) => r.errorCode ?? r.status)).toEqual([200, 'ThrottlingException', 'ParameterNotFound']);
  });

  test('an unsigned request is MissingAuthenticationTokenException and a violation', async () => {
    const res = await sendRawRequest(new URL('/', emulator.endpoint), {
      method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
    }, JSON.stringify({ Name: CONFIG }));
    expect([res.status, JSON.parse(res.body).__type]).toEqual([400, 'MissingAuthenticationTokenException']);
    expect(emulator.violations()).toEqual(['GetParameter: Missing Authentication Token']);
    emulator.requests.length = 0;
  });
});
