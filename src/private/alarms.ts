import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENCRYPTED_TOPIC_KEY_WARNING, grantPublish, topicKeyOf } from './grants';
import { TOPIC_KEY_ACTIONS } from './permissions';
import { PERMANENT_FAILURE_METRIC } from '../contract/telemetry';

const CLOUDWATCH_SERVICE_PRINCIPAL = 'cloudwatch.amazonaws.com';

/**
 * An alarm as soon as anything lands in the dead-letter queue, so a dropped notification or a task
 * that could not be started is noticed; it notifies `topic` when one is given.
 */
export function defineDeadLetterAlarm(scope: Construct, queue: sqs.IQueue, topic?: sns.ITopic): cloudwatch.Alarm {
  return alarmOnAny(scope, 'DeadLetterAlarm',
    `Messages in ${scope.node.path}'s dead-letter queue: mitigation that failed every retry (cdk-device-defender)`,
    queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }), topic);
}

/**
 * Alarms on the handler's first permanent failure in 5 minutes: metric `PermanentFailures` in
 * namespace `CdkDeviceDefender` with dimension `FunctionName`, which the handler emits in the
 * embedded metric format with every `permanent-failure` log line. The alarm notifies `topic` when
 * one is given. A permanent failure is not retried, so nothing reaches the dead-letter queue:
 * without this alarm it would go unnoticed.
 */
export function definePermanentFailureAlarm(scope: Construct, fn: lambda.IFunction, topic?: sns.ITopic,
  failures = 'mitigation that was not started and will not be retried (malformed message, refused request, broken configuration)'): cloudwatch.Alarm {
  return alarmOnAny(scope, 'PermanentFailureAlarm',
    `Permanent failures of ${scope.node.path}'s function: ${failures}; its log and the report topic say which (cdk-device-defender)`,
    new cloudwatch.Metric({
      namespace: PERMANENT_FAILURE_METRIC.NAMESPACE,
      metricName: PERMANENT_FAILURE_METRIC.NAME,
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
      dimensionsMap: { [PERMANENT_FAILURE_METRIC.DIMENSION]: fn.functionName },
    }), topic);
}

/**
 * An alarm on any failed action execution of `scope`'s finished tasks in 5 minutes: an action AWS
 * IoT could not apply, which a person must look at. It notifies `topic` when one is given.
 */
export function defineExecutionsFailedAlarm(scope: Construct, metric: cloudwatch.IMetric, topic?: sns.ITopic): cloudwatch.Alarm {
  return alarmOnAny(scope, 'ExecutionsFailedAlarm',
    `Failed mitigation action executions of ${scope.node.path}'s tasks: an action AWS IoT could not apply (its role, a missing `
      + 'resource, a quota); the report topic and the CLI\'s tasks command say which (cdk-device-defender)',
    metric, topic);
}

/**
 * An alarm on any check the blast-radius limit left out of an audit's mitigation task: its
 * findings wait for a person to decide. It notifies `topic` when one is given.
 */
export function defineChecksExcludedAlarm(scope: Construct, metric: cloudwatch.IMetric, topic?: sns.ITopic): cloudwatch.Alarm {
  return alarmOnAny(scope, 'ChecksExcludedAlarm',
    `Checks ${scope.node.path}'s blast-radius limit (maxFindingsPerCheck) left out of a mitigation task: their findings were not `
      + 'mitigated and wait for a person to decide; the report topic says which (cdk-device-defender)',
    metric, topic);
}

/**
 * An alarm on the first datapoint above 0 of `metric` (missing data is not breaching), notifying
 * `topic` when one is given.
 */
function alarmOnAny(scope: Construct, id: string, alarmDescription: string, metric: cloudwatch.IMetric, topic?: sns.ITopic): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription,
    metric,
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(scope, alarm, topic);
  return alarm;
}

/**
 * The report topics of the constructs that share one function (a stack's custom resource provider
 * or task follower): each distinct topic, once, is an action of every one of `alarms` and, when
 * `role` is given, may be published to by it.
 */
export class ReportTopics {
  private readonly added = new Set<unknown>();

  constructor(private readonly scope: Construct, private readonly alarms: cloudwatch.Alarm[], private readonly role?: iam.IRole) {}

  /** Adds `topic`, unless it (or a topic of the same literal ARN) was added before. */
  public add(topic: sns.ITopic): void {
    const id = Token.isUnresolved(topic.topicArn) ? topic : topic.topicArn;
    if (this.added.has(id)) { return; }
    this.added.add(id);
    if (this.role) { grantPublish(this.scope, topic, this.role); }
    for (const alarm of this.alarms) { notify(this.scope, alarm, topic); }
  }
}

/** Lets `alarm` notify `topic`, when there is one. */
function notify(scope: Construct, alarm: cloudwatch.Alarm, topic?: sns.ITopic): void {
  if (!topic) { return; }
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  // CloudWatch publishes to an encrypted topic only if the key policy lets it (this account's alarms
  // only); the app can write that policy only for a key it defines.
  const key = topicKeyOf(topic);
  if (key.kind === 'key' && key.key && kms.CfnKey.isCfnKey(key.key.node.defaultChild)) {
    key.key.grant(new iam.ServicePrincipal(CLOUDWATCH_SERVICE_PRINCIPAL).withConditions({
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    }), ...TOPIC_KEY_ACTIONS);
  } else if (key.kind !== 'none') {
    Annotations.of(scope).addWarningV2(ENCRYPTED_TOPIC_KEY_WARNING,
      `alarm ${alarm.node.path} publishes to topic ${topic.node.path}, whose KMS key this app does not define, so it cannot `
      + 'change the key\'s policy. If the topic is encrypted with a customer managed KMS key, its key policy must allow '
      + `${CLOUDWATCH_SERVICE_PRINCIPAL} ${TOPIC_KEY_ACTIONS.join(' and ')} (condition aws:SourceAccount = this account).`);
  }
}
