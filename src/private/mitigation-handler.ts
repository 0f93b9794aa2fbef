import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { defineDeadLetterAlarm, definePermanentFailureAlarm } from './alarms';
import { grantPublish, grantPutMitigationEvents } from './grants';
import { defineHandlerRole } from './handler-role';
import { addNagSuppressions, handlerRoleSuppressions, NagSuppression } from './nag';
import { acceptOnlyFromTopic } from './topics';

/** The function class projen generates for a handler (`src/handlers/<name>-function.ts`). */
export type HandlerFunctionClass = new (scope: Construct, id: string, props?: lambda.FunctionOptions) => lambda.Function;

/** What a mitigation construct says about its handler; the rest is the same for every one. */
export interface MitigationHandlerProps {
  /** The handler's generated function class. */
  readonly functionClass: HandlerFunctionClass;
  /** The function's description. */
  readonly description: string;
  /** The description of the function's role. */
  readonly roleDescription: string;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  /** The IAM actions the function needs, granted on `*` (see `defineHandlerRole`); none when empty. */
  readonly actions: string[];
  /**
   * The name of the function's role, when another account's trust policy names it.
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * Why `actions` are on `*`, for cdk-nag: the ones without a resource type, and a note on the others.
   *
   * @default - every action in `actions` has no resource type
   */
  readonly actionsOnStar?: { readonly withoutResourceType: string[]; readonly note: string };
  /** Gets reports (the function may publish to it) and the alarms' notifications. @default - none */
  readonly reportTopic?: sns.ITopic;
  /** Where the function puts its events. @default - the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /**
   * Grants the role more, on named resources, before it is sealed (statements added after that
   * land in a separate policy).
   *
   * @default - nothing more
   */
  readonly beforeSeal?: (role: iam.IRole, handler: MitigationHandler) => void;
}

/** The function is invoked asynchronously (a subscription, a schedule): an on-failure destination keeps what fails. */
export interface AsyncInvocation {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/**
 * The function reads an SQS queue it owns, whose redrive policy moves what keeps failing to the
 * dead-letter queue. Only `sender` may send to the queue: its policy denies sqs:SendMessage to
 * everyone else (`acceptOnlyFromTopic`), or `sender` writes the queue's policy itself.
 */
export interface QueueInvocation {
  /** The construct id of the queue. */
  readonly queueId: string;
  /**
   * The queue's name, when others must know it without a reference.
   *
   * @default - a name CloudFormation generates
   */
  readonly queueName?: string;
  /** The topic whose subscription delivers to the queue (the only sender the queue accepts), or what writes the queue's policy. */
  readonly sender: sns.ITopic | ((queue: sqs.Queue) => void);
  readonly maxReceiveCount: number;
  readonly batchSize: number;
  readonly maxBatchingWindow: Duration;
  readonly maxConcurrency: number;
}

const DEAD_LETTER_QUEUE_REASON = 'This queue is the dead-letter queue (of a subscription and an on-failure destination): '
  + 'what fails here is kept for 14 days for a person to inspect.';
const ON_FAILURE_REASON = 'Failed asynchronous invocations go to the on-failure destination (deadLetterQueue), which keeps the '
  + 'request and the error; a DeadLetterConfig would deliver them a second time.';
const REDRIVE_REASON = 'The function reads an SQS queue; messages it cannot process are retried by SQS and then moved to deadLetterQueue '
  + 'by the queue\'s redrive policy (on-failure destinations exist for stream event sources, not SQS).';

/**
 * The handler of `AuditMitigation` and `DetectMitigation`: its function, role and log group, the
 * dead-letter queue for what fails every retry, the dead-letter and permanent-failure alarms, and
 * the cdk-nag reasons for them.
 *
 * Not a construct: it defines its resources directly in the mitigation construct (`Handler`,
 * `HandlerRole`, `DeadLetterQueue`, ...), where they have always been, so their construct paths
 * and CloudFormation logical ids stay what deployed stacks already have. It defines them in the
 * order each construct always did, so the templates stay the same byte for byte (resource order,
 * policy statement order).
 */
export class MitigationHandler {
  /** A handler invoked asynchronously. */
  public static invokedAsynchronously(scope: Construct, props: MitigationHandlerProps, invocation: AsyncInvocation): MitigationHandler {
    return new MitigationHandler(scope, props, { kind: 'async', ...invocation });
  }

