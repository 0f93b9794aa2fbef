import type { FollowedMitigation } from '../../../src/contract/environment';
import type { FollowerConfig } from '../../../src/handlers/task-follower/config';
import { candidatesOf, listingOf } from '../../../src/handlers/task-follower/decide';

// The stack task follower's decisions about what to follow as pure functions: plain inputs (the
// configuration, the listed tasks), no emulator. What it does about each task is tested in
// test/handlers/shared/follow-decide.test.ts; test/handlers/task-follower.test.ts runs the handler against the emulators.

const PREFIX = 'dd0123456789';
const AUDIT: FollowedMitigation = { mitigation: 'Stack/Audit', kind: 'audit', taskIdPrefix: PREFIX, reportTopicArn: 'arn:aws:sns:eu-west-1:123456789012:reports' };
const TASK: FollowedMitigation = { mitigation: 'Stack/Task', kind: 'audit', physicalResourceId: 'ddaaaaaaaaaa:2', eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops' };
const DETECT: FollowedMitigation = { mitigation: 'Stack/Detect', kind: 'detect', taskIdPrefix: 'ddbbbbbbbbbb' };
const CONFIG: FollowerConfig = { tableName: 'ledger', followed: [AUDIT, TASK, DETECT], lookbackHours: 72 };
const NOW = new Date('2026-12-07T12:00:00Z');

describe('which tasks a run follows', () => {
  test('lists the lookback window, and only the kinds some construct is followed for', () => {
    expect(listingOf(CONFIG, NOW)).toEqual({ window: { startTime: new Date('2026-12-04T12:00:00Z'), endTime: NOW }, kinds: ['audit', 'detect'] });
    expect(listingOf({ ...CONFIG, followed: [DETECT], lookbackHours: 1 }, NOW)).toEqual({
      window: { startTime: new Date('2026-12-07T11:00:00Z'), endTime: NOW }, kinds: ['detect'],
    });
  });

  test('finished tasks of followed constructs only: not one in progress, another construct\'s or someone else\'s; AuditMitigationTask\'s by physical id', () => {
    expect(candidatesOf([
      { kind: 'audit', taskId: `${PREFIX}-daily`, status: 'COMPLETED' },
      { kind: 'audit', taskId: `${PREFIX}-weekly`, status: 'IN_PROGRESS' },
      { kind: 'audit', taskId: 'dd0000000000-daily', status: 'COMPLETED' },
      { kind: 'audit', taskId: 'manual-task', status: 'COMPLETED' },
      { kind: 'audit', taskId: `${PREFIX}x-daily`, status: 'COMPLETED' },
      { kind: 'audit', taskId: 'ddaaaaaaaaaa-1', status: 'FAILED' },
      { kind: 'audit', taskId: 'ddaaaaaaaaaa-2', status: 'COMPLETED' },
      { kind: 'detect', taskId: 'ddbbbbbbbbbb-0123', status: 'SUCCESSFUL' },
      { kind: 'audit', taskId: undefined, status: 'COMPLETED' },
    ], CONFIG)).toEqual([
      { kind: 'audit', taskId: `${PREFIX}-daily`, followed: AUDIT },
      { kind: 'audit', taskId: 'ddaaaaaaaaaa-1', followed: TASK },
      { kind: 'detect', taskId: 'ddbbbbbbbbbb-0123', followed: DETECT },
    ]);
  });
});
