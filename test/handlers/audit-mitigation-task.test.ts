import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Emulators, startEmulators, stopEmulators, withLogs } from './harness';
import { expectNoViolations } from '../emulator/iot-emulator';

type Handler = typeof import('../../src/handlers/audit-mitigation-task.lambda').handler;
let handler: Handler;
let e: Emulators;

const AUDIT = 'a1b2c3d4e5f6';
const MAPPING = { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify', 'deactivate'] };
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid';

let requestCounter = 0;

function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  requestCounter += 1;
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: STACK_ID,
    RequestId: `request-${requestCounter}`,
    LogicalResourceId: 'Task',
    ResourceType: 'Custom::IotMitigationAuditTask',
    ResourceProperties: { ServiceToken: 'token', AuditCheckToActionsMapping: MAPPING, CancelOnDelete: 'false', ...props },
    ...extra,
  } as CloudFormationCustomResourceEvent;
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
  handler = require('../../src/handlers/audit-mitigation-task.lambda').handler;
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

async function run(ev: CloudFormationCustomResourceEvent) {
  const { result, error, logs } = await withLogs(() => handler(ev));
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
    await expect(withLogs(() => handler(event('Create', { FindingIds: ids })))).resolves.toMatchObject({
      error: expect.objectContaining({ message: expect.stringMatching(/161 tasks would be needed \(4000 findings at most.*No task was started/) }),
    });
    expect(e.iot.requests).toHaveLength(0);
  });

  test('a failure part-way fails the Create and, with cancelOnDelete, cancels what it started', async () => {
    // finding-25..49 do not exist: the second task's request is refused for good (InvalidRequest).
    seedFindings(findingIds(25));
    const { error } = await withLogs(() => handler(event('Create', { FindingIds: findingIds(50), CancelOnDelete: 'true' })));
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
    })));
    expect(error).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', event: 'cancel-failed', error: 'InternalFailureException' }));
  });

  test('is idempotent: a second Delete of cancelled tasks succeeds', async () => {
    const created = await run(event('Create', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }));
    const del = event('Delete', { AuditTaskId: AUDIT, CancelOnDelete: 'true' }, { PhysicalResourceId: created.PhysicalResourceId });
    await run(del);
    const { error, logs } = await withLogs(() => handler(del));
    expect(error).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({ event: 'not-cancelled', error: 'InvalidRequestException' }));
  });
});
