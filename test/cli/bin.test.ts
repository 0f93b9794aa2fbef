/**
 * The bundled command, `npx cdk-device-defender` (src/cli/bin.ts, built into assets/cli/ by `npx projen bundle`),
 * in a child process with the standard credential and region chain.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import { BIN, e, fleetState, start, useCliEmulator } from './harness';

useCliEmulator();

describe('the bundled command (npx cdk-device-defender)', () => {
  const bin = BIN;
  const env = () => ({
    ...process.env,
    AWS_ENDPOINT_URL_IOT: e.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
  });

  test('runs with the standard credential and region chain', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'tasks', '--json'], { env: env() });
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ kind: 'audit', taskId: 'task-1', status: 'IN_PROGRESS' })]);
  });

  test('tasks and summary read finished tasks\' outcomes', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    e.runAuditMitigationTask('task-1');
    const tasks = await promisify(execFile)(process.execPath, [bin, 'tasks', '--json'], { env: env() });
    expect(JSON.parse(tasks.stdout)).toEqual([expect.objectContaining({
      taskId: 'task-1', status: 'COMPLETED', outcome: expect.objectContaining({ byAction: { deactivate: expect.objectContaining({ succeeded: 1 }) } }),
    })]);
    const summary = await promisify(execFile)(process.execPath, [bin, 'summary', '--since', '1d'], { env: env() });
    expect(summary.stdout).toMatch(/^executions of finished tasks: 1 succeeded, 0 failed, 0 skipped, 0 canceled$/m);
  });

  test('with stdin and stdout not terminals, undo without --yes changes nothing and exits 2', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    e.runAuditMitigationTask('task-1');
    const failure = await promisify(execFile)(process.execPath, [bin, 'undo', 'task-1'], { env: env() }).then(() => undefined, (error) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringMatching(/not a terminal: re-run with --yes to apply/) });
    expect(fleetState().certificate).toBe('INACTIVE');
  });
});
