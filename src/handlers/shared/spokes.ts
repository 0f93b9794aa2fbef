import * as http from 'http';
import * as https from 'https';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigError } from './config';
import { errorName } from './errors';
import { createIotClient, SpokeCredentials } from './iot-tasks';
import type { SpokeScope } from './metrics';
import { SPOKE_CONFIG_PARAMETER, spokeKey, spokeRoleNameIn } from '../../contract/organization';

// The organization hub's sessions in its spokes (its audit function's and its task follower's, each
// with its own role): it assumes each spoke's role (`<spokeRoleName>-<region>` in the spoke's
// account) and keeps the credentials, and the clients made with them, until 5 minutes before they
// expire, so a spoke's audits and tasks cost one AssumeRole per credential lifetime, not one each.

/** A spoke as a session needs it: its account and region, and the partition they are in. */
export interface SpokeLocation extends SpokeScope {
  readonly partition: string;
}

/** Credentials are renewed this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** The hub's session name in every spoke role (what the spoke's CloudTrail shows). */
export const SESSION_NAME = 'cdk-device-defender-hub';
/** AWS errors that say the credentials themselves are no good any more: the session is dropped, the work retried. */
const STALE_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/**
 * The connections of every spoke session, shared: a client per spoke (its credentials and region)
 * but one pool of keep-alive sockets for all of them, bounded, so a hub with a thousand spokes holds
 * at most `MAX_SOCKETS` connections, not two per spoke (Lambda allows 1,024 file descriptors).
 */
export const MAX_SOCKETS = 64;
const AGENT_OPTIONS = { keepAlive: true, maxTotalSockets: MAX_SOCKETS, maxFreeSockets: 16 };
const SHARED_CONNECTIONS = { httpAgent: new http.Agent(AGENT_OPTIONS), httpsAgent: new https.Agent(AGENT_OPTIONS) };

/** The hub's clients in one spoke, with credentials of its role. */
export interface SpokeSession {
  readonly iot: IoTClient;
  readonly ssm: SSMClient;
  /**
   * The spoke's Security Hub, in its region (Device Defender's integration, its findings): created on
   * first use, and the SDK module loaded then, so a hub that never calls Security Hub never loads it.
   */
  readonly securityHub: SecurityHubClient;
  /** Epoch milliseconds at which the credentials expire. */
  readonly expiration: number;
}

export class SpokeSessions {
  private readonly sessions = new Map<string, SpokeSession>();

  constructor(private readonly sts: STSClient, private readonly spokeRoleName: string) {}

  /** The role the hub assumes in `spoke`. */
  public roleArn(spoke: SpokeLocation): string {
    return `arn:${spoke.partition}:iam::${spoke.account}:role/${spokeRoleNameIn(this.spokeRoleName, spoke.region)}`;
  }

  /** A session in `spoke`: the cached one while its credentials last (`REFRESH_MARGIN_MS`), else a new AssumeRole. */
  public async session(spoke: SpokeLocation, now: number): Promise<SpokeSession> {
    const key = spokeKey(spoke.account, spoke.region);
    const cached = this.sessions.get(key);
    if (cached && now < cached.expiration - REFRESH_MARGIN_MS) { return cached; }
    this.drop(key);
    const output = await this.sts.send(new AssumeRoleCommand({ RoleArn: this.roleArn(spoke), RoleSessionName: SESSION_NAME }));
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date)) {
      throw new Error(`AssumeRole of ${this.roleArn(spoke)} answered no credentials`);
    }
    const credentials: SpokeCredentials = {
      accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration,
    };
    let securityHub: SecurityHubClient | undefined;
    const session: SpokeSession = {
      iot: createIotClient(undefined, { region: spoke.region, credentials, requestHandler: SHARED_CONNECTIONS }),
      ssm: new SSMClient({ region: spoke.region, credentials, requestHandler: SHARED_CONNECTIONS }),
      get securityHub() {
        // require, not import(): the Lambda runtime's SDK is found through NODE_PATH, which only require uses.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk: typeof import('@aws-sdk/client-securityhub') = require('@aws-sdk/client-securityhub');
        securityHub ??= new sdk.SecurityHubClient({ region: spoke.region, credentials, requestHandler: SHARED_CONNECTIONS });
        return securityHub;
      },
      expiration: c.Expiration.getTime(),
    };
    this.sessions.set(key, session);
    return session;
  }

  /** Forgets the spoke's session when `error` says its credentials are no good (expired early, revoked); answers whether it did. */
  public forgetIfStale(spoke: SpokeScope, error: unknown): boolean {
    if (!STALE_CREDENTIALS.has(errorName(error))) { return false; }
    this.drop(spokeKey(spoke.account, spoke.region));
    return true;
  }

  private drop(key: string): void {
    const session = this.sessions.get(key);
    if (!session) { return; }
    // Not destroyed: a client's destroy() would close the shared sockets other spokes' requests use.
    // Dropped, it holds nothing but memory.
    this.sessions.delete(key);
  }
}

/** The spoke's configuration document (`SPOKE_CONFIG_PARAMETER`), read with its role. */
export async function readSpokeDocument(session: SpokeSession): Promise<string> {
  const output = await session.ssm.send(new GetParameterCommand({ Name: SPOKE_CONFIG_PARAMETER }));
  const value = output.Parameter?.Value;
  if (value === undefined) { throw new ConfigError(`GetParameter ${SPOKE_CONFIG_PARAMETER} answered no value`); }
  return value;
}
