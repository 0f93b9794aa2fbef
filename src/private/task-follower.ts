import { Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { ReportTopics } from './alarms';
import { grantPutMitigationEvents, grantUpdateSecurityHubFindings } from './grants';
import { HUB_FOLLOWER_ID, HubTaskFollower } from './hub-task-follower';
import { MitigationHandler } from './mitigation-handler';
import { TASK_FOLLOWER_HANDLER_ACTIONS } from './permissions';
import { FollowedMitigation, FOLLOWER_ENV, FOLLOWER_LEDGER } from '../contract/environment';
import { TaskKind } from '../contract/telemetry';
import { TaskFollowerFunction } from '../handlers/task-follower-function';

/** The follower's construct id, directly under the stack: one per stack. */
const FOLLOWER_ID = 'CdkDeviceDefenderTaskFollower';

/**
 * Lambda allows 4 KB of environment variables per function (names and values). The follower's other
 * variables (the table name, at most 255 characters, and the SDK's connection reuse) take less than
 * 400 bytes; the list of followed constructs gets the rest.
 */
const MAX_FOLLOWED_BYTES = 4096 - 400;
/** The longest a token in a followed entry can render to: a physical id `<prefix>:<count>`, a topic ARN. */
const TOKEN_LENGTH = { physicalResourceId: 16, reportTopicArn: 256, eventBusArn: 330 } as const;

/** How often the follower looks for finished tasks. */
const FOLLOW_INTERVAL = Duration.minutes(5);

/** What `TaskFollower.follow` needs to know of a mitigation construct. */
export interface FollowOptions {
  /** The mitigation construct: its path is the `Mitigation` dimension of the outcome's metrics and events. */
  readonly mitigation: IConstruct;
  readonly kind: TaskKind;
  /** Its tasks are `<taskIdPrefix>-...` (AuditMitigation, DetectMitigation). */
  readonly taskIdPrefix?: string;
  /** An AuditMitigationTask's physical id (a token): its tasks are `<prefix>-0` ... `<prefix>-<count-1>`. */
  readonly physicalResourceId?: string;
  /**
   * Gets a report of every outcome with failed executions, and the notifications of the follower's
   * dead-letter and permanent-failure alarms.
   */
  readonly reportTopic?: sns.ITopic;
  /** Where its outcome events go. @default - the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /** Update the Security Hub findings of its audit tasks when they finish. @default false */
  readonly securityHub?: boolean;
}

/**
 * The stack's task follower: every 5 minutes a function lists the mitigation actions tasks the
 * stack's mitigation constructs started, and reports each finished one ONCE (one EventBridge
 * event, the executions by outcome as metrics, one log line, and the report topic when something
 * failed). A DynamoDB table (the ledger) records which tasks were reported, so a second run, or
 * two runs at once, report nothing again.
 *
 * Why a follower of its own rather than the audit reconciler's run: AWS sends no notification when
 * a mitigation actions task ends, DetectMitigation and AuditMitigationTask have no scheduled run
 * of their own, one follower serves every mitigation construct of the stack, and its role only
 * reads tasks (the functions that start tasks keep their narrow roles).
 *
 * The ledger is a record of what was reported, not of what was done (AWS IoT keeps that): it is
 * destroyed with the stack, and its items expire 30 days after the report (DynamoDB TTL).
 */
export class TaskFollower extends Construct {
  /** The stack's follower, defined on first use. */
  public static of(scope: IConstruct): TaskFollower {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(FOLLOWER_ID) as TaskFollower | undefined) ?? new TaskFollower(stack, FOLLOWER_ID);
  }

  public readonly handler: MitigationHandler;
  public readonly ledger: dynamodb.Table;
  private readonly followed: FollowOptions[] = [];
  private readonly reportTopics: ReportTopics;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.ledger = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: FOLLOWER_LEDGER.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: FOLLOWER_LEDGER.TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.handler = MitigationHandler.invokedAsynchronously(this, {
      functionClass: TaskFollowerFunction,
      description: 'Reports how each AWS IoT Device Defender mitigation actions task of this stack ended (cdk-device-defender)',
      roleDescription: 'Runs the cdk-device-defender task follower: reads mitigation actions tasks, records reported ones',
      timeout: Duration.minutes(5),
      environment: {
        [FOLLOWER_ENV.TABLE_NAME]: this.ledger.tableName,
        [FOLLOWER_ENV.FOLLOWED]: Lazy.string({ produce: () => stack.toJsonString(this.followed.map(followedOf)) }),
      },
      actions: TASK_FOLLOWER_HANDLER_ACTIONS,
      beforeSeal: (role) => {
        this.ledger.grant(role, 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
      },
    }, { retryAttempts: 0, maxEventAge: Duration.minutes(10) });
    // The followed constructs' report topics: the function publishes outcomes to them, and the
    // alarms (what reaches the dead-letter queue, the follower's permanent failures) notify them.
    this.reportTopics = new ReportTopics(this, [this.handler.deadLetterAlarm, this.handler.permanentFailureAlarm], this.handler.function.role!);
    this.node.addValidation({ validate: () => this.tooManyFollowed() });
    // A run that fails is not retried by Lambda: the next run, 5 minutes later, does the same
    // work (the ledger skips what was reported), and the failure is counted and alarmed on.
    new events.Rule(this, 'Schedule', {
      description: 'Runs the cdk-device-defender task follower',
      schedule: events.Schedule.rate(FOLLOW_INTERVAL),
      targets: [new targets.LambdaFunction(this.handler.function, {
        deadLetterQueue: this.handler.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.minutes(10),
      })],
    });
  }

  /**
   * The followed list must fit the function's environment: estimated with every token at its
   * longest, since CloudFormation fills them in only at deployment.
   */
  private tooManyFollowed(): string[] {
    const bytes = this.followed.map((f) => JSON.stringify({
      ...followedOf(f),
      ...(f.physicalResourceId ? { physicalResourceId: 'x'.repeat(TOKEN_LENGTH.physicalResourceId) } : {}),
      ...(f.reportTopic ? { reportTopicArn: longest(f.reportTopic.topicArn, TOKEN_LENGTH.reportTopicArn) } : {}),
      ...(f.eventBus ? { eventBusArn: longest(f.eventBus.eventBusArn, TOKEN_LENGTH.eventBusArn) } : {}),
    }).length + 1).reduce((a, b) => a + b, 2);
    if (bytes <= MAX_FOLLOWED_BYTES) { return []; }
    return [`stack ${Stack.of(this).stackName} has ${this.followed.length} mitigation constructs `
      + `(AuditMitigation, DetectMitigation, AuditMitigationTask) whose tasks the task follower reports on; their list takes up to ${bytes} `
      + `bytes of the follower's environment, and Lambda allows 4 KB in all (at most ${MAX_FOLLOWED_BYTES} for the list): `
      + 'put some of them in another stack (each stack has its own follower), or use shorter construct paths'];
  }

  /** Reports the tasks of `options.mitigation` as they finish. */
  public follow(options: FollowOptions): void {
    this.followed.push(options);
    if (options.reportTopic) { this.reportTopics.add(options.reportTopic); }
    // The default bus is granted with the handler; every other bus when a construct names it (once per bus).
    if (options.eventBus) { grantPutMitigationEvents(this, this.handler.function.role!, options.eventBus); }
    if (options.securityHub) { grantUpdateSecurityHubFindings(this, this.handler.function.role!); }
  }
}

