import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { IMitigationHubRef, MitigationHubAttributes } from '../src';
import { expectRefused } from './util/refusals';
import { DEFAULT_SPOKE_ROLE_NAME, HUB_QUEUE_NAME, hubRoleName } from '../src/contract/organization';
import { hubRefFromAttributes } from '../src/private/hub-ref';

const HUB = { account: '111111111111', region: 'eu-central-1' };

/** A spoke's stack: environment-agnostic, as a StackSet deploys it. */
function spokeStack(app = new App()): Stack {
  return new Stack(app, 'Spoke');
}

/** The hub as the public interface types it (the compiler checks that the private class has its shape). */
function hubOf(stack: Stack, attrs: MitigationHubAttributes = HUB): IMitigationHubRef {
  return hubRefFromAttributes(stack, 'Hub', attrs);
}

/** An ARN in the spoke stack's partition: `arn:<AWS::Partition><rest>`. */
const inPartition = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('a mitigation hub as a spoke knows it', () => {
  test('the queue and role ARNs come from the hub\'s account and region, the contract\'s names and the spoke stack\'s partition', () => {
    // GIVEN a spoke stack with no environment
    const stack = spokeStack();
    // WHEN
    const hub = hubOf(stack);
    // THEN
    expect([hub.hubAccount, hub.hubRegion, hub.organizationId, hub.spokeRoleName]).toEqual(['111111111111', 'eu-central-1', undefined, DEFAULT_SPOKE_ROLE_NAME]);
    expect(stack.resolve(hub.hubQueueArn)).toEqual(inPartition(`:sqs:eu-central-1:111111111111:${HUB_QUEUE_NAME}`));
    expect(stack.resolve(hub.hubAuditRoleArn)).toEqual(inPartition(':iam::111111111111:role/cdk-device-defender-hub-audit-eu-central-1'));
    expect(stack.resolve(hub.hubFollowerRoleArn)).toEqual(inPartition(':iam::111111111111:role/cdk-device-defender-hub-follower-eu-central-1'));
    expect(hubRoleName('audit', 'eu-central-1')).toBe('cdk-device-defender-hub-audit-eu-central-1');
  });

  test('organizationId and spokeRoleName are kept as given', () => {
    const hub = hubOf(spokeStack(), { ...HUB, organizationId: 'o-a1b2c3d4e5', spokeRoleName: 'security.mitigation' });
    expect([hub.organizationId, hub.spokeRoleName]).toEqual(['o-a1b2c3d4e5', 'security.mitigation']);
  });

  test('nothing refers to another stack: a hub stack in the same app is never referenced', () => {
    // GIVEN the hub's stack and a spoke stack in one app
    const app = new App();
    new Stack(app, 'HubStack', { env: HUB });
    const stack = spokeStack(app);
    // WHEN
    const hub = hubOf(stack);
    // THEN every value resolves in the spoke stack alone
    const resolved = JSON.stringify(stack.resolve([hub.hubQueueArn, hub.hubAuditRoleArn, hub.hubFollowerRoleArn]));
    expect(resolved).not.toMatch(/Fn::ImportValue|HubStack/);
    expect(stack.dependencies).toEqual([]);
  });

  test('a token (a StackSet parameter) is not checked', () => {
    const stack = spokeStack();
    const account = new CfnParameter(stack, 'HubAccount').valueAsString;
    const region = new CfnParameter(stack, 'HubRegion').valueAsString;
    const hub = hubOf(stack, { account, region });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
    expect(stack.resolve(hub.hubQueueArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'HubRegion' }, ':', { Ref: 'HubAccount' }, `:${HUB_QUEUE_NAME}`]],
    });
  });

  test.each([
    ['account', { account: '1111' }, '[Spoke/Hub] invalid account "1111": must be an AWS account id, 12 digits'],
    ['region', { region: 'Frankfurt' }, '[Spoke/Hub] invalid region "Frankfurt": must be an AWS region name, such as eu-west-1'],
    ['organizationId', { organizationId: 'o-short' },
      '[Spoke/Hub] invalid organizationId "o-short": must be an AWS Organizations organization id: o- and 10 to 32 lowercase letters or digits'],
    ['spokeRoleName with a space', { spokeRoleName: 'my role' },
      '[Spoke/Hub] invalid spokeRoleName "my role": must be 1 to 48 characters from letters, digits and +=,.@_- '],
    ['spokeRoleName too long for -<region>', { spokeRoleName: 'r'.repeat(49) }, `[Spoke/Hub] invalid spokeRoleName "${'r'.repeat(49)}": must be 1 to 48`],
  ])('refuses an invalid %s, naming the construct, the value and what is allowed', (_what, attrs, expected) => {
    const stack = spokeStack();
    hubOf(stack, { ...HUB, ...attrs });
    expectRefused(stack, expected);
  });

  test.each(['us-gov-west-1', 'eusc-de-east-1', 'us-isof-south-1', 'ap-southeast-7'])('accepts region %s', (region) => {
    const stack = spokeStack();
    hubOf(stack, { ...HUB, region });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });
});
