import { Annotations, ArnFormat, IResource, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct, IConstruct } from 'constructs';
import { AuditCheck } from './audit-check';
import { MitigationActionParams } from './mitigation-action-params';
import { MitigationActionType } from './mitigation-action-type';
import { GrantTarget, PendingRole, iamActionsOf, mitigationRoleSuppressions, supportedActionTypes } from './private/action-types';
import { AppRegistry, describeEnvironment, environmentKey } from './private/environment';
import { iotPrincipal } from './private/grants';
import { addNagSuppressions } from './private/nag';
import {
  ACTION_NAME_PATTERN, MAX_ROLE_ARN_LENGTH, MAX_TAGS, MIN_ROLE_ARN_LENGTH, describeValue, invalid, refuse, validateLength, validateOneOf,
  validatePattern,
} from './private/validation';

/** An AWS IoT Device Defender mitigation action, defined in this app or imported. */
export interface IMitigationAction extends IResource, iot.IMitigationActionRef {
  /**
   * The mitigation action name.
   * @attribute
   */
  readonly mitigationActionName: string;

  /**
   * The mitigation action ARN.
   * @attribute
   */
  readonly mitigationActionArn: string;

  /**
   * The action type, or `undefined` for an action imported without one.
   */
  readonly actionType?: MitigationActionType;

  /**
   * Whether this action can be applied to findings of `check`, according to the
   * Device Defender guide's check-to-action table. `false` when the action type is unknown.
   */
  supportsAuditCheck(check: AuditCheck): boolean;
}

/** Properties of a `MitigationAction`. */
export interface MitigationActionProps {
  /** What AWS IoT does to the resources in a finding or alarm. */
  readonly actionParams: MitigationActionParams;

  /**
   * The role AWS IoT assumes to apply the action. It is used as given; when it is mutable,
   * the permissions the action type needs are added to it.
   *
   * @default - a role that only AWS IoT, acting for this action in this account, can assume,
   * with only the permissions `actionParams` needs, in an inline policy
   */
  readonly role?: iam.IRole;

  /**
   * The mitigation action name: 1 to 128 characters from `[a-zA-Z0-9_-]`. Another MitigationAction
   * of the app with the same name in the same account and region is refused at synth.
   *
   * @default - a deterministic name derived from the construct path (the role's trust policy
   * needs the name at synth time, so CloudFormation is not left to generate one)
   */
  readonly mitigationActionName?: string;
}

/** What is known about a mitigation action defined elsewhere. Give its ARN or its name. */
export interface MitigationActionAttributes {
  /**
   * The mitigation action ARN.
   * @default - built from `mitigationActionName` in this stack's account and region
   */
  readonly mitigationActionArn?: string;

  /**
   * The mitigation action name.
   * @default - taken from `mitigationActionArn`
   */
  readonly mitigationActionName?: string;

  /**
   * The action type, which lets audit and detect rules check that the action fits.
   * @default - unknown: rules that must check the type refuse the action
   */
  readonly actionType?: MitigationActionType;
}

abstract class MitigationActionBase extends Resource implements IMitigationAction {
  public abstract readonly mitigationActionName: string;
  public abstract readonly mitigationActionArn: string;
  public abstract readonly actionType?: MitigationActionType;

  public get mitigationActionRef(): iot.MitigationActionReference {
    return { actionName: this.mitigationActionName, mitigationActionArn: this.mitigationActionArn };
  }

  public supportsAuditCheck(check: AuditCheck): boolean {
    return this.actionType !== undefined && MitigationAction.supportedActionTypes(check).includes(this.actionType);
  }
}

/**
 * Defines an AWS IoT Device Defender mitigation action, with a least-privilege role that only
 * AWS IoT, acting for this very action, can assume.
 *
 * Mitigation can disconnect devices, and AWS never rolls an applied action back.
 *
 * @resource AWS::IoT::MitigationAction
 * @see https://docs.aws.amazon.com/iot-device-defender/latest/devguide/dd-mitigation-actions.html
 */
export class MitigationAction extends MitigationActionBase {
  /**
   * The action types that AWS IoT Device Defender can apply to findings of `check`: the
   * guide's "Audit check to mitigation action mapping" table. DEVICE_CERTIFICATE_AGE_CHECK is
   * not in that table and gets PUBLISH_FINDING_TO_SNS only, which every check supports.
   */
  public static supportedActionTypes(check: AuditCheck): MitigationActionType[] {
    const types = supportedActionTypes(check);
    if (!types) {
      // A query, not a construct: nothing to attach a synth-time refusal to (see CONTRIBUTING, "Refusing input").
      throw new Error(`MitigationAction.supportedActionTypes: unknown audit check ${describeValue(check)}: `
        + `must be one of ${Object.values(AuditCheck).join(', ')}`);
    }
    return types;
  }

