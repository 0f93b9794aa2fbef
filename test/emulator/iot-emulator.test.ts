import {
  CancelAuditMitigationActionsTaskCommand,
  CancelDetectMitigationActionsTaskCommand,
  CertificateStateException,
  CreateAuditSuppressionCommand,
  CreatePolicyVersionCommand,
  DeleteAuditSuppressionCommand,
  DescribeAuditSuppressionCommand,
  ListAuditSuppressionsCommand,
  ResourceAlreadyExistsException,
  UpdateAuditSuppressionCommand,
  DeleteConflictException,
  DeletePolicyVersionCommand,
  DescribeAuditFindingCommand,
  DescribeAuditMitigationActionsTaskCommand,
  DescribeAuditTaskCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  DescribeDetectMitigationActionsTaskCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
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
  ListDetectMitigationActionsExecutionsCommand,
  ListDetectMitigationActionsTasksCommand,
  ListPolicyVersionsCommand,
  ListPrincipalThingsCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  MalformedPolicyException,
  paginateListAuditFindings,
  paginateListAuditMitigationActionsTasks,
  paginateListPrincipalThings,
  paginateListThingPrincipals,
  RemoveThingFromThingGroupCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
  SetDefaultPolicyVersionCommand,
  StartAuditMitigationActionsTaskCommand,
  StartAuditMitigationActionsTaskCommandInput,
  StartDetectMitigationActionsTaskCommand,
  StartDetectMitigationActionsTaskCommandInput,
  TaskAlreadyExistsException,
  ThrottlingException,
  UpdateCACertificateCommand,
  UpdateCertificateCommand,
  VersionsLimitExceededException,
} from '@aws-sdk/client-iot';
import { BLANK_POLICY_DOCUMENT, expectNoViolations, FaultKind, IotEmulator } from './iot-emulator';
import {
  actionTypeAllowedForCheck,
  AUDIT_CHECK_NAMES,
  checkCreatePolicyVersion,
  checkListAuditFindings,
  checkListDetectMitigationActionsExecutions,
  checkListPrincipalThings,
  checkNonCompliantResource,
  checkPolicyVersionPath,
  checkRemoveThingFromThingGroup,
  checkStartAuditMitigationActionsTask,
  checkStartDetectMitigationActionsTask,
  checkUpdateCACertificate,
  checkUpdateCertificate,
  matchOperation,
  parseQueryTimestamp,
} from './iot-model';
import { rejection, RawResponse, sendRawRequest } from './test-clients';

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
function rawRequest(method: string, path: string, body?: string): Promise<RawResponse> {
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  return sendRawRequest(new URL(path, emulator.endpoint), { method, headers }, body);
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
    await rejection(client.send(startDetect({ actions: ['stack:action'] })));
    expect(emulator.violations()).toEqual(['StartDetectMitigationActionsTask: actions[0]: "stack:action" does not match /^[a-zA-Z0-9_-]+$/']);
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

  test('accessDenied403 is what IAM answers to a call no policy allows: AccessDeniedException, HTTP 403, not retried', async () => {
    seedAudit();
    emulator.injectFault({ kind: 'accessDenied403', operation: 'StartDetectMitigationActionsTask' });
    const err = await rejection(client.send(startDetect()));
    expect(err).toBeInstanceOf(IoTServiceException);
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(emulator.requests.map((r) => r.response)).toEqual([{ status: 403, errorType: 'AccessDeniedException' }]);
    expect(emulator.detectMitigationTasks()).toEqual([]);
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
        await noRetry.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' })).catch(() => undefined);
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
      other.addAuditTask({ taskId: 'audit-1', checks: {} });
      const otherClient = new IoTClient({
        endpoint: other.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
      clients.push(otherClient);
      for (let i = 0; i < 20; i++) {
        await otherClient.send(new DescribeAuditTaskCommand({ taskId: 'audit-1' })).catch(() => undefined);
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
    await noRetry.send(new DescribeAuditFindingCommand({ findingId: 'f-1' }));
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

  test('a violation id marked invalid is refused with InvalidRequestException, and nothing starts; the others still can', async () => {
    seedAudit();
    emulator.markViolationsInvalid('v-bad');
    const refused = await rejection(client.send(startDetect({ target: { violationIds: ['v-1', 'v-bad'] } })));
    expect(refused).toBeInstanceOf(InvalidRequestException);
    expect(refused.message).toBe('Invalid violation ids: v-bad.');
    expect(emulator.detectMitigationTasks()).toEqual([]);
    await client.send(startDetect({ taskId: 'detect-2', target: { violationIds: ['v-1'] } }));
    expect(emulator.detectMitigationTasks().map((t) => t.target)).toEqual([{ violationIds: ['v-1'] }]);
    emulator.reset();
    seedAudit();
    await client.send(startDetect({ target: { violationIds: ['v-bad'] } }));
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

describe('seeded mitigation actions', () => {
  test("default actionParams use the API model's member names (updateCACertificateParams, not CloudFormation's casing)", async () => {
    emulator.addMitigationAction({ actionName: 'deactivate-ca', actionType: 'UPDATE_CA_CERTIFICATE' });
    emulator.addAuditTask({ taskId: 'audit-ca', checks: { CA_CERTIFICATE_EXPIRING_CHECK: { nonCompliantResourcesCount: 0 } } });
    await client.send(startAudit({
      taskId: 'mitigate-ca', target: { auditTaskId: 'audit-ca' }, auditCheckToActionsMapping: { CA_CERTIFICATE_EXPIRING_CHECK: ['deactivate-ca'] },
    }));
    const out = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'mitigate-ca' }));
    expect(out.actionsDefinition).toEqual([
      expect.objectContaining({ name: 'deactivate-ca', actionParams: { updateCACertificateParams: { action: 'DEACTIVATE' } } }),
    ]);
    expectNoViolations(emulator);
  });
});

// ---------------------------------------------------------------------------------------------
// Resources the mitigation actions change, and running tasks
// ---------------------------------------------------------------------------------------------

const CERT_1 = '1'.repeat(64);
const CERT_2 = '2'.repeat(64);
const CERT_3 = '3'.repeat(64);
const CERT_UNKNOWN = 'd'.repeat(64);
const CA_1 = 'ca'.padEnd(64, '0');
const CERT_ARN = (id: string): string => `arn:aws:iot:us-east-1:123456789012:cert/${id}`;
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });
const ALLOW_CONNECT = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] });

/** Two certificates with things attached (CERT_1: sensor-1, sensor-2; CERT_2: gateway:1), a spare CERT_3, a CA, two groups, a policy. */
function seedFleet(): void {
  emulator.addCaCertificate({ certificateId: CA_1 });
  emulator.addCertificate({ certificateId: CERT_1, caCertificateId: CA_1 });
  emulator.addCertificate({ certificateId: CERT_2 });
  emulator.addCertificate({ certificateId: CERT_3 });
  for (const thing of ['sensor-1', 'sensor-2', 'gateway:1']) emulator.addThing(thing);
  emulator.addThingGroup('quarantine');
  emulator.addThingGroup('watch');
  emulator.attachThingPrincipal('sensor-1', emulator.certificateArn(CERT_1));
  emulator.attachThingPrincipal('sensor-2', emulator.certificateArn(CERT_1));
  emulator.attachThingPrincipal('gateway:1', emulator.certificateArn(CERT_2));
  emulator.addPolicy({ policyName: 'wide-open', document: ALLOW_ALL });
}

/** Everything a mitigation task can change, read through the inspection API. */
function fleetState(): Record<string, unknown> {
  return {
    certs: [CERT_1, CERT_2, CERT_3].map((id) => emulator.certificate(id)?.status),
    ca: emulator.caCertificate(CA_1)?.status,
    groups: ['sensor-1', 'sensor-2', 'gateway:1'].map((t) => emulator.thingGroupsOf(t)),
    policyDefault: emulator.policy('wide-open')?.defaultVersionId,
    policyVersions: emulator.policy('wide-open')?.versions.map((v) => v.versionId),
  };
}

