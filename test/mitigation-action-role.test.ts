/**
 * The role a MitigationAction generates is aws-cdk-lib's `iam.Role`, its permissions in one inline
 * policy given to it when it is constructed: these tests pin down that what users apply to roles
 * (permissions boundaries, Role.customizeRoles, tags, grants, later statements, cdk-nag) reaches it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Errors, PermissionsBoundary, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AuditConfiguration, DetectMitigation, LogLevel, MitigationAction, MitigationActionParams } from '../src';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: ENV });
}

function deactivate(scope: Construct, id = 'Action'): MitigationAction {
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

describe('the generated role', () => {
  test('is an iam.Role with the action\'s permissions in its inline Permissions policy, and nothing else', () => {
    const stack = newStack();
    const action = deactivate(stack);
    expect(action.role).toBeInstanceOf(iam.Role);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [{ PolicyName: 'Permissions', PolicyDocument: { Statement: [{ Action: 'iot:UpdateCertificate', Effect: 'Allow', Resource: iotArn('cert/*') }] } }],
    });
  });
});

describe('the generated role takes grants as iam.Role does', () => {
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

  test('managed policies are listed once; inline policies are attached, and a second with the same name is refused', () => {
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
    // aws-cdk-lib's own refusal, a ValidationError as the library's are (thrown when attaching)
    let error: unknown;
    try { action.role.attachInlinePolicy(new iam.Policy(stack, 'Again', { policyName: 'extra' })); } catch (e) { error = e; }
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe('A policy named "extra" is already attached');
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

describe('apps that customize iam.Role', () => {
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

/** The templates, by stack name, of the app `define` builds. */
function templatesOf(define: (app: App) => void): Record<string, any> {
  const app = new App();
  define(app);
  return Object.fromEntries(app.node.children.filter(Stack.isStack).map((s) => [s.stackName, Template.fromStack(s).toJSON()]));
}

/** Every AWS::IAM::Role of the template, by logical id: its PermissionsBoundary. */
function boundaries(template: Record<string, any>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template.Resources as Record<string, any>)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id, r]) => [id, r.Properties.PermissionsBoundary]));
}

const BOUNDARY = 'arn:aws:iam::123456789012:policy/dev-boundary';

