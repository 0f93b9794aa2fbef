/**
 * The quick-start app: one mitigation action of every type, each with its generated
 * least-privilege role, a daily audit whose findings are mitigated automatically, and a
 * security profile whose alarms quarantine the device, and a dashboard of what they did.
 * `npx cdk synth` synthesizes it and prints the template.
 */
import { App, Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, AuditSuppression, AuditSuppressionResource, DetectMitigation, LogLevel,
  MitigationAction, MitigationActionParams, MitigationDashboard, ScheduledAudit,
} from '../src';

export class QuickstartStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const quarantine = new iot.CfnThingGroup(this, 'QuarantineGroup', { thingGroupName: 'quarantine' });
    const findingsKey = new kms.Key(this, 'FindingsKey', {
      description: 'Encrypts Device Defender findings published to SNS',
      enableKeyRotation: true,
    });
    const findings = new sns.Topic(this, 'Findings', { masterKey: findingsKey, enforceSSL: true });

    const quarantineThings = new MitigationAction(this, 'QuarantineThings', {
      mitigationActionName: 'quarantine-things',
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [quarantine] }),
    });
    const enableLogging = new MitigationAction(this, 'EnableLogging', {
      actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
    });
    const notify = new MitigationAction(this, 'NotifySecurityTeam', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: findings }),
    });
    new MitigationAction(this, 'BlankPolicy', {
      actionParams: MitigationActionParams.replaceDefaultPolicyVersion(),
    });
    new MitigationAction(this, 'DeactivateCaCertificate', {
      actionParams: MitigationActionParams.updateCaCertificate(),
    });
    const deactivateDeviceCertificate = new MitigationAction(this, 'DeactivateDeviceCertificate', {
      actionParams: MitigationActionParams.updateDeviceCertificate(),
    });

    // The account's audit configuration (one per account and region), sending audit notifications
    // to the mitigation; a daily audit; mitigation of its findings as soon as it finishes.
    const mitigation = new AuditMitigation(this, 'AuditMitigation', {
      maxFindingsPerCheck: 50,
      reportTopic: findings,
      rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [enableLogging] }],
    });
    const auditConfiguration = new AuditConfiguration(this, 'AuditConfiguration', {
      mitigation,
      deviceCertificateAgeThreshold: Duration.days(365),
    });
    const daily = new ScheduledAudit(this, 'DailyAudit', {
      configuration: auditConfiguration,
      frequency: AuditFrequency.daily(),
      scheduledAuditName: 'daily',
      checks: [
        AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
        AuditCheck.LOGGING_DISABLED_CHECK,
        AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK,
      ],
    });
    mitigation.addScheduledAudit(daily);
    mitigation.addRule(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, [notify, quarantineThings, deactivateDeviceCertificate]);
    mitigation.addRule(AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, [notify, deactivateDeviceCertificate]);

    // An accepted risk, as code: the lab rig's shared client id is never mitigated (AWS skips
    // suppressed findings). Indefinitely, so the example never expires; use `expiration` in yours.
    new AuditSuppression(this, 'LabRigClientId', {
      check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK,
      resource: AuditSuppressionResource.clientId('lab-rig'),
      suppressIndefinitely: true,
      description: 'the lab rigs share one client id until their firmware update',
      reportTopic: findings, // a suppression the stack could not change or delete is reported here
    });

    // Detect: quarantine a device as soon as it sends more messages than its profile allows.
    // (AWS IoT Device Defender Detect is closed to new customers from 2026-08-31.)
    const profile = new iot.CfnSecurityProfile(this, 'ChattyDevices', {
      securityProfileName: 'chatty-devices',
      behaviors: [{
        name: 'MsgsSent',
        metric: 'aws:num-messages-sent',
        criteria: { comparisonOperator: 'greater-than', value: { count: '100' }, durationSeconds: 300, consecutiveDatapointsToAlarm: 1 },
      }],
    });
    const detect = new DetectMitigation(this, 'DetectMitigation', {
      securityProfile: profile,
      actions: [quarantineThings],
      behaviors: ['MsgsSent'],
      reportTopic: findings,
    });
    profile.alertTargets = { SNS: { alertTargetArn: detect.alertTopic.topicArn, roleArn: detect.alertRole.roleArn } };

    // What was found, done and failed, with the alarms (on by default) that notify `findings`.
    new MitigationDashboard(this, 'Dashboard', { auditMitigations: [mitigation], detectMitigations: [detect] });

    Tags.of(this).add('project', 'cdk-device-defender-quickstart');
  }
}

/** Builds the quick-start app; tests call this to check exactly what `cdk synth` deploys. */
export function buildApp(app: App = new App()): { app: App; stack: QuickstartStack } {
  const stack = new QuickstartStack(app, 'DeviceDefenderQuickstart');
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
