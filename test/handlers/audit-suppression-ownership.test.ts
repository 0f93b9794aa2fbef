import { CreateAuditSuppressionCommand, DeleteAuditSuppressionCommand, IoTClient, UpdateAuditSuppressionCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Emulators, metricSum, datapointsOf, REPORT_TOPIC, resetEmulators, setEnv, startEmulators, stopEmulators, withLogs } from './harness';
import {
  CERT, CHECK, certProps, contextWith, LOGICAL_ID, marked, OTHER_STACK_ID, Props, suppressionEvent as event,
} from './suppression-harness';
import { suppressionPhysicalId } from '../../src/handlers/audit-suppression/audit-suppression-plan';
import type * as HandlerModule from '../../src/handlers/audit-suppression.lambda';
import { expectNoViolations } from '../emulator/iot-emulator';

// Who owns a suppression: CloudFormation event sequences (rollback, move, upgrade) and what an
// operator does by hand, against the IoT, SNS and EventBridge emulators.

let handler: typeof HandlerModule.handler;
let e: Emulators;
let operator: IoTClient;

const FUNCTION_NAME = 'suppression-handler';
const MITIGATION = 'Stack/LabCertificate';
const KEY_A = { deviceCertificateId: CERT };
const KEY_B = { deviceCertificateId: 'b'.repeat(64) };
const propsA = (extra: Props = {}) => certProps({ Description: 'lab rigs', MitigationName: MITIGATION, ReportTopicArn: REPORT_TOPIC, ...extra });
const propsB = (extra: Props = {}) => propsA({ ResourceIdentifier: KEY_B, SuppressIndefinitely: 'false', ExpirationDate: '2099-01-01T00:00:00.000Z', ...extra });

async function run(ev: CloudFormationCustomResourceEvent) {
  const { result, error, logs } = await withLogs(() => handler(ev, contextWith()));
  if (error) { throw error; }
  return { ...result!, logs };
}

const suppression = (resourceIdentifier: object) =>
  e.iot.auditSuppressions().find((s) => JSON.stringify(s.resourceIdentifier) === JSON.stringify(resourceIdentifier));
const failures = (logs: Array<Record<string, unknown>>) => logs.filter((l) => l.event === 'permanent-failure');
const failedEvents = () => e.events.eventsOfType('Mitigation Failed');

/** Makes a suppression by hand, as an operator would (console, CLI, another tool). */
async function byHand(description: string, resourceIdentifier = KEY_A) {
  await operator.send(new CreateAuditSuppressionCommand({
    checkName: CHECK, resourceIdentifier, suppressIndefinitely: true, description, clientRequestToken: `hand-${description.length}`,
  }));
}

