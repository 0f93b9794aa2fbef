/**
 * What `undo` may do, decided from facts already read: pure functions, no AWS calls.
 */
import { AUDIT_CHECKS, isAuditCheck } from '../contract/audit-checks';

/**
 * Why `undo` never reactivates a certificate a finding of `checkName` names (the contract's
 * `undoRefusal`), or undefined when it may.
 */
function undoRefusalOf(checkName: string): string | undefined {
  return isAuditCheck(checkName) ? AUDIT_CHECKS[checkName].undoRefusal : undefined;
}

/** Whether `undo` never reactivates a certificate a finding of `checkName` names, unless `--allow-check <check>` names the check. */
export function isUntrustedCertificateCheck(checkName: string): boolean {
  return undoRefusalOf(checkName) !== undefined;
}

/**
 * Why `undo` refuses to reactivate a certificate mitigated for `checkName`, or undefined when it
 * may. An unknown check is refused: undo cannot tell whether the certificate may be trusted again.
 */
export function certificateRefusal(checkName: string | undefined, allowedChecks: ReadonlySet<string>): string | undefined {
  if (checkName === undefined) {
    return 'the finding names no check, so undo cannot tell whether the certificate may be trusted again';
  }
  const refusal = allowedChecks.has(checkName) ? undefined : undoRefusalOf(checkName);
  return refusal && `${refusal}: undo never reactivates it (override: --allow-check ${checkName})`;
}

/**
 * An audit finding about a certificate: from an execution of the task being undone, another
 * task's, or the findings AWS still lists for the certificate.
 */
export interface CertificateFinding {
  readonly findingId: string;
  readonly checkName?: string;
  /** The audit that found it. */
  readonly auditTaskId?: string;
  /** The audit mitigation tasks applied to it; empty when none was. */
  readonly mitigationTaskIds: readonly string[];
}

/**
 * Why `undo` refuses to reactivate a certificate, judged per resource: any finding about the
 * certificate from a refused check (not allowed by `--allow-check`) refuses every step that would
 * reactivate it, whichever finding the step's own execution was for. Names the first such finding,
 * its check and where it came from; undefined when no finding refuses.
 */
export function certificateResourceRefusal(findings: readonly CertificateFinding[], allowedChecks: ReadonlySet<string>): string | undefined {
  const blocking = new Map<string, { checkName: string; refusal: string; auditTaskId?: string; taskIds: Set<string> }>();
  for (const f of findings) {
    const refusal = f.checkName === undefined || allowedChecks.has(f.checkName) ? undefined : undoRefusalOf(f.checkName);
    if (f.checkName === undefined || refusal === undefined) { continue; }
    const known = blocking.get(f.findingId) ?? { checkName: f.checkName, refusal, auditTaskId: f.auditTaskId, taskIds: new Set<string>() };
    f.mitigationTaskIds.forEach((t) => known.taskIds.add(t));
    blocking.set(f.findingId, known);
  }
  const [first] = blocking.entries();
  if (!first) { return undefined; }
  const [findingId, { checkName, refusal, auditTaskId, taskIds }] = first;
  const where = taskIds.size > 0 ? `task ${[...taskIds].join(', ')}` : `audit ${auditTaskId ?? 'unknown'}, no mitigation task`;
  const more = blocking.size > 1 ? ` and ${blocking.size - 1} more finding(s)` : '';
  const checks = [...new Set([...blocking.values()].map((b) => b.checkName))];
  return `${refusal}: finding ${findingId} (${checkName}, ${where})${more}; `
    + `undo never reactivates it (override: ${checks.map((c) => `--allow-check ${c}`).join(' ')})`;
}

/**
 * What every step that removes a thing from a group says: AWS records no membership history, so
 * a membership an operator added by hand before the task looks like the one the task added.
 */
export const MEMBERSHIP_CAVEAT = 'AWS keeps no membership history: undo cannot tell a membership added by hand before the task';

