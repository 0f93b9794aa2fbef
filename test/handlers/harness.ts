import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { DynamoDbEmulator } from '../emulator/dynamodb-emulator';
import { EventsEmulator } from '../emulator/events-emulator';
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCOUNT, Identities } from '../emulator/identity';
import { IotEmulator } from '../emulator/iot-emulator';
import { SnsEmulator } from '../emulator/sns-emulator';
import { SsmEmulator } from '../emulator/ssm-emulator';
import { StsEmulator } from '../emulator/sts-emulator';

export const ACCOUNT = DEFAULT_ACCOUNT;
export const REGION = 'eu-west-1';
export const REPORT_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:reports`;
/** The task follower's ledger table, defined in the DynamoDB emulator by resetEmulators. */
export const LEDGER_TABLE = 'task-ledger';
export const CONTEXT = { invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:handler` } as Context;

export interface Emulators {
  /** Accounts, access keys and the credentials STS issued, shared by every emulator below. */
  readonly identities: Identities;
  readonly iot: IotEmulator;
  readonly sns: SnsEmulator;
  readonly events: EventsEmulator;
  readonly dynamodb: DynamoDbEmulator;
  readonly sts: StsEmulator;
  readonly ssm: SsmEmulator;
}

/**
 * Starts the IoT, SNS, EventBridge, DynamoDB, STS and SSM emulators, sharing one `Identities` (so
 * credentials STS issues work everywhere), and points the AWS SDK at them through the standard
 * environment variables, before a handler module (and its module-scope clients) is loaded. The
 * environment's key is the default account's; the emulators' default region is `REGION`.
 * Nothing reaches AWS: they listen on 127.0.0.1.
 */
export async function startEmulators(): Promise<Emulators> {
  const identities = new Identities();
  const options = { identities, region: REGION };
  const iot = await IotEmulator.start(options);
  const sns = await SnsEmulator.start(options);
  const events = await EventsEmulator.start(options);
  const dynamodb = await DynamoDbEmulator.start(options);
  const sts = await StsEmulator.start(options);
  const ssm = await SsmEmulator.start(options);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_IOT: iot.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: '',
  });
  return { identities, iot, sns, events, dynamodb, sts, ssm };
}

export async function stopEmulators(e: Emulators): Promise<void> {
  await Promise.all([e.iot.stop(), e.sns.stop(), e.events.stop(), e.dynamodb.stop(), e.sts.stop(), e.ssm.stop()]);
}

/** Runs `fn` with console output captured, returning the JSON log lines it wrote. */
export async function withLogs<T>(fn: () => Promise<T>): Promise<{ result?: T; error?: unknown; logs: Array<Record<string, unknown>> }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
  const error = jest.spyOn(console, 'error').mockImplementation((line: string) => { lines.push(line); });
  try {
    return { result: await fn(), logs: lines.map((l) => JSON.parse(l)) };
  } catch (e) {
    return { error: e, logs: lines.map((l) => JSON.parse(l)) };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Sets (or, for undefined, unsets) environment variables: a handler's configuration. */
export function setEnv(vars: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) { delete process.env[key]; } else { process.env[key] = value; }
  }
}

/**
 * Clears the emulators (and the identities: only the default account and its key remain, the
 * clock is real time again) and recreates the report topic and the ledger table the handlers use.
 */
export function resetEmulators(e: Emulators): void {
  e.identities.reset();
  e.sts.reset();
  e.ssm.reset();
  e.iot.reset();
  e.sns.reset();
  e.sns.addTopic(REPORT_TOPIC);
  e.events.reset();
  e.dynamodb.reset();
  e.dynamodb.createTable(LEDGER_TABLE, 'taskId');
}

/** The audit mitigation handler's environment, as the construct sets it; `rules` and `overrides` vary per test. */
type Env = Record<string, string | undefined>;

