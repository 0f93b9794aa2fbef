import { AttributeValue, DynamoDBClient, GetItemCommand, PutItemCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import type { RegisteredSpoke } from './decide';
import { HUB_REGISTRY } from '../../contract/organization';
import { errorName } from '../shared/errors';

// The hub's registry of confirmed spokes: one DynamoDB item per spoke (`<account>/<region>`),
// written when the hub confirms the spoke topic's subscription, read on each notification (is the
// topic the spoke's registered one?) and walked by the reconciler, which also records there what
// it found of Device Defender's Security Hub integration in the spoke.

const FIELDS = ['account', 'region', 'topicArn', 'subscriptionArn', 'confirmedAt'] as const;
const OPTIONAL_FIELDS = ['securityHubIntegration', 'securityHubRefusal'] as const;

function entryOf(item: Record<string, AttributeValue> | undefined): RegisteredSpoke | undefined {
  const spoke = item?.[HUB_REGISTRY.PARTITION_KEY]?.S;
  if (!item || !spoke || FIELDS.some((f) => typeof item[f]?.S !== 'string')) { return undefined; }
  const integration = item.securityHubIntegration?.S;
  return {
    spoke,
    account: item.account.S!,
    region: item.region.S!,
    topicArn: item.topicArn.S!,
    subscriptionArn: item.subscriptionArn.S!,
    confirmedAt: item.confirmedAt.S!,
    ...(integration === 'on' || integration === 'refused' ? { securityHubIntegration: integration } : {}),
    ...(item.securityHubRefusal?.S ? { securityHubRefusal: item.securityHubRefusal.S } : {}),
  };
}

function itemOf(entry: RegisteredSpoke): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = { [HUB_REGISTRY.PARTITION_KEY]: { S: entry.spoke } };
  for (const field of FIELDS) { item[field] = { S: entry[field] }; }
  for (const field of OPTIONAL_FIELDS) {
    const value = entry[field];
    if (value !== undefined) { item[field] = { S: value }; }
  }
  return item;
}

export class Registry {
  constructor(private readonly dynamodb: DynamoDBClient, private readonly tableName: string) {}

  /** The spoke's entry, or undefined when it is not registered. Strongly consistent: a confirmation just written counts. */
  public async get(key: string): Promise<RegisteredSpoke | undefined> {
    const output = await this.dynamodb.send(new GetItemCommand({
      TableName: this.tableName, Key: { [HUB_REGISTRY.PARTITION_KEY]: { S: key } }, ConsistentRead: true,
    }));
    return entryOf(output.Item);
  }

  /** Registers a spoke (a spoke confirmed again, with a new topic, replaces its entry). */
  public async put(entry: RegisteredSpoke): Promise<void> {
    await this.dynamodb.send(new PutItemCommand({ TableName: this.tableName, Item: itemOf(entry) }));
  }

  /**
   * Writes `entry` (what the hub found of its Security Hub integration) over the spoke's entry, only
   * while that is still the same registration (same subscription): a spoke registered again
   * meanwhile keeps its new entry. Answers whether it was written. (A conditional PutItem: the
   * hub's role needs no other action on the registry.)
   */
  public async update(entry: RegisteredSpoke): Promise<boolean> {
    try {
      await this.dynamodb.send(new PutItemCommand({
        TableName: this.tableName,
        Item: itemOf(entry),
        ConditionExpression: 'subscriptionArn = :subscription',
        ExpressionAttributeValues: { ':subscription': { S: entry.subscriptionArn } },
      }));
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') { return false; }
      throw error;
    }
  }

  /** Every registered spoke (items that are not entries, if any, are left out). */
  public async all(): Promise<RegisteredSpoke[]> {
    const entries: RegisteredSpoke[] = [];
    for await (const page of paginateScan({ client: this.dynamodb, pageSize: 500 }, { TableName: this.tableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        const entry = entryOf(item);
        if (entry) { entries.push(entry); }
      }
    }
    return entries;
  }
}
