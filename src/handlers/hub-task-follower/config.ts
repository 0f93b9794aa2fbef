import { HUB_ENV as ENV } from '../../contract/environment';
import { required } from '../shared/config';

/** The hub task follower's configuration, as `MitigationHub` sets it in the environment. */
export interface HubFollowerConfig {
  /** The ledger of the tasks the hub started in its spokes. */
  readonly taskLedgerTable: string;
  /** The base name of the spokes' roles: each spoke's is `<base>-<region>`. */
  readonly spokeRoleName: string;
  /** The hub construct's path: the `Mitigation` dimension and `detail.mitigation` of its reports. */
  readonly mitigation: string;
  /** Gets the outcome of every task with a failed execution, and the follower's permanent failures. */
  readonly reportTopicArn?: string;
  /** Where the outcome events go; undefined = the account's default bus. */
  readonly eventBus?: string;
  /** Update the spokes' Security Hub findings of the tasks (`MitigationHub`'s `securityHub`). */
  readonly securityHub: boolean;
}

/** Reads the follower's configuration; throws a ConfigError naming the variable. */
export function readHubFollowerConfig(env: NodeJS.ProcessEnv): HubFollowerConfig {
  return {
    taskLedgerTable: required(env, ENV.TASK_LEDGER_TABLE),
    spokeRoleName: required(env, ENV.SPOKE_ROLE_NAME),
    mitigation: required(env, ENV.MITIGATION),
    reportTopicArn: env[ENV.REPORT_TOPIC_ARN] || undefined,
    eventBus: env[ENV.EVENT_BUS] || undefined,
    securityHub: env[ENV.SECURITY_HUB] === 'true',
  };
}
