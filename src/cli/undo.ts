import {
  DeletePolicyVersionCommand, DescribeCACertificateCommand, DescribeCertificateCommand, GetPolicyCommand, GetPolicyVersionCommand, IoTClient,
  ListPolicyVersionsCommand, paginateListPrincipalThings, paginateListThingGroupsForThing, MitigationAction,
  RemoveThingFromThingGroupCommand, SetDefaultPolicyVersionCommand, UpdateCACertificateCommand, UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { ExecutionRow, listExecutions } from './executions';
import { describeResource } from './preview';
import { actionsByName, describeTask } from './task-info';
import { UndoContext } from './undo-context';
import {
  CertificateFinding, Decision, MEMBERSHIP_CAVEAT, PolicyFacts, certificateDecision, certificateRefusal, certificateResourceRefusal,
  groupRemovalRefusal, insideWindow, isBlankPolicyDocument, policyDecision,
} from './undo-rules';
import { ACTION_TYPES, UNKNOWN_ACTION_TYPE, UndoRule } from '../contract/action-types';

/**
 * What happened (or, in a plan, would happen) to one reversal:
 * - `would-restore`: the plan would write it; `restored`: written;
 * - `already-restored`: nothing left to do;
 * - `changed-since`: the resource changed after the execution, so undo leaves it alone;
 * - `refused`: undo will not write it (a certificate a finding says is untrusted, a membership another
 *   task also added, or a time window AWS did not give);
 * - `cannot-undo`: the action cannot be reversed; `failed`: an error, in `error`.
 */
export type UndoOutcome = 'restored' | 'would-restore' | 'already-restored' | 'changed-since' | 'refused' | 'cannot-undo' | 'failed';

/** One reversal of one completed execution. */
export interface UndoStep {
  readonly findingId?: string;
  readonly violationId?: string;
  /** The resource the execution changed, e.g. `DEVICE_CERTIFICATE <id>` or `thing sensor-1`. */
  readonly resource: string;
  /** The audit check of the finding (audit tasks only). */
  readonly checkName?: string;
  readonly actionName: string;
  readonly actionType: string;
  /** What undo restores (or would restore). */
  readonly change: string;
  readonly outcome: UndoOutcome;
  /** Why a step is `refused` or `changed-since`. */
  readonly reason?: string;
  readonly error?: string;
  /** What undo cannot know about this step, whatever its outcome (every removal from a group has one). */
  readonly caveat?: string;
}

/** A reversal's verdict on the resource as it is now; `write` performs it. */
type Assessment = Exclude<Decision, { kind: 'apply' }> | { readonly kind: 'apply'; readonly write: () => Promise<void>; readonly change?: string };

/** One reversal: `assess` reads the resource and decides. */
interface Reversal { readonly change: string; readonly caveat?: string; readonly assess: () => Promise<Assessment> }

/** What undo would do to a task, step by step, before anything is written. */
export interface UndoPlan {
  readonly taskId: string;
  readonly steps: UndoStep[];
  /** The reversal behind each step (same index); undefined for steps with nothing to write. */
  readonly reversals: ReadonlyArray<Reversal | undefined>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function outcomeOf(assessment: Assessment, written: boolean): Pick<UndoStep, 'outcome' | 'reason'> {
  switch (assessment.kind) {
    case 'apply': return { outcome: written ? 'restored' : 'would-restore' };
    case 'done': return { outcome: 'already-restored' };
    default: return { outcome: assessment.kind, reason: assessment.why };
  }
}

/**
 * Works out, without writing anything, what undo would restore for every completed execution of
 * a task, latest first. Each step reads the resource as it is now: `would-restore`,
 * `already-restored`, `changed-since`, `refused`, `cannot-undo`, or `failed` when reading failed.
 * Refusals are judged per resource, across tasks: a certificate any refused check's finding names
 * (this task's executions, other tasks', the findings AWS still lists), a membership another task
 * also added (`UndoContext` reads the other tasks, once per resource).
 */
export async function planUndo(iot: IoTClient, taskId: string, options: { allowChecks: ReadonlySet<string> }): Promise<UndoPlan> {
  const info = await describeTask(iot, taskId);
  const actions = actionsByName(info);
  const all = await listExecutions(iot, info);
  const lookups = { ...options, context: new UndoContext(iot, taskId), ownFindings: certificateFindingsOf(all) };
  const executions = all.filter((e) => e.status === 'COMPLETED' || e.status === 'SUCCESSFUL');
  // Latest first, as a stack is unwound (AWS lists each finding's actions in the order they ran).
  const ordered = executions.reverse().map((e, i) => ({ e, i }))
    .sort((a, b) => (b.e.endTime?.getTime() ?? -Infinity) - (a.e.endTime?.getTime() ?? -Infinity) || a.i - b.i)
    .map(({ e }) => e);
  const lastWrites = lastCertificateWrites(ordered);
  const steps: UndoStep[] = [];
  const reversals: Array<Reversal | undefined> = [];
  for (const execution of ordered) {
    const base = {
      findingId: execution.findingId,
      violationId: execution.violationId,
      resource: execution.finding ? describeResource(execution.finding) : execution.thingName ? `thing ${execution.thingName}` : '-',
      checkName: execution.finding?.checkName,
      actionName: execution.actionName,
      actionType: execution.actionType,
    };
    let found: Reversal[];
    try {
      found = await reversalsFor(iot, execution, actions.get(execution.actionName), { ...lookups, lastWrites });
    } catch (error) {
      steps.push({ ...base, change: 'work out what to restore', outcome: 'failed', error: errorText(error) });
      reversals.push(undefined);
      continue;
    }
    if (found.length === 0) {
      steps.push({ ...base, change: cannotUndo(execution.actionType), outcome: 'cannot-undo' });
      reversals.push(undefined);
    }
    for (const reversal of found) {
      try {
        const assessment = await reversal.assess();
        const change = assessment.kind === 'apply' ? assessment.change ?? reversal.change : reversal.change;
        steps.push({ ...base, change, ...outcomeOf(assessment, false), caveat: reversal.caveat });
      } catch (error) {
        steps.push({ ...base, change: reversal.change, outcome: 'failed', error: errorText(error), caveat: reversal.caveat });
      }
      reversals.push(reversal);
    }
  }
  return { taskId, steps, reversals };
}

/**
 * Writes the plan's `would-restore` steps, each after reading its resource again (so a change made
 * since the plan is respected). Idempotent: a second run finds everything restored and changes
 * nothing. One failed step does not stop the others.
 */
export async function applyUndo(plan: UndoPlan): Promise<UndoStep[]> {
  const steps: UndoStep[] = [];
  for (const [i, step] of plan.steps.entries()) {
    const reversal = plan.reversals[i];
    if (step.outcome !== 'would-restore' || !reversal) {
      steps.push(step);
      continue;
    }
    try {
      const assessment = await reversal.assess();
      if (assessment.kind === 'apply') { await assessment.write(); }
      const change = assessment.kind === 'apply' ? assessment.change ?? reversal.change : reversal.change;
      steps.push({ ...step, change, ...outcomeOf(assessment, true) });
    } catch (error) {
      steps.push({ ...step, outcome: 'failed', error: errorText(error) });
    }
  }
  return steps;
}

/** What undo does about an execution: its type's rule, or undefined for a type this version does not know. */
function undoRuleOf(actionType: ExecutionRow['actionType']): UndoRule | undefined {
  return actionType === UNKNOWN_ACTION_TYPE ? undefined : ACTION_TYPES[actionType].undo;
}

/** Why a step has nothing to reverse. */
function cannotUndo(actionType: ExecutionRow['actionType']): string {
  const rule = undoRuleOf(actionType);
  if (!rule) { return `nothing is known about how to undo ${actionType}: the action's type is not one this version knows`; }
  return rule.kind === 'cannot-undo' ? rule.why : `the execution left nothing to reverse (${actionType})`;
}

type CertificateMember = Extract<UndoRule, { kind: 'reactivate-certificate' }>['certificate'];

/**
 * How undo reads and reactivates each kind of certificate, by the finding's member that names it;
 * a finding naming both is about its CA certificate.
 */
const CERTIFICATES: Record<CertificateMember, {
  readonly kind: 'device' | 'CA';
  readonly describe: (iot: IoTClient, certificateId: string) => Promise<{ status?: string; lastModifiedDate?: Date } | undefined>;
  readonly activate: (iot: IoTClient, certificateId: string) => Promise<unknown>;
}> = {
  caCertificateId: {
    kind: 'CA',
    describe: async (iot, certificateId) => (await iot.send(new DescribeCACertificateCommand({ certificateId }))).certificateDescription,
    activate: (iot, certificateId) => iot.send(new UpdateCACertificateCommand({ certificateId, newStatus: 'ACTIVE' })),
  },
  deviceCertificateId: {
    kind: 'device',
    describe: async (iot, certificateId) => (await iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription,
    activate: (iot, certificateId) => iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' })),
  },
};

const certificateKey = (actionType: string, certificateId: string | undefined) => `${actionType}/${certificateId}`;

/**
 * For each certificate the task deactivated, the end of the last execution that did so
 * (undefined when AWS did not give the end of one of them).
 */
function lastCertificateWrites(executions: ExecutionRow[]): Map<string, Date | undefined> {
  const ends = new Map<string, Date | undefined>();
  for (const e of executions) {
    const rule = undoRuleOf(e.actionType);
    const certificateId = rule?.kind === 'reactivate-certificate' ? e.finding?.nonCompliantResource?.resourceIdentifier?.[rule.certificate] : undefined;
    if (!certificateId) { continue; }
    const key = certificateKey(e.actionType, certificateId);
    const known = ends.has(key) ? ends.get(key) : e.endTime;
    ends.set(key, known && e.endTime ? new Date(Math.max(known.getTime(), e.endTime.getTime())) : undefined);
  }
  return ends;
}

const certificateResourceKey = (kind: 'device' | 'CA', certificateId: string) => `${kind}/${certificateId}`;

/** The key of the certificate a finding names (a CA or a device certificate). */
function certificateOf(finding: ExecutionRow['finding']): string | undefined {
  const id = finding?.nonCompliantResource?.resourceIdentifier;
  for (const member of Object.keys(CERTIFICATES) as CertificateMember[]) {
    const certificateId = id?.[member];
    if (certificateId) { return certificateResourceKey(CERTIFICATES[member].kind, certificateId); }
  }
  return undefined;
}

/** The findings of the task's own executions (whatever their status or action), by certificate. */
function certificateFindingsOf(executions: ExecutionRow[]): Map<string, CertificateFinding[]> {
  const byCertificate = new Map<string, CertificateFinding[]>();
  for (const e of executions) {
    const key = certificateOf(e.finding);
    if (!key || !e.findingId) { continue; }
    const found = byCertificate.get(key) ?? [];
    found.push({ findingId: e.findingId, checkName: e.finding?.checkName, auditTaskId: e.finding?.taskId, mitigationTaskIds: [e.taskId] });
    byCertificate.set(key, found);
  }
  return byCertificate;
}

async function reversalsFor(iot: IoTClient, e: ExecutionRow, action: MitigationAction | undefined, options: {
  allowChecks: ReadonlySet<string>;
  lastWrites: Map<string, Date | undefined>;
  context: UndoContext;
  ownFindings: Map<string, CertificateFinding[]>;
}): Promise<Reversal[]> {
  const id = e.finding?.nonCompliantResource?.resourceIdentifier ?? {};
  const rule = undoRuleOf(e.actionType);
  if (!rule) { return []; }
  switch (rule.kind) {
    case 'reactivate-certificate': {
      const certificate = CERTIFICATES[rule.certificate];
      const kind = certificate.kind;
      const certificateId = required(id[rule.certificate], `the finding names no ${kind} certificate`);
      const change = `reactivate ${kind} certificate ${certificateId}`;
      // Judged for the certificate, not for this execution: any finding about it from a refused
      // check, in this task, another task, or the audits AWS still lists, refuses the step.
      const refusal = e.finding?.checkName === undefined
        ? certificateRefusal(undefined, options.allowChecks)
        : certificateResourceRefusal([
          ...options.ownFindings.get(certificateResourceKey(kind, certificateId)) ?? [],
          ...await options.context.certificateFindings(kind, certificateId),
        ], options.allowChecks);
      if (refusal) { return [{ change, assess: async () => ({ kind: 'refused', why: refusal }) }]; }
      const lastWrite = options.lastWrites.get(certificateKey(e.actionType, certificateId));
      return [{
        change,
        assess: async () => {
          const decision = certificateDecision(await certificate.describe(iot, certificateId) ?? {}, lastWrite);
          if (decision.kind !== 'apply') { return decision; }
          return { kind: 'apply', write: async () => { await certificate.activate(iot, certificateId); } };
        },
      }];
    }
    case 'remove-things-from-groups': {
      const groups = action?.actionParams?.addThingsToThingGroupParams?.thingGroupNames ?? [];
      const things = e.thingName ? [e.thingName] : await thingsOfCertificate(iot, required(id.deviceCertificateId, 'the finding names no device certificate'));
      return things.flatMap((thingName) => groups.map((groupName): Reversal => ({
        change: `remove thing ${thingName} from thing group ${groupName}`,
        caveat: MEMBERSHIP_CAVEAT,
        assess: async () => {
          if (!(await groupsOfThing(iot, thingName)).includes(groupName)) { return { kind: 'done' }; }
          const refusal = groupRemovalRefusal({ thingName, groupName, taskId: e.taskId }, await options.context.groupAdditions(thingName, groupName));
          if (refusal) { return { kind: 'refused', why: refusal }; }
          return { kind: 'apply', write: async () => { await iot.send(new RemoveThingFromThingGroupCommand({ thingName, thingGroupName: groupName })); } };
        },
      })));
    }
    case 'restore-default-policy-version': {
      const version = id.policyVersionIdentifier;
      const policyName = required(version?.policyName, 'the finding names no policy');
      const previous = required(version?.policyVersionId, 'the finding names no policy version');
      const window = { start: e.startTime, end: e.endTime };
      return [{
        change: `make version ${previous} the default of policy ${policyName} again and delete the blank version this execution created`,
        assess: async () => {
          const decision = policyDecision(await policyFacts(iot, policyName, previous, window));
          if (decision.kind !== 'apply') { return decision; }
          const { setDefault, deleteVersionId } = decision;
          return {
            kind: 'apply',
            change: setDefault
              ? `make version ${setDefault} the default of policy ${policyName} again and delete blank version ${deleteVersionId}`
              : `delete blank version ${deleteVersionId} of policy ${policyName} (version ${previous} is the default again)`,
            write: async () => {
              if (setDefault) { await iot.send(new SetDefaultPolicyVersionCommand({ policyName, policyVersionId: setDefault })); }
              await iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: deleteVersionId }));
            },
          };
        },
      }];
    }
    case 'cannot-undo':
      return [];
  }
}