describe('what users apply to roles reaches the generated role', () => {
  test.each([
    ['the app', (app: App) => app],
    ['the stack', (app: App) => app.node.findChild('Stack')],
    ['a construct holding the actions', (app: App) => app.node.findChild('Stack').node.findChild('Team')],
  ])('PermissionsBoundary.of(%s).apply() reaches every role under it', (where, target) => {
    const templates = templatesOf((app) => {
      const team = new Construct(newStack(app), 'Team');
      deactivate(team);
      new MitigationAction(team, 'Logging', { actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }) });
      iam.PermissionsBoundary.of(target(app)).apply(iam.ManagedPolicy.fromManagedPolicyArn(app.node.findChild('Stack'), 'Boundary', BOUNDARY));
    });
    const found = boundaries(templates.Stack);
    const roleIds = Object.keys(found);
    // The actions' roles, and the stack's shared logging role, which is not under the construct.
    expect(roleIds).toEqual(expect.arrayContaining([expect.stringMatching(/^TeamActionRole/), expect.stringMatching(/^TeamLoggingRole/),
      expect.stringMatching(/^CdkDeviceDefenderIotLoggingRole/)]));
    for (const id of roleIds) {
      const underTarget = id.startsWith('Team') || where !== 'a construct holding the actions';
      expect([id, found[id]]).toEqual([id, underTarget ? BOUNDARY : undefined]);
    }
  });

  test('a stack\'s permissionsBoundary reaches every role of the stack', () => {
    const templates = templatesOf((app) => {
      const stack = new Stack(app, 'Stack', { env: ENV, permissionsBoundary: PermissionsBoundary.fromName('dev-boundary') });
      deactivate(stack);
    });
    expect(Object.values(boundaries(templates.Stack))).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:policy/dev-boundary']] },
    ]);
  });

  test('Tags.of() tags the role, with the include and exclude filters', () => {
    const templates = templatesOf((app) => {
      const action = deactivate(newStack(app));
      Tags.of(app).add('team', 'security');
      Tags.of(action).add('cost-centre', '42', { includeResourceTypes: ['AWS::IAM::Role'] });
      Tags.of(action).add('iot-only', 'yes', { excludeResourceTypes: ['AWS::IAM::Role'] });
    });
    const template = Template.fromJSON(templates.Stack);
    template.hasResourceProperties('AWS::IAM::Role', { Tags: [{ Key: 'cost-centre', Value: '42' }, { Key: 'team', Value: 'security' }] });
    template.hasResourceProperties('AWS::IoT::MitigationAction', { Tags: [{ Key: 'iot-only', Value: 'yes' }, { Key: 'team', Value: 'security' }] });
  });

  test('grants on the role and to it: grantPassRole, grantAssumeRole, a resource\'s grantX(role), from this stack and another', () => {
    const templates = templatesOf((app) => {
      const stack = newStack(app);
      const role = deactivate(stack).role;
      role.grantPassRole(new iam.User(stack, 'Deployer'));
      role.grantAssumeRole(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
      new sns.Topic(stack, 'Topic').grantPublish(role);
      new sqs.Queue(stack, 'Queue', { enforceSSL: true }).grantSendMessages(role);
      new kms.Key(stack, 'Key', { enableKeyRotation: true }).grantDecrypt(role);
      role.grantPassRole(new iam.User(new Stack(app, 'Other', { env: ENV }), 'OtherDeployer'));
    });
    const template = Template.fromJSON(templates.Stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ActionRole') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'sns:Publish' }),
          Match.objectLike({ Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'] }),
          Match.objectLike({ Action: 'kms:Decrypt' }),
        ],
      },
    });
    Template.fromJSON(templates.Other).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('ActionRole') } }] },
    });
  });

  test('statements, managed and inline policies added later, and what depends on them', () => {
    const templates = templatesOf((app) => {
      const stack = newStack(app);
      const role = deactivate(stack).role;
      const added = role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }));
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
      role.attachInlinePolicy(new iam.Policy(stack, 'Extra', { statements: [new iam.PolicyStatement({ actions: ['sqs:ListQueues'], resources: ['*'] })] }));
      new sns.CfnTopic(stack, 'Dependent').node.addDependency(added.policyDependable!);
    });
    const template = Template.fromJSON(templates.Stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ActionRoleDefaultPolicy'),
      Roles: [{ Ref: Match.stringLikeRegexp('^ActionRole') }],
      PolicyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::bucket/*' }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'sqs:ListQueues', Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^ActionRole') }],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      Policies: [Match.objectLike({ PolicyName: 'Permissions' })],
    });
    template.hasResource('AWS::SNS::Topic', { DependsOn: [Match.stringLikeRegexp('^ActionRoleDefaultPolicy')] });
  });

  test('cdk-nag (AwsSolutions, Serverless): nothing unsuppressed, no unused suppression, and a wildcard added later is reported', () => {
    const findings = () => {
      const app = new App();
      addNagPacks(app);
      const stack = newStack(app);
      iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', BOUNDARY));
      Tags.of(app).add('team', 'security');
      const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true, masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
      const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
      const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
      for (const [id, actionParams] of Object.entries({
        Quarantine: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
        Logging: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
        Notify: MitigationActionParams.publishFindingToSns({ topic }),
        BlankPolicy: MitigationActionParams.replaceDefaultPolicyVersion(),
        DeactivateCa: MitigationActionParams.updateCaCertificate(),
        Deactivate: MitigationActionParams.updateDeviceCertificate(),
      })) {
        queue.grantSendMessages(new MitigationAction(stack, id, { actionParams }).role);
      }
      app.synth();
      const before = { findings: nagFindings(stack), unused: unusedNagSuppressions(stack) };
      const later = new App();
      addNagPacks(later);
      deactivate(newStack(later)).role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
      later.synth();
      return { ...before, later: nagFindings(later.node.findChild('Stack') as Stack) };
    };
    const found = findings();
    expect(found.findings.filter((f) => !/^\/Stack\/(Topic|Key|Queue)\//.test(f))).toEqual([]);
    expect(found.unused).toEqual([]);
    expect(found.later).toEqual([expect.stringMatching(/^\/Stack\/Action\/Role\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/)]);
  });
});

describe('with iam.Role.customizeRoles(), every role is in the policy report', () => {
  /** The app's iam-policy-report.json: each role's path, precreated name and identity statements. */
  function policyReport(app: App): Array<{ roleConstructPath: string; roleName: string; missing: boolean; identityPolicyStatements: unknown[] }> {
    return JSON.parse(fs.readFileSync(path.join(app.synth().directory, 'iam-policy-report.json'), 'utf-8')).roles;
  }

  test('the generated role: its precreated name, its permissions and those added later; no role synthesized', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'customized-roles-')) });
    iam.Role.customizeRoles(app, { usePrecreatedRoles: { 'Stack/Action/Role': 'precreated-action-role' } });
    const stack = newStack(app);
    const role = deactivate(stack).role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 0);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
    expect(policyReport(app)).toEqual([expect.objectContaining({
      roleConstructPath: 'Stack/Action/Role',
      roleName: 'precreated-action-role',
      missing: false,
      identityPolicyStatements: [
        { Action: 'iot:UpdateCertificate', Effect: 'Allow', Resource: 'arn:(PARTITION):iot:eu-west-1:123456789012:cert/*' },
        { Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::bucket/*' },
      ],
    })]);
  });

  test('a generated role without a precreated name is an error on the role, naming its path', () => {
    const app = new App();
    iam.Role.customizeRoles(app);
    const stack = newStack(app);
    deactivate(stack);
    Annotations.fromStack(stack).hasError('/Stack/Action/Role', Match.stringLikeRegexp('^IAM Role is being created at path "Stack/Action/Role"'));
  });

  test('a role the library defines for AWS IoT to publish with (AuditConfiguration\'s notification role)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'customized-roles-')) });
    iam.Role.customizeRoles(app, { preventSynthesis: false });
    const stack = newStack(app);
    new AuditConfiguration(stack, 'Audit', { notificationTopic: new sns.Topic(stack, 'Audits') });
    const notification = policyReport(app).find((r) => r.roleConstructPath === 'Stack/Audit/NotificationRole');
    expect(notification?.identityPolicyStatements).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', Resource: '(Stack/Audits/Resource.Ref)' }]);
  });

  test('a Lambda function\'s role the library defines (DetectMitigation\'s handler), with what aws-cdk-lib grants it as the function is built', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'customized-roles-')) });
    iam.Role.customizeRoles(app, { preventSynthesis: false });
    const stack = newStack(app);
    const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
    const quarantine = new MitigationAction(stack, 'Quarantine', { actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }) });
    const profile = new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' });
    new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
    const handler = policyReport(app).find((r) => r.roleConstructPath === 'Stack/Detect/HandlerRole');
    expect(handler?.identityPolicyStatements).toEqual(expect.arrayContaining([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: '(Stack/Detect/HandlerLogs/Resource.Arn)' },
      expect.objectContaining({ Action: expect.arrayContaining(['iot:StartDetectMitigationActionsTask']), Resource: '*' }),
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:ReceiveMessage']) }),
    ]));
  });
});
