import type { ActiveViolation } from '@aws-sdk/client-iot';
import { Lookup, LookupResult, UnverifiedViolationError } from '../../../src/handlers/detect-mitigation/active-violations';
import type { DetectHandlerConfig } from '../../../src/handlers/detect-mitigation/config';
import {
  Batch, decideAlerts, decideBatch, decideTask, decideVerification, Received,
} from '../../../src/handlers/detect-mitigation/decide';
import type { ViolationAlert } from '../../../src/handlers/detect-mitigation/violation';
import { Answer, classified } from '../../../src/handlers/shared/errors';
import { detectMitigationTaskId } from '../../../src/handlers/shared/ids';
import { MalformedMessageError } from '../../../src/handlers/shared/message';

// The detect mitigation handler's decisions as pure functions: plain inputs (the configuration, the
// batch, what AWS IoT answered), no emulator. test/handlers/detect-mitigation.test.ts runs the same
// cases through the handler against the emulators.

const PREFIX = 'dd0123456789';
const MITIGATION = 'Stack/Detect';
const CONFIG: DetectHandlerConfig = {
  securityProfileName: 'profile', actions: ['quarantine', 'notify'], dryRun: false, taskIdPrefix: PREFIX, mitigation: MITIGATION,
};

const alert = (n: number, o: Partial<ViolationAlert> = {}): ViolationAlert => ({
  violationId: `violation-${String(n).padStart(3, '0')}`,
  violationEventType: 'in-alarm',
  securityProfileName: 'profile',
  thingName: `thing-${n}`,
  behaviorName: 'MsgsSent',
  ...o,
});
const received = (n: number, o: Partial<ViolationAlert> = {}, messageId = `m-${n}`): Received => ({ messageId, alert: alert(n, o) });
const named = (name: string) => Object.assign(new Error('x'), { name });
const ids = (count: number, from = 1) => Array.from({ length: count }, (_, i) => alert(from + i).violationId);

/** The batch of `verified` alerts (the behaviour filter applied). */
const batchOf = (verified: Received[], config = CONFIG): Batch => decideBatch(verified, config).batch;

describe('decideAlerts', () => {
  test('a malformed body is a permanent failure that loses only its own record; an alert that asks for nothing is only logged', () => {
    const malformed = new MalformedMessageError('violation alert', 'not JSON');
    const { notices, received: verify } = decideAlerts([
      { messageId: 'm-1', body: '{', alert: malformed },
      { messageId: 'm-2', body: '', alert: alert(2, { violationEventType: 'alarm-cleared' }) },
      { messageId: 'm-3', body: '', alert: alert(3, { securityProfileName: 'other' }) },
      { messageId: 'm-4', body: '', alert: alert(4) },
    ], CONFIG);
    expect(verify).toEqual([received(4)]);
    expect(notices).toEqual([
      {
        effects: [{ kind: 'permanent-failure', failure: 'malformed-alert', error: malformed, fields: { messageId: 'm-1', received: '{' } }],
        onFailure: { messageIds: ['m-1'], fields: { messageIds: ['m-1'] } },
      },
      { effects: [{ kind: 'log', level: 'INFO', event: 'ignored', fields: { violationId: alert(2).violationId, reason: 'violation event alarm-cleared, not in-alarm' } }] },
      { effects: [{ kind: 'log', level: 'INFO', event: 'ignored', fields: { violationId: alert(3).violationId, reason: 'security profile other, not profile' } }] },
    ]);
  });

  test('a malformed body is cut to 2,000 characters in its report', () => {
    const { notices } = decideAlerts([{ messageId: 'm', body: 'x'.repeat(300_000), alert: new MalformedMessageError('violation alert', 'not JSON') }], CONFIG);
    expect(notices[0].effects[0]).toMatchObject({ fields: { received: 'x'.repeat(2000) } });
  });
});

