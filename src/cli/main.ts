import * as fs from 'fs';
import { parseArgs } from 'util';
import { IoTClient } from '@aws-sdk/client-iot';
import { CancelResult, cancelTask, notCancelled, planCancel } from './cancel';
import { listExecutions } from './executions';
import { taskLines, summaryLines } from './outcome-lines';
import { Io, Progress, UsageError, parseDuration, processIo, table } from './output';
import { PreviewRow, previewAudit, rulesFromTemplate } from './preview';
import { summarize } from './summary';
import {
  describeSuppress, descriptionColumn, findSuppression, listSuppressions, suppress, suppressionKeyOf, suppressOptions, unsuppress,
} from './suppressions';
import { describeTask } from './task-info';
import { listTasks } from './tasks';
import { UndoStep, applyUndo, planUndo } from './undo';
import { UNTRUSTED_CERTIFICATE_CHECKS, isUntrustedCertificateCheck } from './undo-rules';

const REFUSED_CHECKS = Object.keys(UNTRUSTED_CERTIFICATE_CHECKS);

export const USAGE = `usage: cdk-device-defender <command> [options]

commands:
  tasks [--since 7d] [--status STATUS] [--detail]     audit and detect mitigation tasks: status, executions by
                                                      outcome, top error code; --detail: per action, per check
  summary [--since 7d]                                finished tasks' executions by check, action and outcome,
                                                      tasks by status, top error codes
  executions <taskId> [--action-type T] [--status S] every execution of a task
  cancel <taskId> [--yes] [--dry-run]                 cancel a task still in progress; say what already ran
  preview --audit-task <id> --template <file>        what the template's rules would do to an audit's findings
  undo <taskId> [--yes] [--dry-run] [--allow-check CHECK ...]
                                                      reverse what can safely be reversed of a task
  suppressions                                        audit finding suppressions: check, resource, expiry
  suppress <findingId> (--until DATE | --indefinitely) --reason TEXT [--yes] [--dry-run]
                                                      suppress the finding's check for its resource
  unsuppress <findingId> [--yes] [--dry-run]          delete the suppression of the finding's check and resource

cancel, undo, suppress and unsuppress show their plan and ask before writing when run in a
terminal. Elsewhere they print the plan, change nothing and exit 2, unless --yes is given.
With --dry-run (even beside --yes) they print the plan, change nothing, never ask and exit 0.

undo judges each resource across tasks (those AWS still lists, 90 days). It refuses to
reactivate a certificate that any finding of these checks names, in this task, another task or
a current audit:
  ${REFUSED_CHECKS.join('\n  ')}
(--allow-check CHECK lets one of these checks through; repeat it for more); the plan names the
finding, its check and task. It refuses to remove a thing from a group another audit or Detect
task also added it to. AWS keeps no membership history: a membership added by hand before the
task cannot be told apart, and every removal says so (NOTE; caveat in --json). It leaves alone
what changed after the execution (changed-since).

options:
  --yes                apply without asking (for scripts)
  --dry-run            print the plan only: write nothing, ask nothing, exit 0
  --allow-check CHECK  undo may reactivate certificates mitigated for CHECK
  --until DATE         suppress until DATE (e.g. 2027-01-01); --indefinitely: no end
  --reason TEXT        why the risk is accepted (the suppression's description)
  --since DURATION     tasks started within it (30m, 12h, 7d); reading outcomes costs requests per finding
  --detail             tasks: each finished task's executions per action and per check, and its error codes
  --json               machine-readable output (tasks: each finished task's full outcome)
  --help               this text

exit codes: 0 done; 1 failed, a step failed, or the answer was no; 2 wrong arguments, or not a
terminal and no --yes (nothing changed).

AWS credentials and region come from the standard chain (environment, profile, SSO, instance role).`;

/**
 * Runs one CLI command. Returns the exit code: 0 done; 1 failed, some undo step failed, or the
 * question was answered no; 2 wrong arguments, or a write asked for outside a terminal without --yes.
 */
export async function main(argv: string[], io: Io = processIo, iot: IoTClient = new IoTClient({})): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'json': { type: 'boolean', default: false },
        'detail': { type: 'boolean', default: false },
        'help': { type: 'boolean', default: false },
        'since': { type: 'string', default: '7d' },
        'status': { type: 'string' },
        'action-type': { type: 'string' },
        'audit-task': { type: 'string' },
        'template': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'yes': { type: 'boolean', default: false },
        'allow-check': { type: 'string', multiple: true, default: [] },
        'until': { type: 'string' },
        'indefinitely': { type: 'boolean', default: false },
        'reason': { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const dryRun = values['dry-run']!;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const print = (json: unknown, lines: () => string[]) => {
    if (values.json) { io.out(JSON.stringify(json, undefined, 2)); } else { lines().forEach((l) => io.out(l)); }
  };
  /** The tasks started within --since, each finished one with its outcome; progress on a terminal. */
  const readTasks = async (options: { status?: string }) => {
    const sinceMs = parseDuration(values.since!);
    const progress = values.json ? undefined : new Progress(io, 'reading task outcomes');
    const rows = await listTasks(iot, { sinceMs, status: options.status, onTask: () => progress?.tick(1) });
    progress?.done();
    return rows;
  };
  const taskIdArgument = () => {
    if (rest.length !== 1) { throw new UsageError(`${command} takes one task id, got ${rest.length}`); }
    return rest[0];
  };
  const findingIdArgument = () => {
    if (rest.length !== 1) { throw new UsageError(`${command} takes one finding id, got ${rest.length}`); }
    return rest[0];
  };
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

  try {
    switch (command) {
      case 'tasks': {
        const rows = await readTasks({ status: values.status });
        print(rows, () => rows.length === 0 ? [`no mitigation task in the last ${values.since}`] : taskLines(rows, values.detail!));
        return 0;
      }
      case 'summary': {
        const result = summarize(await readTasks({}));
        print({ since: values.since, ...result }, () => summaryLines(result, values.since!));
        return 0;
      }
      case 'executions': {
        const info = await describeTask(iot, taskIdArgument());
        const progress = values.json ? undefined : new Progress(io, 'loading executions');
        const rows = await listExecutions(iot, info, { actionType: values['action-type'], status: values.status, progress });
        print(rows.map(({ finding, ...row }) => ({ ...row, checkName: finding?.checkName })), () => table(
          ['TARGET', 'CHECK / THING', 'ACTION', 'TYPE', 'STATUS', 'ERROR'],
          rows.map((r) => [r.findingId ?? r.violationId, r.finding?.checkName ?? r.thingName, r.actionName, r.actionType, r.status,
            r.errorCode ? `${r.errorCode}: ${r.message ?? ''}` : undefined])));
        return 0;
      }
      case 'cancel': {
        const plan = await planCancel(iot, taskIdArgument());
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
        const plan = await planUndo(iot, taskIdArgument(), { allowChecks });
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
        const findingId = findingIdArgument();
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
        const key = await suppressionKeyOf(iot, findingIdArgument());
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
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.err(`error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

function summary(outcomes: string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) { counts.set(o, (counts.get(o) ?? 0) + 1); }
  return outcomes.length === 0 ? 'no completed execution to undo' : [...counts].map(([o, n]) => `${n} ${o}`).join(', ');
}
