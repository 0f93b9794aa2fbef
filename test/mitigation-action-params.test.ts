/**
 * The MitigationActionParams factories (src/mitigation-action-params.ts): what each puts in the action and grants its
 * role, and the values each refuses.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LogLevel, MitigationAction, MitigationActionParams } from '../src';
import { iotArn, newStack } from './util/fixtures';
import { expectRefused } from './util/refusals';

/** `sns.eu-west-1.<URL suffix>`: the kms:ViaService value for SNS in the test region. */
const viaSns = { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] };

/** The statements of the one inline policy of the only role whose description mentions `actionType`. */
function roleStatements(template: Template, actionType: string): unknown[] {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: { Description: Match.stringLikeRegexp(actionType) },
  });
  const [role] = Object.values(roles);
  expect(role.Properties.Policies).toHaveLength(1);
  return role.Properties.Policies[0].PolicyDocument.Statement;
}

describe('MitigationActionParams factories', () => {
  test('addThingsToThingGroup: group names, override flag, ListPrincipalThings on certs, AddThingToThingGroup on the groups and things', () => {
    // GIVEN
    const stack = newStack();
    const quarantine = new iot.CfnThingGroup(stack, 'Quarantine', { thingGroupName: 'quarantine' });
    const imported = iot.CfnThingGroup.fromThingGroupName(stack, 'Existing', 'existing-group');
    // WHEN
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.addThingsToThingGroup({
        thingGroups: [quarantine, imported],
        overrideDynamicGroups: true,
      }),
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: {
        AddThingsToThingGroupParams: {
          ThingGroupNames: [{ Ref: 'Quarantine' }, 'existing-group'],
          OverrideDynamicGroups: true,
        },
      },
    });
    expect(roleStatements(template, 'ADD_THINGS_TO_THING_GROUP')).toEqual([
      { Action: 'iot:ListPrincipalThings', Effect: 'Allow', Resource: iotArn('cert/*') },
      {
        Action: 'iot:AddThingToThingGroup',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': ['Quarantine', 'Arn'] },
          iotArn('thinggroup/existing-group'),
          iotArn('thing/*'),
        ],
      },
    ]);
  });

  test('addThingsToThingGroup leaves OverrideDynamicGroups out by default', () => {
    const stack = newStack();
    const group = iot.CfnThingGroup.fromThingGroupName(stack, 'G', 'quarantine');
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: { AddThingsToThingGroupParams: { ThingGroupNames: ['quarantine'], OverrideDynamicGroups: Match.absent() } },
    });
  });

  test('enableIotLogging: defines one logging role per stack and passes only it, only to AWS IoT', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MitigationAction(stack, 'Warn', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }) });
    new MitigationAction(stack, 'Debug', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.DEBUG }) });
    // THEN
    const template = Template.fromStack(stack);
    const loggingRoles = template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('v2 logs') },
    });
    const [loggingRoleId] = Object.keys(loggingRoles);
    expect(Object.keys(loggingRoles)).toHaveLength(1);
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: {
        EnableIoTLoggingParams: { LogLevel: 'WARN', RoleArnForLogging: { 'Fn::GetAtt': [loggingRoleId, 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: { EnableIoTLoggingParams: { LogLevel: 'DEBUG' } },
    });
    const loggingRole = loggingRoles[loggingRoleId].Properties;
    // AWS documents no aws:SourceArn for the logging role: any AWS IoT source of this account and
    // region (which includes the account-level arn:<partition>:iot:<region>:<account>:), with the account.
    expect(loggingRole.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'iot.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': iotArn('*') } },
    }]);
    const logGroup = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:AWSIotLogsV2']] };
    const logStreams = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:AWSIotLogsV2:*']] };
    expect(loggingRole.Policies[0].PolicyDocument.Statement).toEqual([{
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
      Effect: 'Allow',
      Resource: [logGroup, logStreams],
    }]);
    const [warnRole] = Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('ENABLE_IOT_LOGGING mitigation action StackWarn') },
    }));
    expect(warnRole.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Action: 'iot:SetV2LoggingOptions', Effect: 'Allow', Resource: '*' },
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [loggingRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
      },
    ]);
  });

  test('enableIotLogging: the shared logging role is retained when the stack is deleted (the account\'s logging options still use it)', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MitigationAction(stack, 'Warn', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }) });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('v2 logs') },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    // Only the logging role: the action's own role goes with the stack.
    template.hasResource('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('ENABLE_IOT_LOGGING') }, DeletionPolicy: Match.absent(),
    });
  });

  test('enableIotLogging in an environment-agnostic stack: the logging role trust uses the pseudo parameters', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new MitigationAction(stack, 'Warn', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('v2 logs'),
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']],
              },
            },
          },
        })],
      },
    });
  });

  test('enableIotLogging uses a given logging role and defines none', () => {
    const stack = newStack();
    const loggingRole = iam.Role.fromRoleArn(stack, 'Logging', 'arn:aws:iam::123456789012:role/iot-logging');
    new MitigationAction(stack, 'Info', {
      actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.INFO, loggingRole }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: { EnableIoTLoggingParams: { LogLevel: 'INFO', RoleArnForLogging: 'arn:aws:iam::123456789012:role/iot-logging' } },
    });
    expect(roleStatements(template, 'ENABLE_IOT_LOGGING')).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: 'arn:aws:iam::123456789012:role/iot-logging',
      Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
    });
  });

  test('publishFindingToSns: publish on the topic only', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    new MitigationAction(stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: { PublishFindingToSnsParams: { TopicArn: { Ref: 'TopicBFC7AF6E' } } },
    });
    expect(roleStatements(template, 'PUBLISH_FINDING_TO_SNS')).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: 'TopicBFC7AF6E' } },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('publishFindingToSns: a KMS-encrypted topic also gets its key, inline', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
    new MitigationAction(stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
    const template = Template.fromStack(stack);
    // Exactly GenerateDataKey and Decrypt (not GenerateDataKey*, which includes the key-pair and
    // without-plaintext variants), and only through SNS in the topic's region.
    expect(roleStatements(template, 'PUBLISH_FINDING_TO_SNS')).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: 'TopicBFC7AF6E' } },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': viaSns } },
      },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('encryptedTopicKey'));
  });

  test('publishFindingToSns: a topic imported with its key ARN gets the key permissions on that key', () => {
    const stack = newStack();
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const topic = sns.Topic.fromTopicAttributes(stack, 'Topic', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:findings', keyArn });
    new MitigationAction(stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
    expect(roleStatements(Template.fromStack(stack), 'PUBLISH_FINDING_TO_SNS')).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:eu-west-1:123456789012:findings' },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: keyArn,
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } },
      },
    ]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('encryptedTopicKey'));
  });

  test('publishFindingToSns: a CfnTopic with a literal key ARN gets it; without a key, nothing and no warning', () => {
    const stack = newStack();
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    new MitigationAction(stack, 'Encrypted', {
      mitigationActionName: 'encrypted',
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.CfnTopic(stack, 'EncryptedTopic', { kmsMasterKeyId: keyArn }) }),
    });
    new MitigationAction(stack, 'Plain', {
      mitigationActionName: 'plain',
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.CfnTopic(stack, 'PlainTopic') }),
    });
    const template = Template.fromStack(stack);
    const statements = (name: string) => Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp(`action ${name}$`) },
    }))[0].Properties.Policies[0].PolicyDocument.Statement;
    expect(statements('encrypted')[1]).toEqual(expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn }));
    expect(statements('plain')).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: 'PlainTopic' } }]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('encryptedTopicKey'));
  });

  test('publishFindingToSns: a topic imported without its key gets a warning naming the key permissions to grant', () => {
    // GIVEN
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:eu-west-1:123456789012:findings');
    // WHEN
    new MitigationAction(stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Stack/Notify', Match.stringLikeRegexp(
      '^role Stack/Notify/Role publishes to topic Stack/Imported, whose KMS key this app cannot see .*'
      + 'grant the role kms:GenerateDataKey and kms:Decrypt on that key \\(condition kms:ViaService = sns.<region>.amazonaws.com\\).*'
      + 'fromTopicAttributes\\(\\{ topicArn, keyArn \\}\\).*\\[ack: cdk-device-defender:encryptedTopicKey\\]$'));
  });

  test('publishFindingToSns accepts an imported topic', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:findings');
    new MitigationAction(stack, 'Notify', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: { PublishFindingToSnsParams: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:findings' } },
    });
    expect(roleStatements(template, 'PUBLISH_FINDING_TO_SNS')).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:eu-west-1:123456789012:findings' },
    ]);
  });

  test.each([
    ['replaceDefaultPolicyVersion', MitigationActionParams.replaceDefaultPolicyVersion, 'REPLACE_DEFAULT_POLICY_VERSION',
      { ReplaceDefaultPolicyVersionParams: { TemplateName: 'BLANK_POLICY' } }, 'iot:CreatePolicyVersion', 'policy/*'],
    ['updateCaCertificate', MitigationActionParams.updateCaCertificate, 'UPDATE_CA_CERTIFICATE',
      { UpdateCACertificateParams: { Action: 'DEACTIVATE' } }, 'iot:UpdateCACertificate', 'cacert/*'],
    ['updateDeviceCertificate', MitigationActionParams.updateDeviceCertificate, 'UPDATE_DEVICE_CERTIFICATE',
      { UpdateDeviceCertificateParams: { Action: 'DEACTIVATE' } }, 'iot:UpdateCertificate', 'cert/*'],
  ])('%s: params, and one permission narrowed to its resource type', (_name, factory, type, params, permission, resource) => {
    const stack = newStack();
    const action = new MitigationAction(stack, 'Action', { actionParams: factory() });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::MitigationAction', { ActionParams: params });
    expect(roleStatements(template, type)).toEqual([{ Action: permission, Effect: 'Allow', Resource: iotArn(resource) }]);
    expect(action.actionType).toBe(type);
  });
});

