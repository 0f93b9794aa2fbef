import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent, Context, SQSEvent } from 'aws-lambda';
import { ACCOUNT, CONTEXT, Emulators, LEDGER_TABLE, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import { certProps, contextWith, suppressionEvent } from './suppression-harness';
import { FollowedMitigation, FOLLOWER_ENV, HUB_ENV } from '../../src/contract/environment';
import { HUB_QUEUE_NAME, HUB_REGISTRY, HUB_TASK_LEDGER, hubTaskKey, spokeRoleNameIn } from '../../src/contract/organization';
import { EVENT_SOURCE } from '../../src/contract/telemetry';
import { expectNoViolations } from '../emulator/iot-emulator';

// What Lambda runs is the esbuild bundle in assets/ (built by `projen bundle` before the tests),
// not the TypeScript source: every bundle is loaded and run once against the emulators.
// The bundles are not listed here by hand: they are the build's (the `bundle:handlers/*` tasks
// projen writes to .projen/tasks.json), checked against the handler entry points in src/handlers.

/** A custom resource's Create, as the provider framework hands it to the handler. */
function createEvent(logicalResourceId: string, resourceType: string, properties: Record<string, unknown>): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid',
    RequestId: 'bundle-request',
    LogicalResourceId: logicalResourceId,
    ResourceType: resourceType,
    ResourceProperties: { ServiceToken: 'token', ...properties },
  } as CloudFormationCustomResourceEvent;
}

const ROOT = path.join(__dirname, '..', '..');
const ASSETS = path.join(ROOT, 'assets', 'handlers');
const BUNDLE_TASK = /^bundle:handlers\/([^:]+)$/;

/** The handler bundles the build makes: `bundle:handlers/<name>` tasks (not their `:watch` twins). */
function bundleTasks(): string[] {
  const { tasks } = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')) as { tasks: Record<string, unknown> };
  return Object.keys(tasks).flatMap((name) => BUNDLE_TASK.exec(name)?.[1] ?? []).sort();
}

/** The handler entry points: `src/handlers/<name>.ts` with `<name>` ending in `.lambda` (projen bundles each). */
function entryPoints(): string[] {
  return fs.readdirSync(path.join(ROOT, 'src', 'handlers')).filter((f) => f.endsWith('.lambda.ts')).map((f) => f.slice(0, -'.ts'.length)).sort();
}

type Handler = (event?: unknown, context?: unknown) => Promise<any>;

/** Loads a bundle as Lambda does: its `index.js`, whose `handler` export is the function's handler. */
function load(name: string): Handler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ASSETS, name, 'index.js')).handler;
}

let e: Emulators;

