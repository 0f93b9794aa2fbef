import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../examples/quickstart';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';

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

  test('every cdk-nag suppression covers a finding its resource really has (no suppression for a permission it lacks)', () => {
    expect(unusedNagSuppressions(stack)).toEqual([]);
  });

  test('every role\'s trust policy: AWS IoT only for its own source (aws:SourceAccount and aws:SourceArn), Lambda for handlers', () => {
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const join = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, suffix]] });
    const iot = (condition: unknown) => [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' }, Condition: condition }];
    const account = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } };
    // The account's audit configuration: aws:SourceArn is exactly arn:<partition>:iot:<region>:<account>:
    const auditConfiguration = iot({ StringEquals: { ...account, 'aws:SourceArn': join(':') } });
    const trust = Object.entries(roles).map(([id, role]) => [id, role.Properties.AssumeRolePolicyDocument.Statement]);
    const expected = Object.keys(roles).map((id) => {
      if (id.startsWith('AuditConfigurationAuditRole') || id.startsWith('AuditMitigationNotificationRole')) { return [id, auditConfiguration]; }
      if (id.startsWith('DetectMitigationAlertRole')) {
        return [id, iot({ StringEquals: account, ArnLike: { 'aws:SourceArn': join(':securityprofile/chatty-devices') } })];
      }
      if (id.startsWith('CdkDeviceDefenderIotLoggingRole')) { return [id, iot({ StringEquals: account, ArnLike: { 'aws:SourceArn': join(':*') } })]; }
      // The handlers' roles and the custom-resource provider framework's role: Lambda only.
      if (/HandlerRole|ProviderRole/.test(id)) { return [id, [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]]; }
      const actionName = Object.values<any>(Template.fromStack(stack).findResources('AWS::IoT::MitigationAction'))
        .find((a) => a.Properties.RoleArn['Fn::GetAtt'][0] === id)?.Properties.ActionName;
      if (actionName === undefined) { return [id, 'unexpected role']; }
      return [id, iot({ StringEquals: account, ArnLike: { 'aws:SourceArn': join(`:mitigationaction/${actionName}`) } })];
    });
    expect(trust).toEqual(expected);
    // 6 actions, the logging role, the audit, notification and alert roles, 2 handler roles, the
    // task follower's role, and the AuditSuppression provider's handler and framework roles.
    expect(trust).toHaveLength(15);
  });

  test('no policy grants kms:GenerateDataKey* (which includes the key-pair and without-plaintext variants)', () => {
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).not.toContain('GenerateDataKey*');
    expect(text).toContain('"kms:GenerateDataKey"');
  });

  test('the shared IoT logging role survives stack deletion', () => {
    Template.fromStack(stack).hasResource('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('v2 logs') }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
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
