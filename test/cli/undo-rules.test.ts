import { AuditCheck } from '../../src/audit-check';
import {
  CertificateFinding, GroupAddition, PolicyFacts, addsThingsTo, certificateDecision, certificateRefusal,
  certificateResourceRefusal, groupRemovalRefusal, isBlankPolicyDocument, isUntrustedCertificateCheck, policyDecision,
} from '../../src/cli/undo-rules';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe('certificateRefusal', () => {
  test('the table holds exactly the revoked-CA, intermediate-CA, revoked-device and key-quality checks', () => {
    expect(Object.values(AuditCheck).filter(isUntrustedCertificateCheck).sort()).toEqual([
      'CA_CERTIFICATE_KEY_QUALITY_CHECK',
      'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK',
      'INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK',
      'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK',
      'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK',
    ]);
  });

  test.each([
    ['REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK', [], /revoked by its CA: undo never reactivates it \(override: --allow-check REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK\)/],
    ['REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK', ['REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK'], undefined],
    ['REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK', ['CA_CERTIFICATE_KEY_QUALITY_CHECK'], /undo never reactivates it/],
    ['CA_CERTIFICATE_KEY_QUALITY_CHECK', [], /too weak to trust/],
    ['DEVICE_CERTIFICATE_SHARED_CHECK', [], undefined],
    ['DEVICE_CERTIFICATE_EXPIRING_CHECK', [], undefined],
    [undefined, [], /names no check/],
    [undefined, ['REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK'], /names no check/],
  ])('%s allowing %j', (check, allowed, expected) => {
    const refusal = certificateRefusal(check, new Set(allowed));
    if (expected === undefined) { expect(refusal).toBeUndefined(); } else { expect(refusal).toMatch(expected); }
  });
});

describe('certificateResourceRefusal: judged for the certificate, from every finding about it', () => {
  const REVOKED = 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK';
  const WEAK = 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK';
  const SHARED = 'DEVICE_CERTIFICATE_SHARED_CHECK';
  const finding = (findingId: string, checkName: string | undefined, mitigationTaskIds: string[] = [], auditTaskId = 'audit-1'): CertificateFinding =>
    ({ findingId, checkName, auditTaskId, mitigationTaskIds });
  test.each<[string, CertificateFinding[], string[], RegExp | undefined]>([
    ['no finding', [], [], undefined],
    ['only findings of checks undo may reverse', [finding('f-1', SHARED, ['task-1']), finding('f-2', undefined)], [], undefined],
    ['a sibling revocation finding in the same task', [finding('f-1', SHARED, ['task-1']), finding('f-2', REVOKED, ['task-1'])], [],
      new RegExp(`^the audit found this device certificate revoked by its CA: finding f-2 \\(${REVOKED}, task task-1\\); undo never reactivates it \\(override: --allow-check ${REVOKED}\\)$`)],
    ['the same finding from the task and from the findings AWS lists: one finding, its tasks merged',
      [finding('f-2', REVOKED, ['task-1']), finding('f-2', REVOKED, ['task-1', 'task-2'])], [], /finding f-2 \(\S+, task task-1, task-2\); undo/],
    ['a current finding no task mitigated', [finding('f-9', REVOKED, [], 'audit-9')], [], /finding f-9 \(\S+, audit audit-9, no mitigation task\)/],
    ['the check allowed', [finding('f-2', REVOKED, ['task-2'])], [REVOKED], undefined],
    ['another check allowed', [finding('f-2', REVOKED, ['task-2'])], [WEAK], /finding f-2/],
    ['two refused checks: both named in the override', [finding('f-2', REVOKED, ['task-2']), finding('f-3', WEAK)], [],
      new RegExp(`finding f-2 .* and 1 more finding\\(s\\); undo never reactivates it \\(override: --allow-check ${REVOKED} --allow-check ${WEAK}\\)$`)],
    ['two refused checks, one allowed: the other refuses', [finding('f-2', REVOKED, ['task-2']), finding('f-3', WEAK)], [REVOKED],
      new RegExp(`key of this device certificate too weak to trust: finding f-3 .*\\(override: --allow-check ${WEAK}\\)$`)],
  ])('%s', (_name, findings, allowed, expected) => {
    const refusal = certificateResourceRefusal(findings, new Set(allowed));
    if (expected === undefined) { expect(refusal).toBeUndefined(); } else { expect(refusal).toMatch(expected); }
  });
});

