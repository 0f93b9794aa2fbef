import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Level, log } from './log';

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
}
