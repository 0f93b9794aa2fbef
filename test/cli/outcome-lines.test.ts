/**
 * What `tasks` and `summary` print of finished tasks' outcomes (src/cli/outcome-lines.ts): totals, top error
 * codes, per action and per check.
 */
import { StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { AUDIT, BLANK_POLICY_CHECK, cli, e, iot, start, useCliEmulator } from './harness';

useCliEmulator();

describe('task outcomes: tasks and summary', () => {
  const SHARED = 'DEVICE_CERTIFICATE_SHARED_CHECK';

  /** Two more findings of the shared-certificate check (three in all), on certificates of their own. */
  function seedMoreFindings(): void {
    for (const n of [2, 3]) {
      e.addAuditFinding({
        findingId: `finding-cert-${n}`,
        taskId: AUDIT,
        checkName: SHARED,
        nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: String(n).repeat(64) } },
      });
    }
  }

  /** An audit task that ends with 3 failed executions (EmulatedFailure): notify twice and blank once. */
  async function failingAuditTask(taskId: string): Promise<void> {
    await start(taskId, { [SHARED]: ['notify', 'deactivate'], [BLANK_POLICY_CHECK]: ['blank'] });
    e.runAuditMitigationTask(taskId, { failFindingIds: ['finding-cert-2', 'finding-cert-3', 'finding-policy'] });
  }

  async function detectTask(taskId: string, options: { run: boolean }): Promise<void> {
    await iot.send(new StartDetectMitigationActionsTaskCommand({
      taskId, target: { violationIds: ['v-1', 'v-2'] }, actions: ['quarantine'], clientRequestToken: `token-${taskId}`,
    }));
    if (options.run) { e.runDetectMitigationTask(taskId, { 'v-1': 'sensor-1', 'v-2': 'sensor-2' }, { failViolationIds: ['v-2'] }); }
  }

  beforeEach(seedMoreFindings);

  test('a task with 3 failed executions: totals and the top error code, per action and per check with --detail, the whole outcome with --json', async () => {
    await failingAuditTask('task-failing');

    const table = await cli('tasks');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^KIND\s+TASK\s+STATUS\s+STARTED\s+SUCCEEDED\s+FAILED\s+SKIPPED\s+CANCELED\s+TOTAL\s+TOP ERROR$/m);
    expect(table.out).toMatch(/audit\s+task-failing\s+FAILED\s+\S+\s+2\s+3\s+2\s+0\s+7\s+EmulatedFailure \(3\)$/m);
    expect(table.out).not.toMatch(/^\s+ACTION/m);

    const detail = (await cli('tasks', '--detail')).out;
    expect(detail).toMatch(/^audit task task-failing \(FAILED\)$/m);
    expect(detail).toMatch(/^ {2}blank\s+REPLACE_DEFAULT_POLICY_VERSION\s+0\s+1\s+0\s+0$/m);
    expect(detail).toMatch(/^ {2}deactivate\s+UPDATE_DEVICE_CERTIFICATE\s+1\s+0\s+2\s+0$/m);
    expect(detail).toMatch(/^ {2}notify\s+PUBLISH_FINDING_TO_SNS\s+1\s+2\s+0\s+0$/m);
    // CHECK, FINDINGS, MITIGATED, then executions by outcome.
    expect(detail).toMatch(/^ {2}DEVICE_CERTIFICATE_SHARED_CHECK\s+3\s+1\s+2\s+2\s+2\s+0$/m);
    expect(detail).toMatch(/^ {2}IOT_POLICY_OVERLY_PERMISSIVE_CHECK\s+1\s+0\s+0\s+1\s+0\s+0$/m);
    expect(detail).toMatch(/^ {2}EmulatedFailure\s+3\s+notify on finding-cert-2/m);
    expect(Math.max(...detail.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);

    const [row] = (await cli('tasks', '--json')).json();
    expect(row).toEqual({
      kind: 'audit',
      taskId: 'task-failing',
      status: 'FAILED',
      startTime: expect.any(String),
      succeeded: 2,
      failed: 3,
      skipped: 2,
      canceled: 0,
      total: 7,
      outcome: {
        taskKind: 'audit',
        taskId: 'task-failing',
        status: 'FAILED',
        startTime: row.startTime,
        endTime: expect.any(String),
        executions: { succeeded: 2, failed: 3, skipped: 2, canceled: 0 },
        byAction: {
          blank: { actionType: 'REPLACE_DEFAULT_POLICY_VERSION', succeeded: 0, failed: 1, skipped: 0, canceled: 0 },
          deactivate: { actionType: 'UPDATE_DEVICE_CERTIFICATE', succeeded: 1, failed: 0, skipped: 2, canceled: 0 },
          notify: { actionType: 'PUBLISH_FINDING_TO_SNS', succeeded: 1, failed: 2, skipped: 0, canceled: 0 },
        },
        byCheck: {
          [SHARED]: { succeeded: 2, failed: 2, skipped: 2, canceled: 0 },
          [BLANK_POLICY_CHECK]: { succeeded: 0, failed: 1, skipped: 0, canceled: 0 },
        },
        findingsByCheck: {
          [SHARED]: { total: 3, succeeded: 1, failed: 2, skipped: 0, canceled: 0 },
          [BLANK_POLICY_CHECK]: { total: 1, succeeded: 0, failed: 1, skipped: 0, canceled: 0 },
        },
        errorCodes: [{ errorCode: 'EmulatedFailure', count: 3, example: expect.objectContaining({ actionName: 'notify', findingId: 'finding-cert-2' }) }],
        truncated: false,
      },
    });
  });

  test('a task in progress shows its live counts and no outcome; once finished, its outcome', async () => {
    await start('task-running', { [SHARED]: ['notify'] });
    await detectTask('detect-running', { run: false });
    const running = (await cli('tasks', '--json')).json();
    expect(running).toEqual(expect.arrayContaining([
      { kind: 'audit', taskId: 'task-running', status: 'IN_PROGRESS', startTime: expect.any(String), succeeded: 0, failed: 0, skipped: 0, canceled: 0, total: 3 },
      { kind: 'detect', taskId: 'detect-running', status: 'IN_PROGRESS', startTime: expect.any(String), succeeded: 0, failed: 0, skipped: 0, canceled: 0, total: 0 },
    ]));
    const table = await cli('tasks', '--detail');
    expect(table.out).toMatch(/audit\s+task-running\s+IN_PROGRESS\s+\S+\s+0\s+0\s+0\s+0\s+3\s+-$/m);
    expect(table.out).toMatch(/^IN_PROGRESS: counts so far \(an audit task's findings, not executions\)$/m);
    expect(table.out).not.toMatch(/audit task task-running/);

    e.runAuditMitigationTask('task-running');
    const [finished] = (await cli('tasks', '--json', '--status', 'COMPLETED')).json();
    expect(finished).toMatchObject({ taskId: 'task-running', status: 'COMPLETED', succeeded: 3, total: 3, outcome: { status: 'COMPLETED' } });
  });

  test('summary counts the finished tasks by check, action (with type) and outcome; tasks by status; the top error codes', async () => {
    await failingAuditTask('task-a');
    await start('task-b', { [SHARED]: ['notify'] });
    e.runAuditMitigationTask('task-b');
    await detectTask('detect-1', { run: true });
    await start('task-running', { [BLANK_POLICY_CHECK]: ['blank'] });

    const json = (await cli('summary', '--json')).json();
    expect(json).toEqual({
      since: '7d',
      tasks: 4,
      tasksByStatus: { COMPLETED: 1, FAILED: 2, IN_PROGRESS: 1 },
      inProgress: 1,
      executions: { succeeded: 6, failed: 4, skipped: 2, canceled: 0 },
      byAction: {
        blank: { actionType: 'REPLACE_DEFAULT_POLICY_VERSION', succeeded: 0, failed: 1, skipped: 0, canceled: 0 },
        deactivate: { actionType: 'UPDATE_DEVICE_CERTIFICATE', succeeded: 1, failed: 0, skipped: 2, canceled: 0 },
        notify: { actionType: 'PUBLISH_FINDING_TO_SNS', succeeded: 4, failed: 2, skipped: 0, canceled: 0 },
        quarantine: { actionType: 'ADD_THINGS_TO_THING_GROUP', succeeded: 1, failed: 1, skipped: 0, canceled: 0 },
      },
      byCheck: {
        [SHARED]: { succeeded: 5, failed: 2, skipped: 2, canceled: 0, findings: 6, findingsMitigated: 4 },
        [BLANK_POLICY_CHECK]: { succeeded: 0, failed: 1, skipped: 0, canceled: 0, findings: 1, findingsMitigated: 0 },
      },
      errorCodes: [{ errorCode: 'EmulatedFailure', count: 4 }],
      truncated: false,
    });

    const table = await cli('summary');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^tasks started in the last 7d: 4 \(COMPLETED 1, FAILED 2, IN_PROGRESS 1\); 1 not finished, not counted below$/m);
    expect(table.out).toMatch(/^executions of finished tasks: 6 succeeded, 4 failed, 2 skipped, 0 canceled$/m);
    expect(table.out).toMatch(/^notify\s+PUBLISH_FINDING_TO_SNS\s+4\s+2\s+0\s+0$/m);
    expect(table.out).toMatch(/^quarantine\s+ADD_THINGS_TO_THING_GROUP\s+1\s+1\s+0\s+0$/m);
    expect(table.out).toMatch(/^DEVICE_CERTIFICATE_SHARED_CHECK\s+6\s+4\s+5\s+2\s+2\s+0$/m);
    expect(table.out).toMatch(/^EmulatedFailure\s+4$/m);
  });

  test('--since excludes tasks started before it, in summary and in tasks', async () => {
    // A task started and finished ten days ago (only the clock is moved; timers run as usual).
    jest.useFakeTimers({
      now: Date.now() - 10 * 86_400_000,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    try {
      await failingAuditTask('task-old');
    } finally {
      jest.useRealTimers();
    }
    await start('task-new', { [SHARED]: ['notify'] });
    e.runAuditMitigationTask('task-new');

    const recent = (await cli('summary', '--json')).json();
    expect(recent).toMatchObject({ since: '7d', tasks: 1, tasksByStatus: { COMPLETED: 1 }, executions: { succeeded: 3, failed: 0 }, errorCodes: [] });
    expect(Object.keys(recent.byAction)).toEqual(['notify']);
    expect((await cli('tasks', '--json')).json().map((t: { taskId: string }) => t.taskId)).toEqual(['task-new']);
    // Only the task in the window is read.
    expect(e.requestsFor('DescribeAuditMitigationActionsTask').map((r) => r.path)).not.toContainEqual(expect.stringContaining('task-old'));

    const month = (await cli('summary', '--since', '30d', '--json')).json();
    expect(month).toMatchObject({ tasks: 2, executions: { succeeded: 5, failed: 3, skipped: 2 }, errorCodes: [{ errorCode: 'EmulatedFailure', count: 3 }] });
    expect((await cli('summary', '--since', 'a week')).code).toBe(2);
  });

  test('summary with no task in the window says so', async () => {
    const result = await cli('summary', '--since', '1h');
    expect(result.code).toBe(0);
    expect(result.out).toBe('tasks started in the last 1h: 0\nexecutions of finished tasks: 0 succeeded, 0 failed, 0 skipped, 0 canceled');
  });
});