describe('resource operations: wire format', () => {
  test('the SDK sends labels, query members, the principal header and bodies as the model binds them', async () => {
    seedFleet();
    await client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'INACTIVE' }));
    await client.send(new UpdateCACertificateCommand({ certificateId: CA_1, newStatus: 'INACTIVE' }));
    await client.send(new ListPrincipalThingsCommand({ principal: CERT_ARN(CERT_1), maxResults: 1 }));
    await client.send(new ListThingGroupsForThingCommand({ thingName: 'gateway:1' }));
    await client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'quarantine', thingName: 'gateway:1' }));
    await client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT, setAsDefault: true }));
    await client.send(new SetDefaultPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '1' }));
    await client.send(new DeletePolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '2' }));
    const start = new Date('2026-01-01T00:00:00.000Z');
    await client.send(new ListDetectMitigationActionsExecutionsCommand({ startTime: start, endTime: later(HOUR) }));

    const summary = emulator.requests.map((r) => ({ operation: r.operation, method: r.method, path: r.path, query: r.query, body: r.body }));
    expect(summary).toEqual([
      { operation: 'UpdateCertificate', method: 'PUT', path: `/certificates/${CERT_1}`, query: { newStatus: 'INACTIVE' }, body: undefined },
      // UpdateCACertificate has body members (registrationConfig, removeAutoRegistration), so the SDK always sends a JSON object.
      { operation: 'UpdateCACertificate', method: 'PUT', path: `/cacertificate/${CA_1}`, query: { newStatus: 'INACTIVE' }, body: {} },
      { operation: 'ListPrincipalThings', method: 'GET', path: '/principals/things', query: { maxResults: '1' }, body: undefined },
      { operation: 'ListThingGroupsForThing', method: 'GET', path: '/things/gateway%3A1/thing-groups', query: {}, body: undefined },
      {
        operation: 'RemoveThingFromThingGroup',
        method: 'PUT',
        path: '/thing-groups/removeThingFromThingGroup',
        query: {},
        body: { thingGroupName: 'quarantine', thingName: 'gateway:1' },
      },
      { operation: 'CreatePolicyVersion', method: 'POST', path: '/policies/wide-open/version', query: { setAsDefault: 'true' }, body: { policyDocument: ALLOW_CONNECT } },
      { operation: 'SetDefaultPolicyVersion', method: 'PATCH', path: '/policies/wide-open/version/1', query: {}, body: undefined },
      { operation: 'DeletePolicyVersion', method: 'DELETE', path: '/policies/wide-open/version/2', query: {}, body: undefined },
      // Whole-second query timestamps are sent without a fraction.
      {
        operation: 'ListDetectMitigationActionsExecutions',
        method: 'GET',
        path: '/detect/mitigationactions/executions',
        query: { startTime: '2026-01-01T00:00:00Z', endTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) },
        body: undefined,
      },
    ]);
    expect(emulator.requestsFor('ListPrincipalThings')[0].headers['x-amzn-principal']).toBe(CERT_ARN(CERT_1));
    expect(emulator.requests.every((r) => r.response.status === 200)).toBe(true);
    expectNoViolations(emulator);
  });

  test('faults and retries apply to the resource operations too', async () => {
    seedFleet();
    emulator.injectFault({ kind: 'throttle429', operation: 'UpdateCertificate' });
    const out = await client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'INACTIVE' }));
    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.requestsFor('UpdateCertificate').map((r) => r.response.status)).toEqual([429, 200]);
    expect(emulator.certificate(CERT_1)?.customerVersion).toBe(2);
  });
});

describe('certificates', () => {
  test('DescribeCertificate and UpdateCertificate', async () => {
    seedFleet();
    const before = await client.send(new DescribeCertificateCommand({ certificateId: CERT_1 }));
    expect(before.certificateDescription).toEqual({
      certificateArn: CERT_ARN(CERT_1),
      certificateId: CERT_1,
      caCertificateId: CA_1,
      status: 'ACTIVE',
      ownedBy: '123456789012',
      creationDate: expect.any(Date),
      lastModifiedDate: expect.any(Date),
      customerVersion: 1,
      generationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      certificateMode: 'DEFAULT',
    });

    await client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'INACTIVE' }));
    const after = await client.send(new DescribeCertificateCommand({ certificateId: CERT_1 }));
    expect(after.certificateDescription).toMatchObject({ status: 'INACTIVE', customerVersion: 2 });
    expect(after.certificateDescription?.generationId).not.toBe(before.certificateDescription?.generationId);
    expect(emulator.certificate(CERT_1)).toMatchObject({ status: 'INACTIVE', certificateArn: CERT_ARN(CERT_1) });

    // Idempotent: the same status again changes nothing.
    await client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'INACTIVE' }));
    expect(emulator.certificate(CERT_1)?.customerVersion).toBe(2);
    await client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'ACTIVE' }));
    expect(emulator.certificate(CERT_1)).toMatchObject({ status: 'ACTIVE', customerVersion: 3 });
    expect(emulator.certificate(CERT_2)?.status).toBe('ACTIVE');
    expectNoViolations(emulator);
  });

  test('unknown certificates are 404; a revoked certificate cannot change status (CertificateStateException, 406)', async () => {
    emulator.addCertificate({ certificateId: CERT_1, status: 'REVOKED' });
    const missing = await rejection(client.send(new DescribeCertificateCommand({ certificateId: CERT_UNKNOWN })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new UpdateCertificateCommand({ certificateId: CERT_UNKNOWN, newStatus: 'ACTIVE' })))).toBeInstanceOf(ResourceNotFoundException);

    const revoked = await rejection(client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'ACTIVE' })));
    expect(revoked).toBeInstanceOf(CertificateStateException);
    expect(revoked.$metadata?.httpStatusCode).toBe(406);
    expect(emulator.certificate(CERT_1)?.status).toBe('REVOKED');
    expect(emulator.certificate(CERT_UNKNOWN)).toBeUndefined();
    expectNoViolations(emulator);
  });

  test('a malformed certificate id and reserved statuses are violations', async () => {
    seedFleet();
    await rejection(client.send(new DescribeCertificateCommand({ certificateId: 'cert-1' })));
    await rejection(client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'PENDING_TRANSFER' })));
    await rejection(client.send(new UpdateCertificateCommand({ certificateId: CERT_1, newStatus: 'REGISTER_INACTIVE' })));
    expect(emulator.violations()).toEqual([
      'DescribeCertificate: certificateId: length 6 is below the minimum 64',
      'DescribeCertificate: certificateId: "cert-1" does not match /^(0x)?[a-fA-F0-9]+$/',
      'UpdateCertificate: query newStatus: PENDING_TRANSFER is used internally by IoT; setting it throws an exception',
      'UpdateCertificate: query newStatus: REGISTER_INACTIVE is deprecated and should not be used',
    ]);
    expect(emulator.certificate(CERT_1)?.status).toBe('ACTIVE');
  });

  test('seeding checks ids and statuses', () => {
    expect(() => emulator.addCertificate({ certificateId: 'cert-1' })).toThrow(/addCertificate: certificateId: length 6 is below the minimum 64/);
    expect(() => emulator.addCertificate({ certificateId: CERT_1, status: 'PENDING_TRANSFER' as never })).toThrow(/ACTIVE, INACTIVE or REVOKED/);
    emulator.addCertificate({ certificateId: CERT_1 });
    expect(() => emulator.addCertificate({ certificateId: CERT_1 })).toThrow(/already exists/);
    expect(() => emulator.addCaCertificate({ certificateId: CA_1, status: 'REVOKED' as never })).toThrow(/ACTIVE or INACTIVE/);
  });
});

describe('CA certificates', () => {
  test('DescribeCACertificate and UpdateCACertificate', async () => {
    seedFleet();
    const before = await client.send(new DescribeCACertificateCommand({ certificateId: CA_1 }));
    expect(before.certificateDescription).toMatchObject({
      certificateArn: `arn:aws:iot:us-east-1:123456789012:cacert/${CA_1}`,
      certificateId: CA_1,
      status: 'ACTIVE',
      autoRegistrationStatus: 'DISABLE',
      customerVersion: 1,
      creationDate: expect.any(Date),
    });

    await client.send(new UpdateCACertificateCommand({ certificateId: CA_1, newStatus: 'INACTIVE', newAutoRegistrationStatus: 'ENABLE' }));
    const after = await client.send(new DescribeCACertificateCommand({ certificateId: CA_1 }));
    expect(after.certificateDescription).toMatchObject({ status: 'INACTIVE', autoRegistrationStatus: 'ENABLE', customerVersion: 2 });
    expect(emulator.caCertificate(CA_1)?.status).toBe('INACTIVE');

    expect(await rejection(client.send(new DescribeCACertificateCommand({ certificateId: CERT_UNKNOWN })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new UpdateCACertificateCommand({ certificateId: CERT_UNKNOWN, newStatus: 'ACTIVE' })))).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
  });

  test('a CA certificate has no REVOKED status', async () => {
    seedFleet();
    await rejection(client.send(new UpdateCACertificateCommand({ certificateId: CA_1, newStatus: 'REVOKED' as never })));
    expect(emulator.violations()).toEqual(['UpdateCACertificate: query newStatus: "REVOKED" is not one of ACTIVE, INACTIVE']);
    expect(emulator.caCertificate(CA_1)?.status).toBe('ACTIVE');
  });
});

