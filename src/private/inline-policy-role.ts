import { FeatureFlags, Lazy, PropertyInjectors, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup, IConstruct } from 'constructs';
import { describeValue, refuse } from './validation';

/**
 * A role whose grants all go into one inline policy instead of a separate AWS::IAM::Policy:
 * one CloudFormation resource per role, and no window in which the role exists without them.
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

/** Properties of a `LeanInlinePolicyRole`. */
export interface LeanInlinePolicyRoleProps {
  /**
   * Who may assume the role: a service principal, with conditions or not. Its trust statement is
   * `sts:AssumeRole` for the principal, with its conditions, as `iam.Role` writes it. (Principals
   * that write their trust statement otherwise, such as session tags or web identities, need
   * `iam.Role`.)
   */
  readonly assumedBy: iam.ServicePrincipal | iam.PrincipalWithConditions;
  /** The role's description. */
  readonly description: string;
  /** The role's own permissions: its inline `Permissions` policy (none when empty). */
  readonly statements: iam.PolicyStatement[];
}

/**
 * An `iam.IRole` written straight to an `iam.CfnRole`: the template of an `iam.Role` with the same
 * trust policy and one inline `Permissions` policy (and a `DefaultPolicy` AWS::IAM::Policy for
 * whatever is added later), at a fraction of the synth cost of aws-cdk-lib's L2 `iam.Role`. A
 * mitigation action defines one per action, so this is what a large stack pays N times
 * (bench/RESULTS.md, the whole app process).
 *
 * Where the cost goes: the L2 role adds an aspect, a validation, lazy tokens for its managed
 * policies, ARN and name, and policy documents resolved at synth time. Here the role's own policies
 * are plain JSON (rendered as `iam.PolicyDocument` renders them), and the ARN, name and principal
 * of the role are created on first use.
 *
 * Grants to and by the role behave as with `iam.Role` (`addToPrincipalPolicy`, `grant`,
 * `grantPassRole`, `grantAssumeRole`, `addManagedPolicy`, `attachInlinePolicy`). Left out:
 * `iam.Role.customizeRoles()` and property injectors for `iam.Role`, so `leanRoleAllowed()` tells
 * when the L2 role must be used instead, and splitting an oversized default policy into managed
 * policies.
 */
export class LeanInlinePolicyRole extends Resource implements iam.IRole {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction = 'sts:AssumeRole';
  public readonly principalAccount: string | undefined = this.env.account;

  /**
   * The role's ARN as `iam.CfnRole` gives it, for a resource of the role's own stack: what
   * `roleArn` resolves to there, without the cross-environment lookup.
   */
  public readonly attrArn: string;

  private readonly resource: iam.CfnRole;
  private readonly managedPolicies: iam.IManagedPolicy[] = [];
  private readonly attachedPolicies: iam.Policy[] = [];
  private defaultPolicy?: iam.Policy;
  private _roleArn?: string;
  private _roleName?: string;
  private _policyFragment?: iam.PrincipalPolicyFragment;
  private _grants?: iam.RoleGrants;

  constructor(scope: Construct, id: string, props: LeanInlinePolicyRoleProps) {
    super(scope, id);
    const trust = new iam.PolicyStatement({ actions: [props.assumedBy.assumeRoleAction], principals: [props.assumedBy] });
    this.resource = new iam.CfnRole(this, 'Resource', {
      // One statement: nothing to merge or sort, whatever the minimizePolicies flag says.
      assumeRolePolicyDocument: { Statement: [trust.toStatementJson()], Version: POLICY_VERSION },
      description: props.description,
      policies: inlinePolicy(this, props.statements),
    });
    this.attrArn = this.resource.attrArn;
  }

  public get roleArn(): string {
    this._roleArn ??= this.getResourceArnAttribute(this.resource.attrArn, {
      region: '', service: 'iam', resource: 'role', resourceName: this.physicalName,
    });
    return this._roleArn;
  }

  public get roleName(): string {
    this._roleName ??= this.getResourceNameAttribute(this.resource.ref);
    return this._roleName;
  }

  public get roleRef(): iam.RoleReference {
    return { roleName: this.roleName, roleArn: this.roleArn };
  }

  /** The role's unique id. */
  public get roleId(): string {
    return this.resource.attrRoleId;
  }

