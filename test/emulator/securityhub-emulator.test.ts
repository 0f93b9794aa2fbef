import {
  BatchUpdateFindingsCommand, BatchUpdateFindingsCommandInput, DescribeHubCommand, EnableImportFindingsForProductCommand, GetFindingsCommand,
  GetFindingsCommandInput, InternalException, InvalidAccessException, InvalidInputException, LimitExceededException,
  ListEnabledProductsForImportCommand, paginateGetFindings, ResourceConflictException, SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { DEFAULT_ACCOUNT, DEFAULT_PRINCIPAL_ARN } from './identity';
import { AsffFinding, awsProductArn, expectNoSecurityHubViolations, SecurityHubEmulator } from './securityhub-emulator';
import { rejection, sendRawRequest } from './test-clients';

const SPOKE = '222222222222';
const AUDIT = awsProductArn('us-east-1', 'iot-device-defender-audit');
const DETECT = awsProductArn('us-east-1', 'iot-device-defender-detect');
const CHECK = 'DEVICE_CERTIFICATE_SHARED_CHECK';

let emulator: SecurityHubEmulator;
const clients: SecurityHubClient[] = [];

function securityhub(region = 'us-east-1', credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts = 2): SecurityHubClient {
  const c = new SecurityHubClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts });
  clients.push(c);
  return c;
}

/** Seeds audit findings `f-1` .. `f-<n>` of task `audit-1`. */
function seedFindings(n: number): AsffFinding[] {
  return Array.from({ length: n }, (_, i) => emulator.addFinding({ findingId: `f-${i + 1}`, taskId: 'audit-1', checkName: CHECK }));
}

const ident = (f: AsffFinding) => ({ Id: f.Id, ProductArn: f.ProductArn });
const findingIdsOf = (findings: Array<{ ProductFields?: Record<string, string> }> | undefined) => findings?.map((f) => f.ProductFields?.FindingId ?? 'summary');
const getFindings = (input: GetFindingsCommandInput, client = securityhub()) => client.send(new GetFindingsCommand(input));

beforeAll(async () => {
  emulator = await SecurityHubEmulator.start();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.reset();
  emulator.identities.reset();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  expectNoSecurityHubViolations(emulator);
});

