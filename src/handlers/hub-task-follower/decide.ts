import type { HubFollowerConfig } from './config';
import { spokeKey } from '../../contract/organization';
import { Answer } from '../shared/errors';
import { Candidate, retryingFields } from '../shared/follow-decide';
import type { ActiveTask } from '../shared/hub-ledger';
import type { SpokeLocation } from '../shared/spokes';
import { isFinished } from '../shared/task-outcome';

// The hub task follower's decisions about what to follow, pure: the active tasks of its ledger by
// spoke, and for each one whether it has finished. What to do about a finished task is the
// followers' shared decision (shared/follow-decide.ts).

/** The active tasks of one spoke: one session (an AssumeRole while its credentials last) serves them all. */
export interface SpokeTasks {
  readonly spoke: SpokeLocation;
  readonly tasks: ActiveTask[];
}

/** The active tasks by spoke, spokes and tasks in key order. Only spokes with an active task are listed: no call to any other. */
export function bySpoke(tasks: readonly ActiveTask[]): SpokeTasks[] {
  const groups = new Map<string, SpokeTasks>();
  for (const task of [...tasks].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const key = spokeKey(task.account, task.region);
    const group = groups.get(key) ?? { spoke: { partition: task.partition, account: task.account, region: task.region }, tasks: [] };
    group.tasks.push(task);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** What to do about one active task, given its status in its spoke. */
export type StatusStep =
  /** It finished (or AWS IoT refuses, for good, to say: following it reports that once): report its outcome. */
  | { readonly kind: 'follow'; readonly candidate: Candidate }
  /** Still running: nothing is written, the next run asks again. */
  | { readonly kind: 'running' }
  /** Its status is not known now (throttled, 5xx, credentials to renew): the next run asks again. */
  | { readonly kind: 'retry'; readonly fields: Record<string, unknown> };

/** A task of the ledger as the followers' shared code follows it: an audit task of the hub, reported as the hub's config says. */
export function candidateOf(task: ActiveTask, config: HubFollowerConfig): Candidate {
  return {
    kind: 'audit',
    taskId: task.taskId,
    followed: {
      mitigation: task.mitigation,
      kind: 'audit',
      reportTopicArn: config.reportTopicArn,
      eventBusArn: config.eventBus,
      ...(config.securityHub ? { securityHub: true } : {}),
    },
  };
}

/**
 * A task's status (DescribeAuditMitigationActionsTask with the spoke role, or the session's failure):
 * a finished task is followed; one still running is left for the next run; a status AWS IoT or STS
 * refuses to give for good (a spoke role gone or not trusting the follower, a task gone) is followed
 * too, so that its outcome read fails the same way and is reported once (`outcome-unreadable`).
 */
export function decideStatus(task: ActiveTask, status: Answer<string | undefined>, config: HubFollowerConfig): StatusStep {
  const candidate = candidateOf(task, config);
  if (!('value' in status)) {
    if (status.errorClass === 'permanent') { return { kind: 'follow', candidate }; }
    const fields = { taskId: task.taskId, taskKind: 'audit', mitigation: task.mitigation, account: task.account, region: task.region };
    return { kind: 'retry', fields: retryingFields(fields, status.error) };
  }
  return isFinished('audit', status.value) ? { kind: 'follow', candidate } : { kind: 'running' };
}
