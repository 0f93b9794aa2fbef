/**
 * In-process HTTP emulator of AWS STS: AssumeRole and GetCallerIdentity, over the awsQuery
 * protocol `@aws-sdk/client-sts` speaks (`aws-query.ts`, API version 2011-06-15), for the
 * `AWS_ENDPOINT_URL_STS` environment variable or a client's `endpoint`.
 *
 * Roles are seeded with their trust policy (`addRole`): the principals it trusts (a role ARN
 * trusts that role's sessions, `arn:aws:iam::<account>:root` or a bare account id trusts the whole
 * account, a user ARN that user), and optionally the `aws:PrincipalOrgID` the caller's account
 * must be in (`Identities.addAccount(account, { organizationId })`) and the `sts:ExternalId` the
 * request must carry. Anything else, including a role that does not exist, is `AccessDenied`, as
 * AWS answers it. Only the trust policy is evaluated: the caller's own IAM policies and session
 * policies are not modelled (a request that sends `Policy`, `PolicyArns`, `Tags` or MFA members is
 * a violation rather than a policy silently ignored).
 *
 * The credentials AssumeRole issues live in the shared `Identities`, so every emulator accepts
 * them, in the role's account and the request's region, until they expire on the identities'
 * clock. `setCredentialLifetime` shortens what AssumeRole grants, and `identities.advanceClock`
 * moves the clock on, so a client's credential cache and refresh can be tested.
 *
 * Nothing here contacts AWS: the server listens on 127.0.0.1 only.
 */
import type * as http from 'node:http';
import { authError, parseForm, Problem, QueryError, sendQueryError, sendResult, xmlElement } from './aws-query';
import { BaseFaultSpec, EmulatorOptions, HttpEmulator, RequestScope, sequentialId, throwOnViolations } from './http-emulator';
import { assumedRoleOf, Caller, derivedId } from './identity';

const API_VERSION = '2011-06-15';
const XML_NAMESPACE = `https://sts.amazonaws.com/doc/${API_VERSION}/`;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const TRUSTED_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+))$/;
/** AssumeRole's default DurationSeconds, and a role's default MaxSessionDuration. */
const ONE_HOUR = 3600;
const ASSUME_ROLE_PARAMS = new Set(['Action', 'Version', 'RoleArn', 'RoleSessionName', 'DurationSeconds', 'ExternalId']);
/** Members AssumeRole has that the emulator does not model. */
const NOT_EMULATED = /^(Policy|PolicyArns|Tags|TransitiveTagKeys|SerialNumber|TokenCode|SourceIdentity|ProvidedContexts)\b/;

export interface RoleSeed {
  /** Who may assume the role: role ARNs (their sessions), user ARNs, `arn:aws:iam::<account>:root` or account ids. */
  trustedPrincipalArns: string[];
  /** The `aws:PrincipalOrgID` condition: the caller's account must be in this organization. */
  principalOrgId?: string;
  /** The `sts:ExternalId` condition. */
  externalId?: string;
  /** The role's MaxSessionDuration, 3600 to 43200 seconds; default 3600. */
  maxSessionDurationSeconds?: number;
}

/** A role session AssumeRole started. */
export interface IssuedSession {
  roleArn: string;
  roleSessionName: string;
  /** The session's principal: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
  /** Who assumed the role. */
  callerArn: string;
  accessKeyId: string;
  expiration: Date;
  externalId?: string;
}

export interface RecordedStsRequest extends RequestScope {
  action: string;
  params: Record<string, string>;
  status: number;
  errorCode?: string;
  violations: string[];
  time: number;
}

export type StsFaultKind = 'throttled' | 'internalError' | 'regionDisabled';

export interface StsFaultSpec extends BaseFaultSpec {
  /**
   * - throttled: 400 `Throttling` "Rate exceeded"; the SDK retries it.
   * - internalError: 500 `InternalFailure`; the SDK retries it (transient 5xx).
   * - regionDisabled: 403 `RegionDisabledException` (STS not activated in the region); not retried.
   */
  kind: StsFaultKind;
  operation?: 'AssumeRole' | 'GetCallerIdentity';
}

