import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { AuditCheck } from './audit-check';
import { AuditMitigationRule } from './audit-mitigation-rule';
import { IAuditNotificationTarget } from './audit-notification-target';
import { AUDIT_ENV as ENV } from './contract/environment';
import { METRICS } from './contract/telemetry';
import { AuditMitigationFunction } from './handlers/audit-mitigation-function';
import { IMitigationAction } from './mitigation-action';
import { MitigationBase } from './mitigation-base';
import { defineChecksExcludedAlarm } from './private/alarms';
import { AuditPolicy } from './private/audit-policy';
import { refusedNotificationRoles, registerAuditMitigation, unnotified } from './private/audit-wiring';
import { auditConfigurationSourceArn, iotPrincipal } from './private/grants';
import { checkMetric } from './private/metrics';
import { MitigationHandler } from './private/mitigation-handler';
import { AUDIT_MITIGATION_HANDLER_ACTIONS } from './private/permissions';
import { lookbackHours, reconcileSettings } from './private/reconcile';
import { SecurityHubIntegration } from './private/security-hub-integration';
import { allowOnlyPublisher, defineEncryptedTopic, defineIotPublishRole } from './private/topics';
import { SecurityHubOptions } from './security-hub-options';

/** Properties of an `AuditMitigation`. */
export interface AuditMitigationProps {
  /**
   * The topic the account's audit configuration publishes audit-completion notifications to
   * (one per account and region). Wire it, with `notificationRole`, into your
   * `AccountAuditConfiguration`. A notification is only a trigger: the handler reads the
   * audit's status and counts with DescribeAuditTask. A topic you pass keeps its own policy, so
   * restrict who may publish to it yourself.
   *
   * @default - a topic encrypted with a new KMS key (rotation on) that accepts only TLS, to which
   * only `notificationRole` may publish
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Mitigate only audits started by these scheduled audits; more can be added with
   * `addScheduledAudit()`. Each is this library's `ScheduledAudit`, any `iot.IScheduledAuditRef`
   * (a `CfnScheduledAudit`), any construct whose default child is an `AWS::IoT::ScheduledAudit`
   * (aws-iot-alpha's `ScheduledAudit`), or one with a `scheduledAuditName` (aws-iot-alpha's
   * imported `IScheduledAudit`). When the app knows the checks of every one of them (all but
   * imports and token check lists), a rule for a check none of them runs is refused at synth
   * time, unless `includeOnDemandAudits` is set.
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
   * Plan and report, but start nothing. Use it to see what the rules would do to your fleet
   * before letting them act.
   *
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * The blast-radius limit: a check with more unsuppressed non-compliant resources than this
   * in one audit is left out of the mitigation task and reported, for a person to decide. The
   * count is DescribeAuditTask's (`nonCompliantResourcesCount` minus
   * `suppressedNonCompliantResourcesCount`), never the notification's.
   *
   * @default 100
   */
  readonly maxFindingsPerCheck?: number;

  /**
   * A topic that receives a report of every plan, dry run, skipped check and failure.
   *
   * @default - reports are written to the function's log only
   */
  readonly reportTopic?: sns.ITopic;

  /**
   * The event bus the library's events (task started, dry run, checks excluded, failed, task
   * outcome) are put on; the function may put events on this bus only. The account's default bus
   * accepts `PutEvents` from any principal of the account allowed `events:PutEvents`, so anyone
   * such can put an event with source `cdk-device-defender`: give a bus whose resource policy
   * allows only the library's roles if consumers act on these events (see the README).
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Which actions to apply to which checks. More can be added with `addRule()`.
   *
   * @default - none; at least one rule is needed before synthesis
   */
  readonly rules?: AuditMitigationRule[];

  /**
   * How often the reconciler looks for finished audits whose notification never arrived.
   *
   * @default Duration.hours(1)
   */
  readonly reconcileInterval?: Duration;

  /**
   * How far back the reconciler looks for finished audits without a mitigation task. Audits
   * that finished in this window before the construct was first deployed are mitigated too.
   *
   * @default Duration.days(1)
   */
  readonly reconcileLookback?: Duration;

  /**
   * Whether to define the alarms a person must act on: `executionsFailedAlarm` (any failed action
   * execution in 5 minutes) and `checksExcludedAlarm` (any check the blast-radius limit left out).
   * Turn them off to choose other thresholds with `metricExecutionsFailed().createAlarm()` and
   * `metricChecksExcluded().createAlarm()`. The dead-letter and permanent-failure alarms are always
   * defined: they are about mitigation that was lost.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Update the AWS Security Hub findings of this construct's tasks when they finish (see
   * `SecurityHubOptions`): the stack's task follower notes on each Device Defender finding the task
   * acted on what was done, and moves those still NEW whose action succeeded to NOTIFIED. Its role
   * gets `securityhub:GetFindings` and `securityhub:BatchUpdateFindings` on the account's hub in
   * this region, and is denied any other workflow status.
   *
   * @default - Security Hub is not touched
   */
  readonly securityHub?: SecurityHubOptions;
}

