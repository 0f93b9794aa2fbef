/**
 * Organization scale: the mitigation hub's bundle (assets/handlers/mitigation-hub.lambda, what
 * Lambda runs) against the emulators with 10, 100 and 1,000 spokes (accounts x regions), each
 * registered through the hub itself (it confirms the spoke topic's subscription), with its role in
 * STS and its configuration in SSM. The hub runs in a child process (bundle-worker.ts), so its
 * memory is its own; the emulators, in this process, count every request it makes.
 *
 * Per size, in order: registration (the spokes' SubscriptionConfirmations, 10 per invocation as
 * the hub's queue delivers them); the reconciler catching up one lost audit per spoke; the
 * reconciler again with nothing new (idle), warm, then in a fresh process (cold: every spoke role
 * assumed again); audit notifications in a fresh process, one per invocation, for a sample of
 * spokes, first with no cached credentials, then a second audit of the same spokes; the bundled
 * CLI's `summary --all-spokes`. Once: the stack's task follower with 0 and 50 active tasks.
 *
 * Run alone (prints its RESULTS.md section; `--sizes 10` for a quick run):
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/organization.ts [--sizes 10,100,1000]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BundleProcess, Call, callsSince, countByOperation, forgetRequests, mark } from './bundle-process';
import type { Invocation, InvocationMemory } from './bundle-worker';
import { CliRun, FollowerRun, runCli, runFollowerBenchmark } from './organization-cli';
import { organizationVerdicts, renderOrganizationSection } from './organization-report';
import {
  PREFIX, REGISTRY_TABLE, SCHEDULED_EVENT, Spoke, deliveredSince, hubEnv, publishAudit, seedAudit, seedHub, seedSpokes, spokesOf, sqsEvent,
} from './organization-seed';
import { Summary, percentile, progress, summarize, table } from './stats';
import { HUB_REGISTRY } from '../src/contract/organization';
import { expectNoDynamoDbViolations } from '../test/emulator/dynamodb-emulator';
import { expectNoEventsViolations } from '../test/emulator/events-emulator';
import { expectNoViolations } from '../test/emulator/iot-emulator';
import { expectNoSnsViolations } from '../test/emulator/sns-emulator';
import { expectNoSsmViolations } from '../test/emulator/ssm-emulator';
import { expectNoStsViolations } from '../test/emulator/sts-emulator';
import { Emulators, startEmulators, stopEmulators } from '../test/handlers/harness';

const ROOT = path.join(__dirname, '..');
const HUB_BUNDLE = 'mitigation-hub.lambda';
/** The SQS event source's batch size (MitigationHub sets 10). */
const BATCH_SIZE = 10;

/** A size: accounts x regions. */
export interface Shape { readonly accounts: number; readonly regions: number }
export const SHAPES: Record<number, Shape> = {
  10: { accounts: 5, regions: 2 },
  100: { accounts: 25, regions: 4 },
  1000: { accounts: 250, regions: 4 },
};

export interface OrganizationSettings {
  readonly sizes: number[];
  /** Spokes notified per round (at most the spokes but one, which warms the process up). */
  readonly notifiedSpokes: number;
  /** CLI runs per size at the default concurrency; at 1,000 spokes also one at the highest. */
  readonly cliRuns: (spokes: number) => number;
}

export const ORGANIZATION_SETTINGS: OrganizationSettings = { sizes: [10, 100, 1000], notifiedSpokes: 20, cliRuns: (n) => (n >= 1000 ? 2 : 3) };

/** One round of notifications: each a distinct audit of a distinct spoke, one SQS record per invocation. */
export interface NotificationRound {
  readonly notifications: number;
  readonly iotCalls: Summary;
  readonly stsCalls: Summary;
  /** SSM, DynamoDB, SNS and EventBridge: the hub's own reads and reports. */
  readonly otherCalls: Summary;
  /** Mean requests per notification, by operation. */
  readonly byOperation: Record<string, number>;
  /** From the handler's call to the accepted StartAuditMitigationActionsTask's arrival at the emulator, ms. */
  readonly toStartMs: Summary;
  readonly toStartP95: number;
  /** The whole invocation (reports and events after the start included), ms. */
  readonly invocationMs: Summary;
  readonly invocationP95: number;
  readonly failures: string[];
}

