/**
 * DetectMitigation on a security profile. After deployment the handler is given a cleared alarm,
 * which it must ignore (no batch item failure, no task).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { DetectMitigation, MitigationAction, MitigationActionParams } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegDetectMitigation');

const group = new iot.CfnThingGroup(stack, 'Quarantine', { thingGroupName: 'integ-dd-detect-quarantine' });
const quarantine = new MitigationAction(stack, 'QuarantineAction', {
  actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
});
const profile = new iot.CfnSecurityProfile(stack, 'Profile', {
  securityProfileName: 'integ-dd-chatty',
  behaviors: [{
    name: 'MsgsSent',
    metric: 'aws:num-messages-sent',
    criteria: { comparisonOperator: 'greater-than', value: { count: '1000' }, durationSeconds: 300 },
  }],
});
const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine] });
profile.alertTargets = { SNS: { alertTargetArn: detect.alertTopic.topicArn, roleArn: detect.alertRole.roleArn } };

const integ = new IntegTest(app, 'DetectMitigation', { testCases: [stack] });
const cleared = JSON.stringify({
  violationId: 'integ-violation-1', violationEventType: 'alarm-cleared', securityProfileName: 'integ-dd-chatty', thingName: 't',
});
integ.assertions.invokeFunction({
  functionName: detect.handler.functionName,
  payload: JSON.stringify({ Records: [{ messageId: 'm1', body: cleared }] }),
  // Lambda's Invoke returns the handler's result as a JSON string: parse it, then match.
}).expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ batchItemFailures: [] }) }));
