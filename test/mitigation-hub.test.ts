import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditConfiguration, MitigationAction, MitigationActionParams, MitigationHub, MitigationHubProps, MitigationSpoke,
} from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';
import { HUB_ENV } from '../src/contract/environment';
import { HUB_QUEUE_NAME, hubRoleName } from '../src/contract/organization';

const ENV = { account: '111111111111', region: 'eu-central-1' };
const A = '222222222222';
const B = '333333333333';
const ORG = 'o-abcdefghij';
const inPartition = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

function hubStack(props: MitigationHubProps, app = new App()): { app: App; stack: Stack; hub: MitigationHub } {
  const stack = new Stack(app, 'HubStack', { env: ENV });
  const hub = new MitigationHub(stack, 'Hub', props);
  return { app, stack, hub };
}

/** The policy statements of the hub function's role (`fn`: the audit function's, or the task follower's). */
function roleStatements(stack: Stack, fn: 'audit' | 'follower' = 'audit'): any[] {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { RoleName: hubRoleName(fn, ENV.region) } });
  expect(Object.keys(roles)).toHaveLength(1);
  const role: any = Object.values(roles)[0];
  return role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
}

describe('the queue the spokes deliver to', () => {
  test('is named for the spokes, encrypted (SSE-SQS), with a dead-letter queue, read with batch item failures', () => {
    const { stack } = hubStack({ accounts: [A, B] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: HUB_QUEUE_NAME,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HubDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HubQueue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test.each([
    ['an account list', { accounts: [A, B] }, { 'aws:SourceAccount': [A, B] }],
    ['an organization', { organizationId: ORG }, { 'aws:SourceOrgID': ORG }],
  ])('with %s, only SNS topics of its accounts may send; anything that is not a topic\'s delivery is denied; no TLS, no access', (_what, props, bound) => {
    const { stack } = hubStack(props);
    const policies = Template.fromStack(stack).findResources('AWS::SQS::QueuePolicy', {
      Properties: { Queues: [{ Ref: Match.stringLikeRegexp('^HubQueue') }] },
    });
    const statements = (Object.values(policies)[0] as any).Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Sid: 'SpokeTopicsDeliver',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnLike: { 'aws:SourceArn': inPartition(':sns:*:*:*') }, StringEquals: bound },
      }),
      expect.objectContaining({
        Sid: 'OnlySnsTopicsSend', Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Condition: { ArnNotLike: { 'aws:SourceArn': inPartition(':sns:*:*:*') } },
      }),
    ]);
  });
});

describe('the hub function\'s role', () => {
  test('is named hubRoleName(\'audit\', region), without a path, as the spokes\' trust names it', () => {
    const { stack, hub } = hubStack({ accounts: [A] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { RoleName: 'cdk-device-defender-hub-audit-eu-central-1', Path: Match.absent() });
    expect(stack.resolve(hub.hubAuditRoleArn)).toEqual(inPartition(`:iam::${ENV.account}:role/cdk-device-defender-hub-audit-eu-central-1`));
  });

  test('with an account list: assumes spoke roles and confirms topics of those accounts only; nothing in AWS IoT, nothing else on *', () => {
    const { stack } = hubStack({ accounts: [A, B], spokeRoleName: 'dd-spoke' });
    const statements = roleStatements(stack);
    expect(statements).toContainEqual({
      Action: 'sts:AssumeRole', Effect: 'Allow', Resource: [inPartition(`:iam::${A}:role/dd-spoke-*`), inPartition(`:iam::${B}:role/dd-spoke-*`)],
    });
    expect(statements).toContainEqual({
      Action: 'sns:ConfirmSubscription', Effect: 'Allow', Resource: [inPartition(`:sns:*:${A}:*`), inPartition(`:sns:*:${B}:*`)],
    });
    // The registry: the hub's own table.
    expect(statements).toContainEqual({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'], Effect: 'Allow', Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^HubRegistry/), 'Arn'] }],
    });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('iot:'))).toEqual([]);
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([['xray:PutTraceSegments', 'xray:PutTelemetryRecords']]);
  });

  test('with an organization: any account\'s spoke role and topic, only in the organization (aws:ResourceOrgID)', () => {
    const { stack } = hubStack({ organizationId: ORG });
    const statements = roleStatements(stack);
    expect(statements).toContainEqual({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Resource: inPartition(':iam::*:role/cdk-device-defender-spoke-*'),
      Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
    });
    expect(statements).toContainEqual({
      Action: 'sns:ConfirmSubscription', Effect: 'Allow', Resource: inPartition(':sns:*:*:*'), Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
    });
  });
});

