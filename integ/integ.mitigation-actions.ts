/**
 * One mitigation action of every type, each with its generated role; after deployment AWS IoT
 * must describe each with the expected type and parameters.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LogLevel, MitigationAction, MitigationActionParams } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegMitigationActions');

const group = new iot.CfnThingGroup(stack, 'Quarantine', { thingGroupName: 'integ-dd-quarantine' });
const topic = new sns.Topic(stack, 'Findings', { enforceSSL: true });

const actions: Array<[MitigationAction, Record<string, unknown>]> = [
  [new MitigationAction(stack, 'AddThings', {
    mitigationActionName: 'integ-dd-add-things',
    actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group], overrideDynamicGroups: true }),
  }), { addThingsToThingGroupParams: { thingGroupNames: ['integ-dd-quarantine'], overrideDynamicGroups: true } }],
  [new MitigationAction(stack, 'EnableLogging', {
    mitigationActionName: 'integ-dd-enable-logging',
    actionParams: MitigationActionParams.enableIotLogging({ logLevel: LogLevel.ERROR }),
  }), { enableIoTLoggingParams: { logLevel: 'ERROR' } }],
  [new MitigationAction(stack, 'Publish', {
    mitigationActionName: 'integ-dd-publish',
    actionParams: MitigationActionParams.publishFindingToSns({ topic }),
  }), { publishFindingToSnsParams: {} }],
  [new MitigationAction(stack, 'BlankPolicy', {
    mitigationActionName: 'integ-dd-blank-policy',
    actionParams: MitigationActionParams.replaceDefaultPolicyVersion(),
  }), { replaceDefaultPolicyVersionParams: { templateName: 'BLANK_POLICY' } }],
  [new MitigationAction(stack, 'DeactivateCa', {
    mitigationActionName: 'integ-dd-deactivate-ca',
    actionParams: MitigationActionParams.updateCaCertificate(),
  }), { updateCACertificateParams: { action: 'DEACTIVATE' } }],
  [new MitigationAction(stack, 'DeactivateDevice', {
    mitigationActionName: 'integ-dd-deactivate-device',
    actionParams: MitigationActionParams.updateDeviceCertificate(),
  }), { updateDeviceCertificateParams: { action: 'DEACTIVATE' } }],
];

const integ = new IntegTest(app, 'MitigationActions', { testCases: [stack] });
for (const [action, params] of actions) {
  integ.assertions.awsApiCall('IoT', 'describeMitigationAction', { actionName: action.mitigationActionName })
    .expect(ExpectedResult.objectLike({ actionType: action.actionType, actionParams: params }));
}
