import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup } from 'constructs';

/**
 * A role whose grants all go into one inline policy instead of a separate AWS::IAM::Policy:
 * one CloudFormation resource per role, and no window in which the role exists without them.
 */
export class InlinePolicyRole extends iam.Role {
  private readonly document: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    const document = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, Permissions: document } });
    this.document = document;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.document.addStatements(statement);
    // The statements are part of the role itself: whatever uses the role already references it,
    // so there is no separate policy to wait for (and a DependsOn would be redundant).
    return { statementAdded: true, policyDependable: new DependencyGroup() };
  }
}