describe('Security Hub not enabled', () => {
  test('every operation answers 401 InvalidAccessException, not retried; each account and region is enabled on its own', async () => {
    const commands = [
      new DescribeHubCommand({}), new GetFindingsCommand({}), new ListEnabledProductsForImportCommand({}),
      new EnableImportFindingsForProductCommand({ ProductArn: AUDIT }),
      new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: 'x', ProductArn: AUDIT }], Workflow: { Status: 'NOTIFIED' } }),
    ];
    for (const command of commands) {
      const err = await rejection(securityhub().send(command as never));
      expect(err).toBeInstanceOf(InvalidAccessException);
      expect([err.message, err.$metadata?.httpStatusCode, err.$metadata?.attempts])
        .toEqual([`Account ${DEFAULT_ACCOUNT} is not subscribed to AWS Security Hub`, 401, 1]);
    }
    expect(() => emulator.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK }))
      .toThrow(`addFinding: Security Hub is not enabled in account ${DEFAULT_ACCOUNT}, us-east-1 (enableHub first)`);

    emulator.enableHub({ products: [DETECT] });
    expect(() => emulator.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK })).toThrow(`addFinding: Security Hub in account ${DEFAULT_ACCOUNT}, `
      + `us-east-1 does not import findings of ${AUDIT} (enableHub({ products }) first)`);
    expect(() => emulator.addCheckSummary({ taskId: 'audit-1', checkName: CHECK })).toThrow(/^addCheckSummary: .* does not import findings of/);
    emulator.at({ region: 'eu-west-1' }).enableHub({ subscribedAt: new Date('2025-01-01T00:00:00Z') });
    expect(await securityhub('eu-west-1').send(new DescribeHubCommand({}))).toMatchObject({
      HubArn: `arn:aws:securityhub:eu-west-1:${DEFAULT_ACCOUNT}:hub/default`, SubscribedAt: '2025-01-01T00:00:00.000Z', AutoEnableControls: true,
    });
    expect(await rejection(securityhub('ap-south-1').send(new DescribeHubCommand({})))).toBeInstanceOf(InvalidAccessException);
    expect(emulator.at({ region: 'ap-south-1' }).hub()).toBeUndefined();
  });

  test('DescribeHub with the caller\'s HubArn answers it; another account\'s hub is refused (not emulated)', async () => {
    emulator.enableHub();
    const own = `arn:aws:securityhub:us-east-1:${DEFAULT_ACCOUNT}:hub/default`;
    expect((await securityhub().send(new DescribeHubCommand({ HubArn: own }))).HubArn).toBe(own);
    expect(await rejection(securityhub().send(new DescribeHubCommand({ HubArn: `arn:aws:securityhub:us-east-1:${SPOKE}:hub/default` }))))
      .toBeInstanceOf(InvalidInputException);
    expect(emulator.violations()).toEqual([expect.stringMatching(/^DescribeHub: HubArn .* is not the caller's hub/)]);
    emulator.requests.length = 0;
  });
});

describe('GetFindings', () => {
  beforeEach(() => emulator.enableHub({ products: [AUDIT, DETECT] }));

  test('filters on ProductArn, ProductFields (EQUALS joined by OR), WorkflowStatus, RecordState and Id, attributes joined by AND', async () => {
    const [, , f3, f4] = seedFindings(4);
    await securityhub().send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f3)], Workflow: { Status: 'NOTIFIED' } }));
    emulator.setRecordState(f4.Id, 'ARCHIVED');
    // The same FindingId from another product, and a check summary (no FindingId).
    emulator.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK, productArn: DETECT, id: 'detect-look-alike' });
    emulator.addCheckSummary({ taskId: 'audit-1', checkName: CHECK, nonCompliantResourcesCount: 4 });
    const productArn = [{ Value: AUDIT, Comparison: 'EQUALS' as const }];
    const findingId = (...values: string[]) => values.map((Value) => ({ Key: 'FindingId', Value, Comparison: 'EQUALS' as const }));

    expect(findingIdsOf((await getFindings({ Filters: { ProductArn: productArn, ProductFields: findingId('f-1', 'f-2', 'f-9') } })).Findings))
      .toEqual(['f-1', 'f-2']);
    expect((await getFindings({ Filters: { ProductFields: findingId('f-1') } })).Findings?.map((f) => f.ProductArn)).toEqual([AUDIT, DETECT]);
    expect(findingIdsOf((await getFindings({
      Filters: { ProductArn: productArn, WorkflowStatus: [{ Value: 'NEW', Comparison: 'EQUALS' }], RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] },
    })).Findings)).toEqual(['f-1', 'f-2', 'summary']);
    expect(findingIdsOf((await getFindings({ Filters: { Id: [{ Value: f3.Id, Comparison: 'EQUALS' }] } })).Findings)).toEqual(['f-3']);
    expect(findingIdsOf((await getFindings({ Filters: { RecordState: [{ Value: 'ARCHIVED', Comparison: 'EQUALS' }] } })).Findings)).toEqual(['f-4']);
    // NOT_EQUALS filters are joined by AND; a finding without the key matches a map NOT_EQUALS.
    expect(findingIdsOf((await getFindings({
      Filters: { WorkflowStatus: [{ Value: 'NEW', Comparison: 'NOT_EQUALS' }, { Value: 'SUPPRESSED', Comparison: 'NOT_EQUALS' }] },
    })).Findings)).toEqual(['f-3']);
    expect(findingIdsOf((await getFindings({
      Filters: { ProductArn: productArn, ProductFields: [{ Key: 'ReportType', Value: 'CheckSummary', Comparison: 'NOT_EQUALS' }] },
    })).Findings)).toEqual(['f-1', 'f-2', 'f-3', 'f-4']);
    expect((await getFindings({})).Findings).toHaveLength(6);
  });

  test('answers the findings in ASFF: a Device Defender audit finding as the integration sends it', async () => {
    const created = new Date('2025-03-01T10:00:00Z');
    emulator.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK, severity: 'CRITICAL', isSuppressed: true, createdAt: created });
    const [finding] = (await getFindings({})).Findings!;
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/iot-device-defender-audit',
      AwsAccountId: DEFAULT_ACCOUNT,
      Region: 'us-east-1',
      GeneratorId: CHECK,
      CreatedAt: '2025-03-01T10:00:00.000Z',
      UpdatedAt: '2025-03-01T10:00:00.000Z',
      Severity: { Label: 'CRITICAL', Normalized: 90, Original: 'CRITICAL' },
      ProductFields: { FindingId: 'f-1', TaskId: 'audit-1', CheckName: CHECK, IsSuppressed: 'true' },
      Resources: [{ Type: 'Other', Id: expect.stringMatching(/^arn:aws:iot:us-east-1:123456789012:cert\/[0-9a-f]{64}$/), Partition: 'aws', Region: 'us-east-1' }],
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
    });
    expect(finding.Note).toBeUndefined();
    expect(() => emulator.addFinding({ findingId: 'f 1', taskId: 'audit-1', checkName: CHECK })).toThrow(/findingId must be 1 to 128 of/);
    expect(() => emulator.addFinding({ findingId: 'f-2', taskId: 'audit-1', checkName: 'NO_SUCH_CHECK' })).toThrow('addFinding: unknown audit check NO_SUCH_CHECK');
    expect(() => emulator.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK })).toThrow(/a finding .*f-1 of .* already exists/);
  });

  test('pages by MaxResults (1 to 100); the NextToken continues after the last finding answered, even when findings change between pages', async () => {
    const seeded = seedFindings(7);
    const newOnes = { WorkflowStatus: [{ Value: 'NEW', Comparison: 'EQUALS' as const }] };
    const first = await getFindings({ Filters: newOnes, MaxResults: 3 });
    expect(findingIdsOf(first.Findings)).toEqual(['f-1', 'f-2', 'f-3']);
    // Marking the first page NOTIFIED takes it out of the filter: the next page neither skips nor repeats.
    await securityhub().send(new BatchUpdateFindingsCommand({ FindingIdentifiers: seeded.slice(0, 3).map(ident), Workflow: { Status: 'NOTIFIED' } }));
    const second = await getFindings({ Filters: newOnes, MaxResults: 3, NextToken: first.NextToken });
    expect(findingIdsOf(second.Findings)).toEqual(['f-4', 'f-5', 'f-6']);
    const third = await getFindings({ Filters: newOnes, MaxResults: 3, NextToken: second.NextToken });
    expect([findingIdsOf(third.Findings), third.NextToken]).toEqual([['f-7'], undefined]);

    const all: string[] = [];
    for await (const page of paginateGetFindings({ client: securityhub(), pageSize: 2 }, {})) all.push(...findingIdsOf(page.Findings)!);
    expect(all).toEqual(['f-1', 'f-2', 'f-3', 'f-4', 'f-5', 'f-6', 'f-7']);
    expect(emulator.requestsFor('GetFindings').at(-1)?.input).toEqual({ MaxResults: 2, NextToken: expect.any(String) });
    expect((await getFindings({})).NextToken).toBeUndefined();
  });

  test.each([
    ['MaxResults 0', { MaxResults: 0 }, 'MaxResults must be an integer from 1 to 100, got 0'],
    ['MaxResults 101', { MaxResults: 101 }, 'MaxResults must be an integer from 1 to 100, got 101'],
    ['a NextToken the emulator did not issue', { NextToken: 'bm90IGEgdG9rZW4=' }, 'NextToken "bm90IGEgdG9rZW4=" is not valid'],
    ['a filter on another attribute', { Filters: { SeverityLabel: [{ Value: 'HIGH', Comparison: 'EQUALS' }] } },
      'Filters.SeverityLabel is not emulated (emulated: ProductArn, Id, WorkflowStatus, RecordState, ProductFields)'],
    ['a PREFIX comparison', { Filters: { ProductArn: [{ Value: 'arn:', Comparison: 'PREFIX' }] } },
      'Filters.ProductArn[0].Comparison "PREFIX" is not emulated (emulated: EQUALS, NOT_EQUALS)'],
    ['ProductFields filters on two keys', { Filters: { ProductFields: [{ Key: 'FindingId', Value: 'a', Comparison: 'EQUALS' }, { Key: 'TaskId', Value: 'b', Comparison: 'EQUALS' }] } },
      expect.stringMatching(/^Filters.ProductFields: filters on more than one key \(FindingId, TaskId\) are not emulated/)],
    ['EQUALS and NOT_EQUALS on one field', { Filters: { Id: [{ Value: 'a', Comparison: 'EQUALS' }, { Value: 'b', Comparison: 'NOT_EQUALS' }] } },
      'Filters.Id: an EQUALS filter and a NOT_EQUALS filter on the same field cannot be combined'],
    ['21 values for one attribute', { Filters: { Id: Array.from({ length: 21 }, (_, i) => ({ Value: `id-${i}`, Comparison: 'EQUALS' })) } },
      'Filters.Id: at most 20 filter values per attribute, got 21'],
    ['11 attributes', {
      Filters: Object.fromEntries(['ProductArn', 'AwsAccountId', 'Id', 'GeneratorId', 'Region', 'Type', 'Title', 'Description', 'SourceUrl', 'ProductName', 'CompanyName']
        .map((field) => [field, [{ Value: 'x', Comparison: 'EQUALS' }]])),
    }, 'Filters: at most 10 finding attributes may be filtered, got 11'],
    ['SortCriteria', { SortCriteria: [{ Field: 'UpdatedAt', SortOrder: 'desc' }] }, 'GetFindings: SortCriteria is not emulated'],
  ])('%s is refused with InvalidInputException (400, not retried), recorded as a violation', async (_what, input, message) => {
    const err = await rejection(getFindings(input as GetFindingsCommandInput));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect([err.message, err.$metadata?.httpStatusCode, err.$metadata?.attempts]).toEqual([message, 400, 1]);
    expect(emulator.violations()).toEqual([`GetFindings: ${typeof message === 'string' ? message : err.message}`]);
    emulator.requests.length = 0;
  });

  test('a NextToken issued for other filters is refused', async () => {
    seedFindings(3);
    const first = await getFindings({ MaxResults: 1 });
    const err = await rejection(getFindings({ NextToken: first.NextToken, Filters: { Id: [{ Value: 'x', Comparison: 'EQUALS' }] } }));
    expect([err.name, err.message]).toEqual(['InvalidInputException', 'NextToken was issued for other Filters']);
    emulator.requests.length = 0;
  });
});

