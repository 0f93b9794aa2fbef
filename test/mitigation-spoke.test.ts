import { readFileSync } from 'fs';
import { join } from 'path';
import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditConfiguration, AuditFrequency, AuditMitigation, IMitigationHubRef, LogLevel, MitigationAction, MitigationActionParams,
  MitigationActionType, MitigationSpoke, MitigationSpokeProps, ScheduledAudit,
} from '../src';
import { expectValidTemplate } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';
import { SPOKE_CONFIG_PARAMETER, SpokeConfig } from '../src/contract/organization';
import { POLICY_VARIABLES } from '../src/private/audit-policy';
import { hubRefFromAttributes } from '../src/private/hub-ref';

const HUB = { account: '111111111111', region: 'eu-central-1' };
const ENV = { account: '222222222222', region: 'eu-west-1' };
const inPartition = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly hub: IMitigationHubRef;
  readonly deactivate: MitigationAction;
  readonly logging: MitigationAction;
}

/** A spoke's stack (environment-agnostic unless `env` is given), a hub and two actions. */
function fixture(env?: { account: string; region: string }, organizationId?: string, app = new App()): Fixture {
  const stack = new Stack(app, 'Stack', { env });
  return {
    app,
    stack,
    hub: hubRefFromAttributes(stack, 'Hub', { ...HUB, organizationId }),
    deactivate: new MitigationAction(stack, 'Deactivate', { mitigationActionName: 'deactivate', actionParams: MitigationActionParams.updateDeviceCertificate() }),
    logging: new MitigationAction(stack, 'Logging', {
      mitigationActionName: 'logging', actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
    }),
  };
}

/** A spoke with one rule (deactivate shared certificates), and `props`. */
function spokeOf(f: Fixture, props: Partial<MitigationSpokeProps> = {}, id = 'Spoke'): MitigationSpoke {
  const rules = [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [f.deactivate] }];
  return new MitigationSpoke(f.stack, id, { hub: f.hub, rules, ...props });
}

/** The one resource of `type` in the stack. */
function resourceOf(stack: Stack, type: string): any {
  const found = Object.values(Template.fromStack(stack).findResources(type));
  expect(found).toHaveLength(1);
  return found[0];
}

/** A rendered JSON value (a literal, or an Fn::Join of literals and Refs) with each Ref as `<logical id>`; a string that is not JSON as is. */
function decoded(rendered: any): unknown {
  const text = typeof rendered === 'string' ? rendered : rendered['Fn::Join'][1].map((part: any) => typeof part === 'string' ? part : `<${part.Ref}>`).join('');
  try { return JSON.parse(text); } catch { return text; }
}

/** The parameter's JSON document. */
function configurationOf(stack: Stack): SpokeConfig {
  return decoded(resourceOf(stack, 'AWS::SSM::Parameter').Properties.Value) as SpokeConfig;
}

/** The properties of the spoke role: the one role of the stack with a name. */
function spokeRoleOf(stack: Stack): any {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')).find((r: any) => r.Properties.RoleName)!.Properties;
}

