import * as http from 'node:http';
import {
  CancelAuditMitigationActionsTaskCommand,
  CancelDetectMitigationActionsTaskCommand,
  DescribeAuditMitigationActionsTaskCommand,
  DescribeAuditTaskCommand,
  DescribeDetectMitigationActionsTaskCommand,
  DescribeMitigationActionCommand,
  InternalFailureException,
  InvalidRequestException,
  IoTClient,
  IoTClientConfig,
  IoTServiceException,
  LimitExceededException,
  ListAuditFindingsCommand,
  ListAuditMitigationActionsExecutionsCommand,
  ListAuditMitigationActionsTasksCommand,
  ListAuditTasksCommand,
  ListDetectMitigationActionsTasksCommand,
  ListThingsCommand,
  paginateListAuditFindings,
  paginateListAuditMitigationActionsTasks,
  ResourceNotFoundException,
  ServiceUnavailableException,
  StartAuditMitigationActionsTaskCommand,
  StartAuditMitigationActionsTaskCommandInput,
  StartDetectMitigationActionsTaskCommand,
  StartDetectMitigationActionsTaskCommandInput,
  TaskAlreadyExistsException,
  ThrottlingException,
} from '@aws-sdk/client-iot';
import { expectNoViolations, FaultKind, IotEmulator } from './iot-emulator';
import {
  actionTypeAllowedForCheck,
  AUDIT_CHECK_NAMES,
  checkListAuditFindings,
  checkStartAuditMitigationActionsTask,
  checkStartDetectMitigationActionsTask,
  matchOperation,
  parseQueryTimestamp,
} from './iot-model';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const ago = (ms: number): Date => new Date(Date.now() - ms);
const later = (ms: number): Date => new Date(Date.now() + ms);

let emulator: IotEmulator;
let client: IoTClient;
const clients: IoTClient[] = [];

function newClient(extra: Partial<IoTClientConfig> = {}): IoTClient {
  const c = new IoTClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    ...extra,
  });
  clients.push(c);
  return c;
}

/** Sends a hand-built request (for shapes the SDK would never produce). */
function rawRequest(method: string, path: string, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(path, emulator.endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Awaits a rejection and returns the error (fails the test when the promise resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function seedAudit(): void {
  emulator.addMitigationAction({ actionName: 'deactivate-cert', actionType: 'UPDATE_DEVICE_CERTIFICATE' });
  emulator.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
  emulator.addMitigationAction({ actionName: 'quarantine', actionType: 'ADD_THINGS_TO_THING_GROUP' });
  emulator.addMitigationAction({ actionName: 'blank-policy', actionType: 'REPLACE_DEFAULT_POLICY_VERSION' });
  emulator.addAuditTask({
    taskId: 'audit-1',
    taskStartTime: ago(2 * HOUR),
    checks: {
      DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 2, totalResourcesCount: 40, suppressedNonCompliantResourcesCount: 1 },
      LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 0, totalResourcesCount: 1 },
    },
  });
  const sharedCertFinding = (findingId: string, certificateId: string, extra: { severity?: string; isSuppressed?: boolean } = {}): void =>
    emulator.addAuditFinding({
      findingId,
      taskId: 'audit-1',
      checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: certificateId } },
      ...extra,
    });
  sharedCertFinding('f-1', 'cert-1', { severity: 'CRITICAL' });
  sharedCertFinding('f-2', 'cert-2');
  sharedCertFinding('f-3', 'cert-3', { isSuppressed: true });
}

const startAudit = (overrides: Partial<StartAuditMitigationActionsTaskCommandInput> = {}): StartAuditMitigationActionsTaskCommand =>
  new StartAuditMitigationActionsTaskCommand({
    taskId: 'mitigate-1',
    target: { auditTaskId: 'audit-1' },
    auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate-cert'] },
    clientRequestToken: 'token-1',
    ...overrides,
  });

const startDetect = (overrides: Partial<StartDetectMitigationActionsTaskCommandInput> = {}): StartDetectMitigationActionsTaskCommand =>
  new StartDetectMitigationActionsTaskCommand({
    taskId: 'detect-1',
    target: { securityProfileName: 'fleet', behaviorName: 'msgs-out' },
    actions: ['quarantine'],
    clientRequestToken: 'detect-token-1',
    ...overrides,
  });

beforeAll(async () => {
  emulator = await IotEmulator.start({ seed: 7 });
});

afterAll(async () => {
  await emulator.stop();
});

