import type { Context } from 'aws-lambda';
import { DynamoDbEmulator } from '../emulator/dynamodb-emulator';
import { IotEmulator } from '../emulator/iot-emulator';
import { SnsEmulator } from '../emulator/sns-emulator';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const REPORT_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:reports`;
/** The task follower's ledger table, defined in the DynamoDB emulator by resetEmulators. */
export const LEDGER_TABLE = 'task-ledger';
export const CONTEXT = { invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:handler` } as Context;

export interface Emulators {
  readonly iot: IotEmulator;
  readonly sns: SnsEmulator;
  readonly dynamodb: DynamoDbEmulator;
}

/**
 * Starts the IoT, SNS and DynamoDB emulators and points the AWS SDK at them through the standard
 * environment variables, before a handler module (and its module-scope clients) is loaded.
 * Nothing reaches AWS: they listen on 127.0.0.1.
 */
export async function startEmulators(): Promise<Emulators> {
  const iot = await IotEmulator.start();
  const sns = await SnsEmulator.start();
  const dynamodb = await DynamoDbEmulator.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_IOT: iot.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: '',
  });
  return { iot, sns, dynamodb };
}

export async function stopEmulators(e: Emulators): Promise<void> {
  await Promise.all([e.iot.stop(), e.sns.stop(), e.dynamodb.stop()]);
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

/** Clears the emulators and recreates the report topic and the ledger table the handlers use. */
export function resetEmulators(e: Emulators): void {
  e.iot.reset();
  e.sns.reset();
  e.sns.addTopic(REPORT_TOPIC);
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
    ...overrides,
  };
}
