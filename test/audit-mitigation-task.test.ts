import { App, CfnParameter } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AuditCheck, AuditMitigationTarget, AuditMitigationTask } from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { fixture } from './util/fixtures';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused, refusalsOf } from './util/refusals';

describe('AuditMitigationTask', () => {
  test('auditTask target: one task for the whole audit, with the rules and cancelOnDelete', () => {
    const { stack, notify, deactivate } = fixture();
    const task = new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.auditTask('4e2bcd1ccbc2a5dd15292a82ab80c380'),
      rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify, deactivate] }],
      cancelOnDelete: true,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotMitigationAuditTask', {
      AuditTaskId: '4e2bcd1ccbc2a5dd15292a82ab80c380',
      AuditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: [{ Ref: 'Notify29C25B1B' }, { Ref: 'Deactivate8309CDAF' }] },
      CancelOnDelete: 'true',
      FindingIds: Match.absent(),
      RunId: Match.absent(),
    });
    expect(stack.resolve(task.taskIds)).toEqual([
      { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::GetAtt': [expect.stringMatching(/^Task/), 'TaskIds'] }] }] },
    ]);
  });

  test('findings target: passes the ids; taskIds has one entry per 25 findings', () => {
    const { stack, notify } = fixture();
    const ids = Array.from({ length: 60 }, (_, i) => `finding-${i}`);
    const task = new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.findings(ids),
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotMitigationAuditTask', { FindingIds: ids, CancelOnDelete: 'false' });
    expect(task.taskIds).toHaveLength(3);
  });

  test('reasonCodes target: the audit and the filter', () => {
    const { stack, deactivate } = fixture();
    new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.reasonCodes('audit-1', [
        { check: AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK, reasonCodes: ['CERTIFICATE_PAST_EXPIRATION'] },
      ]),
      rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK, actions: [deactivate] }],
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotMitigationAuditTask', {
      AuditTaskId: 'audit-1',
      ReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['CERTIFICATE_PAST_EXPIRATION'] },
    });
  });

  test('the resource names its construct (MitigationName), and the provider\'s handler may put the library\'s events only', () => {
    const { stack, notify } = fixture();
    new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.auditTask('audit-1'), rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::IotMitigationAuditTask', { MitigationName: 'Stack/Task' });
    const [role] = Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('audit mitigation task custom resource') },
    }));
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toContainEqual({
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'events:source': 'cdk-device-defender' } },
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']] },
    });
  });

  test('one provider per stack, however many tasks', () => {
    const { stack, notify } = fixture();
    for (const id of ['A', 'B', 'C']) {
      new AuditMitigationTask(stack, id, {
        target: AuditMitigationTarget.auditTask(`audit-${id}`),
        rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
      });
    }
    const template = Template.fromStack(stack);
    const handlers = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('audit mitigation tasks for CloudFormation') },
    });
    expect(Object.keys(handlers)).toHaveLength(1);
    template.resourceCountIs('Custom::IotMitigationAuditTask', 3);
  });

  test('runId: passed to the handler, which derives the task ids from it with the work', () => {
    const { stack, notify } = fixture();
    new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.auditTask('audit-1'),
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
      runId: '2025-06-01.second_run',
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotMitigationAuditTask', { AuditTaskId: 'audit-1', RunId: '2025-06-01.second_run' });
  });

  test('runId: a token is not validated', () => {
    const { stack, notify } = fixture();
    const runId = new CfnParameter(stack, 'RunId').valueAsString;
    new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.auditTask('audit-1'),
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
      runId,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::IotMitigationAuditTask', { RunId: { Ref: 'RunId' } });
  });

  describe('refuses at synth time', () => {
    test.each([
      [() => AuditMitigationTarget.auditTask('not_an_audit_id'), 'invalid auditTaskId "not_an_audit_id": must match [a-zA-Z0-9-]{1,40}'],
      [() => AuditMitigationTarget.findings([]), 'invalid findingIds []: must name 1 to 4000 findings per AuditMitigationTask, got 0'],
      [() => AuditMitigationTarget.findings(Array.from({ length: 4001 }, (_, i) => `f${i}`)),
        'invalid findingIds "4001 ids": must name 1 to 4000 findings per AuditMitigationTask, got 4001'],
      [() => AuditMitigationTarget.findings(['ok', 'not ok']), 'invalid findingIds[] "not ok": must match [a-zA-Z0-9_-]{1,128}'],
      [() => AuditMitigationTarget.findings(['a', 'b', 'a']), 'invalid findingIds[] "a": appears more than once'],
      [() => AuditMitigationTarget.reasonCodes('audit-1', []), 'invalid filters []: must filter at least one check'],
      [() => AuditMitigationTarget.reasonCodes('audit-1', [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: [] }]),
        'invalid filters[CONFLICTING_CLIENT_IDS_CHECK].reasonCodes []: must list 1 to 25 reason codes'],
      [() => AuditMitigationTarget.reasonCodes('audit-1', [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: ['lower_case'] }]),
        'invalid filters[CONFLICTING_CLIENT_IDS_CHECK].reasonCodes[] "lower_case": must match [A-Z0-9_]{1,128}'],
      [() => AuditMitigationTarget.reasonCodes('audit-1', [
        { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: ['A'] },
        { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, reasonCodes: ['B'] },
      ]), 'invalid filters "CONFLICTING_CLIENT_IDS_CHECK": each check can be filtered once'],
    ])('target %#', (target, message) => {
      const { stack, notify } = fixture();
      new AuditMitigationTask(stack, 'Task', {
        target: target(), rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
      });
      expectRefused(stack, `[Stack/Task] ${message}`);
    });

    test.each(['', 'run 1', 'run/1', 'r'.repeat(65)])('runId %j', (runId) => {
      const { stack, notify } = fixture();
      new AuditMitigationTask(stack, 'Task', {
        target: AuditMitigationTarget.auditTask('audit-1'),
        rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
        runId,
      });
      expectRefused(stack, `[Stack/Task] invalid runId ${JSON.stringify(runId)}: must be 1 to 64 letters, digits, ".", "_" or "-"`);
    });

    test('a reason-code filter on a check without a rule', () => {
      const { stack, notify } = fixture();
      new AuditMitigationTask(stack, 'Task', {
        target: AuditMitigationTarget.reasonCodes('audit-1', [{ check: AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK, reasonCodes: ['CERTIFICATE_PAST_EXPIRATION'] }]),
        rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
      });
      expectRefused(stack, /^\[Stack\/Task\] the reason-code filter selects DEVICE_CERTIFICATE_EXPIRING_CHECK findings, but no rule/);
    });

    test('rules with the same checks as AuditMitigation, and none at all', () => {
      const { stack, logging } = fixture();
      const task = new AuditMitigationTask(stack, 'Task', { target: AuditMitigationTarget.auditTask('audit-1') });
      task.addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, [logging]);
      expect(refusalsOf(stack)).toEqual([expect.stringMatching(/^\[Stack\/Task\] rule for CONFLICTING_CLIENT_IDS_CHECK: action Stack\/Logging is ENABLE_IOT_LOGGING, which AWS IoT Device Defender cannot apply/)]);
      const { stack: none } = fixture();
      new AuditMitigationTask(none, 'Task', { target: AuditMitigationTarget.auditTask('audit-1') });
      expectRefused(none, /^\[Stack\/Task\] an AuditMitigationTask needs at least one rule/);
    });
  });

  test('passes the CloudFormation validator and cdk-nag with nothing unsuppressed', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, notify } = fixture(app);
    new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.findings(['f1', 'f2']),
      rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    app.synth();
    expect(nagFindings(stack).filter((f) => !/\/Findings\//.test(f))).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual([]);
    expectValidTemplate(stack, lambdaRoleDependsOn(stack));
  });

  test('a wildcard a user adds to the provider\'s handler role later is reported by cdk-nag', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, notify } = fixture(app);
    new AuditMitigationTask(stack, 'Task', {
      target: AuditMitigationTarget.auditTask('audit-1'), rules: [{ check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, actions: [notify] }],
    });
    const handler = stack.node.findChild('CdkDeviceDefenderAuditMitigationTaskProvider').node.findChild('Handler') as lambda.IFunction;
    handler.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iot:DeleteCertificate'], resources: ['*'] }));
    app.synth();
    expect(nagFindings(stack).filter((f) => f.includes('AwsSolutions-IAM5'))).toEqual([
      expect.stringMatching(/^\/Stack\/CdkDeviceDefenderAuditMitigationTaskProvider\/HandlerRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
    ]);
  });
});
