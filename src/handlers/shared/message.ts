import { PermanentError } from './errors';

/** A message that cannot be understood; retrying it would not help. */
export class MalformedMessageError extends PermanentError {
  constructor(what: string, reason: string) {
    super('MalformedMessageError', `malformed ${what}: ${reason}`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a message that must be a JSON object. */
export function parseJsonObject(message: string, what: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    throw new MalformedMessageError(what, 'not JSON');
  }
  if (!isObject(body)) { throw new MalformedMessageError(what, 'not a JSON object'); }
  return body;
}
