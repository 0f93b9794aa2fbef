/**
 * An Amazon EventBridge emulator for tests: PutEvents only (the one operation the functions call),
 * over the JSON 1.1 protocol the real `@aws-sdk/client-eventbridge` speaks
 * (`X-Amz-Target: AWSEvents.PutEvents`), on 127.0.0.1. It checks each request against the API's
 * rules (1 to 10 entries, Source / DetailType / Detail present, Detail a JSON object, 256 KB per
 * request), answers per-entry failures the way EventBridge does (HTTP 200 with `FailedEntryCount`
 * and an `ErrorCode` on the entry), records the events it accepted, and injects faults.
 *
 * Optionally it acts as the IAM policy the constructs write: with `allowedSources`, a request that
 * puts an event with another source is refused with AccessDeniedException, as
 * `events:PutEvents` with an `events:source` condition is (for every caller).
 *
 * Event buses and the events put on them live per account and region (`identity.ts`): a request
 * puts events on the buses of its caller's account in the region it is signed for; `events`,
 * `eventsOfType` and `addEventBus` act on the default account and region, `at({ account, region })`
 * on another.
 */
import type * as http from 'node:http';
import { BaseFaultSpec, EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { AUTH_ERRORS, AUTH_MESSAGES, Scope, ScopedStates } from './identity';

/** An event EventBridge accepted. */
export interface PutEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  /** The parsed Detail. */
  readonly detail: Record<string, unknown>;
  /** The bus named in the entry, or 'default'. */
  readonly eventBusName: string;
  readonly resources: string[];
  readonly time: number;
}

export type EventsFaultKind =
  /** The whole request fails with ThrottlingException (400), which the SDK retries. */
  | 'throttled'
  /** The whole request fails with InternalException (500), which the SDK retries. */
  | 'internalError'
  /** HTTP 200, but every entry fails with ErrorCode InternalFailure (the SDK does NOT retry this). */
  | 'failedEntries';

export interface EventsFaultSpec extends BaseFaultSpec {
  kind: EventsFaultKind;
}

/** PutEvents: at most 10 entries per request. */
export const MAX_ENTRIES = 10;
/** PutEvents: the request's entries total at most 256 KB. */
export const MAX_REQUEST_BYTES = 256 * 1024;

interface RecordedEventsRequest extends RequestScope {
  readonly target: string;
  readonly body: unknown;
  status: number;
  errorCode?: string;
  readonly violations: string[];
}

/** The size EventBridge counts for one entry (its documented calculation, in UTF-8 bytes). */
export function entrySize(entry: Record<string, unknown>): number {
  let size = 0;
  if (entry.Time !== undefined) size += 14;
  for (const key of ['Source', 'DetailType', 'Detail']) {
    if (typeof entry[key] === 'string') size += Buffer.byteLength(entry[key] as string);
  }
  for (const r of Array.isArray(entry.Resources) ? entry.Resources : []) {
    if (typeof r === 'string') size += Buffer.byteLength(r);
  }
  return size;
}

/** One account's event buses in one region. */
interface BusState {
  /** Events accepted, in order. */
  readonly events: PutEvent[];
  /** Event buses other than `default` that exist (by name). */
  readonly buses: Set<string>;
}

