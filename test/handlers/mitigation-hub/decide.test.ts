import type { HubConfig } from '../../../src/handlers/mitigation-hub/config';
import {
  decideIntegration, decideRecord, decideRegistration, decideStageFailure, integrationDue, isAllowed, parseEnvelope, parseHubInvocation,
  RegisteredSpoke, registration, spokeOfTopic, tasksToFollow,
} from '../../../src/handlers/mitigation-hub/decide';
import { classified } from '../../../src/handlers/shared/errors';
import { MalformedMessageError } from '../../../src/handlers/shared/message';
import { SecurityHubNotEnabledError } from '../../../src/handlers/shared/security-hub-integration';

// The hub's decisions as pure functions: plain inputs, no emulator. test/handlers/mitigation-hub.test.ts
// runs them through the handler against the emulators.

const A = '222222222222';
const TOPIC = `arn:aws:sns:us-east-1:${A}:spoke-notifications`;
const HUB: HubConfig = {
  registryTable: 'registry',
  taskLedgerTable: 'tasks',
  accounts: [A],
  spokeRoleName: 'cdk-device-defender-spoke',
  mitigation: 'Hub',
  reconcileLookbackHours: 24,
  securityHubIntegration: false,
};
const ORG_HUB: HubConfig = { ...HUB, accounts: undefined, organizationId: 'o-abcdefghij' };
const record = (body: unknown) => ({ messageId: 'm-1', body: typeof body === 'string' ? body : JSON.stringify(body) });
const read = (body: string) => {
  try {
    return parseEnvelope(body);
  } catch (error) {
    return error as MalformedMessageError;
  }
};

describe('the SNS document of a record', () => {
  test('a topic ARN names the spoke: partition, account, region', () => {
    expect(spokeOfTopic(TOPIC)).toEqual({ partition: 'aws', account: A, region: 'us-east-1', topicArn: TOPIC });
    expect(spokeOfTopic(`arn:aws-us-gov:sns:us-gov-west-1:${A}:t`)).toMatchObject({ partition: 'aws-us-gov', region: 'us-gov-west-1' });
    expect(spokeOfTopic('arn:aws:sqs:us-east-1:222222222222:q')).toBeUndefined();
  });

  test.each([
    ['not JSON', 'nope', /malformed SNS message: not JSON/],
    ['no TopicArn', { Type: 'Notification', Message: 'x' }, /TopicArn must be a non-empty string/],
    ['a TopicArn that is not a topic', { Type: 'Notification', TopicArn: 'arn:aws:sqs:us-east-1:222222222222:q', Message: 'x' }, /is not an SNS topic ARN/],
    ['another type', { Type: 'UnsubscribeConfirmation', TopicArn: TOPIC, Token: 't' }, /Type "UnsubscribeConfirmation" is neither/],
    ['a confirmation without a token', { Type: 'SubscriptionConfirmation', TopicArn: TOPIC }, /Token must be a non-empty string/],
  ])('%s is malformed: a permanent failure, nothing else', (_what, body, message) => {
    const envelope = read(record(body).body);
    expect(envelope).toBeInstanceOf(MalformedMessageError);
    const step = decideRecord(record(body), envelope, HUB);
    expect(step).toEqual({ kind: 'done', effects: [expect.objectContaining({ kind: 'permanent-failure', failure: 'malformed-message' })] });
    expect((envelope as Error).message).toMatch(message);
  });
});

describe('decideRecord', () => {
  test('an allowed account\'s confirmation is confirmed; its notification handled', () => {
    const confirmation = record({ Type: 'SubscriptionConfirmation', TopicArn: TOPIC, Token: 'tok' });
    expect(decideRecord(confirmation, read(confirmation.body), HUB)).toEqual({ kind: 'confirm', spoke: spokeOfTopic(TOPIC), token: 'tok' });
    const notification = record({ Type: 'Notification', TopicArn: TOPIC, Message: '{}' });
    expect(decideRecord(notification, read(notification.body), HUB)).toEqual({ kind: 'notification', spoke: spokeOfTopic(TOPIC), message: '{}' });
  });

  test('an account outside the allow list: not confirmed (spoke-not-allowed), nothing started (unregistered-spoke)', () => {
    const outsider = 'arn:aws:sns:us-east-1:444444444444:t';
    for (const [type, failure] of [['SubscriptionConfirmation', 'spoke-not-allowed'], ['Notification', 'unregistered-spoke']]) {
      const r = record({ Type: type, TopicArn: outsider, Token: 'tok', Message: '{}' });
      expect(decideRecord(r, read(r.body), HUB)).toEqual({
        kind: 'done', spoke: spokeOfTopic(outsider), effects: [expect.objectContaining({ kind: 'permanent-failure', failure })],
      });
    }
  });

  test('with an organization every account is allowed: the queue\'s policy admits only the organization\'s topics', () => {
    expect(isAllowed('444444444444', ORG_HUB)).toBe(true);
    expect(isAllowed('444444444444', HUB)).toBe(false);
  });
});

