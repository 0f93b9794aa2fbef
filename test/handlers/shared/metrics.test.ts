import { METRIC_NAMESPACE } from '../../../src/contract/telemetry';
import { emitMetrics, inSpoke } from '../../../src/handlers/shared/metrics';
import { datapointsOf, metricSum, withLogs } from '../harness';

describe('emitMetrics: embedded metric format', () => {
  test('one line; each metric recorded under every dimension set, in namespace CdkDeviceDefender', async () => {
    const { logs } = await withLogs(async () => {
      emitMetrics({ Mitigation: 'Stack/Audit', CheckName: 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK' },
        [['Mitigation'], ['Mitigation', 'CheckName']], { ExecutionsFailed: 3, ExecutionsSucceeded: 0 });
    });
    expect(logs).toHaveLength(1);
    const aws = logs[0]._aws as { Timestamp: number; CloudWatchMetrics: unknown[] };
    expect(Math.abs(aws.Timestamp - Date.now())).toBeLessThan(60_000);
    expect(aws.CloudWatchMetrics).toEqual([{
      Namespace: METRIC_NAMESPACE,
      Dimensions: [['Mitigation'], ['Mitigation', 'CheckName']],
      Metrics: [{ Name: 'ExecutionsFailed', Unit: 'Count' }, { Name: 'ExecutionsSucceeded', Unit: 'Count' }],
    }]);
    const points = datapointsOf(logs);
    expect(points).toHaveLength(4);
    expect(metricSum(points, 'ExecutionsFailed', { Mitigation: 'Stack/Audit' })).toBe(3);
    expect(metricSum(points, 'ExecutionsFailed', { Mitigation: 'Stack/Audit', CheckName: 'REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK' })).toBe(3);
    expect(metricSum(points, 'ExecutionsSucceeded', { Mitigation: 'Stack/Audit' })).toBe(0);
  });

  test('writes nothing for no values', async () => {
    const { logs } = await withLogs(async () => { emitMetrics({ Mitigation: 'm' }, [['Mitigation']], {}); });
    expect(logs).toEqual([]);
  });

  test.each([
    ['a set naming a dimension the line lacks', { Mitigation: 'm' }, [['Mitigation', 'CheckName']], { TasksStarted: 1 }, /dimension CheckName/],
    ['an empty dimension value', { Mitigation: '' }, [['Mitigation']], { TasksStarted: 1 }, /dimension Mitigation/],
    ['a dimension value over 1024 characters', { Mitigation: 'x'.repeat(1025) }, [['Mitigation']], { TasksStarted: 1 }, /1 to 1024/],
    ['an empty dimension set', { Mitigation: 'm' }, [[]], { TasksStarted: 1 }, /1 to 30/],
    ['a value that is not finite', { Mitigation: 'm' }, [['Mitigation']], { TasksStarted: NaN }, /finite/],
  ])('refuses %s (CloudWatch would drop the line silently)', (_, dims, sets, values, message) => {
    expect(() => emitMetrics(dims as Record<string, string>, sets, values)).toThrow(message);
  });
});

describe('inSpoke: a hub\'s line about one spoke', () => {
  test('carries Account and Region, and adds [Mitigation, Account, Region] to a line recorded under [Mitigation] only', () => {
    const spoke = { account: '222222222222', region: 'us-east-1' };
    const perMitigation = { dimensions: { Mitigation: 'Hub' }, dimensionSets: [['Mitigation']], values: { TasksStarted: 1 } };
    expect(inSpoke(perMitigation, spoke)).toEqual({
      dimensions: { Mitigation: 'Hub', Account: '222222222222', Region: 'us-east-1' },
      dimensionSets: [['Mitigation'], ['Mitigation', 'Account', 'Region']],
      values: { TasksStarted: 1 },
    });
    // Per-check sets stay organization-wide: one metric per spoke and metric name, not per spoke and check.
    const perCheck = { dimensions: { Mitigation: 'Hub', CheckName: 'X' }, dimensionSets: [['Mitigation'], ['Mitigation', 'CheckName']], values: { FindingsFound: 2 } };
    expect(inSpoke(perCheck, spoke).dimensionSets).toEqual([['Mitigation'], ['Mitigation', 'CheckName'], ['Mitigation', 'Account', 'Region']]);
    const perFunction = { dimensions: { FunctionName: 'f' }, dimensionSets: [['FunctionName']], values: { PermanentFailures: 1 } };
    expect(inSpoke(perFunction, spoke).dimensionSets).toEqual([['FunctionName']]);
  });
});
