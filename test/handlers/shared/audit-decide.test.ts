import {
  AuditEngineConfig, AuditFacts, AuditStep, decideAudit, decideNotification, decideUnknownEvent, parseInvocation, reconcileWindow,
} from '../../../src/handlers/shared/audit-decide';
import type { AuditSummary, CheckSummary } from '../../../src/handlers/shared/audit-summary';
import { Effect } from '../../../src/handlers/shared/effects';
import { classified } from '../../../src/handlers/shared/errors';
import { clientRequestToken } from '../../../src/handlers/shared/ids';
import { MalformedMessageError } from '../../../src/handlers/shared/message';

// The audit mitigation decisions (AuditMitigation's handler and the organization hub's) as pure
// functions: plain inputs (the configuration, what AWS IoT answered, now), no emulator.
// test/handlers/audit-mitigation.test.ts runs the same cases through the handler against the emulators.

const ACCOUNT = '123456789012';
const AUDIT = '4e2bcd1ccbc2a5dd15292a82ab80c380';
const PREFIX = 'dd0123456789';
const TASK_ID = `${PREFIX}-${AUDIT}`;
const MITIGATION = 'Stack/Audit';
const NOW = new Date('2026-12-07T12:00:00Z');

const CONFIG: AuditEngineConfig = {
  accountId: ACCOUNT,
  rules: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'], LOGGING_DISABLED_CHECK: ['logging'] },
  scheduledAudits: ['daily'],
  includeOnDemandAudits: false,
  dryRun: false,
  maxFindingsPerCheck: 100,
  taskIdPrefix: PREFIX,
  reconcileLookbackHours: 24,
  maxAuditAgeHours: 24,
  mitigation: MITIGATION,
};

const check = (checkName: string, nonCompliantResourcesCount: number, checkRunStatus = 'COMPLETED_NON_COMPLIANT'): CheckSummary =>
  ({ checkName, checkRunStatus, nonCompliantResourcesCount, suppressedNonCompliantResourcesCount: 0 });

function audit(overrides: Partial<AuditSummary> = {}): AuditSummary {
  return {
    taskId: AUDIT,
    taskStatus: 'COMPLETED',
    taskType: 'SCHEDULED_AUDIT_TASK',
    scheduledAuditName: 'daily',
    taskStartTime: new Date(NOW.getTime() - 60_000),
    checks: [check('DEVICE_CERTIFICATE_SHARED_CHECK', 2), check('LOGGING_DISABLED_CHECK', 1), check('CONFLICTING_CLIENT_IDS_CHECK', 3)],
    ...overrides,
  };
}

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
const notification = (facts: Partial<AuditFacts> = {}): AuditFacts => ({ trigger: 'notification', auditTaskId: AUDIT, ...facts });
const reconciler = (facts: Partial<AuditFacts> = {}): AuditFacts => ({ trigger: 'reconciler', auditTaskId: AUDIT, ...facts });
const decide = (facts: AuditFacts, config: Partial<AuditEngineConfig> = {}): AuditStep => decideAudit(facts, { ...CONFIG, ...config }, NOW);

/** The effects of a decision that is done (fails the test otherwise). */
function effectsOf(step: AuditStep): Effect[] {
  if (step.kind !== 'done' && step.kind !== 'retry') { throw new Error(`expected a decision, got ${step.kind}`); }
  return step.effects;
}

/** The metric lines of `effects`, as metric name -> dimensions -> value. */
function metrics(effects: Effect[]): Array<[string, Record<string, string>, number]> {
  return effects.flatMap((e) => (e.kind === 'metrics' ? e.lines : [])).flatMap((line) =>
    Object.entries(line.values).map(([name, value]): [string, Record<string, string>, number] => [name, line.dimensions, value!]));
}

const kinds = (effects: Effect[]) => effects.map((e) => (e.kind === 'log' || e.kind === 'report' ? `${e.kind}:${e.event}` : e.kind === 'metrics' ? 'metrics'
  : `permanent-failure:${e.failure}`));

