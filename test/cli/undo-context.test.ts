/**
 * Undo judged per resource and across tasks: a certificate any revocation finding names
 * stays inactive, a thing another task also quarantined stays quarantined, every removal says what
 * AWS cannot tell.
 */
import { StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { AUDIT, CERT, cli, e, fleetState, iot, start, useCliEmulator } from './harness';

useCliEmulator();

const SHARED = 'DEVICE_CERTIFICATE_SHARED_CHECK';
const REVOKED = 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK';
/** A later audit, whose findings are current. */
const LATER_AUDIT = 'b0b1c2d3e4f5';
const onCert = { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: CERT } } as const;


/** The ListAuditFindings requests that looked the certificate up by resource (not by audit). */
const certificateLookups = () => e.requestsFor('ListAuditFindings').filter((r) => r.body?.resourceIdentifier?.deviceCertificateId === CERT);

function addRevokedFinding(findingId: string, auditTaskId = AUDIT): void {
  e.addAuditFinding({ findingId, taskId: auditTaskId, checkName: REVOKED, nonCompliantResource: onCert });
}

async function detectQuarantine(taskId: string, thingName = 'sensor-1'): Promise<void> {
  await iot.send(new StartDetectMitigationActionsTaskCommand({
    taskId, target: { violationIds: ['v-1'] }, actions: ['quarantine'], clientRequestToken: `token-${taskId}`,
  }));
  e.runDetectMitigationTask(taskId, { 'v-1': thingName });
}

describe('undo judges a certificate per resource, across tasks', () => {
  test('undo refuses to re-activate a certificate a sibling revocation finding deactivated', async () => {
    // GIVEN one certificate with a shared-check and a revocation finding, both mapped to deactivate (as examples/quickstart.ts wires them)
    addRevokedFinding('finding-revoked');
    await start('task-1', { [SHARED]: ['deactivate'], [REVOKED]: ['deactivate'] });
    e.runAuditMitigationTask('task-1');
    expect(fleetState().certificate).toBe('INACTIVE');
    const updates = e.requestsFor('UpdateCertificate').length;

    // WHEN the task is undone
    const result = await cli('undo', 'task-1', '--yes', '--json');

    // THEN both steps are refused, the shared-check one naming the revocation finding, and nothing is written
    expect(fleetState().certificate).toBe('INACTIVE');
    expect(e.requestsFor('UpdateCertificate')).toHaveLength(updates);
    expect(result.code).toBe(0);
    const steps = result.json().steps;
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      expect(step).toMatchObject({
        outcome: 'refused',
        reason: expect.stringMatching(new RegExp(`finding finding-revoked \\(${REVOKED}, task task-1\\).*--allow-check ${REVOKED}`)),
      });
    }
    expect(steps.map((s: { checkName: string }) => s.checkName).sort()).toEqual([REVOKED, SHARED].sort());
    // The certificate's findings are read once for the resource (unsuppressed, then suppressed), not once per execution.
    expect(certificateLookups().map((r) => r.body.listSuppressedFindings)).toEqual([false, true]);
    expect((await cli('undo', 'task-1', '--yes')).out).toMatch(new RegExp(`${SHARED}\\s+deactivate\\s+reactivate device certificate c+\\s+refused: .*finding-revoked`));

    // WHEN the operator allows the revocation check THEN the certificate is reactivated
    const allowed = await cli('undo', 'task-1', '--yes', '--json', '--allow-check', REVOKED);
    expect(allowed.json().steps.map((s: { outcome: string }) => s.outcome).sort()).toEqual(['already-restored', 'restored']);
    expect(fleetState().certificate).toBe('ACTIVE');
  });

  test('undo of one task refuses to re-activate a certificate another task deactivated for revocation', async () => {
    // GIVEN a later audit's revocation finding, mitigated by its own task, and the shared-check task after it
    e.addAuditTask({ taskId: LATER_AUDIT, scheduledAuditName: 'daily', checks: { [REVOKED]: { nonCompliantResourcesCount: 1 } } });
    addRevokedFinding('finding-revoked', LATER_AUDIT);
    await start('task-revoked', { [REVOKED]: ['deactivate'] }, { auditTaskId: LATER_AUDIT });
    e.runAuditMitigationTask('task-revoked');
    await start('task-shared', { [SHARED]: ['deactivate'] }, { findingIds: ['finding-cert'] });
    e.runAuditMitigationTask('task-shared');

    // WHEN only the shared-check task is undone THEN the certificate stays INACTIVE, and the plan says why
    const updates = e.requestsFor('UpdateCertificate').length;
    const result = await cli('undo', 'task-shared', '--yes', '--json');
    expect(fleetState().certificate).toBe('INACTIVE');
    expect(e.requestsFor('UpdateCertificate')).toHaveLength(updates);
    expect(result.json().steps).toEqual([expect.objectContaining({
      checkName: SHARED,
      outcome: 'refused',
      reason: expect.stringMatching(new RegExp(`finding finding-revoked \\(${REVOKED}, task task-revoked\\)`)),
    })]);
  });

  test.each([false, true])('undo refuses to re-activate a certificate a current revocation finding names, though no task mitigated it (suppressed: %s)', async (isSuppressed) => {
    await start('task-shared', { [SHARED]: ['deactivate'] });
    e.runAuditMitigationTask('task-shared');
    // A later audit finds the certificate revoked; nothing has mitigated that finding yet (or it is suppressed, so nothing will).
    e.addAuditTask({ taskId: LATER_AUDIT, scheduledAuditName: 'daily', checks: { [REVOKED]: { nonCompliantResourcesCount: 1 } } });
    e.addAuditFinding({ findingId: 'finding-revoked', taskId: LATER_AUDIT, checkName: REVOKED, nonCompliantResource: onCert, isSuppressed });

    const result = await cli('undo', 'task-shared', '--yes', '--json');
    expect(fleetState().certificate).toBe('INACTIVE');
    expect(result.json().steps).toEqual([expect.objectContaining({
      outcome: 'refused',
      reason: expect.stringMatching(new RegExp(`finding finding-revoked \\(${REVOKED}, audit ${LATER_AUDIT}, no mitigation task\\)`)),
    })]);
  });
});

