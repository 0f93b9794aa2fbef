import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditMitigation, AuditMitigationProps, IMitigationAction, MitigationAction, MitigationActionParams, MitigationActionType,
} from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { fixture } from './util/fixtures';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused, refusalsOf } from './util/refusals';

/** The handler's environment as the template renders it. */
function handlerEnvironment(stack: Stack): Record<string, any> {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('Starts AWS IoT Device Defender audit mitigation') },
  });
  expect(Object.keys(functions)).toHaveLength(1);
  return Object.values(functions)[0].Properties.Environment.Variables;
}

/** The JSON of an environment variable built with Stack.toJsonString, with Refs of literal-named actions resolved. */
function resolveJson(stack: Stack, value: any): unknown {
  const text = typeof value === 'string' ? value : value['Fn::Join'][1].map((part: any) => {
    if (typeof part === 'string') { return part; }
    const logicalId = part.Ref;
    const resource = Template.fromStack(stack).toJSON().Resources[logicalId];
    return resource.Properties.ActionName ?? resource.Properties.ScheduledAuditName;
  }).join('');
  return JSON.parse(text);
}

describe('AuditMitigation', () => {
  test('renders the rules in order into the handler, with the configuration and a per-construct task id prefix', () => {
    const { stack, notify, deactivate, quarantine, logging } = fixture();
    const daily = new iot.CfnScheduledAudit(stack, 'Daily', {
      scheduledAuditName: 'daily', frequency: 'DAILY', targetCheckNames: ['LOGGING_DISABLED_CHECK'],
    });
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      scheduledAudits: [daily],
      includeOnDemandAudits: true,
      dryRun: true,
      maxFindingsPerCheck: 7,
      rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [logging] }],
    });
    mitigation.addRule(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, [notify, quarantine, deactivate]);

    const env = handlerEnvironment(stack);
    expect(resolveJson(stack, env.AUDIT_MITIGATION_RULES)).toEqual({
      LOGGING_DISABLED_CHECK: ['logging'],
      DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'],
    });
    expect(resolveJson(stack, env.AUDIT_MITIGATION_SCHEDULED_AUDITS)).toEqual(['daily']);
    expect(env).toMatchObject({
      AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'true',
      AUDIT_MITIGATION_DRY_RUN: 'true',
      AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '7',
      AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS: '24',
      AUDIT_MITIGATION_TASK_ID_PREFIX: expect.stringMatching(/^dd[0-9a-f]{10}$/),
    });
    expect(env.AUDIT_MITIGATION_REPORT_TOPIC_ARN).toBeUndefined();
  });

  test('defaults: every scheduled audit, no on-demand audits, not a dry run, 100 findings per check', () => {
    const { stack, notify } = fixture();
    new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const env = handlerEnvironment(stack);
    expect(env.AUDIT_MITIGATION_SCHEDULED_AUDITS).toBeUndefined();
    expect(env).toMatchObject({
      AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'false',
      AUDIT_MITIGATION_DRY_RUN: 'false',
      AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100',
    });
  });

  test('two constructs get different task id prefixes, so both can act on the same audit', () => {
    const { stack, notify } = fixture();
    new AuditMitigation(stack, 'A', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    new AuditMitigation(stack, 'B', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const prefixes = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment.Variables.AUDIT_MITIGATION_TASK_ID_PREFIX)
      .filter((prefix) => prefix !== undefined); // the stack's task follower is a function too
    expect(prefixes).toHaveLength(2);
    expect(new Set(prefixes).size).toBe(2);
  });

  test('defines an encrypted, TLS-only notification topic and a confused-deputy safe role for AWS IoT to publish to it', () => {
    const { stack, notify } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    const template = Template.fromStack(stack);
    const topicId = stack.getLogicalId(mitigation.notificationTopic.node.defaultChild as any);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotificationKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const role = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('publish audit notifications') } });
    const [properties] = Object.values(role).map((r) => r.Properties);
    expect(properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'iot.amazonaws.com' },
      // The account's audit configuration: aws:SourceArn is exactly arn:<partition>:iot:<region>:<account>:
      Condition: {
        StringEquals: {
          'aws:SourceAccount': '123456789012',
          'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:eu-west-1:123456789012:']] },
        },
      },
    }]);
    expect(properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/NotificationKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
      },
    ]);
  });

  test('only the notification role may publish to the notification topic, and only over TLS; the owner still manages it', () => {
    const { stack, notify } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    const template = Template.fromStack(stack);
    const topic = { Ref: stack.getLogicalId(mitigation.notificationTopic.node.defaultChild as any) };
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(mitigation.notificationRole.node.defaultChild as any), 'Arn'] };
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [topic] } }));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        // Everyone but the role: a session of the role has the role's ARN as aws:PrincipalArn, so it is never denied;
        // only sns:Publish is denied, so the account can still change, subscribe to and delete the topic.
        Sid: 'OnlyTheIotRolePublishes',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: topic,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArn } },
      },
    ]);
  });

  test.each([
    ['the notification role is accepted', true],
    ['another role (as aws-iot-alpha\'s AccountAuditConfiguration defines) is refused at synth time', false],
  ])('an audit configuration publishing to the topic defined here: %s', (_what, useNotificationRole) => {
    const { stack, notify } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const role = useNotificationRole ? mitigation.notificationRole : new iam.Role(stack, 'OtherRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    new iot.CfnAccountAuditConfiguration(stack, 'AuditConfiguration', {
      accountId: stack.account,
      roleArn: 'arn:aws:iam::123456789012:role/audit',
      auditCheckConfigurations: { conflictingClientIdsCheck: { enabled: true } },
      auditNotificationTargetConfigurations: { sns: { targetArn: mitigation.notificationTopic.topicArn, roleArn: role.roleArn, enabled: true } },
    });
    const synth = () => Template.fromStack(stack);
    if (useNotificationRole) {
      expect(synth).not.toThrow();
    } else {
      expectRefused(stack, /^\[Stack\/Mitigation\] invalid auditNotificationTargetConfigurations.sns.roleArn of Stack\/AuditConfiguration: only Stack\/Mitigation's notificationRole may publish to its notificationTopic; use notificationRole/);
    }
  });

  test('a given notification topic keeps the policy its owner gave it', () => {
    const { stack, notify } = fixture();
    const topic = new sns.Topic(stack, 'Mine', { enforceSSL: true });
    new AuditMitigation(stack, 'Mitigation', { notificationTopic: topic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy', {
      Properties: { Topics: [{ Ref: stack.getLogicalId(topic.node.defaultChild as any) }] },
    }));
    expect(policy.Properties.PolicyDocument.Statement.map((st: { Sid: string }) => st.Sid)).toEqual(['AllowPublishThroughSSLOnly']);
  });

  test('in an environment-agnostic stack the notification role trusts exactly arn:<partition>:iot:<region>:<account>: from the pseudo parameters', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const notify = new MitigationAction(stack, 'Notify', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings') }),
    });
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('publish audit notifications') },
    }));
    expect(stack.resolve(mitigation.notificationRole.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/NotificationRole/), 'Arn'] });
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: {
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
        'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':']] },
      },
    });
  });

  test('imported notification and report topics: warnings name the key permissions each publisher needs', () => {
    // GIVEN topics whose keys the app cannot see
    const { stack, notify } = fixture();
    const notificationTopic = sns.Topic.fromTopicArn(stack, 'Audits', 'arn:aws:sns:eu-west-1:123456789012:audits');
    const reportTopic = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
    // WHEN
    new AuditMitigation(stack, 'Mitigation', {
      notificationTopic, reportTopic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    // THEN no key permission is granted, and each publisher gets a warning
    const template = Template.fromStack(stack);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toMatch(/kms:/);
    const annotations = Annotations.fromStack(stack);
    const ack = '.*\\[ack: cdk-device-defender:encryptedTopicKey\\]$';
    annotations.hasWarning('/Stack/Mitigation', Match.stringLikeRegexp(
      `^role Stack/Mitigation/NotificationRole publishes to topic Stack/Audits, .*kms:GenerateDataKey and kms:Decrypt on that key${ack}`));
    annotations.hasWarning('/Stack/Mitigation', Match.stringLikeRegexp(
      `^role Stack/Mitigation/HandlerRole publishes to topic Stack/Reports, .*kms:GenerateDataKey and kms:Decrypt on that key${ack}`));
    for (const alarm of ['DeadLetterAlarm', 'PermanentFailureAlarm', 'ExecutionsFailedAlarm', 'ChecksExcludedAlarm']) {
      annotations.hasWarning('/Stack/Mitigation', Match.stringLikeRegexp(
        `^alarm Stack/Mitigation/${alarm} publishes to topic Stack/Reports, .*must allow cloudwatch.amazonaws.com kms:GenerateDataKey and kms:Decrypt${ack}`));
    }
  });

  test('a notification topic imported with its key ARN: the notification role gets exactly the key permissions, through SNS only', () => {
    const { stack, notify } = fixture();
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const notificationTopic = sns.Topic.fromTopicAttributes(stack, 'Audits', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:audits', keyArn });
    new AuditMitigation(stack, 'Mitigation', { notificationTopic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('publish audit notifications') },
    }));
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:eu-west-1:123456789012:audits' },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
      },
    ]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('encryptedTopicKey'));
  });

  test('uses a given notification topic', () => {
    const { stack, notify } = fixture();
    const topic = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:eu-west-1:123456789012:audits');
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      notificationTopic: topic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    expect(mitigation.notificationTopic).toBe(topic);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:audits',
    });
  });

  test('nothing is lost: subscription DLQ, on-failure destination, and a reconciler on a schedule with its own DLQ', () => {
    const { stack, notify } = fixture();
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
      reconcileInterval: Duration.minutes(30),
      reconcileLookback: Duration.hours(6),
    });
    const template = Template.fromStack(stack);
    const queueArn = { 'Fn::GetAtt': [stack.getLogicalId(mitigation.deadLetterQueue.node.defaultChild as any), 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', RedrivePolicy: { deadLetterTargetArn: queueArn } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: queueArn }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(handlerEnvironment(stack).AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS).toBe('6');
  });

  test('an alarm fires as soon as anything is dead-lettered, and notifies the report topic (whose key lets CloudWatch publish)', () => {
    const { stack, notify } = fixture();
    const reportKey = new kms.Key(stack, 'ReportKey', { enableKeyRotation: true });
    const reportTopic = new sns.Topic(stack, 'Reports', { masterKey: reportKey });
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      reportTopic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(mitigation.deadLetterQueue.node.defaultChild as any), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: stack.getLogicalId(reportTopic.node.defaultChild as any) }],
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        })]),
      },
    });
    // The handler reports to the same topic: the key through SNS only.
    const [handlerRole] = Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('audit mitigation handler') },
    }));
    expect(handlerRole.Properties.Policies[0].PolicyDocument.Statement).toContainEqual({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(reportKey.node.defaultChild as any), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
    });
  });

  test('without a report topic the alarm has no action', () => {
    const { stack, notify } = fixture();
    new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  test('permanent failures: the handler emits them as an embedded metric (no metric filter), and an alarm on the first one notifies the report topic', () => {
    // GIVEN a report topic encrypted with a customer key
    const { stack, notify } = fixture();
    const reportTopic = new sns.Topic(stack, 'Reports', { masterKey: new kms.Key(stack, 'ReportKey', { enableKeyRotation: true }) });
    // WHEN
    const mitigation = new AuditMitigation(stack, 'Mitigation', {
      reportTopic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    // THEN no metric filter: the handler writes the metric itself (EMF), a filter would count each failure twice
    const template = Template.fromStack(stack);
    const fn = stack.getLogicalId(mitigation.handler.node.defaultChild as any);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    // ... and the alarm fires on the first one in 5 minutes, for this function only
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CdkDeviceDefender',
      MetricName: 'PermanentFailures',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold', // the first failure in 5 minutes
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: stack.getLogicalId(reportTopic.node.defaultChild as any) }],
    });
    const [alarmId] = Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'PermanentFailures' } }));
    expect(stack.resolve(mitigation.permanentFailureAlarm.alarmArn)).toEqual({ 'Fn::GetAtt': [alarmId, 'Arn'] });
    // CloudWatch may use the topic's key (one statement, however many alarms)
    const keyPolicy = Object.values(template.findResources('AWS::KMS::Key'))
      .map((k) => k.Properties.KeyPolicy.Statement).find((st: any[]) => st.some((x) => x.Principal?.Service === 'cloudwatch.amazonaws.com'));
    expect(keyPolicy.filter((x: any) => x.Principal?.Service === 'cloudwatch.amazonaws.com')).toHaveLength(1);
  });

  test('without a report topic the permanent-failure alarm has no action', () => {
    const { stack, notify } = fixture();
    new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PermanentFailures', AlarmActions: Match.absent() });
  });

  test('the handler role holds only what the handler calls', () => {
    const { stack, notify } = fixture();
    const reportTopic = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
    new AuditMitigation(stack, 'Mitigation', {
      reportTopic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    const template = Template.fromStack(stack);
    const [role] = Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('audit mitigation handler') },
    }));
    const statements = role.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/HandlerLogs/), 'Arn'] } },
      {
        Action: ['iot:StartAuditMitigationActionsTask', 'iot:DescribeAuditMitigationActionsTask', 'iot:DescribeAuditTask', 'iot:ListAuditTasks'],
        Effect: 'Allow',
        Resource: '*',
      },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      // The on-failure destination, as aws-cdk-lib grants it.
      {
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] },
      },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:eu-west-1:123456789012:reports' },
      // The library's events, on the default bus, with its own source only.
      {
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'events:source': 'cdk-device-defender' } },
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']] },
      },
    ]);
    // Everything is in the role's own policy: no separate policy is attached to it (the stack's task
    // follower has one for the report topic, granted after its role was sealed).
    const handlerRole = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('MitigationHandlerRole'));
    expect(handlerRole).toBeDefined();
    const attached = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${handlerRole}"`));
    expect(attached).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ AUDIT_MITIGATION_REPORT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:reports', AUDIT_MITIGATION_NAME: 'Stack/Mitigation' }) },
    });
  });

  describe('refuses at synth time', () => {
    test('an action type the check does not support', () => {
      const { stack, deactivate } = fixture();
      const mitigation = new AuditMitigation(stack, 'Mitigation');
      mitigation.addRule(AuditCheck.LOGGING_DISABLED_CHECK, [deactivate]);
      expectRefused(stack,
        '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: action Stack/Deactivate is UPDATE_DEVICE_CERTIFICATE, '
        + 'which AWS IoT Device Defender cannot apply to LOGGING_DISABLED_CHECK findings; allowed: PUBLISH_FINDING_TO_SNS, ENABLE_IOT_LOGGING');
    });

    test('the same refusal through the rules prop', () => {
      const { stack, deactivateCa } = fixture();
      new AuditMitigation(stack, 'Mitigation', {
        rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivateCa] }],
      });
      expectRefused(stack, /^\[Stack\/Mitigation\] rule for DEVICE_CERTIFICATE_SHARED_CHECK: action Stack\/DeactivateCa is UPDATE_CA_CERTIFICATE/);
    });

    test('more than 5 actions for one check', () => {
      const { stack } = fixture();
      const many = Array.from({ length: 6 }, (_, i) => MitigationAction.fromMitigationActionAttributes(stack, `N${i}`, {
        mitigationActionName: `n${i}`, actionType: MitigationActionType.PUBLISH_FINDING_TO_SNS,
      }));
      const mitigation = new AuditMitigation(stack, 'Mitigation');
      mitigation.addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, many);
      // The refused rule is not recorded: five actions for the check are then accepted.
      expect(mitigation.rules).toEqual({});
      expectRefused(stack, '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: needs 1 to 5 actions, got 6: Stack/N0, Stack/N1, Stack/N2, Stack/N3, Stack/N4, Stack/N5');
      mitigation.addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, many.slice(0, 5));
      expect(refusalsOf(stack)).toEqual([
        '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: needs 1 to 5 actions, got 6: Stack/N0, Stack/N1, Stack/N2, Stack/N3, Stack/N4, Stack/N5',
      ]);
      expect(mitigation.rules).toEqual({ CONFLICTING_CLIENT_IDS_CHECK: ['n0', 'n1', 'n2', 'n3', 'n4'] });
    });

    test('the same check twice', () => {
      const { stack, notify, deactivate } = fixture();
      const mitigation = new AuditMitigation(stack, 'Mitigation', {
        rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }],
      });
      mitigation.addRule(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, [deactivate]);
      expectRefused(stack, '[Stack/Mitigation] rule for DEVICE_CERTIFICATE_SHARED_CHECK: the check already has a rule');
    });

    test('an empty action list', () => {
      const { stack } = fixture();
      new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [] }] });
      expectRefused(stack, '[Stack/Mitigation] rule for LOGGING_DISABLED_CHECK: needs 1 to 5 actions, got none');
    });

    test('an imported action of unknown type', () => {
      const { stack } = fixture();
      const unknown = MitigationAction.fromMitigationActionName(stack, 'Unknown', 'mystery');
      new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [unknown] }] });
      expectRefused(stack, /^\[Stack\/Mitigation\] rule for LOGGING_DISABLED_CHECK: the type of action Stack\/Unknown is unknown; import it with MitigationAction.fromMitigationActionAttributes/);
    });

    test('an imported action of a known type is checked like a defined one', () => {
      const { stack } = fixture();
      const imported: IMitigationAction = MitigationAction.fromMitigationActionAttributes(stack, 'Imported', {
        mitigationActionName: 'blank', actionType: MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION,
      });
      const mitigation = new AuditMitigation(stack, 'Mitigation', {
        rules: [{ check: AuditCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK, actions: [imported] }],
      });
      mitigation.addRule(AuditCheck.CA_CERTIFICATE_EXPIRING_CHECK, [imported]);
      expectRefused(stack, /^\[Stack\/Mitigation\] rule for CA_CERTIFICATE_EXPIRING_CHECK: action Stack\/Imported is REPLACE_DEFAULT_POLICY_VERSION/);
      // The refused rule is not recorded (the handler's AUDIT_MITIGATION_RULES is rendered from this mapping).
      expect(mitigation.rules).toEqual({ IOT_POLICY_OVERLY_PERMISSIVE_CHECK: ['blank'] });
    });

    test('the same action twice in one rule', () => {
      const { stack, notify } = fixture();
      new AuditMitigation(stack, 'Mitigation', {
        rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify, notify] }],
      });
      expectRefused(stack, '[Stack/Mitigation] rule for CONFLICTING_CLIENT_IDS_CHECK: action Stack/Notify is listed twice');
    });

    test('an unknown check', () => {
      const { stack, notify } = fixture();
      new AuditMitigation(stack, 'Mitigation', { rules: [{ check: 'REVOKED_CA_CERT_CHECK' as AuditCheck, actions: [notify] }] });
      expectRefused(stack, /^\[Stack\/Mitigation\] unknown audit check "REVOKED_CA_CERT_CHECK": must be one of/);
    });

    test('no rule at all', () => {
      const { stack } = fixture();
      new AuditMitigation(stack, 'Mitigation');
      expectRefused(stack, /^\[Stack\/Mitigation\] an AuditMitigation needs at least one rule/);
    });

    test.each([
      [{ maxFindingsPerCheck: 0 }, 'invalid maxFindingsPerCheck 0: must be a whole number of at least 1'],
      [{ maxFindingsPerCheck: 2.5 }, 'invalid maxFindingsPerCheck 2.5: must be a whole number of at least 1'],
      [{ reconcileInterval: Duration.seconds(30) }, 'invalid reconcileInterval "30 seconds": must be at least 1 minute'],
      [{ reconcileLookback: Duration.days(91) }, 'invalid reconcileLookback "91 days": must be 1 hour to 90 days'],
      [{ reconcileInterval: Duration.hours(6), reconcileLookback: Duration.hours(2) }, 'invalid reconcileLookback "2 hours": must be at least reconcileInterval (6 hours)'],
    ])('%j', (props, message) => {
      const { stack } = fixture();
      new AuditMitigation(stack, 'Mitigation', props);
      expectRefused(stack, `[Stack/Mitigation] ${message}`);
    });
  });

  test('passes the CloudFormation validator and cdk-nag (AwsSolutions and Serverless) with nothing unsuppressed', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, notify, logging } = fixture(app);
    new AuditMitigation(stack, 'Mitigation', {
      reportTopic: new sns.Topic(stack, 'Reports', { enforceSSL: true, masterKey: undefined }),
      rules: [
        { check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [logging] },
        { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] },
      ],
    });
    app.synth();
    expect(nagFindings(stack).filter((f) => !/\/(Findings|Reports)\//.test(f))).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });

  test('a wildcard a user adds to the handler or notification role later is reported by cdk-nag, not hidden by the library\'s suppressions', () => {
    // GIVEN
    const app = new App();
    addNagPacks(app);
    const { stack, notify } = fixture(app);
    const mitigation = new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }] });
    // WHEN
    mitigation.handler.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    mitigation.notificationRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    app.synth();
    // THEN
    expect(nagFindings(stack).filter((f) => f.includes('AwsSolutions-IAM5'))).toEqual([
      expect.stringMatching(/^\/Stack\/Mitigation\/NotificationRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
      expect.stringMatching(/^\/Stack\/Mitigation\/HandlerRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Action::s3:\*\]/),
      expect.stringMatching(/^\/Stack\/Mitigation\/HandlerRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
    ]);
  });
});

