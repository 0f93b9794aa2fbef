import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  customResourceEvent, datapointsOf, Emulators, metricSum, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs,
} from './harness';
import type * as HandlerModule from '../../src/handlers/audit-mitigation-task.lambda';
import { workTaskIdPrefix } from '../../src/handlers/shared/targets';
import { expectNoViolations } from '../emulator/iot-emulator';

let handler: typeof HandlerModule.handler;
let lambda: typeof HandlerModule;
let e: Emulators;

const AUDIT = 'a1b2c3d4e5f6';
const MAPPING = { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify', 'deactivate'] };
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid';

function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return customResourceEvent({ type: 'Custom::IotMitigationAuditTask', logicalId: 'Task', stackId: STACK_ID }, type,
    { AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'false', ...props }, extra);
}

const findingIds = (n: number) => Array.from({ length: n }, (_, i) => `finding-${i}`);

function seedFindings(ids: string[], options: { suppressed?: string[]; reason?: (id: string) => string } = {}) {
  for (const findingId of ids) {
    e.iot.addAuditFinding({
      findingId,
      taskId: AUDIT,
      checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK',
      reasonForNonComplianceCode: options.reason?.(findingId) ?? 'CERTIFICATE_PAST_EXPIRATION',
      isSuppressed: options.suppressed?.includes(findingId) ?? false,
    });
  }
}

beforeAll(async () => {
  e = await startEmulators();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lambda = require('../../src/handlers/audit-mitigation-task.lambda');
  handler = lambda.handler;
});
afterAll(() => stopEmulators(e));

beforeEach(() => {
  e.iot.reset();
  e.iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
  e.iot.addMitigationAction({ actionName: 'deactivate', actionType: 'UPDATE_DEVICE_CERTIFICATE' });
  e.iot.addAuditTask({ taskId: AUDIT, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_EXPIRING_CHECK: { nonCompliantResourcesCount: 60 } } });
});

// Every request sent (at most 25 finding ids, at most 5 actions per check, id patterns) satisfies the API model.
afterEach(() => expectNoViolations(e.iot));

/** A Lambda context with `ms` milliseconds left (the handler's 10 minutes unless a test says otherwise). */
function contextWith(ms = 600_000) {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}

async function run(ev: CloudFormationCustomResourceEvent) {
  const { result, error, logs } = await withLogs(() => handler(ev, contextWith()));
  if (error) { throw error; }
  return { ...result!, logs };
}

