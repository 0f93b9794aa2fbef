import { Stack, Token } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { IConstruct } from 'constructs';
import { AuditCheck } from '../audit-check';

/**
 * Each audit check's property in CloudFormation's `AuditCheckConfigurations` (aws-cdk-lib's L1
 * names): one entry per check, so a check added to `AuditCheck` fails to compile until it has one.
 */
export const AUDIT_CHECK_PROPERTIES: Record<AuditCheck, keyof iot.CfnAccountAuditConfiguration.AuditCheckConfigurationsProperty> = {
  [AuditCheck.AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK]: 'authenticatedCognitoRoleOverlyPermissiveCheck',
  [AuditCheck.CA_CERTIFICATE_EXPIRING_CHECK]: 'caCertificateExpiringCheck',
  [AuditCheck.CA_CERTIFICATE_KEY_QUALITY_CHECK]: 'caCertificateKeyQualityCheck',
  [AuditCheck.CONFLICTING_CLIENT_IDS_CHECK]: 'conflictingClientIdsCheck',
  [AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK]: 'deviceCertificateAgeCheck',
  [AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK]: 'deviceCertificateExpiringCheck',
  [AuditCheck.DEVICE_CERTIFICATE_KEY_QUALITY_CHECK]: 'deviceCertificateKeyQualityCheck',
  [AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK]: 'deviceCertificateSharedCheck',
  [AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK]: 'intermediateCaRevokedForActiveDeviceCertificatesCheck',
  [AuditCheck.IOT_POLICY_OVERLY_PERMISSIVE_CHECK]: 'iotPolicyOverlyPermissiveCheck',
  [AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK]: 'ioTPolicyPotentialMisConfigurationCheck',
  [AuditCheck.IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK]: 'iotRoleAliasAllowsAccessToUnusedServicesCheck',
  [AuditCheck.IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK]: 'iotRoleAliasOverlyPermissiveCheck',
  [AuditCheck.LOGGING_DISABLED_CHECK]: 'loggingDisabledCheck',
  [AuditCheck.REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK]: 'revokedCaCertificateStillActiveCheck',
  [AuditCheck.REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK]: 'revokedDeviceCertificateStillActiveCheck',
  [AuditCheck.UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK]: 'unauthenticatedCognitoRoleOverlyPermissiveCheck',
};

/**
 * Check names CloudFormation is reported to refuse in a scheduled audit's `TargetCheckNames`
 * ("invalid Audit Check Name", reported to `@aws-cdk/aws-iot-alpha`, which then dropped both from
 * its scheduled-audit checks). Only a real deployment (`integ:deploy`) can prove either way, so
 * `ScheduledAudit` leaves them out of its default checks and warns when they are listed; the
 * account's audit configuration, where no failure is reported, keeps enabling them.
 */
export const SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS: readonly AuditCheck[] = [
  AuditCheck.INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK,
  AuditCheck.IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK,
];

/** The warning a scheduled audit that lists one of `SCHEDULED_AUDIT_REPORTED_REJECTED_CHECKS` gets. */
export const SCHEDULED_AUDIT_CHECK_NAME_WARNING = 'cdk-device-defender:scheduledAuditCheckName';

/** Every audit check, in the enum's order. */
export const ALL_AUDIT_CHECKS = Object.values(AuditCheck) as AuditCheck[];

/**
 * Certificate age and expiry thresholds, in days: AWS documents 30 to 3652, but deployments above
 * 3650 are reported to fail (aws-cdk PR #35365), so 3650 is the highest this library accepts.
 */
export const MIN_CERTIFICATE_THRESHOLD_DAYS = 30;
export const MAX_CERTIFICATE_THRESHOLD_DAYS = 3650;

/** CreateScheduledAudit's rule for `scheduledAuditName`. */
export const SCHEDULED_AUDIT_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

/** The id of the warning on an AuditMitigation in an app that defines no AuditConfiguration for its environment. */
export const NO_AUDIT_CONFIGURATION_WARNING = 'cdk-device-defender:noAuditConfiguration';

/** What the cross-checks need to know of an account's audit configuration. */
export interface AuditConfigurationInfo extends IConstruct {
  readonly enabledChecks: AuditCheck[];
}

/** The audit configuration of each environment, per app (the root construct). */
const configurations = new WeakMap<IConstruct, Map<string, AuditConfigurationInfo>>();
/** The checks of each ScheduledAudit defined in the app. */
const scheduledAuditChecks = new WeakMap<IConstruct, AuditCheck[]>();

/**
 * The account and region of `scope`'s stack, as strings: literal values, or the token strings of
 * an environment-agnostic stack (the same `AWS::AccountId` and `AWS::Region` in every such stack).
 */
function environmentKey(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return `${stack.account}/${stack.region}`;
}

/** "account 123456789012, region eu-west-1", or what a token stands for. */
export function describeEnvironment(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const account = Token.isUnresolved(stack.account) ? 'the deployment account' : `account ${stack.account}`;
  const region = Token.isUnresolved(stack.region) ? 'the deployment region' : `region ${stack.region}`;
  return `${account} and ${region}`;
}

/**
 * Records `configuration` as the audit configuration of its environment; returns the one already
 * recorded there, if any (and then records nothing).
 */
export function registerAuditConfiguration(configuration: AuditConfigurationInfo): AuditConfigurationInfo | undefined {
  const root = configuration.node.root;
  const byEnvironment = configurations.get(root) ?? new Map<string, AuditConfigurationInfo>();
  configurations.set(root, byEnvironment);
  const key = environmentKey(configuration);
  const existing = byEnvironment.get(key);
  if (!existing) { byEnvironment.set(key, configuration); }
  return existing;
}

/** The audit configuration defined in this app for `scope`'s environment, if any. */
export function auditConfigurationFor(scope: IConstruct): AuditConfigurationInfo | undefined {
  return configurations.get(scope.node.root)?.get(environmentKey(scope));
}

/** Records the checks a scheduled audit runs. */
export function registerScheduledAuditChecks(audit: IConstruct, checks: AuditCheck[]): void {
  scheduledAuditChecks.set(audit, [...checks]);
}

/** The checks a scheduled audit runs, when the app knows them (a ScheduledAudit, or a CfnScheduledAudit with literal checks). */
export function scheduledAuditChecksOf(audit: IConstruct): AuditCheck[] | undefined {
  const known = scheduledAuditChecks.get(audit);
  if (known) { return known; }
  if (audit instanceof iot.CfnScheduledAudit) {
    const names = audit.targetCheckNames;
    if (Array.isArray(names) && !Token.isUnresolved(names) && names.every((n) => typeof n === 'string' && !Token.isUnresolved(n))) {
      return names as AuditCheck[];
    }
  }
  return undefined;
}
