import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, AuditSuppression, AuditSuppressionResource, DetectMitigation,
  MitigationAction, MitigationActionParams,
} from '../../src';
import { expectValidTemplate, lambdaRoleDependsOn } from '../util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from '../util/nag';

// The report topics of the custom resources (AuditSuppression, AuditMitigationTask) and the alarms
// of the functions the constructs of a stack share: each custom resource provider and the task follower.

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CERT = 'a'.repeat(64);

function stack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: ENV });
}

const suppression = (s: Stack, id: string, reportTopic?: sns.ITopic, certificate = CERT) => new AuditSuppression(s, id, {
  check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
  resource: AuditSuppressionResource.deviceCertificate(certificate),
  suppressIndefinitely: true,
  reportTopic,
});

function task(s: Stack, id: string, reportTopic?: sns.ITopic) {
  const action = (s.node.tryFindChild('Deactivate') as MitigationAction | undefined)
    ?? new MitigationAction(s, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
  return new AuditMitigationTask(s, id, {
    target: AuditMitigationTarget.findings([`f-${id}`]), rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [action] }], reportTopic,
  });
}

/** The alarm whose logical id starts with `prefix`. */
function alarm(template: Template, prefix: string): any {
  const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0][1];
}

/** The function whose logical id starts with `prefix`, as a Ref. */
function functionRef(template: Template, prefix: string) {
  const [id] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((i) => i.startsWith(prefix));
  return { Ref: id };
}

const SUPPRESSION_ALARM = 'CdkDeviceDefenderAuditSuppressionProviderPermanentFailureAlarm';
const TASK_ALARM = 'CdkDeviceDefenderAuditMitigationTaskProviderPermanentFailureAlarm';
const FOLLOWER_ALARMS = ['CdkDeviceDefenderTaskFollowerDeadLetterAlarm', 'CdkDeviceDefenderTaskFollowerPermanentFailureAlarm'];

describe('custom resource providers: an alarm on permanent failures', () => {
  test.each([
    ['AuditSuppression', SUPPRESSION_ALARM, 'CdkDeviceDefenderAuditSuppressionProviderHandler', (s: Stack) => suppression(s, 'S')],
    ['AuditMitigationTask', TASK_ALARM, 'CdkDeviceDefenderAuditMitigationTaskProviderHandler', (s: Stack) => task(s, 'T')],
  ])('%s: one per stack, on PermanentFailures of the provider\'s handler, without actions when no construct gives a report topic', (_, alarmId, fnId, define) => {
    const s = stack();
    define(s);
    const template = Template.fromStack(s);
    expect(alarm(template, alarmId).Properties).toEqual(expect.objectContaining({
      Namespace: 'CdkDeviceDefender',
      MetricName: 'PermanentFailures',
      Dimensions: [{ Name: 'FunctionName', Value: functionRef(template, fnId) }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^Permanent failures of Stack\/CdkDeviceDefender\w+Provider's function: /),
    }));
    expect(alarm(template, alarmId).Properties.AlarmActions).toBeUndefined();
  });
});

describe('AuditSuppression reportTopic', () => {
  test('the provider\'s alarm notifies each distinct topic once, and the shared handler may publish to each', () => {
    const s = stack();
    const first = new sns.Topic(s, 'First');
    const second = sns.Topic.fromTopicArn(s, 'Second', 'arn:aws:sns:eu-west-1:123456789012:second');
    const secondAgain = sns.Topic.fromTopicArn(s, 'SecondAgain', 'arn:aws:sns:eu-west-1:123456789012:second');
    suppression(s, 'A', first);
    suppression(s, 'B', first, 'b'.repeat(64));
    suppression(s, 'C', second, 'c'.repeat(64));
    suppression(s, 'D', secondAgain, 'd'.repeat(64));
    suppression(s, 'E', undefined, 'e'.repeat(64));
    const template = Template.fromStack(s);
    expect(alarm(template, SUPPRESSION_ALARM).Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^First/) }, 'arn:aws:sns:eu-west-1:123456789012:second']);
    const publish = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(publish).toContain('"Action":"sns:Publish","Effect":"Allow","Resource":{"Ref":"First');
    expect(publish).toContain('"Action":"sns:Publish","Effect":"Allow","Resource":"arn:aws:sns:eu-west-1:123456789012:second"');
    expect(publish.match(/sns:Publish/g)).toHaveLength(2);
    // The grants are in the handler role's policy, which the handler waits for (a Delete may report right away).
    const [policyId] = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('CdkDeviceDefenderAuditSuppressionProviderHandlerRole'));
    const [handler] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Description?.startsWith('Creates, updates and deletes'));
    expect(handler.DependsOn).toContain(policyId);
  });

  test('a topic encrypted with a key of the app: the handler may use the key through SNS, and CloudWatch may for the alarm', () => {
    const s = stack();
    const key = new kms.Key(s, 'Key');
    suppression(s, 'A', new sns.Topic(s, 'Reports', { masterKey: key }));
    const template = Template.fromStack(s);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toMatch(/"Action":\["kms:GenerateDataKey","kms:Decrypt"\],"Condition":\{"StringEquals":\{"kms:ViaService":\{"Fn::Join":\["",\["sns.eu-west-1.",\{"Ref":"AWS::URLSuffix"\}\]\]\}\}\},"Effect":"Allow","Resource":\{"Fn::GetAtt":\["Key/);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })]) },
    });
  });
});

