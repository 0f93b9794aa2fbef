import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { SECURITY_HUB_INTEGRATION_PROPS as P } from '../../contract/custom-resources';
import { Effect, logLine } from '../shared/effects';
import type { IntegrationPlace, IntegrationResult } from '../shared/security-hub-integration';

// The Security Hub integration custom resource's decisions, pure: what a request asks for, and what
// is said about what was done. The handler (security-hub-integration.lambda.ts) does the I/O.

/** What the handler does for one request. */
export type IntegrationPlan =
  /** Create or Update: turn the integration on where the properties say. */
  | { readonly kind: 'turn-on'; readonly place: IntegrationPlace }
  /** Delete: nothing; the integration stays on. */
  | { readonly kind: 'leave-on'; readonly physicalResourceId: string };

const PATTERNS: Readonly<Record<keyof IntegrationPlace, { readonly prop: string; readonly pattern: RegExp; readonly allowed: string }>> = {
  partition: { prop: P.PARTITION, pattern: /^aws(-[a-z]+)*$/, allowed: 'an AWS partition (aws, aws-cn, aws-us-gov, ...)' },
  account: { prop: P.ACCOUNT, pattern: /^[0-9]{12}$/, allowed: 'an AWS account id, 12 digits' },
  region: { prop: P.REGION, pattern: /^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$/, allowed: 'an AWS region (eu-west-1, ...)' },
};

/** The physical id: one integration per account and region. */
export function integrationPhysicalId(place: IntegrationPlace): string {
  return `security-hub-integration:${place.account}:${place.region}`;
}

/**
 * What a request asks for. Throws, naming the property, when a Create's or an Update's properties
 * are not valid; a Delete never throws (it leaves the integration on, whatever the properties).
 */
export function planIntegrationRequest(event: CloudFormationCustomResourceEvent): IntegrationPlan {
  if (event.RequestType === 'Delete') { return { kind: 'leave-on', physicalResourceId: event.PhysicalResourceId }; }
  const properties = event.ResourceProperties as Record<string, unknown>;
  const read = (member: keyof IntegrationPlace): string => {
    const { prop, pattern, allowed } = PATTERNS[member];
    const value = properties[prop];
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new Error(`${event.LogicalResourceId}: invalid property ${prop} ${JSON.stringify(value)}: must be ${allowed}`);
    }
    return value;
  };
  return { kind: 'turn-on', place: { partition: read('partition'), account: read('account'), region: read('region') } };
}

/** What was done, as one log line: which products were turned on, were on already, or were left off (and why). */
export function decideTurnedOn(place: IntegrationPlace, result: IntegrationResult): Effect[] {
  return [logLine('INFO', result.turnedOn.length > 0 ? 'security-hub-integration-turned-on' : 'security-hub-integration-already-on', {
    account: place.account,
    region: place.region,
    turnedOn: result.turnedOn,
    alreadyOn: result.alreadyOn,
    leftOff: result.leftOff,
    ...(result.leftOff.includes('detect') ? { detect: 'left off: the account has no Device Defender Detect security profile in this region' } : {}),
  })];
}

/** A Delete: the integration stays on (turning it off could only take findings from a security team). */
export function decideLeftOn(physicalResourceId: string): Effect[] {
  return [logLine('INFO', 'security-hub-integration-left-on', {
    physicalResourceId, reason: 'a Delete never turns the integration off: Device Defender keeps sending findings to Security Hub',
  })];
}