function followedOf(options: FollowOptions): FollowedMitigation {
  return {
    mitigation: options.mitigation.node.path,
    kind: options.kind,
    taskIdPrefix: options.taskIdPrefix,
    physicalResourceId: options.physicalResourceId,
    reportTopicArn: options.reportTopic?.topicArn,
    eventBusArn: options.eventBus?.eventBusArn,
    ...(options.securityHub ? { securityHub: true } : {}),
  };
}

/** A value as long as `value` will be: its own length, or `tokenLength` for a token. */
function longest(value: string, tokenLength: number): string {
  return 'x'.repeat(Token.isUnresolved(value) ? tokenLength : value.length);
}

/**
 * The alarms of the task follower that reports `mitigation`'s tasks (its dead-letter and
 * permanent-failure alarms): a hub's own follower, or the stack's; none when its tasks have none.
 */
export function followerAlarmsOf(mitigation: IConstruct): cloudwatch.IAlarm[] {
  const own = mitigation.node.tryFindChild(HUB_FOLLOWER_ID);
  const follower = own instanceof HubTaskFollower ? own : Stack.of(mitigation).node.tryFindChild(FOLLOWER_ID);
  return follower instanceof TaskFollower || follower instanceof HubTaskFollower
    ? [follower.handler.deadLetterAlarm, follower.handler.permanentFailureAlarm]
    : [];
}
