import { Duration, RemovalPolicy, Resource, Stack, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuditCheck } from './audit-check';
import { IAuditNotificationTarget } from './audit-notification-target';
import {
  ALL_AUDIT_CHECKS, MAX_CERTIFICATE_THRESHOLD_DAYS, MIN_CERTIFICATE_THRESHOLD_DAYS, accountAuditConfigurationsFor, checkConfigurationKey,
  ownerOf, registerAuditConfiguration,
} from './private/audit-setup';
import { describeEnvironment } from './private/environment';
import { auditConfigurationSourceArn, iotPrincipal } from './private/grants';
import { addNagSuppressions } from './private/nag';
import { defineIotPublishRole } from './private/topics';
import { invalid, refuse } from './private/validation';

/** Properties of an `AuditConfiguration`. */
export interface AuditConfigurationProps {
  /**
   * The audit checks to enable. Every other check is written as disabled, so removing a check
   * here turns it off in the account.
   *
   * @default - all 17 checks of `AuditCheck`
   */
  readonly checks?: AuditCheck[];

  /**
   * DEVICE_CERTIFICATE_AGE_CHECK: how long a device certificate may have been active before it is
   * reported, in whole days from 30 to 3650 (AWS documents up to 3652, but deployments above 3650
   * are reported to fail). Needs DEVICE_CERTIFICATE_AGE_CHECK in `checks`.
   *
   * @default - AWS IoT's default (365 days)
   * @see https://docs.aws.amazon.com/iot-device-defender/latest/devguide/device-certificate-age-check.html
   */
  readonly deviceCertificateAgeThreshold?: Duration;

  /**
   * DEVICE_CERTIFICATE_EXPIRING_CHECK: how long before its expiry a device certificate is
   * reported, in whole days from 30 to 3650. Needs DEVICE_CERTIFICATE_EXPIRING_CHECK in `checks`.
   * CloudFormation supports it (`CertExpirationThresholdInDays`) although aws-cdk-lib's L1 does
   * not type it yet; this construct writes it as a property override.
   *
   * @default - AWS IoT's default (30 days)
   * @see https://docs.aws.amazon.com/iot-device-defender/latest/devguide/audit-chk-device-cert-approaching-expiration.html
   */
  readonly deviceCertificateExpiringThreshold?: Duration;

  /**
   * The audit mitigation to notify when an audit finishes: an `AuditMitigation`, or a
   * `MitigationSpoke` (which forwards the notification to the organization's mitigation hub).
   * Notifications go to its `notificationTopic`, published with its `notificationRole`. Not with
   * `notificationTopic`.
   *
   * @default - no mitigation is notified
   */
  readonly mitigation?: IAuditNotificationTarget;

  /**
   * A topic to notify when an audit finishes; a role AWS IoT assumes to publish to it is defined
   * (with the key permissions an encrypted topic needs). Not with `mitigation`.
   *
   * @default - the `mitigation`'s topic, or no notifications
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The role AWS IoT assumes to run audits.
   *
   * @default - a role only AWS IoT acting for this account's audit configuration can assume, with
   * the AWS managed policy `service-role/AWSIoTDeviceDefenderAudit`
   */
  readonly role?: iam.IRole;

