import { App, Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import {
  AuditCheck, AuditMitigation, DetectMitigation, IMitigation, MitigationAction, MitigationActionParams, MitigationBase,
} from '../src';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function fixture(alarms?: boolean) {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const group = iot.CfnThingGroup.fromThingGroupName(stack, 'Group', 'quarantine');
  const quarantine = new MitigationAction(stack, 'Quarantine', {
    mitigationActionName: 'quarantine', actionParams: MitigationActionParams.addThingsToThingGroup({ thingGroups: [group] }),
  });
  const profile = new iot.CfnSecurityProfile(stack, 'Profile', { securityProfileName: 'chatty' });
  const audit = new AuditMitigation(stack, 'Audit', {
    rules: [{ check: AuditCheck.DEVICE_CERTIFICATE_SHARED_CHECK, actions: [quarantine] }], alarms,
  });
  const detect = new DetectMitigation(stack, 'Detect', { securityProfile: profile, actions: [quarantine], alarms });
  return { stack, quarantine, audit, detect };
}

/** What a user's monitoring code does with any mitigation: it needs only `IMitigation`. */
function monitor(mitigation: IMitigation) {
  return {
    path: mitigation.node.path,
    handler: mitigation.handler,
    deadLetterQueue: mitigation.deadLetterQueue,
    alarms: [mitigation.deadLetterAlarm, mitigation.permanentFailureAlarm, mitigation.executionsFailedAlarm],
    metrics: [
      mitigation.metricTasksStarted(), mitigation.metricTasksFinished(), mitigation.metricDryRunPlans(),
      mitigation.metricExecutionsSucceeded(), mitigation.metricExecutionsFailed(), mitigation.metricExecutionsSkipped(),
      mitigation.metricExecutionsCanceled(), mitigation.metricPermanentFailures(),
    ].map((m) => [m.metricName, m.dimensions]),
  };
}

test('AuditMitigation and DetectMitigation are IMitigations sharing MitigationBase\'s members', () => {
  const { audit, detect, quarantine } = fixture();
  for (const mitigation of [audit, detect]) {
    expect(mitigation).toBeInstanceOf(MitigationBase);
    const seen = monitor(mitigation);
    expect(seen.handler).toBeDefined();
    expect(seen.deadLetterQueue).toBeDefined();
    expect(seen.alarms.every((a) => a !== undefined)).toBe(true);
    expect(seen.metrics).toEqual([
      'TasksStarted', 'TasksFinished', 'DryRunPlans', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsSkipped',
      'ExecutionsCanceled', 'PermanentFailures',
    ].map((name) => [name, { Mitigation: seen.path }]));
    expect(mitigation.metricForAction('ExecutionsFailed', quarantine).dimensions)
      .toEqual({ Mitigation: seen.path, ActionName: quarantine.mitigationActionName });
  }
  // The shared members are the base's own, not copies in each construct.
  expect(Object.getOwnPropertyNames(AuditMitigation.prototype)).not.toContain('metricTasksStarted');
  expect(Object.getOwnPropertyNames(DetectMitigation.prototype)).not.toContain('metricTasksStarted');
});

test('executionsFailedAlarm is undefined on both when alarms is false', () => {
  const { audit, detect } = fixture(false);
  expect(audit.executionsFailedAlarm).toBeUndefined();
  expect(detect.executionsFailedAlarm).toBeUndefined();
  expect(monitor(audit).deadLetterQueue).toBe(audit.deadLetterQueue);
});
