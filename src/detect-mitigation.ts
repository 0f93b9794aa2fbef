import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DETECT_ENV } from './contract/environment';
import { DETECT_ALERT_BATCH_SIZE, taskIdPrefixOf } from './contract/limits';
import { METRICS } from './contract/telemetry';
import { DetectMitigationFunction } from './handlers/detect-mitigation-function';
import { IMitigationAction } from './mitigation-action';
import { MitigationBase } from './mitigation-base';
import { detectActionTypes } from './private/action-types';
import { iotPrincipal } from './private/grants';
import { MitigationHandler } from './private/mitigation-handler';
import { addNagSuppressions, IAM5, iotWildcardFinding } from './private/nag';
import {
  DETECT_MITIGATION_DESCRIBE_ACTIONS, DETECT_MITIGATION_START_ACTIONS, DETECT_MITIGATION_START_NOTE, DETECT_MITIGATION_VERIFY_ACTIONS,
  DETECT_MITIGATION_VERIFY_NOTE,
} from './private/permissions';
import { MAX_ACTIONS_PER_CHECK } from './private/rules';
import { allowOnlyPublisher, defineEncryptedTopic, defineIotPublishRole } from './private/topics';
import { invalid, validatePattern } from './private/validation';

const BEHAVIOR_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;
/** The maximum concurrency of an SQS event source: AWS allows 2 to 1000. */
const MIN_MAX_CONCURRENCY = 2;
const MAX_MAX_CONCURRENCY = 1000;

/** Properties of a `DetectMitigation`. */
export interface DetectMitigationProps {
  /** The security profile whose violations to mitigate (`CfnSecurityProfile` or `CfnSecurityProfile.fromSecurityProfileName()`). */
  readonly securityProfile: iot.ISecurityProfileRef;

  /**
   * 1 to 5 ADD_THINGS_TO_THING_GROUP actions, applied in this order: the only action type
   * Device Defender applies to Detect alarms.
   */
  readonly actions: IMitigationAction[];

  /**
   * The topic the security profile's SNS alert target publishes violations to. Give it, with
   * `alertRole`, to the profile's `alertTargets`. A topic you pass keeps its own policy, so
   * restrict who may publish to it yourself.
   *
   * @default - a topic encrypted with a new KMS key (rotation on) that accepts only TLS, to which
   * only `alertRole` may publish
   */
  readonly alertTopic?: sns.ITopic;

  /**
   * Mitigate only violations of these behaviours (by behaviour name).
   *
   * @default - violations of every behaviour of the profile
   */
  readonly behaviors?: string[];

  /**
   * Report what would be started, start nothing.
   *
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * The most function instances the alert queue may invoke at once: 2 to 1000, the range AWS
   * allows for an SQS event source's maximum concurrency. Alerts beyond it wait in the queue
   * instead of being throttled, so a burst reaches StartDetectMitigationActionsTask at a bounded
   * rate and does not use up receive attempts (and end in `deadLetterQueue`) through throttling.
   *
   * @default 2
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
   */
  readonly maxConcurrency?: number;

  /**
   * A topic that receives a report of every started task, dry run and failure.
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
   * Whether to define `executionsFailedAlarm` (any failed action execution in 5 minutes), which a
   * person must act on. Turn it off to choose another threshold with
   * `metricExecutionsFailed().createAlarm()`. The dead-letter and permanent-failure alarms are
   * always defined: they are about mitigation that was lost.
   *
   * @default true
   */
  readonly alarms?: boolean;
}

/**
 * Quarantines devices when a Device Defender security profile raises an alarm: every in-alarm
 * violation is put through ADD_THINGS_TO_THING_GROUP actions within seconds, once.
 *
 * Alerts go from the topic to an SQS queue, so bursts are batched into detect mitigation actions
 * tasks of at most 25 violations; task ids derive from the violation ids, so redelivery starts
 * nothing twice; what keeps failing ends in `deadLetterQueue`. The queue accepts messages from the
 * alert topic only, and the function starts nothing for an alert before AWS IoT confirms it
 * (ListActiveViolations): the violation must be in alarm for `securityProfile`, and its thing and
 * behaviour are taken from AWS IoT's answer, not from the message. An alert that is not confirmed
 * is a permanent failure.
 *
 * AWS IoT Device Defender Detect is closed to new customers from 2026-08-31 (Audit is not affected).
 */