beforeEach(() => {
  emulator.reset();
  client = newClient();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('wire format', () => {
  test('StartAuditMitigationActionsTask arrives as a signed POST with the body the model expects', async () => {
    seedAudit();
    const out = await client.send(startAudit());

    expect(out.taskId).toBe('mitigate-1');
    const [req] = emulator.requestsFor('StartAuditMitigationActionsTask');
    expect(req).toMatchObject({
      method: 'POST',
      path: '/audit/mitigationactions/tasks/mitigate-1',
      body: {
        target: { auditTaskId: 'audit-1' },
        auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'deactivate-cert'] },
        clientRequestToken: 'token-1',
      },
      response: { status: 200 },
    });
    expect(String(req.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/iot\/aws4_request/);
    expectNoViolations(emulator);
  });

  test('query timestamps are ISO 8601 date-times; body timestamps are epoch seconds', async () => {
    seedAudit();
    const start = new Date(Date.now() - DAY + 123);
    const end = new Date(Date.now() + 456);
    await client.send(new ListAuditTasksCommand({ startTime: start, endTime: end, maxResults: 5 }));
    await client.send(new ListAuditFindingsCommand({ startTime: start, endTime: end }));

    const [list] = emulator.requestsFor('ListAuditTasks');
    expect(list.query).toEqual({ startTime: start.toISOString(), endTime: end.toISOString(), maxResults: '5' });
    const [findings] = emulator.requestsFor('ListAuditFindings');
    expect(findings.body).toEqual({ startTime: start.getTime() / 1000, endTime: end.getTime() / 1000 });
    expectNoViolations(emulator);
  });

  test('path labels are percent-encoded by the SDK and decoded before validation', async () => {
    seedAudit();
    const err = await rejection(client.send(startAudit({ taskId: 'bad id/x' })));

    expect(err).toBeInstanceOf(InvalidRequestException);
    const [req] = emulator.requests;
    expect(req.path).toBe('/audit/mitigationactions/tasks/bad%20id%2Fx');
    expect(req.violations).toEqual(['taskId: "bad id/x" does not match /^[a-zA-Z0-9_-]+$/']);
  });

  test('response timestamps are parsed by the SDK into the seeded dates', async () => {
    seedAudit();
    const started = new Date('2026-01-02T03:04:05.678Z');
    emulator.addAuditTask({ taskId: 'audit-2', taskStartTime: started, checks: {} });
    const out = await client.send(new DescribeAuditTaskCommand({ taskId: 'audit-2' }));
    expect(out.taskStartTime).toEqual(started);
  });
});

describe('audit mitigation actions tasks', () => {
  test('start, describe, list and cancel', async () => {
    seedAudit();
    await client.send(startAudit());

    const described = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' }));
    expect(described.taskStatus).toBe('IN_PROGRESS');
    expect(described.startTime).toBeInstanceOf(Date);
    expect(described.endTime).toBeUndefined();
    expect(described.target).toEqual({ auditTaskId: 'audit-1' });
    // f-3 is suppressed: counted and skipped, never mitigated.
    expect(described.taskStatistics).toEqual({
      DEVICE_CERTIFICATE_SHARED_CHECK: {
        totalFindingsCount: 3, skippedFindingsCount: 1, succeededFindingsCount: 0, failedFindingsCount: 0, canceledFindingsCount: 0,
      },
    });
    expect(described.actionsDefinition?.map((a) => a.name)).toEqual(['notify', 'deactivate-cert']);
    expect(described.actionsDefinition?.[1].actionParams).toEqual({ updateDeviceCertificateParams: { action: 'DEACTIVATE' } });

    const listed = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR) }));
    expect(listed.tasks).toEqual([{ taskId: 'mitigate-1', startTime: described.startTime, taskStatus: 'IN_PROGRESS' }]);
    const outside = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(3 * HOUR), endTime: ago(HOUR) }));
    expect(outside.tasks).toEqual([]);

    await client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' }));
    const canceled = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' }));
    expect(canceled.taskStatus).toBe('CANCELED');
    expect(canceled.endTime).toBeInstanceOf(Date);
    expect(canceled.taskStatistics?.DEVICE_CERTIFICATE_SHARED_CHECK.canceledFindingsCount).toBe(2);

    const again = await rejection(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' })));
    expect(again).toBeInstanceOf(InvalidRequestException);
    expect(emulator.auditMitigationTasks()).toEqual([expect.objectContaining({ taskId: 'mitigate-1', taskStatus: 'CANCELED' })]);
    expectNoViolations(emulator);
  });

  test('unknown tasks are ResourceNotFoundException (404)', async () => {
    const describeErr = await rejection(client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'nope' })));
    expect(describeErr).toBeInstanceOf(ResourceNotFoundException);
    expect(describeErr.$metadata?.httpStatusCode).toBe(404);
    const cancelErr = await rejection(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'nope' })));
    expect(cancelErr).toBeInstanceOf(ResourceNotFoundException);
  });

  test('setAuditMitigationTaskStatus drives describe and the executions list', async () => {
    seedAudit();
    await client.send(startAudit());

    const running = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'mitigate-1', findingId: 'f-1' }));
    expect(running.actionsExecutions?.map((e) => [e.actionName, e.status])).toEqual([['notify', 'IN_PROGRESS'], ['deactivate-cert', 'PENDING']]);

    emulator.setAuditMitigationTaskStatus('mitigate-1', 'COMPLETED');
    const done = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' }));
    expect(done.taskStatus).toBe('COMPLETED');
    expect(done.taskStatistics?.DEVICE_CERTIFICATE_SHARED_CHECK).toMatchObject({ succeededFindingsCount: 2, skippedFindingsCount: 1 });

    const completed = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'mitigate-1', findingId: 'f-1', actionStatus: 'COMPLETED' }));
    expect(completed.actionsExecutions).toHaveLength(2);
    expect(completed.actionsExecutions?.[0]).toMatchObject({ taskId: 'mitigate-1', findingId: 'f-1', actionName: 'notify', status: 'COMPLETED' });
    expect(completed.actionsExecutions?.[0].endTime).toBeInstanceOf(Date);

    const suppressed = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'mitigate-1', findingId: 'f-3' }));
    expect(suppressed.actionsExecutions?.map((e) => e.status)).toEqual(['SKIPPED', 'SKIPPED']);

    const unknownTask = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'other', findingId: 'f-1' }));
    expect(unknownTask.actionsExecutions).toEqual([]);

    const cancelDone = await rejection(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' })));
    expect(cancelDone).toBeInstanceOf(InvalidRequestException);
    expectNoViolations(emulator);
  });

  test('ListAuditMitigationActionsTasks paginates and filters', async () => {
    seedAudit();
    for (const id of ['m-a', 'm-b', 'm-c']) {
      await client.send(startAudit({ taskId: id, clientRequestToken: `tok-${id}` }));
    }
    await client.send(startAudit({ taskId: 'm-d', clientRequestToken: 'tok-m-d', target: { findingIds: ['f-2'] } }));
    emulator.setAuditMitigationTaskStatus('m-b', 'COMPLETED');

    const pages: string[][] = [];
    for await (const page of paginateListAuditMitigationActionsTasks({ client, pageSize: 2 }, { startTime: ago(HOUR), endTime: later(HOUR) })) {
      pages.push((page.tasks ?? []).map((t) => t.taskId ?? ''));
    }
    expect(pages).toEqual([['m-a', 'm-b'], ['m-c', 'm-d']]);

    const completed = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR), taskStatus: 'COMPLETED' }));
    expect(completed.tasks?.map((t) => t.taskId)).toEqual(['m-b']);
    const byFinding = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR), findingId: 'f-2' }));
    expect(byFinding.tasks?.map((t) => t.taskId)).toEqual(['m-a', 'm-b', 'm-c', 'm-d']);
    const byFinding1 = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR), findingId: 'f-1' }));
    expect(byFinding1.tasks?.map((t) => t.taskId)).toEqual(['m-a', 'm-b', 'm-c']);
    const byAudit = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR), auditTaskId: 'audit-1' }));
    expect(byAudit.tasks).toHaveLength(3);
    expectNoViolations(emulator);
  });

  test('auditCheckToReasonCodeFilter targets findings by reason code', async () => {
    seedAudit();
    emulator.addAuditFinding({
      findingId: 'f-exp', taskId: 'audit-1', checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', reasonForNonComplianceCode: 'CERTIFICATE_PAST_EXPIRATION',
    });
    emulator.addAuditFinding({
      findingId: 'f-soon', taskId: 'audit-1', checkName: 'DEVICE_CERTIFICATE_EXPIRING_CHECK', reasonForNonComplianceCode: 'CERTIFICATE_APPROACHING_EXPIRATION',
    });
    await client.send(startAudit({
      target: { auditCheckToReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['CERTIFICATE_PAST_EXPIRATION'] } },
      auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['deactivate-cert'] },
    }));
    expect(emulator.auditMitigationTasks()[0].findingIds).toEqual(['f-exp']);
    expectNoViolations(emulator);
  });
});

