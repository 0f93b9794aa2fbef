import { actionsMapping, AuditMitigationConfig, planAuditMitigation, reasonToIgnoreTrigger } from '../../../src/handlers/shared/audit-plan';
import { AuditSummary, AuditTrigger, summaryFromDescribe } from '../../../src/handlers/shared/audit-summary';
import { clientRequestToken } from '../../../src/handlers/shared/ids';

// The audit planner is a pure function: these tables pin it down without any I/O.

/** The planner's clock: the age bound's tests set their own. */
const PLANNED_AT = new Date('2026-12-07T12:00:00Z');

const CONFIG: AuditMitigationConfig = {
  accountId: '123456789012',
  rules: { LOGGING_DISABLED_CHECK: ['logging'], DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate'] },
  scheduledAudits: ['daily'],
  includeOnDemandAudits: false,
  dryRun: false,
  maxFindingsPerCheck: 10,
  taskIdPrefix: 'dd0123456789',
};

function audit(overrides: Partial<AuditSummary> = {}): AuditSummary {
  return {
    taskId: 'audit-1',
    taskStatus: 'COMPLETED',
    taskType: 'SCHEDULED_AUDIT_TASK',
    scheduledAuditName: 'daily',
    checks: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1, suppressedNonCompliantResourcesCount: 0 }],
    ...overrides,
  };
}

describe('planAuditMitigation', () => {
  test.each<[string, Partial<AuditSummary>, Partial<AuditMitigationConfig>, string]>([
    ['an audit in progress', { taskStatus: 'IN_PROGRESS' }, {}, 'audit status is IN_PROGRESS (DescribeAuditTask), not COMPLETED'],
    ['a failed audit', { taskStatus: 'FAILED' }, {}, 'audit status is FAILED (DescribeAuditTask), not COMPLETED'],
    ['an on-demand audit', { taskType: 'ON_DEMAND_AUDIT_TASK' }, {}, 'on-demand audit, and includeOnDemandAudits is false'],
    ['another scheduled audit', { scheduledAuditName: 'weekly' }, {}, 'scheduled audit "weekly" is not one of daily'],
    ['a scheduled audit without a name', { scheduledAuditName: undefined }, {}, 'scheduled audit null is not one of daily'],
    ['an unknown audit type', { taskType: 'SOMETHING_NEW' }, {}, 'unknown audit type SOMETHING_NEW'],
  ])('ignores %s', (_what, overrides, config, reason) => {
    expect(planAuditMitigation(audit(overrides), { ...CONFIG, ...config }, PLANNED_AT)).toEqual({ kind: 'ignore', auditTaskId: 'audit-1', reason });
  });

  describe('the age bound (maxAuditAgeHours, the reconciler\'s lookback)', () => {
    const NOW = new Date('2026-12-07T12:00:00Z');
    const started = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000);
    test.each<[string, Partial<AuditSummary>, number | undefined, string | undefined]>([
      ['no bound: any age', { taskStartTime: started(80 * 24) }, undefined, undefined],
      ['within the bound', { taskStartTime: started(23.9) }, 24, undefined],
      ['exactly at the bound', { taskStartTime: started(24) }, 24, undefined],
      ['beyond the bound', { taskStartTime: started(25) }, 24,
        'too-old: audit started 2026-12-06T11:00:00.000Z, 25 h ago: older than reconcileLookback (24 h), so it is not mitigated'],
      ['no start time from DescribeAuditTask', { taskStartTime: undefined }, 24,
        'too-old: DescribeAuditTask gave no taskStartTime, so the audit\'s age cannot be checked against 24 h (reconcileLookback)'],
    ])('%s', (_what, overrides, maxAuditAgeHours, reason) => {
      const plan = planAuditMitigation(audit(overrides), { ...CONFIG, maxAuditAgeHours }, PLANNED_AT);
      if (reason === undefined) {
        expect(plan.kind).toBe('start');
      } else {
        expect(plan).toEqual({ kind: 'ignore', auditTaskId: 'audit-1', reason: expect.stringContaining(reason), tooOld: true });
      }
    });
  });

  test('on-demand audits when enabled, any scheduled audit when none is named', () => {
    expect(planAuditMitigation(audit({ taskType: 'ON_DEMAND_AUDIT_TASK' }), { ...CONFIG, includeOnDemandAudits: true }, PLANNED_AT).kind).toBe('start');
    expect(planAuditMitigation(audit({ scheduledAuditName: 'weekly' }), { ...CONFIG, scheduledAudits: undefined }, PLANNED_AT).kind).toBe('start');
  });

  test('sorts each check: planned, excluded by the blast radius, or skipped, and derives the task id and token', () => {
    const plan = planAuditMitigation(audit({
      checks: [
        { checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1, suppressedNonCompliantResourcesCount: 0 },
        // 14 non-compliant, 4 suppressed: 10 unsuppressed, exactly the limit
        { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 14, suppressedNonCompliantResourcesCount: 4 },
        { checkName: 'CONFLICTING_CLIENT_IDS_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 50, suppressedNonCompliantResourcesCount: 0 },
      ],
    }), CONFIG, PLANNED_AT);
    expect(plan).toEqual({
      kind: 'start',
      auditTaskId: 'audit-1',
      scheduledAuditName: 'daily',
      taskId: 'dd0123456789-audit-1',
      clientRequestToken: clientRequestToken('dd0123456789-audit-1'),
      checks: [
        { checkName: 'LOGGING_DISABLED_CHECK', actions: ['logging'], resourceCount: 1 },
        { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', actions: ['notify', 'deactivate'], resourceCount: 10 },
      ],
      excluded: [],
      skipped: [],
    });
    expect(actionsMapping(plan.kind === 'start' ? plan.checks : [])).toEqual({
      LOGGING_DISABLED_CHECK: ['logging'], DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate'],
    });
  });

  test.each<[string, number, number, string, string]>([
    ['one over the limit', 11, 0, 'COMPLETED_NON_COMPLIANT', 'excluded'],
    ['all suppressed', 3, 3, 'COMPLETED_NON_COMPLIANT', 'skipped'],
    ['a failed check run', 0, 0, 'FAILED', 'skipped'],
    ['a compliant check', 0, 0, 'COMPLETED_COMPLIANT', 'skipped'],
  ])('%s: nothing to start, the check is %s', (_what, nonCompliant, suppressed, status, where) => {
    const plan = planAuditMitigation(audit({
      checks: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: status, nonCompliantResourcesCount: nonCompliant, suppressedNonCompliantResourcesCount: suppressed }],
    }), CONFIG, PLANNED_AT);
    expect(plan.kind).toBe('nothing-to-start');
    expect(plan.kind !== 'ignore' && plan[where as 'excluded' | 'skipped']).toEqual([expect.objectContaining({ checkName: 'LOGGING_DISABLED_CHECK' })]);
  });

  test('a non-compliant check whose count DescribeAuditTask did not give is left out, never mitigated blind', () => {
    const plan = planAuditMitigation(audit({
      checks: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', suppressedNonCompliantResourcesCount: 0 }],
    }), CONFIG, PLANNED_AT);
    expect(plan).toMatchObject({
      kind: 'nothing-to-start',
      excluded: [{ checkName: 'LOGGING_DISABLED_CHECK', reason: expect.stringMatching(/no nonCompliantResourcesCount/) }],
    });
  });
});

