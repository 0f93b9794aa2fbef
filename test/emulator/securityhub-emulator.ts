/**
 * In-process HTTP emulator of AWS Security Hub (CSPM): GetFindings, BatchUpdateFindings,
 * EnableImportFindingsForProduct, ListEnabledProductsForImport and DescribeHub, over the restJson1
 * protocol `@aws-sdk/client-securityhub` speaks, for the `AWS_ENDPOINT_URL_SECURITYHUB` environment
 * variable or a client's `endpoint`. The API's rules are in `securityhub-model.ts`, the state and
 * the findings in `securityhub-state.ts`.
 *
 * Security Hub lives per account and region (`identity.ts`): a request acts on the hub of its
 * caller's account in the region it is signed for. A hub is not enabled until a test enables it
 * (`enableHub`, or `at({ account, region }).enableHub`); until then every operation answers what
 * AWS answers, 401 InvalidAccessException "Account <id> is not subscribed to AWS Security Hub".
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { BaseFaultSpec, EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { AUTH_ERRORS, AUTH_MESSAGES, Scope, ScopedStates } from './identity';
import { isRecord } from './iot-model';
import {
  checkMembers, findingFilter, findingsToken, hubArn, invalidInput, maxResults, nonBlank, notSubscribed, offsetToken, parseBatchUpdate,
  parseFindingsToken, parseOffsetToken, parseProductArn, RecordState, routeOf, SecurityHubError, SecurityHubOperation,
} from './securityhub-model';
import { AsffFinding, AuditFindingAsffSeed, CheckSummaryAsffSeed, FindingUpdate, SecurityHubState } from './securityhub-state';

export { awsProductArn, MAX_FINDING_IDENTIFIERS, MAX_FILTER_VALUES, MAX_NOTE_LENGTH } from './securityhub-model';
export type { RecordState, WorkflowStatus, SecurityHubOperation } from './securityhub-model';
export type { AsffFinding, AuditFindingAsffSeed, CheckSummaryAsffSeed, FindingUpdate } from './securityhub-state';

export interface RecordedSecurityHubRequest extends RequestScope {
  /** The operation, or '' when no route matched. */
  operation: SecurityHubOperation | '';
  method: string;
  path: string;
  /** The JSON body, or the query string's members for a GET. */
  input: Record<string, unknown>;
  status: number;
  errorCode?: string;
  violations: string[];
  time: number;
}

export type SecurityHubFaultKind =
  /** 429 TooManyRequestsException "Too Many Requests", what Security Hub answers when throttling (the SDK retries it). */
  | 'throttled'
  /** 429 LimitExceededException (the SDK retries it as throttling). */
  | 'limitExceeded'
  /** 500 InternalException (the SDK retries it as transient). */
  | 'internalError'
  /**
   * 403 AccessDeniedException, what IAM answers when no policy of the caller allows the call (a
   * common error of every AWS API, not in the Security Hub model; the SDK does not retry it).
   */
  | 'accessDenied'
  /** BatchUpdateFindings answers 200 with some identifiers in UnprocessedFindings (the SDK does not retry this). */
  | 'unprocessedFindings'
  /**
   * EnableImportFindingsForProduct: another caller turns the product's import on just before this
   * request is handled, which then answers 409 ResourceConflictException (the race a caller that
   * listed the enabled products first can lose).
   */
  | 'enabledMeanwhile';

export interface SecurityHubFaultSpec extends BaseFaultSpec {
  kind: SecurityHubFaultKind;
  operation?: SecurityHubOperation;
  /** unprocessedFindings: the finding Ids left unprocessed. @default every finding the request names */
  findingIds?: string[];
  /** unprocessedFindings: the ErrorCode they get. @default ConcurrentUpdateError */
  errorCode?: 'ConcurrentUpdateError' | 'InternalFailure';
}

/** The faults that answer instead of the operation (the others change what the operation does). */
type ErrorFaultKind = Exclude<SecurityHubFaultKind, 'unprocessedFindings' | 'enabledMeanwhile'>;