/**
 * Applies mitigation actions to the findings of AWS IoT Device Defender audits as soon as they
 * finish: one audit mitigation actions task per audit, covering every check that has a rule.
 *
 * Safety rails: `dryRun`, a per-check blast-radius limit, no action on suppressed findings.
 * Nothing is lost: the notification subscription and the function dead-letter what fails, and a
 * scheduled reconciler starts the task of any finished audit whose notification was dropped.
 * Task ids derive from the audit id, so no audit is ever mitigated twice.
 */
export class AuditMitigation extends MitigationBase implements IAuditNotificationTarget {
  /** The topic AWS IoT publishes audit-completion notifications to. */
  public readonly notificationTopic: sns.ITopic;
  /** The role AWS IoT assumes to publish to `notificationTopic` (for the account's audit configuration). */
  public readonly notificationRole: iam.IRole;
  /**
   * In alarm for 5 minutes after the blast-radius limit left a check out of a task
   * (`metricChecksExcluded()` above 0); notifies `reportTopic` when there is one, and whatever you
   * add with `addAlarmAction()`. Undefined when `alarms` is false.
   */
  public readonly checksExcludedAlarm?: cloudwatch.Alarm;
  /** Whether the handler only plans and reports, starting nothing (`dryRun`, default false). */
  public readonly dryRun: boolean;
  /**
   * The blast-radius limit: a check with more unsuppressed non-compliant resources than this in one
   * audit is left out of the task (`maxFindingsPerCheck`, default 100).
   */
  public readonly maxFindingsPerCheck: number;
  /** What the construct does in AWS Security Hub (`securityHub`); undefined when nothing. */
  public readonly securityHub?: SecurityHubOptions;

  /** The rules, the audits acted on and the safety rails, as the handler gets them. */
  private readonly policy: AuditPolicy;

