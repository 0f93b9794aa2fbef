import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HUB_ENV } from './contract/environment';
import {
  ACCOUNT_ID_PATTERN, HUB_QUEUE_NAME, HUB_REGISTRY, HUB_TASK_LEDGER, hubRoleName, spokeRoleNameIn,
} from './contract/organization';
import { METRICS } from './contract/telemetry';
import { MitigationHubFunction } from './handlers/mitigation-hub-function';
import { MitigationBase } from './mitigation-base';
import { IMitigationHubRef, MitigationHubAttributes } from './mitigation-hub-ref';
import { defineChecksExcludedAlarm } from './private/alarms';
import { hubRefFromAttributes } from './private/hub-ref';
import { HUB_FOLLOWER_ID, HubTaskFollower } from './private/hub-task-follower';
import { spokeMetric } from './private/metrics';
import { MitigationHandler } from './private/mitigation-handler';
import { IAM5, addNagSuppressions } from './private/nag';
import { HUB_CONFIRM_ACTIONS, HUB_REGISTRY_ACTIONS, HUB_SPOKE_ROLE_ACTIONS, HUB_TASK_RECORD_ACTIONS } from './private/permissions';
import { lookbackHours, reconcileSettings } from './private/reconcile';
import { invalid, refuse, validatePattern } from './private/validation';
import { SecurityHubOptions } from './security-hub-options';

/** The most accounts an allow list takes: each adds two ARNs to the audit role's inline policy (IAM allows 10,240 characters). */
const MAX_HUB_ACCOUNTS = 50;

/** Properties of a `MitigationHub`. */
export interface MitigationHubProps {
  /**
   * The AWS Organizations organization whose accounts' spokes the hub serves: its queue accepts
   * notifications only from SNS topics of the organization's accounts (`aws:SourceOrgID`), and its
   * role may assume only spoke roles of the organization's accounts (`aws:ResourceOrgID`). Give
   * this or `accounts`, not both.
   *
   * @default - none: `accounts` must be given
   */
  readonly organizationId?: string;

  /**
   * The accounts whose spokes the hub serves, for users without AWS Organizations (at most 50): its
   * queue accepts notifications only from SNS topics of these accounts (`aws:SourceAccount`), it
   * confirms the subscriptions of their topics only, and its role may assume spoke roles in these
   * accounts only. Give this or `organizationId`, not both.
   *
   * @default - none: `organizationId` must be given
   */
  readonly accounts?: string[];

  /**
   * The base name of the role each spoke defines for the hub: a spoke's role is
   * `<spokeRoleName>-<region>` (IAM is global, and a StackSet deploys one template to every
   * region). Give the spokes the same (`MitigationHub.fromHubAttributes()`).
   *
   * @default 'cdk-device-defender-spoke'
   */
  readonly spokeRoleName?: string;

  /**
   * A topic that receives a report of every plan, dry run, skipped check, registered spoke,
   * failure, and finished task with a failed execution, each with the spoke's account and region.
   *
   * @default - reports are written to the functions' logs only
   */
  readonly reportTopic?: sns.ITopic;

  /**
   * The event bus the library's events are put on (each with the spoke's `account` and `region`
   * in its detail); the functions may put events on this bus only.
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * Whether to define `executionsFailedAlarm` (any failed action execution of a task the hub
   * started, in any spoke) and `checksExcludedAlarm` (any check the blast-radius limit left out, in
   * any spoke). The dead-letter and permanent-failure alarms are always defined.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * How often the reconciler looks, in every registered spoke, for finished audits whose
   * notification never arrived.
   *
   * @default Duration.hours(1)
   */
  readonly reconcileInterval?: Duration;

  /**
   * How far back the reconciler looks in each spoke; a notification of an older audit starts nothing.
   *
   * @default Duration.days(1)
   */
  readonly reconcileLookback?: Duration;

  /**
   * Update the AWS Security Hub findings of the tasks the hub started, in each spoke's account and
   * region, when they finish (see `SecurityHubOptions`), with the spoke's role: give the spokes
   * `securityHub` too, so that their roles may. With `enableIntegration`, the hub also turns on
   * Device Defender's Security Hub integration in each spoke that allows it (its own
   * `securityHub.enableIntegration`), when it registers the spoke and on each reconciler run until it is on.
   *
   * @default - Security Hub is not touched
   */
  readonly securityHub?: SecurityHubOptions;
}

