import * as path from 'path';
import { SHARED_VALIDATOR, templateValidator } from './cfn-validate-engine';

/**
 * Jest's node environment (the package.json `jest.testEnvironment`), offering one CloudFormation
 * validator per Jest worker process to the test files it runs. Jest gives each test file a fresh
 * module registry, so test/util/cfn-validate.ts alone would build the validator's engine (seconds
 * of CPU) once per file; Jest loads this module once per worker, outside those registries, so its
 * validator and engine serve every file the worker runs.
 */
// Jest's own node environment, resolved from the jest package that runs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TestEnvironment } = require(require.resolve('jest-environment-node', { paths: [path.dirname(require.resolve('jest/package.json'))] }));

const validate = templateValidator();

export default class ValidatorEnvironment extends (TestEnvironment as new (...args: any[]) => { global: Record<string, unknown> }) {
  constructor(...args: any[]) {
    super(...args);
    this.global[SHARED_VALIDATOR] = validate;
  }
}
