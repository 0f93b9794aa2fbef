import {
  AssumeRoleCommand, AssumeRoleCommandInput, GetCallerIdentityCommand, RegionDisabledException, STSClient, STSServiceException,
} from '@aws-sdk/client-sts';
import { DEFAULT_ACCOUNT, DEFAULT_PRINCIPAL_ARN } from './identity';
import { expectNoStsViolations, StsEmulator } from './sts-emulator';
import { rejection, sendRawRequest } from './test-clients';

const HUB = '111111111111';
const SPOKE = '222222222222';
const ORG = 'o-abcdefghij';
const HUB_ROLE = `arn:aws:iam::${HUB}:role/hub-audit-handler`;
const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/dd-spoke-eu-west-1`;
const HUB_SESSION = `arn:aws:sts::${HUB}:assumed-role/hub-audit-handler/hub-audit`;

let emulator: StsEmulator;
const clients: STSClient[] = [];

function sts(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = 'eu-west-1'): STSClient {
  const c = new STSClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 2 });
  clients.push(c);
  return c;
}

/** The hub's handler, as Lambda runs it: a key whose principal is a session of the hub's role. */
const hub = () => sts({ accessKeyId: 'AKIDHUBHANDLER', secretAccessKey: 'secret', sessionToken: 'hub-session-token' });
const assume = (input: Partial<AssumeRoleCommandInput> = {}) => new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'hub', ...input });

beforeAll(async () => {
  emulator = await StsEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.identities.reset();
  emulator.identities.addAccount(HUB, { organizationId: ORG });
  emulator.identities.addAccount(SPOKE, { organizationId: ORG });
  emulator.identities.addAccessKey({ accessKeyId: 'AKIDHUBHANDLER', account: HUB, principalArn: HUB_SESSION, sessionToken: 'hub-session-token' });
  emulator.addRole(SPOKE_ROLE, { trustedPrincipalArns: [HUB_ROLE], principalOrgId: ORG });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('GetCallerIdentity', () => {
  test('answers the account and principal of the key that signed', async () => {
    const me = await sts({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: DEFAULT_ACCOUNT, Arn: DEFAULT_PRINCIPAL_ARN, UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/) });
    const handler = await hub().send(new GetCallerIdentityCommand({}));
    expect(handler).toMatchObject({ Account: HUB, Arn: HUB_SESSION, UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:hub-audit$/) });
    expectNoStsViolations(emulator);
  });

  test('a key nobody issued is InvalidClientTokenId (403), a session token that is not the key\'s too', async () => {
    const unknown = await rejection(sts({ accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(unknown).toBeInstanceOf(STSServiceException);
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(unknown.message).toBe('The security token included in the request is invalid.');
    expect(unknown.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    const wrongToken = await rejection(sts({ accessKeyId: 'AKIDHUBHANDLER', secretAccessKey: 'x', sessionToken: 'other' }).send(new GetCallerIdentityCommand({})));
    expect(wrongToken.name).toBe('InvalidClientTokenId');
    const noToken = await rejection(sts({ accessKeyId: 'AKIDHUBHANDLER', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(noToken.name).toBe('InvalidClientTokenId');
    expect(emulator.requests.map((r) => [r.status, r.errorCode, r.principalArn])).toEqual([
      [403, 'InvalidClientTokenId', undefined], [403, 'InvalidClientTokenId', undefined], [403, 'InvalidClientTokenId', undefined],
    ]);
  });
});

describe('AssumeRole', () => {
  test('a trusted caller gets credentials for the role session, which act in the role\'s account', async () => {
    const before = Date.now();
    const out = await hub().send(assume({ DurationSeconds: 900, ExternalId: 'ignored-without-condition' }));

    expect(out.AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${SPOKE}:assumed-role/dd-spoke-eu-west-1/hub`,
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:hub$/),
    });
    const c = out.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{8}\d{8}$/);
    expect(c.SecretAccessKey).toHaveLength(40);
    expect(c.SessionToken).toEqual(expect.any(String));
    expect(c.Expiration!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000 - 1000);
    expect(c.Expiration!.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);

    const asSpoke = await sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken }, 'us-east-1')
      .send(new GetCallerIdentityCommand({}));
    expect(asSpoke).toMatchObject({ Account: SPOKE, Arn: out.AssumedRoleUser!.Arn, UserId: out.AssumedRoleUser!.AssumedRoleId });
    expect(emulator.sessions).toEqual([{
      roleArn: SPOKE_ROLE,
      roleSessionName: 'hub',
      assumedRoleArn: out.AssumedRoleUser!.Arn,
      callerArn: HUB_SESSION,
      accessKeyId: c.AccessKeyId,
      expiration: c.Expiration,
      externalId: 'ignored-without-condition',
    }]);
    expect(emulator.requestsFor('AssumeRole')).toEqual([expect.objectContaining({ account: HUB, region: 'eu-west-1', principalArn: HUB_SESSION, status: 200 })]);
    expectNoStsViolations(emulator);
  });

  test.each([
    ['another role of the hub account', `arn:aws:sts::${HUB}:assumed-role/other-role/x`, HUB],
    ['the same role name in another account', 'arn:aws:sts::333333333333:assumed-role/hub-audit-handler/x', '333333333333'],
  ])('an untrusted caller (%s) is AccessDenied (403), not retried', async (_what, principalArn, account) => {
    emulator.identities.addAccessKey({ accessKeyId: 'AKIDOTHER', account, principalArn });
    const err = await rejection(sts({ accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' }).send(assume()));
    expect(err).toBeInstanceOf(STSServiceException);
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe(`User: ${principalArn} is not authorized to perform: sts:AssumeRole on resource: ${SPOKE_ROLE}`);
    expect(err.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    expect(emulator.sessions).toEqual([]);
    expectNoStsViolations(emulator);
  });

  test('aws:PrincipalOrgID: the trusted role in an account outside the organization is AccessDenied', async () => {
    emulator.reset();
    emulator.identities.reset();
    emulator.identities.addAccount(HUB, { organizationId: 'o-zzzzzzzzzz' });
    emulator.identities.addAccessKey({ accessKeyId: 'AKIDHUBHANDLER', account: HUB, principalArn: HUB_SESSION, sessionToken: 'hub-session-token' });
    emulator.addRole(SPOKE_ROLE, { trustedPrincipalArns: [HUB_ROLE], principalOrgId: ORG });
    expect((await rejection(hub().send(assume()))).name).toBe('AccessDenied');
  });

  test('a role that does not exist is AccessDenied, as AWS answers it', async () => {
    const err = await rejection(hub().send(assume({ RoleArn: `arn:aws:iam::${SPOKE}:role/nope` })));
    expect(err.name).toBe('AccessDenied');
  });

  test('sts:ExternalId: the request must carry the role\'s external id', async () => {
    const role = `arn:aws:iam::${SPOKE}:role/with-external-id`;
    emulator.addRole(role, { trustedPrincipalArns: [HUB], externalId: 'hub-123' });
    expect((await rejection(hub().send(assume({ RoleArn: role })))).name).toBe('AccessDenied');
    expect((await rejection(hub().send(assume({ RoleArn: role, ExternalId: 'hub-456' })))).name).toBe('AccessDenied');
    await hub().send(assume({ RoleArn: role, ExternalId: 'hub-123' }));
    expect(emulator.sessions.map((s) => s.roleArn)).toEqual([role]);
  });

  test('an account id or its root ARN trusts every principal of the account; a user ARN only that user', async () => {
    const byAccount = `arn:aws:iam::${SPOKE}:role/path/to/by-account`;
    const byRoot = `arn:aws:iam::${SPOKE}:role/by-root`;
    const byUser = `arn:aws:iam::${SPOKE}:role/by-user`;
    emulator.addRole(byAccount, { trustedPrincipalArns: [DEFAULT_ACCOUNT] });
    emulator.addRole(byRoot, { trustedPrincipalArns: [`arn:aws:iam::${DEFAULT_ACCOUNT}:root`] });
    emulator.addRole(byUser, { trustedPrincipalArns: [`arn:aws:iam::${DEFAULT_ACCOUNT}:user/someone-else`] });
    const client = sts({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    const out = await client.send(assume({ RoleArn: byAccount }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/by-account/hub`);
    await client.send(assume({ RoleArn: byRoot }));
    expect((await rejection(client.send(assume({ RoleArn: byUser })))).name).toBe('AccessDenied');
  });

  test('DurationSeconds: at most the role\'s MaxSessionDuration, and one hour when a role session assumes a role', async () => {
    const long = `arn:aws:iam::${SPOKE}:role/long`;
    emulator.addRole(long, { trustedPrincipalArns: [DEFAULT_ACCOUNT, HUB], maxSessionDurationSeconds: 7200 });
    const user = sts({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    const over = await rejection(user.send(assume({ RoleArn: long, DurationSeconds: 7201 })));
    expect([over.name, over.message]).toEqual(['ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.']);
    const out = await user.send(assume({ RoleArn: long, DurationSeconds: 7200 }));
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(7000_000);

    // The hub's handler runs as a role session, which STS-issued credentials also are: role chaining.
    const c = out.Credentials!;
    const chained = sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
    emulator.addRole(`arn:aws:iam::${SPOKE}:role/next`, { trustedPrincipalArns: [long] });
    const chainedOver = await rejection(chained.send(assume({ RoleArn: `arn:aws:iam::${SPOKE}:role/next`, DurationSeconds: 3601 })));
    expect(chainedOver.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    await chained.send(assume({ RoleArn: `arn:aws:iam::${SPOKE}:role/next`, DurationSeconds: 3600 }));
    expect(emulator.violations()).toEqual([
      'AssumeRole: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      'AssumeRole: The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    ]);
  });

  test.each([
    [{ RoleSessionName: 'a' }, "Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    [{ RoleSessionName: 'has space' }, "Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
    [{ DurationSeconds: 899 }, "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    [{ ExternalId: 'x' }, "Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    [{ RoleArn: 'arn:aws:iam::1:r/x' }, "Value 'arn:aws:iam::1:r/x' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"],
    [{ Policy: '{}' }, 'Policy is not emulated (the emulator evaluates only the role\'s trust policy)'],
    [{ Tags: [{ Key: 'k', Value: 'v' }] }, 'Tags is not emulated (the emulator evaluates only the role\'s trust policy)'],
  ])('%j breaks the model: ValidationError (400), recorded as a violation', async (input, violation) => {
    const err = await rejection(hub().send(assume(input)));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(`1 validation error detected: ${violation}`);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(emulator.violations()).toEqual([`AssumeRole: ${violation}`]);
    expect(emulator.sessions).toEqual([]);
  });
});

describe('credential lifetime and the clock', () => {
  test('credentials expire on the identities\' clock: ExpiredToken (403), then a new AssumeRole works', async () => {
    const c = (await hub().send(assume())).Credentials!;
    const asSpoke = sts({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
    await asSpoke.send(new GetCallerIdentityCommand({}));

    emulator.identities.advanceClock(3600_000);
    const err = await rejection(asSpoke.send(new GetCallerIdentityCommand({})));
    expect([err.name, err.message, err.$metadata?.httpStatusCode]).toEqual(['ExpiredToken', 'The security token included in the request is expired', 403]);

    const again = (await hub().send(assume())).Credentials!;
    expect(again.Expiration!.getTime()).toBeGreaterThan(c.Expiration!.getTime() + 3599_000);
    const fresh = sts({ accessKeyId: again.AccessKeyId!, secretAccessKey: again.SecretAccessKey!, sessionToken: again.SessionToken });
    expect((await fresh.send(new GetCallerIdentityCommand({}))).Account).toBe(SPOKE);
  });

  test('setCredentialLifetime shortens what AssumeRole grants, so a client\'s cache refreshes', async () => {
    // A cache like the SDK's own: a credentials provider the client memoizes and calls again once
    // the credentials are within 5 minutes of their expiration.
    const hubClient = hub();
    const provider = async () => {
      const c = (await hubClient.send(assume({ RoleSessionName: 'cached' }))).Credentials!;
      return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration };
    };
    const spoke = new STSClient({ endpoint: emulator.endpoint, region: 'eu-west-1', credentials: provider });
    clients.push(spoke);
    for (let i = 0; i < 3; i++) await spoke.send(new GetCallerIdentityCommand({}));
    expect(emulator.requestsFor('AssumeRole')).toHaveLength(1);

    // Credentials that expire within the SDK's 5-minute window are fetched again for every request.
    emulator.setCredentialLifetime(60);
    const short = new STSClient({ endpoint: emulator.endpoint, region: 'eu-west-1', credentials: provider });
    clients.push(short);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await short.send(new GetCallerIdentityCommand({}));
      counts.push(emulator.requestsFor('AssumeRole').length);
    }
    expect(counts[0]).toBeGreaterThan(1);
    expect(counts[1]).toBeGreaterThan(counts[0]);
    expect(counts[2]).toBeGreaterThan(counts[1]);
    expect(emulator.sessions[1].expiration.getTime() - Date.now()).toBeLessThanOrEqual(60_000);

    emulator.setCredentialLifetime(undefined);
    await hubClient.send(assume());
    expect(emulator.sessions[emulator.sessions.length - 1].expiration.getTime() - Date.now()).toBeGreaterThan(3500_000);
  });
});

describe('faults and transport', () => {
  test('throttling is retried by the SDK; regionDisabled is not', async () => {
    emulator.injectFault({ kind: 'throttled', operation: 'AssumeRole' });
    const out = await hub().send(assume());
    expect(out.$metadata.attempts).toBe(2);
    emulator.injectFault({ kind: 'regionDisabled', region: 'ap-south-1' });
    await hub().send(new GetCallerIdentityCommand({}));
    const err = await rejection(sts({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, 'ap-south-1').send(new GetCallerIdentityCommand({})));
    expect(err).toBeInstanceOf(RegionDisabledException);
    expect(err.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
  });

  test('an unsigned request is MissingAuthenticationToken and a violation', async () => {
    const res = await sendRawRequest(new URL('/', emulator.endpoint), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      'Action=GetCallerIdentity&Version=2011-06-15');
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(emulator.violations()).toEqual(['GetCallerIdentity: request is not SigV4-signed']);
  });

  test('addRole refuses what IAM would not hold', () => {
    expect(() => emulator.addRole('arn:aws:iam::1:role/x', { trustedPrincipalArns: [HUB] })).toThrow(/is not a role ARN/);
    expect(() => emulator.addRole(SPOKE_ROLE, { trustedPrincipalArns: [HUB] })).toThrow(/already exists/);
    expect(() => emulator.addRole(`${SPOKE_ROLE}-2`, { trustedPrincipalArns: [] })).toThrow(/trustedPrincipalArns/);
    expect(() => emulator.addRole(`${SPOKE_ROLE}-2`, { trustedPrincipalArns: ['someone'] })).toThrow(/trustedPrincipalArns/);
    expect(() => emulator.addRole(`${SPOKE_ROLE}-2`, { trustedPrincipalArns: [HUB], principalOrgId: 'org' })).toThrow(/principalOrgId/);
    expect(() => emulator.addRole(`${SPOKE_ROLE}-2`, { trustedPrincipalArns: [HUB], maxSessionDurationSeconds: 60 })).toThrow(/maxSessionDurationSeconds/);
    expect(() => emulator.setCredentialLifetime(0)).toThrow(/seconds must be > 0/);
  });
});
