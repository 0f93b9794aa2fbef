import type { PlannedTask, Props } from '../../../src/handlers/audit-mitigation-task/audit-task-plan';
import {
  afterTaskStart, cancelVerdict, decideCancelled, decideRequest, decideStartFailure, response,
} from '../../../src/handlers/audit-mitigation-task/decide';
import { DeadlineExceededError } from '../../../src/handlers/shared/errors';

// The AuditMitigationTask handler's decisions besides the request's plan (audit-task-plan.test.ts),
// as pure functions: plain inputs, no emulator. test/handlers/audit-mitigation-task.test.ts runs the
// same cases through the handler against the emulator.

const PREFIX = 'dd0123456789';
const MAPPING = { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify', 'deactivate'] };
const PROPS: Props = { target: { auditTaskId: 'audit-1' }, auditCheckToActionsMapping: MAPPING, cancelOnDelete: true };
const task = (i: number, target: PlannedTask['target'] = { auditTaskId: 'audit-1' }): PlannedTask =>
  ({ taskId: `${PREFIX}-${i}`, clientRequestToken: 'token', target, auditCheckToActionsMapping: MAPPING });
const named = (name: string) => Object.assign(new Error('x'), { name });

describe('decideRequest', () => {
  test('Create, or an Update to other work: start the work', () => {
    expect(decideRequest({ kind: 'start', prefix: PREFIX, props: PROPS })).toEqual({ kind: 'start', prefix: PREFIX, props: PROPS });
  });

  test('an Update to the same work answers with the tasks that exist: same physical id, nothing started', () => {
    expect(decideRequest({ kind: 'unchanged', physicalResourceId: `${PREFIX}:3`, prefix: PREFIX, count: 3 })).toEqual({
      kind: 'answer',
      effects: [{ kind: 'log', level: 'INFO', event: 'unchanged', fields: { physicalResourceId: `${PREFIX}:3` } }],
      response: { PhysicalResourceId: `${PREFIX}:3`, Data: { TaskIds: `${PREFIX}-0,${PREFIX}-1,${PREFIX}-2`, TaskCount: '3' } },
    });
  });

  test('a Delete cancels with cancelOnDelete, leaves the tasks running without, and after a failed Create does nothing', () => {
    expect(decideRequest({ kind: 'cancel', physicalResourceId: `${PREFIX}:1`, taskIds: [`${PREFIX}-0`] })).toEqual({
      kind: 'cancel', taskIds: [`${PREFIX}-0`], response: { PhysicalResourceId: `${PREFIX}:1` },
    });
    expect(decideRequest({ kind: 'leave-running', physicalResourceId: `${PREFIX}:1`, taskIds: [`${PREFIX}-0`], reason: 'cancelOnDelete is false' })).toEqual({
      kind: 'answer',
      effects: [{ kind: 'log', level: 'INFO', event: 'tasks-left-running', fields: { taskIds: [`${PREFIX}-0`], reason: 'cancelOnDelete is false' } }],
      response: { PhysicalResourceId: `${PREFIX}:1` },
    });
    expect(decideRequest({ kind: 'nothing-to-delete', physicalResourceId: 'failed', reason: 'no tasks were started (a failed create)' })).toMatchObject({
      kind: 'answer', effects: [{ event: 'nothing-to-delete' }], response: { PhysicalResourceId: 'failed' },
    });
  });

  test('a work without tasks (a filter that matched nothing) answers with none', () => {
    expect(response(PREFIX, 0)).toEqual({ PhysicalResourceId: `${PREFIX}:0`, Data: { TaskIds: '', TaskCount: '0' } });
  });
});

describe('afterTaskStart', () => {
  test('a task started now: TasksStarted, its line, and a Task Started event naming the audit', () => {
    expect(afterTaskStart(task(0), 'started', 'Stack/Task')).toEqual({
      effects: [
        { kind: 'metrics', lines: [{ dimensions: { Mitigation: 'Stack/Task' }, dimensionSets: [['Mitigation']], values: { TasksStarted: 1 } }] },
        { kind: 'log', level: 'INFO', event: 'started', fields: { taskId: `${PREFIX}-0`, target: { auditTaskId: 'audit-1' }, auditCheckToActionsMapping: MAPPING } },
      ],
      event: {
        detailType: 'Mitigation Task Started',
        detail: { mitigation: 'Stack/Task', taskKind: 'audit', taskId: `${PREFIX}-0`, auditTaskId: 'audit-1', checks: MAPPING, alreadyStarted: false },
      },
    });
  });

  test('a task found (a repeated Create): counted nothing, its event says alreadyStarted; a findings target names no audit', () => {
    const found = afterTaskStart(task(1, { findingIds: ['f1'] }), 'already-exists', 'Stack/Task');
    expect(found.effects).toEqual([expect.objectContaining({ kind: 'log', event: 'already-exists' })]);
    expect(found.event.detail).toEqual({ mitigation: 'Stack/Task', taskKind: 'audit', taskId: `${PREFIX}-1`, checks: MAPPING, alreadyStarted: true });
  });
});

describe('a start that failed part-way', () => {
  test('with cancelOnDelete, cancels what this request started; without, cancels nothing', () => {
    const error = named('InternalFailureException');
    expect(decideStartFailure([`${PREFIX}-0`], error, true)).toEqual({
      effects: [{ kind: 'log', level: 'ERROR', event: 'start-failed', fields: { started: [`${PREFIX}-0`], error: 'InternalFailureException', message: 'x' } }],
      cancel: [`${PREFIX}-0`],
    });
    expect(decideStartFailure([`${PREFIX}-0`], error, false).cancel).toBeUndefined();
  });
});

describe('cancels', () => {
  test.each<[string, boolean, string]>([
    ['InvalidRequestException', true, 'not-cancelled'],
    ['ResourceNotFoundException', true, 'not-cancelled'],
    ['AccessDeniedException', false, 'cancel-failed'],
    ['ThrottlingException', false, 'cancel-failed'],
  ])('%s: cancelled %s (%s)', (name, cancelled, event) => {
    expect(cancelVerdict(named(name))).toEqual({ cancelled, event });
  });

  test('every task cancelled (or not running any more): done', () => {
    const run = { settled: [{ item: 'a', result: { cancelled: true } }, { item: 'b', result: { cancelled: true } }], unfinished: [], notStarted: [] };
    expect(decideCancelled(['a', 'b'], run, 5000)).toEqual([{ kind: 'log', level: 'INFO', event: 'cancel-done', fields: { taskCount: 2 } }]);
  });

  test('a refused cancel: the tasks left running are ONE permanent failure, whose error is the refusal', () => {
    const refused = named('AccessDeniedException');
    expect(decideCancelled(['a', 'b', 'c'], {
      settled: [{ item: 'a', result: { cancelled: false, error: refused } }, { item: 'b', result: { cancelled: true } }], unfinished: ['c'], notStarted: [],
    }, 9000)).toEqual([{
      kind: 'permanent-failure',
      failure: 'tasks-not-cancelled',
      error: refused,
      fields: {
        taskIds: ['a', 'c'],
        failed: ['a'],
        unfinished: ['c'],
        notStarted: [],
        remainingMs: 9000,
        reason: 'cancel each with `npx cdk-device-defender cancel <taskId>` (or CancelAuditMitigationActionsTask)',
      },
    }]);
  });

  test('time ran out before every cancel: the error is the deadline, named DeadlineExceeded', () => {
    const [effect] = decideCancelled(['a', 'b'], { settled: [], unfinished: ['a'], notStarted: ['b'] }, 9000);
    expect(effect).toMatchObject({ kind: 'permanent-failure', error: expect.any(DeadlineExceededError) });
    expect(effect.kind === 'permanent-failure' && effect.error).toMatchObject({
      name: 'DeadlineExceeded', message: '2 of 2 task(s) not cancelled before the function had to answer',
    });
  });
});