describe('idempotency', () => {
  test('same taskId and token returns the same task; a different token is TaskAlreadyExistsException', async () => {
    seedAudit();
    const first = await client.send(startAudit());
    const second = await client.send(startAudit());
    expect(second.taskId).toBe(first.taskId);
    expect(emulator.auditMitigationTasks()).toHaveLength(1);
    expect(emulator.requestsFor('StartAuditMitigationActionsTask').map((r) => r.response.status)).toEqual([200, 200]);

    const err = await rejection(client.send(startAudit({ clientRequestToken: 'token-2' })));
    expect(err).toBeInstanceOf(TaskAlreadyExistsException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(emulator.auditMitigationTasks()).toEqual([expect.objectContaining({ clientRequestToken: 'token-1' })]);
    expectNoViolations(emulator);
  });

  test('without a token the SDK sends a random one, so a repeated call is not idempotent', async () => {
    seedAudit();
    await client.send(startAudit({ clientRequestToken: undefined }));
    const err = await rejection(client.send(startAudit({ clientRequestToken: undefined })));
    expect(err).toBeInstanceOf(TaskAlreadyExistsException);
    const tokens = emulator.requestsFor('StartAuditMitigationActionsTask').map((r) => r.body.clientRequestToken);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
  });
});

describe('StartAuditMitigationActionsTask semantic checks', () => {
  const cases: Array<[string, Partial<StartAuditMitigationActionsTaskCommandInput>, RegExp]> = [
    ['an unknown action', { auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['missing'] } }, /missing does not exist/],
    ['an action type the check does not allow', { auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['blank-policy'] } }, /cannot be applied/],
    ['a target audit task that does not exist', { target: { auditTaskId: 'audit-404' } }, /audit-404 does not exist/],
    ['finding ids that do not exist', { target: { findingIds: ['f-1', 'f-404'] } }, /f-404/],
  ];
  test.each(cases)('%s is InvalidRequestException and creates nothing', async (_name, overrides, message) => {
    seedAudit();
    const err = await rejection(client.send(startAudit(overrides)));
    expect(err).toBeInstanceOf(InvalidRequestException);
    expect(err.message).toMatch(message);
    expect(emulator.auditMitigationTasks()).toEqual([]);
    // State-dependent rejections are not model violations.
    expectNoViolations(emulator);
  });
});