describe('things and thing groups', () => {
  test('ListPrincipalThings pages through the attached things; unknown principals are 404', async () => {
    seedFleet();
    const pages: string[][] = [];
    for await (const page of paginateListPrincipalThings({ client, pageSize: 1 }, { principal: CERT_ARN(CERT_1) })) {
      pages.push(page.things ?? []);
    }
    expect(pages).toEqual([['sensor-1'], ['sensor-2']]);

    const none = await client.send(new ListPrincipalThingsCommand({ principal: CERT_ARN(CERT_3) }));
    expect(none.things).toEqual([]);
    const unknown = await rejection(client.send(new ListPrincipalThingsCommand({ principal: CERT_ARN(CERT_UNKNOWN) })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
  });

  test('ListThingPrincipals pages through the principals attached to a thing, at its path; unknown things are 404', async () => {
    seedFleet();
    emulator.attachThingPrincipal('sensor-1', emulator.certificateArn(CERT_2));
    const pages: string[][] = [];
    for await (const page of paginateListThingPrincipals({ client, pageSize: 1 }, { thingName: 'sensor-1' })) {
      pages.push(page.principals ?? []);
    }
    expect(pages).toEqual([[CERT_ARN(CERT_1)], [CERT_ARN(CERT_2)]]);
    expect(emulator.requestsFor('ListThingPrincipals')[0]).toMatchObject({ method: 'GET', path: '/things/sensor-1/principals', query: { maxResults: '1' } });
    expect((await client.send(new ListThingPrincipalsCommand({ thingName: 'gateway:1' }))).principals).toEqual([CERT_ARN(CERT_2)]);
    const unknown = await rejection(client.send(new ListThingPrincipalsCommand({ thingName: 'no-such-thing' })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
    // maxResults is RegistryMaxResults: 1-250.
    await rejection(client.send(new ListThingPrincipalsCommand({ thingName: 'sensor-1', maxResults: 251 })));
    expect(emulator.violations()).toEqual(['ListThingPrincipals: query maxResults: 251 is outside the range 1-250']);
  });

  test('RemoveThingFromThingGroup (by name or ARN) and ListThingGroupsForThing', async () => {
    seedFleet();
    emulator.addThingToThingGroup('sensor-1', 'quarantine');
    emulator.addThingToThingGroup('sensor-1', 'watch');
    // Adding a member again changes nothing.
    emulator.addThingToThingGroup('sensor-1', 'quarantine');
    emulator.addThingToThingGroup('gateway:1', 'quarantine');

    const groups = await client.send(new ListThingGroupsForThingCommand({ thingName: 'sensor-1' }));
    expect(groups.thingGroups).toEqual([
      { groupName: 'quarantine', groupArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/quarantine' },
      { groupName: 'watch', groupArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/watch' },
    ]);
    const paged = await client.send(new ListThingGroupsForThingCommand({ thingName: 'sensor-1', maxResults: 1 }));
    expect(paged).toMatchObject({ thingGroups: [{ groupName: 'quarantine' }], nextToken: expect.any(String) });

    await client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'quarantine', thingName: 'sensor-1' }));
    expect(emulator.thingGroupsOf('sensor-1')).toEqual(['watch']);
    expect(emulator.thingsInGroup('quarantine')).toEqual(['gateway:1']);
    await client.send(new RemoveThingFromThingGroupCommand({
      thingGroupArn: 'arn:aws:iot:us-east-1:123456789012:thinggroup/watch', thingArn: 'arn:aws:iot:us-east-1:123456789012:thing/sensor-1',
    }));
    expect(emulator.thingGroupsOf('sensor-1')).toEqual([]);
    // Removing a non-member succeeds.
    await client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'quarantine', thingName: 'sensor-1' }));
    expect((await client.send(new ListThingGroupsForThingCommand({ thingName: 'sensor-2' }))).thingGroups).toEqual([]);
    expectNoViolations(emulator);
  });

  test('unknown things and groups are 404; a request naming no thing or group is a violation', async () => {
    seedFleet();
    expect(await rejection(client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'nope', thingName: 'sensor-1' }))))
      .toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'quarantine', thingName: 'ghost' }))))
      .toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new ListThingGroupsForThingCommand({ thingName: 'ghost' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(emulator.thingsInGroup('quarantine')).toEqual([]);
    expectNoViolations(emulator);

    const res = await rawRequest('PUT', '/thing-groups/removeThingFromThingGroup', '{}');
    expect(res.status).toBe(400);
    await rejection(client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'quarantine', thingName: 'has space' })));
    expect(emulator.violations()).toEqual([
      'RemoveThingFromThingGroup: thingGroupName or thingGroupArn: one of them is required',
      'RemoveThingFromThingGroup: thingName or thingArn: one of them is required',
      'RemoveThingFromThingGroup: thingName: "has space" does not match /^[a-zA-Z0-9:_-]+$/',
    ]);
  });

  test('seeding and inspection reject unknown names', () => {
    seedFleet();
    expect(() => emulator.addThing('sensor-1')).toThrow(/already exists/);
    expect(() => emulator.addThingGroup('bad group')).toThrow(/does not match/);
    expect(() => emulator.attachThingPrincipal('ghost', CERT_ARN(CERT_1))).toThrow(/thing ghost does not exist/);
    expect(() => emulator.thingGroupsOf('ghost')).toThrow(/does not exist/);
    expect(() => emulator.thingsInGroup('nope')).toThrow(/does not exist/);
    expect(() => emulator.addThingToThingGroup('ghost', 'quarantine')).toThrow(/thing ghost does not exist/);
    expect(() => emulator.addThingToThingGroup('sensor-1', 'nope')).toThrow(/thing group nope does not exist/);
  });
});