describe('decideRegistration', () => {
  const spoke = spokeOfTopic(TOPIC)!;
  const entry = registration(spoke, `${TOPIC}:sub`, new Date('2026-12-07T00:00:00Z'));

  test('a registered spoke\'s own topic goes ahead', () => {
    expect(entry).toEqual({
      spoke: `${A}/us-east-1`, account: A, region: 'us-east-1', topicArn: TOPIC, subscriptionArn: `${TOPIC}:sub`, confirmedAt: '2026-12-07T00:00:00.000Z',
    });
    expect(decideRegistration(spoke, entry, 'm-1')).toBeUndefined();
  });

  test('an unregistered spoke, or another topic of a registered one, is a permanent failure (unregistered-spoke)', () => {
    const other = spokeOfTopic(`arn:aws:sns:us-east-1:${A}:other`)!;
    expect(decideRegistration(spoke, undefined, 'm-1')).toEqual([expect.objectContaining({
      failure: 'unregistered-spoke', error: expect.objectContaining({ message: expect.stringMatching(/is not registered/) }),
    })]);
    expect(decideRegistration(other, entry, 'm-1')).toEqual([expect.objectContaining({
      failure: 'unregistered-spoke', error: expect.objectContaining({ message: expect.stringMatching(/is registered with topic .*, not .*:other/) }),
    })]);
  });
});

test('decideStageFailure: permanent failures are reported with the stage\'s kind, others retried', () => {
  const denied = Object.assign(new Error('no'), { name: 'AccessDenied' });
  const throttled = Object.assign(new Error('slow'), { name: 'Throttling' });
  expect(decideStageFailure('assume-role', classified(denied), { messageId: 'm' })).toEqual({
    kind: 'done', effects: [expect.objectContaining({ failure: 'spoke-role-refused', fields: { messageId: 'm', stage: 'assume-role' } })],
  });
  expect(decideStageFailure('read-configuration', classified(throttled), {})).toEqual({
    kind: 'retry', effects: [expect.objectContaining({ kind: 'log', level: 'WARN', event: 'retrying' })],
  });
});

test('decideStageFailure: a task that cannot be recorded for good is task-not-followed', () => {
  const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
  expect(decideStageFailure('record-task', classified(denied), { taskId: 't' })).toEqual({
    kind: 'done', effects: [expect.objectContaining({ failure: 'task-not-followed', fields: { taskId: 't', stage: 'record-task' } })],
  });
});

test('tasksToFollow: the tasks started, found started, or found by the reconciler; once each; nothing else', () => {
  expect(tasksToFollow([
    { auditTaskId: 'a1', decision: 'started', taskId: 't1' },
    { auditTaskId: 'a2', decision: 'already-exists', taskId: 't2' },
    { auditTaskId: 'a3', decision: 'already-mitigated', taskId: 't3' },
    { auditTaskId: 'a1', decision: 'started', taskId: 't1' },
    { auditTaskId: 'a4', decision: 'dry-run', taskId: 't4' },
    { auditTaskId: 'a5', decision: 'nothing-to-start', taskId: 't5' },
    { auditTaskId: 'a6', decision: 'failed-permanently', taskId: 't6' },
    { auditTaskId: 'a7', decision: 'ignored' },
    { decision: 'malformed' },
  ])).toEqual(['t1', 't2', 't3']);
});

test('parseHubInvocation: SQS records, the schedule, or neither', () => {
  expect(parseHubInvocation({ Records: [{ messageId: 'a', body: 'b' }] })).toEqual({ kind: 'records', records: [{ messageId: 'a', body: 'b' }] });
  expect(parseHubInvocation({ source: 'aws.events' })).toEqual({ kind: 'reconcile' });
  expect(parseHubInvocation(null)).toEqual({ kind: 'unknown', received: 'null' });
});

