import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MitigationHandler } from './mitigation-handler';
import { HUB_FOLLOWER_INDEX_ACTIONS, HUB_FOLLOWER_LEDGER_ACTIONS } from './permissions';
import { HUB_ENV } from '../contract/environment';
import { HUB_TASK_LEDGER, hubRoleName } from '../contract/organization';
import { HubTaskFollowerFunction } from '../handlers/hub-task-follower-function';

/** The hub's follower's construct id, under the hub. */
export const HUB_FOLLOWER_ID = 'TaskFollower';

/** How often the hub's follower looks at the tasks it started (as the stack's follower does). */
const FOLLOW_INTERVAL = Duration.minutes(5);

/** What the hub's task follower needs of its hub. */
export interface HubTaskFollowerProps {
  /** The hub's ledger of the tasks it started (`HUB_TASK_LEDGER`, with its active index). */
  readonly ledger: dynamodb.ITable;
  /** The base name of the spokes' roles. */
  readonly spokeRoleName: string;
  /** The hub's path: the `Mitigation` of its reports. */
  readonly mitigation: string;
  /** Lets the follower's role assume the spokes' roles, as the hub's audit role may. */
  readonly grantSpokeRoles: (role: iam.IRole) => void;
  /** Gets the outcome of every task with a failed execution, and the follower's alarms. @default - none */
  readonly reportTopic?: sns.ITopic;
  /** Where the outcome events go. @default - the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /** Update the spokes' Security Hub findings of the tasks (with the spokes' roles). @default false */
  readonly securityHub?: boolean;
}

/**
 * The organization hub's task follower: every 5 minutes a function reads the hub's ledger of the
 * tasks it started in its spokes (the active ones only), assumes each spoke's role, and reports
 * each finished task once, with the spoke's account and region. Its role is named
 * `hubRoleName('follower', <region>)`, the name the spokes' roles trust, and may only assume the
 * spokes' roles, read the ledger's active index and update its entries, report and put events: what
 * it reads of the tasks, it reads with the spoke's role.
 */
export class HubTaskFollower extends Construct {
  public readonly handler: MitigationHandler;

  constructor(scope: Construct, id: string, props: HubTaskFollowerProps) {
    super(scope, id);
    const { ledger } = props;
    this.handler = MitigationHandler.invokedAsynchronously(this, {
      functionClass: HubTaskFollowerFunction,
      description: 'Reports how each AWS IoT Device Defender mitigation actions task the hub started in a spoke ended (cdk-device-defender hub)',
      roleDescription: 'Runs the cdk-device-defender hub\'s task follower: assumes the spokes\' roles to read the tasks the hub started',
      roleName: hubRoleName('follower', Stack.of(this).region),
      timeout: Duration.minutes(5),
      environment: {
        [HUB_ENV.TASK_LEDGER_TABLE]: ledger.tableName,
        [HUB_ENV.SPOKE_ROLE_NAME]: props.spokeRoleName,
        [HUB_ENV.MITIGATION]: props.mitigation,
        ...(props.reportTopic ? { [HUB_ENV.REPORT_TOPIC_ARN]: props.reportTopic.topicArn } : {}),
        ...(props.eventBus ? { [HUB_ENV.EVENT_BUS]: props.eventBus.eventBusArn } : {}),
        ...(props.securityHub ? { [HUB_ENV.SECURITY_HUB]: 'true' } : {}),
      },
      // Nothing on *: it reads the spokes' tasks only through their roles.
      actions: [],
      reportTopic: props.reportTopic,
      eventBus: props.eventBus,
      beforeSeal: (role) => {
        props.grantSpokeRoles(role);
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: HUB_FOLLOWER_INDEX_ACTIONS, resources: [`${ledger.tableArn}/index/${HUB_TASK_LEDGER.ACTIVE_INDEX}`],
        }));
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: HUB_FOLLOWER_LEDGER_ACTIONS, resources: [ledger.tableArn] }));
      },
    }, { retryAttempts: 0, maxEventAge: Duration.minutes(10) });
    // A run that fails is not retried by Lambda: the next run, 5 minutes later, does the same work
    // (the ledger skips what was reported), and the failure is counted and alarmed on.
    new events.Rule(this, 'Schedule', {
      description: 'Runs the cdk-device-defender hub\'s task follower',
      schedule: events.Schedule.rate(FOLLOW_INTERVAL),
      targets: [new targets.LambdaFunction(this.handler.function, {
        deadLetterQueue: this.handler.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.minutes(10),
      })],
    });
  }
}
