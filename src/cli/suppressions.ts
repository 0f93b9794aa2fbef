import { randomUUID } from 'crypto';
import {
  CreateAuditSuppressionCommand, DeleteAuditSuppressionCommand, DescribeAuditFindingCommand, DescribeAuditSuppressionCommand, IoTClient,
  paginateListAuditSuppressions, ResourceIdentifier,
} from '@aws-sdk/client-iot';
import { UsageError } from './output';
import { AUDIT_SUPPRESSION_RULES, parseSuppressionDescription, stringRuleProblem } from '../contract/suppression';
import { errorName } from '../handlers/shared/errors';

/** One audit finding suppression, as `suppressions` lists it. */
export interface SuppressionRow {
  readonly checkName: string;
  /** The resource, e.g. `deviceCertificateId <id>` or `policy fleet v2`. */
  readonly resource: string;
  readonly resourceIdentifier: ResourceIdentifier;
  /** ISO 8601, or `indefinitely`. */
  readonly expiry: string;
  /** What its author wrote: the description without the ownership marker of an AuditSuppression. */
  readonly description?: string;
  /** The AuditSuppression that manages it (from the marker at the end of its description); absent for one made by hand. */
  readonly managedBy?: { readonly stackId: string; readonly logicalResourceId: string; readonly pending: boolean };
}

/** A suppression's description as the row shows it: the author's text, and the managing AuditSuppression. */
function describedAs(description: string | undefined): Pick<SuppressionRow, 'description' | 'managedBy'> {
  const { text, owner } = parseSuppressionDescription(description);
  return { description: text || undefined, ...(owner ? { managedBy: owner } : {}) };
}

/**
 * The description column of `suppressions`: the author's text, then the stack and logical id of the
 * AuditSuppression that manages it, e.g. `lab rigs [stack Prod: LabCertificate]`.
 */
export function descriptionColumn(row: SuppressionRow): string {
  if (!row.managedBy) { return row.description ?? ''; }
  const stackName = /:stack\/([^/]+)\//.exec(row.managedBy.stackId)?.[1] ?? row.managedBy.stackId;
  const owner = `[stack ${stackName}: ${row.managedBy.logicalResourceId}${row.managedBy.pending ? ', pending' : ''}]`;
  return row.description ? `${row.description} ${owner}` : owner;
}

/** A resource identifier in a few words: its member and value. */
export function describeIdentifier(id: ResourceIdentifier): string {
  if (id.policyVersionIdentifier) { return `policy ${id.policyVersionIdentifier.policyName} v${id.policyVersionIdentifier.policyVersionId}`; }
  if (id.issuerCertificateIdentifier) {
    const ici = id.issuerCertificateIdentifier;
    return `issuer ${ici.issuerCertificateSubject ?? '?'} (id ${ici.issuerId ?? '?'}, serial ${ici.issuerCertificateSerialNumber ?? '?'})`;
  }
  const [member, value] = Object.entries(id).find(([, v]) => typeof v === 'string') ?? ['?', '?'];
  return `${member} ${String(value)}`;
}

function expiryOf(s: { suppressIndefinitely?: boolean; expirationDate?: Date }): string {
  return s.suppressIndefinitely ? 'indefinitely' : s.expirationDate?.toISOString() ?? '-';
}

/** Every audit finding suppression of the account, soonest expiry first (as AWS IoT lists them). */
export async function listSuppressions(iot: IoTClient): Promise<SuppressionRow[]> {
  const rows: SuppressionRow[] = [];
  for await (const page of paginateListAuditSuppressions({ client: iot, pageSize: 250 }, {})) {
    for (const s of page.suppressions ?? []) {
      rows.push({
        checkName: s.checkName!,
        resource: describeIdentifier(s.resourceIdentifier ?? {}),
        resourceIdentifier: s.resourceIdentifier ?? {},
        expiry: expiryOf(s),
        ...describedAs(s.description),
      });
    }
  }
  return rows;
}

