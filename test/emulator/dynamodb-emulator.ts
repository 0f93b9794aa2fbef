/**
 * In-process HTTP emulator of the Amazon DynamoDB item operations the handlers use: GetItem,
 * BatchGetItem, PutItem, UpdateItem, DeleteItem and Scan on tables with a string partition key. Tests
 * point the real `@aws-sdk/client-dynamodb` client at `emulator.endpoint` (the
 * `AWS_ENDPOINT_URL_DYNAMODB` environment variable a handler's client picks up).
 *
 * Wire format (the awsJson1_0 protocol of @aws-sdk/client-dynamodb 3.x):
 *  - request: `POST /`, `content-type: application/x-amz-json-1.0`, `x-amz-target:
 *    DynamoDB_20120810.<Operation>`, SigV4-signed for service `dynamodb`, JSON body with the
 *    operation's members (`TableName`, `Key`/`Item` as AttributeValue maps, expressions, ...).
 *  - success: 200, `application/x-amz-json-1.0`, the output members.
 *  - error: `{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message": ".."}`, 400 for
 *    client errors (ConditionalCheckFailedException, ValidationException,
 *    ResourceNotFoundException, ProvisionedThroughputExceededException, which the SDK retries as
 *    throttling), 500 for InternalServerError (retried as a transient error).
 *
 * Expressions: only what the handlers use is understood, and anything else is refused with a
 * ValidationException naming it (so a handler that starts using more fails its tests loudly
 * rather than passing against a lenient emulator):
 *  - ConditionExpression: `attribute_exists(p)`, `attribute_not_exists(p)`, comparisons
 *    `p <op> operand` with `=`, `<>`, `<`, `<=`, `>`, `>=`, `AND`, `OR`, `NOT` and parentheses.
 *  - UpdateExpression: `SET p = operand, ...` (no arithmetic, no functions, no REMOVE/ADD/DELETE).
 *  - ProjectionExpression: a comma-separated list of top-level attribute names.
 *  Scan pages with `Limit` and `ExclusiveStartKey` / `LastEvaluatedKey`, in key order (DynamoDB's
 *  1 MB page limit is not emulated); FilterExpression, parallel scans (Segment, TotalSegments),
 *  indexes and `Select` are refused.
 *  Paths are top-level names or `#placeholders`; operands are paths or `:values`. As DynamoDB does,
 *  a placeholder left unused (or used but not defined) is a ValidationException.
 *
 * Tables live per account and region (`identity.ts`): a request reaches the tables of its
 * caller's account in the region it is signed for; `createTable` and the read-back methods act on
 * the default account and region, `at({ account, region })` on another.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { BaseFaultSpec, EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { AUTH_ERRORS, AUTH_MESSAGES, Scope, ScopedStates } from './identity';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** A DynamoDB AttributeValue, as the JSON protocol carries it (only the scalar types are compared). */
export type AttributeValue = { S: string } | { N: string } | { BOOL: boolean } | { NULL: true } | Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

export type DynamoDbFaultKind = 'throttled' | 'internalError' | 'unprocessedKeys';

export interface DynamoDbFaultSpec extends BaseFaultSpec {
  /**
   * - throttled: 400 ProvisionedThroughputExceededException; the SDK retries it (throttling).
   * - internalError: 500 InternalServerError; the SDK retries it (transient), then raises it.
   * - unprocessedKeys: BatchGetItem answers 200 with every requested key in `UnprocessedKeys`.
   */
  kind: DynamoDbFaultKind;
  operation?: 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Scan';
}

export interface RecordedDynamoDbRequest extends RequestScope {
  /** The operation of `x-amz-target` ('' when absent). */
  operation: string;
  body: Record<string, unknown>;
  status: number;
  errorCode?: string;
  violations: string[];
  time: number;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

class DynamoDbError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) {
    super(message);
  }
}

const validation = (message: string) => new DynamoDbError(400, 'ValidationException', message);