/** One reconciler run (the schedule's event, one invocation). */
export interface ReconcileRun {
  readonly ms: number;
  readonly calls: number;
  readonly byOperation: Record<string, number>;
  /** Finished audits in the look-back window, over every spoke. */
  readonly auditsInWindow: number;
  readonly started: number;
  /** Outcomes by decision. */
  readonly decisions: Record<string, number>;
  readonly memory: InvocationMemory;
  /** RSS of the process once the bundle was loaded, before its first invocation. */
  readonly rssLoaded: number;
  readonly error?: string;
}

/** The spokes' SubscriptionConfirmations, confirmed by the hub. */
export interface Registration {
  readonly invocations: number;
  readonly ms: Summary;
  readonly byOperation: Record<string, number>;
  readonly registered: number;
}

export interface SizeResult {
  readonly spokes: number;
  readonly accounts: number;
  readonly regions: number;
  readonly registration: Registration;
  readonly catchUp: ReconcileRun;
  readonly idleWarm: ReconcileRun;
  readonly idleCold: ReconcileRun;
  readonly cold: NotificationRound;
  readonly warm: NotificationRound;
  readonly cli: CliRun[];
  readonly seedSeconds: number;
  readonly wallSeconds: number;
}

export interface OrganizationResult {
  readonly settings: { readonly sizes: number[]; readonly notifiedSpokes: number };
  readonly sizes: SizeResult[];
  readonly follower: FollowerRun[];
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly wallSeconds: number;
}

const countOf = (calls: readonly Call[], service: string) => calls.filter((c) => c.service === service).length;

function checkNoViolations(e: Emulators): void {
  expectNoViolations(e.iot);
  expectNoStsViolations(e.sts);
  expectNoSsmViolations(e.ssm);
  expectNoSnsViolations(e.sns);
  expectNoDynamoDbViolations(e.dynamodb);
  expectNoEventsViolations(e.events);
}

