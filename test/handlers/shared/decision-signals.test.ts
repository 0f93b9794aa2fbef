import type { CloudFormationCustomResourceEvent, ScheduledEvent, SNSEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { EVENT_SOURCE } from '../../../src/contract/telemetry';
import type * as TaskHandler from '../../../src/handlers/audit-mitigation-task.lambda';
import type * as AuditHandler from '../../../src/handlers/audit-mitigation.lambda';
import type * as DetectHandler from '../../../src/handlers/detect-mitigation.lambda';
import { expectNoEventsViolations } from '../../emulator/events-emulator';
import { expectNoViolations } from '../../emulator/iot-emulator';
import { expectNoSnsViolations } from '../../emulator/sns-emulator';
import {
  ACCOUNT, CONTEXT, datapointsOf, Emulators, REPORT_TOPIC, auditHandlerEnv, metricSum, resetEmulators, setEnv, startEmulators, stopEmulators,
  withLogs,
} from '../harness';

// Every decision of the handlers that start tasks is also EMF metrics and an EventBridge event:
// what each decision emits, that a retry never counts a start twice, that the reconciler repeats
// nothing, and that an event EventBridge refuses fails the invocation (it is retried, not lost).

let e: Emulators;
let audit: typeof AuditHandler.handler;
let detect: typeof DetectHandler.handler;
let task: typeof TaskHandler.handler;

const AUDIT = '4e2bcd1ccbc2a5dd15292a82ab80c380';
const PREFIX = 'dd0123456789';
const TASK_ID = `${PREFIX}-${AUDIT}`;
const AUDIT_MITIGATION = 'Stack/Audit';
const DETECT_MITIGATION = 'Stack/Detect';
const FUNCTION_NAME = 'Stack-Handler-1A2B3C';
const RULES = { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate'], LOGGING_DISABLED_CHECK: ['logging'] };
const M = { Mitigation: AUDIT_MITIGATION };
const check = (CheckName: string) => ({ ...M, CheckName });

function configureAudit(overrides: Record<string, string | undefined> = {}) {
  setEnv(auditHandlerEnv(RULES, {
    AUDIT_MITIGATION_TASK_ID_PREFIX: PREFIX, AUDIT_MITIGATION_NAME: AUDIT_MITIGATION, AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME, ...overrides,
  }));
}

function configureDetect(overrides: Record<string, string | undefined> = {}) {
  setEnv({
    DETECT_MITIGATION_SECURITY_PROFILE: 'chatty',
    DETECT_MITIGATION_ACTIONS: JSON.stringify(['quarantine']),
    DETECT_MITIGATION_DRY_RUN: 'false',
    DETECT_MITIGATION_TASK_ID_PREFIX: 'dd00aa11bb22',
    DETECT_MITIGATION_REPORT_TOPIC_ARN: REPORT_TOPIC,
    DETECT_MITIGATION_NAME: DETECT_MITIGATION,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    ...overrides,
  });
}

const COUNTS = { DEVICE_CERTIFICATE_SHARED_CHECK: 2, LOGGING_DISABLED_CHECK: 1, CONFLICTING_CLIENT_IDS_CHECK: 3 };

function seedAudit(taskId = AUDIT, counts: Record<string, number> = COUNTS) {
  e.iot.addAuditTask({
    taskId,
    scheduledAuditName: 'daily',
    taskStatus: 'COMPLETED',
    taskStartTime: new Date(Date.now() - 60_000),
    checks: Object.fromEntries(Object.entries(counts).map(([name, nonCompliantResourcesCount]) => [name, { nonCompliantResourcesCount }])),
  });
}

const notification = (taskId = AUDIT): SNSEvent => ({
  Records: [{ Sns: { Message: JSON.stringify({ accountId: ACCOUNT, taskId, taskStatus: 'COMPLETED', taskType: 'SCHEDULED_AUDIT_TASK', scheduledAuditName: 'daily' }) } as any }],
} as SNSEvent);
const scheduled = { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} } as ScheduledEvent;

let messages = 0;
const sqs = (violationIds: string[]): SQSEvent => ({
  Records: violationIds.map((violationId) => ({
    messageId: `m-${++messages}`,
    body: JSON.stringify({
      violationEventTime: Date.now(),
      thingName: `thing-${violationId}`,
      violationEventType: 'in-alarm',
      violationId,
      securityProfileName: 'chatty',
      behavior: { name: 'MsgsSent', metric: 'aws:num-messages-sent', criteria: { comparisonOperator: 'greater-than', value: { count: 100 } } },
      metricValue: { count: 250 },
    }),
  }) as SQSRecord),
});

const types = () => e.events.events.map((ev) => ev.detailType);
const sum = (logs: Array<Record<string, unknown>>, metric: string, dims: Record<string, string>) => metricSum(datapointsOf(logs), metric, dims);

beforeAll(async () => {
  e = await startEmulators();
  configureAudit();
  /* eslint-disable @typescript-eslint/no-require-imports */
  audit = require('../../../src/handlers/audit-mitigation.lambda').handler;
  detect = require('../../../src/handlers/detect-mitigation.lambda').handler;
  task = require('../../../src/handlers/audit-mitigation-task.lambda').handler;
  /* eslint-enable @typescript-eslint/no-require-imports */
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  resetEmulators(e);
  e.events.allowedSources = [EVENT_SOURCE]; // the roles' condition
  configureAudit();
  configureDetect();
  for (const [actionName, actionType] of [['notify', 'PUBLISH_FINDING_TO_SNS'], ['deactivate', 'UPDATE_DEVICE_CERTIFICATE'],
    ['logging', 'ENABLE_IOT_LOGGING'], ['quarantine', 'ADD_THINGS_TO_THING_GROUP']]) {
    e.iot.addMitigationAction({ actionName, actionType });
  }
});

afterEach(() => {
  expectNoViolations(e.iot);
  expectNoSnsViolations(e.sns);
  expectNoEventsViolations(e.events);
});

describe('AuditMitigation: notification', () => {
  test('a started task: TasksStarted 1, FindingsFound per check with a rule, one Task Started event', async () => {
    seedAudit();
    const { logs } = await withLogs(() => audit(notification(), CONTEXT));
    expect(e.events.events).toEqual([expect.objectContaining({
      source: 'cdk-device-defender',
      detailType: 'Mitigation Task Started',
      detail: {
        mitigation: AUDIT_MITIGATION,
        taskKind: 'audit',
        taskId: TASK_ID,
        auditTaskId: AUDIT,
        checks: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate'], LOGGING_DISABLED_CHECK: ['logging'] },
        alreadyStarted: false,
      },
    })]);
    expect(sum(logs, 'TasksStarted', M)).toBe(1);
    expect(sum(logs, 'FindingsFound', M)).toBe(3); // CONFLICTING_CLIENT_IDS_CHECK has no rule
    expect(sum(logs, 'FindingsFound', check('DEVICE_CERTIFICATE_SHARED_CHECK'))).toBe(2);
    expect(sum(logs, 'FindingsFound', check('LOGGING_DISABLED_CHECK'))).toBe(1);
    expect(sum(logs, 'ChecksExcluded', M)).toBe(0);
    expect(sum(logs, 'AuditsRecovered', M)).toBe(0);
  });

  test('with an event bus (AUDIT_MITIGATION_EVENT_BUS), every event goes to that bus and none to the default bus', async () => {
    e.events.addEventBus('mitigation-events');
    configureAudit({ AUDIT_MITIGATION_EVENT_BUS: 'arn:aws:events:eu-west-1:123456789012:event-bus/mitigation-events', AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '1' });
    seedAudit();
    await withLogs(() => audit(notification(), CONTEXT));
    expect(e.events.events.map((ev) => [ev.detailType, ev.eventBusName])).toEqual([
      ['Mitigation Task Started', 'mitigation-events'], ['Mitigation Checks Excluded', 'mitigation-events'],
    ]);
  });

  test('a check left out by the blast-radius limit: ChecksExcluded and FindingsExcluded per check, and a Checks Excluded event', async () => {
    configureAudit({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '1' });
    seedAudit();
    const { logs } = await withLogs(() => audit(notification(), CONTEXT));
    expect(types()).toEqual(['Mitigation Task Started', 'Mitigation Checks Excluded']);
    expect(e.events.events[1].detail).toEqual({
      mitigation: AUDIT_MITIGATION,
      auditTaskId: AUDIT,
      taskId: TASK_ID,
      excluded: [{ checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', findings: 2, reason: expect.stringMatching(/exceed maxFindingsPerCheck \(1\)/) }],
    });
    expect(e.events.events[0].detail.checks).toEqual({ LOGGING_DISABLED_CHECK: ['logging'] });
    expect(sum(logs, 'ChecksExcluded', check('DEVICE_CERTIFICATE_SHARED_CHECK'))).toBe(1);
    expect(sum(logs, 'FindingsExcluded', check('DEVICE_CERTIFICATE_SHARED_CHECK'))).toBe(2);
    expect(sum(logs, 'ChecksExcluded', M)).toBe(1);
    expect(sum(logs, 'FindingsFound', M)).toBe(3);
    expect(sum(logs, 'TasksStarted', M)).toBe(1);
  });

  test('nothing to start because every check was excluded: Checks Excluded event and metrics, no Task Started', async () => {
    configureAudit({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '1' });
    seedAudit(AUDIT, { DEVICE_CERTIFICATE_SHARED_CHECK: 5 });
    const { logs } = await withLogs(() => audit(notification(), CONTEXT));
    expect(types()).toEqual(['Mitigation Checks Excluded']);
    expect(sum(logs, 'ChecksExcluded', check('DEVICE_CERTIFICATE_SHARED_CHECK'))).toBe(1);
    expect(sum(logs, 'FindingsExcluded', M)).toBe(5);
    expect(sum(logs, 'TasksStarted', M)).toBe(0);
  });

  test('dry run: a Dry Run event and DryRunPlans 1, nothing started', async () => {
    configureAudit({ AUDIT_MITIGATION_DRY_RUN: 'true' });
    seedAudit();
    const { logs } = await withLogs(() => audit(notification(), CONTEXT));
    expect(e.events.events).toEqual([expect.objectContaining({
      detailType: 'Mitigation Dry Run',
      detail: { mitigation: AUDIT_MITIGATION, taskKind: 'audit', taskId: TASK_ID, auditTaskId: AUDIT, checks: expect.objectContaining({ LOGGING_DISABLED_CHECK: ['logging'] }) },
    })]);
    expect(sum(logs, 'DryRunPlans', M)).toBe(1);
    expect(sum(logs, 'TasksStarted', M)).toBe(0);
  });

  test('the SNS report failed: the retry counts TasksStarted once in all and puts the event, alreadyStarted true', async () => {
    seedAudit();
    e.sns.injectFault({ kind: 'authorizationError' });
    const first = await withLogs(() => audit(notification(), CONTEXT));
    expect(first.error).toMatchObject({ name: 'AuthorizationErrorException' });
    expect(e.events.events).toEqual([]);
    const second = await withLogs(() => audit(notification(), CONTEXT));
    expect(second.error).toBeUndefined();
    const logs = [...first.logs, ...second.logs];
    expect(sum(logs, 'TasksStarted', M)).toBe(1);
    expect(sum(logs, 'FindingsFound', M)).toBe(3);
    expect(e.events.events.map((ev) => ev.detail)).toEqual([expect.objectContaining({ taskId: TASK_ID, alreadyStarted: true })]);
  });

  test('an event EventBridge refuses fails the invocation; the retry puts it again (alreadyStarted true) and counts nothing twice', async () => {
    configureAudit({ AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '1' });
    seedAudit();
    e.events.injectFault({ kind: 'failedEntries' });
    const first = await withLogs(() => audit(notification(), CONTEXT));
    expect(first.error).toMatchObject({ name: 'PutEventsFailedError' });
    expect(e.events.events).toEqual([]);
    const second = await withLogs(() => audit(notification(), CONTEXT));
    expect(second.error).toBeUndefined();
    const logs = [...first.logs, ...second.logs];
    expect(sum(logs, 'TasksStarted', M)).toBe(1);
    expect(sum(logs, 'ChecksExcluded', M)).toBe(1);
    expect(types()).toEqual(['Mitigation Task Started', 'Mitigation Checks Excluded']);
    expect(e.events.events[0].detail.alreadyStarted).toBe(true);
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('a dry run whose event was refused counts DryRunPlans once, after the retry', async () => {
    configureAudit({ AUDIT_MITIGATION_DRY_RUN: 'true' });
    seedAudit();
    e.events.injectFault({ kind: 'failedEntries' });
    const first = await withLogs(() => audit(notification(), CONTEXT));
    expect(first.error).toMatchObject({ name: 'PutEventsFailedError' });
    const second = await withLogs(() => audit(notification(), CONTEXT));
    expect(sum([...first.logs, ...second.logs], 'DryRunPlans', M)).toBe(1);
    expect(types()).toEqual(['Mitigation Dry Run']);
  });

  test('a permanent failure: PermanentFailures under [FunctionName] and [Mitigation], and a Mitigation Failed event', async () => {
    seedAudit();
    e.iot.injectFault({ kind: 'invalidRequest', operation: 'StartAuditMitigationActionsTask' });
    const { logs, error } = await withLogs(() => audit(notification(), CONTEXT));
    expect(error).toBeUndefined();
    expect(sum(logs, 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(sum(logs, 'PermanentFailures', M)).toBe(1);
    expect(sum(logs, 'TasksStarted', M)).toBe(0);
    expect(e.events.events).toEqual([expect.objectContaining({
      detailType: 'Mitigation Failed',
      detail: {
        mitigation: AUDIT_MITIGATION,
        kind: 'mitigation-failed',
        error: 'InvalidRequestException',
        message: expect.any(String),
        functionName: FUNCTION_NAME,
        taskId: TASK_ID,
        auditTaskId: AUDIT,
      },
    })]);
    // The permanent-failure log line is still there, once (the EMF line is another line).
    expect(logs.filter((l) => !('_aws' in l) && l.event === 'permanent-failure')).toHaveLength(1);
  });

  test('a configuration error: PermanentFailures under [FunctionName] (the alarm\'s metric) even without a mitigation name', async () => {
    configureAudit({ AUDIT_MITIGATION_RULES: undefined, AUDIT_MITIGATION_NAME: undefined });
    const { logs, error } = await withLogs(() => audit(notification(), CONTEXT));
    expect(error).toMatchObject({ name: 'ConfigError' });
    const points = datapointsOf(logs);
    expect(points).toEqual([{ namespace: 'CdkDeviceDefender', metric: 'PermanentFailures', value: 1, unit: 'Count', dimensions: { FunctionName: FUNCTION_NAME } }]);
    expect(e.events.events).toEqual([expect.objectContaining({ detailType: 'Mitigation Failed', detail: expect.objectContaining({ kind: 'config-error' }) })]);
  });
});

describe('AuditMitigation: reconciler', () => {
  test('an audit it starts counts TasksStarted and AuditsRecovered once; a second run adds nothing', async () => {
    seedAudit();
    const first = await withLogs(() => audit(scheduled, CONTEXT));
    const second = await withLogs(() => audit(scheduled, CONTEXT));
    const logs = [...first.logs, ...second.logs];
    expect(sum(logs, 'TasksStarted', M)).toBe(1);
    expect(sum(logs, 'AuditsRecovered', M)).toBe(1);
    expect(sum(logs, 'FindingsFound', M)).toBe(3);
    expect(types()).toEqual(['Mitigation Task Started']);
  });

  test('dry runs and excluded checks are neither counted nor put by the reconciler, however often it runs', async () => {
    configureAudit({ AUDIT_MITIGATION_DRY_RUN: 'true', AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '1' });
    seedAudit('audit-dry');
    seedAudit('audit-excluded', { DEVICE_CERTIFICATE_SHARED_CHECK: 5 });
    const first = await withLogs(() => audit(scheduled, CONTEXT));
    const second = await withLogs(() => audit(scheduled, CONTEXT));
    expect(first.result).toEqual(expect.arrayContaining([expect.objectContaining({ decision: 'dry-run' }), expect.objectContaining({ decision: 'nothing-to-start' })]));
    expect(datapointsOf([...first.logs, ...second.logs])).toEqual([]);
    expect(e.events.events).toEqual([]);
  });
});

describe('DetectMitigation', () => {
  const violations = ['violation-1', 'violation-2'];

  // The handler verifies each alert against the profile's active violations (ListActiveViolations).
  beforeEach(() => {
    e.iot.addSecurityProfile('chatty');
    for (const violationId of violations) {
      e.iot.addActiveViolation({ violationId, securityProfileName: 'chatty', thingName: `thing-${violationId}`, behavior: { name: 'MsgsSent' } });
    }
  });

  test('a started task: TasksStarted 1 and a Task Started event with the violations and actions', async () => {
    const { logs } = await withLogs(() => detect(sqs(violations)));
    const [started] = e.iot.detectMitigationTasks();
    expect(e.events.events).toEqual([expect.objectContaining({
      detailType: 'Mitigation Task Started',
      detail: { mitigation: DETECT_MITIGATION, taskKind: 'detect', taskId: started.taskId, violationIds: violations, actions: ['quarantine'], alreadyStarted: false },
    })]);
    expect(sum(logs, 'TasksStarted', { Mitigation: DETECT_MITIGATION })).toBe(1);
  });

  test('an event EventBridge refuses returns the task\'s records for redelivery (not the whole batch); the redelivery counts nothing twice and puts the event, alreadyStarted true', async () => {
    e.events.injectFault({ kind: 'failedEntries' });
    const event = sqs(violations);
    const first = await withLogs(() => detect(event));
    expect(first.error).toBeUndefined();
    expect(first.result?.batchItemFailures).toEqual(event.Records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(first.logs).toContainEqual(expect.objectContaining({ event: 'report-failed', error: 'PutEventsFailedError' }));
    const second = await withLogs(() => detect(sqs(violations)));
    expect(second.error).toBeUndefined();
    expect(second.result?.batchItemFailures).toEqual([]);
    expect(sum([...first.logs, ...second.logs], 'TasksStarted', { Mitigation: DETECT_MITIGATION })).toBe(1);
    expect(e.events.events.map((ev) => ev.detail.alreadyStarted)).toEqual([true]);
  });

  test('dry run: a Dry Run event and DryRunPlans 1', async () => {
    configureDetect({ DETECT_MITIGATION_DRY_RUN: 'true' });
    const { logs } = await withLogs(() => detect(sqs(violations)));
    expect(e.events.events).toEqual([expect.objectContaining({
      detailType: 'Mitigation Dry Run',
      detail: { mitigation: DETECT_MITIGATION, taskKind: 'detect', taskId: expect.stringMatching(/^dd00aa11bb22-/), violationIds: violations, actions: ['quarantine'] },
    })]);
    expect(sum(logs, 'DryRunPlans', { Mitigation: DETECT_MITIGATION })).toBe(1);
  });

  test('a permanent failure: PermanentFailures under [FunctionName] and [Mitigation], and a Mitigation Failed event', async () => {
    configureDetect({ DETECT_MITIGATION_ACTIONS: JSON.stringify(['no-such-action']) });
    const { logs } = await withLogs(() => detect(sqs(['violation-1'])));
    expect(sum(logs, 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(sum(logs, 'PermanentFailures', { Mitigation: DETECT_MITIGATION })).toBe(1);
    expect(e.events.events).toEqual([expect.objectContaining({
      detailType: 'Mitigation Failed',
      detail: expect.objectContaining({ mitigation: DETECT_MITIGATION, kind: 'mitigation-failed', error: 'InvalidRequestException', taskId: expect.any(String) }),
    })]);
  });
});

describe('AuditMitigationTask custom resource', () => {
  const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid';
  const MAPPING = { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify'] };
  const context = { getRemainingTimeInMillis: () => 600_000 };
  const findings = Array.from({ length: 30 }, (_, i) => `finding-${i}`);
  const props = (extra: Record<string, unknown> = {}) => ({ ServiceToken: 't', FindingIds: findings, AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'true', ...extra });
  const cfn = (RequestType: string, ResourceProperties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    RequestType,
    StackId: STACK_ID,
    RequestId: 'r',
    LogicalResourceId: 'Task',
    ResourceType: 'Custom::IotMitigationAuditTask',
    ServiceToken: 't',
    ResponseURL: 'http://127.0.0.1/unused',
    ResourceProperties,
    ...extra,
  }) as unknown as CloudFormationCustomResourceEvent;
  const TM = { Mitigation: 'Stack/Task' };

  beforeEach(() => {
    seedAudit();
    for (const findingId of findings) {
      e.iot.addAuditFinding({ findingId, taskId: AUDIT, checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', reasonForNonComplianceCode: 'X', isSuppressed: false });
    }
  });

  test('Create: TasksStarted per started task and a Task Started event per task; a repeated Create counts nothing again', async () => {
    const first = await withLogs(() => task(cfn('Create', props({ MitigationName: 'Stack/Task' })), context));
    expect(first.error).toBeUndefined();
    const ids = e.iot.auditMitigationTasks().map((t) => t.taskId);
    expect(ids).toHaveLength(2);
    expect(sum(first.logs, 'TasksStarted', TM)).toBe(2);
    expect(e.events.events.map((ev) => ev.detail)).toEqual(ids.map((taskId) => ({
      mitigation: 'Stack/Task', taskKind: 'audit', taskId, checks: MAPPING, alreadyStarted: false,
    })));
    const again = await withLogs(() => task(cfn('Create', props({ MitigationName: 'Stack/Task' })), context));
    expect(sum(again.logs, 'TasksStarted', TM)).toBe(0);
    expect(e.events.events.slice(2).map((ev) => [ev.detail.taskId, ev.detail.alreadyStarted])).toEqual(ids.map((id) => [id, true]));
  });

  test('with EventBusArn, the Task Started events go to that bus; an Update that only adds it starts nothing', async () => {
    e.events.addEventBus('mitigation-events');
    const EventBusArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/mitigation-events';
    const created = await withLogs(() => task(cfn('Create', props({ MitigationName: 'Stack/Task', EventBusArn })), context));
    expect(created.error).toBeUndefined();
    expect(e.events.events.map((ev) => ev.eventBusName)).toEqual(['mitigation-events', 'mitigation-events']);
    const physical = (created.result as { PhysicalResourceId: string }).PhysicalResourceId;
    const updated = await withLogs(() => task(cfn('Update', props({ MitigationName: 'Stack/Task', EventBusArn }),
      { PhysicalResourceId: physical, OldResourceProperties: props({ MitigationName: 'Stack/Task' }) }), context));
    expect(updated.error).toBeUndefined();
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });

  test('an Update whose only change is the new MitigationName property starts nothing and emits nothing', async () => {
    const created = await withLogs(() => task(cfn('Create', props()), context));
    const { PhysicalResourceId } = created.result!;
    e.events.reset();
    e.events.allowedSources = [EVENT_SOURCE];
    const requests = e.iot.requestsFor('StartAuditMitigationActionsTask').length;
    const updated = await withLogs(() => task(cfn('Update', props({ MitigationName: 'Stack/Task' }), {
      PhysicalResourceId, OldResourceProperties: props(),
    }), context));
    expect(updated.result?.PhysicalResourceId).toBe(PhysicalResourceId);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(requests);
    expect(datapointsOf(updated.logs)).toEqual([]);
    expect(e.events.events).toEqual([]);
  });

  test('an event EventBridge refuses fails the request, and cancels nothing (the tasks started)', async () => {
    e.events.injectFault({ kind: 'failedEntries' });
    const { error, logs } = await withLogs(() => task(cfn('Create', props({ MitigationName: 'Stack/Task' })), context));
    expect(error).toMatchObject({ name: 'PutEventsFailedError' });
    expect(sum(logs, 'TasksStarted', TM)).toBe(2);
    expect(e.iot.requestsFor('CancelAuditMitigationActionsTask')).toHaveLength(0);
  });
});
