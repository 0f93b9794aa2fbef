import { FollowedMitigation } from '../../../src/contract/environment';
import { aggregateOutcome } from '../../../src/handlers/shared/task-outcome';
import { followedOf, metricLinesOf } from '../../../src/handlers/task-follower/follow-plan';

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

describe('metricLinesOf', () => {
  test('audit: [Mitigation], one line per action, one per check; zeros are written', () => {
    const outcome = aggregateOutcome({
      kind: 'audit',
      taskId: 't',
      status: 'FAILED',
      actionTypes: { a: 'PUBLISH_FINDING_TO_SNS', b: 'ENABLE_IOT_LOGGING' },
      checks: ['C1', 'C2'],
      truncated: false,
      statistics: { C1: { totalFindingsCount: 2, succeededFindingsCount: 1, failedFindingsCount: 1 } },
      executions: [{ actionName: 'a', status: 'COMPLETED', checkName: 'C1' }, { actionName: 'a', status: 'FAILED', checkName: 'C1' }],
    });
    expect(metricLinesOf('M', outcome)).toEqual([
      {
        dimensions: { Mitigation: 'M' },
        dimensionSets: [['Mitigation']],
        values: { TasksFinished: 1, ExecutionsSucceeded: 1, ExecutionsFailed: 1, ExecutionsSkipped: 0, ExecutionsCanceled: 0, FindingsMitigated: 1 },
      },
      {
        dimensions: { Mitigation: 'M', ActionName: 'a' },
        dimensionSets: [['Mitigation', 'ActionName']],
        values: { ExecutionsSucceeded: 1, ExecutionsFailed: 1, ExecutionsSkipped: 0, ExecutionsCanceled: 0 },
      },
      {
        dimensions: { Mitigation: 'M', ActionName: 'b' },
        dimensionSets: [['Mitigation', 'ActionName']],
        values: { ExecutionsSucceeded: 0, ExecutionsFailed: 0, ExecutionsSkipped: 0, ExecutionsCanceled: 0 },
      },
      {
        dimensions: { Mitigation: 'M', CheckName: 'C1' },
        dimensionSets: [['Mitigation', 'CheckName']],
        values: { ExecutionsSucceeded: 1, ExecutionsFailed: 1, ExecutionsSkipped: 0, ExecutionsCanceled: 0, FindingsMitigated: 1 },
      },
      {
        dimensions: { Mitigation: 'M', CheckName: 'C2' },
        dimensionSets: [['Mitigation', 'CheckName']],
        values: { ExecutionsSucceeded: 0, ExecutionsFailed: 0, ExecutionsSkipped: 0, ExecutionsCanceled: 0, FindingsMitigated: 0 },
      },
    ]);
  });

  test('detect: no check lines and no FindingsMitigated', () => {
    const outcome = aggregateOutcome({ kind: 'detect', taskId: 't', status: 'SUCCESSFUL', actionTypes: { q: 'ADD_THINGS_TO_THING_GROUP' }, truncated: false, executions: [] });
    const lines = metricLinesOf('M', outcome);
    expect(lines.map((l) => l.dimensionSets)).toEqual([[['Mitigation']], [['Mitigation', 'ActionName']]]);
    expect(lines[0].values).not.toHaveProperty('FindingsMitigated');
  });
});
