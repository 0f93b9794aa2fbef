/**
 * The AWS Security Hub (CSPM) API as the Security Hub emulator serves it, as pure functions: the
 * routes, the error codes and their HTTP statuses, and the request rules of the five operations.
 *
 * Sources: the service model shipped in `@aws-sdk/client-securityhub` (restJson1 HTTP bindings,
 * shapes, modelled errors: InvalidInputException 400, InvalidAccessException 401,
 * ResourceConflictException 409, LimitExceededException 429, InternalException 500) and the API
 * reference, https://docs.aws.amazon.com/securityhub/1.0/APIReference/ (GetFindings: at most 10
 * filtered attributes with at most 20 values each, MaxResults 1 to 100, how EQUALS and NOT_EQUALS
 * filters on one field combine; BatchUpdateFindings: at most 100 FindingIdentifiers, the Workflow
 * statuses, the UnprocessedFindings error codes and messages; NoteUpdate: Text and UpdatedBy
 * non-blank, at most 512 characters).
 *
 * What the emulator does not model is refused (InvalidInputException, recorded as a violation)
 * rather than ignored: filters on other attributes, other comparisons, ProductFields filters
 * naming more than one key (the documentation does not say how filters on different keys of one
 * map combine), SortCriteria, and the BatchUpdateFindings members other than Note and Workflow.
 */
import { createHash } from 'node:crypto';
import type { Scope } from './identity';
import { isRecord } from './iot-model';

export const OPERATIONS = [
  { name: 'GetFindings', method: 'POST', path: '/findings' },
  { name: 'BatchUpdateFindings', method: 'PATCH', path: '/findings/batchupdate' },
  { name: 'EnableImportFindingsForProduct', method: 'POST', path: '/productSubscriptions' },
  { name: 'ListEnabledProductsForImport', method: 'GET', path: '/productSubscriptions' },
  { name: 'DescribeHub', method: 'GET', path: '/accounts' },
] as const;
export type SecurityHubOperation = typeof OPERATIONS[number]['name'];

/** The operation `method` and `path` name, or undefined. */
export function routeOf(method: string, path: string): SecurityHubOperation | undefined {
  return OPERATIONS.find((o) => o.method === method && o.path === path)?.name;
}

/** GetFindings: filtered attributes per request, and values per attribute. */
export const MAX_FILTER_ATTRIBUTES = 10;
export const MAX_FILTER_VALUES = 20;
/** GetFindings and ListEnabledProductsForImport: MaxResults 1 to 100 (100 when omitted). */
export const MAX_RESULTS = 100;
/** BatchUpdateFindings: FindingIdentifiers per request. */
export const MAX_FINDING_IDENTIFIERS = 100;
/** NoteUpdate Text and UpdatedBy. */
export const MAX_NOTE_LENGTH = 512;

export const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const;
export type WorkflowStatus = typeof WORKFLOW_STATUSES[number];
export const RECORD_STATES = ['ACTIVE', 'ARCHIVED'] as const;
export type RecordState = typeof RECORD_STATES[number];

/** The two products of AWS IoT Device Defender's Security Hub integration. */
export type DeviceDefenderProduct = 'iot-device-defender-audit' | 'iot-device-defender-detect';

/** The partition of a region's ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `arn:<partition>:securityhub:<region>::product/aws/<product>`: the ARN AWS gives its own products. */
export function awsProductArn(region: string, product: DeviceDefenderProduct): string {
  return `arn:${partitionOf(region)}:securityhub:${region}::product/aws/${product}`;
}

/** The company and product names of a product ARN of `region`, or undefined when it is not one. */
export function parseProductArn(arn: string, region: string): { company: string; product: string } | undefined {
  const m = /^arn:aws[a-z-]*:securityhub:([a-z0-9-]+):(\d{12})?:product\/([\w.-]+)\/([\w.-]+)$/.exec(arn);
  return m && m[1] === region ? { company: m[3], product: m[4] } : undefined;
}

export function hubArn(scope: Scope): string {
  return `arn:${partitionOf(scope.region)}:securityhub:${scope.region}:${scope.account}:hub/default`;
}

export class SecurityHubError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly violation = false) {
    super(message);
  }
}

/** A request AWS refuses (or that uses what the emulator does not model): 400, recorded as a violation. */
export const invalidInput = (message: string): SecurityHubError => new SecurityHubError(400, 'InvalidInputException', message, true);

export function notSubscribed(account: string): SecurityHubError {
  return new SecurityHubError(401, 'InvalidAccessException', `Account ${account} is not subscribed to AWS Security Hub`);
}

/** The members each operation's body or query may carry (the SDK's shapes). */
export const MEMBERS: Readonly<Record<SecurityHubOperation, readonly string[]>> = {
  GetFindings: ['Filters', 'SortCriteria', 'NextToken', 'MaxResults'],
  BatchUpdateFindings: [
    'FindingIdentifiers', 'Note', 'Severity', 'VerificationState', 'Confidence', 'Criticality', 'Types', 'UserDefinedFields', 'Workflow', 'RelatedFindings',
  ],
  EnableImportFindingsForProduct: ['ProductArn'],
  ListEnabledProductsForImport: ['NextToken', 'MaxResults'],
  DescribeHub: ['HubArn'],
};
/** Members the emulator does not model: refused, not ignored. */
const NOT_EMULATED = ['SortCriteria', 'Severity', 'VerificationState', 'Confidence', 'Criticality', 'Types', 'UserDefinedFields', 'RelatedFindings'];

