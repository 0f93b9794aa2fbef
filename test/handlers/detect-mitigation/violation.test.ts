import { afterStartFailure, DetectMitigationConfig, parseViolationAlert, reasonNotToVerify, reasonToIgnore } from '../../../src/handlers/detect-mitigation/violation';

// What the detect mitigation handler reads from an alert and decides about it: pure functions.

describe('violation alerts', () => {
  const DETECT: DetectMitigationConfig = { securityProfileName: 'p', actions: ['q'], dryRun: false, taskIdPrefix: 'dd0' };
  const alert = (o: Record<string, unknown> = {}) => parseViolationAlert(JSON.stringify({
    violationId: 'v-1', violationEventType: 'in-alarm', securityProfileName: 'p', thingName: 't', behavior: { name: 'MsgsSent' }, ...o,
  }));

  test.each<[string, Record<string, unknown>, Partial<DetectMitigationConfig>, string | undefined]>([
    ['an in-alarm violation of the profile', {}, {}, undefined],
    ['a cleared alarm', { violationEventType: 'alarm-cleared' }, {}, 'violation event alarm-cleared, not in-alarm'],
    ['another profile', { securityProfileName: 'other' }, {}, 'security profile other, not p'],
    ['a behaviour outside the filter', {}, { behaviors: ['AuthFailures'] }, 'behavior "MsgsSent" is not one of AuthFailures'],
    ['a behaviour inside the filter', {}, { behaviors: ['MsgsSent'] }, undefined],
  ])('%s', (_what, overrides, config, reason) => {
    expect(reasonToIgnore(alert(overrides), { ...DETECT, ...config })).toBe(reason);
  });

  test('malformed alerts name what is wrong', () => {
    expect(() => alert({ violationId: 'v_1' })).toThrow('malformed violation alert: violationId "v_1" is not a violation id');
    expect(() => alert({ securityProfileName: '' })).toThrow('malformed violation alert: securityProfileName must be a non-empty string, got ""');
    expect(() => alert({ thingName: '' })).toThrow('malformed violation alert: thingName must be a string of 1 to 128 characters');
    expect(() => alert({ thingName: 'x'.repeat(129) })).toThrow('malformed violation alert: thingName must be a string of 1 to 128 characters');
    expect(() => alert({ thingName: 7 })).toThrow('malformed violation alert: thingName must be a string of 1 to 128 characters');
  });

  test.each<[string, Record<string, unknown>, string | undefined]>([
    ['an in-alarm alert of the profile is verified', {}, undefined],
    ['whatever behaviour the message names', { behavior: { name: 'Other' } }, undefined],
    ['a cleared alarm is not', { violationEventType: 'alarm-cleared' }, 'violation event alarm-cleared, not in-alarm'],
    ['another profile\'s alert is not', { securityProfileName: 'other' }, 'security profile other, not p'],
  ])('reasonNotToVerify: %s', (_what, overrides, reason) => {
    expect(reasonNotToVerify(alert(overrides), { ...DETECT, behaviors: ['MsgsSent'] })).toBe(reason);
  });
});

describe('after a failed start', () => {
  test.each<[boolean, number, string]>([
    [false, 25, 'retry-later'],
    [false, 1, 'retry-later'],
    [true, 25, 'split'],
    [true, 2, 'split'],
    [true, 1, 'give-up'],
  ])('a detect task that failed (permanent %s) for %d ids: %s', (permanent, count, step) => {
    expect(afterStartFailure(permanent, count)).toBe(step);
  });
});
