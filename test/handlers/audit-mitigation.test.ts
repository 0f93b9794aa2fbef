import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { ScheduledEvent, SNSEvent } from 'aws-lambda';
import {
  ACCOUNT, CONTEXT, Emulators, REPORT_TOPIC, auditHandlerEnv, datapointsOf, metricSum, resetEmulators, setEnv, startEmulators, stopEmulators,
  withLogs,
} from './harness';
import { AuditCheckSeed, AuditTaskSeed, expectNoViolations } from '../emulator/iot-emulator';
import { expectNoSnsViolations } from '../emulator/sns-emulator';

// The handler's module-scope IoT client is created on import: import it once the emulators run.
type Handler = typeof import('../../src/handlers/audit-mitigation.lambda').handler;
let handler: Handler;
let e: Emulators;

const AUDIT = '4e2bcd1ccbc2a5dd15292a82ab80c380';
const PREFIX = 'dd0123456789';
const TASK_ID = `${PREFIX}-${AUDIT}`;
const RULES = {
  DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'],
  LOGGING_DISABLED_CHECK: ['logging'],
};

const FUNCTION_NAME = 'Stack-MitigationHandler-1A2B3C';

function configure(overrides: Record<string, string | undefined> = {}): void {
  setEnv(auditHandlerEnv(RULES, { AUDIT_MITIGATION_TASK_ID_PREFIX: PREFIX, AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME, ...overrides }));
}

const permanentFailures = (logs: Array<Record<string, unknown>>) => logs.filter((l) => l.event === 'permanent-failure');

/**
 * An audit-completion notification as AWS IoT publishes it to the audit configuration's SNS target (one topic per
 * account and region; no EventBridge event exists for it): a JSON string with accountId, taskId, taskStatus
 * (COMPLETED | FAILED | CANCELED), taskType, scheduledAuditName (scheduled audits only), the check counts,
 * taskStartTime (epoch ms) and auditDetails[] { checkName, checkRunStatus, nonCompliantResourcesCount, ... }.
 */
function notification(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountId: ACCOUNT,
    taskId: AUDIT,
    taskStatus: 'COMPLETED',
    taskType: 'SCHEDULED_AUDIT_TASK',
    scheduledAuditName: 'daily',
    failedChecksCount: 0,
    canceledChecksCount: 0,
    nonCompliantChecksCount: 3,
    compliantChecksCount: 1,
    totalChecksCount: 4,
    taskStartTime: Date.now() - 60_000,
    auditDetails: [
      { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 2, totalResourcesCount: 40 },
      { checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1, totalResourcesCount: 1 },
      { checkName: 'CONFLICTING_CLIENT_IDS_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 3, totalResourcesCount: 40 },
      { checkName: 'CA_CERTIFICATE_EXPIRING_CHECK', checkRunStatus: 'COMPLETED_COMPLIANT', nonCompliantResourcesCount: 0, totalResourcesCount: 2 },
    ],
    ...overrides,
  };
}

function snsEvent(message: unknown): SNSEvent {
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  return { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn', Sns: { Message: text } as any }] };
}

const scheduledEvent = { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} } as ScheduledEvent;

function reports(): Array<Record<string, any>> {
  return e.sns.jsonPublishedTo(REPORT_TOPIC) as Array<Record<string, any>>;
}

function seedAudit(taskId = AUDIT, checks?: Record<string, AuditCheckSeed>,
  extra: { scheduledAuditName?: string; taskStartTime?: Date; taskStatus?: AuditTaskSeed['taskStatus'] } = {}) {
  e.iot.addAuditTask({
    taskId,
    scheduledAuditName: extra.scheduledAuditName ?? 'daily',
    taskStatus: extra.taskStatus ?? 'COMPLETED',
    taskStartTime: extra.taskStartTime ?? new Date(Date.now() - 60_000),
    checks: checks ?? {
      DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 2 },
      LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 },
      CONFLICTING_CLIENT_IDS_CHECK: { nonCompliantResourcesCount: 3 },
    },
  });
}

