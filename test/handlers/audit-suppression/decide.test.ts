import { planSuppressionRequest, suppressionPhysicalId } from '../../../src/handlers/audit-suppression/audit-suppression-plan';
import {
  CreatePlan, decideCreate, decideDelete, decideDeleteFailure, decideUpdate, DeletePlan, SuppressionRefusedError, UpdatePlan,
} from '../../../src/handlers/audit-suppression/decide';
import { CERT, CHECK, certProps, LOGICAL_ID, marked, OTHER_STACK_ID, Props, STACK_ID, suppressionEvent as event } from '../suppression-harness';

// The AuditSuppression handler's decisions as pure functions: the request's plan and what AWS IoT
// said (plain data), no emulator. test/handlers/audit-suppression.test.ts and
// audit-suppression-ownership.test.ts run the same cases through the handler against the emulator.

const self = { stackId: STACK_ID, logicalResourceId: LOGICAL_ID };
const KEY = { checkName: CHECK, resourceIdentifier: { deviceCertificateId: CERT } };
const FIELDS = { ...KEY };

const createPlan = (props: Props = certProps({ Description: 'lab rigs' })) => planSuppressionRequest(event('Create', props)) as CreatePlan;
const updatePlan = (props: Props = certProps({ Description: 'new' }), old: Props = certProps({ Description: 'old' })) => {
  const physicalResourceId = suppressionPhysicalId(CHECK, KEY.resourceIdentifier);
  return planSuppressionRequest(event('Update', props, { PhysicalResourceId: physicalResourceId, OldResourceProperties: old })) as UpdatePlan;
};
const deletePlan = (props: Props = certProps({ Description: 'old' }), physicalResourceId = suppressionPhysicalId(CHECK, KEY.resourceIdentifier)) =>
  planSuppressionRequest(event('Delete', props, { PhysicalResourceId: physicalResourceId })) as DeletePlan;

describe('decideCreate', () => {
  test('creates the suppression with the marker after the description, and the request\'s token; then logs it', () => {
    const plan = createPlan();
    expect(decideCreate(plan, self, {})).toEqual({
      kind: 'create',
      input: { ...KEY, expirationDate: undefined, suppressIndefinitely: true, description: marked('lab rigs'), clientRequestToken: plan.clientRequestToken },
    });
    expect(decideCreate(plan, self, { created: 'created' })).toEqual({
      kind: 'done',
      effects: [{ kind: 'log', level: 'INFO', event: 'created', fields: { physicalResourceId: plan.physicalResourceId, checkName: CHECK } }],
      reports: [],
      physicalResourceId: plan.physicalResourceId,
    });
  });

  test('indefinitely, without a description: the marker alone', () => {
    expect(decideCreate(createPlan(certProps()), self, {})).toMatchObject({ kind: 'create', input: { description: marked(undefined) } });
  });

  test('a description that does not fit with its marker is refused before any call', () => {
    const step = decideCreate(createPlan(certProps({ Description: 'x'.repeat(950) })), self, {});
    expect(step).toEqual({ kind: 'fail', error: expect.any(SuppressionRefusedError) });
    expect(step.kind === 'fail' && (step.error as Error).message).toBe(
      'the description with its ownership marker is 1050 characters, and AWS IoT allows 1000: shorten the description (950 characters) by at least 50');
  });

  test('one that exists already: read it; made elsewhere, it is refused, never adopted, and the message says what exists and what to do', () => {
    const plan = createPlan();
    expect(decideCreate(plan, self, { created: 'exists' })).toEqual({ kind: 'describe' });
    const step = decideCreate(plan, self, { created: 'exists', found: { description: 'by hand', suppressIndefinitely: true } });
    expect(step).toEqual({ kind: 'fail', error: expect.any(SuppressionRefusedError) });
    expect(step.kind === 'fail' && (step.error as Error).message).toMatch(new RegExp(
      `^an audit suppression of ${CHECK} for .* exists already \\(suppressed indefinitely: "by hand"\\), and it was made outside this resource.*`
      + 'AuditSuppression does not adopt it'));
  });

  test('one that was there on Create and gone when read: the request fails (deploy again)', () => {
    expect(decideCreate(createPlan(), self, { created: 'exists', found: null })).toEqual({
      kind: 'fail', error: new Error(`the suppression of ${CHECK} existed when created, and was gone when read: deploy again`),
    });
  });

  test('its own (a rollback) is written again; a sibling\'s (a move) is taken over, pending, and named in the physical id', () => {
    const plan = createPlan();
    expect(decideCreate(plan, self, { created: 'exists', found: { description: marked('lab rigs') } })).toMatchObject({
      kind: 'write', input: { ...KEY, description: marked('lab rigs') }, physicalResourceId: plan.physicalResourceId,
    });
    expect(decideCreate(plan, self, { created: 'exists', found: { description: marked('lab rigs', 'Old') } })).toEqual({
      kind: 'write',
      input: { ...KEY, expirationDate: undefined, suppressIndefinitely: true, description: marked('lab rigs', LOGICAL_ID, { pending: true }) },
      effects: [{ kind: 'log', level: 'INFO', event: 'adopted', fields: { ...KEY, reason: expect.stringMatching(/^taken over from resource Old of this stack/) } }],
      physicalResourceId: suppressionPhysicalId(CHECK, KEY.resourceIdentifier, 'Old'),
    });
  });
});

