import { summarize } from '../../src/cli/summary';
import { TaskRow } from '../../src/cli/tasks';
import { TaskOutcome } from '../../src/handlers/shared/task-outcome';

const counts = (succeeded: number, failed = 0, skipped = 0, canceled = 0) => ({ succeeded, failed, skipped, canceled });

function finished(taskId: string, outcome: Partial<TaskOutcome>): TaskRow {
  const full: TaskOutcome = {
    taskKind: 'audit', taskId, status: 'COMPLETED', executions: counts(0), byAction: {}, errorCodes: [], truncated: false, ...outcome,
  };
  return { kind: full.taskKind, taskId, status: full.status, ...full.executions, total: 0, outcome: full };
}

const running = (taskId: string): TaskRow => ({ kind: 'detect', taskId, status: 'IN_PROGRESS', ...counts(7), total: 7 });

const error = (errorCode: string, count: number) => ({ errorCode, count, example: { actionName: 'a' } });

describe('summarize', () => {
  test('no task: zeros, nothing by check or action', () => {
    expect(summarize([])).toEqual({
      tasks: 0, tasksByStatus: {}, inProgress: 0, executions: counts(0), byAction: {}, byCheck: {}, errorCodes: [], truncated: false,
    });
  });

  test('a task in progress is counted by status only, never in the outcomes', () => {
    const summary = summarize([running('d-1'), finished('a-1', { executions: counts(1), byAction: { n: { ...counts(1), actionType: 'PUBLISH_FINDING_TO_SNS' } } })]);
    expect(summary).toMatchObject({ tasks: 2, inProgress: 1, tasksByStatus: { COMPLETED: 1, IN_PROGRESS: 1 }, executions: counts(1) });
    expect(summary.byAction).toEqual({ n: { ...counts(1), actionType: 'PUBLISH_FINDING_TO_SNS' } });
  });

  test('adds per check (executions and findings), per action, and error codes across tasks, the most frequent first (ties by code)', () => {
    const summary = summarize([
      finished('a-1', {
        status: 'FAILED',
        executions: counts(1, 3),
        byAction: { n: { ...counts(1, 2), actionType: 'PUBLISH_FINDING_TO_SNS' }, d: { ...counts(0, 1), actionType: 'UPDATE_DEVICE_CERTIFICATE' } },
        byCheck: { C1: counts(1, 3) },
        findingsByCheck: { C1: { total: 4, ...counts(1, 3) } },
        errorCodes: [error('Throttled', 2), error('Denied', 1)],
      }),
      finished('a-2', {
        executions: counts(2, 1),
        byAction: { n: { ...counts(2, 1), actionType: 'PUBLISH_FINDING_TO_SNS' } },
        byCheck: { C1: counts(1), C2: counts(1, 1) },
        findingsByCheck: { C1: { total: 1, ...counts(1) }, C2: { total: 2, ...counts(1, 1) } },
        errorCodes: [error('Denied', 1)],
      }),
    ]);
    expect(summary.executions).toEqual(counts(3, 4));
    expect(summary.byAction).toEqual({
      d: { ...counts(0, 1), actionType: 'UPDATE_DEVICE_CERTIFICATE' },
      n: { ...counts(3, 3), actionType: 'PUBLISH_FINDING_TO_SNS' },
    });
    expect(summary.byCheck).toEqual({
      C1: { ...counts(2, 3), findings: 5, findingsMitigated: 2 },
      C2: { ...counts(1, 1), findings: 2, findingsMitigated: 1 },
    });
    expect(summary.errorCodes).toEqual([{ errorCode: 'Denied', count: 2 }, { errorCode: 'Throttled', count: 2 }]);
  });

  test('an action name whose type differs between tasks shows both types', () => {
    const summary = summarize([
      finished('a-1', { byAction: { x: { ...counts(1), actionType: 'UPDATE_DEVICE_CERTIFICATE' } } }),
      finished('a-2', { byAction: { x: { ...counts(1), actionType: 'PUBLISH_FINDING_TO_SNS' } } }),
    ]);
    expect(summary.byAction.x).toEqual({ ...counts(2), actionType: 'PUBLISH_FINDING_TO_SNS|UPDATE_DEVICE_CERTIFICATE' });
  });

  test.each([
    ['a truncated outcome', [finished('a-1', { truncated: true })], true],
    ['more than 10 distinct error codes over all tasks', Array.from({ length: 11 }, (_, i) => finished(`a-${i}`, { errorCodes: [error(`E${i}`, 1)] })), true],
    ['10 distinct error codes', Array.from({ length: 10 }, (_, i) => finished(`a-${i}`, { errorCodes: [error(`E${i}`, 1)] })), false],
  ])('truncated or not: %s', (_, rows, truncated) => {
    const summary = summarize(rows);
    expect(summary.truncated).toBe(truncated);
    expect(summary.errorCodes.length).toBeLessThanOrEqual(10);
  });
});
