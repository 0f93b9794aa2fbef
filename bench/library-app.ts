/**
 * The synth benchmark's app written with the library: N mitigation actions, the six action types
 * in turn, each with the role the library generates.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ACTION_TYPES, STACK_NAME } from './stack-shape';
import { LogLevel, MitigationAction, MitigationActionParams } from '../src';

/** Defines the library app's stack in `app`. */
export function defineLibraryStack(app: App, actions: number): Stack {
  const stack = new Stack(app, STACK_NAME);
  const quarantine = new iot.CfnThingGroup(stack, 'Quarantine', { thingGroupName: 'quarantine' });
  // The topic as the raw app writes it (an L1 topic at the same path), so that the two apps differ only
  // in how they write their actions: an L2 sns.Topic would also load aws-sns's L2 modules in a fresh process.
  const findings = new sns.CfnTopic(new Construct(stack, 'Findings'), 'Resource');
  for (let i = 0; i < actions; i++) {
    new MitigationAction(stack, `Action${i}`, { actionParams: params(i, quarantine, findings) });
  }
  return stack;
}

function params(i: number, quarantine: iot.CfnThingGroup, findings: sns.CfnTopic): MitigationActionParams {
  switch (ACTION_TYPES[i % ACTION_TYPES.length]) {
    case 'ADD_THINGS_TO_THING_GROUP':
      return MitigationActionParams.addThingsToThingGroup({ thingGroups: [quarantine] });
    case 'ENABLE_IOT_LOGGING':
      return MitigationActionParams.enableIotLogging({ logLevel: LogLevel.WARN });
    case 'PUBLISH_FINDING_TO_SNS':
      return MitigationActionParams.publishFindingToSns({ topic: findings });
    case 'REPLACE_DEFAULT_POLICY_VERSION':
      return MitigationActionParams.replaceDefaultPolicyVersion();
    case 'UPDATE_CA_CERTIFICATE':
      return MitigationActionParams.updateCaCertificate();
    case 'UPDATE_DEVICE_CERTIFICATE':
      return MitigationActionParams.updateDeviceCertificate();
  }
}