describe('policies', () => {
  test('GetPolicy, ListPolicyVersions, GetPolicyVersion, CreatePolicyVersion and SetDefaultPolicyVersion', async () => {
    seedFleet();
    const policy = await client.send(new GetPolicyCommand({ policyName: 'wide-open' }));
    expect(policy).toMatchObject({
      policyName: 'wide-open',
      policyArn: 'arn:aws:iot:us-east-1:123456789012:policy/wide-open',
      policyDocument: ALLOW_ALL,
      defaultVersionId: '1',
      creationDate: expect.any(Date),
      lastModifiedDate: expect.any(Date),
      generationId: expect.any(String),
    });

    const created = await client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT }));
    expect(created).toMatchObject({ policyArn: policy.policyArn, policyDocument: ALLOW_CONNECT, policyVersionId: '2', isDefaultVersion: false });
    expect((await client.send(new GetPolicyCommand({ policyName: 'wide-open' }))).defaultVersionId).toBe('1');

    const versions = await client.send(new ListPolicyVersionsCommand({ policyName: 'wide-open' }));
    expect(versions.policyVersions).toEqual([
      { versionId: '1', isDefaultVersion: true, createDate: expect.any(Date) },
      { versionId: '2', isDefaultVersion: false, createDate: expect.any(Date) },
    ]);

    await client.send(new SetDefaultPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '2' }));
    const v2 = await client.send(new GetPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '2' }));
    expect(v2).toMatchObject({ policyName: 'wide-open', policyVersionId: '2', policyDocument: ALLOW_CONNECT, isDefaultVersion: true });
    const v1 = await client.send(new GetPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '1' }));
    expect(v1).toMatchObject({ policyDocument: ALLOW_ALL, isDefaultVersion: false });
    expect(await client.send(new GetPolicyCommand({ policyName: 'wide-open' }))).toMatchObject({ defaultVersionId: '2', policyDocument: ALLOW_CONNECT });
    expect(emulator.policy('wide-open')).toMatchObject({ defaultVersionId: '2', document: ALLOW_CONNECT });
    expectNoViolations(emulator);
  });

  test('deleting the default version is refused with DeleteConflictException (409); other versions can go', async () => {
    seedFleet();
    const err = await rejection(client.send(new DeletePolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '1' })));
    expect(err).toBeInstanceOf(DeleteConflictException);
    expect(err.$metadata?.httpStatusCode).toBe(409);
    expect(emulator.policy('wide-open')?.versions.map((v) => v.versionId)).toEqual(['1']);

    await client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT, setAsDefault: true }));
    await client.send(new DeletePolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '1' }));
    expect(emulator.policy('wide-open')?.versions.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([['2', true]]);
    expect(await rejection(client.send(new DeletePolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '1' })))).toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
  });

  test('a policy keeps at most 5 versions (VersionsLimitExceededException, 409); version ids are not reused', async () => {
    seedFleet();
    for (let i = 2; i <= 5; i++) {
      const out = await client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT }));
      expect(out.policyVersionId).toBe(String(i));
    }
    const err = await rejection(client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT, setAsDefault: true })));
    expect(err).toBeInstanceOf(VersionsLimitExceededException);
    expect(err.$metadata?.httpStatusCode).toBe(409);
    expect(emulator.policy('wide-open')).toMatchObject({ defaultVersionId: '1', versions: expect.any(Array) });
    expect(emulator.policy('wide-open')?.versions).toHaveLength(5);

    await client.send(new DeletePolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '3' }));
    const next = await client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT }));
    expect(next.policyVersionId).toBe('6');
    expect(emulator.policy('wide-open')?.versions.map((v) => v.versionId)).toEqual(['1', '2', '4', '5', '6']);
    expectNoViolations(emulator);
  });

  test('malformed documents, unknown policies and versions, and malformed names', async () => {
    seedFleet();
    const malformed = await rejection(client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: '{"Version": ' })));
    expect(malformed).toBeInstanceOf(MalformedPolicyException);
    expect(await rejection(client.send(new GetPolicyCommand({ policyName: 'nope' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new GetPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '9' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new SetDefaultPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '9' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new CreatePolicyVersionCommand({ policyName: 'nope', policyDocument: ALLOW_ALL })))).toBeInstanceOf(ResourceNotFoundException);
    expect(emulator.policy('wide-open')?.versions).toHaveLength(1);
    expectNoViolations(emulator);

    await rejection(client.send(new GetPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: 'v1' })));
    await rejection(client.send(new GetPolicyCommand({ policyName: 'wide open' })));
    await rejection(client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: '  \n ' })));
    expect(emulator.violations()).toEqual([
      'GetPolicyVersion: policyVersionId: "v1" does not match /^[0-9]+$/',
      'GetPolicy: policyName: "wide open" does not match /^[\\w+=,.@-]+$/',
      'CreatePolicyVersion: policyDocument: is empty (the minimum is 1 character, excluding whitespace)',
    ]);
  });

  test('seeding rejects bad names and documents', () => {
    expect(() => emulator.addPolicy({ policyName: 'a b', document: ALLOW_ALL })).toThrow(/does not match/);
    expect(() => emulator.addPolicy({ policyName: 'p', document: 'not json' })).toThrow(/not valid JSON/);
    emulator.addPolicy({ policyName: 'p', document: { Version: '2012-10-17', Statement: [] } });
    expect(emulator.policy('p')?.document).toBe('{"Version":"2012-10-17","Statement":[]}');
    expect(() => emulator.addPolicy({ policyName: 'p', document: ALLOW_ALL })).toThrow(/already exists/);
    expect(emulator.policy('missing')).toBeUndefined();
  });
});

describe('audit findings with non-compliant resources', () => {
  test('every resource kind a mitigation action acts on round-trips through ListAuditFindings', async () => {
    emulator.addAuditTask({ taskId: 'audit-r', taskStartTime: ago(HOUR), checks: {} });
    const resources = {
      'f-dev': { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: CERT_1 } },
      'f-ca': { resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: CA_1 } },
      // Seeded with the members in the other order than the SDK sends them.
      'f-pol': { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyVersionId: '1', policyName: 'wide-open' } } },
      'f-acct': { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '123456789012' } },
    };
    const checks = { 'f-dev': 'DEVICE_CERTIFICATE_SHARED_CHECK', 'f-ca': 'CA_CERTIFICATE_EXPIRING_CHECK', 'f-pol': 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK', 'f-acct': 'LOGGING_DISABLED_CHECK' };
    for (const [findingId, nonCompliantResource] of Object.entries(resources)) {
      emulator.addAuditFinding({ findingId, taskId: 'audit-r', checkName: checks[findingId as keyof typeof checks], nonCompliantResource });
    }
    const out = await client.send(new ListAuditFindingsCommand({ taskId: 'audit-r' }));
    expect(Object.fromEntries((out.findings ?? []).map((f) => [f.findingId, f.nonCompliantResource]))).toEqual({
      'f-dev': { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: CERT_1 } },
      'f-ca': { resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: CA_1 } },
      'f-pol': { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName: 'wide-open', policyVersionId: '1' } } },
      'f-acct': { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '123456789012' } },
    });
    const byPolicy = await client.send(new ListAuditFindingsCommand({
      taskId: 'audit-r', resourceIdentifier: { policyVersionIdentifier: { policyName: 'wide-open', policyVersionId: '1' } },
    }));
    expect(byPolicy.findings?.map((f) => f.findingId)).toEqual(['f-pol']);
    expectNoViolations(emulator);
  });

  test('a resource of the wrong kind is rejected when seeded', () => {
    emulator.addAuditTask({ taskId: 'audit-r', checks: {} });
    const add = (nonCompliantResource: unknown): void => emulator.addAuditFinding({
      findingId: 'f', taskId: 'audit-r', checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', nonCompliantResource: nonCompliantResource as never,
    });
    expect(() => add({ resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { caCertificateId: CA_1 } }))
      .toThrow('addAuditFinding: nonCompliantResource.resourceIdentifier.deviceCertificateId: is required for resourceType DEVICE_CERTIFICATE');
    expect(() => add({ resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyVersionId: '1' } } }))
      .toThrow(/policyVersionIdentifier\.policyName: is required for resourceType IOT_POLICY/);
    expect(() => add({ resourceType: 'THING', resourceIdentifier: { thingName: 'x' } }))
      .toThrow(/resourceType: "THING" is not one of .*; nonCompliantResource\.resourceIdentifier: unknown member "thingName"/);
  });
});

/** Actions of every type, an audit with a finding per resource kind, and a suppressed finding. */
function seedRunnableAudit(): void {
  seedFleet();
  emulator.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
  emulator.addMitigationAction({ actionName: 'deactivate-cert', actionType: 'UPDATE_DEVICE_CERTIFICATE' });
  emulator.addMitigationAction({ actionName: 'deactivate-ca', actionType: 'UPDATE_CA_CERTIFICATE' });
  emulator.addMitigationAction({ actionName: 'blank-policy', actionType: 'REPLACE_DEFAULT_POLICY_VERSION' });
  emulator.addMitigationAction({ actionName: 'enable-logging', actionType: 'ENABLE_IOT_LOGGING' });
  emulator.addMitigationAction({
    actionName: 'quarantine',
    actionType: 'ADD_THINGS_TO_THING_GROUP',
    actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine', 'watch'] } },
  });
  emulator.addAuditTask({
    taskId: 'audit-9',
    taskStartTime: ago(HOUR),
    checks: {
      DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 3, suppressedNonCompliantResourcesCount: 1 },
      CA_CERTIFICATE_EXPIRING_CHECK: { nonCompliantResourcesCount: 1 },
      IOT_POLICY_OVERLY_PERMISSIVE_CHECK: { nonCompliantResourcesCount: 1 },
      LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 },
    },
  });
  const cert = (findingId: string, certificateId: string, isSuppressed = false): void => emulator.addAuditFinding({
    findingId,
    taskId: 'audit-9',
    checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
    isSuppressed,
    nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: certificateId } },
  });
  cert('f-cert1', CERT_1);
  cert('f-cert2', CERT_2);
  cert('f-muted', CERT_3, true);
  emulator.addAuditFinding({
    findingId: 'f-ca',
    taskId: 'audit-9',
    checkName: 'CA_CERTIFICATE_EXPIRING_CHECK',
    nonCompliantResource: { resourceType: 'CA_CERTIFICATE', resourceIdentifier: { caCertificateId: CA_1 } },
  });
  emulator.addAuditFinding({
    findingId: 'f-policy',
    taskId: 'audit-9',
    checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK',
    nonCompliantResource: { resourceType: 'IOT_POLICY', resourceIdentifier: { policyVersionIdentifier: { policyName: 'wide-open', policyVersionId: '1' } } },
  });
  emulator.addAuditFinding({
    findingId: 'f-log',
    taskId: 'audit-9',
    checkName: 'LOGGING_DISABLED_CHECK',
    nonCompliantResource: { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '123456789012' } },
  });
}

const FULL_MAPPING = {
  DEVICE_CERTIFICATE_SHARED_CHECK: ['notify', 'quarantine', 'deactivate-cert'],
  CA_CERTIFICATE_EXPIRING_CHECK: ['deactivate-ca'],
  IOT_POLICY_OVERLY_PERMISSIVE_CHECK: ['blank-policy'],
  LOGGING_DISABLED_CHECK: ['enable-logging'],
};

