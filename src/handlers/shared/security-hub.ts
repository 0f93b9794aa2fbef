import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { classifyError, errorMessage, errorName } from './errors';
import type { Reporter } from './report';
import { outcomeOf, type ExecutionRecord, type FinishedTask } from './task-outcome';
import { deviceDefenderProductArn, FINDING_ID_FIELD, NOTE_UPDATED_BY } from '../../contract/security-hub';
import type { SecurityHubUpdateDetail } from '../../contract/telemetry';

// What the task followers do in AWS Security Hub about a finished audit mitigation task: find the
// findings Device Defender's integration sent for the audit findings the task acted on, and write
// on each a note of what was done (and NOTIFIED where an action succeeded on a finding still NEW).
// The notes are decided from the task alone (`notesOf`, `planUpdates`: pure, no clock), so a
// follower that runs again writes the same note, finds it there, and writes nothing.

/** GetFindings takes at most 20 values per filter: the findings are looked up 20 audit finding ids at a time. */
export const MAX_FILTER_VALUES = 20;
/** GetFindings answers at most 100 findings per page. */
const MAX_RESULTS = 100;
/** BatchUpdateFindings takes at most 100 finding identifiers per call. */
export const MAX_FINDINGS_PER_UPDATE = 100;
/** A note's text is at most 512 characters. */
export const MAX_NOTE_LENGTH = 512;
/** How many times findings left unprocessed are sent again before the task is retried by a later run. */
const MAX_UNPROCESSED_ROUNDS = 4;
/** UnprocessedFindings error codes no new request fixes: the finding is counted as not found. */
const UNPROCESSED_FOR_GOOD: ReadonlySet<string> = new Set(['FindingNotFound', 'DuplicatedFindingIdentifier']);

/** The note one audit finding gets, and whether its Security Hub finding moves to NOTIFIED (when still NEW). */
export interface FindingNote {
  readonly text: string;
  /** An action succeeded on the finding: the resource was changed (it stays non-compliant until the next audit). */
  readonly notify: boolean;
}

/**
 * The note of each audit finding the task acted on, by audit finding id: the task id and each action
 * with its type and outcome, in the order the task applied them. No time, no run: the same task
 * always gives the same note. Cut to the API's 512 characters.
 */
export function notesOf(taskId: string, executions: readonly ExecutionRecord[],
  actionTypes: Readonly<Record<string, string>>): Map<string, FindingNote> {
  const byFinding = new Map<string, ExecutionRecord[]>();
  for (const e of executions) {
    if (!e.findingId || !outcomeOf(e.status)) { continue; }
    byFinding.set(e.findingId, [...byFinding.get(e.findingId) ?? [], e]);
  }
  const notes = new Map<string, FindingNote>();
  for (const [findingId, applied] of byFinding) {
    const actions = applied.map((e) => `${e.actionName} (${actionTypes[e.actionName] ?? 'UNKNOWN'}) ${outcomeOf(e.status)}`);
    const text = `cdk-device-defender mitigation task ${taskId}: ${actions.join('; ')}.`
      + (applied.some((e) => outcomeOf(e.status) === 'succeeded') ? ' The finding stays until the next audit finds the resource compliant.' : '');
    notes.set(findingId, {
      text: text.length > MAX_NOTE_LENGTH ? `${text.slice(0, MAX_NOTE_LENGTH - 3)}...` : text,
      notify: applied.some((e) => outcomeOf(e.status) === 'succeeded'),
    });
  }
  return notes;
}

/** A Security Hub finding as the lookup found it: what deciding its update needs. */
export interface FoundFinding {
  readonly id: string;
  readonly productArn: string;
  /** Its audit finding's id (ProductFields FindingId). */
  readonly findingId: string;
  readonly workflowStatus?: string;
  readonly note?: { readonly text?: string; readonly updatedBy?: string };
}

/** One BatchUpdateFindings call: one note, and NOTIFIED or no status, for at most 100 findings. */
export interface UpdateBatch {
  readonly text: string;
  readonly notify: boolean;
  readonly identifiers: Array<{ readonly Id: string; readonly ProductArn: string }>;
}

/**
 * The calls that give every found finding its note: a finding that already has it (written by this
 * library: an earlier run) is left alone; one whose workflow is not NEW (an analyst's, or an
 * earlier task's NOTIFIED) gets the note only; findings with the same note and status share calls
 * of at most 100.
 */
export function planUpdates(found: readonly FoundFinding[], notes: ReadonlyMap<string, FindingNote>): { batches: UpdateBatch[]; unchanged: number } {
  const groups = new Map<string, UpdateBatch>();
  let unchanged = 0;
  const seen = new Set<string>();
  for (const f of found) {
    const note = notes.get(f.findingId);
    if (!note || seen.has(`${f.productArn} ${f.id}`)) { continue; }
    seen.add(`${f.productArn} ${f.id}`);
    if (f.note?.text === note.text && f.note.updatedBy === NOTE_UPDATED_BY) {
      unchanged += 1;
      continue;
    }
    const notify = note.notify && (f.workflowStatus ?? 'NEW') === 'NEW';
    const key = `${notify} ${note.text}`;
    const group = groups.get(key) ?? { text: note.text, notify, identifiers: [] };
    group.identifiers.push({ Id: f.id, ProductArn: f.productArn });
    groups.set(key, group);
  }
  const batches = [...groups.values()].flatMap((g) => Array.from({ length: Math.ceil(g.identifiers.length / MAX_FINDINGS_PER_UPDATE) }, (_, i) => ({
    ...g, identifiers: g.identifiers.slice(i * MAX_FINDINGS_PER_UPDATE, (i + 1) * MAX_FINDINGS_PER_UPDATE),
  })));
  return { batches, unchanged };
}

