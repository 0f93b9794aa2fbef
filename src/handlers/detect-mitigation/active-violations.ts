import { ActiveViolation, IoTClient, paginateListActiveViolations } from '@aws-sdk/client-iot';
import { ViolationAlert } from './violation';
import { PermanentError } from '../shared/errors';

/** ListActiveViolations' largest page. */
const PAGE_SIZE = 250;
/**
 * A lookup of a whole profile (for an alert that names no thing) reads at most this many pages,
 * 5,000 violations, per batch. A thing's lookup needs one page: a thing has at most one violation
 * in alarm per behaviour of the profile.
 */
export const MAX_LOOKUP_PAGES = 20;

/** One ListActiveViolations lookup for the configured profile: its violations of one thing, or of all its things. */
export interface Lookup {
  readonly thingName?: string;
  /** The violation ids of the alerts it verifies. */
  readonly violationIds: string[];
}

/**
 * The lookups that verify a batch's alerts, once per batch. One per thing the alerts name: a few
 * violations each, so the cost is bounded by the batch whatever the fleet's size. When an alert
 * names no thing (AWS IoT's alerts always do), one lookup of the whole profile instead, which
 * covers every alert of the batch. In the order the alerts name them.
 */
export function planLookups(alerts: ViolationAlert[]): Lookup[] {
  if (alerts.length === 0) { return []; }
  const unique = (ids: string[]) => [...new Set(ids)];
  if (alerts.some((a) => a.thingName === undefined)) {
    return [{ violationIds: unique(alerts.map((a) => a.violationId)) }];
  }
  const byThing = new Map<string, string[]>();
  for (const a of alerts) { byThing.set(a.thingName!, [...byThing.get(a.thingName!) ?? [], a.violationId]); }
  return [...byThing].map(([thingName, ids]) => ({ thingName, violationIds: unique(ids) }));
}

/** What a lookup found. */
export interface LookupResult {
  /** The wanted violations AWS IoT has in alarm for the profile, by id. */
  readonly active: Map<string, ActiveViolation>;
  /** The number of violations read when the page bound stopped the lookup before it found them all. */
  readonly stoppedAfter?: number;
}

/**
 * Asks AWS IoT which of the lookup's violations are in alarm for `securityProfileName`
 * (ListActiveViolations, paginated; it stops once it found them all, or after MAX_LOOKUP_PAGES).
 * Errors are thrown: throttling after the SDK's retries is transient, AccessDenied or an unknown
 * profile permanent (`isPermanent`).
 */
export async function lookUpActiveViolations(iot: IoTClient, securityProfileName: string, lookup: Lookup): Promise<LookupResult> {
  const wanted = new Set(lookup.violationIds);
  const active = new Map<string, ActiveViolation>();
  let pages = 0;
  let read = 0;
  const paginator = paginateListActiveViolations({ client: iot, pageSize: PAGE_SIZE }, { securityProfileName, thingName: lookup.thingName });
  for await (const page of paginator) {
    pages += 1;
    for (const violation of page.activeViolations ?? []) {
      read += 1;
      // Only the configured profile's violations count (the request asked for them; an answer naming another is not one).
      const profile = violation.securityProfileName ?? securityProfileName;
      if (violation.violationId && wanted.has(violation.violationId) && profile === securityProfileName) {
        active.set(violation.violationId, violation);
      }
    }
    if (active.size === wanted.size) { break; }
    if (pages >= MAX_LOOKUP_PAGES && page.nextToken) { return { active, stoppedAfter: read }; }
  }
  return { active };
}

/** The alert as AWS IoT confirmed it: thing and behaviour from `violation`, never from the message. */
export function verifiedAlert(alert: ViolationAlert, violation: ActiveViolation): ViolationAlert {
  return { ...alert, thingName: violation.thingName, behaviorName: violation.behavior?.name };
}

/** AWS IoT does not list the alert's violation as in alarm for the configured profile: it is refused, for good. */
export class UnverifiedViolationError extends PermanentError {
  constructor(violationId: string, securityProfileName: string, stoppedAfter?: number) {
    super('UnverifiedViolationError', `violation ${violationId} is not an active violation of security profile ${securityProfileName} (ListActiveViolations)`
      + (stoppedAfter ? `; the alert names no thing, and only the profile's first ${stoppedAfter} active violations were read` : ''));
  }
}
