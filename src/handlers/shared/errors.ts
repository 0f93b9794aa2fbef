/**
 * How every handler sorts a failure, in one place:
 * - `permanent`: no retry can fix it (the request itself is wrong, access is denied, a message or
 *   the configuration cannot be read). Reported once as a permanent failure, never retried.
 * - `throttled`: AWS asked the caller to slow down, and the SDK's retries with backoff did not get
 *   through. Retried later (the event or the message comes back).
 * - `retryable`: any other failure (a 5xx answer, a timeout, a socket closed). Retried later too.
 *
 * AWS errors are sorted by name, as the SDK names them. The handlers' own failures are typed: a
 * `PermanentError` is permanent whatever its name, so no error pretends to be an AWS error to be
 * sorted as one.
 */
export type ErrorClass = 'permanent' | 'throttled' | 'retryable';

/** A failure a handler finds itself and no retry can fix; each subclass names itself. */
export abstract class PermanentError extends Error {
  protected constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** AWS error names that no retry can fix: the request itself is wrong, or the caller may not make it. */
const PERMANENT_AWS_ERRORS: ReadonlySet<string> = new Set([
  'InvalidRequestException', 'ResourceNotFoundException', 'UnauthorizedException', 'AccessDeniedException',
  'ValidationException', 'SerializationException',
  // The organization hub's calls: STS (a role that does not trust the caller, a region where STS is
  // off), SNS (ConfirmSubscription with an expired or unknown token, a topic that is gone or refuses
  // the caller) and SSM (a spoke's configuration that is not there).
  'AccessDenied', 'RegionDisabledException', 'InvalidParameterException', 'NotFoundException', 'AuthorizationErrorException',
  'ParameterNotFound',
  // Security Hub: not enabled in the account and region (or the caller may not use it), a request it refuses.
  'InvalidAccessException', 'InvalidInputException',
]);

/**
 * AWS error names that ask the caller to slow down, for the services the handlers call (AWS IoT,
 * SNS, EventBridge, DynamoDB): the SDK's own throttling codes among them.
 */
const THROTTLING_AWS_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'LimitExceededException',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded',
]);

/** Sorts a failure: see `ErrorClass`. Anything that is not an `Error` is retryable (nothing says it is permanent). */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof PermanentError) { return 'permanent'; }
  if (!(error instanceof Error)) { return 'retryable'; }
  if (PERMANENT_AWS_ERRORS.has(error.name)) { return 'permanent'; }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (THROTTLING_AWS_ERRORS.has(error.name) || status === 429) { return 'throttled'; }
  return 'retryable';
}

/** Whether a failure is permanent (report it, do not retry) rather than throttled or retryable (retry). */
export function isPermanent(error: unknown): boolean {
  return classifyError(error) === 'permanent';
}

/** A failure and its class: what a handler's `decide()` is given about an AWS call that failed. */
export interface Failure {
  readonly error: unknown;
  readonly errorClass: ErrorClass;
}

/** `error` with its class. */
export function classified(error: unknown): Failure {
  return { error, errorClass: classifyError(error) };
}

/** What a call answered: its value, or its failure with its class. */
export type Answer<T> = { readonly value: T } | Failure;

/** Runs `call`; a failure is returned with its class (`classified`), not thrown. */
export async function answerOf<T>(call: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { value: await call() };
  } catch (error) {
    return classified(error);
  }
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Work stopped because the function had to answer: named `DeadlineExceeded` in reports and logs. */
export class DeadlineExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}
