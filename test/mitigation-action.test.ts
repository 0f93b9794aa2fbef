import { App, CfnParameter, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, LogLevel, MitigationAction, MitigationActionParams, MitigationActionType,
} from '../src';
import { CHECK_ALLOWED_ACTION_TYPES, MITIGATION_ACTION_TYPES } from './emulator/iot-model';
import { expectValidTemplate } from './util/cfn-validate';
import { ENV, iotArn, newStack } from './util/fixtures';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';

describe('generated role', () => {
  test('trusts only AWS IoT acting for this action in this account (aws:SourceAccount and aws:SourceArn, no stray colons)', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new MitigationAction(stack, 'Deactivate', {
      mitigationActionName: 'deactivate-cert',
      actionParams: MitigationActionParams.updateDeviceCertificate(),
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'iot.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': iotArn('mitigationaction/deactivate-cert') },
          },
        }],
      },
    });
  });

  test('uses the partition, region and account pseudo parameters in an environment-agnostic stack', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new MitigationAction(stack, 'Deactivate', {
      mitigationActionName: 'deactivate-cert',
      actionParams: MitigationActionParams.updateDeviceCertificate(),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: {
              'aws:SourceArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':',
                  { Ref: 'AWS::AccountId' }, ':mitigationaction/deactivate-cert']],
              },
            },
          },
        })],
      },
    });
  });

  test('an action with a generated role is exactly two CloudFormation resources, the policy inline', () => {
    const stack = newStack();
    new MitigationAction(stack, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(2);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IoT::MitigationAction', 1);
  });

  test('records why each wildcard is needed, for cdk-nag', () => {
    const stack = newStack();
    const action = new MitigationAction(stack, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
    const metadata = (action.role.node.defaultChild as iam.CfnRole).getMetadata('cdk_nag');
    expect(metadata.rules_to_suppress).toEqual([expect.objectContaining({
      id: 'AwsSolutions-IAM5',
      reason: expect.stringContaining('iot:UpdateCertificate'),
      applies_to: [{ regex: expect.stringContaining('cert\\/\\*') }],
    })]);
  });
});

