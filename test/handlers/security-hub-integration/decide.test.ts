import { decideLeftOn, decideTurnedOn, integrationPhysicalId, planIntegrationRequest } from '../../../src/handlers/security-hub-integration/decide';
import { customResourceEvent } from '../harness';

const PLACE = { partition: 'aws', account: '111122223333', region: 'eu-west-1' };
const PROPS = { Partition: 'aws', Account: '111122223333', Region: 'eu-west-1' };
const event = (type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  customResourceEvent({ type: 'Custom::IotSecurityHubIntegration', logicalId: 'Integration', stackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/S/g' },
    type, props, extra);

describe('planIntegrationRequest', () => {
  test.each(['Create', 'Update'] as const)('%s turns the integration on where the properties say', (type) => {
    expect(planIntegrationRequest(event(type, PROPS, { PhysicalResourceId: 'x', OldResourceProperties: {} }))).toEqual({ kind: 'turn-on', place: PLACE });
  });

  test.each([
    ['aws-cn', '222233334444', 'cn-north-1'],
    ['aws-us-gov', '222233334444', 'us-gov-west-1'],
  ])('other partitions: %s', (partition, account, region) => {
    expect(planIntegrationRequest(event('Create', { Partition: partition, Account: account, Region: region }))).toEqual({
      kind: 'turn-on', place: { partition, account, region },
    });
  });

  test.each([
    [{ ...PROPS, Partition: 'azure' }, 'invalid property Partition "azure": must be an AWS partition (aws, aws-cn, aws-us-gov, ...)'],
    [{ ...PROPS, Account: '1234' }, 'invalid property Account "1234": must be an AWS account id, 12 digits'],
    [{ ...PROPS, Region: undefined }, 'invalid property Region undefined: must be an AWS region (eu-west-1, ...)'],
  ])('a Create with %j is refused, naming the property', (props, message) => {
    expect(() => planIntegrationRequest(event('Create', props))).toThrow(`Integration: ${message}`);
  });

  test('a Delete leaves the integration on, whatever the properties', () => {
    expect(planIntegrationRequest(event('Delete', { Region: 'nonsense' }, { PhysicalResourceId: 'anything' }))).toEqual({ kind: 'leave-on', physicalResourceId: 'anything' });
  });
});

test('the physical id names the account and region', () => {
  expect(integrationPhysicalId(PLACE)).toBe('security-hub-integration:111122223333:eu-west-1');
});

describe('decideTurnedOn', () => {
  test('a product turned on: one INFO line with what was turned on, on already, or left off and why', () => {
    expect(decideTurnedOn(PLACE, { turnedOn: ['audit'], alreadyOn: [], leftOff: ['detect'] })).toEqual([{
      kind: 'log',
      level: 'INFO',
      event: 'security-hub-integration-turned-on',
      fields: {
        account: '111122223333',
        region: 'eu-west-1',
        turnedOn: ['audit'],
        alreadyOn: [],
        leftOff: ['detect'],
        detect: 'left off: the account has no Device Defender Detect security profile in this region',
      },
    }]);
  });

  test('nothing turned on: already on', () => {
    expect(decideTurnedOn(PLACE, { turnedOn: [], alreadyOn: ['audit', 'detect'], leftOff: [] })).toEqual([{
      kind: 'log',
      level: 'INFO',
      event: 'security-hub-integration-already-on',
      fields: { account: '111122223333', region: 'eu-west-1', turnedOn: [], alreadyOn: ['audit', 'detect'], leftOff: [] },
    }]);
  });
});

test('decideLeftOn: a log line only (no report, no call)', () => {
  expect(decideLeftOn('p')).toEqual([{ kind: 'log', level: 'INFO', event: 'security-hub-integration-left-on', fields: { physicalResourceId: 'p', reason: expect.any(String) } }]);
});
