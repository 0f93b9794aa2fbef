import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { IoTClient, StartAuditMitigationActionsTaskCommand, StartDetectMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../examples/quickstart';
import { main } from '../../src/cli/main';
import { Io } from '../../src/cli/output';
import { expectNoViolations, IotEmulator } from '../emulator/iot-emulator';

let e: IotEmulator;
let iot: IoTClient;

const AUDIT = 'a0b1c2d3e4f5';
const CERT = 'c'.repeat(64);
const CERT_ARN = `arn:aws:iot:us-east-1:123456789012:cert/${CERT}`;
const BLANK_POLICY_CHECK = 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK';

/** Runs the CLI with its output captured. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: () => any }> {
  const out: string[] = [];
  let err = '';
  const io: Io = { out: (line) => out.push(line), err: (text) => { err += text; }, interactive: false };
  const code = await main(argv, io, iot);
  return { code, out: out.join('\n'), err, json: () => JSON.parse(out.join('\n')) };
}

function start(taskId: string, mapping: Record<string, string[]>, target: Record<string, unknown> = { auditTaskId: AUDIT }) {
  return iot.send(new StartAuditMitigationActionsTaskCommand({
    taskId, target, auditCheckToActionsMapping: mapping, clientRequestToken: `token-${taskId}`,
  }));
}

/** A fleet with one device on a shared certificate, an over-permissive policy, and a finding for each. */
function seedFleet(): void {
  e.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
  e.addMitigationAction({ actionName: 'deactivate', actionType: 'UPDATE_DEVICE_CERTIFICATE' });
  e.addMitigationAction({ actionName: 'blank', actionType: 'REPLACE_DEFAULT_POLICY_VERSION' });
  e.addMitigationAction({
    actionName: 'quarantine',
    actionType: 'ADD_THINGS_TO_THING_GROUP',
    actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } },
  });
  e.addThingGroup('quarantine');
  e.addThing('sensor-1');
  e.addCertificate({ certificateId: CERT });
  e.attachThingPrincipal('sensor-1', CERT_ARN);
  e.addPolicy({ policyName: 'wide-open', document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }) });
  e.addAuditTask({
    taskId: AUDIT,
    scheduledAuditName: 'daily',
    checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 1 }, [BLANK_POLICY_CHECK]: { nonCompliantResourcesCount: 1 } },
  });
  e.addAuditFinding({
    findingId: 'finding-cert',
    taskId: AUDIT,
    checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
    nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: CERT } },
  });
  e.addAuditFinding({
    findingId: 'finding-policy',
    taskId: AUDIT,
    checkName: BLANK_POLICY_CHECK,
    nonCompliantResource: { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName: 'wide-open', policyVersionId: '1' } } as any },
  });
}

/** What mitigation can change, as the emulator holds it. */
function fleetState() {
  return {
    certificate: e.certificate(CERT)?.status,
    groups: e.thingGroupsOf('sensor-1'),
    policyDefault: e.policy('wide-open')?.defaultVersionId,
    policyVersions: e.policy('wide-open')?.versions.map((v: { versionId: string }) => v.versionId),
  };
}

beforeAll(async () => {
  e = await IotEmulator.start();
  iot = new IoTClient({ endpoint: e.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
});
afterAll(() => e.stop());
beforeEach(() => {
  e.reset();
  seedFleet();
});
// Every request the CLI sent satisfies the API model.
afterEach(() => expectNoViolations(e));

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
    const result = await cli('cancel', 'task-1');
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
    expect((await cli('cancel', 'detect-1')).out).toMatch(/cancelled detect task detect-1/);
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
      ['cannot-undo', 'would-restore', 'would-restore', 'would-restore', 'would-restore']);
    expect(fleetState()).toEqual(after);

    const undo = await cli('undo', 'task-1', '--json');
    expect(undo.code).toBe(0);
    expect(undo.json().steps).toEqual(expect.arrayContaining([
      expect.objectContaining({ actionName: 'deactivate', outcome: 'restored', change: `reactivate device certificate ${CERT}` }),
      expect.objectContaining({ actionName: 'quarantine', outcome: 'restored', change: 'remove thing sensor-1 from thing group quarantine' }),
      expect.objectContaining({ actionName: 'blank', outcome: 'restored', change: 'make version 1 the default of policy wide-open again' }),
      expect.objectContaining({ actionName: 'blank', outcome: 'restored', change: expect.stringMatching(/delete the blank version/) }),
      expect.objectContaining({ actionName: 'notify', outcome: 'cannot-undo', change: 'a published message cannot be unpublished' }),
    ]));
    expect(fleetState()).toEqual(before);

    // A second run changes nothing (ListAuditFindings is a POST but only reads).
    const isWrite = (r: { method: string; operation: string }) => r.method !== 'GET' && r.operation !== 'ListAuditFindings';
    const writesBefore = e.requests.filter(isWrite).length;
    const again = await cli('undo', 'task-1', '--json');
    expect(again.json().steps.map((s: { outcome: string }) => s.outcome).sort()).toEqual(
      ['already-restored', 'already-restored', 'already-restored', 'already-restored', 'cannot-undo']);
    expect(e.requests.filter(isWrite).length).toBe(writesBefore);
    expect(fleetState()).toEqual(before);
  });

  test('a failure leaves a clear list of what was and was not restored, and exit code 1', async () => {
    await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['quarantine', 'deactivate'] });
    e.runAuditMitigationTask('task-1');
    e.injectFault({ kind: 'invalidRequest', operation: 'UpdateCertificate', times: Infinity });
    const result = await cli('undo', 'task-1');
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
    expect((await cli('undo', 'task-list')).code).toBe(0);
    expect(fleetState().certificate).toBe('ACTIVE');
  });

  test('undoes a detect task: the things leave the quarantine group', async () => {
    await iot.send(new StartDetectMitigationActionsTaskCommand({
      taskId: 'detect-1', target: { violationIds: ['v-1'] }, actions: ['quarantine'], clientRequestToken: 'token-d1',
    }));
    e.runDetectMitigationTask('detect-1', { 'v-1': 'sensor-1' });
    expect(e.thingGroupsOf('sensor-1')).toEqual(['quarantine']);
    const result = await cli('undo', 'detect-1', '--json');
    expect(result.json().steps).toEqual([expect.objectContaining({ violationId: 'v-1', outcome: 'restored' })]);
    expect(e.thingGroupsOf('sensor-1')).toEqual([]);
  });
});

test('the bundled command (npx cdk-device-defender) runs with the standard credential and region chain', async () => {
  await start('task-1', { DEVICE_CERTIFICATE_SHARED_CHECK: ['deactivate'] });
  const bin = path.join(__dirname, '..', '..', 'assets', 'cli', 'cdk-device-defender.js');
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'tasks', '--json'], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_IOT: e.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    },
  });
  expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ kind: 'audit', taskId: 'task-1', status: 'IN_PROGRESS' })]);
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
