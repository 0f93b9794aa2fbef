import { readFileSync } from 'fs';
import { Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AuditCheck, AuditConfiguration, AuditMitigation, AuditSuppression, AuditSuppressionResource, DetectMitigation, LogLevel, MitigationAction,
  MitigationActionParams, MitigationActionType, MitigationEventBus,
} from '../src';
import {
  computedFootprint, Counts, expandBraces, footprintOf, footprintSection, parseResources, parseRoles, plumbingActions, README, readmeRows,
  renderResources, SCENARIOS, SHARED_IDS, synthesize,
} from './util/footprint';

// The README's "What each construct creates": a user reviewing a security change
// reads there what each construct defines and what its roles may do; this checks it against
// synthesized stacks, so it cannot drift. After a change, `npx ts-node --transpile-only --project
// tsconfig.dev.json test/util/footprint.ts` rewrites the resource column (CONTRIBUTING.md).

const REGENERATE = 'npx ts-node --transpile-only --project tsconfig.dev.json test/util/footprint.ts';
const section = footprintSection(readFileSync(README, 'utf8'));
const rows = readmeRows(section);
const computed = computedFootprint();
const rowOf = (key: string) => rows.find((row) => row.key === key)!;

/** `counts` with `changes` added (a negative number removes). */
function changed(counts: Counts, changes: Counts): Counts {
  const result = { ...counts };
  for (const [type, n] of Object.entries(changes)) {
    result[type] = (result[type] ?? 0) + n;
    if (result[type] === 0) { delete result[type]; }
  }
  return result;
}

/** What the top-level construct `key` defines in a stack that `define` fills. */
function definedBy(key: string, define: (stack: Stack) => unknown): Counts {
  const { stack, template } = synthesize((s) => { define(s); });
  const row = footprintOf(stack, template).get(key);
  if (!row) { throw new Error(`no ${key} in the stack`); }
  return row.resources;
}

describe('the README\'s footprint table', () => {
  test('has one row per library construct and per shared piece of a stack, no more', () => {
    expect(rows.map((row) => row.key).sort()).toEqual([...computed.keys()].sort());
    expect([...computed.keys()]).toEqual(expect.arrayContaining([...Object.keys(SCENARIOS), ...SHARED_IDS]));
  });

  test.each([...computed.keys()])('%s: resources by type and count, as synthesized alone with its defaults', (key) => {
    const expected = computed.get(key)!.resources;
    const listed = parseResources(rowOf(key).resourcesCell);
    if (JSON.stringify(Object.entries(listed).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
      throw new Error(`README.md's ${key} row lists ${rowOf(key).resourcesCell}; synthesized: ${renderResources(expected)}. Run ${REGENERATE}`);
    }
  });

  test.each([...computed.keys()])('%s: its IAM roles, who may assume each, and every action each may take', (key) => {
    const plumbing = plumbingActions(section);
    const roles = computed.get(key)!.roles;
    const listed = parseRoles(rowOf(key).rolesCell);
    expect(listed.map((role) => role.id).sort()).toEqual(Object.keys(roles).sort());
    for (const role of listed) {
      const actual = roles[role.id];
      expect([role.id, [role.principal]]).toEqual([role.id, actual.principals]);
      // Managed policies are named; a mitigation action's permissions are in the Permissions table.
      for (const name of actual.managedPolicies) { expect([role.id, role.names]).toEqual([role.id, expect.arrayContaining([name])]); }
      if (role.seePermissions) { continue; }
      // Every action named is the role's, and every action of the role is named (a Lambda role's
      // logs, traces and dead-letter queue are in the note under the table).
      const unnamed = actual.actions.filter((a) => !role.actions.includes(a) && !(role.principal === 'lambda.amazonaws.com' && plumbing.includes(a)));
      expect({ role: role.id, notTheRoles: role.actions.filter((a) => !actual.actions.includes(a)), unnamed })
        .toEqual({ role: role.id, notTheRoles: [], unnamed: [] });
    }
  });

  test('the note\'s actions for every Lambda role: each one some role of the table has', () => {
    const plumbing = plumbingActions(section);
    const lambdaActions = [...computed.values()].flatMap((row) => Object.values(row.roles))
      .filter((role) => role.principals.includes('lambda.amazonaws.com')).flatMap((role) => role.actions);
    expect(plumbing.length).toBeGreaterThan(0);
    expect(plumbing.filter((a) => !lambdaActions.includes(a))).toEqual([]);
  });

  test.each(Object.keys(SCENARIOS))('%s: the stack has the shared pieces whose row names one of its constructs, and no other', (key) => {
    const { stack, template } = synthesize(SCENARIOS[key]);
    const keys = [...footprintOf(stack, template).keys()];
    const isShared = (k: string) => (SHARED_IDS as readonly string[]).includes(k);
    const named = rows.filter((row) => isShared(row.key)
      && [...row.what.matchAll(/`([A-Za-z]+)`/g)].slice(1).some((m) => keys.includes(m[1]))).map((row) => row.key);
    // The logging role comes with an action type, not a construct (the next test).
    expect(keys.filter((k) => isShared(k) && k !== 'CdkDeviceDefenderIotLoggingRole').sort()).toEqual(named.sort());
  });

  test('a MitigationAction of every type defines the row\'s resources; ENABLE_IOT_LOGGING without loggingRole also the shared logging role', () => {
    const group = (s: Stack) => iot.CfnThingGroup.fromThingGroupName(s, 'Group', 'quarantine');
    const factories = [
      (s: Stack) => MitigationActionParams.addThingsToThingGroup({ thingGroups: [group(s)] }),
      () => MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN }),
      (s: Stack) => MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(s, 'Topic', { enforceSSL: true }) }),
      () => MitigationActionParams.replaceDefaultPolicyVersion(),
      () => MitigationActionParams.updateCaCertificate(),
      () => MitigationActionParams.updateDeviceCertificate(),
    ];
    for (const params of factories) {
      const { stack, template, construct } = synthesize((s) => new MitigationAction(s, 'Action', { actionParams: params(s) }));
      const found = footprintOf(stack, template);
      expect(found.get('MitigationAction')!.resources).toEqual(parseResources(rowOf('MitigationAction').resourcesCell));
      const type = (construct as MitigationAction).actionType;
      expect([type, found.has('CdkDeviceDefenderIotLoggingRole')]).toEqual([type, type === MitigationActionType.ENABLE_IOT_LOGGING]);
    }
  });

  test('brace patterns expand as in a shell', () => {
    expect(expandBraces('iot:List{Audit,Detect}MitigationActions{Tasks,Executions}')).toEqual([
      'iot:ListAuditMitigationActionsTasks', 'iot:ListAuditMitigationActionsExecutions',
      'iot:ListDetectMitigationActionsTasks', 'iot:ListDetectMitigationActionsExecutions',
    ]);
    expect(parseResources('SQS: 2 Queues, 2 QueuePolicies; Custom: IotAuditSuppression'))
      .toEqual({ 'AWS::SQS::Queue': 2, 'AWS::SQS::QueuePolicy': 2, 'Custom::IotAuditSuppression': 1 });
  });
});

