import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validatePattern } from './validation';
import {
  ACCOUNT_ID_PATTERN, DEFAULT_SPOKE_ROLE_NAME, HUB_QUEUE_NAME, HubFunction, MAX_SPOKE_ROLE_BASE_NAME_LENGTH, ORGANIZATION_ID_PATTERN, REGION_PATTERN,
  SPOKE_ROLE_BASE_NAME_PATTERN, hubRoleName,
} from '../contract/organization';

/** Where a hub runs and how its spokes are named (the public `MitigationHubAttributes`). */
export interface HubAttributes {
  readonly account: string;
  readonly region: string;
  readonly organizationId?: string;
  readonly spokeRoleName?: string;
}

/**
 * A hub as a spoke knows it (the public `IMitigationHubRef`): its attributes, validated, and the
 * ARNs derived from them with the library's fixed names and the partition of the stack it is
 * defined in. No value refers to another stack, so a StackSet can deploy the template that uses it.
 */
export class HubReference extends Construct {
  public readonly hubAccount: string;
  public readonly hubRegion: string;
  public readonly organizationId?: string;
  public readonly spokeRoleName: string;
  public readonly hubQueueArn: string;
  public readonly hubAuditRoleArn: string;
  public readonly hubFollowerRoleArn: string;

  constructor(scope: Construct, id: string, attrs: HubAttributes) {
    super(scope, id);
    validatePattern(this, 'account', attrs.account, ACCOUNT_ID_PATTERN, 'must be an AWS account id, 12 digits');
    validatePattern(this, 'region', attrs.region, REGION_PATTERN, 'must be an AWS region name, such as eu-west-1');
    if (attrs.organizationId !== undefined) {
      validatePattern(this, 'organizationId', attrs.organizationId, ORGANIZATION_ID_PATTERN,
        'must be an AWS Organizations organization id: o- and 10 to 32 lowercase letters or digits');
    }
    this.spokeRoleName = attrs.spokeRoleName ?? DEFAULT_SPOKE_ROLE_NAME;
    validatePattern(this, 'spokeRoleName', this.spokeRoleName, SPOKE_ROLE_BASE_NAME_PATTERN,
      `must be 1 to ${MAX_SPOKE_ROLE_BASE_NAME_LENGTH} characters from letters, digits and +=,.@_- `
      + '(each spoke\'s role is <spokeRoleName>-<region>, within IAM\'s 64 characters)');
    this.hubAccount = attrs.account;
    this.hubRegion = attrs.region;
    this.organizationId = attrs.organizationId;
    const stack = Stack.of(this);
    this.hubQueueArn = stack.formatArn({
      service: 'sqs', account: attrs.account, region: attrs.region, resource: HUB_QUEUE_NAME, arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    const roleArn = (fn: HubFunction) => stack.formatArn({
      service: 'iam', account: attrs.account, region: '', resource: 'role', resourceName: hubRoleName(fn, attrs.region),
    });
    // One ARN per HubFunction: a function added to the contract does not compile until it has its ARN here.
    const roleArns: Record<HubFunction, string> = { audit: roleArn('audit'), follower: roleArn('follower') };
    this.hubAuditRoleArn = roleArns.audit;
    this.hubFollowerRoleArn = roleArns.follower;
  }
}

/** The hub `attrs` describe, for a spoke in `scope`'s stack; refuses, at synth, attributes that are not valid. */
export function hubRefFromAttributes(scope: Construct, id: string, attrs: HubAttributes): HubReference {
  return new HubReference(scope, id, attrs);
}
