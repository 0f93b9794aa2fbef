import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, AuditSuppression, AuditSuppressionResource, DetectMitigation,
  MitigationAction, MitigationActionParams, MitigationEventBus,
} from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function fixture(app = new App()) {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const notify = new MitigationAction(stack, 'Notify', {
    mitigationActionName: 'notify',
    actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
  });
  const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
  const quarantine = new MitigationAction(stack, 'Quarantine', {
    mitigationActionName: 'quarantine', actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
  });
  const profile = new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' });
  return { stack, notify, quarantine, profile };
}

const roleArn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

test('its policy denies putting cdk-device-defender events to every principal but the roles of the functions that put events on it', () => {
  // GIVEN
  const { stack, notify, quarantine, profile } = fixture();
  const bus = new MitigationEventBus(stack, 'Events', { eventBusName: 'mitigation-events' });
  // WHEN an audit and a detect mitigation put their events on it
  new AuditMitigation(stack, 'Audit', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }], eventBus: bus });
  new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], eventBus: bus });
  // THEN
  const template = Template.fromStack(stack);
  const roles = Object.keys(template.findResources('AWS::IAM::Role'));
  const id = (prefix: string) => roles.find((r) => r.startsWith(prefix))!;
  template.hasResourceProperties('AWS::Events::EventBusPolicy', {
    EventBusName: { Ref: stack.getLogicalId(bus.node.defaultChild as any) },
    StatementId: 'cdk-OnlyCdkDeviceDefenderFunctionsPutItsEvents', // aws-cdk-lib prefixes the sid
    Statement: {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as any), 'Arn'] },
      Condition: {
        StringEquals: { 'events:source': 'cdk-device-defender' },
        ArnNotEquals: { 'aws:PrincipalArn': [roleArn(id('AuditHandlerRole')), roleArn(id('CdkDeviceDefenderTaskFollowerHandlerRole')), roleArn(id('DetectHandlerRole'))] },
      },
    },
  });
});

test('the custom resources: EventBusArn names the bus, the stack\'s provider may put events on it, and the resource waits for that grant', () => {
  // GIVEN
  const { stack, notify } = fixture();
  const bus = new MitigationEventBus(stack, 'Events');
  // WHEN
  new AuditMitigationTask(stack, 'Task', {
    target: AuditMitigationTarget.auditTask('audit-1'), rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }], eventBus: bus,
  });
  new AuditSuppression(stack, 'Lab', {
    check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, resource: AuditSuppressionResource.clientId('lab-rig'), suppressIndefinitely: true, eventBus: bus,
  });
  // THEN
  const template = Template.fromStack(stack).toJSON();
  const busArn = { 'Fn::GetAtt': [stack.getLogicalId(bus.node.defaultChild as any), 'Arn'] };
  const policies = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy'
    && r.Properties.PolicyDocument.Statement.some((s: any) => s.Action === 'events:PutEvents' && JSON.stringify(s.Resource) === JSON.stringify(busArn)));
  for (const [type, provider] of [
    ['Custom::IotMitigationAuditTask', 'CdkDeviceDefenderAuditMitigationTaskProvider'], ['Custom::IotAuditSuppression', 'CdkDeviceDefenderAuditSuppressionProvider'],
  ]) {
    const [resource] = Object.values<any>(template.Resources).filter((r) => r.Type === type);
    expect(resource.Properties.EventBusArn).toEqual(busArn);
    const [grant] = policies.filter(([, p]) => p.Properties.Roles[0].Ref.startsWith(`${provider}HandlerRole`));
    expect(grant).toBeDefined();
    expect(resource.DependsOn).toContain(grant[0]);
  }
  const deny = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Events::EventBusPolicy');
  const publishers = deny.Properties.Statement.Condition.ArnNotEquals['aws:PrincipalArn'].map((arn: any) => arn['Fn::GetAtt'][0]);
  expect(publishers).toEqual([
    expect.stringMatching(/^CdkDeviceDefenderAuditMitigationTaskProviderHandlerRole/),
    expect.stringMatching(/^CdkDeviceDefenderTaskFollowerHandlerRole/),
    expect.stringMatching(/^CdkDeviceDefenderAuditSuppressionProviderHandlerRole/),
  ]);
});

test('a MitigationEventBus no mitigation construct uses is refused at synth: its policy would name no role', () => {
  const { stack } = fixture();
  new MitigationEventBus(stack, 'Events');
  expectRefused(stack, /^\[Stack\/Events\] this MitigationEventBus is the eventBus of no mitigation construct/);
});

test('passes cdk-nag and the CloudFormation validator', () => {
  const app = new App();
  addNagPacks(app);
  const { stack, notify } = fixture(app);
  const bus = new MitigationEventBus(stack, 'Events');
  new AuditMitigation(stack, 'Audit', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [notify] }], eventBus: bus });
  app.synth();
  expect(nagFindings(stack).filter((f) => !/\/Findings\//.test(f))).toEqual([]);
  expect(unusedNagSuppressions(stack)).toEqual([]);
  expectValidTemplate(stack, lambdaRoleDependsOn(stack));
});