export class DetectMitigation extends MitigationBase {
  /** The topic the security profile publishes violation alerts to. */
  public readonly alertTopic: sns.ITopic;
  /** The role AWS IoT assumes to publish to `alertTopic` (for the security profile's `alertTargets`). */
  public readonly alertRole: iam.IRole;
  /** The queue between the alert topic and the function; its policy denies sqs:SendMessage to every other sender. */
  public readonly alertQueue: sqs.IQueue;
  /** Whether the handler only reports what it would start, starting nothing (`dryRun`, default false). */
  public readonly dryRun: boolean;

  private readonly actions: IMitigationAction[];

  constructor(scope: Construct, id: string, props: DetectMitigationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateActions(this, props.actions);
    let maxConcurrency = props.maxConcurrency ?? MIN_MAX_CONCURRENCY;
    if (!Token.isUnresolved(maxConcurrency)
      && (!Number.isInteger(maxConcurrency) || maxConcurrency < MIN_MAX_CONCURRENCY || maxConcurrency > MAX_MAX_CONCURRENCY)) {
      invalid(this, 'maxConcurrency', maxConcurrency,
        `must be a whole number from ${MIN_MAX_CONCURRENCY} to ${MAX_MAX_CONCURRENCY} (what AWS allows for an SQS event source)`);
      maxConcurrency = MIN_MAX_CONCURRENCY; // refused at synth; the event source below would throw on it now
    }
    if (props.behaviors) {
      if (props.behaviors.length === 0) { invalid(this, 'behaviors', [], 'give at least one behaviour name, or leave it out for all'); }
      for (const name of props.behaviors) {
        validatePattern(this, 'behaviors[]', name, BEHAVIOR_NAME_PATTERN, 'must match [a-zA-Z0-9:_-]{1,128}');
      }
    }

    const profileName = props.securityProfile.securityProfileRef.securityProfileName;
    // The alert role's trust policy names the profile, and the profile names the role in its
    // alert targets: use the profile's literal name, or the references would be circular.
    const literalName = literalProfileName(props.securityProfile);
    if (literalName === undefined) {
      Annotations.of(this).addWarningV2('cdk-device-defender:securityProfileName',
        'the security profile has no literal name, so the alert role trusts AWS IoT for any security profile of this account '
        + '(securityprofile/*); give the CfnSecurityProfile a securityProfileName to narrow it to this profile.');
    }
    const alertSourceArn = stack.formatArn({ service: 'iot', resource: 'securityprofile', resourceName: literalName ?? '*' });

    this.alertTopic = props.alertTopic
      ?? defineEncryptedTopic(this, 'AlertTopic', 'AlertKey', 'Encrypts AWS IoT Device Defender violation alerts');
    this.alertRole = defineIotPublishRole(this, 'AlertRole', 'Assumed by AWS IoT Device Defender to publish security profile alerts',
      iotPrincipal(this, alertSourceArn, 'pattern'), this.alertTopic);
    // Only that role may publish to the topic defined here; a topic passed in keeps the policy its owner gave it.
    if (!props.alertTopic) { allowOnlyPublisher(this.alertTopic, this.alertRole); }

    this.dryRun = props.dryRun ?? false;
    this.actions = [...props.actions];
    // StartDetectMitigationActionsTask on `*`: its securityprofile resource type is optional and our
    // requests name violation ids only (see DETECT_MITIGATION_START_ACTIONS).
    const handler = MitigationHandler.readingQueue(this, {
      functionClass: DetectMitigationFunction,
      description: 'Starts AWS IoT Device Defender detect mitigation actions tasks (cdk-device-defender)',
      roleDescription: 'Runs the AWS IoT Device Defender detect mitigation handler',
      timeout: Duration.minutes(1),
      environment: {
        [DETECT_ENV.SECURITY_PROFILE]: profileName,
        [DETECT_ENV.ACTIONS]: stack.toJsonString(this.actionNames),
        [DETECT_ENV.DRY_RUN]: String(this.dryRun),
        [DETECT_ENV.TASK_ID_PREFIX]: taskIdPrefixOf(this.node.addr),
        [DETECT_ENV.MITIGATION]: this.node.path,
        ...(props.behaviors ? { [DETECT_ENV.BEHAVIORS]: JSON.stringify(props.behaviors) } : {}),
        ...(props.reportTopic ? { [DETECT_ENV.REPORT_TOPIC_ARN]: props.reportTopic.topicArn } : {}),
        ...(props.eventBus ? { [DETECT_ENV.EVENT_BUS]: props.eventBus.eventBusArn } : {}),
      },
      actions: [...DETECT_MITIGATION_START_ACTIONS, ...DETECT_MITIGATION_DESCRIBE_ACTIONS],
      actionsOnStar: { withoutResourceType: DETECT_MITIGATION_DESCRIBE_ACTIONS, note: DETECT_MITIGATION_START_NOTE },
      reportTopic: props.reportTopic,
      eventBus: props.eventBus,
      // The handler verifies each alert against the profile's active violations (see DETECT_MITIGATION_VERIFY_ACTIONS).
      beforeSeal: (role) => role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: DETECT_MITIGATION_VERIFY_ACTIONS,
        resources: [
          stack.formatArn({ service: 'iot', resource: 'securityprofile', resourceName: profileName }),
          stack.formatArn({ service: 'iot', resource: 'thing', resourceName: '*' }),
        ],
      })),
    }, {
      queueId: 'AlertQueue',
      sender: this.alertTopic,
      maxReceiveCount: 5,
      batchSize: DETECT_ALERT_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(5),
      maxConcurrency,
    });
    addNagSuppressions(handler.function.role!, [{ id: IAM5, reason: DETECT_MITIGATION_VERIFY_NOTE, appliesToRegex: [iotWildcardFinding('thing')] }]);
    this.alertQueue = handler.sourceQueue;
    this._wire({ handler, kind: 'detect', reportTopic: props.reportTopic, eventBus: props.eventBus, alarms: props.alarms ?? true });
    this.alertTopic.addSubscription(new subscriptions.SqsSubscription(handler.sourceQueue, {
      rawMessageDelivery: true, deadLetterQueue: handler.deadLetterQueue,
    }));
  }

  /**
   * Always without data: Detect has no blast-radius limit, so no check is ever left out.
   *
   * @deprecated DetectMitigation never excludes checks, so this metric never has data; use
   * `AuditMitigation.metricChecksExcluded()` for audits.
   */
  public metricChecksExcluded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.CHECKS_EXCLUDED, props);
  }

  /**
   * The names of the actions applied to each violation, in order (`actions`). The name of an action
   * defined in this app is a token (it resolves to the action's `Ref`): compare it with
   * `action.mitigationActionName`, or resolve both with `Stack.of(this).resolve()`.
   */
  public get actionNames(): string[] {
    return this.actions.map((a) => a.mitigationActionName);
  }
}