/** An execution of another task, audit or Detect, that applied an action adding a thing to a group. */
export interface GroupAddition {
  readonly kind: 'audit' | 'detect';
  readonly taskId: string;
  /** The audit finding (audit tasks) or the violation (Detect tasks) it acted on. */
  readonly findingId?: string;
  readonly violationId?: string;
  /** The execution's status, as AWS lists it. */
  readonly status?: string;
}

/** Execution statuses after which the thing is in the group, or is about to be. */
const ADDING_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'SUCCESSFUL', 'IN_PROGRESS', 'PENDING']);

/** Whether a mitigation action adds things to `groupName`. */
export function addsThingsTo(
  action: { readonly actionParams?: { readonly addThingsToThingGroupParams?: { readonly thingGroupNames?: string[] } } } | undefined,
  groupName: string,
): boolean {
  return action?.actionParams?.addThingsToThingGroupParams?.thingGroupNames?.includes(groupName) ?? false;
}

/**
 * Why `undo` of task `taskId` refuses to remove a thing from a group, or undefined when it may:
 * another task (audit or Detect) also added the thing to the group, and undoing one task must not
 * undo the other's.
 */
export function groupRemovalRefusal(
  membership: { readonly thingName: string; readonly groupName: string; readonly taskId: string },
  additions: readonly GroupAddition[],
): string | undefined {
  const others = additions.filter((a) => a.taskId !== membership.taskId && a.status !== undefined && ADDING_STATUSES.has(a.status));
  if (others.length === 0) { return undefined; }
  const [first] = others;
  const target = first.findingId !== undefined ? `finding ${first.findingId}` : `violation ${first.violationId ?? 'unknown'}`;
  const more = others.length > 1 ? ` (and ${others.length - 1} more execution(s) of other tasks)` : '';
  return `${first.kind} task ${first.taskId} (${target}) also added thing ${membership.thingName} to thing group ${membership.groupName}${more}: `
    + 'undo leaves it there (remove it by hand if it should go)';
}

/** What to do about one step, judged from the resource's current state. */
export type Decision =
  /** The resource is as the execution left it: write the reversal. */
  | { readonly kind: 'apply' }
  /** Nothing left to do (for example, an earlier undo restored it). */
  | { readonly kind: 'done' }
  /** Someone changed the resource after the execution: leave it alone. */
  | { readonly kind: 'changed-since'; readonly why: string }
  /** Undo will not write, whatever the state. */
  | { readonly kind: 'refused'; readonly why: string };

const iso = (d: Date) => d.toISOString();

/**
 * A certificate the execution deactivated. `lastWriteEnd` is the end of the last execution of the
 * task that deactivated it: the execution's own write moves `lastModifiedDate` inside its window,
 * so only a later date means someone changed the certificate since.
 */
export function certificateDecision(
  certificate: { readonly status?: string; readonly lastModifiedDate?: Date },
  lastWriteEnd: Date | undefined,
): Decision {
  if (certificate.status === 'ACTIVE') { return { kind: 'done' }; }
  if (!lastWriteEnd) {
    return { kind: 'refused', why: 'AWS gave no end time for the execution, so undo cannot tell whether the certificate changed since' };
  }
  if (!certificate.lastModifiedDate) {
    return { kind: 'refused', why: 'AWS gave no lastModifiedDate for the certificate, so undo cannot tell whether it changed since' };
  }
  if (certificate.lastModifiedDate.getTime() > lastWriteEnd.getTime()) {
    return {
      kind: 'changed-since',
      why: `modified ${iso(certificate.lastModifiedDate)}, after the execution ended (${iso(lastWriteEnd)}); now ${certificate.status ?? 'in an unknown status'}`,
    };
  }
  if (certificate.status !== 'INACTIVE') {
    return { kind: 'changed-since', why: `now ${certificate.status ?? 'in an unknown status'}, not INACTIVE as the execution left it` };
  }
  return { kind: 'apply' };
}