describe('eventBus', () => {
  /** Every events:PutEvents statement in the template: the role or policy that holds it, and its resource. */
  function putEventsGrants(stack: Stack): Array<{ holder: string; resource: unknown }> {
    const template = Template.fromStack(stack).toJSON();
    const grants: Array<{ holder: string; resource: unknown }> = [];
    for (const [id, resource] of Object.entries<any>(template.Resources)) {
      const documents = resource.Type === 'AWS::IAM::Role' ? (resource.Properties.Policies ?? []).map((p: any) => p.PolicyDocument)
        : resource.Type === 'AWS::IAM::Policy' ? [resource.Properties.PolicyDocument] : [];
      for (const statement of documents.flatMap((d: any) => d.Statement)) {
        if (statement.Action === 'events:PutEvents') {
          expect(statement.Condition).toEqual({ StringEquals: { 'events:source': 'cdk-device-defender' } });
          grants.push({ holder: resource.Type === 'AWS::IAM::Policy' ? resource.Properties.Roles[0].Ref : id, resource: statement.Resource });
        }
      }
    }
    return grants;
  }

  test('the handler puts its events on the bus given, and may put events on that bus only; the follower puts its outcomes there too', () => {
    // GIVEN
    const { stack, notify } = fixture();
    const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'mitigation-events' });
    // WHEN
    new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }], eventBus: bus });
    // THEN
    const busArn = { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus), 'Arn'] };
    expect(handlerEnvironment(stack).AUDIT_MITIGATION_EVENT_BUS).toEqual(busArn);
    const grants = putEventsGrants(stack);
    const handlerRole = grants.filter((g) => g.holder.startsWith('MitigationHandlerRole'));
    expect(handlerRole).toEqual([{ holder: expect.any(String), resource: busArn }]);
    const follower = grants.filter((g) => g.holder.startsWith('CdkDeviceDefenderTaskFollower'));
    expect(follower.map((g) => g.resource)).toContainEqual(busArn);
    const [followerFn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('Reports how each') },
    }));
    expect(JSON.stringify(followerFn.Properties.Environment.Variables.TASK_FOLLOWER_FOLLOWED)).toContain('eventBusArn');
  });

  test('without eventBus, the default bus, and no event-bus variable', () => {
    const { stack, notify } = fixture();
    new AuditMitigation(stack, 'Mitigation', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }] });
    expect(handlerEnvironment(stack).AUDIT_MITIGATION_EVENT_BUS).toBeUndefined();
    const defaultBus = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']] };
    expect(putEventsGrants(stack).map((g) => g.resource)).toEqual([defaultBus, defaultBus]); // the handler, the follower
  });
});

