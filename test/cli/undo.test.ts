/**
 * The `undo` command (src/cli/undo.ts): restores what a task changed, never trust an audit withdrew, and leaves
 * alone what changed after the execution.
 */
import { CreatePolicyVersionCommand, StartDetectMitigationActionsTaskCommand, UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { AUDIT, BLANK_POLICY_CHECK, CERT, aMomentLater, cli, e, fleetState, iot, isWrite, start, useCliEmulator } from './harness';

useCliEmulator();

describe('undo', () => {
  test('restores what the task changed, end to end: state before, after the task, and after undo', async () => {
    const before = fleetState();
    expect(before).toEqual({ certificate: 'ACTIVE', groups: [], policyDefault: '1', policyVersions: ['1'] });

    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'], [BLANK_POLICY_CHECK]: ['blank'] });
    e.runAuditMitigationTask('task-1');
    const after = fleetState();
    expect(after).toEqual({ certificate: 'INACTIVE', groups: ['quarantine'], policyDefault: '2', policyVersions: ['1', '2'] });

    // A dry run says what it would do and changes nothing.
    const dry = await cli('undo', 'task-1', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(dry.json().steps.map((s: { outcome: string }) => s.outcome).sort()).toEqual(
      ['cannot-undo', 'would-restore', 'would-restore', 'would-restore']);
    expect(fleetState()).toEqual(after);

    const undo = await cli('undo', 'task-1', '--json', '--yes');
    expect(undo.code).toBe(0);
    expect(undo.json().steps).toEqual(expect.arrayContaining([
      expect.objectContaining({ actionName: 'deactivate', outcome: 'restored', change: `reactivate device certificate ${CERT}` }),
      expect.objectContaining({ actionName: 'quarantine', outcome: 'restored', change: 'remove thing sensor-1 from thing group quarantine' }),
      expect.objectContaining({ actionName: 'blank', outcome: 'restored', change: 'make version 1 the default of policy wide-open again and delete blank version 2' }),
      expect.objectContaining({ actionName: 'notify', outcome: 'cannot-undo', change: 'a published message cannot be unpublished' }),
    ]));
    expect(fleetState()).toEqual(before);

    // A second run changes nothing, and with nothing to write it asks nothing.
    const writesBefore = e.requests.filter(isWrite).length;
    const again = await cli('undo', 'task-1', '--json');
    expect(again.code).toBe(0);
    expect(again.json().steps.map((s: { outcome: string }) => s.outcome).sort()).toEqual(
      ['already-restored', 'already-restored', 'already-restored', 'cannot-undo']);
    expect(e.requests.filter(isWrite).length).toBe(writesBefore);
    expect(fleetState()).toEqual(before);
  });

  test('a failure leaves a clear list of what was and was not restored, and exit code 1', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['quarantine', 'deactivate'] });
    e.runAuditMitigationTask('task-1');
    e.injectFault({ kind: 'invalidRequest', operation: 'UpdateCertificate', times: Infinity });
    const result = await cli('undo', 'task-1', '--yes');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/deactivate\s+reactivate device certificate c+\s+failed: InvalidRequestException/);
    expect(result.out).toMatch(/quarantine\s+remove thing sensor-1 from thing group quarantine\s+restored/);
    expect(result.out).toMatch(/1 failed/);
    expect(fleetState()).toMatchObject({ certificate: 'INACTIVE', groups: [] });
  });

  test('a task over a list of findings: executions carry the finding, and undo restores it', async () => {
    await start('task-list', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] }, { findingIds: ['finding-cert'] });
    e.runAuditMitigationTask('task-list');
    const executions = (await cli('executions', 'task-list', '--json')).json();
    expect(executions).toEqual([expect.objectContaining({ findingId: 'finding-cert', checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', status: 'COMPLETED' })]);
    expect(fleetState().certificate).toBe('INACTIVE');
    expect((await cli('undo', 'task-list', '--yes')).code).toBe(0);
    expect(fleetState().certificate).toBe('ACTIVE');
  });

  test('undoes a detect task: the things leave the quarantine group', async () => {
    await iot.send(new StartDetectMitigationActionsTaskCommand({
      taskId: 'detect-1', target: { violationIds: ['v-1'] }, actions: ['quarantine'], clientRequestToken: 'token-d1',
    }));
    e.runDetectMitigationTask('detect-1', { 'v-1': 'sensor-1' });
    expect(e.thingGroupsOf('sensor-1')).toEqual(['quarantine']);
    const result = await cli('undo', 'detect-1', '--json', '--yes');
    expect(result.json().steps).toEqual([expect.objectContaining({ violationId: 'v-1', outcome: 'restored' })]);
    expect(e.thingGroupsOf('sensor-1')).toEqual([]);
  });
});