test('when the other tasks and findings cannot be read, undo writes nothing for that resource: failed, exit 1', async () => {
  await start('task-1', { [SHARED]: ['quarantine', 'deactivate'] }, { findingIds: ['finding-cert'] });
  e.runAuditMitigationTask('task-1');
  e.injectFault({ kind: 'invalidRequest', operation: 'ListAuditFindings', times: Infinity });
  e.injectFault({ kind: 'invalidRequest', operation: 'ListDetectMitigationActionsExecutions', times: Infinity });

  const result = await cli('undo', 'task-1', '--yes', '--json');
  expect(result.code).toBe(1);
  expect(fleetState()).toMatchObject({ certificate: 'INACTIVE', groups: ['quarantine'] });
  expect(e.requestsFor('UpdateCertificate')).toHaveLength(0);
  expect(e.requestsFor('RemoveThingFromThingGroup')).toHaveLength(0);
  expect(result.json().steps).toEqual(expect.arrayContaining([
    expect.objectContaining({ actionName: 'deactivate', outcome: 'failed', error: expect.stringMatching(/^InvalidRequestException/) }),
    expect.objectContaining({ actionName: 'quarantine', outcome: 'failed', error: expect.stringMatching(/^InvalidRequestException/) }),
  ]));
});

describe('undo removes from a group only what no other task also added', () => {
  test('undo refuses to remove a thing a Detect task also added to the quarantine group, and the reverse', async () => {
    // GIVEN a Detect task quarantined sensor-1, then an audit task quarantined it again
    await detectQuarantine('detect-1');
    await start('task-1', { [SHARED]: ['quarantine'] });
    e.runAuditMitigationTask('task-1');
    expect(fleetState().groups).toEqual(['quarantine']);

    // WHEN the audit task is undone THEN the removal is refused, naming the Detect task
    const audit = await cli('undo', 'task-1', '--yes', '--json');
    expect(e.requestsFor('RemoveThingFromThingGroup')).toHaveLength(0);
    expect(fleetState().groups).toEqual(['quarantine']);
    expect(audit.json().steps).toEqual([expect.objectContaining({
      change: 'remove thing sensor-1 from thing group quarantine',
      outcome: 'refused',
      reason: expect.stringMatching(/detect task detect-1 \(violation v-1\) also added thing sensor-1 to thing group quarantine/),
    })]);

    // WHEN the Detect task is undone THEN it is refused too, naming the audit task
    const detect = await cli('undo', 'detect-1', '--yes', '--json');
    expect(e.requestsFor('RemoveThingFromThingGroup')).toHaveLength(0);
    expect(detect.json().steps).toEqual([expect.objectContaining({
      outcome: 'refused',
      reason: expect.stringMatching(/audit task task-1 \(finding finding-cert\) also added thing sensor-1 to thing group quarantine/),
    })]);
  });

  test('undo refuses to remove a thing another audit task also added to the group', async () => {
    await start('task-a', { [SHARED]: ['quarantine'] }, { findingIds: ['finding-cert'] });
    e.runAuditMitigationTask('task-a');
    await start('task-b', { [SHARED]: ['quarantine'] });
    e.runAuditMitigationTask('task-b');

    const result = await cli('undo', 'task-b', '--yes', '--json');
    expect(fleetState().groups).toEqual(['quarantine']);
    expect(result.json().steps).toEqual([expect.objectContaining({
      outcome: 'refused', reason: expect.stringMatching(/audit task task-a \(finding finding-cert\) also added thing sensor-1/),
    })]);
  });

  test('every removal step says that a membership added by hand before the task cannot be told apart, in the table and in --json', async () => {
    // GIVEN an operator put sensor-1 in quarantine by hand, then a task quarantined it
    e.addThingToThingGroup('sensor-1', 'quarantine');
    await start('task-1', { [SHARED]: ['quarantine', 'deactivate'] });
    e.runAuditMitigationTask('task-1');

    const plan = await cli('undo', 'task-1', '--dry-run', '--json');
    const removal = plan.json().steps.find((s: { actionName: string }) => s.actionName === 'quarantine');
    expect(removal).toMatchObject({ outcome: 'would-restore', caveat: expect.stringMatching(/AWS keeps no membership history/) });
    expect(plan.json().steps.find((s: { actionName: string }) => s.actionName === 'deactivate').caveat).toBeUndefined();
    const table = (await cli('undo', 'task-1', '--dry-run')).out;
    expect(table).toMatch(/^RESOURCE\s+CHECK\s+ACTION\s+CHANGE\s+OUTCOME\s+NOTE$/m);
    expect(table).toMatch(/quarantine\s+remove thing sensor-1 from thing group quarantine\s+would-restore\s+AWS keeps no membership history/);

    const applied = await cli('undo', 'task-1', '--yes', '--json');
    expect(applied.json().steps).toContainEqual(expect.objectContaining({ actionName: 'quarantine', outcome: 'restored', caveat: removal.caveat }));
  });
});
