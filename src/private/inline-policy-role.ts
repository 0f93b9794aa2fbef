import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup } from 'constructs';

/**
 * A role whose grants all go into one inline policy instead of a separate AWS::IAM::Policy:
 * one CloudFormation resource per role, and no window in which the role exists without them.
 *
 * Once the construct that defines the role has granted what it needs, it calls `seal()`: from then
 * on, statements (a user's `addToPrincipalPolicy`, a later grant) go to the role's default policy,
 * a separate AWS::IAM::Policy that carries none of the cdk-nag suppressions written for the role's
 * own permissions, so a wildcard added later is reported instead of hidden by them.
 */
export class InlinePolicyRole extends iam.Role {
  private readonly document: iam.PolicyDocument;
  private sealed = false;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    const document = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, Permissions: document } });
    this.document = document;
  }

  /** Sends every later statement to the role's default policy instead of the inline one. */
  public seal(): void {
    this.sealed = true;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (this.sealed) { return super.addToPrincipalPolicy(statement); }
    this.document.addStatements(statement);
    // The statements are part of the role itself: whatever uses the role already references it,
    // so there is no separate policy to wait for (and a DependsOn would be redundant).
    return { statementAdded: true, policyDependable: new DependencyGroup() };
  }
}
