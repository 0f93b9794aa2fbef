import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AuditCheck, AuditMitigation, DetectMitigation, MitigationAction, MitigationActionParams, MitigationEventBus } from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';

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

test('a MitigationEventBus no mitigation construct uses is refused at synth: its policy would name no role', () => {
  const { stack } = fixture();
  new MitigationEventBus(stack, 'Events');
  expect(() => Template.fromStack(stack)).toThrow(/Stack\/Events: this MitigationEventBus is the eventBus of no mitigation construct/);
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
