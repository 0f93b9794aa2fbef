import { CreateAuditSuppressionCommand, IoTClient } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { datapointsOf, Emulators, metricSum, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import { CERT, CHECK, certProps, contextWith, inDays, marked, Props, suppressionEvent as event } from './suppression-harness';
import { suppressionPhysicalId } from '../../src/handlers/audit-suppression/audit-suppression-plan';
import type * as HandlerModule from '../../src/handlers/audit-suppression.lambda';
import { expectNoViolations } from '../emulator/iot-emulator';

let handler: typeof HandlerModule.handler;
/** The handler module, loaded once the emulators' endpoints are set. */
let lambda: typeof HandlerModule;
let e: Emulators;
/** An operator's client: what is made with it is made outside CloudFormation. */
let operator: IoTClient;

async function run(ev: CloudFormationCustomResourceEvent) {
  const { result, error, logs } = await withLogs(() => handler(ev, contextWith()));
  if (error) { throw error; }
  return { ...result!, logs };
}

beforeAll(async () => {
  e = await startEmulators();
  operator = new IoTClient({});
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lambda = require('../../src/handlers/audit-suppression.lambda');
  handler = lambda.handler;
});
afterAll(() => stopEmulators(e));
beforeEach(() => e.iot.reset());
// Every request the handler sent satisfies the API model.
afterEach(() => expectNoViolations(e.iot));

describe('Create', () => {
  test.each([
    ['device certificate', { deviceCertificateId: CERT }],
    ['CA certificate (0x and 62 hex digits)', { caCertificateId: `0x${'b'.repeat(62)}` }],
    ['Cognito identity pool', { cognitoIdentityPoolId: 'eu-west-1:0f0e0d0c-1111-2222-3333-444455556666' }],
    ['client id', { clientId: 'sensor-1' }],
    ['policy version', { policyVersionIdentifier: { policyName: 'fleet-policy', policyVersionId: '3' } }],
    ['account', { account: '123456789012' }],
    ['IAM role', { iamRoleArn: 'arn:aws:iam::123456789012:role/device-role' }],
    ['role alias', { roleAliasArn: 'arn:aws:iot:eu-west-1:123456789012:rolealias/devices' }],
    ['issuer certificate', { issuerCertificateIdentifier: { issuerCertificateSubject: 'CN=Intermediate', issuerId: 'c'.repeat(64), issuerCertificateSerialNumber: '0a:1b' } }],
    ['device certificate ARN', { deviceCertificateArn: `arn:aws:iot:eu-west-1:123456789012:cert/${CERT}` }],
  ])('a suppression of a %s is created with the settings asked for', async (_, resourceIdentifier) => {
    const until = inDays(30);
    const { PhysicalResourceId } = await run(event('Create', { CheckName: CHECK, ResourceIdentifier: resourceIdentifier, ExpirationDate: until, Description: 'lab rig' }));
    expect(PhysicalResourceId).toBe(suppressionPhysicalId(CHECK, resourceIdentifier));
    expect(e.iot.auditSuppressions()).toEqual([expect.objectContaining({
      checkName: CHECK, resourceIdentifier, expirationDate: new Date(until), suppressIndefinitely: false, description: marked('lab rig'),
    })]);
    const [request] = e.iot.requestsFor('CreateAuditSuppression');
    expect(request.body.clientRequestToken).toMatch(/^[0-9a-f]{64}$/);
  });

  test('indefinitely, without a description', async () => {
    await run(event('Create', certProps()));
    expect(e.iot.auditSuppressions()).toEqual([expect.objectContaining({ suppressIndefinitely: true, expirationDate: undefined })]);
  });

  test('a retry of the same request (same token) succeeds once the first one created it', async () => {
    const ev = event('Create', certProps());
    await run(ev);
    await run(ev);
    expect(e.iot.auditSuppressions()).toHaveLength(1);
  });

  test('a suppression that exists already (made elsewhere) is refused, never adopted: the message says what exists and what to do', async () => {
    await operator.send(new CreateAuditSuppressionCommand({
      checkName: CHECK, resourceIdentifier: { deviceCertificateId: CERT }, suppressIndefinitely: true, description: 'made by the security team', clientRequestToken: 'hand',
    }));
    const before = e.iot.auditSuppressions();
    const other = event('Create', certProps({ SuppressIndefinitely: 'false', ExpirationDate: inDays(1) }), { LogicalResourceId: 'Other' });
    const { error, logs } = await withLogs(() => handler(other, contextWith()));
    expect((error as Error).message).toMatch(/exists already \(suppressed indefinitely: "made by the security team"\).*does not adopt it.*unsuppress/);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', event: 'permanent-failure', kind: 'suppression-refused' }));
    // Nothing was changed.
    expect(e.iot.auditSuppressions()).toEqual(before);
    expect(e.iot.requestsFor('UpdateAuditSuppression')).toHaveLength(0);
  });

  test('an error AWS IoT answers (after the SDK retries) fails the Create', async () => {
    e.iot.injectFault({ operation: 'CreateAuditSuppression', kind: 'accessDenied403' });
    await expect(run(event('Create', certProps()))).rejects.toThrow(/not authorized/);
  });
});

describe('Update', () => {
  test('a new expiry or description is updated in place: same physical id, no new suppression', async () => {
    const { PhysicalResourceId } = await run(event('Create', certProps({ Description: 'until the refresh' })));
    const until = inDays(90);
    const updated = await run(event('Update', certProps({ SuppressIndefinitely: 'false', ExpirationDate: until }), {
      PhysicalResourceId, OldResourceProperties: certProps({ Description: 'until the refresh' }),
    }));
    expect(updated.PhysicalResourceId).toBe(PhysicalResourceId);
    expect(e.iot.requestsFor('CreateAuditSuppression')).toHaveLength(1);
    expect(e.iot.requestsFor('UpdateAuditSuppression')[0].body).toMatchObject({ suppressIndefinitely: false, description: marked(undefined) });
    expect(e.iot.auditSuppressions()).toEqual([expect.objectContaining({
      suppressIndefinitely: false, expirationDate: new Date(until), description: marked(undefined),
    })]);
  });

  test('a new check or resource is a replacement: a new suppression under a new physical id (CloudFormation deletes the old one)', async () => {
    const { PhysicalResourceId } = await run(event('Create', certProps()));
    const moved = certProps({ ResourceIdentifier: { deviceCertificateId: 'b'.repeat(64) } });
    const replaced = await run(event('Update', moved, { PhysicalResourceId, OldResourceProperties: certProps() }));
    expect(replaced.PhysicalResourceId).not.toBe(PhysicalResourceId);
    expect(e.iot.auditSuppressions()).toHaveLength(2);
    // CloudFormation's cleanup: Delete with the old physical id and the old properties.
    await run(event('Delete', certProps(), { PhysicalResourceId }));
    expect(e.iot.auditSuppressions()).toEqual([expect.objectContaining({ resourceIdentifier: { deviceCertificateId: 'b'.repeat(64) } })]);

    const otherCheck = await run(event('Update', { ...moved, CheckName: 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK' }, {
      PhysicalResourceId: replaced.PhysicalResourceId, OldResourceProperties: moved,
    }));
    expect(otherCheck.PhysicalResourceId).not.toBe(replaced.PhysicalResourceId);
  });

  test('a suppression deleted outside CloudFormation is made again on Update', async () => {
    const { PhysicalResourceId } = await run(event('Create', certProps()));
    e.iot.reset();
    const { logs } = await run(event('Update', certProps({ Description: 'back' }), { PhysicalResourceId, OldResourceProperties: certProps() }));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'recreated' }));
    expect(e.iot.auditSuppressions()).toEqual([expect.objectContaining({ description: marked('back') })]);
  });
});

