import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditMitigationTarget, AuditMitigationTask, AuditSuppression, AuditSuppressionResource, MitigationAction, MitigationActionParams,
} from '../src';
import { expectValidTemplate, lambdaRoleDependsOn } from './util/cfn-validate';
import { addNagPacks, nagFindings, unusedNagSuppressions } from './util/nag';
import { expectRefused } from './util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CERT = 'a'.repeat(64);
const DAY = 24 * 60 * 60 * 1000;
const inDays = (n: number) => new Date(Date.now() + n * DAY);

function stack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: ENV });
}

const indefinitely = (resource: AuditSuppressionResource, check = AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK) => ({
  check, resource, suppressIndefinitely: true,
});

describe('AuditSuppression', () => {
  test('defines a Custom::IotAuditSuppression with the check, the resource and the settings', () => {
    // GIVEN
    const s = stack();
    const until = inDays(30);
    // WHEN
    new AuditSuppression(s, 'LabCertificate', {
      check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK,
      resource: AuditSuppressionResource.deviceCertificate(CERT),
      expiration: until,
      description: 'lab rigs share one certificate until the refresh',
    });
    // THEN
    Template.fromStack(s).hasResourceProperties('Custom::IotAuditSuppression', {
      CheckName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      ResourceIdentifier: { deviceCertificateId: CERT },
      ExpirationDate: until.toISOString(),
      SuppressIndefinitely: 'false',
      Description: 'lab rigs share one certificate until the refresh',
    });
  });

  test('indefinitely, without a description', () => {
    const s = stack();
    new AuditSuppression(s, 'S', indefinitely(AuditSuppressionResource.deviceCertificate(CERT)));
    Template.fromStack(s).hasResourceProperties('Custom::IotAuditSuppression', {
      SuppressIndefinitely: 'true', ExpirationDate: Match.absent(), Description: Match.absent(),
    });
  });

  // Each with a check whose findings name that kind of resource (any other is refused, below).
  test.each([
    ['deviceCertificate', AuditSuppressionResource.deviceCertificate(CERT), { deviceCertificateId: CERT }, AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK],
    ['caCertificate with 0x', AuditSuppressionResource.caCertificate(`0x${'b'.repeat(62)}`), { caCertificateId: `0x${'b'.repeat(62)}` },
      AuditCheck.CA_CERTIFICATE_EXPIRING_CHECK],
    ['cognitoIdentityPool', AuditSuppressionResource.cognitoIdentityPool('eu-west-1:abcd'), { cognitoIdentityPoolId: 'eu-west-1:abcd' },
      AuditCheck.UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK],
    ['clientId', AuditSuppressionResource.clientId('sensor-1'), { clientId: 'sensor-1' }, AuditCheck.CONFLICTING_CLIENT_IDS_CHECK],
    ['policyVersion', AuditSuppressionResource.policyVersion('fleet', '2'), { policyVersionIdentifier: { policyName: 'fleet', policyVersionId: '2' } },
      AuditCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK],
    ['account', AuditSuppressionResource.account('123456789012'), { account: '123456789012' }, AuditCheck.LOGGING_DISABLED_CHECK],
    ['roleAlias', AuditSuppressionResource.roleAlias('arn:aws:iot:eu-west-1:123456789012:rolealias/d'), { roleAliasArn: 'arn:aws:iot:eu-west-1:123456789012:rolealias/d' },
      AuditCheck.IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK],
    ['issuerCertificate', AuditSuppressionResource.issuerCertificate('CN=Intermediate', 'c'.repeat(64), '0a:1b'),
      { issuerCertificateIdentifier: { issuerCertificateSubject: 'CN=Intermediate', issuerId: 'c'.repeat(64), issuerCertificateSerialNumber: '0a:1b' } },
      AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK],
    ['deviceCertificateArn', AuditSuppressionResource.deviceCertificateArn(`arn:aws:iot:eu-west-1:123456789012:cert/${CERT}`),
      { deviceCertificateArn: `arn:aws:iot:eu-west-1:123456789012:cert/${CERT}` }, AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK],
  ])('AuditSuppressionResource.%s names its member of ResourceIdentifier', (_, resource, identifier, check) => {
    const s = stack();
    new AuditSuppression(s, 'S', indefinitely(resource, check));
    Template.fromStack(s).hasResourceProperties('Custom::IotAuditSuppression', { ResourceIdentifier: identifier });
  });

  test('AuditSuppressionResource.iamRole names the role by its ARN', () => {
    const s = stack();
    const role = new iam.Role(s, 'DeviceRole', { assumedBy: new iam.ServicePrincipal('iot.amazonaws.com') });
    new AuditSuppression(s, 'S', indefinitely(AuditSuppressionResource.iamRole(role), AuditCheck.AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK));
    Template.fromStack(s).hasResourceProperties('Custom::IotAuditSuppression', {
      ResourceIdentifier: { iamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeviceRole'), 'Arn'] } },
    });
    const s2 = stack();
    const imported = iam.Role.fromRoleArn(s2, 'Imported', 'arn:aws:iam::123456789012:role/legacy');
    new AuditSuppression(s2, 'S2', indefinitely(AuditSuppressionResource.iamRole(imported), AuditCheck.IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK));
    Template.fromStack(s2).hasResourceProperties('Custom::IotAuditSuppression', { ResourceIdentifier: { iamRoleArn: 'arn:aws:iam::123456789012:role/legacy' } });
  });

  test('one provider per stack, whose handler role may only create, update, delete and describe suppressions', () => {
    const s = stack();
    new AuditSuppression(s, 'A', indefinitely(AuditSuppressionResource.deviceCertificate(CERT)));
    new AuditSuppression(s, 'B', indefinitely(AuditSuppressionResource.account('123456789012'), AuditCheck.LOGGING_DISABLED_CHECK));
    const template = Template.fromStack(s);
    template.resourceCountIs('Custom::IotAuditSuppression', 2);
    template.resourceCountIs('AWS::Lambda::Function', 2); // the handler and the provider framework
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: 'Runs the AWS IoT Device Defender audit suppression custom resource' } });
    const [role] = Object.values(roles);
    const statements = role.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['iot:CreateAuditSuppression', 'iot:UpdateAuditSuppression', 'iot:DeleteAuditSuppression', 'iot:DescribeAuditSuppression'],
      Resource: '*',
    });
    const actions = statements.flatMap((st: { Action: string | string[] }) => [st.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('iot:'))).toHaveLength(4);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('CdkDeviceDefenderAuditSuppressionProvider'))).toBe(true);
  });

  test('the AuditMitigationTask provider keeps its logical ids (they are API) now that both providers share one definition', () => {
    const s = stack();
    const deactivate = new MitigationAction(s, 'N', { actionParams: MitigationActionParams.updateDeviceCertificate() });
    new AuditMitigationTask(s, 'T', {
      target: AuditMitigationTarget.auditTask('a1'), rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate] }],
    });
    // The ids the provider had before the refactoring (the whole template was compared byte for byte).
    expect(Object.keys(Template.fromStack(s).toJSON().Resources).filter((id) => id.startsWith('CdkDeviceDefenderAuditMitigationTaskProvider')).sort()).toEqual([
      'CdkDeviceDefenderAuditMitigationTaskProviderHandler1BEAEF53',
      'CdkDeviceDefenderAuditMitigationTaskProviderHandlerLogsFFE4A3CF',
      'CdkDeviceDefenderAuditMitigationTaskProviderHandlerRoleCFA904EB',
      // New: the alarm on the handler's permanent failures.
      expect.stringMatching(/^CdkDeviceDefenderAuditMitigationTaskProviderPermanentFailureAlarm[0-9A-F]{8}$/),
      'CdkDeviceDefenderAuditMitigationTaskProviderProviderLogs4E4131DB',
      'CdkDeviceDefenderAuditMitigationTaskProviderProviderRole7B5AFE98',
      'CdkDeviceDefenderAuditMitigationTaskProviderframeworkonEvent0DB3D022',
    ]);
  });

  test('the properties name the construct (MitigationName) for the handler\'s reports, and the report topic when there is one', () => {
    const s = stack();
    const reports = new sns.Topic(s, 'Reports');
    new AuditSuppression(s, 'A', indefinitely(AuditSuppressionResource.deviceCertificate(CERT)));
    new AuditSuppression(s, 'B', {
      ...indefinitely(AuditSuppressionResource.account('123456789012')), check: AuditCheck.LOGGING_DISABLED_CHECK, reportTopic: reports,
    });
    const template = Template.fromStack(s);
    template.hasResourceProperties('Custom::IotAuditSuppression', { MitigationName: 'Stack/A', ReportTopicArn: Match.absent() });
    template.hasResourceProperties('Custom::IotAuditSuppression', { MitigationName: 'Stack/B', ReportTopicArn: { Ref: Match.stringLikeRegexp('^Reports') } });
  });

  describe('the description and the ownership marker the handler appends fit AWS IoT\'s 1000 characters', () => {
    // Stack "Stack" in eu-west-1, its partition unknown at synth: the stack id is at most "arn:aws-us-gov:cloudformation:eu-west-1:
    // 123456789012:stack/Stack/<36-character uuid>", 101 characters. The logical id of "LabCertificate" is 22 characters
    // ("LabCertificate" and a hash), so the marker " [cdk-device-defender:<stack id>/<logical id> pending]" takes 22 + 101 + 1 + 22 + 9 = 155.
    const certificate = indefinitely(AuditSuppressionResource.deviceCertificate(CERT));

    test('the longest description that fits is accepted, one more character is refused with the room left and why', () => {
      const s = stack();
      new AuditSuppression(s, 'LabCertificate', { ...certificate, description: 'x'.repeat(845) });
      Template.fromStack(s).resourceCountIs('Custom::IotAuditSuppression', 1);
      const t = stack();
      new AuditSuppression(t, 'LabCertificate', { ...certificate, description: 'x'.repeat(846) });
      expectRefused(t, new RegExp('^\\[Stack/LabCertificate\\] invalid description "x{846}": must be at most 845 printable ASCII characters here: the handler '
          + 'appends the ownership marker " \\[cdk-device-defender:<stack ARN>/LabCertificate[0-9A-F]{8}\\]" \\(up to 155 characters for stack '
          + 'Stack\\), and AWS IoT allows 1000 in all$'));
    });

    test('without a region, the longest region (25 characters) is counted', () => {
      // Logical id "S" and a hash: 9 characters. In eu-west-1: 22 + 101 + 1 + 9 + 9 = 142, room 858; any region: 158, room 842.
      const inRegion = stack();
      new AuditSuppression(inRegion, 'S', { ...certificate, description: 'x'.repeat(858) });
      expect(() => Template.fromStack(inRegion)).not.toThrow();
      const anyRegion = new Stack(new App(), 'Stack');
      new AuditSuppression(anyRegion, 'S', { ...certificate, description: 'x'.repeat(843) });
      expectRefused(anyRegion, /^\[Stack\/S\] invalid description "x+": must be at most 842 printable ASCII characters here/);
    });
  });

  describe('one AuditSuppression per check and resource in a stack', () => {
    test('a second one is refused, naming the first', () => {
      const s = stack();
      new AuditSuppression(s, 'First', indefinitely(AuditSuppressionResource.deviceCertificate(CERT)));
      new AuditSuppression(s, 'Second', { ...indefinitely(AuditSuppressionResource.deviceCertificate(CERT)), description: 'again' });
      expectRefused(s, `[Stack/Second] invalid check/resource {"check":"DEVICE_CERTIFICATE_SHARED_CHECK","resource":{"deviceCertificateId":"${CERT}"}}: `
          + 'already suppressed by Stack/First in stack Stack: AWS IoT keeps one suppression per check and resource, and two AuditSuppressions '
          + 'would overwrite and delete each other\'s; keep one of them');
    });

    test('another check, another resource, or another stack is fine; tokens are not compared', () => {
      const app = new App();
      const s = stack(app);
      new AuditSuppression(s, 'A', indefinitely(AuditSuppressionResource.deviceCertificate(CERT)));
      new AuditSuppression(s, 'B', { ...indefinitely(AuditSuppressionResource.deviceCertificate(CERT)), check: AuditCheck.DEVICE_CERTIFICATE_KEY_QUALITY_CHECK });
      new AuditSuppression(s, 'C', indefinitely(AuditSuppressionResource.deviceCertificate('b'.repeat(64))));
      new AuditSuppression(new Stack(app, 'Other', { env: ENV }), 'A', indefinitely(AuditSuppressionResource.deviceCertificate(CERT)));
      const id = new CfnParameter(s, 'Id').valueAsString;
      new AuditSuppression(s, 'T1', indefinitely(AuditSuppressionResource.deviceCertificate(id)));
      new AuditSuppression(s, 'T2', indefinitely(AuditSuppressionResource.deviceCertificate(id)));
      Template.fromStack(s).resourceCountIs('Custom::IotAuditSuppression', 5);
    });
  });

  test('tokens skip validation', () => {
    const s = stack();
    const certificateId = new CfnParameter(s, 'CertificateId').valueAsString;
    const description = new CfnParameter(s, 'Why').valueAsString;
    new AuditSuppression(s, 'S', { ...indefinitely(AuditSuppressionResource.deviceCertificate(certificateId)), description });
    Template.fromStack(s).hasResourceProperties('Custom::IotAuditSuppression', { ResourceIdentifier: { deviceCertificateId: { Ref: 'CertificateId' } } });
  });

  describe('validation names the construct, the property, the value and what is allowed', () => {
    const refuse = (props: Partial<ConstructorParameters<typeof AuditSuppression>[2]>, message: string | RegExp) => {
      const s = stack();
      new AuditSuppression(s, 'S', { ...indefinitely(AuditSuppressionResource.deviceCertificate(CERT)), ...props });
      expectRefused(s, message);
    };

    test('neither expiration nor suppressIndefinitely', () => refuse({ suppressIndefinitely: undefined },
      '[Stack/S] invalid expiration/suppressIndefinitely {}: give exactly one: an expiration date, or suppressIndefinitely: true'));
    test('suppressIndefinitely: false and no expiration', () => refuse({ suppressIndefinitely: false }, /give exactly one/));
    test('both', () => refuse({ expiration: inDays(1) }, /^\[Stack\/S\] invalid expiration\/suppressIndefinitely .*give exactly one/));
    test('an invalid Date', () => refuse({ suppressIndefinitely: undefined, expiration: new Date('not a date') },
      '[Stack/S] invalid expiration "Invalid Date": must be a valid Date'));
    test('a date in the past', () => refuse({ suppressIndefinitely: undefined, expiration: new Date('2020-01-01T00:00:00Z') },
      /^\[Stack\/S\] invalid expiration "2020-01-01T00:00:00.000Z": must be in the future .*extend it or remove the AuditSuppression/));
    test('a description over 1000 characters', () => refuse({ description: 'x'.repeat(1001) },
      /^\[Stack\/S\] invalid description "x+": must be at most 1000 printable ASCII characters/));
    test('a description with a character that is not printable ASCII', () => refuse({ description: 'line\nbreak' }, /invalid description/));
    test('an unknown check (from outside TypeScript)', () => refuse({ check: 'SHARED' as AuditCheck }, /^\[Stack\/S\] invalid check "SHARED": must be one of/));

    test.each([
      ['deviceCertificate, too short', AuditSuppressionResource.deviceCertificate('abc'), 'resource deviceCertificateId "abc": must be 64 characters'],
      ['deviceCertificate, not hex', AuditSuppressionResource.deviceCertificate('g'.repeat(64)), 'resource deviceCertificateId'],
      ['caCertificate, 0x and 64 hex', AuditSuppressionResource.caCertificate(`0x${'b'.repeat(64)}`), 'resource caCertificateId'],
      ['cognitoIdentityPool, empty', AuditSuppressionResource.cognitoIdentityPool(''), 'resource cognitoIdentityPoolId "": must be a non-empty identity pool id'],
      ['clientId, empty', AuditSuppressionResource.clientId(''), 'resource clientId "": must be a non-empty client id'],
      ['policyVersion, bad name', AuditSuppressionResource.policyVersion('a policy', '1'), 'resource policyName "a policy"'],
      ['policyVersion, bad version', AuditSuppressionResource.policyVersion('p', 'v1'), 'resource policyVersionId "v1": must be a version number'],
      ['account, 11 digits', AuditSuppressionResource.account('12345678901'), 'resource account "12345678901": must be 12 digits'],
      ['roleAlias, not an ARN', AuditSuppressionResource.roleAlias('devices'), 'resource roleAliasArn "devices"'],
      ['issuerCertificate, subject', AuditSuppressionResource.issuerCertificate('', 'c', '1'), 'resource issuerCertificateSubject ""'],
      ['issuerCertificate, id', AuditSuppressionResource.issuerCertificate('CN=x', 'zz', '1'), 'resource issuerId "zz"'],
      ['issuerCertificate, serial', AuditSuppressionResource.issuerCertificate('CN=x', 'c', '1'.repeat(21)), 'resource issuerCertificateSerialNumber'],
      ['deviceCertificateArn, not an ARN', AuditSuppressionResource.deviceCertificateArn('cert/abc'), 'resource deviceCertificateArn "cert/abc"'],
    ])('%s', (_, resource, message) => {
      const s = stack();
      new AuditSuppression(s, 'S', indefinitely(resource));
      expectRefused(s, `[Stack/S] invalid ${message}`);
    });

    test('iamRole, an ARN over 2048 characters', () => {
      const s = stack();
      const role = iam.Role.fromRoleArn(s, 'R', `arn:aws:iam::123456789012:role/${'r'.repeat(2020)}`, { mutable: false });
      new AuditSuppression(s, 'S', indefinitely(AuditSuppressionResource.iamRole(role)));
      expectRefused(s, /^\[Stack\/S\] invalid resource iamRoleArn "arn:aws:iam::123456789012:role\/r+": must be an IAM role ARN of 20 to 2048 characters$/);
    });
  });

  describe('a resource of a kind its check\'s findings never name is refused, naming the check, the kinds it takes and the factories', () => {
    test('LOGGING_DISABLED_CHECK with a device certificate', () => {
      const s = stack();
      new AuditSuppression(s, 'S', indefinitely(AuditSuppressionResource.deviceCertificate(CERT), AuditCheck.LOGGING_DISABLED_CHECK));
      expectRefused(s,
        '[Stack/S] invalid resource deviceCertificateId for check LOGGING_DISABLED_CHECK: its findings name the account, so this suppression '
        + 'would suppress nothing; use AuditSuppressionResource.account()');
    });

    test.each([
      [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, AuditSuppressionResource.account('123456789012'), 'account', /AuditSuppressionResource\.deviceCertificate\(\)/],
      [AuditCheck.CA_CERTIFICATE_KEY_QUALITY_CHECK, AuditSuppressionResource.deviceCertificate(CERT), 'deviceCertificateId', /\.caCertificate\(\)/],
      [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, AuditSuppressionResource.deviceCertificate(CERT), 'deviceCertificateId', /\.clientId\(\)/],
      [AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK, AuditSuppressionResource.clientId('c'), 'clientId', /\.policyVersion\(\)/],
      [AuditCheck.IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK, AuditSuppressionResource.policyVersion('p', '1'), 'policyVersionIdentifier',
        /\.roleAlias\(\) or AuditSuppressionResource\.iamRole\(\)/],
      [AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK, AuditSuppressionResource.caCertificate(CERT), 'caCertificateId', /\.deviceCertificate\(\)/],
      [AuditCheck.UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK, AuditSuppressionResource.roleAlias('arn:aws:iot:eu-west-1:1:rolealias/a'),
        'roleAliasArn', /\.cognitoIdentityPool\(\) or AuditSuppressionResource\.iamRole\(\)/],
      [AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK, AuditSuppressionResource.issuerCertificate('CN=x', 'c', '1'), 'issuerCertificateIdentifier', /\.deviceCertificate\(\)/],
    ])('%s with %#', (check, resource, member, fix) => {
      const s = stack();
      new AuditSuppression(s, 'S', indefinitely(resource, check));
      const start = `[Stack/S] invalid resource ${member} for check ${check}: its findings name `;
      expect(expectRefused(s, start).find((line) => line.startsWith(start))).toMatch(fix);
    });

    test('a token check is not compared', () => {
      const s = stack();
      const check = new CfnParameter(s, 'Check').valueAsString as AuditCheck;
      new AuditSuppression(s, 'S', indefinitely(AuditSuppressionResource.account('123456789012'), check));
      expect(() => Template.fromStack(s)).not.toThrow();
    });
  });

  test('passes the CloudFormation validator and cdk-nag with nothing unsuppressed', () => {
    const app = new App();
    addNagPacks(app);
    const s = stack(app);
    new AuditSuppression(s, 'S', { ...indefinitely(AuditSuppressionResource.deviceCertificate(CERT)), description: 'accepted' });
    app.synth();
    expect(nagFindings(s)).toEqual([]);
    expect(unusedNagSuppressions(s)).toEqual([]);
    expectValidTemplate(s, lambdaRoleDependsOn(s));
  });
});
