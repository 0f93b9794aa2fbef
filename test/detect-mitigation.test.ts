import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DetectMitigation, MitigationAction, MitigationActionParams, MitigationActionType } from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function fixture(app = new App()) {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
  const quarantine = new MitigationAction(stack, 'Quarantine', {
    mitigationActionName: 'quarantine', actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
  });
  const profile = new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' });
  return { stack, quarantine, profile };
}

function handlerEnvironment(stack: Stack): Record<string, any> {
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('detect mitigation') },
  }));
  return fn.Properties.Environment.Variables;
}

test('alert topic and a role AWS IoT can assume only for this security profile, wired into alertTargets', () => {
  const { stack, quarantine, profile } = fixture();
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  profile.alertTargets = { SNS: { alertTargetArn: detect.alertTopic.topicArn, roleArn: detect.alertRole.roleArn } };

  const template = Template.fromStack(stack);
  const [role] = Object.values(template.findResources('AWS::IAM::Role', {
    Properties: { Description: Match.stringLikeRegexp('security profile alerts') },
  }));
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { Service: 'iot.amazonaws.com' },
    Condition: {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:eu-west-1:123456789012:securityprofile/chatty']] } },
    },
  }]);
  expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
    { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(detect.alertTopic.node.defaultChild as any) } },
    {
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DetectAlertKey/), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
    },
  ]);
  template.hasResourceProperties('AWS::IoT::SecurityProfile', {
    AlertTargets: { SNS: { AlertTargetArn: { Ref: Match.stringLikeRegexp('^DetectAlertTopic') }, RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DetectAlertRole'), 'Arn'] } } },
  });
});

test('only the alert role may publish to the alert topic, and only over TLS', () => {
  const { stack, quarantine, profile } = fixture();
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  const topic = { Ref: stack.getLogicalId(detect.alertTopic.node.defaultChild as any) };
  const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [topic] } }));
  expect(policy.Properties.PolicyDocument.Statement).toEqual([
    expect.objectContaining({ Sid: 'AllowPublishThroughSSLOnly', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    {
      Sid: 'OnlyTheIotRolePublishes',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: topic,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [stack.getLogicalId(detect.alertRole.node.defaultChild as any), 'Arn'] } } },
    },
  ]);
});

test('alerts reach the function through an SQS queue (raw delivery), in batches of up to 25, with partial batch failures', () => {
  const { stack, quarantine, profile } = fixture();
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  const template = Template.fromStack(stack);
  const queueArn = { 'Fn::GetAtt': [stack.getLogicalId(detect.alertQueue.node.defaultChild as any), 'Arn'] };
  const dlqArn = { 'Fn::GetAtt': [stack.getLogicalId(detect.deadLetterQueue.node.defaultChild as any), 'Arn'] };
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'sqs', Endpoint: queueArn, RawMessageDelivery: true, RedrivePolicy: { deadLetterTargetArn: dlqArn },
  });
  template.hasResourceProperties('AWS::SQS::Queue', {
    SqsManagedSseEnabled: true, VisibilityTimeout: 360, RedrivePolicy: { deadLetterTargetArn: dlqArn, maxReceiveCount: 5 },
  });
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: queueArn, BatchSize: 25, MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test('the alert queue denies sqs:SendMessage to every principal but SNS delivering from the alert topic', () => {
  // GIVEN
  const { stack, quarantine, profile } = fixture();
  const imported = sns.Topic.fromTopicArn(stack, 'Alerts', 'arn:aws:sns:eu-west-1:123456789012:alerts');
  // WHEN
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  const withTopic = new DetectMitigation(stack, 'WithTopic', { securityProfile: profile, actions: [quarantine], alertTopic: imported });
  // THEN
  const template = Template.fromStack(stack);
  const statementsOf = (queue: DetectMitigation['alertQueue']) => {
    const ref = { Ref: stack.getLogicalId(queue.node.defaultChild as any) };
    const [policy] = Object.values(template.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [ref] } }));
    return policy.Properties.PolicyDocument.Statement;
  };
  const deny = (queue: DetectMitigation['alertQueue'], topicArn: unknown) => ({
    Sid: 'OnlyTheSubscribedTopicSends',
    Effect: 'Deny',
    Principal: '*',
    Action: 'sqs:SendMessage',
    Resource: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as any), 'Arn'] },
    Condition: { ArnNotEquals: { 'aws:SourceArn': topicArn } },
  });
  const topicRef = { Ref: stack.getLogicalId(detect.alertTopic.node.defaultChild as any) };
  expect(statementsOf(detect.alertQueue)).toEqual(expect.arrayContaining([
    deny(detect.alertQueue, topicRef),
    // The subscription's allow stays: SNS, from this topic only.
    expect.objectContaining({
      Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'sns.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': topicRef } },
    }),
  ]));
  expect(statementsOf(withTopic.alertQueue)).toContainEqual(deny(withTopic.alertQueue, 'arn:aws:sns:eu-west-1:123456789012:alerts'));
  // Only SendMessage is denied: the queue's owner still manages it, and the function still receives and deletes.
  const denies = statementsOf(detect.alertQueue).filter((x: any) => x.Effect === 'Deny' && x.Sid !== 'OnlyTheSubscribedTopicSends');
  expect(denies.map((x: any) => x.Condition)).toEqual([{ Bool: { 'aws:SecureTransport': 'false' } }]);
});

