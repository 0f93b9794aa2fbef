import {
  BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand,
  paginateScan, ResourceNotFoundException, ScanCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbEmulator, expectNoDynamoDbViolations } from './dynamodb-emulator';
import { rejection, sendRawRequest } from './test-clients';

const TABLE = 'ledger';
let emulator: DynamoDbEmulator;
let client: DynamoDBClient;

beforeAll(async () => {
  // The client signs for eu-west-1: the tables seeded without at() are the default account's there.
  emulator = await DynamoDbEmulator.start({ region: 'eu-west-1' });
  client = new DynamoDBClient({
    endpoint: emulator.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 3,
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});
beforeEach(() => {
  emulator.reset();
  emulator.createTable(TABLE, 'taskId');
});

const key = (taskId: string) => ({ taskId: { S: taskId } });
const claimCondition = {
  ConditionExpression: 'attribute_not_exists(#taskId) OR (#state = :claimed AND #claimedAt < :stale)',
  ExpressionAttributeNames: { '#taskId': 'taskId', '#state': 'state', '#claimedAt': 'claimedAt' },
};
const claim = (taskId: string, claimedAt: number, stale: number) => new PutItemCommand({
  TableName: TABLE,
  Item: { ...key(taskId), state: { S: 'claimed' }, claimedAt: { N: String(claimedAt) } },
  ...claimCondition,
  ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':stale': { N: String(stale) } },
});

describe('PutItem with a condition', () => {
  test('puts a new item, then refuses the same conditional put with ConditionalCheckFailedException', async () => {
    await client.send(claim('t-1', 1000, 500));
    expect(emulator.item(TABLE, 't-1')).toEqual({ ...key('t-1'), state: { S: 'claimed' }, claimedAt: { N: '1000' } });
    const error = await rejection(client.send(claim('t-1', 1100, 900)));
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(emulator.item(TABLE, 't-1')?.claimedAt).toEqual({ N: '1000' });
    expectNoDynamoDbViolations(emulator);
  });

  test('numbers compare as numbers: a claim older than the staleness is taken over', async () => {
    await client.send(claim('t-1', 999, 0));
    await client.send(claim('t-1', 5000, 1000)); // 999 < 1000 (as strings '999' > '1000')
    expect(emulator.item(TABLE, 't-1')?.claimedAt).toEqual({ N: '5000' });
  });

  test('a reported item is never taken over', async () => {
    emulator.putItem(TABLE, { ...key('t-1'), state: { S: 'reported' }, claimedAt: { N: '1' } });
    expect(await rejection(client.send(claim('t-1', 5000, 4000)))).toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe('UpdateItem and DeleteItem', () => {
  test('SET assigns values; DeleteItem with a condition deletes only when it holds', async () => {
    await client.send(claim('t-1', 1000, 0));
    await client.send(new UpdateItemCommand({
      TableName: TABLE,
      Key: key('t-1'),
      UpdateExpression: 'SET #state = :reported, #failed = :failed',
      ExpressionAttributeNames: { '#state': 'state', '#failed': 'failed' },
      ExpressionAttributeValues: { ':reported': { S: 'reported' }, ':failed': { BOOL: true } },
    }));
    expect(emulator.item(TABLE, 't-1')).toMatchObject({ state: { S: 'reported' }, failed: { BOOL: true } });
    const remove = new DeleteItemCommand({
      TableName: TABLE,
      Key: key('t-1'),
      ConditionExpression: '#state = :claimed',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':claimed': { S: 'claimed' } },
    });
    expect(await rejection(client.send(remove))).toBeInstanceOf(ConditionalCheckFailedException);
    expect(emulator.item(TABLE, 't-1')).toBeDefined();
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: key('t-1') }));
    expect(emulator.item(TABLE, 't-1')).toBeUndefined();
  });

  test('REMOVE deletes attributes, with SET in either order; removing a key attribute is refused', async () => {
    emulator.putItem(TABLE, { ...key('t-1'), state: { S: 'claimed' }, claimId: { S: 'c-1' }, note: { S: 'x' } });
    await client.send(new UpdateItemCommand({
      TableName: TABLE,
      Key: key('t-1'),
      UpdateExpression: 'REMOVE #claimId, #note SET #state = :reported',
      ExpressionAttributeNames: { '#state': 'state', '#claimId': 'claimId', '#note': 'note' },
      ExpressionAttributeValues: { ':reported': { S: 'reported' } },
    }));
    expect(emulator.item(TABLE, 't-1')).toEqual({ ...key('t-1'), state: { S: 'reported' } });
    const error = await rejection(client.send(new UpdateItemCommand({
      TableName: TABLE, Key: key('t-1'), UpdateExpression: 'REMOVE #k', ExpressionAttributeNames: { '#k': 'taskId' },
    })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/Cannot update attribute taskId. This attribute is part of the key/);
  });

  test('UpdateItem on a missing item creates it from the key', async () => {
    await client.send(new UpdateItemCommand({
      TableName: TABLE,
      Key: key('t-2'),
      UpdateExpression: 'SET #n = :v',
      ExpressionAttributeNames: { '#n': 'note' },
      ExpressionAttributeValues: { ':v': { S: 'x' } },
    }));
    expect(emulator.item(TABLE, 't-2')).toEqual({ ...key('t-2'), note: { S: 'x' } });
  });
});

describe('GetItem and BatchGetItem', () => {
  test('return the stored items, projected', async () => {
    emulator.putItem(TABLE, { ...key('a'), state: { S: 'reported' }, other: { N: '1' } });
    emulator.putItem(TABLE, { ...key('b'), state: { S: 'claimed' } });
    const got = await client.send(new GetItemCommand({ TableName: TABLE, Key: key('a') }));
    expect(got.Item).toEqual({ ...key('a'), state: { S: 'reported' }, other: { N: '1' } });
    expect((await client.send(new GetItemCommand({ TableName: TABLE, Key: key('zz') }))).Item).toBeUndefined();
    const batch = await client.send(new BatchGetItemCommand({
      RequestItems: { [TABLE]: { Keys: [key('a'), key('b'), key('c')], ProjectionExpression: '#taskId, #state', ExpressionAttributeNames: { '#taskId': 'taskId', '#state': 'state' } } },
    }));
    expect(batch.Responses?.[TABLE]).toEqual([{ ...key('a'), state: { S: 'reported' } }, { ...key('b'), state: { S: 'claimed' } }]);
    expect(batch.UnprocessedKeys).toEqual({});
  });

  test('more than 100 keys is a ValidationException', async () => {
    const keys = Array.from({ length: 101 }, (_, i) => key(`t-${i}`));
    const error = await rejection(client.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: keys } } })));
    expect(error.name).toBe('ValidationException');
  });

  test('the unprocessedKeys fault hands every key back', async () => {
    emulator.injectFault({ kind: 'unprocessedKeys', operation: 'BatchGetItem' });
    const batch = await client.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [key('a')] } } }));
    expect(batch.UnprocessedKeys?.[TABLE]?.Keys).toEqual([key('a')]);
  });
});

