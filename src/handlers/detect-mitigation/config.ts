import { DetectMitigationConfig } from './violation';
import { DETECT_ENV } from '../../contract/environment';
import { json, required } from '../shared/config';

/** The detect mitigation handler's configuration, as `DetectMitigation` sets it in the environment. */
export interface DetectHandlerConfig extends DetectMitigationConfig {
  readonly reportTopicArn?: string;
  /** The event bus (ARN) events go to; undefined = the account's default bus. */
  readonly eventBus?: string;
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  readonly mitigation: string;
}

/** Reads the detect mitigation handler's configuration. Throws a ConfigError naming the variable. */
export function readDetectConfig(env: NodeJS.ProcessEnv): DetectHandlerConfig {
  const behaviors = env[DETECT_ENV.BEHAVIORS];
  return {
    securityProfileName: required(env, DETECT_ENV.SECURITY_PROFILE),
    actions: json<string[]>(DETECT_ENV.ACTIONS, required(env, DETECT_ENV.ACTIONS)),
    behaviors: behaviors ? json<string[]>(DETECT_ENV.BEHAVIORS, behaviors) : undefined,
    dryRun: env[DETECT_ENV.DRY_RUN] === 'true',
    taskIdPrefix: required(env, DETECT_ENV.TASK_ID_PREFIX),
    reportTopicArn: env[DETECT_ENV.REPORT_TOPIC_ARN] || undefined,
    eventBus: env[DETECT_ENV.EVENT_BUS] || undefined,
    mitigation: required(env, DETECT_ENV.MITIGATION),
  };
}