describe('the function, the registry and the reconciler', () => {
  test('the function is told the registry, the members, the spoke role name, its name and lookback; the registry keeps its spokes', () => {
    const { stack } = hubStack({ accounts: [A], reconcileInterval: Duration.minutes(30), reconcileLookback: Duration.hours(12) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [HUB_ENV.REGISTRY_TABLE]: { Ref: Match.stringLikeRegexp('^HubRegistry') },
          [HUB_ENV.ACCOUNTS]: JSON.stringify([A]),
          [HUB_ENV.SPOKE_ROLE_NAME]: 'cdk-device-defender-spoke',
          [HUB_ENV.MITIGATION]: 'HubStack/Hub',
          [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: '12',
        }),
      },
      Timeout: 300,
    });
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'spoke', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    // Reconciler runs that fail every retry land in the dead-letter queue too.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HubDeadLetterQueue'), 'Arn'] } } },
    });
  });

  test('securityHub.enableIntegration: the audit function is told to turn the integration on in the spokes, with their roles: its own role gets nothing', () => {
    const audit = (props: MitigationHubProps) => {
      const { stack } = hubStack(props);
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: Match.objectLike({ [HUB_ENV.REGISTRY_TABLE]: Match.anyValue() }) } },
      });
      expect(Object.keys(functions)).toHaveLength(1);
      return { variables: (Object.values(functions)[0] as any).Properties.Environment.Variables, statements: roleStatements(stack) };
    };
    const on = audit({ accounts: [A], securityHub: { enableIntegration: true } });
    expect(on.variables[HUB_ENV.SECURITY_HUB_INTEGRATION]).toBe('true');
    expect(JSON.stringify(on.statements)).not.toMatch(/securityhub:|iot:/);
    for (const props of [{ accounts: [A] }, { accounts: [A], securityHub: {} }, { accounts: [A], securityHub: { enableIntegration: false } }]) {
      const off = audit(props);
      expect(off.variables[HUB_ENV.SECURITY_HUB_INTEGRATION]).toBeUndefined();
      expect(off.statements).toEqual(on.statements);
    }
  });

  test('no stack task follower in the hub\'s stack (its tasks run in the spokes\' accounts: its own follows them); the dead-letter, '
    + 'permanent-failure, executions-failed and checks-excluded alarms', () => {
    const { stack, hub } = hubStack({ organizationId: ORG });
    expect(stack.node.tryFindChild('CdkDeviceDefenderTaskFollower')).toBeUndefined();
    const alarms = [hub.deadLetterAlarm, hub.permanentFailureAlarm, hub.executionsFailedAlarm, hub.checksExcludedAlarm];
    expect(alarms.every((a) => a !== undefined)).toBe(true);
    // The executions-failed alarm watches the metric the hub's follower emits, across its spokes.
    expect(stack.resolve(hub.executionsFailedAlarm!.metric)).toMatchObject({ metricName: 'ExecutionsFailed', dimensions: { Mitigation: 'HubStack/Hub' } });
    const withoutAlarms = hubStack({ organizationId: ORG, alarms: false }).hub;
    expect([withoutAlarms.executionsFailedAlarm, withoutAlarms.checksExcludedAlarm]).toEqual([undefined, undefined]);
    expect(stack.resolve(hub.metricForSpoke('TasksStarted', A, 'eu-west-1').dimensions)).toEqual({ Mitigation: 'HubStack/Hub', Account: A, Region: 'eu-west-1' });
  });
});