describe('groupRemovalRefusal: a membership another task also added stays', () => {
  const membership = { thingName: 'sensor-1', groupName: 'quarantine', taskId: 'task-1' };
  test.each<[string, GroupAddition[], RegExp | undefined]>([
    ['no other task', [], undefined],
    ['only this task\'s own executions', [{ kind: 'audit', taskId: 'task-1', findingId: 'f-1', status: 'COMPLETED' }], undefined],
    ['a Detect task added it', [{ kind: 'detect', taskId: 'detect-1', violationId: 'v-1', status: 'SUCCESSFUL' }],
      /^detect task detect-1 \(violation v-1\) also added thing sensor-1 to thing group quarantine: undo leaves it there/],
    ['another audit task added it', [{ kind: 'audit', taskId: 'task-2', findingId: 'f-1', status: 'COMPLETED' }],
      /^audit task task-2 \(finding f-1\) also added thing sensor-1/],
    ['another task is adding it', [{ kind: 'audit', taskId: 'task-2', findingId: 'f-1', status: 'IN_PROGRESS' }], /audit task task-2/],
    ['another task will add it', [{ kind: 'audit', taskId: 'task-2', findingId: 'f-1', status: 'PENDING' }], /audit task task-2/],
    ['another task failed, was skipped or canceled: it added nothing', [
      { kind: 'detect', taskId: 'detect-1', violationId: 'v-1', status: 'FAILED' },
      { kind: 'detect', taskId: 'detect-2', violationId: 'v-2', status: 'SKIPPED' },
      { kind: 'audit', taskId: 'task-2', findingId: 'f-1', status: 'CANCELED' },
      { kind: 'audit', taskId: 'task-3', findingId: 'f-1' },
    ], undefined],
    ['several other tasks: the first named, the rest counted', [
      { kind: 'detect', taskId: 'detect-1', violationId: 'v-1', status: 'SUCCESSFUL' },
      { kind: 'audit', taskId: 'task-2', findingId: 'f-1', status: 'COMPLETED' },
    ], /^detect task detect-1 .*quarantine \(and 1 more execution\(s\) of other tasks\)/],
  ])('%s', (_name, additions, expected) => {
    const refusal = groupRemovalRefusal(membership, additions);
    if (expected === undefined) { expect(refusal).toBeUndefined(); } else { expect(refusal).toMatch(expected); }
  });

  test.each([
    [{ actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['watch', 'quarantine'] } } }, true],
    [{ actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['watch'] } } }, false],
    [{ actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } } }, false],
    [undefined, false],
  ])('addsThingsTo(%j, quarantine) is %s', (action, expected) => {
    expect(addsThingsTo(action as Parameters<typeof addsThingsTo>[0], 'quarantine')).toBe(expected);
  });
});

describe('certificateDecision', () => {
  const end = at(10);
  test.each([
    ['unchanged since the execution', { status: 'INACTIVE', lastModifiedDate: at(9) }, end, { kind: 'apply' }],
    ['the execution\'s own write at its end', { status: 'INACTIVE', lastModifiedDate: at(10) }, end, { kind: 'apply' }],
    ['already active', { status: 'ACTIVE', lastModifiedDate: at(20) }, end, { kind: 'done' }],
    ['modified after the execution', { status: 'INACTIVE', lastModifiedDate: at(11) }, end,
      { kind: 'changed-since', why: 'modified 2026-01-01T00:00:11.000Z, after the execution ended (2026-01-01T00:00:10.000Z); now INACTIVE' }],
    ['revoked since', { status: 'REVOKED', lastModifiedDate: at(30) }, end, { kind: 'changed-since', why: expect.stringMatching(/now REVOKED$/) }],
    ['no end time', { status: 'INACTIVE', lastModifiedDate: at(9) }, undefined, { kind: 'refused', why: expect.stringMatching(/no end time/) }],
    ['no lastModifiedDate', { status: 'INACTIVE' }, end, { kind: 'refused', why: expect.stringMatching(/no lastModifiedDate/) }],
  ])('%s', (_name, certificate, lastWriteEnd, expected) => {
    expect(certificateDecision(certificate, lastWriteEnd)).toEqual(expected);
  });
});

