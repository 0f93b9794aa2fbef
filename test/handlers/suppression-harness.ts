import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { customResourceEvent } from './harness';
import { withSuppressionMarker } from '../../src/contract/suppression';

// What the AuditSuppression handler's test files share: CloudFormation events as the provider
// framework passes them, and the descriptions the handler writes.

export const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid';
export const OTHER_STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Other/guid-2';
export const CERT = 'a'.repeat(64);
export const CHECK = 'DEVICE_CERTIFICATE_SHARED_CHECK';
export const LOGICAL_ID = 'LabCertificate';
const DAY = 24 * 60 * 60 * 1000;
export const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();

export type Props = Record<string, unknown>;

/** The properties of a suppression of CERT's DEVICE_CERTIFICATE_SHARED_CHECK findings, indefinitely, with `extra`. */
export const certProps = (extra: Props = {}): Props => ({
  CheckName: CHECK, ResourceIdentifier: { deviceCertificateId: CERT }, SuppressIndefinitely: 'true', ...extra,
});

/** A CloudFormation event of stack STACK_ID for resource LOGICAL_ID (`extra` overrides), each with its own RequestId. */
export function suppressionEvent(type: 'Create' | 'Update' | 'Delete', props: Props, extra: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return customResourceEvent({ type: 'Custom::IotAuditSuppression', logicalId: LOGICAL_ID, stackId: STACK_ID }, type, props, extra);
}

/** The description the handler writes for resource `logicalId` of `stackId`: the user's description, a space, the marker. */
export function marked(description: string | undefined, logicalId = LOGICAL_ID, options: { stackId?: string; pending?: boolean } = {}): string {
  const owner = { stackId: options.stackId ?? STACK_ID, logicalResourceId: logicalId, pending: options.pending ?? false };
  return withSuppressionMarker(description, owner);
}

/** A Lambda context with `ms` milliseconds left (the handler's 2 minutes unless a test says otherwise). */
export function contextWith(ms = 120_000) {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}
