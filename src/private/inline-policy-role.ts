import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup, IConstruct } from 'constructs';

/**
 * The role of a Lambda function the library defines: an `iam.Role` whose grants up to `seal()` (the
 * library's, and those aws-cdk-lib's constructs make as the function is built: tracing, event sources,
 * the custom resource provider framework's invoke) all go into one inline policy instead of a separate
 * AWS::IAM::Policy: one CloudFormation resource per role, and no window in which the role exists without
 * them. (A role whose permissions are all known before it is constructed is a plain `iam.Role` with
 * `inlinePolicies` instead.)
 *
 * Once the construct that defines the role has granted what it needs, it calls `seal()`: from then
 * on, statements (a user's `addToPrincipalPolicy`, a later grant) go to the role's default policy,
 * a separate AWS::IAM::Policy that carries none of the cdk-nag suppressions written for the role's
 * own permissions, so a wildcard added later is reported instead of hidden by them.
 *
 * When the app customizes its roles (`iam.Role.customizeRoles()`), every statement also goes to the
 * precreated role, as `iam.Role` sends it, so that the policy report lists it: the report reads a
 * role's inline policies when the role is constructed, before any of these grants.
 */
export class InlinePolicyRole extends iam.Role {
  private readonly document: iam.PolicyDocument;
  private readonly precreated: boolean;
  private sealed = false;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    const document = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, Permissions: document } });
    this.document = document;
    this.precreated = customizesRoles(this);
  }

  /** Sends every later statement to the role's default policy instead of the inline one. */
  public seal(): void {
    this.sealed = true;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (this.sealed) { return super.addToPrincipalPolicy(statement); }
    this.document.addStatements(statement);
    // The report of customized roles read the inline policy when the role was constructed: it gets the
    // statement from iam.Role (which sends it to the precreated role only, never to a default policy).
    if (this.precreated) { super.addToPrincipalPolicy(statement); }
    // The statements are part of the role itself: whatever uses the role already references it,
    // so there is no separate policy to wait for (and a DependsOn would be redundant).
    return { statementAdded: true, policyDependable: new DependencyGroup() };
  }
}

/** Whether the app customizes the roles in `scope` (`iam.Role.customizeRoles()`). */
function customizesRoles(scope: IConstruct): boolean {
  return scope.node.tryGetContext(CUSTOMIZE_ROLES_CONTEXT_KEY) !== undefined;
}

/** The context key `iam.Role.customizeRoles()` sets. */
const CUSTOMIZE_ROLES_CONTEXT_KEY = '@aws-cdk/iam:customizeRoles';
