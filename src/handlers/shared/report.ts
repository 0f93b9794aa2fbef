import type { SNSClient } from '@aws-sdk/client-sns';
import { runWithDeadline } from './deadline';
import { MitigationEvent, putEvents } from './events';
import { errorMessage, errorName } from './iot-tasks';
import { Level, log } from './log';
import { emitMetrics } from './metrics';
import {
  CUSTOM_RESOURCE_REPORT_PROPS, EVENT_DETAIL_TYPES, METRIC_DIMENSIONS, METRICS, MitigationFailedDetail, PERMANENT_FAILURE_EVENT,
  PERMANENT_FAILURE_METRIC,
} from '../../contract';

/**
 * Sends a report (plan, skip, failure) to the log and, when configured, to the report topic, and
 * puts the decision's EventBridge event (`events`) after it. A report or an event that cannot be
 * sent makes the invocation fail, so it is retried or dead-lettered: events are delivered at least
 * once, never dropped in silence.
 *
 * Order of every decision: act (start the task), emit the metrics (a log line, which cannot fail),
 * then report and put the event (which can fail, and are then retried). Metrics that would count
 * again on a retry are emitted only by the attempt that acted (see the handlers).
 */
// One client per execution environment, created on the first report to a topic (the SDK module is
// loaded then too: a function without a report topic never loads it).
let sns: SNSClient | undefined;

/**
 * A report for a request that must be answered whatever happens (a custom resource: CloudFormation
 * waits for the answer and nothing retries a Delete): the report topic and the event are sent
 * best effort. One that fails, or is not sent `marginMs` before the end, is logged at ERROR
 * (`report-failed`) instead of thrown; the metric and the log line went out before, and cannot fail,
 * so the alarm still fires.
 */
export interface AnswerDeadline {
  /** Milliseconds left before the function must answer (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** Give up on what is not sent this long before the end. */
  readonly marginMs: number;
}

export class Reporter {
  /**
   * @param topicArn the report topic, if any
   * @param mitigation the construct path (the `Mitigation` dimension and `detail.mitigation`), if known
   */
  constructor(private readonly topicArn: string | undefined, public readonly mitigation?: string) {}

  /**
   * Logs, publishes to the report topic, then puts `events` on EventBridge; with `answer`, best
   * effort (see `AnswerDeadline`).
   */
  public async report(level: Level, event: string, fields: Record<string, unknown>, events: MitigationEvent[] = [],
    answer?: AnswerDeadline): Promise<void> {
    log(level, event, fields);
    const deliveries: Array<{ readonly channel: string; readonly send: (abortSignal?: AbortSignal) => Promise<unknown> }> = [];
    const topicArn = this.topicArn;
    if (topicArn) {
      deliveries.push({
        channel: 'report-topic',
        send: async (abortSignal) => {
          // require, not import(): the Lambda runtime's SDK is found through NODE_PATH, which only require uses.
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const sdk: typeof import('@aws-sdk/client-sns') = require('@aws-sdk/client-sns');
          sns ??= new sdk.SNSClient({});
          return sns.send(new sdk.PublishCommand({
            TopicArn: topicArn,
            Subject: `cdk-device-defender: ${event}`.slice(0, 100),
            Message: JSON.stringify({ event, level, ...fields }, undefined, 2),
          }), { abortSignal });
        },
      });
    }
    if (events.length > 0) { deliveries.push({ channel: 'events', send: () => putEvents(events) }); }
    if (!answer) {
      for (const delivery of deliveries) { await delivery.send(); }
      return;
    }
    const run = await runWithDeadline(deliveries, (delivery, signal) => delivery.send(signal), { concurrency: deliveries.length, ...answer });
    const failures = [
      ...run.settled.filter((s) => 'error' in s).map((s) => ({ channel: s.item.channel, error: errorName(s.error), message: errorMessage(s.error) })),
      ...[...run.unfinished, ...run.notStarted].map((d) => ({ channel: d.channel, error: 'DeadlineExceeded', message: 'not sent before the function had to answer' })),
    ];
    for (const failure of failures) { log('ERROR', 'report-failed', { report: event, ...failure }); }
  }

  /**
   * Reports a failure no retry can fix: the `PermanentFailures` metric (embedded metric format,
   * dimension sets [FunctionName] and, when the mitigation is known, [Mitigation]; the construct's
   * alarm watches the first), ONE log line at ERROR with `event: "permanent-failure"`, what kind of
   * failure it is, the error's name and message and the function's name, the same fields to the
   * report topic when there is one, and a `Mitigation Failed` event. With `answer`, the report
   * topic and the event are best effort (see `AnswerDeadline`), and this never throws.
   */
  public async permanentFailure(kind: string, error: unknown, fields: Record<string, unknown> = {}, answer?: AnswerDeadline): Promise<void> {
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME || undefined;
    const dimensions: Record<string, string> = {
      ...(functionName ? { [METRIC_DIMENSIONS.FUNCTION]: functionName } : {}),
      ...(this.mitigation ? { [METRIC_DIMENSIONS.MITIGATION]: this.mitigation } : {}),
    };
    const sets = Object.keys(dimensions).map((name) => [name]);
    if (sets.length > 0) { emitMetrics(dimensions, sets, { [METRICS.PERMANENT_FAILURES]: 1 }); }
    const detail: MitigationFailedDetail = {
      mitigation: this.mitigation ?? '',
      kind,
      error: errorName(error),
      message: errorMessage(error),
      ...(functionName ? { functionName } : {}),
      ...(typeof fields.taskId === 'string' ? { taskId: fields.taskId } : {}),
      ...(typeof fields.auditTaskId === 'string' ? { auditTaskId: fields.auditTaskId } : {}),
    };
    await this.report('ERROR', PERMANENT_FAILURE_EVENT, {
      kind,
      error: detail.error,
      message: detail.message,
      [PERMANENT_FAILURE_METRIC.DIMENSION_FIELD]: functionName,
      ...fields,
    }, [{ detailType: EVENT_DETAIL_TYPES.FAILED, detail }], answer);
  }
}

const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$/;

/**
 * The reporter of a custom resource request, from its properties (`CUSTOM_RESOURCE_REPORT_PROPS`):
 * the construct path (else `logicalResourceId`, for a resource defined before the property existed)
 * and the report topic. Never throws, whatever the properties (a Delete must answer): a value that
 * is not valid is left out, with a WARN line saying so.
 */
export function customResourceReporter(properties: Record<string, unknown> | undefined, logicalResourceId: string): Reporter {
  const P = CUSTOM_RESOURCE_REPORT_PROPS;
  const topic = properties?.[P.REPORT_TOPIC_ARN];
  const name = properties?.[P.MITIGATION_NAME];
  const validTopic = typeof topic === 'string' && TOPIC_ARN.test(topic) ? topic : undefined;
  const validName = typeof name === 'string' && name.length >= 1 && name.length <= 1024 ? name : undefined;
  if ((topic !== undefined && !validTopic) || (name !== undefined && !validName)) {
    log('WARN', 'invalid-report-property', {
      ...(topic !== undefined && !validTopic ? { [P.REPORT_TOPIC_ARN]: topic, reportTopic: 'left out: not an SNS topic ARN' } : {}),
      ...(name !== undefined && !validName ? { [P.MITIGATION_NAME]: name, mitigationName: 'left out: not 1 to 1024 characters' } : {}),
    });
  }
  return new Reporter(validTopic, validName ?? logicalResourceId);
}
