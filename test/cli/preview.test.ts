/**
 * The `preview` command (src/cli/preview.ts): what the rules of a synthesized template would do to an audit's
 * findings, decided as the handler decides; it starts nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NonCompliantResource } from '@aws-sdk/client-iot';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AUDIT, CERT, cli, e, useCliEmulator } from './harness';
import { buildApp } from '../../examples/quickstart';
import { describeResource } from '../../src/cli/preview';

const ISSUER = { issuerCertificateSubject: 'CN=Intermediate', issuerId: 'abcd', issuerCertificateSerialNumber: '01:02' };

describe('describeResource', () => {
  test.each<[NonCompliantResource | undefined, string]>([
    [{ resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'abc', caCertificateId: 'def' } }, 'DEVICE_CERTIFICATE abc'],
    [{ resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: 'def' } }, 'CA_CERTIFICATE def'],
    [{ resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName: 'fleet', policyVersionId: '2' } } }, 'IOT_POLICY fleet v2'],
    [{ resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '123456789012' } }, 'ACCOUNT_SETTINGS account 123456789012'],
    [{ resourceType: 'COGNITO_IDENTITY_POOL', resourceIdentifier: { cognitoIdentityPoolId: 'pool', iamRoleArn: 'arn:aws:iam::123456789012:role/r' } },
      'COGNITO_IDENTITY_POOL pool'],
    // Every member of ResourceIdentifier reads, the issuer and the device certificate's ARN included.
    [
      { resourceType: 'ISSUER_CERTIFICATE', resourceIdentifier: { issuerCertificateIdentifier: ISSUER } },
      'ISSUER_CERTIFICATE issuer CN=Intermediate (id abcd, serial 01:02)',
    ],
    [{ resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateArn: 'arn:aws:iot:eu-west-1:123456789012:cert/abc' } },
      'DEVICE_CERTIFICATE arn:aws:iot:eu-west-1:123456789012:cert/abc'],
    [{ resourceIdentifier: { clientId: 'sensor-1' } }, 'sensor-1'],
    [{ resourceType: 'CLIENT_ID', resourceIdentifier: {} }, 'CLIENT_ID'],
    [undefined, '-'],
  ])('%j reads %j', (nonCompliantResource, expected) => {
    expect(describeResource({ nonCompliantResource })).toBe(expected);
  });
});

useCliEmulator();

describe('preview', () => {
  let templateFile: string;
  beforeAll(() => {
    const { stack } = buildApp(new App());
    templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dd-preview-')), 'template.json');
    fs.writeFileSync(templateFile, JSON.stringify(Template.fromStack(stack).toJSON()));
  });

  test('reads the rules from the synthesized template and says what would be done to each finding; starts nothing', async () => {
    e.addAuditFinding({ findingId: 'finding-hidden', taskId: AUDIT, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', isSuppressed: true });
    const result = await cli('preview', '--audit-task', AUDIT, '--template', templateFile, '--json');
    expect(result.code).toBe(0);
    const [preview] = result.json();
    expect(preview.rows).toEqual([
      // examples/quickstart.ts: DEVICE_CERTIFICATE_SHARED_CHECK -> notify, quarantine, deactivate, in that order
      {
        findingId: 'finding-cert',
        checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
        resource: `DEVICE_CERTIFICATE ${CERT}`,
        actions: [expect.stringMatching(/^DeviceDefenderQuickstartNotifySecurityTeam[0-9A-F]{8}$/), 'quarantine-things',
          expect.stringMatching(/^DeviceDefenderQuickstartDeactivateDeviceCertificate[0-9A-F]{8}$/)],
      },
      expect.objectContaining({ findingId: 'finding-policy', actions: [], note: 'no rule for this check' }),
      expect.objectContaining({ findingId: 'finding-hidden', actions: [], note: 'suppressed: never mitigated' }),
    ]);
    expect(e.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
  });

  test('a check over the blast-radius limit (DescribeAuditTask\'s count, as the handler reads it) is shown as left out', async () => {
    const big = 'b0b1c2d3e4f5';
    e.addAuditTask({ taskId: big, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 52 } } });
    for (let i = 0; i < 52; i++) {
      e.addAuditFinding({ findingId: `shared-${i}`, taskId: big, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
    }
    const [preview] = (await cli('preview', '--audit-task', big, '--template', templateFile, '--json')).json();
    expect(preview.rows).toHaveLength(52);
    for (const row of preview.rows) {
      expect(row).toMatchObject({ actions: [], note: expect.stringMatching(/^left out: 52 non-compliant resources exceed maxFindingsPerCheck \(50\)/) });
    }
    expect((await cli('preview', '--audit-task', big, '--template', templateFile)).out).toMatch(/left out: 52 non-compliant resources/);
  });

  test('preview decides from DescribeAuditTask like the handler, not from how many findings it happened to list', async () => {
    const big = 'b0b1c2d3e4f6';
    // DescribeAuditTask: 5,000 non-compliant (limit 50); only one finding is listed here.
    e.addAuditTask({ taskId: big, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 5000 } } });
    e.addAuditFinding({ findingId: 'shared-1', taskId: big, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
    const [preview] = (await cli('preview', '--audit-task', big, '--template', templateFile, '--json')).json();
    expect(preview.rows).toEqual([expect.objectContaining({ findingId: 'shared-1', actions: [], note: expect.stringMatching(/^left out: 5000 non-compliant resources/) })]);
    expect(e.requestsFor('DescribeAuditTask')).toHaveLength(1);
  });

  test('a template without an AuditMitigation is a usage error', async () => {
    const empty = path.join(path.dirname(templateFile), 'empty.json');
    fs.writeFileSync(empty, JSON.stringify({ Resources: {} }));
    const result = await cli('preview', '--audit-task', AUDIT, '--template', empty);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/holds no AuditMitigation/);
  });
});