describe('Scan', () => {
  test('pages of Limit items with LastEvaluatedKey, projected; a full last page still carries it and the next is empty', async () => {
    for (const id of ['c', 'a', 'b']) { emulator.putItem(TABLE, { ...key(id), state: { S: `s-${id}` } }); }
    const first = await client.send(new ScanCommand({ TableName: TABLE, Limit: 2, ProjectionExpression: '#k', ExpressionAttributeNames: { '#k': 'taskId' } }));
    expect(first).toMatchObject({ Items: [key('a'), key('b')], Count: 2, ScannedCount: 2, LastEvaluatedKey: key('b') });
    const second = await client.send(new ScanCommand({ TableName: TABLE, Limit: 1, ExclusiveStartKey: first.LastEvaluatedKey }));
    expect(second).toMatchObject({ Items: [{ ...key('c'), state: { S: 's-c' } }], LastEvaluatedKey: key('c') });
    const third = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: second.LastEvaluatedKey }));
    expect(third.Items).toEqual([]);
    expect(third.LastEvaluatedKey).toBeUndefined();
    expectNoDynamoDbViolations(emulator);
  });

  test('a page ends after 1 MB of items read (counted before the projection); the paginator reads them all', async () => {
    const filler = 'x'.repeat(10_000);
    for (let i = 0; i < 150; i++) { emulator.putItem(TABLE, { ...key(`t-${String(i).padStart(3, '0')}`), filler: { S: filler } }); }
    const pages = [];
    for await (const page of paginateScan({ client }, { TableName: TABLE, ProjectionExpression: 'taskId' })) { pages.push(page); }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0].Count).toBeLessThan(150);
    expect(pages.flatMap((p) => p.Items ?? [])).toEqual(Array.from({ length: 150 }, (_, i) => key(`t-${String(i).padStart(3, '0')}`)));
    expectNoDynamoDbViolations(emulator);
  });

  test('TableName may be the table\'s ARN in the caller\'s account and region; another region\'s is refused', async () => {
    emulator.putItem(TABLE, key('a'));
    const arn = `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}`;
    expect((await client.send(new ScanCommand({ TableName: arn }))).Items).toEqual([key('a')]);
    const error = await rejection(client.send(new ScanCommand({ TableName: arn.replace('eu-west-1', 'us-east-1') })));
    expect(error.name).toBe('ValidationException');
    expect(emulator.violations()).toEqual([expect.stringMatching(/^Scan: TableName .* another account or region is not emulated/)]);
  });

  test.each([
    ['a FilterExpression', { FilterExpression: 'attribute_exists(taskId)' }, /FilterExpression is not emulated in a Scan/],
    ['a parallel scan', { Segment: 0, TotalSegments: 2 }, /Segment, TotalSegments is not emulated in a Scan/],
    ['Limit 0', { Limit: 0 }, /at 'limit' failed to satisfy constraint/],
  ])('%s is refused as a ValidationException and recorded', async (_, members, message) => {
    const error = await rejection(client.send(new ScanCommand({ TableName: TABLE, ...members })));
    expect(error.name).toBe('ValidationException');
    expect(emulator.violations()).toEqual([expect.stringMatching(message)]);
  });
});

