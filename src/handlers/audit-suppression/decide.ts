import type { ResourceIdentifier } from '@aws-sdk/client-iot';
import { SuppressionPlan, SuppressionProps, suppressionPhysicalId } from './audit-suppression-plan';
import { decideOnExisting, ExistingDecision, RequestingResource } from './suppression-ownership';
import { AUDIT_SUPPRESSION_RULES, parseSuppressionDescription, stringRuleProblem, withSuppressionMarker } from '../../contract/suppression';
import { Effect, logLine, permanentFailure } from '../shared/effects';
import { PermanentError } from '../shared/errors';

// The AuditSuppression handler's decisions, pure: given the request's plan and what AWS IoT said
// so far (whether a Create found the suppression there, what Describe read), what to call next and
// what to log and report. Who owns a suppression that exists is `decideOnExisting`'s to say
// (suppression-ownership.ts). The handler (audit-suppression.lambda.ts) calls AWS IoT within the
// function's deadline and performs the effects.

/** A suppression this resource may not touch (see `decideOnExisting`), or a description that does not fit. */
export class SuppressionRefusedError extends PermanentError {
  constructor(message: string) {
    super('SuppressionRefused', message);
  }
}

export type CreatePlan = Extract<SuppressionPlan, { kind: 'create' }>;
export type UpdatePlan = Extract<SuppressionPlan, { kind: 'update' }>;
export type DeletePlan = Extract<SuppressionPlan, { kind: 'delete' }>;

/** A suppression as DescribeAuditSuppression reads it. */
export interface Existing {
  readonly description?: string;
  readonly suppressIndefinitely?: boolean;
  readonly expirationDate?: Date;
}

/** What AWS IoT said so far. */
export interface SuppressionFacts {
  /** CreateAuditSuppression's answer: created, or ResourceAlreadyExists. */
  readonly created?: 'created' | 'exists';
  /** DescribeAuditSuppression's answer; null = there is none. */
  readonly found?: Existing | null;
}

/** A suppression's key: its check and resource. */
export interface SuppressionKey {
  readonly checkName: string;
  readonly resourceIdentifier: ResourceIdentifier;
}

/** What to do next. */
export type SuppressionStep =
  | {
    readonly kind: 'create'; readonly input: SuppressionKey & ReturnType<typeof settings> & { readonly clientRequestToken: string };
  }
  | { readonly kind: 'describe' }
  /** UpdateAuditSuppression with `input`, then log `effects`; `remarking`: the update rewrites a marker only (what it is for). */
  | {
    readonly kind: 'write';
    readonly input: SuppressionKey & Partial<ReturnType<typeof settings>>;
    readonly effects: Effect[];
    readonly physicalResourceId?: string;
    readonly remarking?: string;
  }
  /** DeleteAuditSuppression, then log `effects`; `ifGone` when it was gone already (deleted outside CloudFormation, or expired). */
  | { readonly kind: 'delete'; readonly effects: Effect[]; readonly ifGone: Effect[] }
  /** An Update whose suppression was deleted by hand: log, then create it again (`plan`). */
  | { readonly kind: 'recreate'; readonly effects: Effect[]; readonly plan: CreatePlan }
  /** The request fails with `error` (a Create's refusal, a Delete's marker that does not fit). */
  | { readonly kind: 'fail'; readonly error: unknown; readonly remarking?: string }
  /** Done: log `effects` now, and send `reports` (permanent failures, best effort) once AWS IoT is done with. */
  | { readonly kind: 'done'; readonly effects: Effect[]; readonly reports: Effect[]; readonly physicalResourceId?: string };

export function keyOf(props: SuppressionProps): SuppressionKey {
  return { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier };
}

/** The settings of a Create or an Update: an expiry or "indefinitely", and the description (with its marker). */
export function settings(props: SuppressionProps, description: string) {
  return { expirationDate: props.expirationDate, suppressIndefinitely: props.suppressIndefinitely, description };
}

