import {
  parseSuppressionPhysicalId, parseSuppressionProps, planSuppressionRequest, suppressionClientRequestToken, suppressionPhysicalId,
} from '../../../src/handlers/audit-suppression/audit-suppression-plan';
import { CERT, CHECK, certProps, STACK_ID, suppressionEvent as event } from '../suppression-harness';

describe('the plan (pure)', () => {
  test('the physical id is the same for the same key whatever the member order, and differs for any other key', () => {
    const a = suppressionPhysicalId(CHECK, { policyVersionIdentifier: { policyName: 'p', policyVersionId: '1' } });
    const b = suppressionPhysicalId(CHECK, { policyVersionIdentifier: { policyVersionId: '1', policyName: 'p' } });
    expect(a).toBe(b);
    expect(a).toMatch(/^suppression:DEVICE_CERTIFICATE_SHARED_CHECK:policyVersionIdentifier:[0-9a-f]{32}$/);
    expect(suppressionPhysicalId(CHECK, { policyVersionIdentifier: { policyName: 'p', policyVersionId: '2' } })).not.toBe(a);
    expect(suppressionPhysicalId('LOGGING_DISABLED_CHECK', { policyVersionIdentifier: { policyName: 'p', policyVersionId: '1' } })).not.toBe(a);
  });

  test('the token is 64 hex characters, the same for a retried request and new for another request', () => {
    const token = suppressionClientRequestToken(STACK_ID, 'LabCertificate', 'r-1');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(suppressionClientRequestToken(STACK_ID, 'LabCertificate', 'r-1')).toBe(token);
    expect(suppressionClientRequestToken(STACK_ID, 'LabCertificate', 'r-2')).not.toBe(token);
    expect(suppressionClientRequestToken(STACK_ID, 'Other', 'r-1')).not.toBe(token);
  });

  test('Update with the same key is in place, with another key a create; Delete never throws', () => {
    const create = planSuppressionRequest(event('Create', certProps()));
    expect(create.kind).toBe('create');
    const id = create.physicalResourceId;
    expect(planSuppressionRequest(event('Update', certProps({ Description: 'x' }), { PhysicalResourceId: id })).kind).toBe('update');
    expect(planSuppressionRequest(event('Update', certProps({ CheckName: 'LOGGING_DISABLED_CHECK' }), { PhysicalResourceId: id })).kind).toBe('create');
    expect(planSuppressionRequest(event('Delete', { Garbage: true }, { PhysicalResourceId: id })).kind).toBe('nothing-to-delete');
    expect(planSuppressionRequest(event('Delete', certProps(), { PhysicalResourceId: id })).kind).toBe('delete');
  });

  test('a resource that took its suppression over from a sibling keeps `:from:<logical id>` in its physical id: Update in place keeps it, Delete reads it', () => {
    const key = suppressionPhysicalId(CHECK, { deviceCertificateId: CERT });
    const adopted = suppressionPhysicalId(CHECK, { deviceCertificateId: CERT }, 'OldPath');
    expect(adopted).toBe(`${key}:from:OldPath`);
    expect(parseSuppressionPhysicalId(adopted)).toEqual({ key, adoptedFrom: 'OldPath' });
    expect(parseSuppressionPhysicalId(key)).toEqual({ key });
    expect(parseSuppressionPhysicalId(`${key}:from:not/a/logical-id`)).toBeUndefined();
    expect(planSuppressionRequest(event('Update', certProps({ Description: 'x' }), { PhysicalResourceId: adopted, OldResourceProperties: certProps() })))
      .toMatchObject({ kind: 'update', physicalResourceId: adopted, released: '' });
    expect(planSuppressionRequest(event('Update', certProps(), { PhysicalResourceId: key, OldResourceProperties: certProps({ Description: 'before' }) })))
      .toMatchObject({ kind: 'update', released: 'before' });
    expect(planSuppressionRequest(event('Delete', certProps(), { PhysicalResourceId: adopted }))).toMatchObject({ kind: 'delete', adoptedFrom: 'OldPath' });
  });

  test('parseSuppressionProps keeps the settings', () => {
    expect(parseSuppressionProps(certProps({ SuppressIndefinitely: 'false', ExpirationDate: '2030-01-01T00:00:00.000Z', Description: 'ok' }))).toEqual({
      checkName: CHECK,
      resourceIdentifier: { deviceCertificateId: CERT },
      expirationDate: new Date('2030-01-01T00:00:00.000Z'),
      suppressIndefinitely: false,
      description: 'ok',
    });
  });
});
