import { AuditMitigationConfig } from './audit-plan';
import { DetectMitigationConfig } from './violation';
import { AUDIT_ENV as ENV, DETECT_ENV } from '../../contract';

/** A configuration error: the deployment is broken, and no retry will fix it. */
export class ConfigError extends Error {}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') { throw new ConfigError(`environment variable ${name} is not set`); }
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number {
  const value = Number(required(env, name));
  if (!Number.isInteger(value) || value < 1) { throw new ConfigError(`${name} must be a positive integer, got ${env[name]}`); }
  return value;
}

export interface HandlerConfig extends AuditMitigationConfig {
  readonly reportTopicArn?: string;
  readonly reconcileLookbackHours: number;
}

/** Reads the handler's configuration; `accountId` comes from the invocation context. */
export function readConfig(env: NodeJS.ProcessEnv, accountId: string): HandlerConfig {
  const rules = JSON.parse(required(env, ENV.RULES)) as Record<string, string[]>;
  const scheduledAudits = env[ENV.SCHEDULED_AUDITS];
  return {
    accountId,
    rules,
    scheduledAudits: scheduledAudits ? JSON.parse(scheduledAudits) as string[] : undefined,
    includeOnDemandAudits: env[ENV.INCLUDE_ON_DEMAND] === 'true',
    dryRun: env[ENV.DRY_RUN] === 'true',
    maxFindingsPerCheck: positiveInteger(env, ENV.MAX_FINDINGS_PER_CHECK),
    taskIdPrefix: required(env, ENV.TASK_ID_PREFIX),
    reportTopicArn: env[ENV.REPORT_TOPIC_ARN] || undefined,
    reconcileLookbackHours: positiveInteger(env, ENV.RECONCILE_LOOKBACK_HOURS),
  };
}

export interface DetectHandlerConfig extends DetectMitigationConfig {
  readonly reportTopicArn?: string;
}

/** Reads the detect mitigation handler's configuration. */
export function readDetectConfig(env: NodeJS.ProcessEnv): DetectHandlerConfig {
  const behaviors = env[DETECT_ENV.BEHAVIORS];
  return {
    securityProfileName: required(env, DETECT_ENV.SECURITY_PROFILE),
    actions: JSON.parse(required(env, DETECT_ENV.ACTIONS)) as string[],
    behaviors: behaviors ? JSON.parse(behaviors) as string[] : undefined,
    dryRun: env[DETECT_ENV.DRY_RUN] === 'true',
    taskIdPrefix: required(env, DETECT_ENV.TASK_ID_PREFIX),
    reportTopicArn: env[DETECT_ENV.REPORT_TOPIC_ARN] || undefined,
  };
}
