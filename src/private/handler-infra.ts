import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENCRYPTED_TOPIC_KEY_WARNING, grantPublish, topicKeyOf } from './grants';
import { PERMANENT_FAILURE_EVENT, PERMANENT_FAILURE_METRIC } from '../contract';
import { InlinePolicyRole } from './inline-policy-role';
import { addNagSuppressions } from './nag';
import { TOPIC_KEY_ACTIONS } from './permissions';

const CLOUDWATCH_SERVICE_PRINCIPAL = 'cloudwatch.amazonaws.com';

/** A topic AWS IoT publishes to: encrypted with a new KMS key (rotation on), TLS only. */
export function defineEncryptedTopic(scope: Construct, id: string, keyId: string, keyDescription: string): sns.Topic {
  return new sns.Topic(scope, id, {
    masterKey: new kms.Key(scope, keyId, { description: keyDescription, enableKeyRotation: true }),
    enforceSSL: true,
  });
}

/**
 * Lets only `role` publish to `topic`: an explicit Deny of sns:Publish for every principal whose
 * ARN is not the role's. A session of the role carries the role's ARN in `aws:PrincipalArn`, so
 * the Deny never applies to it; only sns:Publish is denied, so the topic's owner still manages
 * the topic (attributes, subscriptions, policy).
 */
export function allowOnlyPublisher(topic: sns.ITopic, role: iam.IRole): void {
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheIotRolePublishes',
    effect: iam.Effect.DENY,
    principals: [new iam.StarPrincipal()],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
  }));
}

/**
 * A role only `principal` (AWS IoT acting for one source, see `iotPrincipal`) can assume, allowed
 * to publish to `topic` (and to use its key, see `grantPublish`). It has no wildcard, so it needs
 * no cdk-nag suppression; it is sealed, so later grants land in a policy of their own.
 */
export function defineIotPublishRole(scope: Construct, id: string, description: string, principal: iam.IPrincipal, topic: sns.ITopic): iam.Role {
  const role = new InlinePolicyRole(scope, id, { description, assumedBy: principal });
  grantPublish(scope, topic, role);
  role.seal();
  return role;
}

/**
 * Where what fails every retry is kept for 14 days. `redriveTarget`: another queue of the construct
 * names it in its redrive policy, which is how cdk-nag recognizes a dead-letter queue (so it needs
 * no AwsSolutions-SQS3 suppression).
 */
export function defineDeadLetterQueue(scope: Construct, redriveTarget = false): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  addNagSuppressions(queue, [
    ...(redriveTarget ? [] : [{
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue (of a subscription and an on-failure destination): what fails here is kept for 14 days for a person to inspect.',
    }]),
    { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is the dead-letter queue; it has nowhere further to redrive to.' },
  ]);
  return queue;
}

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
 * Counts the handler's permanent failures (its `permanent-failure` log lines, per function) with a
 * metric filter on its log group, and alarms on the first one in 5 minutes; the alarm notifies
 * `topic` when one is given. A permanent failure is not retried, so nothing reaches the
 * dead-letter queue: without this alarm it would go unnoticed.
 */
export function definePermanentFailureAlarm(scope: Construct, logGroup: logs.ILogGroup, fn: lambda.IFunction, topic?: sns.ITopic): cloudwatch.Alarm {
  const filter = new logs.MetricFilter(scope, 'PermanentFailureMetricFilter', {
    logGroup,
    filterPattern: logs.FilterPattern.stringValue('$.event', '=', PERMANENT_FAILURE_EVENT),
    metricNamespace: PERMANENT_FAILURE_METRIC.NAMESPACE,
    metricName: PERMANENT_FAILURE_METRIC.NAME,
    metricValue: '1',
    dimensions: { [PERMANENT_FAILURE_METRIC.DIMENSION]: `$.${PERMANENT_FAILURE_METRIC.DIMENSION_FIELD}` },
  });
  return alarmOnAny(scope, 'PermanentFailureAlarm',
    `Permanent failures of ${scope.node.path}'s function: mitigation that was not started and will not be retried `
      + '(malformed message, refused request, broken configuration); its log and the report topic say which (cdk-device-defender)',
    filter.metric({
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.SUM,
      dimensionsMap: { [PERMANENT_FAILURE_METRIC.DIMENSION]: fn.functionName },
    }), topic);
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

/**
 * A handler's log group and role: its own logs, and `actions` on `*` (actions without a resource type,
 * or, like iot:StartDetectMitigationActionsTask, with an optional one its requests never name).
 */
export function defineHandlerRole(scope: Construct, description: string, actions: string[], resources: string[] = ['*']): { role: InlinePolicyRole; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'HandlerLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const role = new InlinePolicyRole(scope, 'HandlerRole', {
    description,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
  return { role, logGroup };
}
