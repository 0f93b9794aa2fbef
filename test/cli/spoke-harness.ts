/**
 * What the CLI's spoke suites share: the IoT, STS and DynamoDB emulators (with every other one the
 * handler harness starts, sharing one set of identities), two spoke accounts in two regions each
 * with the operator's role, a task in every spoke, and running the CLI with its output captured.
 * The CLI builds its own clients here, from the SDK's environment (the emulators' endpoints), as
 * `npx cdk-device-defender` does: the caller is the default account's key.
 */
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { main } from '../../src/cli/main';
import { Io } from '../../src/cli/output';
import { DEFAULT_SPOKE_ROLE_NAME, HUB_REGISTRY, spokeKey, spokeRoleNameIn } from '../../src/contract/organization';
import { expectNoDynamoDbViolations } from '../emulator/dynamodb-emulator';
import { DEFAULT_PRINCIPAL_ARN } from '../emulator/identity';
import { expectNoViolations } from '../emulator/iot-emulator';
import { expectNoStsViolations } from '../emulator/sts-emulator';
import { Emulators, REGION, resetEmulators, startEmulators, stopEmulators } from '../handlers/harness';

export let emulators: Emulators;

/** The hub's account and region: the caller's (the harness's key and AWS_REGION). */
export const HUB_REGION = REGION;
export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const REGIONS = [REGION, 'us-east-1'];
/** Two accounts times two regions, in the order `--accounts A,B --regions eu-west-1,us-east-1` names them. */
export const SPOKES = [ACCOUNT_A, ACCOUNT_B].flatMap((account) => REGIONS.map((region) => ({ account, region })));
export const REGISTRY_TABLE = 'cdk-device-defender-hub-registry';
export const AUDIT = 'a0b1c2d3e4f5';
/** The task every spoke has, with the same id in each (task ids are per account and region). */
export const SHARED_TASK = 'task-shared';

/** The task only one spoke has: its id names the spoke. */
export const taskOf = (spoke: { account: string; region: string }) => `task-${spoke.account}-${spoke.region}`;

/** The role the CLI assumes in a spoke by default. */
export const roleArnOf = (spoke: { account: string; region: string }, base = DEFAULT_SPOKE_ROLE_NAME) =>
  `arn:aws:iam::${spoke.account}:role/${spokeRoleNameIn(base, spoke.region)}`;

export interface SpokeCliRun { code: number; out: string; err: string; json: () => any }

/** Runs the CLI with its output captured; `interactive` makes stderr a terminal (progress lines). */
export async function spokeCli(argv: string[], options: { interactive?: boolean } = {}): Promise<SpokeCliRun> {
  const out: string[] = [];
  let err = '';
  const io: Io = {
    out: (line) => out.push(line),
    err: (text) => { err += text; },
    interactive: options.interactive ?? false,
    terminal: false,
    confirm: async (question) => { throw new Error(`asked outside a terminal: ${question}`); },
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err, json: () => JSON.parse(out.join('\n')) };
}

/** An IoT client of the spoke's account in its region (its own access key), for seeding through the API. */
export function spokeIot(spoke: { account: string; region: string }): IoTClient {
  return new IoTClient({ region: spoke.region, credentials: { accessKeyId: `AKID${spoke.account}`, secretAccessKey: 'secret' } });
}

/** Writes the hub's registry: one item per spoke key given. */
export function registerSpokes(keys: string[]): void {
  emulators.dynamodb.createTable(REGISTRY_TABLE, HUB_REGISTRY.PARTITION_KEY);
  for (const key of keys) {
    emulators.dynamodb.putItem(REGISTRY_TABLE, { [HUB_REGISTRY.PARTITION_KEY]: { S: key }, confirmedAt: { S: '2026-01-01T00:00:00Z' } });
  }
}

export const keyOf = (spoke: { account: string; region: string }) => spokeKey(spoke.account, spoke.region);

/**
 * Before each test: every spoke has the operator's role (trusting the harness's key), an audit with
 * a finding, and two tasks: `taskOf(spoke)`, finished, and `SHARED_TASK`, in progress.
 */
export function useSpokeEmulators(): void {
  beforeAll(async () => { emulators = await startEmulators(); });
  afterAll(() => stopEmulators(emulators));
  beforeEach(async () => {
    resetEmulators(emulators);
    for (const account of [ACCOUNT_A, ACCOUNT_B]) {
      emulators.identities.addAccessKey({ accessKeyId: `AKID${account}`, account });
    }
    for (const spoke of SPOKES) {
      emulators.sts.addRole(roleArnOf(spoke), { trustedPrincipalArns: [DEFAULT_PRINCIPAL_ARN] });
      const iot = emulators.iot.at(spoke);
      iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
      iot.addAuditTask({ taskId: AUDIT, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 1 } } });
      iot.addAuditFinding({
        findingId: `finding-${spoke.account}-${spoke.region}`,
        taskId: AUDIT,
        checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
        nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'c'.repeat(64) } },
      });
      const client = spokeIot(spoke);
      for (const taskId of [taskOf(spoke), SHARED_TASK]) {
        await client.send(new StartAuditMitigationActionsTaskCommand({
          taskId, target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify'] }, clientRequestToken: `token-${taskId}`,
        }));
      }
      client.destroy();
      iot.runAuditMitigationTask(taskOf(spoke));
    }
    // Only what the CLI sends is looked at.
    emulators.iot.requests.length = 0;
    emulators.sts.requests.length = 0;
    emulators.sts.sessions.length = 0;
  });
  afterEach(() => {
    expectNoViolations(emulators.iot);
    expectNoStsViolations(emulators.sts);
    expectNoDynamoDbViolations(emulators.dynamodb);
  });
}
