import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditMitigationRule } from './audit-mitigation-rule';
import { IAuditNotificationTarget } from './audit-notification-target';
import { SPOKE_CONFIG_PARAMETER, spokeRoleNameIn } from './contract/organization';
import { IMitigationAction } from './mitigation-action';
import { IMitigationHubRef } from './mitigation-hub-ref';
import { AuditPolicy } from './private/audit-policy';
import { refusedNotificationRoles, registerAuditMitigation, unnotified } from './private/audit-wiring';
import { AppRegistry, describeEnvironment, environmentKey } from './private/environment';
import { auditConfigurationSourceArn, grantUpdateSecurityHubFindings, iotPrincipal, securityHubIntegrationStatement } from './private/grants';
import { InlinePolicyRole } from './private/inline-policy-role';
import { ANY_RESOURCE_FINDING, IAM5, addNagSuppressions } from './private/nag';
import {
  SECURITY_HUB_INTEGRATION_IOT_ACTIONS, SECURITY_HUB_INTEGRATION_IOT_NOTE, SPOKE_CONFIGURATION_ACTIONS, SPOKE_ROLE_IOT_ACTIONS,
} from './private/permissions';
import { allowOnlyPublisher, defineEncryptedTopic, defineIotPublishRole } from './private/topics';
import { refuse } from './private/validation';
import { SecurityHubOptions } from './security-hub-options';

/** Properties of a `MitigationSpoke`. */
export interface MitigationSpokeProps {
  /**
   * The organization's mitigation hub that acts on this account's audits: get it with
   * `MitigationHub.fromHubAttributes()`, which needs only the hub's account and region (and its
   * organization and spoke role name, if the hub has them), never a reference to the hub's stack.
   */
  readonly hub: IMitigationHubRef;

  /**
   * Which actions the hub applies to which checks' findings in this account. More can be added
   * with `addRule()`.
   *
   * @default - none; at least one rule is needed before synthesis
   */
  readonly rules?: AuditMitigationRule[];

  /**
   * Mitigate only audits started by these scheduled audits; more can be added with
   * `addScheduledAudit()`. Each is this library's `ScheduledAudit`, any `iot.IScheduledAuditRef`,
   * any construct whose default child is an `AWS::IoT::ScheduledAudit`, or one with a
   * `scheduledAuditName`. As with `AuditMitigation`, a rule for a check none of them runs is
   * refused at synth time when the app knows their checks, unless `includeOnDemandAudits` is set.
   *
   * @default - every scheduled audit
   */
  readonly scheduledAudits?: IConstruct[];

  /**
   * Whether to mitigate on-demand audits too.
   *
   * @default false
   */
  readonly includeOnDemandAudits?: boolean;

  /**
   * The hub plans and reports this account's mitigation, but starts nothing.
   *
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * The blast-radius limit: a check with more unsuppressed non-compliant resources than this in one
   * audit is left out of the task and reported (counts from DescribeAuditTask, as `AuditMitigation`).
   *
   * @default 100
   */
  readonly maxFindingsPerCheck?: number;

  /**
   * Let the hub update this account's AWS Security Hub findings of the tasks it started (a hub with
   * `securityHub`): the spoke's role gets `securityhub:GetFindings` and
   * `securityhub:BatchUpdateFindings` on the account's hub in this region, and is denied any other
   * workflow status than NOTIFIED. With `enableIntegration`, the role may also turn on Device
   * Defender's Security Hub integration, which the hub does when its own `enableIntegration` is set
   * (a spoke has no function of its own).
   *
   * @default - the hub may not touch this account's Security Hub
   */
  readonly securityHub?: SecurityHubOptions;
}

/** The MitigationSpokes of each environment, per app. */
const spokes = new AppRegistry<IConstruct>();

/**
 * The member-account side of an organization's audit mitigation: the account's policy (rules,
 * scheduled audits, dry run, blast-radius limit) and what lets the organization's `MitigationHub`
 * act on its audits, with no runtime of its own.
 *
 * It defines CloudFormation resources only, no Lambda function, custom resource or asset, so
 * a service-managed CloudFormation StackSet can deploy it to every account and region: the
 * notification topic the account's audit configuration publishes to (encrypted, only
 * `notificationRole` may publish) and that role; a subscription of the topic to the hub's queue
 * (the hub confirms it); the policy as a JSON SSM parameter; and the role the hub assumes, named
 * with the region, trusting only the hub's roles, allowed only what mitigation needs here.
 *
 * Wire it like an `AuditMitigation`: `new AuditConfiguration(this, 'AuditConfiguration', { mitigation: spoke })`.
 * Its rules are checked at synth as `AuditMitigation`'s are. One per account and region.
 */
