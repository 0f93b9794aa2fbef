import type { SNSClient } from '@aws-sdk/client-sns';
import { runWithDeadline } from './deadline';
import { errorMessage, errorName } from './errors';
import { MitigationEvent, putEvents } from './events';
import { Level, log } from './log';
import { emitMetrics, SpokeScope } from './metrics';
import { CUSTOM_RESOURCE_REPORT_PROPS } from '../../contract/custom-resources';
import {
  EVENT_DETAIL_TYPES, METRIC_DIMENSIONS, METRICS, MitigationFailedDetail, PERMANENT_FAILURE_EVENT, PERMANENT_FAILURE_METRIC,
} from '../../contract/telemetry';

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

/** SNS's limit for a message: 256 KiB of UTF-8, not characters (Publish refuses more). */
export const MAX_REPORT_BYTES = 262_144;
/**
 * A `Mitigation Failed` event carries at most this many characters of the error message: a
 * PutEvents request takes 256 KB, and the whole message is in the report and the log.
 */
const MAX_EVENT_MESSAGE_CHARS = 4_000;
/** How hard a report over the limit is cut, step by step, until it fits: strings to `chars`, lists to `items`. */
const CUTS = [{ chars: 16_384, items: 1_000 }, { chars: 4_096, items: 250 }, { chars: 1_024, items: 50 }, { chars: 256, items: 10 }];

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** `text`, cut to `max` characters with a marker saying how long it was (never splitting a surrogate pair). */
export function cutText(text: string, max: number): string {
  if (text.length <= max) { return text; }
  const head = text.slice(0, max);
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}… [truncated: ${text.length} characters]`;
}

function cutValue(value: unknown, cut: typeof CUTS[number]): unknown {
  if (typeof value === 'string') { return cutText(value, cut.chars); }
  if (Array.isArray(value)) {
    const kept = value.slice(0, cut.items).map((v) => cutValue(v, cut));
    return value.length > cut.items ? [...kept, `… [truncated: ${value.length} items]`] : kept;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutValue(v, cut)]));
  }
  return value;
}

/**
 * The report as SNS publishes it (`text`, indented JSON of `{ event, level, ...fields }`) and
 * the fields the log line carries, within `maxBytes` UTF-8 bytes. A larger report stays JSON:
 * its long strings and lists are cut, each cut marked, and `truncated` says how large it was; in
 * the unlikely case that is not enough (thousands of fields), the report is `event`, `level`,
 * `truncated` and the beginning of its JSON text as `excerpt`.
 */
export function fitReport(event: string, level: Level, fields: Record<string, unknown>, maxBytes = MAX_REPORT_BYTES): {
  text: string; fields: Record<string, unknown>;
} {
  const render = (f: Record<string, unknown>) => JSON.stringify({ event, level, ...f }, undefined, 2);
  const whole = render(fields);
  const size = utf8Bytes(whole);
  if (size <= maxBytes) { return { text: whole, fields }; }
  const over = `the report was ${size} bytes, over SNS's limit of ${maxBytes}`;
  for (const cut of CUTS) {
    const cutFields = {
      ...cutValue(fields, cut) as Record<string, unknown>,
      truncated: `${over}: strings cut to ${cut.chars} characters, lists to ${cut.items} items`,
    };
    const text = render(cutFields);
    if (utf8Bytes(text) <= maxBytes) { return { text, fields: cutFields }; }
  }
  for (let chars = maxBytes; ; chars = Math.floor(chars * 0.9)) {
    const excerptFields = { truncated: `${over}: this is its beginning`, excerpt: cutText(whole, chars) };
    const text = render(excerptFields);
    if (utf8Bytes(text) <= maxBytes) { return { text, fields: excerptFields }; }
  }
}

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
   * @param eventBus the event bus (ARN) events go to; undefined = the account's default bus
   * @param spoke the account and region every report, event, log line and metric is about (the
   * organization hub's reporter for one spoke); undefined = the function's own
   */
  constructor(private readonly topicArn: string | undefined, public readonly mitigation?: string, public readonly eventBus?: string,
    public readonly spoke?: SpokeScope) {}

  /** This reporter, about `spoke`. */
  public about(spoke: SpokeScope): Reporter {
    return new Reporter(this.topicArn, this.mitigation, this.eventBus, { account: spoke.account, region: spoke.region });
  }

  /**
   * Logs, publishes to the report topic, then puts `events` on EventBridge; with `answer`, best
   * effort (see `AnswerDeadline`). A report over SNS's 256 KiB is cut to fit (`fitReport`), in the
   * log line too (CloudWatch Logs takes 256 KB per event).
   */
  public async report(level: Level, event: string, fields: Record<string, unknown>, events: MitigationEvent[] = [],
    answer?: AnswerDeadline): Promise<void> {
    const spoke = this.spoke;
    const report = fitReport(event, level, spoke ? { ...fields, ...spoke } : fields);
    log(level, event, report.fields);
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
            Message: report.text,
          }), { abortSignal });
        },
      });
    }
    const tagged = spoke ? events.map((e) => ({ ...e, detail: { ...e.detail, ...spoke } })) : events;
    if (tagged.length > 0) { deliveries.push({ channel: 'events', send: () => putEvents(tagged, this.eventBus) }); }
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
    if (this.spoke && this.mitigation) {
      dimensions[METRIC_DIMENSIONS.ACCOUNT] = this.spoke.account;
      dimensions[METRIC_DIMENSIONS.REGION] = this.spoke.region;
      sets.push([METRIC_DIMENSIONS.MITIGATION, METRIC_DIMENSIONS.ACCOUNT, METRIC_DIMENSIONS.REGION]);
    }
    if (sets.length > 0) { emitMetrics(dimensions, sets, { [METRICS.PERMANENT_FAILURES]: 1 }); }
    const detail: MitigationFailedDetail = {
      mitigation: this.mitigation ?? '',
      kind,
      error: errorName(error),
      message: cutText(errorMessage(error), MAX_EVENT_MESSAGE_CHARS),
      ...(functionName ? { functionName } : {}),
      ...(typeof fields.taskId === 'string' ? { taskId: fields.taskId } : {}),
      ...(typeof fields.auditTaskId === 'string' ? { auditTaskId: fields.auditTaskId } : {}),
    };
    // (The account and region of a reporter about a spoke are added to the detail by report().)
    await this.report('ERROR', PERMANENT_FAILURE_EVENT, {
      kind,
      error: detail.error,
      message: errorMessage(error),
      [PERMANENT_FAILURE_METRIC.DIMENSION_FIELD]: functionName,
      ...fields,
    }, [{ detailType: EVENT_DETAIL_TYPES.FAILED, detail }], answer);
  }
}

