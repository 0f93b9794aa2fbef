import type { FollowedMitigation } from '../../../src/contract/environment';
import { classified } from '../../../src/handlers/shared/errors';
import type { TaskOutcome } from '../../../src/handlers/shared/task-outcome';
import type { FollowerConfig } from '../../../src/handlers/task-follower/config';
import { Candidate, candidatesOf, decideFollow, listingOf } from '../../../src/handlers/task-follower/decide';
import type { Claim } from '../../../src/handlers/task-follower/ledger';

// The task follower's decisions as pure functions: plain inputs (the configuration, the listed
// tasks, what the ledger, AWS IoT and EventBridge answered), no emulator.
// test/handlers/task-follower.test.ts runs the same cases through the handler against the emulators.

const PREFIX = 'dd0123456789';
const AUDIT: FollowedMitigation = { mitigation: 'Stack/Audit', kind: 'audit', taskIdPrefix: PREFIX, reportTopicArn: 'arn:aws:sns:eu-west-1:123456789012:reports' };
const TASK: FollowedMitigation = { mitigation: 'Stack/Task', kind: 'audit', physicalResourceId: 'ddaaaaaaaaaa:2', eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops' };
const DETECT: FollowedMitigation = { mitigation: 'Stack/Detect', kind: 'detect', taskIdPrefix: 'ddbbbbbbbbbb' };
const CONFIG: FollowerConfig = { tableName: 'ledger', followed: [AUDIT, TASK, DETECT], lookbackHours: 72 };
const NOW = new Date('2026-12-07T12:00:00Z');

const candidate: Candidate = { kind: 'audit', taskId: `${PREFIX}-daily`, followed: AUDIT };
const claim: Claim = { taskId: candidate.taskId, claimId: 'run-1' };
const named = (name: string) => Object.assign(new Error('x'), { name });

function outcome(failed: number): TaskOutcome {
  return {
    taskKind: 'audit',
    taskId: candidate.taskId,
    status: 'COMPLETED',
    executions: { succeeded: 5 - failed, failed, skipped: 0, canceled: 0 },
    byAction: { notify: { succeeded: 5 - failed, failed, skipped: 0, canceled: 0, actionType: 'PUBLISH_FINDING_TO_SNS' } },
    byCheck: { DEVICE_CERTIFICATE_EXPIRING_CHECK: { succeeded: 5 - failed, failed, skipped: 0, canceled: 0 } },
    errorCodes: [],
    truncated: false,
  };
}

const FIELDS = { taskId: candidate.taskId, taskKind: 'audit', mitigation: 'Stack/Audit' };

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

describe('decideFollow: each task is claimed, read, put as ONE event, then reported', () => {
  test('claim first; a claim another run holds is left to it', () => {
    expect(decideFollow(candidate, {})).toEqual({ kind: 'claim' });
    expect(decideFollow(candidate, { claim: { value: undefined } })).toEqual({ kind: 'claimed-elsewhere', fields: FIELDS });
  });

  test('a ledger that cannot be written: retried by a later run, nothing to release', () => {
    const error = named('ProvisionedThroughputExceededException');
    expect(decideFollow(candidate, { claim: classified(error) })).toEqual({ kind: 'retry', release: false, fields: FIELDS, error });
  });

  test('claimed: reads the outcome, then puts it as one Mitigation Task Outcome event on the construct\'s bus', () => {
    expect(decideFollow(candidate, { claim: { value: claim } })).toEqual({ kind: 'read-outcome' });
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: { value: outcome(3) } })).toEqual({
      kind: 'publish', event: { detailType: 'Mitigation Task Outcome', detail: { mitigation: 'Stack/Audit', ...outcome(3) } }, eventBusArn: undefined,
    });
    const onBus = { ...candidate, taskId: 'ddaaaaaaaaaa-0', followed: TASK };
    expect(decideFollow(onBus, { claim: { value: claim }, outcome: { value: outcome(0) } })).toMatchObject({ kind: 'publish', eventBusArn: TASK.eventBusArn });
  });

  test('a task with failed executions: its metrics, a WARN report to the construct\'s report topic; then marked reported', () => {
    const step = decideFollow(candidate, { claim: { value: claim }, outcome: { value: outcome(3) }, published: { value: undefined } });
    expect(step).toMatchObject({
      kind: 'finish',
      fields: FIELDS,
      report: { level: 'WARN', topicArn: AUDIT.reportTopicArn, fields: { mitigation: 'Stack/Audit', taskId: candidate.taskId, executions: { failed: 3 } } },
    });
    expect(step.kind === 'finish' && step.metrics[0]).toEqual({
      dimensions: { Mitigation: 'Stack/Audit' },
      dimensionSets: [['Mitigation']],
      values: { TasksFinished: 1, ExecutionsSucceeded: 2, ExecutionsFailed: 3, ExecutionsSkipped: 0, ExecutionsCanceled: 0 },
    });
  });

  test('a task where nothing failed: an INFO line, no report topic', () => {
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: { value: outcome(0) }, published: { value: undefined } })).toMatchObject({
      kind: 'finish', report: { level: 'INFO', topicArn: undefined },
    });
  });

  test('EventBridge failing: the claim is released and a later run retries', () => {
    const error = named('InternalFailure');
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: { value: outcome(3) }, published: classified(error) })).toEqual({
      kind: 'retry', release: true, fields: FIELDS, error,
    });
  });

  test('an outcome AWS IoT cannot give now (throttled), or a task not finished after all: released and retried', () => {
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: classified(named('ThrottlingException')) })).toMatchObject({ kind: 'retry', release: true });
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: { value: undefined } })).toMatchObject({
      kind: 'retry', release: true, error: expect.objectContaining({ message: `task ${candidate.taskId} was listed as finished but is not` }),
    });
  });

  test('an outcome AWS IoT refuses to show (AccessDenied): reported once as a permanent failure, not retried forever', () => {
    const failure = classified(named('AccessDeniedException'));
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: failure })).toEqual({ kind: 'give-up', failure, fields: FIELDS, followed: AUDIT });
  });
});
