import { DEFAULT_FOLLOWER_LOOKBACK_HOURS, FollowedMitigation, FOLLOWER_ENV } from '../../contract/environment';
import { ConfigError, json, positiveInteger, required } from '../shared/config';

/** The task follower's configuration, as the mitigation constructs set it in the environment. */
export interface FollowerConfig {
  readonly tableName: string;
  readonly followed: FollowedMitigation[];
  readonly lookbackHours: number;
}

/** Reads the follower's configuration; throws a ConfigError naming the variable and the value. */
export function readFollowerConfig(env: NodeJS.ProcessEnv): FollowerConfig {
  const tableName = required(env, FOLLOWER_ENV.TABLE_NAME);
  const raw = required(env, FOLLOWER_ENV.FOLLOWED);
  const followed = json<unknown>(FOLLOWER_ENV.FOLLOWED, raw);
  if (!Array.isArray(followed)) { throw new ConfigError(`${FOLLOWER_ENV.FOLLOWED} must be a JSON array, got ${raw}`); }
  for (const f of followed as Array<Partial<FollowedMitigation>>) {
    const problem = !f || typeof f.mitigation !== 'string' || f.mitigation === '' ? 'has no mitigation'
      : f.kind !== 'audit' && f.kind !== 'detect' ? `has kind ${JSON.stringify(f.kind)} (allowed: "audit", "detect")`
        : !f.taskIdPrefix && !f.physicalResourceId ? 'has neither taskIdPrefix nor physicalResourceId'
          : undefined;
    if (problem) { throw new ConfigError(`${FOLLOWER_ENV.FOLLOWED}: entry ${JSON.stringify(f)} ${problem}`); }
  }
  const lookbackHours = positiveInteger(env, FOLLOWER_ENV.LOOKBACK_HOURS, DEFAULT_FOLLOWER_LOOKBACK_HOURS);
  return { tableName, followed: followed as FollowedMitigation[], lookbackHours };
}
