import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../examples/quickstart';
import { AuditMitigation, DetectMitigation } from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';

// What examples/quickstart.ts promises, one assertion per promise; the integration tests' snapshots
// (integ/*.snapshot) keep whole templates of each construct.

/** The example app that `npx cdk synth` synthesizes, with cdk-nag's packs applied. */
function synthQuickstart() {
  const app = new App();
  addNagPacks(app);
  const { stack } = buildApp(app);
  app.synth();
  return stack;
}

const FINDINGS = { Ref: Match.stringLikeRegexp('^Findings[0-9A-F]{8}$') };

describe('examples/quickstart.ts', () => {
  const stack = synthQuickstart();
  const template = Template.fromStack(stack);
  const resources: Record<string, any> = template.toJSON().Resources;

  /** The one logical id that starts with `prefix` followed by an 8-hex-digit hash (or nothing, for L1s with literal ids). */
  function logicalId(prefix: string): string {
    const ids = Object.keys(resources).filter((id) => id === prefix || new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
    expect(ids).toHaveLength(1);
    return ids[0];
  }
  const ref = (prefix: string) => ({ Ref: logicalId(prefix) });

  test('defines one mitigation action of every type', () => {
    const actions = template.findResources('AWS::IoT::MitigationAction');
    const types = Object.values(actions).map((a) => Object.keys(a.Properties.ActionParams)[0]).sort();
    expect(types).toEqual([
      'AddThingsToThingGroupParams', 'EnableIoTLoggingParams', 'PublishFindingToSnsParams',
      'ReplaceDefaultPolicyVersionParams', 'UpdateCACertificateParams', 'UpdateDeviceCertificateParams',
    ]);
  });

  test('every construct of the library, and what they share, by resource type and count', () => {
    const counts: Record<string, number> = {};
    for (const r of Object.values(resources)) { counts[r.Type] = (counts[r.Type] ?? 0) + 1; }
    expect(counts).toEqual({
      'AWS::IoT::ThingGroup': 1, // the quarantine group
      'AWS::IoT::MitigationAction': 6,
      'AWS::IAM::Role': 15,
      'AWS::IAM::Policy': 2, // report-topic grants of the shared follower and suppression handler roles
      // the findings topic, the audit notification topic, the alert topic, each with its key and policy
      'AWS::KMS::Key': 3,
      'AWS::SNS::Topic': 3,
      'AWS::SNS::TopicPolicy': 3,
      'AWS::SNS::Subscription': 2,
      'AWS::SQS::Queue': 4, // three dead-letter queues and the alert queue
      'AWS::SQS::QueuePolicy': 4,
      // the audit and detect handlers, the task follower, the suppression provider's handler and framework
      'AWS::Lambda::Function': 5,
      'AWS::Logs::LogGroup': 5,
      'AWS::Lambda::EventInvokeConfig': 2,
      'AWS::Lambda::Permission': 3,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::Events::Rule': 2, // the audit reconciler and the follower's schedule
      'AWS::DynamoDB::Table': 1, // the follower's ledger
      'AWS::CloudWatch::Alarm': 10,
      'AWS::CloudWatch::Dashboard': 1,
      'AWS::IoT::AccountAuditConfiguration': 1,
      'AWS::IoT::ScheduledAudit': 1,
      'Custom::IotAuditSuppression': 1,
      'AWS::IoT::SecurityProfile': 1,
    });
  });

  test('each mitigation action with the parameters the example gives and its own role', () => {
    const expected: Array<[string, string | undefined, Record<string, unknown>]> = [
      ['QuarantineThings', 'quarantine-things', { AddThingsToThingGroupParams: { ThingGroupNames: [{ Ref: 'QuarantineGroup' }] } }],
      ['EnableLogging', undefined, {
        EnableIoTLoggingParams: { LogLevel: 'WARN', RoleArnForLogging: { 'Fn::GetAtt': [logicalId('CdkDeviceDefenderIotLoggingRole'), 'Arn'] } },
      }],
      ['NotifySecurityTeam', undefined, { PublishFindingToSnsParams: { TopicArn: ref('Findings') } }],
      ['BlankPolicy', undefined, { ReplaceDefaultPolicyVersionParams: { TemplateName: 'BLANK_POLICY' } }],
      ['DeactivateCaCertificate', undefined, { UpdateCACertificateParams: { Action: 'DEACTIVATE' } }],
      ['DeactivateDeviceCertificate', undefined, { UpdateDeviceCertificateParams: { Action: 'DEACTIVATE' } }],
    ];
    for (const [id, name, params] of expected) {
      expect(resources[logicalId(id)].Properties).toEqual(expect.objectContaining({
        // without a name, a deterministic one from the construct path
        ActionName: name ?? expect.stringMatching(new RegExp(`^DeviceDefenderQuickstart${id}[0-9A-F]{8}$`)),
        ActionParams: params,
        RoleArn: { 'Fn::GetAtt': [logicalId(`${id}Role`), 'Arn'] },
      }));
    }
    template.hasResourceProperties('AWS::IoT::ThingGroup', { ThingGroupName: 'quarantine' });
  });

  test('each role may do exactly what its construct needs: the actions of its policies, inline and attached', () => {
    /** Every action a role's inline policies and the AWS::IAM::Policy resources attached to it allow, sorted. */
    function actionsOf(roleId: string): string[] {
      const inline = (resources[roleId].Properties.Policies ?? []).map((p: any) => p.PolicyDocument);
      const attached = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
        .map((r) => r.Properties.PolicyDocument);
      return [...inline, ...attached].flatMap((doc: any) => doc.Statement.flatMap((s: any) => [].concat(s.Action))).sort();
    }
    const snsKms = ['kms:Decrypt', 'kms:GenerateDataKey', 'sns:Publish'];
    const lambdaBasics = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
    const deadLetter = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
    const expected: Record<string, string[]> = {
      QuarantineThingsRole: ['iot:AddThingToThingGroup', 'iot:ListPrincipalThings'],
      EnableLoggingRole: ['iam:PassRole', 'iot:SetV2LoggingOptions'],
      CdkDeviceDefenderIotLoggingRole: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
      NotifySecurityTeamRole: snsKms,
      BlankPolicyRole: ['iot:CreatePolicyVersion'],
      DeactivateCaCertificateRole: ['iot:UpdateCACertificate'],
      DeactivateDeviceCertificateRole: ['iot:UpdateCertificate'],
      AuditConfigurationAuditRole: [], // the managed policy AWSIoTDeviceDefenderAudit, below
      AuditMitigationNotificationRole: snsKms,
      AuditMitigationHandlerRole: [...lambdaBasics, ...deadLetter, ...snsKms, 'events:PutEvents',
        'iot:DescribeAuditMitigationActionsTask', 'iot:DescribeAuditTask', 'iot:ListAuditTasks', 'iot:StartAuditMitigationActionsTask'],
      DetectMitigationAlertRole: snsKms,
      DetectMitigationHandlerRole: [...lambdaBasics, ...snsKms, 'events:PutEvents', 'iot:DescribeDetectMitigationActionsTask',
        'iot:ListActiveViolations', 'iot:StartDetectMitigationActionsTask',
        'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      CdkDeviceDefenderTaskFollowerHandlerRole: [...lambdaBasics, ...deadLetter, ...snsKms, 'events:PutEvents',
        'dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
        'iot:DescribeAuditFinding', 'iot:DescribeAuditMitigationActionsTask', 'iot:DescribeDetectMitigationActionsTask', 'iot:ListAuditFindings',
        'iot:ListAuditMitigationActionsExecutions', 'iot:ListAuditMitigationActionsTasks', 'iot:ListDetectMitigationActionsExecutions',
        'iot:ListDetectMitigationActionsTasks'],
      CdkDeviceDefenderAuditSuppressionProviderHandlerRole: [...lambdaBasics, ...snsKms, 'events:PutEvents',
        'iot:CreateAuditSuppression', 'iot:DeleteAuditSuppression', 'iot:DescribeAuditSuppression', 'iot:UpdateAuditSuppression'],
      CdkDeviceDefenderAuditSuppressionProviderProviderRole: ['lambda:GetFunction', 'lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    };
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(Object.fromEntries(roles.map((id) => [id.replace(/[0-9A-F]{8}$/, ''), actionsOf(id)])))
      .toEqual(Object.fromEntries(Object.entries(expected).map(([id, actions]) => [id, [...actions].sort()])));
    const managed = roles.filter((id) => resources[id].Properties.ManagedPolicyArns);
    expect(managed.map((id) => [id, resources[id].Properties.ManagedPolicyArns])).toEqual([[logicalId('AuditConfigurationAuditRole'), [
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSIoTDeviceDefenderAudit']] },
    ]]]);
  });

  test('has no unsuppressed cdk-nag AwsSolutions or Serverless finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('every cdk-nag suppression gives its reason', () => {
    const suppressions = Object.values<any>(resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) { expect(s.reason.length).toBeGreaterThan(40); }
  });

  test('every cdk-nag suppression covers a finding its resource really has (no suppression for a permission it lacks)', () => {
    expect(unusedNagSuppressions(stack)).toEqual([]);
  });

  test('every role\'s trust policy: AWS IoT only for its own source (aws:SourceAccount and aws:SourceArn), Lambda for handlers', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const join = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, suffix]] });
    const iot = (condition: unknown) => [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' }, Condition: condition }];
    const account = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } };
    // The account's audit configuration: aws:SourceArn is exactly arn:<partition>:iot:<region>:<account>:
    const auditConfiguration = iot({ StringEquals: { ...account, 'aws:SourceArn': join(':') } });
    const actions = Object.values<any>(template.findResources('AWS::IoT::MitigationAction'));
    const trust = Object.entries(roles).map(([id, role]) => [id, role.Properties.AssumeRolePolicyDocument.Statement]);
    const expected = Object.keys(roles).map((id) => {
      if (id.startsWith('AuditConfigurationAuditRole') || id.startsWith('AuditMitigationNotificationRole')) { return [id, auditConfiguration]; }
      if (id.startsWith('DetectMitigationAlertRole')) {
        return [id, iot({ StringEquals: account, ArnLike: { 'aws:SourceArn': join(':securityprofile/chatty-devices') } })];
      }
      if (id.startsWith('CdkDeviceDefenderIotLoggingRole')) { return [id, iot({ StringEquals: account, ArnLike: { 'aws:SourceArn': join(':*') } })]; }
      // The handlers' roles and the custom-resource provider framework's role: Lambda only.
      if (/HandlerRole|ProviderRole/.test(id)) { return [id, [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]]; }
      const actionName = actions.find((a) => a.Properties.RoleArn['Fn::GetAtt'][0] === id)?.Properties.ActionName;
      if (actionName === undefined) { return [id, 'unexpected role']; }
      return [id, iot({ StringEquals: account, ArnLike: { 'aws:SourceArn': join(`:mitigationaction/${actionName}`) } })];
    });
    expect(trust).toEqual(expected);
    // 6 actions, the logging role, the audit, notification and alert roles, 2 handler roles, the
    // task follower's role, and the AuditSuppression provider's handler and framework roles.
    expect(trust).toHaveLength(15);
  });

  test('no policy grants kms:GenerateDataKey* (which includes the key-pair and without-plaintext variants)', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('GenerateDataKey*');
    expect(text).toContain('"kms:GenerateDataKey"');
  });

  test('the shared IoT logging role survives stack deletion', () => {
    template.hasResource('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('v2 logs') }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
  });

  test('the findings topic: encrypted with its own rotating key, TLS only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId('FindingsKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'Encrypts Device Defender findings published to SNS', EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [FINDINGS],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('mitigates the daily audit and wires the account audit configuration to the notification topic', () => {
    template.resourceCountIs('AWS::IoT::ScheduledAudit', 1);
    template.hasResourceProperties('AWS::IoT::AccountAuditConfiguration', {
      AuditNotificationTargetConfigurations: {
        Sns: {
          TargetArn: { Ref: Match.stringLikeRegexp('^AuditMitigationNotificationTopic') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditMitigationNotificationRole'), 'Arn'] },
          Enabled: true,
        },
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
  });

  test('the audit configuration enables all 17 checks, the certificate age check at 365 days, and runs audits with its audit role', () => {
    const [configuration] = Object.values(template.findResources('AWS::IoT::AccountAuditConfiguration'));
    const checks = configuration.Properties.AuditCheckConfigurations;
    expect(Object.keys(checks)).toHaveLength(17);
    for (const check of Object.values<any>(checks)) { expect(check.Enabled).toBe(true); }
    expect(checks.DeviceCertificateAgeCheck.Configuration).toEqual({ CertAgeThresholdInDays: '365' });
    expect(configuration.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [logicalId('AuditConfigurationAuditRole'), 'Arn'] });
  });

  test('the daily audit runs the three checks the rules mitigate', () => {
    template.hasResourceProperties('AWS::IoT::ScheduledAudit', {
      Frequency: 'DAILY',
      ScheduledAuditName: 'daily',
      TargetCheckNames: ['DEVICE_CERTIFICATE_SHARED_CHECK', 'LOGGING_DISABLED_CHECK', 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK'],
    });
  });

  test('the audit mitigation: each check\'s actions in order (the rules given and added later), 50 findings per check, the daily audit, reports to the findings topic', () => {
    const mitigation = stack.node.findChild('AuditMitigation') as AuditMitigation;
    expect(stack.resolve(mitigation.rules)).toEqual({
      LOGGING_DISABLED_CHECK: [ref('EnableLogging')],
      DEVICE_CERTIFICATE_SHARED_CHECK: [ref('NotifySecurityTeam'), ref('QuarantineThings'), ref('DeactivateDeviceCertificate')],
      REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK: [ref('NotifySecurityTeam'), ref('DeactivateDeviceCertificate')],
    });
    expect(mitigation.maxFindingsPerCheck).toBe(50);
    expect(mitigation.dryRun).toBe(false);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          AUDIT_MITIGATION_SCHEDULED_AUDITS: { 'Fn::Join': ['', ['["', ref('DailyAudit'), '"]']] },
          AUDIT_MITIGATION_REPORT_TOPIC_ARN: FINDINGS,
        }),
      },
    });
  });

  test('the lab rig\'s client id is suppressed indefinitely, with its reason, reporting to the findings topic', () => {
    template.hasResourceProperties('Custom::IotAuditSuppression', {
      CheckName: 'CONFLICTING_CLIENT_IDS_CHECK',
      ResourceIdentifier: { clientId: 'lab-rig' },
      SuppressIndefinitely: 'true',
      Description: 'the lab rigs share one client id until their firmware update',
      MitigationName: 'DeviceDefenderQuickstart/LabRigClientId',
      ReportTopicArn: FINDINGS,
    });
  });

  test('quarantines devices of the security profile through DetectMitigation', () => {
    template.hasResourceProperties('AWS::IoT::SecurityProfile', {
      SecurityProfileName: 'chatty-devices',
      AlertTargets: { SNS: { AlertTargetArn: { Ref: Match.stringLikeRegexp('^DetectMitigationAlertTopic') }, RoleArn: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 25 });
  });

  test('the detect mitigation: the quarantine action for the MsgsSent behaviour only, reporting to the findings topic', () => {
    const detect = stack.node.findChild('DetectMitigation') as DetectMitigation;
    expect(stack.resolve(detect.actionNames)).toEqual([ref('QuarantineThings')]);
    expect(detect.dryRun).toBe(false);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DETECT_MITIGATION_SECURITY_PROFILE: { Ref: 'ChattyDevices' },
          DETECT_MITIGATION_BEHAVIORS: '["MsgsSent"]',
          DETECT_MITIGATION_REPORT_TOPIC_ARN: FINDINGS,
        }),
      },
    });
  });

  test('every alarm (on by default) notifies the findings topic', () => {
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) { expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId('Findings') }]); }
  });

  test('the task follower reports the outcomes of both mitigations\' tasks to the findings topic, every 5 minutes', () => {
    const followed = Object.values<any>(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.TASK_FOLLOWER_FOLLOWED).filter((v) => v !== undefined);
    expect(followed).toHaveLength(1);
    const text = followed[0]['Fn::Join'][1].map((part: any) => typeof part === 'string' ? part : `{${part.Ref}}`).join('');
    const findings = `{${logicalId('Findings')}}`;
    expect(JSON.parse(text)).toEqual([
      expect.objectContaining({ mitigation: 'DeviceDefenderQuickstart/AuditMitigation', kind: 'audit', reportTopicArn: findings }),
      expect.objectContaining({ mitigation: 'DeviceDefenderQuickstart/DetectMitigation', kind: 'detect', reportTopicArn: findings }),
    ]);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('the dashboard shows both mitigations', () => {
    const [dashboard] = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('DeviceDefenderQuickstart/AuditMitigation');
    expect(body).toContain('DeviceDefenderQuickstart/DetectMitigation');
  });

  test('every resource that takes tags has the project tag', () => {
    const tagged = Object.entries(resources).filter(([, r]) => r.Properties?.Tags !== undefined);
    for (const [id, r] of tagged) { expect([id, r.Properties.Tags]).toEqual([id, expect.arrayContaining([{ Key: 'project', Value: 'cdk-device-defender-quickstart' }])]); }
    // The others are of the types that take no tags in CloudFormation.
    const untagged = new Set(Object.values(resources).filter((r) => r.Properties?.Tags === undefined).map((r) => r.Type));
    expect([...untagged].sort()).toEqual([
      'AWS::IAM::Policy', 'AWS::IoT::AccountAuditConfiguration', 'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Permission',
      'AWS::SNS::Subscription', 'AWS::SNS::TopicPolicy', 'AWS::SQS::QueuePolicy', 'Custom::IotAuditSuppression',
    ]);
  });

  test('passes the CloudFormation validator with no error or warning (one acknowledged, see lambdaRoleDependsOn)', () => {
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });
});
