/**
 * The emulated organization of the organization benchmark: a hub in the harness's account and
 * region, and spokes (accounts x regions), each with what a MitigationSpoke defines, as the
 * emulators hold it: the role the hub assumes (trusting the hub's audit role, in the organization),
 * an operator's role for the CLI, the configuration parameter, a mitigation action, and the
 * notification topic subscribed to the hub's queue (pending until the hub confirms it).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSEvent } from 'aws-lambda';
import { HUB_ENV } from '../src/contract/environment';
import { DEFAULT_SPOKE_ROLE_NAME, HUB_QUEUE_NAME, HUB_TASK_LEDGER, SPOKE_CONFIG_PARAMETER, hubRoleName, spokeRoleNameIn } from '../src/contract/organization';
import { ACCOUNT, Emulators, REGION, REPORT_TOPIC } from '../test/handlers/harness';

export const HUB = ACCOUNT;
export const HUB_REGION = REGION;
export const ORGANIZATION = 'o-benchorg0001';
export const REGISTRY_TABLE = 'cdk-device-defender-hub-registry';
/** The hub's ledger of the tasks it started, which its task follower reads. */
export const TASK_LEDGER_TABLE = 'cdk-device-defender-hub-task-ledger';
export const QUEUE = `arn:aws:sqs:${HUB_REGION}:${HUB}:${HUB_QUEUE_NAME}`;
const FUNCTION_NAME = 'HubStack-HubHandler-BENCH';
/** The hub function's role session, which every spoke role trusts (by the role's exact ARN). */
export const HUB_SESSION = `arn:aws:sts::${HUB}:assumed-role/${hubRoleName('audit', HUB_REGION)}/${FUNCTION_NAME}`;
const HUB_ROLE = `arn:aws:iam::${HUB}:role/${hubRoleName('audit', HUB_REGION)}`;
/** The operator who runs the CLI: a key of the hub's account, and the role of theirs in each spoke. */
export const OPERATOR_KEY = 'AKIDOPERATOR';
const OPERATOR = `arn:aws:iam::${HUB}:user/operator`;
export const OPERATOR_ROLE_NAME = 'cdk-device-defender-operator';
export const PREFIX = 'dd0123456789';
export const CHECK = 'DEVICE_CERTIFICATE_SHARED_CHECK';
/** Where the spokes are, in the order a size takes them. */
export const SPOKE_REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'sa-east-1'];

export interface Spoke { readonly account: string; readonly region: string }

/** `accounts` member accounts (3000000000001, ...) times the first `regions` of SPOKE_REGIONS. */
export function spokesOf(accounts: number, regions: number): Spoke[] {
  const ids = Array.from({ length: accounts }, (_, i) => `3${String(i + 1).padStart(11, '0')}`);
  return ids.flatMap((account) => SPOKE_REGIONS.slice(0, regions).map((region) => ({ account, region })));
}

export const topicOf = (s: Spoke) => `arn:aws:sns:${s.region}:${s.account}:spoke-notifications`;
const spokeKeyId = (account: string) => `AKIDSPOKE${account}`;

/** The SpokeConfig document every spoke writes (MitigationSpoke's defaults, one rule). */
const SPOKE_CONFIG = JSON.stringify({
  version: 1,
  mitigation: 'SpokeStack/Spoke',
  rules: { [CHECK]: ['notify'] },
  scheduledAudits: ['daily', 'weekly'],
  includeOnDemandAudits: false,
  dryRun: false,
  maxFindingsPerCheck: 100,
  taskIdPrefix: PREFIX,
});

