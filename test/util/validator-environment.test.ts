import { readFileSync } from 'fs';
import { join } from 'path';
import { validateTemplateJson } from './cfn-validate';
import { SHARED_VALIDATOR } from './cfn-validate-engine';

// Building the CloudFormation validator's engine takes seconds of CPU: the test files a Jest worker
// runs share one, which the test environment offers and test/util/cfn-validate.ts uses.

test('Jest runs the test files in the environment that offers the worker\'s validator', () => {
  const jest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf-8')).jest;
  expect(jest.testEnvironment).toBe('<rootDir>/test/util/validator-environment.ts');
  expect(typeof (globalThis as Record<string, unknown>)[SHARED_VALIDATOR]).toBe('function');
});

test('the shared validator reports a finding as the test file\'s own objects', () => {
  const findings = validateTemplateJson({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { NoSuchProperty: 1 } } } });
  expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ logicalId: 'Queue', severity: 'FATAL' })]));
  expect(Array.isArray(findings) && findings.every((f) => Object.getPrototypeOf(f) === Object.prototype)).toBe(true);
});
