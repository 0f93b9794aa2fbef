/**
 * What every command shares (src/cli/main.ts): a write is asked for in a terminal and needs --yes elsewhere,
 * --dry-run never writes or asks, and usage errors exit 2.
 */
import { CreateAuditSuppressionCommand } from '@aws-sdk/client-iot';
import { BLANK_POLICY_CHECK, CERT, cli, e, fleetState, inTerminal, iot, isWrite, run, start, useCliEmulator } from './harness';

useCliEmulator();

const SHARED = 'DEVICE_CERTIFICATE_SHARED_CHECK';
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

/** The operations that change something, by name (AWS IoT's writes all start with one of these verbs). */
const WRITE = /^(Update|Delete|Create|Cancel|Remove|Set|Start|Add|Attach|Detach|Put|Register|Replace|Enable|Disable|Tag|Untag)/;
/** The write operations the emulator recorded after the first `from` requests. */
const writesSince = (from: number) => e.requests.slice(from).map((r) => r.operation).filter((op) => WRITE.test(op));

describe('--dry-run writes nothing and asks nothing, in every writing command', () => {
  /** Seeds what each command needs to have something to write, and returns its arguments. */
  const commands: Record<string, () => Promise<string[]>> = {
    suppress: async () => ['suppress', 'finding-cert', '--indefinitely', '--reason', 'lab rigs'],
    unsuppress: async () => {
      await iot.send(new CreateAuditSuppressionCommand({
        checkName: SHARED, resourceIdentifier: { deviceCertificateId: CERT }, suppressIndefinitely: true, clientRequestToken: 'seed',
      }));
      return ['unsuppress', 'finding-cert'];
    },
    cancel: async () => {
      await start('task-running', { [SHARED]: ['deactivate'] });
      return ['cancel', 'task-running'];
    },
    undo: async () => {
      await start('task-1', { [SHARED]: ['quarantine', 'deactivate'] });
      e.runAuditMitigationTask('task-1');
      return ['undo', 'task-1'];
    },
  };
  const modes: Record<string, { flags: string[]; terminal?: { answer: boolean } }> = {
    'with --yes': { flags: ['--dry-run', '--yes'] },
    'in a terminal': { flags: ['--dry-run'], terminal: { answer: true } },
  };

  test.each(Object.keys(commands).flatMap((command) => Object.keys(modes).map((mode) => [command, mode] as const)))(
    '%s --dry-run %s: prints the plan, exits 0, asks nothing and sends no write', async (command, mode) => {
      const argv = await commands[command]();
      const from = e.requests.length;
      const { flags, terminal } = modes[mode];
      const result = await run([...argv, ...flags], terminal);
      expect(writesSince(from)).toEqual([]);
      expect(result.questions).toEqual([]);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/would/);
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