/**
 * An organization's audit mitigation hub: one runtime, in a security or tooling account and region,
 * for the `MitigationSpoke` of every member account and region.
 *
 * Each spoke's notification topic delivers to the hub's queue (named `cdk-device-defender-hub-notifications`,
 * encrypted, with a dead-letter queue; only SNS topics of the organization or of `accounts` may
 * send to it). The hub's function confirms the subscription of an allowed spoke's topic and
 * registers the spoke; on each notification of a registered spoke it assumes the spoke's role
 * (named `<spokeRoleName>-<region>`), reads the spoke's configuration and starts at most one audit
 * mitigation task in that account and region, as `AuditMitigation` does in its own. A scheduled
 * reconciler walks the registered spokes. A task follower (its role named for the spokes to trust)
 * reports each task the hub started once it has finished, as the stack's task follower does for
 * `AuditMitigation`. Reports, events and metrics name each spoke's account and region.
 *
 * Deploy the hub first, then the spokes, which need only its account and region
 * (`MitigationHub.fromHubAttributes()`): define the hub in a stack with an explicit account and region.
 */
export class MitigationHub extends MitigationBase implements IMitigationHubRef {
  /**
   * The hub a spoke acts for, from where it runs and how it names the spokes' roles: no reference
   * to the hub's stack, so a CloudFormation StackSet can deploy the spoke's template.
   */
  public static fromHubAttributes(scope: Construct, id: string, attrs: MitigationHubAttributes): IMitigationHubRef {
    return hubRefFromAttributes(scope, id, attrs);
  }

  public readonly hubAccount: string;
  public readonly hubRegion: string;
  public readonly organizationId?: string;
  public readonly spokeRoleName: string;
  public readonly hubQueueArn: string;
  public readonly hubAuditRoleArn: string;
  public readonly hubFollowerRoleArn: string;
  /** The accounts the hub serves (`accounts`); undefined with an organization. */
  public readonly accounts?: string[];
  /** The queue the spokes' topics deliver to. */
  public readonly queue: sqs.IQueue;
  /** The registry of confirmed spokes (partition key `spoke`: `<account>/<region>`). */
  public readonly registry: dynamodb.ITable;
  /**
   * The ledger of the tasks the hub started in its spokes, which its task follower reports on.
   * Partition key `task`, `<account>/<region>/<taskId>`. Items expire 91 days after they were last written.
   */
  public readonly taskLedger: dynamodb.ITable;
  /** What the hub does in its spokes' AWS Security Hub (`securityHub`); undefined when nothing. */
  public readonly securityHub?: SecurityHubOptions;
  /**
   * In alarm for 5 minutes after the blast-radius limit left a check out of a task in any spoke
   * (`metricChecksExcluded()` above 0). Undefined when `alarms` is false.
   */
  public readonly checksExcludedAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MitigationHubProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.accounts = props.accounts ? [...props.accounts] : undefined;
    this.checkMembership(props);
    // What a spoke derives from the hub's account and region, validated (organization id, spoke role name) as fromHubAttributes does.
    const reference = hubRefFromAttributes(this, 'Reference', {
      account: stack.account, region: stack.region, organizationId: props.organizationId, spokeRoleName: props.spokeRoleName,
    });
    this.hubAccount = reference.hubAccount;
    this.hubRegion = reference.hubRegion;
    this.organizationId = reference.organizationId;
    this.spokeRoleName = reference.spokeRoleName;
    this.hubQueueArn = reference.hubQueueArn;
    this.hubAuditRoleArn = reference.hubAuditRoleArn;
    this.hubFollowerRoleArn = reference.hubFollowerRoleArn;
    const { interval, lookback } = reconcileSettings(this, props);