describe('Create', () => {
  test('auditTask target: one task for the whole audit; its id is returned', async () => {
    const { PhysicalResourceId, Data } = await run(event('Create', { AuditTaskId: AUDIT }));
    const tasks = e.iot.auditMitigationTasks();
    expect(tasks).toEqual([expect.objectContaining({ target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: MAPPING })]);
    expect(Data).toEqual({ TaskIds: tasks[0].taskId, TaskCount: '1' });
    expect(PhysicalResourceId).toMatch(/^dd[0-9a-f]{10}:1$/);
    expect(tasks[0].taskId).toBe(`${PhysicalResourceId.split(':')[0]}-0`);
  });

  test('findings target: 60 findings become tasks of 25, 25 and 10', async () => {
    seedFindings(findingIds(60));
    const { Data } = await run(event('Create', { FindingIds: findingIds(60) }));
    const tasks = e.iot.auditMitigationTasks();
    expect(tasks.map((t) => t.target.findingIds!.length)).toEqual([25, 25, 10]);
    expect(tasks.flatMap((t) => t.target.findingIds)).toEqual(findingIds(60));
    expect(Data!.TaskIds.split(',')).toEqual(tasks.map((t) => t.taskId));
    expect(Data!.TaskCount).toBe('3');
  });

  test('reasonCodes target: only unsuppressed findings of the audit with a matching reason code, paged through', async () => {
    const ids = findingIds(300);
    seedFindings(ids, {
      suppressed: ['finding-1', 'finding-2'],
      reason: (id) => (Number(id.split('-')[1]) % 3 === 0 ? 'CERTIFICATE_APPROACHING_EXPIRATION' : 'CERTIFICATE_PAST_EXPIRATION'),
    });
    await run(event('Create', {
      AuditTaskId: AUDIT,
      ReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['CERTIFICATE_PAST_EXPIRATION'] },
    }));
    const expected = ids.filter((id) => Number(id.split('-')[1]) % 3 !== 0 && !['finding-1', 'finding-2'].includes(id));
    const tasks = e.iot.auditMitigationTasks();
    expect(tasks.flatMap((t) => t.target.findingIds).sort()).toEqual(expected.sort());
    expect(Math.max(...tasks.map((t) => t.target.findingIds!.length))).toBe(25);
    const listings = e.iot.requestsFor('ListAuditFindings');
    expect(listings.length).toBeGreaterThan(1);
    for (const request of listings) {
      expect(request.body).toMatchObject({ taskId: AUDIT, checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', listSuppressedFindings: false });
    }
  });

  test('a filter that matches nothing starts nothing and succeeds', async () => {
    const { Data } = await run(event('Create', { AuditTaskId: AUDIT, ReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['NONE_SUCH'] } }));
    expect(Data).toEqual({ TaskIds: '', TaskCount: '0' });
    expect(e.iot.auditMitigationTasks()).toHaveLength(0);
  });

  test('a retried Create request (same RequestId) starts no second set of tasks', async () => {
    seedFindings(findingIds(30));
    const create = event('Create', { FindingIds: findingIds(30) });
    const first = await run(create);
    const second = await run(create);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });

  test('throttling is retried by the SDK: still one task', async () => {
    for (const kind of ['throttle429', 'limitExceeded410', 'internalFailure500'] as const) {
      e.iot.injectFault({ kind, operation: 'StartAuditMitigationActionsTask' });
    }
    await run(event('Create', { AuditTaskId: AUDIT }));
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('more tasks than fit in the response: refused before anything starts', async () => {
    const ids = findingIds(4001);
    await expect(withLogs(() => handler(event('Create', { FindingIds: ids }), contextWith()))).resolves.toMatchObject({
      error: expect.objectContaining({ message: expect.stringMatching(/161 tasks would be needed \(4000 findings at most.*No task was started/) }),
    });
    expect(e.iot.requests).toHaveLength(0);
  });

  test('a failure part-way fails the Create and, with cancelOnDelete, cancels what it started', async () => {
    // finding-25..49 do not exist: the second task's request is refused for good (InvalidRequest).
    seedFindings(findingIds(25));
    const { error } = await withLogs(() => handler(event('Create', { FindingIds: findingIds(50), CancelOnDelete: 'true' }), contextWith()));
    expect(error).toMatchObject({ name: 'InvalidRequestException' });
    const tasks = e.iot.auditMitigationTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0].taskStatus).toBe('CANCELED');
  });
});

describe('Update', () => {
  test('unchanged target and rules (only cancelOnDelete changed): same physical id, no new task', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT }));
    const updated = await run(event('Update', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }, {
      PhysicalResourceId: created.PhysicalResourceId,
      OldResourceProperties: { ServiceToken: 'token', AuditTaskId: AUDIT, AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'false' },
    }));
    expect(updated).toMatchObject({ PhysicalResourceId: created.PhysicalResourceId, Data: created.Data });
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  });

  test('a new target starts new tasks under a new physical id', async () => {
    seedFindings(findingIds(5));
    const created = await run(event('Create', { AuditTaskId: AUDIT }));
    const updated = await run(event('Update', { FindingIds: findingIds(5) }, {
      PhysicalResourceId: created.PhysicalResourceId,
      OldResourceProperties: { ServiceToken: 'token', AuditTaskId: AUDIT, AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'false' },
    }));
    expect(updated.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(e.iot.auditMitigationTasks().map((t) => t.target)).toEqual([{ auditTaskId: AUDIT }, { findingIds: findingIds(5) }]);
  });

  test('new rules on the same target start new tasks too', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT }));
    await run(event('Update', { AuditTaskId: AUDIT, AuditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify'] } }, {
      PhysicalResourceId: created.PhysicalResourceId,
      OldResourceProperties: { ServiceToken: 'token', AuditTaskId: AUDIT, AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'false' },
    }));
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });
});

