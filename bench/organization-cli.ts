/**
 * Two parts of the organization benchmark that do not run in the hub: the bundled CLI
 * (assets/cli/cdk-device-defender.js) reading every registered spoke with `summary --all-spokes`,
 * and the stack's task follower (assets/handlers/task-follower.lambda) with 0 and 50 active tasks.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { BundleProcess, callsSince, countByOperation, mark } from './bundle-process';
import { CHECK, HUB, HUB_REGION, OPERATOR_KEY, OPERATOR_ROLE_NAME, PREFIX, REGISTRY_TABLE, seedAudit } from './organization-seed';
import { progress } from './stats';
import { FOLLOWER_ENV, FollowedMitigation } from '../src/contract/environment';
import { expectNoDynamoDbViolations } from '../test/emulator/dynamodb-emulator';
import { expectNoEventsViolations } from '../test/emulator/events-emulator';
import { expectNoViolations } from '../test/emulator/iot-emulator';
import { Emulators, LEDGER_TABLE, startEmulators, stopEmulators } from '../test/handlers/harness';

const CLI = path.join(__dirname, '..', 'assets', 'cli', 'cdk-device-defender.js');

/** One `summary --all-spokes` process, from spawn to exit. */
export interface CliRun {
  readonly concurrency: number;
  readonly wallMs: number;
  readonly exitCode: number;
  readonly spokesRead: number;
  readonly failedSpokes: number;
  readonly tasks: number;
  readonly calls: number;
  readonly byOperation: Record<string, number>;
}

/** The CLI's default `--concurrency` (src/cli/spoke-options.ts). */
const DEFAULT_CONCURRENCY = 8;

/** Runs the bundled CLI as an operator of the hub's account would, against the emulators; `concurrency` undefined = its default. */
export async function runCli(e: Emulators, spokes: number, concurrency?: number): Promise<CliRun> {
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_ENDPOINT_URL_IOT: e.iot.endpoint,
    AWS_ENDPOINT_URL_STS: e.sts.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb.endpoint,
    AWS_REGION: HUB_REGION,
    AWS_ACCESS_KEY_ID: OPERATOR_KEY,
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const args = [CLI, 'summary', '--all-spokes', '--registry-table', REGISTRY_TABLE, '--role-name', OPERATOR_ROLE_NAME, '--json',
    ...(concurrency === undefined ? [] : ['--concurrency', String(concurrency)])];
  const from = mark(e);
  const start = performance.now();
  // Asynchronous: the emulators answering it run in this process.
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { env, maxBuffer: 256 * 1024 * 1024, timeout: 600_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout: out, stderr: err });
    });
  });
  const wallMs = performance.now() - start;
  if (code !== 0) { throw new Error(`cdk-device-defender summary --all-spokes exited ${code}: ${stderr.slice(0, 2000)}`); }
  const json = JSON.parse(stdout) as { tasks: number; bySpoke: unknown[]; failedSpokes: unknown[] };
  if (json.bySpoke.length !== spokes || json.failedSpokes.length > 0) {
    throw new Error(`summary --all-spokes read ${json.bySpoke.length} of ${spokes} spokes, ${json.failedSpokes.length} failed: ${JSON.stringify(json.failedSpokes[0])}`);
  }
  const calls = callsSince(e, from);
  return {
    concurrency: concurrency ?? DEFAULT_CONCURRENCY,
    wallMs,
    exitCode: code,
    spokesRead: json.bySpoke.length,
    failedSpokes: json.failedSpokes.length,
    tasks: json.tasks,
    calls: calls.length,
    byOperation: countByOperation(calls),
  };
}

/** One run of the stack's task follower. */
export interface FollowerRun {
  readonly state: string;
  readonly tasks: number;
  readonly ms: number;
  readonly calls: number;
  readonly byOperation: Record<string, number>;
  readonly reported: number;
}

const ACTIVE_TASKS = 50;

/**
 * The task follower a stack with AuditMitigation deploys, in the hub's account and region: runs with
 * no task, with 50 tasks in progress, with the 50 finished (each reported once) and once more.
 */
export async function runFollowerBenchmark(outdir: string): Promise<FollowerRun[]> {
  const e = await startEmulators();
  let follower: BundleProcess | undefined;
  try {
    e.dynamodb.createTable(LEDGER_TABLE, 'taskId');
    e.iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    seedAudit(e, { account: HUB, region: HUB_REGION }, 'followed-audit', 'daily');
    const followed: FollowedMitigation[] = [{ mitigation: 'Stack/Audit', kind: 'audit', taskIdPrefix: PREFIX }];
    follower = await BundleProcess.start('task-follower.lambda', {
      [FOLLOWER_ENV.TABLE_NAME]: LEDGER_TABLE, [FOLLOWER_ENV.FOLLOWED]: JSON.stringify(followed), [FOLLOWER_ENV.LOOKBACK_HOURS]: undefined,
    }, outdir);
    const runs: FollowerRun[] = [];
    const run = async (state: string, tasks: number) => {
      const from = mark(e);
      const invocation = await follower!.invoke({ 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} });
      if (invocation.error) { throw new Error(`the task follower failed (${state}): ${invocation.error}`); }
      const calls = callsSince(e, from);
      const reported = (invocation.result as { reported?: string[] }).reported?.length ?? 0;
      runs.push({ state, tasks, ms: invocation.ms, calls: calls.length, byOperation: countByOperation(calls), reported });
    };
    await run('no task', 0);
    const iot = new IoTClient({});
    try {
      for (let i = 0; i < ACTIVE_TASKS; i++) {
        await iot.send(new StartAuditMitigationActionsTaskCommand({
          taskId: `${PREFIX}-active-${i}`,
          target: { auditTaskId: 'followed-audit' },
          auditCheckToActionsMapping: { [CHECK]: ['notify'] },
          clientRequestToken: `token-active-${i}`,
        }));
      }
    } finally {
      iot.destroy();
    }
    await run(`${ACTIVE_TASKS} in progress`, ACTIVE_TASKS);
    for (let i = 0; i < ACTIVE_TASKS; i++) { e.iot.runAuditMitigationTask(`${PREFIX}-active-${i}`); }
    await run(`${ACTIVE_TASKS} finished, not yet reported`, ACTIVE_TASKS);
    await run(`${ACTIVE_TASKS} finished, already reported`, ACTIVE_TASKS);
    expectNoViolations(e.iot);
    expectNoDynamoDbViolations(e.dynamodb);
    expectNoEventsViolations(e.events);
    progress(`task follower: ${runs.map((r) => `${r.state} ${r.calls} calls`).join(', ')}`);
    return runs;
  } finally {
    await follower?.stop();
    await stopEmulators(e);
  }
}