describe('decideVerification: each alert is verified with ListActiveViolations for the configured profile', () => {
  const lookup: Lookup = { thingName: 'thing-1', violationIds: [alert(1).violationId] };
  const active = (...violations: ActiveViolation[]): Answer<LookupResult> =>
    ({ value: { active: new Map(violations.map((v) => [v.violationId!, v])) } });

  test('an alert AWS IoT lists as active is verified with AWS IoT\'s thing and behaviour, not the message\'s', () => {
    const answers = new Map([[lookup, active({ violationId: alert(1).violationId, thingName: 'thing-aws', behavior: { name: 'AwsBehavior' } })]]);
    expect(decideVerification([received(1)], [lookup], answers, CONFIG)).toEqual({
      notices: [], retry: [], verified: [{ messageId: 'm-1', alert: alert(1, { thingName: 'thing-aws', behaviorName: 'AwsBehavior' }) }],
    });
  });

  test('an alert AWS IoT does not list is refused for good (unverified-violation)', () => {
    const { notices, retry, verified } = decideVerification([received(1)], [lookup], new Map([[lookup, active()]]), CONFIG);
    expect({ retry, verified }).toEqual({ retry: [], verified: [] });
    expect(notices).toEqual([{
      effects: [{
        kind: 'permanent-failure',
        failure: 'unverified-violation',
        error: expect.any(UnverifiedViolationError),
        fields: { messageId: 'm-1', violationId: alert(1).violationId, securityProfileName: 'profile' },
      }],
      onFailure: { messageIds: ['m-1'], fields: { messageIds: ['m-1'] } },
    }]);
  });

  test('a lookup throttled beyond the SDK\'s retries: a retrying line, and only its records go back to SQS', () => {
    const other: Lookup = { thingName: 'thing-2', violationIds: [alert(2).violationId] };
    const answers = new Map<Lookup, Answer<LookupResult>>([[lookup, classified(named('ThrottlingException'))], [other, active({ violationId: alert(2).violationId })]]);
    const { notices, retry, verified } = decideVerification([received(1), received(2)], [lookup, other], answers, CONFIG);
    expect(retry).toEqual(['m-1']);
    expect(verified.map((v) => v.messageId)).toEqual(['m-2']);
    expect(notices).toEqual([{
      effects: [{
        kind: 'log',
        level: 'WARN',
        event: 'retrying',
        fields: { securityProfileName: 'profile', thingName: 'thing-1', violationIds: lookup.violationIds, error: 'ThrottlingException', message: 'x' },
      }],
    }]);
  });

  test('a lookup refused for good (the profile does not exist): a permanent failure for each of its records, not retried', () => {
    const error = named('ResourceNotFoundException');
    const { notices, retry } = decideVerification([received(1), received(1, {}, 'm-1b')], [lookup], new Map([[lookup, classified(error)]]), CONFIG);
    expect(retry).toEqual([]);
    expect(notices.map((n) => n.effects[0])).toEqual([
      expect.objectContaining({ kind: 'permanent-failure', failure: 'verification-failed', error, fields: expect.objectContaining({ messageId: 'm-1' }) }),
      expect.objectContaining({ kind: 'permanent-failure', failure: 'verification-failed', error, fields: expect.objectContaining({ messageId: 'm-1b' }) }),
    ]);
  });
});

describe('decideBatch', () => {
  test('a burst of 100 violations is four tasks of 25 ids, sorted', () => {
    const verified = Array.from({ length: 100 }, (_, i) => received(100 - i));
    expect(batchOf(verified).tasks).toEqual([ids(25), ids(25, 26), ids(25, 51), ids(25, 76)]);
  });

  test('a duplicate alert in a batch is one violation of the task, carried by both messages', () => {
    const batch = batchOf([received(1), received(1, {}, 'm-again')]);
    expect(batch.tasks).toEqual([[alert(1).violationId]]);
    expect(batch.messagesOf.get(alert(1).violationId)).toEqual(['m-1', 'm-again']);
  });

  test('behaviour filter: only violations of the named behaviours (as AWS IoT named them); the others are logged', () => {
    const { notices, batch } = decideBatch([received(1), received(2, { behaviorName: 'AuthFailures' })], { ...CONFIG, behaviors: ['MsgsSent'] });
    expect(batch.tasks).toEqual([[alert(1).violationId]]);
    expect(notices).toEqual([{
      effects: [{
        kind: 'log',
        level: 'INFO',
        event: 'ignored',
        fields: { violationId: alert(2).violationId, thingName: 'thing-2', reason: 'behavior "AuthFailures" is not one of MsgsSent' },
      }],
    }]);
  });
});

