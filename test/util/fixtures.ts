/** What several construct test files share: a literal environment, a stack in it, and five named mitigation actions. */
import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LogLevel, MitigationAction, MitigationActionParams } from '../../src';

export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** A new app's stack 'Stack' in `env`. */
export function newStack(env: { account?: string; region?: string } | undefined = ENV): Stack {
  return new Stack(new App(), 'Stack', { env });
}

/** `arn:${AWS::Partition}:iot:eu-west-1:123456789012:<suffix>` as the template renders it. */
export function iotArn(suffix: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:eu-west-1:123456789012:${suffix}`]] };
}

export interface Fixture {
  readonly stack: Stack;
  readonly notify: MitigationAction;
  readonly deactivate: MitigationAction;
  readonly quarantine: MitigationAction;
  readonly logging: MitigationAction;
  readonly deactivateCa: MitigationAction;
}

/** Five actions, one of each type but REPLACE_DEFAULT_POLICY_VERSION, in a new stack of `app`. */
export function fixture(app = new App()): Fixture {
  const stack = new Stack(app, 'Stack', { env: ENV });
  const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
  return {
    stack,
    notify: new MitigationAction(stack, 'Notify', {
      mitigationActionName: 'notify',
      actionParams: MitigationActionParams.publishFindingToSns({ topic: new sns.Topic(stack, 'Findings', { enforceSSL: true }) }),
    }),
    deactivate: new MitigationAction(stack, 'Deactivate', {
      mitigationActionName: 'deactivate', actionParams: MitigationActionParams.updateDeviceCertificate(),
    }),
    quarantine: new MitigationAction(stack, 'Quarantine', {
      mitigationActionName: 'quarantine', actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
    }),
    logging: new MitigationAction(stack, 'Logging', {
      mitigationActionName: 'logging', actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.INFO }),
    }),
    deactivateCa: new MitigationAction(stack, 'DeactivateCa', {
      mitigationActionName: 'deactivate-ca', actionParams: MitigationActionParams.updateCaCertificate(),
    }),
  };
}