/** Why AWS IoT would not take `description` (the user's description and the marker are too long together), or undefined. */
export function descriptionRefusal(description: string): SuppressionRefusedError | undefined {
  if (!stringRuleProblem(description, AUDIT_SUPPRESSION_RULES.description)) { return undefined; }
  const { text } = parseSuppressionDescription(description);
  const max = AUDIT_SUPPRESSION_RULES.description.max;
  return new SuppressionRefusedError(`the description with its ownership marker is ${description.length} characters, and AWS IoT allows `
    + `${max}: shorten the description (${text.length} characters) by at least ${description.length - max}`);
}

/** A suppression in a few words: its key and expiry, and its description. */
function summary(props: SuppressionProps, found: Existing): string {
  const expiry = found.suppressIndefinitely ? 'indefinitely' : `until ${found.expirationDate?.toISOString() ?? 'an unknown date'}`;
  return `an audit suppression of ${props.checkName} for ${JSON.stringify(props.resourceIdentifier)} exists already `
    + `(suppressed ${expiry}${found.description ? `: ${JSON.stringify(parseSuppressionDescription(found.description).text)}` : ''})`;
}

function refusal(decision: ExistingDecision): string {
  return decision.kind === 'refuse' ? decision.reason : decision.kind;
}

/** What an Update or a Delete that left a suppression it may not touch says: what that means, and what to do. */
const NOT_OWNED_ON_UPDATE = 'left as it is: this stack\'s expiry and description were not applied. Delete it '
  + '(`npx cdk-device-defender unsuppress <findingId>`) and deploy again for the stack to manage it, or remove this AuditSuppression';
const NOT_OWNED_ON_DELETE = 'left in force: this stack does not delete a suppression it does not own. If nobody '
  + 'needs it, delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)';

function notOwned(props: SuppressionProps, found: Existing, decision: ExistingDecision, reason: string): Effect {
  return permanentFailure('suppression-not-owned', new SuppressionRefusedError(`${summary(props, found)}, and ${refusal(decision)}`), {
    checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason,
  });
}

/**
 * Write the desired settings with the description `decision` says (refused when it does not fit
 * AWS IoT's limit), then log `event` with the decision's note.
 */
function written(props: SuppressionProps, decision: Extract<ExistingDecision, { kind: 'write' }>, event: 'adopted' | 'updated',
  physicalResourceId: string): SuppressionStep {
  const refused = descriptionRefusal(decision.description);
  if (refused) { return { kind: 'fail', error: refused }; }
  return {
    kind: 'write',
    input: { ...keyOf(props), ...settings(props, decision.description) },
    effects: [logLine('INFO', event, { ...keyOf(props), reason: decision.note })],
    physicalResourceId,
  };
}

/**
 * A Create: create the suppression; one that exists already is taken over (adopted) or refused, as
 * `decideOnExisting` says. Its physical id is the plan's, or names the sibling it was taken over from.
 */
export function decideCreate(plan: CreatePlan, self: RequestingResource, facts: SuppressionFacts): SuppressionStep {
  const { props } = plan;
  const description = withSuppressionMarker(props.description, { ...self, pending: false });
  const tooLong = descriptionRefusal(description);
  if (tooLong) { return { kind: 'fail', error: tooLong }; }
  if (!facts.created) {
    return { kind: 'create', input: { ...keyOf(props), ...settings(props, description), clientRequestToken: plan.clientRequestToken } };
  }
  if (facts.created === 'created') {
    return {
      kind: 'done',
      effects: [logLine('INFO', 'created', { physicalResourceId: plan.physicalResourceId, checkName: props.checkName })],
      reports: [],
      physicalResourceId: plan.physicalResourceId,
    };
  }
  if (facts.found === undefined) { return { kind: 'describe' }; }
  if (facts.found === null) { return { kind: 'fail', error: new Error(`the suppression of ${props.checkName} existed when created, and was gone when read: deploy again`) }; }
  const decision = decideOnExisting({ kind: 'create', self, description: props.description, released: plan.released }, facts.found.description ?? '');
  if (decision.kind !== 'write') {
    return {
      kind: 'fail',
      error: new SuppressionRefusedError(`${summary(props, facts.found)}, and ${refusal(decision)}. AuditSuppression does not adopt it (it adopts only a `
        + 'suppression whose ownership marker names its stack), so that it never changes or deletes one someone else decided on: delete it '
        + '(`npx cdk-device-defender unsuppress <findingId>` or DeleteAuditSuppression) and deploy again, or remove this AuditSuppression.'),
    };
  }
  return written(props, decision, 'adopted', suppressionPhysicalId(props.checkName, props.resourceIdentifier, decision.adoptedFrom));
}

