import { FollowedMitigation } from '../../../src/contract/environment';
import { followedOf } from '../../../src/handlers/task-follower/follow-plan';

const FOLLOWED: FollowedMitigation[] = [
  { mitigation: 'A', kind: 'audit', taskIdPrefix: 'dd0123456789' },
  { mitigation: 'D', kind: 'detect', taskIdPrefix: 'dd9999999999' },
  { mitigation: 'T', kind: 'audit', physicalResourceId: 'ddaaaaaaaaaa:3' },
  { mitigation: 'Failed create', kind: 'audit', physicalResourceId: 'not-issued' },
];

describe('followedOf', () => {
  test.each([
    ['audit', 'dd0123456789-daily-2026', 'A'],
    ['audit', 'dd0123456789', undefined],
    ['audit', 'dd0123456789x-daily', undefined],
    ['detect', 'dd0123456789-daily', undefined],
    ['detect', 'dd9999999999-abc', 'D'],
    ['audit', 'dd9999999999-abc', undefined],
    ['audit', 'ddaaaaaaaaaa-0', 'T'],
    ['audit', 'ddaaaaaaaaaa-2', 'T'],
    ['audit', 'ddaaaaaaaaaa-3', undefined],
    ['audit', 'ddaaaaaaaaaa-01', undefined],
    ['audit', 'ddaaaaaaaaaa-x', undefined],
    ['audit', 'not-issued-0', undefined],
    ['audit', 'someone-elses-task', undefined],
  ] as const)('%s task %s belongs to %s', (kind, taskId, mitigation) => {
    expect(followedOf(kind, taskId, FOLLOWED)?.mitigation).toBe(mitigation);
  });
});
