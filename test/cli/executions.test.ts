/**
 * The `executions` command (src/cli/executions.ts): every execution of a task, filterable.
 */
import { BLANK_POLICY_CHECK, cli, e, start, useCliEmulator } from './harness';

useCliEmulator();

describe('executions', () => {
  test('every execution of a task, with finding, check, action type and status, filterable', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate'], [BLANK_POLICY_CHECK]: ['blank'] });
    e.runAuditMitigationTask('task-1', { failFindingIds: ['finding-policy'] });

    const all = (await cli('executions', 'task-1', '--json')).json();
    expect(all).toEqual(expect.arrayContaining([
      expect.objectContaining({ findingId: 'finding-cert', checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS', status: 'COMPLETED' }),
      expect.objectContaining({ findingId: 'finding-cert', actionName: 'deactivate', actionType: 'UPDATE_DEVICE_CERTIFICATE', status: 'COMPLETED' }),
      expect.objectContaining({ findingId: 'finding-policy', actionName: 'blank', status: 'FAILED' }),
    ]));
    expect(all).toHaveLength(3);
    const deactivations = (await cli('executions', 'task-1', '--action-type', 'UPDATE_DEVICE_CERTIFICATE', '--json')).json();
    expect(deactivations.map((r: { actionName: string }) => r.actionName)).toEqual(['deactivate']);
    const failed = (await cli('executions', 'task-1', '--status', 'FAILED', '--json')).json();
    expect(failed.map((r: { findingId: string }) => r.findingId)).toEqual(['finding-policy']);
    expect((await cli('executions', 'task-1')).out).toMatch(/finding-cert\s+DEVICE_CERTIFICATE_SHARED_CHECK\s+deactivate\s+UPDATE_DEVICE_CERTIFICATE\s+COMPLETED/);
  });

  test('an unknown task is an error, not a crash', async () => {
    const result = await cli('executions', 'no-such-task');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no audit or detect mitigation task no-such-task/);
  });
});