  /**
   * What happens to the account's audit configuration when it leaves the stack. Deleting it
   * disables Device Defender audits in the account and region and deletes every scheduled
   * audit with it, including ones defined outside this app.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The AWS managed policy AWS documents for the audit role. */
const AUDIT_MANAGED_POLICY = 'service-role/AWSIoTDeviceDefenderAudit';

/**
 * Defines the AWS IoT Device Defender audit configuration of an account and region: which checks
 * audits may run, the role they run with, and where to send a notification when one finishes.
 *
 * There is one per account and region: a second one for the same environment in the app is refused,
 * and so, at synth, is one beside any other `AWS::IoT::AccountAuditConfiguration` of that environment
 * (aws-iot-alpha's `AccountAuditConfiguration`, say).
 * Scheduled audits (`ScheduledAudit`) run the checks it enables.
 *
 * @resource AWS::IoT::AccountAuditConfiguration
 */
export class AuditConfiguration extends Resource {
  /** The role AWS IoT assumes to run audits. */
  public readonly auditRole: iam.IRole;
  /** The role AWS IoT assumes to publish audit notifications; `undefined` when there are none. */
  public readonly notificationRole?: iam.IRole;
  /** The topic audit notifications go to; `undefined` when there are none. */
  public readonly notificationTopic?: sns.ITopic;
  /** The audit checks this configuration enables. */
  public readonly enabledChecks: AuditCheck[];

  constructor(scope: Construct, id: string, props: AuditConfigurationProps = {}) {
    super(scope, id);
    const checks = props.checks ?? ALL_AUDIT_CHECKS;
    validateChecks(this, checks);
    this.enabledChecks = [...checks];
    const existing = registerAuditConfiguration(this);
    if (existing) {
      refuse(this, `${describeEnvironment(this)} already have an AuditConfiguration, ${existing.node.path}; `
        + 'AWS IoT has one audit configuration per account and region: define one and give it every check your scheduled audits run');
    }
    if (props.mitigation && props.notificationTopic) {
      invalid(this, 'notificationTopic', props.notificationTopic.node.path,
        'give either mitigation (its topic and role are used) or notificationTopic, not both');
    }
    const ageDays = thresholdDays(this, 'deviceCertificateAgeThreshold', props.deviceCertificateAgeThreshold,
      checks, AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK);
    const expiringDays = thresholdDays(this, 'deviceCertificateExpiringThreshold', props.deviceCertificateExpiringThreshold,
      checks, AuditCheck.DEVICE_CERTIFICATE_EXPIRING_CHECK);

    // AWS IoT acts for the account's audit configuration: aws:SourceArn is exactly arn:<partition>:iot:<region>:<account>:
    const principal = iotPrincipal(this, auditConfigurationSourceArn(this), 'exact');
    this.auditRole = props.role ?? this.defineAuditRole(principal);

    this.notificationTopic = props.mitigation?.notificationTopic ?? props.notificationTopic;
    this.notificationRole = props.mitigation?.notificationRole ?? (props.notificationTopic
      ? defineIotPublishRole(this, 'NotificationRole', 'Assumed by AWS IoT Device Defender to publish audit notifications',
        principal, props.notificationTopic)
      : undefined);

    // Every check is written, the ones not enabled as disabled: UpdateAccountAuditConfiguration
    // leaves a check it is not given as it was, so omitting one would never turn it off.
    const auditCheckConfigurations: Record<string, unknown> = {};
    for (const check of ALL_AUDIT_CHECKS) {
      auditCheckConfigurations[checkConfigurationKey(check)] = { enabled: checks.includes(check) };
    }
    if (ageDays !== undefined) {
      auditCheckConfigurations[checkConfigurationKey(AuditCheck.DEVICE_CERTIFICATE_AGE_CHECK)] = {
        enabled: true, configuration: { certAgeThresholdInDays: ageDays },
      };
    }

    const resource = new iot.CfnAccountAuditConfiguration(this, 'Resource', {
      accountId: Stack.of(this).account,
      roleArn: this.auditRole.roleArn,
      auditCheckConfigurations: auditCheckConfigurations as iot.CfnAccountAuditConfiguration.AuditCheckConfigurationsProperty,
      auditNotificationTargetConfigurations: this.notificationTopic && this.notificationRole ? {
        sns: { targetArn: this.notificationTopic.topicArn, roleArn: this.notificationRole.roleArn, enabled: true },
      } : undefined,
    });
    if (expiringDays !== undefined) {
      // CloudFormation's DeviceCertificateExpiringCheck takes a Configuration that aws-cdk-lib's L1 does not type.
      resource.addPropertyOverride('AuditCheckConfigurations.DeviceCertificateExpiringCheck.Configuration.CertExpirationThresholdInDays',
        expiringDays);
    }
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    // Another library's (aws-iot-alpha's AccountAuditConfiguration) or an L1, maybe defined after this one.
    this.node.addValidation({
      validate: () => accountAuditConfigurationsFor(this).filter((other) => other !== resource).map((other) =>
        `${describeEnvironment(this)} have another audit configuration, ${ownerOf(other).node.path} `
        + '(AWS::IoT::AccountAuditConfiguration); AWS IoT has one per account and region, so CloudFormation refuses the second '
        + '("The AccountAuditConfiguration already exists"): keep one. To move from the other to this one without an audit gap, '
        + 'see the README, "Coming from @aws-cdk/aws-iot-alpha"'),
    });
  }

