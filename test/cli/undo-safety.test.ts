/**
 * --dry-run never writes or asks, in any writing command (issue 18).
 */
import { CreateAuditSuppressionCommand } from '@aws-sdk/client-iot';
import { CERT, e, iot, run, start, useCliEmulator } from './harness';

useCliEmulator();

const SHARED = 'DEVICE_CERTIFICATE_SHARED_CHECK';

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