describe('the task follower', () => {
  test('its role is named hubRoleName(\'follower\', region), without a path: the ARN the spokes trust (hubFollowerRoleArn)', () => {
    const { stack, hub } = hubStack({ accounts: [A] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-device-defender-hub-follower-eu-central-1',
      Path: Match.absent(),
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
    });
    expect(stack.resolve(hub.hubFollowerRoleArn)).toEqual(inPartition(`:iam::${ENV.account}:role/cdk-device-defender-hub-follower-eu-central-1`));
  });

  test.each([
    ['an account list', { accounts: [A, B], spokeRoleName: 'dd-spoke' } as MitigationHubProps,
      { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: [inPartition(`:iam::${A}:role/dd-spoke-*`), inPartition(`:iam::${B}:role/dd-spoke-*`)] }],
    ['an organization', { organizationId: ORG } as MitigationHubProps, {
      Action: 'sts:AssumeRole', Effect: 'Allow', Resource: inPartition(':iam::*:role/cdk-device-defender-spoke-*'), Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
    }],
  ])('with %s, its role may assume the spokes\' roles as the audit role may, read the ledger\'s active index, update its entries; nothing else', (_what, props, assume) => {
    const { stack } = hubStack(props);
    const statements = roleStatements(stack, 'follower');
    const ledger = { 'Fn::GetAtt': [expect.stringMatching(/^HubTaskLedger/), 'Arn'] };
    expect(statements).toEqual(expect.arrayContaining([
      assume,
      { Action: 'dynamodb:Scan', Effect: 'Allow', Resource: { 'Fn::Join': ['', [ledger, '/index/active']] } },
      { Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: ledger },
    ]));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'sts:AssumeRole' }));
    // Least privilege: nothing in AWS IoT (it reads the tasks with the spokes' roles), no confirmation, no other table action, * only for traces.
    const actions = statements.flatMap((st) => [st.Action].flat());
    expect(actions.filter((a: string) => /^(iot|sns|ssm):/.test(a))).toEqual([]);
    expect(actions.filter((a: string) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:Scan', 'dynamodb:UpdateItem']);
    expect(statements.filter((st) => st.Resource === '*').map((st) => st.Action)).toEqual([['xray:PutTraceSegments', 'xray:PutTelemetryRecords']]);
    expect(actions).toContain('events:PutEvents');
    // The audit role records tasks only: a conditional put on the ledger, nothing on its index.
    expect(roleStatements(stack).filter((st) => JSON.stringify(st.Resource).includes('HubTaskLedger'))).toEqual([
      { Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: ledger },
    ]);
  });

  test('it runs every 5 minutes, told the ledger, the spoke role name, the hub\'s name, report topic and bus; the ledger expires its items and indexes the active ones', () => {
    const app = new App();
    const stack = new Stack(app, 'HubStack', { env: ENV });
    const reportTopic = new sns.Topic(stack, 'Reports', { enforceSSL: true });
    const eventBus = new events.EventBus(stack, 'Bus');
    new MitigationHub(stack, 'Hub', { accounts: [A], spokeRoleName: 'dd-spoke', reportTopic, eventBus });
    const template = Template.fromStack(stack);
    const followers = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ [HUB_ENV.TASK_LEDGER_TABLE]: Match.anyValue() }) } } });
    const follower = Object.entries(followers).find(([id]) => id.startsWith('HubTaskFollower'));
    expect(follower?.[1]).toMatchObject({
      Properties: {
        Timeout: 300,
        Environment: {
          Variables: {
            [HUB_ENV.TASK_LEDGER_TABLE]: { Ref: expect.stringMatching(/^HubTaskLedger/) },
            [HUB_ENV.SPOKE_ROLE_NAME]: 'dd-spoke',
            [HUB_ENV.MITIGATION]: 'HubStack/Hub',
            [HUB_ENV.REPORT_TOPIC_ARN]: { Ref: expect.stringMatching(/^Reports/) },
            [HUB_ENV.EVENT_BUS]: { 'Fn::GetAtt': [expect.stringMatching(/^Bus/), 'Arn'] },
          },
        },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [follower![0], 'Arn'] } })],
    });
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'task', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [{ IndexName: 'active', KeySchema: [{ AttributeName: 'activeIn', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      },
    });
    // The audit function records in the same ledger.
    const ledgerRef = follower![1].Properties.Environment.Variables[HUB_ENV.TASK_LEDGER_TABLE];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [HUB_ENV.REGISTRY_TABLE]: Match.anyValue(), [HUB_ENV.TASK_LEDGER_TABLE]: ledgerRef }) },
    });
    // cdk-nag and the CloudFormation validator with a report topic and a bus too.
    addNagPacks(app);
    app.synth();
    expect(nagFindings(stack)).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });
});

