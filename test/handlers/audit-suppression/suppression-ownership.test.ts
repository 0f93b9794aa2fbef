import { decideOnExisting, ExistingRequest } from '../../../src/handlers/audit-suppression/suppression-ownership';
import { marked, OTHER_STACK_ID, STACK_ID } from '../suppression-harness';

describe('decideOnExisting (pure)', () => {
  const self = { stackId: STACK_ID, logicalResourceId: 'L' };
  const mine = marked('why', 'L');
  const minePending = marked('why', 'L', { pending: true });
  const sibling = marked('why', 'X');
  const siblingPending = marked('why', 'X', { pending: true });
  const otherStack = marked('why', 'L', { stackId: OTHER_STACK_ID });
  const create: ExistingRequest = { kind: 'create', self, description: 'new' };
  const rollbackCreate: ExistingRequest = { kind: 'create', self, description: 'new', released: 'new' };
  const update: ExistingRequest = { kind: 'update', self, description: 'new', released: 'old' };
  const del: ExistingRequest = { kind: 'delete', self, released: 'old' };
  const delAdopted: ExistingRequest = { kind: 'delete', self, released: 'old', adoptedFrom: 'X' };

  test.each<[string, ExistingRequest, string, string, string | undefined]>([
    ['create: its own (a rollback)', create, mine, 'write', marked('new', 'L')],
    ['create: its own, pending stays pending', create, minePending, 'write', marked('new', 'L', { pending: true })],
    ['create: a sibling\'s (a move) is taken over, pending', create, sibling, 'write', marked('new', 'L', { pending: true })],
    ['create: another stack\'s', create, otherStack, 'refuse', undefined],
    ['create: made by hand', create, 'by hand', 'refuse', undefined],
    ['create: made by hand with the same description (a Create is new: no release made it)', create, 'new', 'refuse', undefined],
    ['create in an Update to a new key: released with these properties', rollbackCreate, 'new', 'write', marked('new', 'L')],
    ['update: its own', update, mine, 'write', marked('new', 'L')],
    ['update: released (old description)', update, 'old', 'write', marked('new', 'L')],
    ['update: made by hand', update, 'by hand', 'refuse', undefined],
    ['update: a sibling\'s', update, sibling, 'refuse', undefined],
    ['update: another stack\'s', update, otherStack, 'refuse', undefined],
    ['delete: its own', del, mine, 'delete', undefined],
    ['delete: released (the properties\' description)', del, 'old', 'delete', undefined],
    ['delete: its own, pending, taken over from X: handed back', delAdopted, minePending, 'remark', marked('why', 'X')],
    ['delete: its own, pending, from whom unknown', del, minePending, 'refuse', undefined],
    ['delete: a sibling took it over (pending): confirmed', del, siblingPending, 'remark', marked('why', 'X')],
    ['delete: a sibling took it over (confirmed)', del, sibling, 'leave', undefined],
    ['delete: made by hand', del, 'by hand', 'refuse', undefined],
    ['delete: another stack\'s', del, otherStack, 'refuse', undefined],
  ])('%s', (_, request, existing, kind, description) => {
    const decision = decideOnExisting(request, existing);
    expect(decision.kind).toBe(kind);
    if (description !== undefined) { expect(decision).toMatchObject({ description }); }
  });
});
