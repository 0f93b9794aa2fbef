/**
 * A MitigationHub and a MitigationSpoke, in the test account and region: the hub serves the test
 * account (an allow list, so the account need not be in an organization), and the spoke, deployed
 * after it, holds the account's audit configuration, a daily audit and a rule, in dry run. After
 * deployment the hub must have confirmed the spoke topic's subscription and registered the spoke,
 * the spoke's configuration must be readable, and AWS IoT must notify the spoke's topic.
 *
 * The account may have only one audit configuration per region: deploy it where none is managed
 * otherwise. The spoke is deployed as a stack here; examples/organization.ts rolls it out with a
 * StackSet. DESTROY on the audit configuration and the hub's registry, so neither outlives the test.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, MitigationAction, MitigationActionParams, MitigationHub, MitigationSpoke, ScheduledAudit,
} from '../src';

const app = new App();

const hubStack = new Stack(app, 'IntegMitigationHub');
const hub = new MitigationHub(hubStack, 'Hub', { accounts: [hubStack.account], securityHub: { enableIntegration: true } });
(hub.registry.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.DESTROY);

// Environment-agnostic, as a StackSet deploys it; the hub is in the same account and region.
const spokeStack = new Stack(app, 'IntegMitigationSpoke');
const deactivate = new MitigationAction(spokeStack, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
const spoke = new MitigationSpoke(spokeStack, 'Spoke', {
  hub: MitigationHub.fromHubAttributes(spokeStack, 'Hub', { account: spokeStack.account, region: spokeStack.region }),
  dryRun: true,
  rules: [{ check: AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, actions: [deactivate] }],
  securityHub: { enableIntegration: true },
});
const configuration = new AuditConfiguration(spokeStack, 'AuditConfiguration', {
  mitigation: spoke,
  checks: [AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK],
  removalPolicy: RemovalPolicy.DESTROY,
});
spoke.addScheduledAudit(new ScheduledAudit(spokeStack, 'Daily', {
  configuration,
  frequency: AuditFrequency.daily(),
  scheduledAuditName: 'integ-dd-org-daily',
  checks: [AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK],
}));
// The spoke's topic subscribes to the hub's queue when it is created: the hub must be there to confirm it.
spokeStack.node.addDependency(hubStack);

const integ = new IntegTest(app, 'Organization', { testCases: [hubStack, spokeStack] });

// The hub confirms the subscription asynchronously, from its queue.
integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: hub.registry.tableName,
  Key: { spoke: { S: `${Aws.ACCOUNT_ID}/${Aws.REGION}` } },
  ConsistentRead: true,
}).expect(ExpectedResult.objectLike({ Item: { spoke: { S: Match.stringLikeRegexp('^[0-9]{12}/[a-z0-9-]+$') } } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });

// Named by a reference to the spoke's stack: the assertions run once the spoke is deployed.
integ.assertions.awsApiCall('SSM', 'getParameter', { Name: spoke.configurationParameter.parameterName })
  .expect(ExpectedResult.objectLike({
    Parameter: {
      Value: Match.serializedJson(Match.objectLike({
        version: 1,
        dryRun: true,
        scheduledAudits: ['integ-dd-org-daily'],
        rules: { REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: Match.arrayWith([Match.stringLikeRegexp('.+')]) },
      })),
    },
  }));

integ.assertions.awsApiCall('IoT', 'describeAccountAuditConfiguration', {})
  .expect(ExpectedResult.objectLike({ auditNotificationTargetConfigurations: { SNS: { enabled: true } } }));
