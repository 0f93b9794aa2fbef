/**
 * An AWS IoT Device Defender audit check, by its API name.
 *
 * The values are the exact strings the AWS IoT API uses in `auditCheckToActionsMapping`
 * and in audit-completion notifications.
 *
 * @see https://docs.aws.amazon.com/iot-device-defender/latest/devguide/device-defender-audit-checks.html
 */
export enum AuditCheck {
  /** A Cognito identity pool's authenticated role is overly permissive. */
  AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK = 'AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK',
  /** A CA certificate is expiring within 30 days or has expired. */
  CA_CERTIFICATE_EXPIRING_CHECK = 'CA_CERTIFICATE_EXPIRING_CHECK',
  /** A CA certificate uses a weak key. */
  CA_CERTIFICATE_KEY_QUALITY_CHECK = 'CA_CERTIFICATE_KEY_QUALITY_CHECK',
  /** Several devices connect with the same client ID. */
  CONFLICTING_CLIENT_IDS_CHECK = 'CONFLICTING_CLIENT_IDS_CHECK',
  /**
   * A device certificate has been active longer than the configured age.
   *
   * Not in the "Audit check to mitigation action mapping" table of the Device Defender
   * guide; this library allows only PUBLISH_FINDING_TO_SNS for it, which every check supports.
   */
  DEVICE_CERTIFICATE_AGE_CHECK = 'DEVICE_CERTIFICATE_AGE_CHECK',
  /** A device certificate is expiring within 30 days or has expired. */
  DEVICE_CERTIFICATE_EXPIRING_CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK',
  /** A device certificate uses a weak key. */
  DEVICE_CERTIFICATE_KEY_QUALITY_CHECK = 'DEVICE_CERTIFICATE_KEY_QUALITY_CHECK',
  /** Several concurrent connections use the same device certificate. */
  DEVICE_CERTIFICATE_SHARED_CHECK = 'DEVICE_CERTIFICATE_SHARED_CHECK',
  /** Active device certificates were issued by a revoked intermediate CA. */
  INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK = 'INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK',
  /** An AWS IoT policy grants overly broad permissions. */
  IOT_POLICY_OVERLY_PERMISSIVE_CHECK = 'IOT_POLICY_OVERLY_PERMISSIVE_CHECK',
  /** An AWS IoT policy may be misconfigured. */
  IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK = 'IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK',
  /** A role alias grants access to services the device has not used recently. */
  IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK = 'IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK',
  /** A role alias grants overly broad permissions. */
  IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK = 'IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK',
  /** AWS IoT logging is disabled. */
  LOGGING_DISABLED_CHECK = 'LOGGING_DISABLED_CHECK',
  /** A revoked CA certificate is still active (the guide's older name: REVOKED_CA_CERT_CHECK). */
  REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK = 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK',
  /** A revoked device certificate is still active (the guide's older name: REVOKED_DEVICE_CERT_CHECK). */
  REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK = 'REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK',
  /** A Cognito identity pool's unauthenticated role is overly permissive. */
  UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK = 'UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK',
}
