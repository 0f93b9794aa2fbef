import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { errorMessage, errorName } from './iot-tasks';
import { Level, log } from './log';
import { PERMANENT_FAILURE_EVENT, PERMANENT_FAILURE_METRIC } from '../../contract';

/**
 * Sends a report (plan, skip, failure) to the log and, when configured, to the report topic.
 * A report that cannot be published makes the invocation fail, so it is retried or dead-lettered.
 */
// One client per execution environment, created on the first report.
let sns: SNSClient | undefined;

export class Reporter {
  constructor(private readonly topicArn: string | undefined) {}

  public async report(level: Level, event: string, fields: Record<string, unknown>): Promise<void> {
    log(level, event, fields);
    if (!this.topicArn) { return; }
    sns ??= new SNSClient({});
    await sns.send(new PublishCommand({
      TopicArn: this.topicArn,
      Subject: `cdk-device-defender: ${event}`.slice(0, 100),
      Message: JSON.stringify({ event, level, ...fields }, undefined, 2),
    }));
  }

  /**
   * Reports a failure no retry can fix: ONE log line at ERROR with `event: "permanent-failure"`,
   * what kind of failure it is, the error's name and message and the function's name (the
   * construct's metric filter counts these lines per function, and its alarm fires on the first
   * one), and the same fields to the report topic when there is one.
   */
  public async permanentFailure(kind: string, error: unknown, fields: Record<string, unknown> = {}): Promise<void> {
    await this.report('ERROR', PERMANENT_FAILURE_EVENT, {
      kind,
      error: errorName(error),
      message: errorMessage(error),
      [PERMANENT_FAILURE_METRIC.DIMENSION_FIELD]: process.env.AWS_LAMBDA_FUNCTION_NAME,
      ...fields,
    });
  }
}
