import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import {
  CreateAuditSuppressionCommand, CreatePolicyVersionCommand, ListAuditFindingsCommand, StartDetectMitigationActionsTaskCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AUDIT, BIN, BLANK_POLICY_CHECK, CERT, aMomentLater, cli, e, fleetState, inTerminal, iot, isWrite, start, useCliEmulator } from './harness';
import { buildApp } from '../../examples/quickstart';
import { withSuppressionMarker } from '../../src/contract';

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

describe('preview', () => {
  let templateFile: string;
  beforeAll(() => {
    const { stack } = buildApp(new App());
    templateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-dd-preview-')), 'template.json');
    fs.writeFileSync(templateFile, JSON.stringify(Template.fromStack(stack).toJSON()));
  });

  test('reads the rules from the synthesized template and says what would be done to each finding; starts nothing', async () => {
    e.addAuditFinding({ findingId: 'finding-hidden', taskId: AUDIT, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', isSuppressed: true });
    const result = await cli('preview', '--audit-task', AUDIT, '--template', templateFile, '--json');
    expect(result.code).toBe(0);
    const [preview] = result.json();
    expect(preview.rows).toEqual([
      // examples/quickstart.ts: DEVICE_CERTIFICATE_SHARED_CHECK -> notify, quarantine, deactivate, in that order
      {
        findingId: 'finding-cert',
        checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
        resource: `DEVICE_CERTIFICATE ${CERT}`,
        actions: [expect.stringMatching(/^DeviceDefenderQuickstartNotifySecurityTeam[0-9A-F]{8}$/), 'quarantine-things',
          expect.stringMatching(/^DeviceDefenderQuickstartDeactivateDeviceCertificate[0-9A-F]{8}$/)],
      },
      expect.objectContaining({ findingId: 'finding-policy', actions: [], note: 'no rule for this check' }),
      expect.objectContaining({ findingId: 'finding-hidden', actions: [], note: 'suppressed: never mitigated' }),
    ]);
    expect(e.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
  });

  test('a check over the blast-radius limit (DescribeAuditTask\'s count, as the handler reads it) is shown as left out', async () => {
    const big = 'b0b1c2d3e4f5';
    e.addAuditTask({ taskId: big, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 52 } } });
    for (let i = 0; i < 52; i++) {
      e.addAuditFinding({ findingId: `shared-${i}`, taskId: big, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
    }
    const [preview] = (await cli('preview', '--audit-task', big, '--template', templateFile, '--json')).json();
    expect(preview.rows).toHaveLength(52);
    for (const row of preview.rows) {
      expect(row).toMatchObject({ actions: [], note: expect.stringMatching(/^left out: 52 non-compliant resources exceed maxFindingsPerCheck \(50\)/) });
    }
    expect((await cli('preview', '--audit-task', big, '--template', templateFile)).out).toMatch(/left out: 52 non-compliant resources/);
  });

  test('preview decides from DescribeAuditTask like the handler, not from how many findings it happened to list', async () => {
    const big = 'b0b1c2d3e4f6';
    // DescribeAuditTask: 5,000 non-compliant (limit 50); only one finding is listed here.
    e.addAuditTask({ taskId: big, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 5000 } } });
    e.addAuditFinding({ findingId: 'shared-1', taskId: big, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
    const [preview] = (await cli('preview', '--audit-task', big, '--template', templateFile, '--json')).json();
    expect(preview.rows).toEqual([expect.objectContaining({ findingId: 'shared-1', actions: [], note: expect.stringMatching(/^left out: 5000 non-compliant resources/) })]);
    expect(e.requestsFor('DescribeAuditTask')).toHaveLength(1);
  });

  test('a template without an AuditMitigation is a usage error', async () => {
    const empty = path.join(path.dirname(templateFile), 'empty.json');
    fs.writeFileSync(empty, JSON.stringify({ Resources: {} }));
    const result = await cli('preview', '--audit-task', AUDIT, '--template', empty);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/holds no AuditMitigation/);
  });
});

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
    expect(result.err).toMatch(/--allow-check DEVICE_CERTIFICATE_SHARED_CHECK: undo refuses no step for this check; it refuses only REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK/);
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

describe('undo and cancel ask before writing', () => {
  beforeEach(async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'], [BLANK_POLICY_CHECK]: ['blank'] });
    e.runAuditMitigationTask('task-1');
  });

  test('outside a terminal and without --yes, undo prints the plan, changes nothing and exits 2', async () => {
    const after = fleetState();
    const writes = e.requests.filter(isWrite).length;
    const result = await cli('undo', 'task-1');
    expect(fleetState()).toEqual(after);
    expect(e.requests.filter(isWrite)).toHaveLength(writes);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/not a terminal: re-run with --yes to apply \(nothing was changed\)/);
    expect(result.out).toMatch(/^RESOURCE\s+CHECK\s+ACTION\s+CHANGE\s+OUTCOME/);
    expect(result.out).toMatch(new RegExp(`DEVICE_CERTIFICATE ${CERT}\\s+DEVICE_CERTIFICATE_SHARED_CHECK\\s+deactivate\\s+reactivate device certificate c+\\s+would-restore`));
    expect(result.out).toMatch(/3 would-restore, 1 cannot-undo/);
    expect(result.questions).toEqual([]);
    // --json: the plan is the document; --dry-run: the plan, exit 0
    const json = await cli('undo', 'task-1', '--json');
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ applied: false, steps: expect.arrayContaining([expect.objectContaining({ outcome: 'would-restore' })]) });
    expect((await cli('undo', 'task-1', '--dry-run')).code).toBe(0);
    expect(fleetState()).toEqual(after);
  });

  test('in a terminal, undo shows the plan and asks: "no" changes nothing (exit 1), "yes" applies', async () => {
    const after = fleetState();
    const no = await inTerminal('no', 'undo', 'task-1');
    expect(fleetState()).toEqual(after);
    expect(no.questions).toEqual(['Write the 3 change(s) marked would-restore?']);
    expect(no.out).toMatch(/would-restore/);
    expect(no.err).toMatch(/not confirmed: nothing was changed/);
    expect(no.code).toBe(1);

    const yes = await inTerminal('yes', 'undo', 'task-1', '--json');
    expect(yes.questions).toHaveLength(1);
    expect(yes.err).toMatch(/would-restore/); // with --json the plan goes to stderr, the result alone to stdout
    expect(yes.code).toBe(0);
    expect(yes.json()).toMatchObject({ applied: true });
    expect(fleetState()).toEqual({ certificate: 'ACTIVE', groups: [], policyDefault: '1', policyVersions: ['1'] });
  });

  test('cancel follows the same rule', async () => {
    await start('task-2', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
    const status = () => e.auditMitigationTasks().find((t) => t.taskId === 'task-2')?.taskStatus;

    const script = await cli('cancel', 'task-2');
    expect(status()).toBe('IN_PROGRESS');
    expect(script.code).toBe(2);
    expect(script.out).toMatch(/would cancel audit task task-2/);
    expect(script.err).toMatch(/not a terminal: re-run with --yes to apply/);
    expect((await cli('cancel', 'task-2', '--dry-run', '--json')).json()).toMatchObject({ cancelled: false, reason: 'dry run: would cancel audit task task-2' });
    const no = await inTerminal('no', 'cancel', 'task-2');
    expect(no.questions).toEqual(['Cancel audit task task-2?']);
    expect(no.code).toBe(1);
    expect(status()).toBe('IN_PROGRESS');
    expect(e.requestsFor('CancelAuditMitigationActionsTask')).toHaveLength(0);

    const yes = await inTerminal('yes', 'cancel', 'task-2');
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(/cancelled audit task task-2/);
    expect(status()).toBe('CANCELED');
  });
});

