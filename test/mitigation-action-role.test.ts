/**
 * The role a MitigationAction generates is written straight to an `iam.CfnRole` (one per action,
 * the synth hot path): these tests pin down that users still get an `iam.IRole` that behaves as
 * aws-cdk-lib's `iam.Role` does, and that apps whose roles only the L2 role serves still get it.
 */
import { App, Aspects, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MitigationAction, MitigationActionParams } from '../src';
import { expectRefused } from './util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: ENV });
}

function deactivate(scope: Stack, id = 'Action'): MitigationAction {
  return new MitigationAction(scope, id, { actionParams: MitigationActionParams.updateDeviceCertificate() });
}

/** `arn:${AWS::Partition}:iot:eu-west-1:123456789012:<suffix>` as the template renders it. */
function iotArn(suffix: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:eu-west-1:123456789012:${suffix}`]] };
}

/** The logical id of the only resource of `type` whose id starts with `prefix`. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('the generated role costs little to synthesize', () => {
  test('its trust policy and inline policy are JSON when the action is constructed, not documents resolved at synth', () => {
    const action = deactivate(newStack());
    const cfnRole = action.role.node.defaultChild as iam.CfnRole;
    expect(Token.isUnresolved(cfnRole.assumeRolePolicyDocument)).toBe(false);
    const policies = cfnRole.policies as iam.CfnRole.PolicyProperty[];
    expect(policies).toHaveLength(1);
    expect(Token.isUnresolved(policies[0].policyDocument)).toBe(false);
    expect(policies[0].policyDocument).toEqual({
      Statement: [{ Action: 'iot:UpdateCertificate', Effect: 'Allow', Resource: expect.any(String) }],
      Version: '2012-10-17',
    });
  });

  test('it adds no aspect', () => {
    const action = deactivate(newStack());
    expect(Aspects.of(action.role).all).toEqual([]);
  });
});

describe('the generated role is an iam.IRole that takes grants as iam.Role does', () => {
  test('statements added after construction go to a DefaultPolicy attached to the role, which dependents wait for', () => {
    // GIVEN
    const stack = newStack();
    const action = deactivate(stack);
    // WHEN
    action.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const result = action.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['*'] }));
    const dependent = new sns.CfnTopic(stack, 'Dependent');
    dependent.node.addDependency(result.policyDependable!);
    // THEN
    expect(result.statementAdded).toBe(true);
    const template = Template.fromStack(stack);
    const roleId = logicalId(template, 'AWS::IAM::Role', 'ActionRole');
    const policyId = logicalId(template, 'AWS::IAM::Policy', 'ActionRoleDefaultPolicy');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: policyId,
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          { Action: 's3:GetObject', Effect: 'Allow', Resource: '*' },
          { Action: 's3:PutObject', Effect: 'Allow', Resource: '*' },
        ],
      },
    });
    template.hasResource('AWS::SNS::Topic', { DependsOn: [policyId] });
    // The role's own permissions stay in its inline policy.
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [{ PolicyName: 'Permissions', PolicyDocument: { Statement: [Match.objectLike({ Action: 'iot:UpdateCertificate' })] } }],
    });
  });

  test('grant, grantPassRole and grantAssumeRole give other principals permissions on the role', () => {
    // GIVEN
    const stack = newStack();
    const action = deactivate(stack);
    const user = new iam.User(stack, 'User');
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN
    action.role.grantPassRole(user);
    action.role.grant(user, 'iam:GetRole');
    action.role.grantAssumeRole(other);
    // THEN
    const template = Template.fromStack(stack);
    const roleArn = { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'ActionRole'), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Users: [{ Ref: logicalId(template, 'AWS::IAM::User', 'User') }],
      PolicyDocument: {
        Statement: [
          { Action: 'iam:PassRole', Effect: 'Allow', Resource: roleArn },
          { Action: 'iam:GetRole', Effect: 'Allow', Resource: roleArn },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', 'Other') }],
      PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: roleArn }] },
    });
  });

  test('grantAssumeRole refuses a service principal, as iam.Role does', () => {
    const action = deactivate(newStack());
    expect(() => action.role.grantAssumeRole(new iam.ServicePrincipal('lambda.amazonaws.com'))).toThrow(/service or account principal/);
  });

  test('a resource grant (topic.grantPublish) lands in the role\'s DefaultPolicy', () => {
    const stack = newStack();
    const action = deactivate(stack);
    const topic = new sns.Topic(stack, 'Topic');
    topic.grantPublish(action.role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ActionRole') }],
      PolicyDocument: { Statement: [{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^Topic') } }] },
    });
  });

  test('managed policies are listed once; inline policies are attached, and two with the same name are refused', () => {
    // GIVEN
    const stack = newStack();
    const action = deactivate(stack);
    const readOnly = iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess');
    // WHEN
    action.role.addManagedPolicy(readOnly);
    action.role.addManagedPolicy(readOnly);
    action.role.attachInlinePolicy(new iam.Policy(stack, 'Extra', {
      policyName: 'extra',
      statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })],
    }));
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
    });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyName: 'extra', Roles: [{ Ref: logicalId(template, 'AWS::IAM::Role', 'ActionRole') }] });
    action.role.attachInlinePolicy(new iam.Policy(stack, 'Again', { policyName: 'extra' }));
    expectRefused(stack, /^\[Stack\/Action\/Role\] invalid policy Stack\/Again: a policy named "extra" is already attached$/);
  });

  test('its name and ARN can be referenced from another stack', () => {
    // GIVEN
    const app = new App();
    const action = deactivate(newStack(app));
    const consumer = new Stack(app, 'Consumer', { env: ENV });
    // WHEN
    new sns.CfnTopic(consumer, 'Topic', { topicName: action.role.roleName, displayName: action.role.roleArn });
    // THEN
    Template.fromStack(consumer).hasResourceProperties('AWS::SNS::Topic', {
      TopicName: { 'Fn::ImportValue': Match.stringLikeRegexp('ActionRole') },
      DisplayName: { 'Fn::ImportValue': Match.stringLikeRegexp('ActionRole') },
    });
  });

  test('its ARN cannot be referenced from another environment (the role has no physical name), as with iam.Role', () => {
    const app = new App();
    const action = deactivate(newStack(app));
    const far = new Stack(app, 'Far', { env: { account: '210987654321', region: 'us-east-1' } });
    new sns.CfnTopic(far, 'Topic', { displayName: action.role.roleArn });
    expect(() => app.synth()).toThrow(/cross-environment/);
  });

  test('the action references the role by its ARN, and the role\'s removal policy applies to its CfnRole', () => {
    const stack = newStack();
    const action = deactivate(stack);
    action.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const template = Template.fromStack(stack);
    const roleId = logicalId(template, 'AWS::IAM::Role', 'ActionRole');
    template.hasResourceProperties('AWS::IoT::MitigationAction', { RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    template.hasResource('AWS::IAM::Role', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('apps whose roles only aws-cdk-lib\'s iam.Role serves get it', () => {
  test('with iam.Role.customizeRoles(), the action\'s role is not synthesized and the precreated role is used', () => {
    // GIVEN
    const app = new App();
    iam.Role.customizeRoles(app, { usePrecreatedRoles: { 'Stack/Action/Role': 'precreated-action-role' } });
    const stack = newStack(app);
    // WHEN
    deactivate(stack);
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::IoT::MitigationAction', {
      RoleArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/precreated-action-role']] },
    });
  });

  test('a property injector for iam.Role applies to the action\'s role', () => {
    // GIVEN
    const app = new App({
      propertyInjectors: [{
        constructUniqueId: iam.Role.PROPERTY_INJECTION_ID,
        inject: (props: iam.RoleProps) => ({ ...props, maxSessionDuration: Duration.hours(2) }),
      }],
    });
    // WHEN
    deactivate(newStack(app));
    // THEN
    Template.fromStack(Stack.of(app.node.findChild('Stack'))).hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 7200 });
  });

  test('with the minimizePolicies flag, the role\'s inline policy is merged and sorted as iam.PolicyDocument does', () => {
    // GIVEN
    const app = new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': true } });
    const stack = newStack(app);
    const groups = ['z-group', 'a-group'].map((name) => iot.CfnThingGroup.fromThingGroupName(stack, name, name));
    // WHEN
    new MitigationAction(stack, 'Quarantine', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: groups }) });
    // THEN the resources are sorted (without the flag they keep the order of the groups, then thing/*)
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Policies: [{
        PolicyName: 'Permissions',
        PolicyDocument: {
          Statement: [
            { Action: 'iot:ListPrincipalThings', Effect: 'Allow', Resource: iotArn('cert/*') },
            {
              Action: 'iot:AddThingToThingGroup',
              Effect: 'Allow',
              Resource: [iotArn('thing/*'), iotArn('thinggroup/a-group'), iotArn('thinggroup/z-group')],
            },
          ],
        },
      }],
    });
  });
});