describe('Delete', () => {
  test('with cancelOnDelete: cancels the tasks still in progress, leaves finished ones alone', async () => {
    seedFindings(findingIds(30));
    const created = await run(event('Create', { FindingIds: findingIds(30), CancelOnDelete: 'true' }));
    const [first, second] = e.iot.auditMitigationTasks();
    e.iot.setAuditMitigationTaskStatus(first.taskId, 'COMPLETED');
    const deleted = await run(event('Delete', { FindingIds: findingIds(30), CancelOnDelete: 'true' }, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted.PhysicalResourceId).toBe(created.PhysicalResourceId);
    const status = Object.fromEntries(e.iot.auditMitigationTasks().map((t) => [t.taskId, t.taskStatus]));
    expect(status).toEqual({ [first.taskId]: 'COMPLETED', [second.taskId]: 'CANCELED' });
    expect(e.iot.requestsFor('CancelAuditMitigationActionsTask')).toHaveLength(2);
  });

  test('without cancelOnDelete: the tasks keep running', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT }));
    await run(event('Delete', { AuditTaskId: AUDIT }, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(e.iot.requestsFor('CancelAuditMitigationActionsTask')).toHaveLength(0);
    expect(e.iot.auditMitigationTasks()[0].taskStatus).toBe('IN_PROGRESS');
  });

  test('after a failed Create (no tasks, a physical id the handler never issued): succeeds without calls', async () => {
    const deleted = await run(event('Delete', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }, { PhysicalResourceId: 'request-failed-create' }));
    expect(deleted.PhysicalResourceId).toBe('request-failed-create');
    expect(e.iot.requests).toHaveLength(0);
  });

  test('never fails the stack, even when AWS IoT keeps failing', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }));
    e.iot.injectFault({ kind: 'internalFailure500', operation: 'CancelAuditMitigationActionsTask', times: Infinity });
    const { error, logs } = await withLogs(() => handler(event('Delete', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }, {
      PhysicalResourceId: created.PhysicalResourceId,
    }), contextWith()));
    expect(error).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', event: 'cancel-failed', error: 'InternalFailureException' }));
  });

  test('is idempotent: a second Delete of cancelled tasks succeeds', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }));
    const del = event('Delete', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }, { PhysicalResourceId: created.PhysicalResourceId });
    await run(del);
    const { error, logs } = await withLogs(() => handler(del, contextWith()));
    expect(error).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({ event: 'not-cancelled', error: 'InvalidRequestException' }));
  });
});