const FAULTS: Readonly<Record<Exclude<DynamoDbFaultKind, 'unprocessedKeys'>, () => DynamoDbError>> = {
  throttled: () => new DynamoDbError(400, 'ProvisionedThroughputExceededException',
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.'),
  internalError: () => new DynamoDbError(500, 'InternalServerError', 'Internal server error (injected)'),
};
const FAULT_KINDS: ReadonlySet<string> = new Set(['throttled', 'internalError', 'unprocessedKeys']);

const TARGET_PREFIX = 'DynamoDB_20120810.';
const OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Scan']);
/** Scan's members the emulator does not model: refused rather than ignored. */
const SCAN_NOT_EMULATED = ['FilterExpression', 'ScanFilter', 'ConditionalOperator', 'Segment', 'TotalSegments', 'IndexName', 'Select', 'AttributesToGet'];
/** BatchGetItem takes at most 100 keys (all tables together). */
const MAX_BATCH_KEYS = 100;

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

type Token = { kind: 'name' | 'value' | 'ident' | 'op' | 'punct'; text: string };

function tokenize(expression: string, what: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(<>|<=|>=|=|<|>)|([(),]))/y;
  const rest = expression.trim();
  let offset = 0;
  while (offset < rest.length) {
    re.lastIndex = offset;
    const m = re.exec(rest);
    if (!m) throw validation(`Invalid ${what}: the emulator does not understand '${rest.slice(offset)}' in: ${expression}`);
    offset = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'value', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'ident', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'op', text: m[4] });
    else tokens.push({ kind: 'punct', text: m[5] });
  }
  return tokens;
}

/** Resolves placeholders and remembers which were used. */
class Placeholders {
  public readonly usedNames = new Set<string>();
  public readonly usedValues = new Set<string>();
  constructor(private readonly names: Record<string, string>, private readonly values: Record<string, AttributeValue>) {}

