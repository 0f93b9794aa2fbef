import {
  BatchGetItemCommand, ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, paginateScan, PutItemCommand,
  ResourceNotFoundException, ScanCommand, UpdateItemCommand,
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
  test('pages the table in key order with Limit and ExclusiveStartKey, projected; the SDK\'s paginator reads every page', async () => {
    for (const id of ['c', 'a', 'e', 'b', 'd']) {
      emulator.putItem(TABLE, { ...key(id), state: { S: `state-${id}` }, claimedAt: { N: '1' } });
    }
    const first = await client.send(new ScanCommand({ TableName: TABLE, Limit: 2, ProjectionExpression: 'taskId, #s', ExpressionAttributeNames: { '#s': 'state' } }));
    expect(first.Items).toEqual([{ ...key('a'), state: { S: 'state-a' } }, { ...key('b'), state: { S: 'state-b' } }]);
    expect(first).toMatchObject({ Count: 2, ScannedCount: 2, LastEvaluatedKey: key('b') });
    const ids: string[] = [];
    for await (const page of paginateScan({ client, pageSize: 2 }, { TableName: TABLE, ConsistentRead: true })) {
      ids.push(...(page.Items ?? []).map((item) => item.taskId.S as string));
    }
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The last page has no LastEvaluatedKey; a Scan without Limit answers the whole table.
    expect((await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: key('d') }))).LastEvaluatedKey).toBeUndefined();
    expect((await client.send(new ScanCommand({ TableName: TABLE }))).Count).toBe(5);
    expect(emulator.requestsFor('Scan')).toHaveLength(6);
    expectNoDynamoDbViolations(emulator);
  });

  test.each([
    ['a FilterExpression', { FilterExpression: 'attribute_exists(taskId)' }, /FilterExpression is not emulated/],
    ['a parallel scan', { Segment: 0, TotalSegments: 2 }, /Segment is not emulated/],
    ['Limit 0', { Limit: 0 }, /Member must have value greater than or equal to 1/],
  ])('%s is refused as a violation', async (_what, extra, message) => {
    const error = await rejection(client.send(new ScanCommand({ TableName: TABLE, ...extra })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
    expect(emulator.violations()).toEqual([expect.stringMatching(/^Scan: /)]);
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

  test('REMOVE in an UpdateExpression is refused', async () => {
    const error = await rejection(client.send(new UpdateItemCommand({
      TableName: TABLE, Key: key('t-1'), UpdateExpression: 'REMOVE #s', ExpressionAttributeNames: { '#s': 'state' },
    })));
    expect(error.name).toBe('ValidationException');
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