/** The literal name of a security profile, when the app knows it at synth time. */
function literalProfileName(profile: iot.ISecurityProfileRef): string | undefined {
  const name = profile instanceof iot.CfnSecurityProfile ? profile.securityProfileName : profile.securityProfileRef.securityProfileName;
  return name !== undefined && !Token.isUnresolved(name) ? name : undefined;
}

function validateActions(scope: Construct, actions: IMitigationAction[]): void {
  const allowed = detectActionTypes();
  if (actions.length < 1 || actions.length > MAX_ACTIONS_PER_CHECK) {
    invalid(scope, 'actions', actions.map((a) => a.node.path), `must list 1 to ${MAX_ACTIONS_PER_CHECK} mitigation actions, got ${actions.length}`);
  }
  actions.forEach((action, i) => {
    if (actions.indexOf(action) !== i) {
      invalid(scope, 'actions', action.node.path, 'lists the same action twice');
    } else if (action.actionType === undefined) {
      invalid(scope, 'actions', action.node.path, 'has an unknown type; import it with '
        + 'MitigationAction.fromMitigationActionAttributes({ actionType }) so it can be checked');
    } else if (!allowed.includes(action.actionType)) {
      invalid(scope, 'actions', `${action.node.path} (${action.actionType})`,
        `Detect alarms accept ${allowed.join(', ')} actions only`);
    }
  });
}
