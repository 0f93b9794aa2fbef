import { AuditCheck, MitigationActionType } from '../audit-check';

const SNS = MitigationActionType.PUBLISH_FINDING_TO_SNS;
const CA = MitigationActionType.UPDATE_CA_CERTIFICATE;
const DEVICE = MitigationActionType.UPDATE_DEVICE_CERTIFICATE;
const GROUP = MitigationActionType.ADD_THINGS_TO_THING_GROUP;
const POLICY = MitigationActionType.REPLACE_DEFAULT_POLICY_VERSION;
const LOGGING = MitigationActionType.ENABLE_IOT_LOGGING;

/**
 * The "Audit check to mitigation action mapping" table of the Device Defender guide, keyed by
 * the API check names (the guide's prose uses some older names; see AuditCheck).
 * DEVICE_CERTIFICATE_AGE_CHECK is not in the table: every check supports publishing to SNS,
 * and nothing more is documented for it.
 */
export const SUPPORTED_ACTION_TYPES: Readonly<Record<AuditCheck, readonly MitigationActionType[]>> = {
  [AuditCheck.REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK]: [SNS, CA],
  [AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK]: [SNS, DEVICE, GROUP],
  [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK]: [SNS, DEVICE, GROUP],
  [AuditCheck.UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK]: [SNS],
  [AuditCheck.AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK]: [SNS],
  [AuditCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK]: [SNS, POLICY],
  [AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK]: [SNS, POLICY],
  [AuditCheck.CA_CERTIFICATE_EXPIRING_CHECK]: [SNS, CA],
  [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK]: [SNS],
  [AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK]: [SNS, DEVICE, GROUP],
  [AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK]: [SNS, DEVICE, GROUP],
  [AuditCheck.LOGGING_DISABLED_CHECK]: [SNS, LOGGING],
  [AuditCheck.DEVICE_CERTIFICATE_KEY_QUALITY_CHECK]: [SNS, DEVICE, GROUP],
  [AuditCheck.CA_CERTIFICATE_KEY_QUALITY_CHECK]: [SNS, CA],
  [AuditCheck.IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK]: [SNS],
  [AuditCheck.IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK]: [SNS],
  [AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK]: [SNS],
};
