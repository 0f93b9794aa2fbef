import { TaskRow } from './tasks';
import { ExecutionCounts, MAX_OUTCOME_ERROR_CODES } from '../contract/telemetry';

/** What the mitigation tasks of a time window did: executions by check, by action and by outcome. */
export interface Summary {
  /** Tasks started in the window, finished or not. */
  readonly tasks: number;
  /** Tasks by status (finished and in progress). */
  readonly tasksByStatus: Record<string, number>;
  /** Tasks not finished yet: listed here only, not counted below. */
  readonly inProgress: number;
  /** Every execution of the finished tasks. */
  readonly executions: ExecutionCounts;
  /** By action name (with its type; types joined by '|' when tasks disagree). */
  readonly byAction: Record<string, ExecutionCounts & { readonly actionType: string }>;
  /** By audit check: executions of its actions, and its findings (from the tasks' statistics). */
  readonly byCheck: Record<string, ExecutionCounts & { readonly findings: number; readonly findingsMitigated: number }>;
  /** The failed executions' error codes over every task, the most frequent first, at most MAX_OUTCOME_ERROR_CODES. */
  readonly errorCodes: Array<{ readonly errorCode: string; readonly count: number }>;
  /** Some task's outcome was truncated (see TaskOutcome.truncated), or more error codes than listed. */
  readonly truncated: boolean;
}

type Counts = { -readonly [K in keyof ExecutionCounts]: number };
const zero = (): Counts => ({ succeeded: 0, failed: 0, skipped: 0, canceled: 0 });
const add = (into: Counts, counts: ExecutionCounts) => {
  into.succeeded += counts.succeeded;
  into.failed += counts.failed;
  into.skipped += counts.skipped;
  into.canceled += counts.canceled;
};
const byName = <T>(record: Map<string, T>): Record<string, T> =>
  Object.fromEntries([...record.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Adds up the outcomes of the finished tasks among `rows`; the others are counted as in progress. */
export function summarize(rows: TaskRow[]): Summary {
  const tasksByStatus = new Map<string, number>();
  const executions = zero();
  const actions = new Map<string, { counts: Counts; types: Set<string> }>();
  const checks = new Map<string, Counts & { findings: number; findingsMitigated: number }>();
  const errors = new Map<string, number>();
  let inProgress = 0;
  let truncated = false;
  for (const row of rows) {
    tasksByStatus.set(row.status, (tasksByStatus.get(row.status) ?? 0) + 1);
    const outcome = row.outcome;
    if (!outcome) {
      inProgress += 1;
      continue;
    }
    truncated ||= outcome.truncated;
    add(executions, outcome.executions);
    for (const [name, { actionType, ...counts }] of Object.entries(outcome.byAction)) {
      const action = actions.get(name) ?? { counts: zero(), types: new Set<string>() };
      add(action.counts, counts);
      action.types.add(actionType);
      actions.set(name, action);
    }
    const checkNames = new Set([...Object.keys(outcome.byCheck ?? {}), ...Object.keys(outcome.findingsByCheck ?? {})]);
    for (const name of checkNames) {
      const check = checks.get(name) ?? { ...zero(), findings: 0, findingsMitigated: 0 };
      add(check, outcome.byCheck?.[name] ?? zero());
      check.findings += outcome.findingsByCheck?.[name]?.total ?? 0;
      check.findingsMitigated += outcome.findingsByCheck?.[name]?.succeeded ?? 0;
      checks.set(name, check);
    }
    for (const { errorCode, count } of outcome.errorCodes) { errors.set(errorCode, (errors.get(errorCode) ?? 0) + count); }
  }
  const errorCodes = [...errors.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([errorCode, count]) => ({ errorCode, count }));
  return {
    tasks: rows.length,
    tasksByStatus: byName(tasksByStatus),
    inProgress,
    executions,
    byAction: Object.fromEntries(Object.entries(byName(actions)).map(([name, { counts, types }]) => [name, { ...counts, actionType: [...types].sort().join('|') }])),
    byCheck: byName(checks),
    errorCodes: errorCodes.slice(0, MAX_OUTCOME_ERROR_CODES),
    truncated: truncated || errorCodes.length > MAX_OUTCOME_ERROR_CODES,
  };
}
