import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_DETAIL_TYPES, EVENT_SOURCE, EventDetailBase } from '../../contract/telemetry';

/** One of the library's detail-types (contract `EVENT_DETAIL_TYPES`). */
export type DetailType = typeof EVENT_DETAIL_TYPES[keyof typeof EVENT_DETAIL_TYPES];

/** An event to put: its detail-type and detail (contract's `...Detail` shapes). */
export interface MitigationEvent {
  readonly detailType: DetailType;
  readonly detail: EventDetailBase;
}

/** PutEvents takes at most 10 entries per request. */
const MAX_ENTRIES = 10;

/**
 * Some entries of a PutEvents request were not accepted. Not one of the permanent errors
 * (`isPermanent`), so the invocation fails and the decision is retried: an event is never
 * dropped without a failure.
 */
export class PutEventsFailedError extends Error {
  constructor(public readonly failures: Array<{ detailType?: string; errorCode?: string; errorMessage?: string }>) {
    super(`EventBridge did not accept ${failures.length} event(s): `
      + failures.map((f) => `${f.detailType}: ${f.errorCode} ${f.errorMessage ?? ''}`.trim()).join('; '));
    this.name = 'PutEventsFailedError';
  }
}

// One client per execution environment, created on the first event (the SDK module is loaded
// then too: a run that puts no event, such as a follower run with nothing finished, never loads
// it). Throttling and 5xx answers are retried by the SDK.
let client: EventBridgeClient | undefined;

/**
 * Puts events with source `cdk-device-defender` (the only source the functions' roles may use) on
 * `eventBus` (an ARN or name; undefined = the account's default bus), 10 per request. Throws when
 * EventBridge refuses the request or any entry (`PutEventsFailedError`).
 */
export async function putEvents(events: MitigationEvent[], eventBus?: string): Promise<void> {
  for (let i = 0; i < events.length; i += MAX_ENTRIES) {
    const batch = events.slice(i, i + MAX_ENTRIES);
    const entries: PutEventsRequestEntry[] = batch.map((e) => ({
      Source: EVENT_SOURCE,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      ...(eventBus ? { EventBusName: eventBus } : {}),
    }));
    // require, not import(): the Lambda runtime's SDK is found through NODE_PATH, which only require uses.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk: typeof import('@aws-sdk/client-eventbridge') = require('@aws-sdk/client-eventbridge');
    client ??= new sdk.EventBridgeClient({});
    const answer = await client.send(new sdk.PutEventsCommand({ Entries: entries }));
    if ((answer.FailedEntryCount ?? 0) > 0) {
      throw new PutEventsFailedError((answer.Entries ?? [])
        .map((entry, index) => ({ entry, index }))
        .filter(({ entry }) => entry.ErrorCode)
        .map(({ entry, index }) => ({ detailType: entries[index]?.DetailType, errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage })));
    }
  }
}
