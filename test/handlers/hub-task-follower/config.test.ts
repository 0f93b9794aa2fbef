import { HUB_ENV } from '../../../src/contract/environment';
import { readHubFollowerConfig } from '../../../src/handlers/hub-task-follower/config';

// The hub task follower's configuration: the part of the hub's environment `MitigationHub` gives it.

const ENV = {
  [HUB_ENV.TASK_LEDGER_TABLE]: 'tasks',
  [HUB_ENV.SPOKE_ROLE_NAME]: 'cdk-device-defender-spoke',
  [HUB_ENV.MITIGATION]: 'HubStack/Hub',
};

test('the ledger, the spoke role name and the hub\'s name are required; the report topic and the bus are optional', () => {
  expect(readHubFollowerConfig(ENV)).toEqual({
    taskLedgerTable: 'tasks', spokeRoleName: 'cdk-device-defender-spoke', mitigation: 'HubStack/Hub', reportTopicArn: undefined, eventBus: undefined, securityHub: false,
  });
  // Security Hub updates when the hub sets the variable.
  expect(readHubFollowerConfig({ ...ENV, [HUB_ENV.SECURITY_HUB]: 'true' })).toMatchObject({ securityHub: true });
  expect(readHubFollowerConfig({ ...ENV, [HUB_ENV.REPORT_TOPIC_ARN]: 'arn:aws:sns:eu-west-1:111111111111:r', [HUB_ENV.EVENT_BUS]: '' }))
    .toMatchObject({ reportTopicArn: 'arn:aws:sns:eu-west-1:111111111111:r', eventBus: undefined });
  for (const name of Object.keys(ENV)) {
    expect(() => readHubFollowerConfig({ ...ENV, [name]: undefined })).toThrow(new RegExp(`environment variable ${name} is not set`));
  }
});
