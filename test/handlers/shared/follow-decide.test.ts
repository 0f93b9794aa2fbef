import type { FollowedMitigation } from '../../../src/contract/environment';
import { classified } from '../../../src/handlers/shared/errors';
import { Candidate, Claim, decideFollow, FINDINGS_ARRIVAL_MS, findingsRetryAt, metricLinesOf } from '../../../src/handlers/shared/follow-decide';
import { aggregateOutcome, FinishedTask, TaskOutcome } from '../../../src/handlers/shared/task-outcome';

// The task followers' decisions about one task as pure functions: plain inputs (what the ledger,
// AWS IoT and EventBridge answered), no emulator. test/handlers/task-follower.test.ts and
// test/handlers/hub-task-follower.test.ts run the same cases through the handlers against the emulators.

const PREFIX = 'dd0123456789';
const AUDIT: FollowedMitigation = { mitigation: 'Stack/Audit', kind: 'audit', taskIdPrefix: PREFIX, reportTopicArn: 'arn:aws:sns:eu-west-1:123456789012:reports' };
const TASK: FollowedMitigation = { mitigation: 'Stack/Task', kind: 'audit', physicalResourceId: 'ddaaaaaaaaaa:2', eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/ops' };

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

/** The outcome as the followers read it: with the executions it was counted from (none needed here). */
const finished = (o: TaskOutcome): FinishedTask => ({ outcome: o, executions: [], actionTypes: {} });

const FIELDS = { taskId: candidate.taskId, taskKind: 'audit', mitigation: 'Stack/Audit' };

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
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: { value: finished(outcome(3)) } })).toEqual({
      kind: 'publish', event: { detailType: 'Mitigation Task Outcome', detail: { mitigation: 'Stack/Audit', ...outcome(3) } }, eventBusArn: undefined,
    });
    const onBus = { ...candidate, taskId: 'ddaaaaaaaaaa-0', followed: TASK };
    expect(decideFollow(onBus, { claim: { value: claim }, outcome: { value: finished(outcome(0)) } })).toMatchObject({ kind: 'publish', eventBusArn: TASK.eventBusArn });
  });

  test('a task with failed executions: its metrics, a WARN report to the construct\'s report topic; then marked reported', () => {
    const step = decideFollow(candidate, { claim: { value: claim }, outcome: { value: finished(outcome(3)) }, published: { value: undefined } });
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
    const facts = { claim: { value: claim }, outcome: { value: finished(outcome(0)) }, published: { value: undefined } };
    expect(decideFollow(candidate, facts)).toMatchObject({
      kind: 'finish', report: { level: 'INFO', topicArn: undefined },
    });
  });

  test('EventBridge failing: the claim is released and a later run retries', () => {
    const error = named('InternalFailure');
    expect(decideFollow(candidate, { claim: { value: claim }, outcome: { value: finished(outcome(3)) }, published: classified(error) })).toEqual({
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

describe('metricLinesOf', () => {
  test('audit: [Mitigation], one line per action, one per check; zeros are written', () => {
    const aggregated = aggregateOutcome({
      kind: 'audit',
      taskId: 't',
      status: 'FAILED',
      actionTypes: { a: 'PUBLISH_FINDING_TO_SNS', b: 'ENABLE_IOT_LOGGING' },
      checks: ['C1', 'C2'],
      truncated: false,
      statistics: { C1: { totalFindingsCount: 2, succeededFindingsCount: 1, failedFindingsCount: 1 } },
      executions: [{ actionName: 'a', status: 'COMPLETED', checkName: 'C1' }, { actionName: 'a', status: 'FAILED', checkName: 'C1' }],
    });
    expect(metricLinesOf('M', aggregated)).toEqual([
      {
        dimensions: { Mitigation: 'M' },
        dimensionSets: [['Mitigation']],
        values: { TasksFinished: 1, ExecutionsSucceeded: 1, ExecutionsFailed: 1, ExecutionsSkipped: 0, ExecutionsCanceled: 0, FindingsMitigated: 1 },
      },
      {
        dimensions: { Mitigation: 'M', ActionName: 'a' },
        dimensionSets: [['Mitigation', 'ActionName']],
        values: { ExecutionsSucceeded: 1, ExecutionsFailed: 1, ExecutionsSkipped: 0, ExecutionsCanceled: 0 },
      },
      {
        dimensions: { Mitigation: 'M', ActionName: 'b' },
        dimensionSets: [['Mitigation', 'ActionName']],
        values: { ExecutionsSucceeded: 0, ExecutionsFailed: 0, ExecutionsSkipped: 0, ExecutionsCanceled: 0 },
      },
      {
        dimensions: { Mitigation: 'M', CheckName: 'C1' },
        dimensionSets: [['Mitigation', 'CheckName']],
        values: { ExecutionsSucceeded: 1, ExecutionsFailed: 1, ExecutionsSkipped: 0, ExecutionsCanceled: 0, FindingsMitigated: 1 },
      },
      {
        dimensions: { Mitigation: 'M', CheckName: 'C2' },
        dimensionSets: [['Mitigation', 'CheckName']],
        values: { ExecutionsSucceeded: 0, ExecutionsFailed: 0, ExecutionsSkipped: 0, ExecutionsCanceled: 0, FindingsMitigated: 0 },
      },
    ]);
  });

  test('detect: no check lines and no FindingsMitigated', () => {
    const aggregated = aggregateOutcome({ kind: 'detect', taskId: 't', status: 'SUCCESSFUL', actionTypes: { q: 'ADD_THINGS_TO_THING_GROUP' }, truncated: false, executions: [] });
    const lines = metricLinesOf('M', aggregated);
    expect(lines.map((l) => l.dimensionSets)).toEqual([[['Mitigation']], [['Mitigation', 'ActionName']]]);
    expect(lines[0].values).not.toHaveProperty('FindingsMitigated');
  });
});

describe('Security Hub (a construct followed with securityHub)', () => {
  const secured: Candidate = { ...candidate, followed: { ...AUDIT, securityHub: true } };
  const detail = { updated: 3, notified: 2, unchanged: 0, notFound: 0 };

  test('after the outcome is read, the findings are updated before the event goes out, which then says what was done', () => {
    const read = { claim: { value: claim }, outcome: { value: finished(outcome(0)) } };
    expect(decideFollow(secured, read)).toEqual({ kind: 'update-findings', task: finished(outcome(0)) });
    expect(decideFollow(secured, { ...read, findings: { value: detail } })).toMatchObject({
      kind: 'publish', event: { detail: { securityHub: detail } },
    });
    const step = decideFollow(secured, { ...read, findings: { value: detail }, published: { value: undefined } });
    expect(step).toMatchObject({ kind: 'finish', securityHub: detail });
    expect(step.kind === 'finish' && step.metrics[0].values).toMatchObject({ SecurityHubFindingsUpdated: 3, SecurityHubFindingsNotified: 2 });
    // Not followed so: never asked.
    expect(decideFollow(candidate, read)).toMatchObject({ kind: 'publish' });
  });

  test('an update that failed (not for good: a refusal is answered, not thrown) releases the claim for a later run', () => {
    const error = named('TooManyRequestsException');
    expect(decideFollow(secured, { claim: { value: claim }, outcome: { value: finished(outcome(0)) }, findings: classified(error) })).toEqual({
      kind: 'retry', release: true, fields: FIELDS, error,
    });
  });

  test('findingsRetryAt: findings not there yet are looked for again once they had time to arrive, and only then', () => {
    const ended = '2026-12-07T10:00:00.000Z';
    const end = Date.parse(ended);
    const soon = new Date(end + 5 * 60_000);
    expect(findingsRetryAt({ ...detail, notFound: 2 }, ended, soon)).toBe(end + FINDINGS_ARRIVAL_MS);
    expect(FINDINGS_ARRIVAL_MS).toBe(75 * 60_000);
    // Everything found, a refusal, no update at all: nothing to look again for.
    expect(findingsRetryAt(detail, ended, soon)).toBeUndefined();
    expect(findingsRetryAt({ ...detail, notFound: 2, error: 'InvalidAccessException: x' }, ended, soon)).toBeUndefined();
    expect(findingsRetryAt(undefined, ended, soon)).toBeUndefined();
    // Reported after the findings had their time: those missing will not come.
    expect(findingsRetryAt({ ...detail, notFound: 2 }, ended, new Date(end + FINDINGS_ARRIVAL_MS))).toBeUndefined();
    // No end time: counted from now.
    expect(findingsRetryAt({ ...detail, notFound: 2 }, undefined, soon)).toBe(soon.getTime() + FINDINGS_ARRIVAL_MS);
  });
});
