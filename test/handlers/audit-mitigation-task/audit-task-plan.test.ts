import type { AuditMitigationActionsTaskTarget } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { planRequest, planTasks, Props, ResourcePlan, sameWork } from '../../../src/handlers/audit-mitigation-task/audit-task-plan';
import { clientRequestToken } from '../../../src/handlers/shared/ids';
import { workTaskIdPrefix } from '../../../src/handlers/shared/targets';

// The AuditMitigationTask custom resource's decisions are pure: these tables pin them down
// without any I/O (test/handlers/audit-mitigation-task.test.ts runs the handler against the emulator).

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid';
const MAPPING = { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify', 'deactivate'] };
const A = { AuditTaskId: 'a1b2c3d4e5f6' };
const B = { FindingIds: ['finding-1', 'finding-2'] };

const properties = (p: Record<string, unknown>, cancelOnDelete = 'false') =>
  ({ ServiceToken: 'token', AuditCheckToActionsMapping: MAPPING, CancelOnDelete: cancelOnDelete, ...p });

/** The work of `p` as the handler parses it. */
const work = (p: Record<string, unknown>): Props => ({
  target: { auditTaskId: p.AuditTaskId as string | undefined, findingIds: p.FindingIds as string[] | undefined, reasonCodeFilter: undefined },
  auditCheckToActionsMapping: MAPPING,
  cancelOnDelete: false,
  runId: p.RunId as string | undefined,
});
const prefixOf = (p: Record<string, unknown>) => workTaskIdPrefix(STACK_ID, 'Task', work(p));

function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: STACK_ID,
    RequestId: 'request-1',
    LogicalResourceId: 'Task',
    ResourceType: 'Custom::IotMitigationAuditTask',
    ResourceProperties: props,
    ...extra,
  } as CloudFormationCustomResourceEvent;
}

describe('planRequest', () => {
  test('Create: start the work under the prefix derived from the stack, the logical id and the work', () => {
    expect(planRequest(event('Create', properties(A)))).toEqual({
      kind: 'start', prefix: prefixOf(A), props: { ...work(A), cancelOnDelete: false },
    });
    expect(planRequest(event('Create', properties(A, 'true')))).toMatchObject({ kind: 'start', props: { cancelOnDelete: true } });
  });

  test.each<[string, Record<string, unknown>, () => string, Record<string, unknown> | undefined, (p: ResourcePlan) => void]>([
    ['same work, only cancelOnDelete changed', properties(A, 'true'), () => `${prefixOf(A)}:1`, properties(A),
      (p) => expect(p).toEqual({ kind: 'unchanged', physicalResourceId: `${prefixOf(A)}:1`, prefix: prefixOf(A), count: 1 })],
    ['rollback to work whose tasks exist (the physical id is that of the work rolled back from)', properties(A), () => `${prefixOf(B)}:1`, properties(B),
      (p) => expect(p).toMatchObject({ kind: 'start', prefix: prefixOf(A) })],
    ['another target', properties(B), () => `${prefixOf(A)}:1`, properties(A),
      (p) => expect(p).toMatchObject({ kind: 'start', prefix: prefixOf(B) })],
    ['a runId', properties({ ...A, RunId: 'again' }), () => `${prefixOf(A)}:1`, properties(A),
      (p) => expect(p).toMatchObject({ kind: 'start', prefix: prefixOf({ ...A, RunId: 'again' }) })],
    ['a physical id of before work-derived ids, with old properties of the same work', properties(A), () => 'dd0123456789:2', properties(A),
      (p) => expect(p).toEqual({ kind: 'unchanged', physicalResourceId: 'dd0123456789:2', prefix: 'dd0123456789', count: 2 })],
    ['old properties that no longer parse', properties(A), () => 'dd0123456789:2', { AuditTaskId: 'not valid!' },
      (p) => expect(p).toMatchObject({ kind: 'start', prefix: prefixOf(A) })],
    ['a physical id the handler never issued', properties(A), () => 'request-failed-create', properties(A),
      (p) => expect(p).toMatchObject({ kind: 'start', prefix: prefixOf(A) })],
  ])('Update, %s', (_what, props, physicalId, oldProps, check) => {
    check(planRequest(event('Update', props, { PhysicalResourceId: physicalId(), OldResourceProperties: oldProps })));
  });

  test('Create and Update with invalid properties throw, naming the property', () => {
    expect(() => planRequest(event('Create', properties({})))).toThrow(
      'AuditMitigationTask Task: invalid property AuditTaskId undefined: one of AuditTaskId and FindingIds is required');
    expect(() => planRequest(event('Update', properties({ ...A, CancelOnDelete: 'yes' }), { PhysicalResourceId: 'dd0123456789:1', OldResourceProperties: {} })))
      .toThrow('AuditMitigationTask Task: invalid property CancelOnDelete "yes": must be "true" or "false"');
  });

  test.each<[string, string, Record<string, unknown> | undefined, ResourcePlan]>([
    ['cancelOnDelete: cancel every task of the physical id', 'dd0123456789:3', properties(A, 'true'),
      { kind: 'cancel', physicalResourceId: 'dd0123456789:3', taskIds: ['dd0123456789-0', 'dd0123456789-1', 'dd0123456789-2'] }],
    ['no cancelOnDelete: leave them running', 'dd0123456789:2', properties(A),
      { kind: 'leave-running', physicalResourceId: 'dd0123456789:2', taskIds: ['dd0123456789-0', 'dd0123456789-1'], reason: 'cancelOnDelete is false' }],
    ['properties that no longer parse still say cancelOnDelete', 'dd0123456789:1', { CancelOnDelete: 'true', AuditTaskId: 'not valid!' },
      { kind: 'cancel', physicalResourceId: 'dd0123456789:1', taskIds: ['dd0123456789-0'] }],
    ['no properties at all: leave running', 'dd0123456789:1', undefined,
      { kind: 'leave-running', physicalResourceId: 'dd0123456789:1', taskIds: ['dd0123456789-0'], reason: 'cancelOnDelete is false' }],
    ['zero tasks: nothing to cancel', 'dd0123456789:0', properties(A, 'true'),
      { kind: 'cancel', physicalResourceId: 'dd0123456789:0', taskIds: [] }],
    ['after a failed Create (a physical id the handler never issued)', 'request-failed-create', properties(A, 'true'),
      { kind: 'nothing-to-delete', physicalResourceId: 'request-failed-create', reason: 'no tasks were started (a failed create)' }],
  ])('Delete, %s', (_what, physicalId, props, expected) => {
    expect(planRequest(event('Delete', props as Record<string, unknown>, { PhysicalResourceId: physicalId }))).toEqual(expected);
  });
});