export class EventsEmulator extends HttpEmulator<EventsFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<EventsEmulator> {
    return new EventsEmulator(options.seed ?? 7, options).listen();
  }

  /** Every request, in order, with what was wrong with it. */
  public readonly requests: RecordedEventsRequest[] = [];
  /** When set, only these sources may be put (the constructs' IAM condition). */
  public allowedSources?: string[];
  private sequence = 0;
  private readonly states = new ScopedStates<BusState>(() => ({ events: [], buses: new Set() }));

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  /** Events accepted in this object's scope (the default one, or the one `at()` named), in order. */
  get events(): PutEvent[] {
    return this.states.get(this.scope).events;
  }

  /** The same seeding and read-back methods, acting on another account and region. */
  at(scope: Partial<Scope>): Pick<EventsEmulator, 'events' | 'eventsOfType' | 'addEventBus'> {
    return this.view(scope);
  }

  /** Events of one detail-type, in order. */
  eventsOfType(detailType: string): PutEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }

  /** All constraint violations of all recorded requests. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.target}: ${v}`));
  }

  /** Creates a custom event bus, so that entries may name it (by name or ARN). */
  addEventBus(name: string): void {
    this.states.get(this.scope).buses.add(name);
  }

  /** Clears events, requests, faults, custom buses (of every scope) and `allowedSources`. */
  reset(): void {
    this.states.clear();
    this.requests.length = 0;
    this.allowedSources = undefined;
    this.sequence = 0;
    this.resetFaults();
  }

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    let body: unknown;
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const state = this.states.get(scope);
    const record: RecordedEventsRequest = { target, body: undefined, status: 0, violations: [], ...scope };
    this.requests.push(record);
    if (attribution.kind === 'refused') {
      const e = AUTH_ERRORS.awsJson[attribution.refusal];
      this.error(record, res, e.status, e.code, AUTH_MESSAGES[attribution.refusal]);
      return;
    }
    try {
      body = JSON.parse(text);
    } catch {
      record.violations.push('body is not JSON');
      this.error(record, res, 400, 'SerializationException', 'Could not parse the request body');
      return;
    }
    (record as { body: unknown }).body = body;
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      record.violations.push(`only POST with X-Amz-Target AWSEvents.PutEvents is emulated, got ${req.method} ${target}`);
      this.error(record, res, 400, 'UnknownOperationException', `Operation ${target} is not supported`);
      return;
    }
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType !== 'application/x-amz-json-1.1') {
      record.violations.push(`content-type must be application/x-amz-json-1.1, got ${contentType}`);
    }
    const authorization = String(req.headers.authorization ?? '');
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/events\/aws4_request/.test(authorization)) {
      record.violations.push('request is not SigV4-signed for service events');
    }

    const entries = (body as { Entries?: unknown }).Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      record.violations.push(`Entries must be a list of 1 to ${MAX_ENTRIES} entries, got ${Array.isArray(entries) ? entries.length : typeof entries}`);
      this.error(record, res, 400, 'ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
      return;
    }
    const total = entries.reduce((sum: number, e) => sum + entrySize(e as Record<string, unknown>), 0);
    if (total > MAX_REQUEST_BYTES) {
      record.violations.push(`entries total ${total} bytes, more than ${MAX_REQUEST_BYTES}`);
      this.error(record, res, 400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
      return;
    }
    if (this.allowedSources) {
      const denied = entries.map((e) => (e as Record<string, unknown>).Source).find((s) => !this.allowedSources!.includes(String(s)));
      if (denied !== undefined) {
        this.error(record, res, 400, 'AccessDeniedException', `not authorized to perform: events:PutEvents with source ${String(denied)}`);
        return;
      }
    }

    const fault = this.takeFault('PutEvents', scope);
    if (fault?.kind === 'throttled') { this.error(record, res, 400, 'ThrottlingException', 'Rate exceeded'); return; }
    if (fault?.kind === 'internalError') { this.error(record, res, 500, 'InternalException', 'Internal error'); return; }

    const results = entries.map((raw) => {
      if (fault?.kind === 'failedEntries') {
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal failure (injected)' };
      }
      const problem = entryProblem(raw as Record<string, unknown>);
      if (problem) {
        record.violations.push(problem.message);
        return { ErrorCode: problem.code, ErrorMessage: problem.message };
      }
      // A bus that does not exist is a valid request AWS answers per entry: not a violation of the API's rules.
      const missingBus = busProblem(state, scope, raw as Record<string, unknown>);
      if (missingBus) { return { ErrorCode: missingBus.code, ErrorMessage: missingBus.message }; }
      const entry = raw as Record<string, unknown>;
      this.sequence += 1;
      const eventId = sequentialId('eeeeeeee', this.sequence);
      state.events.push({
        eventId,
        source: entry.Source as string,
        detailType: entry.DetailType as string,
        detail: JSON.parse(entry.Detail as string) as Record<string, unknown>,
        eventBusName: busNameOf(entry.EventBusName),
        resources: Array.isArray(entry.Resources) ? entry.Resources as string[] : [],
        time: Date.now(),
      });
      return { EventId: eventId };
    });
    record.status = 200;
    this.send(res, 200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    this.send(res, 500, { __type: 'InternalException', message: `EventBridge emulator bug: ${String(err)}` });
  }

  protected isFaultKind(kind: string): boolean {
    return kind === 'throttled' || kind === 'internalError' || kind === 'failedEntries';
  }

  private error(record: RecordedEventsRequest, res: http.ServerResponse, status: number, code: string, message: string): void {
    record.status = status;
    record.errorCode = code;
    this.send(res, status, { __type: code, message });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    this.sendJson(res, status, 'application/x-amz-json-1.1', body, sequentialId('44444444', this.requests.length));
  }
}

/**
 * An entry naming a bus that does not exist in the request's scope (by name, or by an event-bus
 * ARN) is refused per entry; so is a bus ARN of another account or region (cross-account buses
 * and their policies are not emulated).
 */
function busProblem(state: BusState, scope: Scope, entry: Record<string, unknown>): { code: string; message: string } | undefined {
  const name = busNameOf(entry.EventBusName);
  const arn = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\//.exec(String(entry.EventBusName));
  const elsewhere = arn !== null && (arn[1] !== scope.region || arn[2] !== scope.account);
  return !elsewhere && (name === 'default' || state.buses.has(name))
    ? undefined
    : { code: 'ResourceNotFoundException', message: `Event bus ${String(entry.EventBusName)} does not exist.` };
}

/** What is wrong with one entry, as EventBridge reports it per entry; undefined when nothing. */
function entryProblem(entry: Record<string, unknown>): { code: string; message: string } | undefined {
  for (const key of ['Source', 'DetailType', 'Detail']) {
    if (typeof entry[key] !== 'string' || (entry[key] as string).length === 0) {
      return { code: 'InvalidArgument', message: `Parameter ${key} is not valid. Reason: ${key} is a required argument.` };
    }
  }
  if ((entry.Source as string).startsWith('aws.')) {
    return { code: 'NotAuthorizedForSourceException', message: `Not authorized for the source ${entry.Source as string}.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail as string);
  } catch {
    return { code: 'MalformedDetail', message: 'Detail is malformed.' };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return { code: 'MalformedDetail', message: 'Detail is malformed: it must be a JSON object.' };
  }
  return undefined;
}

/** The bus an entry names: `EventBusName` is a name or an event-bus ARN; absent = `default`. */
function busNameOf(value: unknown): string {
  if (value === undefined) { return 'default'; }
  const arn = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([^/]+)$/.exec(String(value));
  return arn ? arn[1] : String(value);
}

/** Jest helper: fails with one line per violation when the emulator recorded any. */
export function expectNoEventsViolations(emulator: EventsEmulator): void {
  throwOnViolations('EventBridge', emulator.violations());
}