describe('Delete', () => {
  test('deletes the suppression, and a second Delete (already gone) succeeds', async () => {
    const { PhysicalResourceId } = await run(event('Create', certProps()));
    await run(event('Delete', certProps(), { PhysicalResourceId }));
    expect(e.iot.auditSuppressions()).toEqual([]);
    await run(event('Delete', certProps(), { PhysicalResourceId }));
  });

  test('ResourceNotFoundException is success', async () => {
    const { PhysicalResourceId } = await run(event('Create', certProps()));
    e.iot.injectFault({ operation: 'DeleteAuditSuppression', kind: 'resourceNotFound' });
    const { logs } = await run(event('Delete', certProps(), { PhysicalResourceId }));
    expect(logs).toContainEqual(expect.objectContaining({ event: 'already-deleted' }));
  });

  test('after a failed Create (a physical id the handler never issued, or invalid properties) nothing is deleted', async () => {
    await run(event('Delete', certProps(), { PhysicalResourceId: 'resource-id-from-the-framework' }));
    await run(event('Delete', { CheckName: CHECK }, { PhysicalResourceId: suppressionPhysicalId(CHECK, { deviceCertificateId: CERT }) }));
    expect(e.iot.requestsFor('DeleteAuditSuppression')).toHaveLength(0);
  });

  test('any other error never fails the Delete; the suppression left in force is one permanent-failure ERROR line saying how to remove it', async () => {
    const { PhysicalResourceId } = await run(event('Create', certProps()));
    e.iot.injectFault({ operation: 'DeleteAuditSuppression', kind: 'accessDenied403' });
    const { logs } = await run(event('Delete', certProps(), { PhysicalResourceId }));
    expect(logs.filter((l) => l.level === 'ERROR')).toEqual([expect.objectContaining({
      event: 'permanent-failure',
      kind: 'suppression-not-deleted',
      checkName: CHECK,
      error: 'AccessDeniedException',
      reason: expect.stringMatching(/still in force: delete it with DeleteAuditSuppression/),
    })]);
    expect(e.iot.auditSuppressions()).toHaveLength(1);
  });
});

