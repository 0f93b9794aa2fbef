/**
 * What `tasks`, `executions` and `summary` print across spokes (src/cli/fan-out.ts), against the
 * emulators with two accounts in two regions: account and region on every row, the per-spoke
 * summary, a task found in the one spoke that has it, and the progress line.
 */
import {
  ACCOUNT_A, ACCOUNT_B, REGIONS, SHARED_TASK, SPOKES, emulators, keyOf, spokeCli, taskOf, useSpokeEmulators,
} from './spoke-harness';

useSpokeEmulators();

const ALL = ['--accounts', `${ACCOUNT_A},${ACCOUNT_B}`, '--regions', REGIONS.join(',')];

describe('tasks', () => {
  test('a table with ACCOUNT and REGION first, one row per task of every spoke; --detail names the spoke of each task', async () => {
    const result = await spokeCli(['tasks', ...ALL, '--detail']);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT +REGION +KIND +TASK +STATUS +STARTED +SUCCEEDED +FAILED +SKIPPED +CANCELED +TOTAL +TOP ERROR$/);
    for (const spoke of SPOKES) {
      expect(result.out).toMatch(new RegExp(`^${spoke.account} +${spoke.region} +audit +${taskOf(spoke)} +COMPLETED +\\S+ +1 +0 +0 +0 +1`, 'm'));
      expect(result.out).toMatch(new RegExp(`^${spoke.account} +${spoke.region} +audit +${SHARED_TASK} +IN_PROGRESS`, 'm'));
      expect(result.out).toMatch(new RegExp(`^audit task ${taskOf(spoke)} in ${spoke.account} ${spoke.region} \\(COMPLETED\\)$`, 'm'));
    }
    expect(result.out).not.toMatch(/spoke\(s\) failed/);
    expect(result.err).toBe('');
  });

  test('--json: { tasks, failedSpokes }, every task with its account and region, newest first', async () => {
    const { tasks, failedSpokes } = (await spokeCli(['tasks', ...ALL, '--status', 'COMPLETED', '--json'])).json();
    expect(failedSpokes).toEqual([]);
    expect(tasks).toHaveLength(4);
    for (const task of tasks) { expect(task.taskId).toBe(taskOf(task)); }
    const starts = tasks.map((t: any) => t.startTime);
    expect([...starts].sort().reverse()).toEqual(starts);
  });

  test('a progress line on stderr when it is a terminal: spokes done out of all; none with --json', async () => {
    const shown = await spokeCli(['tasks', ...ALL], { interactive: true });
    expect(shown.err).toMatch(/\rspokes \[#+\.*\] 1\/4/);
    expect(shown.err).toMatch(/\rspokes \[#{30}\] 4\/4\n$/);
    // The per-spoke reads draw no progress of their own (their lines would interleave).
    expect(shown.err).not.toMatch(/reading task outcomes/);
    const json = await spokeCli(['tasks', ...ALL, '--json'], { interactive: true });
    expect(json.err).toBe('');
  });

  test('no task in the window: says so with the number of spokes read', async () => {
    const result = await spokeCli(['tasks', ...ALL, '--status', 'CANCELED']);
    expect(result).toMatchObject({ code: 0, out: 'no mitigation task in the last 7d in 4 spoke(s)' });
  });
});

describe('summary', () => {
  test('the totals over every spoke, then one line per spoke', async () => {
    const result = await spokeCli(['summary', ...ALL]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^4 spoke\(s\) read\ntasks started in the last 7d: 8 \(COMPLETED 4, IN_PROGRESS 4\); 4 not finished, not counted below\nexecutions of finished tasks: 4 succeeded, 0 failed, 0 skipped, 0 canceled$/m);
    expect(result.out).toMatch(/^ACCOUNT +REGION +TASKS +NOT FINISHED +SUCCEEDED +FAILED +SKIPPED +CANCELED +TOP ERROR$/m);
    for (const spoke of SPOKES) { expect(result.out).toMatch(new RegExp(`^${spoke.account} +${spoke.region} +2 +1 +1 +0 +0 +0 +-$`, 'm')); }
  });

  test('--json: the totals, bySpoke (each spoke\'s own summary) and failedSpokes', async () => {
    const failing = SPOKES[0];
    emulators.iot.injectFault({ kind: 'accessDenied403', account: failing.account, region: failing.region, times: Infinity });
    const result = await spokeCli(['summary', ...ALL, '--json']);
    expect(result.code).toBe(1);
    const json = result.json();
    expect(json).toMatchObject({ since: '7d', tasks: 6, inProgress: 3, executions: { succeeded: 3, failed: 0, skipped: 0, canceled: 0 } });
    expect(json.bySpoke.map((s: any) => [keyOf(s), s.tasks, s.executions.succeeded])).toEqual(SPOKES.slice(1).map((s) => [keyOf(s), 2, 1]));
    expect(json.failedSpokes).toEqual([expect.objectContaining({ account: failing.account, region: failing.region, code: 'AccessDeniedException' })]);
  });
});

describe('executions', () => {
  test('a task id one spoke has: its executions, with that spoke\'s account and region; the others are not errors', async () => {
    const spoke = SPOKES[2];
    const result = await spokeCli(['executions', taskOf(spoke), ...ALL, '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      executions: [expect.objectContaining({
        account: spoke.account,
        region: spoke.region,
        taskId: taskOf(spoke),
        findingId: `finding-${spoke.account}-${spoke.region}`,
        actionName: 'notify',
        status: 'COMPLETED',
        checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      })],
      failedSpokes: [],
    });
    const text = await spokeCli(['executions', taskOf(spoke), ...ALL]);
    expect(text.out.split('\n')[0]).toMatch(/^ACCOUNT +REGION +TARGET +CHECK \/ THING +ACTION +TYPE +STATUS +ERROR$/);
    expect(text.out).toMatch(new RegExp(`^${spoke.account} +${spoke.region} +finding-${spoke.account}-${spoke.region} +DEVICE_CERTIFICATE_SHARED_CHECK +notify`, 'm'));
  });

  test('a task id no spoke has is TaskNotFound (exit 1); with a spoke that failed, that spoke is reported instead', async () => {
    const none = await spokeCli(['executions', 'task-nowhere', ...ALL, '--json']);
    expect(none.code).toBe(1);
    expect(none.json().error).toEqual({
      code: 'TaskNotFound', message: 'no audit or detect mitigation task task-nowhere in the 4 spoke(s)', fix: expect.stringMatching(/^check the id/),
    });
    emulators.iot.injectFault({ kind: 'accessDenied403', account: SPOKES[1].account, region: SPOKES[1].region, times: Infinity });
    const partial = await spokeCli(['executions', 'task-nowhere', ...ALL]);
    expect(partial.code).toBe(1);
    expect(partial.out).toMatch(new RegExp(
      `^no task task-nowhere in the 3 spoke\\(s\\) read\n\n1 spoke\\(s\\) failed \\(not searched\\):\n {2}${SPOKES[1].account} ${SPOKES[1].region}: AccessDeniedException: `));
  });

  test('--status a spoke\'s task never has is a usage error there (exit 2)', async () => {
    const spoke = SPOKES[0];
    const result = await spokeCli(['executions', taskOf(spoke), ...ALL, '--status', 'SUCCESSFUL', '--json']);
    expect(result.code).toBe(2);
    expect(result.json().failedSpokes).toEqual([expect.objectContaining({ code: 'UsageError', message: expect.stringMatching(/^--status SUCCESSFUL: .* is an audit task/) })]);
  });
});
