import {
  AuditFinding, AuditMitigationActionExecutionMetadata, DescribeAuditMitigationActionsTaskCommand,
  DescribeAuditMitigationActionsTaskCommandOutput, DescribeDetectMitigationActionsTaskCommand, DetectMitigationActionExecution, IoTClient,
  MitigationAction, paginateListAuditFindings, paginateListAuditMitigationActionsExecutions, paginateListAuditMitigationActionsTasks,
  paginateListDetectMitigationActionsExecutions, paginateListThingPrincipals, ResourceIdentifier,
} from '@aws-sdk/client-iot';
import { CertificateFinding, GroupAddition, addsThingsTo, isUntrustedCertificateCheck } from './undo-rules';

/**
 * How far back undo looks for other tasks, their executions and findings: the 90 days AWS keeps
 * audit data, less an hour so that a request at the edge of what AWS keeps is not refused.
 */
export const UNDO_LOOKBACK_MS = 90 * 86_400_000 - 3_600_000;

const PAGE = { pageSize: 250 };

/**
 * What undo reads beyond the task it undoes: the findings AWS still lists for a certificate, the
 * other audit mitigation tasks applied to them, and the other tasks (audit or Detect) that added
 * a thing to a group. Every look-up is made once per resource (certificate, thing, finding, task)
 * and cached for the whole undo, plan and apply alike, so the number of requests grows with the
 * resources the task changed, not with its executions.
 */
export class UndoContext {
  private readonly window: { readonly startTime: Date; readonly endTime: Date };
  private readonly cache = new Map<string, Promise<unknown>>();

  /** `taskId` is the task being undone: its own executions are not "another task". */
  constructor(private readonly iot: IoTClient, private readonly taskId: string, now: Date = new Date()) {
    this.window = { startTime: new Date(now.getTime() - UNDO_LOOKBACK_MS), endTime: now };
  }

  /**
   * The findings AWS still lists for a certificate (suppressed or not, over the window) whose
   * check makes undo refuse to reactivate it, each with the audit mitigation tasks applied to it.
   */
  public async certificateFindings(kind: 'device' | 'CA', certificateId: string): Promise<CertificateFinding[]> {
    const identifier: ResourceIdentifier = kind === 'CA' ? { caCertificateId: certificateId } : { deviceCertificateId: certificateId };
    const found: CertificateFinding[] = [];
    for (const f of await this.findingsOf(identifier)) {
      if (!f.findingId || !f.checkName || !isUntrustedCertificateCheck(f.checkName)) { continue; }
      const mitigationTaskIds = await this.tasksAppliedTo(f.findingId);
      found.push({ findingId: f.findingId, checkName: f.checkName, auditTaskId: f.taskId, mitigationTaskIds });
    }
    return found;
  }

  /**
   * The executions of other tasks that added `thingName` to `groupName`: Detect tasks' executions
   * for the thing, and audit tasks' executions on the findings of the certificates attached to
   * the thing now (AWS does not say which were attached when a task ran).
   */
  public async groupAdditions(thingName: string, groupName: string): Promise<GroupAddition[]> {
    const additions: GroupAddition[] = [];
    for (const e of await this.detectExecutionsOf(thingName)) {
      if (e.taskId === this.taskId) { continue; }
      const actions = (await this.detectTask(e.taskId!)).taskSummary?.actionsDefinition ?? [];
      if (addsThingsTo(actions.find((a) => a.name === e.actionName), groupName)) {
        additions.push({ kind: 'detect', taskId: e.taskId!, violationId: e.violationId, status: e.status });
      }
    }
    for (const certificateId of await this.certificatesOf(thingName)) {
      for (const finding of await this.findingsOf({ deviceCertificateId: certificateId })) {
        for (const taskId of await this.tasksAppliedTo(finding.findingId!)) {
          if (taskId === this.taskId) { continue; }
          const task = await this.auditTask(taskId);
          const adding = new Set((task.auditCheckToActionsMapping?.[finding.checkName ?? ''] ?? [])
            .filter((name) => addsThingsTo(actionNamed(task.actionsDefinition, name), groupName)));
          if (adding.size === 0) { continue; }
          for (const e of await this.auditExecutions(taskId, finding.findingId!)) {
            if (adding.has(e.actionName!)) { additions.push({ kind: 'audit', taskId, findingId: finding.findingId, status: e.status }); }
          }
        }
      }
    }
    return additions;
  }

