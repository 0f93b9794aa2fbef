import * as fs from 'fs';
import { parseArgs } from 'util';
import { IoTClient } from '@aws-sdk/client-iot';
import { cancelTask } from './cancel';
import { listExecutions } from './executions';
import { Io, Progress, UsageError, parseDuration, processIo, table } from './output';
import { PreviewRow, previewAudit, rulesFromTemplate } from './preview';
import { describeTask } from './task-info';
import { listTasks } from './tasks';
import { undoTask } from './undo';

export const USAGE = `usage: cdk-device-defender <command> [options]

commands:
  tasks [--since 7d] [--status STATUS]              audit and detect mitigation tasks, with counts
  executions <taskId> [--action-type T] [--status S] every execution of a task
  cancel <taskId>                                     cancel a task still in progress; say what already ran
  preview --audit-task <id> --template <file>        what the template's rules would do to an audit's findings
  undo <taskId> [--dry-run]                           reverse what can be reversed of a task

options:
  --json      machine-readable output
  --help      this text

AWS credentials and region come from the standard chain (environment, profile, SSO, instance role).`;

/**
 * Runs one CLI command. Returns the exit code: 0 done, 1 failed (or some undo step failed),
 * 2 wrong arguments.
 */
export async function main(argv: string[], io: Io = processIo, iot: IoTClient = new IoTClient({})): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'json': { type: 'boolean', default: false },
        'help': { type: 'boolean', default: false },
        'since': { type: 'string', default: '7d' },
        'status': { type: 'string' },
        'action-type': { type: 'string' },
        'audit-task': { type: 'string' },
        'template': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const print = (json: unknown, lines: () => string[]) => {
    if (values.json) { io.out(JSON.stringify(json, undefined, 2)); } else { lines().forEach((l) => io.out(l)); }
  };
  const taskIdArgument = () => {
    if (rest.length !== 1) { throw new UsageError(`${command} takes one task id, got ${rest.length}`); }
    return rest[0];
  };

  try {
    switch (command) {
      case 'tasks': {
        const rows = await listTasks(iot, { sinceMs: parseDuration(values.since!), status: values.status });
        print(rows, () => rows.length === 0 ? [`no mitigation task in the last ${values.since}`] : table(
          ['KIND', 'TASK', 'STATUS', 'STARTED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELED', 'TOTAL'],
          rows.map((r) => [r.kind, r.taskId, r.status, r.startTime, r.succeeded, r.failed, r.skipped, r.canceled, r.total])));
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
        const result = await cancelTask(iot, taskIdArgument());
        const ran = Object.entries(result.alreadyRan).map(([status, n]) => `${n} ${status}`).join(', ') || 'nothing';
        print(result, () => [
          result.cancelled ? `cancelled ${result.kind} task ${result.taskId}` : `did not cancel ${result.taskId}: ${result.reason}`,
          `already ran (never rolled back by AWS): ${ran}`,
        ]);
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
        const result = await undoTask(iot, taskIdArgument(), { dryRun: values['dry-run']! });
        const failed = result.steps.filter((s) => s.outcome === 'failed');
        print(result, () => [
          ...table(['TARGET', 'ACTION', 'CHANGE', 'OUTCOME'],
            result.steps.map((s) => [s.findingId ?? s.violationId, s.actionName, s.change, s.error ? `${s.outcome}: ${s.error}` : s.outcome])),
          summary(result.steps.map((s) => s.outcome)),
        ]);
        return failed.length > 0 ? 1 : 0;
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