describe('a global secondary index', () => {
  const INDEXED = 'tasks';
  const entry = (id: string, active?: string) => ({ task: { S: id }, ...(active === undefined ? {} : { active: { S: active } }) });
  beforeEach(() => emulator.createTable(INDEXED, 'task', { active: 'active' }));

  test('a Scan of the index reads only the items with its key attribute, in index key order, with both keys in LastEvaluatedKey', async () => {
    for (const [id, active] of [['t-3', 'b'], ['t-1', 'b'], ['t-2', undefined], ['t-4', 'a']] as const) { emulator.putItem(INDEXED, entry(id, active)); }
    const first = await client.send(new ScanCommand({ TableName: INDEXED, IndexName: 'active', Limit: 2 }));
    expect(first.Items).toEqual([entry('t-4', 'a'), entry('t-1', 'b')]);
    expect(first.LastEvaluatedKey).toEqual(entry('t-1', 'b'));
    const second = await client.send(new ScanCommand({ TableName: INDEXED, IndexName: 'active', ExclusiveStartKey: first.LastEvaluatedKey }));
    expect(second.Items).toEqual([entry('t-3', 'b')]);
    expect(second.LastEvaluatedKey).toBeUndefined();
    // The table itself still has every item.
    expect((await client.send(new ScanCommand({ TableName: INDEXED }))).Count).toBe(4);
    expectNoDynamoDbViolations(emulator);
  });

  test('an item leaves the index when its key attribute is removed, and joins it when the attribute is set', async () => {
    await client.send(new PutItemCommand({ TableName: INDEXED, Item: entry('t-1', 'a') }));
    const scanIndex = async () => (await client.send(new ScanCommand({ TableName: INDEXED, IndexName: 'active' }))).Items;
    expect(await scanIndex()).toEqual([entry('t-1', 'a')]);
    await client.send(new UpdateItemCommand({ TableName: INDEXED, Key: { task: { S: 't-1' } }, UpdateExpression: 'REMOVE active' }));
    expect(await scanIndex()).toEqual([]);
    await client.send(new UpdateItemCommand({
      TableName: INDEXED, Key: { task: { S: 't-1' } }, UpdateExpression: 'SET active = :a', ExpressionAttributeValues: { ':a': { S: 'z' } },
    }));
    expect(await scanIndex()).toEqual([entry('t-1', 'z')]);
  });

  test.each([
    ['an index key that is not a string', () => new PutItemCommand({ TableName: INDEXED, Item: { task: { S: 't-1' }, active: { N: '1' } } }),
      /Type mismatch for Index Key active Expected: S Actual: N IndexName: active/],
    ['an empty index key', () => new UpdateItemCommand({
      TableName: INDEXED, Key: { task: { S: 't-1' } }, UpdateExpression: 'SET active = :a', ExpressionAttributeValues: { ':a': { S: '' } },
    }), /cannot contain an empty string value. IndexName: active, IndexKey: active/],
    ['a consistent read of the index', () => new ScanCommand({ TableName: INDEXED, IndexName: 'active', ConsistentRead: true }),
      /Consistent reads are not supported on global secondary indexes/],
    ['an index the table does not have', () => new ScanCommand({ TableName: INDEXED, IndexName: 'other' }), /does not have the specified index: other/],
    ['a starting key without the index key', () => new ScanCommand({ TableName: INDEXED, IndexName: 'active', ExclusiveStartKey: { task: { S: 't-1' } } }),
      /The provided starting key is invalid/],
  ])('%s is a ValidationException, and nothing is written', async (_, command, message) => {
    const error = await rejection(client.send(command() as PutItemCommand));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
    expect(emulator.items(INDEXED)).toEqual([]);
  });
});