describe('BatchUpdateFindings', () => {
  beforeEach(() => emulator.enableHub({ products: [AUDIT, DETECT] }));

  test('sets Workflow.Status and replaces the Note (its UpdatedAt the update\'s time); the finding\'s UpdatedAt stays the provider\'s', async () => {
    const f = emulator.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK, note: { text: 'looking into it', updatedBy: 'analyst' } });
    emulator.identities.advanceClock(60_000);
    const client = securityhub();
    const out = await client.send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [ident(f)], Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'UPDATE_DEVICE_CERTIFICATE succeeded (task t-1)', UpdatedBy: 'cdk-device-defender' },
    }));
    expect(out).toMatchObject({ ProcessedFindings: [ident(f)], UnprocessedFindings: [] });
    const updated = emulator.finding(f.Id)!;
    expect(updated.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(updated.Note).toEqual({ Text: 'UPDATE_DEVICE_CERTIFICATE succeeded (task t-1)', UpdatedBy: 'cdk-device-defender', UpdatedAt: expect.any(String) });
    expect(Date.parse(updated.Note!.UpdatedAt) - Date.parse(f.UpdatedAt)).toBeGreaterThanOrEqual(60_000);
    expect(updated.UpdatedAt).toBe(f.UpdatedAt);

    // A note alone replaces the note and keeps the workflow status.
    await client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Note: { Text: 'second', UpdatedBy: 'cdk-device-defender' } }));
    expect(emulator.finding(f.Id)).toMatchObject({ Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'second' } });
    expect(emulator.updatesOf(f.Id).map((u) => [u.workflowStatus, u.note?.Text, u.principalArn])).toEqual([
      ['NOTIFIED', 'UPDATE_DEVICE_CERTIFICATE succeeded (task t-1)', DEFAULT_PRINCIPAL_ARN], [undefined, 'second', DEFAULT_PRINCIPAL_ARN],
    ]);
  });

  test('answers an unknown finding (or one of another product) and a duplicated identifier in UnprocessedFindings, as AWS documents', async () => {
    const [f1, f2] = seedFindings(2);
    const out = await securityhub().send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [ident(f1), { Id: 'nope', ProductArn: AUDIT }, { Id: f1.Id, ProductArn: DETECT }, ident(f2), ident(f2)],
      Workflow: { Status: 'SUPPRESSED' },
    }));
    expect(out.ProcessedFindings).toEqual([ident(f1)]);
    expect(out.UnprocessedFindings).toEqual([
      { FindingIdentifier: { Id: 'nope', ProductArn: AUDIT }, ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding Not Found' },
      { FindingIdentifier: { Id: f1.Id, ProductArn: DETECT }, ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding Not Found' },
      { FindingIdentifier: ident(f2), ErrorCode: 'DuplicatedFindingIdentifier', ErrorMessage: 'Finding Identifier is duplicated' },
      { FindingIdentifier: ident(f2), ErrorCode: 'DuplicatedFindingIdentifier', ErrorMessage: 'Finding Identifier is duplicated' },
    ]);
    expect(emulator.findings().map((f) => f.Workflow.Status)).toEqual(['SUPPRESSED', 'NEW']);
  });

  test('takes at most 100 identifiers: 100 are processed, 101 refused with InvalidInputException (a violation)', async () => {
    const seeded = seedFindings(101);
    const update = (n: number) => securityhub().send(new BatchUpdateFindingsCommand({ FindingIdentifiers: seeded.slice(0, n).map(ident), Workflow: { Status: 'NOTIFIED' } }));
    expect((await update(100)).ProcessedFindings).toHaveLength(100);
    const err = await rejection(update(101));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect([err.message, err.$metadata?.attempts]).toEqual(['FindingIdentifiers: at most 100 findings may be updated at a time, got 101', 1]);
    expect(emulator.findings().filter((f) => f.Workflow.Status === 'NOTIFIED')).toHaveLength(100);
    expect(emulator.violations()).toEqual(['BatchUpdateFindings: FindingIdentifiers: at most 100 findings may be updated at a time, got 101']);
    emulator.requests.length = 0;
  });

  test.each([
    ['a 513-character note', { Note: { Text: 'x'.repeat(513), UpdatedBy: 'me' } }, 'Note.Text is 513 characters; at most 512'],
    ['a blank UpdatedBy', { Note: { Text: 'x', UpdatedBy: ' ' } }, 'Note.UpdatedBy is required and must not be blank'],
    ['a 513-character UpdatedBy', { Note: { Text: 'x', UpdatedBy: 'u'.repeat(513) } }, 'Note.UpdatedBy is 513 characters; at most 512'],
    ['an unknown workflow status', { Workflow: { Status: 'CLOSED' } }, 'Workflow.Status must be one of NEW, NOTIFIED, RESOLVED, SUPPRESSED, got "CLOSED"'],
    ['nothing to update', {}, 'BatchUpdateFindings: nothing to update (the emulator models Note and Workflow)'],
    ['Severity (not emulated)', { Severity: { Label: 'LOW' } }, 'BatchUpdateFindings: Severity is not emulated'],
    ['no identifiers', { FindingIdentifiers: [], Workflow: { Status: 'NEW' } }, 'FindingIdentifiers is required and must not be empty'],
  ])('%s is refused with InvalidInputException, recorded as a violation', async (_what, input, message) => {
    const [f] = seedFindings(1);
    const request = { FindingIdentifiers: [ident(f)], ...input } as BatchUpdateFindingsCommandInput;
    const err = await rejection(securityhub().send(new BatchUpdateFindingsCommand(request)));
    expect([err.name, err.message]).toEqual(['InvalidInputException', message]);
    expect(emulator.violations()).toEqual([`BatchUpdateFindings: ${message}`]);
    expect(emulator.findings()).toEqual([f]);
    emulator.requests.length = 0;
  });

  test('a 512-character note is accepted', async () => {
    const [f] = seedFindings(1);
    await securityhub().send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Note: { Text: 'n'.repeat(512), UpdatedBy: 'u'.repeat(512) } }));
    expect(emulator.finding(f.Id)?.Note?.Text).toHaveLength(512);
  });

  test('the provider archiving a finding keeps its workflow; making it ACTIVE again resets the workflow to NEW', async () => {
    const [f] = seedFindings(1);
    const client = securityhub();
    await client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Workflow: { Status: 'SUPPRESSED' } }));
    emulator.identities.advanceClock(1000);
    emulator.setRecordState(f.Id, 'ARCHIVED');
    expect(emulator.finding(f.Id)).toMatchObject({ RecordState: 'ARCHIVED', Workflow: { Status: 'SUPPRESSED' } });
    expect(emulator.finding(f.Id)!.UpdatedAt > f.UpdatedAt).toBe(true);
    // An archived finding still takes a note.
    await client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Note: { Text: 'fixed', UpdatedBy: 'me' } }));
    emulator.setRecordState(f.Id, 'ACTIVE');
    expect(emulator.finding(f.Id)).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' }, Note: { Text: 'fixed' } });
    await client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Workflow: { Status: 'RESOLVED' } }));
    emulator.setRecordState(f.Id, 'ACTIVE');
    expect(emulator.finding(f.Id)?.Workflow.Status).toBe('RESOLVED');
    expect(() => emulator.setRecordState('nope', 'ARCHIVED')).toThrow(`setRecordState: no finding nope in account ${DEFAULT_ACCOUNT}, us-east-1`);
  });
});

