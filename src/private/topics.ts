import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PendingRole } from './action-types';
import { grantPublish } from './grants';

/** A topic AWS IoT publishes to: encrypted with a new KMS key (rotation on), TLS only. */
export function defineEncryptedTopic(scope: Construct, id: string, keyId: string, keyDescription: string): sns.Topic {
  return new sns.Topic(scope, id, {
    masterKey: new kms.Key(scope, keyId, { description: keyDescription, enableKeyRotation: true }),
    enforceSSL: true,
  });
}

/**
 * Lets only `role` publish to `topic`: an explicit Deny of sns:Publish for every principal whose
 * ARN is not the role's. A session of the role carries the role's ARN in `aws:PrincipalArn`, so
 * the Deny never applies to it; only sns:Publish is denied, so the topic's owner still manages
 * the topic (attributes, subscriptions, policy).
 */
export function allowOnlyPublisher(topic: sns.ITopic, role: iam.IRole): void {
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheIotRolePublishes',
    effect: iam.Effect.DENY,
    principals: [new iam.StarPrincipal()],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
  }));
}

/**
 * Lets only `topic` send to `queue`: an explicit Deny of sqs:SendMessage for every principal
 * unless the request comes from the topic (`aws:SourceArn`, which SNS sets when it delivers and
 * no caller can set). Without it, any principal whose identity policy allows sqs:SendMessage on
 * the queue could bypass the topic and its publisher restriction. Only sqs:SendMessage (which
 * also authorizes SendMessageBatch) is denied: the queue's owner still manages the queue, and its
 * consumer still receives and deletes messages.
 */
export function acceptOnlyFromTopic(queue: sqs.IQueue, topic: sns.ITopic): void {
  queue.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheSubscribedTopicSends',
    effect: iam.Effect.DENY,
    principals: [new iam.StarPrincipal()],
    actions: ['sqs:SendMessage'],
    resources: [queue.queueArn],
    conditions: { ArnNotEquals: { 'aws:SourceArn': topic.topicArn } },
  }));
}

/**
 * A role only `principal` (AWS IoT acting for one source, see `iotPrincipal`) can assume, allowed
 * to publish to `topic` (and to use its key, see `grantPublish`) by its inline policy. It has no
 * wildcard, so it needs no cdk-nag suppression; later grants land in its default policy.
 */
export function defineIotPublishRole(scope: Construct, id: string, description: string, principal: iam.IPrincipal, topic: sns.ITopic): iam.Role {
  const permissions = new PendingRole(`${scope.node.path}/${id}`);
  grantPublish(scope, topic, permissions);
  return new iam.Role(scope, id, {
    description,
    assumedBy: principal,
    inlinePolicies: { Permissions: new iam.PolicyDocument({ statements: permissions.statements }) },
  });
}