describe('model constraints', () => {
  test('26 findingIds is recorded as a violation and rejected', async () => {
    seedAudit();
    const ids = Array.from({ length: 26 }, (_, i) => `f-${i}`);
    const err = await rejection(client.send(startAudit({ target: { findingIds: ids } })));
    expect(err).toBeInstanceOf(InvalidRequestException);
    expect(emulator.violations()).toEqual(['StartAuditMitigationActionsTask: target.findingIds: has 26 items, the maximum is 25']);
    expect(emulator.auditMitigationTasks()).toEqual([]);
    expect(() => expectNoViolations(emulator)).toThrow(/1 request constraint violation\(s\):\n {2}- StartAuditMitigationActionsTask: target\.findingIds/);
  });

  test('several violations of one request are all recorded', async () => {
    seedAudit();
    await rejection(client.send(startAudit({
      target: { auditTaskId: 'audit-1', findingIds: ['f-1'] },
      auditCheckToActionsMapping: { NOT_A_CHECK: ['a', 'b', 'c', 'd', 'e', 'f'] },
      clientRequestToken: 'x'.repeat(65),
    })));
    expect(emulator.requests[0].violations).toEqual([
      'target: must set exactly one of auditTaskId, findingIds, auditCheckToReasonCodeFilter (got auditTaskId, findingIds)',
      'auditCheckToActionsMapping key: "NOT_A_CHECK" is not a known audit check name',
      'auditCheckToActionsMapping.NOT_A_CHECK: has 6 items, the maximum is 5',
      'clientRequestToken: length 65 exceeds the maximum 64',
    ]);
  });

  test('a missing clientRequestToken (hand-built request) is a violation', async () => {
    seedAudit();
    const res = await rawRequest(
      'POST', '/audit/mitigationactions/tasks/raw-1',
      JSON.stringify({ target: { auditTaskId: 'audit-1' }, auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify'] } }),
    );
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('InvalidRequestException');
    expect(emulator.violations()).toEqual(['StartAuditMitigationActionsTask: clientRequestToken: is required']);
  });

  test('a colon in a mitigation action name violates the API rule', async () => {
    await rejection(client.send(new DescribeMitigationActionCommand({ actionName: 'stack:action' })));
    expect(emulator.violations()).toEqual(['DescribeMitigationAction: actionName: "stack:action" does not match /^[a-zA-Z0-9_-]+$/']);
  });

  test('ListAuditFindings: maxResults range, taskId with a window, and neither', async () => {
    seedAudit();
    await rejection(client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', maxResults: 251 })));
    await rejection(client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', startTime: ago(DAY), endTime: new Date() })));
    await rejection(client.send(new ListAuditFindingsCommand({})));
    expect(emulator.violations()).toEqual([
      'ListAuditFindings: maxResults: 251 is outside the range 1-250',
      'ListAuditFindings: taskId and startTime/endTime: specify either taskId or a time window, not both',
      'ListAuditFindings: taskId or startTime/endTime: one of them is required',
    ]);
    expect(emulator.requests.map((r) => r.response)).toEqual(Array(3).fill({ status: 400, errorType: 'InvalidRequestException' }));
  });

  test('List* operations require startTime and endTime; the SDK sends the request without them', async () => {
    const err = await rejection(client.send(new ListAuditTasksCommand({} as never)));
    expect(err).toBeInstanceOf(InvalidRequestException);
    await rejection(client.send(new ListDetectMitigationActionsTasksCommand({ startTime: new Date() } as never)));
    await rejection(client.send(new ListAuditMitigationActionsTasksCommand({ startTime: new Date(), endTime: new Date(), maxResults: 0 })));
    expect(emulator.violations()).toEqual([
      'ListAuditTasks: query startTime: is required',
      'ListAuditTasks: query endTime: is required',
      'ListDetectMitigationActionsTasks: query endTime: is required',
      'ListAuditMitigationActionsTasks: query maxResults: 0 is outside the range 1-250',
    ]);
  });

  test('malformed JSON is a SerializationException and the emulator keeps serving', async () => {
    const res = await rawRequest('POST', '/audit/findings', '{"taskId": ');
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('SerializationException');
    expect(JSON.parse(res.body).message).toMatch(/malformed JSON/);
    expect(emulator.requests[0]).toMatchObject({ operation: 'ListAuditFindings', body: '{"taskId": ' });
    expect(emulator.violations()[0]).toMatch(/^ListAuditFindings: body: malformed JSON/);

    const arrayBody = await rawRequest('POST', '/audit/findings', '[1,2]');
    expect(arrayBody.status).toBe(400);
    expect(emulator.requests[1].violations).toEqual(['body: must be a JSON object, got an array']);

    seedAudit();
    const ok = await client.send(new ListAuditFindingsCommand({ taskId: 'audit-1' }));
    expect(ok.findings).toHaveLength(2);
  });

  test('an operation the emulator does not serve is a 404 naming method and path', async () => {
    const err = await rejection(client.send(new ListThingsCommand({})));
    expect(err).toBeInstanceOf(IoTServiceException);
    expect(err.name).toBe('UnknownOperationException');
    expect(err.message).toBe('IoT emulator: no operation for GET /things');
    expect(err.$metadata?.httpStatusCode).toBe(404);
    expect(emulator.requests[0].operation).toBe('Unknown');
    expect(emulator.violations()).toEqual(['Unknown: no IoT operation is emulated for GET /things']);

    const wrongMethod = await rawRequest('DELETE', '/audit/tasks/audit-1');
    expect(wrongMethod.status).toBe(404);
    expect(emulator.requests[1].operation).toBe('Unknown');
  });
});

describe('iot-model pure checks', () => {
  const valid = {
    pathParams: { taskId: 'task_1-a' },
    query: {},
    body: {
      target: { auditCheckToReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['CERTIFICATE_PAST_EXPIRATION'] } },
      auditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['a'] },
      clientRequestToken: 'tok',
    },
  };

  test('a valid StartAuditMitigationActionsTask request has no violations', () => {
    expect(checkStartAuditMitigationActionsTask(valid)).toEqual([]);
  });

  test('reason codes must be upper case; ids are length-limited; unknown members are reported', () => {
    expect(checkStartAuditMitigationActionsTask({
      ...valid,
      pathParams: { taskId: 'x'.repeat(129) },
      body: {
        ...valid.body,
        target: { auditCheckToReasonCodeFilter: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['lower_case'] } },
        extra: true,
      },
    })).toEqual([
      'taskId: length 129 exceeds the maximum 128',
      'body: unknown member "extra"',
      'target.auditCheckToReasonCodeFilter.DEVICE_CERTIFICATE_EXPIRING_CHECK[0]: "lower_case" does not match /^[\\p{Lu}\\p{Nd}_]+$/u',
    ]);
    expect(checkStartAuditMitigationActionsTask({ ...valid, body: { ...valid.body, target: { auditTaskId: 'a'.repeat(41) } } }))
      .toEqual(['target.auditTaskId: length 41 exceeds the maximum 40']);
  });

  test('detect targets need violationIds or a security profile, and behaviorName needs the profile', () => {
    const base = { pathParams: { taskId: 't' }, query: {}, body: { actions: ['a'], clientRequestToken: 'tok' } };
    expect(checkStartDetectMitigationActionsTask({ ...base, body: { ...base.body, target: { violationIds: ['v-1'] } } })).toEqual([]);
    expect(checkStartDetectMitigationActionsTask({ ...base, body: { ...base.body, target: { behaviorName: 'b' } } })).toEqual([
      'target: must set either violationIds or securityProfileName (with an optional behaviorName), got neither',
      'target.behaviorName: requires securityProfileName',
    ]);
    expect(checkStartDetectMitigationActionsTask({
      ...base,
      body: { ...base.body, target: { violationIds: ['v_1'], securityProfileName: 'p' }, violationEventOccurrenceRange: { startTime: '2025' } },
    })).toEqual([
      'target: must set either violationIds or securityProfileName (with an optional behaviorName), not both',
      'target.violationIds[0]: "v_1" does not match /^[a-zA-Z0-9-]+$/',
      'violationEventOccurrenceRange.startTime: must be epoch seconds (a JSON number), got "2025"',
      'violationEventOccurrenceRange.endTime: is required',
    ]);
  });

  test('ListAuditFindings needs both ends of a window', () => {
    expect(checkListAuditFindings({ pathParams: {}, query: {}, body: { startTime: 1 } })).toEqual(['startTime/endTime: specify both or neither']);
  });

  test('the check table covers all 17 checks and SNS everywhere', () => {
    expect(AUDIT_CHECK_NAMES).toHaveLength(17);
    for (const check of AUDIT_CHECK_NAMES) expect(actionTypeAllowedForCheck(check, 'PUBLISH_FINDING_TO_SNS')).toBe(true);
    expect(actionTypeAllowedForCheck('DEVICE_CERTIFICATE_AGE_CHECK', 'UPDATE_DEVICE_CERTIFICATE')).toBe(false);
    expect(actionTypeAllowedForCheck('LOGGING_DISABLED_CHECK', 'ENABLE_IOT_LOGGING')).toBe(true);
    expect(actionTypeAllowedForCheck('CA_CERTIFICATE_EXPIRING_CHECK', 'UPDATE_DEVICE_CERTIFICATE')).toBe(false);
    expect(actionTypeAllowedForCheck('NOT_A_CHECK', 'PUBLISH_FINDING_TO_SNS')).toBe(false);
  });

  test('routing decodes labels and rejects unknown paths', () => {
    expect(matchOperation('PUT', '/audit/mitigationactions/tasks/a%2Db/cancel')).toMatchObject({
      operation: { name: 'CancelAuditMitigationActionsTask' }, pathParams: { taskId: 'a-b' },
    });
    expect(matchOperation('GET', '/audit/tasks')?.operation.name).toBe('ListAuditTasks');
    expect(matchOperation('GET', '/audit/tasks/%E0%A4%A')).toBeUndefined();
    expect(matchOperation('POST', '/audit/tasks')).toBeUndefined();
    expect(parseQueryTimestamp('2025-01-01T00:00:00.123Z')?.getTime()).toBe(Date.UTC(2025, 0, 1, 0, 0, 0, 123));
    expect(parseQueryTimestamp('1735689600')).toBeUndefined();
  });
});

describe('faults', () => {
  const nonRetried: Array<[FaultKind, new (...args: never[]) => Error, number]> = [
    ['throttle429', ThrottlingException, 429],
    ['throttlingException', ThrottlingException, 400],
    ['limitExceeded410', LimitExceededException, 410],
    ['internalFailure500', InternalFailureException, 500],
    ['serviceUnavailable503', ServiceUnavailableException, 503],
    ['invalidRequest', InvalidRequestException, 400],
  ];
  test.each(nonRetried)('%s surfaces as the SDK exception class (no retries)', async (kind, errorClass, status) => {
    seedAudit();
    const noRetry = newClient({ maxAttempts: 1 });
    emulator.injectFault({ kind, operation: 'StartAuditMitigationActionsTask' });

    const err = await rejection(noRetry.send(startAudit()));
    expect(err).toBeInstanceOf(errorClass);
    expect(err.$metadata?.httpStatusCode).toBe(status);
    expect(emulator.requests[0].response).toEqual({ status, errorType: errorClass.name });
    // A faulted request does not change state.
    expect(emulator.auditMitigationTasks()).toEqual([]);
    // The fault was used up: the next call succeeds.
    await noRetry.send(startAudit());
    expect(emulator.auditMitigationTasks()).toHaveLength(1);
  });

  test('resetConnection destroys the socket', async () => {
    seedAudit();
    const noRetry = newClient({ maxAttempts: 1 });
    emulator.injectFault({ kind: 'resetConnection' });
    const err = await rejection(noRetry.send(startAudit()));
    // Node reports ECONNRESET "socket hang up"; under jest the SDK wraps the cross-realm error, keeping the message.
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(err).not.toBeInstanceOf(IoTServiceException);
    expect(emulator.requests[0].response).toEqual({ status: 0, errorType: 'ConnectionReset' });
    expect(emulator.auditMitigationTasks()).toEqual([]);
  });

  const retried: FaultKind[] = ['throttle429', 'throttlingException', 'limitExceeded410', 'internalFailure500', 'serviceUnavailable503', 'resetConnection'];
  test.each(retried)('%s once is retried by the SDK: one task, two recorded requests', async (kind) => {
    seedAudit();
    emulator.injectFault({ kind, operation: 'StartAuditMitigationActionsTask' });

    const out = await client.send(startAudit());
    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.auditMitigationTasks()).toHaveLength(1);
    const reqs = emulator.requestsFor('StartAuditMitigationActionsTask');
    expect(reqs).toHaveLength(2);
    expect(reqs[1].response).toEqual({ status: 200 });
    expect(reqs[0].body).toEqual(reqs[1].body);
  });

  test('invalidRequest is not retried', async () => {
    seedAudit();
    emulator.injectFault({ kind: 'invalidRequest' });
    await rejection(client.send(startAudit()));
    expect(emulator.requests).toHaveLength(1);
  });

  test('times: Infinity exhausts the SDK retries (3 attempts)', async () => {
    emulator.injectFault({ kind: 'internalFailure500', times: Infinity });
    const err = await rejection(client.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' })));
    expect(err).toBeInstanceOf(InternalFailureException);
    expect(err.$metadata?.attempts).toBe(3);
    expect(emulator.requests.map((r) => r.response.status)).toEqual([500, 500, 500]);
  });

  test('an operation-scoped fault leaves other operations alone', async () => {
    seedAudit();
    const noRetry = newClient({ maxAttempts: 1 });
    emulator.injectFault({ kind: 'throttle429', operation: 'CancelAuditMitigationActionsTask', times: 2 });
    await noRetry.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' }));
    await noRetry.send(startAudit());
    await rejection(noRetry.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' })));
    await rejection(noRetry.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' })));
    await noRetry.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'mitigate-1' }));
    expect(emulator.requests.map((r) => `${r.operation}:${r.response.status}`)).toEqual([
      'DescribeAuditTask:200',
      'StartAuditMitigationActionsTask:200',
      'CancelAuditMitigationActionsTask:429',
      'CancelAuditMitigationActionsTask:429',
      'CancelAuditMitigationActionsTask:200',
    ]);
  });

  test('probability faults are deterministic for a seed and reproduced after reset()', async () => {
    const run = async (): Promise<number[]> => {
      emulator.reset();
      seedAudit();
      emulator.injectFault({ kind: 'throttle429', probability: 0.5, times: Infinity });
      const noRetry = newClient({ maxAttempts: 1 });
      for (let i = 0; i < 20; i++) {
        await noRetry.send(new DescribeMitigationActionCommand({ actionName: 'notify' })).catch(() => undefined);
      }
      return emulator.requests.map((r) => r.response.status);
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first).toContain(200);
    expect(first).toContain(429);

    const other = await IotEmulator.start({ seed: 8 });
    try {
      other.injectFault({ kind: 'throttle429', probability: 0.5, times: Infinity });
      other.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
      const otherClient = new IoTClient({
        endpoint: other.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
      clients.push(otherClient);
      for (let i = 0; i < 20; i++) {
        await otherClient.send(new DescribeMitigationActionCommand({ actionName: 'notify' })).catch(() => undefined);
      }
      expect(other.requests.map((r) => r.response.status)).not.toEqual(first);
    } finally {
      await other.stop();
    }
  });

  test('delayMs and setLatency delay responses', async () => {
    seedAudit();
    const noRetry = newClient({ maxAttempts: 1 });
    emulator.setLatency('DescribeAuditTask', 150);
    let t = Date.now();
    await noRetry.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' }));
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);

    t = Date.now();
    await noRetry.send(new DescribeMitigationActionCommand({ actionName: 'notify' }));
    expect(Date.now() - t).toBeLessThan(140);

    emulator.setLatency('DescribeAuditTask', 0);
    emulator.injectFault({ kind: 'throttle429', delayMs: 150 });
    t = Date.now();
    await rejection(noRetry.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' })));
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });

  test('injectFault rejects nonsense', () => {
    expect(() => emulator.injectFault({ kind: 'throttle429', probability: 2 })).toThrow(/probability/);
    expect(() => emulator.injectFault({ kind: 'throttle429', times: 0 })).toThrow(/times/);
    expect(() => emulator.injectFault({ kind: 'nope' as FaultKind })).toThrow(/unknown kind/);
  });
});

describe('ListAuditFindings', () => {
  test('suppressed findings are listed only with listSuppressedFindings: true', async () => {
    seedAudit();
    const ids = async (listSuppressedFindings?: boolean): Promise<string[]> => {
      const out = await client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', listSuppressedFindings }));
      return (out.findings ?? []).map((f) => f.findingId ?? '');
    };
    expect(await ids()).toEqual(['f-1', 'f-2']);
    expect(await ids(false)).toEqual(['f-1', 'f-2']);
    expect(await ids(true)).toEqual(['f-3']);
    expectNoViolations(emulator);
  });

  test('findings carry the model fields', async () => {
    seedAudit();
    const out = await client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', maxResults: 1 }));
    expect(out.findings).toEqual([{
      findingId: 'f-1',
      taskId: 'audit-1',
      checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      taskStartTime: expect.any(Date),
      findingTime: expect.any(Date),
      severity: 'CRITICAL',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'cert-1' } },
      isSuppressed: false,
    }]);
    expect(out.nextToken).toEqual(expect.any(String));
  });

  test('paginates with nextToken', async () => {
    seedAudit();
    for (let i = 4; i <= 8; i++) {
      emulator.addAuditFinding({ findingId: `f-${i}`, taskId: 'audit-1', checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' });
    }
    const pages: string[][] = [];
    for await (const page of paginateListAuditFindings({ client, pageSize: 3 }, { taskId: 'audit-1' })) {
      pages.push((page.findings ?? []).map((f) => f.findingId ?? ''));
    }
    expect(pages).toEqual([['f-1', 'f-2', 'f-4'], ['f-5', 'f-6', 'f-7'], ['f-8']]);
    expect(emulator.requestsFor('ListAuditFindings').map((r) => r.body.nextToken === undefined)).toEqual([true, false, false]);

    const bad = await rejection(client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', nextToken: 'garbage' })));
    expect(bad).toBeInstanceOf(InvalidRequestException);
    expect(emulator.violations()).toEqual(['ListAuditFindings: nextToken: "garbage" was not issued by ListAuditFindings']);
  });

  test('filters by check, resource and time window', async () => {
    seedAudit();
    emulator.addAuditTask({ taskId: 'audit-old', taskStartTime: ago(5 * DAY), checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } } });
    emulator.addAuditFinding({ findingId: 'f-log', taskId: 'audit-old', checkName: 'LOGGING_DISABLED_CHECK' });

    const byCheck = await client.send(new ListAuditFindingsCommand({ startTime: ago(10 * DAY), endTime: new Date(), checkName: 'LOGGING_DISABLED_CHECK' }));
    expect(byCheck.findings?.map((f) => f.findingId)).toEqual(['f-log']);
    const recent = await client.send(new ListAuditFindingsCommand({ startTime: ago(DAY), endTime: new Date() }));
    expect(recent.findings?.map((f) => f.findingId)).toEqual(['f-1', 'f-2']);
    const byResource = await client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', resourceIdentifier: { deviceCertificateId: 'cert-2' } }));
    expect(byResource.findings?.map((f) => f.findingId)).toEqual(['f-2']);
    expectNoViolations(emulator);
  });
});

describe('audit tasks', () => {
  test('DescribeAuditTask returns statistics and per-check details', async () => {
    seedAudit();
    const out = await client.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' }));
    expect(out).toMatchObject({
      taskStatus: 'COMPLETED',
      taskType: 'ON_DEMAND_AUDIT_TASK',
      taskStatistics: {
        totalChecks: 2,
        inProgressChecks: 0,
        waitingForDataCollectionChecks: 0,
        compliantChecks: 1,
        nonCompliantChecks: 1,
        failedChecks: 0,
        canceledChecks: 0,
      },
      auditDetails: {
        DEVICE_CERTIFICATE_SHARED_CHECK: {
          checkRunStatus: 'COMPLETED_NON_COMPLIANT', checkCompliant: false, totalResourcesCount: 40, nonCompliantResourcesCount: 2, suppressedNonCompliantResourcesCount: 1,
        },
        LOGGING_DISABLED_CHECK: { checkRunStatus: 'COMPLETED_COMPLIANT', checkCompliant: true, totalResourcesCount: 1, nonCompliantResourcesCount: 0 },
      },
    });
    expect(out.scheduledAuditName).toBeUndefined();

    emulator.addAuditTask({ taskId: 'sched-1', scheduledAuditName: 'daily', taskStatus: 'IN_PROGRESS', checks: { CONFLICTING_CLIENT_IDS_CHECK: { checkRunStatus: 'IN_PROGRESS', nonCompliantResourcesCount: 0 } } });
    const sched = await client.send(new DescribeAuditTaskCommand({ taskId: 'sched-1' }));
    expect(sched).toMatchObject({ taskType: 'SCHEDULED_AUDIT_TASK', scheduledAuditName: 'daily', taskStatus: 'IN_PROGRESS' });
    expect(sched.auditDetails?.CONFLICTING_CLIENT_IDS_CHECK.checkCompliant).toBeUndefined();

    const err = await rejection(client.send(new DescribeAuditTaskCommand({ taskId: 'nope' })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
  });

  test('ListAuditTasks filters by the time window, type and status', async () => {
    emulator.addAuditTask({ taskId: 'recent', taskStartTime: ago(2 * HOUR), checks: {} });
    emulator.addAuditTask({ taskId: 'days-3', taskStartTime: ago(3 * DAY), scheduledAuditName: 'daily', checks: {} });
    emulator.addAuditTask({ taskId: 'days-10', taskStartTime: ago(10 * DAY), checks: {} });
    emulator.addAuditTask({ taskId: 'failed', taskStartTime: ago(HOUR), taskStatus: 'FAILED', checks: {} });

    const window = await client.send(new ListAuditTasksCommand({ startTime: ago(4 * DAY), endTime: ago(90 * 60 * 1000) }));
    expect(window.tasks).toEqual([
      { taskId: 'recent', taskStatus: 'COMPLETED', taskType: 'ON_DEMAND_AUDIT_TASK' },
      { taskId: 'days-3', taskStatus: 'COMPLETED', taskType: 'SCHEDULED_AUDIT_TASK' },
    ]);
    const scheduled = await client.send(new ListAuditTasksCommand({ startTime: ago(30 * DAY), endTime: new Date(), taskType: 'SCHEDULED_AUDIT_TASK' }));
    expect(scheduled.tasks?.map((t) => t.taskId)).toEqual(['days-3']);
    const failed = await client.send(new ListAuditTasksCommand({ startTime: ago(30 * DAY), endTime: new Date(), taskStatus: 'FAILED' }));
    expect(failed.tasks?.map((t) => t.taskId)).toEqual(['failed']);
    const paged = await client.send(new ListAuditTasksCommand({ startTime: ago(30 * DAY), endTime: new Date(), maxResults: 3 }));
    expect(paged.tasks).toHaveLength(3);
    expect(paged.nextToken).toEqual(expect.any(String));

    const tooOld = await rejection(client.send(new ListAuditTasksCommand({ startTime: ago(91 * DAY), endTime: new Date() })));
    expect(tooOld).toBeInstanceOf(InvalidRequestException);
    expect(tooOld.message).toMatch(/90 days/);
    expectNoViolations(emulator);
  });

  test('seeding rejects inconsistent data', () => {
    expect(() => emulator.addAuditFinding({ findingId: 'f', taskId: 'missing', checkName: 'LOGGING_DISABLED_CHECK' })).toThrow(/does not exist/);
    expect(() => emulator.addMitigationAction({ actionName: 'a:b', actionType: 'PUBLISH_FINDING_TO_SNS' })).toThrow(/does not match/);
    expect(() => emulator.addMitigationAction({ actionName: 'a', actionType: 'DELETE_EVERYTHING' })).toThrow(/unknown actionType/);
    expect(() => emulator.setAuditMitigationTaskStatus('missing', 'COMPLETED')).toThrow(/no audit mitigation task/);
  });
});

describe('detect mitigation actions tasks', () => {
  test('start, describe, list, cancel and idempotency', async () => {
    seedAudit();
    const range = { startTime: new Date('2026-01-01T00:00:00.000Z'), endTime: new Date('2026-01-02T00:00:00.500Z') };
    const out = await client.send(startDetect({ violationEventOccurrenceRange: range, includeOnlyActiveViolations: true }));
    expect(out.taskId).toBe('detect-1');
    expect(emulator.requestsFor('StartDetectMitigationActionsTask')[0]).toMatchObject({
      method: 'PUT',
      body: { violationEventOccurrenceRange: { startTime: 1767225600, endTime: 1767312000.5 } },
    });

    const again = await client.send(startDetect({ violationEventOccurrenceRange: range, includeOnlyActiveViolations: true }));
    expect(again.taskId).toBe('detect-1');
    expect(emulator.detectMitigationTasks()).toEqual([expect.objectContaining({
      taskId: 'detect-1',
      clientRequestToken: 'detect-token-1',
      target: { securityProfileName: 'fleet', behaviorName: 'msgs-out' },
      actions: ['quarantine'],
      taskStatus: 'IN_PROGRESS',
      includeOnlyActiveViolations: true,
      violationEventOccurrenceRange: range,
    })]);

    const conflict = await rejection(client.send(startDetect({ clientRequestToken: 'other' })));
    expect(conflict).toBeInstanceOf(TaskAlreadyExistsException);

    const described = await client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: 'detect-1' }));
    expect(described.taskSummary).toMatchObject({
      taskId: 'detect-1',
      taskStatus: 'IN_PROGRESS',
      target: { securityProfileName: 'fleet', behaviorName: 'msgs-out' },
      violationEventOccurrenceRange: range,
      onlyActiveViolationsIncluded: true,
      suppressedAlertsIncluded: false,
      actionsDefinition: [{ name: 'quarantine', actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'], overrideDynamicGroups: false } } }],
      taskStatistics: { actionsExecuted: 0, actionsSkipped: 0, actionsFailed: 0 },
    });

    const listed = await client.send(new ListDetectMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR) }));
    expect(listed.tasks?.map((t) => t.taskId)).toEqual(['detect-1']);

    await client.send(new CancelDetectMitigationActionsTaskCommand({ taskId: 'detect-1' }));
    expect(emulator.detectMitigationTasks()[0].taskStatus).toBe('CANCELED');
    expect(await rejection(client.send(new CancelDetectMitigationActionsTaskCommand({ taskId: 'detect-1' })))).toBeInstanceOf(InvalidRequestException);
    expect(await rejection(client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
  });

  test('only existing ADD_THINGS_TO_THING_GROUP actions are accepted', async () => {
    seedAudit();
    const wrongType = await rejection(client.send(startDetect({ actions: ['notify'] })));
    expect(wrongType).toBeInstanceOf(InvalidRequestException);
    expect(wrongType.message).toMatch(/only ADD_THINGS_TO_THING_GROUP/);
    const missing = await rejection(client.send(startDetect({ actions: ['missing'] })));
    expect(missing).toBeInstanceOf(InvalidRequestException);
    expect(emulator.detectMitigationTasks()).toEqual([]);
    expectNoViolations(emulator);
  });

  test('target and actions constraints are violations', async () => {
    seedAudit();
    await rejection(client.send(startDetect({
      target: { violationIds: Array.from({ length: 26 }, (_, i) => `v-${i}`), securityProfileName: 'fleet' },
      actions: [],
    })));
    expect(emulator.violations()).toEqual([
      'StartDetectMitigationActionsTask: target: must set either violationIds or securityProfileName (with an optional behaviorName), not both',
      'StartDetectMitigationActionsTask: target.violationIds: has 26 items, the maximum is 25',
      'StartDetectMitigationActionsTask: actions: has 0 items, the minimum is 1',
    ]);
  });
});

describe('DescribeMitigationAction', () => {
  test('returns the seeded action; unknown is ResourceNotFoundException', async () => {
    emulator.addMitigationAction({ actionName: 'deactivate-cert', actionType: 'UPDATE_DEVICE_CERTIFICATE', roleArn: 'arn:aws:iam::123456789012:role/r' });
    const out = await client.send(new DescribeMitigationActionCommand({ actionName: 'deactivate-cert' }));
    expect(out).toMatchObject({
      actionName: 'deactivate-cert',
      actionType: 'UPDATE_DEVICE_CERTIFICATE',
      actionArn: 'arn:aws:iot:us-east-1:123456789012:mitigationaction/deactivate-cert',
      actionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      roleArn: 'arn:aws:iam::123456789012:role/r',
      actionParams: { updateDeviceCertificateParams: { action: 'DEACTIVATE' } },
      creationDate: expect.any(Date),
    });
    const err = await rejection(client.send(new DescribeMitigationActionCommand({ actionName: 'nope' })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('Mitigation action nope does not exist.');
    expectNoViolations(emulator);
  });
});
