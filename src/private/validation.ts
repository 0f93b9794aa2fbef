import { IResolvable, Reference, Token, Tokenization } from 'aws-cdk-lib';
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

// How the library refuses input. aws-cdk-lib exports no error class a library may throw (its
// ValidationError is @internal, and its constructor takes an internal type), so every refusal is a
// validation on the construct: synthesis (`cdk synth`, `app.synth()`, `Template.fromStack()`) then
// fails with aws-cdk-lib's own ValidationError (`Errors.isValidationError()` is true), which lists
// every refusal of the app as one line, `[<construct path>] <message>`, with no stack trace into this
// package. Messages therefore do not repeat the construct's path; they name the prop, the value
// (through `describeValue`, so never a `${Token[...]}`) and what is allowed.

/** Refuses at synth: `message` becomes the line `[<path of scope>] <message>` of synthesis' ValidationError. */
export function refuse(scope: IConstruct, message: string): void {
  scope.node.addValidation({ validate: () => [message] });
}

/** Refuses at synth, naming the property, the value received (token-safe) and what is allowed. */
export function invalid(scope: IConstruct, prop: string, value: unknown, allowed: string): void {
  refuse(scope, `invalid ${prop} ${describeValue(value)}: ${allowed}`);
}

/** Checks `value` against `pattern` unless it is a token; false when refused. */
export function validatePattern(scope: IConstruct, prop: string, value: string, pattern: RegExp, allowed: string): boolean {
  if (Token.isUnresolved(value) || pattern.test(value)) { return true; }
  invalid(scope, prop, value, allowed);
  return false;
}

/** Checks a string's length unless it is a token; false when refused. */
export function validateLength(scope: IConstruct, prop: string, value: string, min: number, max: number): boolean {
  if (Token.isUnresolved(value) || (value.length >= min && value.length <= max)) { return true; }
  invalid(scope, prop, value, `must be ${min} to ${max} characters long, got ${value.length}`);
  return false;
}

/** Checks that a value is one of a closed set (for callers outside TypeScript's type checks); false when refused. */
export function validateOneOf<T extends string>(scope: IConstruct, prop: string, value: T, allowed: readonly T[]): boolean {
  if (Token.isUnresolved(value) || allowed.includes(value)) { return true; }
  invalid(scope, prop, value, `must be one of ${allowed.join(', ')}`);
  return false;
}

/**
 * A value as a message shows it: JSON for literals (a string quoted, a list as `[...]`), and in
 * place of each token what produced it: `<path.Ref>` or `<path.Attribute>` for a reference to a
 * construct (a `CfnParameter`, an L1's `ref` or attribute), `<token>` for any other (an import, a
 * pseudo parameter, a `Lazy`). Never the `${Token[...]}` placeholder, which names nothing.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') { return describeString(value); }
  if (typeof value === 'number') { return Token.isUnresolved(value) ? describeToken(Tokenization.reverseNumber(value)) : String(value); }
  if (Array.isArray(value)) {
    if (Token.isUnresolved(value)) { return describeToken(Tokenization.reverseList(value)); }
    return `[${value.map(describeValue).join(',')}]`;
  }
  if (value instanceof Date) { return Number.isNaN(value.getTime()) ? 'Invalid Date' : JSON.stringify(value); }
  if (Tokenization.isResolvable(value)) { return describeToken(value); }
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${describeValue(v)}`).join(',')}}`;
  }
  return String(JSON.stringify(value));
}

function describeString(value: string): string {
  if (!Token.isUnresolved(value)) { return JSON.stringify(value); }
  const fragments = Tokenization.reverseString(value);
  if (fragments.length === 1 && fragments.firstToken) { return describeToken(fragments.firstToken); }
  const text = fragments.mapTokens({ mapToken: (token) => describeToken(token) })
    .join({ join: (left: unknown, right: unknown) => `${left}${right}` });
  return JSON.stringify(String(text));
}

function describeToken(token: IResolvable | undefined): string {
  return token && Reference.isReference(token) ? `<${token.target.node.path}.${token.displayName}>` : '<token>';
}