beforeAll(async () => {
  e = await startEmulators();
  operator = new IoTClient({});
  setEnv({ AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require('../../src/handlers/audit-suppression.lambda').handler;
});
afterAll(async () => {
  setEnv({ AWS_LAMBDA_FUNCTION_NAME: undefined });
  await stopEmulators(e);
});
beforeEach(() => resetEmulators(e));
afterEach(() => {
  expectNoViolations(e.iot);
  expect(e.sns.violations()).toEqual([]);
  expect(e.events.violations()).toEqual([]);
});

describe('a rollback of a replacement', () => {
  test('Create A, Update A -> B, rollback Update B -> A: A is in force with its settings, nothing fails; cleanup Delete of B removes B', async () => {
    const created = await run(event('Create', propsA()));
    const replaced = await run(event('Update', propsB(), { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: propsA() }));
    expect(replaced.PhysicalResourceId).toBe(suppressionPhysicalId(CHECK, KEY_B));
    // The deployment fails elsewhere: CloudFormation rolls the resource back to A (A was never deleted).
    const rolledBack = await run(event('Update', propsA(), { PhysicalResourceId: replaced.PhysicalResourceId, OldResourceProperties: propsB() }));
    expect(rolledBack.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(rolledBack.logs).toContainEqual(expect.objectContaining({ level: 'INFO', event: 'adopted' }));
    expect(suppression(KEY_A)).toMatchObject({ suppressIndefinitely: true, expirationDate: undefined, description: marked('lab rigs') });
    // The rollback's cleanup deletes what it replaced: B, with B's properties.
    const cleanup = await run(event('Delete', propsB(), { PhysicalResourceId: replaced.PhysicalResourceId }));
    expect(e.iot.auditSuppressions().map((s) => s.resourceIdentifier)).toEqual([KEY_A]);
    for (const { logs } of [created, replaced, rolledBack, cleanup]) { expect(failures(logs)).toEqual([]); }
    expect(failedEvents()).toEqual([]);
    expect(e.sns.publishedTo(REPORT_TOPIC)).toEqual([]);
  });

  test('across the upgrade: A was made by a release before markers, the first Update replaces it with B and rolls back: A is adopted', async () => {
    await byHand('lab rigs'); // what the released handler wrote: the description alone
    const replaced = await run(event('Update', propsB(), { PhysicalResourceId: suppressionPhysicalId(CHECK, KEY_A), OldResourceProperties: propsA() }));
    const rolledBack = await run(event('Update', propsA(), { PhysicalResourceId: replaced.PhysicalResourceId, OldResourceProperties: propsB() }));
    expect(rolledBack.PhysicalResourceId).toBe(suppressionPhysicalId(CHECK, KEY_A));
    expect(suppression(KEY_A)).toMatchObject({ description: marked('lab rigs') });
    expect(failures(rolledBack.logs)).toEqual([]);
  });
});

describe('a construct moved to a new path (a new logical id)', () => {
  test('the new resource takes over its suppression (pending), the old one\'s cleanup Delete leaves it and confirms; the new one\'s Delete deletes it', async () => {
    const old = await run(event('Create', propsA(), { LogicalResourceId: 'Old' }));
    const moved = await run(event('Create', propsA({ Description: 'moved' })));
    expect(moved.PhysicalResourceId).toBe(`${old.PhysicalResourceId}:from:Old`);
    expect(suppression(KEY_A)).toMatchObject({ description: marked('moved', LOGICAL_ID, { pending: true }) });
    expect(e.iot.requestsFor('DeleteAuditSuppression')).toHaveLength(0);

    const cleanup = await run(event('Delete', propsA(), { LogicalResourceId: 'Old', PhysicalResourceId: old.PhysicalResourceId }));
    expect(cleanup.logs).toContainEqual(expect.objectContaining({ event: 'left-in-force', reason: expect.stringMatching(/^left to resource LabCertificate of this stack/) }));
    expect(suppression(KEY_A)).toMatchObject({ suppressIndefinitely: true, description: marked('moved') });
    expect(e.iot.requestsFor('DeleteAuditSuppression')).toHaveLength(0);

    // A later Update and Delete of the moved resource act on it.
    await run(event('Update', propsA({ Description: 'later' }), { PhysicalResourceId: moved.PhysicalResourceId, OldResourceProperties: propsA({ Description: 'moved' }) }));
    expect(suppression(KEY_A)).toMatchObject({ description: marked('later') });
    await run(event('Delete', propsA({ Description: 'later' }), { PhysicalResourceId: moved.PhysicalResourceId }));
    expect(e.iot.auditSuppressions()).toEqual([]);
    for (const { logs } of [old, moved, cleanup]) { expect(failures(logs)).toEqual([]); }
  });

  test('a rollback of the move deletes the new resource: the suppression is handed back to the old one, which deletes it later', async () => {
    const old = await run(event('Create', propsA(), { LogicalResourceId: 'Old' }));
    const moved = await run(event('Create', propsA()));
    const rollback = await run(event('Delete', propsA(), { PhysicalResourceId: moved.PhysicalResourceId }));
    expect(rollback.logs).toContainEqual(expect.objectContaining({ event: 'left-in-force', reason: expect.stringMatching(/^handed back to resource Old/) }));
    expect(suppression(KEY_A)).toMatchObject({ description: marked('lab rigs', 'Old') });
    await run(event('Delete', propsA(), { LogicalResourceId: 'Old', PhysicalResourceId: old.PhysicalResourceId }));
    expect(e.iot.auditSuppressions()).toEqual([]);
    expect(failures(rollback.logs)).toEqual([]);
  });
});

describe('a suppression someone else made is never changed or deleted', () => {
  async function expectReported(logs: Array<Record<string, unknown>>, kind: string) {
    expect(failures(logs)).toEqual([expect.objectContaining({ level: 'ERROR', kind, error: 'SuppressionRefused', checkName: CHECK })]);
    expect(metricSum(datapointsOf(logs), 'PermanentFailures', { FunctionName: FUNCTION_NAME })).toBe(1);
    expect(metricSum(datapointsOf(logs), 'PermanentFailures', { Mitigation: MITIGATION })).toBe(1);
    expect(failedEvents().map((ev) => ev.detail)).toEqual([expect.objectContaining({ mitigation: MITIGATION, kind, functionName: FUNCTION_NAME })]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([expect.objectContaining({ event: 'permanent-failure', kind })]);
  }

  test('an operator unsuppresses and re-creates it by hand: the stack\'s Update and Delete leave it, each reporting a permanent failure', async () => {
    const { PhysicalResourceId } = await run(event('Create', propsA()));
    await operator.send(new DeleteAuditSuppressionCommand({ checkName: CHECK, resourceIdentifier: KEY_A }));
    await byHand('made by hand until the audit');
    const handMade = suppression(KEY_A);

    const updated = await run(event('Update', propsA({ Description: 'new reason' }), { PhysicalResourceId, OldResourceProperties: propsA() }));
    expect(updated.PhysicalResourceId).toBe(PhysicalResourceId);
    expect(suppression(KEY_A)).toEqual(handMade);
    await expectReported(updated.logs, 'suppression-not-owned');
    expect(failures(updated.logs)[0].message).toMatch(/made by hand until the audit.*no ownership marker/);

    resetReports();
    const deleted = await run(event('Delete', propsA({ Description: 'new reason' }), { PhysicalResourceId }));
    expect(suppression(KEY_A)).toEqual(handMade);
    expect(e.iot.requestsFor('UpdateAuditSuppression')).toHaveLength(0);
    expect(e.iot.requestsFor('DeleteAuditSuppression')).toHaveLength(1); // the operator's
    await expectReported(deleted.logs, 'suppression-not-owned');
  });

  test('another stack\'s suppression: a Create is refused (the request fails, and is reported), an Update and a Delete leave it', async () => {
    await byHand(marked('theirs', 'Theirs', { stackId: OTHER_STACK_ID }));
    const theirs = suppression(KEY_A);
    const { error, logs } = await withLogs(() => handler(event('Create', propsA()), contextWith()));
    expect((error as Error).message).toMatch(/it is managed by resource Theirs of stack arn:aws:cloudformation:eu-west-1:123456789012:stack\/Other\/guid-2.*does not adopt it/);
    await expectReported(logs, 'suppression-refused');

    resetReports();
    const id = suppressionPhysicalId(CHECK, KEY_A);
    const updated = await run(event('Update', propsA({ Description: 'x' }), { PhysicalResourceId: id, OldResourceProperties: propsA() }));
    await expectReported(updated.logs, 'suppression-not-owned');
    resetReports();
    const deleted = await run(event('Delete', propsA(), { PhysicalResourceId: id }));
    await expectReported(deleted.logs, 'suppression-not-owned');
    expect(suppression(KEY_A)).toEqual(theirs);
  });
});

describe('suppressions made by the released version (no marker)', () => {
  test('an Update whose suppression has the old properties\' description is this resource\'s: updated and marked', async () => {
    await byHand('lab rigs');
    const id = suppressionPhysicalId(CHECK, KEY_A);
    const { logs } = await run(event('Update', propsA({ Description: 'lab rigs, until June' }), { PhysicalResourceId: id, OldResourceProperties: propsA() }));
    expect(suppression(KEY_A)).toMatchObject({ description: marked('lab rigs, until June') });
    expect(logs).toContainEqual(expect.objectContaining({ event: 'updated', reason: expect.stringMatching(/before ownership markers: marked now/) }));
    expect(failures(logs)).toEqual([]);
  });

  test('without a description, the released version wrote \'\': an Update adopts \'\' and a Delete deletes it', async () => {
    await operator.send(new CreateAuditSuppressionCommand({ checkName: CHECK, resourceIdentifier: KEY_A, suppressIndefinitely: true, description: '', clientRequestToken: 'old' }));
    const id = suppressionPhysicalId(CHECK, KEY_A);
    const props = certProps({ MitigationName: MITIGATION });
    await run(event('Update', certProps({ Description: 'now with a reason' }), { PhysicalResourceId: id, OldResourceProperties: props }));
    expect(suppression(KEY_A)).toMatchObject({ description: marked('now with a reason') });
    await operator.send(new UpdateAuditSuppressionCommand({ checkName: CHECK, resourceIdentifier: KEY_A, description: '' }));
    const { logs } = await run(event('Delete', props, { PhysicalResourceId: id }));
    expect(e.iot.auditSuppressions()).toEqual([]);
    expect(failures(logs)).toEqual([]);
  });

  test('a Delete whose suppression has the properties\' description deletes it; with another description it is left', async () => {
    await byHand('lab rigs');
    const id = suppressionPhysicalId(CHECK, KEY_A);
    const kept = await run(event('Delete', propsA({ Description: 'something else' }), { PhysicalResourceId: id }));
    expect(e.iot.auditSuppressions()).toHaveLength(1);
    expect(failures(kept.logs)).toHaveLength(1);
    await run(event('Delete', propsA(), { PhysicalResourceId: id }));
    expect(e.iot.auditSuppressions()).toEqual([]);
  });
});

test('a description that does not fit with its marker is refused before any write, and reported', async () => {
  const { error, logs } = await withLogs(() => handler(event('Create', propsA({ Description: 'x'.repeat(950) })), contextWith()));
  expect((error as Error).message).toMatch(/^the description with its ownership marker is 1050 characters, and AWS IoT allows 1000: shorten the description \(950 characters\) by at least 50$/);
  expect(failures(logs)).toEqual([expect.objectContaining({ kind: 'suppression-refused' })]);
  expect(e.iot.requests).toEqual([]);
});

function resetReports() {
  e.sns.published.length = 0;
  e.events.events.length = 0;
}