beforeAll(async () => {
  e = await startEmulators();
  configure();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../src/handlers/audit-mitigation.lambda').handler;
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  resetEmulators(e);
  configure();
  for (const [actionName, actionType] of [['notify', 'PUBLISH_FINDING_TO_SNS'], ['quarantine', 'ADD_THINGS_TO_THING_GROUP'],
    ['deactivate', 'UPDATE_DEVICE_CERTIFICATE'], ['logging', 'ENABLE_IOT_LOGGING']]) {
    e.iot.addMitigationAction({ actionName, actionType });
  }
});

// Every request the handler sent must satisfy the IoT and SNS API models (patterns, lengths, limits).
afterEach(() => {
  expectNoViolations(e.iot);
  expectNoSnsViolations(e.sns);
});

describe('on an audit notification', () => {
  test('starts one task for the whole audit, covering every matched check, actions in rule order', async () => {
    seedAudit();
    const { result, logs } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));

    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'started', taskId: TASK_ID }]);
    const tasks = e.iot.auditMitigationTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      taskId: TASK_ID,
      target: { auditTaskId: AUDIT },
      auditCheckToActionsMapping: {
        DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate'],
        LOGGING_DISABLED_CHECK: ['logging'],
      },
    });
    expect(Object.keys(tasks[0].auditCheckToActionsMapping)).not.toContain('CONFLICTING_CLIENT_IDS_CHECK');
    expect(tasks[0].clientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(reports()).toEqual([expect.objectContaining({
      event: 'mitigation-started',
      level: 'INFO',
      auditTaskId: AUDIT,
      taskId: TASK_ID,
      trigger: 'notification',
      checks: [
        { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', actions: ['notify', 'quarantine', 'deactivate'], resourceCount: 2 },
        { checkName: 'LOGGING_DISABLED_CHECK', actions: ['logging'], resourceCount: 1 },
      ],
    })]);
    // Structured logs: every line is JSON, and the decision line names the audit.
    expect(logs).toContainEqual(expect.objectContaining({ level: 'INFO', event: 'mitigation-started', auditTaskId: AUDIT }));
  });

  test('the same notification delivered three times gives exactly one task', async () => {
    seedAudit();
    for (let i = 0; i < 3; i++) {
      const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
      expect(result).toEqual([expect.objectContaining({ decision: expect.stringMatching(/^(started|already-exists)$/), taskId: TASK_ID })]);
    }
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
    // The second and third deliveries find the task (Describe) and do not start it again.
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(1);
    expect(e.iot.requestsFor('DescribeAuditMitigationActionsTask').map((r) => r.response.status)).toEqual([404, 200, 200]);
  });

  test('a task started with another token (TaskAlreadyExists) is confirmed with Describe and counted as done', async () => {
    seedAudit();
    // Another starter took the id first, with its own token.
    await new IoTClient({}).send(new StartAuditMitigationActionsTaskCommand({
      taskId: TASK_ID,
      target: { auditTaskId: AUDIT },
      auditCheckToActionsMapping: { LOGGING_DISABLED_CHECK: ['logging'] },
      clientRequestToken: 'someone-else',
    }));
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'already-exists', taskId: TASK_ID }]);
    expect(e.iot.requestsFor('DescribeAuditMitigationActionsTask')).toHaveLength(1);
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('a throttling storm (429, ThrottlingException, LimitExceeded 410, 500) still gives one task', async () => {
    seedAudit();
    for (const kind of ['throttle429', 'throttlingException', 'limitExceeded410', 'internalFailure500'] as const) {
      e.iot.injectFault({ kind, operation: 'StartAuditMitigationActionsTask' });
    }
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'started' })]);
    const statuses = e.iot.requestsFor('StartAuditMitigationActionsTask').map((r) => r.response.status);
    expect(statuses).toEqual([429, 400, 410, 500, 200]);
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('a transient failure that outlasts the SDK retries fails the invocation (Lambda retries, then dead-letters); the retry starts one task', async () => {
    seedAudit();
    e.iot.injectFault({ kind: 'internalFailure500', operation: 'StartAuditMitigationActionsTask', times: 8 });
    const first = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(first.error).toMatchObject({ name: 'InternalFailureException' });
    expect(first.logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', auditTaskId: AUDIT }));
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(8);
    expect(e.iot.auditMitigationTasks()).toHaveLength(0);

    const retry = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(retry.result).toEqual([expect.objectContaining({ decision: 'started' })]);
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test.each([
    ['InvalidRequest', 'invalidRequest', 'InvalidRequestException'],
    ['AccessDenied (the role may not start the task)', 'accessDenied403', 'AccessDeniedException'],
  ] as const)('a permanent %s is one ERROR log line and one report, not retried, and does not fail the invocation', async (_what, kind, error) => {
    seedAudit();
    e.iot.injectFault({ kind, operation: 'StartAuditMitigationActionsTask', times: Infinity });
    const { result, logs } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'failed-permanently', taskId: TASK_ID })]);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(1);
    const failure = {
      level: 'ERROR', event: 'permanent-failure', kind: 'mitigation-failed', error, functionName: FUNCTION_NAME, auditTaskId: AUDIT, taskId: TASK_ID,
    };
    expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
    expect(reports()).toEqual([expect.objectContaining(failure)]);
  });

  test.each([
    ['rules that are not JSON', { AUDIT_MITIGATION_RULES: '{' }, 'environment variable AUDIT_MITIGATION_RULES is not JSON: {'],
    ['no task id prefix', { AUDIT_MITIGATION_TASK_ID_PREFIX: undefined }, 'environment variable AUDIT_MITIGATION_TASK_ID_PREFIX is not set'],
  ])('a broken configuration (%s) is a permanent failure, logged and reported; the invocation fails so Lambda retries and dead-letters the event', async (_what, env, message) => {
    configure(env);
    const { error, logs } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(error).toMatchObject({ name: 'ConfigError', message });
    expect(e.iot.requests).toHaveLength(0);
    const failure = { level: 'ERROR', event: 'permanent-failure', kind: 'config-error', error: 'ConfigError', message, functionName: FUNCTION_NAME };
    expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
    expect(reports()).toEqual([expect.objectContaining(failure)]);
  });

  test('an action the service rejects (unknown action name) is the same permanent failure', async () => {
    seedAudit();
    configure({ AUDIT_MITIGATION_RULES: JSON.stringify({ LOGGING_DISABLED_CHECK: ['deleted-action'] }) });
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'failed-permanently' })]);
    expect(e.iot.auditMitigationTasks()).toHaveLength(0);
  });

  test('if the report itself cannot be published, the invocation fails so it is retried', async () => {
    seedAudit();
    e.sns.injectFault({ kind: 'authorizationError' });
    const { error } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(error).toMatchObject({ name: 'AuthorizationErrorException' });
    // The task was started; the retry is idempotent.
    await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
    expect(reports()).toHaveLength(1);
  });

  test.each([
    ['not JSON', '{"taskId":'],
    ['a JSON array', '[]'],
    ['no taskId', notification({ taskId: undefined })],
    ['a numeric taskId', notification({ taskId: 42 })],
    ['a taskId that is not an audit id', notification({ taskId: 'a/b' })],
  ])('a malformed message (%s) starts nothing and is a permanent failure, logged and reported', async (_what, message) => {
    seedAudit();
    const { result, logs } = await withLogs(() => handler(snsEvent(message), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'malformed' })]);
    expect(e.iot.requests).toHaveLength(0);
    const failure = {
      level: 'ERROR',
      event: 'permanent-failure',
      kind: 'malformed-notification',
      error: 'MalformedMessageError',
      message: expect.stringMatching(/^malformed audit notification: /),
      functionName: FUNCTION_NAME,
    };
    expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
    expect(reports()).toEqual([expect.objectContaining({ ...failure, received: typeof message === 'string' ? message : JSON.stringify(message) })]);
  });

  test.each([
    ['another account', { accountId: '210987654321' }, /audit of account 210987654321/],
    ['another scheduled audit', { scheduledAuditName: 'weekly' }, /"weekly" is not one of daily/],
  ])('a notification naming %s is ignored without any API call', async (_what, overrides, reason) => {
    seedAudit();
    const { result, logs } = await withLogs(() => handler(snsEvent(notification(overrides)), CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'ignored', reason: expect.stringMatching(reason) }]);
    expect(e.iot.requests).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'ignored', auditTaskId: AUDIT }));
  });

  test.each<[string, Partial<AuditTaskSeed>, RegExp]>([
    ['a FAILED audit', { taskStatus: 'FAILED' }, /status is FAILED \(DescribeAuditTask\), not COMPLETED/],
    ['a CANCELED audit', { taskStatus: 'CANCELED' }, /status is CANCELED \(DescribeAuditTask\), not COMPLETED/],
    ['an audit still IN_PROGRESS (the notification says COMPLETED)', { taskStatus: 'IN_PROGRESS' }, /status is IN_PROGRESS \(DescribeAuditTask\), not COMPLETED/],
    ['an on-demand audit', { taskType: 'ON_DEMAND_AUDIT_TASK', scheduledAuditName: undefined }, /includeOnDemandAudits is false/],
    ['another scheduled audit (the notification says daily)', { scheduledAuditName: 'weekly' }, /"weekly" is not one of daily/],
  ])('%s, as DescribeAuditTask tells, starts nothing', async (_what, audit, reason) => {
    e.iot.addAuditTask({ taskId: AUDIT, scheduledAuditName: 'daily', checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } }, ...audit });
    // The notification claims a completed audit of the scheduled audit 'daily': DescribeAuditTask decides.
    const { result, logs } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'ignored', reason: expect.stringMatching(reason) }]);
    expect(e.iot.requests.map((r) => r.operation)).toEqual(['DescribeAuditTask']);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'ignored', auditTaskId: AUDIT, reason: expect.stringMatching(reason) }));
  });

  test('on-demand audits are mitigated when includeOnDemandAudits is set, and any scheduled audit when none is named', async () => {
    configure({ AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'true', AUDIT_MITIGATION_SCHEDULED_AUDITS: undefined });
    seedAudit();
    const onDemand = await withLogs(() => handler(snsEvent(notification({ taskType: 'ON_DEMAND_AUDIT_TASK', scheduledAuditName: undefined })), CONTEXT));
    expect(onDemand.result).toEqual([expect.objectContaining({ decision: 'started' })]);
    seedAudit('weekly-audit-1', undefined, { scheduledAuditName: 'weekly' });
    const weekly = await withLogs(() => handler(snsEvent(notification({ taskId: 'weekly-audit-1', scheduledAuditName: 'weekly' })), CONTEXT));
    expect(weekly.result).toEqual([expect.objectContaining({ decision: 'started' })]);
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });

  test.each<[string, Record<string, AuditCheckSeed>]>([
    ['every check compliant', { LOGGING_DISABLED_CHECK: { checkRunStatus: 'COMPLETED_COMPLIANT', nonCompliantResourcesCount: 0 } }],
    ['zero findings', {}],
    ['only checks without a rule', { CONFLICTING_CLIENT_IDS_CHECK: { nonCompliantResourcesCount: 5 } }],
    ['every finding suppressed', { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1, suppressedNonCompliantResourcesCount: 1 } }],
    ['a check that failed to run', { LOGGING_DISABLED_CHECK: { checkRunStatus: 'FAILED', nonCompliantResourcesCount: 0 } }],
  ])('%s (DescribeAuditTask): nothing to start, whatever the notification says', async (_what, checks) => {
    seedAudit(AUDIT, checks);
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'nothing-to-start' })]);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
  });

  test('dry run: reports the plan (audit, checks, actions in order, resource counts) and starts nothing', async () => {
    configure({ AUDIT_MITIGATION_DRY_RUN: 'true' });
    seedAudit();
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'dry-run', taskId: TASK_ID }]);
    // Reading the audit is all it does.
    expect(e.iot.requests.map((r) => r.operation)).toEqual(['DescribeAuditTask']);
    expect(reports()).toEqual([expect.objectContaining({
      event: 'dry-run',
      auditTaskId: AUDIT,
      scheduledAuditName: 'daily',
      checks: [
        { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', actions: ['notify', 'quarantine', 'deactivate'], resourceCount: 2 },
        { checkName: 'LOGGING_DISABLED_CHECK', actions: ['logging'], resourceCount: 1 },
      ],
    })]);
  });

  test('blast radius: a check over maxFindingsPerCheck (DescribeAuditTask) is left out of the task and reported; the others go ahead', async () => {
    configure({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100' });
    seedAudit(AUDIT, {
      DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 101 },
      LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 },
    });
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'started' })]);
    expect(e.iot.auditMitigationTasks()[0].auditCheckToActionsMapping).toEqual({ LOGGING_DISABLED_CHECK: ['logging'] });
    expect(reports()).toEqual([expect.objectContaining({
      event: 'mitigation-started',
      level: 'WARN',
      excluded: [{ checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', resourceCount: 101, reason: expect.stringMatching(/exceed maxFindingsPerCheck \(100\)/) }],
    })]);
  });

  test('blast radius counts only unsuppressed findings, and when every check is over the limit nothing starts but it is reported', async () => {
    configure({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '10' });
    const checks = {
      DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 11 },
      LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 15, suppressedNonCompliantResourcesCount: 5 },
    };
    seedAudit(AUDIT, checks);
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'started' })]);
    expect(e.iot.auditMitigationTasks()[0].auditCheckToActionsMapping).toEqual({ LOGGING_DISABLED_CHECK: ['logging'] });

    e.sns.reset();
    e.sns.addTopic(REPORT_TOPIC);
    configure({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '1' });
    seedAudit('other-audit', checks);
    const second = await withLogs(() => handler(snsEvent(notification({ taskId: 'other-audit' })), CONTEXT));
    expect(second.result).toEqual([expect.objectContaining({ decision: 'nothing-to-start' })]);
    expect(reports()).toEqual([expect.objectContaining({ event: 'nothing-to-start', level: 'WARN', excluded: expect.arrayContaining([expect.anything()]) })]);
  });

  test('without a report topic, reports go to the log only', async () => {
    configure({ AUDIT_MITIGATION_DRY_RUN: 'true', AUDIT_MITIGATION_REPORT_TOPIC_ARN: undefined });
    seedAudit();
    const { logs } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(e.sns.requests).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'dry-run', auditTaskId: AUDIT }));
  });
});

