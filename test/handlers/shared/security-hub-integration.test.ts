import { isPermanent } from '../../../src/handlers/shared/errors';
import { productsOn, SecurityHubNotEnabledError } from '../../../src/handlers/shared/security-hub-integration';

const subscription = (product: string, region = 'eu-west-1') => `arn:aws:securityhub:${region}:111122223333:product-subscription/aws/${product}`;

describe('productsOn: the Device Defender products among ListEnabledProductsForImport\'s product subscriptions', () => {
  test.each([
    [[], []],
    [[subscription('guardduty'), subscription('inspector')], []],
    [[subscription('iot-device-defender-audit')], ['audit']],
    [[subscription('iot-device-defender-detect'), subscription('guardduty'), subscription('iot-device-defender-audit')], ['audit', 'detect']],
    // A look-alike product of another company is not Device Defender's.
    [['arn:aws:securityhub:eu-west-1:111122223333:product-subscription/acme/iot-device-defender-audit'], []],
    [['arn:aws-cn:securityhub:cn-north-1:111122223333:product-subscription/aws/iot-device-defender-audit'], ['audit']],
  ])('%j -> %j', (arns, products) => {
    expect([...productsOn(arns)].sort()).toEqual(products);
  });
});

test('SecurityHubNotEnabledError is permanent, and names the account, the region, the cause and the fix', () => {
  const cause = Object.assign(new Error('Account 111122223333 is not subscribed to AWS Security Hub'), { name: 'InvalidAccessException' });
  const error = new SecurityHubNotEnabledError({ partition: 'aws', account: '111122223333', region: 'eu-west-1' }, cause);
  expect(isPermanent(error)).toBe(true);
  expect(error.name).toBe('SecurityHubNotEnabled');
  expect(error.message).toBe('AWS Security Hub is not enabled in account 111122223333, region eu-west-1 (InvalidAccessException: Account 111122223333 '
    + 'is not subscribed to AWS Security Hub), so AWS IoT Device Defender\'s Security Hub integration cannot be turned on there: '
    + 'enable Security Hub in that account and region, or turn off securityHub.enableIntegration');
});