/**
 * Sends a report (`send`: `report()` or `permanentFailure()`) and tells whether it went out. A
 * report that cannot be sent is logged at WARN (`report-failed`, with `fields`) instead of thrown,
 * so a handler of a batch returns only the records it was about for a retry, never the whole batch.
 */
export async function reportSent(send: () => Promise<void>, fields: Record<string, unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    log('WARN', 'report-failed', { ...fields, error: errorName(error), message: errorMessage(error) });
    return false;
  }
}

const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$/;
const EVENT_BUS_ARN = /^arn:[a-z-]+:events:[a-z0-9-]+:[0-9]{12}:event-bus\/[A-Za-z0-9_.\/-]{1,256}$/;

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
  const bus = properties?.[P.EVENT_BUS_ARN];
  const validBus = typeof bus === 'string' && EVENT_BUS_ARN.test(bus) ? bus : undefined;
  if ((topic !== undefined && !validTopic) || (name !== undefined && !validName) || (bus !== undefined && !validBus)) {
    log('WARN', 'invalid-report-property', {
      ...(topic !== undefined && !validTopic ? { [P.REPORT_TOPIC_ARN]: topic, reportTopic: 'left out: not an SNS topic ARN' } : {}),
      ...(name !== undefined && !validName ? { [P.MITIGATION_NAME]: name, mitigationName: 'left out: not 1 to 1024 characters' } : {}),
      ...(bus !== undefined && !validBus ? { [P.EVENT_BUS_ARN]: bus, eventBus: 'left out: not an event bus ARN (events go to the default bus)' } : {}),
    });
  }
  return new Reporter(validTopic, validName ?? logicalResourceId, validBus);
}