describe('refusals', () => {
  test.each([
    ['an unknown function', 'begins_with(#s, :v)'],
    ['arithmetic', '#s = :v + :v'],
    ['a reserved word as a plain name', 'state = :v'],
  ])('%s in a ConditionExpression is a ValidationException', async (_, expression) => {
    const error = await rejection(client.send(new PutItemCommand({
      TableName: TABLE,
      Item: key('t-1'),
      ConditionExpression: expression,
      ExpressionAttributeNames: expression.includes('#s') ? { '#s': 'state' } : undefined,
      ExpressionAttributeValues: { ':v': { S: 'x' } },
    })));
    expect(error.name).toBe('ValidationException');
    expect(emulator.item(TABLE, 't-1')).toBeUndefined();
  });

  test('an unused placeholder is a ValidationException, as in DynamoDB', async () => {
    const error = await rejection(client.send(new PutItemCommand({
      TableName: TABLE,
      Item: key('t-1'),
      ConditionExpression: 'attribute_not_exists(#k)',
      ExpressionAttributeNames: { '#k': 'taskId', '#unused': 'x' },
    })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/unused/);
  });

  test.each([
    ['an ADD clause', 'ADD #s :v', { ':v': { N: '1' } }, /only SET and REMOVE clauses are emulated/],
    ['a DELETE clause', 'SET #s = :v DELETE #s :v', { ':v': { S: 'x' } }, /only SET and REMOVE clauses are emulated/],
    ['SET twice', 'SET #s = :v SET #s = :v', { ':v': { S: 'x' } }, /The "SET" section can only be used once/],
    ['a path both SET and REMOVEd', 'SET #s = :v REMOVE #s', { ':v': { S: 'x' } }, /Two document paths overlap/],
  ])('%s in an UpdateExpression is a ValidationException', async (_, expression, values, message) => {
    emulator.putItem(TABLE, { ...key('t-1'), state: { S: 'claimed' } });
    const error = await rejection(client.send(new UpdateItemCommand({
      TableName: TABLE, Key: key('t-1'), UpdateExpression: expression, ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: values,
    })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
    expect(emulator.item(TABLE, 't-1')).toEqual({ ...key('t-1'), state: { S: 'claimed' } });
  });

  test('a key that is not the schema, and an unknown table', async () => {
    expect((await rejection(client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'x' } } })))).name).toBe('ValidationException');
    expect(await rejection(client.send(new GetItemCommand({ TableName: 'nope', Key: key('x') })))).toBeInstanceOf(ResourceNotFoundException);
  });

  test('an unsigned request is recorded as a violation', async () => {
    const response = await sendRawRequest(new URL('/', emulator.endpoint), {
      method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
    }, JSON.stringify({ TableName: TABLE, Key: key('x') }));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).__type).toMatch(/#MissingAuthenticationTokenException$/);
    expect(emulator.violations()).toEqual(['GetItem: request is not SigV4-signed for service dynamodb']);
  });
});

describe('faults', () => {
  test('throttling is retried by the SDK', async () => {
    emulator.injectFault({ kind: 'throttled', operation: 'PutItem', times: 2 });
    await client.send(claim('t-1', 1, 0));
    expect(emulator.requestsFor('PutItem').map((r) => r.errorCode ?? r.status)).toEqual(['ProvisionedThroughputExceededException', 'ProvisionedThroughputExceededException', 200]);
  });

  test('a 500 that outlasts the retries reaches the caller', async () => {
    emulator.injectFault({ kind: 'internalError', times: Infinity });
    const error = await rejection(client.send(new GetItemCommand({ TableName: TABLE, Key: key('x') })));
    expect(error.name).toBe('InternalServerError');
    expect(error.$metadata?.attempts).toBe(3);
  });
});