describe('MitigationSpoke', () => {
  test('defines only the topic (its key and policy), the two roles, the subscription to the hub\'s queue and the configuration parameter', () => {
    const f = fixture();
    const spoke = spokeOf(f);
    const rendered = Template.fromStack(f.stack).toJSON().Resources;
    const types = spoke.node.findAll().filter(CfnResource.isCfnResource).map((r) => rendered[f.stack.getLogicalId(r)].Type).sort();
    expect(types).toEqual([
      'AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::SNS::Subscription', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SSM::Parameter',
    ]);
  });

  test('subscribes its topic to the hub\'s queue, with the envelope (no raw delivery)', () => {
    const f = fixture();
    const spoke = spokeOf(f);
    expect(resourceOf(f.stack, 'AWS::SNS::Subscription').Properties).toEqual({
      TopicArn: { Ref: f.stack.getLogicalId(spoke.notificationTopic.node.defaultChild as any) },
      Protocol: 'sqs',
      Endpoint: inPartition(':sqs:eu-central-1:111111111111:cdk-device-defender-hub-notifications'),
      RawMessageDelivery: false,
    });
  });

  test('only its notification role may publish to its topic, which is encrypted and TLS only', () => {
    const f = fixture();
    const spoke = spokeOf(f);
    const topic = { Ref: f.stack.getLogicalId(spoke.notificationTopic.node.defaultChild as any) };
    const roleArn = { 'Fn::GetAtt': [f.stack.getLogicalId(spoke.notificationRole.node.defaultChild as any), 'Arn'] };
    expect(resourceOf(f.stack, 'AWS::SNS::Topic').Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SpokeNotificationKey/), 'Arn'] });
    expect(resourceOf(f.stack, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'AllowPublishThroughSSLOnly', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: topic, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Sid: 'OnlyTheIotRolePublishes', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: topic, Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArn } } },
    ]);
  });

  test('writes its policy as the JSON SpokeConfig document, in a String parameter at the contract\'s name', () => {
    // GIVEN a spoke whose rules and scheduled audits also grow after it is defined
    const f = fixture(ENV);
    const configuration = new AuditConfiguration(f.stack, 'AuditConfiguration', {
      checks: [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK],
    });
    const daily = new ScheduledAudit(f.stack, 'Daily', { configuration, frequency: AuditFrequency.daily(), scheduledAuditName: 'daily' });
    const spoke = spokeOf(f, { scheduledAudits: [daily], dryRun: true, maxFindingsPerCheck: 7, includeOnDemandAudits: true });
    // WHEN
    spoke.addRule(AuditCheck.LOGGING_DISABLED_CHECK, [f.logging]);
    spoke.addScheduledAudit(iot.CfnScheduledAudit.fromScheduledAuditName(f.stack, 'Weekly', 'weekly'));
    // THEN
    const parameter = resourceOf(f.stack, 'AWS::SSM::Parameter').Properties;
    expect([parameter.Name, parameter.Type, parameter.Tier]).toEqual([SPOKE_CONFIG_PARAMETER, 'String', 'Intelligent-Tiering']);
    const refOf = (action: MitigationAction) => `<${f.stack.getLogicalId(action.node.defaultChild as any)}>`;
    expect(configurationOf(f.stack)).toEqual({
      version: 1,
      mitigation: 'Stack/Spoke',
      rules: { DEVICE_CERTIFICATE_SHARED_CHECK: [refOf(f.deactivate)], LOGGING_DISABLED_CHECK: [refOf(f.logging)] },
      scheduledAudits: [`<${f.stack.getLogicalId(daily.node.defaultChild as any)}>`, 'weekly'],
      includeOnDemandAudits: true,
      dryRun: true,
      maxFindingsPerCheck: 7,
      taskIdPrefix: expect.stringMatching(/^dd[0-9a-f]{10}$/),
    });
    expect(Object.keys(spoke.rules)).toEqual([AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, AuditCheck.LOGGING_DISABLED_CHECK]);
    expect([spoke.dryRun, spoke.maxFindingsPerCheck]).toEqual([true, 7]);
  });

  test('by default acts on every scheduled audit (no scheduledAudits), with AuditMitigation\'s defaults', () => {
    const f = fixture();
    spokeOf(f);
    const config = configurationOf(f.stack);
    expect(config).not.toHaveProperty('scheduledAudits');
    expect([config.includeOnDemandAudits, config.dryRun, config.maxFindingsPerCheck]).toEqual([false, false, 100]);
  });

  test('its document and an AuditMitigation\'s handler environment say the same for the same policy, field by field', () => {
    // GIVEN the same policy, at the same construct path in two apps
    const props = { dryRun: true, maxFindingsPerCheck: 3, includeOnDemandAudits: true };
    const local = fixture(ENV);
    const mitigation = new AuditMitigation(local.stack, 'Spoke', { ...props, rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [local.deactivate] }] });
    mitigation.addScheduledAudit(iot.CfnScheduledAudit.fromScheduledAuditName(local.stack, 'Weekly', 'weekly'));
    const remote = fixture(ENV);
    spokeOf(remote, props).addScheduledAudit(iot.CfnScheduledAudit.fromScheduledAuditName(remote.stack, 'Weekly', 'weekly'));
    // WHEN
    const environment = Template.fromStack(local.stack).toJSON().Resources[local.stack.getLogicalId(mitigation.handler.node.defaultChild as any)]
      .Properties.Environment.Variables;
    const config = configurationOf(remote.stack);
    // THEN every field of the document is in the environment, with the same value
    for (const [field, variable] of Object.entries(POLICY_VARIABLES)) {
      expect([field, decoded(environment[variable])]).toEqual([field, (config as any)[field]]);
    }
  });

  describe('its role, which the hub assumes', () => {
    test('trusts only the hub\'s audit and follower roles, by exact ARN, in the hub\'s account', () => {
      const f = fixture();
      spokeOf(f);
      expect(spokeRoleOf(f.stack).AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { AWS: inPartition(':iam::111111111111:root') },
          Condition: {
            ArnEquals: {
              'aws:PrincipalArn': [
                inPartition(':iam::111111111111:role/cdk-device-defender-hub-audit-eu-central-1'),
                inPartition(':iam::111111111111:role/cdk-device-defender-hub-follower-eu-central-1'),
              ],
            },
          },
        }],
      });
    });

    test('with the hub\'s organization, also only from that organization (aws:PrincipalOrgID)', () => {
      const f = fixture(undefined, 'o-a1b2c3d4e5');
      spokeOf(f);
      expect(spokeRoleOf(f.stack).AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
        ArnEquals: { 'aws:PrincipalArn': [expect.anything(), expect.anything()] },
        StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
      });
    });

    test('may read its configuration and run audit mitigation in this region only: nothing else, no iam:PassRole, no other policy', () => {
      const f = fixture();
      const spoke = spokeOf(f);
      const role = spokeRoleOf(f.stack);
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toEqual([{
        PolicyName: 'Permissions',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ssm:GetParameter',
              Resource: {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter',
                  { Ref: f.stack.getLogicalId(spoke.configurationParameter.node.defaultChild as any) }]],
              },
            },
            {
              Effect: 'Allow',
              Action: [
                'iot:StartAuditMitigationActionsTask', 'iot:DescribeAuditMitigationActionsTask', 'iot:DescribeAuditTask', 'iot:ListAuditTasks',
                'iot:ListAuditFindings', 'iot:CancelAuditMitigationActionsTask', 'iot:ListAuditMitigationActionsTasks',
                'iot:ListAuditMitigationActionsExecutions', 'iot:DescribeAuditFinding',
              ],
              Resource: '*',
              Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
            },
          ],
        },
      }]);
      const roleLogicalId = f.stack.getLogicalId(spoke.spokeRole.node.defaultChild as any);
      expect(Object.values(Template.fromStack(f.stack).findResources('AWS::IAM::Policy'))
        .filter((p: any) => JSON.stringify(p.Properties.Roles).includes(roleLogicalId))).toEqual([]);
    });

    test('with securityHub.enableIntegration, may also turn on Device Defender\'s Security Hub integration here, as the hub does with it: '
      + 'the two Security Hub actions on the account\'s hub in this region, iot:ListSecurityProfiles on * in this region only', () => {
      const statements = (props: Partial<MitigationSpokeProps>) => {
        const f = fixture();
        spokeOf(f, props);
        return spokeRoleOf(f.stack).Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      };
      const on = statements({ securityHub: { enableIntegration: true } });
      expect(on).toContainEqual({
        Effect: 'Allow',
        Action: ['securityhub:ListEnabledProductsForImport', 'securityhub:EnableImportFindingsForProduct'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':hub/default']] },
      });
      expect(on).toContainEqual({
        Effect: 'Allow', Action: 'iot:ListSecurityProfiles', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
      });
      // Never more: nothing turns Security Hub or an integration off, and securityHub alone does not allow turning it on.
      expect(JSON.stringify(on)).not.toMatch(/Disable|EnableSecurityHub/);
      for (const props of [{}, { securityHub: {} }, { securityHub: { enableIntegration: false } }]) {
        expect(JSON.stringify(statements(props))).not.toMatch(/ListEnabledProductsForImport|EnableImportFindingsForProduct|ListSecurityProfiles/);
      }
    });

    test('is named with its region: one account, two regions, two roles', () => {
      const app = new App();
      const stacks = ['eu-west-1', 'us-east-1'].map((region) => {
        const stack = new Stack(app, region, { env: { account: ENV.account, region } });
        const hub = hubRefFromAttributes(stack, 'Hub', HUB);
        const action = MitigationAction.fromMitigationActionAttributes(stack, 'A', { mitigationActionName: 'a', actionType: MitigationActionType.UPDATE_DEVICE_CERTIFICATE });
        const spoke = new MitigationSpoke(stack, 'Spoke', { hub, rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [action] }] });
        return { stack, spoke };
      });
      const names = stacks.map(({ stack, spoke }) => [spoke.spokeRoleName, spokeRoleOf(stack).RoleName]);
      expect(names).toEqual([
        ['cdk-device-defender-spoke-eu-west-1', 'cdk-device-defender-spoke-eu-west-1'],
        ['cdk-device-defender-spoke-us-east-1', 'cdk-device-defender-spoke-us-east-1'],
      ]);
    });

    test('in a StackSet\'s environment-agnostic template, its name carries the deployment region; the base name is the hub\'s', () => {
      const f = fixture();
      new MitigationSpoke(f.stack, 'Spoke', {
        hub: hubRefFromAttributes(f.stack, 'Named', { ...HUB, spokeRoleName: 'sec-spoke' }),
        rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [f.deactivate] }],
      });
      expect(spokeRoleOf(f.stack).RoleName).toEqual({ 'Fn::Join': ['', ['sec-spoke-', { Ref: 'AWS::Region' }]] });
    });
  });

  test('is the mitigation of an AuditConfiguration: notifications go to its topic, published with its role', () => {
    const f = fixture(ENV);
    const spoke = spokeOf(f);
    new AuditConfiguration(f.stack, 'AuditConfiguration', { mitigation: spoke });
    expect(resourceOf(f.stack, 'AWS::IoT::AccountAuditConfiguration').Properties.AuditNotificationTargetConfigurations).toEqual({
      Sns: {
        TargetArn: { Ref: f.stack.getLogicalId(spoke.notificationTopic.node.defaultChild as any) },
        RoleArn: { 'Fn::GetAtt': [f.stack.getLogicalId(spoke.notificationRole.node.defaultChild as any), 'Arn'] },
        Enabled: true,
      },
    });
  });

  describe('the cloud assembly of a spoke stack', () => {
    /** Every file and image asset in the assembly's asset manifests, but the stack templates CDK uploads itself. */
    function assetsOf(app: App): string[] {
      const assembly = app.synth();
      const manifests = Object.values(assembly.manifest.artifacts ?? {}).filter((a) => a.type === 'cdk:asset-manifest');
      expect(manifests.length).toBeGreaterThan(0);
      return manifests.flatMap((artifact) => {
        const contents = JSON.parse(readFileSync(join(assembly.directory, (artifact.properties as any).file), 'utf-8'));
        const files = Object.values<any>(contents.files ?? {}).map((file) => file.source.path).filter((path: string) => !path.endsWith('.template.json'));
        return [...files, ...Object.keys(contents.dockerImages ?? {}).map((image) => `image ${image}`)];
      });
    }

    test.each([
      ['', {}],
      [' (securityHub.enableIntegration: the hub turns it on, with the spoke role)', { securityHub: { enableIntegration: true } }],
    ])('has no file or image asset, no Lambda function and no custom resource, with the account\'s audit setup and actions beside it%s', (_, props) => {
      // GIVEN everything a member account's StackSet instance holds
      const f = fixture();
      const configuration = new AuditConfiguration(f.stack, 'AuditConfiguration');
      const audit = new ScheduledAudit(f.stack, 'Daily', { configuration, frequency: AuditFrequency.daily() });
      const spoke = spokeOf(f, { scheduledAudits: [audit], ...props });
      spoke.addRule(AuditCheck.LOGGING_DISABLED_CHECK, [f.logging]);
      new MitigationAction(f.stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(f.stack, 'Findings') }) });
      // WHEN / THEN
      expect(assetsOf(f.app)).toEqual([]);
      const types = Object.values(Template.fromStack(f.stack).toJSON().Resources).map((r: any) => r.Type as string);
      expect(types.filter((type) => /^(AWS::Lambda::|Custom::|AWS::CloudFormation::CustomResource$)/.test(type))).toEqual([]);
    });

    test('(the check finds the asset of an AuditMitigation\'s function)', () => {
      const f = fixture();
      new AuditMitigation(f.stack, 'Local', { rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [f.deactivate] }] });
      expect(assetsOf(f.app)).toEqual(expect.arrayContaining([expect.stringMatching(/^asset\..*\.lambda$/)]));
      expect(Template.fromStack(f.stack).findResources('AWS::Lambda::Function')).not.toEqual({});
    });
  });

  test('securityHub: the spoke role may also read and note this region\'s Security Hub findings, and set no status but NOTIFIED', () => {
    const f = fixture();
    spokeOf(f, { securityHub: {} });
    const hub = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':hub/default']] };
    const statements = spokeRoleOf(f.stack).Policies[0].PolicyDocument.Statement;
    expect(statements.slice(2)).toEqual([
      { Effect: 'Allow', Action: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'], Resource: hub },
      {
        Effect: 'Deny',
        Action: 'securityhub:BatchUpdateFindings',
        Resource: hub,
        Condition: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': ['NEW', 'RESOLVED', 'SUPPRESSED'] } },
      },
    ]);
    // Without it, nothing about Security Hub.
    const other = fixture();
    spokeOf(other);
    expect(JSON.stringify(Template.fromStack(other.stack).toJSON())).not.toContain('securityhub');
  });

  test.each([
    ['', {}],
    [' (securityHub)', { securityHub: {} }],
    [' (securityHub.enableIntegration)', { securityHub: { enableIntegration: true } }],
  ])('passes the CloudFormation validator and cdk-nag (AwsSolutions and Serverless) with nothing unsuppressed%s', (_, props) => {
    const app = new App();
    addNagPacks(app);
    const f = fixture(ENV, 'o-a1b2c3d4e5', app);
    new AuditConfiguration(f.stack, 'AuditConfiguration', { mitigation: spokeOf(f, props) });
    app.synth();
    expect(nagFindings(f.stack)).toEqual([]);
    expect(unusedNagSuppressions(f.stack)).toEqual([]);
    expectValidTemplate(f.stack);
  });

  describe('refuses, at synth, what AuditMitigation refuses, and what only a spoke must', () => {
    test.each<[string, (f: Fixture) => void, string]>([
      ['no rule', (f) => new MitigationSpoke(f.stack, 'Spoke', { hub: f.hub }), '[Stack/Spoke] a MitigationSpoke needs at least one rule (rules or addRule())'],
      ['maxFindingsPerCheck', (f) => spokeOf(f, { maxFindingsPerCheck: 0 }), '[Stack/Spoke] invalid maxFindingsPerCheck 0: must be a whole number of at least 1'],
      ['an action type the check does not take', (f) => spokeOf(f).addRule(AuditCheck.LOGGING_DISABLED_CHECK, [f.deactivate]),
        '[Stack/Spoke] rule for LOGGING_DISABLED_CHECK: action Stack/Deactivate is UPDATE_DEVICE_CERTIFICATE, which AWS IoT Device Defender cannot apply'],
      ['not a scheduled audit', (f) => spokeOf(f).addScheduledAudit(new sns.Topic(f.stack, 'T')),
        '[Stack/Spoke] invalid scheduledAudits "Stack/T": must be a scheduled audit'],
      ['a check the audit configuration does not enable', (f) => {
        new AuditConfiguration(f.stack, 'AuditConfiguration', { checks: [AuditCheck.LOGGING_DISABLED_CHECK], mitigation: spokeOf(f) });
      }, '[Stack/Spoke] rule for DEVICE_CERTIFICATE_SHARED_CHECK: the check is not enabled in the audit configuration Stack/AuditConfiguration'],
      ['a check no scheduled audit runs', (f) => {
        const configuration = new AuditConfiguration(f.stack, 'AuditConfiguration');
        const audit = new ScheduledAudit(f.stack, 'Audit', { configuration, frequency: AuditFrequency.daily(), checks: [AuditCheck.LOGGING_DISABLED_CHECK] });
        spokeOf(f, { scheduledAudits: [audit] });
      }, '[Stack/Spoke] rule for DEVICE_CERTIFICATE_SHARED_CHECK: none of the scheduled audits this mitigation listens to (Stack/Audit) runs the check'],
      ['a second spoke in the account and region', (f) => { spokeOf(f); spokeOf(f, {}, 'Second'); },
        '[Stack/Second] the deployment account and the deployment region already have a MitigationSpoke, Stack/Spoke; the hub reads one configuration'],
      ['a spoke the audit configuration does not notify', (f) => {
        const local = new AuditMitigation(f.stack, 'Local', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [f.logging] }] });
        new AuditConfiguration(f.stack, 'AuditConfiguration', { mitigation: local });
        spokeOf(f);
      }, '[Stack/Spoke] the audit configuration Stack/AuditConfiguration notifies Stack/Local, so this MitigationSpoke never hears of an audit '
        + '(AWS IoT notifies one topic per account and region): give the audit configuration this spoke as its mitigation, or move the spoke\'s rules'],
      ['an AuditMitigation beside the spoke the configuration notifies', (f) => {
        new AuditConfiguration(f.stack, 'AuditConfiguration', { mitigation: spokeOf(f) });
        new AuditMitigation(f.stack, 'Local', { rules: [{ check: AuditCheck.LOGGING_DISABLED_CHECK, actions: [f.logging] }] });
      }, '[Stack/Local] the audit configuration Stack/AuditConfiguration notifies Stack/Spoke, so this AuditMitigation never hears of an audit'],
      ['an audit configuration publishing to its topic with another role', (f) => {
        const spoke = spokeOf(f);
        new iot.CfnAccountAuditConfiguration(f.stack, 'Raw', {
          accountId: '222222222222',
          roleArn: 'arn:aws:iam::222222222222:role/audit',
          auditCheckConfigurations: {},
          auditNotificationTargetConfigurations: { sns: { targetArn: spoke.notificationTopic.topicArn, roleArn: 'arn:aws:iam::222222222222:role/other', enabled: true } },
        });
      }, '[Stack/Spoke] invalid auditNotificationTargetConfigurations.sns.roleArn of Stack/Raw: only Stack/Spoke\'s notificationRole may publish to its '
        + 'notificationTopic; use notificationRole as the role'],
      ['a configuration too large for a parameter', (f) => {
        const long = (i: number) => MitigationAction.fromMitigationActionAttributes(f.stack, `L${i}`, { mitigationActionName: `${i}`.padEnd(128, 'x'), actionType: MitigationActionType.PUBLISH_FINDING_TO_SNS });
        const actions = [0, 1, 2, 3, 4].map(long);
        const spoke = new MitigationSpoke(f.stack, 'Spoke', { hub: f.hub, includeOnDemandAudits: true });
        Object.values(AuditCheck).forEach((check) => spoke.addRule(check, actions));
      }, '[Stack/Spoke] the spoke\'s configuration is at least '],
    ])('%s', (_what, build, expected) => {
      const f = fixture();
      build(f);
      expectRefused(f.stack, expected);
    });

    test('the advice to give an AuditMitigation a topic of its own is not given to a spoke, which always has its own', () => {
      const f = fixture();
      const spoke = spokeOf(f);
      new iot.CfnAccountAuditConfiguration(f.stack, 'Raw', {
        accountId: '1',
        roleArn: 'arn:aws:iam::1:role/a',
        auditCheckConfigurations: {},
        auditNotificationTargetConfigurations: { sns: { targetArn: spoke.notificationTopic.topicArn, roleArn: 'arn:aws:iam::1:role/b', enabled: true } },
      });
      expect(expectRefused(f.stack).join('\n')).not.toContain('notificationTopic of your own');
    });

    test('a token maxFindingsPerCheck is not checked', () => {
      const f = fixture();
      spokeOf(f, { maxFindingsPerCheck: new CfnParameter(f.stack, 'Max', { type: 'Number' }).valueAsNumber });
      expect(() => f.app.synth()).not.toThrow();
      // The number is the parameter's value, unquoted, when CloudFormation joins the document.
      const parts: unknown[] = resourceOf(f.stack, 'AWS::SSM::Parameter').Properties.Value['Fn::Join'][1];
      const at = parts.findIndex((part) => JSON.stringify(part) === JSON.stringify({ Ref: 'Max' }));
      expect(parts[at - 1]).toMatch(/"maxFindingsPerCheck":$/);
      expect(parts[at + 1]).toMatch(/^,/);
    });
  });
});
