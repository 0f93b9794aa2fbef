import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IDependable } from 'constructs';
import { GrantTarget, grantActionType, rolePathOf } from './action-types';
import {
  ENABLE_INTEGRATION_ACTIONS, UPDATE_FINDINGS_ACTIONS, WORKFLOW_STATUS_CONDITION_KEY, WORKFLOW_STATUSES_NEVER_SET,
} from '../contract/security-hub';
import { EVENT_SOURCE } from '../contract/telemetry';
import { MitigationActionType } from '../mitigation-action-type';
import { IOT_SERVICE_PRINCIPAL, TOPIC_KEY_ACTIONS } from './permissions';

/**
 * How a trust policy compares `aws:SourceArn`: `exact` for a value AWS documents as one string
 * (StringEquals), `pattern` when the value may contain `*` (ArnLike).
 */
export type SourceArnMatch = 'exact' | 'pattern';

/**
 * `iot.amazonaws.com` as a literal: what a `ServicePrincipal` token resolves to for this service in
 * every region and partition, without a token per role to resolve at synth. One instance for all
 * (each `fromStaticServicePrincipleName` call defines a class, which costs more than the token).
 */
let iotStaticPrincipal: iam.ServicePrincipal | undefined;

/**
 * `iot.amazonaws.com`, only when acting for `sourceArn` in the scope's account (confused-deputy
 * safe: `aws:SourceAccount` and `aws:SourceArn` together, as Device Defender's guide asks).
 */
export function iotPrincipal(scope: Construct, sourceArn: string, match: SourceArnMatch): iam.PrincipalWithConditions {
  const account = Stack.of(scope).account;
  const conditions = match === 'exact'
    ? { StringEquals: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn } }
    : { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sourceArn } };
  iotStaticPrincipal ??= iam.ServicePrincipal.fromStaticServicePrincipleName(IOT_SERVICE_PRINCIPAL);
  return new iam.PrincipalWithConditions(iotStaticPrincipal, conditions);
}

/**
 * `arn:<partition>:iot:<region>:<account>:`, exactly: the `aws:SourceArn` of AWS IoT acting for the
 * account's audit configuration (the audit role and the audit notification role).
 */
export function auditConfigurationSourceArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'iot', resource: '' });
}

/**
 * What the app knows about a topic's KMS key: none (unencrypted), the key (its ARN, and the `IKey`
 * when there is one), or unknown (an imported topic, or a key the app cannot resolve).
 */
export type TopicKey =
  | { readonly kind: 'none' }
  | { readonly kind: 'key'; readonly keyArn: string; readonly key?: kms.IKey }
  | { readonly kind: 'unknown' };

const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-zA-Z0-9-]+$/;

/**
 * The key of `topic` as far as the app can tell: its `masterKey`; for a topic defined in the app
 * without one, none; for a CfnTopic, its `kmsMasterKeyId` when that is a literal key ARN; unknown
 * for anything else (an imported topic, a key given by alias or id).
 */
export function topicKeyOf(topic: sns.ITopicRef): TopicKey {
  const masterKey = (topic as Partial<sns.ITopic>).masterKey;
  if (masterKey) { return { kind: 'key', keyArn: masterKey.keyArn, key: masterKey }; }
  // A topic defined in this app (Topic or CfnTopic) shows whether it has a key; an imported one does not.
  const cfn = sns.CfnTopic.isCfnTopic(topic) ? topic : topic.node.defaultChild;
  if (cfn && sns.CfnTopic.isCfnTopic(cfn)) {
    const keyId = cfn.kmsMasterKeyId;
    if (keyId === undefined) { return { kind: 'none' }; }
    return !Token.isUnresolved(keyId) && KEY_ARN.test(keyId) ? { kind: 'key', keyArn: keyId } : { kind: 'unknown' };
  }
  return { kind: 'unknown' };
}

/** `sns.<region>.<url suffix>`: the key may only be used through SNS in the topic's region. */
function snsViaService(topic: sns.ITopicRef): string {
  return `sns.${topic.env.region}.${Stack.of(topic).urlSuffix}`;
}

/**
 * Allows `role` to publish to `topic`: `sns:Publish` on the topic and, when it is encrypted with a
 * key the app can see, exactly `kms:GenerateDataKey` and `kms:Decrypt` on that key, only through
 * SNS (`kms:ViaService`). When the app cannot see whether the topic has a key (an imported topic),
 * `scope` gets a warning naming the key permissions to grant.
 */
export function grantPublish(scope: Construct, topic: sns.ITopicRef, role: GrantTarget): void {
  const key = topicKeyOf(topic);
  // The statements of a PUBLISH_FINDING_TO_SNS action, for any role that publishes to a topic.
  grantActionType(scope, role, MitigationActionType.PUBLISH_FINDING_TO_SNS, {
    topic: [topic.topicRef.topicArn],
    ...(key.kind === 'key' ? { topicKey: [key.keyArn], snsService: [snsViaService(topic)] } : {}),
  });
  if (key.kind === 'unknown') {
    warnUnknownTopicKey(scope, topic, role);
  }
}

