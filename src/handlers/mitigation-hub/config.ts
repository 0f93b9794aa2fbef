import { HUB_ENV as ENV } from '../../contract/environment';
import { TASK_ID_PATTERN } from '../../contract/limits';
import {
  ACCOUNT_ID_PATTERN, ORGANIZATION_ID_PATTERN, SPOKE_CONFIG_PARAMETER, SPOKE_CONFIG_VERSION, SpokeConfig, spokeKey,
} from '../../contract/organization';
import type { AuditEngineConfig } from '../shared/audit-decide';
import { ConfigError, json, positiveInteger, required } from '../shared/config';
import { isObject } from '../shared/message';
import type { SpokeScope } from '../shared/metrics';

/** The hub's own configuration, as `MitigationHub` sets it in the environment. */
export interface HubConfig {
  readonly registryTable: string;
  /** The ledger of the tasks the hub started, which its follower reports on. */
  readonly taskLedgerTable: string;
  /** The accounts whose spokes are served; undefined with an organization. */
  readonly accounts?: string[];
  /** The organization whose spokes are served; undefined with an account list. */
  readonly organizationId?: string;
  /** The base name of the spokes' roles. */
  readonly spokeRoleName: string;
  readonly reportTopicArn?: string;
  readonly eventBus?: string;
  /** The hub construct's path: the `Mitigation` dimension and `detail.mitigation` of everything the hub emits. */
  readonly mitigation: string;
  readonly reconcileLookbackHours: number;
  /** Turn on Device Defender's Security Hub integration in each registered spoke (`HUB_ENV.SECURITY_HUB_INTEGRATION` 'true'). */
  readonly securityHubIntegration: boolean;
}

/** Reads the hub's configuration. Throws a ConfigError naming the variable. */
export function readHubConfig(env: NodeJS.ProcessEnv): HubConfig {
  const accountsText = env[ENV.ACCOUNTS] || undefined;
  const organizationId = env[ENV.ORGANIZATION_ID] || undefined;
  if ((accountsText === undefined) === (organizationId === undefined)) {
    throw new ConfigError(`exactly one of ${ENV.ACCOUNTS} and ${ENV.ORGANIZATION_ID} must be set`);
  }
  let accounts: string[] | undefined;
  if (accountsText !== undefined) {
    const list = json<unknown>(ENV.ACCOUNTS, accountsText);
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === 'string' && ACCOUNT_ID_PATTERN.test(a))) {
      throw new ConfigError(`${ENV.ACCOUNTS} must be a JSON array of 12-digit account ids, got ${accountsText}`);
    }
    accounts = list as string[];
  }
  if (organizationId !== undefined && !ORGANIZATION_ID_PATTERN.test(organizationId)) {
    throw new ConfigError(`${ENV.ORGANIZATION_ID} must be an organization id (o-...), got ${organizationId}`);
  }
  return {
    registryTable: required(env, ENV.REGISTRY_TABLE),
    taskLedgerTable: required(env, ENV.TASK_LEDGER_TABLE),
    accounts,
    organizationId,
    spokeRoleName: required(env, ENV.SPOKE_ROLE_NAME),
    reportTopicArn: env[ENV.REPORT_TOPIC_ARN] || undefined,
    eventBus: env[ENV.EVENT_BUS] || undefined,
    mitigation: required(env, ENV.MITIGATION),
    reconcileLookbackHours: positiveInteger(env, ENV.RECONCILE_LOOKBACK_HOURS),
    securityHubIntegration: env[ENV.SECURITY_HUB_INTEGRATION] === 'true',
  };
}

/**
 * A spoke's configuration document that cannot be used: the spoke's deployment is broken (or not
 * this library's), and no retry of the message will fix it.
 */
export class SpokeConfigError extends ConfigError {
  constructor(spoke: SpokeScope, problem: string) {
    super(`the configuration of spoke ${spokeKey(spoke.account, spoke.region)} (SSM parameter ${SPOKE_CONFIG_PARAMETER}) ${problem}`);
  }
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);

/**
 * A spoke's `SpokeConfig` document (the JSON its `MitigationSpoke` wrote), checked field by field,
 * as the engine's configuration for that spoke: its policy, with the hub's name and lookback.
 */
export function readSpokeConfig(document: string, spoke: SpokeScope, hub: HubConfig): AuditEngineConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new SpokeConfigError(spoke, 'is not JSON');
  }
  if (!isObject(parsed)) { throw new SpokeConfigError(spoke, 'is not a JSON object'); }
  const doc = parsed as Partial<Record<keyof SpokeConfig, unknown>>;
  const bad = (field: string, what: string) => new SpokeConfigError(spoke, `has ${field} ${JSON.stringify(doc[field as keyof SpokeConfig])}: ${what}`);
  if (doc.version !== SPOKE_CONFIG_VERSION) {
    throw bad('version', `this hub reads version ${SPOKE_CONFIG_VERSION} (deploy the spoke and the hub with the same library version)`);
  }
  if (!isObject(doc.rules) || Object.keys(doc.rules).length === 0 || !Object.values(doc.rules).every((a) => isStringList(a) && a.length > 0)) {
    throw bad('rules', 'must map each audit check to one or more action names');
  }
  if (doc.scheduledAudits !== undefined && !isStringList(doc.scheduledAudits)) { throw bad('scheduledAudits', 'must be a list of names'); }
  if (typeof doc.includeOnDemandAudits !== 'boolean') { throw bad('includeOnDemandAudits', 'must be true or false'); }
  if (typeof doc.dryRun !== 'boolean') { throw bad('dryRun', 'must be true or false'); }
  if (typeof doc.maxFindingsPerCheck !== 'number' || !Number.isInteger(doc.maxFindingsPerCheck) || doc.maxFindingsPerCheck < 1) {
    throw bad('maxFindingsPerCheck', 'must be a whole number of at least 1');
  }
  if (typeof doc.taskIdPrefix !== 'string' || !TASK_ID_PATTERN.test(doc.taskIdPrefix) || doc.taskIdPrefix.length > 64) {
    throw bad('taskIdPrefix', 'must be 1 to 64 letters, digits, - or _');
  }
  return {
    accountId: spoke.account,
    rules: doc.rules as Record<string, string[]>,
    scheduledAudits: doc.scheduledAudits as string[] | undefined,
    includeOnDemandAudits: doc.includeOnDemandAudits,
    dryRun: doc.dryRun,
    maxFindingsPerCheck: doc.maxFindingsPerCheck,
    taskIdPrefix: doc.taskIdPrefix,
    mitigation: hub.mitigation,
    reconcileLookbackHours: hub.reconcileLookbackHours,
    maxAuditAgeHours: hub.reconcileLookbackHours,
  };
}
