import { planLookups, verifiedAlert } from '../../../src/handlers/detect-mitigation/active-violations';
import { DetectMitigationConfig, parseViolationAlert, reasonToIgnore } from '../../../src/handlers/detect-mitigation/violation';

// How a batch's alerts are verified with ListActiveViolations: the lookups (pure) and the alert as
// AWS IoT confirmed it. test/handlers/detect-mitigation.test.ts runs the lookups against the emulator.

describe('violation alerts', () => {
  const DETECT: DetectMitigationConfig = { securityProfileName: 'p', actions: ['q'], dryRun: false, taskIdPrefix: 'dd0' };
  const alert = (o: Record<string, unknown> = {}) => parseViolationAlert(JSON.stringify({
    violationId: 'v-1', violationEventType: 'in-alarm', securityProfileName: 'p', thingName: 't', behavior: { name: 'MsgsSent' }, ...o,
  }));

  test('the verified alert takes its thing and behaviour from AWS IoT, not from the message', () => {
    const verified = verifiedAlert(alert({ thingName: 'claimed', behavior: { name: 'Claimed' } }), { violationId: 'v-1', thingName: 't-aws', behavior: { name: 'AwsBehavior' } });
    expect(verified).toEqual({ violationId: 'v-1', violationEventType: 'in-alarm', securityProfileName: 'p', thingName: 't-aws', behaviorName: 'AwsBehavior' });
    expect(reasonToIgnore(verified, { ...DETECT, behaviors: ['Claimed'] })).toBe('behavior "AwsBehavior" is not one of Claimed');
  });

  test.each<[string, Array<Record<string, unknown>>, unknown]>([
    ['nothing to verify', [], []],
    ['one lookup per thing, in the order the alerts name them, each id once', [
      { violationId: 'v-2', thingName: 'b' }, { violationId: 'v-1', thingName: 'a' }, { violationId: 'v-3', thingName: 'b' }, { violationId: 'v-2', thingName: 'b' },
    ], [{ thingName: 'b', violationIds: ['v-2', 'v-3'] }, { thingName: 'a', violationIds: ['v-1'] }]],
    ['an alert without a thing: one lookup of the whole profile', [
      { violationId: 'v-1', thingName: 'a' }, { violationId: 'v-2' },
    ], [{ violationIds: ['v-1', 'v-2'] }]],
  ])('planLookups: %s', (_what, alerts, lookups) => {
    expect(planLookups(alerts.map((o) => alert({ thingName: undefined, ...o })))).toEqual(lookups);
  });
});
