import { CustomResource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AUDIT_SUPPRESSION_PROPS as P, AUDIT_SUPPRESSION_RESOURCE_TYPE, AUDIT_SUPPRESSION_RULES as RULES, StringRule, stringRuleProblem } from './contract';
import { AUDIT_CHECKS, FindingResource } from './private/audit-setup';
import { auditSuppressionProvider } from './private/provider';
import { invalid, validateOneOf } from './private/validation';

/** Checks a string against an API model rule, unless it is a token. */
function validateRule(scope: IConstruct, prop: string, value: string, rule: StringRule): void {
  if (Token.isUnresolved(value)) { return; }
  const problem = stringRuleProblem(value, rule);
  if (problem) { invalid(scope, prop, value, problem); }
}

/**
 * The resource an audit finding suppression is for. There is one factory per member of the AWS
 * IoT API's `ResourceIdentifier`; each value is checked as the API model says when the
 * `AuditSuppression` is defined (tokens are not checked).
 *
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_ResourceIdentifier.html
 */
export abstract class AuditSuppressionResource {
  /** A device certificate, by its id (64 hexadecimal characters, optionally after `0x`). */
  public static deviceCertificate(certificateId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('deviceCertificateId', certificateId, RULES.certificateId);
  }

  /** A CA certificate, by its id (64 hexadecimal characters, optionally after `0x`). */
  public static caCertificate(caCertificateId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('caCertificateId', caCertificateId, RULES.certificateId);
  }

  /** An Amazon Cognito identity pool, by its id. */
  public static cognitoIdentityPool(identityPoolId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('cognitoIdentityPoolId', identityPoolId, RULES.cognitoIdentityPoolId);
  }

  /** An MQTT client id. */
  public static clientId(clientId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('clientId', clientId, RULES.clientId);
  }

  /** A version of an AWS IoT policy. */
  public static policyVersion(policyName: string, policyVersionId: string): AuditSuppressionResource {
    return new (class extends AuditSuppressionResource {
      public _bind(scope: IConstruct) {
        validateRule(scope, 'resource policyName', policyName, RULES.policyName);
        validateRule(scope, 'resource policyVersionId', policyVersionId, RULES.policyVersionId);
        return { policyVersionIdentifier: { policyName, policyVersionId } };
      }
    })();
  }

  /** An AWS account (12 digits), for account-wide checks such as LOGGING_DISABLED_CHECK. */
  public static account(accountId: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('account', accountId, RULES.account);
  }

  /** An IAM role (its ARN is what the suppression names). */
  public static iamRole(role: iam.IRole): AuditSuppressionResource {
    return AuditSuppressionResource.simple('iamRoleArn', role.roleArn, RULES.iamRoleArn);
  }

  /** An AWS IoT role alias, by its ARN. */
  public static roleAlias(roleAliasArn: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('roleAliasArn', roleAliasArn, RULES.roleAliasArn);
  }

  /**
   * An issuer (intermediate CA) certificate, as INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK
   * findings name it: its subject (at most 1000 printable characters), its id (at most 64
   * hexadecimal characters, optionally after `0x`) and its serial number (at most 20 hexadecimal
   * digits and `:`).
   */
  public static issuerCertificate(subject: string, issuerId: string, serialNumber: string): AuditSuppressionResource {
    return new (class extends AuditSuppressionResource {
      public _bind(scope: IConstruct) {
        validateRule(scope, 'resource issuerCertificateSubject', subject, RULES.issuerCertificateSubject);
        validateRule(scope, 'resource issuerId', issuerId, RULES.issuerId);
        validateRule(scope, 'resource issuerCertificateSerialNumber', serialNumber, RULES.issuerCertificateSerialNumber);
        return { issuerCertificateIdentifier: { issuerCertificateSubject: subject, issuerId, issuerCertificateSerialNumber: serialNumber } };
      }
    })();
  }

  /** A device certificate, by its ARN. */
  public static deviceCertificateArn(certificateArn: string): AuditSuppressionResource {
    return AuditSuppressionResource.simple('deviceCertificateArn', certificateArn, RULES.deviceCertificateArn);
  }

  private static simple(member: string, value: string, rule: StringRule): AuditSuppressionResource {
    return new (class extends AuditSuppressionResource {
      public _bind(scope: IConstruct) {
        validateRule(scope, `resource ${member}`, value, rule);
        return { [member]: value };
      }
    })();
  }

  protected constructor() {}

  /**
   * Validates the identifier for `scope` and returns it as the API's `ResourceIdentifier`.
   * @internal
   */
  public abstract _bind(scope: IConstruct): Record<string, unknown>;
}