describe('suppressions, suppress and unsuppress', () => {
  const UNTIL = '2099-01-01';
  const suppressionsNow = () => e.auditSuppressions().map(({ checkName, resourceIdentifier, suppressIndefinitely, description }) =>
    ({ checkName, resourceIdentifier, suppressIndefinitely, description }));
  const certKey = { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', resourceIdentifier: { deviceCertificateId: CERT } };

  test('suppress reads the finding\'s check and resource and suppresses them; suppressions lists them with their expiry', async () => {
    const result = await cli('suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab rigs share one certificate', '--yes');
    expect(result.code).toBe(0);
    expect(result.out).toBe(`suppressed DEVICE_CERTIFICATE_SHARED_CHECK findings for deviceCertificateId ${CERT} until 2099-01-01T00:00:00.000Z `
      + '(finding finding-cert): "lab rigs share one certificate"');
    expect(e.auditSuppressions()).toEqual([expect.objectContaining({
      ...certKey, expirationDate: new Date('2099-01-01T00:00:00Z'), suppressIndefinitely: false, description: 'lab rigs share one certificate',
    })]);
    expect((await cli('suppress', 'finding-policy', '--indefinitely', '--reason', 'reviewed', '--yes')).code).toBe(0);
    // The finding is suppressed now: AWS IoT lists it apart, and mitigation skips it.
    expect((await iot.send(new ListAuditFindingsCommand({ taskId: AUDIT, listSuppressedFindings: false }))).findings).toEqual([]);

    const listed = await cli('suppressions');
    expect(listed.code).toBe(0);
    expect(listed.out.split('\n')).toEqual([
      expect.stringMatching(/^CHECK\s+RESOURCE\s+EXPIRES\s+DESCRIPTION$/),
      expect.stringMatching(/^-+/),
      expect.stringMatching(new RegExp(`^DEVICE_CERTIFICATE_SHARED_CHECK\\s+deviceCertificateId ${CERT}\\s+2099-01-01T00:00:00.000Z\\s+lab rigs share one certificate$`)),
      expect.stringMatching(/^IOT_POLICY_OVERLY_PERMISSIVE_CHECK\s+policy wide-open v1\s+indefinitely\s+reviewed$/),
    ]);
    expect((await cli('suppressions', '--json')).json()).toEqual([
      expect.objectContaining({ ...certKey, expiry: '2099-01-01T00:00:00.000Z', description: 'lab rigs share one certificate' }),
      expect.objectContaining({ checkName: BLANK_POLICY_CHECK, expiry: 'indefinitely', description: 'reviewed' }),
    ]);
  });

  test('a suppression an AuditSuppression manages is listed with its author\'s text and the stack and logical id of its marker', async () => {
    const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Prod/0f0e0d0c-1111-2222-3333-444455556666';
    await iot.send(new CreateAuditSuppressionCommand({
      ...certKey,
      suppressIndefinitely: true,
      clientRequestToken: 'stack',
      description: withSuppressionMarker('lab rigs', { stackId, logicalResourceId: 'LabCertificate5F1EA615', pending: false }),
    }));
    const listed = await cli('suppressions');
    expect(listed.out.split('\n')[2]).toMatch(new RegExp(`^DEVICE_CERTIFICATE_SHARED_CHECK\\s+deviceCertificateId ${CERT}\\s+indefinitely\\s+`
      + 'lab rigs \\[stack Prod: LabCertificate5F1EA615\\]$'));
    expect((await cli('suppressions', '--json')).json()).toEqual([expect.objectContaining({
      ...certKey, description: 'lab rigs', managedBy: { stackId, logicalResourceId: 'LabCertificate5F1EA615', pending: false },
    })]);
  });

  test('unsuppress deletes the suppression of the finding\'s check and resource; with none, it says so and writes nothing', async () => {
    await cli('suppress', 'finding-cert', '--indefinitely', '--reason', 'lab', '--yes');
    const result = await cli('unsuppress', 'finding-cert', '--yes');
    expect(result.code).toBe(0);
    expect(result.out).toBe(`deleted the suppression of DEVICE_CERTIFICATE_SHARED_CHECK for deviceCertificateId ${CERT}`);
    expect(e.auditSuppressions()).toEqual([]);
    const again = await cli('unsuppress', 'finding-cert', '--yes');
    expect(again).toMatchObject({ code: 0, out: expect.stringMatching(/^no suppression of DEVICE_CERTIFICATE_SHARED_CHECK .*nothing to delete$/) });
    expect(e.requestsFor('DeleteAuditSuppression')).toHaveLength(1);
    expect((await cli('suppressions')).out).toBe('no audit finding suppression');
  });

  test('suppress and unsuppress follow the rule of undo: the plan, a question in a terminal, exit 2 elsewhere without --yes', async () => {
    const script = await cli('suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab');
    expect(script.code).toBe(2);
    expect(script.out).toMatch(/^would suppress DEVICE_CERTIFICATE_SHARED_CHECK findings for deviceCertificateId c+ until 2099-01-01/);
    expect(script.err).toMatch(/not a terminal: re-run with --yes to apply \(nothing was changed\)/);
    const no = await inTerminal('no', 'suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab');
    expect(no).toMatchObject({ code: 1, questions: ['Create this suppression?'] });
    expect(e.requestsFor('CreateAuditSuppression')).toHaveLength(0);
    const yes = await inTerminal('yes', 'suppress', 'finding-cert', '--until', UNTIL, '--reason', 'lab', '--json');
    expect(yes.code).toBe(0);
    expect(yes.json()).toMatchObject({ findingId: 'finding-cert', ...certKey, until: '2099-01-01T00:00:00.000Z', applied: true });
    expect(suppressionsNow()).toEqual([{ ...certKey, suppressIndefinitely: false, description: 'lab' }]);

    const unScript = await cli('unsuppress', 'finding-cert');
    expect(unScript.code).toBe(2);
    expect(unScript.out).toMatch(/^would delete the suppression of DEVICE_CERTIFICATE_SHARED_CHECK .*until 2099-01-01T00:00:00.000Z: "lab"\); its findings will be reported and mitigated again$/);
    const unNo = await inTerminal('no', 'unsuppress', 'finding-cert');
    expect(unNo).toMatchObject({ code: 1, questions: ['Delete this suppression?'] });
    expect(e.requestsFor('DeleteAuditSuppression')).toHaveLength(0);
    expect((await inTerminal('yes', 'unsuppress', 'finding-cert')).code).toBe(0);
    expect(e.auditSuppressions()).toEqual([]);
  });

  test('a suppression that exists already is an error, and changes nothing', async () => {
    await cli('suppress', 'finding-cert', '--indefinitely', '--reason', 'first', '--yes');
    const second = await cli('suppress', 'finding-cert', '--until', UNTIL, '--reason', 'second', '--yes');
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/^error: ResourceAlreadyExistsException/);
    expect(suppressionsNow()).toEqual([{ ...certKey, suppressIndefinitely: true, description: 'first' }]);
  });

  test.each([
    [['suppress', 'finding-cert', '--reason', 'x'], /exactly one of --until DATE and --indefinitely/],
    [['suppress', 'finding-cert', '--until', UNTIL, '--indefinitely', '--reason', 'x'], /exactly one of --until DATE and --indefinitely/],
    [['suppress', 'finding-cert', '--until', 'soon', '--reason', 'x'], /--until "soon": not a date/],
    [['suppress', 'finding-cert', '--until', '2001-01-01', '--reason', 'x'], /--until 2001-01-01: must be in the future/],
    [['suppress', 'finding-cert', '--indefinitely'], /suppress needs --reason TEXT/],
    [['suppress', 'finding-cert', '--indefinitely', '--reason', 'x'.repeat(1001)], /--reason: must be at most 1000 printable ASCII characters/],
    [['suppress', '--indefinitely', '--reason', 'x'], /suppress takes one finding id, got 0/],
    [['unsuppress'], /unsuppress takes one finding id, got 0/],
  ])('%j is a usage error (exit 2), nothing is read or written', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(e.requests).toHaveLength(0);
  });

  test('an unknown finding is an error, not a crash', async () => {
    const result = await cli('suppress', 'nope', '--indefinitely', '--reason', 'x', '--yes');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: ResourceNotFoundException/);
  });
});

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

test('usage: no command, an unknown command, a missing task id', async () => {
  expect((await cli()).code).toBe(2);
  expect((await cli('--help')).code).toBe(0);
  const unknown = await cli('rollback');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toMatch(/unknown command "rollback"/);
  const missing = await cli('undo');
  expect(missing.code).toBe(2);
  expect(missing.err).toMatch(/undo takes one task id, got 0/);
});