describe('EnableImportFindingsForProduct and ListEnabledProductsForImport', () => {
  test('enable a product\'s import once (then ResourceConflictException), list the subscriptions page by page', async () => {
    emulator.enableHub({ products: [DETECT] });
    const client = securityhub();
    expect((await client.send(new EnableImportFindingsForProductCommand({ ProductArn: AUDIT }))).ProductSubscriptionArn)
      .toBe(`arn:aws:securityhub:us-east-1:${DEFAULT_ACCOUNT}:product-subscription/aws/iot-device-defender-audit`);
    const again = await rejection(client.send(new EnableImportFindingsForProductCommand({ ProductArn: AUDIT })));
    expect(again).toBeInstanceOf(ResourceConflictException);
    expect([again.$metadata?.httpStatusCode, again.$metadata?.attempts]).toEqual([409, 1]);
    expect(emulator.productSubscriptions()).toEqual([DETECT, AUDIT]);

    const first = await client.send(new ListEnabledProductsForImportCommand({ MaxResults: 1 }));
    expect(first.ProductSubscriptions).toEqual([`arn:aws:securityhub:us-east-1:${DEFAULT_ACCOUNT}:product-subscription/aws/iot-device-defender-detect`]);
    const second = await client.send(new ListEnabledProductsForImportCommand({ MaxResults: 1, NextToken: first.NextToken }));
    expect([second.ProductSubscriptions, second.NextToken]).toEqual([[expect.stringMatching(/\/iot-device-defender-audit$/)], undefined]);
    expect(emulator.requestsFor('ListEnabledProductsForImport')[0].input).toEqual({ MaxResults: '1' });
  });

  test('a product ARN of another region is refused with InvalidInputException (a violation)', async () => {
    emulator.enableHub();
    const err = await rejection(securityhub().send(new EnableImportFindingsForProductCommand({ ProductArn: awsProductArn('eu-west-1', 'iot-device-defender-audit') })));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect(() => emulator.enableHub({ products: ['audit'] })).toThrow("enableHub: 'audit' is not a product ARN of us-east-1");
    expect(emulator.violations()).toEqual([expect.stringMatching(/^EnableImportFindingsForProduct: ProductArn '.*eu-west-1.*' is not a product ARN of us-east-1$/)]);
    emulator.requests.length = 0;
  });
});

