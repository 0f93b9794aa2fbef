import { table } from './output';
import { Spoke, SPOKE_HEADERS, spokeCells } from './spoke-options';
import { Summary } from './summary';
import { TaskRow } from './tasks';
import { ExecutionCounts, OutcomeErrorCode } from '../contract/telemetry';

// How `tasks` and `summary` print outcomes: tables narrow enough for a terminal, the breakdowns
// as their own tables (--json has everything).

const COUNT_HEADERS = ['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELED'];
const countCells = (c: ExecutionCounts) => [c.succeeded, c.failed, c.skipped, c.canceled];
const MAX_MESSAGE = 60;
const indent = (lines: string[]) => lines.map((l) => (l ? `  ${l}` : l));

/** An ISO time to the minute (UTC): enough to tell tasks apart in a table. */
const minute = (iso: string | undefined) => (iso ? `${iso.slice(0, 16)}Z` : undefined);

const topError = (codes: OutcomeErrorCode[] | undefined) => (codes?.[0] ? `${codes[0].errorCode} (${codes[0].count})` : undefined);

/**
 * One row per task: status, executions by outcome, the most frequent error code; with `detail`,
 * then each finished task's executions per action and per check and its error codes.
 */
export function taskLines(rows: Array<TaskRow & Partial<Spoke>>, detail: boolean): string[] {
  const inSpokes = rows.some((r) => r.account !== undefined);
  const lines = table(
    [...(inSpokes ? SPOKE_HEADERS : []), 'KIND', 'TASK', 'STATUS', 'STARTED', ...COUNT_HEADERS, 'TOTAL', 'TOP ERROR'],
    rows.map((r) => [...(inSpokes ? spokeCells(r) : []), r.kind, r.taskId, r.status, minute(r.startTime), ...countCells(r),
      r.outcome?.truncated ? `${r.total}+` : r.total, topError(r.outcome?.errorCodes)]));
  if (rows.some((r) => r.outcome?.truncated)) {
    lines.push('+ not every execution was read (too many findings or executions, or error codes): `executions <taskId>` lists them all');
  }
  if (rows.some((r) => !r.outcome)) {
    lines.push('IN_PROGRESS: counts so far (an audit task\'s findings, not executions)');
  }
  if (!detail) { return lines; }
  for (const { kind, taskId, outcome, account, region } of rows) {
    if (!outcome) { continue; }
    lines.push('', `${kind} task ${taskId}${account !== undefined ? ` in ${account} ${region}` : ''} (${outcome.status})`, ...indent(breakdownLines(outcome.byAction, outcome.byCheck, outcome.findingsByCheck)));
    if (outcome.errorCodes.length > 0) {
      lines.push('', ...indent(table(['ERROR', 'COUNT', 'EXAMPLE'], outcome.errorCodes.map((e) => [e.errorCode, e.count, exampleOf(e.example)]))));
    }
  }
  return lines;
}

function exampleOf(example: OutcomeErrorCode['example']): string {
  const where = `${example.actionName} on ${example.findingId ?? example.violationId ?? '?'}`;
  const message = example.message && example.message.length > MAX_MESSAGE ? `${example.message.slice(0, MAX_MESSAGE - 3)}...` : example.message;
  return message ? `${where}: ${message}` : where;
}

type ByCheck = Record<string, ExecutionCounts> | undefined;
type FindingsByCheck = Record<string, { readonly total: number; readonly succeeded: number }> | undefined;

/** Executions per action (with its type), then per check (with the findings found and mitigated), as two tables. */
function breakdownLines(byAction: Record<string, ExecutionCounts & { readonly actionType: string }>, byCheck: ByCheck,
  findingsByCheck: FindingsByCheck): string[] {
  const lines = table(['ACTION', 'TYPE', ...COUNT_HEADERS], Object.entries(byAction).map(([name, c]) => [name, c.actionType, ...countCells(c)]));
  const checks = [...new Set([...Object.keys(byCheck ?? {}), ...Object.keys(findingsByCheck ?? {})])].sort();
  if (checks.length > 0) {
    const none = { succeeded: 0, failed: 0, skipped: 0, canceled: 0 };
    lines.push('', ...table(['CHECK', 'FINDINGS', 'MITIGATED', ...COUNT_HEADERS], checks.map((check) => [
      check, findingsByCheck?.[check]?.total, findingsByCheck?.[check]?.succeeded, ...countCells(byCheck?.[check] ?? none),
    ])));
  }
  return lines;
}

/** The summary: tasks by status, executions by outcome, then per check, per action and error codes. */
export function summaryLines(summary: Summary, since: string): string[] {
  const statuses = Object.entries(summary.tasksByStatus).map(([status, n]) => `${status} ${n}`).join(', ');
  const e = summary.executions;
  const lines = [
    `tasks started in the last ${since}: ${summary.tasks}${statuses ? ` (${statuses})` : ''}`
      + (summary.inProgress > 0 ? `; ${summary.inProgress} not finished, not counted below` : ''),
    `executions of finished tasks: ${e.succeeded} succeeded, ${e.failed} failed, ${e.skipped} skipped, ${e.canceled} canceled`
      + (summary.truncated ? ' (not every execution was read: see --json truncated)' : ''),
  ];
  const findings: FindingsByCheck = Object.fromEntries(Object.entries(summary.byCheck)
    .map(([check, c]) => [check, { total: c.findings, succeeded: c.findingsMitigated }]));
  if (Object.keys(summary.byAction).length > 0) { lines.push('', ...breakdownLines(summary.byAction, summary.byCheck, findings)); }
  if (summary.errorCodes.length > 0) { lines.push('', ...table(['ERROR', 'COUNT'], summary.errorCodes.map((c) => [c.errorCode, c.count]))); }
  return lines;
}