describe('every permanent failure is reported (metric, event, report topic)', () => {
  const FUNCTION_NAME = 'task-handler';
  const reported = { AuditTaskId: AUDIT, CancelOnDelete: 'true', MitigationName: 'Stack/Expired', ReportTopicArn: REPORT_TOPIC };

  beforeEach(() => {
    resetEmulators(e);
    e.iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    e.iot.addMitigationAction({ actionName: 'deactivate', actionType: 'UPDATE_DEVICE_CERTIFICATE' });
    e.iot.addAuditTask({ taskId: AUDIT, scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_EXPIRING_CHECK: { nonCompliantResourcesCount: 60 } } });
    setEnv({ AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME });
  });
  afterEach(() => setEnv({ AWS_LAMBDA_FUNCTION_NAME: undefined }));

  test('a Delete whose cancel AWS IoT refuses (AccessDenied): PermanentFailures, a Mitigation Failed event and a report; the Delete succeeds', async () => {
    const created = await run(event('Create', reported));
    e.iot.injectFault({ kind: 'accessDenied403', operation: 'CancelAuditMitigationActionsTask' });
    const deleted = await run(event('Delete', reported, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted.PhysicalResourceId).toBe(created.PhysicalResourceId);
    const points = datapointsOf(deleted.logs);
    expect(metricSum(points, 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(metricSum(points, 'PermanentFailures', { Mitigation: 'Stack/Expired' })).toBe(1);
    const taskIds = created.Data!.TaskIds.split(',');
    expect(e.events.eventsOfType('Mitigation Failed').map((ev) => ev.detail)).toEqual([{
      mitigation: 'Stack/Expired', kind: 'tasks-not-cancelled', error: 'AccessDeniedException', message: expect.any(String), functionName: FUNCTION_NAME,
    }]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([expect.objectContaining({ event: 'permanent-failure', kind: 'tasks-not-cancelled', taskIds })]);
    expect(e.iot.auditMitigationTasks()[0].taskStatus).toBe('IN_PROGRESS');
  });

  test('a report that cannot be sent never fails the Delete: logged as report-failed, after the datapoint', async () => {
    const created = await run(event('Create', reported));
    e.iot.injectFault({ kind: 'accessDenied403', operation: 'CancelAuditMitigationActionsTask' });
    e.sns.injectFault({ kind: 'internalError', times: Infinity });
    e.events.injectFault({ kind: 'failedEntries', times: Infinity });
    const { error, logs } = await withLogs(() => handler(event('Delete', reported, { PhysicalResourceId: created.PhysicalResourceId }), contextWith()));
    expect(error).toBeUndefined();
    expect(metricSum(datapointsOf(logs), 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(logs.filter((l) => l.event === 'report-failed').map((l) => l.channel).sort()).toEqual(['events', 'report-topic']);
  });

  test('a Create that fails is reported, and fails the request', async () => {
    e.iot.injectFault({ kind: 'invalidRequest', operation: 'StartAuditMitigationActionsTask' });
    const { error, logs } = await withLogs(() => handler(event('Create', reported), contextWith()));
    expect(error).toMatchObject({ name: 'InvalidRequestException' });
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({ kind: 'request-failed', requestType: 'Create' })]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toHaveLength(1);
    expect(e.events.eventsOfType('Mitigation Failed')).toHaveLength(1);
  });

  test('the report properties change no work: adding them to a resource starts nothing', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT }));
    const updated = await run(event('Update', reported, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: { AuditTaskId: AUDIT } }));
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(e.iot.requestsFor('StartAuditMitigationActionsTask')).toHaveLength(1);
  });
});