const executionsOf = async (taskId: string, findingId: string): Promise<Array<[string | undefined, string | undefined, string | undefined]>> => {
  const out = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId, findingId }));
  return (out.actionsExecutions ?? []).map((e) => [e.actionName, e.status, e.errorCode]);
};

describe('running audit mitigation tasks', () => {
  test('every action takes effect and is visible through the API; executions, statistics and lists reflect the run', async () => {
    seedRunnableAudit();
    await client.send(startAudit({ taskId: 'run-1', target: { auditTaskId: 'audit-9' }, auditCheckToActionsMapping: FULL_MAPPING }));
    expect(fleetState()).toEqual({
      certs: ['ACTIVE', 'ACTIVE', 'ACTIVE'], ca: 'ACTIVE', groups: [[], [], []], policyDefault: '1', policyVersions: ['1'],
    });

    const recorded = emulator.runAuditMitigationTask('run-1');
    expect(recorded).toHaveLength(12);

    // Effects, through the API.
    const status = async (id: string): Promise<string | undefined> =>
      (await client.send(new DescribeCertificateCommand({ certificateId: id }))).certificateDescription?.status;
    expect([await status(CERT_1), await status(CERT_2), await status(CERT_3)]).toEqual(['INACTIVE', 'INACTIVE', 'ACTIVE']);
    expect((await client.send(new DescribeCACertificateCommand({ certificateId: CA_1 }))).certificateDescription?.status).toBe('INACTIVE');
    for (const thing of ['sensor-1', 'sensor-2', 'gateway:1']) {
      const groups = await client.send(new ListThingGroupsForThingCommand({ thingName: thing }));
      expect(groups.thingGroups?.map((g) => g.groupName)).toEqual(['quarantine', 'watch']);
    }
    const policy = await client.send(new GetPolicyCommand({ policyName: 'wide-open' }));
    expect(policy).toMatchObject({ defaultVersionId: '2', policyDocument: BLANK_POLICY_DOCUMENT });
    expect(JSON.parse(BLANK_POLICY_DOCUMENT)).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    expect((await client.send(new ListPolicyVersionsCommand({ policyName: 'wide-open' }))).policyVersions?.map((v) => [v.versionId, v.isDefaultVersion]))
      .toEqual([['1', false], ['2', true]]);

    // Side effects outside the modelled resources.
    expect(emulator.sideEffects).toEqual([
      {
        kind: 'sns-publish',
        taskId: 'run-1',
        findingId: 'f-cert1',
        actionName: 'notify',
        topicArn: 'arn:aws:sns:us-east-1:123456789012:iot-findings',
        finding: expect.objectContaining({ findingId: 'f-cert1', checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', nonCompliantResource: expect.any(Object) }),
      },
      expect.objectContaining({ kind: 'sns-publish', findingId: 'f-cert2' }),
      {
        kind: 'logging-enabled',
        taskId: 'run-1',
        findingId: 'f-log',
        actionName: 'enable-logging',
        roleArnForLogging: 'arn:aws:iam::123456789012:role/iot-logging',
        logLevel: 'ERROR',
      },
    ]);

    // Executions, per finding, in action order.
    expect(await executionsOf('run-1', 'f-cert1')).toEqual([['notify', 'COMPLETED', undefined], ['quarantine', 'COMPLETED', undefined], ['deactivate-cert', 'COMPLETED', undefined]]);
    expect(await executionsOf('run-1', 'f-muted')).toEqual([['notify', 'SKIPPED', undefined], ['quarantine', 'SKIPPED', undefined], ['deactivate-cert', 'SKIPPED', undefined]]);
    expect(await executionsOf('run-1', 'f-policy')).toEqual([['blank-policy', 'COMPLETED', undefined]]);
    const [first] = (await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'run-1', findingId: 'f-ca' }))).actionsExecutions ?? [];
    expect(first).toEqual({
      taskId: 'run-1',
      findingId: 'f-ca',
      actionName: 'deactivate-ca',
      actionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'COMPLETED',
      startTime: expect.any(Date),
      endTime: expect.any(Date),
    });

    // Task status and statistics.
    const described = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'run-1' }));
    expect(described.taskStatus).toBe('COMPLETED');
    expect(described.endTime).toBeInstanceOf(Date);
    const one = { totalFindingsCount: 1, succeededFindingsCount: 1, failedFindingsCount: 0, skippedFindingsCount: 0, canceledFindingsCount: 0 };
    expect(described.taskStatistics).toEqual({
      DEVICE_CERTIFICATE_SHARED_CHECK: {
        totalFindingsCount: 3, succeededFindingsCount: 2, failedFindingsCount: 0, skippedFindingsCount: 1, canceledFindingsCount: 0,
      },
      CA_CERTIFICATE_EXPIRING_CHECK: one,
      IOT_POLICY_OVERLY_PERMISSIVE_CHECK: one,
      LOGGING_DISABLED_CHECK: one,
    });
    const listed = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR), taskStatus: 'COMPLETED' }));
    expect(listed.tasks?.map((t) => t.taskId)).toEqual(['run-1']);
    expect(await rejection(client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'run-1' })))).toBeInstanceOf(InvalidRequestException);
    expect(emulator.auditMitigationExecutions('run-1')).toHaveLength(12);
    expectNoViolations(emulator);
  });

  test('a failed action skips the later actions of that finding only; the task ends FAILED', async () => {
    seedRunnableAudit();
    await client.send(startAudit({
      taskId: 'run-2',
      target: { findingIds: ['f-cert1', 'f-cert2'] },
      auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: FULL_MAPPING.DEVICE_CERTIFICATE_SHARED_CHECK },
    }));
    emulator.runAuditMitigationTask('run-2', { failFindingIds: ['f-cert1'] });

    expect(await executionsOf('run-2', 'f-cert1')).toEqual([['notify', 'FAILED', 'EmulatedFailure'], ['quarantine', 'SKIPPED', undefined], ['deactivate-cert', 'SKIPPED', undefined]]);
    expect(await executionsOf('run-2', 'f-cert2')).toEqual([['notify', 'COMPLETED', undefined], ['quarantine', 'COMPLETED', undefined], ['deactivate-cert', 'COMPLETED', undefined]]);
    // f-cert1's resources are untouched; f-cert2's are mitigated.
    expect(fleetState()).toMatchObject({ certs: ['ACTIVE', 'INACTIVE', 'ACTIVE'], groups: [[], [], ['quarantine', 'watch']] });
    expect(emulator.sideEffects.map((e) => e.findingId)).toEqual(['f-cert2']);

    const skipped = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'run-2', findingId: 'f-cert1', actionStatus: 'SKIPPED' }));
    expect(skipped.actionsExecutions?.map((e) => e.actionName)).toEqual(['quarantine', 'deactivate-cert']);
    const described = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'run-2' }));
    expect(described.taskStatus).toBe('FAILED');
    expect(described.taskStatistics?.DEVICE_CERTIFICATE_SHARED_CHECK).toEqual({
      totalFindingsCount: 2, succeededFindingsCount: 1, failedFindingsCount: 1, skippedFindingsCount: 0, canceledFindingsCount: 0,
    });
    const failed = await client.send(new ListAuditMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR), taskStatus: 'FAILED' }));
    expect(failed.tasks?.map((t) => t.taskId)).toEqual(['run-2']);
    expectNoViolations(emulator);
  });

  test('an action fails with the error the API call would return, and nothing is half-applied', async () => {
    seedRunnableAudit();
    emulator.addMitigationAction({
      actionName: 'quarantine-nowhere',
      actionType: 'ADD_THINGS_TO_THING_GROUP',
      actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine', 'no-such-group'] } },
    });
    emulator.addAuditFinding({
      findingId: 'f-ghost',
      taskId: 'audit-9',
      checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: CERT_UNKNOWN } },
    });
    for (let i = 0; i < 4; i++) await client.send(new CreatePolicyVersionCommand({ policyName: 'wide-open', policyDocument: ALLOW_CONNECT }));
    await client.send(startAudit({
      taskId: 'run-3',
      target: { findingIds: ['f-cert1', 'f-ghost', 'f-policy'] },
      auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['quarantine-nowhere', 'deactivate-cert'], IOT_POLICY_OVERLY_PERMISSIVE_CHECK: ['blank-policy'] },
    }));
    emulator.runAuditMitigationTask('run-3');

    expect(await executionsOf('run-3', 'f-cert1')).toEqual([['quarantine-nowhere', 'FAILED', 'ResourceNotFoundException'], ['deactivate-cert', 'SKIPPED', undefined]]);
    expect(await executionsOf('run-3', 'f-ghost')).toEqual([['quarantine-nowhere', 'FAILED', 'ResourceNotFoundException'], ['deactivate-cert', 'SKIPPED', undefined]]);
    expect(await executionsOf('run-3', 'f-policy')).toEqual([['blank-policy', 'FAILED', 'VersionsLimitExceededException']]);
    const [policyExecution] = (await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'run-3', findingId: 'f-policy' }))).actionsExecutions ?? [];
    expect(policyExecution.message).toMatch(/maximum number of versions \(5\)/);
    expect(fleetState()).toEqual({
      certs: ['ACTIVE', 'ACTIVE', 'ACTIVE'], ca: 'ACTIVE', groups: [[], [], []], policyDefault: '1', policyVersions: ['1', '2', '3', '4', '5'],
    });
    expect(emulator.auditMitigationTasks()[0].taskStatus).toBe('FAILED');
    expectNoViolations(emulator);
  });

  test('what a task did can be undone through the API', async () => {
    seedRunnableAudit();
    await client.send(startAudit({ taskId: 'run-4', target: { auditTaskId: 'audit-9' }, auditCheckToActionsMapping: FULL_MAPPING }));
    const before = fleetState();
    emulator.runAuditMitigationTask('run-4');
    expect(fleetState()).not.toEqual(before);

    for (const id of [CERT_1, CERT_2]) await client.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'ACTIVE' }));
    await client.send(new UpdateCACertificateCommand({ certificateId: CA_1, newStatus: 'ACTIVE' }));
    for (const thing of ['sensor-1', 'sensor-2', 'gateway:1']) {
      for (const group of ['quarantine', 'watch']) await client.send(new RemoveThingFromThingGroupCommand({ thingGroupName: group, thingName: thing }));
    }
    await client.send(new SetDefaultPolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '1' }));
    await client.send(new DeletePolicyVersionCommand({ policyName: 'wide-open', policyVersionId: '2' }));

    expect(fleetState()).toEqual(before);
    expect((await client.send(new GetPolicyCommand({ policyName: 'wide-open' }))).policyDocument).toBe(ALLOW_ALL);
    expectNoViolations(emulator);
  });

  test('executions of a run paginate', async () => {
    seedRunnableAudit();
    await client.send(startAudit({ taskId: 'run-5', target: { findingIds: ['f-cert1'] }, auditCheckToActionsMapping: FULL_MAPPING }));
    emulator.runAuditMitigationTask('run-5');
    const page1 = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'run-5', findingId: 'f-cert1', maxResults: 2 }));
    expect(page1.actionsExecutions?.map((e) => e.actionName)).toEqual(['notify', 'quarantine']);
    const page2 = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'run-5', findingId: 'f-cert1', maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.actionsExecutions?.map((e) => e.actionName)).toEqual(['deactivate-cert']);
    expect(page2.nextToken).toBeUndefined();
    expectNoViolations(emulator);
  });

  test('timesUnknown: the task and its executions are described without start and end times', async () => {
    seedRunnableAudit();
    await client.send(startAudit({ taskId: 'run-8', target: { findingIds: ['f-cert1'] }, auditCheckToActionsMapping: FULL_MAPPING }));
    emulator.runAuditMitigationTask('run-8', { timesUnknown: true });
    const task = await client.send(new DescribeAuditMitigationActionsTaskCommand({ taskId: 'run-8' }));
    expect(task.taskStatus).toBe('COMPLETED');
    expect(task.startTime).toBeUndefined();
    expect(task.endTime).toBeUndefined();
    const { actionsExecutions } = await client.send(new ListAuditMitigationActionsExecutionsCommand({ taskId: 'run-8', findingId: 'f-cert1' }));
    expect(actionsExecutions).toHaveLength(3);
    for (const e of actionsExecutions ?? []) {
      expect([e.status, e.startTime, e.endTime]).toEqual(['COMPLETED', undefined, undefined]);
    }
    expectNoViolations(emulator);
  });

  test('only IN_PROGRESS tasks run, once; failFindingIds must be targets', async () => {
    seedRunnableAudit();
    expect(() => emulator.runAuditMitigationTask('nope')).toThrow(/no audit mitigation task nope/);
    await client.send(startAudit({ taskId: 'run-6', target: { findingIds: ['f-cert1'] }, auditCheckToActionsMapping: FULL_MAPPING }));
    expect(() => emulator.runAuditMitigationTask('run-6', { failFindingIds: ['f-cert2'] })).toThrow(/not targeted by task run-6: f-cert2/);
    emulator.runAuditMitigationTask('run-6');
    expect(() => emulator.runAuditMitigationTask('run-6')).toThrow(/is COMPLETED; only IN_PROGRESS tasks can run/);
    await client.send(startAudit({ taskId: 'run-7', clientRequestToken: 'tok-7', target: { findingIds: ['f-cert2'] }, auditCheckToActionsMapping: FULL_MAPPING }));
    await client.send(new CancelAuditMitigationActionsTaskCommand({ taskId: 'run-7' }));
    expect(() => emulator.runAuditMitigationTask('run-7')).toThrow(/is CANCELED/);
    expect(emulator.certificate(CERT_2)?.status).toBe('ACTIVE');
  });
});