  name(token: Token): string {
    if (token.kind === 'name') {
      if (!(token.text in this.names)) throw validation(`Value provided in ExpressionAttributeNames unused in expressions or undefined: An expression attribute name used in the document path is not defined; attribute name: ${token.text}`);
      this.usedNames.add(token.text);
      return this.names[token.text];
    }
    if (RESERVED.has(token.text.toUpperCase())) throw validation(`Invalid expression: Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    return token.text;
  }

  value(token: Token): AttributeValue {
    if (!(token.text in this.values)) throw validation(`Invalid expression: An expression attribute value used in expression is not defined; attribute value: ${token.text}`);
    this.usedValues.add(token.text);
    return this.values[token.text];
  }

  /** DynamoDB refuses placeholders that no expression of the request used. */
  checkAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((n) => !this.usedNames.has(n));
    if (unusedNames.length > 0) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    const unusedValues = Object.keys(this.values).filter((v) => !this.usedValues.has(v));
    if (unusedValues.length > 0) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  }
}

/** The handful of reserved words a plain (unquoted) attribute name could collide with here; the real list is longer. */
const RESERVED = new Set(['AND', 'OR', 'NOT', 'STATE', 'NAME', 'STATUS', 'TIME', 'KEY', 'VALUE', 'DATA', 'COUNT', 'SET', 'REMOVE']);

type Operand = { kind: 'path'; name: string } | { kind: 'value'; value: AttributeValue };
type Condition =
  | { kind: 'exists'; name: string; negated: boolean }
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition };

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[], private readonly p: Placeholders, private readonly source: string, private readonly what: string) {}

  parseCondition(): Condition {
    const c = this.or();
    this.expectEnd();
    return c;
  }

  parseSet(): Array<{ name: string; value: Operand }> {
    const first = this.next();
    if (first?.kind !== 'ident' || first.text.toUpperCase() !== 'SET') this.fail('only SET clauses are emulated');
    const assignments: Array<{ name: string; value: Operand }> = [];
    do {
      const name = this.path();
      this.expect('op', '=');
      assignments.push({ name, value: this.operand() });
    } while (this.accept('punct', ','));
    this.expectEnd();
    return assignments;
  }

  parseProjection(): string[] {
    const names: string[] = [];
    do { names.push(this.path()); } while (this.accept('punct', ','));
    this.expectEnd();
    return names;
  }

  private or(): Condition {
    let left = this.and();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.not() };
    return left;
  }

  private not(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', inner: this.not() };
    return this.primary();
  }

  private primary(): Condition {
    if (this.accept('punct', '(')) {
      const inner = this.or();
      this.expect('punct', ')');
      return inner;
    }
    const t = this.peek();
    if (t?.kind === 'ident' && (t.text === 'attribute_exists' || t.text === 'attribute_not_exists')) {
      this.index++;
      this.expect('punct', '(');
      const name = this.path();
      this.expect('punct', ')');
      return { kind: 'exists', name, negated: t.text === 'attribute_not_exists' };
    }
    if (t?.kind === 'ident' && this.tokens[this.index + 1]?.text === '(') this.fail(`function ${t.text} is not emulated`);
    const left = this.operand();
    const op = this.next();
    if (op?.kind !== 'op') this.fail(`expected a comparator after an operand, got '${op?.text ?? 'the end'}'`);
    return { kind: 'compare', op: op.text, left, right: this.operand() };
  }

  private operand(): Operand {
    const t = this.peek();
    if (t?.kind === 'value') {
      this.index++;
      return { kind: 'value', value: this.p.value(t) };
    }
    return { kind: 'path', name: this.path() };
  }

  private path(): string {
    const t = this.next();
    if (t?.kind !== 'name' && t?.kind !== 'ident') this.fail(`expected an attribute name, got '${t?.text ?? 'the end'}'`);
    if (this.peek()?.text === '(') this.fail(`function ${t.text} is not emulated`);
    return this.p.name(t);
  }

  private peek(): Token | undefined { return this.tokens[this.index]; }
  private next(): Token | undefined { return this.tokens[this.index++]; }
  private accept(kind: Token['kind'], text: string): boolean {
    const t = this.peek();
    if (t?.kind === kind && t.text === text) { this.index++; return true; }
    return false;
  }
  private acceptKeyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'ident' && t.text.toUpperCase() === word) { this.index++; return true; }
    return false;
  }
  private expect(kind: Token['kind'], text: string): void {
    if (!this.accept(kind, text)) this.fail(`expected '${text}', got '${this.peek()?.text ?? 'the end'}'`);
  }
  private expectEnd(): void {
    if (this.index < this.tokens.length) this.fail(`unexpected '${this.tokens[this.index].text}'`);
  }
  private fail(why: string): never {
    throw validation(`Invalid ${this.what}: ${why} (the emulator understands only the subset its header lists): ${this.source}`);
  }
}

function scalar(v: AttributeValue | undefined): { type: string; value: string | number | boolean } | undefined {
  if (!v) return undefined;
  if ('S' in v && typeof v.S === 'string') return { type: 'S', value: v.S };
  if ('N' in v && typeof v.N === 'string') return { type: 'N', value: Number(v.N) };
  if ('BOOL' in v && typeof v.BOOL === 'boolean') return { type: 'BOOL', value: v.BOOL };
  return { type: 'other', value: JSON.stringify(v) };
}

function evaluate(c: Condition, item: Item | undefined): boolean {
  switch (c.kind) {
    case 'exists': return (item !== undefined && c.name in item) !== c.negated;
    case 'not': return !evaluate(c.inner, item);
    case 'and': return evaluate(c.left, item) && evaluate(c.right, item);
    case 'or': return evaluate(c.left, item) || evaluate(c.right, item);
    case 'compare': {
      const get = (o: Operand) => scalar(o.kind === 'value' ? o.value : item?.[o.name]);
      const l = get(c.left);
      const r = get(c.right);
      // A missing attribute, or operands of different types, make every comparison false.
      if (!l || !r || l.type !== r.type) return false;
      if ((c.op !== '=' && c.op !== '<>') && (l.type === 'BOOL' || l.type === 'other')) {
        throw validation(`Invalid ConditionExpression: Incorrect operand type for operator or function; operator: ${c.op}, operand type: ${l.type}`);
      }
      switch (c.op) {
        case '=': return l.value === r.value;
        case '<>': return l.value !== r.value;
        case '<': return l.value < r.value;
        case '<=': return l.value <= r.value;
        case '>': return l.value > r.value;
        default: return l.value >= r.value;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

interface Table {
  readonly partitionKey: string;
  readonly items: Map<string, Item>;
}

export class DynamoDbEmulator extends HttpEmulator<DynamoDbFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<DynamoDbEmulator> {
    return new DynamoDbEmulator(options.seed ?? 42, options).listen();
  }

  /** Every request, in order, including rejected and faulted ones. */
  public readonly requests: RecordedDynamoDbRequest[] = [];

  private readonly tablesByScope = new ScopedStates<Map<string, Table>>(() => new Map());
  private requestCount = 0;

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  /** The same seeding and read-back methods, acting on another account and region. */
  at(scope: Partial<Scope>): Pick<DynamoDbEmulator, 'createTable' | 'items' | 'item' | 'putItem' | 'requestsFor'> {
    return this.view(scope);
  }

  /** The tables of this object's scope. */
  private get tables(): Map<string, Table> {
    return this.tablesByScope.get(this.scope);
  }

  /** Defines a table whose partition key is the string attribute `partitionKey` (no sort key). */
  createTable(tableName: string, partitionKey: string): void {
    this.tables.set(tableName, { partitionKey, items: new Map() });
  }

  /** A copy of the table's items, in key order. */
  items(tableName: string): Item[] {
    const table = this.tableOrThrow(tableName);
    return [...table.items.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, item]) => structuredClone(item));
  }

  /** A copy of one item, or undefined. */
  item(tableName: string, key: string): Item | undefined {
    const item = this.tableOrThrow(tableName).items.get(key);
    return item && structuredClone(item);
  }

  /** Writes an item directly (test setup, e.g. a claim left by a crashed run). */
  putItem(tableName: string, item: Item): void {
    const table = this.tableOrThrow(tableName);
    const key = item[table.partitionKey];
    if (!key || !('S' in key)) throw new Error(`putItem: the item has no string ${table.partitionKey}`);
    table.items.set(key.S as string, structuredClone(item));
  }

  /** Requests of one operation made in this object's scope (the default one, or the one `at()` named). */
  requestsFor(operation: string): RecordedDynamoDbRequest[] {
    return this.requests.filter((r) => r.operation === operation && this.inScope(r));
  }

  /** All constraint violations of all recorded requests, as '<Operation>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.operation || '(no target)'}: ${v}`));
  }

  /** Drops every table (of every scope), recorded request and fault; re-seeds the PRNG. */
  reset(): void {
    this.tablesByScope.clear();
    this.requests.length = 0;
    this.requestCount = 0;
    this.resetFaults();
  }

  // -------------------------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------------------------

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const record: RecordedDynamoDbRequest = { operation, body: {}, status: 0, violations: [], time, ...scope };
    this.requests.push(record);
    try {
      if (attribution.kind === 'refused') {
        const e = AUTH_ERRORS.awsJson[attribution.refusal];
        throw new DynamoDbError(e.status, e.code, AUTH_MESSAGES[attribution.refusal]);
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/') {
        throw this.violation(record, `expected POST /, got ${req.method} ${req.url}`, validation('Only POST / is accepted'));
      }
      if (contentType !== 'application/x-amz-json-1.0') {
        throw this.violation(record, `content-type must be application/x-amz-json-1.0, got '${contentType}'`, new DynamoDbError(400, 'SerializationException', 'Invalid content-type'));
      }
      if (!/AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/dynamodb\/aws4_request/.test(String(req.headers.authorization ?? ''))) {
        throw this.violation(record, 'request is not SigV4-signed for service dynamodb', new DynamoDbError(400, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token'));
      }
      if (!OPERATIONS.has(operation)) {
        throw this.violation(record, `x-amz-target '${target}' is not an emulated operation`, new DynamoDbError(400, 'UnknownOperationException', `Unknown operation: ${target}`));
      }
      try {
        record.body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw this.violation(record, 'body is not JSON', new DynamoDbError(400, 'SerializationException', 'Start of structure or map found where not expected.'));
      }
      const fault = this.takeFault(operation, scope);
      if (fault && fault.kind !== 'unprocessedKeys') throw FAULTS[fault.kind]();
      // The request's own scope: the tables of its caller's account in its region.
      const output = this.view(scope).handle(operation, record.body, fault?.kind === 'unprocessedKeys');
      record.status = 200;
      this.send(res, 200, output);
    } catch (err) {
      if (!(err instanceof DynamoDbError)) throw err;
      if (err.code === 'ValidationException' && record.violations.length === 0) record.violations.push(err.message);
      record.status = err.status;
      record.errorCode = err.code;
      this.sendError(res, err);
    }
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    this.sendError(res, new DynamoDbError(500, 'InternalServerError', `DynamoDB emulator bug: ${String(err)}`));
  }

  protected isFaultKind(kind: string): boolean {
    return FAULT_KINDS.has(kind);
  }

  private violation(record: RecordedDynamoDbRequest, violation: string, error: DynamoDbError): DynamoDbError {
    record.violations.push(violation);
    return error;
  }

  private handle(operation: string, body: Record<string, unknown>, unprocessed: boolean): Record<string, unknown> {
    switch (operation) {
      case 'GetItem': {
        const table = this.table(body.TableName);
        const p = this.placeholders(body);
        const projection = this.projection(body.ProjectionExpression, p);
        p.checkAllUsed();
        const item = table.items.get(this.key(table, body.Key));
        return item ? { Item: project(item, projection) } : {};
      }
      case 'BatchGetItem': return this.batchGetItem(body, unprocessed);
      case 'Scan': return this.scan(body);
      case 'PutItem': {
        const table = this.table(body.TableName);
        const item = body.Item as Item | undefined;
        if (!item || typeof item !== 'object') throw validation('1 validation error detected: Value null at \'item\' failed to satisfy constraint: Member must not be null');
        const key = this.key(table, { [table.partitionKey]: item[table.partitionKey] });
        this.checkCondition(body, table.items.get(key));
        table.items.set(key, structuredClone(item));
        return {};
      }
      case 'UpdateItem': {
        const table = this.table(body.TableName);
        const key = this.key(table, body.Key);
        const p = this.placeholders(body);
        if (typeof body.UpdateExpression !== 'string') throw validation('UpdateExpression is required by the emulator (AttributeUpdates is not emulated)');
        const assignments = new Parser(tokenize(body.UpdateExpression, 'UpdateExpression'), p, body.UpdateExpression, 'UpdateExpression').parseSet();
        const current = table.items.get(key);
        const condition = this.condition(body, p);
        p.checkAllUsed();
        if (condition && !evaluate(condition, current)) throw conditionalCheckFailed();
        const item: Item = structuredClone(current ?? (body.Key as Item));
        for (const { name, value } of assignments) {
          if (name === table.partitionKey) throw validation(`One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`);
          const v = value.kind === 'value' ? value.value : item[value.name];
          if (v === undefined) throw validation('The provided expression refers to an attribute that does not exist in the item');
          item[name] = structuredClone(v);
        }
        table.items.set(key, item);
        return {};
      }
      default: { // DeleteItem
        const table = this.table(body.TableName);
        const key = this.key(table, body.Key);
        this.checkCondition(body, table.items.get(key));
        table.items.delete(key);
        return {};
      }
    }
  }

  private batchGetItem(body: Record<string, unknown>, unprocessed: boolean): Record<string, unknown> {
    const requestItems = body.RequestItems as Record<string, Record<string, unknown>> | undefined;
    if (!requestItems || Object.keys(requestItems).length === 0) throw validation('1 validation error detected: Value at \'requestItems\' failed to satisfy constraint: Member must have length greater than or equal to 1');
    const total = Object.values(requestItems).reduce((n, r) => n + ((r.Keys as unknown[] | undefined)?.length ?? 0), 0);
    if (total > MAX_BATCH_KEYS) throw validation(`Too many items requested for the BatchGetItem call (${total}; at most ${MAX_BATCH_KEYS})`);
    const responses: Record<string, Item[]> = {};
    const unprocessedKeys: Record<string, Record<string, unknown>> = {};
    for (const [tableName, request] of Object.entries(requestItems)) {
      const table = this.table(tableName);
      const keys = (request.Keys as Item[] | undefined) ?? [];
      if (keys.length === 0) throw validation('1 validation error detected: Keys must have length greater than or equal to 1');
      const strings = keys.map((k) => this.key(table, k));
      if (new Set(strings).size !== strings.length) throw validation('Provided list of item keys contains duplicates');
      const p = this.placeholders(request);
      const projection = this.projection(request.ProjectionExpression, p);
      p.checkAllUsed();
      if (unprocessed) {
        unprocessedKeys[tableName] = request;
        continue;
      }
      responses[tableName] = strings.flatMap((k) => {
        const item = table.items.get(k);
        return item ? [project(item, projection)] : [];
      });
    }
    return { Responses: responses, UnprocessedKeys: unprocessedKeys };
  }

  /** One page of the table's items, in key order, after `ExclusiveStartKey`, at most `Limit` of them. */
  private scan(body: Record<string, unknown>): Record<string, unknown> {
    const table = this.table(body.TableName);
    for (const member of SCAN_NOT_EMULATED) {
      if (body[member] !== undefined) throw validation(`${member} is not emulated (Scan pages the whole table: Limit, ExclusiveStartKey, ProjectionExpression)`);
    }
    const limit = body.Limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
      throw validation(`1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    const p = this.placeholders(body);
    const projection = this.projection(body.ProjectionExpression, p);
    p.checkAllUsed();
    const after = body.ExclusiveStartKey === undefined ? undefined : this.key(table, body.ExclusiveStartKey);
    const keys = [...table.items.keys()].sort().filter((k) => after === undefined || k > after);
    const page = limit === undefined ? keys : keys.slice(0, limit as number);
    const items = page.map((k) => project(table.items.get(k) as Item, projection));
    const more = page.length < keys.length;
    return {
      Items: items,
      Count: items.length,
      ScannedCount: items.length,
      ...(more ? { LastEvaluatedKey: { [table.partitionKey]: { S: page[page.length - 1] } } } : {}),
    };
  }

  private placeholders(body: Record<string, unknown>): Placeholders {
    const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
    return new Placeholders(names, (body.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>);
  }

  private projection(expression: unknown, p: Placeholders): string[] | undefined {
    if (expression === undefined) return undefined;
    return new Parser(tokenize(String(expression), 'ProjectionExpression'), p, String(expression), 'ProjectionExpression').parseProjection();
  }

  private condition(body: Record<string, unknown>, p: Placeholders): Condition | undefined {
    if (body.Expected !== undefined) throw validation('Expected (legacy conditions) is not emulated: use ConditionExpression');
    if (body.ConditionExpression === undefined) return undefined;
    const source = String(body.ConditionExpression);
    return new Parser(tokenize(source, 'ConditionExpression'), p, source, 'ConditionExpression').parseCondition();
  }

  private checkCondition(body: Record<string, unknown>, current: Item | undefined): void {
    const p = this.placeholders(body);
    const condition = this.condition(body, p);
    p.checkAllUsed();
    if (condition && !evaluate(condition, current)) throw conditionalCheckFailed();
  }

  private table(name: unknown): Table {
    const table = this.tables.get(String(name));
    if (!table) throw new DynamoDbError(400, 'ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  private tableOrThrow(name: string): Table {
    const table = this.tables.get(name);
    if (!table) throw new Error(`DynamoDB emulator: no table ${name} (createTable first)`);
    return table;
  }

  /** The key's string value; the key must be exactly the table's partition key, a string. */
  private key(table: Table, key: unknown): string {
    const k = key as Item | undefined;
    const names = Object.keys(k ?? {});
    const value = k?.[table.partitionKey] as { S?: unknown } | undefined;
    if (names.length !== 1 || typeof value?.S !== 'string') throw validation('The provided key element does not match the schema');
    if (value.S.length === 0) throw validation('One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value.');
    return value.S;
  }

  private sendError(res: http.ServerResponse, error: DynamoDbError): void {
    this.send(res, error.status, { __type: `com.amazonaws.dynamodb.v20120810#${error.code}`, message: error.message });
  }

  private send(res: http.ServerResponse, status: number, payload: Record<string, unknown>): void {
    this.requestCount += 1;
    this.sendJson(res, status, 'application/x-amz-json-1.0', payload, sequentialId('44444444', this.requestCount));
  }
}

function conditionalCheckFailed(): DynamoDbError {
  return new DynamoDbError(400, 'ConditionalCheckFailedException', 'The conditional request failed');
}

function project(item: Item, names: string[] | undefined): Item {
  const copy = structuredClone(item);
  return names ? Object.fromEntries(Object.entries(copy).filter(([n]) => names.includes(n))) : copy;
}

/** Jest helper: fails with one line per violation when the emulator recorded any. */
export function expectNoDynamoDbViolations(emulator: DynamoDbEmulator): void {
  throwOnViolations('DynamoDB', emulator.violations());
}
