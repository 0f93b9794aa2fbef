import { logLine, metricLines, perform, permanentFailure, report } from '../../../src/handlers/shared/effects';
import { Reporter } from '../../../src/handlers/shared/report';
import { expectNoEventsViolations } from '../../emulator/events-emulator';
import { datapointsOf, Emulators, metricSum, REPORT_TOPIC, resetEmulators, startEmulators, stopEmulators, withLogs } from '../harness';

// perform() carries out what a decision says, in order, against the SNS and EventBridge emulators.

let e: Emulators;
beforeAll(async () => { e = await startEmulators(); });
afterAll(async () => { await stopEmulators(e); });
beforeEach(() => { resetEmulators(e); });
afterEach(() => { expectNoEventsViolations(e.events); });

const counts = metricLines({ dimensions: { Mitigation: 'Stack/M' }, dimensionSets: [['Mitigation']], values: { DryRunPlans: 1 } });
const event = { detailType: 'Mitigation Dry Run' as const, detail: { mitigation: 'Stack/M' } };

test('log lines, metric lines, reports and permanent failures, in the order given', async () => {
  const error = Object.assign(new Error('refused'), { name: 'AccessDeniedException' });
  const { logs } = await withLogs(() => perform([
    logLine('INFO', 'first', { a: 1 }),
    report('INFO', 'dry-run', { taskId: 't' }, [event]),
    counts,
    permanentFailure('mitigation-failed', error, { taskId: 't' }),
  ], new Reporter(REPORT_TOPIC, 'Stack/M')));
  expect(logs.map((l) => l.event ?? 'metrics')).toEqual(['first', 'dry-run', 'metrics', 'metrics', 'permanent-failure']);
  expect(metricSum(datapointsOf(logs), 'DryRunPlans', { Mitigation: 'Stack/M' })).toBe(1);
  expect((e.sns.jsonPublishedTo(REPORT_TOPIC) as Array<{ event: string }>).map((r) => r.event)).toEqual(['dry-run', 'permanent-failure']);
  expect(e.events.events.map((ev) => ev.detailType)).toEqual(['Mitigation Dry Run', 'Mitigation Failed']);
});

test('a report that cannot be sent throws, and what follows it is not done (its counts wait for the retry)', async () => {
  e.events.injectFault({ kind: 'failedEntries', times: 1 });
  const { error, logs } = await withLogs(() => perform([report('INFO', 'dry-run', {}, [event]), counts], new Reporter(undefined, 'Stack/M')));
  expect(error).toMatchObject({ name: 'PutEventsFailedError' });
  expect(datapointsOf(logs)).toEqual([]);
});

test('with a deadline to answer, a report that cannot be sent is logged (report-failed), and what follows is done', async () => {
  e.events.injectFault({ kind: 'failedEntries', times: 1 });
  const { error, logs } = await withLogs(() => perform([report('INFO', 'dry-run', {}, [event]), counts], new Reporter(undefined, 'Stack/M'),
    { remainingMs: () => 60_000, marginMs: 2_000 }));
  expect(error).toBeUndefined();
  expect(logs).toContainEqual(expect.objectContaining({ level: 'ERROR', event: 'report-failed', report: 'dry-run', channel: 'events' }));
  expect(metricSum(datapointsOf(logs), 'DryRunPlans', { Mitigation: 'Stack/M' })).toBe(1);
});

test('a reporter about a spoke (the hub\'s) adds its account and region to every log line, metric, report and event', async () => {
  const spoke = { account: '222222222222', region: 'us-east-1' };
  const error = Object.assign(new Error('refused'), { name: 'AccessDeniedException' });
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'hub-function';
  try {
    const { logs } = await withLogs(() => perform([
      logLine('INFO', 'first', { a: 1 }),
      report('INFO', 'dry-run', { taskId: 't' }, [event]),
      counts,
      permanentFailure('mitigation-failed', error, { taskId: 't' }),
    ], new Reporter(REPORT_TOPIC, 'Stack/M').about(spoke)));
    expect(logs.filter((l) => l.event !== undefined).map((l) => [l.event, l.account, l.region])).toEqual([
      ['first', spoke.account, spoke.region], ['dry-run', spoke.account, spoke.region], ['permanent-failure', spoke.account, spoke.region],
    ]);
    const points = datapointsOf(logs);
    expect(metricSum(points, 'DryRunPlans', { Mitigation: 'Stack/M' })).toBe(1);
    expect(metricSum(points, 'DryRunPlans', { Mitigation: 'Stack/M', Account: spoke.account, Region: spoke.region })).toBe(1);
    expect(metricSum(points, 'PermanentFailures', { FunctionName: 'hub-function' })).toBe(1);
    expect(metricSum(points, 'PermanentFailures', { Mitigation: 'Stack/M', Account: spoke.account, Region: spoke.region })).toBe(1);
    expect((e.sns.jsonPublishedTo(REPORT_TOPIC) as Array<Record<string, unknown>>).map((r) => [r.event, r.account, r.region])).toEqual([
      ['dry-run', spoke.account, spoke.region], ['permanent-failure', spoke.account, spoke.region],
    ]);
    expect(e.events.events.map((ev) => [ev.detailType, ev.detail.account, ev.detail.region])).toEqual([
      ['Mitigation Dry Run', spoke.account, spoke.region], ['Mitigation Failed', spoke.account, spoke.region],
    ]);
  } finally {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  }
});

test('a reporter of its own account (AuditMitigation\'s, DetectMitigation\'s) adds no account or region', async () => {
  const { logs } = await withLogs(() => perform([logLine('INFO', 'first'), report('INFO', 'dry-run', {}, [event]), counts], new Reporter(REPORT_TOPIC, 'Stack/M')));
  expect(logs.some((l) => 'account' in l || 'Account' in l)).toBe(false);
  expect(e.events.events[0].detail).toEqual({ mitigation: 'Stack/M' });
});
