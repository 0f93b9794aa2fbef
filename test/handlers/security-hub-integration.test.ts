import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  ACCOUNT, customResourceEvent, datapointsOf, Emulators, metricSum, REGION, REPORT_TOPIC, resetEmulators, startEmulators, stopEmulators, withLogs,
} from './harness';
import { contextWith } from './suppression-harness';
import { SECURITY_HUB_INTEGRATION_RESOURCE_TYPE } from '../../src/contract/custom-resources';
import { deviceDefenderProductArn } from '../../src/contract/security-hub';
import type * as HandlerModule from '../../src/handlers/security-hub-integration.lambda';
import { expectNoViolations } from '../emulator/iot-emulator';
import { expectNoSecurityHubViolations } from '../emulator/securityhub-emulator';

// The Security Hub integration custom resource end to end: the real Security Hub and IoT clients
// against the emulators, as CloudFormation's provider framework calls it.

let handler: typeof HandlerModule.handler;
let e: Emulators;

const AUDIT = deviceDefenderProductArn('aws', REGION, 'audit');
const DETECT = deviceDefenderProductArn('aws', REGION, 'detect');
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Stack/guid`;
const PROPS = { Partition: 'aws', Account: ACCOUNT, Region: REGION, MitigationName: 'Stack/CdkDeviceDefenderSecurityHubIntegration', ReportTopicArn: REPORT_TOPIC };

const event = (type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = PROPS, extra: Record<string, unknown> = {}) =>
  customResourceEvent({ type: SECURITY_HUB_INTEGRATION_RESOURCE_TYPE, logicalId: 'Integration', stackId: STACK_ID }, type, props, extra);

async function run(ev: CloudFormationCustomResourceEvent) {
  return withLogs(() => handler(ev, contextWith()));
}

const enableCalls = () => e.securityhub.requestsFor('EnableImportFindingsForProduct').map((r) => r.input.ProductArn);

beforeAll(async () => {
  e = await startEmulators();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../src/handlers/security-hub-integration.lambda').handler;
});
afterAll(() => stopEmulators(e));
beforeEach(() => resetEmulators(e));
afterEach(() => {
  expectNoViolations(e.iot);
  expectNoSecurityHubViolations(e.securityhub);
});

describe('Create and Update turn the integration on', () => {
  test('off, in an account without a security profile: the audit product is turned on, Detect left off', async () => {
    e.securityhub.enableHub();
    const { result, error, logs } = await run(event('Create'));
    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId: `security-hub-integration:${ACCOUNT}:${REGION}` });
    expect(e.securityhub.productSubscriptions()).toEqual([AUDIT]);
    expect(e.iot.requestsFor('ListSecurityProfiles')).toEqual([expect.objectContaining({ query: { maxResults: '1' } })]);
    expect(logs).toContainEqual(expect.objectContaining({
      event: 'security-hub-integration-turned-on', turnedOn: ['audit'], alreadyOn: [], leftOff: ['detect'], detect: expect.stringMatching(/no .*security profile/),
    }));
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([]);
  });

  test('off, in an account with a Detect security profile: both products are turned on', async () => {
    e.securityhub.enableHub();
    e.iot.addSecurityProfile('chatty-devices');
    const { error } = await run(event('Create'));
    expect(error).toBeUndefined();
    expect(e.securityhub.productSubscriptions()).toEqual([AUDIT, DETECT]);
  });

  test('already on: listed, nothing else is called, and the request succeeds', async () => {
    e.securityhub.enableHub({ products: [DETECT, AUDIT] });
    e.iot.addSecurityProfile('chatty-devices');
    const { result, error, logs } = await run(event('Update', PROPS, { PhysicalResourceId: `security-hub-integration:${ACCOUNT}:${REGION}`, OldResourceProperties: PROPS }));
    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId: `security-hub-integration:${ACCOUNT}:${REGION}` });
    expect(e.securityhub.requestsFor('ListEnabledProductsForImport')).toHaveLength(1);
    expect(enableCalls()).toEqual([]);
    expect(e.iot.requestsFor('ListSecurityProfiles')).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'security-hub-integration-already-on', alreadyOn: ['audit', 'detect'], turnedOn: [] }));
  });

  test('audit on and no security profile: no Enable call at all', async () => {
    e.securityhub.enableHub({ products: [AUDIT] });
    const { error } = await run(event('Create'));
    expect(error).toBeUndefined();
    expect(enableCalls()).toEqual([]);
    expect(e.securityhub.productSubscriptions()).toEqual([AUDIT]);
  });

  test('another caller turns the audit product on between the list and the Enable call (ResourceConflictException): success', async () => {
    e.securityhub.enableHub();
    e.securityhub.injectFault({ kind: 'enabledMeanwhile' });
    const { error, logs } = await run(event('Create'));
    expect(error).toBeUndefined();
    expect(enableCalls()).toEqual([AUDIT]);
    expect(e.securityhub.requestsFor('EnableImportFindingsForProduct')[0].errorCode).toBe('ResourceConflictException');
    expect(logs).toContainEqual(expect.objectContaining({ event: 'security-hub-integration-already-on', alreadyOn: ['audit'], leftOff: ['detect'] }));
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([]);
  });

  test('throttling is retried by the SDK', async () => {
    e.securityhub.enableHub();
    e.securityhub.injectFault({ kind: 'throttled', operation: 'EnableImportFindingsForProduct', times: 2 });
    const { error } = await run(event('Create'));
    expect(error).toBeUndefined();
    expect(e.securityhub.productSubscriptions()).toEqual([AUDIT]);
  });
});

describe('failures', () => {
  test('Security Hub not enabled: the request fails with a message naming the account, the region and the fix, reported once', async () => {
    const { error, logs } = await run(event('Create'));
    expect((error as Error).message).toBe(`AWS Security Hub is not enabled in account ${ACCOUNT}, region ${REGION} (InvalidAccessException: `
      + `Account ${ACCOUNT} is not subscribed to AWS Security Hub), so AWS IoT Device Defender's Security Hub integration cannot be turned on there: `
      + 'enable Security Hub in that account and region, or turn off securityHub.enableIntegration');
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({
      kind: 'security-hub-not-enabled', error: 'SecurityHubNotEnabled', requestType: 'Create', logicalResourceId: 'Integration',
    })]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([expect.objectContaining({ event: 'permanent-failure', kind: 'security-hub-not-enabled' })]);
    expect(metricSum(datapointsOf(logs), 'PermanentFailures', { Mitigation: PROPS.MitigationName })).toBe(1);
    expect(e.events.eventsOfType('Mitigation Failed')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ kind: 'security-hub-not-enabled' }) })]);
    expect(enableCalls()).toEqual([]);
  });

  test('invalid properties fail the request, naming the property, reported once as request-failed; nothing is called', async () => {
    e.securityhub.enableHub();
    const { error, logs } = await run(event('Create', { ...PROPS, Account: 'not-an-account' }));
    expect((error as Error).message).toBe('Integration: invalid property Account "not-an-account": must be an AWS account id, 12 digits');
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({ kind: 'request-failed' })]);
    expect(e.securityhub.requests).toEqual([]);
  });

  test('a service that keeps failing (500) fails the request after the SDK\'s retries, reported once', async () => {
    e.securityhub.enableHub();
    e.securityhub.injectFault({ kind: 'internalError', times: Infinity });
    const { error, logs } = await run(event('Create'));
    expect((error as Error).name).toBe('InternalException');
    expect(e.securityhub.requestsFor('ListEnabledProductsForImport')).toHaveLength(5);
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({ kind: 'request-failed', error: 'InternalException' })]);
  });
});

describe('Delete', () => {
  test('leaves the integration on: no call, success, whatever the properties', async () => {
    e.securityhub.enableHub({ products: [AUDIT] });
    const physicalResourceId = `security-hub-integration:${ACCOUNT}:${REGION}`;
    const { result, error, logs } = await run(event('Delete', { ServiceToken: 'token' }, { PhysicalResourceId: physicalResourceId }));
    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId: physicalResourceId });
    expect(e.securityhub.requests).toEqual([]);
    expect(e.iot.requests).toEqual([]);
    expect(e.securityhub.productSubscriptions()).toEqual([AUDIT]);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'security-hub-integration-left-on', physicalResourceId }));
  });
});