describe('running detect mitigation tasks', () => {
  function seedDetect(): void {
    seedFleet();
    emulator.addMitigationAction({
      actionName: 'quarantine', actionType: 'ADD_THINGS_TO_THING_GROUP', actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['quarantine'] } },
    });
    emulator.addMitigationAction({
      actionName: 'watch-too', actionType: 'ADD_THINGS_TO_THING_GROUP', actionParams: { addThingsToThingGroupParams: { thingGroupNames: ['watch'] } },
    });
  }

  test("each violation's thing joins the groups; executions are listed by task, violation, thing and time window", async () => {
    seedDetect();
    await client.send(startDetect({ target: { violationIds: ['v-1', 'v-2'] }, actions: ['quarantine', 'watch-too'] }));
    emulator.runDetectMitigationTask('detect-1', { 'v-1': 'sensor-1', 'v-2': 'gateway:1' });

    expect(emulator.thingGroupsOf('sensor-1')).toEqual(['quarantine', 'watch']);
    expect(emulator.thingGroupsOf('gateway:1')).toEqual(['quarantine', 'watch']);
    expect(emulator.thingGroupsOf('sensor-2')).toEqual([]);

    const all = await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-1' }));
    expect(all.actionsExecutions?.map((e) => [e.violationId, e.thingName, e.actionName, e.status])).toEqual([
      ['v-1', 'sensor-1', 'quarantine', 'SUCCESSFUL'],
      ['v-1', 'sensor-1', 'watch-too', 'SUCCESSFUL'],
      ['v-2', 'gateway:1', 'quarantine', 'SUCCESSFUL'],
      ['v-2', 'gateway:1', 'watch-too', 'SUCCESSFUL'],
    ]);
    expect(all.actionsExecutions?.[0]).toEqual({
      taskId: 'detect-1',
      violationId: 'v-1',
      thingName: 'sensor-1',
      actionName: 'quarantine',
      status: 'SUCCESSFUL',
      executionStartDate: expect.any(Date),
      executionEndDate: expect.any(Date),
    });
    const byViolation = await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-1', violationId: 'v-2' }));
    expect(byViolation.actionsExecutions?.map((e) => e.thingName)).toEqual(['gateway:1', 'gateway:1']);
    const byThing = await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-1', thingName: 'sensor-1' }));
    expect(byThing.actionsExecutions).toHaveLength(2);
    const window = await client.send(new ListDetectMitigationActionsExecutionsCommand({ startTime: ago(HOUR), endTime: later(HOUR), maxResults: 3 }));
    expect(window.actionsExecutions).toHaveLength(3);
    expect(window.nextToken).toEqual(expect.any(String));
    const past = await client.send(new ListDetectMitigationActionsExecutionsCommand({ startTime: ago(3 * HOUR), endTime: ago(HOUR) }));
    expect(past.actionsExecutions).toEqual([]);

    const described = await client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: 'detect-1' }));
    expect(described.taskSummary).toMatchObject({
      taskStatus: 'SUCCESSFUL', taskEndTime: expect.any(Date), taskStatistics: { actionsExecuted: 4, actionsSkipped: 0, actionsFailed: 0 },
    });
    const listed = await client.send(new ListDetectMitigationActionsTasksCommand({ startTime: ago(HOUR), endTime: later(HOUR) }));
    expect(listed.tasks?.map((t) => [t.taskId, t.taskStatus])).toEqual([['detect-1', 'SUCCESSFUL']]);
    expect(await rejection(client.send(new CancelDetectMitigationActionsTaskCommand({ taskId: 'detect-1' })))).toBeInstanceOf(InvalidRequestException);
    expectNoViolations(emulator);
  });

  test('a failed action skips the later actions of that violation; the task ends FAILED', async () => {
    seedDetect();
    await client.send(startDetect({ target: { securityProfileName: 'fleet' }, actions: ['quarantine', 'watch-too'] }));
    emulator.runDetectMitigationTask('detect-1', { 'v-1': 'sensor-1', 'v-2': 'ghost', 'v-3': 'sensor-2' }, { failViolationIds: ['v-3'] });

    const all = await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-1' }));
    expect(all.actionsExecutions?.map((e) => [e.violationId, e.actionName, e.status, e.errorCode])).toEqual([
      ['v-1', 'quarantine', 'SUCCESSFUL', undefined],
      ['v-1', 'watch-too', 'SUCCESSFUL', undefined],
      ['v-2', 'quarantine', 'FAILED', 'ResourceNotFoundException'],
      ['v-2', 'watch-too', 'SKIPPED', undefined],
      ['v-3', 'quarantine', 'FAILED', 'EmulatedFailure'],
      ['v-3', 'watch-too', 'SKIPPED', undefined],
    ]);
    expect(emulator.thingGroupsOf('sensor-2')).toEqual([]);
    const described = await client.send(new DescribeDetectMitigationActionsTaskCommand({ taskId: 'detect-1' }));
    expect(described.taskSummary).toMatchObject({ taskStatus: 'FAILED', taskStatistics: { actionsExecuted: 2, actionsSkipped: 2, actionsFailed: 2 } });
    expect(emulator.detectMitigationExecutions('detect-1')).toHaveLength(6);
    expectNoViolations(emulator);
  });

  test('guards: unknown or finished tasks, violations the task does not target', async () => {
    seedDetect();
    expect(() => emulator.runDetectMitigationTask('nope', {})).toThrow(/no detect mitigation task nope/);
    await client.send(startDetect({ target: { violationIds: ['v-1'] } }));
    expect(() => emulator.runDetectMitigationTask('detect-1', { 'v-9': 'sensor-1' })).toThrow(/v-9 is not a target of task detect-1/);
    expect(() => emulator.runDetectMitigationTask('detect-1', { v_1: 'sensor-1' })).toThrow(/does not match/);
    emulator.runDetectMitigationTask('detect-1', { 'v-1': 'sensor-1' });
    expect(() => emulator.runDetectMitigationTask('detect-1', { 'v-1': 'sensor-1' })).toThrow(/is SUCCESSFUL/);
  });

  test('ListDetectMitigationActionsExecutions needs a taskId or a time window, not both', async () => {
    await client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-1' }));
    await rejection(client.send(new ListDetectMitigationActionsExecutionsCommand({ taskId: 'detect-1', startTime: ago(HOUR), endTime: new Date() })));
    await rejection(client.send(new ListDetectMitigationActionsExecutionsCommand({})));
    await rejection(client.send(new ListDetectMitigationActionsExecutionsCommand({ startTime: ago(HOUR), violationId: 'v_1' })));
    expect(emulator.violations()).toEqual([
      'ListDetectMitigationActionsExecutions: taskId and startTime/endTime: specify either taskId or a time window, not both',
      'ListDetectMitigationActionsExecutions: taskId or startTime/endTime: one of them is required',
      'ListDetectMitigationActionsExecutions: query violationId: "v_1" does not match /^[a-zA-Z0-9-]+$/',
      'ListDetectMitigationActionsExecutions: startTime/endTime: specify both or neither',
    ]);
  });
});

