/**
 * The custom resources' types and property names, which the constructs write and the handlers read
 * (CloudFormation passes every scalar as a string). Part of the contract between the constructs and
 * the handlers (see `environment.ts`).
 */

/** The type of the `AuditMitigationTask` custom resource. */
export const AUDIT_MITIGATION_TASK_RESOURCE_TYPE = 'Custom::IotMitigationAuditTask';

/** The type of the `AuditSuppression` custom resource. */
export const AUDIT_SUPPRESSION_RESOURCE_TYPE = 'Custom::IotAuditSuppression';

/** The type of the custom resource that turns on Device Defender's Security Hub integration (`securityHub.enableIntegration`). */
export const SECURITY_HUB_INTEGRATION_RESOURCE_TYPE = 'Custom::IotSecurityHubIntegration';

/**
 * The reporting properties of the custom resources (`Custom::IotMitigationAuditTask`,
 * `Custom::IotAuditSuppression`, `Custom::IotSecurityHubIntegration`): not part of what the resource does, so adding or changing them
 * starts, creates or deletes nothing.
 */
export const CUSTOM_RESOURCE_REPORT_PROPS = {
  /** The construct's path: the `Mitigation` metric dimension and events' `detail.mitigation`. */
  MITIGATION_NAME: 'MitigationName',
  /** Where permanent failures are reported too (an SNS topic ARN); absent without a report topic. */
  REPORT_TOPIC_ARN: 'ReportTopicArn',
  /** The event bus (ARN) the resource's events go to; absent = the account's default bus. */
  EVENT_BUS_ARN: 'EventBusArn',
} as const;

/**
 * The properties of the `Custom::IotAuditSuppression` resource (CloudFormation passes every value
 * as a string; `ResourceIdentifier` is an object with the API's member names).
 */
export const AUDIT_SUPPRESSION_PROPS = {
  CHECK_NAME: 'CheckName',
  RESOURCE_IDENTIFIER: 'ResourceIdentifier',
  /** ISO 8601 date-time; absent when `SuppressIndefinitely` is 'true'. */
  EXPIRATION_DATE: 'ExpirationDate',
  SUPPRESS_INDEFINITELY: 'SuppressIndefinitely',
  /** What the user wrote; the handler appends the ownership marker (`withSuppressionMarker`). */
  DESCRIPTION: 'Description',
  ...CUSTOM_RESOURCE_REPORT_PROPS,
} as const;

/**
 * The properties of the `Custom::IotMitigationAuditTask` resource: the work (target and mapping,
 * `RunId`), whether a Delete cancels the tasks, and the reporting properties. The target is
 * `AuditTaskId`, `FindingIds`, or `AuditTaskId` with `ReasonCodeFilter` (check -> reason codes).
 */
export const AUDIT_MITIGATION_TASK_PROPS = {
  AUDIT_TASK_ID: 'AuditTaskId',
  FINDING_IDS: 'FindingIds',
  REASON_CODE_FILTER: 'ReasonCodeFilter',
  /** check name -> action names, applied in this order. */
  AUDIT_CHECK_TO_ACTIONS_MAPPING: 'AuditCheckToActionsMapping',
  /** 'true' or 'false'. */
  CANCEL_ON_DELETE: 'CancelOnDelete',
  RUN_ID: 'RunId',
  ...CUSTOM_RESOURCE_REPORT_PROPS,
} as const;

/**
 * The properties of the `Custom::IotSecurityHubIntegration` resource: where the integration is
 * turned on (the stack's partition, account and region), and the reporting properties.
 */
export const SECURITY_HUB_INTEGRATION_PROPS = {
  PARTITION: 'Partition',
  ACCOUNT: 'Account',
  REGION: 'Region',
  ...CUSTOM_RESOURCE_REPORT_PROPS,
} as const;
