import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { Reporter } from '../../../src/handlers/shared/report';
import { FindingUpdater, FoundFinding, MAX_NOTE_LENGTH, notesOf, planUpdates, UnprocessedFindingsError } from '../../../src/handlers/shared/security-hub';
import type { ExecutionRecord, FinishedTask } from '../../../src/handlers/shared/task-outcome';
import { awsProductArn, expectNoSecurityHubViolations } from '../../emulator/securityhub-emulator';
import { Emulators, REGION, resetEmulators, startEmulators, stopEmulators, withLogs } from '../harness';

// The task followers' Security Hub updates: the notes and the calls decided from a task alone
// (pure), then FindingUpdater against the Security Hub emulator with the real SDK client.

const TASK = 'dd0123456789-audit-1';
const TYPES = { quarantine: 'ADD_THINGS_TO_THING_GROUP', deactivate: 'UPDATE_DEVICE_CERTIFICATE', notify: 'PUBLISH_FINDING_TO_SNS' };
const run = (findingId: string, actionName: string, status: string): ExecutionRecord => ({ findingId, actionName, status });

describe('notesOf: one note per audit finding, from the task alone', () => {
  test('each action in the order applied, with its type and outcome; NOTIFIED only where one succeeded', () => {
    const notes = notesOf(TASK, [
      run('f1', 'deactivate', 'COMPLETED'), run('f1', 'quarantine', 'FAILED'),
      run('f2', 'deactivate', 'FAILED'), run('f2', 'quarantine', 'SKIPPED'),
      run('f3', 'deactivate', 'CANCELED'),
      run('f4', 'deactivate', 'IN_PROGRESS'),
    ], TYPES);
    expect(notes.get('f1')).toEqual({
      notify: true,
      text: `cdk-device-defender mitigation task ${TASK}: deactivate (UPDATE_DEVICE_CERTIFICATE) succeeded; quarantine (ADD_THINGS_TO_THING_GROUP) failed. `
        + 'The finding stays until the next audit finds the resource compliant.',
    });
    expect(notes.get('f2')).toEqual({
      notify: false, text: `cdk-device-defender mitigation task ${TASK}: deactivate (UPDATE_DEVICE_CERTIFICATE) failed; quarantine (ADD_THINGS_TO_THING_GROUP) skipped.`,
    });
    expect(notes.get('f3')).toEqual({ notify: false, text: `cdk-device-defender mitigation task ${TASK}: deactivate (UPDATE_DEVICE_CERTIFICATE) canceled.` });
    // An execution that has not ended says nothing: no note.
    expect(notes.has('f4')).toBe(false);
  });

  test('the same task gives the same notes; a note is cut to the API\'s 512 characters', () => {
    const long = [1, 2, 3, 4, 5].map((i) => run('f1', `${'a'.repeat(120)}${i}`, 'COMPLETED'));
    const first = notesOf(TASK, long, {});
    expect(first.get('f1')!.text).toHaveLength(MAX_NOTE_LENGTH);
    expect(first.get('f1')!.text.endsWith('...')).toBe(true);
    expect(notesOf(TASK, long, {})).toEqual(first);
  });
});

describe('planUpdates: which findings get which call', () => {
  const notes = notesOf(TASK, [run('f1', 'notify', 'COMPLETED'), run('f2', 'notify', 'COMPLETED'), run('f3', 'notify', 'FAILED')], TYPES);
  const found = (findingId: string, more: Partial<FoundFinding> = {}): FoundFinding => ({
    id: `sh-${findingId}`, productArn: 'arn:aws:securityhub:eu-west-1::product/aws/iot-device-defender-audit', findingId, workflowStatus: 'NEW', ...more,
  });

  test('grouped by note and status; NOTIFIED only for NEW findings; a finding with this note already is left alone', () => {
    const plan = planUpdates([
      found('f1'),
      found('f2', { workflowStatus: 'SUPPRESSED' }),
      found('f3'),
      found('f1', { id: 'sh-f1-again', note: { text: notes.get('f1')!.text, updatedBy: 'cdk-device-defender' } }),
      found('f1'), // listed twice: one identifier
    ], notes);
    expect(plan.unchanged).toBe(1);
    expect(plan.batches).toEqual([
      { text: notes.get('f1')!.text, notify: true, identifiers: [{ Id: 'sh-f1', ProductArn: expect.any(String) }] },
      { text: notes.get('f2')!.text, notify: false, identifiers: [{ Id: 'sh-f2', ProductArn: expect.any(String) }] },
      { text: notes.get('f3')!.text, notify: false, identifiers: [{ Id: 'sh-f3', ProductArn: expect.any(String) }] },
    ]);
  });

  test('the same note written by someone else is not ours: written again', () => {
    const plan = planUpdates([found('f1', { note: { text: notes.get('f1')!.text, updatedBy: 'analyst' } })], notes);
    expect(plan).toMatchObject({ unchanged: 0, batches: [{ notify: true }] });
  });
});

