import { Lazy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from './contract/telemetry';
import { eventPublishersOf } from './private/grants';

/** Properties of a `MitigationEventBus`. */
export interface MitigationEventBusProps {
  /**
   * The event bus's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly eventBusName?: string;
}

/**
 * An event bus for the library's events that no one but the library's own functions can put
 * them on.
 *
 * The account's default bus accepts `PutEvents` from any principal of the account whose identity
 * policy allows it, so anyone such can put a forged event with source `cdk-device-defender` (a
 * "Mitigation Task Outcome" with zero failures, say). Give this bus as `eventBus` to the
 * mitigation constructs: its resource policy denies `events:PutEvents` of events with source
 * `cdk-device-defender` to every principal but the roles of this app's functions that were
 * granted to put events on it (the mitigation handlers, the task follower, the custom resource
 * providers), whatever their identity policies allow. Rules on this bus can then trust the
 * source.
 *
 * @resource AWS::Events::EventBus
 */
export class MitigationEventBus extends events.EventBus {
  constructor(scope: Construct, id: string, props: MitigationEventBusProps = {}) {
    super(scope, id, { eventBusName: props.eventBusName });
    // The roles are known only once every construct that uses the bus exists: resolve them late.
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyCdkDeviceDefenderFunctionsPutItsEvents',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [this.eventBusArn],
      conditions: {
        StringEquals: { 'events:source': EVENT_SOURCE },
        ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => eventPublishersOf(this).map((role) => role.roleArn) }) },
      },
    }));
    // With no publisher the condition would list no role, and deny no one: refuse it.
    this.node.addValidation({
      validate: () => eventPublishersOf(this).length > 0 ? [] : ['this MitigationEventBus is the eventBus of no '
        + 'mitigation construct (AuditMitigation, DetectMitigation, AuditMitigationTask, AuditSuppression), so its policy would name '
        + 'no role: give it as their eventBus, or remove it'],
    });
  }
}
