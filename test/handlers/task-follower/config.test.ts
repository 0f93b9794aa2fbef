import { FollowedMitigation, FOLLOWER_ENV } from '../../../src/contract/environment';
import { readFollowerConfig } from '../../../src/handlers/task-follower/config';

const FOLLOWED: FollowedMitigation[] = [
  { mitigation: 'A', kind: 'audit', taskIdPrefix: 'dd0123456789' },
  { mitigation: 'D', kind: 'detect', taskIdPrefix: 'dd9999999999' },
  { mitigation: 'T', kind: 'audit', physicalResourceId: 'ddaaaaaaaaaa:3' },
  { mitigation: 'Failed create', kind: 'audit', physicalResourceId: 'not-issued' },
];

describe('readFollowerConfig', () => {
  const env = (extra: Record<string, string> = {}) => ({ [FOLLOWER_ENV.TABLE_NAME]: 't', [FOLLOWER_ENV.FOLLOWED]: JSON.stringify(FOLLOWED), ...extra });

  test('lookback defaults to 72 hours', () => {
    expect(readFollowerConfig(env())).toEqual({ tableName: 't', followed: FOLLOWED, lookbackHours: 72 });
    expect(readFollowerConfig(env({ [FOLLOWER_ENV.LOOKBACK_HOURS]: '24' })).lookbackHours).toBe(24);
  });

  test.each([
    [{ [FOLLOWER_ENV.TABLE_NAME]: '' }, /TASK_FOLLOWER_TABLE_NAME is not set/],
    [{ [FOLLOWER_ENV.FOLLOWED]: '{' }, /not JSON/],
    [{ [FOLLOWER_ENV.FOLLOWED]: '{}' }, /must be a JSON array/],
    [{ [FOLLOWER_ENV.FOLLOWED]: '[{"mitigation":"A","kind":"other","taskIdPrefix":"x"}]' }, /kind "other" \(allowed: "audit", "detect"\)/],
    [{ [FOLLOWER_ENV.FOLLOWED]: '[{"mitigation":"A","kind":"audit"}]' }, /neither taskIdPrefix nor physicalResourceId/],
    [{ [FOLLOWER_ENV.LOOKBACK_HOURS]: '0' }, /positive integer, got 0/],
  ])('%j is a ConfigError', (extra, message) => {
    expect(() => readFollowerConfig(env(extra))).toThrow(message);
    expect(() => readFollowerConfig(env(extra))).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });
});