  /**
   * AWS documents `AWSIoTDeviceDefenderAudit` for the audit role. It is read-only (Describe, Get
   * and List calls on the resources the checks inspect, which have no narrower resource scope to
   * grant on) and AWS extends it as it adds checks, which a hand-written copy would miss.
   */
  private defineAuditRole(principal: iam.IPrincipal): iam.IRole {
    const role = new iam.Role(this, 'AuditRole', {
      description: 'Assumed by AWS IoT Device Defender to run audits',
      assumedBy: principal,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(AUDIT_MANAGED_POLICY)],
    });
    addNagSuppressions(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWSIoTDeviceDefenderAudit is the read-only policy AWS documents and maintains for Device Defender audits; '
        + 'it grows as AWS adds audit checks, which a hand-written copy would miss.',
      appliesToRegex: [`/^Policy::arn:(<AWS::Partition>|aws[a-z-]*):iam::aws:policy\\/${AUDIT_MANAGED_POLICY.replace('/', '\\/')}$/`],
    }]);
    return role;
  }
}

/** Refuses an empty list, an unknown check and a check listed twice. */
function validateChecks(scope: Construct, checks: AuditCheck[]): void {
  if (checks.length === 0) {
    invalid(scope, 'checks', checks, 'must enable at least one audit check');
  }
  checks.forEach((check, i) => {
    if (!ALL_AUDIT_CHECKS.includes(check)) {
      invalid(scope, 'checks', check, `must be audit checks, one of ${ALL_AUDIT_CHECKS.join(', ')}`);
    } else if (checks.indexOf(check) !== i) {
      invalid(scope, 'checks', check, 'lists the check twice; list each check once');
    }
  });
}

/**
 * The threshold in days as CloudFormation's string; refuses a value that is not a whole number of
 * days from 30 to 3650, and a threshold for a check that is not enabled. A token is not checked.
 */
function thresholdDays(scope: Construct, prop: string, threshold: Duration | undefined, checks: AuditCheck[], check: AuditCheck): string | undefined {
  if (threshold === undefined) { return undefined; }
  if (!checks.includes(check)) {
    invalid(scope, prop, threshold.toHumanString(), `applies to ${check}, which is not in checks; add it to checks or leave ${prop} out`);
    return undefined;
  }
  if (threshold.isUnresolved()) {
    return Tokenization.stringifyNumber(threshold.toDays());
  }
  const days = threshold.toDays({ integral: false });
  if (!Number.isInteger(days) || days < MIN_CERTIFICATE_THRESHOLD_DAYS || days > MAX_CERTIFICATE_THRESHOLD_DAYS) {
    invalid(scope, prop, threshold.toHumanString(),
      `must be a whole number of days from ${MIN_CERTIFICATE_THRESHOLD_DAYS} to ${MAX_CERTIFICATE_THRESHOLD_DAYS} (AWS documents up to 3652, `
      + 'but deployments above 3650 are reported to fail)');
  }
  return String(days);
}