/** The policy's default and versions; the documents of the versions created inside the window. */
async function policyFacts(iot: IoTClient, policyName: string, previousVersionId: string, window: PolicyFacts['window']): Promise<PolicyFacts> {
  const { defaultVersionId } = await iot.send(new GetPolicyCommand({ policyName }));
  const listed = (await iot.send(new ListPolicyVersionsCommand({ policyName }))).policyVersions ?? [];
  const versions = [];
  for (const v of listed) {
    const blank = insideWindow(v.createDate, window)
      ? isBlankPolicyDocument((await iot.send(new GetPolicyVersionCommand({ policyName, policyVersionId: v.versionId! }))).policyDocument)
      : undefined;
    versions.push({ versionId: v.versionId!, createDate: v.createDate, blank });
  }
  return { previousVersionId, defaultVersionId, versions, window };
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined || value === null || value === '') { throw new Error(message); }
  return value;
}

async function thingsOfCertificate(iot: IoTClient, certificateId: string): Promise<string[]> {
  const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId }));
  const principal = required(certificateDescription?.certificateArn, `certificate ${certificateId} has no ARN`);
  const things: string[] = [];
  for await (const page of paginateListPrincipalThings({ client: iot, pageSize: 250 }, { principal })) {
    things.push(...page.things ?? []);
  }
  return things;
}

async function groupsOfThing(iot: IoTClient, thingName: string): Promise<string[]> {
  const groups: string[] = [];
  for await (const page of paginateListThingGroupsForThing({ client: iot, pageSize: 250 }, { thingName })) {
    groups.push(...(page.thingGroups ?? []).map((g) => g.groupName!));
  }
  return groups;
}
