/**
 * The state of the Security Hub emulator in one account and region: whether Security Hub is
 * enabled there, the products whose findings it imports, and the findings, in the AWS Security
 * Finding Format (ASFF); with the seeding of AWS IoT Device Defender audit findings and what
 * BatchUpdateFindings does to a finding.
 *
 * What AWS documents and the emulator does: BatchUpdateFindings sets `Note` (replacing any earlier
 * note; its `UpdatedAt` is the time of the update) and `Workflow.Status`, and does not change the
 * finding's `UpdatedAt` (that is the finding provider's). A finding the provider moves from
 * ARCHIVED back to ACTIVE (`setRecordState`) has its workflow status reset to NEW.
 *
 * The Device Defender audit findings follow what the Device Defender developer guide says of the
 * integration (product `iot-device-defender-audit`, ProductFields FindingId, TaskId, CheckName and
 * IsSuppressed; check summaries with ReportType CheckSummary). The finding `Id`, title, types and
 * resource are the emulator's own choices: a handler must find findings by their ProductFields,
 * never by building an Id.
 */
import type { Scope } from './identity';
import { AUDIT_FINDING_SEVERITIES, AuditFindingSeverity, isAuditCheckName } from './iot-model';
import {
  awsProductArn, BatchUpdate, FindingIdentifier, FindingPredicate, nonBlank, partitionOf, RecordState, RECORD_STATES, UNPROCESSED_ERRORS,
  UnprocessedErrorCode, WORKFLOW_STATUSES, WorkflowStatus,
} from './securityhub-model';

/** A finding as GetFindings answers it (the ASFF members the emulator fills). */
export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  Region: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  FirstObservedAt: string;
  LastObservedAt: string;
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: string; Normalized: number; Original: string };
  Title: string;
  Description: string;
  ProductFields: Record<string, string>;
  Resources: Array<{ Type: string; Id: string; Partition: string; Region: string }>;
  Workflow: { Status: WorkflowStatus };
  RecordState: RecordState;
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
}

/** A Device Defender audit finding for `addFinding`. */
export interface AuditFindingAsffSeed {
  /** The audit finding's id (ProductFields FindingId): 1 to 128 of `[a-zA-Z0-9_-]`. */
  findingId: string;
  /** The audit task's id (ProductFields TaskId): 1 to 40 of `[a-zA-Z0-9-]`. */
  taskId: string;
  /** One of the audit checks (ProductFields CheckName). */
  checkName: string;
  /** @default false */
  isSuppressed?: boolean;
  /** @default MEDIUM */
  severity?: AuditFindingSeverity;
  /** @default NEW */
  workflowStatus?: WorkflowStatus;
  /** @default ACTIVE */
  recordState?: RecordState;
  /** The non-compliant resource. @default a device certificate ARN of the scope, derived from the finding id */
  resourceArn?: string;
  /**
   * Findings of it must be imported (`enableHub({ products })`).
   * @default the ARN of the `iot-device-defender-audit` product in the scope's region (another one seeds a look-alike of another product)
   */
  productArn?: string;
  /** @default `<hub ARN of the scope>/iot-device-defender-audit/finding/<findingId>` */
  id?: string;
  /** An analyst's note already on the finding. */
  note?: { text: string; updatedBy: string };
  /** @default now */
  createdAt?: Date;
}

/** A Device Defender audit check summary for `addCheckSummary` (a finding without a FindingId). */
export interface CheckSummaryAsffSeed {
  taskId: string;
  checkName: string;
  nonCompliantResourcesCount?: number;
  /** @default ACTIVE */
  recordState?: RecordState;
}

/** One BatchUpdateFindings change to a finding, as the emulator recorded it. */
export interface FindingUpdate {
  readonly time: string;
  readonly principalArn?: string;
  readonly note?: { readonly Text: string; readonly UpdatedBy: string };
  readonly workflowStatus?: WorkflowStatus;
}

interface StoredFinding {
  readonly sequence: number;
  readonly finding: AsffFinding;
  readonly updates: FindingUpdate[];
}