describe('reasonToIgnoreTrigger', () => {
  test.each<[string, AuditTrigger, Partial<AuditMitigationConfig>, string | undefined]>([
    ['another account', { taskId: 'a', accountId: '000000000000' }, {}, 'audit of account 000000000000, not 123456789012'],
    ['another scheduled audit', { taskId: 'a', scheduledAuditName: 'weekly' }, {}, 'scheduled audit "weekly" is not one of daily'],
    ['this account and audit', { taskId: 'a', accountId: '123456789012', scheduledAuditName: 'daily' }, {}, undefined],
    ['no account and no name (only a trigger: ask DescribeAuditTask)', { taskId: 'a' }, {}, undefined],
    ['any scheduled audit when none is named', { taskId: 'a', scheduledAuditName: 'weekly' }, { scheduledAudits: undefined }, undefined],
  ])('%s', (_what, trigger, config, reason) => {
    expect(reasonToIgnoreTrigger(trigger, { ...CONFIG, ...config })).toBe(reason);
  });
});

describe('the blast radius', () => {
  test('the blast radius compares unsuppressed non-compliant resources from DescribeAuditTask to the limit', () => {
    const describe = (nonCompliantResourcesCount: number, suppressedNonCompliantResourcesCount: number) => planAuditMitigation(summaryFromDescribe('audit-1', {
      $metadata: {},
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      auditDetails: { LOGGING_DISABLED_CHECK: { checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount, suppressedNonCompliantResourcesCount } },
    }), CONFIG, PLANNED_AT).kind;
    expect(describe(5000, 0)).toBe('nothing-to-start');
    expect(describe(5000, 4990)).toBe('start');
    expect(describe(11, 0)).toBe('nothing-to-start');
    expect(describe(10, 0)).toBe('start');
  });
});
