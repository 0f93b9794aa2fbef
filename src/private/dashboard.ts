import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE } from '../contract/telemetry';

/** The width of a CloudWatch dashboard, in grid units. */
const GRID_WIDTH = 24;
const GRAPH_WIDTH = 8;
const GRAPH_HEIGHT = 6;

/**
 * The period of the dashboard's graphs: the functions emit a few datapoints per audit or alert,
 * which hourly sums make readable over the dashboard's default week.
 */
export const DASHBOARD_PERIOD = Duration.hours(1);

/**
 * Widgets built only when the dashboard is rendered (at synthesis), so that what the mitigation
 * learns later (`AuditMitigation.addRule()`) is on the dashboard too. Add it to a dashboard on
 * its own (`addWidgets(lazy)`): a `Row` would read its size too early.
 */
export class LazyWidgets implements cloudwatch.IWidget {
  private built?: cloudwatch.IWidget;

  constructor(private readonly build: () => cloudwatch.IWidget[]) {}

  public get width(): number { return this.widget.width; }
  public get height(): number { return this.widget.height; }
  public position(x: number, y: number): void { this.widget.position(x, y); }
  public toJson(): any[] { return this.widget.toJson(); }

  private get widget(): cloudwatch.IWidget {
    if (!this.built) {
      const widgets = this.build();
      this.built = widgets.length > 0 ? new cloudwatch.Column(...widgets) : new NoWidget();
    }
    return this.built;
  }
}

/** Nothing: what a `LazyWidgets` renders when there is nothing to show. */
class NoWidget implements cloudwatch.IWidget {
  public readonly width = 0;
  public readonly height = 0;
  public position(): void {}
  public toJson(): any[] { return []; }
}

/** `widgets` in rows of as many as fit the dashboard's width. */
export function inRows(widgets: cloudwatch.IWidget[]): cloudwatch.IWidget[] {
  const rows: cloudwatch.IWidget[] = [];
  for (let i = 0, perRow = GRID_WIDTH / GRAPH_WIDTH; i < widgets.length; i += perRow) {
    rows.push(new cloudwatch.Row(...widgets.slice(i, i + perRow)));
  }
  return rows;
}

/** A graph of the dashboard's size. */
export function graph(title: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width: GRAPH_WIDTH, height: GRAPH_HEIGHT });
}

/** An alarm status widget of the dashboard's size. */
export function alarmStatus(title: string, alarms: cloudwatch.IAlarm[]): cloudwatch.AlarmStatusWidget {
  return new cloudwatch.AlarmStatusWidget({ title, alarms, width: GRAPH_WIDTH, height: GRAPH_HEIGHT });
}

/** A heading across the dashboard. */
export function heading(markdown: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown, width: GRID_WIDTH, height: 1 });
}

/**
 * A hub's metric for each of its spokes: a SEARCH for every `[Mitigation, Account, Region]` metric of
 * the hub (a spoke shows once it has a datapoint), each labelled `<account>/<region>`.
 */
export function perSpoke(hubPath: string, metricName: string): cloudwatch.IMetric {
  const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRIC_NAMESPACE},${METRIC_DIMENSIONS.ACCOUNT},${METRIC_DIMENSIONS.MITIGATION},${METRIC_DIMENSIONS.REGION}} `
      + `MetricName=${quoted(metricName)} ${METRIC_DIMENSIONS.MITIGATION}=${quoted(hubPath)}', 'Sum', ${DASHBOARD_PERIOD.toSeconds()})`,
    usingMetrics: {},
    // A dynamic label: each spoke's line is named by its account and region.
    label: `\${PROP('Dim.${METRIC_DIMENSIONS.ACCOUNT}')}/\${PROP('Dim.${METRIC_DIMENSIONS.REGION}')}`,
    period: DASHBOARD_PERIOD,
  });
}

/**
 * AWS IoT Device Defender's own audit metrics, as "AWS IoT metrics and dimensions" in the AWS IoT
 * developer guide lists them (https://docs.aws.amazon.com/iot/latest/developerguide/metrics_dimensions.html,
 * sections "Device Defender audit metrics" and "Dimensions for metrics"): namespace `AWS/IoT`,
 * `NonCompliantResources` and `ResourcesEvaluated`, reported for each check of each audit, with
 * dimensions `CheckName` and `ScheduledAuditName` (`OnDemand` for on-demand audits). The page does
 * not say which combinations of the two dimensions are published; this reads the metrics that have
 * both (the per check, per audit count the page describes) with a SEARCH expression, so every check
 * and every scheduled audit shows without naming them. The guide lists no
 * `MisconfiguredDeviceDefenderNotification` metric on that page, so it is not shown.
 */
export const DEVICE_DEFENDER_AUDIT_METRICS = {
  NAMESPACE: 'AWS/IoT',
  NON_COMPLIANT_RESOURCES: 'NonCompliantResources',
  RESOURCES_EVALUATED: 'ResourcesEvaluated',
  CHECK_DIMENSION: 'CheckName',
  SCHEDULED_AUDIT_DIMENSION: 'ScheduledAuditName',
} as const;

/** Device Defender's audit metrics per check and audit: the worst count of each hour. */
export function deviceDefenderAuditWidgets(): cloudwatch.IWidget[] {
  const m = DEVICE_DEFENDER_AUDIT_METRICS;
  const search = (metricName: string, label: string) => new cloudwatch.MathExpression({
    expression: `SEARCH('{${m.NAMESPACE},${m.CHECK_DIMENSION},${m.SCHEDULED_AUDIT_DIMENSION}} MetricName="${metricName}"', `
      + `'Maximum', ${DASHBOARD_PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: DASHBOARD_PERIOD,
  });
  const wide = (title: string, metric: cloudwatch.IMetric) =>
    new cloudwatch.GraphWidget({ title, left: [metric], width: GRID_WIDTH / 2, height: GRAPH_HEIGHT });
  return [
    heading('### AWS IoT Device Defender audits (AWS/IoT)'),
    new cloudwatch.Row(
      wide('Non-compliant resources by check and audit', search(m.NON_COMPLIANT_RESOURCES, 'non-compliant')),
      wide('Resources evaluated by check and audit', search(m.RESOURCES_EVALUATED, 'evaluated')),
    ),
  ];
}