describe('Device Defender\'s Security Hub integration in a spoke', () => {
  const ENTRY: RegisteredSpoke = registration(spokeOfTopic(TOPIC)!, `${TOPIC}:sub-1`, new Date('2026-01-01T00:00:00Z'));
  const ROLE = `arn:aws:iam::${A}:role/cdk-device-defender-spoke-us-east-1`;
  const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });
  const notEnabled = new SecurityHubNotEnabledError({ partition: 'aws', account: A, region: 'us-east-1' }, awsError('InvalidAccessException', 'not subscribed'));

  test('integrationDue: only when the hub is asked to, and until it is on (a refused spoke is tried again)', () => {
    expect(integrationDue(HUB, ENTRY)).toBe(false);
    const asked = { ...HUB, securityHubIntegration: true };
    expect(integrationDue(asked, ENTRY)).toBe(true);
    expect(integrationDue(asked, { ...ENTRY, securityHubIntegration: 'refused', securityHubRefusal: 'security-hub-not-enabled' })).toBe(true);
    expect(integrationDue(asked, { ...ENTRY, securityHubIntegration: 'on' })).toBe(false);
  });

  test('on: recorded (a refusal recorded before is forgotten), and one INFO line', () => {
    const refused: RegisteredSpoke = { ...ENTRY, securityHubIntegration: 'refused', securityHubRefusal: 'security-hub-not-enabled' };
    const step = decideIntegration(refused, { value: { turnedOn: ['audit'], alreadyOn: [], leftOff: ['detect'] } }, ROLE);
    expect(step.entry).toEqual({ ...ENTRY, securityHubIntegration: 'on' });
    expect(step.effects).toEqual([{
      kind: 'log', level: 'INFO', event: 'security-hub-integration-turned-on', fields: { spoke: ENTRY.spoke, turnedOn: ['audit'], alreadyOn: [], leftOff: ['detect'] },
    }]);
    expect(decideIntegration(ENTRY, { value: { turnedOn: [], alreadyOn: ['audit'], leftOff: [] } }, ROLE).effects[0]).toMatchObject({ event: 'security-hub-integration-already-on' });
  });

  test.each([
    ['Security Hub not enabled', notEnabled, 'security-hub-not-enabled', /^AWS Security Hub is not enabled in account 222222222222, region us-east-1/],
    ['access denied', awsError('AccessDeniedException', 'User is not authorized to perform: securityhub:ListEnabledProductsForImport'),
      'security-hub-integration-refused', new RegExp(`^the spoke role ${ROLE} may not turn on AWS IoT Device Defender's Security Hub integration in account `
        + `${A}, region us-east-1 \\(AccessDeniedException: User is not authorized .*\\): give that account's MitigationSpoke securityHub: `
        + '\\{ enableIntegration: true \\} \\(its role may then\\), or turn off the MitigationHub\'s securityHub.enableIntegration$')],
    ['another permanent failure', awsError('ValidationException', 'bad'), 'security-hub-integration-failed', /^bad$/],
  ])('%s: a permanent failure naming the account, the region and the fix, reported once and recorded', (_, error, kind, message) => {
    const step = decideIntegration(ENTRY, classified(error), ROLE);
    expect(step.entry).toEqual({ ...ENTRY, securityHubIntegration: 'refused', securityHubRefusal: kind });
    expect(step.effects).toEqual([{ kind: 'permanent-failure', failure: kind, error: expect.any(Error), fields: { spoke: ENTRY.spoke, stage: 'security-hub-integration' } }]);
    expect((step.effects[0] as { error: Error }).error.message).toMatch(message);
    // The same refusal on the next run: only logged, nothing written.
    const again = decideIntegration(step.entry!, classified(error), ROLE);
    expect(again).toEqual({ effects: [expect.objectContaining({ kind: 'log', level: 'INFO', event: 'security-hub-integration-still-refused', fields: expect.objectContaining({ kind }) })] });
  });

  test('a refusal of another kind than the one recorded is reported', () => {
    const refused: RegisteredSpoke = { ...ENTRY, securityHubIntegration: 'refused', securityHubRefusal: 'security-hub-integration-refused' };
    expect(decideIntegration(refused, classified(notEnabled), ROLE).effects).toEqual([expect.objectContaining({ kind: 'permanent-failure', failure: 'security-hub-not-enabled' })]);
  });

  test('a transient failure: a WARN line, nothing recorded (the next reconciler run tries again)', () => {
    const throttled = awsError('TooManyRequestsException', 'Too Many Requests');
    expect(decideIntegration(ENTRY, classified(throttled), ROLE)).toEqual({
      effects: [{
        kind: 'log',
        level: 'WARN',
        event: 'security-hub-integration-deferred',
        fields: {
          spoke: ENTRY.spoke, error: 'TooManyRequestsException', message: 'Too Many Requests', reason: 'the next reconciler run tries again',
        },
      }],
    });
  });
});
