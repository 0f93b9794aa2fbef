/**
 * In-process HTTP emulator of AWS Systems Manager Parameter Store: GetParameter, GetParameters
 * (names with a version selector, `name:3`) and PutParameter, over the JSON 1.1 protocol
 * `@aws-sdk/client-ssm` speaks (`X-Amz-Target: AmazonSSM.<Operation>`), for the
 * `AWS_ENDPOINT_URL_SSM` environment variable or a client's `endpoint`.
 *
 * Parameters live per account and region: a request reads those of its caller's account in the
 * region it is signed for (`identity.ts`); tests seed them with `putParameter` (default scope) or
 * `at({ account, region }).putParameter`. String and StringList parameters are emulated, with
 * their version history (the last 100 versions, as Parameter Store keeps them); SecureString, KMS
 * keys, labels, tags and parameter policies are not, and a request using them is a violation
 * rather than something silently ignored.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { BaseFaultSpec, EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { AUTH_ERRORS, AUTH_MESSAGES, Scope, ScopedStates } from './identity';

export type SsmParameterType = 'String' | 'StringList';

export interface ParameterSeed {
  name: string;
  value: string;
  /** Default String. */
  type?: SsmParameterType;
  description?: string;
}

export interface ParameterSnapshot {
  name: string;
  type: SsmParameterType;
  arn: string;
  /** Oldest first. */
  versions: Array<{ version: number; value: string; lastModifiedDate: Date; description?: string }>;
}

export interface RecordedSsmRequest extends RequestScope {
  operation: string;
  body: Record<string, unknown>;
  status: number;
  errorCode?: string;
  violations: string[];
  time: number;
}

export type SsmFaultKind = 'throttled' | 'internalError';

export interface SsmFaultSpec extends BaseFaultSpec {
  /** throttled: 400 ThrottlingException (the SDK retries it); internalError: 500 InternalServerError (retried as transient). */
  kind: SsmFaultKind;
  operation?: 'GetParameter' | 'GetParameters' | 'PutParameter';
}

const TARGET_PREFIX = 'AmazonSSM.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  GetParameter: ['Name', 'WithDecryption'],
  GetParameters: ['Names', 'WithDecryption'],
  PutParameter: ['Name', 'Value', 'Description', 'Type', 'KeyId', 'Overwrite', 'AllowedPattern', 'Tags', 'Tier', 'Policies', 'DataType'],
};
/** Members the emulator does not model. */
const NOT_EMULATED = ['KeyId', 'Tags', 'Policies'];
/** Parameter Store keeps a parameter's last 100 versions. */
const MAX_VERSIONS = 100;
const MAX_HIERARCHY_LEVELS = 15;
const VALUE_LIMIT: Readonly<Record<string, number>> = { 'Standard': 4096, 'Advanced': 8192, 'Intelligent-Tiering': 8192 };
const NAME_RULES = 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; '
  + 'each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

class SsmError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly violation = false) {
    super(message);
  }
}

const validation = (message: string): SsmError => new SsmError(400, 'ValidationException', message, true);
const notFound = (name: string): SsmError => new SsmError(400, 'ParameterNotFound', `Parameter ${name} not found.`);

interface StoredParameter {
  name: string;
  type: SsmParameterType;
  versions: ParameterSnapshot['versions'];
}

/** A name of GetParameter(s): the parameter, and its version when a `:N` selector follows. */
function parseSelector(raw: string, scope: Scope): { name: string; selector?: string; version?: number } {
  const arn = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter(\/[^:]+)(:.+)?$/.exec(raw);
  let name = raw;
  let selector: string | undefined;
  if (arn) {
    if (arn[1] !== scope.region || arn[2] !== scope.account) return { name: raw };
    [name, selector] = [arn[3], arn[4]?.slice(1)];
  } else if (raw.includes(':')) {
    [name, selector] = [raw.slice(0, raw.lastIndexOf(':')), raw.slice(raw.lastIndexOf(':') + 1)];
  }
  if (selector === undefined) return { name };
  if (!/^\d+$/.test(selector)) throw validation(`Parameter labels are not emulated: selector '${selector}' of ${raw}`);
  return { name, selector: `:${selector}`, version: Number(selector) };
}