test.each([
  ['by default, 2', undefined, 2],
  ['as given', 10, 10],
  ['up to 1000', 1000, 1000],
])('the alert queue invokes at most maxConcurrency functions at once: %s', (_what, maxConcurrency, expected) => {
  const { stack, quarantine, profile } = fixture();
  new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], maxConcurrency });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: expected } });
});

test('a maxConcurrency token is passed through unchecked', () => {
  const { stack, quarantine, profile } = fixture();
  const parameter = new CfnParameter(stack, 'Concurrency', { type: 'Number' });
  new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], maxConcurrency: parameter.valueAsNumber });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: { Ref: 'Concurrency' } } });
});

test('an alarm on the dead-letter queue notifies the report topic', () => {
  const { stack, quarantine, profile } = fixture();
  const reportTopic = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], reportTopic });
  Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(detect.deadLetterQueue.node.defaultChild as any), 'QueueName'] } }],
    Threshold: 0,
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:reports'],
  });
});

test('permanent failures: the handler emits them as an embedded metric (no metric filter), and an alarm on the first one notifies the report topic', () => {
  const { stack, quarantine, profile } = fixture();
  const reportTopic = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], reportTopic });
  const template = Template.fromStack(stack);
  // A metric filter on top of the handler's EMF line would count each failure twice.
  template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'CdkDeviceDefender',
    MetricName: 'PermanentFailures',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: stack.getLogicalId(detect.handler.node.defaultChild as any) } }],
    Statistic: 'Sum',
    Period: 300,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold', // the first failure in 5 minutes
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:reports'],
  });
  const [alarmId] = Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'PermanentFailures' } }));
  expect(stack.resolve(detect.permanentFailureAlarm.alarmArn)).toEqual({ 'Fn::GetAtt': [alarmId, 'Arn'] });
});