describe('parseInvocation', () => {
  test('SNS records, the schedule, or neither', () => {
    expect(parseInvocation({ Records: [{ Sns: { Message: 'a' } }, { Sns: {} }] })).toEqual({ kind: 'notifications', messages: ['a', ''] });
    expect(parseInvocation({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' })).toEqual({ kind: 'reconcile' });
    expect(parseInvocation({ hello: 'world' })).toEqual({ kind: 'unknown', received: '{"hello":"world"}' });
  });

  test('an event that is neither SNS nor scheduled is a permanent failure, and nothing else', () => {
    expect(decideUnknownEvent('{}')).toEqual([{
      kind: 'permanent-failure', failure: 'unknown-event', error: expect.any(MalformedMessageError), fields: { received: '{}' },
    }]);
  });
});

describe('decideNotification: the notification is only a trigger', () => {
  test('a malformed notification is a permanent failure; nothing is asked', () => {
    const error = new MalformedMessageError('audit notification', 'not JSON');
    expect(decideNotification(error, '{', CONFIG)).toEqual({
      kind: 'done',
      effects: [{ kind: 'permanent-failure', failure: 'malformed-notification', error, fields: { received: '{' } }],
      outcome: { decision: 'malformed', reason: 'malformed audit notification: not JSON' },
    });
  });

  test.each([
    ['another account', { taskId: AUDIT, accountId: '000000000000' }, 'audit of account 000000000000, not 123456789012'],
    ['another scheduled audit', { taskId: AUDIT, scheduledAuditName: 'weekly' }, 'scheduled audit "weekly" is not one of daily'],
  ])('%s is ignored without asking AWS IoT (logged, not reported)', (_what, trigger, reason) => {
    expect(decideNotification(trigger, '', CONFIG)).toEqual({
      kind: 'done',
      effects: [{ kind: 'log', level: 'INFO', event: 'ignored', fields: { auditTaskId: AUDIT, reason, trigger: 'notification' } }],
      outcome: { auditTaskId: AUDIT, decision: 'ignored', reason },
    });
  });

  test('this account\'s audit (or one the message does not name): read it with DescribeAuditTask', () => {
    expect(decideNotification({ taskId: AUDIT, accountId: ACCOUNT, scheduledAuditName: 'daily' }, '', CONFIG)).toEqual({ kind: 'audit', auditTaskId: AUDIT });
    expect(decideNotification({ taskId: AUDIT }, '', CONFIG)).toEqual({ kind: 'audit', auditTaskId: AUDIT });
  });
});

describe('decideAudit on a notification', () => {
  test('reads the audit first, then starts one task for the whole audit: every matched check, actions in rule order', () => {
    expect(decide(notification())).toEqual({ kind: 'describe' });
    expect(decide(notification({ audit: { value: audit() } }))).toEqual({
      kind: 'start',
      request: {
        taskId: TASK_ID,
        clientRequestToken: clientRequestToken(TASK_ID),
        target: { auditTaskId: AUDIT },
        auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'], LOGGING_DISABLED_CHECK: ['logging'] },
      },
    });
  });

  test('started: TasksStarted and FindingsFound per check first, then the report with one Task Started event', () => {
    const step = decide(notification({ audit: { value: audit() }, started: { value: 'started' } }));
    expect(step).toMatchObject({ kind: 'done', outcome: { auditTaskId: AUDIT, decision: 'started', taskId: TASK_ID } });
    const effects = effectsOf(step);
    expect(kinds(effects)).toEqual(['metrics', 'report:mitigation-started']);
    expect(metrics(effects)).toEqual([
      ['TasksStarted', { Mitigation: MITIGATION }, 1],
      ['FindingsFound', { Mitigation: MITIGATION, CheckName: 'DEVICE_CERTIFICATE_SHARED_CHECK' }, 2],
      ['FindingsFound', { Mitigation: MITIGATION, CheckName: 'LOGGING_DISABLED_CHECK' }, 1],
    ]);
    expect(effects[1]).toMatchObject({
      level: 'INFO',
      fields: {
        auditTaskId: AUDIT,
        taskId: TASK_ID,
        trigger: 'notification',
        checks: [
          { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', actions: ['notify', 'quarantine', 'deactivate'], resourceCount: 2 },
          { checkName: 'LOGGING_DISABLED_CHECK', actions: ['logging'], resourceCount: 1 },
        ],
      },
      events: [{ detailType: 'Mitigation Task Started', detail: { mitigation: MITIGATION, taskKind: 'audit', taskId: TASK_ID, alreadyStarted: false } }],
    });
  });

  test('a task that exists already (a redelivery, or another token): counts nothing, reports it with alreadyStarted', () => {
    const effects = effectsOf(decide(notification({ audit: { value: audit() }, started: { value: 'already-exists' } })));
    expect(kinds(effects)).toEqual(['report:mitigation-already-started']);
    expect(effects[0]).toMatchObject({ events: [{ detail: { alreadyStarted: true } }] });
  });

  test('a start that failed for a transient reason: a WARN retrying line, and the invocation fails with the error', () => {
    const error = named('InternalFailureException');
    const step = decide(notification({ audit: { value: audit() }, started: classified(error) }));
    expect(step).toEqual({ kind: 'retry', error, effects: [expect.objectContaining({ kind: 'log', level: 'WARN', event: 'retrying' })] });
    expect(effectsOf(step)[0]).toMatchObject({ fields: { auditTaskId: AUDIT, error: 'InternalFailureException', message: 'x' } });
  });

  test.each(['InvalidRequestException', 'AccessDeniedException'])('a start refused for good (%s): one permanent failure, not retried', (name) => {
    const error = named(name, 'refused');
    expect(decide(notification({ audit: { value: audit() }, started: classified(error) }))).toEqual({
      kind: 'done',
      effects: [{ kind: 'permanent-failure', failure: 'mitigation-failed', error, fields: expect.objectContaining({ auditTaskId: AUDIT, taskId: TASK_ID }) }],
      outcome: { auditTaskId: AUDIT, decision: 'failed-permanently', taskId: TASK_ID, reason: 'refused' },
    });
  });

  test('an audit DescribeAuditTask does not know: a permanent failure that says so, nothing started', () => {
    const error = named('ResourceNotFoundException');
    const reason = `DescribeAuditTask does not know audit ${AUDIT}: no such audit in this account and region, so nothing is started`;
    expect(decide(notification({ audit: classified(error) }))).toEqual({
      kind: 'done',
      effects: [{ kind: 'permanent-failure', failure: 'describe-audit-failed', error, fields: { reason, auditTaskId: AUDIT, trigger: 'notification' } }],
      outcome: { auditTaskId: AUDIT, decision: 'failed-permanently', reason },
    });
    expect(decide(notification({ audit: classified(named('AccessDeniedException')) }))).toMatchObject({
      outcome: { reason: `DescribeAuditTask failed for audit ${AUDIT} (AccessDeniedException), so nothing is started` },
    });
  });

  test('a throttled DescribeAuditTask (after the SDK\'s retries) fails the invocation so that it is retried', () => {
    const error = named('ThrottlingException');
    expect(decide(notification({ audit: classified(error) }))).toMatchObject({ kind: 'retry', error, effects: [{ kind: 'log', event: 'retrying' }] });
  });

  test.each<[string, Partial<AuditSummary>, Partial<AuditEngineConfig>]>([
    ['an audit still in progress', { taskStatus: 'IN_PROGRESS' }, {}],
    ['an on-demand audit without includeOnDemandAudits', { taskType: 'ON_DEMAND_AUDIT_TASK' }, {}],
    ['another scheduled audit', { scheduledAuditName: 'weekly' }, {}],
  ])('%s is ignored: logged at INFO, nothing counted', (_what, overrides, config) => {
    const step = decide(notification({ audit: { value: audit(overrides) } }), config);
    expect(step).toMatchObject({ kind: 'done', outcome: { decision: 'ignored' } });
    expect(effectsOf(step)).toEqual([expect.objectContaining({ kind: 'log', level: 'INFO', event: 'ignored' })]);
  });

  test('an audit older than the reconciler\'s lookback is ignored at WARN and counted (AuditsTooOld)', () => {
    const step = decide(notification({ audit: { value: audit({ taskStartTime: new Date(NOW.getTime() - 25 * 3_600_000) }) } }));
    expect(kinds(effectsOf(step))).toEqual(['log:ignored', 'metrics']);
    expect(effectsOf(step)[0]).toMatchObject({ level: 'WARN', fields: { reason: expect.stringMatching(/^too-old: /) } });
    expect(metrics(effectsOf(step))).toEqual([['AuditsTooOld', { Mitigation: MITIGATION }, 1]]);
  });

  test('dry run: reports the plan with a Dry Run event, then counts DryRunPlans and the findings; starts nothing', () => {
    const step = decide(notification({ audit: { value: audit() } }), { dryRun: true });
    expect(step).toMatchObject({ kind: 'done', outcome: { decision: 'dry-run', taskId: TASK_ID } });
    expect(kinds(effectsOf(step))).toEqual(['report:dry-run', 'metrics', 'metrics']);
    expect(effectsOf(step)[0]).toMatchObject({ events: [{ detailType: 'Mitigation Dry Run' }] });
    expect(metrics(effectsOf(step))[0]).toEqual(['DryRunPlans', { Mitigation: MITIGATION }, 1]);
  });

  test('blast radius: a check over maxFindingsPerCheck is left out of the task, reported at WARN with a Checks Excluded event, and counted', () => {
    const over = audit({ checks: [check('DEVICE_CERTIFICATE_SHARED_CHECK', 2), check('LOGGING_DISABLED_CHECK', 5000)] });
    const start = decide(notification({ audit: { value: over } }));
    expect(start).toMatchObject({ kind: 'start', request: { auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'] } } });
    const effects = effectsOf(decide(notification({ audit: { value: over }, started: { value: 'started' } })));
    expect(effects[1]).toMatchObject({
      kind: 'report',
      level: 'WARN',
      event: 'mitigation-started',
      events: [{ detailType: 'Mitigation Task Started' }, { detailType: 'Mitigation Checks Excluded' }],
    });
    expect(metrics(effects)).toContainEqual(['ChecksExcluded', { Mitigation: MITIGATION, CheckName: 'LOGGING_DISABLED_CHECK' }, 1]);
    expect(metrics(effects)).toContainEqual(['FindingsExcluded', { Mitigation: MITIGATION, CheckName: 'LOGGING_DISABLED_CHECK' }, 5000]);
  });

  test('nothing to start because every check was excluded: reported at WARN with the Checks Excluded event, then counted', () => {
    const step = decide(notification({ audit: { value: audit({ checks: [check('LOGGING_DISABLED_CHECK', 5000)] }) } }));
    expect(step).toMatchObject({ kind: 'done', outcome: { decision: 'nothing-to-start' } });
    expect(kinds(effectsOf(step))).toEqual(['report:nothing-to-start', 'metrics']);
    expect(effectsOf(step)[0]).toMatchObject({ level: 'WARN', events: [{ detailType: 'Mitigation Checks Excluded' }] });
  });

  test('nothing to start and nothing excluded (compliant checks): logged, not reported', () => {
    const step = decide(notification({ audit: { value: audit({ checks: [check('LOGGING_DISABLED_CHECK', 0, 'COMPLETED_COMPLIANT')] }) } }));
    expect(kinds(effectsOf(step))).toEqual(['log:nothing-to-start', 'metrics']);
  });
});

describe('decideAudit in the reconciler', () => {
  test('asks first whether the task exists; one that does is already mitigated (DEBUG), nothing else asked', () => {
    expect(decide(reconciler())).toEqual({ kind: 'check-task', taskId: TASK_ID });
    expect(decide(reconciler({ taskExists: true }))).toEqual({
      kind: 'done',
      effects: [{ kind: 'log', level: 'DEBUG', event: 'already-mitigated', fields: { auditTaskId: AUDIT, taskId: TASK_ID, trigger: 'reconciler' } }],
      outcome: { auditTaskId: AUDIT, decision: 'already-mitigated', taskId: TASK_ID },
    });
  });

  test('an audit whose notification was lost: read, started, and counted as TasksStarted and AuditsRecovered', () => {
    expect(decide(reconciler({ taskExists: false }))).toEqual({ kind: 'describe' });
    expect(decide(reconciler({ taskExists: false, audit: { value: audit() } }))).toMatchObject({ kind: 'start', request: { taskId: TASK_ID } });
    const effects = effectsOf(decide(reconciler({ taskExists: false, audit: { value: audit() }, started: { value: 'started' } })));
    expect(metrics(effects).slice(0, 2)).toEqual([['TasksStarted', { Mitigation: MITIGATION }, 1], ['AuditsRecovered', { Mitigation: MITIGATION }, 1]]);
    expect(effects[1]).toMatchObject({ kind: 'report', fields: { trigger: 'reconciler' } });
  });

  test.each<[string, Partial<AuditEngineConfig>, Partial<AuditSummary>, string]>([
    ['a dry run', { dryRun: true }, {}, 'dry-run'],
    ['an ignored audit', {}, { scheduledAuditName: 'weekly' }, 'ignored'],
    ['excluded checks only', {}, { checks: [check('LOGGING_DISABLED_CHECK', 5000)] }, 'nothing-to-start'],
  ])('%s is only logged: no report, no event, no metric (the notification path reports it)', (_what, config, overrides, decision) => {
    const step = decide(reconciler({ taskExists: false, audit: { value: audit(overrides) } }), config);
    expect(step).toEqual({
      kind: 'done',
      effects: [{ kind: 'log', level: 'INFO', event: decision, fields: expect.objectContaining({ auditTaskId: AUDIT, taskId: TASK_ID, trigger: 'reconciler' }) }],
      outcome: { auditTaskId: AUDIT, decision, taskId: TASK_ID },
    });
  });

  test('a permanent DescribeAuditTask error is a permanent failure for that audit alone', () => {
    expect(decide(reconciler({ taskExists: false, audit: classified(named('InvalidRequestException')) }))).toMatchObject({
      kind: 'done', outcome: { decision: 'failed-permanently', reason: expect.stringMatching(/DescribeAuditTask failed .*InvalidRequestException/) },
    });
  });

  test('lists the completed audits of the look-back window: scheduled ones, and on-demand ones when asked', () => {
    expect(reconcileWindow(CONFIG, NOW)).toEqual({
      startTime: new Date('2026-12-06T12:00:00Z'), endTime: NOW, taskTypes: ['SCHEDULED_AUDIT_TASK'],
    });
    expect(reconcileWindow({ ...CONFIG, includeOnDemandAudits: true }, NOW).taskTypes).toEqual(['SCHEDULED_AUDIT_TASK', 'ON_DEMAND_AUDIT_TASK']);
  });
});
