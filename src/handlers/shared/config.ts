import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { PermanentError } from './errors';
import { AnswerDeadline, customResourceReporter, Reporter } from './report';

// How every handler opens: it reads its configuration, and a configuration that cannot be read is
// reported one way. The functions of AuditMitigation, DetectMitigation and the task follower are
// configured by their environment (`openConfig`); the custom resource handlers by the request's
// properties (`openRequest`). Each handler's own reader (`<handler>/config.ts`) uses the value
// readers below, so every configuration error says the same things the same way.

/** A configuration error: the deployment is broken, and no retry will fix it. */
export class ConfigError extends PermanentError {
  constructor(message: string) {
    super('ConfigError', message);
  }
}

/** The value of a variable that must be set (and not empty). */
export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') { throw new ConfigError(`environment variable ${name} is not set`); }
  return value;
}

/** `value`, the value of variable `name`, parsed as JSON. */
export function json<T>(name: string, value: string): T {
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new ConfigError(`environment variable ${name} is not JSON: ${value}`);
  }
}

/** A positive integer; without `fallback` the variable must be set, with it an unset variable is `fallback`. */
export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const raw = env[name];
  const value = fallback !== undefined && (raw === undefined || raw === '') ? fallback : Number(required(env, name));
  if (!Number.isInteger(value) || value < 1) { throw new ConfigError(`${name} must be a positive integer, got ${raw}`); }
  return value;
}

/** The variables that name where a handler reports: its construct's report topic, path and event bus (`AUDIT_ENV`, `DETECT_ENV`). */
export interface ReportingVariables {
  readonly REPORT_TOPIC_ARN: string;
  readonly MITIGATION: string;
  readonly EVENT_BUS: string;
}

/**
 * The opening of a handler configured by its environment: its configuration, read by `read`. One
 * that cannot be read is a broken deployment: it is reported as a permanent failure
 * (`config-error`) through what `reporting` names, as far as the environment says it (without
 * `reporting`, the log line, the metric and the event only), and thrown, so the invocation fails
 * and its event is retried, then kept in the dead-letter queue, until the deployment is fixed.
 */
export async function openConfig<C>(env: NodeJS.ProcessEnv, read: (env: NodeJS.ProcessEnv) => C, reporting?: ReportingVariables): Promise<C> {
  try {
    return read(env);
  } catch (error) {
    const value = (name: string | undefined) => (name ? env[name] || undefined : undefined);
    await new Reporter(value(reporting?.REPORT_TOPIC_ARN), value(reporting?.MITIGATION), value(reporting?.EVENT_BUS))
      .permanentFailure('config-error', error);
    throw error;
  }
}

/** What every step of a custom resource request needs. */
export interface RequestOpening {
  /** From the request's reporting properties (`customResourceReporter`). */
  readonly reporter: Reporter;
  /** Milliseconds left before the function must answer. */
  readonly remainingMs: () => number;
  /** Reports are sent best effort, and given up `reportMarginMs` before the end. */
  readonly answer: AnswerDeadline;
}

export interface RequestOptions {
  /** A report topic or event not sent this long before the end is given up (and logged). */
  readonly reportMarginMs: number;
  /** The function's timeout, for an invocation without a Lambda context. */
  readonly timeoutMs: number;
}

/** How a failed request is reported: the permanent failure's kind and its fields besides the request type and logical id. */
export type RequestFailure = (error: unknown) => { readonly kind: string; readonly fields?: Record<string, unknown> };

/**
 * The opening of a custom resource handler, whose configuration is the request's properties:
 * runs `run` with the request's reporter and deadline. A request that fails (invalid properties,
 * or an AWS call refused; only a Create or an Update, a Delete never throws) is reported as a
 * permanent failure, `failure(error)` saying which, and thrown, so CloudFormation fails it.
 */
export async function openRequest<R>(event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  options: RequestOptions, run: (opening: RequestOpening) => Promise<R>, failure: RequestFailure): Promise<R> {
  const began = Date.now();
  const remainingMs = context ? () => context.getRemainingTimeInMillis() : () => options.timeoutMs - (Date.now() - began);
  const opening: RequestOpening = {
    reporter: customResourceReporter(event.ResourceProperties, event.LogicalResourceId),
    remainingMs,
    answer: { remainingMs, marginMs: options.reportMarginMs },
  };
  try {
    return await run(opening);
  } catch (error) {
    const { kind, fields } = failure(error);
    const request = { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId };
    await opening.reporter.permanentFailure(kind, error, { ...request, ...fields }, opening.answer);
    throw error;
  }
}
