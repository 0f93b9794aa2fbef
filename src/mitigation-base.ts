import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { taskIdPrefixOf } from './contract/limits';
import { METRICS } from './contract/telemetry';
import { IMitigationAction } from './mitigation-action';
import { defineExecutionsFailedAlarm } from './private/alarms';
import { actionMetric, mitigationMetric } from './private/metrics';
import { MitigationHandler } from './private/mitigation-handler';
import { TaskFollower } from './private/task-follower';

/**
 * A mitigation construct (`AuditMitigation`, `DetectMitigation`, `MitigationHub`): a function that starts mitigation
 * actions tasks, where what it cannot process ends, the alarms on lost work and failed executions,
 * and the metrics it emits in namespace `CdkDeviceDefender`.
 */
export interface IMitigation extends IConstruct {
  /** The function that starts the mitigation tasks. */
  readonly handler: lambda.IFunction;
  /** What failed every retry (messages, invocations) ends up here. */
  readonly deadLetterQueue: sqs.IQueue;
  /** In alarm while `deadLetterQueue` holds messages; notifies the report topic when there is one. */
  readonly deadLetterAlarm: cloudwatch.IAlarm;
  /**
   * In alarm for 5 minutes after any permanent failure of the function: a failure no retry can fix,
   * which is therefore not retried and never reaches `deadLetterQueue`.
   */
  readonly permanentFailureAlarm: cloudwatch.IAlarm;
  /**
   * In alarm for 5 minutes after any failed action execution of this construct's tasks.
   *
   * @default - undefined when the construct's `alarms` is false
   */
  readonly executionsFailedAlarm?: cloudwatch.Alarm;

  /**
   * A metric this construct's function emits in namespace `CdkDeviceDefender`, with dimension
   * `Mitigation` = this construct's path. By default the sum over 5 minutes; `props` overrides it.
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /**
   * A metric for one mitigation action (dimensions `Mitigation` and `ActionName`): one of
   * `ExecutionsSucceeded`, `ExecutionsFailed`, `ExecutionsSkipped` and `ExecutionsCanceled`.
   */
  metricForAction(metricName: string, action: IMitigationAction, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Mitigation actions tasks started. Sum over 5 minutes. */
  metricTasksStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Tasks that finished and whose outcome was reported, once per task. Sum over 5 minutes. */
  metricTasksFinished(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Plans reported instead of started (`dryRun`). Sum over 5 minutes. */
  metricDryRunPlans(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Action executions of finished tasks that succeeded. Sum over 5 minutes. */
  metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Action executions of finished tasks that failed. Sum over 5 minutes. */
  metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Action executions of finished tasks that were skipped. Sum over 5 minutes. */
  metricExecutionsSkipped(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Action executions of finished tasks that were canceled. Sum over 5 minutes. */
  metricExecutionsCanceled(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Permanent failures of the function: mitigation not started and not retried. Sum over 5 minutes. */
  metricPermanentFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What a mitigation construct hands its base once its function is defined. */
interface MitigationWiring {
  readonly handler: MitigationHandler;
  readonly kind: 'audit' | 'detect';
  readonly reportTopic?: sns.ITopic;
  readonly eventBus?: events.IEventBus;
  /** Whether to define `executionsFailedAlarm`. */
  readonly alarms: boolean;
  /** Whether the stack's task follower reports the construct's tasks (false: they run in other accounts). @default true */
  readonly followTasks?: boolean;
  /** Whether the follower updates the Security Hub findings of the construct's tasks. @default false */
  readonly securityHub?: boolean;
}

/**
 * What `AuditMitigation` and `DetectMitigation` share: the function, its dead-letter queue, the
 * alarms and the metrics (as aws-sns's `TopicBase` holds what every topic shares).
 */
export abstract class MitigationBase extends Construct implements IMitigation {
  private wiring?: { readonly handler: MitigationHandler; readonly executionsFailedAlarm?: cloudwatch.Alarm };

  /** The function that starts the mitigation tasks. */
  public get handler(): lambda.IFunction {
    return this.wired().handler.function;
  }

  /** Notifications, alerts and invocations that failed every retry end up here. */
  public get deadLetterQueue(): sqs.IQueue {
    return this.wired().handler.deadLetterQueue;
  }

  /** In alarm while `deadLetterQueue` holds messages; notifies `reportTopic` when there is one. */
  public get deadLetterAlarm(): cloudwatch.IAlarm {
    return this.wired().handler.deadLetterAlarm;
  }

  /**
   * In alarm for 5 minutes after any permanent failure of the function: a failure no retry can fix
   * (a malformed message, an alert AWS IoT does not confirm as an active violation of the profile,
   * a request AWS IoT refuses such as AccessDenied or InvalidRequest, a broken configuration), which
   * is therefore not retried and never reaches `deadLetterQueue`. It watches
   * metric `PermanentFailures` (namespace `CdkDeviceDefender`, dimension `FunctionName`), which the
   * function writes in the embedded metric format with every permanent failure; notifies
   * `reportTopic` when there is one.
   */
  public get permanentFailureAlarm(): cloudwatch.IAlarm {
    return this.wired().handler.permanentFailureAlarm;
  }

  /**
   * In alarm for 5 minutes after any failed action execution of this construct's tasks
   * (`metricExecutionsFailed()` above 0); notifies `reportTopic` when there is one, and whatever you
   * add with `addAlarmAction()`. Undefined when `alarms` is false.
   */
  public get executionsFailedAlarm(): cloudwatch.Alarm | undefined {
    return this.wired().executionsFailedAlarm;
  }

  /**
   * A metric this construct's function emits in namespace `CdkDeviceDefender`, with dimension
   * `Mitigation` = this construct's path. By default the sum over 5 minutes; `props` overrides it.
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return mitigationMetric(this, metricName, props);
  }

  /**
   * A metric for one mitigation action (dimensions `Mitigation` and `ActionName`, the action's
   * name): one of `ExecutionsSucceeded`, `ExecutionsFailed`, `ExecutionsSkipped` and
   * `ExecutionsCanceled`. By default the sum over 5 minutes.
   */
  public metricForAction(metricName: string, action: IMitigationAction, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return actionMetric(this, metricName, action.mitigationActionName, props);
  }

  /** Mitigation actions tasks started (a retried start that finds its task is not counted). Sum over 5 minutes. */
  public metricTasksStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.TASKS_STARTED, props);
  }

  /** Tasks that finished and whose outcome was reported, once per task. Sum over 5 minutes. */
  public metricTasksFinished(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.TASKS_FINISHED, props);
  }

  /** Plans reported instead of started (`dryRun`). Sum over 5 minutes. */
  public metricDryRunPlans(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.DRY_RUN_PLANS, props);
  }

  /** Action executions of finished tasks that succeeded. Sum over 5 minutes. */
  public metricExecutionsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.EXECUTIONS_SUCCEEDED, props);
  }