describe('cdk-nag', () => {
  /** One action of every type, each with its generated role, in an app with cdk-nag's packs. */
  function everyType() {
    const app = new App();
    addNagPacks(app);
    const stack = new Stack(app, 'Stack', { env: ENV });
    const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
    const plainTopic = new sns.Topic(stack, 'Plain', { enforceSSL: true });
    const encryptedTopic = new sns.Topic(stack, 'Encrypted', { enforceSSL: true, masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    const params = {
      Quarantine: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
      Logging: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
      NotifyPlain: MitigationActionParams.publishFindingToSns({ topic: plainTopic }),
      NotifyEncrypted: MitigationActionParams.publishFindingToSns({ topic: encryptedTopic }),
      BlankPolicy: MitigationActionParams.replaceDefaultPolicyVersion(),
      DeactivateCa: MitigationActionParams.updateCaCertificate(),
      Deactivate: MitigationActionParams.updateDeviceCertificate(),
    };
    const actions = Object.fromEntries(Object.entries(params).map(([id, actionParams]) =>
      [id, new MitigationAction(stack, id, { actionParams })]));
    return { app, stack, actions };
  }

  test('every generated role passes, and each suppression covers a wildcard the role really has', () => {
    const { app, stack } = everyType();
    app.synth();
    expect(nagFindings(stack).filter((f) => !/\/(Plain|Encrypted|Key)\//.test(f))).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
  });

  test('a wildcard a user adds to a generated role later is reported, not hidden by the role\'s suppressions', () => {
    // GIVEN roles whose own permissions have wildcards (Logging: iot:SetV2LoggingOptions on *)
    const { app, stack, actions } = everyType();
    // WHEN a user adds statements with wildcard resources and actions
    for (const id of ['Logging', 'Deactivate']) {
      actions[id].role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
      actions[id].role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['iot:*'], resources: [Stack.of(stack).formatArn({ service: 'iot', resource: 'cert', resourceName: '*' })],
      }));
    }
    app.synth();
    // THEN cdk-nag reports every one of them
    const findings = nagFindings(stack).filter((f) => f.includes('AwsSolutions-IAM5'));
    for (const id of ['Logging', 'Deactivate']) {
      expect(findings).toEqual(expect.arrayContaining([
        expect.stringMatching(new RegExp(`^/Stack/${id}/Role/DefaultPolicy/Resource: AwsSolutions-IAM5\\[Resource::\\*\\]`)),
        expect.stringMatching(new RegExp(`^/Stack/${id}/Role/DefaultPolicy/Resource: AwsSolutions-IAM5\\[Action::iot:\\*\\]`)),
        expect.stringMatching(new RegExp(`^/Stack/${id}/Role/DefaultPolicy/Resource: AwsSolutions-IAM5\\[Resource::arn:<AWS::Partition>:iot:eu-west-1:123456789012:cert/\\*\\]`)),
      ]));
    }
  });
});

describe('attributes and naming', () => {
  test('the default name is deterministic, derived from the construct path, and the API accepts it', () => {
    const first = new MitigationAction(newStack(), 'Quarantine', { actionParams: MitigationActionParams.updateCaCertificate() });
    const second = new MitigationAction(newStack(), 'Quarantine', { actionParams: MitigationActionParams.updateCaCertificate() });
    const name = Template.fromStack(Stack.of(first)).findResources('AWS::IoT::MitigationAction');
    const [resource] = Object.values(name);
    expect(resource.Properties.ActionName).toMatch(/^StackQuarantine[A-F0-9]{8}$/);
    expect(Template.fromStack(Stack.of(second)).toJSON()).toEqual(Template.fromStack(Stack.of(first)).toJSON());
  });

  test('a long construct path still gives a name of at most 128 characters', () => {
    const stack = newStack();
    const deep = new iam.Role(stack, 'x'.repeat(100), { assumedBy: new iam.AccountRootPrincipal() });
    const action = new MitigationAction(deep, 'y'.repeat(100), { actionParams: MitigationActionParams.updateCaCertificate() });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::IoT::MitigationAction'));
    expect(resource.Properties.ActionName.length).toBeLessThanOrEqual(128);
    expect(resource.Properties.ActionName).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(action.actionType).toBe(MitigationActionType.UPDATE_CA_CERTIFICATE);
  });

  test('exposes name (Ref), ARN and ID (GetAtt), type, role and the IMitigationActionRef reference', () => {
    const stack = newStack();
    const action = new MitigationAction(stack, 'Action', {
      mitigationActionName: 'notify',
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'T') }),
    });
    const resolve = (v: unknown) => stack.resolve(v);
    expect(resolve(action.mitigationActionName)).toEqual({ Ref: 'Action62AD07C0' });
    expect(resolve(action.mitigationActionArn)).toEqual({ 'Fn::GetAtt': ['Action62AD07C0', 'MitigationActionArn'] });
    expect(resolve(action.mitigationActionId)).toEqual({ 'Fn::GetAtt': ['Action62AD07C0', 'MitigationActionId'] });
    expect(resolve(action.mitigationActionRef)).toEqual({
      actionName: { Ref: 'Action62AD07C0' },
      mitigationActionArn: { 'Fn::GetAtt': ['Action62AD07C0', 'MitigationActionArn'] },
    });
    expect(action.actionType).toBe(MitigationActionType.PUBLISH_FINDING_TO_SNS);
    expect(resolve(action.role.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ActionRole/), 'Arn'] });
  });

  test('Tags.of() tags the action and its role', () => {
    const stack = newStack();
    const action = new MitigationAction(stack, 'Action', { actionParams: MitigationActionParams.updateCaCertificate() });
    Tags.of(action).add('team', 'security');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::MitigationAction', { Tags: [{ Key: 'team', Value: 'security' }] });
    template.hasResourceProperties('AWS::IAM::Role', { Tags: [{ Key: 'team', Value: 'security' }] });
  });

  test('more than 50 tags fail synthesis, naming the action', () => {
    const stack = newStack();
    const action = new MitigationAction(stack, 'Action', { actionParams: MitigationActionParams.updateCaCertificate() });
    for (let i = 0; i < 51; i++) { Tags.of(action).add(`tag${i}`, 'v'); }
    expectRefused(stack, /^\[Stack\/Action\] a mitigation action takes at most 50 tags, got 51$/);
  });

  test('templates of every action type pass the CloudFormation validator', () => {
    const stack = newStack();
    const group = new iot.CfnThingGroup(stack, 'Group', { thingGroupName: 'quarantine' });
    const topic = new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    new MitigationAction(stack, 'A', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }) });
    new MitigationAction(stack, 'B', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.ERROR }) });
    new MitigationAction(stack, 'C', { actionParams: MitigationActionParams.publishFindingToSns({ topic }) });
    new MitigationAction(stack, 'D', { actionParams: MitigationActionParams.replaceDefaultPolicyVersion() });
    new MitigationAction(stack, 'E', { actionParams: MitigationActionParams.updateCaCertificate() });
    new MitigationAction(stack, 'F', { actionParams: MitigationActionParams.updateDeviceCertificate() });
    expectValidTemplate(stack);
  });
});

