/**
 * The organization benchmark's part of bench/RESULTS.md: its targets and its section.
 */
import type { OrganizationResult, ReconcileRun, SizeResult } from './organization';
import type { CliRun, FollowerRun } from './organization-cli';
import { Summary, fmt, int, mib, summarize, table } from './stats';

/** MitigationHub's function memory (src/private/mitigation-handler.ts), MiB: Lambda's MB are MiB. */
export const HUB_MEMORY_MIB = 256;
/** Lambda's file descriptor quota per execution environment (sockets included). */
export const LAMBDA_FILE_DESCRIPTORS = 1024;

const count = (s: Summary) => (s.min === s.max ? int(s.median) : `${int(s.median)} (${int(s.min)}–${int(s.max)})`);
const constant = (values: Summary[]) => values.every((s) => s.min === s.max && s.median === values[0].median);
const ops = (byOperation: Record<string, number>, scale = 1) =>
  Object.entries(byOperation).map(([op, n]) => `${op} ${Number.isInteger(n / scale) ? int(n / scale) : (n / scale).toFixed(2)}`).join(', ');
const largest = (r: OrganizationResult) => r.sizes.reduce((a, b) => (b.spokes > a.spokes ? b : a));
const runs = (s: SizeResult): Array<[string, ReconcileRun]> => [
  ['catch-up: one lost audit per spoke', s.catchUp], ['idle, credentials cached', s.idleWarm], ['idle, fresh process', s.idleCold],
];

/** Operations of an idle run other than the registry's Scan pages: each must be called exactly once per spoke (one audit per spoke in the window). */
function perSpokeExactly(s: SizeResult, run: ReconcileRun): boolean {
  return Object.entries(run.byOperation).every(([op, n]) => op === 'DynamoDB Scan' || n === s.spokes);
}

function peakRss(s: SizeResult): number {
  return Math.max(...runs(s).map(([, run]) => run.memory.rssPeak));
}

function peakFds(s: SizeResult): number | undefined {
  const fds = runs(s).map(([, run]) => run.memory.fdsPeak).filter((n): n is number => n !== undefined);
  return fds.length > 0 ? Math.max(...fds) : undefined;
}

/** The organization rows of the Targets table. */
export function organizationVerdicts(r: OrganizationResult): Array<{ target: string; result: string; met: boolean }> {
  const sizes = r.sizes.map((s) => int(s.spokes)).join(' / ');
  const notified = (pick: (s: SizeResult) => Summary) => r.sizes.map((s) => count(pick(s))).join(' / ');
  const big = largest(r);
  const fds = peakFds(big);
  return [
    {
      target: `IoT and STS calls per audit notification constant (${sizes} spokes)`,
      result: `IoT ${notified((s) => s.cold.iotCalls)} and STS ${notified((s) => s.cold.stsCalls)} when the hub holds no credentials for the spoke; `
        + `IoT ${notified((s) => s.warm.iotCalls)} and STS ${notified((s) => s.warm.stsCalls)} once it holds them`,
      met: constant(r.sizes.map((s) => s.cold.iotCalls)) && constant(r.sizes.map((s) => s.warm.iotCalls))
        && constant(r.sizes.map((s) => s.cold.stsCalls)) && constant(r.sizes.map((s) => s.warm.stsCalls)),
    },
    {
      target: 'Calls per idle hour: the reconciler only, linear in spokes',
      result: `${r.sizes.map((s) => `${int(s.idleCold.calls)}`).join(' / ')} calls at ${sizes} spokes (one run per hour, every spoke role assumed again): `
        + `${r.sizes.map((s) => ((s.idleCold.calls - (s.idleCold.byOperation['DynamoDB Scan'] ?? 0)) / s.spokes).toFixed(2)).join(' / ')} per spoke `
        + 'and the registry\'s Scan pages; nothing else runs',
      met: r.sizes.every((s) => perSpokeExactly(s, s.idleCold) && perSpokeExactly(s, s.idleWarm)
        && (s.idleCold.calls - (s.idleCold.byOperation['DynamoDB Scan'] ?? 0)) / s.spokes
        === (r.sizes[0].idleCold.calls - (r.sizes[0].idleCold.byOperation['DynamoDB Scan'] ?? 0)) / r.sizes[0].spokes),
    },
    {
      target: `The hub at ${int(big.spokes)} spokes within its ${HUB_MEMORY_MIB} MB and Lambda's ${int(LAMBDA_FILE_DESCRIPTORS)} file descriptors`,
      result: `peak RSS ${mib(peakRss(big))} (a reconciler run), heap kept after it ${mib(big.idleCold.memory.heapAfterGc)}; `
        + `open file descriptors up to ${fds === undefined ? 'unknown (no /proc)' : int(fds)}`,
      met: peakRss(big) <= HUB_MEMORY_MIB * 1024 * 1024 && (fds ?? 0) <= LAMBDA_FILE_DESCRIPTORS,
    },
  ];
}

