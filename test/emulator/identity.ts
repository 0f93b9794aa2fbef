/**
 * Who sent a request, for every emulator: the accounts, their long-term access keys and the
 * temporary credentials the STS emulator issues, kept in one `Identities` object that the
 * emulators of a test share. A request is attributed to an (account, principal ARN) by the access
 * key id of its SigV4 `Authorization` header, and to a region by the header's credential scope;
 * the emulators key their state on that (account, region).
 *
 * As AWS does, a key nobody issued, a temporary key sent without its session token (or with
 * another one), and a temporary key past its expiration are refused before anything else is
 * looked at; each protocol answers with the codes AWS uses (`AUTH_ERRORS`). Signatures themselves
 * are not verified: the secret key is never checked. A request with no SigV4 header at all is
 * left to each emulator (they record it as a violation, or serve it in the default scope).
 */
import { createHash } from 'node:crypto';
import type * as http from 'node:http';

/** The account every emulator serves when a test names none; the default access key belongs to it. */
export const DEFAULT_ACCOUNT = '123456789012';
/** The region an emulator serves when a test names none (each emulator's `start({ region })` may change it). */
export const DEFAULT_REGION = 'us-east-1';
/** The long-term access key of `DEFAULT_ACCOUNT` that the tests and the handler harness sign with. */
export const DEFAULT_ACCESS_KEY_ID = 'AKIDEXAMPLE';
/** The principal `DEFAULT_ACCESS_KEY_ID` authenticates as. */
export const DEFAULT_PRINCIPAL_ARN = `arn:aws:iam::${DEFAULT_ACCOUNT}:user/emulator`;

const ACCOUNT_ID = /^\d{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** AWS's AccessKeyId characters (real keys are 20 long; the tests use shorter made-up ones such as AKIDEXAMPLE). */
const ACCESS_KEY_ID = /^\w{1,128}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam::(\d{12}):(root|user\/.+|role\/.+)|sts::(\d{12}):assumed-role\/[^/]+\/.+)$/;
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request\b/;

/** An account and a region: what every emulator keys its state on. */
export interface Scope {
  readonly account: string;
  readonly region: string;
}

/** Who sent an authenticated request, and where. */
export interface Caller extends Scope {
  readonly accessKeyId: string;
  /** `arn:aws:iam::<account>:user/<name>`, `...:root`, or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly principalArn: string;
  /** What GetCallerIdentity answers as UserId (`AIDA...`, the account id for root, `AROA...:<session>`). */
  readonly userId: string;
  /** The service of the credential scope (`iot`, `sns`, `sts`, ...). */
  readonly service: string;
  /** Credentials the STS emulator issued by AssumeRole (a role session assuming another role is role chaining). */
  readonly issuedByAssumeRole: boolean;
}

/** Why a signed request was refused before it was looked at. */
export type AuthRefusal = 'invalid' | 'expired';

/** What the identities make of a request. */
export type Attribution =
  | { readonly kind: 'unsigned' }
  /** `scope`: the key's account (the default account for a key nobody issued) and the signed region. */
  | { readonly kind: 'refused'; readonly refusal: AuthRefusal; readonly scope: Scope; readonly accessKeyId: string }
  | { readonly kind: 'caller'; readonly caller: Caller };

/** The wire protocols the emulators speak, for the error each answers an `AuthRefusal` with. */
export type Protocol = 'awsQuery' | 'awsJson' | 'restJson';

/** The error AWS answers a refused key with, by protocol (query services, JSON services, AWS IoT's REST API). */
export const AUTH_ERRORS: Readonly<Record<Protocol, Readonly<Record<AuthRefusal, { status: number; code: string }>>>> = {
  awsQuery: { invalid: { status: 403, code: 'InvalidClientTokenId' }, expired: { status: 403, code: 'ExpiredToken' } },
  awsJson: { invalid: { status: 400, code: 'UnrecognizedClientException' }, expired: { status: 400, code: 'ExpiredTokenException' } },
  restJson: { invalid: { status: 403, code: 'UnrecognizedClientException' }, expired: { status: 403, code: 'ExpiredTokenException' } },
};

export const AUTH_MESSAGES: Readonly<Record<AuthRefusal, string>> = {
  invalid: 'The security token included in the request is invalid.',
  expired: 'The security token included in the request is expired',
};

/** A long-term access key (or a key a test gives a fixed session, like a Lambda function's role). */
export interface AccessKeySeed {
  accessKeyId: string;
  account: string;
  /** @default `arn:aws:iam::<account>:user/<accessKeyId>` */
  principalArn?: string;
  /** When set, requests must carry it as `x-amz-security-token` (as a Lambda function's credentials do). */
  sessionToken?: string;
}