    const registry = new dynamodb.Table(this, 'Registry', {
      partitionKey: { name: HUB_REGISTRY.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Kept: spokes register once, when the hub confirms their subscription; a new table would know none of them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.registry = registry;
    this.securityHub = props.securityHub;
    // The tasks the hub started, until its follower reported them: one table with a TTL, as the
    // stack follower's ledger, and a sparse index of the active ones (what the follower reads).
    const taskLedger = new dynamodb.Table(this, 'TaskLedger', {
      partitionKey: { name: HUB_TASK_LEDGER.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: HUB_TASK_LEDGER.TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    taskLedger.addGlobalSecondaryIndex({
      indexName: HUB_TASK_LEDGER.ACTIVE_INDEX,
      partitionKey: { name: HUB_TASK_LEDGER.ACTIVE_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.taskLedger = taskLedger;

    const handler = MitigationHandler.readingQueue(this, {
      functionClass: MitigationHubFunction,
      description: 'Mitigates the AWS IoT Device Defender audits of the organization\'s spokes (cdk-device-defender hub)',
      roleDescription: 'Runs the cdk-device-defender mitigation hub: assumes the spokes\' roles to mitigate their audits',
      roleName: hubRoleName('audit', stack.region),
      timeout: Duration.minutes(5),
      environment: {
        [HUB_ENV.REGISTRY_TABLE]: registry.tableName,
        [HUB_ENV.TASK_LEDGER_TABLE]: taskLedger.tableName,
        ...(this.accounts ? { [HUB_ENV.ACCOUNTS]: stack.toJsonString(this.accounts) } : {}),
        ...(props.organizationId ? { [HUB_ENV.ORGANIZATION_ID]: props.organizationId } : {}),
        [HUB_ENV.SPOKE_ROLE_NAME]: this.spokeRoleName,
        [HUB_ENV.MITIGATION]: this.node.path,
        [HUB_ENV.RECONCILE_LOOKBACK_HOURS]: lookbackHours(lookback),
        ...(props.reportTopic ? { [HUB_ENV.REPORT_TOPIC_ARN]: props.reportTopic.topicArn } : {}),
        ...(props.eventBus ? { [HUB_ENV.EVENT_BUS]: props.eventBus.eventBusArn } : {}),
        // The spokes' roles turn it on (a spoke allows it with its own securityHub.enableIntegration).
        ...(props.securityHub?.enableIntegration ? { [HUB_ENV.SECURITY_HUB_INTEGRATION]: 'true' } : {}),
      },
      // Nothing on *: the hub acts in AWS IoT only through the spokes' roles.
      actions: [],
      reportTopic: props.reportTopic,
      eventBus: props.eventBus,
      beforeSeal: (role, defined) => {
        this.grantSpokeAccess(role, { confirm: true });
        registry.grant(role, ...HUB_REGISTRY_ACTIONS);
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: HUB_TASK_RECORD_ACTIONS, resources: [taskLedger.tableArn] }));
        // The reconciler's runs (asynchronous) that fail every retry are kept too.
        defined.function.configureAsyncInvoke({
          onFailure: new destinations.SqsDestination(defined.deadLetterQueue), retryAttempts: 2, maxEventAge: Duration.hours(2),
        });
      },
    }, {
      queueId: 'Queue',
      queueName: HUB_QUEUE_NAME,
      sender: (queue) => this.acceptOnlySpokeTopics(queue),
      maxReceiveCount: 5,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      maxConcurrency: 5,
    });
    this.queue = handler.sourceQueue;
    // The tasks run in the spokes' accounts: the hub's own follower reports them (the stack's reads this account's tasks only).
    new HubTaskFollower(this, HUB_FOLLOWER_ID, {
      ledger: taskLedger,
      spokeRoleName: this.spokeRoleName,
      mitigation: this.node.path,
      grantSpokeRoles: (role) => this.grantSpokeAccess(role, { confirm: false }),
      reportTopic: props.reportTopic,
      eventBus: props.eventBus,
      securityHub: props.securityHub !== undefined,
    });
    this._wire({ handler, kind: 'audit', reportTopic: props.reportTopic, eventBus: props.eventBus, alarms: props.alarms ?? true, followTasks: false });
    if (props.alarms ?? true) {
      this.checksExcludedAlarm = defineChecksExcludedAlarm(this, this.metricChecksExcluded(), props.reportTopic);
    }

    new events.Rule(this, 'Reconciler', {
      description: 'Starts the mitigation task of any finished audit of a registered spoke whose notification was lost',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(handler.function, {
        deadLetterQueue: handler.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(2),
      })],
    });
  }

  /** Tasks the reconciler started for audits whose notification never arrived, in any spoke. Sum over 5 minutes. */
  public metricAuditsRecovered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.AUDITS_RECOVERED, props);
  }

  /** Checks the blast-radius limit left out of a task, in any spoke. Sum over 5 minutes. */
  public metricChecksExcluded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.CHECKS_EXCLUDED, props);
  }

