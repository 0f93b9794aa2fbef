import * as fs from 'fs';
import { IoTClient } from '@aws-sdk/client-iot';
import { Values, parseCommandLine, wantsJson } from './args';
import { CancelResult, cancelTask, notCancelled, planCancel } from './cancel';
import { iotClient } from './client';
import { REFUSED_CHECKS } from './commands';
import { FailureContext, failureOf, printFailure } from './errors';
import { executionLines, executionsJson, executionsOfTask } from './executions';
import { fanOut } from './fan-out';
import { commandHelp, globalHelp } from './help';
import { taskLines, summaryLines } from './outcome-lines';
import { Io, Progress, UsageError, parseDuration, processIo, table } from './output';
import { PreviewRow, previewAudit, rulesFromTemplate } from './preview';
import { FAN_OUT_COMMANDS, targetOf } from './spoke-options';
import { SpokeSessions } from './spokes';
import { summarize } from './summary';
import {
  describeSuppress, descriptionColumn, findSuppression, listSuppressions, suppress, suppressionKeyOf, suppressOptions, unsuppress,
} from './suppressions';
import { listTasks } from './tasks';
import { UndoStep, applyUndo, planUndo } from './undo';
import { isUntrustedCertificateCheck } from './undo-rules';

/**
 * Runs one CLI command. Returns the exit code: 0 done; 1 failed, some undo step failed, some spoke
 * failed (the others are listed), or the question was answered no; 2 wrong arguments, or a write
 * asked for outside a terminal without --yes. Every error is one line and its fix on stderr, or
 * with --json one object on stdout. `client` replaces the client `--region` and `--profile` would
 * build (tests); in spokes, the CLI builds each spoke's client with the role it assumes there.
 */
export async function main(argv: string[], io: Io = processIo, client?: IoTClient): Promise<number> {
  let json = wantsJson(argv);
  let context: FailureContext = {};
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      io.out(line.command ? commandHelp(line.command) : globalHelp());
      return 0;
    }
    if (line.kind === 'none') {
      if (json) { throw new UsageError('no command given'); }
      io.err(`${globalHelp()}\n`);
      return 2;
    }
    const { command, argument, values } = line;
    context = { command, profile: values.profile };
    json = values.json;
    const target = targetOf(command, values);
    if (target.kind === 'local') {
      return await run(command, argument, values, io, client ?? iotClient({ region: values.region, profile: values.profile }));
    }
    const sessions = await SpokeSessions.open({ region: values.region, profile: values.profile }, target.roleName);
    const { spokes, failures } = await sessions.spokesOf(target);
    if (FAN_OUT_COMMANDS.includes(command)) {
      return await fanOut({ command, argument, values, io, sessions, spokes, failures, concurrency: target.concurrency, context });
    }
    // targetOf lets the other commands name one account and one region only.
    const [spoke] = spokes;
    context = { ...context, role: sessions.roleArnOf(spoke) };
    if (!json) { io.err(`in account ${spoke.account}, region ${spoke.region}, as ${context.role}\n`); }
    return await run(command, argument, values, io, await sessions.iotIn(spoke));
  } catch (error) {
    const failure = failureOf(error, context);
    printFailure(io, json, failure);
    return failure.exitCode;
  }
}