describe('AuditMitigation metrics and alarms', () => {
  function mitigationWith(props: Partial<AuditMitigationProps> = {}) {
    const f = fixture();
    const mitigation = new AuditMitigation(f.stack, 'Mitigation', {
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [f.notify] }], ...props,
    });
    return { ...f, mitigation };
  }

  test.each<[string, (m: AuditMitigation) => cloudwatch.Metric]>([
    ['TasksStarted', (m) => m.metricTasksStarted()],
    ['TasksFinished', (m) => m.metricTasksFinished()],
    ['DryRunPlans', (m) => m.metricDryRunPlans()],
    ['AuditsRecovered', (m) => m.metricAuditsRecovered()],
    ['ChecksExcluded', (m) => m.metricChecksExcluded()],
    ['FindingsFound', (m) => m.metricFindingsFound()],
    ['FindingsMitigated', (m) => m.metricFindingsMitigated()],
    ['FindingsExcluded', (m) => m.metricFindingsExcluded()],
    ['ExecutionsSucceeded', (m) => m.metricExecutionsSucceeded()],
    ['ExecutionsFailed', (m) => m.metricExecutionsFailed()],
    ['ExecutionsSkipped', (m) => m.metricExecutionsSkipped()],
    ['ExecutionsCanceled', (m) => m.metricExecutionsCanceled()],
    ['PermanentFailures', (m) => m.metricPermanentFailures()],
  ])('metric%s: the function\'s metric in CdkDeviceDefender, per construct path, summed over 5 minutes', (name, metricOf) => {
    const { mitigation } = mitigationWith();
    const metric = metricOf(mitigation);
    expect(metric.namespace).toBe('CdkDeviceDefender');
    expect(metric.metricName).toBe(name);
    expect(metric.dimensions).toEqual({ Mitigation: 'Stack/Mitigation' });
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(300);
  });

  test('props override the defaults, as aws-cdk-lib\'s metric methods allow', () => {
    const { mitigation } = mitigationWith();
    const metric = mitigation.metricExecutionsFailed({ statistic: 'Maximum', period: Duration.hours(1), label: 'failed' });
    expect([metric.statistic, metric.period.toSeconds(), metric.label]).toEqual(['Maximum', 3600, 'failed']);
    expect(metric.dimensions).toEqual({ Mitigation: 'Stack/Mitigation' });
    expect(mitigation.metric('Custom').metricName).toBe('Custom');
  });

  test('per check and per action: the CheckName and ActionName dimensions; a metric not emitted that way is refused', () => {
    const { mitigation, notify } = mitigationWith();
    const byCheck = mitigation.metricForCheck('FindingsFound', AuditCheck.CONFLICTING_CLIENT_IDS_CHECK);
    expect(byCheck.dimensions).toEqual({ Mitigation: 'Stack/Mitigation', CheckName: 'CONFLICTING_CLIENT_IDS_CHECK' });
    expect([byCheck.metricName, byCheck.statistic, byCheck.period.toSeconds()]).toEqual(['FindingsFound', 'Sum', 300]);
    const byAction = mitigation.metricForAction('ExecutionsFailed', notify);
    expect(Stack.of(mitigation).resolve(byAction.dimensions)).toEqual({ Mitigation: 'Stack/Mitigation', ActionName: { Ref: expect.stringMatching(/^Notify/) } });
    mitigation.metricForCheck('TasksStarted', AuditCheck.CONFLICTING_CLIENT_IDS_CHECK);
    mitigation.metricForAction('FindingsFound', notify);
    expectRefused(mitigation,
      '[Stack/Mitigation] invalid metricName "TasksStarted": the functions emit only ChecksExcluded, FindingsFound, FindingsMitigated, '
      + 'FindingsExcluded, ExecutionsSucceeded, ExecutionsFailed, ExecutionsSkipped, ExecutionsCanceled per check',
      '[Stack/Mitigation] invalid metricName "FindingsFound": the functions emit only ExecutionsSucceeded, ExecutionsFailed, '
      + 'ExecutionsSkipped, ExecutionsCanceled per action');
  });

  test('the function is told its Mitigation dimension value (the construct path)', () => {
    const { stack } = mitigationWith();
    expect(handlerEnvironment(stack).AUDIT_MITIGATION_NAME).toBe('Stack/Mitigation');
  });

  test('by default, alarms on any failed execution and any excluded check in 5 minutes, notifying the report topic', () => {
    // GIVEN a report topic
    const f = fixture();
    const reportTopic = new sns.Topic(f.stack, 'Reports', { masterKey: new kms.Key(f.stack, 'ReportKey', { enableKeyRotation: true }) });
    // WHEN
    const mitigation = new AuditMitigation(f.stack, 'Mitigation', {
      reportTopic, rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [f.notify] }],
    });
    // THEN
    const template = Template.fromStack(f.stack);
    for (const [name, alarm] of [['ExecutionsFailed', mitigation.executionsFailedAlarm], ['ChecksExcluded', mitigation.checksExcludedAlarm]] as const) {
      const found = template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: name } });
      expect(Object.values(found).map((r) => r.Properties)).toEqual([{
        AlarmDescription: expect.stringContaining('Stack/Mitigation'),
        Namespace: 'CdkDeviceDefender',
        MetricName: name,
        Dimensions: [{ Name: 'Mitigation', Value: 'Stack/Mitigation' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: f.stack.getLogicalId(reportTopic.node.defaultChild as any) }],
      }]);
      expect(f.stack.resolve(alarm!.alarmArn)).toEqual({ 'Fn::GetAtt': [Object.keys(found)[0], 'Arn'] });
    }
  });

  test('alarms: false defines neither; the dead-letter and permanent-failure alarms stay', () => {
    const { stack, mitigation } = mitigationWith({ alarms: false });
    expect([mitigation.executionsFailedAlarm, mitigation.checksExcludedAlarm]).toEqual([undefined, undefined]);
    const template = Template.fromStack(stack);
    const metricNames = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([id]) => !id.startsWith('CdkDeviceDefenderTaskFollower')) // the stack's task follower has its own
      .map(([, r]) => r.Properties.MetricName).sort();
    expect(metricNames).toEqual(['ApproximateNumberOfMessagesVisible', 'PermanentFailures']);
  });

  test('the alarms are Alarms: an action added to them (a pager, say) is in the template', () => {
    const { stack, mitigation } = mitigationWith();
    const pager = sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:123456789012:pager');
    mitigation.executionsFailedAlarm!.addAlarmAction({ bind: () => ({ alarmActionArn: pager.topicArn }) });
    mitigation.checksExcludedAlarm!.addAlarmAction({ bind: () => ({ alarmActionArn: pager.topicArn }) });
    const template = Template.fromStack(stack);
    for (const name of ['ExecutionsFailed', 'ChecksExcluded']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: name, AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:pager'] });
    }
  });

  test('without a report topic the new alarms have no action', () => {
    const { stack } = mitigationWith();
    const template = Template.fromStack(stack);
    for (const name of ['ExecutionsFailed', 'ChecksExcluded']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: name, AlarmActions: Match.absent() });
    }
  });
});