function notificationTable(r: OrganizationResult): string {
  return table(['spokes', 'audit', 'notifications', 'IoT calls', 'STS calls', 'other calls', 'to task start ms', 'p95', 'invocation ms', 'p95'],
    r.sizes.flatMap((s) => ([['first (no cached credentials)', s.cold], ['second (credentials cached)', s.warm]] as const).map(([what, n]) => [
      int(s.spokes), what, int(n.notifications), `**${count(n.iotCalls)}**`, `**${count(n.stsCalls)}**`, count(n.otherCalls),
      fmt(n.toStartMs, 0), n.toStartP95.toFixed(0), fmt(n.invocationMs, 1), n.invocationP95.toFixed(1),
    ])));
}

function reconcileTable(r: OrganizationResult): string {
  return table(['spokes', 'run', 'calls', 'per spoke', 'calls by operation', 'ms', 'tasks started'],
    r.sizes.flatMap((s) => runs(s).map(([what, run]) => [
      int(s.spokes), what, int(run.calls), (run.calls / s.spokes).toFixed(2), ops(run.byOperation), run.ms.toFixed(0),
      int(run.started) + (run.error ? ` (failed: ${run.error})` : ''),
    ])));
}

function memoryTable(r: OrganizationResult): string {
  return table(['spokes', 'run', 'RSS loaded', 'RSS before → peak', 'heap before → peak → after GC', 'open file descriptors before → peak'],
    r.sizes.flatMap((s) => runs(s).map(([what, run]) => {
      const m = run.memory;
      return [
        int(s.spokes), what, mib(run.rssLoaded), `${mib(m.rssBefore)} → **${mib(m.rssPeak)}**`,
        `${mib(m.heapBefore)} → ${mib(m.heapPeak)} → **${mib(m.heapAfterGc)}**`,
        m.fdsBefore === undefined ? 'n/a' : `${int(m.fdsBefore)} → **${int(m.fdsPeak!)}**`,
      ];
    })));
}

function cliTable(r: OrganizationResult): string {
  return table(['spokes', '--concurrency', 'runs', 'wall time s', 'calls', 'per spoke', 'calls by operation', 'tasks summarized'],
    r.sizes.flatMap((s) => [...new Set(s.cli.map((c) => c.concurrency))].map((concurrency) => {
      const cli = s.cli.filter((c) => c.concurrency === concurrency);
      const first: CliRun = cli[0];
      return [
        int(s.spokes), String(concurrency), String(cli.length), `**${fmt(summarize(cli.map((c) => c.wallMs / 1000)), 1)}**`,
        int(first.calls), (first.calls / s.spokes).toFixed(2), ops(first.byOperation), int(first.tasks),
      ];
    })));
}

function followerTable(runsOf: FollowerRun[]): string {
  return table(['tasks in the look-back window', 'calls', 'calls by operation', 'ms', 'reported'],
    runsOf.map((f) => [f.state, `**${int(f.calls)}**`, ops(f.byOperation), f.ms.toFixed(0), int(f.reported)]));
}

function registrationTable(r: OrganizationResult): string {
  return table(['spokes', 'invocations (10 records each)', 'calls per spoke', 'ms per invocation'],
    r.sizes.map((s) => [int(s.spokes), int(s.registration.invocations), ops(s.registration.byOperation, s.spokes), fmt(s.registration.ms, 1)]));
}

function followerNote(runsOf: FollowerRun[]): string {
  const [none, active, finished, reported] = runsOf;
  const perTask = (finished.calls - reported.calls) / finished.tasks;
  return '- **The task follower here is the stack\'s.** This branch has no hub follower (the hub starts its tasks in the spokes, and '
    + '`MitigationHub` deploys no follower for them); the table shows the follower a stack with `AuditMitigation` deploys, in one account and '
    + `region. Its cost follows the tasks in its look-back window, not time: ${int(none.calls)} call with no task and ${int(active.calls)} with `
    + `${int(active.tasks)} in progress (one list page of 100), ${perTask.toFixed(0)} more for each finished task it reports (once), and `
    + `${int(reported.calls)} per run once they are reported (the list and one ledger read).`;
}