/** Each kind of resource: what it is, and the factory that names one. */
const RESOURCE_KINDS: Record<FindingResource, { readonly what: string; readonly factory: string }> = {
  deviceCertificateId: { what: 'a device certificate', factory: 'deviceCertificate' },
  caCertificateId: { what: 'a CA certificate', factory: 'caCertificate' },
  cognitoIdentityPoolId: { what: 'a Cognito identity pool', factory: 'cognitoIdentityPool' },
  clientId: { what: 'an MQTT client id', factory: 'clientId' },
  policyVersionIdentifier: { what: 'an AWS IoT policy version', factory: 'policyVersion' },
  account: { what: 'the account', factory: 'account' },
  iamRoleArn: { what: 'an IAM role', factory: 'iamRole' },
  roleAliasArn: { what: 'a role alias', factory: 'roleAlias' },
  issuerCertificateIdentifier: { what: 'an issuer (intermediate CA) certificate', factory: 'issuerCertificate' },
  deviceCertificateArn: { what: 'a device certificate by its ARN', factory: 'deviceCertificateArn' },
};

/** Refuses a resource of a kind the check's findings never name: the suppression would suppress nothing. */
function validateResourceKind(scope: IConstruct, check: AuditCheck, identifier: Record<string, unknown>): void {
  if (Token.isUnresolved(check)) { return; }
  const member = Object.keys(identifier)[0] as FindingResource;
  const allowed = AUDIT_CHECKS[check].findingResources;
  if (allowed.includes(member)) { return; }
  throw new Error(`${scope.node.path}: invalid resource ${member} for check ${check}: its findings name `
    + `${allowed.map((kind) => RESOURCE_KINDS[kind].what).join(' or ')}, so this suppression would suppress nothing; use `
    + `${allowed.map((kind) => `AuditSuppressionResource.${RESOURCE_KINDS[kind].factory}()`).join(' or ')}`);
}

/** Properties of an `AuditSuppression`. */
export interface AuditSuppressionProps {
  /** The audit check whose findings for `resource` are suppressed. */
  readonly check: AuditCheck;

  /**
   * The resource whose findings are suppressed: a kind the check's findings name (a device
   * certificate for the device certificate checks, the account for LOGGING_DISABLED_CHECK, a
   * policy version for the policy checks...). Another kind would suppress nothing and is refused.
   */
  readonly resource: AuditSuppressionResource;

  /**
   * When the suppression ends. Give exactly one of `expiration` and `suppressIndefinitely`.
   *
   * It must be later than the time of synthesis: AWS IoT refuses a date in the past, so an
   * expired suppression is refused at synth (extend it or remove it).
   *
   * @default - none: `suppressIndefinitely` must be true
   */
  readonly expiration?: Date;

  /**
   * Whether the suppression never ends. Give exactly one of `expiration` and `suppressIndefinitely`.
   *
   * @default false
   */
  readonly suppressIndefinitely?: boolean;

  /**
   * Why the risk is accepted: at most 1000 printable ASCII characters.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * Suppresses the audit findings of one check for one resource (an accepted risk), for a time or
 * indefinitely. Suppressed findings are not mitigated, and audit notifications count them apart.
 *
 * CloudFormation has no resource type for suppressions: this is a custom resource over the AWS IoT
 * Create/Update/DeleteAuditSuppression API, with one handler per stack. Changing the expiry or the
 * description updates the suppression in place; changing the check or the resource replaces it.
 * A suppression that exists already (made in the console, with the CLI or by another stack) is
 * never adopted: the deployment fails with a message saying so, so that deleting this stack can
 * never remove a suppression someone else made. Deleting one that is already gone succeeds.
 *
 * @resource Custom::IotAuditSuppression
 */
export class AuditSuppression extends Construct {
  /** The audit check whose findings are suppressed. */
  public readonly check: AuditCheck;

  constructor(scope: Construct, id: string, props: AuditSuppressionProps) {
    super(scope, id);
    validateOneOf(this, 'check', props.check, Object.values(AuditCheck));
    this.check = props.check;
    const resourceIdentifier = props.resource._bind(this);
    validateResourceKind(this, props.check, resourceIdentifier);

    const indefinitely = props.suppressIndefinitely ?? false;
    if (indefinitely === (props.expiration !== undefined)) {
      invalid(this, 'expiration/suppressIndefinitely', { expiration: props.expiration, suppressIndefinitely: props.suppressIndefinitely },
        'give exactly one: an expiration date, or suppressIndefinitely: true');
    }
    let expiration: string | undefined;
    if (props.expiration !== undefined) {
      const time = props.expiration instanceof Date ? props.expiration.getTime() : NaN;
      if (Number.isNaN(time)) { invalid(this, 'expiration', String(props.expiration), 'must be a valid Date'); }
      if (time <= Date.now()) {
        invalid(this, 'expiration', props.expiration.toISOString(),
          'must be in the future (AWS IoT refuses a past date, and an expired suppression suppresses nothing): extend it or remove the AuditSuppression');
      }
      expiration = props.expiration.toISOString();
    }
    if (props.description !== undefined) { validateRule(this, 'description', props.description, RULES.description); }

    new CustomResource(this, 'Resource', {
      serviceToken: auditSuppressionProvider(this).serviceToken,
      resourceType: AUDIT_SUPPRESSION_RESOURCE_TYPE,
      properties: {
        [P.CHECK_NAME]: props.check,
        [P.RESOURCE_IDENTIFIER]: resourceIdentifier,
        [P.EXPIRATION_DATE]: expiration,
        [P.SUPPRESS_INDEFINITELY]: String(indefinitely),
        [P.DESCRIPTION]: props.description,
      },
    });
  }
}