describe('undo never restores trust an audit withdrew', () => {
  const CA = 'a'.repeat(64);
  const cases: Array<[string, 'CA' | 'device']> = [
    ['REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK', 'CA'],
    ['CA_CERTIFICATE_KEY_QUALITY_CHECK', 'CA'],
    ['REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK', 'device'],
    ['INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK', 'device'],
    ['DEVICE_CERTIFICATE_KEY_QUALITY_CHECK', 'device'],
  ];
  test.each(cases)('%s: the %s certificate stays INACTIVE, refused with why; --allow-check lets it through', async (check, kind) => {
    // GIVEN a certificate deactivated for a finding of the check
    e.addMitigationAction({ actionName: 'deactivate-ca', actionType: 'UPDATE_CA_CERTIFICATE' });
    e.addCaCertificate({ certificateId: CA });
    e.addAuditFinding({
      findingId: 'finding-untrusted',
      taskId: AUDIT,
      checkName: check,
      nonCompliantResource: kind === 'CA'
        ? { resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: CA } }
        : { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: CERT } },
    });
    await start('task-1', { [check]: [kind === 'CA' ? 'deactivate-ca' : 'deactivate'] });
    e.runAuditMitigationTask('task-1');
    const status = () => (kind === 'CA' ? e.caCertificate(CA)?.status : e.certificate(CERT)?.status);
    expect(status()).toBe('INACTIVE');

    // WHEN undo runs without the override THEN the step is refused and nothing is written
    const refused = await cli('undo', 'task-1', '--yes', '--json');
    expect(status()).toBe('INACTIVE');
    expect(e.requestsFor('UpdateCertificate').concat(e.requestsFor('UpdateCACertificate'))).toHaveLength(0);
    expect(refused.code).toBe(0);
    expect(refused.json().steps).toEqual([expect.objectContaining({
      checkName: check,
      change: `reactivate ${kind} certificate ${kind === 'CA' ? CA : CERT}`,
      outcome: 'refused',
      reason: expect.stringMatching(new RegExp(`undo never reactivates it \\(override: --allow-check ${check}\\)`)),
    })]);
    expect((await cli('undo', 'task-1', '--yes')).out).toMatch(new RegExp(`${check}\\s+deactivate\\S*\\s+reactivate .* refused: the audit found`));

    // WHEN the check is named with --allow-check THEN the certificate is reactivated
    const allowed = await cli('undo', 'task-1', '--yes', '--json', '--allow-check', check);
    expect(allowed.json().steps).toEqual([expect.objectContaining({ outcome: 'restored' })]);
    expect(status()).toBe('ACTIVE');
  });

  test('--allow-check names only checks undo refuses', async () => {
    const result = await cli('undo', 'task-1', '--allow-check', 'DEVICE_CERTIFICATE_SHARED_CHECK');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--allow-check DEVICE_CERTIFICATE_SHARED_CHECK: undo refuses no step for this check; it refuses only [A-Z_]+_CHECK(, [A-Z_]+_CHECK)*\n/);
    for (const check of ['CA_CERTIFICATE_KEY_QUALITY_CHECK', 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK', 'INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK',
      'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK', 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK']) {
      expect(result.err).toContain(check);
    }
  });
});