describe('the notification is only a trigger: counts come from DescribeAuditTask', () => {
  const FORGED_DETAILS = [
    { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 3, totalResourcesCount: 40 },
    { checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1, totalResourcesCount: 1 },
  ];

  test('a forged low-count notification for a check with 5,000 findings (limit 100) starts nothing for that check; the check under the limit is still mitigated', async () => {
    configure({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100' });
    seedAudit(AUDIT, {
      DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 5000, totalResourcesCount: 6000 },
      LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 },
    });
    const { result } = await withLogs(() => handler(snsEvent(notification({ auditDetails: FORGED_DETAILS })), CONTEXT));

    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'started', taskId: TASK_ID }]);
    expect(e.iot.requestsFor('DescribeAuditTask')).toHaveLength(1);
    const starts = e.iot.requestsFor('StartAuditMitigationActionsTask');
    expect(starts).toHaveLength(1);
    for (const start of starts) {
      expect(Object.keys(start.body.auditCheckToActionsMapping)).not.toContain('DEVICE_CERTIFICATE_SHARED_CHECK');
    }
    expect(e.iot.auditMitigationTasks()).toEqual([expect.objectContaining({ auditCheckToActionsMapping: { LOGGING_DISABLED_CHECK: ['logging'] } })]);
    expect(reports()).toEqual([expect.objectContaining({
      event: 'mitigation-started',
      level: 'WARN',
      checks: [{ checkName: 'LOGGING_DISABLED_CHECK', actions: ['logging'], resourceCount: 1 }],
      excluded: [{ checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', resourceCount: 5000, reason: expect.stringMatching(/5000 non-compliant resources exceed maxFindingsPerCheck \(100\)/) }],
    })]);
  });

  test('the same forged notification when the only ruled check is over the limit starts no task at all', async () => {
    configure({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100' });
    seedAudit(AUDIT, { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 5000 } });
    const { result } = await withLogs(() => handler(snsEvent(notification({ auditDetails: FORGED_DETAILS })), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'nothing-to-start' })]);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
  });

  test.each([
    ['renamed count fields', { auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantCount: 1 }] }],
    ['checks without counts', { auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT' }] }],
    ['auditDetails that is not a list', { auditDetails: {} }],
    ['no auditDetails, status or type at all', { auditDetails: undefined, taskStatus: undefined, taskType: undefined }],
    ['a numeric taskStatus', { taskStatus: 3 }],
  ])('a notification with %s still starts the task DescribeAuditTask calls for', async (_what, overrides) => {
    seedAudit();
    const { result } = await withLogs(() => handler(snsEvent(notification(overrides)), CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'started', taskId: TASK_ID }]);
    expect(e.iot.auditMitigationTasks()).toEqual([expect.objectContaining({ auditCheckToActionsMapping: RULES })]);
  });

  test('a notification that says the checks are compliant still mitigates what DescribeAuditTask found', async () => {
    seedAudit();
    const message = notification({ auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_COMPLIANT', nonCompliantResourcesCount: 0 }] });
    const { result } = await withLogs(() => handler(snsEvent(message), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'started' })]);
    expect(e.iot.auditMitigationTasks()[0].auditCheckToActionsMapping).toEqual(RULES);
  });

  test('an audit id DescribeAuditTask does not know starts nothing and is a permanent failure (ERROR, reported, not retried)', async () => {
    setEnv({ AWS_LAMBDA_FUNCTION_NAME: 'audit-handler' });
    try {
      const { result, logs, error } = await withLogs(() => handler(snsEvent(notification({ taskId: 'no-such-audit' })), CONTEXT));
      expect(error).toBeUndefined();
      expect(result).toEqual([{ auditTaskId: 'no-such-audit', decision: 'failed-permanently', reason: expect.stringMatching(/DescribeAuditTask does not know audit no-such-audit/) }]);
      expect(e.iot.requests.map((r) => r.operation)).toEqual(['DescribeAuditTask']);
      expect(logs).toContainEqual(expect.objectContaining({
        level: 'ERROR',
        event: 'permanent-failure',
        reason: expect.stringMatching(/does not know audit no-such-audit/),
        functionName: 'audit-handler',
        auditTaskId: 'no-such-audit',
        error: 'ResourceNotFoundException',
      }));
      expect(reports()).toEqual([expect.objectContaining({ event: 'permanent-failure', level: 'ERROR', auditTaskId: 'no-such-audit' })]);
    } finally {
      setEnv({ AWS_LAMBDA_FUNCTION_NAME: undefined });
    }
  });

  test('a throttled DescribeAuditTask is retried by the SDK; one that fails every retry fails the invocation so Lambda retries it', async () => {
    seedAudit();
    e.iot.injectFault({ kind: 'throttlingException', operation: 'DescribeAuditTask' });
    const first = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(first.result).toEqual([expect.objectContaining({ decision: 'started' })]);

    e.iot.injectFault({ kind: 'internalFailure500', operation: 'DescribeAuditTask', times: 8 });
    const second = await withLogs(() => handler(snsEvent(notification({ taskId: 'another-audit' })), CONTEXT));
    expect(second.error).toMatchObject({ name: 'InternalFailureException' });
    expect(second.logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'retrying', auditTaskId: 'another-audit' }));
  });
});