/** Temporary credentials, as AssumeRole answers them. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds, on the identities' clock. */
  readonly expiration: number;
}

interface KeyRecord {
  readonly account: string;
  readonly principalArn: string;
  readonly userId: string;
  readonly sessionToken?: string;
  /** Epoch milliseconds; only temporary credentials expire. */
  readonly expiration?: number;
  readonly issuedByAssumeRole: boolean;
}

/** A deterministic id of `length` upper-case letters and digits derived from `text`. */
export function derivedId(prefix: string, text: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = createHash('sha512').update(text).digest();
  if (length > bytes.length) throw new Error(`derivedId: at most ${bytes.length} characters`);
  return prefix + [...bytes.subarray(0, length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The caller's account and the role name of an assumed-role session ARN, or undefined. */
export function assumedRoleOf(principalArn: string): { account: string; roleName: string } | undefined {
  const m = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
  return m ? { account: m[1], roleName: m[2] } : undefined;
}

/** A principal of `account` and the UserId GetCallerIdentity answers for it; throws for another account's or a malformed ARN. */
function principal(what: string, account: string, principalArn: string): { account: string; principalArn: string; userId: string } {
  const m = PRINCIPAL_ARN.exec(principalArn);
  if (!m || (m[2] ?? m[4]) !== account) {
    throw new Error(`${what}: principalArn must be a user, root or assumed-role ARN of account ${account}, got '${principalArn}'`);
  }
  const session = assumedRoleOf(principalArn);
  let userId: string;
  if (session) userId = `${derivedId('AROA', `arn:aws:iam::${account}:role/${session.roleName}`, 17)}:${principalArn.split('/').pop()}`;
  else if (principalArn.endsWith(':root')) userId = account;
  else userId = derivedId('AIDA', principalArn, 17);
  return { account, principalArn, userId };
}

/** Throws unless `scope` names a 12-digit account and a region name; `what` prefixes the message. */
export function checkScope(what: string, scope: Scope): void {
  if (!ACCOUNT_ID.test(scope.account)) throw new Error(`${what}: account must be 12 digits, got '${scope.account}'`);
  if (!REGION_NAME.test(scope.region)) throw new Error(`${what}: region must be a region name such as us-east-1, got '${scope.region}'`);
}

/** The access key id, date, region and service of a SigV4 Authorization header, or undefined. */
export function sigV4Credential(authorization: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  const m = SIGV4.exec(authorization ?? '');
  return m ? { accessKeyId: m[1], region: m[3], service: m[4] } : undefined;
}

/**
 * Accounts (with their organization), access keys, and the credentials STS issued, with the clock
 * that expires them. One object per test run, shared by the emulators (`startEmulators()` makes it);
 * an emulator started alone makes its own.
 */
export class Identities {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly organizations = new Map<string, string | undefined>();
  private clockOffsetMs = 0;
  private issued = 0;

  constructor() {
    this.reset();
  }

  /** Back to the default account and its key only: no other account, key or issued credential; the clock is real time again. */
  reset(): void {
    this.keys.clear();
    this.organizations.clear();
    this.clockOffsetMs = 0;
    this.issued = 0;
    this.addAccessKey({ accessKeyId: DEFAULT_ACCESS_KEY_ID, account: DEFAULT_ACCOUNT, principalArn: DEFAULT_PRINCIPAL_ARN });
  }

  /** Epoch milliseconds on the emulators' clock: real time, moved on by `advanceClock`. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the clock on by `ms` (credentials expire by it; the clients' own clocks are not moved). */
  advanceClock(ms: number): void {
    if (!(ms >= 0)) throw new Error(`advanceClock: ms must be >= 0, got ${ms}`);
    this.clockOffsetMs += ms;
  }

  /** Declares an account, optionally in an AWS Organizations organization (`o-` and 10 to 32 characters). */
  addAccount(account: string, options: { organizationId?: string } = {}): void {
    checkScope('addAccount', { account, region: DEFAULT_REGION });
    if (options.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(options.organizationId)) {
      throw new Error(`addAccount: organizationId must match o-[a-z0-9]{10,32}, got '${options.organizationId}'`);
    }
    const known = this.organizations.get(account);
    if (known !== undefined && known !== options.organizationId) {
      throw new Error(`addAccount: account ${account} is already in organization ${known}`);
    }
    this.organizations.set(account, options.organizationId);
  }

  /** The organization `account` was added to, if any. */
  organizationOf(account: string): string | undefined {
    return this.organizations.get(account);
  }

  /** Registers a long-term access key (its account is added if it is new). */
  addAccessKey(seed: AccessKeySeed): void {
    if (!ACCESS_KEY_ID.test(seed.accessKeyId)) {
      throw new Error(`addAccessKey: accessKeyId must be 1 to 128 letters, digits or underscores, got '${seed.accessKeyId}'`);
    }
    if (this.keys.has(seed.accessKeyId)) throw new Error(`addAccessKey: ${seed.accessKeyId} is already registered`);
    if (!this.organizations.has(seed.account)) this.addAccount(seed.account);
    const principalArn = seed.principalArn ?? `arn:aws:iam::${seed.account}:user/${seed.accessKeyId}`;
    this.keys.set(seed.accessKeyId, { ...principal('addAccessKey', seed.account, principalArn), sessionToken: seed.sessionToken, issuedByAssumeRole: false });
  }

  /**
   * Makes a registered long-term key authenticate as another principal of its account; for example
   * the default key as the session of a Lambda function's role (what a trust policy names), so a
   * handler that signs with the harness's environment acts as that role.
   */
  setPrincipal(accessKeyId: string, principalArn: string): void {
    const key = this.keys.get(accessKeyId);
    if (!key || key.issuedByAssumeRole) throw new Error(`setPrincipal: ${accessKeyId} is not a registered long-term key`);
    this.keys.set(accessKeyId, { ...key, ...principal('setPrincipal', key.account, principalArn) });
  }

  /** Issues temporary credentials for a role session (the STS emulator's AssumeRole). */
  issue(session: { account: string; principalArn: string; userId: string; lifetimeMs: number }): TemporaryCredentials {
    this.issued += 1;
    const n = this.issued.toString().padStart(8, '0');
    const credentials: TemporaryCredentials = {
      accessKeyId: derivedId('ASIA', `key ${n}`, 8) + n,
      secretAccessKey: derivedId('', `secret ${n}`, 40),
      sessionToken: `IQoJb3JpZ2luX2VjE${derivedId('', `token ${n}`, 48)}${n}`,
      // Whole seconds, as STS answers an Expiration.
      expiration: Math.floor((this.now() + session.lifetimeMs) / 1000) * 1000,
    };
    this.keys.set(credentials.accessKeyId, {
      account: session.account,
      principalArn: session.principalArn,
      userId: session.userId,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
      issuedByAssumeRole: true,
    });
    return credentials;
  }

  /**
   * Who sent `req`: unsigned (no SigV4 header), refused (a key nobody issued, a session token
   * missing or not the key's, credentials past their expiration), or the caller.
   */
  attribute(req: http.IncomingMessage): Attribution {
    const credential = sigV4Credential(req.headers.authorization);
    if (!credential) return { kind: 'unsigned' };
    const key = this.keys.get(credential.accessKeyId);
    const refused = (refusal: AuthRefusal): Attribution => ({
      kind: 'refused', refusal, accessKeyId: credential.accessKeyId, scope: { account: key?.account ?? DEFAULT_ACCOUNT, region: credential.region },
    });
    if (!key) return refused('invalid');
    const token = req.headers['x-amz-security-token'];
    const sent = typeof token === 'string' && token !== '' ? token : undefined;
    if (sent !== key.sessionToken) return refused('invalid');
    if (key.expiration !== undefined && this.now() >= key.expiration) return refused('expired');
    return {
      kind: 'caller',
      caller: {
        accessKeyId: credential.accessKeyId,
        account: key.account,
        region: credential.region,
        principalArn: key.principalArn,
        userId: key.userId,
        service: credential.service,
        issuedByAssumeRole: key.issuedByAssumeRole,
      },
    };
  }
}

/** State kept per (account, region), made on first use. */
export class ScopedStates<T> {
  private readonly states = new Map<string, { scope: Scope; state: T }>();

  constructor(private readonly create: (scope: Scope) => T) {}

  get(scope: Scope): T {
    const key = `${scope.account}/${scope.region}`;
    let entry = this.states.get(key);
    if (!entry) {
      entry = { scope: { account: scope.account, region: scope.region }, state: this.create(scope) };
      this.states.set(key, entry);
    }
    return entry.state;
  }

  /** Every scope used so far, with its state. */
  entries(): Array<{ scope: Scope; state: T }> {
    return [...this.states.values()];
  }

  clear(): void {
    this.states.clear();
  }
}