describe('undo leaves alone what changed after the execution', () => {
  const LEAST_PRIVILEGE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

  test("an operator's least-privilege version made default later is kept: changed-since, nothing deleted", async () => {
    await start('task-1', { [BLANK_POLICY_CHECK]: ['blank'] });
    e.runAuditMitigationTask('task-1');
    await iot.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: LEAST_PRIVILEGE, setAsDefault: true }));
    expect(fleetState()).toMatchObject({ policyDefault: '3', policyVersions: ['1', '2', '3'] });

    const result = await cli('undo', 'task-1', '--yes', '--json');
    expect(fleetState()).toMatchObject({ policyDefault: '3', policyVersions: ['1', '2', '3'] });
    expect(e.requestsFor('DeletePolicyVersion')).toHaveLength(0);
    expect(e.requestsFor('SetDefaultPolicyVersion')).toHaveLength(0);
    expect(result.code).toBe(0);
    expect(result.json().steps).toEqual([expect.objectContaining({
      actionName: 'blank',
      outcome: 'changed-since',
      reason: expect.stringMatching(/^the default is now version 3 \(created .*, outside the execution's window .*\); undo leaves the policy as it is$/),
    })]);
  });

  test('restores the flagged default and deletes exactly the blank version the execution created, not one made during the task', async () => {
    // GIVEN an operator's draft version created while the task was running, before the execution
    await start('task-1', { [BLANK_POLICY_CHECK]: ['blank'] });
    await aMomentLater();
    await iot.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: LEAST_PRIVILEGE, setAsDefault: false }));
    await aMomentLater();
    e.runAuditMitigationTask('task-1');
    expect(fleetState()).toMatchObject({ policyDefault: '3', policyVersions: ['1', '2', '3'] });

    const result = await cli('undo', 'task-1', '--yes', '--json');
    expect(fleetState()).toMatchObject({ policyDefault: '1', policyVersions: ['1', '2'] });
    expect(e.requestsFor('DeletePolicyVersion').map((r) => r.path)).toEqual(['/policies/wide-open/version/3']);
    expect(result.json().steps).toEqual([expect.objectContaining({
      outcome: 'restored', change: 'make version 1 the default of policy wide-open again and delete blank version 3',
    })]);
  });

  test('without the start and end times from AWS, nothing is restored or deleted', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'], [BLANK_POLICY_CHECK]: ['blank'] });
    e.runAuditMitigationTask('task-1', { timesUnknown: true });
    const after = fleetState();
    expect(after).toMatchObject({ certificate: 'INACTIVE', policyDefault: '2', policyVersions: ['1', '2'] });

    const result = await cli('undo', 'task-1', '--yes', '--json');
    expect(fleetState()).toEqual(after);
    expect(e.requests.filter(isWrite).filter((r) => r.operation !== 'StartAuditMitigationActionsTask')).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.json().steps).toEqual(expect.arrayContaining([
      expect.objectContaining({ actionName: 'blank', outcome: 'refused', reason: expect.stringMatching(/no start or end time .* changes nothing/) }),
      expect.objectContaining({ actionName: 'deactivate', outcome: 'refused', reason: expect.stringMatching(/no end time for the execution/) }),
    ]));
  });

  test('a certificate an operator reactivated and deactivated again after the execution is changed-since, and stays INACTIVE', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    e.runAuditMitigationTask('task-1');
    await aMomentLater();
    await iot.send(new UpdateCertificateCommand({ certificateId: CERT, newStatus: 'ACTIVE' }));
    await iot.send(new UpdateCertificateCommand({ certificateId: CERT, newStatus: 'INACTIVE' }));

    const result = await cli('undo', 'task-1', '--yes', '--json');
    expect(fleetState().certificate).toBe('INACTIVE');
    expect(e.requestsFor('UpdateCertificate')).toHaveLength(2);
    expect(result.json().steps).toEqual([expect.objectContaining({
      outcome: 'changed-since', reason: expect.stringMatching(/^modified .*, after the execution ended \(.*\); now INACTIVE$/),
    })]);
  });
});
