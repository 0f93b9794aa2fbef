import { AuditCheck } from '../audit-check';
import { MitigationActionType as T } from '../mitigation-action-type';

/**
 * A member of the AWS IoT API's `ResourceIdentifier`: a kind of resource an audit finding names.
 *
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_ResourceIdentifier.html
 */
export type FindingResource = 'deviceCertificateId' | 'caCertificateId' | 'cognitoIdentityPoolId' | 'clientId' | 'policyVersionIdentifier'
| 'account' | 'iamRoleArn' | 'roleAliasArn' | 'issuerCertificateIdentifier' | 'deviceCertificateArn';

/** Everything this library knows about one audit check. Every field is required: a new check decides each. */
export interface AuditCheckContract {
  /**
   * The check's property in the `AuditCheckConfigurations` of CloudFormation's
   * `AWS::IoT::AccountAuditConfiguration` (as the template spells it).
   */
  readonly cloudFormationProperty: string;
  /**
   * The mitigation action types AWS IoT applies to the check's findings (what
   * `auditCheckToActionsMapping` accepts), in the order `MitigationAction.supportedActionTypes()`
   * lists them: the Device Defender guide's "Audit check to mitigation action mapping".
   * Every check accepts PUBLISH_FINDING_TO_SNS.
   */
  readonly actionTypes: readonly T[];
  /**
   * The `ResourceIdentifier` members the check's findings name (its non-compliant resource, and for
   * the role checks the IAM role they relate to): what an audit suppression of the check may name.
   * From the check pages of the Device Defender guide and the API model's ResourceIdentifier.
   */
  readonly findingResources: readonly FindingResource[];
  /**
   * Why `undo` never reactivates a certificate a finding of this check names (the check says the
   * certificate, or the CA behind it, must not be trusted; `--allow-check` overrides it), or
   * `undefined` when undo may.
   */
  readonly undoRefusal: string | undefined;
}

const DEVICE_CERTIFICATE = ['deviceCertificateId'] as const;
const CA_CERTIFICATE = ['caCertificateId'] as const;
const POLICY_VERSION = ['policyVersionIdentifier'] as const;
const COGNITO_ROLE = ['cognitoIdentityPoolId', 'iamRoleArn'] as const;
const ROLE_ALIAS = ['roleAliasArn', 'iamRoleArn'] as const;

const SNS_ONLY = [T.PUBLISH_FINDING_TO_SNS] as const;
const ON_CA_CERTIFICATES = [T.PUBLISH_FINDING_TO_SNS, T.UPDATE_CA_CERTIFICATE] as const;
const ON_DEVICE_CERTIFICATES = [T.PUBLISH_FINDING_TO_SNS, T.UPDATE_DEVICE_CERTIFICATE, T.ADD_THINGS_TO_THING_GROUP] as const;
const ON_POLICIES = [T.PUBLISH_FINDING_TO_SNS, T.REPLACE_DEFAULT_POLICY_VERSION] as const;