describe('every failure of a Delete is reported, and the Delete answers in time', () => {
  const FUNCTION_NAME = 'suppression-handler';
  const reported = (extra: Props = {}) => certProps({ MitigationName: 'Stack/LabCertificate', ReportTopicArn: REPORT_TOPIC, ...extra });

  beforeEach(() => {
    resetEmulators(e);
    setEnv({ AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME });
  });
  afterEach(() => setEnv({ AWS_LAMBDA_FUNCTION_NAME: undefined }));

  test('AccessDenied: a PermanentFailures datapoint, a Mitigation Failed event and a report, and the Delete succeeds', async () => {
    const { PhysicalResourceId } = await run(event('Create', reported()));
    e.iot.injectFault({ operation: 'DeleteAuditSuppression', kind: 'accessDenied403' });
    const deleted = await run(event('Delete', reported(), { PhysicalResourceId }));
    expect(deleted.PhysicalResourceId).toBe(PhysicalResourceId);
    const points = datapointsOf(deleted.logs);
    expect(metricSum(points, 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(metricSum(points, 'PermanentFailures', { Mitigation: 'Stack/LabCertificate' })).toBe(1);
    expect(e.events.eventsOfType('Mitigation Failed').map((ev) => ev.detail)).toEqual([{
      mitigation: 'Stack/LabCertificate',
      kind: 'suppression-not-deleted',
      error: 'AccessDeniedException',
      message: expect.stringMatching(/not authorized/),
      functionName: FUNCTION_NAME,
    }]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([expect.objectContaining({
      event: 'permanent-failure', kind: 'suppression-not-deleted', checkName: CHECK, reason: expect.stringMatching(/still in force/),
    })]);
    expect(e.iot.auditSuppressions()).toHaveLength(1);
  });

  test('with EventBusArn, the Mitigation Failed event goes to that bus', async () => {
    e.events.addEventBus('mitigation-events');
    const props = { ...reported(), EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/mitigation-events' };
    const { PhysicalResourceId } = await run(event('Create', props));
    e.iot.injectFault({ operation: 'DeleteAuditSuppression', kind: 'accessDenied403' });
    await run(event('Delete', props, { PhysicalResourceId }));
    expect(e.events.eventsOfType('Mitigation Failed').map((ev) => ev.eventBusName)).toEqual(['mitigation-events']);
  });

  test('a report topic and EventBridge that refuse: logged as report-failed, and the Delete still succeeds after the datapoint', async () => {
    const { PhysicalResourceId } = await run(event('Create', reported()));
    e.iot.injectFault({ operation: 'DeleteAuditSuppression', kind: 'accessDenied403' });
    e.sns.injectFault({ kind: 'authorizationError', times: Infinity });
    e.events.injectFault({ kind: 'internalError', times: Infinity });
    const { result, error, logs } = await withLogs(() => handler(event('Delete', reported(), { PhysicalResourceId }), contextWith()));
    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId });
    expect(metricSum(datapointsOf(logs), 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(logs.filter((l) => l.event === 'report-failed').map((l) => l.channel).sort()).toEqual(['events', 'report-topic']);
  });

  test('slow answers: the Delete stops before the function\'s timeout, reports the suppression still in force, and succeeds', async () => {
    const { PhysicalResourceId } = await run(event('Create', reported()));
    e.iot.setLatency('DeleteAuditSuppression', 5_000);
    const began = Date.now();
    const { result, error, logs } = await withLogs(() => handler(event('Delete', reported(), { PhysicalResourceId }), contextWith(lambda.SAFETY_MARGIN_MS + 1_000)));
    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId });
    // Its budget was 1 s (the SDK alone would wait 5 s per attempt, 3 attempts).
    expect(Date.now() - began).toBeLessThan(2_500);
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({ kind: 'suppression-not-deleted', error: 'DeadlineExceeded' })]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toHaveLength(1);
    expect(e.events.eventsOfType('Mitigation Failed')).toHaveLength(1);
    e.iot.setLatency('DeleteAuditSuppression', 0);
  });

  test('throttling: the Delete tries DeleteAuditSuppression 3 times at most, then reports and succeeds', async () => {
    const { PhysicalResourceId } = await run(event('Create', reported()));
    e.iot.injectFault({ operation: 'DeleteAuditSuppression', kind: 'throttle429', times: Infinity });
    const { error, logs } = await withLogs(() => handler(event('Delete', reported(), { PhysicalResourceId }), contextWith()));
    expect(error).toBeUndefined();
    expect(e.iot.requestsFor('DeleteAuditSuppression')).toHaveLength(lambda.DELETE_CLIENT_LIMITS.maxAttempts);
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({ kind: 'suppression-not-deleted', error: 'ThrottlingException' })]);
  });
});