describe('isBlankPolicyDocument', () => {
  test.each([
    ['deny everything', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', true],
    ['no statement', '{"Version":"2012-10-17","Statement":[]}', true],
    ['a single Deny object', '{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}', true],
    ['an Allow among Denies', '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}', false],
    ['a single Allow object', '{"Statement":{"Effect":"Allow","Action":"iot:*","Resource":"*"}}', false],
    ['not JSON', 'Allow nothing', false],
    ['missing', undefined, false],
  ])('%s', (_name, document, blank) => {
    expect(isBlankPolicyDocument(document)).toBe(blank);
  });
});

describe('policyDecision', () => {
  const window = { start: at(10), end: at(12) };
  const base: PolicyFacts = {
    previousVersionId: '1',
    defaultVersionId: '3',
    versions: [{ versionId: '1', createDate: at(0) }, { versionId: '2', createDate: at(5) }, { versionId: '3', createDate: at(11), blank: true }],
    window,
  };
  test.each<[string, Partial<PolicyFacts>, ReturnType<typeof policyDecision> | object]>([
    ['the blank version it created is the default: restore, delete only it', {}, { kind: 'apply', setDefault: '1', deleteVersionId: '3' }],
    ['created at the very start of the window', { versions: [{ versionId: '1' }, { versionId: '3', createDate: at(10), blank: true }] },
      { kind: 'apply', setDefault: '1', deleteVersionId: '3' }],
    ['an operator made a later version the default', {
      defaultVersionId: '4',
      versions: [...base.versions, { versionId: '4', createDate: at(60) }],
    }, { kind: 'changed-since', why: expect.stringMatching(/^the default is now version 4 \(created 2026-01-01T00:01:00.000Z, outside the execution's window/) }],
    ['an operator made an older version the default', { defaultVersionId: '2' }, { kind: 'changed-since', why: expect.stringMatching(/default is now version 2/) }],
    ['the default was created in the window but allows something', {
      versions: [{ versionId: '1' }, { versionId: '3', createDate: at(11), blank: false }],
    }, { kind: 'changed-since', why: expect.stringMatching(/allows something: not the blank version/) }],
    ['the flagged version is the default again, the blank one remains', { defaultVersionId: '1' }, { kind: 'apply', deleteVersionId: '3' }],
    ['already restored', { defaultVersionId: '1', versions: [{ versionId: '1' }, { versionId: '2', createDate: at(5) }] }, { kind: 'done' }],
    ['two blank versions in the window', {
      defaultVersionId: '1',
      versions: [{ versionId: '1' }, { versionId: '3', createDate: at(11), blank: true }, { versionId: '4', createDate: at(12), blank: true }],
    }, { kind: 'refused', why: expect.stringMatching(/versions 3, 4 are all blank/) }],
    ['the flagged version was deleted', { versions: [{ versionId: '3', createDate: at(11), blank: true }] },
      { kind: 'changed-since', why: 'version 1 no longer exists' }],
    ['no start time', { window: { end: at(12) } }, { kind: 'refused', why: expect.stringMatching(/no start or end time/) }],
    ['no end time', { window: { start: at(10) } }, { kind: 'refused', why: expect.stringMatching(/no start or end time/) }],
  ])('%s', (_name, change, expected) => {
    expect(policyDecision({ ...base, ...change })).toEqual(expected);
  });
});
