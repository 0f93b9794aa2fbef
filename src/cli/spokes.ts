/**
 * Acting in spokes: the role assumed in each (one AssumeRole per spoke per run), the hub's registry
 * of spokes, and running work over many spokes at a bounded concurrency, a failed spoke reported
 * beside the others rather than hiding them.
 */
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ClientOptions } from './client';
import { CliError, FailureContext, failureOf } from './errors';
import { Progress } from './output';
import { Spoke, TABLE_ARN, Target } from './spoke-options';
import { ACCOUNT_ID_PATTERN, HUB_REGISTRY, partitionOf, REGION_PATTERN, spokeKey, spokeRoleNameIn } from '../contract/organization';
import { errorMessage, errorName } from '../handlers/shared/errors';

/** What the CLI names its role sessions (CloudTrail shows it). */
export const ROLE_SESSION_NAME = 'cdk-device-defender-cli';

/** A spoke that could not be read or acted on, and why (as `--json` carries it). */
export interface SpokeFailure extends Spoke {
  readonly code: string;
  readonly message: string;
  readonly fix?: string;
  /** 2 when the command line was wrong for this spoke, else 1. */
  readonly exitCode: number;
}

/** An AWS answer (not a missing region or credentials, which every spoke would share). */
const isServiceError = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined;

/**
 * The caller's credentials and home region (`--region`, else the SDK's chain), and the role each
 * spoke is entered with. The credentials and region are resolved once, before any spoke: a missing
 * one fails the command as a whole, not every spoke.
 */
export class SpokeSessions {
  /** Resolves the caller's region and credentials (throws the SDK's errors, which `failureOf` explains). */
  public static async open(options: ClientOptions, roleName: string): Promise<SpokeSessions> {
    const sts = new STSClient({ region: options.region, profile: options.profile });
    const homeRegion = await sts.config.region();
    await sts.config.credentials();
    return new SpokeSessions(sts, homeRegion, roleName, options);
  }

  private constructor(private readonly sts: STSClient, public readonly homeRegion: string, private readonly roleName: string,
    private readonly options: ClientOptions) {}

  /** The role assumed in a spoke: `<roleName>-<region>` in its account. */
  public roleArnOf(spoke: Spoke): string {
    return `arn:${partitionOf(spoke.region)}:iam::${spoke.account}:role/${spokeRoleNameIn(this.roleName, spoke.region)}`;
  }

