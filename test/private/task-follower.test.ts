import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditMitigation, AuditMitigationTarget, AuditMitigationTask, DetectMitigation, MitigationAction, MitigationActionParams,
} from '../../src';
import { FollowedMitigation } from '../../src/contract/environment';
import { expectValidTemplate, lambdaRoleDependsOn } from '../util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from '../util/nag';
import { expectRefused } from '../util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** A stack with one AuditMitigation, one DetectMitigation and one AuditMitigationTask. */
function everyMitigation(app = new App()) {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const reports = sns.Topic.fromTopicArn(stack, 'Reports', 'arn:aws:sns:eu-west-1:123456789012:reports');
  const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
  const quarantine = new MitigationAction(stack, 'Quarantine', {
    mitigationActionName: 'quarantine', actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
  });
  const rules = [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [quarantine] }];
  const audit = new AuditMitigation(stack, 'Audit', { rules, reportTopic: reports });
  const detect = new DetectMitigation(stack, 'Detect', {
    securityProfile: new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' }), actions: [quarantine],
  });
  const task = new AuditMitigationTask(stack, 'Task', { target: AuditMitigationTarget.findings(['f-1']), rules });
  return { stack, audit, detect, task };
}

/** The follower's FOLLOWED list as the function gets it, each physical id (a Ref) rendered as `physicalId`. */
function followedList(template: Template, physicalId = 'ddabcdef0123:2'): string {
  const joined = followerFunction(template).Properties.Environment.Variables.TASK_FOLLOWER_FOLLOWED['Fn::Join'];
  return joined[1].map((part: unknown) => (typeof part === 'string' ? part : physicalId)).join(joined[0]);
}

function followerFunction(template: Template): any {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: Match.objectLike({ TASK_FOLLOWER_TABLE_NAME: Match.anyValue() }) } },
  }));
  return fn;
}