describe('task ids derive from the work, not the request', () => {
  const A = { AuditTaskId: AUDIT };
  const B = { FindingIds: findingIds(5) };
  const props = (p: Record<string, unknown>, cancelOnDelete = 'true') =>
    ({ ServiceToken: 'token', AuditCheckToActionsMapping: MAPPING, CancelOnDelete: cancelOnDelete, ...p });
  const update = (from: { PhysicalResourceId: string }, oldProps: Record<string, unknown>, newProps: Record<string, unknown>) =>
    run(event('Update', props(newProps), { PhysicalResourceId: from.PhysicalResourceId, OldResourceProperties: props(oldProps) }));
  const starts = () => e.iot.requestsFor('StartAuditMitigationActionsTask').filter((r) => r.response.status === 200).length;

  test('Create A, Update A -> B, rollback Update B -> A: exactly two tasks; a repeated Update starts nothing', async () => {
    seedFindings(findingIds(5));
    // GIVEN a resource created with work A and updated to work B
    const a = await run(event('Create', props(A)));
    const b = await update(a, A, B);
    expect(b.PhysicalResourceId).not.toBe(a.PhysicalResourceId);
    expect(starts()).toBe(2);

    // WHEN CloudFormation rolls the update back (Update B -> A, with B's physical id)
    const rolledBack = await update(b, B, A);

    // THEN A's tasks are found, nothing starts, and the physical id is A's again
    expect(rolledBack).toMatchObject({ PhysicalResourceId: a.PhysicalResourceId, Data: a.Data });
    expect(e.iot.auditMitigationTasks().map((t) => t.target)).toEqual([{ auditTaskId: AUDIT }, { findingIds: findingIds(5) }]);
    expect(starts()).toBe(2);
    expect(rolledBack.logs).toContainEqual(expect.objectContaining({ event: 'already-exists', taskId: a.Data!.TaskIds }));

    // AND CloudFormation's cleanup deletes B: with cancelOnDelete only B's task is cancelled
    await run(event('Delete', props(B), { PhysicalResourceId: b.PhysicalResourceId }));
    const status = Object.fromEntries(e.iot.auditMitigationTasks().map((t) => [t.taskId, t.taskStatus]));
    expect(status).toEqual({ [a.Data!.TaskIds]: 'IN_PROGRESS', [b.Data!.TaskIds]: 'CANCELED' });

    // AND a later Update to B again, and one back to A, start nothing either
    const again = await update(a, A, B);
    expect(again.PhysicalResourceId).toBe(b.PhysicalResourceId);
    expect((await update(again, B, A)).PhysicalResourceId).toBe(a.PhysicalResourceId);
    expect(starts()).toBe(2);
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });

  test('after a successful Update A -> B, deleting A cancels only A\'s tasks', async () => {
    seedFindings(findingIds(5));
    const a = await run(event('Create', props(A)));
    const b = await update(a, A, B);
    await run(event('Delete', props(A), { PhysicalResourceId: a.PhysicalResourceId }));
    const status = Object.fromEntries(e.iot.auditMitigationTasks().map((t) => [t.taskId, t.taskStatus]));
    expect(status).toEqual({ [a.Data!.TaskIds]: 'CANCELED', [b.Data!.TaskIds]: 'IN_PROGRESS' });
    // And starting A over needs a runId (A's task exists, cancelled or not)
    await update(b, B, A);
    expect(starts()).toBe(2);
  });

  test('a new runId re-runs the same work; removing it again starts nothing', async () => {
    const first = await run(event('Create', props(A)));
    const rerun = await update(first, A, { ...A, RunId: '2025-06-01' });
    expect(rerun.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
    expect(e.iot.auditMitigationTasks().map((t) => t.target)).toEqual([{ auditTaskId: AUDIT }, { auditTaskId: AUDIT }]);
    const back = await update(rerun, { ...A, RunId: '2025-06-01' }, A);
    expect(back.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(starts()).toBe(2);
  });

  test('finding ids in another order are the same work: the Update starts nothing and keeps the physical id', async () => {
    seedFindings(findingIds(30));
    const created = await run(event('Create', props({ FindingIds: findingIds(30) })));
    const updated = await update(created, { FindingIds: findingIds(30) }, { FindingIds: [...findingIds(30)].reverse() });
    expect(updated).toMatchObject({ PhysicalResourceId: created.PhysicalResourceId, Data: created.Data });
    expect(e.iot.auditMitigationTasks()).toHaveLength(2);
  });

  test('a Create retried with a new RequestId after failing part-way starts only the tasks that did not start', async () => {
    // GIVEN finding-25..29 missing: the first Create starts task 0 and fails on task 1
    seedFindings(findingIds(25));
    const { error } = await withLogs(() => handler(event('Create', props({ FindingIds: findingIds(30) }, 'false')), contextWith()));
    expect(error).toMatchObject({ name: 'InvalidRequestException' });
    // WHEN the findings exist and CloudFormation creates the resource again
    seedFindings(findingIds(30).slice(25));
    const created = await run(event('Create', props({ FindingIds: findingIds(30) }, 'false')));
    // THEN task 0 is not started a second time
    expect(e.iot.auditMitigationTasks().map((t) => t.taskId)).toEqual(created.Data!.TaskIds.split(','));
    expect(starts()).toBe(2);
  });

  test('a task id taken with another token (an expired idempotency token) counts as started once Describe finds it', async () => {
    const prefix = workTaskIdPrefix(STACK_ID, 'Task', { target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: MAPPING });
    const client = new IoTClient({});
    await client.send(new StartAuditMitigationActionsTaskCommand({
      taskId: `${prefix}-0`, target: { auditTaskId: AUDIT }, auditCheckToActionsMapping: MAPPING, clientRequestToken: 'another-token',
    }));
    const created = await run(event('Create', props(A)));
    expect(created.PhysicalResourceId).toBe(`${prefix}:1`);
    expect(e.iot.auditMitigationTasks()).toEqual([expect.objectContaining({ taskId: `${prefix}-0`, clientRequestToken: 'another-token' })]);
    expect(e.iot.requestsFor('DescribeAuditMitigationActionsTask')).toHaveLength(1);
    expect(created.logs).toContainEqual(expect.objectContaining({ event: 'already-exists', taskId: `${prefix}-0` }));
  });
});

describe('properties are validated', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['no target', {}, 'invalid property AuditTaskId undefined: one of AuditTaskId and FindingIds is required'],
    ['a bad audit id', { AuditTaskId: 'not_an_audit' }, 'invalid property AuditTaskId "not_an_audit": must match [a-zA-Z0-9-]{1,40}'],
    ['finding ids as a string', { FindingIds: 'f1,f2' }, 'invalid property FindingIds "f1,f2": must be a non-empty list'],
    ['an empty finding list', { FindingIds: [] }, 'invalid property FindingIds []: must be a non-empty list'],
    ['a bad finding id', { FindingIds: ['ok', 'not ok'] }, 'invalid property FindingIds[] "not ok": must match [a-zA-Z0-9_-]{1,128}'],
    ['both kinds of target', { AuditTaskId: AUDIT, FindingIds: ['f1'] }, `invalid property AuditTaskId "${AUDIT}": must not be set together with FindingIds`],
    ['a filter without audit', { FindingIds: ['f1'], ReasonCodeFilter: { C: ['A'] } }, 'invalid property ReasonCodeFilter {"C":["A"]}: needs AuditTaskId'],
    ['a bad reason code', { AuditTaskId: AUDIT, ReasonCodeFilter: { C: ['lower'] } }, 'invalid property ReasonCodeFilter.C[] "lower": must match [A-Z0-9_]{1,128}'],
    ['an empty filter', { AuditTaskId: AUDIT, ReasonCodeFilter: {} }, 'invalid property ReasonCodeFilter {}: must map at least one audit check to a list'],
    ['no mapping', { AuditTaskId: AUDIT, AuditCheckToActionsMapping: undefined }, 'invalid property AuditCheckToActionsMapping undefined: must map at least one audit check to a list'],
    ['six actions', { AuditTaskId: AUDIT, AuditCheckToActionsMapping: { C: ['a', 'b', 'c', 'd', 'e', 'f'] } },
      'invalid property AuditCheckToActionsMapping.C ["a","b","c","d","e","f"]: must be a list of 1 to 5 values'],
    ['a bad CancelOnDelete', { AuditTaskId: AUDIT, CancelOnDelete: 'yes' }, 'invalid property CancelOnDelete "yes": must be "true" or "false"'],
    ['a bad RunId', { AuditTaskId: AUDIT, RunId: 'run 1' }, 'invalid property RunId "run 1": must match [a-zA-Z0-9._-]{1,64}'],
  ])('%s', (_what, overrides, message) => {
    const raw = { ServiceToken: 'token', AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'false', ...overrides };
    expect(() => lambda.parseProps(raw, 'Task')).toThrow(`AuditMitigationTask Task: ${message}`);
  });

  test('parses what the construct sends', () => {
    expect(lambda.parseProps({
      ServiceToken: 't',
      AuditTaskId: AUDIT,
      ReasonCodeFilter: { C: ['A'] },
      AuditCheckToActionsMapping: MAPPING,
      CancelOnDelete: 'true',
      RunId: 'r1',
    }, 'Task')).toEqual({
      target: { auditTaskId: AUDIT, findingIds: undefined, reasonCodeFilter: { C: ['A'] } },
      auditCheckToActionsMapping: MAPPING,
      cancelOnDelete: true,
      runId: 'r1',
    });
  });

  test('a Create with invalid properties fails before any call, naming the property', async () => {
    const { error } = await withLogs(() => handler(event('Create', { FindingIds: 'f1' }), contextWith()));
    expect(error).toMatchObject({ message: expect.stringContaining('AuditMitigationTask Task: invalid property FindingIds "f1"') });
    expect(e.iot.requests).toHaveLength(0);
  });
});