/** How reconciler time grows, from the smallest size to the largest. */
function reconcilerTimeNote(r: OrganizationResult): string {
  const big = largest(r);
  const small = r.sizes.reduce((a, b) => (b.spokes < a.spokes ? b : a));
  const ratio = (run: (s: SizeResult) => ReconcileRun) => (run(big).ms / big.spokes) / (run(small).ms / small.spokes);
  const [warm, cold] = [ratio((s) => s.idleWarm), ratio((s) => s.idleCold)];
  const linear = warm <= 1.25 && cold <= 1.25;
  const growth = big === small ? '- **Reconciler time.**' : `- **Reconciler time ${linear ? 'is at most linear in the spokes' : 'grows faster than the spokes'}.** `
    + `Time per spoke at ${int(big.spokes)} against ${int(small.spokes)} spokes: ×${warm.toFixed(2)} (credentials cached), ×${cold.toFixed(2)} `
    + `(fresh process)${linear ? ': a run\'s fixed cost (the registry, the first call of each client) weighs less as spokes are added' : ''}.`;
  const slower = r.sizes.every((s) => s.idleCold.ms > s.idleWarm.ms);
  return growth + (slower ? ' The fresh-process run is the slower one at every size: per spoke it adds an AssumeRole, two new SDK clients '
    + '(IoT and SSM) and their own connections.' : '');
}

function notes(r: OrganizationResult): string[] {
  const big = largest(r);
  const small = r.sizes.reduce((a, b) => (b.spokes < a.spokes ? b : a));
  const fds = peakFds(big);
  // What one more spoke keeps, between the smallest and the largest size (fresh-process runs: the same work before them).
  const perSpoke = (big.idleCold.memory.heapAfterGc - small.idleCold.memory.heapAfterGc) / (big.spokes - small.spokes);
  const cli = big.cli.filter((c) => c.concurrency === 8);
  const cliFast = big.cli.filter((c) => c.concurrency !== 8);
  return [
    `- **A notification costs the same at every size.** ${ops(big.cold.byOperation)} per notification at ${int(big.spokes)} spokes `
    + '(means): the registry read is one GetItem by key, the spoke\'s role is assumed only when the hub holds no credentials for it (cached per '
    + 'spoke until 5 minutes before they expire, 1 hour after AssumeRole), and the rest happens in the spoke. Its time to the task start is that '
    + 'chain of calls; in AWS, where each call takes tens of milliseconds, the AssumeRole of a spoke\'s first audit in an hour is the one extra hop.',
    '- **An idle hour is one reconciler run.** The hub has no other schedule (SQS invokes it only for messages, and this branch has no hub task '
    + 'follower), and the reconcile interval defaults to 1 hour; credentials cached by the previous run are then within 5 minutes of their expiry, '
    + 'so each hourly run assumes every spoke role again: the "fresh process" row. Per spoke: AssumeRole, GetParameter, ListAuditTasks (one page '
    + 'of 100 audits), and one DescribeAuditMitigationActionsTask per finished audit in the look-back window (here one per spoke: a daily audit, '
    + 'already mitigated); the registry is read in Scan pages of 500. With a reconcile interval under 55 minutes the runs between renewals '
    + 'are the "credentials cached" row.',
    reconcilerTimeNote(r)
    + ' A CPU profile of the fresh-process run at 1,000 spokes '
    + '(`BENCH_CPU_PROF_DIR=.tmp/prof` profiles the workers) showed the time in the SDK\'s request pipeline and client configuration '
    + '(`@smithy/core`, including the errors each new client\'s configuration chain throws and catches), in opening connections (`node:net`), '
    + 'and in garbage collection. The run goes through the spokes 8 at a time, so in AWS it is about spokes ÷ 8 × 4 sequential calls long; the '
    + 'function\'s 5-minute timeout (less its 30 s margin) leaves over 0.5 s per call at 1,000 spokes, and spokes not reached are reconciled by the next run.',
    `- **What the hub keeps: one session per spoke.** After a run at ${int(big.spokes)} spokes the heap keeps ${mib(big.idleCold.memory.heapAfterGc)} `
    + (big === small ? '' : `(${(perSpoke / 1024).toFixed(0)} KB more per spoke than at ${int(small.spokes)} spokes)`)
    + ': the cached credentials and each spoke\'s IoT and SSM clients, held '
    + `until the credentials expire. RSS peaks at ${mib(peakRss(big))} of the function's ${HUB_MEMORY_MIB} MB (Lambda counts its runtime in that too). `
    + (fds === undefined ? '' : `Each client keeps its own keep-alive connection: ${int(fds)} file descriptors were open at the peak, `
      + `${fds > LAMBDA_FILE_DESCRIPTORS ? 'over' : 'within'} Lambda's ${int(LAMBDA_FILE_DESCRIPTORS)}; the emulators close a connection idle for 5 s `
      + '(Node.js\'s default), so a service that keeps idle connections longer leaves more open. ')
    + 'Both are bounded by the number of spokes (one session each, replaced when renewed, its clients then destroyed), not by time.',
    `- **The CLI reads the registry once, then each spoke with its own role.** At ${int(big.spokes)} spokes \`summary --all-spokes\` took `
    + `${fmt(summarize(cli.map((c) => c.wallMs / 1000)), 1)} s at the default concurrency (8)`
    + (cliFast.length > 0 ? ` and ${fmt(summarize(cliFast.map((c) => c.wallMs / 1000)), 1)} s at ${cliFast[0].concurrency}` : '')
    + ', spawn to exit: one AssumeRole per spoke, the audit and detect task lists of each spoke, and per finished task its description, '
    + 'executions and findings. Its calls grow with spokes and tasks; the emulators in this process answer all of them, so on 2 cores '
    + 'more concurrency gains less than it would against AWS.',
    followerNote(r.follower),
  ];
}

