import {
  BatchGetItemCommand, BatchGetItemCommandOutput, DeleteItemCommand, DynamoDBClient, KeysAndAttributes, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { errorName } from '../shared/errors';
import type { Claim } from '../shared/follow-decide';
import { expiresAt, ReportedOptions } from '../shared/task-follow';

// The task follower's ledger: one DynamoDB item per task whose outcome is being or has been
// reported, keyed by `taskId`. A run CLAIMS a task before reporting it (a conditional put), so two
// runs never report the same task, and marks it REPORTED afterwards, so no later run reports it
// again. A claim whose run crashed is taken over once it is older than the staleness (the
// function's timeout: the run that made it is over by then). Items expire (DynamoDB TTL on
// `expiresAt`) after the follower's lookback has long passed.

/** BatchGetItem reads at most 100 keys per call. */
const MAX_KEYS_PER_BATCH = 100;
/** How many times BatchGetItem's unprocessed keys are asked for again before giving up. */
const MAX_UNPROCESSED_ROUNDS = 8;

export type LedgerState = 'claimed' | 'reported';

/** The ledger's attribute names. */
const A = {
  TASK_ID: 'taskId',
  STATE: 'state',
  CLAIMED_AT: 'claimedAt',
  CLAIM_ID: 'claimId',
  EXPIRES_AT: 'expiresAt',
  REPORTED_AT: 'reportedAt',
  FAILED: 'failed',
  /** Epoch ms: some of the task's Security Hub findings were not there when it was reported; look again then. */
  FINDINGS_RETRY_AT: 'findingsRetryAt',
} as const;

/** A task the ledger says was reported. */
export interface ReportedTask {
  /** Look again for its Security Hub findings at this time (epoch ms); undefined = nothing left to do. */
  readonly findingsRetryAt?: number;
}

export class Ledger {
  constructor(private readonly dynamodb: DynamoDBClient, private readonly tableName: string) {}

  /** Which of `taskIds` were reported already (a claimed task is not: its claim may be stale), and what is left to do about each. */
  public async reported(taskIds: string[]): Promise<Map<string, ReportedTask>> {
    const reported = new Map<string, ReportedTask>();
    const unique = [...new Set(taskIds)];
    for (let i = 0; i < unique.length; i += MAX_KEYS_PER_BATCH) {
      let request: KeysAndAttributes | undefined = {
        Keys: unique.slice(i, i + MAX_KEYS_PER_BATCH).map((taskId) => ({ [A.TASK_ID]: { S: taskId } })),
        ProjectionExpression: '#taskId, #state, #retryAt',
        ExpressionAttributeNames: { '#taskId': A.TASK_ID, '#state': A.STATE, '#retryAt': A.FINDINGS_RETRY_AT },
        ConsistentRead: true,
      };
      for (let round = 0; request?.Keys?.length; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) {
          throw Object.assign(new Error(`DynamoDB left ${request.Keys.length} ledger keys unprocessed ${MAX_UNPROCESSED_ROUNDS} times`), { name: 'UnprocessedKeys' });
        }
        if (round > 0) { await sleep(Math.min(1000, 50 * 2 ** round)); }
        const output: BatchGetItemCommandOutput = await this.dynamodb.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: request } }));
        for (const item of output.Responses?.[this.tableName] ?? []) {
          const taskId = item[A.TASK_ID]?.S;
          const retryAt = item[A.FINDINGS_RETRY_AT]?.N;
          if (taskId && item[A.STATE]?.S === 'reported') { reported.set(taskId, retryAt ? { findingsRetryAt: Number(retryAt) } : {}); }
        }
        const unprocessed: KeysAndAttributes | undefined = output.UnprocessedKeys?.[this.tableName];
        request = unprocessed?.Keys?.length ? { ...request, Keys: unprocessed.Keys } : undefined;
      }
    }
    return reported;
  }

  /**
   * Claims `taskId` for this run: succeeds when nobody has, or when the claim there is older than
   * `staleMs` (its run is over). Returns undefined when another run holds it or reported it.
   */
  public async claim(taskId: string, claimId: string, now: Date, staleMs: number): Promise<Claim | undefined> {
    try {
      await this.dynamodb.send(new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [A.TASK_ID]: { S: taskId },
          [A.STATE]: { S: 'claimed' },
          [A.CLAIM_ID]: { S: claimId },
          [A.CLAIMED_AT]: { N: String(now.getTime()) },
          [A.EXPIRES_AT]: { N: String(expiresAt(now)) },
        },
        ConditionExpression: 'attribute_not_exists(#taskId) OR (#state = :claimed AND #claimedAt < :stale)',
        ExpressionAttributeNames: { '#taskId': A.TASK_ID, '#state': A.STATE, '#claimedAt': A.CLAIMED_AT },
        ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':stale': { N: String(now.getTime() - staleMs) } },
      }));
      return { taskId, claimId };
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') { return undefined; }
      throw error;
    }
  }

  /** Gives a claim up (nothing was reported), so the next run reports the task. No-op if it is no longer ours. */
  public async release(claim: Claim): Promise<void> {
    try {
      await this.dynamodb.send(new DeleteItemCommand({
        TableName: this.tableName,
        Key: { [A.TASK_ID]: { S: claim.taskId } },
        ConditionExpression: '#state = :claimed AND #claimId = :claimId',
        ExpressionAttributeNames: { '#state': A.STATE, '#claimId': A.CLAIM_ID },
        ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':claimId': { S: claim.claimId } },
      }));
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') { throw error; }
    }
  }

  /** Records that the task was reported (see `ReportedOptions`). */
  public async markReported(claim: Claim, now: Date, options: ReportedOptions = {}): Promise<void> {
    const retry = options.findingsRetryAt !== undefined;
    await this.dynamodb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [A.TASK_ID]: { S: claim.taskId } },
      UpdateExpression: `SET #state = :reported, #reportedAt = :now, #expiresAt = :expiresAt, #failed = :failed${retry ? ', #retryAt = :retryAt' : ''}`,
      ExpressionAttributeNames: {
        '#state': A.STATE, '#reportedAt': A.REPORTED_AT, '#expiresAt': A.EXPIRES_AT, '#failed': A.FAILED, ...(retry ? { '#retryAt': A.FINDINGS_RETRY_AT } : {}),
      },
      ExpressionAttributeValues: {
        ':reported': { S: 'reported' },
        ':now': { N: String(now.getTime()) },
        ':expiresAt': { N: String(expiresAt(now)) },
        ':failed': { BOOL: options.failed ?? false },
        ...(retry ? { ':retryAt': { N: String(options.findingsRetryAt) } } : {}),
      },
    }));
  }

  /** Records that the task's Security Hub findings need no other look. */
  public async findingsDone(taskId: string): Promise<void> {
    await this.dynamodb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [A.TASK_ID]: { S: taskId } },
      UpdateExpression: 'REMOVE #retryAt',
      ExpressionAttributeNames: { '#retryAt': A.FINDINGS_RETRY_AT },
    }));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
