import { IoTClient, ListSecurityProfilesCommand } from '@aws-sdk/client-iot';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { errorMessage, errorName, PermanentError } from './errors';
import { DEVICE_DEFENDER_PRODUCTS, DeviceDefenderProduct, deviceDefenderProductArn } from '../../contract/security-hub';

// Turning on AWS IoT Device Defender's integration with AWS Security Hub ("Accept findings") in one
// account and region (the Security Hub integration custom resource in its own, the organization
// hub in each spoke with the spoke's role), with EnableImportFindingsForProduct: CloudFormation's
// AWS::SecurityHub::ProductSubscription is documented for third-party products, and a create where
// the integration is already on would fail. So: ask which products are on first (no call when they
// are), take ResourceConflictException as "already on" (another caller won the race), and never
// turn anything off.

/** Where the integration is turned on: the account's hub in one region. */
export interface IntegrationPlace {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

/** What `turnOnDeviceDefenderIntegration` found and did, by product. */
export interface IntegrationResult {
  /** Turned on by this call. */
  readonly turnedOn: DeviceDefenderProduct[];
  /** On before this call (listed, or another caller turned it on meanwhile). */
  readonly alreadyOn: DeviceDefenderProduct[];
  /** Left off: Detect, in an account without a security profile. */
  readonly leftOff: DeviceDefenderProduct[];
}

/**
 * Security Hub is not enabled in the account and region (it answers InvalidAccessException): the
 * integration cannot be turned on there until someone enables it. No retry fixes that.
 */
export class SecurityHubNotEnabledError extends PermanentError {
  constructor(place: IntegrationPlace, cause: unknown) {
    super('SecurityHubNotEnabled', `AWS Security Hub is not enabled in account ${place.account}, region ${place.region} `
      + `(${errorName(cause)}: ${errorMessage(cause)}), so AWS IoT Device Defender's Security Hub integration cannot be turned on there: `
      + 'enable Security Hub in that account and region, or turn off securityHub.enableIntegration');
  }
}

/** The clients it calls, with credentials for the place's account and region. */
export interface IntegrationClients {
  readonly securityHub: SecurityHubClient;
  readonly iot: IoTClient;
}

/** The Device Defender products among the product subscriptions ListEnabledProductsForImport answers. */
export function productsOn(subscriptionArns: readonly string[]): Set<DeviceDefenderProduct> {
  return new Set(DEVICE_DEFENDER_PRODUCTS.filter((product) =>
    subscriptionArns.some((arn) => arn.endsWith(`:product-subscription/aws/iot-device-defender-${product}`))));
}

/**
 * Turns on the integration in `place`: the audit product always, the Detect product where the
 * account has a Detect security profile (a security profile of its own is what Detect needs to send
 * anything). Throws `SecurityHubNotEnabledError` where Security Hub is not enabled; any other
 * failure as the SDK answered it (after its retries).
 */
export async function turnOnDeviceDefenderIntegration(clients: IntegrationClients, place: IntegrationPlace,
  abortSignal?: AbortSignal): Promise<IntegrationResult> {
  // Loaded on first use (require, not import(): the Lambda runtime's SDK is found through NODE_PATH, which
  // only require uses), so that the organization hub's function loads it only when it is asked to.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk: typeof import('@aws-sdk/client-securityhub') = require('@aws-sdk/client-securityhub');
  const { EnableImportFindingsForProductCommand, ListEnabledProductsForImportCommand } = sdk;
  const securityHub = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw errorName(error) === 'InvalidAccessException' ? new SecurityHubNotEnabledError(place, error) : error;
    }
  };
  const subscriptions: string[] = [];
  let nextToken: string | undefined;
  do {
    const request = new ListEnabledProductsForImportCommand({ NextToken: nextToken });
    const page = await securityHub(() => clients.securityHub.send(request, { abortSignal }));
    subscriptions.push(...page.ProductSubscriptions ?? []);
    nextToken = page.NextToken;
  } while (nextToken);
  const on = productsOn(subscriptions);
  const result: IntegrationResult = { turnedOn: [], alreadyOn: [], leftOff: [] };
  for (const product of DEVICE_DEFENDER_PRODUCTS) {
    if (on.has(product)) {
      result.alreadyOn.push(product);
    } else if (product === 'detect' && !await hasSecurityProfile(clients.iot, abortSignal)) {
      result.leftOff.push(product);
    } else {
      const ProductArn = deviceDefenderProductArn(place.partition, place.region, product);
      const outcome = await securityHub(async () => {
        try {
          await clients.securityHub.send(new EnableImportFindingsForProductCommand({ ProductArn }), { abortSignal });
          return 'turned-on';
        } catch (error) {
          if (errorName(error) === 'ResourceConflictException') { return 'already-on'; }
          throw error;
        }
      });
      (outcome === 'turned-on' ? result.turnedOn : result.alreadyOn).push(product);
    }
  }
  return result;
}

/** Whether the account has a Device Defender Detect security profile in the client's region (one is enough). */
async function hasSecurityProfile(iot: IoTClient, abortSignal?: AbortSignal): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListSecurityProfilesCommand({ maxResults: 1, nextToken }), { abortSignal });
    if ((page.securityProfileIdentifiers ?? []).length > 0) { return true; }
    nextToken = page.nextToken;
  } while (nextToken);
  return false;
}