  /** Action executions of finished tasks that failed. Sum over 5 minutes. */
  public metricExecutionsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.EXECUTIONS_FAILED, props);
  }

  /**
   * Action executions of finished tasks that were skipped (an earlier action failed for the finding
   * or violation). Sum over 5 minutes.
   */
  public metricExecutionsSkipped(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.EXECUTIONS_SKIPPED, props);
  }

  /** Action executions of finished tasks that were canceled. Sum over 5 minutes. */
  public metricExecutionsCanceled(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.EXECUTIONS_CANCELED, props);
  }

  /**
   * AWS Security Hub findings the task follower gave a note about a finished task (constructs with
   * `securityHub`), NOTIFIED ones included. Sum over 5 minutes.
   */
  public metricSecurityHubFindingsUpdated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.SECURITY_HUB_FINDINGS_UPDATED, props);
  }

  /** Of those, the findings moved from NEW to NOTIFIED (an action on them succeeded). Sum over 5 minutes. */
  public metricSecurityHubFindingsNotified(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.SECURITY_HUB_FINDINGS_NOTIFIED, props);
  }

  /** Permanent failures of the function: mitigation not started and not retried. Sum over 5 minutes. */
  public metricPermanentFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRICS.PERMANENT_FAILURES, props);
  }

  /**
   * Takes the construct's function, has the stack's follower report its tasks' outcomes (unless `followTasks` is false), and
   * defines `executionsFailedAlarm` unless `alarms` is false. Called once, by the constructor.
   *
   * @internal
   */
  protected _wire(wiring: MitigationWiring): void {
    // AWS says nothing when a task ends: the stack's follower reports each outcome once.
    if (wiring.followTasks ?? true) {
      TaskFollower.of(this).follow({
        mitigation: this,
        kind: wiring.kind,
        taskIdPrefix: taskIdPrefixOf(this.node.addr),
        reportTopic: wiring.reportTopic,
        eventBus: wiring.eventBus,
        securityHub: wiring.securityHub,
      });
    }
    const executionsFailedAlarm = wiring.alarms
      ? defineExecutionsFailedAlarm(this, this.metricExecutionsFailed(), wiring.reportTopic) : undefined;
    this.wiring = { handler: wiring.handler, executionsFailedAlarm };
  }

  private wired(): NonNullable<MitigationBase['wiring']> {
    if (!this.wiring) { throw new Error(`${this.node.path}: internal error: the mitigation's function is not defined yet`); }
    return this.wiring;
  }
}
