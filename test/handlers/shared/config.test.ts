import { AUDIT_ENV, DETECT_ENV, FOLLOWER_ENV } from '../../../src/contract/environment';
import { readAuditConfig } from '../../../src/handlers/audit-mitigation/config';
import { readDetectConfig } from '../../../src/handlers/detect-mitigation/config';
import { ConfigError, json, openConfig, openRequest, positiveInteger, ReportingVariables, required } from '../../../src/handlers/shared/config';
import { readFollowerConfig } from '../../../src/handlers/task-follower/config';
import { expectNoEventsViolations } from '../../emulator/events-emulator';
import { expectNoSnsViolations } from '../../emulator/sns-emulator';
import { customResourceEvent, Emulators, REPORT_TOPIC, resetEmulators, startEmulators, stopEmulators, withLogs } from '../harness';

// How every handler opens: its configuration read, and a configuration error reported one way
// (against the SNS and EventBridge emulators, where the reports go).

let e: Emulators;
beforeAll(async () => { e = await startEmulators(); });
afterAll(async () => { await stopEmulators(e); });
beforeEach(() => { resetEmulators(e); });
afterEach(() => {
  expectNoSnsViolations(e.sns);
  expectNoEventsViolations(e.events);
});

describe('the value readers', () => {
  test('required, json and positiveInteger name the variable and the value', () => {
    expect(required({ A: 'x' }, 'A')).toBe('x');
    expect(() => required({ A: '' }, 'A')).toThrow(new ConfigError('environment variable A is not set'));
    expect(json('A', '[1]')).toEqual([1]);
    expect(() => json('A', '[')).toThrow(new ConfigError('environment variable A is not JSON: ['));
    expect(positiveInteger({ A: '3' }, 'A')).toBe(3);
    expect(positiveInteger({}, 'A', 72)).toBe(72);
    expect(() => positiveInteger({}, 'A')).toThrow(new ConfigError('environment variable A is not set'));
    expect(() => positiveInteger({ A: '0' }, 'A', 72)).toThrow(new ConfigError('A must be a positive integer, got 0'));
    expect(() => positiveInteger({ A: '1.5' }, 'A')).toThrow(new ConfigError('A must be a positive integer, got 1.5'));
  });
});

describe('openConfig: every handler configured by its environment reports a configuration error the same way', () => {
  const broken: Array<[string, (env: NodeJS.ProcessEnv) => unknown, ReportingVariables | undefined, NodeJS.ProcessEnv, string]> = [
    ['AuditMitigation', (env) => readAuditConfig(env, '123456789012'), AUDIT_ENV,
      { [AUDIT_ENV.REPORT_TOPIC_ARN]: REPORT_TOPIC, [AUDIT_ENV.MITIGATION]: 'Stack/Audit' }, 'environment variable AUDIT_MITIGATION_RULES is not set'],
    ['DetectMitigation', readDetectConfig, DETECT_ENV,
      { [DETECT_ENV.REPORT_TOPIC_ARN]: REPORT_TOPIC, [DETECT_ENV.MITIGATION]: 'Stack/Detect' }, 'environment variable DETECT_MITIGATION_SECURITY_PROFILE is not set'],
    ['the task follower', readFollowerConfig, undefined,
      { [FOLLOWER_ENV.TABLE_NAME]: 't', [FOLLOWER_ENV.FOLLOWED]: '{' }, 'environment variable TASK_FOLLOWER_FOLLOWED is not JSON: {'],
  ];

  test.each(broken)('%s: one config-error permanent failure (line, metric, event, and the report topic when the environment names one), then it throws',
    async (_what, read, reporting, env, message) => {
      const { error, logs } = await withLogs(() => openConfig(env, read, reporting));
      expect(error).toEqual(new ConfigError(message));
      expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({ level: 'ERROR', kind: 'config-error', error: 'ConfigError', message })]);
      expect(e.events.eventsOfType('Mitigation Failed').map((ev) => ev.detail)).toEqual([expect.objectContaining({ kind: 'config-error', error: 'ConfigError' })]);
      expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual(reporting ? [expect.objectContaining({ event: 'permanent-failure', kind: 'config-error' })] : []);
    });

  test('a configuration that reads: returned, nothing reported', async () => {
    const { result, logs } = await withLogs(() => openConfig({ X: '1' }, (env) => positiveInteger(env, 'X')));
    expect(result).toBe(1);
    expect(logs).toEqual([]);
  });
});

describe('openRequest: the custom resource handlers\' opening', () => {
  const resource = { type: 'Custom::Test', logicalId: 'Thing', stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Stack/guid' };
  const options = { reportMarginMs: 2_000, timeoutMs: 120_000 };

  test('runs the request with the reporter its properties name and the time left; answers what it returns', async () => {
    const event = customResourceEvent(resource, 'Create', { MitigationName: 'Stack/Thing', ReportTopicArn: REPORT_TOPIC });
    const { result } = await withLogs(() => openRequest(event, { getRemainingTimeInMillis: () => 50_000 }, options, async (request) => ({
      mitigation: request.reporter.mitigation, remainingMs: request.remainingMs(), marginMs: request.answer.marginMs,
    }), () => ({ kind: 'unused' })));
    expect(result).toEqual({ mitigation: 'Stack/Thing', remainingMs: 50_000, marginMs: 2_000 });
  });

  test('without a Lambda context, the time left counts down from the function\'s timeout', async () => {
    const event = customResourceEvent(resource, 'Create', {});
    const { result } = await withLogs(() => openRequest(event, undefined, options, async (request) => request.remainingMs(), () => ({ kind: 'unused' })));
    expect(result).toBeGreaterThan(119_000);
    expect(result).toBeLessThanOrEqual(120_000);
  });

  test('a request that fails is one permanent failure of the kind `failure` names, with the request type and logical id, and is thrown', async () => {
    const event = customResourceEvent(resource, 'Update', { ReportTopicArn: REPORT_TOPIC });
    const refused = new Error('invalid property');
    const { error, logs } = await withLogs(() => openRequest(event, undefined, options, async () => { throw refused; },
      () => ({ kind: 'request-failed', fields: { checkName: 'X' } })));
    expect(error).toBe(refused);
    expect(logs.filter((l) => l.event === 'permanent-failure')).toEqual([expect.objectContaining({
      kind: 'request-failed', error: 'Error', message: 'invalid property', requestType: 'Update', logicalResourceId: 'Thing', checkName: 'X',
    })]);
    expect(e.sns.jsonPublishedTo(REPORT_TOPIC)).toEqual([expect.objectContaining({ kind: 'request-failed' })]);
  });
});
