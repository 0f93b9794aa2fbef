// IAM actions of the roles this library defines, other than each mitigation action type's own
// (those are in the action type table, src/private/action-types.ts).

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

/** AWS IoT: assumes mitigation action roles, and is the only service a logging role may be passed to. */
export const IOT_SERVICE_PRINCIPAL = 'iot.amazonaws.com';

/** What publishing to a topic needs on the topic (a PUBLISH_FINDING_TO_SNS action, a handler's report topic). */
export const SNS_PUBLISH_ACTIONS = ['sns:Publish'];
/**
 * What publishing to a KMS-encrypted topic needs on its key: exactly these two, not
 * `kms:GenerateDataKey*` (which also allows GenerateDataKeyPair* and *WithoutPlaintext).
 */
export const TOPIC_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** What the audit mitigation handler calls; none of these actions has a resource type. */
export const AUDIT_MITIGATION_HANDLER_ACTIONS = [
  'iot:StartAuditMitigationActionsTask',
  'iot:DescribeAuditMitigationActionsTask',
  'iot:DescribeAuditTask',
  'iot:ListAuditTasks',
];

/**
 * What the AuditSuppression custom resource handler calls; none of these actions has a resource
 * type (a suppression is keyed by check and resource, not by an ARN).
 */
export const AUDIT_SUPPRESSION_HANDLER_ACTIONS = [
  'iot:CreateAuditSuppression',
  'iot:UpdateAuditSuppression',
  'iot:DeleteAuditSuppression',
  'iot:DescribeAuditSuppression',
];

/** What the AuditMitigationTask custom resource handler calls; none has a resource type. */
export const AUDIT_MITIGATION_TASK_HANDLER_ACTIONS = [
  'iot:StartAuditMitigationActionsTask',
  'iot:DescribeAuditMitigationActionsTask',
  'iot:CancelAuditMitigationActionsTask',
  'iot:ListAuditFindings',
];

/**
 * Turning on Device Defender's Security Hub integration asks AWS IoT whether the account has a
 * Detect security profile (ListSecurityProfiles, one result), to turn on the Detect product only then.
 *
 * Granted on `*`. The IAM service authorization reference gives iot:ListSecurityProfiles two
 * resource types, custommetric and dimension, both optional: IAM authorizes a request against them
 * only when it filters on a custom metric or a dimension. The request filters on neither, so there
 * is no ARN to name. The action only lists the profiles' names and ARNs.
 */
export const SECURITY_HUB_INTEGRATION_IOT_ACTIONS = ['iot:ListSecurityProfiles'];
/** Why iot:ListSecurityProfiles is granted on `*` (for a cdk-nag suppression). */
export const SECURITY_HUB_INTEGRATION_IOT_NOTE = 'iot:ListSecurityProfiles has the custommetric and dimension resource types as optional only, '
  + 'and its request filters on neither, so IAM authorizes it against *; it only lists security profiles.';

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

/**
 * The detect mitigation handler verifies each alert with ListActiveViolations for the configured
 * security profile before it starts anything.
 *
 * Granted on the profile's ARN and on `thing/*`. The IAM service authorization reference gives
 * iot:ListActiveViolations two resource types, securityprofile and thing, both optional: IAM
 * authorizes a request against the ARN of each resource it names. The handler's requests always
 * name the configured profile, and also the alert's thing when the alert names one (one lookup per
 * thing is bounded by the batch, a whole profile's list is not), and a thing is known only at run
 * time. The action only reads which violations are in alarm.
 */
export const DETECT_MITIGATION_VERIFY_ACTIONS = ['iot:ListActiveViolations'];
/** Why the detect handler's role has iot:ListActiveViolations on `thing/*` (for its cdk-nag suppression). */
export const DETECT_MITIGATION_VERIFY_NOTE = 'iot:ListActiveViolations names the configured security profile and the thing of the alert '
  + 'it verifies, a thing known only at run time; IAM authorizes it against both ARNs, and it only reads violations in alarm.';

/**
 * What the task follower calls: it lists and reads mitigation actions tasks, their executions and
 * the findings they applied to. None of these actions has a resource type.
 */
export const TASK_FOLLOWER_HANDLER_ACTIONS = [
  'iot:ListAuditMitigationActionsTasks',
  'iot:DescribeAuditMitigationActionsTask',
  'iot:ListAuditMitigationActionsExecutions',
  'iot:ListAuditFindings',
  'iot:DescribeAuditFinding',
  'iot:ListDetectMitigationActionsTasks',
  'iot:DescribeDetectMitigationActionsTask',
  'iot:ListDetectMitigationActionsExecutions',
];

/**
 * What an organization's mitigation hub does in a spoke with the spoke's role: what the audit
 * handler calls (it finds and starts tasks, and lists an audit's findings), what the task follower
 * reads of audit mitigation tasks (not detect ones: the hub mitigates audits only), and cancelling
 * a task it started. None of these actions has a resource type, and none passes a role
 * (StartAuditMitigationActionsTask takes no role: AWS IoT uses each mitigation action's own).
 */
export const SPOKE_ROLE_IOT_ACTIONS = [...new Set([
  ...AUDIT_MITIGATION_HANDLER_ACTIONS,
  'iot:ListAuditFindings',
  'iot:CancelAuditMitigationActionsTask',
  ...TASK_FOLLOWER_HANDLER_ACTIONS.filter((action) => !action.includes('Detect')),
])];

/** What the hub reads of a spoke's configuration parameter (a String parameter: no key to decrypt with). */
export const SPOKE_CONFIGURATION_ACTIONS = ['ssm:GetParameter'];

/** What the organization hub's functions (audit, task follower) do to reach a spoke: assume the spoke's role (scoped to the spoke role names). */
export const HUB_SPOKE_ROLE_ACTIONS = ['sts:AssumeRole'];
/** ...confirm a spoke topic's subscription to the hub's queue (scoped to the allowed accounts' topics). */
export const HUB_CONFIRM_ACTIONS = ['sns:ConfirmSubscription'];
/** ...and keep its registry of spokes: read one, write one, walk them all (the reconciler). */
export const HUB_REGISTRY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'];
/** ...and record each task it starts in the hub's task ledger (never read or overwrite one: the put is conditional). */
export const HUB_TASK_RECORD_ACTIONS = ['dynamodb:PutItem'];

/** What the hub's task follower reads of its ledger: the active tasks, on the ledger's active index. */
export const HUB_FOLLOWER_INDEX_ACTIONS = ['dynamodb:Scan'];
/** ...and what it writes there: claims, their release, and reported tasks (conditional updates of existing entries). */
export const HUB_FOLLOWER_LEDGER_ACTIONS = ['dynamodb:UpdateItem'];