  /** Loads a value once per key for the whole undo. */
  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.cache.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.cache.set(key, value);
    }
    return value;
  }

  /** Every finding AWS lists for the resource over the window: unsuppressed, then suppressed. */
  private findingsOf(resourceIdentifier: ResourceIdentifier): Promise<AuditFinding[]> {
    return this.once(`findings ${JSON.stringify(resourceIdentifier)}`, async () => {
      const findings: AuditFinding[] = [];
      for (const listSuppressedFindings of [false, true]) {
        const pages = paginateListAuditFindings({ client: this.iot, ...PAGE }, { resourceIdentifier, ...this.window, listSuppressedFindings });
        for await (const page of pages) { findings.push(...page.findings ?? []); }
      }
      return findings;
    });
  }

  /** The audit mitigation tasks AWS lists as applied to the finding over the window. */
  private tasksAppliedTo(findingId: string): Promise<string[]> {
    return this.once(`tasks ${findingId}`, async () => {
      const ids: string[] = [];
      for await (const page of paginateListAuditMitigationActionsTasks({ client: this.iot, ...PAGE }, { findingId, ...this.window })) {
        ids.push(...(page.tasks ?? []).map((t) => t.taskId!));
      }
      return ids;
    });
  }

  private auditTask(taskId: string): Promise<DescribeAuditMitigationActionsTaskCommandOutput> {
    return this.once(`audit task ${taskId}`, () => this.iot.send(new DescribeAuditMitigationActionsTaskCommand({ taskId })));
  }

  private detectTask(taskId: string) {
    return this.once(`detect task ${taskId}`, () => this.iot.send(new DescribeDetectMitigationActionsTaskCommand({ taskId })));
  }

  private auditExecutions(taskId: string, findingId: string): Promise<AuditMitigationActionExecutionMetadata[]> {
    return this.once(`audit executions ${taskId} ${findingId}`, async () => {
      const executions: AuditMitigationActionExecutionMetadata[] = [];
      for await (const page of paginateListAuditMitigationActionsExecutions({ client: this.iot, ...PAGE }, { taskId, findingId })) {
        executions.push(...page.actionsExecutions ?? []);
      }
      return executions;
    });
  }

  /** Every Detect execution for the thing over the window. */
  private detectExecutionsOf(thingName: string): Promise<DetectMitigationActionExecution[]> {
    return this.once(`detect executions ${thingName}`, async () => {
      const executions: DetectMitigationActionExecution[] = [];
      for await (const page of paginateListDetectMitigationActionsExecutions({ client: this.iot, ...PAGE }, { thingName, ...this.window })) {
        executions.push(...page.actionsExecutions ?? []);
      }
      return executions;
    });
  }

  /** The ids of the X.509 certificates attached to the thing now. */
  private certificatesOf(thingName: string): Promise<string[]> {
    return this.once(`principals ${thingName}`, async () => {
      const ids: string[] = [];
      for await (const page of paginateListThingPrincipals({ client: this.iot, ...PAGE }, { thingName })) {
        for (const principal of page.principals ?? []) {
          const match = /:cert\/([^/]+)$/.exec(principal);
          if (match) { ids.push(match[1]); }
        }
      }
      return ids;
    });
  }
}

function actionNamed(actions: MitigationAction[] | undefined, name: string): MitigationAction | undefined {
  return actions?.find((a) => a.name === name);
}
