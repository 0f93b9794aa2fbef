import { parseAuditNotification, summaryFromDescribe } from '../../../src/handlers/shared/audit-summary';

// What the audit mitigation logic reads about an audit: the notification (a trigger only) and
// DescribeAuditTask's answer. Pure functions, no I/O.

describe('parseAuditNotification', () => {
  test('takes only the trigger (audit id, account, scheduled audit name); counts and statuses are not read', () => {
    expect(parseAuditNotification(JSON.stringify({
      accountId: '123456789012',
      taskId: 'audit-1',
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      somethingNew: true,
      auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 2, extra: 1 }],
    }))).toEqual({ taskId: 'audit-1', accountId: '123456789012', scheduledAuditName: 'daily' });
  });

  test.each([
    ['renamed count fields', { auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantCount: 2 }] }],
    ['negative counts', { auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: -1 }] }],
    ['auditDetails that is not a list', { auditDetails: {} }],
    ['no status and no type', {}],
  ])('%s do not matter: it is a trigger', (_what, fields) => {
    expect(parseAuditNotification(JSON.stringify({ taskId: 'audit-1', ...fields }))).toEqual({ taskId: 'audit-1' });
  });

  test.each([
    ['{', 'not JSON'],
    ['null', 'not a JSON object'],
    ['{"accountId":"1","taskStatus":"COMPLETED"}', 'missing taskId'],
    ['{"taskId":7}', 'taskId must be a string, got 7'],
    ['{"accountId":"1","taskId":"a_b","taskStatus":"COMPLETED","taskType":"X"}', 'taskId "a_b" is not an audit task id'],
    ['{"accountId":1,"taskId":"a"}', 'accountId must be a string, got 1'],
  ])('%s is malformed: %s', (message, reason) => {
    expect(() => parseAuditNotification(message)).toThrow(`malformed audit notification: ${reason}`);
  });
});

describe('summaryFromDescribe', () => {
  test('reads status, type, name and each check\'s AuditCheckDetails; a missing count stays unknown, a missing suppressed count is 0', () => {
    expect(summaryFromDescribe('audit-1', {
      $metadata: {},
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      auditDetails: {
        LOGGING_DISABLED_CHECK: { checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 5000, suppressedNonCompliantResourcesCount: 10, totalResourcesCount: 6000 },
        DEVICE_CERTIFICATE_SHARED_CHECK: { checkRunStatus: 'COMPLETED_NON_COMPLIANT' },
        CA_CERTIFICATE_EXPIRING_CHECK: {},
      },
    })).toEqual({
      taskId: 'audit-1',
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      checks: [
        { checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 5000, suppressedNonCompliantResourcesCount: 10 },
        { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: undefined, suppressedNonCompliantResourcesCount: 0 },
        { checkName: 'CA_CERTIFICATE_EXPIRING_CHECK', checkRunStatus: 'UNKNOWN', nonCompliantResourcesCount: undefined, suppressedNonCompliantResourcesCount: 0 },
      ],
    });
  });

});
