import { HUB_ENV } from '../../../src/contract/environment';
import { readHubConfig, readSpokeConfig } from '../../../src/handlers/mitigation-hub/config';

// The hub's configuration (its environment) and each spoke's (the SpokeConfig document its MitigationSpoke writes).

const ENV = {
  [HUB_ENV.REGISTRY_TABLE]: 'registry',
  [HUB_ENV.TASK_LEDGER_TABLE]: 'tasks',
  [HUB_ENV.ACCOUNTS]: '["222222222222"]',
  [HUB_ENV.SPOKE_ROLE_NAME]: 'cdk-device-defender-spoke',
  [HUB_ENV.MITIGATION]: 'HubStack/Hub',
  [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: '24',
};
const SPOKE = { account: '222222222222', region: 'eu-west-1' };
const DOC = {
  version: 1,
  mitigation: 'Spoke',
  rules: { LOGGING_DISABLED_CHECK: ['logging'] },
  includeOnDemandAudits: false,
  dryRun: true,
  maxFindingsPerCheck: 10,
  taskIdPrefix: 'dd0123456789',
};

test('the hub\'s environment: accounts or an organization, exactly one', () => {
  expect(readHubConfig(ENV)).toEqual({
    registryTable: 'registry',
    taskLedgerTable: 'tasks',
    accounts: ['222222222222'],
    organizationId: undefined,
    spokeRoleName: 'cdk-device-defender-spoke',
    reportTopicArn: undefined,
    eventBus: undefined,
    mitigation: 'HubStack/Hub',
    reconcileLookbackHours: 24,
    securityHubIntegration: false,
  });
  expect(readHubConfig({ ...ENV, [HUB_ENV.SECURITY_HUB_INTEGRATION]: 'true' }).securityHubIntegration).toBe(true);
  expect(readHubConfig({ ...ENV, [HUB_ENV.ACCOUNTS]: undefined, [HUB_ENV.ORGANIZATION_ID]: 'o-abcdefghij' }).organizationId).toBe('o-abcdefghij');
  expect(() => readHubConfig({ ...ENV, [HUB_ENV.ORGANIZATION_ID]: 'o-abcdefghij' })).toThrow(/exactly one of/);
  expect(() => readHubConfig({ ...ENV, [HUB_ENV.ACCOUNTS]: '["1"]' })).toThrow(/must be a JSON array of 12-digit account ids/);
  expect(() => readHubConfig({ ...ENV, [HUB_ENV.ACCOUNTS]: undefined, [HUB_ENV.ORGANIZATION_ID]: 'org' })).toThrow(/must be an organization id/);
  expect(() => readHubConfig({ ...ENV, [HUB_ENV.TASK_LEDGER_TABLE]: undefined })).toThrow(/environment variable MITIGATION_HUB_TASK_LEDGER_TABLE is not set/);
});

test('a spoke\'s document becomes the engine\'s configuration for that spoke, with the hub\'s name and lookback', () => {
  expect(readSpokeConfig(JSON.stringify(DOC), SPOKE, readHubConfig(ENV))).toEqual({
    accountId: '222222222222',
    rules: DOC.rules,
    scheduledAudits: undefined,
    includeOnDemandAudits: false,
    dryRun: true,
    maxFindingsPerCheck: 10,
    taskIdPrefix: 'dd0123456789',
    mitigation: 'HubStack/Hub',
    reconcileLookbackHours: 24,
    maxAuditAgeHours: 24,
  });
});

test.each([
  ['not JSON', 'x', /is not JSON/],
  ['a list', '[]', /is not a JSON object/],
  ['another version', JSON.stringify({ ...DOC, version: 2 }), /has version 2/],
  ['a rule without actions', JSON.stringify({ ...DOC, rules: { LOGGING_DISABLED_CHECK: [] } }), /has rules/],
  ['scheduled audits that are not names', JSON.stringify({ ...DOC, scheduledAudits: [1] }), /has scheduledAudits \[1\]/],
  ['dryRun as a string', JSON.stringify({ ...DOC, dryRun: 'true' }), /has dryRun "true": must be true or false/],
  ['a task id prefix that is not one', JSON.stringify({ ...DOC, taskIdPrefix: 'a b' }), /has taskIdPrefix "a b"/],
])('a document that is %s is a ConfigError naming the spoke and the parameter', (_what, document, message) => {
  expect(() => readSpokeConfig(document, SPOKE, readHubConfig(ENV))).toThrow(message);
  expect(() => readSpokeConfig(document, SPOKE, readHubConfig(ENV))).toThrow(/configuration of spoke 222222222222\/eu-west-1 \(SSM parameter \/cdk-device-defender\/spoke\)/);
});