describe('FindingUpdater against Security Hub', () => {
  let e: Emulators;
  let client: SecurityHubClient;
  const AUDIT = 'audit-1';
  const CHECK = 'DEVICE_CERTIFICATE_EXPIRING_CHECK';
  const reporter = new Reporter(undefined, 'Stack/Audit');

  beforeAll(async () => {
    e = await startEmulators();
    client = new SecurityHubClient({});
  });
  afterAll(() => stopEmulators(e));
  beforeEach(() => resetEmulators(e));
  afterEach(() => expectNoSecurityHubViolations(e.securityhub));

  /** A finished task whose one action succeeded on `count` findings f0..f<count-1>, each with its Security Hub finding. */
  function taskOn(count: number, taskId = TASK): { task: FinishedTask; ids: string[] } {
    e.securityhub.enableHub({ products: [awsProductArn(REGION, 'iot-device-defender-audit')] });
    const ids = Array.from({ length: count }, (_, i) => e.securityhub.addFinding({ findingId: `f${i}`, taskId: AUDIT, checkName: CHECK }).Id);
    const executions = Array.from({ length: count }, (_, i) => run(`f${i}`, 'notify', 'COMPLETED'));
    const task = { outcome: { taskId } as FinishedTask['outcome'], executions, actionTypes: TYPES };
    return { task, ids };
  }

  const update = (task: FinishedTask, updater = new FindingUpdater(client, { partition: 'aws', region: REGION })) =>
    withLogs(() => updater.update(task, reporter));

  test('250 findings: looked up 20 ids per GetFindings, updated in 3 BatchUpdateFindings calls', async () => {
    const { task, ids } = taskOn(250);

    const { result } = await update(task);

    expect(result).toEqual({ updated: 250, notified: 250, unchanged: 0, notFound: 0 });
    expect(e.securityhub.requestsFor('GetFindings')).toHaveLength(13);
    const calls = e.securityhub.requestsFor('BatchUpdateFindings');
    expect(calls.map((c) => (c.input.FindingIdentifiers as unknown[]).length)).toEqual([100, 100, 50]);
    expect(ids.every((id) => e.securityhub.finding(id)!.Workflow.Status === 'NOTIFIED')).toBe(true);
  });

  test('UnprocessedFindings are sent again, only those, until processed', async () => {
    const { task, ids } = taskOn(5);
    e.securityhub.injectFault({ kind: 'unprocessedFindings', operation: 'BatchUpdateFindings', findingIds: [ids[1], ids[2]], times: 2 });

    const { result } = await update(task);

    expect(result).toEqual({ updated: 5, notified: 5, unchanged: 0, notFound: 0 });
    const calls = e.securityhub.requestsFor('BatchUpdateFindings').map((c) => (c.input.FindingIdentifiers as Array<{ Id: string }>).map((f) => f.Id));
    expect(calls).toEqual([ids, [ids[1], ids[2]], [ids[1], ids[2]]]);
    expect(ids.every((id) => e.securityhub.updatesOf(id).length === 1)).toBe(true);
  });

  test('findings left unprocessed round after round: thrown (the follower retries the task), the processed ones kept', async () => {
    const { task, ids } = taskOn(3);
    e.securityhub.injectFault({ kind: 'unprocessedFindings', operation: 'BatchUpdateFindings', findingIds: [ids[0]], times: Infinity });

    const { error } = await update(task);

    expect(error).toBeInstanceOf(UnprocessedFindingsError);
    expect((error as Error).message).toMatch(/left 1 findings unprocessed 4 times \(ConcurrentUpdateError\)/);
    expect(e.securityhub.updatesOf(ids[1])).toHaveLength(1);
  });

  test('audit findings without a Security Hub finding (not sent yet) are counted, not an error', async () => {
    const { task } = taskOn(2);
    const more = { ...task, executions: [...task.executions, run('f-unsent', 'notify', 'COMPLETED')] };

    const { result } = await update(more);

    expect(result).toEqual({ updated: 2, notified: 2, unchanged: 0, notFound: 1 });
  });

  test('Security Hub not enabled: reported once per run, every task answers the refusal', async () => {
    const task = { outcome: { taskId: TASK } as FinishedTask['outcome'], executions: [run('f1', 'notify', 'COMPLETED')], actionTypes: TYPES };
    const other = { ...task, outcome: { taskId: 'dd0123456789-audit-2' } as FinishedTask['outcome'] };
    const updater = new FindingUpdater(client, { partition: 'aws', region: REGION });

    const first = await update(task, updater);
    const second = await update(other, updater);

    expect(first.result).toEqual({ updated: 0, notified: 0, unchanged: 0, notFound: 1, error: expect.stringMatching(/^InvalidAccessException: .*not subscribed/) });
    expect(second.result).toEqual(first.result);
    const reports = [...first.logs, ...second.logs].filter((l) => l.event === 'permanent-failure');
    expect(reports).toEqual([expect.objectContaining({ kind: 'security-hub-refused', taskId: TASK })]);
    // The second task asked nothing: the refusal was known.
    expect(e.securityhub.requestsFor('GetFindings')).toHaveLength(1);
  });
});
