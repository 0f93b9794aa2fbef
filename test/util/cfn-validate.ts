import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * AWS's CloudFormation validator 1.14.0, the one newer aws-cdk-lib releases run at synth. It ships
 * only inside aws-cdk-lib 2.276.0, which the `cfn-validate-host` devDependency aliases.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator = require(require.resolve('@aws/cloudformation-validate', {
  paths: [path.dirname(require.resolve('cfn-validate-host/package.json'))],
}));

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

let engine: any;

/** Validates a template object; returns every diagnostic. */
export function validateTemplateJson(template: unknown): Finding[] {
  engine ??= new validator.CompositeEngine();
  const report = engine.validateTemplate(new validator.TemplateContent(JSON.stringify(template), 'template.json'),
    { detailLevel: 'STANDARD' });
  return report.diagnostics.map((d: any) => ({
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
