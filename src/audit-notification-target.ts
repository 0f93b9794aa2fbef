import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * Where an account's audit configuration sends a notification when an audit finishes: a topic,
 * and the role AWS IoT assumes to publish to it. `AuditMitigation` (which acts on the audit in the
 * account) and `MitigationSpoke` (which forwards it to an organization's mitigation hub) are such
 * targets; give one to `AuditConfiguration` as its `mitigation`.
 */
export interface IAuditNotificationTarget extends IConstruct {
  /** The topic AWS IoT publishes audit-completion notifications to. */
  readonly notificationTopic: sns.ITopic;
  /** The role AWS IoT assumes to publish to `notificationTopic`. */
  readonly notificationRole: iam.IRole;
}