  /** An AWS IoT client in the spoke's region with the spoke role's credentials: one AssumeRole per call. */
  public async iotIn(spoke: Spoke): Promise<IoTClient> {
    const roleArn = this.roleArnOf(spoke);
    let answer;
    try {
      answer = await this.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME }));
    } catch (error) {
      if (!isServiceError(error)) { throw error; }
      throw new CliError(errorName(error), `cannot assume ${roleArn}: ${errorMessage(error)}`,
        `the role must exist and trust ${this.options.profile ? `profile "${this.options.profile}"` : 'the caller'}, and the caller must be allowed `
        + 'sts:AssumeRole on it; --role-name NAME assumes NAME-<region> instead');
    }
    const c = answer.Credentials!;
    return new IoTClient({
      region: spoke.region,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration },
    });
  }

  /** The spokes a target names: its accounts times its regions (the home region when none), or the registry's. */
  public async spokesOf(target: Exclude<Target, { kind: 'local' }>): Promise<{ spokes: Spoke[]; failures: SpokeFailure[] }> {
    if (target.kind === 'registry') { return this.readRegistry(target.table); }
    const regions = target.regions ?? [this.homeRegion];
    return { spokes: target.accounts.flatMap((account) => regions.map((region) => ({ account, region }))), failures: [] };
  }

  /**
   * Every spoke of the hub's registry (a DynamoDB table keyed `spoke` = `<account>/<region>`), in
   * key order. The table is read in its ARN's region, else the home region. An item whose key is
   * not an account and a region is reported as a failure, not skipped.
   */
  private async readRegistry(table: string): Promise<{ spokes: Spoke[]; failures: SpokeFailure[] }> {
    const region = TABLE_ARN.exec(table)?.[1] ?? this.homeRegion;
    const dynamodb = new DynamoDBClient({ region, profile: this.options.profile });
    const keys: string[] = [];
    try {
      const pages = paginateScan({ client: dynamodb }, {
        TableName: table, ProjectionExpression: '#spoke', ExpressionAttributeNames: { '#spoke': HUB_REGISTRY.PARTITION_KEY },
      });
      for await (const page of pages) {
        keys.push(...(page.Items ?? []).map((item) => item[HUB_REGISTRY.PARTITION_KEY]?.S ?? JSON.stringify(item)));
      }
    } catch (error) {
      if (!isServiceError(error)) { throw error; }
      const name = errorName(error);
      throw new CliError(name === 'ResourceNotFoundException' ? 'RegistryNotFound' : name, `cannot read the hub's registry ${table} in ${region}: ${errorMessage(error)}`,
        name === 'ResourceNotFoundException'
          ? 'pass the hub\'s registry table: --registry-table NAME with the hub\'s --region, or its ARN'
          : 'the caller must be allowed dynamodb:Scan on the hub\'s registry table');
    } finally {
      dynamodb.destroy();
    }
    const spokes: Spoke[] = [];
    const failures: SpokeFailure[] = [];
    for (const key of keys.sort()) {
      const [account, keyRegion, ...rest] = key.split('/');
      if (ACCOUNT_ID_PATTERN.test(account) && REGION_PATTERN.test(keyRegion ?? '') && rest.length === 0 && spokeKey(account, keyRegion) === key) {
        spokes.push({ account, region: keyRegion });
      } else {
        failures.push({
          account: key,
          region: '',
          code: 'InvalidRegistryItem',
          exitCode: 1,
          message: `the registry ${table} holds ${JSON.stringify(key)}, not <account>/<region>`,
          fix: 'remove the item, or correct it in the hub\'s registry',
        });
      }
    }
    if (spokes.length === 0 && failures.length === 0) {
      throw new CliError('NoSpokes', `the hub's registry ${table} in ${region} lists no spoke`,
        'check --registry-table and --region (the hub\'s), or deploy a MitigationSpoke: the hub registers it once its subscription is confirmed');
    }
    return { spokes, failures };
  }
}

/** What `acrossSpokes` gives back: each spoke's value in the spokes' order, and the spokes that failed. */
export interface AcrossSpokes<T> {
  readonly done: Array<Spoke & { readonly value: T }>;
  readonly failures: SpokeFailure[];
}

/**
 * Runs `work` in every spoke, at most `concurrency` at once, each with an IoT client of its own
 * (one AssumeRole per spoke). A spoke's failure (AssumeRole refused, AccessDenied, throttling that
 * outlasted the SDK's retries) is recorded with its fix and the others go on. `progress` counts
 * finished spokes.
 */
export async function acrossSpokes<T>(sessions: SpokeSessions, spokes: readonly Spoke[], options: {
  readonly concurrency: number; readonly progress?: Progress; readonly context: FailureContext;
}, work: (iot: IoTClient, spoke: Spoke) => Promise<T>): Promise<AcrossSpokes<T>> {
  const results: Array<{ value: T } | { failure: SpokeFailure }> = new Array(spokes.length);
  let next = 0;
  const worker = async () => {
    while (next < spokes.length) {
      const index = next++;
      const spoke = spokes[index];
      let iot: IoTClient | undefined;
      try {
        iot = await sessions.iotIn(spoke);
        results[index] = { value: await work(iot, spoke) };
      } catch (error) {
        const failure = failureOf(error, { ...options.context, role: iot ? sessions.roleArnOf(spoke) : undefined });
        const { code, message, fix, exitCode } = failure;
        results[index] = { failure: { account: spoke.account, region: spoke.region, code, message, fix, exitCode } };
      } finally {
        iot?.destroy();
      }
      options.progress?.tick(1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, spokes.length) }, worker));
  options.progress?.done();
  return {
    done: spokes.flatMap((spoke, i) => { const r = results[i]; return 'value' in r ? [{ ...spoke, value: r.value }] : []; }),
    failures: results.flatMap((r) => ('failure' in r ? [r.failure] : [])),
  };
}