describe('invalid properties are refused with the property, the value and what is allowed', () => {
  test.each([
    [{ CheckName: 'shared' }, /invalid CheckName "shared": must be an audit check name/],
    [{ ResourceIdentifier: { deviceCertificateId: 'abc' } }, /invalid ResourceIdentifier.deviceCertificateId "abc": must be 64 characters/],
    [{ ResourceIdentifier: { caCertificateId: `0x${'b'.repeat(64)}` } }, /ResourceIdentifier.caCertificateId .*must be 64 characters/],
    [{ ResourceIdentifier: {} }, /invalid ResourceIdentifier \{\}: must have exactly one of/],
    [{ ResourceIdentifier: { clientId: 'a', account: '123456789012' } }, /must have exactly one of/],
    [{ ResourceIdentifier: { thingName: 'x' } }, /must have exactly one of/],
    [{ ResourceIdentifier: 'cert' }, /invalid ResourceIdentifier "cert": must be an object/],
    [{ ResourceIdentifier: { account: '12345678901a' } }, /ResourceIdentifier.account .*12 digits/],
    [{ ResourceIdentifier: { iamRoleArn: 'arn:aws:iam::1:r' } }, /ResourceIdentifier.iamRoleArn .*20 to 2048/],
    [{ ResourceIdentifier: { policyVersionIdentifier: { policyName: 'p' } } }, /policyVersionIdentifier.policyVersionId undefined: must be a string/],
    [{ ResourceIdentifier: { issuerCertificateIdentifier: { issuerCertificateSubject: 'CN=x', issuerId: 'zz', issuerCertificateSerialNumber: '1' } } },
      /issuerCertificateIdentifier.issuerId "zz"/],
    [{ SuppressIndefinitely: 'yes' }, /invalid SuppressIndefinitely "yes": must be 'true' or 'false'/],
    [{ SuppressIndefinitely: 'false' }, /give exactly one: an ExpirationDate, or SuppressIndefinitely 'true'/],
    [{ ExpirationDate: inDays(1) }, /give exactly one/],
    [{ SuppressIndefinitely: 'false', ExpirationDate: 'next year' }, /invalid ExpirationDate "next year": must be an ISO 8601 date-time/],
    [{ Description: 'x'.repeat(1001) }, /invalid Description .*at most 1000 printable ASCII characters/],
    [{ Description: 'tab\there' }, /invalid Description/],
  ])('%j', async (overrides, message) => {
    await expect(run(event('Create', certProps(overrides)))).rejects.toThrow(message);
    expect(e.iot.requests).toHaveLength(0);
  });
});