test('the handler gets the profile, the actions in order, the behaviour filter, and only the permissions it uses', () => {
  const { stack, quarantine, profile } = fixture();
  const second = MitigationAction.fromMitigationActionAttributes(stack, 'Watch', {
    mitigationActionName: 'watch-list', actionType: MitigationActionType.ADD_THINGS_TO_THING_GROUP,
  });
  new DetectMitigation(stack, 'Detect', {
    securityProfile: profile, actions: [quarantine, second], behaviors: ['MsgsSent', 'Authorization-failures'], dryRun: true,
  });
  const env = handlerEnvironment(stack);
  expect(env).toMatchObject({
    DETECT_MITIGATION_SECURITY_PROFILE: { Ref: 'Profile' },
    DETECT_MITIGATION_BEHAVIORS: '["MsgsSent","Authorization-failures"]',
    DETECT_MITIGATION_DRY_RUN: 'true',
    DETECT_MITIGATION_TASK_ID_PREFIX: expect.stringMatching(/^dd[0-9a-f]{10}$/),
    DETECT_MITIGATION_NAME: 'Stack/Detect',
  });
  expect(env.DETECT_MITIGATION_ACTIONS).toEqual({ 'Fn::Join': ['', ['["', { Ref: stack.getLogicalId(quarantine.node.defaultChild as any) }, '","watch-list"]']] });
  const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role', {
    Properties: { Description: Match.stringLikeRegexp('detect mitigation handler') },
  }));
  const statements = role.Properties.Policies[0].PolicyDocument.Statement;
  // StartDetectMitigationActionsTask names violation ids only; its securityprofile resource type is
  // optional, so IAM authorizes the call against `*` and a grant on the profile's ARN would deny it.
  expect(statements).toEqual(expect.arrayContaining([
    { Action: ['iot:StartDetectMitigationActionsTask', 'iot:DescribeDetectMitigationActionsTask'], Effect: 'Allow', Resource: '*' },
  ]));
  // ListActiveViolations (the handler verifies each alert) names the configured profile and the
  // alert's thing: both resource types are optional, so IAM checks the ARN of each the request names.
  const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:eu-west-1:123456789012:${resource}`]] });
  expect(statements).toContainEqual({
    Action: 'iot:ListActiveViolations',
    Effect: 'Allow',
    Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:eu-west-1:123456789012:securityprofile/', { Ref: 'Profile' }]] }, arn('thing/*')],
  });
  expect(statements.filter((x: any) => JSON.stringify(x).includes('securityprofile')).map((x: any) => x.Action)).toEqual(['iot:ListActiveViolations']);
  // The library's events: the default bus, its own source only.
  expect(statements).toContainEqual({
    Action: 'events:PutEvents',
    Condition: { StringEquals: { 'events:source': 'cdk-device-defender' } },
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']] },
  });
  expect(statements.flatMap((s: any) => [s.Action].flat()).sort()).toEqual([
    'events:PutEvents', 'iot:DescribeDetectMitigationActionsTask', 'iot:ListActiveViolations', 'iot:StartDetectMitigationActionsTask',
    'logs:CreateLogStream', 'logs:PutLogEvents',
    'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage',
    'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
  ]);
});

test('the handler role\'s cdk-nag wildcard suppression applies to Resource::* only, and says why StartDetectMitigationActionsTask is on *', () => {
  const { stack, quarantine, profile } = fixture();
  new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role', {
    Properties: { Description: Match.stringLikeRegexp('detect mitigation handler') },
  }));
  const iam5 = role.Metadata.cdk_nag.rules_to_suppress.filter((r: any) => r.id === 'AwsSolutions-IAM5');
  // The wildcards are Resource::* (the role's KMS grant names exact actions: nothing to suppress there),
  // and thing/* for ListActiveViolations (an alert's thing is known only at run time).
  expect(iam5.map((r: any) => r.applies_to)).toEqual([
    [{ regex: '/^Resource::\\*$/' }],
    [{ regex: expect.stringMatching(/:thing\\\/\\\*\$\/$/) }],
  ]);
  expect(iam5[0].reason).toMatch(/iot:StartDetectMitigationActionsTask has the securityprofile resource type as optional only/);
  expect(iam5[1].reason).toMatch(/iot:ListActiveViolations/);
});

test('an imported profile by name works; without a literal name the alert role trusts any profile of the account, with a warning', () => {
  const { stack, quarantine } = fixture();
  new DetectMitigation(stack, 'ByName', { securityProfile: iot.CfnSecurityProfile.fromSecurityProfileName(stack, 'Imported', 'imported'), actions: [quarantine] });
  const unnamed = new iot.CfnSecurityProfile(stack, 'UnnamedProfile', {});
  new DetectMitigation(stack, 'Unnamed', { securityProfile: unnamed, actions: [quarantine] });
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('security profile alerts') } });
  const sourceArns = Object.values(roles).map((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike));
  expect(sourceArns).toEqual([expect.stringContaining('securityprofile/imported'), expect.stringContaining('securityprofile/*')]);
  Annotations.fromStack(stack).hasWarning('/Stack/Unnamed', Match.stringLikeRegexp('no literal name'));
  Annotations.fromStack(stack).hasNoWarning('/Stack/ByName', Match.anyValue());
});

test('eventBus: the handler puts its events on that bus, may put events there only, and the follower reports there', () => {
  const { stack, quarantine, profile } = fixture();
  const bus = new events.EventBus(stack, 'Bus');
  new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], eventBus: bus });
  const busArn = { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as events.CfnEventBus), 'Arn'] };
  expect(handlerEnvironment(stack).DETECT_MITIGATION_EVENT_BUS).toEqual(busArn);
  const template = Template.fromStack(stack);
  const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('detect mitigation handler') } }));
  const putEvents = role.Properties.Policies[0].PolicyDocument.Statement.filter((s: any) => s.Action === 'events:PutEvents');
  expect(putEvents).toEqual([{ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'cdk-device-defender' } }, Effect: 'Allow', Resource: busArn }]);
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: busArn })]) },
    Roles: [{ Ref: Match.stringLikeRegexp('^CdkDeviceDefenderTaskFollower') }],
  });
});

describe('refuses at synth time', () => {
  test.each([
    ['an action of another type', (s: Stack) => [new MitigationAction(s, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() })],
      '[Stack/Detect] invalid actions "Stack/Deactivate (UPDATE_DEVICE_CERTIFICATE)": Detect alarms accept ADD_THINGS_TO_THING_GROUP actions only'],
    ['no action', () => [], '[Stack/Detect] invalid actions []: must list 1 to 5 mitigation actions, got 0'],
    ['more than 5 actions', (s: Stack) => Array.from({ length: 6 }, (_, i) => MitigationAction.fromMitigationActionAttributes(s, `A${i}`, {
      mitigationActionName: `a${i}`, actionType: MitigationActionType.ADD_THINGS_TO_THING_GROUP,
    })), /^\[Stack\/Detect\] invalid actions \["Stack\/A0",.*\]: must list 1 to 5 mitigation actions, got 6$/],
    ['an imported action of unknown type', (s: Stack) => [MitigationAction.fromMitigationActionName(s, 'Unknown', 'mystery')],
      '[Stack/Detect] invalid actions "Stack/Unknown": has an unknown type; import it with MitigationAction.fromMitigationActionAttributes'],
  ])('%s', (_what, actions, message) => {
    const { stack, profile } = fixture();
    new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: actions(stack) });
    expectRefused(stack, message);
  });

  test.each([1, 1001, 2.5, 0])('maxConcurrency %p', (maxConcurrency) => {
    const { stack, quarantine, profile } = fixture();
    new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], maxConcurrency });
    expectRefused(stack, `[Stack/Detect] invalid maxConcurrency ${maxConcurrency}: must be a whole number from 2 to 1000 (what AWS allows for an SQS event source)`);
  });

  test('the same action twice', () => {
    const { stack, quarantine, profile } = fixture();
    new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine, quarantine] });
    expectRefused(stack, '[Stack/Detect] invalid actions "Stack/Quarantine": lists the same action twice');
  });

  test.each([
    [[], 'invalid behaviors []: give at least one behaviour name, or leave it out for all'],
    [['no spaces'], 'invalid behaviors[] "no spaces": must match [a-zA-Z0-9:_-]{1,128}'],
  ])('behaviors %j', (behaviors, message) => {
    const { stack, quarantine, profile } = fixture();
    new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], behaviors });
    expectRefused(stack, `[Stack/Detect] ${message}`);
  });
});

test('passes the CloudFormation validator and cdk-nag (AwsSolutions and Serverless) with nothing unsuppressed', () => {
  const app = new App();
  addNagPacks(app);
  const { stack, quarantine, profile } = fixture(app);
  const detect = new DetectMitigation(stack, 'Detect', {
    securityProfile: profile, actions: [quarantine], reportTopic: new sns.Topic(stack, 'Reports', { enforceSSL: true }),
  });
  profile.alertTargets = { SNS: { alertTargetArn: detect.alertTopic.topicArn, roleArn: detect.alertRole.roleArn } };
  app.synth();
  expect(nagFindings(stack).filter((f) => !/\/Reports\//.test(f))).toEqual([]);
  expect(unusedNagSuppressions(stack)).toEqual([]);
  expectValidTemplate(stack, lambdaRoleDependsOn(stack));
});

test('a wildcard a user adds to the handler or alert role later is reported by cdk-nag, not hidden by the library\'s suppressions', () => {
  // GIVEN
  const app = new App();
  addNagPacks(app);
  const { stack, quarantine, profile } = fixture(app);
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  // WHEN
  detect.handler.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:UpdateCertificate'], resources: ['*'] }));
  detect.alertRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey*'], resources: ['*'] }));
  app.synth();
  // THEN
  expect(nagFindings(stack).filter((f) => f.includes('AwsSolutions-IAM5'))).toEqual([
    expect.stringMatching(/^\/Stack\/Detect\/AlertRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Action::kms:GenerateDataKey\*\]/),
    expect.stringMatching(/^\/Stack\/Detect\/AlertRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
    expect.stringMatching(/^\/Stack\/Detect\/HandlerRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
  ]);
});

test('an imported alert or report topic: warnings name the key permissions each publisher needs', () => {
  const { stack, quarantine, profile } = fixture();
  const alertTopic = sns.Topic.fromTopicArn(stack, 'Alerts', 'arn:aws:sns:eu-west-1:123456789012:alerts');
  const reportTopic = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
  new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], alertTopic, reportTopic });
  const annotations = Annotations.fromStack(stack);
  annotations.hasWarning('/Stack/Detect', Match.stringLikeRegexp(
    '^role Stack/Detect/AlertRole publishes to topic Stack/Alerts, .*kms:GenerateDataKey and kms:Decrypt on that key.*encryptedTopicKey\\]$'));
  annotations.hasWarning('/Stack/Detect', Match.stringLikeRegexp(
    '^role Stack/Detect/HandlerRole publishes to topic Stack/Reports, .*kms:GenerateDataKey and kms:Decrypt on that key.*encryptedTopicKey\\]$'));
});

describe('DetectMitigation metrics and alarms', () => {
  test.each<[string, (d: DetectMitigation) => cloudwatch.Metric]>([
    ['TasksStarted', (d) => d.metricTasksStarted()],
    ['TasksFinished', (d) => d.metricTasksFinished()],
    ['DryRunPlans', (d) => d.metricDryRunPlans()],
    ['ChecksExcluded', (d) => d.metricChecksExcluded()],
    ['ExecutionsSucceeded', (d) => d.metricExecutionsSucceeded()],
    ['ExecutionsFailed', (d) => d.metricExecutionsFailed()],
    ['ExecutionsSkipped', (d) => d.metricExecutionsSkipped()],
    ['ExecutionsCanceled', (d) => d.metricExecutionsCanceled()],
    ['PermanentFailures', (d) => d.metricPermanentFailures()],
  ])('metric%s: the function\'s metric in CdkDeviceDefender, per construct path, summed over 5 minutes', (name, metricOf) => {
    const { stack, quarantine, profile } = fixture();
    const metric = metricOf(new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] }));
    expect([metric.namespace, metric.metricName, metric.statistic, metric.period.toSeconds()]).toEqual(['CdkDeviceDefender', name, 'Sum', 300]);
    expect(metric.dimensions).toEqual({ Mitigation: 'Stack/Detect' });
  });

  test('props override the defaults; per action: the ActionName dimension, and only the executions metrics', () => {
    const { stack, quarantine, profile } = fixture();
    const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
    const metric = detect.metricTasksStarted({ statistic: 'Average', period: Duration.minutes(1) });
    expect([metric.statistic, metric.period.toSeconds()]).toEqual(['Average', 60]);
    const byAction = detect.metricForAction('ExecutionsSucceeded', quarantine);
    expect(stack.resolve(byAction.dimensions)).toEqual({ Mitigation: 'Stack/Detect', ActionName: { Ref: expect.stringMatching(/^Quarantine/) } });
    detect.metricForAction('DryRunPlans', quarantine);
    expectRefused(stack,
      '[Stack/Detect] invalid metricName "DryRunPlans": the functions emit only ExecutionsSucceeded, ExecutionsFailed, ExecutionsSkipped, ExecutionsCanceled per action');
  });

  test('the function is told its Mitigation dimension value (the construct path)', () => {
    const { stack, quarantine, profile } = fixture();
    new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
    expect(handlerEnvironment(stack).DETECT_MITIGATION_NAME).toBe('Stack/Detect');
  });

  test('by default, an alarm on any failed execution in 5 minutes notifies the report topic; no excluded-checks alarm', () => {
    const { stack, quarantine, profile } = fixture();
    const reportTopic = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
    const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], reportTopic });
    const template = Template.fromStack(stack);
    const found = template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ExecutionsFailed' } });
    expect(Object.values(found).map((r) => r.Properties)).toEqual([{
      AlarmDescription: expect.stringContaining('Stack/Detect'),
      Namespace: 'CdkDeviceDefender',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'Mitigation', Value: 'Stack/Detect' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:reports'],
    }]);
    expect(stack.resolve(detect.executionsFailedAlarm!.alarmArn)).toEqual({ 'Fn::GetAtt': [Object.keys(found)[0], 'Arn'] });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ChecksExcluded' }, 0);
  });

  test('alarms: false: no executions-failed alarm; the dead-letter and permanent-failure alarms stay', () => {
    const { stack, quarantine, profile } = fixture();
    const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], alarms: false });
    expect(detect.executionsFailedAlarm).toBeUndefined();
    const metricNames = Object.entries(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .filter(([id]) => !id.startsWith('CdkDeviceDefenderTaskFollower')) // the stack's task follower has its own
      .map(([, r]) => r.Properties.MetricName).sort();
    expect(metricNames).toEqual(['ApproximateNumberOfMessagesVisible', 'PermanentFailures']);
  });
});