describe('iot-model checks of the resource operations', () => {
  const parts = (p: Partial<{ pathParams: Record<string, string>; query: Record<string, string>; body: unknown; headers: Record<string, string> }>) =>
    ({ pathParams: {}, query: {}, body: undefined, ...p });

  test('certificates', () => {
    expect(checkUpdateCertificate(parts({ pathParams: { certificateId: CERT_1 }, query: { newStatus: 'INACTIVE' } }))).toEqual([]);
    expect(checkUpdateCertificate(parts({ pathParams: { certificateId: `0x${'a'.repeat(62)}` } }))).toEqual(['query newStatus: is required']);
    expect(checkUpdateCertificate(parts({ pathParams: { certificateId: 'g'.repeat(64) }, query: { newStatus: 'ACTIVE', extra: '1' } }))).toEqual([
      `certificateId: "${'g'.repeat(64)}" does not match /^(0x)?[a-fA-F0-9]+$/`,
      'query: unknown parameter "extra"',
    ]);
    expect(checkUpdateCACertificate(parts({ pathParams: { certificateId: CA_1 }, body: { removeAutoRegistration: 'yes', x: 1 } }))).toEqual([
      'body: unknown member "x"',
      'removeAutoRegistration: must be a boolean, got a string',
    ]);
  });

  test('things, principals and policies', () => {
    expect(checkListPrincipalThings(parts({}))).toEqual(['header x-amzn-principal: is required']);
    expect(checkListPrincipalThings(parts({ headers: { 'x-amzn-principal': CERT_ARN(CERT_1) }, query: { maxResults: '251' } })))
      .toEqual(['query maxResults: 251 is outside the range 1-250']);
    expect(checkRemoveThingFromThingGroup(parts({ body: { thingGroupName: 'g', thingName: 't', overrideDynamicGroups: false } })))
      .toEqual(['body: unknown member "overrideDynamicGroups"']);
    expect(checkRemoveThingFromThingGroup(parts({}))).toEqual(['body: is required']);
    expect(checkPolicyVersionPath(parts({ pathParams: { policyName: 'p', policyVersionId: '1.0' } }))).toEqual(['policyVersionId: "1.0" does not match /^[0-9]+$/']);
    const big = `{"a":"${'x'.repeat(2041)}"}`;
    expect(big.length).toBe(2049);
    expect(checkCreatePolicyVersion(parts({ pathParams: { policyName: 'p' }, body: { policyDocument: big } })))
      .toEqual(['policyDocument: 2049 characters excluding whitespace exceeds the maximum 2048']);
    const spaced = `{"a":\n  "${'x'.repeat(2040)}"}`;
    expect(checkCreatePolicyVersion(parts({ pathParams: { policyName: 'p' }, query: { setAsDefault: 'yes' }, body: { policyDocument: spaced } })))
      .toEqual(['query setAsDefault: "yes" is not a boolean (true or false)']);
    expect(checkCreatePolicyVersion(parts({ pathParams: { policyName: 'p' } }))).toEqual(['body: is required']);
  });

  test('detect executions and non-compliant resources', () => {
    expect(checkListDetectMitigationActionsExecutions(parts({ query: { taskId: 't', thingName: 'x'.repeat(129) } })))
      .toEqual(['query thingName: length 129 exceeds the maximum 128']);
    expect(checkNonCompliantResource('r', { resourceType: 'ACCOUNT_SETTINGS', resourceIdentifier: { account: '123456789012' } })).toEqual([]);
    expect(checkNonCompliantResource('r', { resourceType: 'CA_CERTIFICATE', resourceIdentifier: {}, additionalInfo: { a: 1 } })).toEqual([
      'r.resourceIdentifier.caCertificateId: is required for resourceType CA_CERTIFICATE',
      'r.additionalInfo: must be a map of strings',
    ]);
  });

  test('routing: PATCH and DELETE routes, decoded labels, and operations nothing sends stay unserved', () => {
    expect(matchOperation('DELETE', '/policies/p%2Bq/version/3')).toMatchObject({
      operation: { name: 'DeletePolicyVersion' }, pathParams: { policyName: 'p+q', policyVersionId: '3' },
    });
    expect(matchOperation('PATCH', '/policies/p/version/3')?.operation.name).toBe('SetDefaultPolicyVersion');
    expect(matchOperation('PUT', '/thing-groups/removeThingFromThingGroup')?.operation.name).toBe('RemoveThingFromThingGroup');
    expect(matchOperation('PUT', '/thing-groups/addThingToThingGroup')).toBeUndefined();
    expect(matchOperation('GET', '/thing-groups/quarantine/things')).toBeUndefined();
    expect(matchOperation('GET', '/mitigationactions/actions/notify')).toBeUndefined();
    expect(matchOperation('GET', '/things/gateway%3A1/thing-groups')?.pathParams).toEqual({ thingName: 'gateway:1' });
    expect(matchOperation('GET', '/things')).toBeUndefined();
    expect(matchOperation('DELETE', '/policies/p')).toBeUndefined();
  });
});