/**
 * An Update in place: updated when it is this resource's; one that is not is left as it is and
 * reported (the request succeeds). One deleted outside CloudFormation is created again.
 */
export function decideUpdate(plan: UpdatePlan, self: RequestingResource, facts: SuppressionFacts): SuppressionStep {
  const { props } = plan;
  if (facts.found === undefined) { return { kind: 'describe' }; }
  if (facts.found === null) {
    // Deleted outside CloudFormation (console, CLI, or it expired): the stack says it exists, so make it again.
    return {
      kind: 'recreate',
      effects: [logLine('WARN', 'recreated', { checkName: props.checkName, resourceIdentifier: props.resourceIdentifier, reason: 'not found on Update' })],
      plan: { ...plan, kind: 'create', released: undefined },
    };
  }
  const decision = decideOnExisting({ kind: 'update', self, description: props.description, released: plan.released }, facts.found.description ?? '');
  if (decision.kind !== 'write') {
    return { kind: 'done', effects: [], reports: [notOwned(props, facts.found, decision, NOT_OWNED_ON_UPDATE)], physicalResourceId: plan.physicalResourceId };
  }
  return written(props, decision, 'updated', plan.physicalResourceId);
}

/**
 * A Delete: deletes the suppression when it is this resource's, hands it back or leaves it as
 * `decideOnExisting` says; one it may not touch is left in force and reported. A Delete never fails
 * (`decideDeleteFailure` reports what it could not do).
 */
export function decideDelete(plan: DeletePlan, self: RequestingResource, facts: SuppressionFacts): SuppressionStep {
  const { props } = plan;
  const fields = { ...keyOf(props) };
  if (facts.found === undefined) { return { kind: 'describe' }; }
  if (facts.found === null) { return { kind: 'done', effects: [logLine('INFO', 'already-deleted', fields)], reports: [] }; }
  const decision = decideOnExisting({ kind: 'delete', self, released: props.description ?? '', adoptedFrom: plan.adoptedFrom }, facts.found.description ?? '');
  switch (decision.kind) {
    case 'delete':
      return { kind: 'delete', effects: [logLine('INFO', 'deleted', { ...fields, reason: decision.note })], ifGone: [logLine('INFO', 'already-deleted', fields)] };
    case 'remark': {
      const refused = descriptionRefusal(decision.description);
      if (refused) { return { kind: 'fail', error: refused, remarking: decision.note }; }
      return {
        kind: 'write',
        input: { ...keyOf(props), description: decision.description },
        effects: [logLine('INFO', 'left-in-force', { ...fields, reason: decision.note })],
        remarking: decision.note,
      };
    }
    case 'leave':
      return { kind: 'done', effects: [logLine('INFO', 'left-in-force', { ...fields, reason: decision.note })], reports: [] };
    default:
      return { kind: 'done', effects: [], reports: [notOwned(props, facts.found, decision, NOT_OWNED_ON_DELETE)] };
  }
}

/**
 * A Delete that failed (AWS IoT refused, or time ran out) still succeeds. The suppression left in
 * place still hides findings, so this is a permanent failure that says what is left and what to do.
 * `remarking`: the step under way rewrote the marker instead of deleting (what it was for).
 */
export function decideDeleteFailure(props: SuppressionProps, error: unknown, remarking?: string): Effect[] {
  return [permanentFailure(remarking ? 'suppression-marker-not-updated' : 'suppression-not-deleted', error, {
    ...keyOf(props),
    reason: remarking
      ? `the suppression is in force, and its ownership marker was not rewritten (${remarking}): rewrite the marker at the end of `
        + 'its description by hand (UpdateAuditSuppression), or delete it if no AuditSuppression of this stack has this check and resource'
      : 'the suppression is still in force: delete it with DeleteAuditSuppression (or `npx cdk-device-defender unsuppress <findingId>`)',
  })];
}
