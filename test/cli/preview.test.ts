import { NonCompliantResource } from '@aws-sdk/client-iot';
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
