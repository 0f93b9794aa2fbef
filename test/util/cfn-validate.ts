import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Diagnostic, SHARED_VALIDATOR, ValidateTemplateText, templateValidator } from './cfn-validate-engine';

/**
 * The validator of this Jest worker (test/util/validator-environment.ts), or one of this module's
 * own where that environment does not run (a script run with ts-node).
 */
const validate: ValidateTemplateText = (globalThis as Record<string, any>)[SHARED_VALIDATOR] ?? templateValidator();

/** A finding the project has looked at and accepts, with the reason. */
export interface Acknowledgement {
  readonly ruleId: string;
  /** Only this resource; every resource when omitted. */
  readonly logicalId?: string;
  readonly reason: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly logicalId?: string;
}

/** The validator's severities are DEBUG, INFO, WARN, ERROR and FATAL; WARN and above fail a test. */
const BLOCKING_SEVERITIES = ['WARN', 'ERROR', 'FATAL'];

/** Validates a template object; returns every diagnostic. */
export function validateTemplateJson(template: unknown): Finding[] {
  // Array.from: the shared validator's objects come from the worker's realm, not the test file's.
  return Array.from(validate(JSON.stringify(template)), (d: Diagnostic) => ({
    ruleId: d.ruleId, severity: d.severity, message: d.message, logicalId: d.entity?.logicalId,
  }));
}

/** The errors and warnings that no acknowledgement covers. */
export function unacknowledgedFindings(template: unknown, acknowledgements: Acknowledgement[] = []): Finding[] {
  for (const ack of acknowledgements) {
    if (!ack.reason.trim()) { throw new Error(`acknowledgement of ${ack.ruleId} needs a reason`); }
  }
  return validateTemplateJson(template)
    .filter((f) => BLOCKING_SEVERITIES.includes(f.severity))
    .filter((f) => !acknowledgements.some((a) => a.ruleId === f.ruleId && (a.logicalId === undefined || a.logicalId === f.logicalId)));
}

/** Fails the test if the stack's template has an error or warning that is not acknowledged. */
export function expectValidTemplate(stack: Stack, acknowledgements: Acknowledgement[] = []): void {
  const findings = unacknowledgedFindings(Template.fromStack(stack).toJSON(), acknowledgements);
  expect(findings).toEqual([]);
}

/** Validates a template file written by `cdk synth`. */
export function expectValidTemplateFile(file: string, acknowledgements: Acknowledgement[] = []): void {
  const findings = unacknowledgedFindings(JSON.parse(fs.readFileSync(file, 'utf-8')), acknowledgements);
  expect(findings).toEqual([]);
}

/**
 * aws-cdk-lib's lambda.Function always adds a DependsOn on its role, which its GetAtt of the
 * role already implies (W3005). One acknowledgement per function in the stack.
 */
export function lambdaRoleDependsOn(stack: Stack): Acknowledgement[] {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.keys(functions).map((logicalId) => ({
    ruleId: 'W3005',
    logicalId,
    reason: 'aws-cdk-lib lambda.Function always adds DependsOn on its role; the GetAtt already orders them, so it is redundant and harmless',
  }));
}
