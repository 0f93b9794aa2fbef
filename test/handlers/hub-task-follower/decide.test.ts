import type { HubFollowerConfig } from '../../../src/handlers/hub-task-follower/config';
import { bySpoke, decideStatus } from '../../../src/handlers/hub-task-follower/decide';
import { classified } from '../../../src/handlers/shared/errors';
import type { ActiveTask } from '../../../src/handlers/shared/hub-ledger';

// The hub task follower's decisions about what to follow as pure functions: plain inputs, no
// emulator. test/handlers/hub-task-follower.test.ts runs the handler against the emulators.

const CONFIG: HubFollowerConfig = {
  taskLedgerTable: 'tasks',
  spokeRoleName: 'cdk-device-defender-spoke',
  mitigation: 'HubStack/Hub',
  reportTopicArn: 'arn:aws:sns:eu-west-1:111111111111:reports',
  eventBus: 'arn:aws:events:eu-west-1:111111111111:event-bus/ops',
  securityHub: false,
};
const task = (account: string, region: string, taskId: string): ActiveTask => ({
  key: `${account}/${region}/${taskId}`, partition: 'aws', account, region, taskId, mitigation: 'HubStack/Hub',
});
const named = (name: string) => Object.assign(new Error('x'), { name });

test('bySpoke: one group per spoke with an active task, in key order, each with its partition', () => {
  const tasks = [task('333333333333', 'eu-west-1', 't2'), task('222222222222', 'us-east-1', 't1'), task('333333333333', 'eu-west-1', 't1')];
  expect(bySpoke(tasks)).toEqual([
    { spoke: { partition: 'aws', account: '222222222222', region: 'us-east-1' }, tasks: [tasks[1]] },
    { spoke: { partition: 'aws', account: '333333333333', region: 'eu-west-1' }, tasks: [tasks[2], tasks[0]] },
  ]);
  expect(bySpoke([])).toEqual([]);
});

describe('decideStatus', () => {
  const t = task('222222222222', 'eu-west-1', 'dd0123456789-a');
  const candidate = {
    kind: 'audit',
    taskId: 'dd0123456789-a',
    followed: { mitigation: 'HubStack/Hub', kind: 'audit', reportTopicArn: CONFIG.reportTopicArn, eventBusArn: CONFIG.eventBus },
  };

  test.each(['COMPLETED', 'FAILED', 'CANCELED'])('a task %s is followed, as the hub\'s, to its report topic and bus', (status) => {
    expect(decideStatus(t, { value: status }, CONFIG)).toEqual({ kind: 'follow', candidate });
  });

  test.each(['IN_PROGRESS', undefined])('a task %s is left for the next run', (status) => {
    expect(decideStatus(t, { value: status }, CONFIG)).toEqual({ kind: 'running' });
  });

  test('a status refused for good (AccessDenied on the role, a task gone) is followed: its outcome read fails the same way and is reported once', () => {
    expect(decideStatus(t, classified(named('AccessDenied')), CONFIG)).toEqual({ kind: 'follow', candidate });
    expect(decideStatus(t, classified(named('ResourceNotFoundException')), CONFIG)).toEqual({ kind: 'follow', candidate });
  });

  test('a status not known now (throttled, 5xx) is retried by the next run, with the spoke in its line', () => {
    expect(decideStatus(t, classified(named('ThrottlingException')), CONFIG)).toEqual({
      kind: 'retry',
      fields: {
        taskId: 'dd0123456789-a',
        taskKind: 'audit',
        mitigation: 'HubStack/Hub',
        account: '222222222222',
        region: 'eu-west-1',
        error: 'ThrottlingException',
        message: 'x',
      },
    });
  });
});