const FAULTS: Readonly<Record<ErrorFaultKind, () => SecurityHubError>> = {
  throttled: () => new SecurityHubError(429, 'TooManyRequestsException', 'Too Many Requests'),
  limitExceeded: () => new SecurityHubError(429, 'LimitExceededException', 'Rate exceeded (injected)'),
  internalError: () => new SecurityHubError(500, 'InternalException', 'Internal service failure (injected)'),
  accessDenied: () => new SecurityHubError(403, 'AccessDeniedException', 'User is not authorized to perform this operation (injected)'),
};

/** What `SecurityHubEmulator.at()` answers: the seeding and read-back methods, for one account and region. */
export type SecurityHubScope = Pick<SecurityHubEmulator,
| 'enableHub' | 'hub' | 'productSubscriptions' | 'addFinding' | 'addCheckSummary' | 'setRecordState' | 'findings' | 'finding' | 'updatesOf' | 'requestsFor'>;

/** A validated request: what it answers, given the state of its scope and the fault it drew. */
type Call = (state: SecurityHubState, scope: RequestScope, fault: SecurityHubFaultSpec | undefined) => Record<string, unknown>;

export class SecurityHubEmulator extends HttpEmulator<SecurityHubFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<SecurityHubEmulator> {
    return new SecurityHubEmulator(options.seed ?? 22, options).listen();
  }

  /** Every request, to any account and region, in order, including refused and faulted ones. */
  public readonly requests: RecordedSecurityHubRequest[] = [];

  private readonly states = new ScopedStates((scope) => new SecurityHubState(scope, () => this.identities.now()));
  private requestCount = 0;

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  /** The same seeding and read-back methods, acting on another account and region. */
  at(scope: Partial<Scope>): SecurityHubScope {
    return this.view(scope);
  }

  private get state(): SecurityHubState {
    return this.states.get(this.scope);
  }

  /** Enables Security Hub, optionally importing findings of `products` (product ARNs: the integration's "Accept findings"). */
  enableHub(options: { products?: string[]; subscribedAt?: Date; autoEnableControls?: boolean } = {}): void {
    for (const arn of options.products ?? []) {
      if (!parseProductArn(arn, this.scope.region)) throw new Error(`enableHub: '${arn}' is not a product ARN of ${this.scope.region}`);
    }
    this.state.enable(options);
    for (const arn of options.products ?? []) if (!this.state.products.includes(arn)) this.state.products.push(arn);
  }

  /** The hub, as DescribeHub answers it, or undefined when Security Hub is not enabled. */
  hub(): { HubArn: string; SubscribedAt: string; AutoEnableControls: boolean } | undefined {
    const hub = this.state.hub;
    return hub && { HubArn: hubArn(this.scope), SubscribedAt: hub.subscribedAt, AutoEnableControls: hub.autoEnableControls };
  }

  /** The product ARNs whose findings are imported, in the order their import was enabled. */
  productSubscriptions(): string[] {
    return [...this.state.products];
  }

  /** Seeds an AWS IoT Device Defender audit finding (Security Hub must be enabled); answers it as GetFindings would. */
  addFinding(seed: AuditFindingAsffSeed): AsffFinding {
    return this.state.addAuditFinding(seed);
  }

  /** Seeds a Device Defender audit check summary (ProductFields ReportType CheckSummary, no FindingId). */
  addCheckSummary(seed: CheckSummaryAsffSeed): AsffFinding {
    return this.state.addCheckSummary(seed);
  }

  /** The finding provider archives a finding or makes it active again (ARCHIVED to ACTIVE resets its workflow to NEW). */
  setRecordState(id: string, state: RecordState): void {
    this.state.setRecordState(id, state);
  }

  /** Every finding, in the order it was seeded. */
  findings(): AsffFinding[] {
    return this.state.all();
  }

  /** The finding with this Id (of `productArn`, when given), or undefined. */
  finding(id: string, productArn?: string): AsffFinding | undefined {
    return this.state.find(id, productArn);
  }

  /** The changes BatchUpdateFindings made to a finding, oldest first (with the caller's principal). */
  updatesOf(id: string, productArn?: string): FindingUpdate[] {
    return this.state.updatesOf(id, productArn);
  }

  /** Requests of one operation made in this object's scope (the default one, or the one `at()` named). */
  requestsFor(operation: SecurityHubOperation): RecordedSecurityHubRequest[] {
    return this.requests.filter((r) => r.operation === operation && this.inScope(r));
  }

  /** All constraint violations of all recorded requests, as '<Operation>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.operation || `${r.method} ${r.path}`}: ${v}`));
  }

  /**
   * An unprocessedFindings fault applies to BatchUpdateFindings only, findingIds and errorCode to it
   * only; an enabledMeanwhile fault to EnableImportFindingsForProduct only.
   */
  injectFault(fault: SecurityHubFaultSpec): void {
    if (fault.kind === 'enabledMeanwhile') {
      if (fault.operation !== undefined && fault.operation !== 'EnableImportFindingsForProduct') {
        throw new Error(`injectFault: enabledMeanwhile applies to EnableImportFindingsForProduct only, got ${fault.operation}`);
      }
      super.injectFault({ ...fault, operation: 'EnableImportFindingsForProduct' });
      return;
    }
    if (fault.kind === 'unprocessedFindings') {
      if (fault.operation !== undefined && fault.operation !== 'BatchUpdateFindings') {
        throw new Error(`injectFault: unprocessedFindings applies to BatchUpdateFindings only, got ${fault.operation}`);
      }
      super.injectFault({ ...fault, operation: 'BatchUpdateFindings' });
      return;
    }
    if (fault.findingIds !== undefined || fault.errorCode !== undefined) throw new Error(`injectFault: findingIds and errorCode apply to unprocessedFindings, not ${fault.kind}`);
    super.injectFault(fault);
  }

  /** Drops every hub, finding, product subscription, recorded request and fault; re-seeds the PRNG. */
  reset(): void {
    this.states.clear();
    this.requests.length = 0;
    this.requestCount = 0;
    this.resetFaults();
  }

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const operation = routeOf(method, url.pathname);
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const record: RecordedSecurityHubRequest = { operation: operation ?? '', method, path: url.pathname, input: {}, status: 0, violations: [], time, ...scope };
    this.requests.push(record);
    try {
      if (attribution.kind === 'refused') {
        const e = AUTH_ERRORS.restJson[attribution.refusal];
        throw new SecurityHubError(e.status, e.code, AUTH_MESSAGES[attribution.refusal]);
      }
      if (!operation) throw new SecurityHubError(404, 'UnknownOperationException', `no Security Hub operation is emulated for ${method} ${url.pathname}`, true);
      if (attribution.kind === 'unsigned') throw new SecurityHubError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token', true);
      if (attribution.caller.service !== 'securityhub') {
        throw new SecurityHubError(403, 'InvalidSignatureException', "Credential should be scoped to correct service: 'securityhub'.", true);
      }
      record.input = readInput(method, url, req, text);
      checkMembers(operation, record.input);
      const call = this.prepare(operation, record.input, scope);
      const fault = this.takeFault(operation, scope);
      if (fault && fault.kind in FAULTS) throw FAULTS[fault.kind as ErrorFaultKind]();
      const state = this.states.get(scope);
      if (!state.hub) throw notSubscribed(scope.account);
      const output = call(state, scope, fault);
      record.status = 200;
      this.send(res, 200, output);
    } catch (err) {
      if (!(err instanceof SecurityHubError)) throw err;
      if (err.violation) record.violations.push(err.message);
      record.status = err.status;
      record.errorCode = err.code;
      this.send(res, err.status, { Code: err.code, Message: err.message }, err.code);
    }
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    this.send(res, 500, { Code: 'InternalException', Message: `Security Hub emulator bug: ${String(err)}` }, 'InternalException');
  }

  protected isFaultKind(kind: string): boolean {
    return kind === 'unprocessedFindings' || kind === 'enabledMeanwhile' || kind in FAULTS;
  }

  /** Checks the request against the API's rules (throws what AWS answers) and answers what it does. */
  private prepare(operation: SecurityHubOperation, input: Record<string, unknown>, scope: Scope): Call {
    switch (operation) {
      case 'GetFindings': {
        const matches = findingFilter(input.Filters);
        const limit = maxResults(input.MaxResults);
        const after = parseFindingsToken(input.NextToken, input.Filters);
        return (state) => {
          const page = state.page(matches, after, limit);
          return { Findings: page.findings, ...(page.more ? { NextToken: findingsToken(page.last!, input.Filters) } : {}) };
        };
      }
      case 'BatchUpdateFindings': {
        const update = parseBatchUpdate(input);
        return (state, requestScope, fault) => {
          const failing = (id: { Id: string }) => (fault && (fault.findingIds ?? [id.Id]).includes(id.Id) ? fault.errorCode ?? 'ConcurrentUpdateError' : undefined);
          const { processed, unprocessed } = state.batchUpdate(update, requestScope.principalArn, failing);
          return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
        };
      }
      case 'EnableImportFindingsForProduct': {
        const arn = input.ProductArn;
        if (!nonBlank(arn)) throw invalidInput('ProductArn is required');
        const product = parseProductArn(arn, scope.region);
        if (!product) throw invalidInput(`ProductArn '${arn}' is not a product ARN of ${scope.region}`);
        return (state, _scope, fault) => {
          if (fault?.kind === 'enabledMeanwhile' && !state.products.includes(arn)) state.products.push(arn);
          if (state.products.includes(arn)) throw new SecurityHubError(409, 'ResourceConflictException', `Product ${arn} is already enabled for import`);
          state.products.push(arn);
          return { ProductSubscriptionArn: subscriptionArn(scope, product) };
        };
      }
      case 'ListEnabledProductsForImport': {
        const limit = maxResults(input.MaxResults);
        const offset = parseOffsetToken(input.NextToken);
        return (state) => {
          const arns = state.products.map((arn) => subscriptionArn(scope, parseProductArn(arn, scope.region)!));
          const more = arns.length > offset + limit;
          return { ProductSubscriptions: arns.slice(offset, offset + limit), ...(more ? { NextToken: offsetToken(offset + limit) } : {}) };
        };
      }
      default: { // DescribeHub
        if (input.HubArn !== undefined && input.HubArn !== hubArn(scope)) {
          throw invalidInput(`HubArn '${String(input.HubArn)}' is not the caller's hub ${hubArn(scope)} (other accounts' hubs are not emulated)`);
        }
        return (state) => ({
          HubArn: hubArn(scope), SubscribedAt: state.hub!.subscribedAt, AutoEnableControls: state.hub!.autoEnableControls, ControlFindingGenerator: 'SECURITY_CONTROL',
        });
      }
    }
  }

  private send(res: http.ServerResponse, status: number, payload: Record<string, unknown>, errorType?: string): void {
    this.requestCount += 1;
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': sequentialId('99999999', this.requestCount),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    });
    res.end(body);
  }
}

/** The request's members: a GET's query string, or the JSON body of a POST or PATCH. */
function readInput(method: string, url: URL, req: http.IncomingMessage, text: string): Record<string, unknown> {
  if (method === 'GET') {
    if (text.length > 0) throw invalidInput('a GET request carries no body');
    return Object.fromEntries(url.searchParams.entries());
  }
  if ([...url.searchParams.keys()].length > 0) throw invalidInput(`${method} ${url.pathname} takes no query string`);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/json') throw invalidInput(`content-type must be application/json, got '${contentType}'`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SecurityHubError(400, 'SerializationException', 'body is not JSON', true);
  }
  if (!isRecord(body)) throw new SecurityHubError(400, 'SerializationException', 'body is not a JSON object', true);
  return body;
}

function subscriptionArn(scope: Scope, product: { company: string; product: string }): string {
  return `${hubArn(scope).replace(/:hub\/default$/, '')}:product-subscription/${product.company}/${product.product}`;
}

/** Jest helper: fails with one line per violation when the emulator recorded any. */
export function expectNoSecurityHubViolations(emulator: SecurityHubEmulator): void {
  throwOnViolations('Security Hub', emulator.violations());
}
