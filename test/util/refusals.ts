import { Errors, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const HEADER = 'Validation failed with the following errors:';

/**
 * Synthesizes the app of `scope` (as `cdk synth` and `Template.fromStack()` do) and returns what it
 * refused: one line per refusal, `[<construct path>] <message>`. Fails unless synthesis fails with
 * aws-cdk-lib's ValidationError (`Errors.isValidationError`), which is how the CDK CLI prints it.
 */
export function refusalsOf(scope: IConstruct): string[] {
  const app = scope.node.root;
  if (!Stage.isStage(app)) { throw new Error(`${scope.node.path} is not in an App`); }
  let error: unknown;
  try {
    app.synth({ force: true });
  } catch (e) {
    error = e;
  }
  if (error === undefined) { throw new Error('expected synthesis to refuse the app, but it synthesized'); }
  if (!Errors.isValidationError(error)) { throw error; }
  const message = (error as Error).message;
  expect(message.startsWith(HEADER)).toBe(true);
  return message.slice(HEADER.length).split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
}

/**
 * Expects synthesis of `scope`'s app to fail with aws-cdk-lib's ValidationError, with a refusal
 * line matching each of `expected`: a string is a part of the line, a RegExp is tested on it.
 * Returns every refusal line.
 */
export function expectRefused(scope: IConstruct, ...expected: Array<string | RegExp>): string[] {
  const lines = refusalsOf(scope);
  for (const want of expected) {
    expect(lines).toContainEqual(typeof want === 'string' ? expect.stringContaining(want) : expect.stringMatching(want));
  }
  return lines;
}
