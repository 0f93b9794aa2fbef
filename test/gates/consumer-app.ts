/**
 * The consumer gate's app: every construct of the library (all six action types, AuditMitigation,
 * AuditConfiguration, ScheduledAudit, AuditMitigationTask with each kind of target, AuditSuppression,
 * DetectMitigation, MitigationDashboard), with only aws-cdk-lib and constructs beside it. The gate bundles it to import the installed package, not ../src.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, AuditSuppression,
  AuditSuppressionResource, DayOfWeek, DetectMitigation, LogLevel, MitigationAction, MitigationActionParams, MitigationDashboard, ScheduledAudit,
} from '../../src';

const app = new App();
const stack = new Stack(app, 'ConsumerApp', { env: { account: '123456789012', region: 'eu-west-1' } });

const group = new iot.CfnThingGroup(stack, 'QuarantineGroup', { thingGroupName: 'quarantine' });
const topic = new sns.Topic(stack, 'Findings', { masterKey: new kms.Key(stack, 'FindingsKey', { enableKeyRotation: true }), enforceSSL: true });

const quarantine = new MitigationAction(stack, 'Quarantine', {
  actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
});
const enableLogging = new MitigationAction(stack, 'EnableLogging', {
  actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
});
const notify = new MitigationAction(stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
const blankPolicy = new MitigationAction(stack, 'BlankPolicy', { actionParams: MitigationActionParams.replaceDefaultPolicyVersion() });
const deactivateCa = new MitigationAction(stack, 'DeactivateCa', { actionParams: MitigationActionParams.updateCaCertificate() });
const deactivate = new MitigationAction(stack, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });

const mitigation = new AuditMitigation(stack, 'AuditMitigation', {
  reportTopic: topic,
  rules: [
    { check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify, quarantine, deactivate] },
    { check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [enableLogging] },
    { check: AuditCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK, actions: [blankPolicy] },
    { check: AuditCheck.REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK, actions: [deactivateCa] },
  ],
});
const configuration = new AuditConfiguration(stack, 'AuditConfiguration', {
  mitigation,
  deviceCertificateAgeThreshold: Duration.days(365),
  deviceCertificateExpiringThreshold: Duration.days(60),
});
mitigation.addScheduledAudit(new ScheduledAudit(stack, 'Daily', {
  configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'daily',
}));
mitigation.addScheduledAudit(new ScheduledAudit(stack, 'Weekly', {
  configuration, frequency: AuditFrequency.weekly(DayOfWeek.MON), checks: [AuditCheck.REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK],
}));
new ScheduledAudit(stack, 'Monthly', { configuration, frequency: AuditFrequency.monthlyOnLastDay() });

new AuditMitigationTask(stack, 'WholeAudit', {
  target: AuditMitigationTarget.auditTask('a1b2c3d4e5f6'),
  rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [enableLogging] }],
});
new AuditMitigationTask(stack, 'FindingList', {
  target: AuditMitigationTarget.findings(['finding-1', 'finding-2']),
  rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }],
});
new AuditMitigationTask(stack, 'Expired', {
  target: AuditMitigationTarget.reasonCodes('a1b2c3d4e5f6', [{ check: AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK, reasonCodes: ['CERTIFICATE_PAST_EXPIRATION'] }]),
  rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK, actions: [notify] }],
});

new AuditSuppression(stack, 'LabCertificate', {
  check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
  resource: AuditSuppressionResource.deviceCertificate('0'.repeat(64)),
  suppressIndefinitely: true,
  description: 'lab rigs share one certificate',
});

const profile = new iot.CfnSecurityProfile(stack, 'Chatty', { securityProfileName: 'chatty' });
const detect = new DetectMitigation(stack, 'DetectMitigation', { securityProfile: profile, actions: [quarantine] });
profile.alertTargets = { SNS: { alertTargetArn: detect.alertTopic.topicArn, roleArn: detect.alertRole.roleArn } };

new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [mitigation], detectMitigations: [detect] });

app.synth();
