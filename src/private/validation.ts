import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The IoT API's rule for mitigation action names (CloudFormation also allows `:`; the API does not). */
export const ACTION_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
/** Thing group names, as the IoT API and CloudFormation define them. */
export const THING_GROUP_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;
export const MAX_THING_GROUPS = 10;
export const MAX_TOPIC_ARN_LENGTH = 350;
export const MIN_ROLE_ARN_LENGTH = 20;
export const MAX_ROLE_ARN_LENGTH = 2048;
export const MAX_TAGS = 50;

/**
 * Throws an Error that names the construct, the property, the value received and what is allowed.
 */
export function invalid(scope: IConstruct, prop: string, value: unknown, allowed: string): never {
  throw new Error(`${scope.node.path}: invalid ${prop} ${JSON.stringify(value)}: ${allowed}`);
}

/** Checks `value` against `pattern` unless it is a token. */
export function validatePattern(scope: IConstruct, prop: string, value: string, pattern: RegExp, allowed: string): void {
  if (Token.isUnresolved(value)) { return; }
  if (!pattern.test(value)) { invalid(scope, prop, value, allowed); }
}

/** Checks a string's length unless it is a token. */
export function validateLength(scope: IConstruct, prop: string, value: string, min: number, max: number): void {
  if (Token.isUnresolved(value)) { return; }
  if (value.length < min || value.length > max) {
    invalid(scope, prop, value, `must be ${min} to ${max} characters long, got ${value.length}`);
  }
}

/** Checks that a value is one of a closed set (for callers outside TypeScript's type checks). */
export function validateOneOf<T extends string>(scope: IConstruct, prop: string, value: T, allowed: readonly T[]): void {
  if (Token.isUnresolved(value)) { return; }
  if (!allowed.includes(value)) { invalid(scope, prop, value, `must be one of ${allowed.join(', ')}`); }
}
