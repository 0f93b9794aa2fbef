import { auditMitigationTaskId, clientRequestToken, detectMitigationTaskId, parsePhysicalId, physicalIdOf, taskIdsOf } from '../../../src/handlers/shared/ids';

describe('ids', () => {
  test('audit task ids and tokens fit the API patterns, for the longest audit id', () => {
    const taskId = auditMitigationTaskId('dd0123456789', 'a'.repeat(40));
    expect(taskId).toMatch(/^[a-zA-Z0-9_-]{1,128}$/);
    expect(clientRequestToken(taskId)).toMatch(/^[a-zA-Z0-9_-]{64}$/);
    expect(clientRequestToken(taskId)).toBe(clientRequestToken(taskId));
    expect(clientRequestToken(taskId)).not.toBe(clientRequestToken(`${taskId}x`));
  });

  test('a prefix that would break the pattern is refused', () => {
    expect(() => auditMitigationTaskId('bad prefix', 'audit-1')).toThrow(/cannot derive a task id/);
  });

  test('detect task ids do not depend on the order of the violations', () => {
    expect(detectMitigationTaskId('dd0', ['b', 'a'])).toBe(detectMitigationTaskId('dd0', ['a', 'b']));
    expect(detectMitigationTaskId('dd0', ['a', 'b'])).not.toBe(detectMitigationTaskId('dd0', ['a', 'c']));
    expect(detectMitigationTaskId('dd0', ['a'])).toMatch(/^dd0-[0-9a-f]{24}$/);
  });

});

describe('an AuditMitigationTask\'s physical id: <prefix>:<count>', () => {
  test.each<[string, { prefix: string; count: number } | undefined]>([
    ['dd0123456789:3', { prefix: 'dd0123456789', count: 3 }],
    ['dd0123456789:0', { prefix: 'dd0123456789', count: 0 }],
    ['dd0123456789:160', { prefix: 'dd0123456789', count: 160 }],
    ['dd0123456789:161', undefined],
    ['dd0123456789', undefined],
    ['request-failed-create', undefined],
  ])('parsePhysicalId(%s)', (id, expected) => {
    expect(parsePhysicalId(id)).toEqual(expected);
  });

  test('names the tasks <prefix>-0 ... <prefix>-<count-1>', () => {
    expect(physicalIdOf('dd0123456789', 2)).toBe('dd0123456789:2');
    expect(taskIdsOf('dd0123456789', 2)).toEqual(['dd0123456789-0', 'dd0123456789-1']);
  });
});