/** One run of each bundle with the configuration its construct sets, and what that run must do. */
const RUNS: Record<string, (handler: Handler) => Promise<void>> = {
  'audit-mitigation.lambda': async (handler) => {
    setEnv({
      AUDIT_MITIGATION_RULES: JSON.stringify({ LOGGING_DISABLED_CHECK: ['logging'] }),
      AUDIT_MITIGATION_SCHEDULED_AUDITS: undefined,
      AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'false',
      AUDIT_MITIGATION_DRY_RUN: 'false',
      AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100',
      AUDIT_MITIGATION_TASK_ID_PREFIX: 'ddbundle0001',
      AUDIT_MITIGATION_REPORT_TOPIC_ARN: undefined,
      AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS: '24',
      AUDIT_MITIGATION_NAME: 'Stack/Audit',
    });
    e.iot.addMitigationAction({ actionName: 'logging', actionType: 'ENABLE_IOT_LOGGING' });
    e.iot.addAuditTask({ taskId: 'bundle-audit', scheduledAuditName: 'daily', checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } } });
    const message = JSON.stringify({
      accountId: ACCOUNT,
      taskId: 'bundle-audit',
      taskStatus: 'COMPLETED',
      taskType: 'SCHEDULED_AUDIT_TASK',
      scheduledAuditName: 'daily',
      auditDetails: [{ checkName: 'LOGGING_DISABLED_CHECK', checkRunStatus: 'COMPLETED_NON_COMPLIANT', nonCompliantResourcesCount: 1 }],
    });
    const { result } = await withLogs(() => handler({ Records: [{ Sns: { Message: message } }] }, CONTEXT as Context));
    expect(result).toEqual([{ auditTaskId: 'bundle-audit', decision: 'started', taskId: 'ddbundle0001-bundle-audit' }]);
    expect(e.iot.auditMitigationTasks()).toHaveLength(1);
  },
  'audit-mitigation-task.lambda': async (handler) => {
    e.iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    e.iot.addAuditTask({ taskId: 'a1b2c3d4e5f6', scheduledAuditName: 'daily', checks: { DEVICE_CERTIFICATE_EXPIRING_CHECK: { nonCompliantResourcesCount: 1 } } });
    const event = createEvent('Task', 'Custom::IotMitigationAuditTask', {
      AuditCheckToActionsMapping: { DEVICE_CERTIFICATE_EXPIRING_CHECK: ['notify'] }, CancelOnDelete: 'false', AuditTaskId: 'a1b2c3d4e5f6',
    });
    const { result, error } = await withLogs(() => handler(event, contextWith(600_000)));
    expect(error).toBeUndefined();
    expect(result.PhysicalResourceId).toMatch(/^dd[0-9a-f]{10}:1$/);
    expect(e.iot.auditMitigationTasks()).toEqual([expect.objectContaining({ target: { auditTaskId: 'a1b2c3d4e5f6' } })]);
  },
  'audit-suppression.lambda': async (handler) => {
    const { error } = await withLogs(() => handler(suppressionEvent('Create', certProps()), contextWith()));
    expect(error).toBeUndefined();
    expect(e.iot.auditSuppressions()).toHaveLength(1);
  },
  'detect-mitigation.lambda': async (handler) => {
    setEnv({
      DETECT_MITIGATION_SECURITY_PROFILE: 'chatty-devices',
      DETECT_MITIGATION_ACTIONS: JSON.stringify(['quarantine']),
      DETECT_MITIGATION_DRY_RUN: 'false',
      DETECT_MITIGATION_TASK_ID_PREFIX: 'dd00aa11bb22',
      DETECT_MITIGATION_REPORT_TOPIC_ARN: REPORT_TOPIC,
      DETECT_MITIGATION_NAME: 'Stack/Detect',
    });
    e.iot.addMitigationAction({ actionName: 'quarantine', actionType: 'ADD_THINGS_TO_THING_GROUP' });
    e.iot.addSecurityProfile('chatty-devices');
    const behavior = { name: 'MsgsSent', metric: 'aws:num-messages-sent' };
    e.iot.addActiveViolation({ violationId: 'violation-1', securityProfileName: 'chatty-devices', thingName: 'thing-1', behavior });
    const alert = {
      violationEventTime: Date.now(),
      thingName: 'thing-1',
      behavior: { ...behavior, criteria: { comparisonOperator: 'greater-than', value: { count: 100 } } },
      violationEventType: 'in-alarm',
      metricValue: { count: 250 },
      violationId: 'violation-1',
      securityProfileName: 'chatty-devices',
    };
    const event = { Records: [{ messageId: 'bundle-message', body: JSON.stringify(alert) }] } as SQSEvent;
    const { result, error } = await withLogs(() => handler(event));
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    expect(e.iot.detectMitigationTasks()).toEqual([expect.objectContaining({ target: { violationIds: ['violation-1'] } })]);
  },
  'hub-task-follower.lambda': async (handler) => {
    // A task the hub started in a spoke (account 222222222222, us-east-1), finished, and recorded in the hub's ledger.
    const spoke = { account: '222222222222', region: 'us-east-1' };
    setEnv({
      [HUB_ENV.TASK_LEDGER_TABLE]: 'hub-tasks',
      [HUB_ENV.SPOKE_ROLE_NAME]: 'cdk-device-defender-spoke',
      [HUB_ENV.MITIGATION]: 'Stack/Hub',
      [HUB_ENV.REPORT_TOPIC_ARN]: undefined,
    });
    e.events.allowedSources = [EVENT_SOURCE];
    e.sts.addRole(`arn:aws:iam::${spoke.account}:role/${spokeRoleNameIn('cdk-device-defender-spoke', spoke.region)}`, { trustedPrincipalArns: [ACCOUNT] });
    e.identities.addAccessKey({ accessKeyId: 'AKIDBUNDLESPOKE', account: spoke.account });
    const iot = e.iot.at(spoke);
    iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    iot.addAuditTask({ taskId: 'audit-1', scheduledAuditName: 'daily', checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } } });
    iot.addAuditFinding({ findingId: 'f1', taskId: 'audit-1', checkName: 'LOGGING_DISABLED_CHECK' });
    const client = new IoTClient({ region: spoke.region, credentials: { accessKeyId: 'AKIDBUNDLESPOKE', secretAccessKey: 'x' } });
    await client.send(new StartAuditMitigationActionsTaskCommand({
      taskId: 'dd0123456789-audit-1', target: { auditTaskId: 'audit-1' }, auditCheckToActionsMapping: { LOGGING_DISABLED_CHECK: ['notify'] }, clientRequestToken: 'token-hub',
    }));
    client.destroy();
    iot.runAuditMitigationTask('dd0123456789-audit-1');
    const key = hubTaskKey(spoke.account, spoke.region, 'dd0123456789-audit-1');
    e.dynamodb.createTable('hub-tasks', HUB_TASK_LEDGER.PARTITION_KEY, { [HUB_TASK_LEDGER.ACTIVE_INDEX]: HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE });
    e.dynamodb.putItem('hub-tasks', {
      task: { S: key },
      partition: { S: 'aws' },
      account: { S: spoke.account },
      region: { S: spoke.region },
      taskId: { S: 'dd0123456789-audit-1' },
      mitigation: { S: 'Stack/Hub' },
      state: { S: 'active' },
      activeIn: { S: `${spoke.account}/${spoke.region}` },
    });
    const { result, error } = await withLogs(() => handler(undefined, CONTEXT));
    expect(error).toBeUndefined();
    expect(result.reported).toEqual([key]);
    expect(e.events.eventsOfType('Mitigation Task Outcome').map((ev) => [ev.detail.account, ev.detail.region])).toEqual([[spoke.account, spoke.region]]);
  },
  'mitigation-hub.lambda': async (handler) => {
    const topic = 'arn:aws:sns:us-east-1:222222222222:spoke-notifications';
    const queue = `arn:aws:sqs:eu-west-1:${ACCOUNT}:${HUB_QUEUE_NAME}`;
    setEnv({
      [HUB_ENV.REGISTRY_TABLE]: 'hub-registry',
      [HUB_ENV.TASK_LEDGER_TABLE]: 'hub-tasks',
      [HUB_ENV.ACCOUNTS]: JSON.stringify(['222222222222']),
      [HUB_ENV.SPOKE_ROLE_NAME]: 'cdk-device-defender-spoke',
      [HUB_ENV.MITIGATION]: 'Stack/Hub',
      [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: '24',
    });
    e.dynamodb.createTable('hub-registry', HUB_REGISTRY.PARTITION_KEY);
    e.sns.addTopic(topic);
    e.sns.subscribe(topic, queue);
    const event = { Records: e.sns.deliveredTo(queue).map((d, i) => ({ messageId: `m-${i}`, body: d.body })) } as SQSEvent;
    const { result, error } = await withLogs(() => handler(event, CONTEXT));
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    expect(e.sns.subscriptions(topic)[0].status).toBe('Confirmed');
    expect(e.dynamodb.items('hub-registry')).toHaveLength(1);
  },
  'security-hub-integration.lambda': async (handler) => {
    e.securityhub.enableHub();
    const event = createEvent('Integration', 'Custom::IotSecurityHubIntegration', { Partition: 'aws', Account: ACCOUNT, Region: 'eu-west-1' });
    const { result, error } = await withLogs(() => handler(event, contextWith()));
    expect(error).toBeUndefined();
    expect(result).toEqual({ PhysicalResourceId: `security-hub-integration:${ACCOUNT}:eu-west-1` });
    expect(e.securityhub.productSubscriptions()).toEqual(['arn:aws:securityhub:eu-west-1::product/aws/iot-device-defender-audit']);
  },
  'task-follower.lambda': async (handler) => {
    const followed: FollowedMitigation[] = [{ mitigation: 'Stack/Audit', kind: 'audit', taskIdPrefix: 'dd0123456789' }];
    setEnv({ [FOLLOWER_ENV.TABLE_NAME]: LEDGER_TABLE, [FOLLOWER_ENV.FOLLOWED]: JSON.stringify(followed), [FOLLOWER_ENV.LOOKBACK_HOURS]: undefined });
    e.events.allowedSources = [EVENT_SOURCE];
    e.iot.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    e.iot.addAuditTask({ taskId: 'audit-1', scheduledAuditName: 'daily', checks: { LOGGING_DISABLED_CHECK: { nonCompliantResourcesCount: 1 } } });
    e.iot.addAuditFinding({ findingId: 'f1', taskId: 'audit-1', checkName: 'LOGGING_DISABLED_CHECK' });
    await new IoTClient({}).send(new StartAuditMitigationActionsTaskCommand({
      taskId: 'dd0123456789-daily', target: { auditTaskId: 'audit-1' }, auditCheckToActionsMapping: { LOGGING_DISABLED_CHECK: ['notify'] }, clientRequestToken: 'token-bundle',
    }));
    e.iot.runAuditMitigationTask('dd0123456789-daily', { failFindingIds: ['f1'] });
    const { result, error } = await withLogs(() => handler());
    expect(error).toBeUndefined();
    expect(result.reported).toEqual(['dd0123456789-daily']);
  },
};

