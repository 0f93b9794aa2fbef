import { CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { securityHubIntegrationProvider } from './provider';
import { SECURITY_HUB_INTEGRATION_PROPS as P, SECURITY_HUB_INTEGRATION_RESOURCE_TYPE } from '../contract/custom-resources';

/** What a construct that asks for the integration brings: where a failure to turn it on is reported. */
export interface IntegrationRequester {
  readonly reportTopic?: sns.ITopic;
  readonly eventBus?: events.IEventBus;
}

/**
 * Turns on AWS IoT Device Defender's integration with AWS Security Hub in the stack's account and
 * region: one `Custom::IotSecurityHubIntegration` resource per stack, at a fixed id, whatever number
 * of constructs ask for it (`SecurityHubIntegration.requestedBy`).
 *
 * The custom resource calls `EnableImportFindingsForProduct` rather than CloudFormation's
 * `AWS::SecurityHub::ProductSubscription`, which is documented for third-party products and would
 * fail where the integration is already on: it turns on what is off (the audit product, and the
 * Detect product where the account has a security profile), keeps what is on, and leaves everything
 * on when it is deleted, an undo that can never take findings away from a security team.
 *
 * A failure to turn it on (Security Hub not enabled there) fails the deployment with a message
 * saying what to do, and is reported to the report topic and event bus of the first construct that
 * asked with one; the provider's alarm notifies every asking construct's report topic.
 */
export class SecurityHubIntegration extends Construct {
  /** The construct id of the stack's one integration. */
  public static readonly ID = 'CdkDeviceDefenderSecurityHubIntegration';

  /** The stack's integration (defined on first request), with `requester`'s report topic and event bus added. */
  public static requestedBy(requester: Construct, use: IntegrationRequester = {}): SecurityHubIntegration {
    const stack = Stack.of(requester);
    const integration = (stack.node.tryFindChild(SecurityHubIntegration.ID) as SecurityHubIntegration | undefined)
      ?? new SecurityHubIntegration(stack, SecurityHubIntegration.ID);
    integration.add(use);
    return integration;
  }

  /** The custom resource. */
  public readonly resource: CustomResource;
  private readonly requesters: IntegrationRequester[] = [];

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const first = <T>(pick: (r: IntegrationRequester) => T | undefined): T | undefined =>
      this.requesters.map(pick).find((value) => value !== undefined);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: securityHubIntegrationProvider(this).serviceToken,
      resourceType: SECURITY_HUB_INTEGRATION_RESOURCE_TYPE,
      properties: {
        [P.PARTITION]: scope.partition,
        [P.ACCOUNT]: scope.account,
        [P.REGION]: scope.region,
        // Reporting only: an Update that changes only these turns nothing on that is not on.
        [P.MITIGATION_NAME]: this.node.path,
        [P.REPORT_TOPIC_ARN]: Lazy.string({ produce: () => first((r) => r.reportTopic)?.topicArn }),
        [P.EVENT_BUS_ARN]: Lazy.string({ produce: () => first((r) => r.eventBus)?.eventBusArn }),
      },
    });
  }

  /** A construct asks too: the provider's alarm notifies its report topic, and the function may put events on its bus. */
  private add(use: IntegrationRequester): void {
    this.requesters.push(use);
    securityHubIntegrationProvider(this.resource, use);
  }
}