const TABLE = {
  [AuditCheck.AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK]: {
    cloudFormationProperty: 'AuthenticatedCognitoRoleOverlyPermissiveCheck',
    actionTypes: SNS_ONLY,
    findingResources: COGNITO_ROLE,
    undoRefusal: undefined,
  },
  [AuditCheck.CA_CERTIFICATE_EXPIRING_CHECK]: {
    cloudFormationProperty: 'CaCertificateExpiringCheck',
    actionTypes: ON_CA_CERTIFICATES,
    findingResources: CA_CERTIFICATE,
    undoRefusal: undefined,
  },
  [AuditCheck.CA_CERTIFICATE_KEY_QUALITY_CHECK]: {
    cloudFormationProperty: 'CaCertificateKeyQualityCheck',
    actionTypes: ON_CA_CERTIFICATES,
    findingResources: CA_CERTIFICATE,
    undoRefusal: 'the audit found the key of this CA certificate too weak to trust',
  },
  [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK]: {
    cloudFormationProperty: 'ConflictingClientIdsCheck',
    actionTypes: SNS_ONLY,
    findingResources: ['clientId'],
    undoRefusal: undefined,
  },
  // Not in the guide's mapping table: PUBLISH_FINDING_TO_SNS only, which every check supports.
  [AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK]: {
    cloudFormationProperty: 'DeviceCertificateAgeCheck',
    actionTypes: SNS_ONLY,
    findingResources: DEVICE_CERTIFICATE,
    undoRefusal: undefined,
  },
  [AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK]: {
    cloudFormationProperty: 'DeviceCertificateExpiringCheck',
    actionTypes: ON_DEVICE_CERTIFICATES,
    findingResources: DEVICE_CERTIFICATE,
    undoRefusal: undefined,
  },
  [AuditCheck.DEVICE_CERTIFICATE_KEY_QUALITY_CHECK]: {
    cloudFormationProperty: 'DeviceCertificateKeyQualityCheck',
    actionTypes: ON_DEVICE_CERTIFICATES,
    findingResources: DEVICE_CERTIFICATE,
    undoRefusal: 'the audit found the key of this device certificate too weak to trust',
  },
  [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK]: {
    cloudFormationProperty: 'DeviceCertificateSharedCheck',
    actionTypes: ON_DEVICE_CERTIFICATES,
    findingResources: DEVICE_CERTIFICATE,
    undoRefusal: undefined,
  },
  // The revoked issuer, and the active device certificates it issued (by ARN, or by id for the mitigation actions).
  [AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK]: {
    cloudFormationProperty: 'IntermediateCaRevokedForActiveDeviceCertificatesCheck',
    actionTypes: ON_DEVICE_CERTIFICATES,
    findingResources: ['issuerCertificateIdentifier', 'deviceCertificateArn', 'deviceCertificateId'],
    undoRefusal: 'the audit found an intermediate CA of this device certificate revoked',
  },
  [AuditCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK]: {
    cloudFormationProperty: 'IotPolicyOverlyPermissiveCheck',
    actionTypes: ON_POLICIES,
    findingResources: POLICY_VERSION,
    undoRefusal: undefined,
  },
  [AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK]: {
    cloudFormationProperty: 'IoTPolicyPotentialMisConfigurationCheck',
    actionTypes: ON_POLICIES,
    findingResources: POLICY_VERSION,
    undoRefusal: undefined,
  },
  [AuditCheck.IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK]: {
    cloudFormationProperty: 'IotRoleAliasAllowsAccessToUnusedServicesCheck',
    actionTypes: SNS_ONLY,
    findingResources: ROLE_ALIAS,
    undoRefusal: undefined,
  },
  [AuditCheck.IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK]: {
    cloudFormationProperty: 'IotRoleAliasOverlyPermissiveCheck',
    actionTypes: SNS_ONLY,
    findingResources: ROLE_ALIAS,
    undoRefusal: undefined,
  },
  [AuditCheck.LOGGING_DISABLED_CHECK]: {
    cloudFormationProperty: 'LoggingDisabledCheck',
    actionTypes: [T.PUBLISH_FINDING_TO_SNS, T.ENABLE_IOT_LOGGING],
    findingResources: ['account'],
    undoRefusal: undefined,
  },
  [AuditCheck.REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK]: {
    cloudFormationProperty: 'RevokedCaCertificateStillActiveCheck',
    actionTypes: ON_CA_CERTIFICATES,
    findingResources: CA_CERTIFICATE,
    undoRefusal: 'the audit found this CA certificate revoked',
  },
  [AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK]: {
    cloudFormationProperty: 'RevokedDeviceCertificateStillActiveCheck',
    actionTypes: ON_DEVICE_CERTIFICATES,
    findingResources: DEVICE_CERTIFICATE,
    undoRefusal: 'the audit found this device certificate revoked by its CA',
  },
  [AuditCheck.UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK]: {
    cloudFormationProperty: 'UnauthenticatedCognitoRoleOverlyPermissiveCheck',
    actionTypes: SNS_ONLY,
    findingResources: COGNITO_ROLE,
    undoRefusal: undefined,
  },
} as const satisfies Record<AuditCheck, AuditCheckContract>;

/**
 * Every audit check, one entry each: a check added to `AuditCheck` fails to compile until it has
 * one, with every field decided.
 */
export const AUDIT_CHECKS: Readonly<Record<AuditCheck, AuditCheckContract>> = TABLE;

/**
 * The CloudFormation properties of the checks, as literal types: `src/private/` holds them against
 * aws-cdk-lib's L1, so a property it does not know fails to compile there.
 */
export type AuditCheckProperty = (typeof TABLE)[AuditCheck]['cloudFormationProperty'];

/** Whether `value` is an audit check this library knows. */
export function isAuditCheck(value: string): value is AuditCheck {
  return Object.prototype.hasOwnProperty.call(AUDIT_CHECKS, value);
}

/** The checks whose findings stop `undo` from reactivating a certificate, in the enum's order. */
export function undoRefusedChecks(): AuditCheck[] {
  return (Object.keys(AUDIT_CHECKS) as AuditCheck[]).filter((check) => AUDIT_CHECKS[check].undoRefusal !== undefined);
}
