/**
 * For the whole-process benchmark only (process-synth.ts): bundled in place of
 * src/private/inline-policy-role.ts, it makes every MitigationAction define its role as aws-cdk-lib's
 * `iam.Role` (its permissions in `inlinePolicies`), as the library already does when an app customizes
 * its roles or injects `iam.Role` properties. The template is the same; the benchmark checks it. That
 * is the library as it would be without `LeanInlinePolicyRole`.
 */
export * from '../src/private/inline-policy-role';

/** Never the lean role. */
export function leanRoleAllowed(): boolean {
  return false;
}
