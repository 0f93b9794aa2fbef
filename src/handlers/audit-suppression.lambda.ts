import {
  CreateAuditSuppressionCommand, DeleteAuditSuppressionCommand, DescribeAuditSuppressionCommand, UpdateAuditSuppressionCommand,
} from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { PERMANENT_FAILURE_EVENT } from '../contract';
import { planSuppressionRequest, SuppressionProps } from './shared/audit-suppression-plan';
import { createIotClient, errorMessage, errorName } from './shared/iot-tasks';
import { log } from './shared/log';

export { parseSuppressionProps, suppressionPhysicalId } from './shared/audit-suppression-plan';

const iot = createIotClient();

interface Response {
  readonly PhysicalResourceId: string;
}

/**
 * Creates, updates and deletes an AWS IoT Device Defender audit finding suppression for
 * CloudFormation. The physical id encodes the suppression's key (check and resource): the same key
 * is updated in place, a new key is a new suppression (CloudFormation deletes the old one).
 *
 * A Create whose suppression exists already (made in the console, by the CLI or by another
 * resource) is refused, never adopted: adopting would let this stack's Delete remove a suppression
 * someone else decided on. Delete of a suppression that is gone already succeeds.
 *
 * Parse and decide (`planSuppressionRequest`, pure), then act: the I/O is here.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<Response> {
  const plan = planSuppressionRequest(event);
  switch (plan.kind) {
    case 'create':
      await create(plan.props, plan.clientRequestToken);
      log('INFO', 'created', { physicalResourceId: plan.physicalResourceId, checkName: plan.props.checkName });
      return { PhysicalResourceId: plan.physicalResourceId };
    case 'update':
      await update(plan.props, plan.clientRequestToken);
      return { PhysicalResourceId: plan.physicalResourceId };
    case 'delete':
      await remove(plan.props);
      return { PhysicalResourceId: plan.physicalResourceId };
    case 'nothing-to-delete':
      log('INFO', 'nothing-to-delete', { physicalResourceId: plan.physicalResourceId, reason: plan.reason });
      return { PhysicalResourceId: plan.physicalResourceId };
  }
}

/** The settings of a Create or an Update: an expiry or "indefinitely", and the description. */
function settings(props: SuppressionProps) {
  return {
    expirationDate: props.expirationDate,
    suppressIndefinitely: props.suppressIndefinitely,
    // An Update without a description clears the one set before.
    description: props.description ?? '',
  };
}

function key(props: SuppressionProps) {
  return { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier };
}

async function create(props: SuppressionProps, clientRequestToken: string): Promise<void> {
  try {
    await iot.send(new CreateAuditSuppressionCommand({ ...key(props), ...settings(props), clientRequestToken }));
  } catch (error) {
    if (errorName(error) !== 'ResourceAlreadyExistsException') { throw error; }
    throw new Error(await alreadyExistsMessage(props));
  }
}

/** Why a Create is refused: what exists, and how to go on. */
async function alreadyExistsMessage(props: SuppressionProps): Promise<string> {
  let existing = '';
  try {
    const found = await iot.send(new DescribeAuditSuppressionCommand(key(props)));
    const expiry = found.suppressIndefinitely ? 'indefinitely' : `until ${found.expirationDate?.toISOString() ?? 'an unknown date'}`;
    existing = ` (suppressed ${expiry}${found.description ? `: ${JSON.stringify(found.description)}` : ''})`;
  } catch (error) {
    log('WARN', 'describe-failed', { error: errorName(error), message: errorMessage(error) });
  }
  const what = `${props.checkName} for ${JSON.stringify(props.resourceIdentifier)}`;
  log('ERROR', 'already-exists', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
  return `an audit suppression of ${what} exists already${existing}, made outside this resource (console, CLI or another stack). `
    + 'AuditSuppression does not adopt it, so that deleting this stack can never remove a suppression someone else made: delete it '
    + '(`npx cdk-device-defender unsuppress <findingId>` or DeleteAuditSuppression) and deploy again, or remove this AuditSuppression.';
}

async function update(props: SuppressionProps, clientRequestToken: string): Promise<void> {
  try {
    await iot.send(new UpdateAuditSuppressionCommand({ ...key(props), ...settings(props) }));
    log('INFO', 'updated', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') { throw error; }
    // Deleted outside CloudFormation (console, CLI, or it expired): the stack says it exists, so make it again.
    log('WARN', 'recreated', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: 'not found on Update' });
    await create(props, clientRequestToken);
  }
}

async function remove(props: SuppressionProps): Promise<void> {
  try {
    await iot.send(new DeleteAuditSuppressionCommand(key(props)));
    log('INFO', 'deleted', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
  } catch (error) {
    // Gone already (deleted outside CloudFormation, or expired) is what a Delete wants.
    if (errorName(error) === 'ResourceNotFoundException') {
      log('INFO', 'already-deleted', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier });
      return;
    }
    // A Delete never fails the stack (after the SDK's retries). The suppression left in place still
    // hides findings, so this is a permanent failure that says what is left and how to remove it.
    log('ERROR', PERMANENT_FAILURE_EVENT, {
      kind: 'suppression-not-deleted',
      checkName: props.checkName,
      resourceIdentifier: props.resourceIdentifier,
      error: errorName(error),
      message: errorMessage(error),
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      reason: 'the suppression is still in force: delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)',
    });
  }
}
