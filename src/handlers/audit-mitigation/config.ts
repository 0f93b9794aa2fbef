import { AUDIT_ENV as ENV } from '../../contract/environment';
import type { AuditEngineConfig } from '../shared/audit-decide';
import { json, positiveInteger, required } from '../shared/config';

/** The audit mitigation handler's configuration, as `AuditMitigation` sets it in the environment. */
export interface AuditHandlerConfig extends AuditEngineConfig {
  readonly reportTopicArn?: string;
  /** The event bus (ARN) events go to; undefined = the account's default bus. */
  readonly eventBus?: string;
}

/** The reconciler's lookback is also the age bound of the notification path: one window for both. */
function lookback(hours: number) {
  return { reconcileLookbackHours: hours, maxAuditAgeHours: hours };
}

/** Reads the handler's configuration; `accountId` comes from the invocation context. Throws a ConfigError naming the variable. */
export function readAuditConfig(env: NodeJS.ProcessEnv, accountId: string): AuditHandlerConfig {
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