describe('Delete with a deadline', () => {
  const MARGIN = 10_000;

  /** Creates a resource with `count` tasks of 25 findings each, cancelled on delete. */
  async function createWithTasks(count: number) {
    seedFindings(findingIds(count * 25));
    return run(event('Create', { FindingIds: findingIds(count * 25), CancelOnDelete: 'true' }));
  }

  /** The most Cancel requests in flight at once, from their arrival times and the emulator's latency. */
  function peakConcurrency(latencyMs: number): number {
    const times = e.iot.requestsFor('CancelAuditMitigationActionsTask').map((r) => r.time);
    return Math.max(...times.map((t) => times.filter((u) => u <= t && u > t - latencyMs + 20).length));
  }

  test('slow responses: cancels a few at a time, stops before the deadline, reports what it did not cancel, succeeds', async () => {
    const created = await createWithTasks(40);
    e.iot.setLatency('CancelAuditMitigationActionsTask', 300);
    const began = Date.now();
    const { result, error, logs } = await withLogs(() => handler(event('Delete', { FindingIds: findingIds(1000), CancelOnDelete: 'true' }, {
      PhysicalResourceId: created.PhysicalResourceId,
    }), contextWith(MARGIN + 1_000)));
    const elapsed = Date.now() - began;

    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId: created.PhysicalResourceId });
    // Its budget was 1 s; the slack is for a loaded machine (cancelling one by one takes 12 s).
    expect(elapsed).toBeLessThan(2_000);
    expect(peakConcurrency(300)).toBeGreaterThan(1);
    expect(peakConcurrency(300)).toBeLessThanOrEqual(5);
    const inProgress = e.iot.auditMitigationTasks().filter((t) => t.taskStatus === 'IN_PROGRESS').map((t) => t.taskId);
    expect(inProgress.length).toBeGreaterThan(0);
    expect(inProgress.length).toBeLessThan(40);
    const report = logs.find((l) => l.event === 'permanent-failure');
    expect(report).toMatchObject({ level: 'ERROR', kind: 'tasks-not-cancelled' });
    // Every task left running is reported; a reported task that did get cancelled was in flight
    // when time ran out (its answer never arrived).
    expect(report!.taskIds).toEqual(expect.arrayContaining(inProgress));
    const reportedButCancelled = (report!.taskIds as string[]).filter((id) => !inProgress.includes(id));
    expect(report!.unfinished).toEqual(expect.arrayContaining(reportedButCancelled));
    expect((report!.notStarted as string[]).length).toBeGreaterThan(0);
  });

  test('throttling: each cancel is tried 3 times at most, and Delete still answers in time', async () => {
    const created = await createWithTasks(12);
    e.iot.injectFault({ kind: 'throttle429', operation: 'CancelAuditMitigationActionsTask', times: Infinity });
    const began = Date.now();
    const { error, logs } = await withLogs(() => handler(event('Delete', { CancelOnDelete: 'true' }, {
      PhysicalResourceId: created.PhysicalResourceId,
    }), contextWith(MARGIN + 2_500)));
    expect(error).toBeUndefined();
    // Its budget was 2.5 s; with 8 attempts each, one by one, it takes minutes.
    expect(Date.now() - began).toBeLessThan(4_000);
    const attempts = new Map<string, number>();
    for (const r of e.iot.requestsFor('CancelAuditMitigationActionsTask')) {
      const taskId = decodeURIComponent(r.path.split('/')[4]);
      attempts.set(taskId, (attempts.get(taskId) ?? 0) + 1);
    }
    expect(Math.max(...attempts.values())).toBeLessThanOrEqual(3);
    expect(e.iot.auditMitigationTasks().every((t) => t.taskStatus === 'IN_PROGRESS')).toBe(true);
    const report = logs.find((l) => l.event === 'permanent-failure');
    expect(report).toMatchObject({ level: 'ERROR', kind: 'tasks-not-cancelled' });
    expect([...(report!.taskIds as string[])].sort()).toEqual(created.Data!.TaskIds.split(',').sort());
    // Let the abandoned retries settle before the next test resets the emulator.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
});