describe('faults', () => {
  beforeEach(() => emulator.enableHub({ products: [AUDIT, DETECT] }));

  test('throttling (429 TooManyRequestsException), LimitExceededException and InternalException are retried by the SDK', async () => {
    emulator.injectFault({ kind: 'throttled', operation: 'GetFindings' });
    expect((await getFindings({})).$metadata.attempts).toBe(2);
    emulator.injectFault({ kind: 'throttled', times: 2 });
    const throttled = await rejection(getFindings({}));
    expect([throttled.name, throttled.message, throttled.$metadata?.httpStatusCode, throttled.$metadata?.attempts])
      .toEqual(['TooManyRequestsException', 'Too Many Requests', 429, 2]);
    emulator.injectFault({ kind: 'limitExceeded', times: 2 });
    expect(await rejection(getFindings({}))).toBeInstanceOf(LimitExceededException);
    emulator.injectFault({ kind: 'internalError', times: 2 });
    const internal = await rejection(getFindings({}));
    expect(internal).toBeInstanceOf(InternalException);
    expect(internal.$metadata?.attempts).toBe(2);
    expect(emulator.requestsFor('GetFindings').map((r) => r.errorCode ?? r.status)).toEqual([
      'TooManyRequestsException', 200, 'TooManyRequestsException', 'TooManyRequestsException', 'LimitExceededException', 'LimitExceededException',
      'InternalException', 'InternalException',
    ]);
  });

  test('unprocessedFindings leaves the named findings (by default all) unprocessed; a retry of those succeeds', async () => {
    const [f1, f2, f3] = seedFindings(3);
    const client = securityhub();
    const update = (fs: AsffFinding[]) => client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: fs.map(ident), Workflow: { Status: 'NOTIFIED' } }));
    emulator.injectFault({ kind: 'unprocessedFindings', findingIds: [f2.Id] });
    const out = await update([f1, f2, f3]);
    expect(out.ProcessedFindings).toEqual([ident(f1), ident(f3)]);
    expect(out.UnprocessedFindings).toEqual([{ FindingIdentifier: ident(f2), ErrorCode: 'ConcurrentUpdateError', ErrorMessage: 'Concurrent finding updates detected' }]);
    expect(emulator.finding(f2.Id)?.Workflow.Status).toBe('NEW');
    expect((await update([f2])).ProcessedFindings).toEqual([ident(f2)]);

    emulator.injectFault({ kind: 'unprocessedFindings', errorCode: 'InternalFailure' });
    const all = await update([f1, f3]);
    expect([all.ProcessedFindings, all.UnprocessedFindings?.map((u) => [u.ErrorCode, u.ErrorMessage])])
      .toEqual([[], [['InternalFailure', 'Internal service failure'], ['InternalFailure', 'Internal service failure']]]);
    expect(() => emulator.injectFault({ kind: 'unprocessedFindings', operation: 'GetFindings' }))
      .toThrow('injectFault: unprocessedFindings applies to BatchUpdateFindings only, got GetFindings');
    expect(() => emulator.injectFault({ kind: 'throttled', findingIds: ['x'] })).toThrow('injectFault: findingIds and errorCode apply to unprocessedFindings, not throttled');
  });

  test('accessDenied: 403 AccessDeniedException, not retried, aimed at one account and region', async () => {
    emulator.injectFault({ kind: 'accessDenied', times: Infinity, account: DEFAULT_ACCOUNT, region: 'us-east-1' });
    const denied = await rejection(securityhub().send(new ListEnabledProductsForImportCommand({})));
    expect([denied.name, denied.$metadata?.httpStatusCode, denied.$metadata?.attempts]).toEqual(['AccessDeniedException', 403, 1]);
    emulator.at({ region: 'eu-west-1' }).enableHub();
    expect((await securityhub('eu-west-1').send(new ListEnabledProductsForImportCommand({}))).ProductSubscriptions).toEqual([]);
  });

  test('enabledMeanwhile: another caller turns the product on just before the request, which answers ResourceConflictException', async () => {
    emulator.at({ region: 'eu-west-1' }).enableHub();
    const client = securityhub('eu-west-1');
    const audit = awsProductArn('eu-west-1', 'iot-device-defender-audit');
    emulator.injectFault({ kind: 'enabledMeanwhile' });
    const conflict = await rejection(client.send(new EnableImportFindingsForProductCommand({ ProductArn: audit })));
    expect(conflict).toBeInstanceOf(ResourceConflictException);
    expect(emulator.at({ region: 'eu-west-1' }).productSubscriptions()).toEqual([audit]);
    // Once: the next product is turned on by its own request.
    const detect = awsProductArn('eu-west-1', 'iot-device-defender-detect');
    await client.send(new EnableImportFindingsForProductCommand({ ProductArn: detect }));
    expect(emulator.at({ region: 'eu-west-1' }).productSubscriptions()).toEqual([audit, detect]);
    expect(() => emulator.injectFault({ kind: 'enabledMeanwhile', operation: 'GetFindings' }))
      .toThrow('injectFault: enabledMeanwhile applies to EnableImportFindingsForProduct only, got GetFindings');
  });
});