/** The id of the warning about a topic key the app cannot grant on. */
export const ENCRYPTED_TOPIC_KEY_WARNING = 'cdk-device-defender:encryptedTopicKey';

/**
 * Warns that `role` publishes to a topic whose key the app cannot see, naming what to grant if the
 * topic turns out to be encrypted with a customer managed key.
 */
function warnUnknownTopicKey(scope: Construct, topic: sns.ITopicRef, role: GrantTarget): void {
  Annotations.of(scope).addWarningV2(ENCRYPTED_TOPIC_KEY_WARNING,
    `role ${rolePathOf(role)} publishes to topic ${topic.node.path}, whose KMS key this app cannot see (an imported topic, or a key not given as a literal key ARN). `
    + `If the topic is encrypted with a customer managed KMS key, grant the role ${TOPIC_KEY_ACTIONS.join(' and ')} on that key `
    + '(condition kms:ViaService = sns.<region>.amazonaws.com), or import the topic with '
    + 'sns.Topic.fromTopicAttributes({ topicArn, keyArn }) so that they are granted.');
}

/**
 * The roles granted to put the library's events on each bus, in grant order, with what their grant
 * can be depended on by (for `MitigationEventBus`'s policy, and so each role is granted once per bus).
 */
const publishers = new WeakMap<events.IEventBus, Map<iam.IRole, IDependable | undefined>>();

/** The roles `grantPutMitigationEvents` let put the library's events on `eventBus`, in grant order. */
export function eventPublishersOf(eventBus: events.IEventBus): iam.IRole[] {
  return [...publishers.get(eventBus)?.keys() ?? []];
}

/**
 * Lets `role` put the library's events (`events:PutEvents`) on `eventBus` (by default the account's
 * default event bus), with source `cdk-device-defender` only (`events:source` condition): the
 * function cannot pose as another source, AWS services' `aws.*` sources included, nor put events
 * on any other bus. A role is granted once per bus: granting again returns the first grant. Returns
 * what a resource that needs the grant in place can depend on.
 */
export function grantPutMitigationEvents(scope: Construct, role: iam.IRole, eventBus?: events.IEventBus): IDependable | undefined {
  const granted = eventBus ? publishers.get(eventBus) ?? new Map<iam.IRole, IDependable | undefined>() : undefined;
  if (granted?.has(role)) { return granted.get(role); }
  const dependable = role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['events:PutEvents'],
    resources: [eventBus?.eventBusArn ?? Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
  })).policyDependable;
  if (eventBus && granted) { publishers.set(eventBus, granted.set(role, dependable)); }
  return dependable;
}

/** The roles already granted `grantUpdateSecurityHubFindings`. */
const securityHubUpdaters = new WeakSet<iam.IRole>();

/**
 * Lets `role` find and update the AWS Security Hub findings of its account and region
 * (`securityhub:GetFindings`, `securityhub:BatchUpdateFindings` on the account's hub in the stack's
 * region), and denies it every workflow status but NOTIFIED (`securityhub:ASFFSyntaxPath/Workflow.Status`):
 * a note, or NOTIFIED, is all it may write. Granted once per role.
 */
export function grantUpdateSecurityHubFindings(scope: Construct, role: iam.IRole): void {
  if (securityHubUpdaters.has(role)) { return; }
  securityHubUpdaters.add(role);
  const hub = accountHubArn(scope);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: UPDATE_FINDINGS_ACTIONS, resources: [hub] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['securityhub:BatchUpdateFindings'],
    resources: [hub],
    conditions: { StringEquals: { [WORKFLOW_STATUS_CONDITION_KEY]: WORKFLOW_STATUSES_NEVER_SET } },
  }));
}

/**
 * What turning on Device Defender's Security Hub integration may do in Security Hub: list the
 * products whose findings are imported and turn one on, on the account's hub in the stack's region
 * (`hub/default`), the only resource type IAM authorizes these two actions against (it has no
 * condition key for the product, so which product cannot be narrowed). The integration's other
 * action, iot:ListSecurityProfiles, can only be on `*` (`SECURITY_HUB_INTEGRATION_IOT_ACTIONS`).
 */
export function securityHubIntegrationStatement(scope: Construct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ENABLE_INTEGRATION_ACTIONS,
    resources: [accountHubArn(scope)],
  });
}

/** The account's Security Hub in the stack's region (`hub/default`): what IAM authorizes the library's Security Hub actions against. */
function accountHubArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'securityhub', resource: 'hub', resourceName: 'default' });
}