describe('AuditMitigationTask reportTopic', () => {
  test('the resource names its topic and path; the provider\'s alarm and the follower\'s alarms notify it; the follower reports outcomes to it', () => {
    const s = stack();
    const reports = new sns.Topic(s, 'Reports');
    const t = task(s, 'T', reports);
    task(s, 'U', reports);
    const template = Template.fromStack(s);
    template.hasResourceProperties('Custom::IotMitigationAuditTask', { MitigationName: t.node.path, ReportTopicArn: { Ref: Match.stringLikeRegexp('^Reports') } });
    for (const id of [TASK_ALARM, ...FOLLOWER_ALARMS]) {
      expect(alarm(template, id).Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Reports/) }]);
    }
    expect(JSON.stringify(template.toJSON())).toContain('\\"mitigation\\":\\"Stack/T\\",\\"kind\\":\\"audit\\",\\"physicalResourceId\\":');
    expect(JSON.stringify(template.toJSON())).toMatch(/\\"reportTopicArn\\":\\"",\{"Ref":"Reports/);
  });

  test('without one, the resource has no ReportTopicArn and the alarms no action', () => {
    const s = stack();
    task(s, 'T');
    const template = Template.fromStack(s);
    template.hasResourceProperties('Custom::IotMitigationAuditTask', { MitigationName: 'Stack/T', ReportTopicArn: Match.absent() });
    for (const id of [TASK_ALARM, ...FOLLOWER_ALARMS]) { expect(alarm(template, id).Properties.AlarmActions).toBeUndefined(); }
  });
});

describe('the task follower\'s alarms', () => {
  test('notify the report topic of every followed construct, each distinct topic once', () => {
    const s = stack();
    const audits = sns.Topic.fromTopicArn(s, 'Audits', 'arn:aws:sns:eu-west-1:123456789012:audits');
    const detects = sns.Topic.fromTopicArn(s, 'Detects', 'arn:aws:sns:eu-west-1:123456789012:detects');
    const quarantine = new MitigationAction(s, 'Quarantine', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [iot.CfnThingGroup.fromThingGroupName(s, 'Group', 'quarantine')] }),
    });
    new AuditMitigation(s, 'Audit', { rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [quarantine] }], reportTopic: audits });
    new DetectMitigation(s, 'Detect', {
      securityProfile: new iot.CfnSecurityProfile(s, 'Profile', { securityProfileName: 'chatty' }), actions: [quarantine], reportTopic: detects,
    });
    task(s, 'T', audits);
    const template = Template.fromStack(s);
    for (const id of FOLLOWER_ALARMS) {
      expect(alarm(template, id).Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:audits', 'arn:aws:sns:eu-west-1:123456789012:detects']);
    }
  });
});

test('cdk-nag and the CloudFormation validator find nothing with report topics on both custom resources', () => {
  const app = new App();
  addNagPacks(app);
  const s = stack(app);
  const reports = new sns.Topic(s, 'Reports', { masterKey: new kms.Key(s, 'Key', { enableKeyRotation: true }), enforceSSL: true });
  suppression(s, 'S', reports);
  task(s, 'T', reports);
  app.synth();
  expect(nagFindings(s)).toEqual([]);
  expect(unusedNagSuppressions(s)).toEqual([]);
  expectValidTemplate(s, lambdaRoleDependsOn(s));
});
