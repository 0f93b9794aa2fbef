/**
 * Scaffolding shared by the in-process AWS emulators (`iot-emulator.ts`, `sns-emulator.ts`, ...): an
 * HTTP server on 127.0.0.1 with a random free port, stop with pending timers released, request
 * body reading, a seeded PRNG, the bookkeeping of injected faults, and who sent a request
 * (`identity.ts`): its (account, region), on which each emulator keys its state. The protocol
 * (routing, wire format, errors) stays in each emulator.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Attribution, checkScope, DEFAULT_ACCOUNT, DEFAULT_REGION, Identities, Scope } from './identity';

/** What every emulator's `start()` takes. */
export interface EmulatorOptions {
  /** Seeds the PRNG that probabilistic faults draw from. */
  seed?: number;
  /** The identities shared with the other emulators of the test; default: the emulator's own. */
  identities?: Identities;
  /** The region that seeding and read-back without `at()` act on (with `DEFAULT_ACCOUNT`); default `DEFAULT_REGION`. */
  region?: string;
}

/** Where a request goes: its scope, and the caller's principal when it was signed by a known key. */
export interface RequestScope extends Scope {
  principalArn?: string;
}

/** What every emulator's fault spec has in common. */
export interface BaseFaultSpec {
  kind: string;
  /** Operation name; omitted = any operation. */
  operation?: string;
  /** How many requests the fault hits; default 1; Infinity allowed. */
  times?: number;
  /** Chance (0..1) that a matching request is hit, drawn from the emulator's seeded PRNG. */
  probability?: number;
  /** Only requests to this account; omitted = any account. */
  account?: string;
  /** Only requests to this region; omitted = any region. */
  region?: string;
}

/** Park-Miller "minimal standard" PRNG: deterministic, exact in doubles, no bitwise operators. */
class MinStdRandom {
  private static readonly MODULUS = 2147483647;
  private state: number;
  constructor(seed: number) {
    const s = Math.abs(Math.floor(seed)) % (MinStdRandom.MODULUS - 1);
    this.state = s + 1;
  }
  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state * 48271) % MinStdRandom.MODULUS;
    return (this.state - 1) / (MinStdRandom.MODULUS - 1);
  }
}

interface ActiveFault<F> {
  readonly spec: F;
  remaining: number;
}

export abstract class HttpEmulator<F extends BaseFaultSpec> {
  /** 'http://127.0.0.1:PORT'. */
  public endpoint = '';
  /** Accounts, access keys and issued credentials: who may call, and as whom. */
  public readonly identities: Identities;
  /** The scope that seeding and read-back act on: the default one here, another in a view made by `at()`. */
  protected readonly scope: Scope;

  /** True once stop() was called; a request that was waiting must not answer any more. */
  protected stopped = false;
  private readonly server: http.Server;
  private readonly seed: number;
  private random: MinStdRandom;
  private faults: ActiveFault<F>[] = [];
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  protected constructor(seed: number, options: EmulatorOptions = {}) {
    this.identities = options.identities ?? new Identities();
    this.scope = { account: DEFAULT_ACCOUNT, region: options.region ?? DEFAULT_REGION };
    checkScope('start', this.scope);
    this.seed = seed;
    this.random = new MinStdRandom(seed);
    this.server = http.createServer((req, res) => {
      this.receive(req, res).catch((err: unknown) => {
        // Last resort: never let a request crash the process.
        if (!res.headersSent && !res.destroyed) this.sendBugResponse(res, err);
      });
    });
  }

  injectFault(fault: F): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error(`injectFault: times must be > 0, got ${times}`);
    if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
      throw new Error(`injectFault: probability must be within 0..1, got ${fault.probability}`);
    }
    if (!this.isFaultKind(fault.kind)) throw new Error(`injectFault: unknown kind ${String(fault.kind)}`);
    this.faults.push({ spec: { ...fault }, remaining: times });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Answers one request; `text` is its whole body (UTF-8), `time` the epoch milliseconds it arrived at. */
  protected abstract onRequest(req: http.IncomingMessage, res: http.ServerResponse, text: string, time: number): Promise<void>;

  /** Answers a request whose handling threw unexpectedly (an emulator bug). */
  protected abstract sendBugResponse(res: http.ServerResponse, err: unknown): void;

  /** Whether injectFault accepts this kind. */
  protected abstract isFaultKind(kind: string): boolean;

  /** Listens on 127.0.0.1 with a random free port and sets `endpoint`. */
  protected async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.endpoint = `http://127.0.0.1:${address.port}`;
    return this;
  }

  /**
   * This emulator seen from another scope: an object whose seeding and read-back methods act on
   * `scope` (missing members: the default account and region); requests, faults and the server
   * stay the emulator's. Each emulator's `at()` returns it typed as those methods only.
   */
  protected view(scope: Partial<Scope>): this {
    const full: Scope = { account: scope.account ?? DEFAULT_ACCOUNT, region: scope.region ?? this.scope.region };
    checkScope('at', full);
    return Object.create(this, { scope: { value: full } }) as this;
  }

  /** The scope a request acts on and its caller: a signed request's own, an unsigned one's the default. */
  protected requestScope(attribution: Attribution): RequestScope {
    switch (attribution.kind) {
      case 'caller': return { account: attribution.caller.account, region: attribution.caller.region, principalArn: attribution.caller.principalArn };
      case 'refused': return { ...attribution.scope };
      default: return { ...this.scope };
    }
  }

  /** Whether `record` (a recorded request) was made in this object's scope. */
  protected inScope(record: Scope): boolean {
    return record.account === this.scope.account && record.region === this.scope.region;
  }

  /** Drops all injected faults and re-seeds the PRNG. */
  protected resetFaults(): void {
    this.faults = [];
    this.random = new MinStdRandom(this.seed);
  }

  /**
   * The first live fault that applies to `operation` in `scope` (and wins its probability draw);
   * uses it up once. Without `operation`, specs are not filtered by operation.
   */
  protected takeFault(operation: string | undefined, scope: Scope): F | undefined {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (operation !== undefined && f.spec.operation !== undefined && f.spec.operation !== operation) continue;
      if (f.spec.account !== undefined && f.spec.account !== scope.account) continue;
      if (f.spec.region !== undefined && f.spec.region !== scope.region) continue;
      if (f.spec.probability !== undefined && this.random.next() >= f.spec.probability) continue;
      f.remaining -= 1;
      return f.spec;
    }
    return undefined;
  }

  private async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = Date.now();
    let text: string;
    try {
      text = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    await this.onRequest(req, res, text, time);
  }

  /** Writes a JSON answer (the JSON protocols: `application/x-amz-json-1.0` or `-1.1`). */
  protected sendJson(res: http.ServerResponse, status: number, contentType: string, payload: unknown, requestId: string): void {
    const body = JSON.stringify(payload);
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': requestId });
    res.end(body);
  }

  /** Waits `ms`; stop() cuts the wait short. */
  protected sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }
}

/** Reads the whole request body as UTF-8. */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Deterministic UUID-shaped id: `<prefix>-0000-4000-8000-<n as 12 hex digits>`. */
export function sequentialId(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Jest helper body: throws with one line per violation when there are any. */
export function throwOnViolations(emulatorName: string, violations: string[]): void {
  if (violations.length > 0) {
    throw new Error(
      `${emulatorName} emulator recorded ${violations.length} request constraint violation(s):\n${violations.map((v) => `  - ${v}`).join('\n')}`,
    );
  }
}