  /** Imports a mitigation action by name, in this stack's account and region. Its type is unknown. */
  public static fromMitigationActionName(scope: Construct, id: string, mitigationActionName: string): IMitigationAction {
    return MitigationAction.fromMitigationActionAttributes(scope, id, { mitigationActionName });
  }

  /** Imports a mitigation action by ARN. Its type is unknown. */
  public static fromMitigationActionArn(scope: Construct, id: string, mitigationActionArn: string): IMitigationAction {
    return MitigationAction.fromMitigationActionAttributes(scope, id, { mitigationActionArn });
  }

  /**
   * Imports a mitigation action, optionally with its type so that audit and detect rules can check it.
   * Wrong attributes are refused at synth, on the imported construct.
   */
  public static fromMitigationActionAttributes(scope: Construct, id: string, attrs: MitigationActionAttributes): IMitigationAction {
    const stack = Stack.of(scope);
    const problems: Array<(imported: IConstruct) => void> = [];
    const both = (attrs.mitigationActionArn === undefined) === (attrs.mitigationActionName === undefined);
    if (both) {
      const got = attrs.mitigationActionArn === undefined ? 'neither' : 'both';
      problems.push((imported) => refuse(imported, `give exactly one of mitigationActionArn and mitigationActionName, got ${got}`));
    }
    let arn: string;
    let name: string;
    if (attrs.mitigationActionArn !== undefined) {
      arn = attrs.mitigationActionArn;
      name = Token.isUnresolved(arn) ? stack.splitArn(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName! : mitigationActionNameOf(arn) ?? '';
      if (!Token.isUnresolved(arn) && mitigationActionNameOf(arn) === undefined) {
        problems.push((imported) => invalid(imported, 'mitigationActionArn', arn,
          'expected arn:<partition>:iot:<region>:<account>:mitigationaction/<name>'));
      }
    } else {
      name = attrs.mitigationActionName ?? '';
      problems.push((imported) => validatePattern(imported, 'mitigationActionName', name, ACTION_NAME_PATTERN,
        'must match [a-zA-Z0-9_-]{1,128}'));
      arn = stack.formatArn({ service: 'iot', resource: 'mitigationaction', resourceName: name });
    }
    if (attrs.actionType !== undefined) {
      const actionType = attrs.actionType;
      problems.push((imported) => validateOneOf(imported, 'actionType', actionType, Object.values(MitigationActionType)));
    }
    class Import extends MitigationActionBase {
      public readonly mitigationActionArn = arn;
      public readonly mitigationActionName = name;
      public readonly actionType = attrs.actionType;
    }
    // An ARN that is none would make Resource's own parsing throw: the refusal says what is wrong instead.
    const validArn = Token.isUnresolved(arn) || mitigationActionNameOf(arn) !== undefined;
    const imported = new Import(scope, id, { environmentFromArn: validArn ? arn : undefined });
    problems.forEach((problem) => problem(imported));
    return imported;
  }

  /** The mitigation action name. */
  public get mitigationActionName(): string {
    this._name ??= this.getResourceNameAttribute(this.resource.ref);
    return this._name;
  }

  /** The mitigation action ARN. */
  public get mitigationActionArn(): string {
    this._arn ??= this.getResourceArnAttribute(this.resource.attrMitigationActionArn, {
      service: 'iot', resource: 'mitigationaction', resourceName: this.physicalName,
    });
    return this._arn;
  }

  /**
   * The ID AWS IoT assigned to the action.
   * @attribute
   */
  public get mitigationActionId(): string {
    return this.resource.attrMitigationActionId;
  }

  /** The action type (always set on an action defined in this app). */
  public readonly actionType?: MitigationActionType;
  /** The role AWS IoT assumes to apply the action. */
  public readonly role: iam.IRole;

  private readonly resource: iot.CfnMitigationAction;
  // The name and ARN are tokens that look up the consuming stack's environment: created on first
  // use, since most actions are referenced by few constructs or none (bench/RESULTS.md, synth scale).
  private _name?: string;
  private _arn?: string;

  constructor(scope: Construct, id: string, props: MitigationActionProps) {
    super(scope, id, { physicalName: props.mitigationActionName });

    const actionName = props.mitigationActionName ?? Names.uniqueResourceName(this, { maxLength: 128 });
    validatePattern(this, 'mitigationActionName', actionName, ACTION_NAME_PATTERN, 'must be 1 to 128 characters from [a-zA-Z0-9_-]'
      + (actionName.includes(':') ? ' (CloudFormation allows colons, but the AWS IoT API does not)' : ''));
    refuseDuplicateName(this, actionName);
    const actionType = props.actionParams.actionType;
    this.actionType = actionType;

    // The trust policy names this action's ARN, so the ARN must not depend on the resource.
    const ownArn = Stack.of(this).formatArn({ service: 'iot', resource: 'mitigationaction', resourceName: actionName });
    // Without a role of the user's, one that AWS IoT assumes for this action only, with exactly what the
    // action type needs in one inline policy (one CloudFormation resource per role), given to it whole
    // when it is constructed (which is also what the report of iam.Role.customizeRoles() lists). What is
    // granted to it later lands in its default policy (an AWS::IAM::Policy), which carries none of the
    // role's cdk-nag suppressions.
    const grantee: GrantTarget = props.role ?? new PendingRole(`${this.node.path}/Role`);
    if (props.role) {
      validateLength(this, 'role.roleArn', props.role.roleArn, MIN_ROLE_ARN_LENGTH, MAX_ROLE_ARN_LENGTH);
    }
    const actionParams = props.actionParams._bind(this, grantee);
    if (grantee instanceof PendingRole) {
      const role = new iam.Role(this, 'Role', {
        description: `Assumed by AWS IoT to apply the ${actionType} mitigation action ${actionName}`,
        assumedBy: iotPrincipal(this, ownArn, 'pattern'),
        inlinePolicies: { Permissions: new iam.PolicyDocument({ statements: grantee.statements }) },
      });
      addNagSuppressions(role, mitigationRoleSuppressions(actionType));
      this.role = role;
    } else {
      this.role = grantee;
    }
    if (props.role && !acceptsPolicies(props.role)) {
      Annotations.of(this).addWarningV2('cdk-device-defender:immutableRole',
        `role ${props.role.node.path} is immutable, so no permissions were added to it. `
        + `A ${actionType} action needs ${iamActionsOf(actionType).join(', ')}: grant them yourself.`);
    }

    const resource = new iot.CfnMitigationAction(this, 'Resource', {
      actionName,
      roleArn: this.role.roleArn,
      actionParams,
    });
    this.resource = resource;
    this.node.addValidation({
      validate: () => {
        const count = resource.tags.renderTags()?.length ?? 0;
        return count > MAX_TAGS ? [`a mitigation action takes at most ${MAX_TAGS} tags, got ${count}`] : [];
      },
    });
  }
}

/** The name in a mitigation action's ARN, `arn:<partition>:iot:<region>:<account>:mitigationaction/<name>`; undefined for another ARN. */
function mitigationActionNameOf(arn: string): string | undefined {
  return /^arn:[^:]+:iot:[^:]*:[^:]*:mitigationaction\/(.+)$/.exec(arn)?.[1];
}

/** The MitigationActions of each name, per app and environment. */
const ACTIONS_BY_NAME = new AppRegistry<MitigationAction>();

/**
 * Refuses, at synth, a second action with the name of another in the same account and region:
 * AWS IoT keeps one action per name, so the second deployment would fail. A token name is not compared.
 */
function refuseDuplicateName(action: MitigationAction, name: string): void {
  if (Token.isUnresolved(name)) { return; }
  const named = ACTIONS_BY_NAME.add(`${environmentKey(action)}/${name}`, action);
  action.node.addValidation({
    validate: () => named[0] === action ? [] : [`mitigationActionName ${JSON.stringify(name)} is already the name of `
      + `${named[0].node.path} in ${describeEnvironment(action)}; AWS IoT keeps one mitigation action per name in an account and region, `
      + 'so the second deployment would fail: give one of them another mitigationActionName, or leave it out (a name derived from the '
      + 'construct path)'],
  });
}

/**
 * Whether grants to `role` land in a policy of this app: an `iam.Role`, or an imported role
 * that is mutable (it grew an `iam.Policy`). Immutable roles accept grants and drop them.
 */
function acceptsPolicies(role: iam.IRole): boolean {
  return role instanceof iam.Role || role.node.findAll().some((c) => c instanceof iam.Policy);
}