describe('sameWork', () => {
  test.each<[string, Record<string, unknown> | undefined, boolean]>([
    ['the same properties', properties(A), true],
    ['only cancelOnDelete differs', properties(A, 'true'), true],
    ['another target', properties(B), false],
    ['another runId', properties({ ...A, RunId: 'x' }), false],
    ['invalid old properties', { AuditTaskId: 'not valid!' }, false],
    ['no old properties', undefined, false],
  ])('%s', (_what, oldProps, expected) => {
    expect(sameWork(oldProps, work(A), 'Task')).toBe(expected);
  });
});

describe('planTasks', () => {
  const target = (i: number): AuditMitigationActionsTaskTarget => ({ findingIds: [`finding-${i}`] });

  test.each<[number, string[]]>([
    [0, []],
    [1, ['dd0123456789-0']],
    [3, ['dd0123456789-0', 'dd0123456789-1', 'dd0123456789-2']],
  ])('%i targets: task i is <prefix>-i, with the token of its id and the mapping', (count, taskIds) => {
    const targets = Array.from({ length: count }, (_, i) => target(i));
    expect(planTasks('dd0123456789', targets, MAPPING)).toEqual({
      kind: 'start',
      tasks: taskIds.map((taskId, i) => ({
        taskId, clientRequestToken: clientRequestToken(taskId), target: targets[i], auditCheckToActionsMapping: MAPPING,
      })),
    });
  });

  test.each<[number, string]>([
    [160, 'start'],
    [161, 'refuse'],
  ])('%i targets: %s', (count, kind) => {
    const plan = planTasks('dd0123456789', Array.from({ length: count }, (_, i) => target(i)), MAPPING);
    expect(plan.kind).toBe(kind);
    if (plan.kind === 'refuse') {
      expect(plan.reason).toBe('161 tasks would be needed (4000 findings at most per AuditMitigationTask); '
        + 'split the findings over several AuditMitigationTask resources. No task was started.');
    }
  });
});
