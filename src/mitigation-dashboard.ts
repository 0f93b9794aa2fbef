import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditMitigation } from './audit-mitigation';
import { METRICS } from './contract/telemetry';
import { DetectMitigation } from './detect-mitigation';
import { IMitigation } from './mitigation-base';
import { MitigationHub } from './mitigation-hub';
import { DASHBOARD_PERIOD, LazyWidgets, alarmStatus, deviceDefenderAuditWidgets, graph, heading, inRows, perSpoke } from './private/dashboard';
import { actionMetric } from './private/metrics';
import { followerAlarmsOf } from './private/task-follower';
import { refuse } from './private/validation';

/** Properties of a `MitigationDashboard`. */
export interface MitigationDashboardProps {
  /**
   * The dashboard's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The audit mitigations to show; more can be added with `addAuditMitigation()`.
   *
   * @default - none; at least one audit or detect mitigation is needed before synthesis
   */
  readonly auditMitigations?: AuditMitigation[];

  /**
   * The detect mitigations to show; more can be added with `addDetectMitigation()`.
   *
   * @default - none; at least one audit or detect mitigation is needed before synthesis
   */
  readonly detectMitigations?: DetectMitigation[];

  /**
   * The organization hubs to show; more can be added with `addMitigationHub()`.
   *
   * @default - none; at least one audit or detect mitigation or hub is needed before synthesis
   */
  readonly hubs?: MitigationHub[];

  /**
   * The time range the dashboard opens with: an ISO 8601 duration before now (`-P7D`, `-PT12H`)
   * or a timestamp.
   *
   * @default '-P7D'
   */
  readonly start?: string;
}

/**
 * Defines a CloudWatch dashboard of what mitigation did: for each `AuditMitigation`, the findings
 * found, mitigated and excluded per check; for each mitigation, the action executions by outcome
 * per action, tasks started, finished and dry-run, the dead-letter queue and the alarms; and,
 * when there is an audit mitigation, AWS IoT Device Defender's own audit metrics. For each
 * `MitigationHub`, its tasks and executions across its spokes and per spoke.
 *
 * The checks and actions are read when the app is synthesized, so rules added later with
 * `addRule()` are shown too.
 */
export class MitigationDashboard extends Construct {
  /** The CloudWatch dashboard; add widgets of your own with `dashboard.addWidgets()`. */
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly auditMitigations: AuditMitigation[] = [];
  private readonly detectMitigations: DetectMitigation[] = [];
  private readonly hubs: MitigationHub[] = [];

