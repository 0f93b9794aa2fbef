import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditMitigation, AuditMitigationProps, AuditMitigationTarget, AuditMitigationTask, MitigationAction, MitigationActionParams,
} from '../../src';
import { expectValidTemplate, lambdaRoleDependsOn } from '../util/cfn-validate';
import { fixture } from '../util/fixtures';
import { addNagPacks, nagFindings, unusedNagSuppressions } from '../util/nag';

// AuditMitigation's securityHub.enableIntegration: one Custom::IotSecurityHubIntegration per stack,
// its provider (function, roles, alarm), and what its role may do.

const TYPE = 'Custom::IotSecurityHubIntegration';

function mitigation(stack: Stack, id: string, notify: MitigationAction, props: AuditMitigationProps = {}): AuditMitigation {
  return new AuditMitigation(stack, id, { rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }], ...props });
}

/** The one resource whose logical id starts with `prefix`. */
function resource(template: Template, type: string, prefix: string): any {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0][1];
}

describe('one integration per stack', () => {
  test('two AuditMitigations asking for it: one custom resource, at a fixed id, naming the stack\'s partition, account and region', () => {
    // GIVEN
    const { stack, notify } = fixture();
    const first = mitigation(stack, 'First', notify, { securityHub: { enableIntegration: true } });
    mitigation(stack, 'Second', notify, { securityHub: { enableIntegration: true }, notificationTopic: first.notificationTopic });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 1);
    expect(resource(template, TYPE, 'CdkDeviceDefenderSecurityHubIntegration').Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^CdkDeviceDefenderSecurityHubIntegrationProviderframeworkonEvent/), 'Arn'] },
      Partition: { Ref: 'AWS::Partition' },
      Account: '123456789012',
      Region: 'eu-west-1',
      MitigationName: 'Stack/CdkDeviceDefenderSecurityHubIntegration',
    });
    expect(stack.node.tryFindChild('CdkDeviceDefenderSecurityHubIntegration')).toBeDefined();
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Turns on AWS IoT Device Defender') }, 1);
  });

  test.each([
    ['no securityHub', {}],
    ['securityHub without enableIntegration', { securityHub: {} }],
    ['enableIntegration: false', { securityHub: { enableIntegration: false } }],
  ])('%s: no integration, no provider', (_, props) => {
    const { stack, notify } = fixture();
    mitigation(stack, 'Audit', notify, props);
    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 0);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Turns on AWS IoT Device Defender') }, 0);
  });

  test('an AuditMitigationTask asking for it shares the stack\'s one resource; without enableIntegration it asks nothing', () => {
    const { stack, notify } = fixture();
    const rules = [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }];
    new AuditMitigationTask(stack, 'Task', { target: AuditMitigationTarget.findings(['f-1']), rules, securityHub: { enableIntegration: true } });
    mitigation(stack, 'Audit', notify, { securityHub: { enableIntegration: true } });
    Template.fromStack(stack).resourceCountIs(TYPE, 1);
    const other = fixture();
    new AuditMitigationTask(other.stack, 'Task', { target: AuditMitigationTarget.findings(['f-1']), rules: [{ ...rules[0], actions: [other.notify] }], securityHub: {} });
    Template.fromStack(other.stack).resourceCountIs(TYPE, 0);
  });

  test('each stack has its own; an environment-agnostic stack names its account and region with pseudo parameters', () => {
    const app = new App();
    const { stack, notify } = fixture(app);
    mitigation(stack, 'Audit', notify, { securityHub: { enableIntegration: true } });
    const agnostic = new Stack(app, 'Agnostic');
    const deactivate = new MitigationAction(agnostic, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
    mitigation(agnostic, 'Audit', deactivate, { securityHub: { enableIntegration: true } });
    Template.fromStack(stack).resourceCountIs(TYPE, 1);
    Template.fromStack(agnostic).hasResourceProperties(TYPE, { Account: { Ref: 'AWS::AccountId' }, Region: { Ref: 'AWS::Region' } });
  });
});

describe('reporting', () => {
  test('failures are reported to the first asking construct\'s report topic and bus; the alarm notifies every report topic', () => {
    const { stack, notify } = fixture();
    const quiet = mitigation(stack, 'Quiet', notify, { securityHub: { enableIntegration: true } });
    const reports = new sns.Topic(stack, 'Reports', { enforceSSL: true });
    const bus = new events.EventBus(stack, 'Bus');
    mitigation(stack, 'Loud', notify, { securityHub: { enableIntegration: true }, notificationTopic: quiet.notificationTopic, reportTopic: reports, eventBus: bus });
    const other = sns.Topic.fromTopicArn(stack, 'Other', 'arn:aws:sns:eu-west-1:123456789012:other');
    mitigation(stack, 'Third', notify, { securityHub: { enableIntegration: true }, notificationTopic: quiet.notificationTopic, reportTopic: other });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(TYPE, {
      ReportTopicArn: { Ref: Match.stringLikeRegexp('^Reports') }, EventBusArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
    });
    expect(resource(template, 'AWS::CloudWatch::Alarm', 'CdkDeviceDefenderSecurityHubIntegrationProviderPermanentFailureAlarm').Properties.AlarmActions)
      .toEqual([{ Ref: expect.stringMatching(/^Reports/) }, 'arn:aws:sns:eu-west-1:123456789012:other']);
    // The custom resource waits for the handler's grant to put events on the bus.
    const grants = Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('CdkDeviceDefenderSecurityHubIntegrationProvider'));
    expect(grants).toHaveLength(1);
    expect(resource(template, TYPE, 'CdkDeviceDefenderSecurityHubIntegration').DependsOn).toEqual(grants);
  });
});

describe('the handler\'s role', () => {
  test('exactly: its logs, iot:ListSecurityProfiles on * (its optional resource types are never named), the two Security Hub actions on the '
    + 'account\'s hub in the region, tracing, and the library\'s events on the default bus', () => {
    const { stack, notify } = fixture();
    mitigation(stack, 'Audit', notify, { securityHub: { enableIntegration: true } });
    const template = Template.fromStack(stack);
    const role = resource(template, 'AWS::IAM::Role', 'CdkDeviceDefenderSecurityHubIntegrationProviderHandlerRole');
    const partitionArn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, suffix]] });
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'Permissions',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/HandlerLogs/), 'Arn'] } },
          { Action: 'iot:ListSecurityProfiles', Effect: 'Allow', Resource: '*' },
          {
            Action: ['securityhub:ListEnabledProductsForImport', 'securityhub:EnableImportFindingsForProduct'],
            Effect: 'Allow',
            Resource: partitionArn(':securityhub:eu-west-1:123456789012:hub/default'),
          },
          { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
          {
            Action: 'events:PutEvents',
            Condition: { StringEquals: { 'events:source': 'cdk-device-defender' } },
            Effect: 'Allow',
            Resource: partitionArn(':events:eu-west-1:123456789012:event-bus/default'),
          },
        ],
      },
    }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/securityhub:(Disable|Enable)SecurityHub|DisableImportFindingsForProduct/);
  });

  test('passes the CloudFormation validator and cdk-nag (AwsSolutions and Serverless) with nothing unsuppressed', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, notify } = fixture(app);
    mitigation(stack, 'Audit', notify, { securityHub: { enableIntegration: true }, reportTopic: new sns.Topic(stack, 'Reports', { enforceSSL: true }) });
    app.synth();
    expect(nagFindings(stack).filter((f) => !/\/(Findings|Reports)\//.test(f))).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });
});