describe('decideTask', () => {
  const batch = batchOf([received(1), received(2), received(2, {}, 'm-2b')]);
  const both = [alert(1).violationId, alert(2).violationId];
  const taskId = detectMitigationTaskId(PREFIX, both);

  test('starts one task: the violation ids and the actions in order', () => {
    expect(decideTask(both, batch, CONFIG)).toEqual({ kind: 'start', request: { taskId, violationIds: both, actions: ['quarantine', 'notify'] } });
  });

  test('started: TasksStarted, then the report with its Task Started event; a report that cannot be sent hands back the task\'s messages', () => {
    const step = decideTask(both, batch, CONFIG, { value: 'started' });
    expect(step).toEqual({
      kind: 'notify',
      notice: {
        effects: [
          { kind: 'metrics', lines: [{ dimensions: { Mitigation: MITIGATION }, dimensionSets: [['Mitigation']], values: { TasksStarted: 1 } }] },
          {
            kind: 'report',
            level: 'INFO',
            event: 'mitigation-started',
            fields: { taskId, securityProfileName: 'profile', violationIds: both, thingNames: ['thing-1', 'thing-2'], actions: ['quarantine', 'notify'] },
            events: [{ detailType: 'Mitigation Task Started', detail: expect.objectContaining({ taskId, violationIds: both, alreadyStarted: false }) }],
          },
        ],
        onFailure: { messageIds: ['m-1', 'm-2', 'm-2b'], fields: { taskId, violationIds: both } },
      },
    });
  });

  test('the same batch redelivered finds the task: nothing counted, reported as already started', () => {
    const step = decideTask(both, batch, CONFIG, { value: 'already-exists' });
    expect(step.kind === 'notify' && step.notice.effects).toEqual([
      expect.objectContaining({ kind: 'report', event: 'mitigation-already-started', events: [expect.objectContaining({ detail: expect.objectContaining({ alreadyStarted: true }) })] }),
    ]);
  });

  test('a transient failure that outlasts the retries hands exactly that task\'s messages back to SQS', () => {
    expect(decideTask(both, batch, CONFIG, classified(named('InternalFailureException')))).toEqual({
      kind: 'retry',
      effects: [{ kind: 'log', level: 'WARN', event: 'retrying', fields: expect.objectContaining({ taskId, error: 'InternalFailureException' }) }],
      messageIds: ['m-1', 'm-2', 'm-2b'],
    });
  });

  test('a batch AWS IoT refuses for good is split, one task per violation, each naming the task it was split from', () => {
    const step = decideTask(both, batch, CONFIG, classified(named('InvalidRequestException')));
    expect(step).toEqual({
      kind: 'split',
      effects: [{ kind: 'log', level: 'WARN', event: 'splitting', fields: expect.objectContaining({ taskId, error: 'InvalidRequestException' }) }],
      parts: [[alert(1).violationId], [alert(2).violationId]],
      splitFrom: taskId,
    });
    expect(decideTask([alert(1).violationId], batch, CONFIG, undefined, taskId)).toMatchObject({ kind: 'start' });
    const part = decideTask([alert(1).violationId], batch, CONFIG, { value: 'started' }, taskId);
    expect(part.kind === 'notify' && part.notice.effects[1]).toMatchObject({ fields: { splitFrom: taskId } });
  });

  test.each(['InvalidRequestException', 'AccessDeniedException'])('one violation refused for good (%s) is a permanent failure, not retried', (name) => {
    const error = named(name);
    const one = [alert(1).violationId];
    expect(decideTask(one, batch, CONFIG, classified(error))).toEqual({
      kind: 'notify',
      notice: {
        effects: [{ kind: 'permanent-failure', failure: 'mitigation-failed', error, fields: expect.objectContaining({ violationIds: one }) }],
        onFailure: { messageIds: ['m-1'], fields: { taskId: detectMitigationTaskId(PREFIX, one), violationIds: one } },
      },
    });
  });

  test('dry run: reports the task it would start with a Dry Run event, then counts DryRunPlans; starts nothing', () => {
    const step = decideTask(both, batch, { ...CONFIG, dryRun: true });
    expect(step).toMatchObject({
      kind: 'notify',
      notice: {
        effects: [
          { kind: 'report', event: 'dry-run', events: [{ detailType: 'Mitigation Dry Run' }] },
          { kind: 'metrics', lines: [{ values: { DryRunPlans: 1 } }] },
        ],
      },
    });
  });
});
