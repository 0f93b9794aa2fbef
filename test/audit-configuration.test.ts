import { App, CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AuditCheck, AuditConfiguration, AuditMitigation, MitigationAction, MitigationActionParams } from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';
import { AUDIT_CHECKS } from '../src/contract/audit-checks';

const ENV = { account: '123456789012', region: 'eu-west-1' };

const ALL_CHECKS = Object.values(AuditCheck) as AuditCheck[];

function stackOf(app = new App(), id = 'Stack', env: { account?: string; region?: string } | undefined = ENV): Stack {
  return new Stack(app, id, { env });
}

/** The one AccountAuditConfiguration of the stack. */
function configurationResource(stack: Stack): any {
  const resources = Template.fromStack(stack).findResources('AWS::IoT::AccountAuditConfiguration');
  expect(Object.keys(resources)).toHaveLength(1);
  return Object.values(resources)[0];
}

/** The trust policy of AWS IoT acting for the account's audit configuration. */
const AUDIT_TRUST = {
  Version: '2012-10-17',
  Statement: [{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'iot.amazonaws.com' },
    Condition: {
      StringEquals: {
        'aws:SourceAccount': '123456789012',
        'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:eu-west-1:123456789012:']] },
      },
    },
  }],
};

describe('AuditConfiguration', () => {
  test('by default enables all 17 checks, with an audit role only AWS IoT acting for the audit configuration can assume, retained on delete', () => {
    // GIVEN
    const stack = stackOf();
    // WHEN
    const config = new AuditConfiguration(stack, 'AuditConfiguration');
    // THEN
    expect(config.enabledChecks).toEqual(ALL_CHECKS);
    expect(ALL_CHECKS).toHaveLength(17);
    const resource = configurationResource(stack);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(resource.Properties.AccountId).toBe('123456789012');
    expect(resource.Properties.AuditNotificationTargetConfigurations).toBeUndefined();
    // The contract's properties, which test/contract/audit-checks.test.ts holds to AWS's CloudFormation schema.
    expect(resource.Properties.AuditCheckConfigurations).toEqual(
      Object.fromEntries(ALL_CHECKS.map((check) => [AUDIT_CHECKS[check].cloudFormationProperty, { Enabled: true }])));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: AUDIT_TRUST,
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSIoTDeviceDefenderAudit']] }],
    });
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    expect(resource.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(template.findResources('AWS::IAM::Role')[roleId].Metadata.cdk_nag.rules_to_suppress).toEqual([{
      id: 'AwsSolutions-IAM4',
      reason: expect.stringMatching(/AWSIoTDeviceDefenderAudit is the read-only policy AWS documents/),
      applies_to: [{ regex: expect.stringContaining('AWSIoTDeviceDefenderAudit') }],
    }]);
  });

  test('writes the checks not enabled as disabled, so removing a check turns it off', () => {
    const stack = stackOf();
    const config = new AuditConfiguration(stack, 'AuditConfiguration', {
      checks: [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK],
    });
    expect(config.enabledChecks).toEqual([AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK]);
    const checks = configurationResource(stack).Properties.AuditCheckConfigurations;
    expect(Object.keys(checks)).toHaveLength(17);
    expect(checks.DeviceCertificateSharedCheck).toEqual({ Enabled: true });
    expect(checks.IoTPolicyPotentialMisConfigurationCheck).toEqual({ Enabled: true });
    expect(checks.LoggingDisabledCheck).toEqual({ Enabled: false });
    expect(checks.DeviceCertificateAgeCheck).toEqual({ Enabled: false });
  });

  test('certificate age and expiring thresholds are CloudFormation strings of whole days; 30 and 3650 are accepted', () => {
    const stack = stackOf();
    new AuditConfiguration(stack, 'AuditConfiguration', {
      deviceCertificateAgeThreshold: Duration.days(3650),
      deviceCertificateExpiringThreshold: Duration.days(30),
    });
    const checks = configurationResource(stack).Properties.AuditCheckConfigurations;
    expect(checks.DeviceCertificateAgeCheck).toEqual({ Enabled: true, Configuration: { CertAgeThresholdInDays: '3650' } });
    expect(checks.DeviceCertificateExpiringCheck).toEqual({ Enabled: true, Configuration: { CertExpirationThresholdInDays: '30' } });
  });

  test('a threshold given in other units that is a whole number of days is accepted', () => {
    const stack = stackOf();
    new AuditConfiguration(stack, 'AuditConfiguration', { deviceCertificateAgeThreshold: Duration.hours(24 * 365) });
    expect(configurationResource(stack).Properties.AuditCheckConfigurations.DeviceCertificateAgeCheck)
      .toEqual({ Enabled: true, Configuration: { CertAgeThresholdInDays: '365' } });
  });

  test('a token threshold is not validated', () => {
    const stack = stackOf();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' });
    expect(() => new AuditConfiguration(stack, 'AuditConfiguration', {
      deviceCertificateAgeThreshold: Duration.days(days.valueAsNumber),
      deviceCertificateExpiringThreshold: Duration.days(days.valueAsNumber),
    })).not.toThrow();
    const checks = configurationResource(stack).Properties.AuditCheckConfigurations;
    expect(checks.DeviceCertificateAgeCheck.Configuration.CertAgeThresholdInDays).toEqual({ Ref: 'Days' });
    expect(checks.DeviceCertificateExpiringCheck.Configuration.CertExpirationThresholdInDays).toEqual({ Ref: 'Days' });
  });

  test('notificationTopic: a role only AWS IoT acting for the audit configuration can assume, allowed to publish to the encrypted topic', () => {
    // GIVEN
    const stack = stackOf();
    const key = new kms.Key(stack, 'Key');
    const topic = new sns.Topic(stack, 'Topic', { masterKey: key, enforceSSL: true });
    // WHEN
    const config = new AuditConfiguration(stack, 'AuditConfiguration', { notificationTopic: topic });
    // THEN
    expect(config.notificationTopic).toBe(topic);
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(config.notificationRole!.node.defaultChild as iam.CfnRole);
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument).toEqual(AUDIT_TRUST);
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) } },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
      },
    ]);
    expect(configurationResource(stack).Properties.AuditNotificationTargetConfigurations).toEqual({
      Sns: { TargetArn: { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, Enabled: true },
    });
  });

  test('mitigation: notifications go to its topic with its role, and no other role is defined for them', () => {
    const stack = stackOf();
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    });
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const config = new AuditConfiguration(stack, 'AuditConfiguration', { mitigation });
    expect(config.notificationRole).toBe(mitigation.notificationRole);
    expect(config.node.tryFindChild('NotificationRole')).toBeUndefined();
    expect(stack.resolve(configurationResource(stack).Properties.AuditNotificationTargetConfigurations)).toEqual({
      Sns: {
        TargetArn: stack.resolve(mitigation.notificationTopic.topicArn),
        RoleArn: stack.resolve(mitigation.notificationRole.roleArn),
        Enabled: true,
      },
    });
    // The mitigation's own check (only its notificationRole may publish to its topic) is satisfied.
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('role: the audit runs with the role given, and none is defined', () => {
    const stack = stackOf();
    const role = iam.Role.fromRoleArn(stack, 'Mine', 'arn:aws:iam::123456789012:role/audit');
    const config = new AuditConfiguration(stack, 'AuditConfiguration', { role });
    expect(config.auditRole).toBe(role);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 0);
    expect(configurationResource(stack).Properties.RoleArn).toBe('arn:aws:iam::123456789012:role/audit');
  });

  test('removalPolicy can be changed', () => {
    const stack = stackOf();
    new AuditConfiguration(stack, 'AuditConfiguration', { removalPolicy: RemovalPolicy.DESTROY });
    expect(configurationResource(stack).DeletionPolicy).toBe('Delete');
  });

  describe('one per account and region', () => {
    test('a second one in the same stack is refused', () => {
      const stack = stackOf();
      new AuditConfiguration(stack, 'First');
      new AuditConfiguration(stack, 'Second');
      expectRefused(stack,
        '[Stack/Second] account 123456789012 and region eu-west-1 already have an AuditConfiguration, Stack/First; '
        + 'AWS IoT has one audit configuration per account and region');
    });

    test('a second one in another stack of the same environment is refused', () => {
      const app = new App();
      new AuditConfiguration(stackOf(app, 'A'), 'First');
      new AuditConfiguration(stackOf(app, 'B'), 'Second');
      expectRefused(app, /^\[B\/Second\] .* already have an AuditConfiguration, A\/First/);
    });

    test('two environment-agnostic stacks are the same environment', () => {
      const app = new App();
      new AuditConfiguration(stackOf(app, 'A', {}), 'First');
      new AuditConfiguration(stackOf(app, 'B', {}), 'Second');
      expectRefused(app, '[B/Second] the deployment account and the deployment region already have an AuditConfiguration, A/First');
    });

    test('other regions, other accounts and other apps each have their own', () => {
      const app = new App();
      new AuditConfiguration(stackOf(app, 'A'), 'First');
      new AuditConfiguration(stackOf(app, 'B', { ...ENV, region: 'us-east-1' }), 'OtherRegion');
      new AuditConfiguration(stackOf(app, 'C', { ...ENV, account: '210987654321' }), 'OtherAccount');
      expect(() => app.synth()).not.toThrow();
      const other = new App();
      new AuditConfiguration(stackOf(other, 'A'), 'OtherApp');
      expect(() => other.synth()).not.toThrow();
    });
  });

  describe('refuses at synth time', () => {
    test.each([
      [{ checks: [] }, 'invalid checks []: must enable at least one audit check'],
      [{ checks: ['REVOKED_CA_CERT_CHECK' as AuditCheck] }, 'invalid checks "REVOKED_CA_CERT_CHECK": must be audit checks, one of AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK, '],
      [{ checks: [AuditCheck.LOGGING_DISABLED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK] }, 'invalid checks "LOGGING_DISABLED_CHECK": lists the check twice'],
      [{ deviceCertificateAgeThreshold: Duration.days(29) }, 'invalid deviceCertificateAgeThreshold "29 days": must be a whole number of days from 30 to 3650 (AWS documents up to 3652, but deployments above 3650 are reported to fail)'],
      [{ deviceCertificateAgeThreshold: Duration.days(3651) }, 'invalid deviceCertificateAgeThreshold "3651 days": must be a whole number of days from 30 to 3650'],
      [{ deviceCertificateAgeThreshold: Duration.days(3652) }, 'invalid deviceCertificateAgeThreshold "3652 days": must be a whole number of days from 30 to 3650'],
      [{ deviceCertificateAgeThreshold: Duration.hours(24 * 90 + 12) }, 'invalid deviceCertificateAgeThreshold "90 days 12 hours": must be a whole number of days'],
      [{ deviceCertificateExpiringThreshold: Duration.days(7) }, 'invalid deviceCertificateExpiringThreshold "7 days": must be a whole number of days from 30 to 3650'],
      [{ deviceCertificateExpiringThreshold: Duration.days(4000) }, 'invalid deviceCertificateExpiringThreshold "4000 days": must be a whole number of days from 30 to 3650'],
      [{ checks: [AuditCheck.LOGGING_DISABLED_CHECK], deviceCertificateAgeThreshold: Duration.days(365) },
        'invalid deviceCertificateAgeThreshold "365 days": applies to DEVICE_CERTIFICATE_AGE_CHECK, which is not in checks; add it to checks or leave deviceCertificateAgeThreshold out'],
      [{ checks: [AuditCheck.LOGGING_DISABLED_CHECK], deviceCertificateExpiringThreshold: Duration.days(60) },
        'invalid deviceCertificateExpiringThreshold "60 days": applies to DEVICE_CERTIFICATE_EXPIRING_CHECK, which is not in checks'],
    ])('%j', (props, message) => {
      const stack = stackOf();
      new AuditConfiguration(stack, 'AuditConfiguration', props);
      expectRefused(stack, `[Stack/AuditConfiguration] ${message}`);
    });

    test('both mitigation and notificationTopic', () => {
      const stack = stackOf();
      const topic = new sns.Topic(stack, 'Topic');
      const mitigation = new AuditMitigation(stack, 'Mitigation', { notificationTopic: topic });
      new AuditConfiguration(stack, 'AuditConfiguration', { mitigation, notificationTopic: topic });
      expectRefused(stack,
        '[Stack/AuditConfiguration] invalid notificationTopic "Stack/Topic": give either mitigation (its topic and role are used) or notificationTopic, not both');
    });
  });

  test('passes the CloudFormation validator and cdk-nag (AwsSolutions and Serverless) with nothing unsuppressed', () => {
    const app = new App();
    addNagPacks(app);
    const stack = stackOf(app);
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    });
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    new AuditConfiguration(stack, 'AuditConfiguration', {
      mitigation,
      deviceCertificateAgeThreshold: Duration.days(365),
      deviceCertificateExpiringThreshold: Duration.days(60),
    });
    const other = stackOf(app, 'Other', { ...ENV, region: 'us-east-1' });
    const key = new kms.Key(other, 'Key', { enableKeyRotation: true });
    new AuditConfiguration(other, 'AuditConfiguration', { notificationTopic: new sns.Topic(other, 'Topic', { masterKey: key, enforceSSL: true }) });
    app.synth();
    for (const s of [stack, other]) {
      expect(nagFindings(s).filter((f) => !/\/Findings\//.test(f))).toEqual([]);
      expect(unusedNagSuppressions(s)).toEqual([]);
    }
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
    expectValidTemplate(other);
  });
});