/** Confirms every spoke's pending subscription through the hub, 10 records per invocation. */
async function register(e: Emulators, hub: BundleProcess, spokes: number): Promise<Registration> {
  const bodies = deliveredSince(e, 0);
  const from = mark(e);
  const times: number[] = [];
  for (let i = 0; i < bodies.length; i += BATCH_SIZE) {
    const invocation = await hub.invoke(sqsEvent(bodies.slice(i, i + BATCH_SIZE)));
    const failures = (invocation.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
    if (invocation.error || failures?.length) { throw new Error(`registration failed: ${invocation.error ?? JSON.stringify(failures)}`); }
    times.push(invocation.ms);
  }
  const registered = e.dynamodb.items(REGISTRY_TABLE).filter((item) => item[HUB_REGISTRY.PARTITION_KEY]).length;
  if (registered !== spokes) { throw new Error(`the hub registered ${registered} of ${spokes} spokes`); }
  const byOperation = countByOperation(callsSince(e, from));
  return { invocations: times.length, ms: summarize(times), byOperation, registered };
}

/** One reconciler run, its memory sampled. */
async function reconcileOnce(e: Emulators, hub: BundleProcess, auditsInWindow: number): Promise<ReconcileRun> {
  const from = mark(e);
  const invocation = await hub.invoke(SCHEDULED_EVENT, true);
  const calls = callsSince(e, from);
  const outcomes = (Array.isArray(invocation.result) ? invocation.result : []) as Array<{ decision: string }>;
  const decisions: Record<string, number> = {};
  for (const o of outcomes) { decisions[o.decision] = (decisions[o.decision] ?? 0) + 1; }
  return {
    ms: invocation.ms,
    calls: calls.length,
    byOperation: countByOperation(calls),
    auditsInWindow,
    started: calls.filter((c) => c.operation === 'StartAuditMitigationActionsTask' && c.status === 200).length,
    decisions,
    memory: invocation.memory!,
    rssLoaded: hub.rssLoaded,
    error: invocation.error,
  };
}

/** One notification per spoke of `sample`, each of a new audit, each its own invocation. */
async function notify(e: Emulators, hub: BundleProcess, sample: readonly Spoke[], audit: (s: Spoke) => [string, 'daily' | 'weekly']): Promise<NotificationRound> {
  const rows: Array<{ calls: Call[]; invocation: Invocation }> = [];
  const failures: string[] = [];
  for (const s of sample) {
    const [taskId, schedule] = audit(s);
    seedAudit(e, s, taskId, schedule);
    const body = await publishAudit(e, s, taskId, schedule);
    const from = mark(e);
    const invocation = await hub.invoke(sqsEvent([body]));
    const calls = callsSince(e, from);
    const started = calls.filter((c) => c.operation === 'StartAuditMitigationActionsTask' && c.status === 200);
    const tasks = e.iot.at(s).auditMitigationTasks().filter((t) => t.taskId === `${PREFIX}-${taskId}`);
    if (invocation.error || started.length !== 1 || tasks.length !== 1) {
      failures.push(`${s.account}/${s.region} ${taskId}: ${invocation.error ?? `${started.length} starts, ${tasks.length} tasks`}`);
      continue;
    }
    rows.push({ calls, invocation });
  }
  if (rows.length === 0) { throw new Error(`no notification started its task: ${failures.join('; ')}`); }
  const toStart = rows.map((r) => r.calls.find((c) => c.operation === 'StartAuditMitigationActionsTask' && c.status === 200)!.time! - r.invocation.startedAt);
  const invocationMs = rows.map((r) => r.invocation.ms);
  const byOperation = countByOperation(rows.flatMap((r) => r.calls));
  return {
    notifications: rows.length,
    iotCalls: summarize(rows.map((r) => countOf(r.calls, 'IoT'))),
    stsCalls: summarize(rows.map((r) => countOf(r.calls, 'STS'))),
    otherCalls: summarize(rows.map((r) => r.calls.length - countOf(r.calls, 'IoT') - countOf(r.calls, 'STS'))),
    byOperation: Object.fromEntries(Object.entries(byOperation).map(([op, n]) => [op, n / rows.length])),
    toStartMs: summarize(toStart),
    toStartP95: percentile(toStart, 95),
    invocationMs: summarize(invocationMs),
    invocationP95: percentile(invocationMs, 95),
    failures,
  };
}

/** Every audit mitigation task in the spokes run to its end (so that `summary` reads finished tasks' outcomes). */
function finishTasks(e: Emulators, spokes: readonly Spoke[]): void {
  for (const s of spokes) {
    for (const task of e.iot.at(s).auditMitigationTasks().filter((t) => t.taskStatus === 'IN_PROGRESS')) { e.iot.at(s).runAuditMitigationTask(task.taskId); }
  }
}

async function runSize(spokeCount: number, settings: OrganizationSettings, outdir: string): Promise<SizeResult> {
  const began = Date.now();
  const shape = SHAPES[spokeCount];
  if (!shape) { throw new Error(`no shape for ${spokeCount} spokes: one of ${Object.keys(SHAPES).join(', ')}`); }
  const spokes = spokesOf(shape.accounts, shape.regions);
  const e = await startEmulators();
  let hub: BundleProcess | undefined;
  try {
    seedHub(e);
    seedSpokes(e, spokes);
    const seedSeconds = (Date.now() - began) / 1000;
    hub = await BundleProcess.start(HUB_BUNDLE, hubEnv(), outdir);
    const registration = await register(e, hub, spokes.length);
    progress(`organization ${spokeCount} spokes: registered (${registration.invocations} invocations)`);

    // One audit per spoke whose notification was lost; then nothing new.
    spokes.forEach((s, i) => seedAudit(e, s, `lost-${i}`, 'daily', 3_600_000));
    const catchUp = await reconcileOnce(e, hub, spokes.length);
    const idleWarm = await reconcileOnce(e, hub, spokes.length);
    await hub.stop();
    hub = await BundleProcess.start(HUB_BUNDLE, hubEnv(), outdir);
    const idleCold = await reconcileOnce(e, hub, spokes.length);
    progress(`organization ${spokeCount} spokes: reconciled (catch-up ${catchUp.ms.toFixed(0)} ms, idle ${idleWarm.ms.toFixed(0)} / ${idleCold.ms.toFixed(0)} ms)`);
    forgetRequests(e);

    // Notifications in a fresh process: one untimed (spoke 0) loads what the first invocation loads; the sample has no cached credentials.
    await hub.stop();
    hub = await BundleProcess.start(HUB_BUNDLE, hubEnv(), outdir);
    await notify(e, hub, [spokes[0]], () => ['warmup-0', 'daily']);
    const k = Math.min(settings.notifiedSpokes, spokes.length - 1);
    const sample = Array.from({ length: k }, (_, i) => spokes[1 + Math.floor((i * (spokes.length - 1)) / k)]);
    const index = (s: Spoke) => spokes.indexOf(s);
    const cold = await notify(e, hub, sample, (s) => [`daily-${index(s)}`, 'daily']);
    const warm = await notify(e, hub, sample, (s) => [`weekly-${index(s)}`, 'weekly']);
    progress(`organization ${spokeCount} spokes: ${cold.notifications + warm.notifications} notifications, to start ${cold.toStartMs.median.toFixed(0)} / ${warm.toStartMs.median.toFixed(0)} ms`);
    await hub.stop();
    hub = undefined;
    checkNoViolations(e);
    forgetRequests(e);

    finishTasks(e, spokes);
    const cli: CliRun[] = [];
    for (let i = 0; i < settings.cliRuns(spokes.length); i++) { cli.push(await runCli(e, spokes.length)); }
    if (spokes.length >= 1000) { cli.push(await runCli(e, spokes.length, 32)); }
    progress(`organization ${spokeCount} spokes: CLI summary --all-spokes ${cli.map((c) => `${(c.wallMs / 1000).toFixed(1)} s`).join(', ')}`);
    checkNoViolations(e);
    return {
      spokes: spokes.length,
      accounts: shape.accounts,
      regions: shape.regions,
      registration,
      catchUp,
      idleWarm,
      idleCold,
      cold,
      warm,
      cli,
      seedSeconds,
      wallSeconds: (Date.now() - began) / 1000,
    };
  } finally {
    await hub?.stop();
    await stopEmulators(e);
  }
}

export async function runOrganizationBenchmark(settings: OrganizationSettings, outdir: string): Promise<OrganizationResult> {
  const began = Date.now();
  const loadStart = os.loadavg()[0];
  fs.mkdirSync(outdir, { recursive: true });
  // This process's SDK clients (the spokes publishing their notifications) would warn about Node.js versions before 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  progress('npx projen bundle');
  execFileSync('npx', ['projen', 'bundle'], { cwd: ROOT, stdio: 'ignore' });
  const sizes: SizeResult[] = [];
  for (const size of settings.sizes) { sizes.push(await runSize(size, settings, outdir)); }
  const follower = await runFollowerBenchmark(outdir);
  return {
    settings: { sizes: settings.sizes, notifiedSpokes: settings.notifiedSpokes },
    sizes,
    follower,
    loadStart,
    loadEnd: os.loadavg()[0],
    wallSeconds: (Date.now() - began) / 1000,
  };
}

/** `--sizes 10,100` */
function sizesArgument(argv: string[]): number[] | undefined {
  const i = argv.indexOf('--sizes');
  if (i < 0) { return undefined; }
  const sizes = (argv[i + 1] ?? '').split(',').map(Number);
  if (sizes.length === 0 || sizes.some((n) => !SHAPES[n])) { throw new Error(`--sizes takes a comma-separated list of ${Object.keys(SHAPES).join(', ')}`); }
  return sizes;
}

if (require.main === module) {
  const sizes = sizesArgument(process.argv.slice(2));
  runOrganizationBenchmark({ ...ORGANIZATION_SETTINGS, sizes: sizes ?? ORGANIZATION_SETTINGS.sizes }, path.join(ROOT, '.tmp', 'bench', 'organization'))
    .then((r) => {
      console.log(table(['Target', 'Measured', 'Met'], organizationVerdicts(r).map((v) => [v.target, v.result, v.met ? 'yes' : '**no**'])));
      console.log(`\n${renderOrganizationSection(r)}`);
    })
    .catch((error: unknown) => { console.error(error); process.exitCode = 1; });
}