export class SsmEmulator extends HttpEmulator<SsmFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<SsmEmulator> {
    return new SsmEmulator(options.seed ?? 42, options).listen();
  }

  /** Every request, in order, including refused and faulted ones. */
  public readonly requests: RecordedSsmRequest[] = [];

  private readonly parameters = new ScopedStates<Map<string, StoredParameter>>(() => new Map());
  private requestCount = 0;

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  /** The same seeding and read-back methods, acting on another account and region. */
  at(scope: Partial<Scope>): Pick<SsmEmulator, 'putParameter' | 'parameter' | 'requestsFor'> {
    return this.view(scope);
  }

  /** Creates a parameter, or adds a version to it; answers the new version. */
  putParameter(seed: ParameterSeed): number {
    const problems = nameProblems(seed.name, this.arn(this.scope, seed.name));
    if (problems) throw new Error(`putParameter: ${problems.message}`);
    return this.put(this.scope, { Name: seed.name, Value: seed.value, Type: seed.type ?? 'String', Description: seed.description, Overwrite: true });
  }

  /** The parameter with its versions, or undefined. */
  parameter(name: string): ParameterSnapshot | undefined {
    const p = this.parameters.get(this.scope).get(name);
    return p && { name: p.name, type: p.type, arn: this.arn(this.scope, name), versions: structuredClone(p.versions) };
  }

  /** Requests of one operation made in this object's scope (the default one, or the one `at()` named). */
  requestsFor(operation: string): RecordedSsmRequest[] {
    return this.requests.filter((r) => r.operation === operation && this.inScope(r));
  }

  /** All constraint violations of all recorded requests, as '<Operation>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.operation || '(no target)'}: ${v}`));
  }

  /** Drops every parameter, recorded request and fault; re-seeds the PRNG. */
  reset(): void {
    this.parameters.clear();
    this.requests.length = 0;
    this.requestCount = 0;
    this.resetFaults();
  }

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const record: RecordedSsmRequest = { operation, body: {}, status: 0, violations: [], time, ...scope };
    this.requests.push(record);
    try {
      if (attribution.kind === 'refused') {
        const e = AUTH_ERRORS.awsJson[attribution.refusal];
        throw new SsmError(e.status, e.code, AUTH_MESSAGES[attribution.refusal]);
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (req.method !== 'POST' || contentType !== CONTENT_TYPE) throw validation(`expected POST with ${CONTENT_TYPE}, got ${req.method} '${contentType}'`);
      if (attribution.kind === 'unsigned') throw new SsmError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token', true);
      if (attribution.caller.service !== 'ssm') throw new SsmError(400, 'InvalidSignatureException', "Credential should be scoped to correct service: 'ssm'.", true);
      if (!(operation in OPERATIONS)) throw new SsmError(400, 'UnknownOperationException', `x-amz-target '${target}' is not an emulated operation`, true);
      try {
        record.body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new SsmError(400, 'SerializationException', 'body is not JSON', true);
      }
      for (const key of Object.keys(record.body)) {
        if (!OPERATIONS[operation].includes(key)) throw validation(`unknown member '${key}'`);
        if (NOT_EMULATED.includes(key)) throw validation(`${key} is not emulated`);
      }
      const fault = this.takeFault(operation, scope);
      if (fault?.kind === 'throttled') throw new SsmError(400, 'ThrottlingException', 'Rate exceeded');
      if (fault?.kind === 'internalError') throw new SsmError(500, 'InternalServerError', 'Internal server error (injected)');
      const output = this.handle(operation, record.body, scope);
      record.status = 200;
      this.sendJson(res, 200, CONTENT_TYPE, output, this.nextRequestId());
    } catch (err) {
      if (!(err instanceof SsmError)) throw err;
      if (err.violation) record.violations.push(err.message);
      record.status = err.status;
      record.errorCode = err.code;
      this.sendJson(res, err.status, CONTENT_TYPE, { __type: err.code, message: err.message }, this.nextRequestId());
    }
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    this.sendJson(res, 500, CONTENT_TYPE, { __type: 'InternalServerError', message: `SSM emulator bug: ${String(err)}` }, this.nextRequestId());
  }

  protected isFaultKind(kind: string): boolean {
    return kind === 'throttled' || kind === 'internalError';
  }

  private handle(operation: string, body: Record<string, unknown>, scope: Scope): Record<string, unknown> {
    if (operation === 'PutParameter') {
      const name = requiredString(body, 'Name', 2048);
      const problem = nameProblems(name, this.arn(scope, name));
      if (problem) throw problem;
      const tier = (body.Tier as string | undefined) ?? 'Standard';
      if (!(tier in VALUE_LIMIT)) throw validation(`Tier: '${tier}' is not one of ${Object.keys(VALUE_LIMIT).join(', ')}`);
      return { Version: this.put(scope, body), Tier: tier === 'Intelligent-Tiering' ? 'Standard' : tier };
    }
    if (body.WithDecryption !== undefined && typeof body.WithDecryption !== 'boolean') throw validation('WithDecryption must be a boolean');
    if (operation === 'GetParameter') {
      const found = this.lookup(scope, requiredString(body, 'Name', 2048));
      if (found instanceof SsmError) throw found;
      return { Parameter: found };
    }
    const names = body.Names;
    if (!Array.isArray(names) || names.length < 1 || names.length > 10 || names.some((n) => typeof n !== 'string' || n.length < 1 || n.length > 2048)) {
      throw validation(`1 validation error detected: Value '${JSON.stringify(names)}' at 'names' failed to satisfy constraint: Member must have length between 1 and 10, `
        + 'each 1 to 2048 characters');
    }
    const results = (names as string[]).map((n) => ({ n, found: this.lookup(scope, n) }));
    return {
      Parameters: results.flatMap((r) => (r.found instanceof SsmError ? [] : [r.found])),
      InvalidParameters: results.flatMap((r) => (r.found instanceof SsmError ? [r.n] : [])),
    };
  }

  /** The parameter (at the selected version) as the API answers it, or the error GetParameter answers. */
  private lookup(scope: Scope, raw: string): Record<string, unknown> | SsmError {
    const { name, selector, version } = parseSelector(raw, scope);
    const p = this.parameters.get(scope).get(name);
    if (!p) return notFound(raw);
    const v = version === undefined ? p.versions[p.versions.length - 1] : p.versions.find((x) => x.version === version);
    if (!v) return new SsmError(400, 'ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
    return {
      Name: p.name,
      Type: p.type,
      Value: v.value,
      Version: v.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: v.lastModifiedDate.getTime() / 1000,
      ARN: this.arn(scope, p.name),
      DataType: 'text',
    };
  }

  /** PutParameter over the state: the rules of Type, Overwrite, AllowedPattern, DataType and the value's size. */
  private put(scope: Scope, body: Record<string, unknown>): number {
    const name = body.Name as string;
    const value = body.Value;
    if (typeof value !== 'string' || value.length === 0) throw validation('1 validation error detected: Value at \'value\' failed to satisfy constraint: Member must have length greater than or equal to 1');
    const limit = VALUE_LIMIT[(body.Tier as string | undefined) ?? 'Standard'];
    if (value.length > limit) throw validation(`Parameter value of ${value.length} characters exceeds the ${limit}-character limit of its tier`);
    const type = body.Type as string | undefined;
    if (type === 'SecureString') throw validation('Type SecureString is not emulated');
    if (type !== undefined && type !== 'String' && type !== 'StringList') throw validation(`Type: '${type}' is not one of String, StringList, SecureString`);
    if (body.DataType !== undefined && body.DataType !== 'text') throw validation(`DataType '${String(body.DataType)}' is not emulated (only text)`);
    if (typeof body.AllowedPattern === 'string' && !new RegExp(body.AllowedPattern).test(value)) {
      throw new SsmError(400, 'ParameterPatternMismatchException', `Parameter value, ${value}, failed to satisfy constraint specified in AllowedPattern: ${body.AllowedPattern}`);
    }
    const params = this.parameters.get(scope);
    const existing = params.get(name);
    if (existing && body.Overwrite !== true) {
      throw new SsmError(400, 'ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    if (!existing && type === undefined) throw validation('A parameter type is required when you create a parameter.');
    const p = existing ?? { name, type: type as SsmParameterType, versions: [] };
    if (type !== undefined) p.type = type as SsmParameterType;
    const version = (p.versions[p.versions.length - 1]?.version ?? 0) + 1;
    p.versions.push({ version, value, lastModifiedDate: new Date(this.identities.now()), description: body.Description as string | undefined });
    if (p.versions.length > MAX_VERSIONS) p.versions.shift();
    params.set(name, p);
    return version;
  }

  private arn(scope: Scope, name: string): string {
    return `arn:aws:ssm:${scope.region}:${scope.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }

  private nextRequestId(): string {
    this.requestCount += 1;
    return sequentialId('88888888', this.requestCount);
  }
}

function requiredString(body: Record<string, unknown>, member: string, max: number): string {
  const v = body[member];
  if (typeof v !== 'string' || v.length < 1 || v.length > max) {
    throw validation(`1 validation error detected: Value at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must have length between 1 and ${max}`);
  }
  return v;
}

/** What is wrong with a parameter name PutParameter is given, as Parameter Store says it. */
function nameProblems(name: string, arn: string): SsmError | undefined {
  const bare = name.replace(/^\//, '');
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name) || /^(aws|ssm)/i.test(bare) || name.includes('//')) return validation(NAME_RULES);
  if (name.includes('/') && !name.startsWith('/')) return validation('Parameter name must be a fully qualified name.');
  if (arn.length > 1011) return validation(`Parameter name ${name} is too long: with its ARN it must be at most 1011 characters`);
  if (name.split('/').filter((s) => s !== '').length > MAX_HIERARCHY_LEVELS) {
    return new SsmError(400, 'HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`);
  }
  return undefined;
}

/** Jest helper: fails with one line per violation when the emulator recorded any. */
export function expectNoSsmViolations(emulator: SsmEmulator): void {
  throwOnViolations('SSM', emulator.violations());
}
