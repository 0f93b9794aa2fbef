import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { invalid } from './validation';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE, METRICS } from '../contract/telemetry';

/** The executions metrics: emitted per mitigation, per action and (audit tasks) per check. */
export const EXECUTION_METRICS: string[] = [
  METRICS.EXECUTIONS_SUCCEEDED, METRICS.EXECUTIONS_FAILED, METRICS.EXECUTIONS_SKIPPED, METRICS.EXECUTIONS_CANCELED,
];

/** The findings metrics of an audit mitigation: emitted per mitigation and per check. */
export const FINDINGS_METRICS: string[] = [METRICS.FINDINGS_FOUND, METRICS.FINDINGS_MITIGATED, METRICS.FINDINGS_EXCLUDED];

/** The metrics the functions also emit with the `CheckName` dimension (src/contract/telemetry.ts). */
export const METRICS_BY_CHECK: string[] = [METRICS.CHECKS_EXCLUDED, ...FINDINGS_METRICS, ...EXECUTION_METRICS];

/** The metrics the functions also emit with the `ActionName` dimension (src/contract/telemetry.ts). */
export const METRICS_BY_ACTION: string[] = EXECUTION_METRICS;

/** The metrics the organization hub also emits per spoke, with `Account` and `Region` (src/contract/telemetry.ts). */
export const METRICS_BY_SPOKE: string[] = [
  METRICS.TASKS_STARTED, METRICS.DRY_RUN_PLANS, METRICS.AUDITS_RECOVERED, METRICS.AUDITS_TOO_OLD,
  METRICS.FINDINGS_FOUND, METRICS.CHECKS_EXCLUDED, METRICS.FINDINGS_EXCLUDED, METRICS.PERMANENT_FAILURES,
  // The hub's task follower, per finished task.
  METRICS.TASKS_FINISHED, ...EXECUTION_METRICS, METRICS.FINDINGS_MITIGATED,
];

/**
 * A metric of a mitigation construct in the library's namespace, as aws-cdk-lib's `metric()`
 * methods build them: dimension `Mitigation` = the construct's path (plus `dimensions`), the sum
 * over 5 minutes; `props` overrides any of it.
 */
export function mitigationMetric(owner: IConstruct, metricName: string, props: cloudwatch.MetricOptions = {},
  dimensions: Record<string, string> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { [METRIC_DIMENSIONS.MITIGATION]: owner.node.path, ...dimensions },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    ...props,
  }).attachTo(owner);
}

/** `metricName` for one audit check; refuses a metric the functions do not emit per check. */
export function checkMetric(owner: IConstruct, metricName: string, check: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  refuseUnknown(owner, metricName, METRICS_BY_CHECK, 'per check');
  return mitigationMetric(owner, metricName, props, { [METRIC_DIMENSIONS.CHECK]: check });
}

/** `metricName` for one mitigation action (by name); refuses a metric the functions do not emit per action. */
export function actionMetric(owner: IConstruct, metricName: string, actionName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  refuseUnknown(owner, metricName, METRICS_BY_ACTION, 'per action');
  return mitigationMetric(owner, metricName, props, { [METRIC_DIMENSIONS.ACTION]: actionName });
}

/** `metricName` for one spoke of a hub (its account and region); refuses a metric the hub does not emit per spoke. */
export function spokeMetric(owner: IConstruct, metricName: string, spoke: { readonly account: string; readonly region: string },
  props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  refuseUnknown(owner, metricName, METRICS_BY_SPOKE, 'per spoke');
  return mitigationMetric(owner, metricName, props, { [METRIC_DIMENSIONS.ACCOUNT]: spoke.account, [METRIC_DIMENSIONS.REGION]: spoke.region });
}

/** Refuses, at synth, a metric the functions never emit (the metric is still returned, so the app goes on to synthesis). */
function refuseUnknown(owner: IConstruct, metricName: string, allowed: string[], what: string): void {
  if (!allowed.includes(metricName)) {
    invalid(owner, 'metricName', metricName, `the functions emit only ${allowed.join(', ')} ${what}`);
  }
}