export class MitigationSpoke extends Construct implements IAuditNotificationTarget {
  /** The hub that acts on this account's audits. */
  public readonly hub: IMitigationHubRef;
  /** The topic AWS IoT publishes audit-completion notifications to; it delivers them to the hub's queue. */
  public readonly notificationTopic: sns.ITopic;
  /** The role AWS IoT assumes to publish to `notificationTopic` (for the account's audit configuration). */
  public readonly notificationRole: iam.IRole;
  /** The role the hub assumes to act in this account and region. */
  public readonly spokeRole: iam.IRole;
  /** The name of `spokeRole`: the hub's `spokeRoleName`, a hyphen and this stack's region. */
  public readonly spokeRoleName: string;
  /** The SSM parameter that holds this spoke's policy as JSON, which the hub reads with `spokeRole`. */
  public readonly configurationParameter: ssm.IStringParameter;
  /** Whether the hub only plans and reports for this account, starting nothing (`dryRun`, default false). */
  public readonly dryRun: boolean;
  /** The blast-radius limit (`maxFindingsPerCheck`, default 100). */
  public readonly maxFindingsPerCheck: number;

  private readonly policy: AuditPolicy;

  constructor(scope: Construct, id: string, props: MitigationSpokeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.hub = props.hub;
    this.policy = new AuditPolicy(this, 'a MitigationSpoke', props);
    this.dryRun = this.policy.dryRun;
    this.maxFindingsPerCheck = this.policy.maxFindingsPerCheck;
    if (props.scheduledAudits) {
      this.policy.restrictToScheduledAudits();
      props.scheduledAudits.forEach((audit) => this.addScheduledAudit(audit));
    }

    const others = spokes.add(environmentKey(this), this).filter((other) => other !== this);
    if (others.length > 0) {
      refuse(this, `${describeEnvironment(this)} already have a MitigationSpoke, ${others[0].node.path}; the hub reads one configuration `
        + `(${SPOKE_CONFIG_PARAMETER}) and assumes one role per account and region: define one spoke and give it every rule`);
    }
    // AWS IoT notifies one topic per account and region: an AuditMitigation beside the spoke is told which one hears.
    const mitigationsHere = registerAuditMitigation(this);
    this.node.addValidation({
      validate: () => unnotified(this, mitigationsHere, 'MitigationSpoke', (wired) => '(AWS IoT notifies one topic per account and '
        + `region): give the audit configuration this spoke as its mitigation, or move the spoke's rules into ${wired} with addRule()`),
    });

    this.notificationTopic = defineEncryptedTopic(this, 'NotificationTopic', 'NotificationKey', 'Encrypts AWS IoT Device Defender audit notifications');
    // AWS IoT acts for the account's audit configuration: aws:SourceArn is exactly arn:<partition>:iot:<region>:<account>:
    this.notificationRole = defineIotPublishRole(this, 'NotificationRole', 'Assumed by AWS IoT Device Defender to publish audit notifications',
      iotPrincipal(this, auditConfigurationSourceArn(this), 'exact'), this.notificationTopic);
    allowOnlyPublisher(this.notificationTopic, this.notificationRole);
    this.node.addValidation({ validate: () => refusedNotificationRoles(this, false) });

    // The hub needs the envelope (TopicArn names the spoke's account and region; SubscribeURL, Token), so no raw delivery.
    const subscription = new sns.Subscription(this, 'HubSubscription', {
      topic: this.notificationTopic,
      protocol: sns.SubscriptionProtocol.SQS,
      endpoint: props.hub.hubQueueArn,
      rawMessageDelivery: false,
    });
    addNagSuppressions(subscription, [{
      id: 'Serverless-SNSRedrivePolicy',
      reason: 'A notification SNS cannot deliver to the hub\'s queue is not lost: the hub\'s reconciler lists each registered spoke\'s finished '
        + 'audits with the spoke role and starts the missing tasks. A dead-letter queue here would sit in a member account nobody watches.',
    }]);

    this.configurationParameter = new ssm.StringParameter(this, 'Configuration', {
      parameterName: SPOKE_CONFIG_PARAMETER,
      description: 'cdk-device-defender: the audit mitigation policy of this account and region, read by the organization\'s mitigation hub',
      // The rules and scheduled audits may still grow through addRule() and addScheduledAudit(): rendered when the template is written.
      stringValue: Lazy.string({ produce: () => stack.toJsonString(this.policy.toSpokeConfig()) }),
      // Standard (free) while the document fits 4 KB, Advanced beyond.
      tier: ssm.ParameterTier.INTELLIGENT_TIERING,
    });
    this.node.addValidation({ validate: () => this.oversizedConfiguration() });

    this.spokeRoleName = spokeRoleNameIn(props.hub.spokeRoleName, stack.region);
    this.spokeRole = this.defineSpokeRole(props.hub, props.securityHub);
  }

