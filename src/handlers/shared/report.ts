import type { SNSClient } from '@aws-sdk/client-sns';
import { MitigationEvent, putEvents } from './events';
import { errorMessage, errorName } from './iot-tasks';
import { Level, log } from './log';
import { emitMetrics } from './metrics';
import {
  EVENT_DETAIL_TYPES, METRIC_DIMENSIONS, METRICS, MitigationFailedDetail, PERMANENT_FAILURE_EVENT, PERMANENT_FAILURE_METRIC,
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

export class Reporter {
  /**
   * @param topicArn the report topic, if any
   * @param mitigation the construct path (the `Mitigation` dimension and `detail.mitigation`), if known
   * @param eventBus the event bus (ARN) events go to; undefined = the account's default bus
   */
  constructor(private readonly topicArn: string | undefined, public readonly mitigation?: string, private readonly eventBus?: string) {}

  /** Logs, publishes to the report topic, then puts `events` on EventBridge. */
  public async report(level: Level, event: string, fields: Record<string, unknown>, events: MitigationEvent[] = []): Promise<void> {
    log(level, event, fields);
    if (this.topicArn) {
      // require, not import(): the Lambda runtime's SDK is found through NODE_PATH, which only require uses.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk: typeof import('@aws-sdk/client-sns') = require('@aws-sdk/client-sns');
      sns ??= new sdk.SNSClient({});
      await sns.send(new sdk.PublishCommand({
        TopicArn: this.topicArn,
        Subject: `cdk-device-defender: ${event}`.slice(0, 100),
        Message: JSON.stringify({ event, level, ...fields }, undefined, 2),
      }));
    }
    if (events.length > 0) { await putEvents(events, this.eventBus); }
  }

  /**
   * Reports a failure no retry can fix: the `PermanentFailures` metric (embedded metric format,
   * dimension sets [FunctionName] and, when the mitigation is known, [Mitigation]; the construct's
   * alarm watches the first), ONE log line at ERROR with `event: "permanent-failure"`, what kind of
   * failure it is, the error's name and message and the function's name, the same fields to the
   * report topic when there is one, and a `Mitigation Failed` event.
   */
  public async permanentFailure(kind: string, error: unknown, fields: Record<string, unknown> = {}): Promise<void> {
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
    }, [{ detailType: EVENT_DETAIL_TYPES.FAILED, detail }]);
  }
}