/** The hub function's environment, as MitigationHub sets it (organization mode, report topic, default event bus). */
export function hubEnv(): Record<string, string | undefined> {
  return {
    [HUB_ENV.REGISTRY_TABLE]: REGISTRY_TABLE,
    [HUB_ENV.TASK_LEDGER_TABLE]: TASK_LEDGER_TABLE,
    [HUB_ENV.ACCOUNTS]: undefined,
    [HUB_ENV.ORGANIZATION_ID]: ORGANIZATION,
    [HUB_ENV.SPOKE_ROLE_NAME]: DEFAULT_SPOKE_ROLE_NAME,
    [HUB_ENV.REPORT_TOPIC_ARN]: REPORT_TOPIC,
    [HUB_ENV.EVENT_BUS]: undefined,
    [HUB_ENV.MITIGATION]: 'HubStack/Hub',
    [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: '24',
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
  };
}

/** The hub's side: its account in the organization, its key acting as its function's role, the registry, the report topic, the operator. */
export function seedHub(e: Emulators): void {
  e.identities.addAccount(HUB, { organizationId: ORGANIZATION });
  e.identities.setPrincipal('AKIDEXAMPLE', HUB_SESSION);
  e.identities.addAccessKey({ accessKeyId: OPERATOR_KEY, account: HUB, principalArn: OPERATOR });
  e.dynamodb.createTable(REGISTRY_TABLE, 'spoke');
  e.dynamodb.createTable(TASK_LEDGER_TABLE, HUB_TASK_LEDGER.PARTITION_KEY, { [HUB_TASK_LEDGER.ACTIVE_INDEX]: HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE });
  e.sns.addTopic(REPORT_TOPIC);
}

/** What a MitigationSpoke (and an operator's role) defines in each spoke. */
export function seedSpokes(e: Emulators, spokes: readonly Spoke[]): void {
  for (const account of new Set(spokes.map((s) => s.account))) {
    e.identities.addAccount(account, { organizationId: ORGANIZATION });
    e.identities.addAccessKey({ accessKeyId: spokeKeyId(account), account });
  }
  for (const s of spokes) {
    e.sts.addRole(`arn:aws:iam::${s.account}:role/${spokeRoleNameIn(DEFAULT_SPOKE_ROLE_NAME, s.region)}`,
      { trustedPrincipalArns: [HUB_ROLE], principalOrgId: ORGANIZATION });
    e.sts.addRole(`arn:aws:iam::${s.account}:role/${spokeRoleNameIn(OPERATOR_ROLE_NAME, s.region)}`, { trustedPrincipalArns: [OPERATOR] });
    e.ssm.at(s).putParameter({ name: SPOKE_CONFIG_PARAMETER, value: SPOKE_CONFIG });
    e.iot.at(s).addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    e.sns.addTopic(topicOf(s));
    e.sns.subscribe(topicOf(s), QUEUE);
  }
}

/** A finished scheduled audit in `s` with one non-compliant certificate (and its finding), started `ageMs` ago. */
export function seedAudit(e: Emulators, s: Spoke, taskId: string, scheduledAuditName: 'daily' | 'weekly', ageMs = 60_000): void {
  const iot = e.iot.at(s);
  const taskStartTime = new Date(Date.now() - ageMs);
  iot.addAuditTask({ taskId, scheduledAuditName, taskStartTime, checks: { [CHECK]: { nonCompliantResourcesCount: 1 } } });
  iot.addAuditFinding({
    findingId: `${taskId}-finding`,
    taskId,
    checkName: CHECK,
    nonCompliantResource: { resourceType: 'DEVICE_CERTIFICATE', resourceIdentifier: { deviceCertificateId: 'c'.repeat(64) } },
  });
}

let messages = 0;
/** The SQS event of the hub's queue with these SNS documents as bodies. */
export function sqsEvent(bodies: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      messages += 1;
      return { messageId: `message-${messages}`, body, eventSource: 'aws:sqs', eventSourceARN: QUEUE } as SQSEvent['Records'][number];
    }),
  };
}

/** The SNS documents SNS put on the hub's queue since the `from`-th. */
export const deliveredSince = (e: Emulators, from: number) => e.sns.deliveredTo(QUEUE).slice(from).map((d) => d.body);

/** AWS IoT publishing the spoke's audit-completion notification to its topic (as the spoke's account); answers what SNS put on the queue. */
export async function publishAudit(e: Emulators, s: Spoke, taskId: string, scheduledAuditName: string): Promise<string> {
  const from = e.sns.deliveredTo(QUEUE).length;
  const sns = new SNSClient({ region: s.region, credentials: { accessKeyId: spokeKeyId(s.account), secretAccessKey: 'x' } });
  try {
    await sns.send(new PublishCommand({
      TopicArn: topicOf(s),
      Message: JSON.stringify({ accountId: s.account, taskId, taskStatus: 'COMPLETED', taskType: 'SCHEDULED_AUDIT_TASK', scheduledAuditName }),
    }));
  } finally {
    sns.destroy();
  }
  const bodies = deliveredSince(e, from);
  if (bodies.length !== 1) { throw new Error(`publishing ${taskId} in ${s.account}/${s.region} delivered ${bodies.length} messages to the hub's queue`); }
  return bodies[0];
}

/** The reconciler's schedule. */
export const SCHEDULED_EVENT = { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} };
