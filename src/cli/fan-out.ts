/**
 * `tasks`, `executions` and `summary` across spokes: each spoke read with its own role, at a
 * bounded concurrency, every row carrying its account and region; a spoke that failed is listed
 * with its error and fix after the others, and the exit code is 1.
 */
import { IoTClient } from '@aws-sdk/client-iot';
import { Values } from './args';
import { CliError, FailureContext } from './errors';
import { executionLines, executionsJson, executionsOfTask } from './executions';
import { summaryLines, taskLines } from './outcome-lines';
import { Io, Progress, parseDuration, table } from './output';
import { Spoke, SPOKE_HEADERS } from './spoke-options';
import { SpokeFailure, SpokeSessions, acrossSpokes } from './spokes';
import { summarize } from './summary';
import { listTasks } from './tasks';

/** A fan-out command and what it runs over. */
export interface FanOutRequest {
  readonly command: string;
  readonly argument?: string;
  readonly values: Values;
  readonly io: Io;
  readonly sessions: SpokeSessions;
  readonly spokes: readonly Spoke[];
  /** Spokes that failed before any work (a registry item that names none). */
  readonly failures: readonly SpokeFailure[];
  readonly concurrency: number;
  readonly context: FailureContext;
}

/** Runs `tasks`, `executions` or `summary` in every spoke; returns the exit code (0, or the worst failure's). */
export async function fanOut(request: FanOutRequest): Promise<number> {
  const { command, values, io, spokes } = request;
  const progress = values.json ? undefined : new Progress(io, 'spokes', spokes.length);
  const across = <T>(work: (iot: IoTClient, spoke: Spoke) => Promise<T>) =>
    acrossSpokes(request.sessions, spokes, { concurrency: request.concurrency, progress, context: request.context }, work);
  const report = (json: Record<string, unknown>, lines: string[], failures: SpokeFailure[], missing: string) => {
    const failedSpokes = failures.map(({ exitCode, ...failure }) => failure);
    if (values.json) {
      io.out(JSON.stringify({ ...json, failedSpokes }, undefined, 2));
    } else {
      [...lines, ...failureLines(failures, missing)].forEach((line) => io.out(line));
      if (failures.length > 0) { io.err(`error: ${failures.length} of ${spokes.length + request.failures.length} spokes failed (listed above)\n`); }
    }
    return failures.length === 0 ? 0 : Math.max(...failures.map((f) => f.exitCode));
  };
  const sinceMs = parseDuration(values.since);

  switch (command) {
    case 'tasks': {
      const { done, failures } = await across((iot) => listTasks(iot, { sinceMs, status: values.status }));
      // Newest first over every spoke; a stable sort keeps the spokes' order for equal times.
      const rows = done.flatMap(({ account, region, value }) => value.map((row) => ({ account, region, ...row })))
        .sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
      const lines = rows.length === 0 ? [`no mitigation task in the last ${values.since} in ${done.length} spoke(s)`] : taskLines(rows, values.detail);
      return report({ tasks: rows }, lines, [...request.failures, ...failures], 'their tasks are not listed');
    }
    case 'summary': {
      const { done, failures } = await across((iot) => listTasks(iot, { sinceMs }));
      const total = summarize(done.flatMap((d) => d.value));
      const bySpoke = done.map(({ account, region, value }) => ({ account, region, ...summarize(value) }));
      const lines = [
        `${done.length} spoke(s) read`,
        ...summaryLines(total, values.since),
        '',
        ...table([...SPOKE_HEADERS, 'TASKS', 'NOT FINISHED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELED', 'TOP ERROR'], bySpoke.map((s) => [
          s.account, s.region, s.tasks, s.inProgress, s.executions.succeeded, s.executions.failed, s.executions.skipped, s.executions.canceled,
          s.errorCodes[0] ? `${s.errorCodes[0].errorCode} (${s.errorCodes[0].count})` : undefined,
        ])),
      ];
      return report({ since: values.since, ...total, bySpoke }, lines, [...request.failures, ...failures], 'not counted above');
    }
    case 'executions': {
      const taskId = request.argument!;
      const { done, failures } = await across(async (iot) => {
        try {
          return await executionsOfTask(iot, taskId, { actionType: values['action-type'], status: values.status });
        } catch (error) {
          // A task id lives in one account and region: the other spokes simply do not have it.
          if (error instanceof CliError && error.code === 'TaskNotFound') { return undefined; }
          throw error;
        }
      });
      const found = done.flatMap((d) => (d.value === undefined ? [] : [{ ...d, value: d.value }]));
      const all = [...request.failures, ...failures];
      if (found.length === 0 && all.length === 0) {
        throw new CliError('TaskNotFound', `no audit or detect mitigation task ${taskId} in the ${spokes.length} spoke(s)`,
          'check the id: `cdk-device-defender tasks --since 30d` with the same spokes lists their tasks');
      }
      const rows = found.flatMap(({ account, region, value }) => value.map((row) => ({ account, region, ...row })));
      const lines = found.length === 0 ? [`no task ${taskId} in the ${done.length} spoke(s) read`] : executionLines(rows);
      return report({ executions: executionsJson(rows) }, lines, all, 'not searched');
    }
    default:
      throw new CliError('NotAFanOutCommand', `${command} does not run across spokes`);
  }
}

/** The failed spokes, each with its error and fix, after a blank line; nothing when none failed. */
function failureLines(failures: readonly SpokeFailure[], missing: string): string[] {
  if (failures.length === 0) { return []; }
  return [
    '',
    `${failures.length} spoke(s) failed (${missing}):`,
    ...failures.flatMap((f) => [`  ${f.account}${f.region ? ` ${f.region}` : ''}: ${f.code}: ${f.message}`, ...(f.fix ? [`    fix: ${f.fix}`] : [])]),
  ];
}