describe('the notification path refuses audits older than the reconciler\'s lookback', () => {
  const DAY = 86_400_000;

  test.each([
    ['an SNS notification (a user-supplied topic)', () => snsEvent(notification())],
    ['a direct invoke with an SNS-shaped event', () => snsEvent(JSON.stringify({ taskId: AUDIT }))],
  ])('%s naming an 80-day-old audit starts nothing: ignored, too-old, logged at WARN and counted once, not retried', async (_what, event) => {
    // GIVEN an audit that finished 80 days ago (skipped during a dry-run period, say); lookback 24 h
    configure({ AUDIT_MITIGATION_NAME: 'Stack/Audit' });
    seedAudit(AUDIT, undefined, { taskStartTime: new Date(Date.now() - 80 * DAY) });
    // WHEN
    const { result, error, logs } = await withLogs(() => handler(event(), CONTEXT));
    // THEN nothing is started, the invocation succeeds (no retry), and the decision is logged and counted
    expect(error).toBeUndefined();
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'ignored', reason: expect.stringMatching(/^too-old: audit started .*, 1920 h ago: older than reconcileLookback \(24 h\)/) }]);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'ignored', auditTaskId: AUDIT, reason: expect.stringMatching(/^too-old: /) }));
    expect(metricSum(datapointsOf(logs), 'AuditsTooOld', { Mitigation: 'Stack/Audit' })).toBe(1);
    expect(permanentFailures(logs)).toEqual([]);
  });

  test('an audit just inside the lookback is mitigated; one just outside is not', async () => {
    seedAudit('audit-inside', undefined, { taskStartTime: new Date(Date.now() - 23 * 3_600_000) });
    seedAudit('audit-outside', undefined, { taskStartTime: new Date(Date.now() - 25 * 3_600_000) });
    const inside = await withLogs(() => handler(snsEvent(notification({ taskId: 'audit-inside' })), CONTEXT));
    const outside = await withLogs(() => handler(snsEvent(notification({ taskId: 'audit-outside' })), CONTEXT));
    expect(inside.result).toEqual([expect.objectContaining({ decision: 'started' })]);
    expect(outside.result).toEqual([expect.objectContaining({ decision: 'ignored', reason: expect.stringMatching(/^too-old: /) })]);
    expect(e.iot.auditMitigationTasks()).toEqual([expect.objectContaining({ target: { auditTaskId: 'audit-inside' } })]);
  });

  test('the lookback set on the construct is the bound: 72 h admits a 2-day-old audit', async () => {
    configure({ AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS: '72' });
    seedAudit(AUDIT, undefined, { taskStartTime: new Date(Date.now() - 2 * DAY) });
    const { result } = await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(result).toEqual([expect.objectContaining({ decision: 'started' })]);
  });
});

