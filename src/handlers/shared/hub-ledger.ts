import { AttributeValue, DynamoDBClient, paginateScan, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { errorName } from './errors';
import type { Claim } from './follow-decide';
import type { SpokeLocation } from './spokes';
import { expiresAt, ReportedOptions } from './task-follow';
import { HUB_TASK_LEDGER as L, hubTaskKey, spokeKey } from '../../contract/organization';

// The organization hub's ledger of the tasks it started in its spokes, one DynamoDB item per task
// (`<account>/<region>/<taskId>`). The hub's audit function RECORDS a task when it starts it (or
// finds it started), once: a recorded task is never recorded again, so a task reported stays
// reported whatever is redelivered. The hub's follower reads the ACTIVE entries only, through a
// sparse index whose key only an entry not yet reported has, so a run costs what the active tasks
// cost, however many spokes and past tasks there are. It CLAIMS an entry before reporting the task
// (a conditional update, so two runs never report it; a claim older than the staleness is taken
// over) and marks it REPORTED afterwards, which takes it out of the index. Items expire (TTL)
// RETENTION_SECONDS after they were last written.

/**
 * How long an entry is kept: longer than the longest reconcile lookback (90 days). Within the
 * lookback, an audit's notification may be delivered again and the reconciler walks its audits:
 * a task found started then is recorded unless its entry is still there, and would be reported again.
 */
const RETENTION_SECONDS = 91 * 24 * 3600;

/** A task the hub started in a spoke and has not reported yet. */
export interface ActiveTask extends SpokeLocation {
  /** The ledger key, `hubTaskKey(account, region, taskId)`. */
  readonly key: string;
  readonly account: string;
  readonly region: string;
  readonly taskId: string;
  /** The hub construct's path when it started the task: the `Mitigation` dimension of the outcome. */
  readonly mitigation: string;
  /**
   * Set on a task already reported, some of whose Security Hub findings had not arrived: look again
   * for them at this time (epoch ms). It stays in the index until then.
   */
  readonly findingsRetryAt?: number;
}

type State = 'active' | 'claimed' | 'reported';

/** The ledger's attribute names besides the key and the index key. */
const A = {
  PARTITION: 'partition',
  ACCOUNT: 'account',
  REGION: 'region',
  TASK_ID: 'taskId',
  MITIGATION: 'mitigation',
  STATE: 'state',
  RECORDED_AT: 'recordedAt',
  CLAIM_ID: 'claimId',
  CLAIMED_AT: 'claimedAt',
  REPORTED_AT: 'reportedAt',
  FAILED: 'failed',
  FINDINGS_RETRY_AT: 'findingsRetryAt',
} as const;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const state = (value: State): AttributeValue => S(value);

/** Runs `call`; a failed condition answers `false` instead of throwing. */
async function conditionHeld(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (errorName(error) === 'ConditionalCheckFailedException') { return false; }
    throw error;
  }
}

function activeTaskOf(item: Record<string, AttributeValue>): ActiveTask | undefined {
  const [key, partition, account, region, taskId, mitigation] = [L.PARTITION_KEY, A.PARTITION, A.ACCOUNT, A.REGION, A.TASK_ID, A.MITIGATION]
    .map((name) => item[name]?.S);
  if (!key || !partition || !account || !region || !taskId || !mitigation) { return undefined; }
  const retryAt = item[A.STATE]?.S === 'reported' ? item[A.FINDINGS_RETRY_AT]?.N : undefined;
  return { key, partition, account, region, taskId, mitigation, ...(retryAt ? { findingsRetryAt: Number(retryAt) } : {}) };
}

export class HubLedger {
  constructor(private readonly dynamodb: DynamoDBClient, private readonly tableName: string) {}

  /**
   * Records a task the hub started in a spoke, unless it is recorded already (active, being
   * reported or reported: then nothing changes). Answers whether this call recorded it.
   */
  public async record(task: Omit<ActiveTask, 'key'>, now: Date): Promise<boolean> {
    return conditionHeld(() => this.dynamodb.send(new PutItemCommand({
      TableName: this.tableName,
      Item: {
        [L.PARTITION_KEY]: S(hubTaskKey(task.account, task.region, task.taskId)),
        [A.PARTITION]: S(task.partition),
        [A.ACCOUNT]: S(task.account),
        [A.REGION]: S(task.region),
        [A.TASK_ID]: S(task.taskId),
        [A.MITIGATION]: S(task.mitigation),
        [A.STATE]: state('active'),
        [L.ACTIVE_ATTRIBUTE]: S(spokeKey(task.account, task.region)),
        [A.RECORDED_AT]: N(now.getTime()),
        [L.TTL_ATTRIBUTE]: N(expiresAt(now, RETENTION_SECONDS)),
      },
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': L.PARTITION_KEY },
    })));
  }

