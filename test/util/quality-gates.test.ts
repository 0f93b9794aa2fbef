import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { unacknowledgedFindings } from './cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './nag';
import { manifestFindings } from '../gates/packed';

// The quality gates must be able to fail: each is shown a template with a known defect.

describe('CloudFormation validator gate', () => {
  const broken = {
    Resources: {
      Action: {
        Type: 'AWS::IoT::MitigationAction',
        Properties: { RoleArn: 'arn:aws:iam::123456789012:role/r', ActionParams: { NoSuchParams: {} } },
      },
    },
  };

  test('reports an invalid resource', () => {
    const findings = unacknowledgedFindings(broken);
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'FATAL', ruleId: 'F3002', logicalId: 'Action' }),
      expect.objectContaining({ severity: 'WARN', logicalId: 'Action' })]));
  });

  test('an acknowledgement with a reason covers exactly its rule and resource', () => {
    const ruleIds = [...new Set(unacknowledgedFindings(broken).map((f) => f.ruleId))];
    const acks = ruleIds.map((ruleId) => ({ ruleId, logicalId: 'Action', reason: 'deliberately broken fixture' }));
    expect(unacknowledgedFindings(broken, acks)).toEqual([]);
    const elsewhere = ruleIds.map((ruleId) => ({ ruleId, logicalId: 'Other', reason: 'another resource' }));
    expect(unacknowledgedFindings(broken, elsewhere).length).toBeGreaterThan(0);
  });

  test('an acknowledgement without a reason is refused', () => {
    expect(() => unacknowledgedFindings(broken, [{ ruleId: 'E3002', reason: ' ' }])).toThrow(/needs a reason/);
  });
});

describe('cdk-nag gate', () => {
  test('reports a wildcard IAM grant', () => {
    const app = new App();
    addNagPacks(app);
    const stack = new Stack(app, 'Nag');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:*'], resources: ['*'] }));
    app.synth();
    expect(nagFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-IAM5\[Action::iot:\*\]/)]));
  });

  test('reports a suppression that covers no finding of its resource, and accepts one that does', () => {
    const app = new App();
    addNagPacks(app);
    const stack = new Stack(app, 'Nag');
    const role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
      inlinePolicies: { P: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['iot:UpdateCertificate'], resources: ['*'] })] }) },
    });
    NagSuppressions.addResourceSuppressions(role, [
      { id: 'AwsSolutions-IAM5', reason: 'used: the role has Resource::*', appliesTo: ['Resource::*'] },
      { id: 'AwsSolutions-IAM5', reason: 'stale: the role has no kms action', appliesTo: [{ regex: '/^Action::kms:.*$/' }] },
    ]);
    app.synth();
    expect(nagFindings(stack)).toEqual([]);
    expect(unusedNagSuppressions(stack)).toEqual(['Nag/Role/Resource: AwsSolutions-IAM5 [/^Action::kms:.*$/]']);
  });
});

describe('cloud assembly findings (the consumer and compat gates)', () => {
  test('reports the errors and warnings of every stack, in the app and in a nested stage, and nothing else', () => {
    // GIVEN an app synthesized to a directory, as the gates run it
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-findings-'));
    try {
      const app = new App({ outdir });
      Annotations.of(new Stack(app, 'Top')).addError('top error');
      const nested = new Stack(new Stage(app, 'Nested'), 'Inner');
      Annotations.of(nested).addWarningV2('test:inner', 'inner warning');
      Annotations.of(nested).addInfo('inner info');
      app.synth();
      // WHEN / THEN
      expect(manifestFindings(outdir).sort()).toEqual([
        'Top/Top: aws:cdk:error: top error',
        'assembly-Nested/NestedInner4756BC60/Nested/Inner: aws:cdk:warning: inner warning [ack: test:inner]',
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
