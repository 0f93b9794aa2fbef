import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../examples/quickstart';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings } from './util/nag';

/** The example app that `npx cdk synth` synthesizes, with cdk-nag's packs applied. */
function synthQuickstart() {
  const app = new App();
  addNagPacks(app);
  const { stack } = buildApp(app);
  app.synth();
  return stack;
}

describe('examples/quickstart.ts', () => {
  const stack = synthQuickstart();

  test('defines one mitigation action of every type', () => {
    const actions = Template.fromStack(stack).findResources('AWS::IoT::MitigationAction');
    const types = Object.values(actions).map((a) => Object.keys(a.Properties.ActionParams)[0]).sort();
    expect(types).toEqual([
      'AddThingsToThingGroupParams', 'EnableIoTLoggingParams', 'PublishFindingToSnsParams',
      'ReplaceDefaultPolicyVersionParams', 'UpdateCACertificateParams', 'UpdateDeviceCertificateParams',
    ]);
  });

  test('has no unsuppressed cdk-nag AwsSolutions or Serverless finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('every cdk-nag suppression gives its reason', () => {
    const template = Template.fromStack(stack).toJSON();
    const suppressions = Object.values<any>(template.Resources)
      .flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) { expect(s.reason.length).toBeGreaterThan(40); }
  });

  test('mitigates the daily audit and wires the account audit configuration to the notification topic', () => {
    const template = Template.fromStack(stack);
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

  test('quarantines devices of the security profile through DetectMitigation', () => {
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::SecurityProfile', {
      SecurityProfileName: 'chatty-devices',
      AlertTargets: { SNS: { AlertTargetArn: { Ref: Match.stringLikeRegexp('^DetectMitigationAlertTopic') }, RoleArn: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 25 });
  });

  test('passes the CloudFormation validator with no error or warning (one acknowledged, see lambdaRoleDependsOn)', () => {
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });

  test('template snapshot', () => {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
