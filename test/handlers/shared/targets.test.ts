import type { AuditMitigationActionsTaskTarget } from '@aws-sdk/client-iot';
import { isPermanent } from '../../../src/handlers/shared/errors';
import { canonicalWork, chunk, InvalidTargetError, TargetSpec, targetsFor, Work, workTaskIdPrefix } from '../../../src/handlers/shared/targets';

// What an AuditMitigationTask applies its actions to: the targets of its tasks and the digest its
// task ids derive from. Pure functions, no I/O.

const AUDIT = 'a1b2c3d4e5f6';
const MAPPING = { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify', 'deactivate'] };
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid';

describe('chunk', () => {
  test('chunk splits into pieces of at most the size, in order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 25)).toEqual([]);
  });
});

describe('targetsFor', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `finding-${from + i}`);

  test.each<[string, TargetSpec, string[] | undefined, AuditMitigationActionsTaskTarget[]]>([
    ['a whole audit: one target', { auditTaskId: 'audit-1' }, undefined, [{ auditTaskId: 'audit-1' }]],
    ['60 findings: targets of 25, 25 and 10, in order', { findingIds: ids(60) }, undefined,
      [{ findingIds: ids(25) }, { findingIds: ids(25, 25) }, { findingIds: ids(10, 50) }]],
    ['25 findings: one target', { findingIds: ids(25) }, undefined, [{ findingIds: ids(25) }]],
    ['a reason-code filter: the matched findings, by 25', { auditTaskId: 'audit-1', reasonCodeFilter: { X_CHECK: ['A'] } }, ids(26),
      [{ findingIds: ids(25) }, { findingIds: ids(1, 25) }]],
    ['a reason-code filter that matched nothing: no target', { auditTaskId: 'audit-1', reasonCodeFilter: { X_CHECK: ['A'] } }, [], []],
  ])('%s', (_what, spec, matched, expected) => {
    expect(targetsFor(spec, matched)).toEqual(expected);
  });

  test.each<[string, TargetSpec, string[] | undefined, string]>([
    ['a filter without auditTaskId', { reasonCodeFilter: { X_CHECK: ['A'] } }, [], 'invalid target: a reason-code filter needs auditTaskId'],
    ['empty findingIds', { findingIds: [] }, undefined, 'invalid target: findingIds is empty'],
    ['nothing', {}, undefined, 'invalid target: give auditTaskId, findingIds or a reason-code filter'],
    ['a filter whose findings were not looked up', { auditTaskId: 'audit-1', reasonCodeFilter: { X_CHECK: ['A'] } }, undefined,
      'targetsFor: a reason-code filter needs the finding ids it matched'],
  ])('refuses %s', (_what, spec, matched, message) => {
    expect(() => targetsFor(spec, matched)).toThrow(message);
  });
});

describe('an invalid target', () => {
  test('is a typed permanent error, InvalidTargetError, not an error disguised as AWS\'s InvalidRequestException', () => {
    let error: unknown;
    try {
      targetsFor({ findingIds: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidTargetError);
    expect(error).toMatchObject({ name: 'InvalidTargetError', message: 'invalid target: findingIds is empty' });
    expect(isPermanent(error)).toBe(true);
  });
});

describe('the work digest: task id prefixes', () => {
  const base: Work = {
    target: { auditTaskId: AUDIT, reasonCodeFilter: { X_CHECK: ['B', 'A'], Y_CHECK: ['C'] } },
    auditCheckToActionsMapping: { X_CHECK: ['notify', 'deactivate'], Y_CHECK: ['notify'] },
  };
  const prefix = (w: Work, stack = STACK_ID, logicalId = 'Task') => workTaskIdPrefix(stack, logicalId, w);

  test.each<[string, Work]>([
    ['keys in another order', {
      auditCheckToActionsMapping: { Y_CHECK: ['notify'], X_CHECK: ['notify', 'deactivate'] },
      target: { reasonCodeFilter: { Y_CHECK: ['C'], X_CHECK: ['B', 'A'] }, auditTaskId: AUDIT },
    }],
    ['reason codes in another order', { ...base, target: { auditTaskId: AUDIT, reasonCodeFilter: { X_CHECK: ['A', 'B'], Y_CHECK: ['C'] } } }],
    ['an undefined runId', { ...base, runId: undefined }],
  ])('same work, same prefix: %s', (_what, work) => {
    expect(prefix(work)).toBe(prefix(base));
  });

  test('finding ids are a set', () => {
    const w = (ids: string[]): Work => ({ target: { findingIds: ids }, auditCheckToActionsMapping: MAPPING });
    expect(canonicalWork(w(['b', 'a']))).toBe(canonicalWork(w(['a', 'b'])));
  });

  test.each<[string, string]>([
    ['actions in another order', prefix({ ...base, auditCheckToActionsMapping: { X_CHECK: ['deactivate', 'notify'], Y_CHECK: ['notify'] } })],
    ['another action', prefix({ ...base, auditCheckToActionsMapping: { X_CHECK: ['notify'], Y_CHECK: ['notify'] } })],
    ['another reason code', prefix({ ...base, target: { auditTaskId: AUDIT, reasonCodeFilter: { X_CHECK: ['A'], Y_CHECK: ['C'] } } })],
    ['the whole audit', prefix({ ...base, target: { auditTaskId: AUDIT } })],
    ['a runId', prefix({ ...base, runId: 'again' })],
    ['another stack', prefix(base, `${STACK_ID}2`)],
    ['another logical id', prefix(base, STACK_ID, 'Other')],
  ])('other work, other prefix: %s', (_what, other) => {
    expect(other).toMatch(/^dd[0-9a-f]{10}$/);
    expect(other).not.toBe(prefix(base));
  });
});
