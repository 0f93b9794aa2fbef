/**
 * The `tasks` command (src/cli/tasks.ts): audit and Detect tasks with their status and counts, as a table or JSON.
 */
import { StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { cli, e, iot, start, useCliEmulator } from './harness';

useCliEmulator();

describe('tasks', () => {
  test('lists audit and detect tasks with status and counts, as a table or JSON', async () => {
    await start('audit-task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    e.runAuditMitigationTask('audit-task-1');
    await start('audit-task-2', { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify'] });
    await iot.send(new StartDetectMitigationActionsTaskCommand({
      taskId: 'detect-task-1', target: { violationIds: ['violation-1'] }, actions: ['quarantine'], clientRequestToken: 'token-detect-1',
    }));

    const table = await cli('tasks');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^KIND\s+TASK\s+STATUS/);
    expect(table.out).toMatch(/audit\s+audit-task-1\s+COMPLETED/);
    expect(table.out).toMatch(/audit\s+audit-task-2\s+IN_PROGRESS/);
    expect(table.out).toMatch(/detect\s+detect-task-1\s+IN_PROGRESS/);

    const json = (await cli('tasks', '--json')).json();
    expect(json).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'audit', taskId: 'audit-task-1', status: 'COMPLETED', succeeded: 1, total: 1 }),
      expect.objectContaining({ kind: 'detect', taskId: 'detect-task-1' }),
    ]));
    const completed = (await cli('tasks', '--status', 'COMPLETED', '--json')).json();
    expect(completed.map((t: { taskId: string }) => t.taskId)).toEqual(['audit-task-1']);
  });

  test('a bad --since is a usage error', async () => {
    const result = await cli('tasks', '--since', 'yesterday');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/invalid duration "yesterday"/);
  });
});