const FAULTS: Readonly<Record<StsFaultKind, (scope: RequestScope) => QueryError>> = {
  throttled: () => ({ status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' }),
  internalError: () => ({ status: 500, type: 'Receiver', code: 'InternalFailure', message: 'Internal failure (injected)' }),
  regionDisabled: (s) => ({
    status: 403,
    type: 'Sender',
    code: 'RegionDisabledException',
    message: `STS is not activated in this region for account:${s.account}. Your account administrator can activate STS in this region using the IAM Console.`,
  }),
};

const validationError = (violations: string[]): QueryError => ({
  status: 400,
  type: 'Sender',
  code: 'ValidationError',
  message: `${violations.length} validation error${violations.length > 1 ? 's' : ''} detected: ${violations.join('; ')}`,
});

/** "Value 'x' at 'member' failed to satisfy constraint: ..." for each constraint AssumeRole's model puts on its members. */
function checkAssumeRole(params: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const constraint = (member: string, value: string, what: string): void => {
    const v = `Value '${value}' at '${member}' failed to satisfy constraint: Member must ${what}`;
    problems.push({ violation: v, error: validationError([v]) });
  };
  for (const key of Object.keys(params)) {
    if (NOT_EMULATED.test(key)) {
      const v = `${key.split('.')[0]} is not emulated (the emulator evaluates only the role's trust policy)`;
      if (!problems.some((p) => p.violation === v)) problems.push({ violation: v, error: validationError([v]) });
    } else if (!ASSUME_ROLE_PARAMS.has(key)) {
      problems.push({ violation: `unknown parameter '${key}'`, error: validationError([`unknown parameter '${key}'`]) });
    }
  }
  /** Records the bound `size` breaks, worded as AWS words it; answers whether it is within min..max. */
  const bound = (member: string, value: string, kind: 'length' | 'value', size: number, min: number, max: number): boolean => {
    if (size < min) constraint(member, value, `have ${kind} greater than or equal to ${min}`);
    else if (size > max) constraint(member, value, `have ${kind} less than or equal to ${max}`);
    return size >= min && size <= max;
  };
  const { RoleArn: roleArn, RoleSessionName: name, DurationSeconds: duration, ExternalId: externalId } = params;
  if (roleArn === undefined) constraint('roleArn', 'null', 'not be null');
  else bound('roleArn', roleArn, 'length', roleArn.length, 20, 2048);
  if (name === undefined) {constraint('roleSessionName', 'null', 'not be null');} else if (bound('roleSessionName', name, 'length', name.length, 2, 64) && !/^[\w+=,.@-]*$/.test(name)) {
    constraint('roleSessionName', name, 'satisfy regular expression pattern: [\\w+=,.@-]*');
  }
  if (duration !== undefined && !/^\d+$/.test(duration)) constraint('durationSeconds', duration, 'be an integer');
  else if (duration !== undefined) bound('durationSeconds', duration, 'value', Number(duration), 900, 43200);
  if (externalId !== undefined && bound('externalId', externalId, 'length', externalId.length, 2, 1224) && !/^[\w+=,.@:/-]*$/.test(externalId)) {
    constraint('externalId', externalId, 'satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
  }
  return problems;
}

export class StsEmulator extends HttpEmulator<StsFaultSpec> {
  /** Starts an emulator on 127.0.0.1 with a random free port. */
  static start(options: EmulatorOptions = {}): Promise<StsEmulator> {
    return new StsEmulator(options.seed ?? 42, options).listen();
  }

  /** Every request, in order, including refused and faulted ones. */
  public readonly requests: RecordedStsRequest[] = [];
  /** Every role session AssumeRole started, in order. */
  public readonly sessions: IssuedSession[] = [];

  private readonly roles = new Map<string, RoleSeed & { maxSessionDurationSeconds: number }>();
  private lifetimeSeconds?: number;
  private requestCount = 0;

  private constructor(seed: number, options: EmulatorOptions) {
    super(seed, options);
  }

  /** Defines a role (IAM roles are global: one per ARN, whatever the region) with its trust policy. */
  addRole(roleArn: string, trust: RoleSeed): void {
    if (!ROLE_ARN.test(roleArn)) throw new Error(`addRole: '${roleArn}' is not a role ARN (arn:aws:iam::<account>:role/<name>)`);
    if (this.roles.has(roleArn)) throw new Error(`addRole: ${roleArn} already exists`);
    const bad = trust.trustedPrincipalArns.filter((p) => !TRUSTED_PRINCIPAL.test(p));
    if (trust.trustedPrincipalArns.length === 0 || bad.length > 0) {
      throw new Error(`addRole: trustedPrincipalArns must be 1 or more role, user or root ARNs or account ids; got ${JSON.stringify(trust.trustedPrincipalArns)}`);
    }
    if (trust.principalOrgId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(trust.principalOrgId)) {
      throw new Error(`addRole: principalOrgId must match o-[a-z0-9]{10,32}, got '${trust.principalOrgId}'`);
    }
    const max = trust.maxSessionDurationSeconds ?? ONE_HOUR;
    if (!Number.isInteger(max) || max < ONE_HOUR || max > 43200) throw new Error(`addRole: maxSessionDurationSeconds must be 3600 to 43200, got ${max}`);
    this.roles.set(roleArn, { ...structuredClone(trust), maxSessionDurationSeconds: max });
  }

  /** Credentials AssumeRole issues last `seconds` (whatever DurationSeconds asked for); undefined restores DurationSeconds. */
  setCredentialLifetime(seconds: number | undefined): void {
    if (seconds !== undefined && !(seconds > 0)) throw new Error(`setCredentialLifetime: seconds must be > 0, got ${seconds}`);
    this.lifetimeSeconds = seconds;
  }

  requestsFor(action: string): RecordedStsRequest[] {
    return this.requests.filter((r) => r.action === action);
  }

  /** All constraint violations of all recorded requests, as '<Action>: <violation>'. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.action || '(no Action)'}: ${v}`));
  }

  /** Clears roles, sessions, requests, faults and the lifetime override (the identities and their clock are reset on their own). */
  reset(): void {
    this.roles.clear();
    this.sessions.length = 0;
    this.requests.length = 0;
    this.lifetimeSeconds = undefined;
    this.requestCount = 0;
    this.resetFaults();
  }

  protected async onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void> {
    const { params, duplicates } = parseForm(text);
    const attribution = this.identities.attribute(req);
    const scope = this.requestScope(attribution);
    const record: RecordedStsRequest = { action: params.Action ?? '', params, status: 0, violations: [], time, ...scope };
    this.requests.push(record);
    if (attribution.kind === 'refused') {
      this.respondError(record, res, authError(attribution.refusal));
      return;
    }
    const problems: Problem[] = [];
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (req.method !== 'POST' || contentType !== 'application/x-www-form-urlencoded') {
      problems.push({ violation: `expected POST with application/x-www-form-urlencoded, got ${req.method} ${contentType}`, error: validationError(['bad request']) });
    }
    for (const key of duplicates) problems.push({ violation: `parameter '${key}' is repeated`, error: validationError([`parameter '${key}' is repeated`]) });
    if (attribution.kind === 'unsigned') {
      problems.push({ violation: 'request is not SigV4-signed', error: { status: 403, type: 'Sender', code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' } });
    } else if (attribution.caller.service !== 'sts') {
      problems.push({ violation: `request is signed for service '${attribution.caller.service}', not 'sts'`, error: { status: 403, type: 'Sender', code: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'sts'." } });
    }
    if (record.action !== 'AssumeRole' && record.action !== 'GetCallerIdentity') {
      problems.push({ violation: `Action '${record.action}' is not emulated (only AssumeRole, GetCallerIdentity)`, error: { status: 400, type: 'Sender', code: 'InvalidAction', message: `Could not find operation ${record.action} for version ${params.Version ?? ''}` } });
    } else if (params.Version !== API_VERSION) {
      problems.push({ violation: `Version must be ${API_VERSION}, got '${params.Version ?? ''}'`, error: { status: 400, type: 'Sender', code: 'InvalidAction', message: `Could not find operation ${record.action} for version ${params.Version ?? ''}` } });
    } else if (record.action === 'AssumeRole') {
      problems.push(...checkAssumeRole(params));
    } else if (Object.keys(params).some((k) => k !== 'Action' && k !== 'Version')) {
      problems.push({ violation: 'GetCallerIdentity takes no parameters', error: validationError(['GetCallerIdentity takes no parameters']) });
    }
    record.violations.push(...problems.map((p) => p.violation));
    const fault = this.takeFault(record.action, scope);
    if (fault) {
      this.respondError(record, res, FAULTS[fault.kind](scope));
      return;
    }
    if (problems.length > 0) {
      this.respondError(record, res, problems[0].error);
      return;
    }
    const caller = (attribution as { caller: Caller }).caller;
    if (record.action === 'GetCallerIdentity') {
      record.status = 200;
      sendResult(res, XML_NAMESPACE, 'GetCallerIdentity', this.nextRequestId(),
        xmlElement('Arn', caller.principalArn) + xmlElement('UserId', caller.userId) + xmlElement('Account', caller.account));
      return;
    }
    const answer = this.assumeRole(params, caller);
    if ('error' in answer) {
      if (answer.error.code === 'ValidationError') record.violations.push(answer.error.message);
      this.respondError(record, res, answer.error);
      return;
    }
    record.status = 200;
    sendResult(res, XML_NAMESPACE, 'AssumeRole', this.nextRequestId(), answer.xml);
  }

  protected sendBugResponse(res: http.ServerResponse, err: unknown): void {
    sendQueryError(res, XML_NAMESPACE, this.nextRequestId(), { status: 500, type: 'Receiver', code: 'InternalFailure', message: `STS emulator bug: ${String(err)}` });
  }

  protected isFaultKind(kind: string): boolean {
    return kind in FAULTS;
  }

  /** The trust check, the session limits, and the credentials: AssumeRole's answer (inner XML) or its error. */
  private assumeRole(params: Record<string, string>, caller: Caller): { xml: string } | { error: QueryError } {
    const roleArn = params.RoleArn as string;
    const sessionName = params.RoleSessionName as string;
    const role = this.roles.get(roleArn);
    if (!role || !this.trusts(role, caller, params.ExternalId)) {
      return { error: { status: 403, type: 'Sender', code: 'AccessDenied', message: `User: ${caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}` } };
    }
    const duration = params.DurationSeconds === undefined ? ONE_HOUR : Number(params.DurationSeconds);
    if (caller.issuedByAssumeRole && duration > ONE_HOUR) {
      return { error: { ...validationError([]), message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' } };
    }
    if (duration > role.maxSessionDurationSeconds) {
      return { error: { ...validationError([]), message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' } };
    }
    const [, account, roleName] = ROLE_ARN.exec(roleArn) as RegExpExecArray;
    const assumedRoleArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    const assumedRoleId = `${derivedId('AROA', roleArn, 17)}:${sessionName}`;
    const credentials = this.identities.issue({
      account, principalArn: assumedRoleArn, userId: assumedRoleId, lifetimeMs: (this.lifetimeSeconds ?? duration) * 1000,
    });
    this.sessions.push({
      roleArn,
      roleSessionName: sessionName,
      assumedRoleArn,
      callerArn: caller.principalArn,
      accessKeyId: credentials.accessKeyId,
      expiration: new Date(credentials.expiration),
      externalId: params.ExternalId,
    });
    const expiration = new Date(credentials.expiration).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      xml: '<Credentials>' + xmlElement('AccessKeyId', credentials.accessKeyId) + xmlElement('SecretAccessKey', credentials.secretAccessKey)
        + xmlElement('SessionToken', credentials.sessionToken) + xmlElement('Expiration', expiration) + '</Credentials>'
        + '<AssumedRoleUser>' + xmlElement('AssumedRoleId', assumedRoleId) + xmlElement('Arn', assumedRoleArn) + '</AssumedRoleUser>',
    };
  }

  /** Whether the role's trust policy lets `caller` assume it (principal, aws:PrincipalOrgID, sts:ExternalId). */
  private trusts(role: RoleSeed, caller: Caller, externalId: string | undefined): boolean {
    const session = assumedRoleOf(caller.principalArn);
    const principal = role.trustedPrincipalArns.some((p) => {
      if (p === caller.account || p === `arn:aws:iam::${caller.account}:root` || p === caller.principalArn) return true;
      const trusted = ROLE_ARN.exec(p);
      return session !== undefined && trusted !== null && trusted[1] === session.account && trusted[2] === session.roleName;
    });
    if (!principal) return false;
    if (role.principalOrgId !== undefined && this.identities.organizationOf(caller.account) !== role.principalOrgId) return false;
    return role.externalId === undefined || externalId === role.externalId;
  }

  private respondError(record: RecordedStsRequest, res: http.ServerResponse, error: QueryError): void {
    record.status = error.status;
    record.errorCode = error.code;
    sendQueryError(res, XML_NAMESPACE, this.nextRequestId(), error);
  }

  private nextRequestId(): string {
    this.requestCount += 1;
    return sequentialId('77777777', this.requestCount);
  }
}

/** Jest helper: fails with one line per violation when the emulator recorded any. */
export function expectNoStsViolations(emulator: StsEmulator): void {
  throwOnViolations('STS', emulator.violations());
}