  /**
   * A metric of one spoke, `spokeAccount` in `spokeRegion` (dimensions `Mitigation`, `Account` and `Region`): one of `TasksStarted`,
   * `DryRunPlans`, `AuditsRecovered`, `AuditsTooOld`, `FindingsFound`, `ChecksExcluded`,
   * `FindingsExcluded`, `PermanentFailures`, and the task follower's `TasksFinished`, `ExecutionsSucceeded`,
   * `ExecutionsFailed`, `ExecutionsSkipped`, `ExecutionsCanceled` and `FindingsMitigated`. By default the sum over 5 minutes.
   */
  public metricForSpoke(metricName: string, spokeAccount: string, spokeRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return spokeMetric(this, metricName, { account: spokeAccount, region: spokeRegion }, props);
  }

  /** Exactly one of `organizationId` and `accounts`, and an allow list of account ids. */
  private checkMembership(props: MitigationHubProps): void {
    if ((props.organizationId === undefined) === (props.accounts === undefined)) {
      refuse(this, `give exactly one of organizationId and accounts (got ${props.organizationId === undefined ? 'neither' : 'both'}): `
        + 'the organization whose accounts\' spokes the hub serves, or the list of those accounts');
    }
    if (!props.accounts) { return; }
    if (props.accounts.length === 0 || props.accounts.length > MAX_HUB_ACCOUNTS) {
      invalid(this, 'accounts', props.accounts, `must list 1 to ${MAX_HUB_ACCOUNTS} account ids (got ${props.accounts.length}); `
        + 'for more, use organizationId');
    }
    props.accounts.forEach((account) => validatePattern(this, 'accounts', account, ACCOUNT_ID_PATTERN, 'each must be an AWS account id, 12 digits'));
    const literal = props.accounts.filter((a) => !Token.isUnresolved(a));
    if (new Set(literal).size !== literal.length) { invalid(this, 'accounts', props.accounts, 'must not list an account twice'); }
  }

  /**
   * The queue's policy: only SNS may send, for topics of the organization (`aws:SourceOrgID`) or of
   * the allowed accounts (`aws:SourceAccount`); an explicit Deny of anything that is not an SNS
   * topic's delivery, so that no principal of this account can put a forged message on the queue
   * with an identity policy alone. (The queue also denies requests without TLS.)
   */
  private acceptOnlySpokeTopics(queue: sqs.Queue): void {
    const partition = Stack.of(this).partition;
    const anyTopic = `arn:${partition}:sns:*:*:*`;
    queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'SpokeTopicsDeliver',
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': anyTopic },
        StringEquals: this.accounts ? { 'aws:SourceAccount': this.accounts } : { 'aws:SourceOrgID': this.organizationId },
      },
    }));
    queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlySnsTopicsSend',
      effect: iam.Effect.DENY,
      principals: [new iam.StarPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnNotLike: { 'aws:SourceArn': anyTopic } },
    }));
  }

  /**
   * What a hub role may do for the spokes: assume a spoke role (`<spokeRoleName>-<any region>`)
   * and, with `confirm` (the audit role), confirm a topic's subscription, in the allowed accounts
   * only, or with an organization in its accounts only (`aws:ResourceOrgID`, the account that owns
   * the role or topic).
   */
  private grantSpokeAccess(role: iam.IRole, options: { readonly confirm: boolean }): void {
    const partition = Stack.of(this).partition;
    const roleName = spokeRoleNameIn(this.spokeRoleName, '*');
    const inAccounts = (arn: (account: string) => string) => (this.accounts
      ? { resources: this.accounts.map(arn) }
      : { resources: [arn('*')], conditions: { StringEquals: { 'aws:ResourceOrgID': this.organizationId } } });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: HUB_SPOKE_ROLE_ACTIONS, ...inAccounts((account) => `arn:${partition}:iam::${account}:role/${roleName}`),
    }));
    if (options.confirm) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: HUB_CONFIRM_ACTIONS, ...inAccounts((account) => `arn:${partition}:sns:*:${account}:*`),
      }));
    }
    addNagSuppressions(role, [{
      id: IAM5,
      reason: 'The spokes\' roles are named <spokeRoleName>-<region>, one per region a spoke is deployed to, and their topics are named by '
        + 'CloudFormation in each spoke: the grants name the spoke role name and the allowed accounts (or, with an organization, only its '
        + 'accounts through aws:ResourceOrgID), with the region left open.',
      appliesToRegex: [`/^Resource::arn:<AWS::Partition>:(iam::(\\d{12}|\\*):role\\/${escape(roleName)}|sns:\\*:(\\d{12}|\\*):\\*)$/`],
    }]);
  }
}

/** `text` with the characters a regular expression treats specially escaped. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