  /**
   * Has the hub apply `actions`, in this order, to the non-compliant findings of `check` in this
   * account. Refuses, at synth time, what `AuditMitigation.addRule()` refuses.
   */
  public addRule(check: AuditCheck, actions: IMitigationAction[]): void {
    this.policy.ruleSet.add(check, actions);
  }

  /**
   * Mitigates audits started by `audit` too (as `scheduledAudits` does). Once a scheduled audit is
   * given, only the audits of the scheduled audits given are mitigated (and on-demand audits when
   * `includeOnDemandAudits` is set). Anything but a scheduled audit is refused.
   */
  public addScheduledAudit(audit: IConstruct): void {
    this.policy.addScheduledAudit(audit);
  }

  /**
   * The rules so far, as the hub gets them: each audit check that has a rule, with the names of its
   * actions in the order they apply. Each read returns a new map.
   */
  public get rules(): { [check: string]: string[] } {
    return this.policy.ruleSet.toMapping();
  }

  /**
   * The role the hub assumes. Trust: the hub's account, only for sessions of the hub's audit and
   * follower roles by exact ARN (`aws:PrincipalArn`), and of its organization when it has one. The
   * role ARNs are a condition rather than principals because IAM refuses a trust policy naming a
   * role that does not exist yet (a spoke may be deployed before its hub), and would silently stop
   * matching a hub role that is deleted and defined again.
   */
  private defineSpokeRole(hub: IMitigationHubRef, securityHub?: SecurityHubOptions): iam.IRole {
    const stack = Stack.of(this);
    const role = new InlinePolicyRole(this, 'SpokeRole', {
      roleName: this.spokeRoleName,
      description: 'Assumed by the cdk-device-defender mitigation hub to mitigate the audits of this account and region',
      assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(hub.hubAccount), {
        ArnEquals: { 'aws:PrincipalArn': [hub.hubAuditRoleArn, hub.hubFollowerRoleArn] },
        ...(hub.organizationId !== undefined ? { StringEquals: { 'aws:PrincipalOrgID': hub.organizationId } } : {}),
      }),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: SPOKE_CONFIGURATION_ACTIONS,
      resources: [this.configurationParameter.parameterArn],
    }));
    // IAM is global: without the region condition the role would act on IoT in every region of the account.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: SPOKE_ROLE_IOT_ACTIONS,
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
    }));
    if (securityHub) { grantUpdateSecurityHubFindings(this, role); }
    const integration = securityHub?.enableIntegration ?? false;
    if (integration) {
      // The hub turns on Device Defender's Security Hub integration here with this role (a spoke has no function of its own).
      role.addToPrincipalPolicy(securityHubIntegrationStatement(this));
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: SECURITY_HUB_INTEGRATION_IOT_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
      }));
    }
    role.seal();
    addNagSuppressions(role, [{
      id: IAM5,
      reason: `${SPOKE_ROLE_IOT_ACTIONS.join(', ')} have no resource type in the IAM service authorization reference, so they can only be `
        + 'granted on *; the statement is limited to this stack\'s region (aws:RequestedRegion), and only the hub\'s roles may assume the role.'
        + (integration ? ` ${SECURITY_HUB_INTEGRATION_IOT_NOTE} It is limited to this stack's region too.` : ''),
      appliesToRegex: [ANY_RESOURCE_FINDING],
    }]);
    return role;
  }

  /**
   * An SSM parameter holds at most 8 KB (Advanced tier). The document's length counts each name
   * that is a token (a defined action's, resolved at deployment) as empty: a lower bound.
   */
  private oversizedConfiguration(): string[] {
    const MAX_ADVANCED_PARAMETER = 8192;
    const length = JSON.stringify(this.policy.toSpokeConfig(), (_key, value) =>
      typeof value === 'string' && Token.isUnresolved(value) ? '' : value).length;
    return length > MAX_ADVANCED_PARAMETER
      ? [`the spoke's configuration is at least ${length} characters, more than an SSM parameter holds (${MAX_ADVANCED_PARAMETER}): `
        + 'use fewer rules or actions, or shorter action names']
      : [];
  }
}
