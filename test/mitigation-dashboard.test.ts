import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import {
  AuditCheck, AuditMitigation, DetectMitigation, MitigationAction, MitigationActionParams, MitigationDashboard, MitigationHub,
} from '../src';
import { addNagPacks, nagFindings } from './util/nag';
import { expectRefused } from './util/refusals';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function fixture(app = new App()) {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
  const quarantine = new MitigationAction(stack, 'Quarantine', {
    mitigationActionName: 'quarantine', actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
  });
  const deactivate = new MitigationAction(stack, 'Deactivate', {
    mitigationActionName: 'deactivate', actionParams: MitigationActionParams.updateDeviceCertificate(),
  });
  const notify = new MitigationAction(stack, 'Notify', {
    mitigationActionName: 'notify',
    actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
  });
  const audit = new AuditMitigation(stack, 'Audit', {
    rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify, deactivate] }],
  });
  const profile = new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' });
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
  return { stack, audit, detect, notify, deactivate, quarantine };
}

/**
 * The dashboard body as CloudWatch receives it: the Fn::Join rendered, each action's Ref replaced
 * by its ActionName, each alarm's ARN by `alarm:<logical id>` and each queue's name by `queue:<logical id>`.
 */
function dashboardBody(stack: Stack): { start: string; widgets: any[] } {
  const resources = Template.fromStack(stack).toJSON().Resources;
  const dashboards = Object.values<any>(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const parts: any[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  return JSON.parse(parts.map((part) => {
    if (typeof part === 'string') { return part; }
    if (part.Ref === 'AWS::Region') { return ENV.region; }
    if (part.Ref) { return resources[part.Ref].Properties.ActionName; }
    const [id, attribute] = part['Fn::GetAtt'] ?? [];
    if (attribute === 'Arn' && resources[id].Type === 'AWS::CloudWatch::Alarm') { return `alarm:${id}`; }
    if (attribute === 'QueueName') { return `queue:${id}`; }
    throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
  }).join(''));
}

function widgetTitled(widgets: any[], title: string): any {
  const found = widgets.filter((w) => w.properties.title === title);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The logical id of the alarm on `metricName` of the construct at `path`. */
function alarmId(stack: Stack, id: string): string {
  return stack.getLogicalId(id.split('/').reduce<IConstruct>((c, part) => c.node.findChild(part), stack).node.defaultChild as any);
}

/** The alarms of the stack's task follower (its dead-letter and permanent-failure alarms), as the widget names them. */
const FOLLOWER_ALARMS = (stack: Stack, follower = 'CdkDeviceDefenderTaskFollower') =>
  ['DeadLetterAlarm', 'PermanentFailureAlarm'].map((a) => `alarm:${alarmId(stack, `${follower}/${a}`)}`);

describe('MitigationDashboard', () => {
  test('per audit check: findings found vs mitigated vs excluded, including rules added later', () => {
    // GIVEN an audit mitigation whose second rule is added after the dashboard
    const { stack, audit, notify } = fixture();
    new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit] });
    audit.addRule(AuditCheck.CONFLICTING_CLIENT_IDS_CHECK, [notify]);
    // THEN
    const { widgets, start } = dashboardBody(stack);
    expect(start).toBe('-P7D');
    for (const check of ['DEVICE_CERTIFICATE_SHARED_CHECK', 'CONFLICTING_CLIENT_IDS_CHECK']) {
      const widget = widgetTitled(widgets, `Findings of ${check}: found, mitigated, excluded`);
      expect(widget.properties.metrics).toEqual([
        ...[['FindingsFound', 'found'], ['FindingsMitigated', 'mitigated'], ['FindingsExcluded', 'excluded']].map(([name, label]) =>
          ['CdkDeviceDefender', name, 'CheckName', check, 'Mitigation', 'Stack/Audit', { label, stat: 'Sum', period: 3600 }]),
      ]);
    }
  });

  test('per action (the name the task runs it by): executions by outcome, for audit and detect mitigations', () => {
    const { stack, audit, detect } = fixture();
    new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit], detectMitigations: [detect] });
    const { widgets } = dashboardBody(stack);
    for (const [action, mitigation] of [['notify', 'Stack/Audit'], ['deactivate', 'Stack/Audit'], ['quarantine', 'Stack/Detect']]) {
      expect(widgetTitled(widgets, `Executions of ${action} by outcome`).properties.metrics).toEqual([
        ...[['Succeeded', 'succeeded'], ['Failed', 'failed'], ['Skipped', 'skipped'], ['Canceled', 'canceled']].map(([outcome, label]) =>
          ['CdkDeviceDefender', `Executions${outcome}`, 'ActionName', action, 'Mitigation', mitigation, { label, stat: 'Sum', period: 3600 }]),
      ]);
    }
  });

  test('per mitigation: tasks, dead-letter queue and permanent failures, and every alarm of the mitigation', () => {
    const { stack, audit, detect } = fixture();
    new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit], detectMitigations: [detect] });
    const { widgets } = dashboardBody(stack);
    const headings = widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown);
    expect(headings).toEqual([
      '### AWS IoT Device Defender audits (AWS/IoT)', '### Audit mitigation Stack/Audit', '### Detect mitigation Stack/Detect',
    ]);
    const tasks = widgets.filter((w) => w.properties.title === 'Tasks').map((w) => w.properties.metrics);
    const metric = (mitigation: string) => ([name, label]: string[]) =>
      ['CdkDeviceDefender', name, 'Mitigation', mitigation, { label, stat: 'Sum', period: 3600 }];
    const common = [['TasksStarted', 'started'], ['TasksFinished', 'finished'], ['DryRunPlans', 'dry-run plans']];
    expect(tasks).toEqual([
      [...common, ['AuditsRecovered', 'recovered audits'], ['ChecksExcluded', 'excluded checks']].map(metric('Stack/Audit')),
      common.map(metric('Stack/Detect')),
    ]);
    const lost = widgets.filter((w) => w.properties.title === 'Dead-letter queue and permanent failures').map((w) => w.properties.metrics);
    expect(lost).toHaveLength(2);
    expect(lost[0][0]).toEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName',
      `queue:${stack.getLogicalId(audit.deadLetterQueue.node.defaultChild as any)}`, { label: 'dead-letter queue depth', stat: 'Maximum', period: 3600 }]);
    expect(lost[1][1]).toEqual(['CdkDeviceDefender', 'PermanentFailures', 'Mitigation', 'Stack/Detect', { label: 'permanent failures', stat: 'Sum', period: 3600 }]);
    const alarms = widgets.filter((w) => w.type === 'alarm').map((w) => w.properties.alarms);
    expect(alarms).toEqual([
      [...['DeadLetterAlarm', 'PermanentFailureAlarm', 'ExecutionsFailedAlarm', 'ChecksExcludedAlarm'].map((a) => `alarm:${alarmId(stack, `Audit/${a}`)}`),
        ...FOLLOWER_ALARMS(stack)],
      [...['DeadLetterAlarm', 'PermanentFailureAlarm', 'ExecutionsFailedAlarm'].map((a) => `alarm:${alarmId(stack, `Detect/${a}`)}`), ...FOLLOWER_ALARMS(stack)],
    ]);
  });

  test('with alarms: false, the alarm widget shows the alarms that remain', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: ENV });
    const action = new MitigationAction(stack, 'Logging', {
      mitigationActionName: 'logging', actionParams: MitigationActionParams.updateDeviceCertificate(),
    });
    const audit = new AuditMitigation(stack, 'Audit', { alarms: false, rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [action] }] });
    new MitigationDashboard(stack, 'Dashboard').addAuditMitigation(audit);
    const alarms = dashboardBody(stack).widgets.filter((w) => w.type === 'alarm').map((w) => w.properties.alarms);
    expect(alarms).toEqual([[...['DeadLetterAlarm', 'PermanentFailureAlarm'].map((a) => `alarm:${alarmId(stack, `Audit/${a}`)}`), ...FOLLOWER_ALARMS(stack)]]);
  });

  test('Device Defender\'s own audit metrics: AWS/IoT NonCompliantResources and ResourcesEvaluated by CheckName and ScheduledAuditName', () => {
    const { stack, audit } = fixture();
    new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit], start: '-PT12H', dashboardName: 'mitigation' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mitigation' });
    const { widgets, start } = dashboardBody(stack);
    expect(start).toBe('-PT12H');
    expect(widgetTitled(widgets, 'Non-compliant resources by check and audit').properties.metrics).toEqual([[{
      expression: 'SEARCH(\'{AWS/IoT,CheckName,ScheduledAuditName} MetricName="NonCompliantResources"\', \'Maximum\', 3600)',
      label: 'non-compliant',
      period: 3600,
    }]]);
    expect(widgetTitled(widgets, 'Resources evaluated by check and audit').properties.metrics).toEqual([[{
      expression: 'SEARCH(\'{AWS/IoT,CheckName,ScheduledAuditName} MetricName="ResourcesEvaluated"\', \'Maximum\', 3600)',
      label: 'evaluated',
      period: 3600,
    }]]);
  });

  test('a dashboard of detect mitigations only has no Device Defender audit widgets', () => {
    const { stack, detect } = fixture();
    new MitigationDashboard(stack, 'Dashboard', { detectMitigations: [detect] });
    const { widgets } = dashboardBody(stack);
    expect(widgets.map((w) => w.properties.title ?? w.properties.markdown)).toEqual([
      '### Detect mitigation Stack/Detect', 'Tasks', 'Dead-letter queue and permanent failures', 'Alarms', 'Executions of quarantine by outcome',
    ]);
  });

  test('needs at least one mitigation, and each mitigation once', () => {
    const { stack, audit } = fixture();
    new MitigationDashboard(stack, 'Empty');
    expectRefused(stack,
      '[Stack/Empty] invalid auditMitigations and detectMitigations: none given; a MitigationDashboard needs at least one AuditMitigation or DetectMitigation',
      'or a MitigationHub (auditMitigations, detectMitigations, hubs, addAuditMitigation(), addDetectMitigation() or addMitigationHub())');
    const { stack: other, audit: again } = fixture();
    new MitigationDashboard(other, 'Twice', { auditMitigations: [again, again] });
    expectRefused(other, '[Stack/Twice] Stack/Audit is already on the dashboard; add each mitigation once');
    expect(audit).toBeDefined();
  });

  test('a hub: its tasks, executions, lost work and alarms across its spokes, and per spoke; no Device Defender audit widgets (they are the spokes\'', () => {
    // GIVEN a hub alone on a dashboard
    const stack = new Stack(new App(), 'HubStack', { env: ENV });
    const hub = new MitigationHub(stack, 'Hub', { organizationId: 'o-abcdefghij' });
    new MitigationDashboard(stack, 'Dashboard', { hubs: [hub] });
    // THEN
    const { widgets } = dashboardBody(stack);
    expect(widgets.map((w) => w.properties.title ?? w.properties.markdown)).toEqual([
      '### Mitigation hub HubStack/Hub', 'Tasks', 'Dead-letter queue and permanent failures', 'Alarms',
      'Executions by outcome', 'Tasks started per spoke', 'Failed executions per spoke',
    ]);
    const metric = ([name, label]: string[]) => ['CdkDeviceDefender', name, 'Mitigation', 'HubStack/Hub', { label, stat: 'Sum', period: 3600 }];
    expect(widgetTitled(widgets, 'Tasks').properties.metrics).toEqual([
      ['TasksStarted', 'started'], ['TasksFinished', 'finished'], ['DryRunPlans', 'dry-run plans'], ['AuditsRecovered', 'recovered audits'],
      ['ChecksExcluded', 'excluded checks'],
    ].map(metric));
    expect(widgetTitled(widgets, 'Executions by outcome').properties.metrics).toEqual([
      ['ExecutionsSucceeded', 'succeeded'], ['ExecutionsFailed', 'failed'], ['ExecutionsSkipped', 'skipped'], ['ExecutionsCanceled', 'canceled'],
    ].map(metric));
    expect(widgetTitled(widgets, 'Failed executions per spoke').properties.metrics).toEqual([[{
      expression: 'SEARCH(\'{CdkDeviceDefender,Account,Mitigation,Region} MetricName="ExecutionsFailed" Mitigation="HubStack/Hub"\', \'Sum\', 3600)',
      label: '${PROP(\'Dim.Account\')}/${PROP(\'Dim.Region\')}',
      period: 3600,
    }]]);
    expect(widgetTitled(widgets, 'Dead-letter queue and permanent failures').properties.metrics[0][3])
      .toBe(`queue:${stack.getLogicalId(hub.deadLetterQueue.node.defaultChild as any)}`);
    // The hub's own follower's alarms (its tasks run in the spokes: the stack has no follower).
    expect(widgetTitled(widgets, 'Alarms').properties.alarms).toEqual([
      ...['DeadLetterAlarm', 'PermanentFailureAlarm', 'ExecutionsFailedAlarm', 'ChecksExcludedAlarm'].map((a) => `alarm:${alarmId(stack, `Hub/${a}`)}`),
      ...FOLLOWER_ALARMS(stack, 'Hub/TaskFollower'),
    ]);
    expect(stack.node.tryFindChild('CdkDeviceDefenderTaskFollower')).toBeUndefined();
  });

  test('securityHub: a graph of the Security Hub findings the follower updated and moved to NOTIFIED, for those mitigations only', () => {
    const { stack, audit, notify } = fixture();
    const secured = new AuditMitigation(stack, 'Secured', { rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [notify] }], securityHub: {} });
    const hub = new MitigationHub(stack, 'Hub', { organizationId: 'o-abcdefghij', securityHub: {} });
    new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit, secured], hubs: [hub] });
    const { widgets } = dashboardBody(stack);
    const graphs = widgets.filter((w) => w.properties.title === 'Security Hub findings updated');
    expect(graphs.map((g) => g.properties.metrics)).toEqual(['Stack/Secured', 'Stack/Hub'].map((path) => [
      ['CdkDeviceDefender', 'SecurityHubFindingsUpdated', 'Mitigation', path, { label: 'updated (a note)', stat: 'Sum', period: 3600 }],
      ['CdkDeviceDefender', 'SecurityHubFindingsNotified', 'Mitigation', path, { label: 'NOTIFIED', stat: 'Sum', period: 3600 }],
    ]));
  });

  test('a hub beside the mitigations of its own account, each once; addMitigationHub() as the prop', () => {
    const { stack, audit } = fixture();
    const hub = new MitigationHub(stack, 'Hub', { accounts: ['222222222222'] });
    const dashboard = new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit] });
    dashboard.addMitigationHub(hub);
    const headings = dashboardBody(stack).widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown);
    expect(headings).toEqual(['### AWS IoT Device Defender audits (AWS/IoT)', '### Audit mitigation Stack/Audit', '### Mitigation hub Stack/Hub']);
    dashboard.addMitigationHub(hub);
    expectRefused(stack, '[Stack/Dashboard] Stack/Hub is already on the dashboard; add each mitigation once');
  });

  test('passes cdk-nag (AwsSolutions and Serverless) with nothing unsuppressed on the dashboard', () => {
    const app = new App();
    addNagPacks(app);
    const { stack, audit, detect } = fixture(app);
    const hub = new MitigationHub(stack, 'Hub', { accounts: ['222222222222'] });
    new MitigationDashboard(stack, 'Dashboard', { auditMitigations: [audit], detectMitigations: [detect], hubs: [hub] });
    app.synth();
    expect(nagFindings(stack).filter((f) => f.startsWith('/Stack/Dashboard'))).toEqual([]);
  });
});