describe('task follower', () => {
  test('one per stack follows every mitigation construct: by task id prefix, and an AuditMitigationTask by its physical id', () => {
    const { stack, audit, detect } = everyMitigation();
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Environment?.Variables?.TASK_FOLLOWER_FOLLOWED !== undefined);
    expect(functions).toHaveLength(1);
    const followed = stack.resolve(functions[0].Properties.Environment.Variables.TASK_FOLLOWER_FOLLOWED);
    // The physical id is a Ref, so the list is rendered with Fn::Join: check its parts.
    const text = JSON.stringify(followed);
    const env = (name: string, construct: 'audit' | 'detect') => {
      const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f).includes(`${construct === 'audit' ? 'AUDIT' : 'DETECT'}_MITIGATION_TASK_ID_PREFIX`));
      return fn!.Properties.Environment.Variables[name];
    };
    const auditPrefix = env('AUDIT_MITIGATION_TASK_ID_PREFIX', 'audit');
    const detectPrefix = env('DETECT_MITIGATION_TASK_ID_PREFIX', 'detect');
    expect(text).toContain(JSON.stringify({ mitigation: audit.node.path, kind: 'audit', taskIdPrefix: auditPrefix, reportTopicArn: 'arn:aws:sns:eu-west-1:123456789012:reports' }).slice(1, -1).replace(/"/g, '\\"'));
    expect(text).toContain(JSON.stringify({ mitigation: detect.node.path, kind: 'detect', taskIdPrefix: detectPrefix }).slice(1, -1).replace(/"/g, '\\"'));
    const taskResource = Object.keys(template.findResources('Custom::IotMitigationAuditTask'))[0];
    expect(text).toContain(`{"Ref":"${taskResource}"}`);
    expect(text).toContain('\\"mitigation\\":\\"Stack/Task\\",\\"kind\\":\\"audit\\",\\"physicalResourceId\\":\\"');
  });

  test('the FOLLOWED list parses to FollowedMitigation entries once the physical id is known', () => {
    const { stack } = everyMitigation();
    const entries: FollowedMitigation[] = JSON.parse(followedList(Template.fromStack(stack)));
    expect(entries.map((e) => [e.mitigation, e.kind, e.taskIdPrefix !== undefined, e.physicalResourceId])).toEqual([
      ['Stack/Audit', 'audit', true, undefined],
      ['Stack/Detect', 'detect', true, undefined],
      ['Stack/Task', 'audit', false, 'ddabcdef0123:2'],
    ]);
  });

  test('runs every 5 minutes; its ledger is on demand, with TTL and point-in-time recovery, and goes with the stack', () => {
    const { stack } = everyMitigation();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdkDeviceDefenderTaskFollowerHandler'), 'Arn'] } })],
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [{ AttributeName: 'taskId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  test('its role reads tasks, writes only its ledger, publishes only to the report topics and puts only cdk-device-defender events', () => {
    const { stack } = everyMitigation();
    const template = Template.fromStack(stack);
    const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('task follower') } }));
    const statements = role.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Action: [
        'iot:ListAuditMitigationActionsTasks', 'iot:DescribeAuditMitigationActionsTask', 'iot:ListAuditMitigationActionsExecutions',
        'iot:ListAuditFindings', 'iot:DescribeAuditFinding', 'iot:ListDetectMitigationActionsTasks',
        'iot:DescribeDetectMitigationActionsTask', 'iot:ListDetectMitigationActionsExecutions',
      ],
      Effect: 'Allow',
      Resource: '*',
    });
    expect(statements).toContainEqual({
      Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Effect: 'Allow',
      Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^CdkDeviceDefenderTaskFollowerLedger/), 'Arn'] }],
    });
    expect(statements).toContainEqual({
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'events:source': 'cdk-device-defender' } },
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']] },
    });
    const all = JSON.stringify(template.toJSON());
    expect(all).toContain('"Action":"sns:Publish","Effect":"Allow","Resource":"arn:aws:sns:eu-west-1:123456789012:reports"');
    expect(JSON.stringify(statements)).not.toMatch(/iot:Start|iot:Cancel|iot:Update|dynamodb:\*|dynamodb:Scan/);
  });

  test('securityHub: the follower updates that construct\'s findings; its role may read and note this region\'s findings, set no status but NOTIFIED', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, audit } = everyMitigation(app);
    const actions = audit.node.scope!.node.findAll().filter((c): c is MitigationAction => c instanceof MitigationAction);
    const rules = [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions }];
    const secured = new AuditMitigation(stack, 'Secured', { rules, securityHub: {} });
    new AuditMitigation(stack, 'SecuredToo', { rules, securityHub: { enableIntegration: false } });
    new AuditMitigationTask(stack, 'SecuredTask', { target: AuditMitigationTarget.findings(['f-2']), rules, securityHub: {} });
    app.synth();
    const template = Template.fromStack(stack);
    const fn = followerFunction(template);
    const entries: FollowedMitigation[] = JSON.parse(followedList(template));
    expect(entries.filter((e) => e.securityHub).map((e) => e.mitigation)).toEqual([secured.node.path, 'Stack/SecuredToo', 'Stack/SecuredTask']);
    expect(entries.find((e) => e.mitigation === 'Stack/Audit')).not.toHaveProperty('securityHub');
    // Granted once, in the follower role's policies only.
    const hub = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:eu-west-1:123456789012:hub/default']] };
    const granting = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify(p).includes('securityhub'));
    expect(granting).toHaveLength(1);
    const [policyId, policy] = granting[0];
    // The function waits for the grant: a run before it would find Security Hub refusing.
    expect(fn.DependsOn).toContain(policyId);
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^CdkDeviceDefenderTaskFollower/) }]);
    expect(policy.Properties.PolicyDocument.Statement.filter((st: unknown) => JSON.stringify(st).includes('securityhub'))).toEqual([
      { Action: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'], Effect: 'Allow', Resource: hub },
      {
        Action: 'securityhub:BatchUpdateFindings',
        Condition: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': ['NEW', 'RESOLVED', 'SUPPRESSED'] } },
        Effect: 'Deny',
        Resource: hub,
      },
    ]);
    expect(JSON.stringify(Object.values(template.findResources('AWS::IAM::Role')))).not.toContain('securityhub');
    expect(nagFindings(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });

  test('cdk-nag and the CloudFormation validator find nothing', () => {
    const app = new App();
    addNagPacks(app);
    const { stack } = everyMitigation(app);
    app.synth();
    expect(nagFindings(stack)).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });

  test('a stack whose followed list cannot fit the function\'s 4 KB environment fails synthesis, naming the stack and the fix', () => {
    const app = new App();
    const { stack } = everyMitigation(app);
    const quarantine = stack.node.findChild('Quarantine') as MitigationAction;
    for (let i = 0; i < 60; i++) {
      new AuditMitigationTask(stack, `Task${i}`, {
        target: AuditMitigationTarget.findings([`f-${i}`]), rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [quarantine] }],
      });
    }
    expectRefused(app, /^\[Stack\/CdkDeviceDefenderTaskFollower\] stack Stack has 63 mitigation constructs .* Lambda allows 4 KB .* put some of them in another stack/);
  });

  test('13 constructs fit: rendered with the longest physical ids, the list stays within the budget', () => {
    const app = new App();
    const { stack } = everyMitigation(app);
    const quarantine = stack.node.findChild('Quarantine') as MitigationAction;
    for (let i = 0; i < 10; i++) {
      new AuditMitigationTask(stack, `Task${i}`, {
        target: AuditMitigationTarget.findings([`f-${i}`]), rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [quarantine] }],
      });
    }
    app.synth(); // 13 constructs fit
    // The longest physical id the handler issues: 'dd' + 10 hex digits, ':' and up to 3 digits (160 tasks at most).
    const rendered = followedList(Template.fromStack(stack), 'dd0123456789:160');
    expect(JSON.parse(rendered)).toHaveLength(13);
    expect(rendered.length).toBeLessThan(4096 - 400);
  });
});
