import type { FollowerConfig } from './config';
import { followedOf } from './follow-plan';
import type { TaskKind } from '../../contract/telemetry';
import type { Candidate } from '../shared/follow-decide';
import { isFinished } from '../shared/task-outcome';

// The stack task follower's decisions about what to follow, pure: which tasks a run lists, and which
// listed tasks are finished tasks of a followed construct. What to do about each one is the
// followers' shared decision (shared/follow-decide.ts).

/** A task as ListAudit/DetectMitigationActionsTasks gave it. */
export interface ListedTask {
  readonly kind: TaskKind;
  readonly taskId?: string;
  readonly status?: string;
}

/** What a run lists: the tasks of the lookback window, of the kinds some construct is followed for. */
export function listingOf(config: FollowerConfig, now: Date): { window: { startTime: Date; endTime: Date }; kinds: TaskKind[] } {
  const kinds: TaskKind[] = ['audit', 'detect'];
  return {
    window: { startTime: new Date(now.getTime() - config.lookbackHours * 3600_000), endTime: now },
    kinds: kinds.filter((kind) => config.followed.some((f) => f.kind === kind)),
  };
}

/** The listed tasks that have finished and belong to a followed construct. */
export function candidatesOf(listed: ListedTask[], config: FollowerConfig): Candidate[] {
  return listed.flatMap(({ kind, taskId, status }) => {
    const followed = taskId ? followedOf(kind, taskId, config.followed) : undefined;
    return followed && isFinished(kind, status) ? [{ kind, taskId: taskId!, followed }] : [];
  });
}