/** Milliseconds per call of a notification with cached credentials (its calls run one after another), at the largest size. */
function loopback(r: OrganizationResult): string {
  const warm = largest(r).warm;
  return (warm.invocationMs.median / (warm.iotCalls.median + warm.stsCalls.median + warm.otherCalls.median)).toFixed(1);
}

/** The RESULTS.md section. */
export function renderOrganizationSection(r: OrganizationResult, heading = '## 6. Organization scale: one hub, 10 to 1,000 spokes'): string {
  const shapes = r.sizes.map((s) => `${int(s.spokes)} = ${s.accounts} accounts × ${s.regions} regions`).join(', ');
  return `${heading}

The hub's bundle (\`assets/handlers/mitigation-hub.lambda/index.js\`, what Lambda runs) in a \`node\` process of its own
([bundle-worker.ts](bundle-worker.ts): no ts-node, so its memory is the hub's), configured as \`MitigationHub\` configures it (an
organization, a report topic, the default event bus, 24 h look-back), against the emulators of the benchmark's process
([organization.ts](organization.ts)): ${shapes}. Each spoke has what a \`MitigationSpoke\` defines (its role, trusting the hub's audit role
in the organization; its configuration parameter; a mitigation action; its topic subscribed to the hub's queue) and was registered by
the hub itself, which confirmed each topic's subscription (10 records per invocation, the queue's batch size). Calls are the requests the
emulators received during the hub's invocations; times are measured in the hub's process. One call to the emulators took about
${loopback(r)} ms here (a notification's invocation time over its calls); in AWS each costs tens, so the call counts matter more than the times. This part took ${r.wallSeconds.toFixed(0)} s; load average (1 min)
${r.loadStart.toFixed(2)} at its start, ${r.loadEnd.toFixed(2)} at its end.

### Per audit notification

Notifications in a fresh process (after one untimed notification of another spoke), one SQS record per invocation, for
${r.sizes.map((s) => `${s.cold.notifications + s.cold.failures.length} spokes at ${int(s.spokes)}`).join(', ')}, spread over the organization:
first each spoke's daily audit, when the hub holds no credentials for it, then its weekly audit. "To task start" runs from the handler's call to the arrival of the accepted
\`StartAuditMitigationActionsTask\` at the emulator; "invocation" includes the report and event that follow.

${notificationTable(r)}

### The reconciler, and calls per idle hour

Each spoke has one finished audit whose notification was lost: the first run catches up; the second finds nothing new, with the
spokes' credentials cached; the third runs in a fresh process (Lambda's cold start, or the next hourly run).

${reconcileTable(r)}

### Hub memory

Over the same runs; garbage is collected right before each run and after it (after GC: what the hub keeps). Heap sampled every 5 ms,
open file descriptors every 50 ms.

${memoryTable(r)}

### CLI \`summary --all-spokes\`

The bundled CLI (\`assets/cli/cdk-device-defender.js\`) as an operator of the hub's account runs it, with \`--role-name\` naming an
operator role in each spoke (\`--json\`), spawn to exit, after every task in the spokes has finished.

${cliTable(r)}

### Task follower with 0 and 50 active tasks

${followerTable(r.follower)}

### Registration

${registrationTable(r)}

The first invocation of a process also loads the clients it uses (at 10 spokes it is the only one).

### What dominates

${notes(r).join('\n')}
`;
}
