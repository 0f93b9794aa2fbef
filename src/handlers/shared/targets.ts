import type { AuditMitigationActionsTaskTarget } from '@aws-sdk/client-iot';
import { PermanentError } from './errors';
import { canonicalJson, shortHash } from './ids';
import { MAX_FINDINGS_PER_TASK } from '../../contract/limits';

/** What an AuditMitigationTask applies its actions to (the custom resource's properties). */
export interface TargetSpec {
  readonly auditTaskId?: string;
  readonly findingIds?: string[];
  /** check -> reason codes; used together with auditTaskId. */
  readonly reasonCodeFilter?: Record<string, string[]>;
}

/** The work an AuditMitigationTask asks for: its task ids are derived from it, and from nothing else. */
export interface Work {
  readonly target: TargetSpec;
  /** check -> action names, applied in this order. */
  readonly auditCheckToActionsMapping: Record<string, string[]>;
  /** A label that asks for a deliberate re-run of the same target and mapping. */
  readonly runId?: string;
}

/**
 * The work as canonical JSON: object keys sorted, finding ids and reason codes sorted (AWS treats
 * them as sets), the actions of each check kept in order (AWS applies them in that order).
 */
export function canonicalWork(work: Work): string {
  const sorted = (values: string[] | undefined) => (values ? [...values].sort() : undefined);
  const filter = work.target.reasonCodeFilter;
  return canonicalJson({
    auditTaskId: work.target.auditTaskId,
    findingIds: sorted(work.target.findingIds),
    reasonCodeFilter: filter ? Object.fromEntries(Object.entries(filter).map(([check, codes]) => [check, sorted(codes)])) : undefined,
    auditCheckToActionsMapping: work.auditCheckToActionsMapping,
    runId: work.runId,
  });
}

/**
 * The task id prefix of a resource's work: `dd` and a digest of the stack, the logical id and the
 * canonical work. The same work in the same resource always has the same prefix, so a rollback or
 * a repeated Update names tasks that exist already; different work, or another `runId`, names new ones.
 */
export function workTaskIdPrefix(stackId: string, logicalResourceId: string, work: Work): string {
  return `dd${shortHash(stackId, logicalResourceId, canonicalWork(work))}`;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) { chunks.push(items.slice(i, i + size)); }
  return chunks;
}

/**
 * The targets of the tasks to start: one for a whole audit, otherwise one per 25 findings, so
 * every target names exactly one of auditTaskId and findingIds. Pure: a reason-code filter is
 * resolved by the caller (`findingsMatching`), whose result is `matchedFindingIds`.
 */
export function targetsFor(spec: TargetSpec, matchedFindingIds?: string[]): AuditMitigationActionsTaskTarget[] {
  if (spec.reasonCodeFilter) {
    if (!spec.auditTaskId) { throw new InvalidTargetError('a reason-code filter needs auditTaskId'); }
    if (!matchedFindingIds) { throw new Error('targetsFor: a reason-code filter needs the finding ids it matched'); }
    return chunk(matchedFindingIds, MAX_FINDINGS_PER_TASK).map((findingIds) => ({ findingIds }));
  }
  if (spec.findingIds) {
    if (spec.findingIds.length === 0) { throw new InvalidTargetError('findingIds is empty'); }
    return chunk(spec.findingIds, MAX_FINDINGS_PER_TASK).map((findingIds) => ({ findingIds }));
  }
  if (spec.auditTaskId) { return [{ auditTaskId: spec.auditTaskId }]; }
  throw new InvalidTargetError('give auditTaskId, findingIds or a reason-code filter');
}

/** A target that names no work (a permanent error: the properties that would need fixing). */
export class InvalidTargetError extends PermanentError {
  constructor(reason: string) {
    super('InvalidTargetError', `invalid target: ${reason}`);
  }
}