describe('securityHub', () => {
  test('the follower is told to update the spokes\' findings, which it does with the spokes\' roles: no Security Hub permission in the hub', () => {
    const { stack } = hubStack({ accounts: [A], securityHub: {} });
    const template = Template.fromStack(stack);
    const followers = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ [HUB_ENV.TASK_LEDGER_TABLE]: Match.anyValue() }) } } });
    const follower = Object.entries(followers).find(([id]) => id.startsWith('HubTaskFollower'))!;
    expect(follower[1].Properties.Environment.Variables[HUB_ENV.SECURITY_HUB]).toBe('true');
    expect(JSON.stringify(roleStatements(stack, 'follower'))).not.toContain('securityhub');
    expect(JSON.stringify(roleStatements(stack, 'audit'))).not.toContain('securityhub');
    const without = hubStack({ accounts: [A] });
    expect(JSON.stringify(Template.fromStack(without.stack).toJSON())).not.toContain(HUB_ENV.SECURITY_HUB);
  });
});

describe('a spoke takes the hub', () => {
  test('the hub\'s own attributes equal fromHubAttributes\' and are derived: a spoke in another stack of the app references nothing of the hub\'s stack', () => {
    const { app, hub } = hubStack({ organizationId: ORG, spokeRoleName: 'dd-spoke' });
    const spokeStack = new Stack(app, 'SpokeStack', { env: { account: A, region: 'eu-west-1' } });
    const imported = MitigationHub.fromHubAttributes(spokeStack, 'Hub', { account: ENV.account, region: ENV.region, organizationId: ORG, spokeRoleName: 'dd-spoke' });
    for (const attr of ['hubAccount', 'hubRegion', 'organizationId', 'spokeRoleName', 'hubQueueArn', 'hubAuditRoleArn', 'hubFollowerRoleArn'] as const) {
      expect([attr, spokeStack.resolve(hub[attr])]).toEqual([attr, spokeStack.resolve(imported[attr])]);
    }
    const action = new MitigationAction(spokeStack, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
    const spoke = new MitigationSpoke(spokeStack, 'Spoke', { hub, rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [action] }] });
    new AuditConfiguration(spokeStack, 'Audit', { checks: [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK], mitigation: spoke });
    const text = JSON.stringify(Template.fromStack(spokeStack).toJSON());
    expect(text).not.toMatch(/Fn::ImportValue|HubStack/);
    expect(app.synth().getStackByName('SpokeStack').dependencies.map((d) => d.id)).not.toContain('HubStack');
  });
});

describe('checks', () => {
  test('cdk-nag (AwsSolutions, Serverless) and the CloudFormation validator find nothing, and every suppression is used', () => {
    for (const props of [{ accounts: [A, B] }, { organizationId: ORG }]) {
      const app = new App();
      addNagPacks(app);
      const { stack } = hubStack({ ...props, reportTopic: undefined }, app);
      app.synth();
      expect(nagFindings(stack)).toEqual([]);
      expect(unusedNagSuppressions(stack)).toEqual([]);
      expectValidTemplate(stack, lambdaRoleDependsOn(stack));
    }
  });

  test.each<[string, MitigationHubProps, RegExp]>([
    ['neither organizationId nor accounts', {}, /give exactly one of organizationId and accounts \(got neither\)/],
    ['both', { organizationId: ORG, accounts: [A] }, /give exactly one of organizationId and accounts \(got both\)/],
    ['an empty account list', { accounts: [] }, /invalid accounts \[\]: must list 1 to 50 account ids \(got 0\)/],
    ['too many accounts', { accounts: Array.from({ length: 51 }, (_, i) => String(100000000000 + i)) }, /must list 1 to 50 account ids \(got 51\); for more, use organizationId/],
    ['an account that is not an account id', { accounts: [A, '1234'] }, /invalid accounts "1234": each must be an AWS account id, 12 digits/],
    ['an account twice', { accounts: [A, A] }, /invalid accounts .*must not list an account twice/],
    ['an organization id that is not one', { organizationId: 'org-1' }, /invalid organizationId "org-1": must be an AWS Organizations organization id/],
    ['a spoke role name too long for a region', { organizationId: ORG, spokeRoleName: 'x'.repeat(49) }, /invalid spokeRoleName "x{49}": must be 1 to 48 characters/],
    ['a per-spoke metric the hub does not emit per spoke', { organizationId: ORG }, /invalid metricName "TasksStopped": the functions emit only TasksStarted, .* per spoke/],
    ['a reconcile interval of seconds', { organizationId: ORG, reconcileInterval: Duration.seconds(90) }, /invalid reconcileInterval "1 minute 30 seconds"/],
  ])('refuses %s', (what, props, message) => {
    const { stack, hub } = hubStack(props);
    if (what.includes('metric')) { hub.metricForSpoke('TasksStopped', A, 'eu-west-1'); }
    expectRefused(stack, message);
  });
});