/**
 * Whether a policy document allows nothing: no statement with `"Effect": "Allow"`. AWS does not
 * publish the blank template's text, so this is how undo recognises it. A document that cannot
 * be read is not blank.
 */
export function isBlankPolicyDocument(document: string | undefined): boolean {
  if (document === undefined) { return false; }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) { return false; }
  const statement = (parsed as { Statement?: unknown }).Statement;
  const statements = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return statements.every((s) => typeof s === 'object' && s !== null && (s as { Effect?: unknown }).Effect !== 'Allow');
}

/** A policy as undo sees it when it reverses a REPLACE_DEFAULT_POLICY_VERSION execution. */
export interface PolicyFacts {
  /** The version the finding flagged: the default before the execution. */
  readonly previousVersionId: string;
  readonly defaultVersionId?: string;
  /** Every version; `blank` is known for the versions created inside the window. */
  readonly versions: ReadonlyArray<{ readonly versionId: string; readonly createDate?: Date; readonly blank?: boolean }>;
  /** The execution's start and end, as AWS reported them. */
  readonly window: { readonly start?: Date; readonly end?: Date };
}

/** The policy decision: when it applies, what to set as default (if anything) and the one version to delete. */
export type PolicyDecision =
  | Exclude<Decision, { kind: 'apply' }>
  | { readonly kind: 'apply'; readonly setDefault?: string; readonly deleteVersionId: string };

/** Whether `date` falls inside the window (both ends included). */
export function insideWindow(date: Date | undefined, window: PolicyFacts['window']): boolean {
  return !!(date && window.start && window.end && date.getTime() >= window.start.getTime() && date.getTime() <= window.end.getTime());
}

/**
 * Acts only on the blank version this execution created: a version whose document allows nothing
 * and whose createDate is inside the execution's window. If it is the default, the flagged version
 * becomes the default again and the blank one is deleted; if the flagged version is already the
 * default (an earlier undo stopped half-way), only the blank one is deleted. No other version is
 * ever deleted, and without a known window nothing is done.
 */
export function policyDecision(facts: PolicyFacts): PolicyDecision {
  const { window, previousVersionId, defaultVersionId } = facts;
  if (!window.start || !window.end) {
    return {
      kind: 'refused',
      why: 'AWS gave no start or end time for the execution, so undo cannot tell which version it created, and changes nothing',
    };
  }
  if (!facts.versions.some((v) => v.versionId === previousVersionId)) {
    return { kind: 'changed-since', why: `version ${previousVersionId} no longer exists` };
  }
  const createdByExecution = facts.versions
    .filter((v) => v.versionId !== previousVersionId && insideWindow(v.createDate, window) && v.blank === true);
  if (defaultVersionId === previousVersionId) {
    if (createdByExecution.length === 0) { return { kind: 'done' }; }
    if (createdByExecution.length > 1) {
      return { kind: 'refused', why: `versions ${createdByExecution.map((v) => v.versionId).join(', ')} are all blank and created during the execution: undo cannot tell which one it created` };
    }
    return { kind: 'apply', deleteVersionId: createdByExecution[0].versionId };
  }
  const current = facts.versions.find((v) => v.versionId === defaultVersionId);
  if (current && createdByExecution.includes(current)) {
    return { kind: 'apply', setDefault: previousVersionId, deleteVersionId: current.versionId };
  }
  const created = current?.createDate ? `created ${iso(current.createDate)}` : 'creation time unknown';
  const why = !current
    ? `the default version is now ${defaultVersionId ?? 'unknown'}`
    : !insideWindow(current.createDate, window)
      ? `the default is now version ${current.versionId} (${created}, outside the execution's window ${iso(window.start)} to ${iso(window.end)})`
      : `the default is now version ${current.versionId} (${created}), whose document allows something: not the blank version`;
  return { kind: 'changed-since', why: `${why}; undo leaves the policy as it is` };
}