beforeAll(async () => { e = await startEmulators(); });
afterAll(() => stopEmulators(e));
beforeEach(() => resetEmulators(e));
afterEach(() => expectNoViolations(e.iot));

test('every handler entry point in src/handlers has a bundle task, and the build made each bundle', () => {
  expect(entryPoints().length).toBeGreaterThan(0);
  expect(bundleTasks()).toEqual(entryPoints());
  const built = fs.readdirSync(ASSETS).filter((name) => fs.existsSync(path.join(ASSETS, name, 'index.js')));
  expect(built).toEqual(expect.arrayContaining(entryPoints()));
});

test('this file runs every bundle the build makes, and only those', () => {
  expect(Object.keys(RUNS).sort()).toEqual(bundleTasks());
});

// Only the custom resource that turns the integration on needs it at once; the followers and the hub
// load it on first use, so a stack without securityHub never pays for it (a fresh require: bench/).
test.each(['task-follower.lambda', 'hub-task-follower.lambda', 'mitigation-hub.lambda'])('%s does not load the Security Hub SDK until it calls Security Hub', (name) => {
  const bundle = path.join(ASSETS, name, 'index.js');
  const loaded = execFileSync(process.execPath, ['-e',
    `require(${JSON.stringify(bundle)}); process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('client-securityhub'))))`], { cwd: ROOT, encoding: 'utf-8' });
  expect(loaded).toBe('false');
});

describe.each(bundleTasks())('%s bundle', (name) => {
  test('exports a handler and leaves the AWS SDK to the runtime', () => {
    const source = fs.readFileSync(path.join(ASSETS, name, 'index.js'), 'utf-8');
    expect(source).toMatch(/require\("@aws-sdk\/client-iot"\)/);
    expect(typeof load(name)).toBe('function');
  });

  test('runs once against the emulators', async () => {
    const run = RUNS[name];
    if (!run) { throw new Error(`No run for the ${name} bundle in test/handlers/bundle.test.ts: add one to RUNS`); }
    await run(load(name));
  });
});