export function auditHandlerEnv(rules: Record<string, string[]>, overrides: Env = {}): Env {
  return {
    AUDIT_MITIGATION_RULES: JSON.stringify(rules),
    AUDIT_MITIGATION_SCHEDULED_AUDITS: JSON.stringify(['daily']),
    AUDIT_MITIGATION_INCLUDE_ON_DEMAND: 'false',
    AUDIT_MITIGATION_DRY_RUN: 'false',
    AUDIT_MITIGATION_MAX_FINDINGS_PER_CHECK: '100',
    AUDIT_MITIGATION_TASK_ID_PREFIX: 'dd0123456789',
    AUDIT_MITIGATION_REPORT_TOPIC_ARN: REPORT_TOPIC,
    AUDIT_MITIGATION_RECONCILE_LOOKBACK_HOURS: '24',
    AUDIT_MITIGATION_NAME: 'Stack/Audit',
    AUDIT_MITIGATION_EVENT_BUS: undefined, // the default bus
    ...overrides,
  };
}

/** One CloudWatch datapoint an embedded-metric-format line produces. */
export interface Datapoint {
  readonly namespace: string;
  readonly metric: string;
  readonly value: number;
  readonly unit?: string;
  /** The dimensions of this datapoint (one of the line's dimension sets, with their values). */
  readonly dimensions: Record<string, string>;
}

/**
 * The datapoints CloudWatch would extract from the embedded-metric-format lines among `logs`,
 * checking each line against the format's rules as it goes (a `_aws` object with a numeric
 * Timestamp and CloudWatchMetrics directives; every dimension of a set and every metric present
 * at the top level, dimension values strings, metric values numbers). Throws on a line CloudWatch
 * would reject.
 */
export function datapointsOf(logs: Array<Record<string, unknown>>): Datapoint[] {
  const points: Datapoint[] = [];
  for (const line of logs.filter((l) => '_aws' in l)) {
    const aws = line._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown };
    if (typeof aws.Timestamp !== 'number') throw new Error(`EMF: _aws.Timestamp must be a number: ${JSON.stringify(line)}`);
    if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) throw new Error(`EMF: no CloudWatchMetrics: ${JSON.stringify(line)}`);
    for (const directive of aws.CloudWatchMetrics as Array<{ Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }>) {
      if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0) throw new Error(`EMF: Namespace missing: ${JSON.stringify(line)}`);
      if (!Array.isArray(directive.Dimensions) || !Array.isArray(directive.Metrics)) throw new Error(`EMF: Dimensions and Metrics must be arrays: ${JSON.stringify(line)}`);
      for (const metric of directive.Metrics as Array<{ Name?: unknown; Unit?: unknown }>) {
        if (typeof metric.Name !== 'string') throw new Error(`EMF: metric without Name: ${JSON.stringify(line)}`);
        const value = line[metric.Name];
        if (typeof value !== 'number') throw new Error(`EMF: metric ${metric.Name} has no numeric value at the top level: ${JSON.stringify(line)}`);
        for (const set of directive.Dimensions as unknown[]) {
          if (!Array.isArray(set)) throw new Error(`EMF: a dimension set must be an array: ${JSON.stringify(line)}`);
          const dimensions: Record<string, string> = {};
          for (const key of set) {
            if (typeof line[key] !== 'string') throw new Error(`EMF: dimension ${String(key)} has no string value at the top level: ${JSON.stringify(line)}`);
            dimensions[key] = line[key] as string;
          }
          points.push({ namespace: directive.Namespace, metric: metric.Name, value, unit: metric.Unit as string | undefined, dimensions });
        }
      }
    }
  }
  return points;
}

/** The sum of `metric`'s datapoints whose dimensions are exactly `dimensions`. */
export function metricSum(points: Datapoint[], metric: string, dimensions: Record<string, string>): number {
  const key = JSON.stringify(Object.entries(dimensions).sort());
  return points
    .filter((p) => p.metric === metric && JSON.stringify(Object.entries(p.dimensions).sort()) === key)
    .reduce((sum, p) => sum + p.value, 0);
}

let requestCounter = 0;

/** A CloudFormation custom-resource event for `resource` (`extra` overrides), each with its own RequestId. */
export function customResourceEvent(resource: { readonly type: string; readonly logicalId: string; readonly stackId: string },
  requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  requestCounter += 1;
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: resource.stackId,
    RequestId: `request-${requestCounter}`,
    LogicalResourceId: resource.logicalId,
    ResourceType: resource.type,
    ResourceProperties: { ServiceToken: 'token', ...props },
    ...extra,
  } as CloudFormationCustomResourceEvent;
}
