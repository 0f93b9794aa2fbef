/**
 * What a mitigation construct does in AWS Security Hub (`securityHub` of `AuditMitigation`,
 * `MitigationHub` and `MitigationSpoke`).
 *
 * With these options set, when the task follower reports how a mitigation actions task ended, it
 * also updates the Security Hub findings that AWS IoT Device Defender's integration sent for the
 * audit findings the task acted on: each gets a note (by `cdk-device-defender`) naming the task,
 * its actions and their outcome, and a finding still NEW whose action succeeded moves to NOTIFIED.
 * Nothing is ever set to RESOLVED or SUPPRESSED: the next audit archives the finding when the
 * resource is compliant, and an analyst's workflow status is never changed.
 */
export interface SecurityHubOptions {
  /**
   * Turn on AWS IoT Device Defender's integration with Security Hub ("Accept findings") in the
   * account and region, so that Device Defender sends its audit findings there (and its Detect
   * violations, where the account has Detect security profiles). Security Hub itself must be
   * enabled in the account and region: this enables nothing else.
   *
   * Done with `EnableImportFindingsForProduct` (a custom resource that keeps an integration that
   * was already on, and leaves it on when the resource is deleted): CloudFormation's
   * `AWS::SecurityHub::ProductSubscription` is documented for third-party products, and would fail
   * where the integration is already on.
   *
   * @default false - the integration is left as it is: findings are updated where it is on
   */
  readonly enableIntegration?: boolean;
}