  /** A handler that reads a queue of its own (`sourceQueue`). */
  public static readingQueue(scope: Construct, props: MitigationHandlerProps, invocation: QueueInvocation): QueueMitigationHandler {
    return new MitigationHandler(scope, props, { kind: 'queue', ...invocation }) as QueueMitigationHandler;
  }

  public readonly function: lambda.Function;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  public readonly permanentFailureAlarm: cloudwatch.Alarm;
  /** The queue the function reads, for a handler `readingQueue`. */
  public readonly sourceQueue?: sqs.Queue;

  private constructor(scope: Construct, props: MitigationHandlerProps,
    invocation: ({ kind: 'async' } & AsyncInvocation) | ({ kind: 'queue' } & QueueInvocation)) {
    this.deadLetterQueue = defineDeadLetterQueue(scope, invocation.kind === 'queue');
    this.deadLetterAlarm = defineDeadLetterAlarm(scope, this.deadLetterQueue, props.reportTopic);
    let eventSource: sources.SqsEventSource | undefined;
    if (invocation.kind === 'queue') {
      this.sourceQueue = new sqs.Queue(scope, invocation.queueId, {
        queueName: invocation.queueName,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // AWS's advice for a Lambda event source: at least six times the function timeout.
        visibilityTimeout: Duration.seconds(props.timeout.toSeconds() * 6),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: invocation.maxReceiveCount },
      });
      if (typeof invocation.sender === 'function') { invocation.sender(this.sourceQueue); } else { acceptOnlyFromTopic(this.sourceQueue, invocation.sender); }
      eventSource = new sources.SqsEventSource(this.sourceQueue, {
        batchSize: invocation.batchSize,
        maxBatchingWindow: invocation.maxBatchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: invocation.maxConcurrency,
      });
    }

    const { role, logGroup } = defineHandlerRole(scope, props.roleDescription, props.actions, props.roleName);
    const fn = new props.functionClass(scope, 'Handler', {
      description: props.description,
      role,
      logGroup,
      timeout: props.timeout,
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      environment: props.environment,
      ...(invocation.kind === 'async' ? {
        onFailure: new destinations.SqsDestination(this.deadLetterQueue),
        retryAttempts: invocation.retryAttempts,
        maxEventAge: invocation.maxEventAge,
      } : {}),
    });
    this.function = fn;
    if (props.reportTopic) { grantPublish(scope, props.reportTopic, role); }
    // After the report topic's grant, so the role's statements keep their order.
    if (eventSource) { fn.addEventSource(eventSource); }
    this.permanentFailureAlarm = definePermanentFailureAlarm(scope, fn, props.reportTopic);
    grantPutMitigationEvents(scope, role, props.eventBus);

    props.beforeSeal?.(role, this);
    addNagSuppressions(role, handlerRoleSuppressions(props.actionsOnStar?.withoutResourceType ?? props.actions, props.actionsOnStar?.note));
    role.seal();
    if (invocation.kind === 'async') {
      addNagSuppressions(fn, [{ id: 'Serverless-LambdaDLQ', reason: ON_FAILURE_REASON }]);
    } else {
      addNagSuppressions(fn, [{ id: 'Serverless-LambdaDLQ', reason: REDRIVE_REASON }]);
      const mapping = fn.node.children.find((c) => c instanceof lambda.EventSourceMapping);
      if (mapping) { addNagSuppressions(mapping, [{ id: 'Serverless-LambdaEventSourceMappingDestination', reason: REDRIVE_REASON }]); }
    }
  }
}

/** A handler `readingQueue`: its queue is always defined. */
export type QueueMitigationHandler = MitigationHandler & { readonly sourceQueue: sqs.Queue };

/**
 * Where what fails every retry is kept for 14 days. `redriveTarget`: another queue of the construct
 * names it in its redrive policy, which is how cdk-nag recognizes a dead-letter queue (so it needs
 * no AwsSolutions-SQS3 suppression).
 */
function defineDeadLetterQueue(scope: Construct, redriveTarget: boolean): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const suppressions: NagSuppression[] = [
    ...(redriveTarget ? [] : [{ id: 'AwsSolutions-SQS3', reason: DEAD_LETTER_QUEUE_REASON }]),
    { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is the dead-letter queue; it has nowhere further to redrive to.' },
  ];
  addNagSuppressions(queue, suppressions);
  return queue;
}
