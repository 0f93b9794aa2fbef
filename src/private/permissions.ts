/**
 * IAM actions each mitigation action type needs, from the "Permissions for mitigation actions"
 * templates of the Device Defender guide. Resources are narrowed where the service authorization
 * reference gives the action a resource type; see MitigationActionParams for the statements.
 */
export const UPDATE_DEVICE_CERTIFICATE_ACTIONS = ['iot:UpdateCertificate'];
export const UPDATE_CA_CERTIFICATE_ACTIONS = ['iot:UpdateCACertificate'];
/** iot:ListPrincipalThings finds the things attached to the finding's certificate. */
export const LIST_PRINCIPAL_THINGS_ACTIONS = ['iot:ListPrincipalThings'];
export const ADD_THING_TO_THING_GROUP_ACTIONS = ['iot:AddThingToThingGroup'];
export const REPLACE_DEFAULT_POLICY_VERSION_ACTIONS = ['iot:CreatePolicyVersion'];
/** iot:SetV2LoggingOptions has no resource type: it can only be granted on `*`. */
export const ENABLE_IOT_LOGGING_ACTIONS = ['iot:SetV2LoggingOptions'];
export const PASS_ROLE_ACTIONS = ['iam:PassRole'];

/** The CloudWatch Logs log group that AWS IoT v2 logging writes to. */
export const IOT_V2_LOG_GROUP_NAME = 'AWSIotLogsV2';
/** What the AWS IoT logging role needs on its log group (the AWSIoTLogsV2 managed policy's actions, narrowed). */
export const IOT_LOGGING_ROLE_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'logs:PutMetricFilter',
  'logs:PutRetentionPolicy',
];

export const IOT_SERVICE_PRINCIPAL = 'iot.amazonaws.com';

export const SNS_PUBLISH_ACTIONS = ['sns:Publish'];
/**
 * What publishing to a KMS-encrypted topic needs on its key: exactly these two, not
 * `kms:GenerateDataKey*` (which also allows GenerateDataKeyPair* and *WithoutPlaintext).
 */
export const TOPIC_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** Every IAM action each mitigation action type's role needs, for messages and docs. */
export const ACTIONS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  ADD_THINGS_TO_THING_GROUP: [...LIST_PRINCIPAL_THINGS_ACTIONS, ...ADD_THING_TO_THING_GROUP_ACTIONS],
  ENABLE_IOT_LOGGING: [...ENABLE_IOT_LOGGING_ACTIONS, ...PASS_ROLE_ACTIONS],
  PUBLISH_FINDING_TO_SNS: [...SNS_PUBLISH_ACTIONS, ...TOPIC_KEY_ACTIONS],
  REPLACE_DEFAULT_POLICY_VERSION: REPLACE_DEFAULT_POLICY_VERSION_ACTIONS,
  UPDATE_CA_CERTIFICATE: UPDATE_CA_CERTIFICATE_ACTIONS,
  UPDATE_DEVICE_CERTIFICATE: UPDATE_DEVICE_CERTIFICATE_ACTIONS,
};

/** What the audit mitigation handler calls; none of these actions has a resource type. */
export const AUDIT_MITIGATION_HANDLER_ACTIONS = [
  'iot:StartAuditMitigationActionsTask',
  'iot:DescribeAuditMitigationActionsTask',
  'iot:DescribeAuditTask',
  'iot:ListAuditTasks',
];

/** What the AuditMitigationTask custom resource handler calls; none has a resource type. */
export const AUDIT_MITIGATION_TASK_HANDLER_ACTIONS = [
  'iot:StartAuditMitigationActionsTask',
  'iot:DescribeAuditMitigationActionsTask',
  'iot:CancelAuditMitigationActionsTask',
  'iot:ListAuditFindings',
];

/**
 * The detect mitigation handler starts tasks whose target is a list of violation ids.
 *
 * Granted on `*`, not on `securityprofile/<name>`. The IAM service authorization reference gives
 * iot:StartDetectMitigationActionsTask the securityprofile resource type as OPTIONAL (no asterisk):
 * IAM authorizes the call against a security profile's ARN only when the request names one (a
 * `securityProfileName` target). Our requests name violation ids only, so there is no security
 * profile ARN to match, and a statement limited to `securityprofile/<name>` would not allow them:
 * every call would be denied. The grant is `*` for this one action, which can only start detect
 * mitigation tasks with the actions the handler is configured with; nothing else is widened. Were
 * a call denied anyway (AccessDeniedException), the handler reports it as a permanent failure and
 * the construct's permanentFailureAlarm fires.
 */
export const DETECT_MITIGATION_START_ACTIONS = ['iot:StartDetectMitigationActionsTask'];
/** ...and confirms an existing task after TaskAlreadyExists (no resource type). */
export const DETECT_MITIGATION_DESCRIBE_ACTIONS = ['iot:DescribeDetectMitigationActionsTask'];
/** Why the detect handler's role has iot:StartDetectMitigationActionsTask on `*` (for its cdk-nag suppression). */
export const DETECT_MITIGATION_START_NOTE = 'iot:StartDetectMitigationActionsTask has the securityprofile resource type as optional only, '
  + 'and its requests name violation ids, not a security profile, so IAM authorizes them against *.';