/** Security Hub left findings unprocessed round after round: the task is retried by a later run. */
export class UnprocessedFindingsError extends Error {
  constructor(count: number, codes: string[]) {
    super(`Security Hub left ${count} findings unprocessed ${MAX_UNPROCESSED_ROUNDS} times (${[...new Set(codes)].join(', ')})`);
    this.name = 'UnprocessedFindingsError';
  }
}

/**
 * Updates the Security Hub findings of finished tasks in one account and region, for one follower
 * run. Security Hub refusing for good (not enabled, a role without the permissions) is reported
 * once per run (a permanent failure, `security-hub-refused`, through the reporter of the task that
 * met it), and each task then answers the refusal in its detail: its outcome is still reported.
 * Anything else that fails (throttled past the SDK's retries, findings left unprocessed) is thrown,
 * and the follower retries the task.
 */
export class FindingUpdater {
  private refusal?: string;

  constructor(private readonly client: SecurityHubClient, private readonly where: { readonly partition: string; readonly region: string }) {}

  public async update(task: FinishedTask, reporter: Reporter): Promise<SecurityHubUpdateDetail> {
    const taskId = task.outcome.taskId;
    const notes = notesOf(taskId, task.executions, task.actionTypes);
    const none = { updated: 0, notified: 0, unchanged: 0, notFound: 0 };
    if (this.refusal !== undefined) { return { ...none, notFound: notes.size, error: this.refusal }; }
    try {
      const found = await this.lookUp([...notes.keys()]);
      const { batches, unchanged } = planUpdates(found, notes);
      let { updated, notified } = none;
      let lost = 0;
      for (const batch of batches) {
        const result = await this.apply(batch);
        updated += result.updated;
        notified += batch.notify ? result.updated : 0;
        lost += result.lost;
      }
      const foundIds = new Set(found.map((f) => f.findingId));
      return { updated, notified, unchanged, notFound: [...notes.keys()].filter((id) => !foundIds.has(id)).length + lost };
    } catch (error) {
      if (classifyError(error) !== 'permanent') { throw error; }
      this.refusal = `${errorName(error)}: ${errorMessage(error)}`;
      await reporter.permanentFailure('security-hub-refused', error, {
        taskId,
        fix: 'enable Security Hub in this account and region, and give the role securityhub:GetFindings and securityhub:BatchUpdateFindings '
          + '(`securityHub` on the construct; on each MitigationSpoke for a hub)',
      });
      return { ...none, notFound: notes.size, error: this.refusal };
    }
  }

  /** The Device Defender audit findings in Security Hub of these audit finding ids (20 ids per GetFindings, every page). */
  private async lookUp(findingIds: string[]): Promise<FoundFinding[]> {
    const productArn = deviceDefenderProductArn(this.where.partition, this.where.region, 'audit');
    const found: FoundFinding[] = [];
    for (let i = 0; i < findingIds.length; i += MAX_FILTER_VALUES) {
      const ids = findingIds.slice(i, i + MAX_FILTER_VALUES);
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(new (sdk().GetFindingsCommand)({
          Filters: {
            ProductArn: [{ Value: productArn, Comparison: 'EQUALS' }],
            ProductFields: ids.map((id) => ({ Key: FINDING_ID_FIELD, Value: id, Comparison: 'EQUALS' })),
          },
          MaxResults: MAX_RESULTS,
          NextToken: nextToken,
        }));
        for (const f of page.Findings ?? []) {
          const findingId = f.ProductFields?.[FINDING_ID_FIELD];
          if (!f.Id || !f.ProductArn || !findingId || !ids.includes(findingId)) { continue; }
          found.push({
            id: f.Id,
            productArn: f.ProductArn,
            findingId,
            workflowStatus: f.Workflow?.Status,
            note: f.Note ? { text: f.Note.Text, updatedBy: f.Note.UpdatedBy } : undefined,
          });
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken);
    }
    return found;
  }

  /** One batch, its unprocessed findings sent again (a few rounds); answers how many were updated, and lost for good. */
  private async apply(batch: UpdateBatch): Promise<{ updated: number; lost: number }> {
    let pending = batch.identifiers;
    let lost = 0;
    let codes: string[] = [];
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) { throw new UnprocessedFindingsError(pending.length, codes); }
      if (round > 0) { await sleep(100 * 2 ** round); }
      const output = await this.client.send(new (sdk().BatchUpdateFindingsCommand)({
        FindingIdentifiers: pending.map((p) => ({ Id: p.Id, ProductArn: p.ProductArn })),
        Note: { Text: batch.text, UpdatedBy: NOTE_UPDATED_BY },
        ...(batch.notify ? { Workflow: { Status: 'NOTIFIED' } } : {}),
      }));
      const unprocessed = output.UnprocessedFindings ?? [];
      const again = unprocessed.filter((u) => !UNPROCESSED_FOR_GOOD.has(u.ErrorCode ?? ''));
      lost += unprocessed.length - again.length;
      codes = again.map((u) => u.ErrorCode ?? 'UNKNOWN');
      const retry = new Set(again.map((u) => `${u.FindingIdentifier?.ProductArn} ${u.FindingIdentifier?.Id}`));
      pending = pending.filter((p) => retry.has(`${p.ProductArn} ${p.Id}`));
    }
    return { updated: batch.identifiers.length - lost, lost };
  }
}

/**
 * The SDK's Security Hub module, loaded on first use (require, not import(): the Lambda runtime's SDK
 * is found through NODE_PATH, which only require uses), so a follower whose constructs have no
 * `securityHub` never loads it.
 */
function sdk(): typeof import('@aws-sdk/client-securityhub') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-securityhub');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