describe('decideUpdate', () => {
  test('its own: updated in place with the new settings, and logged', () => {
    const plan = updatePlan();
    expect(decideUpdate(plan, self, {})).toEqual({ kind: 'describe' });
    expect(decideUpdate(plan, self, { found: { description: marked('old') } })).toEqual({
      kind: 'write',
      input: { ...KEY, expirationDate: undefined, suppressIndefinitely: true, description: marked('new') },
      effects: [{ kind: 'log', level: 'INFO', event: 'updated', fields: { ...KEY, reason: 'its marker names this resource' } }],
      physicalResourceId: plan.physicalResourceId,
    });
  });

  test('made by this resource before markers (the old properties\' description): updated and marked', () => {
    expect(decideUpdate(updatePlan(), self, { found: { description: 'old' } })).toMatchObject({ kind: 'write', input: { description: marked('new') } });
  });

  test('deleted outside CloudFormation: made again (a Create of the same key, no released description)', () => {
    const plan = updatePlan();
    expect(decideUpdate(plan, self, { found: null })).toEqual({
      kind: 'recreate',
      effects: [{ kind: 'log', level: 'WARN', event: 'recreated', fields: { ...KEY, reason: 'not found on Update' } }],
      plan: { ...plan, kind: 'create', released: undefined },
    });
  });

  test.each([
    ['made by hand', 'by hand'],
    ['another stack\'s', marked('why', LOGICAL_ID, { stackId: OTHER_STACK_ID })],
  ])('%s: left as it is, reported as a permanent failure, and the Update succeeds', (_what, description) => {
    const plan = updatePlan();
    expect(decideUpdate(plan, self, { found: { description, suppressIndefinitely: true } })).toEqual({
      kind: 'done',
      effects: [],
      reports: [{
        kind: 'permanent-failure',
        failure: 'suppression-not-owned',
        error: expect.any(SuppressionRefusedError),
        fields: { ...KEY, reason: expect.stringMatching(/^left as it is: this stack's expiry and description were not applied/) },
      }],
      physicalResourceId: plan.physicalResourceId,
    });
  });
});

describe('decideDelete', () => {
  test('its own: deleted (and gone already is what a Delete wants)', () => {
    const plan = deletePlan();
    expect(decideDelete(plan, self, {})).toEqual({ kind: 'describe' });
    expect(decideDelete(plan, self, { found: { description: marked('old') } })).toEqual({
      kind: 'delete',
      effects: [{ kind: 'log', level: 'INFO', event: 'deleted', fields: { ...FIELDS, reason: 'its marker names this resource' } }],
      ifGone: [{ kind: 'log', level: 'INFO', event: 'already-deleted', fields: FIELDS }],
    });
    expect(decideDelete(plan, self, { found: null })).toEqual({ kind: 'done', effects: [{ kind: 'log', level: 'INFO', event: 'already-deleted', fields: FIELDS }], reports: [] });
  });

  test('a rollback of a move: handed back to the resource it was taken over from (the marker rewritten), left in force', () => {
    const adopted = suppressionPhysicalId(CHECK, KEY.resourceIdentifier, 'Old');
    expect(decideDelete(deletePlan(certProps({ Description: 'old' }), adopted), self, { found: { description: marked('why', LOGICAL_ID, { pending: true }) } })).toEqual({
      kind: 'write',
      input: { ...KEY, description: marked('why', 'Old') },
      effects: [{ kind: 'log', level: 'INFO', event: 'left-in-force', fields: { ...FIELDS, reason: expect.stringMatching(/^handed back to resource Old/) } }],
      remarking: expect.stringMatching(/^handed back/),
    });
  });

  test('a sibling took it over: left to it (its pending takeover confirmed by rewriting the marker)', () => {
    expect(decideDelete(deletePlan(), self, { found: { description: marked('why', 'New') } })).toEqual({
      kind: 'done', effects: [{ kind: 'log', level: 'INFO', event: 'left-in-force', fields: { ...FIELDS, reason: expect.stringMatching(/^left to resource New/) } }], reports: [],
    });
    expect(decideDelete(deletePlan(), self, { found: { description: marked('why', 'New', { pending: true }) } })).toMatchObject({
      kind: 'write', input: { description: marked('why', 'New') },
    });
  });

  test('made by hand: left in force, and reported; the Delete succeeds', () => {
    expect(decideDelete(deletePlan(), self, { found: { description: 'by hand' } })).toEqual({
      kind: 'done',
      effects: [],
      reports: [expect.objectContaining({ kind: 'permanent-failure', failure: 'suppression-not-owned', fields: expect.objectContaining({ reason: expect.stringMatching(/^left in force/) }) })],
    });
  });

  test('a Delete that could not delete in time, or was refused: a permanent failure saying how to remove what is left', () => {
    const error = Object.assign(new Error('slow'), { name: 'DeadlineExceeded' });
    expect(decideDeleteFailure(deletePlan().props, error)).toEqual([{
      kind: 'permanent-failure',
      failure: 'suppression-not-deleted',
      error,
      fields: { ...FIELDS, reason: 'the suppression is still in force: delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)' },
    }]);
    expect(decideDeleteFailure(deletePlan().props, error, 'handed back to resource Old')).toEqual([expect.objectContaining({
      failure: 'suppression-marker-not-updated', fields: expect.objectContaining({ reason: expect.stringMatching(/its ownership marker was not rewritten \(handed back to resource Old\)/) }),
    })]);
  });
});