/** Throws for a member the operation does not have, or one the emulator does not model. */
export function checkMembers(operation: SecurityHubOperation, input: Record<string, unknown>): void {
  for (const key of Object.keys(input)) {
    if (!MEMBERS[operation].includes(key)) throw invalidInput(`${operation}: unknown member '${key}'`);
    if (NOT_EMULATED.includes(key)) throw invalidInput(`${operation}: ${key} is not emulated`);
  }
}

/** ASFF string fields are non-blank (`.*\S.*`). */
export function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && /\S/.test(value);
}

/** MaxResults, a JSON number or a query string: 1 to 100, 100 when omitted. */
export function maxResults(value: unknown): number {
  if (value === undefined) return MAX_RESULTS;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RESULTS) {
    throw invalidInput(`MaxResults must be an integer from 1 to ${MAX_RESULTS}, got ${JSON.stringify(value)}`);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// GetFindings filters
// ---------------------------------------------------------------------------------------------

/** What a GetFindings filter reads of a finding. */
export interface FilterableFinding {
  readonly Id: string;
  readonly ProductArn: string;
  readonly Workflow: { readonly Status: string };
  readonly RecordState: string;
  readonly ProductFields: Readonly<Record<string, string>>;
}

const STRING_FIELDS: Readonly<Record<string, (f: FilterableFinding) => string>> = {
  ProductArn: (f) => f.ProductArn,
  Id: (f) => f.Id,
  WorkflowStatus: (f) => f.Workflow.Status,
  RecordState: (f) => f.RecordState,
};
const MAP_FIELDS: Readonly<Record<string, (f: FilterableFinding) => Readonly<Record<string, string>>>> = {
  ProductFields: (f) => f.ProductFields,
};
const EMULATED_FIELDS = [...Object.keys(STRING_FIELDS), ...Object.keys(MAP_FIELDS)].join(', ');

export type FindingPredicate = (finding: FilterableFinding) => boolean;

/**
 * The predicate of GetFindings' `Filters`: attributes are joined by AND; on one attribute, EQUALS
 * filters are joined by OR and NOT_EQUALS filters by AND, and the two may not be combined.
 */
export function findingFilter(filters: unknown): FindingPredicate {
  if (filters === undefined) return () => true;
  if (!isRecord(filters)) throw invalidInput('Filters must be an object');
  const used = Object.entries(filters).filter(([, list]) => !(Array.isArray(list) && list.length === 0));
  if (used.length > MAX_FILTER_ATTRIBUTES) {
    throw invalidInput(`Filters: at most ${MAX_FILTER_ATTRIBUTES} finding attributes may be filtered, got ${used.length}`);
  }
  const tests = used.map(([field, list]): FindingPredicate => {
    if (!Array.isArray(list)) throw invalidInput(`Filters.${field} must be a list`);
    if (list.length > MAX_FILTER_VALUES) throw invalidInput(`Filters.${field}: at most ${MAX_FILTER_VALUES} filter values per attribute, got ${list.length}`);
    if (field in STRING_FIELDS) {
      const read = STRING_FIELDS[field];
      const clauses = list.map((c, i) => clause(`Filters.${field}[${i}]`, c, false));
      return combine(field, clauses, (f, value) => read(f) === value);
    }
    if (field in MAP_FIELDS) {
      const read = MAP_FIELDS[field];
      const clauses = list.map((c, i) => clause(`Filters.${field}[${i}]`, c, true));
      const keys = new Set(clauses.map((c) => c.key));
      if (keys.size > 1) {
        throw invalidInput(`Filters.${field}: filters on more than one key (${[...keys].join(', ')}) are not emulated (how AWS joins them is not documented)`);
      }
      return combine(field, clauses, (f, value, key) => read(f)[key!] === value);
    }
    throw invalidInput(`Filters.${field} is not emulated (emulated: ${EMULATED_FIELDS})`);
  });
  return (finding) => tests.every((t) => t(finding));
}

interface Clause {
  readonly value: string;
  readonly negated: boolean;
  readonly key?: string;
}

function clause(where: string, raw: unknown, map: boolean): Clause {
  if (!isRecord(raw)) throw invalidInput(`${where} must be an object`);
  if (typeof raw.Value !== 'string') throw invalidInput(`${where}.Value is required`);
  if (map && typeof raw.Key !== 'string') throw invalidInput(`${where}.Key is required`);
  if (raw.Comparison !== 'EQUALS' && raw.Comparison !== 'NOT_EQUALS') {
    throw invalidInput(`${where}.Comparison ${JSON.stringify(raw.Comparison)} is not emulated (emulated: EQUALS, NOT_EQUALS)`);
  }
  return { value: raw.Value, negated: raw.Comparison === 'NOT_EQUALS', key: map ? raw.Key as string : undefined };
}

function combine(field: string, clauses: Clause[], matches: (f: FilterableFinding, value: string, key?: string) => boolean): FindingPredicate {
  const positive = clauses.filter((c) => !c.negated);
  const negative = clauses.filter((c) => c.negated);
  if (positive.length > 0 && negative.length > 0) {
    throw invalidInput(`Filters.${field}: an EQUALS filter and a NOT_EQUALS filter on the same field cannot be combined`);
  }
  return positive.length > 0
    ? (f) => positive.some((c) => matches(f, c.value, c.key))
    : (f) => negative.every((c) => !matches(f, c.value, c.key));
}

/** The NextToken of GetFindings: where the next page starts, bound to the filters it was issued for. */
export function findingsToken(afterSequence: number, filters: unknown): string {
  return Buffer.from(JSON.stringify({ after: afterSequence, filters: filtersDigest(filters) })).toString('base64');
}

/** The sequence number a NextToken continues after; throws for a token of other filters or none the emulator issued. */
export function parseFindingsToken(token: unknown, filters: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed) || typeof parsed.after !== 'number') throw invalidInput(`NextToken ${JSON.stringify(token)} is not valid`);
  if (parsed.filters !== filtersDigest(filters)) throw invalidInput('NextToken was issued for other Filters');
  return parsed.after;
}