describe('the note under the table: options that change a row', () => {
  const deactivate = (s: Stack) => new MitigationAction(s, 'Deactivate', { actionParams: MitigationActionParams.updateDeviceCertificate() });
  const rule = (s: Stack) => [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [deactivate(s)] }];
  const detect = (s: Stack, more: object) => new DetectMitigation(s, 'DetectMitigation', {
    securityProfile: new iot.CfnSecurityProfile(s, 'Profile', { securityProfileName: 'chatty' }),
    actions: [new MitigationAction(s, 'Quarantine', {
      actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [iot.CfnThingGroup.fromThingGroupName(s, 'Group', 'q')] }),
    })],
    ...more,
  });
  const topicResources = { 'AWS::KMS::Key': -1, 'AWS::SNS::Topic': -1, 'AWS::SNS::TopicPolicy': -1 };
  const listed = (key: string) => parseResources(rowOf(key).resourcesCell);

  test('notificationTopic or alertTopic given: no KMS key, topic or topic policy', () => {
    expect(definedBy('AuditMitigation', (s) => new AuditMitigation(s, 'AuditMitigation', { rules: rule(s), notificationTopic: new sns.Topic(s, 'T') })))
      .toEqual(changed(listed('AuditMitigation'), topicResources));
    expect(definedBy('DetectMitigation', (s) => detect(s, { alertTopic: new sns.Topic(s, 'T') })))
      .toEqual(changed(listed('DetectMitigation'), topicResources));
  });

  test('AuditConfiguration with a notificationTopic: a NotificationRole too', () => {
    const { stack, template } = synthesize((s) => new AuditConfiguration(s, 'AuditConfiguration', { notificationTopic: new sns.Topic(s, 'T') }));
    const row = footprintOf(stack, template).get('AuditConfiguration')!;
    expect(row.resources).toEqual(changed(listed('AuditConfiguration'), { 'AWS::IAM::Role': 1 }));
    expect(Object.keys(row.roles).sort()).toEqual(['AuditRole', 'NotificationRole']);
  });

  test('alarms: false: no executions-failed (and checks-excluded) alarm', () => {
    expect(definedBy('AuditMitigation', (s) => new AuditMitigation(s, 'AuditMitigation', { rules: rule(s), alarms: false })))
      .toEqual(changed(listed('AuditMitigation'), { 'AWS::CloudWatch::Alarm': -2 }));
    expect(definedBy('DetectMitigation', (s) => detect(s, { alarms: false })))
      .toEqual(changed(listed('DetectMitigation'), { 'AWS::CloudWatch::Alarm': -1 }));
  });

  test('a reportTopic or an eventBus: a shared role gets an extra IAM policy for it', () => {
    const suppression = { check: AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, resource: AuditSuppressionResource.clientId('lab'), suppressIndefinitely: true };
    expect(definedBy('CdkDeviceDefenderTaskFollower', (s) => new AuditMitigation(s, 'AuditMitigation', { rules: rule(s), reportTopic: new sns.Topic(s, 'R') })))
      .toEqual(changed(listed('CdkDeviceDefenderTaskFollower'), { 'AWS::IAM::Policy': 1 }));
    expect(definedBy('CdkDeviceDefenderAuditSuppressionProvider',
      (s) => new AuditSuppression(s, 'AuditSuppression', { ...suppression, eventBus: new MitigationEventBus(s, 'Bus') })))
      .toEqual(changed(listed('CdkDeviceDefenderAuditSuppressionProvider'), { 'AWS::IAM::Policy': 1 }));
  });
});