describe('accounts, regions and credentials', () => {
  test('each account and region has its own hub, findings and subscriptions; at() seeds and reads another', async () => {
    emulator.identities.addAccessKey({ accessKeyId: 'AKIDSPOKE', account: SPOKE });
    const spokeKey = { accessKeyId: 'AKIDSPOKE', secretAccessKey: 'secret' };
    const spokeWest = emulator.at({ account: SPOKE, region: 'eu-west-1' });
    spokeWest.enableHub({ products: [awsProductArn('eu-west-1', 'iot-device-defender-audit')] });
    const f = spokeWest.addFinding({ findingId: 'f-1', taskId: 'audit-1', checkName: CHECK });
    expect(f.ProductArn).toBe('arn:aws:securityhub:eu-west-1::product/aws/iot-device-defender-audit');
    expect(f.AwsAccountId).toBe(SPOKE);
    emulator.at({ region: 'eu-west-1' }).enableHub();

    expect((await getFindings({}, securityhub('eu-west-1', spokeKey))).Findings?.map((x) => x.Id)).toEqual([f.Id]);
    expect((await getFindings({}, securityhub('eu-west-1'))).Findings).toEqual([]);
    expect(await rejection(getFindings({}, securityhub('us-east-1', spokeKey)))).toBeInstanceOf(InvalidAccessException);
    const elsewhere = await securityhub('eu-west-1').send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Workflow: { Status: 'RESOLVED' } }));
    expect(elsewhere.UnprocessedFindings?.map((u) => u.ErrorCode)).toEqual(['FindingNotFound']);
    await securityhub('eu-west-1', spokeKey).send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [ident(f)], Workflow: { Status: 'NOTIFIED' } }));
    expect(spokeWest.finding(f.Id)?.Workflow.Status).toBe('NOTIFIED');
    expect(spokeWest.updatesOf(f.Id).map((u) => u.principalArn)).toEqual([`arn:aws:iam::${SPOKE}:user/AKIDSPOKE`]);
    expect(spokeWest.requestsFor('BatchUpdateFindings')).toHaveLength(1);
    expect(emulator.at({ region: 'eu-west-1' }).requestsFor('BatchUpdateFindings')).toHaveLength(1);
    expect(emulator.findings()).toEqual([]);
  });

  test('a key nobody issued is 403 UnrecognizedClientException; an unsigned request or one signed for another service is a violation', async () => {
    const unknown = await rejection(getFindings({}, securityhub('us-east-1', { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' })));
    expect([unknown.name, unknown.message, unknown.$metadata?.httpStatusCode]).toEqual(['UnrecognizedClientException', 'The security token included in the request is invalid.', 403]);
    const raw = (headers: Record<string, string>) => sendRawRequest(new URL('/findings', emulator.endpoint), {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    }, '{}');
    expect((await raw({})).status).toBe(403);
    const iotScoped = await raw({ authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=x' });
    expect([iotScoped.status, iotScoped.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
    expect(emulator.violations()).toEqual([
      'GetFindings: Missing Authentication Token', "GetFindings: Credential should be scoped to correct service: 'securityhub'.",
    ]);
    emulator.requests.length = 0;
  });
});
