import { AuditMitigationActionsTaskTarget, IoTClient, paginateListAuditFindings } from '@aws-sdk/client-iot';
import { MAX_FINDINGS_PER_TASK } from '../../contract';


/** What an AuditMitigationTask applies its actions to (the custom resource's properties). */
export interface TargetSpec {
  readonly auditTaskId?: string;
  readonly findingIds?: string[];
  /** check -> reason codes; used together with auditTaskId. */
  readonly reasonCodeFilter?: Record<string, string[]>;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) { chunks.push(items.slice(i, i + size)); }
  return chunks;
}

/**
 * The findings of `auditTaskId` whose check and reason code match the filter. Suppressed
 * findings are left out: AWS never mitigates them.
 */
export async function findingsMatching(iot: IoTClient, auditTaskId: string, filter: Record<string, string[]>): Promise<string[]> {
  const ids: string[] = [];
  for (const [checkName, reasonCodes] of Object.entries(filter)) {
    for await (const page of paginateListAuditFindings({ client: iot, pageSize: 250 },
      { taskId: auditTaskId, checkName, listSuppressedFindings: false })) {
      for (const finding of page.findings ?? []) {
        if (finding.findingId && reasonCodes.includes(finding.reasonForNonComplianceCode ?? '')) {
          ids.push(finding.findingId);
        }
      }
    }
  }
  return ids;
}

/**
 * The targets of the tasks to start: one for a whole audit, otherwise one per 25 findings.
 * A reason-code filter is resolved here into the matching findings, so every target names
 * exactly one of auditTaskId and findingIds.
 */
export async function resolveTargets(iot: IoTClient, spec: TargetSpec): Promise<AuditMitigationActionsTaskTarget[]> {
  if (spec.reasonCodeFilter) {
    if (!spec.auditTaskId) { throw invalidTarget('a reason-code filter needs auditTaskId'); }
    const ids = await findingsMatching(iot, spec.auditTaskId, spec.reasonCodeFilter);
    return chunk(ids, MAX_FINDINGS_PER_TASK).map((findingIds) => ({ findingIds }));
  }
  if (spec.findingIds) {
    if (spec.findingIds.length === 0) { throw invalidTarget('findingIds is empty'); }
    return chunk(spec.findingIds, MAX_FINDINGS_PER_TASK).map((findingIds) => ({ findingIds }));
  }
  if (spec.auditTaskId) { return [{ auditTaskId: spec.auditTaskId }]; }
  throw invalidTarget('give auditTaskId, findingIds or a reason-code filter');
}

function invalidTarget(reason: string): Error {
  const error = new Error(`invalid target: ${reason}`);
  error.name = 'InvalidRequestException';
  return error;
}