describe('AuditMitigation and the app\'s AuditConfiguration', () => {
  function withMitigation(app = new App()) {
    const stack = stackOf(app);
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    });
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    return { stack, notify, mitigation };
  }

  test('a rule added later whose check the configuration does not enable is an error naming the rule, the check and the fix', () => {
    const { stack, notify, mitigation } = withMitigation();
    new AuditConfiguration(stack, 'AuditConfiguration', { mitigation, checks: [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK] });
    mitigation.addRule(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, [notify]);
    expectRefused(stack,
      '[Stack/Mitigation] rule for DEVICE_CERTIFICATE_SHARED_CHECK: the check is not enabled in the audit configuration Stack/AuditConfiguration, '
      + 'so no audit ever reports it; add AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK to its checks, or remove the rule');
  });

  test('the configuration of another stack in the same environment counts', () => {
    const app = new App();
    const { mitigation } = withMitigation(app);
    new AuditConfiguration(stackOf(app, 'Audit'), 'AuditConfiguration', { checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
    expectRefused(app, /^\[Stack\/Mitigation\] rule for CONFLICTING_CLIENT_IDS_CHECK: the check is not enabled in the audit configuration Audit\/AuditConfiguration/);
    expect(mitigation).toBeDefined();
  });

  test('without an AuditConfiguration for its environment, a warning shows the line that wires one', () => {
    const app = new App();
    const { stack } = withMitigation(app);
    new AuditConfiguration(stackOf(app, 'Elsewhere', { ...ENV, region: 'us-east-1' }), 'AuditConfiguration');
    Annotations.fromStack(stack).hasWarning('/Stack/Mitigation', Match.stringLikeRegexp(
      "defines no AuditConfiguration for this stack's account and region.*new AuditConfiguration\\(this, 'AuditConfiguration', \\{ mitigation \\}\\).*"
      + '\\[ack: cdk-device-defender:noAuditConfiguration\\]'));
  });

  test('with an AuditConfiguration that enables its checks: no warning, no error', () => {
    const { stack, mitigation } = withMitigation();
    new AuditConfiguration(stack, 'AuditConfiguration', { mitigation });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Mitigation', Match.anyValue());
  });

  test('a token check list in a CfnScheduledAudit is not checked', () => {
    const stack = stackOf();
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    });
    const names = new CfnParameter(stack, 'Checks', { type: 'CommaDelimitedList' });
    const audit = new iot.CfnScheduledAudit(stack, 'Audit', { frequency: 'DAILY', targetCheckNames: Token.asList(names.valueAsList) });
    new AuditMitigation(stack, 'Mitigation', { scheduledAudits: [audit], rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('what the audit configuration notifies', () => {
  function twoMitigations() {
    const stack = stackOf();
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    });
    const rules = [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }];
    const first = new AuditMitigation(stack, 'First', { rules });
    new AuditConfiguration(stack, 'AuditConfiguration', { mitigation: first });
    return { stack, first, rules };
  }

  test('a second AuditMitigation the configuration does not notify is refused at synth, naming both, the configuration and the fix', () => {
    const { stack, rules } = twoMitigations();
    new AuditMitigation(stack, 'Second', { rules });
    expectRefused(stack,
      '[Stack/Second] the audit configuration Stack/AuditConfiguration notifies Stack/First, so this AuditMitigation never hears of an audit '
      + '(AWS IoT notifies one topic per account and region; only its reconciler would start tasks, up to reconcileInterval late): '
      + 'give it notificationTopic: <Stack/First>.notificationTopic, or move its rules into Stack/First with addRule()');
  });

  test('a second AuditMitigation on the first one\'s topic is notified: accepted', () => {
    const { stack, first, rules } = twoMitigations();
    new AuditMitigation(stack, 'Second', { notificationTopic: first.notificationTopic, rules });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('one AuditMitigation and a configuration that notifies nothing: unchanged (the reconciler starts the tasks)', () => {
    const stack = stackOf();
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    });
    new AuditMitigation(stack, 'Only', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    new AuditConfiguration(stack, 'AuditConfiguration');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('AuditConfiguration beside a CfnAccountAuditConfiguration of the same environment is refused at synth, naming both', () => {
    const stack = stackOf();
    new AuditConfiguration(stack, 'AuditConfiguration');
    new iot.CfnAccountAuditConfiguration(stack, 'Raw', { accountId: stack.account, roleArn: 'arn:aws:iam::123456789012:role/audit', auditCheckConfigurations: {} });
    expectRefused(stack,
      /^\[Stack\/AuditConfiguration\] account 123456789012 and region eu-west-1 have another audit configuration, Stack\/Raw \(AWS::IoT::AccountAuditConfiguration\)/);
  });
});