describe('a caller\'s role', () => {
  test('is used as given and receives the permissions when it is mutable', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    const action = new MitigationAction(stack, 'Action', { role, actionParams: MitigationActionParams.updateDeviceCertificate() });
    expect(action.role).toBe(role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IoT::MitigationAction', { RoleArn: { 'Fn::GetAtt': ['MineC1B42D3A', 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'iot:UpdateCertificate', Effect: 'Allow', Resource: iotArn('cert/*') }] },
      Roles: [{ Ref: 'MineC1B42D3A' }],
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an imported mutable role gets a policy attached', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Mine', 'arn:aws:iam::123456789012:role/mitigation');
    new MitigationAction(stack, 'Action', { role, actionParams: MitigationActionParams.updateCaCertificate() });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'iot:UpdateCACertificate', Effect: 'Allow', Resource: iotArn('cacert/*') }] },
      Roles: ['mitigation'],
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an immutable role is used as given with a warning naming the permissions it needs', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Mine', 'arn:aws:iam::123456789012:role/mitigation', { mutable: false });
    new MitigationAction(stack, 'Action', {
      role,
      actionParams: MitigationActionParams.addThingsToThingGroup({
        thingGroups: [iot.CfnThingGroup.fromThingGroupName(stack, 'G', 'quarantine')],
      }),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IoT::MitigationAction', { RoleArn: 'arn:aws:iam::123456789012:role/mitigation' });
    Annotations.fromStack(stack).hasWarning('/Stack/Action', Match.stringLikeRegexp(
      'role Stack/Mine is immutable.*ADD_THINGS_TO_THING_GROUP action needs iot:ListPrincipalThings, iot:AddThingToThingGroup'));
  });
});

describe('validation', () => {
  test.each([
    ['a colon (CloudFormation allows it, the IoT API does not)', 'bad:name'],
    ['a space', 'bad name'],
    ['an empty name', ''],
    ['129 characters', 'a'.repeat(129)],
  ])('refuses a mitigationActionName with %s', (_what, name) => {
    const stack = newStack();
    new MitigationAction(stack, 'Action', {
      mitigationActionName: name,
      actionParams: MitigationActionParams.updateCaCertificate(),
    });
    const start = `[Stack/Action] invalid mitigationActionName ${JSON.stringify(name)}: must be 1 to 128 characters from [a-zA-Z0-9_-]`;
    const refusal = expectRefused(stack, start).find((line) => line.startsWith(start))!;
    // Colons are mentioned only for a name with one (a name with a space used to be told about colons).
    expect(refusal.endsWith(' (CloudFormation allows colons, but the AWS IoT API does not)')).toBe(name.includes(':'));
  });

  test('accepts 128 characters, underscores and hyphens', () => {
    const stack = newStack();
    const name = `a_b-${'c'.repeat(124)}`;
    new MitigationAction(stack, 'Action', { mitigationActionName: name, actionParams: MitigationActionParams.updateCaCertificate() });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::MitigationAction', { ActionName: name });
  });

  test('a token skips name validation', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    new MitigationAction(stack, 'Action', { mitigationActionName: name, actionParams: MitigationActionParams.updateCaCertificate() });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::MitigationAction', { ActionName: { Ref: 'Name' } });
  });

  test('refuses a role ARN longer than 2048 characters', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Long', `arn:aws:iam::123456789012:role/${'p/'.repeat(1010)}r`);
    new MitigationAction(stack, 'Action', { role, actionParams: MitigationActionParams.updateCaCertificate() });
    expectRefused(stack, /^\[Stack\/Action\] invalid role.roleArn ".*": must be 20 to 2048 characters long, got 2052$/);
  });

});

describe('importing', () => {
  test('fromMitigationActionName builds the ARN in the stack\'s account and region; the type is unknown', () => {
    const stack = newStack();
    const action = MitigationAction.fromMitigationActionName(stack, 'Imported', 'quarantine');
    expect(action.mitigationActionName).toBe('quarantine');
    expect(stack.resolve(action.mitigationActionArn)).toEqual(iotArn('mitigationaction/quarantine'));
    expect(action.actionType).toBeUndefined();
    expect(action.supportsAuditCheck(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK)).toBe(false);
  });

  test('fromMitigationActionArn takes the name from the ARN', () => {
    const stack = newStack();
    const arn = 'arn:aws:iot:us-east-1:210987654321:mitigationaction/notify';
    const action = MitigationAction.fromMitigationActionArn(stack, 'Imported', arn);
    expect(action.mitigationActionName).toBe('notify');
    expect(action.mitigationActionArn).toBe(arn);
    expect(action.mitigationActionRef).toEqual({ actionName: 'notify', mitigationActionArn: arn });
    expect(action.env).toEqual({ account: '210987654321', region: 'us-east-1' });
  });

  test('fromMitigationActionArn refuses an ARN of another resource type', () => {
    const stack = newStack();
    MitigationAction.fromMitigationActionArn(stack, 'Imported', 'arn:aws:iot:us-east-1:210987654321:thing/notify');
    MitigationAction.fromMitigationActionArn(stack, 'NoArn', 'notify');
    expectRefused(stack,
      '[Stack/Imported] invalid mitigationActionArn "arn:aws:iot:us-east-1:210987654321:thing/notify": '
        + 'expected arn:<partition>:iot:<region>:<account>:mitigationaction/<name>',
      '[Stack/NoArn] invalid mitigationActionArn "notify": expected arn:<partition>:iot:<region>:<account>:mitigationaction/<name>');
  });

  test('fromMitigationActionName refuses a name the API rejects', () => {
    const stack = newStack();
    MitigationAction.fromMitigationActionName(stack, 'Imported', 'a:b');
    expectRefused(stack, '[Stack/Imported] invalid mitigationActionName "a:b": must match [a-zA-Z0-9_-]{1,128}');
  });

  test('fromMitigationActionAttributes carries the type, so audit checks can be verified', () => {
    const stack = newStack();
    const action = MitigationAction.fromMitigationActionAttributes(stack, 'Imported', {
      mitigationActionName: 'deactivate',
      actionType: MitigationActionType.UPDATE_DEVICE_CERTIFICATE,
    });
    expect(action.actionType).toBe(MitigationActionType.UPDATE_DEVICE_CERTIFICATE);
    expect(action.supportsAuditCheck(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK)).toBe(true);
    expect(action.supportsAuditCheck(AuditCheck.LOGGING_DISABLED_CHECK)).toBe(false);
  });

  test.each([
    ['neither', {}],
    ['both', { mitigationActionName: 'a', mitigationActionArn: 'arn:aws:iot:us-east-1:210987654321:mitigationaction/a' }],
  ])('fromMitigationActionAttributes refuses %s of ARN and name', (what, attrs) => {
    const stack = newStack();
    MitigationAction.fromMitigationActionAttributes(stack, 'Imported', attrs);
    expectRefused(stack, `[Stack/Imported] give exactly one of mitigationActionArn and mitigationActionName, got ${what}`);
  });

  test('fromMitigationActionAttributes refuses an unknown action type', () => {
    const stack = newStack();
    MitigationAction.fromMitigationActionAttributes(stack, 'Imported', {
      mitigationActionName: 'a', actionType: 'DELETE_EVERYTHING' as MitigationActionType,
    });
    expectRefused(stack, /^\[Stack\/Imported\] invalid actionType "DELETE_EVERYTHING": must be one of ADD_THINGS_TO_THING_GROUP, .*UPDATE_DEVICE_CERTIFICATE$/);
  });
});

describe('the audit check to mitigation action table', () => {
  const SNS = 'PUBLISH_FINDING_TO_SNS';
  // AWS's table of the mitigation actions each audit check supports, as the IoT emulator (which stands
  // for AWS, apart from the library) holds it: test/emulator/iot-model.ts says where each row comes from.
  const AWS_TABLE = Object.entries(CHECK_ALLOWED_ACTION_TYPES);

  test('AuditCheck has exactly the 17 API check names', () => {
    expect(AWS_TABLE).toHaveLength(17);
    expect(Object.values(AuditCheck).sort()).toEqual(AWS_TABLE.map(([check]) => check).sort());
    for (const [key, value] of Object.entries(AuditCheck)) { expect(key).toBe(value); }
  });

  test('MitigationActionType has exactly the six API action types', () => {
    expect(MITIGATION_ACTION_TYPES).toHaveLength(6);
    expect(Object.values(MitigationActionType).sort()).toEqual([...MITIGATION_ACTION_TYPES].sort());
  });

  test.each(AWS_TABLE)('%s supports %j', (check, types) => {
    expect(MitigationAction.supportedActionTypes(check as AuditCheck)).toEqual(types);
  });

  test.each(AWS_TABLE)('supportsAuditCheck(%s) agrees with the table for every action type', (check, types) => {
    const stack = newStack();
    for (const type of Object.values(MitigationActionType)) {
      const action = MitigationAction.fromMitigationActionAttributes(stack, type, { mitigationActionName: 'a', actionType: type });
      expect(action.supportsAuditCheck(check as AuditCheck)).toBe(types.includes(type));
    }
  });

  test('a defined action answers supportsAuditCheck from its params', () => {
    const stack = newStack();
    const action = new MitigationAction(stack, 'Logging', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.INFO }) });
    expect(action.supportsAuditCheck(AuditCheck.LOGGING_DISABLED_CHECK)).toBe(true);
    expect(action.supportsAuditCheck(AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK)).toBe(false);
  });

  test('the returned list is a copy: changing it does not change the table', () => {
    MitigationAction.supportedActionTypes(AuditCheck.LOGGING_DISABLED_CHECK).push(MitigationActionType.UPDATE_CA_CERTIFICATE);
    expect(MitigationAction.supportedActionTypes(AuditCheck.LOGGING_DISABLED_CHECK)).toEqual([SNS, 'ENABLE_IOT_LOGGING']);
  });

  test('refuses an unknown check, listing the known ones', () => {
    expect(() => MitigationAction.supportedActionTypes('REVOKED_CA_CERT_CHECK' as AuditCheck))
      .toThrow(/unknown audit check "REVOKED_CA_CERT_CHECK": must be one of AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK, .*UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK/);
  });
});

describe('one mitigation action per name per account and region', () => {
  const deactivate = () => MitigationActionParams.updateDeviceCertificate();

  test('two actions with one name in a stack: refused at synth, naming both and the fix', () => {
    // GIVEN
    const stack = newStack();
    new MitigationAction(stack, 'First', { mitigationActionName: 'deactivate', actionParams: deactivate() });
    // WHEN
    new MitigationAction(stack, 'Second', { mitigationActionName: 'deactivate', actionParams: MitigationActionParams.updateCaCertificate() });
    // THEN
    expectRefused(stack,
      '[Stack/Second] mitigationActionName "deactivate" is already the name of Stack/First in account 123456789012 and region eu-west-1; '
      + 'AWS IoT keeps one mitigation action per name in an account and region, so the second deployment would fail: '
      + 'give one of them another mitigationActionName, or leave it out (a name derived from the construct path)');
  });

  test('in two stacks of one environment too; other regions and other apps have their own names', () => {
    const app = new App();
    new MitigationAction(new Stack(app, 'A', { env: ENV }), 'Action', { mitigationActionName: 'deactivate', actionParams: deactivate() });
    new MitigationAction(new Stack(app, 'B', { env: ENV }), 'Action', { mitigationActionName: 'deactivate', actionParams: deactivate() });
    expectRefused(app, /^\[B\/Action\] mitigationActionName "deactivate" is already the name of A\/Action/);

    const other = new App();
    new MitigationAction(new Stack(other, 'A', { env: ENV }), 'Action', { mitigationActionName: 'deactivate', actionParams: deactivate() });
    new MitigationAction(new Stack(other, 'B', { env: { ...ENV, region: 'us-east-1' } }), 'Action', { mitigationActionName: 'deactivate', actionParams: deactivate() });
    expect(() => other.synth()).not.toThrow();
    const third = newStack();
    new MitigationAction(third, 'Action', { mitigationActionName: 'deactivate', actionParams: deactivate() });
    expect(() => Template.fromStack(third)).not.toThrow();
  });

  test('a token name is not compared', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    new MitigationAction(stack, 'First', { mitigationActionName: name, actionParams: deactivate() });
    new MitigationAction(stack, 'Second', { mitigationActionName: name, actionParams: deactivate() });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
