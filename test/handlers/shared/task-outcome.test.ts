import { MAX_OUTCOME_ERROR_CODES } from '../../../src/contract/telemetry';
import { aggregateOutcome, ExecutionRecord, isFinished, outcomeOf, TaskFacts } from '../../../src/handlers/shared/task-outcome';

const audit = (executions: ExecutionRecord[], extra: Partial<TaskFacts> = {}): TaskFacts => ({
  kind: 'audit',
  taskId: 'dd0123456789-a',
  status: 'FAILED',
  actionTypes: { deactivate: 'UPDATE_DEVICE_CERTIFICATE', quarantine: 'ADD_THINGS_TO_THING_GROUP' },
  checks: ['DEVICE_CERTIFICATE_EXPIRING_CHECK', 'LOGGING_DISABLED_CHECK'],
  statistics: {},
  executions,
  truncated: false,
  ...extra,
});
const exec = (actionName: string, status: string, extra: Partial<ExecutionRecord> = {}): ExecutionRecord =>
  ({ actionName, status, checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', ...extra });

describe('outcomeOf', () => {
  test.each([
    ['COMPLETED', 'succeeded'], ['SUCCESSFUL', 'succeeded'], ['FAILED', 'failed'], ['SKIPPED', 'skipped'], ['CANCELED', 'canceled'],
    ['IN_PROGRESS', undefined], ['PENDING', undefined],
  ])('%s counts as %s', (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });
});

describe('isFinished', () => {
  test.each([
    ['audit', 'COMPLETED', true], ['audit', 'FAILED', true], ['audit', 'CANCELED', true], ['audit', 'IN_PROGRESS', false],
    ['audit', 'SUCCESSFUL', false], ['detect', 'SUCCESSFUL', true], ['detect', 'FAILED', true], ['detect', 'CANCELED', true],
    ['detect', 'IN_PROGRESS', false], ['detect', undefined, false],
  ] as const)('%s task in %s: %s', (kind, status, finished) => {
    expect(isFinished(kind, status)).toBe(finished);
  });
});

describe('aggregateOutcome', () => {
  test('counts in all, per action (every action, even unused) and per check (every mapped check)', () => {
    const outcome = aggregateOutcome(audit([
      exec('deactivate', 'COMPLETED', { findingId: 'f1' }),
      exec('quarantine', 'COMPLETED', { findingId: 'f1' }),
      exec('deactivate', 'FAILED', { findingId: 'f2', errorCode: 'E1' }),
      exec('quarantine', 'SKIPPED', { findingId: 'f2' }),
      exec('deactivate', 'CANCELED', { findingId: 'f3', checkName: undefined }),
    ], { actionTypes: { deactivate: 'UPDATE_DEVICE_CERTIFICATE', quarantine: 'ADD_THINGS_TO_THING_GROUP', spare: 'ENABLE_IOT_LOGGING' } }));
    expect(outcome.executions).toEqual({ succeeded: 2, failed: 1, skipped: 1, canceled: 1 });
    expect(outcome.byAction).toEqual({
      deactivate: { succeeded: 1, failed: 1, skipped: 0, canceled: 1, actionType: 'UPDATE_DEVICE_CERTIFICATE' },
      quarantine: { succeeded: 1, failed: 0, skipped: 1, canceled: 0, actionType: 'ADD_THINGS_TO_THING_GROUP' },
      spare: { succeeded: 0, failed: 0, skipped: 0, canceled: 0, actionType: 'ENABLE_IOT_LOGGING' },
    });
    // The execution without a known check is counted in all and per action only.
    expect(outcome.byCheck).toEqual({
      DEVICE_CERTIFICATE_EXPIRING_CHECK: { succeeded: 2, failed: 1, skipped: 1, canceled: 0 },
      LOGGING_DISABLED_CHECK: { succeeded: 0, failed: 0, skipped: 0, canceled: 0 },
    });
    expect(outcome.truncated).toBe(false);
  });

  test('error codes: most frequent first, ties by code, each with its first execution as example', () => {
    const outcome = aggregateOutcome(audit([
      exec('deactivate', 'FAILED', { findingId: 'f1', errorCode: 'B', message: 'b1' }),
      exec('deactivate', 'FAILED', { findingId: 'f2', errorCode: 'C', message: 'c1' }),
      exec('quarantine', 'FAILED', { findingId: 'f3', errorCode: 'C', message: 'c2' }),
      exec('deactivate', 'FAILED', { findingId: 'f4', errorCode: 'A' }),
      exec('deactivate', 'FAILED', { findingId: 'f5' }),
    ]));
    expect(outcome.errorCodes).toEqual([
      { errorCode: 'C', count: 2, example: { actionName: 'deactivate', findingId: 'f2', message: 'c1' } },
      { errorCode: 'A', count: 1, example: { actionName: 'deactivate', findingId: 'f4' } },
      { errorCode: 'B', count: 1, example: { actionName: 'deactivate', findingId: 'f1', message: 'b1' } },
      { errorCode: 'UNKNOWN', count: 1, example: { actionName: 'deactivate', findingId: 'f5' } },
    ]);
  });

  test.each([
    ['at the cap', MAX_OUTCOME_ERROR_CODES, false, false],
    ['one code over the cap', MAX_OUTCOME_ERROR_CODES + 1, false, true],
    ['executions left unread', 1, true, true],
  ])('truncated %s', (_, codes, unread, truncated) => {
    const executions = Array.from({ length: codes }, (__, i) => exec('deactivate', 'FAILED', { errorCode: `E${String(i).padStart(2, '0')}` }));
    const outcome = aggregateOutcome(audit(executions, { truncated: unread }));
    expect(outcome.errorCodes).toHaveLength(Math.min(codes, MAX_OUTCOME_ERROR_CODES));
    expect(outcome.truncated).toBe(truncated);
  });

  test('findings per check come from the statistics; times as ISO strings; unfinished executions count nowhere', () => {
    const outcome = aggregateOutcome(audit([exec('deactivate', 'IN_PROGRESS')], {
      startTime: new Date('2026-01-01T00:00:00Z'),
      endTime: new Date('2026-01-01T00:05:00Z'),
      statistics: { LOGGING_DISABLED_CHECK: { totalFindingsCount: 4, succeededFindingsCount: 1, failedFindingsCount: 2, skippedFindingsCount: 1 } },
    }));
    expect(outcome.findingsByCheck).toEqual({ LOGGING_DISABLED_CHECK: { total: 4, succeeded: 1, failed: 2, skipped: 1, canceled: 0 } });
    expect(outcome.startTime).toBe('2026-01-01T00:00:00.000Z');
    expect(outcome.endTime).toBe('2026-01-01T00:05:00.000Z');
    expect(outcome.executions).toEqual({ succeeded: 0, failed: 0, skipped: 0, canceled: 0 });
  });

  test('a detect task has no checks: no byCheck, no findingsByCheck; errors name the violation', () => {
    const outcome = aggregateOutcome({
      kind: 'detect',
      taskId: 'dd0123456789-v',
      status: 'FAILED',
      actionTypes: { quarantine: 'ADD_THINGS_TO_THING_GROUP' },
      truncated: false,
      executions: [
        { actionName: 'quarantine', status: 'SUCCESSFUL', violationId: 'v1' },
        { actionName: 'quarantine', status: 'FAILED', violationId: 'v2', errorCode: 'ResourceNotFoundException' },
      ],
    });
    expect(outcome.byCheck).toBeUndefined();
    expect(outcome.findingsByCheck).toBeUndefined();
    expect(outcome.executions).toEqual({ succeeded: 1, failed: 1, skipped: 0, canceled: 0 });
    expect(outcome.errorCodes).toEqual([{ errorCode: 'ResourceNotFoundException', count: 1, example: { actionName: 'quarantine', violationId: 'v2' } }]);
  });
});
