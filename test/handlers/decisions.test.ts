import { planLookups, verifiedAlert } from '../../src/handlers/detect-mitigation/active-violations';
import { readDetectConfig } from '../../src/handlers/detect-mitigation/config';
import { afterStartFailure, DetectMitigationConfig, parseViolationAlert, reasonNotToVerify, reasonToIgnore } from '../../src/handlers/detect-mitigation/violation';
import { actionsMapping, AuditMitigationConfig, planAuditMitigation, reasonToIgnoreTrigger } from '../../src/handlers/shared/audit-plan';
import { AuditSummary, AuditTrigger, parseAuditNotification, summaryFromDescribe } from '../../src/handlers/shared/audit-summary';
import { ConfigError } from '../../src/handlers/shared/config';
import { isPermanent } from '../../src/handlers/shared/errors';
import { auditMitigationTaskId, clientRequestToken, detectMitigationTaskId } from '../../src/handlers/shared/ids';
import { MalformedMessageError } from '../../src/handlers/shared/message';
import { chunk } from '../../src/handlers/shared/targets';

// The handlers' decisions are pure functions: these tables pin them down without any I/O.

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
    expect(planAuditMitigation(audit(overrides), { ...CONFIG, ...config })).toEqual({ kind: 'ignore', auditTaskId: 'audit-1', reason });
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
      const plan = planAuditMitigation(audit(overrides), { ...CONFIG, maxAuditAgeHours }, NOW);
      if (reason === undefined) {
        expect(plan.kind).toBe('start');
      } else {
        expect(plan).toEqual({ kind: 'ignore', auditTaskId: 'audit-1', reason: expect.stringContaining(reason), tooOld: true });
      }
    });
  });

  test('on-demand audits when enabled, any scheduled audit when none is named', () => {
    expect(planAuditMitigation(audit({ taskType: 'ON_DEMAND_AUDIT_TASK' }), { ...CONFIG, includeOnDemandAudits: true }).kind).toBe('start');
    expect(planAuditMitigation(audit({ scheduledAuditName: 'weekly' }), { ...CONFIG, scheduledAudits: undefined }).kind).toBe('start');
  });

  test('sorts each check: planned, excluded by the blast radius, or skipped, and derives the task id and token', () => {
    const plan = planAuditMitigation(audit({
      checks: [
        { checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1, suppressedNonCompliantResourcesCount: 0 },
        // 14 non-compliant, 4 suppressed: 10 unsuppressed, exactly the limit
        { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 14, suppressedNonCompliantResourcesCount: 4 },
        { checkName: 'CONFLICTING_CLIENT_IDS_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 50, suppressedNonCompliantResourcesCount: 0 },
      ],
    }), CONFIG);
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
    }), CONFIG);
    expect(plan.kind).toBe('nothing-to-start');
    expect(plan.kind !== 'ignore' && plan[where as 'excluded' | 'skipped']).toEqual([expect.objectContaining({ checkName: 'LOGGING_DISABLED_CHECK' })]);
  });

  test('a non-compliant check whose count DescribeAuditTask did not give is left out, never mitigated blind', () => {
    const plan = planAuditMitigation(audit({
      checks: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', suppressedNonCompliantResourcesCount: 0 }],
    }), CONFIG);
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

  test('the blast radius compares unsuppressed non-compliant resources from DescribeAuditTask to the limit', () => {
    const describe = (nonCompliantResourcesCount: number, suppressedNonCompliantResourcesCount: number) => planAuditMitigation(summaryFromDescribe('audit-1', {
      $metadata: {},
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      auditDetails: { LOGGING_DISABLED_CHECK: { checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount, suppressedNonCompliantResourcesCount } },
    }), CONFIG).kind;
    expect(describe(5000, 0)).toBe('nothing-to-start');
    expect(describe(5000, 4990)).toBe('start');
    expect(describe(11, 0)).toBe('nothing-to-start');
    expect(describe(10, 0)).toBe('start');
  });
});

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

  test('chunk splits into pieces of at most the size, in order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 25)).toEqual([]);
  });
});