describe('validation', () => {
  test('refuses an empty thing group list', () => {
    const stack = newStack();
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [] }),
    });
    expectRefused(stack, '[Stack/Action] invalid thingGroups []: must name 1 to 10 thing groups, got 0');
  });

  test('refuses more than 10 thing groups', () => {
    const stack = newStack();
    const groups = Array.from({ length: 11 }, (_, i) => iot.CfnThingGroup.fromThingGroupName(stack, `G${i}`, `group-${i}`));
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: groups }),
    });
    expectRefused(stack, /^\[Stack\/Action\] invalid thingGroups \["group-0",.*"group-10"\]: must name 1 to 10 thing groups, got 11$/);
  });

  test('accepts exactly 10 thing groups', () => {
    const stack = newStack();
    const groups = Array.from({ length: 10 }, (_, i) => iot.CfnThingGroup.fromThingGroupName(stack, `G${i}`, `group-${i}`));
    new MitigationAction(stack, 'Action', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: groups }) });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::MitigationAction', {
      ActionParams: { AddThingsToThingGroupParams: { ThingGroupNames: Match.arrayWith(['group-9']) } },
    });
  });

  test('refuses the same thing group twice', () => {
    const stack = newStack();
    const group = new iot.CfnThingGroup(stack, 'Group', { thingGroupName: 'quarantine' });
    const again = iot.CfnThingGroup.fromThingGroupName(stack, 'Again', 'other');
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group, again, group] }),
    });
    expectRefused(stack, /^\[Stack\/Action\] invalid thingGroups .*: must be distinct thing groups, .* appears more than once$/);
  });

  test('refuses a thing group name the API rejects', () => {
    const stack = newStack();
    const group = iot.CfnThingGroup.fromThingGroupName(stack, 'G', 'no spaces allowed');
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
    });
    expectRefused(stack, '[Stack/Action] invalid thingGroups[].thingGroupName "no spaces allowed": must match [a-zA-Z0-9:_-]{1,128}');
  });

  test('refuses a topic ARN longer than 350 characters', () => {
    const stack = newStack();
    const arn = `arn:aws:sns:eu-west-1:123456789012:${'t'.repeat(320)}`;
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', arn);
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.publishFindingToSns({ topic }),
    });
    expectRefused(stack, `[Stack/Action] invalid topic.topicArn "${arn}": must be at most 350 characters long, got ${arn.length}`);
  });

  test('refuses log level DISABLED from callers outside TypeScript', () => {
    const stack = newStack();
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.enableIotLogging({ logLevel: 'DISABLED' as LogLevel }),
    });
    expectRefused(stack, '[Stack/Action] invalid logLevel "DISABLED": must be one of DEBUG, INFO, WARN, ERROR');
  });

  test('refuses a logging role ARN longer than 2048 characters', () => {
    const stack = newStack();
    const loggingRole = iam.Role.fromRoleArn(stack, 'Long', `arn:aws:iam::123456789012:role/${'p/'.repeat(1010)}r`);
    new MitigationAction(stack, 'Action', {
      actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.INFO, loggingRole }),
    });
    expectRefused(stack, /^\[Stack\/Action\] invalid loggingRole.roleArn ".*": must be 20 to 2048 characters long, got 2052$/);
  });
});