/** What a suppression is for: an audit finding's check and resource. */
export interface SuppressionKey {
  readonly findingId: string;
  readonly checkName: string;
  readonly resourceIdentifier: ResourceIdentifier;
  readonly resource: string;
}

/** The check and resource of a finding (DescribeAuditFinding): what `suppress` and `unsuppress` act on. */
export async function suppressionKeyOf(iot: IoTClient, findingId: string): Promise<SuppressionKey> {
  const { finding } = await iot.send(new DescribeAuditFindingCommand({ findingId }));
  const resourceIdentifier = finding?.nonCompliantResource?.resourceIdentifier;
  if (!finding?.checkName || !resourceIdentifier || Object.keys(resourceIdentifier).length === 0) {
    throw new Error(`finding ${findingId} names no check and resource, so there is nothing a suppression could name`);
  }
  return { findingId, checkName: finding.checkName, resourceIdentifier, resource: describeIdentifier(resourceIdentifier) };
}

/** How long `suppress` suppresses, and why: from --until/--indefinitely and --reason. */
export interface SuppressOptions {
  readonly until?: Date;
  readonly indefinitely: boolean;
  readonly reason: string;
}

/** Parses and checks `suppress`'s options: exactly one of --until (a future date) and --indefinitely, and a --reason. */
export function suppressOptions(values: { until?: string; indefinitely?: boolean; reason?: string }, now = new Date()): SuppressOptions {
  const indefinitely = values.indefinitely ?? false;
  if (indefinitely === (values.until !== undefined)) { throw new UsageError('suppress needs exactly one of --until DATE and --indefinitely'); }
  let until: Date | undefined;
  if (values.until !== undefined) {
    until = new Date(values.until);
    if (Number.isNaN(until.getTime())) { throw new UsageError(`--until ${JSON.stringify(values.until)}: not a date (use e.g. 2027-01-01 or 2027-01-01T12:00:00Z)`); }
    if (until.getTime() <= now.getTime()) { throw new UsageError(`--until ${values.until}: must be in the future`); }
  }
  if (values.reason === undefined || values.reason.trim() === '') { throw new UsageError('suppress needs --reason TEXT: why the risk is accepted'); }
  const problem = stringRuleProblem(values.reason, AUDIT_SUPPRESSION_RULES.description);
  if (problem) { throw new UsageError(`--reason: ${problem}`); }
  return { until, indefinitely, reason: values.reason };
}

/** What `suppress` would write, in words. */
export function describeSuppress(key: SuppressionKey, options: SuppressOptions): string {
  const expiry = options.indefinitely ? 'indefinitely' : `until ${options.until!.toISOString()}`;
  return `would suppress ${key.checkName} findings for ${key.resource} ${expiry} (finding ${key.findingId}): ${JSON.stringify(options.reason)}`;
}

/** Creates the suppression. A suppression that exists already is an error (ResourceAlreadyExistsException). */
export async function suppress(iot: IoTClient, key: SuppressionKey, options: SuppressOptions): Promise<void> {
  await iot.send(new CreateAuditSuppressionCommand({
    checkName: key.checkName,
    resourceIdentifier: key.resourceIdentifier,
    expirationDate: options.until,
    suppressIndefinitely: options.indefinitely,
    description: options.reason,
    clientRequestToken: randomUUID(),
  }));
}

/** The suppression of a finding's check and resource, or undefined when there is none. */
export async function findSuppression(iot: IoTClient, key: SuppressionKey): Promise<SuppressionRow | undefined> {
  try {
    const s = await iot.send(new DescribeAuditSuppressionCommand({ checkName: key.checkName, resourceIdentifier: key.resourceIdentifier }));
    const { checkName, resource, resourceIdentifier } = key;
    return { checkName, resource, resourceIdentifier, expiry: expiryOf(s), ...describedAs(s.description) };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') { return undefined; }
    throw error;
  }
}

/** Deletes the suppression of a finding's check and resource. */
export async function unsuppress(iot: IoTClient, key: SuppressionKey): Promise<void> {
  await iot.send(new DeleteAuditSuppressionCommand({ checkName: key.checkName, resourceIdentifier: key.resourceIdentifier }));
}