  /**
   * Every task not reported yet (those being reported too: their claim may be stale), from the
   * sparse index. Eventually consistent, as every read of an index: an entry recorded a moment ago
   * shows in a later run, and one reported a moment ago may still show (its claim then fails).
   */
  public async active(): Promise<ActiveTask[]> {
    const tasks: ActiveTask[] = [];
    for await (const page of paginateScan({ client: this.dynamodb, pageSize: 500 }, { TableName: this.tableName, IndexName: L.ACTIVE_INDEX })) {
      for (const item of page.Items ?? []) {
        const task = activeTaskOf(item);
        if (task) { tasks.push(task); }
      }
    }
    return tasks;
  }

  /**
   * Claims the entry `key` for this run: succeeds when it is active, or claimed longer ago than
   * `staleMs` (that run is over). Undefined when another run holds it or reported it, or it is gone.
   */
  public async claim(key: string, claimId: string, now: Date, staleMs: number): Promise<Claim | undefined> {
    const claimed = await conditionHeld(() => this.dynamodb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [L.PARTITION_KEY]: S(key) },
      UpdateExpression: 'SET #state = :claimed, #claimId = :claimId, #claimedAt = :now',
      ConditionExpression: '#state = :active OR (#state = :claimed AND #claimedAt < :stale)',
      ExpressionAttributeNames: { '#state': A.STATE, '#claimId': A.CLAIM_ID, '#claimedAt': A.CLAIMED_AT },
      ExpressionAttributeValues: {
        ':claimed': state('claimed'), ':active': state('active'), ':claimId': S(claimId), ':now': N(now.getTime()), ':stale': N(now.getTime() - staleMs),
      },
    })));
    return claimed ? { taskId: key, claimId } : undefined;
  }

  /** Gives a claim up (nothing was reported): the entry is active again. No-op if the claim is no longer ours. */
  public async release(claim: Claim): Promise<void> {
    await conditionHeld(() => this.dynamodb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [L.PARTITION_KEY]: S(claim.taskId) },
      UpdateExpression: 'SET #state = :active REMOVE #claimId, #claimedAt',
      ConditionExpression: '#state = :claimed AND #claimId = :claimId',
      ExpressionAttributeNames: { '#state': A.STATE, '#claimId': A.CLAIM_ID, '#claimedAt': A.CLAIMED_AT },
      ExpressionAttributeValues: { ':active': state('active'), ':claimed': state('claimed'), ':claimId': S(claim.claimId) },
    })));
  }

  /**
   * Records that the task was reported (see `ReportedOptions`), which takes it out of the index,
   * unless its Security Hub findings are to be looked at again (`findingsRetryAt`): then it stays
   * there, reported, until `findingsDone`.
   */
  public async markReported(claim: Claim, now: Date, options: ReportedOptions = {}): Promise<void> {
    const retry = options.findingsRetryAt !== undefined;
    await this.dynamodb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [L.PARTITION_KEY]: S(claim.taskId) },
      UpdateExpression: `SET #state = :reported, #reportedAt = :now, #expiresAt = :expiresAt, #failed = :failed${retry ? ', #retryAt = :retryAt' : ' REMOVE #active'}`,
      ExpressionAttributeNames: {
        '#state': A.STATE,
        '#reportedAt': A.REPORTED_AT,
        '#expiresAt': L.TTL_ATTRIBUTE,
        '#failed': A.FAILED,
        ...(retry ? { '#retryAt': A.FINDINGS_RETRY_AT } : { '#active': L.ACTIVE_ATTRIBUTE }),
      },
      ExpressionAttributeValues: {
        ':reported': state('reported'),
        ':now': N(now.getTime()),
        ':expiresAt': N(expiresAt(now, RETENTION_SECONDS)),
        ':failed': { BOOL: options.failed ?? false },
        ...(retry ? { ':retryAt': N(options.findingsRetryAt!) } : {}),
      },
    }));
  }

  /** Records that a reported task's Security Hub findings need no other look, which takes it out of the index. */
  public async findingsDone(key: string): Promise<void> {
    await this.dynamodb.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [L.PARTITION_KEY]: S(key) },
      UpdateExpression: 'REMOVE #active, #retryAt',
      ExpressionAttributeNames: { '#active': L.ACTIVE_ATTRIBUTE, '#retryAt': A.FINDINGS_RETRY_AT },
    }));
  }
}