export type Unprocessed = { FindingIdentifier: FindingIdentifier; ErrorCode: UnprocessedErrorCode; ErrorMessage: string };

const SEVERITY_NORMALIZED: Readonly<Record<AuditFindingSeverity, number>> = { CRITICAL: 90, HIGH: 70, MEDIUM: 40, LOW: 1 };

export class SecurityHubState {
  /** Set while Security Hub is enabled here. */
  hub?: { subscribedAt: string; autoEnableControls: boolean };
  /** Product ARNs whose findings are imported, in the order their import was enabled. */
  readonly products: string[] = [];
  private readonly findings = new Map<string, StoredFinding>();
  private sequence = 0;

  constructor(readonly scope: Scope, private readonly now: () => number) {}

  /** Enables Security Hub here (again: keeps its findings and products). */
  enable(options: { subscribedAt?: Date; autoEnableControls?: boolean }): void {
    this.hub = { subscribedAt: (options.subscribedAt ?? new Date(this.now())).toISOString(), autoEnableControls: options.autoEnableControls ?? true };
  }

  /** Seeds a Device Defender audit finding; answers it. */
  addAuditFinding(seed: AuditFindingAsffSeed): AsffFinding {
    this.requireHub('addFinding');
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(seed.findingId)) throw new Error(`addFinding: findingId must be 1 to 128 of [a-zA-Z0-9_-], got '${seed.findingId}'`);
    if (!/^[a-zA-Z0-9-]{1,40}$/.test(seed.taskId)) throw new Error(`addFinding: taskId must be 1 to 40 of [a-zA-Z0-9-], got '${seed.taskId}'`);
    if (!isAuditCheckName(seed.checkName)) throw new Error(`addFinding: unknown audit check ${seed.checkName}`);
    const severity = seed.severity ?? 'MEDIUM';
    if (!AUDIT_FINDING_SEVERITIES.includes(severity)) throw new Error(`addFinding: severity must be one of ${AUDIT_FINDING_SEVERITIES.join(', ')}, got ${severity}`);
    if (seed.workflowStatus !== undefined && !WORKFLOW_STATUSES.includes(seed.workflowStatus)) {
      throw new Error(`addFinding: workflowStatus must be one of ${WORKFLOW_STATUSES.join(', ')}, got ${seed.workflowStatus}`);
    }
    const { account, region } = this.scope;
    const partition = partitionOf(region);
    const certificateId = Buffer.from(seed.findingId).toString('hex').padEnd(64, '0').slice(0, 64);
    const created = (seed.createdAt ?? new Date(this.now())).toISOString();
    const productArn = this.importedProduct('addFinding', seed.productArn ?? awsProductArn(region, 'iot-device-defender-audit'));
    const finding: AsffFinding = {
      ...this.common(productArn, seed.id ?? this.findingIdOf(seed.findingId), created),
      GeneratorId: seed.checkName,
      Severity: { Label: severity, Normalized: SEVERITY_NORMALIZED[severity], Original: severity },
      Title: `Device Defender audit: ${seed.checkName}`,
      Description: `AWS IoT Device Defender audit task ${seed.taskId} found a resource non-compliant with ${seed.checkName}.`,
      ProductFields: {
        'FindingId': seed.findingId,
        'TaskId': seed.taskId,
        'CheckName': seed.checkName,
        'IsSuppressed': String(seed.isSuppressed ?? false),
        'aws/securityhub/ProductName': 'IoT Device Defender - Audit',
        'aws/securityhub/CompanyName': 'AWS',
      },
      Resources: [{ Type: 'Other', Id: seed.resourceArn ?? `arn:${partition}:iot:${region}:${account}:cert/${certificateId}`, Partition: partition, Region: region }],
      Workflow: { Status: seed.workflowStatus ?? 'NEW' },
      RecordState: this.recordState('addFinding', seed.recordState),
    };
    if (seed.note) finding.Note = { Text: seed.note.text, UpdatedBy: seed.note.updatedBy, UpdatedAt: created };
    return this.store('addFinding', finding);
  }

  /** Seeds a Device Defender audit check summary; answers it. */
  addCheckSummary(seed: CheckSummaryAsffSeed): AsffFinding {
    this.requireHub('addCheckSummary');
    if (!isAuditCheckName(seed.checkName)) throw new Error(`addCheckSummary: unknown audit check ${seed.checkName}`);
    const { account, region } = this.scope;
    const created = new Date(this.now()).toISOString();
    return this.store('addCheckSummary', {
      ...this.common(this.importedProduct('addCheckSummary', awsProductArn(region, 'iot-device-defender-audit')),
        `${this.findingIdOf(`${seed.taskId}-${seed.checkName}`)}/summary`, created),
      GeneratorId: seed.checkName,
      Severity: { Label: 'INFORMATIONAL', Normalized: 0, Original: 'INFORMATIONAL' },
      Title: `Device Defender audit check summary: ${seed.checkName}`,
      Description: `Summary of ${seed.checkName} in audit task ${seed.taskId}.`,
      ProductFields: {
        'ReportType': 'CheckSummary',
        'TaskId': seed.taskId,
        'CheckName': seed.checkName,
        'NonCompliantResourcesCount': String(seed.nonCompliantResourcesCount ?? 0),
        'aws/securityhub/ProductName': 'IoT Device Defender - Audit',
        'aws/securityhub/CompanyName': 'AWS',
      },
      Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${account}`, Partition: partitionOf(region), Region: region }],
      Workflow: { Status: 'NEW' },
      RecordState: this.recordState('addCheckSummary', seed.recordState),
    });
  }

  /**
   * What the finding provider does when the next audit finds the resource compliant (ARCHIVED) or
   * non-compliant again (ACTIVE): sets the record state and UpdatedAt; ARCHIVED to ACTIVE resets
   * the workflow status to NEW.
   */
  setRecordState(id: string, state: RecordState): void {
    const stored = this.storedOrThrow('setRecordState', id);
    const f = stored.finding;
    this.recordState('setRecordState', state);
    if (f.RecordState === 'ARCHIVED' && state === 'ACTIVE') f.Workflow = { Status: 'NEW' };
    f.RecordState = state;
    f.UpdatedAt = new Date(this.now()).toISOString();
  }

  /** The findings `matches` selects that come after `afterSequence`, at most `limit`, and whether more follow. */
  page(matches: FindingPredicate, afterSequence: number, limit: number): { findings: AsffFinding[]; last?: number; more: boolean } {
    const selected = [...this.findings.values()].filter((s) => s.sequence > afterSequence && matches(s.finding));
    const page = selected.slice(0, limit);
    return { findings: page.map((s) => structuredClone(s.finding)), last: page[page.length - 1]?.sequence, more: selected.length > limit };
  }

  /**
   * BatchUpdateFindings over the findings here: each identifier is processed, or unprocessed as AWS
   * answers it (FindingNotFound, DuplicatedFindingIdentifier), or as `failing` makes it (an injected
   * fault: ConcurrentUpdateError or InternalFailure).
   */
  batchUpdate(update: BatchUpdate, principalArn: string | undefined,
    failing: (id: FindingIdentifier) => UnprocessedErrorCode | undefined): { processed: FindingIdentifier[]; unprocessed: Unprocessed[] } {
    const counts = new Map<string, number>();
    for (const id of update.identifiers) counts.set(key(id), (counts.get(key(id)) ?? 0) + 1);
    const processed: FindingIdentifier[] = [];
    const unprocessed: Unprocessed[] = [];
    const time = new Date(this.now()).toISOString();
    for (const id of update.identifiers) {
      const stored = this.findings.get(key(id));
      let code: UnprocessedErrorCode | undefined;
      if (counts.get(key(id))! > 1) code = 'DuplicatedFindingIdentifier';
      else if (!stored) code = 'FindingNotFound';
      else code = failing(id);
      if (code !== undefined || !stored) {
        const errorCode = code ?? 'FindingNotFound';
        const identifier = { Id: id.Id, ProductArn: id.ProductArn };
        unprocessed.push({ FindingIdentifier: identifier, ErrorCode: errorCode, ErrorMessage: UNPROCESSED_ERRORS[errorCode] });
        continue;
      }
      if (update.note) stored.finding.Note = { ...update.note, UpdatedAt: time };
      if (update.workflowStatus) stored.finding.Workflow = { Status: update.workflowStatus };
      stored.updates.push({ time, principalArn, note: update.note, workflowStatus: update.workflowStatus });
      processed.push({ Id: id.Id, ProductArn: id.ProductArn });
    }
    return { processed, unprocessed };
  }

  /** Every finding, in the order it was seeded. */
  all(): AsffFinding[] {
    return [...this.findings.values()].map((s) => structuredClone(s.finding));
  }

  /** The finding with this Id (of any product, or of `productArn`), or undefined. */
  find(id: string, productArn?: string): AsffFinding | undefined {
    const stored = this.lookup(id, productArn);
    return stored && structuredClone(stored.finding);
  }

  /** The BatchUpdateFindings changes made to a finding, oldest first. */
  updatesOf(id: string, productArn?: string): FindingUpdate[] {
    return structuredClone(this.lookup(id, productArn)?.updates ?? []);
  }

  private lookup(id: string, productArn?: string): StoredFinding | undefined {
    return [...this.findings.values()].find((s) => s.finding.Id === id && (productArn === undefined || s.finding.ProductArn === productArn));
  }

  private storedOrThrow(what: string, id: string): StoredFinding {
    const stored = this.lookup(id);
    if (!stored) throw new Error(`${what}: no finding ${id} in account ${this.scope.account}, ${this.scope.region}`);
    return stored;
  }

  private requireHub(what: string): void {
    if (!this.hub) throw new Error(`${what}: Security Hub is not enabled in account ${this.scope.account}, ${this.scope.region} (enableHub first)`);
  }

  /** `productArn`, when Security Hub here imports its findings (only then can a finding of it exist). */
  private importedProduct(what: string, productArn: string): string {
    if (!this.products.includes(productArn)) {
      throw new Error(`${what}: Security Hub in account ${this.scope.account}, ${this.scope.region} does not import findings of ${productArn} `
        + '(enableHub({ products }) first)');
    }
    return productArn;
  }

  private recordState(what: string, state: RecordState | undefined): RecordState {
    if (state !== undefined && !RECORD_STATES.includes(state)) throw new Error(`${what}: record state must be ACTIVE or ARCHIVED, got ${state}`);
    return state ?? 'ACTIVE';
  }

  private findingIdOf(name: string): string {
    const { account, region } = this.scope;
    return `arn:${partitionOf(region)}:securityhub:${region}:${account}:hub/default/iot-device-defender-audit/finding/${name}`;
  }

  /** The members every Device Defender finding of this scope has. */
  private common(productArn: string, id: string, created: string): Pick<AsffFinding,
  'SchemaVersion' | 'Id' | 'ProductArn' | 'ProductName' | 'CompanyName' | 'Region' | 'AwsAccountId' | 'Types' | 'FirstObservedAt' | 'LastObservedAt'
  | 'CreatedAt' | 'UpdatedAt'> {
    if (!nonBlank(id) || !nonBlank(productArn)) throw new Error('addFinding: id and productArn must not be blank');
    return {
      SchemaVersion: '2018-10-08',
      Id: id,
      ProductArn: productArn,
      ProductName: 'IoT Device Defender - Audit',
      CompanyName: 'AWS',
      Region: this.scope.region,
      AwsAccountId: this.scope.account,
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      FirstObservedAt: created,
      LastObservedAt: created,
      CreatedAt: created,
      UpdatedAt: created,
    };
  }

  private store(what: string, finding: AsffFinding): AsffFinding {
    const k = key(finding);
    if (this.findings.has(k)) throw new Error(`${what}: a finding ${finding.Id} of ${finding.ProductArn} already exists`);
    this.sequence += 1;
    this.findings.set(k, { sequence: this.sequence, finding, updates: [] });
    return structuredClone(finding);
  }
}

function key(id: FindingIdentifier): string {
  return `${id.ProductArn}\n${id.Id}`;
}