/** Runs a parsed command; errors are thrown to `main`. */
async function run(command: string, argument: string | undefined, values: Values, io: Io, iot: IoTClient): Promise<number> {
  const dryRun = values['dry-run'];
  const print = (json: unknown, lines: () => string[]) => {
    if (values.json) { io.out(JSON.stringify(json, undefined, 2)); } else { lines().forEach((l) => io.out(l)); }
  };
  /** The tasks started within --since, each finished one with its outcome; progress on a terminal. */
  const readTasks = async (options: { status?: string }) => {
    const sinceMs = parseDuration(values.since);
    const progress = values.json ? undefined : new Progress(io, 'reading task outcomes');
    const rows = await listTasks(iot, { sinceMs, status: options.status, onTask: () => progress?.tick(1) });
    progress?.done();
    return rows;
  };
  /** The task or finding id (the parser has checked that the command has its one argument). */
  const id = argument!;
  /**
   * Before a write: with --dry-run, print the plan and stop with exit 0, before --yes or any
   * question. With --yes, go on (undefined). In a terminal, show the plan and ask; a yes goes on,
   * anything else is exit 1. Elsewhere, print the plan and stop with exit 2. Nothing is written
   * unless this returns undefined.
   */
  const confirmWrite = async (plan: { json: unknown; lines: string[] }, question: string): Promise<number | undefined> => {
    if (dryRun) {
      print(plan.json, () => plan.lines);
      io.err('dry run: nothing was changed\n');
      return 0;
    }
    if (values.yes) { return undefined; }
    if (!io.terminal) {
      print(plan.json, () => plan.lines);
      io.err('not a terminal: re-run with --yes to apply (nothing was changed)\n');
      return 2;
    }
    // With --json, stdout carries only the final document: the plan goes to stderr.
    if (values.json) { io.err(plan.lines.map((l) => `${l}\n`).join('')); } else { plan.lines.forEach((l) => io.out(l)); }
    if (await io.confirm(question)) { return undefined; }
    if (values.json) { print(plan.json, () => []); }
    io.err('not confirmed: nothing was changed\n');
    return 1;
  };

  switch (command) {
    case 'tasks': {
      const rows = await readTasks({ status: values.status });
      print(rows, () => rows.length === 0 ? [`no mitigation task in the last ${values.since}`] : taskLines(rows, values.detail));
      return 0;
    }
    case 'summary': {
      const result = summarize(await readTasks({}));
      print({ since: values.since, ...result }, () => summaryLines(result, values.since));
      return 0;
    }
    case 'executions': {
      const progress = values.json ? undefined : new Progress(io, 'loading executions');
      const rows = await executionsOfTask(iot, id, { actionType: values['action-type'], status: values.status, progress });
      print(executionsJson(rows), () => executionLines(rows));
      return 0;
    }
    case 'cancel': {
      const plan = await planCancel(iot, id);
      const ran = (result: CancelResult) => Object.entries(result.alreadyRan).map(([status, n]) => `${n} ${status}`).join(', ') || 'nothing';
      const lines = (result: CancelResult) => [
        result.cancelled ? `cancelled ${result.kind} task ${result.taskId}` : `did not cancel ${result.taskId}: ${result.reason}`,
        `already ran (never rolled back by AWS): ${ran(result)}`,
      ];
      const show = (result: CancelResult) => print(result, () => lines(result));
      const what = `${plan.info.kind} task ${plan.info.taskId}`;
      if (!plan.cancellable) {
        show(notCancelled(plan));
        return 0;
      }
      if (dryRun) {
        show(notCancelled(plan, `dry run: would cancel ${what}`));
        return 0;
      }
      const planned = notCancelled(plan, `not applied: would cancel ${what}`);
      const stop = await confirmWrite({
        json: planned,
        lines: [`would cancel ${what} (its executions that have not started will not run)`, `already ran (never rolled back by AWS): ${ran(planned)}`],
      }, `Cancel ${what}?`);
      if (stop !== undefined) { return stop; }
      show(await cancelTask(iot, plan));
      return 0;
    }
    case 'preview': {
      if (!values['audit-task'] || !values.template) { throw new UsageError('preview needs --audit-task <id> and --template <file>'); }
      const configs = rulesFromTemplate(JSON.parse(fs.readFileSync(values.template, 'utf-8')));
      if (configs.length === 0) { throw new UsageError(`${values.template} holds no AuditMitigation (no function with audit mitigation rules)`); }
      const previews: Array<{ functionLogicalId: string; rows: PreviewRow[] }> = [];
      for (const config of configs) {
        const progress = values.json ? undefined : new Progress(io, 'loading findings');
        previews.push({ functionLogicalId: config.functionLogicalId, rows: await previewAudit(iot, values['audit-task'], config, progress) });
      }
      print(previews, () => previews.flatMap((p) => [
        `${p.functionLogicalId}: audit ${values['audit-task']} (nothing is started)`,
        ...table(['FINDING', 'CHECK', 'RESOURCE', 'WOULD APPLY', 'NOTE'],
          p.rows.map((r) => [r.findingId, r.checkName, r.resource, r.actions.join(' > ') || undefined, r.note])),
      ]));
      return 0;
    }
    case 'undo': {
      const allowChecks = new Set(values['allow-check']);
      for (const check of allowChecks) {
        if (!isUntrustedCertificateCheck(check)) {
          throw new UsageError(`--allow-check ${check}: undo refuses no step for this check; it refuses only ${REFUSED_CHECKS.join(', ')}`);
        }
      }
      const plan = await planUndo(iot, id, { allowChecks });
      const report = (steps: UndoStep[], applied: boolean) => ({
        json: { taskId: plan.taskId, dryRun, applied, steps },
        lines: [
          ...table(['RESOURCE', 'CHECK', 'ACTION', 'CHANGE', 'OUTCOME', 'NOTE'], steps.map((s) => [s.resource, s.checkName, s.actionName, s.change,
            (s.error ?? s.reason) ? `${s.outcome}: ${s.error ?? s.reason}` : s.outcome, s.caveat ?? ''])),
          summary(steps.map((s) => s.outcome)),
        ],
      });
      const exitCode = (steps: UndoStep[]) => (steps.some((s) => s.outcome === 'failed') ? 1 : 0);
      const pending = plan.steps.filter((s) => s.outcome === 'would-restore').length;
      if (dryRun || pending === 0) {
        const { json, lines } = report(plan.steps, false);
        print(json, () => lines);
        return exitCode(plan.steps);
      }
      const stop = await confirmWrite(report(plan.steps, false), `Write the ${pending} change(s) marked would-restore?`);
      if (stop !== undefined) { return stop; }
      const steps = await applyUndo(plan);
      const { json, lines } = report(steps, true);
      print(json, () => lines);
      return exitCode(steps);
    }
    case 'suppressions': {
      const rows = await listSuppressions(iot);
      print(rows, () => rows.length === 0 ? ['no audit finding suppression'] : table(
        ['CHECK', 'RESOURCE', 'EXPIRES', 'DESCRIPTION'], rows.map((r) => [r.checkName, r.resource, r.expiry, descriptionColumn(r)])));
      return 0;
    }
    case 'suppress': {
      const findingId = id;
      const options = suppressOptions({ until: values.until, indefinitely: values.indefinitely, reason: values.reason });
      const key = await suppressionKeyOf(iot, findingId);
      const plan = describeSuppress(key, options);
      const result = (applied: boolean) => ({
        ...key, until: options.until?.toISOString(), indefinitely: options.indefinitely, reason: options.reason, dryRun, applied,
      });
      const stop = await confirmWrite({ json: result(false), lines: [plan] }, 'Create this suppression?');
      if (stop !== undefined) { return stop; }
      await suppress(iot, key, options);
      print(result(true), () => [plan.replace(/^would suppress/, 'suppressed')]);
      return 0;
    }
    case 'unsuppress': {
      const key = await suppressionKeyOf(iot, id);
      const existing = await findSuppression(iot, key);
      if (!existing) {
        print({ ...key, applied: false, reason: 'no suppression' }, () => [`no suppression of ${key.checkName} for ${key.resource}: nothing to delete`]);
        return 0;
      }
      const plan = `would delete the suppression of ${key.checkName} for ${key.resource} (${existing.expiry === 'indefinitely' ? 'indefinite' : `until ${existing.expiry}`}`
        + `${existing.description ? `: ${JSON.stringify(existing.description)}` : ''}); its findings will be reported and mitigated again`;
      const stop = await confirmWrite({ json: { ...key, suppression: existing, dryRun, applied: false }, lines: [plan] }, 'Delete this suppression?');
      if (stop !== undefined) { return stop; }
      await unsuppress(iot, key);
      print({ ...key, suppression: existing, dryRun, applied: true }, () => [`deleted the suppression of ${key.checkName} for ${key.resource}`]);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

function summary(outcomes: string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) { counts.set(o, (counts.get(o) ?? 0) + 1); }
  return outcomes.length === 0 ? 'no completed execution to undo' : [...counts].map(([o, n]) => `${n} ${o}`).join(', ');
}