describe('the reconciler', () => {
  test('finds a completed audit whose notification was lost and starts exactly one task', async () => {
    seedAudit();
    const { result } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'started', taskId: TASK_ID }]);
    expect(e.iot.auditMitigationTasks()).toEqual([expect.objectContaining({
      taskId: TASK_ID,
      target: { auditTaskId: AUDIT },
      auditCheckToActionsMapping: RULES,
    })]);
    expect(reports()).toEqual([expect.objectContaining({ event: 'mitigation-started', trigger: 'reconciler' })]);

    // The next run, and a late notification, change nothing.
    const again = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(again.result).toEqual([{ auditTaskId: AUDIT, decision: 'already-mitigated', taskId: TASK_ID }]);
    await withLogs(() => handler(snsEvent(notification()), CONTEXT));
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('asks for completed scheduled audits of the look-back window only', async () => {
    configure({ AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS: '6' });
    seedAudit('recent-audit', undefined, { taskStartTime: new Date(Date.now() - 60 * 60_000) });
    seedAudit('old-audit', undefined, { taskStartTime: new Date(Date.now() - 7 * 60 * 60_000) });
    seedAudit('failed-audit', undefined, { taskStatus: 'FAILED' });
    const { result } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(result).toEqual([expect.objectContaining({ auditTaskId: 'recent-audit', decision: 'started' })]);
    const [list] = e.iot.requestsFor('ListAuditTasks');
    expect(list.query).toMatchObject({ taskType: 'SCHEDULED_AUDIT_TASK', taskStatus: 'COMPLETED' });
    const windowHours = (Date.parse(list.query.endTime as string) - Date.parse(list.query.startTime as string)) / 3_600_000;
    expect(windowHours).toBeCloseTo(6, 3);
  });

  test('applies the same rules as the notification path (audit filter, blast radius)', async () => {
    seedAudit('weekly-audit', undefined, { scheduledAuditName: 'weekly' });
    seedAudit('big-audit', { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 500 } });
    const { result } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(result).toEqual(expect.arrayContaining([
      expect.objectContaining({ auditTaskId: 'weekly-audit', decision: 'ignored' }),
      expect.objectContaining({ auditTaskId: 'big-audit', decision: 'nothing-to-start' }),
    ]));
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
  });

  test('pages through many audits, and includes on-demand audits when asked', async () => {
    configure({ AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'true', AUDIT_MITIGATION_SCHEDULED_AUDITS: undefined });
    for (let i = 0; i < 30; i++) { seedAudit(`audit-${i}`); }
    e.iot.addAuditTask({ taskId: 'on-demand-1', taskType: 'ON_DEMAND_AUDIT_TASK', checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } } });
    const { result } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(result?.filter((o) => o.decision === 'started')).toHaveLength(31);
    expect(e.iot.auditMitigationTasks()).toHaveLength(31);
  });

  test('dry run: logs what it would start, starts nothing, reports nothing', async () => {
    configure({ AUDIT_MITIGATION_DRY_RUN: 'true' });
    seedAudit();
    const { result, logs } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(result).toEqual([{ auditTaskId: AUDIT, decision: 'dry-run', taskId: TASK_ID }]);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(0);
    expect(e.sns.requests).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'dry-run', trigger: 'reconciler', auditTaskId: AUDIT }));
  });

  test('a permanent DescribeAuditTask error on one audit is a permanent failure for it alone; the others go ahead', async () => {
    seedAudit('audit-a');
    seedAudit('audit-b');
    e.iot.injectFault({ kind: 'invalidRequest', operation: 'DescribeAuditTask' });
    const { result, logs, error } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(error).toBeUndefined();
    expect(result).toEqual(expect.arrayContaining([
      expect.objectContaining({ decision: 'failed-permanently', reason: expect.stringMatching(/DescribeAuditTask failed .*InvalidRequestException/) }),
      expect.objectContaining({ decision: 'started' }),
    ]));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', event: 'permanent-failure', trigger: 'reconciler' }));
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('a transient failure on one audit does not stop the others; the run then fails so it is retried', async () => {
    seedAudit('audit-a');
    seedAudit('audit-b');
    e.iot.injectFault({ kind: 'internalFailure500', operation: 'StartAuditMitigationActionsTask', times: 8 });
    const { error } = await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(error).toMatchObject({ name: 'InternalFailureException' });
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
    await withLogs(() => handler(scheduledEvent, CONTEXT));
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });
});

test('an event that is neither SNS nor scheduled is a permanent failure, logged and reported, and starts nothing', async () => {
  const { result, logs } = await withLogs(() => handler({ hello: 'world' } as any, CONTEXT));
  expect(result).toEqual([]);
  expect(e.iot.requests).toHaveLength(0);
  const failure = { level: 'ERROR', event: 'permanent-failure', kind: 'unknown-event', functionName: FUNCTION_NAME, received: '{"hello":"world"}' };
  expect(permanentFailures(logs)).toEqual([expect.objectContaining(failure)]);
  expect(reports()).toEqual([expect.objectContaining(failure)]);
});

test('without a report topic a permanent failure is still its ERROR log line (which the construct counts and alarms on)', async () => {
  configure({ AUDIT_MITIGATION_REPORT_TOPIC_ARN: undefined });
  const { logs } = await withLogs(() => handler(snsEvent('[]'), CONTEXT));
  expect(e.sns.requests).toHaveLength(0);
  expect(permanentFailures(logs)).toEqual([expect.objectContaining({ level: 'ERROR', kind: 'malformed-notification', functionName: FUNCTION_NAME })]);
});
