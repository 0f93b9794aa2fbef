/**
 * In-process HTTP emulator of the Amazon DynamoDB item operations the handlers and the CLI use:
 * GetItem, BatchGetItem, PutItem, UpdateItem, DeleteItem and Scan on tables with a string partition
 * key. Tests
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
 *  - UpdateExpression: `SET p = operand, ...` and `REMOVE p, ...`, each clause at most once, in
 *    either order (no arithmetic, no functions, no ADD/DELETE).
 *  - ProjectionExpression: a comma-separated list of top-level attribute names.
 *  Paths are top-level names or `#placeholders`; operands are paths or `:values`. As DynamoDB does,
 *  a placeholder left unused (or used but not defined) is a ValidationException.
 *
 * Scan: `Limit`, `ExclusiveStartKey`, `ProjectionExpression`, `ConsistentRead` and `IndexName`. As
 * DynamoDB does, a page ends at `Limit` items or once 1 MB of items has been read (sizes counted
 * before the projection, here as the length of each item's JSON), and then carries
 * `LastEvaluatedKey`, even when no item is left (the next page is empty). Items come in key order
 * (DynamoDB's order is its own: callers must not rely on one). FilterExpression, parallel scans
 * (Segment), Select and the legacy parameters are refused.
 *
 * Global secondary indexes (`createTable(name, key, { indexName: indexKey })`): a string partition
 * key, no sort key, every attribute projected. An item is in an index only while it has the
 * index's key attribute (a sparse index); a write that gives that attribute another type than a
 * string, or an empty string, is a ValidationException, as in DynamoDB. A Scan of an index reads
 * only its items, refuses `ConsistentRead: true` (DynamoDB has no consistent reads on a global
 * secondary index), and its keys (`ExclusiveStartKey`, `LastEvaluatedKey`) hold both the table's
 * and the index's key attributes.
 *
 * `TableName` may be a table's ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`) in the
 * request's own account and region; another account's or region's is refused (resource-based
 * policies are not emulated).
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

/** A table's global secondary indexes: index name -> the name of its (string) partition key attribute. */
export type GlobalSecondaryIndexes = Record<string, string>;

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
/** BatchGetItem takes at most 100 keys (all tables together). */
const MAX_BATCH_KEYS = 100;
/** A Scan page reads at most 1 MB of items. */
const MAX_SCAN_PAGE_BYTES = 1024 * 1024;
/** Scan members the emulator models; the others (FilterExpression, Segment, Select, the legacy ones) are refused. */
const SCAN_MEMBERS = new Set(['TableName', 'IndexName', 'Limit', 'ExclusiveStartKey', 'ProjectionExpression', 'ExpressionAttributeNames', 'ConsistentRead']);
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/([A-Za-z0-9_.-]{3,255})$/;

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

  /** `SET p = operand, ...` and `REMOVE p, ...`, each at most once, in either order. */
  parseUpdate(): { set: Array<{ name: string; value: Operand }>; remove: string[] } {
    const set: Array<{ name: string; value: Operand }> = [];
    const remove: string[] = [];
    const seen = new Set<string>();
    do {
      const clause = this.next();
      const keyword = clause?.kind === 'ident' ? clause.text.toUpperCase() : '';
      if (keyword !== 'SET' && keyword !== 'REMOVE') this.fail('only SET and REMOVE clauses are emulated');
      if (seen.has(keyword)) throw validation(`Invalid UpdateExpression: The "${keyword}" section can only be used once in an update expression; ${this.source}`);
      seen.add(keyword);
      do {
        const name = this.path();
        if (keyword === 'SET') {
          this.expect('op', '=');
          set.push({ name, value: this.operand() });
        } else {
          remove.push(name);
        }
      } while (this.accept('punct', ','));
    } while (this.index < this.tokens.length);
    const paths = [...set.map((a) => a.name), ...remove];
    if (new Set(paths).size !== paths.length) throw validation(`Invalid UpdateExpression: Two document paths overlap with each other; ${this.source}`);
    return { set, remove };
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
  /** Index name -> its partition key attribute. */
  readonly indexes: GlobalSecondaryIndexes;
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

  /**
   * Defines a table whose partition key is the string attribute `partitionKey` (no sort key), with
   * `indexes`: global secondary indexes, each keyed by a string attribute (sparse: see the header).
   */
  createTable(tableName: string, partitionKey: string, indexes: GlobalSecondaryIndexes = {}): void {
    this.tables.set(tableName, { partitionKey, items: new Map(), indexes: { ...indexes } });
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
        checkIndexKeys(table, item);
        this.checkCondition(body, table.items.get(key));
        table.items.set(key, structuredClone(item));
        return {};
      }
      case 'UpdateItem': {
        const table = this.table(body.TableName);
        const key = this.key(table, body.Key);
        const p = this.placeholders(body);
        if (typeof body.UpdateExpression !== 'string') throw validation('UpdateExpression is required by the emulator (AttributeUpdates is not emulated)');
        const update = new Parser(tokenize(body.UpdateExpression, 'UpdateExpression'), p, body.UpdateExpression, 'UpdateExpression').parseUpdate();
        const current = table.items.get(key);
        const condition = this.condition(body, p);
        p.checkAllUsed();
        if (condition && !evaluate(condition, current)) throw conditionalCheckFailed();
        const item: Item = structuredClone(current ?? (body.Key as Item));
        for (const name of [...update.set.map((a) => a.name), ...update.remove]) {
          if (name === table.partitionKey) throw validation(`One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`);
        }
        for (const { name, value } of update.set) {
          const v = value.kind === 'value' ? value.value : item[value.name];
          if (v === undefined) throw validation('The provided expression refers to an attribute that does not exist in the item');
          item[name] = structuredClone(v);
        }
        for (const name of update.remove) { delete item[name]; }
        checkIndexKeys(table, item);
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

  private scan(body: Record<string, unknown>): Record<string, unknown> {
    const unmodelled = Object.keys(body).filter((member) => !SCAN_MEMBERS.has(member));
    if (unmodelled.length > 0) throw validation(`${unmodelled.sort().join(', ')} is not emulated in a Scan (the emulator models ${[...SCAN_MEMBERS].join(', ')})`);
    const table = this.table(body.TableName);
    const limit = body.Limit;
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1)) {
      throw validation(`1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    const scanned = body.IndexName === undefined ? this.tableOrder(table, body.ExclusiveStartKey) : this.indexOrder(table, body);
    const p = this.placeholders(body);
    const projection = this.projection(body.ProjectionExpression, p);
    p.checkAllUsed();
    const page: Item[] = [];
    let bytes = 0;
    let stopped = false;
    for (const item of scanned) {
      if (page.length === limit || bytes >= MAX_SCAN_PAGE_BYTES) {
        stopped = true;
        break;
      }
      bytes += JSON.stringify(item).length;
      page.push(project(item, projection));
    }
    // DynamoDB hands back where it stopped whenever the page is full, even if nothing is left.
    stopped ||= page.length > 0 && (page.length === limit || bytes >= MAX_SCAN_PAGE_BYTES);
    const last = scanned[page.length - 1];
    const keyNames = [table.partitionKey, ...(body.IndexName === undefined ? [] : [table.indexes[String(body.IndexName)]])];
    return {
      Items: page,
      Count: page.length,
      ScannedCount: page.length,
      ...(stopped && last !== undefined ? { LastEvaluatedKey: Object.fromEntries(keyNames.map((n) => [n, structuredClone(last[n])])) } : {}),
    };
  }

  /** The table's items in key order, after `exclusiveStartKey` (the table's key). */
  private tableOrder(table: Table, exclusiveStartKey: unknown): Item[] {
    const start = exclusiveStartKey === undefined ? undefined : this.key(table, exclusiveStartKey);
    return [...table.items.keys()].sort().filter((k) => start === undefined || k > start).map((k) => table.items.get(k)!);
  }

  /** The items of the Scan's index (those with its key attribute), by index key then table key, after its ExclusiveStartKey. */
  private indexOrder(table: Table, body: Record<string, unknown>): Item[] {
    const indexName = String(body.IndexName);
    const indexKey = table.indexes[indexName];
    if (indexKey === undefined) throw validation(`The table does not have the specified index: ${indexName}`);
    if (body.ConsistentRead === true) throw validation('Consistent reads are not supported on global secondary indexes');
    const orderOf = (item: Item): [string, string] => [stringOf(item[indexKey]) ?? '', stringOf(item[table.partitionKey]) ?? ''];
    const before = (a: [string, string], b: [string, string]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    let start: [string, string] | undefined;
    if (body.ExclusiveStartKey !== undefined) {
      const k = body.ExclusiveStartKey as Item;
      const names = Object.keys(k ?? {}).sort();
      const [own, index] = [stringOf(k?.[table.partitionKey]), stringOf(k?.[indexKey])];
      if (JSON.stringify(names) !== JSON.stringify([table.partitionKey, indexKey].sort()) || own === undefined || index === undefined) {
        throw validation('The provided starting key is invalid: it must hold the table\'s and the index\'s key attributes');
      }
      start = [index, own];
    }
    return [...table.items.values()]
      .filter((item) => stringOf(item[indexKey]) !== undefined)
      .sort((a, b) => (before(orderOf(a), orderOf(b)) ? -1 : 1))
      .filter((item) => start === undefined || before(start, orderOf(item)));
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
    const arn = TABLE_ARN.exec(String(name));
    if (arn && (arn[1] !== this.scope.region || arn[2] !== this.scope.account)) {
      throw validation(`TableName ${String(name)}: a table of another account or region is not emulated (this request is ${this.scope.account}/${this.scope.region})`);
    }
    const table = this.tables.get(arn ? arn[3] : String(name));
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

/** A string attribute's value; undefined for anything else. */
function stringOf(value: AttributeValue | undefined): string | undefined {
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}

/** An item's index key attributes, when present, must be non-empty strings (DynamoDB refuses the write otherwise). */
function checkIndexKeys(table: Table, item: Item): void {
  for (const [indexName, indexKey] of Object.entries(table.indexes)) {
    const value = item[indexKey];
    if (value === undefined) continue;
    const s = stringOf(value);
    if (s === undefined) {
      throw validation(`One or more parameter values were invalid: Type mismatch for Index Key ${indexKey} Expected: S Actual: ${Object.keys(value)[0]} IndexName: ${indexName}`);
    }
    if (s === '') {
      throw validation(`One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ${indexName}, IndexKey: ${indexKey}`);
    }
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
