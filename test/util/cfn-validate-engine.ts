import * as path from 'path';

/**
 * AWS's CloudFormation validator 1.14.0, the one newer aws-cdk-lib releases run at synth. It ships
 * only inside aws-cdk-lib 2.276.0, which the `cfn-validate-host` devDependency aliases.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator = require(require.resolve('@aws/cloudformation-validate', {
  paths: [path.dirname(require.resolve('cfn-validate-host/package.json'))],
}));

/** A diagnostic as the validator reports it (the members the tests read). */
export interface Diagnostic {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly entity?: { readonly logicalId?: string };
}

/** Validates a template given as JSON text, at the STANDARD detail level; returns every diagnostic. */
export type ValidateTemplateText = (text: string) => Diagnostic[];

/**
 * A validator with one engine, built on first use: building it compiles the validator's rules,
 * which takes seconds; each validation then takes milliseconds.
 */
export function templateValidator(): ValidateTemplateText {
  let engine: any;
  return (text) => {
    engine ??= new validator.CompositeEngine();
    return engine.validateTemplate(new validator.TemplateContent(text, 'template.json'), { detailLevel: 'STANDARD' }).diagnostics;
  };
}

/** The global under which test/util/validator-environment.ts offers its worker's validator to the test files. */
export const SHARED_VALIDATOR = '__cdkDeviceDefenderValidateTemplateText';
