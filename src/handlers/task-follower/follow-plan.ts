import { FollowedMitigation } from '../../contract/environment';
import { TaskKind } from '../../contract/telemetry';
import { parsePhysicalId } from '../shared/ids';

// The stack task follower's decision about tasks, pure: which listed tasks belong to which followed
// construct.

/**
 * The followed construct a listed task belongs to, or undefined (another construct's, or someone
 * else's). A task id prefix matches `<prefix>-<anything>`; an AuditMitigationTask's physical id
 * `<prefix>:<count>` matches exactly `<prefix>-0` ... `<prefix>-<count-1>`. Only audit tasks
 * belong to audit constructs, detect tasks to detect constructs. A physical id the handler never
 * issued (a failed Create) matches nothing.
 */
export function followedOf(kind: TaskKind, taskId: string, followed: FollowedMitigation[]): FollowedMitigation | undefined {
  return followed.find((f) => {
    if (f.kind !== kind) { return false; }
    if (f.taskIdPrefix && taskId.startsWith(`${f.taskIdPrefix}-`)) { return true; }
    const resource = f.physicalResourceId ? parsePhysicalId(f.physicalResourceId) : undefined;
    if (!resource || !taskId.startsWith(`${resource.prefix}-`)) { return false; }
    const index = taskId.slice(resource.prefix.length + 1);
    return /^(0|[1-9]\d*)$/.test(index) && Number(index) < resource.count;
  });
}
