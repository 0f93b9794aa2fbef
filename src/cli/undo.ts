import {
  DeletePolicyVersionCommand, DescribeCACertificateCommand, DescribeCertificateCommand, GetPolicyCommand, IoTClient,
  ListPolicyVersionsCommand, paginateListPrincipalThings, paginateListThingGroupsForThing, MitigationAction,
  RemoveThingFromThingGroupCommand, SetDefaultPolicyVersionCommand, UpdateCACertificateCommand, UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { ExecutionRow, listExecutions } from './executions';
import { TaskInfo, actionsByName, describeTask } from './task-info';

/** The outcome of undoing one completed execution. */
export interface UndoStep {
  readonly findingId?: string;
  readonly violationId?: string;
  readonly actionName: string;
  readonly actionType: string;
  /** What was (or, in a dry run, would be) restored. */
  readonly change: string;
  readonly outcome: 'restored' | 'would-restore' | 'already-restored' | 'cannot-undo' | 'failed';
  readonly error?: string;
}

export interface UndoResult {
  readonly taskId: string;
  readonly dryRun: boolean;
  readonly steps: UndoStep[];
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One reversal: `check` says whether there is anything to do, `apply` does it. */
interface Reversal { change: string; needed: () => Promise<boolean>; apply: () => Promise<void> }

/**
 * Reverses what can be reversed for every completed execution of a task, idempotently: a second
 * run finds everything restored and changes nothing. Published findings and logging settings
 * cannot be undone and are listed as such. One failed step does not stop the others.
 */
export async function undoTask(iot: IoTClient, taskId: string, options: { dryRun: boolean }): Promise<UndoResult> {
  const info = await describeTask(iot, taskId);
  const actions = actionsByName(info);
  const executions = (await listExecutions(iot, info)).filter((e) => e.status === 'COMPLETED' || e.status === 'SUCCESSFUL');
  const steps: UndoStep[] = [];
  for (const execution of executions) {
    const { findingId, violationId, actionName, actionType } = execution;
    const base = { findingId, violationId, actionName, actionType };
    let reversals: Reversal[];
    try {
      reversals = await reversalsFor(iot, info, execution, actions.get(execution.actionName));
    } catch (error) {
      steps.push({ ...base, change: 'work out what to restore', outcome: 'failed', error: errorText(error) });
      continue;
    }
    if (reversals.length === 0) {
      steps.push({ ...base, change: cannotUndo(execution.actionType), outcome: 'cannot-undo' });
    }
    for (const reversal of reversals) {
      try {
        if (!(await reversal.needed())) {
          steps.push({ ...base, change: reversal.change, outcome: 'already-restored' });
        } else if (options.dryRun) {
          steps.push({ ...base, change: reversal.change, outcome: 'would-restore' });
        } else {
          await reversal.apply();
          steps.push({ ...base, change: reversal.change, outcome: 'restored' });
        }
      } catch (error) {
        steps.push({ ...base, change: reversal.change, outcome: 'failed', error: errorText(error) });
      }
    }
  }
  return { taskId, dryRun: options.dryRun, steps };
}

function cannotUndo(actionType: string): string {
  switch (actionType) {
    case 'PUBLISH_FINDING_TO_SNS': return 'a published message cannot be unpublished';
    case 'ENABLE_IOT_LOGGING': return 'the previous logging settings were not recorded by AWS: set them by hand';
    default: return `nothing is known about how to undo ${actionType}`;
  }
}

async function reversalsFor(iot: IoTClient, info: TaskInfo, e: ExecutionRow, action: MitigationAction | undefined): Promise<Reversal[]> {
  const id = e.finding?.nonCompliantResource?.resourceIdentifier ?? {};
  switch (e.actionType) {
    case 'UPDATE_DEVICE_CERTIFICATE': {
      const certificateId = required(id.deviceCertificateId, 'the finding names no device certificate');
      return [{
        change: `reactivate device certificate ${certificateId}`,
        needed: async () => (await iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription?.status === 'INACTIVE',
        apply: async () => { await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' })); },
      }];
    }
    case 'UPDATE_CA_CERTIFICATE': {
      const certificateId = required(id.caCertificateId, 'the finding names no CA certificate');
      return [{
        change: `reactivate CA certificate ${certificateId}`,
        needed: async () => (await iot.send(new DescribeCACertificateCommand({ certificateId }))).certificateDescription?.status === 'INACTIVE',
        apply: async () => { await iot.send(new UpdateCACertificateCommand({ certificateId, newStatus: 'ACTIVE' })); },
      }];
    }
    case 'ADD_THINGS_TO_THING_GROUP': {
      const groups = action?.actionParams?.addThingsToThingGroupParams?.thingGroupNames ?? [];
      const things = e.thingName ? [e.thingName] : await thingsOfCertificate(iot, required(id.deviceCertificateId, 'the finding names no device certificate'));
      return things.flatMap((thingName) => groups.map((thingGroupName) => ({
        change: `remove thing ${thingName} from thing group ${thingGroupName}`,
        needed: async () => (await groupsOfThing(iot, thingName)).includes(thingGroupName),
        apply: async () => { await iot.send(new RemoveThingFromThingGroupCommand({ thingName, thingGroupName })); },
      })));
    }
    case 'REPLACE_DEFAULT_POLICY_VERSION': {
      const version = id.policyVersionIdentifier;
      const policyName = required(version?.policyName, 'the finding names no policy');
      const previous = required(version?.policyVersionId, 'the finding names no policy version');
      const since = info.kind === 'audit' ? info.task.startTime : undefined;
      // The blank version: created by the task (after it started), other than the previous default.
      const blank = async () => ((await iot.send(new ListPolicyVersionsCommand({ policyName }))).policyVersions ?? [])
        .filter((v) => v.versionId !== previous && (!since || (v.createDate && v.createDate >= since)))
        .map((v) => v.versionId!);
      return [{
        change: `make version ${previous} the default of policy ${policyName} again`,
        needed: async () => (await iot.send(new GetPolicyCommand({ policyName }))).defaultVersionId !== previous,
        apply: async () => { await iot.send(new SetDefaultPolicyVersionCommand({ policyName, policyVersionId: previous })); },
      }, {
        change: `delete the blank version(s) the task created in policy ${policyName}`,
        needed: async () => (await blank()).length > 0,
        apply: async () => {
          for (const policyVersionId of await blank()) { await iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId })); }
        },
      }];
    }
    default:
      return [];
  }
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