  constructor(scope: Construct, id: string, props: MitigationDashboardProps = {}) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      start: props.start ?? '-P7D',
    });
    this.dashboard.addWidgets(new LazyWidgets(() => this.auditMitigations.length > 0 ? deviceDefenderAuditWidgets() : []));
    this.node.addValidation({
      validate: () => this.auditMitigations.length + this.detectMitigations.length + this.hubs.length > 0 ? [] : [
        'invalid auditMitigations and detectMitigations: none given; a MitigationDashboard needs at least one '
        + 'AuditMitigation or DetectMitigation, or a MitigationHub (auditMitigations, detectMitigations, hubs, addAuditMitigation(), '
        + 'addDetectMitigation() or addMitigationHub())',
      ],
    });
    props.auditMitigations?.forEach((m) => this.addAuditMitigation(m));
    props.detectMitigations?.forEach((m) => this.addDetectMitigation(m));
    props.hubs?.forEach((h) => this.addMitigationHub(h));
  }

  /** Shows `mitigation`: its findings per check, executions per action, tasks, dead-letter queue and alarms. */
  public addAuditMitigation(mitigation: AuditMitigation): void {
    if (this.refusedTwice(mitigation, this.auditMitigations.includes(mitigation))) { return; }
    this.auditMitigations.push(mitigation);
    this.dashboard.addWidgets(heading(`### Audit mitigation ${mitigation.node.path}`));
    this.dashboard.addWidgets(
      graph('Tasks', [
        mitigation.metricTasksStarted(hourly('started')),
        mitigation.metricTasksFinished(hourly('finished')),
        mitigation.metricDryRunPlans(hourly('dry-run plans')),
        mitigation.metricAuditsRecovered(hourly('recovered audits')),
        mitigation.metricChecksExcluded(hourly('excluded checks')),
      ]),
      lostWork(mitigation, mitigation.metricPermanentFailures(hourly('permanent failures'))),
      alarmStatus('Alarms', alarmsOf(mitigation, mitigation.executionsFailedAlarm, mitigation.checksExcludedAlarm)),
    );
    if (mitigation.securityHub) { this.dashboard.addWidgets(securityHubGraph(mitigation)); }
    this.dashboard.addWidgets(new LazyWidgets(() => {
      const mapping = mitigation.rules;
      const findings = Object.keys(mapping).map((check) => graph(`Findings of ${check}: found, mitigated, excluded`, [
        mitigation.metricForCheck(METRICS.FINDINGS_FOUND, check as AuditCheck, hourly('found')),
        mitigation.metricForCheck(METRICS.FINDINGS_MITIGATED, check as AuditCheck, hourly('mitigated')),
        mitigation.metricForCheck(METRICS.FINDINGS_EXCLUDED, check as AuditCheck, hourly('excluded')),
      ]));
      const actionNames = [...new Set(Object.values(mapping).flat())];
      return [...inRows(findings), ...inRows(actionNames.map((name) => executionsGraph(mitigation, name)))];
    }));
  }

  /** Shows `mitigation`: its executions per action, tasks, dead-letter queue and alarms. */
  public addDetectMitigation(mitigation: DetectMitigation): void {
    if (this.refusedTwice(mitigation, this.detectMitigations.includes(mitigation))) { return; }
    this.detectMitigations.push(mitigation);
    this.dashboard.addWidgets(heading(`### Detect mitigation ${mitigation.node.path}`));
    this.dashboard.addWidgets(
      graph('Tasks', [
        mitigation.metricTasksStarted(hourly('started')),
        mitigation.metricTasksFinished(hourly('finished')),
        mitigation.metricDryRunPlans(hourly('dry-run plans')),
      ]),
      lostWork(mitigation, mitigation.metricPermanentFailures(hourly('permanent failures'))),
      alarmStatus('Alarms', alarmsOf(mitigation, mitigation.executionsFailedAlarm)),
    );
    this.dashboard.addWidgets(new LazyWidgets(() => inRows(mitigation.actionNames.map((name) => executionsGraph(mitigation, name)))));
  }

  /**
   * Shows `hub`: its tasks, executions, dead-letter queue and alarms across its spokes, and its
   * tasks started and failed executions per spoke (every spoke that has them: the spokes are not
   * known at synthesis). A hub's checks and actions are its spokes', so they have no graphs of
   * their own, and Device Defender's audit metrics are in the spokes' accounts.
   */
  public addMitigationHub(hub: MitigationHub): void {
    if (this.refusedTwice(hub, this.hubs.includes(hub))) { return; }
    this.hubs.push(hub);
    this.dashboard.addWidgets(heading(`### Mitigation hub ${hub.node.path}`));
    this.dashboard.addWidgets(
      graph('Tasks', [
        hub.metricTasksStarted(hourly('started')),
        hub.metricTasksFinished(hourly('finished')),
        hub.metricDryRunPlans(hourly('dry-run plans')),
        hub.metricAuditsRecovered(hourly('recovered audits')),
        hub.metricChecksExcluded(hourly('excluded checks')),
      ]),
      lostWork(hub, hub.metricPermanentFailures(hourly('permanent failures'))),
      alarmStatus('Alarms', alarmsOf(hub, hub.executionsFailedAlarm, hub.checksExcludedAlarm)),
    );
    this.dashboard.addWidgets(
      graph('Executions by outcome', [
        hub.metricExecutionsSucceeded(hourly('succeeded')),
        hub.metricExecutionsFailed(hourly('failed')),
        hub.metricExecutionsSkipped(hourly('skipped')),
        hub.metricExecutionsCanceled(hourly('canceled')),
      ]),
      graph('Tasks started per spoke', [perSpoke(hub.node.path, METRICS.TASKS_STARTED)]),
      graph('Failed executions per spoke', [perSpoke(hub.node.path, METRICS.EXECUTIONS_FAILED)]),
    );
    if (hub.securityHub) { this.dashboard.addWidgets(securityHubGraph(hub)); }
  }

  /** Refuses a mitigation given twice (at synth); true when refused. */
  private refusedTwice(mitigation: Construct, already: boolean): boolean {
    if (already) { refuse(this, `${mitigation.node.path} is already on the dashboard; add each mitigation once`); }
    return already;
  }
}

/** The Security Hub findings the follower updated about the mitigation's tasks, and those it moved to NOTIFIED. */
function securityHubGraph(mitigation: AuditMitigation | MitigationHub): cloudwatch.IWidget {
  return graph('Security Hub findings updated', [
    mitigation.metricSecurityHubFindingsUpdated(hourly('updated (a note)')),
    mitigation.metricSecurityHubFindingsNotified(hourly('NOTIFIED')),
  ]);
}

/** The dashboard's hourly sums, labelled. */
function hourly(label: string): cloudwatch.MetricOptions {
  return { label, period: DASHBOARD_PERIOD };
}

/** What was lost: the dead-letter queue's depth and the function's permanent failures. */
function lostWork(mitigation: IMitigation, permanentFailures: cloudwatch.IMetric): cloudwatch.IWidget {
  return graph('Dead-letter queue and permanent failures', [
    mitigation.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      label: 'dead-letter queue depth', statistic: cloudwatch.Stats.MAXIMUM, period: DASHBOARD_PERIOD,
    }),
    permanentFailures,
  ]);
}

function alarmsOf(mitigation: IMitigation, ...optional: (cloudwatch.IAlarm | undefined)[]): cloudwatch.IAlarm[] {
  return [
    mitigation.deadLetterAlarm, mitigation.permanentFailureAlarm, ...optional.filter((a): a is cloudwatch.IAlarm => a !== undefined),
    // The follower reports the outcomes (and updates Security Hub): what it loses or cannot do is this mitigation's too.
    ...followerAlarmsOf(mitigation),
  ];
}

/** The executions of one action (by the name the task names it with), by outcome. */
function executionsGraph(mitigation: IMitigation, actionName: string): cloudwatch.IWidget {
  const outcomes: [string, string][] = [
    [METRICS.EXECUTIONS_SUCCEEDED, 'succeeded'], [METRICS.EXECUTIONS_FAILED, 'failed'],
    [METRICS.EXECUTIONS_SKIPPED, 'skipped'], [METRICS.EXECUTIONS_CANCELED, 'canceled'],
  ];
  return graph(`Executions of ${actionName} by outcome`, outcomes.map(([name, label]) => actionMetric(mitigation, name, actionName, hourly(label))));
}