  /** Grants on this role (pass role, assume role). */
  public get grants(): iam.RoleGrants {
    this._grants ??= iam.RoleGrants.fromRole(this);
    return this._grants;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    this._policyFragment ??= new iam.ArnPrincipal(this.roleArn).policyFragment;
    return this._policyFragment;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.defaultPolicy) {
      this.defaultPolicy = new iam.Policy(this, 'DefaultPolicy');
      this.attachInlinePolicy(this.defaultPolicy);
    }
    this.defaultPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: new DependencyGroup(this.defaultPolicy) };
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addManagedPolicy(policy: iam.IManagedPolicy): void {
    if (this.managedPolicies.some((p) => p.managedPolicyArn === policy.managedPolicyArn)) { return; }
    if (this.managedPolicies.length === 0) {
      this.resource.managedPolicyArns = Lazy.list({
        produce: () => [...new Set(this.managedPolicies.map((p) => p.managedPolicyArn))],
      }, { omitEmpty: true });
    }
    this.managedPolicies.push(policy);
  }

  public attachInlinePolicy(policy: iam.Policy): void {
    if (!this.attachedPolicies.includes(policy)) {
      if (this.attachedPolicies.some((p) => p.policyName === policy.policyName)) {
        refuse(this, `invalid policy ${policy.node.path}: a policy named ${describeValue(policy.policyName)} is already attached`);
        return;
      }
      this.attachedPolicies.push(policy);
    }
    policy.attachToRole(this);
  }

  public grant(grantee: iam.IPrincipal, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.roleArn] });
  }

  public grantPassRole(grantee: iam.IPrincipal): iam.Grant {
    return this.grants.passRole(grantee);
  }

  public grantAssumeRole(grantee: iam.IPrincipal): iam.Grant {
    return this.grants.assumeRole(grantee);
  }
}

/**
 * The inline `Permissions` policy of `statements`, as `iam.Role` writes an `iam.PolicyDocument`: plain
 * JSON, or with the minimizePolicies flag the document itself, which merges and sorts its statements
 * when it is resolved.
 */
function inlinePolicy(scope: IConstruct, statements: iam.PolicyStatement[]): iam.CfnRole.PolicyProperty[] | undefined {
  if (statements.length === 0) { return undefined; }
  const policyDocument = FeatureFlags.of(scope).isEnabled(IAM_MINIMIZE_POLICIES)
    ? new iam.PolicyDocument({ statements })
    : { Statement: distinct(statements.map((statement) => statement.toStatementJson())), Version: POLICY_VERSION };
  return [{ policyName: 'Permissions', policyDocument }];
}

/** Rendered statements without repeats, as `iam.PolicyDocument` writes them. */
function distinct(statements: unknown[]): unknown[] {
  if (statements.length < 2) { return statements; }
  const seen = new Set<string>();
  return statements.filter((statement) => {
    const json = JSON.stringify(statement);
    return seen.has(json) ? false : (seen.add(json), true);
  });
}

const POLICY_VERSION = '2012-10-17';

/**
 * Whether a `LeanInlinePolicyRole` defined in `scope` synthesizes what an `iam.Role` would: not when
 * the app customizes its roles (`iam.Role.customizeRoles()`) or injects properties into
 * `iam.Role`s, which only the L2 role honours.
 */
export function leanRoleAllowed(scope: Construct): boolean {
  if (customizesRoles(scope)) { return false; }
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    if (PropertyInjectors.hasPropertyInjectors(c) && PropertyInjectors.of(c).for(iam.Role.PROPERTY_INJECTION_ID)) { return false; }
  }
  return true;
}

/** Whether the app customizes the roles in `scope` (`iam.Role.customizeRoles()`). */
function customizesRoles(scope: IConstruct): boolean {
  return scope.node.tryGetContext(CUSTOMIZE_ROLES_CONTEXT_KEY) !== undefined;
}

/** The context key `iam.Role.customizeRoles()` sets. */
const CUSTOMIZE_ROLES_CONTEXT_KEY = '@aws-cdk/iam:customizeRoles';
/** The feature flag under which policy documents merge and sort their statements. */
const IAM_MINIMIZE_POLICIES = '@aws-cdk/aws-iam:minimizePolicies';
