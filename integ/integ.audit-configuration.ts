/**
 * AuditConfiguration notifying an AuditMitigation, with a daily ScheduledAudit. After deployment
 * the account's audit configuration must hold the role and checks of the template. The account
 * may have only one audit configuration per region: deploy it where none is managed otherwise.
 * DESTROY, so the test account's audit configuration does not outlive the test.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, AuditSuppression, AuditSuppressionResource, LogLevel, MitigationAction,
  MitigationActionParams, ScheduledAudit,
} from '../src';

const app = new App();
const stack = new Stack(app, 'IntegAuditConfiguration');

const enableLogging = new MitigationAction(stack, 'EnableLogging', {
  actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
});
const mitigation = new AuditMitigation(stack, 'Mitigation', {
  dryRun: true,
  rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [enableLogging] }],
});
const configuration = new AuditConfiguration(stack, 'AuditConfiguration', {
  mitigation,
  checks: [AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK, AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK],
  deviceCertificateAgeThreshold: Duration.days(400),
  deviceCertificateExpiringThreshold: Duration.days(60),
  removalPolicy: RemovalPolicy.DESTROY,
});
mitigation.addScheduledAudit(new ScheduledAudit(stack, 'Daily', {
  configuration,
  frequency: AuditFrequency.daily(),
  scheduledAuditName: 'integ-dd-config-daily',
  checks: [AuditCheck.LOGGING_DISABLED_CHECK],
}));

// An accepted risk as code: a client id no device uses (so it hides nothing real), suppressed indefinitely.
const suppression = new AuditSuppression(stack, 'LabClientId', {
  check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK,
  resource: AuditSuppressionResource.clientId('integ-dd-lab-client'),
  suppressIndefinitely: true,
  description: 'integ test of cdk-device-defender',
});
suppression.node.addDependency(configuration);

const integ = new IntegTest(app, 'AuditConfiguration', { testCases: [stack] });
integ.assertions.awsApiCall('IoT', 'describeAuditSuppression', {
  checkName: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK,
  resourceIdentifier: { clientId: 'integ-dd-lab-client' },
}).expect(ExpectedResult.objectLike({
  suppressIndefinitely: true,
  // The user's description, then the ownership marker naming this stack and the resource.
  description: Match.stringLikeRegexp('^integ test of cdk-device-defender \\[cdk-device-defender:arn:aws[a-z-]*:cloudformation:.*/LabClientId[A-Z0-9]+\\]$'),
}));
integ.assertions.awsApiCall('IoT', 'describeAccountAuditConfiguration', {})
  .expect(ExpectedResult.objectLike({
    roleArn: configuration.auditRole.roleArn,
    auditNotificationTargetConfigurations: {
      SNS: Match.objectLike({ targetArn: mitigation.notificationTopic.topicArn, roleArn: mitigation.notificationRole.roleArn, enabled: true }),
    },
    auditCheckConfigurations: Match.objectLike({
      LOGGING_DISABLED_CHECK: Match.objectLike({ enabled: true }),
      DEVICE_CERTIFICATE_AGE_CHECK: { enabled: true, configuration: { CERT_AGE_THRESHOLD_IN_DAYS: '400' } },
      DEVICE_CERTIFICATE_EXPIRING_CHECK: { enabled: true, configuration: { CERT_EXPIRATION_THRESHOLD_IN_DAYS: '60' } },
      DEVICE_CERTIFICATE_SHARED_CHECK: Match.objectLike({ enabled: false }),
    }),
  }));
integ.assertions.awsApiCall('IoT', 'describeScheduledAudit', { scheduledAuditName: 'integ-dd-config-daily' })
  .expect(ExpectedResult.objectLike({ frequency: 'DAILY', targetCheckNames: [AuditCheck.LOGGING_DISABLED_CHECK] }));
