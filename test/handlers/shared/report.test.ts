import { cutText, fitReport, Reporter } from '../../../src/handlers/shared/report';
import { expectNoEventsViolations } from '../../emulator/events-emulator';
import { expectNoSnsViolations } from '../../emulator/sns-emulator';
import { Emulators, REPORT_TOPIC, resetEmulators, startEmulators, stopEmulators, withLogs } from '../harness';

/** SNS's Publish limit: 256 KiB of UTF-8 (the SNS emulator refuses more, as AWS does). */
const SNS_LIMIT = 262_144;

let e: Emulators;
beforeAll(async () => { e = await startEmulators(); });
afterAll(async () => { await stopEmulators(e); });
beforeEach(() => { resetEmulators(e); });
// Every publish and every event was accepted: nothing over a limit reached SNS or EventBridge.
afterEach(() => {
  expectNoSnsViolations(e.sns);
  expectNoEventsViolations(e.events);
});

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('Reporter: reports fit SNS\'s 256 KiB limit', () => {
  test('a report within the limit is published as it is', async () => {
    const fields = { taskId: 't-1', received: '€'.repeat(80_000) }; // 240,000 bytes
    await withLogs(() => new Reporter(REPORT_TOPIC, 'Stack/M').report('INFO', 'dry-run', fields));
    const [message] = e.sns.publishedTo(REPORT_TOPIC);
    expect(message.message).toBe(JSON.stringify({ event: 'dry-run', level: 'INFO', ...fields }, undefined, 2));
  });

  test.each([
    ['one long string of 3-byte characters', { received: '€'.repeat(100_000) }],
    ['many strings', { parts: Array.from({ length: 300 }, (_, i) => `${i}:${'é'.repeat(1_000)}`) }],
    ['a long list of short strings', { ids: Array.from({ length: 40_000 }, (_, i) => `violation-${i}`) }],
  ])('a larger report (%s) is cut to at most 262,144 UTF-8 bytes, stays JSON, and says it was cut', async (_what, big) => {
    const { logs } = await withLogs(() => new Reporter(REPORT_TOPIC, 'Stack/M').report('ERROR', 'permanent-failure', { kind: 'malformed-alert', messageId: 'm-1', ...big }));
    const [message] = e.sns.publishedTo(REPORT_TOPIC);
    expect(bytes(message.message)).toBeLessThanOrEqual(SNS_LIMIT);
    const body = JSON.parse(message.message);
    // The short fields survive whole; the marker says how large the report was.
    expect(body).toMatchObject({ event: 'permanent-failure', level: 'ERROR', kind: 'malformed-alert', messageId: 'm-1' });
    expect(body.truncated).toMatch(/^the report was \d+ bytes, over SNS's limit of 262144: /);
    // The log line is the whole report (CloudWatch Logs takes up to 256 KB per event too: it is cut the same way).
    expect(logs).toEqual([expect.objectContaining({ event: 'permanent-failure', messageId: 'm-1', truncated: body.truncated })]);
  });

  test('a report of thousands of short fields: event, level, the marker and the beginning of its JSON as excerpt', async () => {
    const many = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`field-${i}`, `value-${i}`]));
    await withLogs(() => new Reporter(REPORT_TOPIC, 'Stack/M').report('INFO', 'dry-run', many));
    const [message] = e.sns.publishedTo(REPORT_TOPIC);
    expect(bytes(message.message)).toBeLessThanOrEqual(SNS_LIMIT);
    const body = JSON.parse(message.message);
    expect(Object.keys(body)).toEqual(['event', 'level', 'truncated', 'excerpt']);
    expect(body.truncated).toMatch(/: this is its beginning$/);
    expect(body.excerpt).toMatch(/^\{\n {2}"event": "dry-run",\n {2}"level": "INFO",\n {2}"field-0": "value-0",/);
  });

  test.each([
    ['ASCII', 'x'],
    ['2-byte characters', 'é'],
    ['3-byte characters', '€'],
    ['4-byte characters (surrogate pairs)', '😀'],
  ])('fitReport counts UTF-8 bytes, not characters (%s)', (_what, char) => {
    for (const max of [2_000, 2_001, 2_002, 2_003]) {
      const { text } = fitReport('e', 'INFO', { s: char.repeat(5_000), t: 'short' }, max);
      expect(bytes(text)).toBeLessThanOrEqual(max);
      expect(text).not.toMatch(/\uFFFD/);
      expect(JSON.parse(text)).toMatchObject({ event: 'e', t: 'short', truncated: expect.any(String) });
    }
  });

  test('cutText keeps short text, marks what it cut, and never splits a surrogate pair', () => {
    expect(cutText('abc', 3)).toBe('abc');
    expect(cutText('abcdef', 3)).toBe('abc… [truncated: 6 characters]');
    expect(cutText('a😀b', 2)).toBe('a… [truncated: 4 characters]');
  });

  test('a permanent failure whose error message is 300 KB: the report and the Mitigation Failed event both go out', async () => {
    const error = new Error(`violationId "${'x'.repeat(300 * 1024)}" is not a violation id`);
    await withLogs(() => new Reporter(REPORT_TOPIC, 'Stack/M').permanentFailure('malformed-alert', error, { messageId: 'm-1' }));
    const [message] = e.sns.publishedTo(REPORT_TOPIC);
    expect(bytes(message.message)).toBeLessThanOrEqual(SNS_LIMIT);
    expect(JSON.parse(message.message)).toMatchObject({ kind: 'malformed-alert', messageId: 'm-1', message: expect.stringMatching(/^violationId "x+/) });
    expect(e.events.events).toEqual([expect.objectContaining({
      detailType: 'Mitigation Failed',
      detail: expect.objectContaining({ kind: 'malformed-alert', message: expect.stringMatching(/^violationId "x+.*\[truncated: 307\d+ characters\]$/) }),
    })]);
  });
});