function filtersDigest(filters: unknown): string {
  return createHash('sha256').update(JSON.stringify(filters ?? {})).digest('hex').slice(0, 16);
}

/** An offset NextToken (ListEnabledProductsForImport). */
export function offsetToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

export function parseOffsetToken(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(String(token), 'base64').toString('utf8'));
  if (!m) throw invalidInput(`NextToken ${JSON.stringify(token)} is not valid`);
  return Number(m[1]);
}

// ---------------------------------------------------------------------------------------------
// BatchUpdateFindings
// ---------------------------------------------------------------------------------------------

export interface FindingIdentifier {
  readonly Id: string;
  readonly ProductArn: string;
}

export interface BatchUpdate {
  readonly identifiers: FindingIdentifier[];
  readonly note?: { readonly Text: string; readonly UpdatedBy: string };
  readonly workflowStatus?: WorkflowStatus;
}

/** The identifiers and the updates of a BatchUpdateFindings request; throws for one AWS refuses. */
export function parseBatchUpdate(body: Record<string, unknown>): BatchUpdate {
  const ids = body.FindingIdentifiers;
  if (!Array.isArray(ids) || ids.length === 0) throw invalidInput('FindingIdentifiers is required and must not be empty');
  if (ids.length > MAX_FINDING_IDENTIFIERS) {
    throw invalidInput(`FindingIdentifiers: at most ${MAX_FINDING_IDENTIFIERS} findings may be updated at a time, got ${ids.length}`);
  }
  const identifiers = ids.map((raw, i) => {
    if (!isRecord(raw) || !nonBlank(raw.Id) || !nonBlank(raw.ProductArn)) {
      throw invalidInput(`FindingIdentifiers[${i}]: Id and ProductArn are required, non-blank strings`);
    }
    return { Id: raw.Id, ProductArn: raw.ProductArn };
  });
  let note: BatchUpdate['note'];
  if (body.Note !== undefined) {
    const n = body.Note;
    if (!isRecord(n)) throw invalidInput('Note must be an object');
    for (const member of ['Text', 'UpdatedBy']) {
      const value = n[member];
      if (!nonBlank(value)) throw invalidInput(`Note.${member} is required and must not be blank`);
      if (value.length > MAX_NOTE_LENGTH) throw invalidInput(`Note.${member} is ${value.length} characters; at most ${MAX_NOTE_LENGTH}`);
    }
    note = { Text: n.Text as string, UpdatedBy: n.UpdatedBy as string };
  }
  let workflowStatus: WorkflowStatus | undefined;
  if (body.Workflow !== undefined) {
    const status = isRecord(body.Workflow) ? body.Workflow.Status : undefined;
    if (!(WORKFLOW_STATUSES as readonly unknown[]).includes(status)) {
      throw invalidInput(`Workflow.Status must be one of ${WORKFLOW_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    }
    workflowStatus = status as WorkflowStatus;
  }
  if (!note && !workflowStatus) throw invalidInput('BatchUpdateFindings: nothing to update (the emulator models Note and Workflow)');
  return { identifiers, note, workflowStatus };
}

/** The UnprocessedFindings error codes AWS documents, with the message each comes with. */
export const UNPROCESSED_ERRORS = {
  ConcurrentUpdateError: 'Concurrent finding updates detected',
  DuplicatedFindingIdentifier: 'Finding Identifier is duplicated',
  FindingNotFound: 'Finding Not Found',
  InternalFailure: 'Internal service failure',
} as const;
export type UnprocessedErrorCode = keyof typeof UNPROCESSED_ERRORS;
