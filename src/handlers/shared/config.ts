import { AuditMitigationConfig } from './audit-plan';
import { DetectMitigationConfig } from './violation';
import { AUDIT_ENV as ENV, DETECT_ENV } from '../../contract/environment';

/** A configuration error: the deployment is broken, and no retry will fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError'; // what isPermanent() looks for
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') { throw new ConfigError(`environment variable ${name} is not set`); }
  return value;
}

function json<T>(name: string, value: string): T {
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new ConfigError(`environment variable ${name} is not JSON: ${value}`);
  }
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number {
  const value = Number(required(env, name));
  if (!Number.isInteger(value) || value < 1) { throw new ConfigError(`${name} must be a positive integer, got ${env[name]}`); }
  return value;
}

export interface HandlerConfig extends AuditMitigationConfig {
  readonly reportTopicArn?: string;
  /** The event bus (ARN) events go to; undefined = the account's default bus. */
  readonly eventBus?: string;
  readonly reconcileLookbackHours: number;
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  readonly mitigation: string;
}

/** The reconciler's lookback is also the age bound of the notification path: one window for both. */
function lookback(hours: number) {
  return { reconcileLookbackHours: hours, maxAuditAgeHours: hours };
}

/** Reads the handler's configuration; `accountId` comes from the invocation context. */
export function readConfig(env: NodeJS.ProcessEnv, accountId: string): HandlerConfig {
  const rules = json<Record<string, string[]>>(ENV.RULES, required(env, ENV.RULES));
  const scheduledAudits = env[ENV.SCHEDULED_AUDITS];
  return {
    accountId,
    rules,
    scheduledAudits: scheduledAudits ? json<string[]>(ENV.SCHEDULED_AUDITS, scheduledAudits) : undefined,
    includeOnDemandAudits: env[ENV.INCLUDE_ON_DEMAND] === 'true',
    dryRun: env[ENV.DRY_RUN] === 'true',
    maxFindingsPerCheck: positiveInteger(env, ENV.MAX_FINDINGS_PER_CHECK),
    taskIdPrefix: required(env, ENV.TASK_ID_PREFIX),
    reportTopicArn: env[ENV.REPORT_TOPIC_ARN] || undefined,
    eventBus: env[ENV.EVENT_BUS] || undefined,
    mitigation: required(env, ENV.MITIGATION),
    ...lookback(positiveInteger(env, ENV.RECONCILE_LOOKBACK_HOURS)),
  };
}

export interface DetectHandlerConfig extends DetectMitigationConfig {
  readonly reportTopicArn?: string;
  /** The event bus (ARN) events go to; undefined = the account's default bus. */
  readonly eventBus?: string;
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  readonly mitigation: string;
}

/** Reads the detect mitigation handler's configuration. */
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
