/**
 * The `cancel` command (src/cli/cancel.ts): audit and Detect tasks in progress.
 */
import { StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { cli, e, iot, start, useCliEmulator } from './harness';

useCliEmulator();

describe('cancel', () => {
  test('cancels a task in progress', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    const result = await cli('cancel', 'task-1', '--yes');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/cancelled audit task task-1/);
    expect(e.auditMitigationTasks()[0].taskStatus).toBe('CANCELED');
  });

  test('a finished task is not cancelled, and what already ran is said', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate'] });
    e.runAuditMitigationTask('task-1');
    const result = await cli('cancel', 'task-1', '--json');
    expect(result.json()).toEqual({
      taskId: 'task-1',
      kind: 'audit',
      cancelled: false,
      reason: expect.stringMatching(/COMPLETED, not IN_PROGRESS/),
      alreadyRan: { COMPLETED: 2 },
    });
    expect(e.requestsFor('CancelAuditMitigationActionsTask')).toHaveLength(0);
  });

  test('cancels a detect task too', async () => {
    await iot.send(new StartDetectMitigationActionsTaskCommand({
      taskId: 'detect-1', target: { violationIds: ['v-1'] }, actions: ['quarantine'], clientRequestToken: 'token-d1',
    }));
    expect((await cli('cancel', 'detect-1', '--yes')).out).toMatch(/cancelled detect task detect-1/);
    expect(e.requestsFor('CancelDetectMitigationActionsTask')).toHaveLength(1);
  });
});