describe('violation alerts', () => {
  const DETECT: DetectMitigationConfig = { securityProfileName: 'p', actions: ['q'], dryRun: false, taskIdPrefix: 'dd0' };
  const alert = (o: Record<string, unknown> = {}) => parseViolationAlert(JSON.stringify({
    violationId: 'v-1', violationEventType: 'in-alarm', securityProfileName: 'p', thingName: 't', behavior: { name: 'MsgsSent' }, ...o,
  }));

  test.each<[string, Record<string, unknown>, Partial<DetectMitigationConfig>, string | undefined]>([
    ['an in-alarm violation of the profile', {}, {}, undefined],
    ['a cleared alarm', { violationEventType: 'alarm-cleared' }, {}, 'violation event alarm-cleared, not in-alarm'],
    ['another profile', { securityProfileName: 'other' }, {}, 'security profile other, not p'],
    ['a behaviour outside the filter', {}, { behaviors: ['AuthFailures'] }, 'behavior "MsgsSent" is not one of AuthFailures'],
    ['a behaviour inside the filter', {}, { behaviors: ['MsgsSent'] }, undefined],
  ])('%s', (_what, overrides, config, reason) => {
    expect(reasonToIgnore(alert(overrides), { ...DETECT, ...config })).toBe(reason);
  });

  test('malformed alerts name what is wrong', () => {
    expect(() => alert({ violationId: 'v_1' })).toThrow('malformed violation alert: violationId "v_1" is not a violation id');
    expect(() => alert({ securityProfileName: '' })).toThrow('malformed violation alert: securityProfileName must be a non-empty string, got ""');
    expect(() => alert({ thingName: '' })).toThrow('malformed violation alert: thingName must be a string of 1 to 128 characters');
    expect(() => alert({ thingName: 'x'.repeat(129) })).toThrow('malformed violation alert: thingName must be a string of 1 to 128 characters');
    expect(() => alert({ thingName: 7 })).toThrow('malformed violation alert: thingName must be a string of 1 to 128 characters');
  });

  test.each<[string, Record<string, unknown>, string | undefined]>([
    ['an in-alarm alert of the profile is verified', {}, undefined],
    ['whatever behaviour the message names', { behavior: { name: 'Other' } }, undefined],
    ['a cleared alarm is not', { violationEventType: 'alarm-cleared' }, 'violation event alarm-cleared, not in-alarm'],
    ['another profile\'s alert is not', { securityProfileName: 'other' }, 'security profile other, not p'],
  ])('reasonNotToVerify: %s', (_what, overrides, reason) => {
    expect(reasonNotToVerify(alert(overrides), { ...DETECT, behaviors: ['MsgsSent'] })).toBe(reason);
  });

  test('the verified alert takes its thing and behaviour from AWS IoT, not from the message', () => {
    const verified = verifiedAlert(alert({ thingName: 'claimed', behavior: { name: 'Claimed' } }), { violationId: 'v-1', thingName: 't-aws', behavior: { name: 'AwsBehavior' } });
    expect(verified).toEqual({ violationId: 'v-1', violationEventType: 'in-alarm', securityProfileName: 'p', thingName: 't-aws', behaviorName: 'AwsBehavior' });
    expect(reasonToIgnore(verified, { ...DETECT, behaviors: ['Claimed'] })).toBe('behavior "AwsBehavior" is not one of Claimed');
  });

  test.each<[string, Array<Record<string, unknown>>, unknown]>([
    ['nothing to verify', [], []],
    ['one lookup per thing, in the order the alerts name them, each id once', [
      { violationId: 'v-2', thingName: 'b' }, { violationId: 'v-1', thingName: 'a' }, { violationId: 'v-3', thingName: 'b' }, { violationId: 'v-2', thingName: 'b' },
    ], [{ thingName: 'b', violationIds: ['v-2', 'v-3'] }, { thingName: 'a', violationIds: ['v-1'] }]],
    ['an alert without a thing: one lookup of the whole profile', [
      { violationId: 'v-1', thingName: 'a' }, { violationId: 'v-2' },
    ], [{ violationIds: ['v-1', 'v-2'] }]],
  ])('planLookups: %s', (_what, alerts, lookups) => {
    expect(planLookups(alerts.map((o) => alert({ thingName: undefined, ...o })))).toEqual(lookups);
  });
});

describe('permanent or transient', () => {
  const named = (name: string) => Object.assign(new Error('x'), { name });
  test.each<[string, unknown, boolean]>([
    ['InvalidRequestException', named('InvalidRequestException'), true],
    ['AccessDeniedException', named('AccessDeniedException'), true],
    ['ResourceNotFoundException', named('ResourceNotFoundException'), true],
    ['a malformed message', new MalformedMessageError('alert', 'not JSON'), true],
    ['a configuration error', new ConfigError('environment variable X is not set'), true],
    ['ThrottlingException', named('ThrottlingException'), false],
    ['InternalFailureException', named('InternalFailureException'), false],
    ['a plain Error', new Error('socket hang up'), false],
    ['not an Error', 'InvalidRequestException', false],
  ])('%s', (_what, error, permanent) => {
    expect(isPermanent(error)).toBe(permanent);
  });

  test('a configuration that cannot be read is a ConfigError, which is permanent', () => {
    let error: unknown;
    try {
      readDetectConfig({ DETECT_MITIGATION_SECURITY_PROFILE: 'p', DETECT_MITIGATION_ACTIONS: '[', DETECT_MITIGATION_TASK_ID_PREFIX: 'dd0' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ConfigError', message: 'environment variable DETECT_MITIGATION_ACTIONS is not JSON: [' });
    expect(isPermanent(error)).toBe(true);
  });

  test.each<[boolean, number, string]>([
    [false, 25, 'retry-later'],
    [false, 1, 'retry-later'],
    [true, 25, 'split'],
    [true, 2, 'split'],
    [true, 1, 'give-up'],
  ])('a detect task that failed (permanent %s) for %d ids: %s', (permanent, count, step) => {
    expect(afterStartFailure(permanent, count)).toBe(step);
  });
});
