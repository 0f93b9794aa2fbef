import { parseSuppressionDescription, SuppressionOwner, withSuppressionMarker } from '../../contract/suppression';

// Who owns an audit suppression that exists, and what a request of the AuditSuppression custom
// resource does with it: pure decisions, from the suppression's description (its ownership marker,
// see the contract's SUPPRESSION_MARKER) and the request. The handler reads and writes.
//
// The rule:
// - the marker names this resource (stack id and logical id): it is this resource's;
// - no marker, but the description is exactly what this resource wrote before markers existed
//   (`released`): it is this resource's, made by an earlier release of the library;
// - the marker names another resource of the same stack: a Create takes it over (a construct
//   moved to a new logical id: CloudFormation creates the new resource, then deletes the old one at
//   cleanup), marked `pending` until the old resource's Delete confirms it; a rollback's Delete of
//   the new resource hands it back;
// - anything else (another stack's marker, a suppression made by hand): never touched.

/** The resource a request is for. */
export interface RequestingResource {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

/** What a request wants done with a suppression that exists. */
export type ExistingRequest =
  /**
   * Create (or an Update to a new key) found it. `description`: the user's; `released`: see
   * `SuppressionPlan` (only for an Update to a new key).
   */
  | { readonly kind: 'create'; readonly self: RequestingResource; readonly description?: string; readonly released?: string }
  /** Update in place. `released`: the old properties' description (or ''). */
  | { readonly kind: 'update'; readonly self: RequestingResource; readonly description?: string; readonly released: string }
  /** Delete. `released`: the properties' description (or ''); `adoptedFrom`: from the physical id. */
  | { readonly kind: 'delete'; readonly self: RequestingResource; readonly released: string; readonly adoptedFrom?: string };

/** What the handler does with it. */
export type ExistingDecision =
  /** Write the desired expiry with this description (marker included); `adoptedFrom` goes into the physical id. */
  | { readonly kind: 'write'; readonly description: string; readonly adoptedFrom?: string; readonly note: string }
  | { readonly kind: 'delete'; readonly note: string }
  /** Rewrite the description only (its marker), and leave the suppression in force. */
  | { readonly kind: 'remark'; readonly description: string; readonly note: string }
  /** Leave it untouched: nothing wrong. */
  | { readonly kind: 'leave'; readonly note: string }
  /** Leave it untouched, and refuse: a Create fails, an Update or a Delete reports a permanent failure. */
  | { readonly kind: 'refuse'; readonly reason: string };

/** `owner` in words, for messages. */
export function ownerText(owner: SuppressionOwner, self: RequestingResource): string {
  return owner.stackId === self.stackId ? `resource ${owner.logicalResourceId} of this stack` : `resource ${owner.logicalResourceId} of stack ${owner.stackId}`;
}

/** Decides what `request` does with a suppression whose description is `existing` ('' when it has none). */
export function decideOnExisting(request: ExistingRequest, existing: string): ExistingDecision {
  const { self } = request;
  const { text, owner } = parseSuppressionDescription(existing);
  const mine = owner?.stackId === self.stackId && owner.logicalResourceId === self.logicalResourceId;
  const sibling = owner?.stackId === self.stackId && !mine ? owner : undefined;
  const released = owner === undefined && request.released !== undefined && existing === request.released;
  const marked = (description: string | undefined, pending = false, logicalResourceId = self.logicalResourceId) =>
    withSuppressionMarker(description, { stackId: self.stackId, logicalResourceId, pending });
  const notOurs = owner
    ? `it is managed by ${ownerText(owner, self)}`
    : 'it was made outside this resource (console, CLI, or an operator after this resource\'s was deleted): its description has no ownership marker';

  switch (request.kind) {
    case 'create':
      if (mine) { return { kind: 'write', description: marked(request.description, owner!.pending), note: 'its marker names this resource (a rollback, or a retried request)' }; }
      if (sibling) {
        return {
          kind: 'write',
          description: marked(request.description, true),
          adoptedFrom: sibling.logicalResourceId,
          note: `taken over from ${ownerText(sibling, self)} (a construct moved to a new logical id); pending until that resource's Delete`,
        };
      }
      if (released) { return { kind: 'write', description: marked(request.description), note: 'made for these properties by a release before ownership markers' }; }
      return { kind: 'refuse', reason: notOurs };
    case 'update':
      if (mine) { return { kind: 'write', description: marked(request.description, owner!.pending), note: 'its marker names this resource' }; }
      if (released) { return { kind: 'write', description: marked(request.description), note: 'made by this resource before ownership markers: marked now' }; }
      return { kind: 'refuse', reason: notOurs };
    case 'delete':
      if (mine && !owner!.pending) { return { kind: 'delete', note: 'its marker names this resource' }; }
      if (mine && request.adoptedFrom) {
        return {
          kind: 'remark',
          description: marked(text, false, request.adoptedFrom),
          note: `handed back to resource ${request.adoptedFrom}, which it was taken over from in a deployment that did not finish (a rollback)`,
        };
      }
      if (mine) {
        return {
          kind: 'refuse',
          reason: 'it was taken over from another resource of this stack whose Delete has not confirmed it, and this resource does not know which one: '
            + 'it is left in force; delete it by hand if no AuditSuppression of this stack has this check and resource',
        };
      }
      if (sibling?.pending) {
        return {
          kind: 'remark',
          description: marked(text, false, sibling.logicalResourceId),
          note: `left to ${ownerText(sibling, self)}, which took it over (a construct moved to a new logical id): the takeover is confirmed`,
        };
      }
      if (sibling) { return { kind: 'leave', note: `left to ${ownerText(sibling, self)}, which took it over` }; }
      if (released) { return { kind: 'delete', note: 'made for these properties by a release before ownership markers' }; }
      return { kind: 'refuse', reason: notOurs };
  }
}