describe('DescribeAuditFinding', () => {
  test('returns a finding with its resource; an unknown id is ResourceNotFound', async () => {
    emulator.addAuditTask({ taskId: 'audit-describe', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 1 } } });
    emulator.addAuditFinding({
      findingId: 'finding-describe',
      taskId: 'audit-describe',
      checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'a'.repeat(64) } },
    });
    const { finding } = await client.send(new DescribeAuditFindingCommand({ findingId: 'finding-describe' }));
    expect(finding).toMatchObject({
      findingId: 'finding-describe',
      checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'a'.repeat(64) } },
    });
    await expect(client.send(new DescribeAuditFindingCommand({ findingId: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expectNoViolations(emulator);
  });
});

describe('audit finding suppressions', () => {
  const SUPPRESSED_CERT = '1'.repeat(64);
  const key = { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', resourceIdentifier: { deviceCertificateId: SUPPRESSED_CERT } };

  test('Create, Describe, Update, List and Delete, in the wire format the model gives', async () => {
    const until = later(30 * DAY);
    await client.send(new CreateAuditSuppressionCommand({ ...key, expirationDate: until, description: 'lab rig', clientRequestToken: 't-1' }));
    const create = emulator.requestsFor('CreateAuditSuppression')[0];
    expect(create).toMatchObject({ method: 'POST', path: '/audit/suppressions/create' });
    expect(create.body.expirationDate).toBe(until.getTime() / 1000);

    const described = await client.send(new DescribeAuditSuppressionCommand(key));
    expect(described).toMatchObject({ ...key, expirationDate: until, suppressIndefinitely: false, description: 'lab rig' });

    await client.send(new UpdateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, description: 'for good' }));
    expect(emulator.requestsFor('UpdateAuditSuppression')[0]).toMatchObject({ method: 'PATCH', path: '/audit/suppressions/update' });
    expect(emulator.auditSuppressions()).toEqual([expect.objectContaining({ suppressIndefinitely: true, expirationDate: undefined, description: 'for good' })]);

    const listed = await client.send(new ListAuditSuppressionsCommand({ checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK' }));
    expect(listed.suppressions).toEqual([expect.objectContaining({ ...key, suppressIndefinitely: true })]);

    await client.send(new DeleteAuditSuppressionCommand(key));
    expect(emulator.auditSuppressions()).toEqual([]);
    await expect(client.send(new DescribeAuditSuppressionCommand(key))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new UpdateAuditSuppressionCommand({ ...key, suppressIndefinitely: true })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    // The model lists no ResourceNotFoundException for DeleteAuditSuppression: deleting a missing one succeeds.
    await client.send(new DeleteAuditSuppressionCommand(key));
    expectNoViolations(emulator);
  });

  test('a second Create of the same key is ResourceAlreadyExists, unless it is a retry with the same token', async () => {
    await client.send(new CreateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, clientRequestToken: 't-1' }));
    await client.send(new CreateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, clientRequestToken: 't-1' }));
    await expect(client.send(new CreateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, clientRequestToken: 't-2' })))
      .rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    // The key ignores member order: the same policy version either way round.
    const policy = { checkName: 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK' };
    await client.send(new CreateAuditSuppressionCommand({
      ...policy, resourceIdentifier: { policyVersionIdentifier: { policyName: 'p', policyVersionId: '1' } }, suppressIndefinitely: true, clientRequestToken: 't-3',
    }));
    const raw = await rawRequest('POST', '/audit/suppressions/describe',
      JSON.stringify({ ...policy, resourceIdentifier: { policyVersionIdentifier: { policyVersionId: '1', policyName: 'p' } } }));
    expect(raw.status).toBe(200);
    expectNoViolations(emulator);
  });

  test.each([
    ['neither an expiration date nor suppressIndefinitely', {}],
    ['both', { expirationDate: later(DAY), suppressIndefinitely: true }],
    ['a date in the past', { expirationDate: ago(DAY) }],
  ])('Create with %s is InvalidRequest (not a model violation)', async (_, expiry) => {
    await expect(client.send(new CreateAuditSuppressionCommand({ ...key, ...expiry, clientRequestToken: 't-1' }))).rejects.toBeInstanceOf(InvalidRequestException);
    expectNoViolations(emulator);
  });

  test('the model constraints of the key, the description and the token are checked', async () => {
    const bad = [
      { checkName: 'NOT_A_CHECK', resourceIdentifier: { deviceCertificateId: SUPPRESSED_CERT } },
      { checkName: key.checkName, resourceIdentifier: { deviceCertificateId: 'abc' } },
      { checkName: key.checkName, resourceIdentifier: { account: '12345' } },
      { checkName: key.checkName, resourceIdentifier: { iamRoleArn: 'arn:short' } },
      { checkName: key.checkName, resourceIdentifier: { issuerCertificateIdentifier: { issuerCertificateSerialNumber: 'xyz' } } },
      { checkName: key.checkName, resourceIdentifier: { policyVersionIdentifier: { policyName: 'p', policyVersionId: 'v1' } } },
    ];
    for (const k of bad) {
      await expect(client.send(new CreateAuditSuppressionCommand({ ...k, suppressIndefinitely: true, clientRequestToken: 't' })))
        .rejects.toBeInstanceOf(InvalidRequestException);
    }
    await expect(client.send(new CreateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, description: 'x'.repeat(1001), clientRequestToken: 't' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(client.send(new CreateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, description: 'caf\u00e9', clientRequestToken: 't' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    await expect(client.send(new CreateAuditSuppressionCommand({ ...key, suppressIndefinitely: true, clientRequestToken: 'not a token!' })))
      .rejects.toBeInstanceOf(InvalidRequestException);
    expect(emulator.violations()).toEqual([
      'CreateAuditSuppression: checkName: "NOT_A_CHECK" is not a known audit check name',
      'CreateAuditSuppression: resourceIdentifier.deviceCertificateId: length 3 is below the minimum 64',
      'CreateAuditSuppression: resourceIdentifier.account: length 5 is below the minimum 12',
      'CreateAuditSuppression: resourceIdentifier.iamRoleArn: length 9 is below the minimum 20',
      'CreateAuditSuppression: resourceIdentifier.issuerCertificateIdentifier.issuerCertificateSerialNumber: "xyz" does not match /^[a-fA-F0-9:]+$/',
      'CreateAuditSuppression: resourceIdentifier.policyVersionIdentifier.policyVersionId: "v1" does not match /^[0-9]+$/',
      'CreateAuditSuppression: description: length 1001 exceeds the maximum 1000',
      'CreateAuditSuppression: description: "caf\u00e9" does not match /^[\\x20-\\x7E]*$/',
      'CreateAuditSuppression: clientRequestToken: "not a token!" does not match /^[a-zA-Z0-9-_]+$/',
    ]);
  });

  test('ListAuditFindings and DescribeAuditFinding honour suppressions in force; an expired one suppresses nothing', async () => {
    seedAudit();
    const cert = { checkName: 'DEVICE_CERTIFICATE_SHARED_CHECK', resourceIdentifier: { deviceCertificateId: SUPPRESSED_CERT } };
    emulator.addAuditFinding({
      findingId: 'f-4',
      taskId: 'audit-1',
      checkName: cert.checkName,
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: cert.resourceIdentifier },
    });
    // The same resource under another check is not suppressed.
    emulator.addAuditFinding({
      findingId: 'f-5',
      taskId: 'audit-1',
      checkName: 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK',
      nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: cert.resourceIdentifier },
    });
    const listed = async (listSuppressedFindings: boolean) =>
      ((await client.send(new ListAuditFindingsCommand({ taskId: 'audit-1', listSuppressedFindings }))).findings ?? []).map((f) => f.findingId);
    expect(await listed(false)).toEqual(['f-1', 'f-2', 'f-4', 'f-5']);

    await client.send(new CreateAuditSuppressionCommand({ ...cert, suppressIndefinitely: true, clientRequestToken: 't' }));
    expect(await listed(false)).toEqual(['f-1', 'f-2', 'f-5']);
    expect(await listed(true)).toEqual(['f-3', 'f-4']);
    expect((await client.send(new DescribeAuditFindingCommand({ findingId: 'f-4' }))).finding?.isSuppressed).toBe(true);

    await client.send(new UpdateAuditSuppressionCommand({ ...cert, expirationDate: later(1000) }));
    expect(await listed(false)).toEqual(['f-1', 'f-2', 'f-5']);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await listed(false)).toEqual(['f-1', 'f-2', 'f-4', 'f-5']);
    expectNoViolations(emulator);
  });
});
