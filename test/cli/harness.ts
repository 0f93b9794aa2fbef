/**
 * What the CLI test suites share: the IoT emulator the CLI talks to (started once per suite, reset
 * and seeded with a small fleet before each test, every request checked against the API model
 * after it), and running the CLI with its output captured.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { main } from '../../src/cli/main';
import { Io } from '../../src/cli/output';
import { expectNoViolations, IotEmulator } from '../emulator/iot-emulator';

export let e: IotEmulator;
export let iot: IoTClient;

export const AUDIT = 'a0b1c2d3e4f5';
export const CERT = 'c'.repeat(64);
export const CERT_ARN = `arn:aws:iot:us-east-1:123456789012:cert/${CERT}`;
export const BLANK_POLICY_CHECK = 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK';

export interface CliRun { code: number; out: string; err: string; json: () => any; questions: string[] }

/** Runs the CLI with its output captured; `terminal` makes stdin and stdout terminals that give `answer`. */
export async function run(argv: string[], terminal?: { answer: boolean }): Promise<CliRun> {
  const out: string[] = [];
  const questions: string[] = [];
  let err = '';
  const io: Io = {
    out: (line) => out.push(line),
    err: (text) => { err += text; },
    interactive: false,
    terminal: terminal !== undefined,
    confirm: async (question) => {
      questions.push(question);
      if (!terminal) { throw new Error(`asked outside a terminal: ${question}`); }
      return terminal.answer;
    },
  };
  const code = await main(argv, io, iot);
  return { code, out: out.join('\n'), err, json: () => JSON.parse(out.join('\n')), questions };
}

/** Runs the CLI outside a terminal (as scripts and CI do). */
export const cli = (...argv: string[]) => run(argv);
/** Runs the CLI in a terminal where the operator answers `answer` to every question. */
export const inTerminal = (answer: 'yes' | 'no', ...argv: string[]) => run(argv, { answer: answer === 'yes' });

/** The bundled CLI, as `npx cdk-device-defender` runs it (built by `npx projen bundle`). */
export const BIN = path.join(__dirname, '..', '..', 'assets', 'cli', 'cdk-device-defender.js');

export interface BundledRun { code: number; stdout: string; stderr: string }

/**
 * Runs the bundled CLI in a child process with exactly `env` (nothing inherited but PATH), so the
 * region, credentials and profile come only from what the test gives; resolves whatever the exit code.
 */
export function bundled(args: string[], env: Record<string, string>, options: { node?: string } = {}): Promise<BundledRun> {
  return new Promise((resolve) => {
    execFile(options.node ?? process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Waits long enough for the next timestamp to be later than every earlier one. */
export const aMomentLater = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Requests that change something (ListAuditFindings is a POST but only reads). */
export const isWrite = (r: { method: string; operation: string }) => r.method !== 'GET' && r.operation !== 'ListAuditFindings';

export function start(taskId: string, mapping: Record<string, string[]>, target: Record<string, unknown> = { auditTaskId: AUDIT }) {
  return iot.send(new StartAuditMitigationActionsTaskCommand({
    taskId, target, auditCheckToActionsMapping: mapping, clientRequestToken: `token-${taskId}`,
  }));
}

/** A fleet with one device on a shared certificate, an over-permissive policy, and a finding for each. */
export function seedFleet(): void {
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
export function fleetState() {
  return {
    certificate: e.certificate(CERT)?.status,
    groups: e.thingGroupsOf('sensor-1'),
    policyDefault: e.policy('wide-open')?.defaultVersionId,
    policyVersions: e.policy('wide-open')?.versions.map((v: { versionId: string }) => v.versionId),
  };
}

/** Registers the suite's hooks: one emulator for the file, reset and seeded with the fleet before each test. */
export function useCliEmulator(): void {
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
}