  constructor(scope: Construct, id: string, props: AuditMitigationProps = {}) {
    super(scope, id);
    this.policy = new AuditPolicy(this, 'an AuditMitigation', props);
    this.maxFindingsPerCheck = this.policy.maxFindingsPerCheck;
    this.dryRun = this.policy.dryRun;
    const { interval, lookback } = reconcileSettings(this, props);

    // Audit notifications go to one topic per account and region: a second AuditMitigation must share it.
    const mitigationsHere = registerAuditMitigation(this);
    this.node.addValidation({ validate: () => unnotified(this, mitigationsHere) });

    this.notificationTopic = props.notificationTopic
      ?? defineEncryptedTopic(this, 'NotificationTopic', 'NotificationKey', 'Encrypts AWS IoT Device Defender audit notifications');
    // AWS IoT acts for the account's audit configuration: aws:SourceArn is exactly arn:<partition>:iot:<region>:<account>:
    this.notificationRole = defineIotPublishRole(this, 'NotificationRole', 'Assumed by AWS IoT Device Defender to publish audit notifications',
      iotPrincipal(this, auditConfigurationSourceArn(this), 'exact'), this.notificationTopic);
    // Only that role may publish to the topic defined here; a topic passed in keeps the policy its owner gave it.
    if (!props.notificationTopic) {
      allowOnlyPublisher(this.notificationTopic, this.notificationRole);
      this.node.addValidation({ validate: () => refusedNotificationRoles(this) });
    }

    // The policy's settings, with the reconciler's lookback before the mitigation's name (the order the template has always had).
    const { [ENV.MITIGATION]: mitigationName, ...settings } = this.policy.environment();
    const mitigationHandler = MitigationHandler.invokedAsynchronously(this, {
      functionClass: AuditMitigationFunction,
      description: 'Starts AWS IoT Device Defender audit mitigation actions tasks (cdk-device-defender)',
      roleDescription: 'Runs the AWS IoT Device Defender audit mitigation handler',
      timeout: Duration.minutes(5),
      environment: {
        ...settings,
        [ENV.RECONCILE_LOOKBACK_HOURS]: lookbackHours(lookback),
        [ENV.MITIGATION]: mitigationName,
        ...(props.eventBus ? { [ENV.EVENT_BUS]: props.eventBus.eventBusArn } : {}),
      },
      actions: AUDIT_MITIGATION_HANDLER_ACTIONS,
      reportTopic: props.reportTopic,
      eventBus: props.eventBus,
    }, { retryAttempts: 2, maxEventAge: Duration.hours(6) });
    const { function: handler, deadLetterQueue } = mitigationHandler;
    // The rules (and scheduled audits) may still grow through addRule() (addScheduledAudit()): rendered when the template is written.
    this.policy.bindTo(handler);
    if (props.scheduledAudits) {
      this.policy.restrictToScheduledAudits();
      props.scheduledAudits.forEach((audit) => this.addScheduledAudit(audit));
    }
    if (props.reportTopic) { handler.addEnvironment(ENV.REPORT_TOPIC_ARN, props.reportTopic.topicArn); }
    this.securityHub = props.securityHub;
    const securityHub = props.securityHub !== undefined;
    this._wire({ handler: mitigationHandler, kind: 'audit', reportTopic: props.reportTopic, eventBus: props.eventBus, alarms: props.alarms ?? true, securityHub });
    if (props.securityHub?.enableIntegration) {
      SecurityHubIntegration.requestedBy(this, { reportTopic: props.reportTopic, eventBus: props.eventBus });
    }
    if (props.alarms ?? true) {
      this.checksExcludedAlarm = defineChecksExcludedAlarm(this, this.metricChecksExcluded(), props.reportTopic);
    }

    this.notificationTopic.addSubscription(new subscriptions.LambdaSubscription(handler, { deadLetterQueue }));
    new events.Rule(this, 'Reconciler', {
      description: 'Starts the mitigation task of any finished audit whose notification was lost',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(handler, { deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(2) })],
    });
  }

  /**
   * Mitigates audits started by `audit` too (as `scheduledAudits` does). Once a scheduled audit is
   * given, only the audits of the scheduled audits given are mitigated (and on-demand audits
   * when `includeOnDemandAudits` is set).
   *
   * `audit` is this library's `ScheduledAudit`, any `iot.IScheduledAuditRef` (a
   * `CfnScheduledAudit`), any construct whose default child is an `AWS::IoT::ScheduledAudit`
   * (aws-iot-alpha's `ScheduledAudit`), or one with a `scheduledAuditName` (aws-iot-alpha's
   * imported `IScheduledAudit`); anything else is refused.
   */
  public addScheduledAudit(audit: IConstruct): void {
    this.policy.addScheduledAudit(audit);
  }

  /**
   * Applies `actions`, in this order, to the non-compliant findings of `check`. Refuses, at synth
   * time, an action type the check does not support, more than 5 actions, none, the same check
   * twice, and an imported action of unknown type.
   */
  public addRule(check: AuditCheck, actions: IMitigationAction[]): void {
    this.policy.ruleSet.add(check, actions);
  }

  /**
   * The rules so far, as the handler gets them: each audit check that has a rule, with the names
   * of its actions in the order they apply (the API's `auditCheckToActionsMapping`). Each read
   * returns a new map, without the rules `addRule()` adds later.
   *
   * The name of an action defined in this app is a token (it resolves to the action's `Ref`), so
   * compare it with `action.mitigationActionName`, or resolve both with `Stack.of(this).resolve()`;
   * an imported action's name is the name you gave.
   */
  public get rules(): { [check: string]: string[] } {
    return this.policy.ruleSet.toMapping();
  }

  /**
   * A metric for one audit check (dimensions `Mitigation` and `CheckName`): one of `ChecksExcluded`,
   * `FindingsFound`, `FindingsMitigated`, `FindingsExcluded`, `ExecutionsSucceeded`,
   * `ExecutionsFailed`, `ExecutionsSkipped` and `ExecutionsCanceled` (the executions of the check's
   * actions). By default the sum over 5 minutes.
   */
  public metricForCheck(metricName: string, check: AuditCheck, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return checkMetric(this, metricName, check, props);
  }

  /** Tasks the reconciler started for audits whose notification never arrived. Sum over 5 minutes. */
  public metricAuditsRecovered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.AUDITS_RECOVERED, props);
  }

  /**
   * Checks the blast-radius limit (`maxFindingsPerCheck`) left out of a task, one per check per
   * audit. Sum over 5 minutes; `metricForCheck('ChecksExcluded', check)` for one check.
   */
  public metricChecksExcluded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.CHECKS_EXCLUDED, props);
  }

  /** Unsuppressed non-compliant findings of the checks with a rule, per audit handled. Sum over 5 minutes. */
  public metricFindingsFound(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.FINDINGS_FOUND, props);
  }

  /** Findings every action of their check succeeded on (from finished tasks). Sum over 5 minutes. */
  public metricFindingsMitigated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.FINDINGS_MITIGATED, props);
  }

  /** Findings of the checks the blast-radius limit left out. Sum over 5 minutes. */
  public metricFindingsExcluded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.FINDINGS_EXCLUDED, props);
  }
}
