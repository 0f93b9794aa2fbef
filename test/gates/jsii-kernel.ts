/**
 * jsii kernel gate: proves that Python, Java, .NET and Go users can load the packed library
 * through the jsii runtime, the same Node.js process their language bindings talk to.
 *
 * It packs @jsii/runtime, our oldest supported constructs and aws-cdk-lib, and the jsii packages
 * that aws-cdk-lib does not bundle (@aws-cdk/cloud-assembly-schema, ...) from the npm registry;
 * starts the runtime's self-contained bundle with plain `node` in a clean process that cannot
 * resolve any package of this repository; loads them all plus our tarball into it; builds an app
 * through kernel calls only (App, Stack, an SNS Topic, two MitigationActions); synthesizes it; and
 * checks the template that the runtime wrote.
 *
 *   ts-node --transpile-only --project tsconfig.dev.json test/gates/jsii-kernel.ts <tarball>
 *
 * Uses Node built-ins only, plus `npm` and `tar` on the PATH.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The runtime to run: the `jsii` libraries of the other languages embed this same bundle, in the
 * same version. Pinned, and used from its webpack bundle: @jsii/kernel, which it needs when
 * installed normally, is only on the registry here in an old version.
 */
const JSII_RUNTIME_VERSION = '1.140.0';
const PACKAGE_NAME = 'cdk-device-defender';
const STACK_ID = 'KernelStack';
const DEFAULT_TIMEOUT_MS = 90_000;
const EXIT_GRACE_MS = 10_000;
/** Packages that must not be resolvable from the kernel's module directory before it loads them. */
const MUST_NOT_RESOLVE = ['constructs', 'aws-cdk-lib', PACKAGE_NAME, '@aws-sdk/client-iot'];

export interface CheckJsiiKernelOptions {
  /** The library packed by `npm pack` (lib/, assets/ and .jsii). */
  readonly tarball: string;
  /**
   * A directory for the packed dependencies, the runtime, the kernel's modules and the cloud
   * assembly. It must not lie under any node_modules (the isolation check fails then).
   */
  readonly workDir: string;
  /** Time allowed to the kernel process from spawn to exit. @default 90 s */
  readonly timeoutMs?: number;
  /**
   * Where the runtime caches extracted packages (JSII_RUNTIME_PACKAGE_CACHE_ROOT).
   * @default - the runtime's own default, as for real users (~/.cache/aws/jsii/package-cache on Linux)
   */
  readonly packageCacheRoot?: string;
}

// ---------------------------------------------------------------------------------------------
// The wire protocol (see @jsii/kernel's api.ts): one JSON object per line each way.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A reference to an object that lives in the kernel. */
interface ObjRef extends JsonObject {
  '$jsii.byref': string;
}

function struct(fqn: string, data: JsonObject): JsonObject {
  return { '$jsii.struct': { fqn, data } };
}

function enumValue(fqn: string, member: string): JsonObject {
  return { '$jsii.enum': `${fqn}/${member}` };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObjRef(value: Json | undefined, what: string): ObjRef {
  if (isObject(value) && typeof value['$jsii.byref'] === 'string') {
    return value as ObjRef;
  }
  throw new Error(`${what}: expected an object reference, got ${JSON.stringify(value)}`);
}

function field(reply: Json, name: string, what: string): Json {
  if (!isObject(reply) || !(name in reply)) {
    throw new Error(`${what}: reply has no '${name}': ${JSON.stringify(reply)}`);
  }
  return reply[name];
}

interface Pending {
  readonly step: string;
  readonly resolve: (value: Json) => void;
  readonly reject: (error: Error) => void;
  /** Set when the kernel asked for a callback, which this client never registers. */
  callbackError?: string;
}

/**
 * A jsii runtime process. Requests go one at a time: the kernel answers each before reading the
 * next (it only reads ahead while it waits for a callback's completion).
 *
 * webpack/bin/jsii-runtime.js is a wrapper: it starts `node --preserve-symlinks
 * webpack/lib/program.js` (the kernel) with the protocol on file descriptor 3, pipes its own
 * stdin and stdout to it, and forwards the kernel's stdout and stderr to its own stderr, one
 * `{"stdout"|"stderr": <base64>}` line per chunk. So stdout carries protocol lines only, and stderr
 * mixes those JSON lines with the wrapper's own plain text (Node version warnings).
 */
class KernelProcess {
  private readonly child: ChildProcess;
  /** Decoded stderr of the kernel and the wrapper, for error messages. */
  private readonly stderrTail: string[] = [];
  /** The wrapper's own stderr text (not forwarded from the kernel). */
  private readonly wrapperText: string[] = [];
  private stdoutBuffer = '';
  private pending: Pending | undefined;
  private failure: Error | undefined;
  private readonly hello: Promise<string>;
  private onHello: ((greeting: string) => void) | undefined;
  private onFailure: ((err: Error) => void) | undefined;
  private readonly closed: Promise<number | null>;
  private readonly timer: NodeJS.Timeout;

  constructor(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
    // detached: the wrapper leads a process group, so that kill() ends the kernel it started too.
    this.child = spawn(process.execPath, [script], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.hello = new Promise((resolve, reject) => {
      this.onHello = resolve;
      this.onFailure = reject;
    });
    this.hello.catch(() => { /* also reported to the pending request, or by waitForHello */ });
    this.closed = new Promise((resolve) => this.child.once('close', (code) => {
      // Not a reliable status: the wrapper exits 0 even when the kernel crashed (it waits for an
      // 'end' event that child processes never emit, and then just runs out of work).
      this.fail(new Error(`the jsii runtime exited (code ${code}) before answering`));
      resolve(code);
    }));
    this.child.once('error', (err) => this.fail(new Error(`could not start the jsii runtime: ${err.message}`)));
    this.child.stdout!.setEncoding('utf-8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr!.setEncoding('utf-8').on('data', (chunk: string) => this.onStderr(chunk));
    this.child.stdin!.on('error', () => { /* the process is gone: reported on 'close' */ });
    this.timer = setTimeout(() => {
      this.fail(new Error(`timed out: the jsii runtime ran for more than ${timeoutMs / 1000} s`));
      this.kill();
    }, timeoutMs);
  }

  /** The runtime's greeting, `@jsii/runtime@<version>`, which it sends before reading anything. */
  public waitForHello(): Promise<string> {
    return this.hello.catch((err: Error) => { throw this.withContext('start', err.message); });
  }

  public request(step: string, req: JsonObject): Promise<Json> {
    if (this.pending) {
      throw new Error(`${step}: '${this.pending.step}' is still waiting for its reply`);
    }
    return new Promise((resolve, reject) => {
      if (this.failure) { return reject(this.withContext(step, this.failure.message)); }
      this.pending = { step, resolve, reject };
      this.send(req);
    });
  }

  /** Closes stdin (the kernel exits at the end of its input) and returns the wrapper's exit code. */
  public async close(): Promise<number | null> {
    this.child.stdin!.end();
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => { graceTimer = setTimeout(() => resolve('timeout'), EXIT_GRACE_MS); });
    const result = await Promise.race([this.closed, grace]);
    clearTimeout(graceTimer);
    clearTimeout(this.timer);
    if (result === 'timeout') {
      this.kill();
      throw new Error(`the jsii runtime did not exit within ${EXIT_GRACE_MS / 1000} s of its input closing`);
    }
    return result;
  }

  /** Kills the wrapper and the kernel (the wrapper's process group) if they still run. */
  public kill(): void {
    clearTimeout(this.timer);
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) { return; }
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** What the wrapper itself printed (the check-node banner), without its `!!` frame. */
  public wrapperWarnings(): string[] {
    return [...this.wrapperText];
  }

  private send(message: JsonObject): void {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  private onStdout(chunk: string): void {
    this.stdoutBuffer += chunk;
    let newline: number;
    while ((newline = this.stdoutBuffer.indexOf('\n')) >= 0) {
      const line = this.stdoutBuffer.slice(0, newline).trim();
      this.stdoutBuffer = this.stdoutBuffer.slice(newline + 1);
      if (line) { this.onMessage(line); }
    }
  }

  private onMessage(line: string): void {
    let message: Json;
    try {
      message = JSON.parse(line);
    } catch {
      return this.fail(new Error(`the jsii runtime wrote a line that is not JSON on stdout: ${line.slice(0, 200)}`));
    }
    if (!isObject(message)) {
      return this.fail(new Error(`unexpected message from the jsii runtime: ${line.slice(0, 200)}`));
    }
    if ('hello' in message && this.onHello) {
      this.onHello(String(message.hello));
      this.onHello = undefined;
    } else if ('callback' in message) {
      this.refuseCallback(message.callback);
    } else if ('ok' in message || 'error' in message) {
      this.settle(message);
    } else {
      this.fail(new Error(`unexpected message from the jsii runtime: ${line.slice(0, 200)}`));
    }
  }

  /** No overrides are registered, so a callback is a bug: fail it in the kernel and here. */
  private refuseCallback(callback: Json): void {
    const cbid = isObject(callback) ? callback.cbid : undefined;
    const description = `unexpected callback request ${JSON.stringify(callback).slice(0, 300)}`;
    if (this.pending) { this.pending.callbackError = description; }
    if (typeof cbid !== 'string') {
      return this.fail(new Error(`${description} (no cbid)`));
    }
    this.send({ complete: { cbid, err: `this client registers no overrides: ${description}`, name: '@jsii/kernel.Fault' } });
  }

  private settle(message: JsonObject): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) {
      return this.fail(new Error(`reply without a request: ${JSON.stringify(message).slice(0, 300)}`));
    }
    if (pending.callbackError) {
      pending.reject(this.withContext(pending.step, pending.callbackError));
    } else if ('error' in message) {
      // The message of a failed require() already holds its require stack; the JS stack adds
      // a few frames of where it was thrown.
      const frames = typeof message.stack === 'string'
        ? message.stack.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 5).join('\n') : '';
      pending.reject(new Error(`${pending.step}: the jsii runtime answered ${String(message.name ?? 'an error')}: `
        + `${String(message.error)}${frames ? `\n${frames}` : ''}`));
    } else {
      pending.resolve(message.ok);
    }
  }

  private onStderr(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) { continue; }
      const forwarded = decodeForwarded(line);
      let text = forwarded?.trimEnd();
      if (text === undefined) {
        // eslint-disable-next-line no-control-regex
        text = line.replace(/\u001b\[[0-9;]*m/g, '').replace(/^[!\s]+|[!\s]+$/g, '');
        if (!/[a-z]/i.test(text)) { continue; }
        this.wrapperText.push(text);
      }
      this.stderrTail.push(text);
      if (this.stderrTail.length > 40) { this.stderrTail.shift(); }
    }
  }

  private fail(error: Error): void {
    if (this.failure) { return; }
    this.failure = error;
    this.onFailure?.(error);
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.withContext(pending.step, pending.callbackError ?? error.message));
  }

  private withContext(step: string, message: string): Error {
    const stderr = this.stderrTail.join('\n').trim();
    return new Error(`${step}: ${message}${stderr ? `\n--- runtime stderr (last lines) ---\n${stderr}` : ''}`);
  }
}

/** `{"stderr": <base64>}` or `{"stdout": <base64>}` -> the text; anything else -> undefined. */
function decodeForwarded(line: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    const encoded = isObject(parsed) ? parsed.stderr ?? parsed.stdout : undefined;
    return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf-8') : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Preparation: the tarball's metadata, the packed dependencies and the runtime.

/** A package tarball for the kernel, with the packages it needs loaded before it. */
interface PackageTarball {
  readonly name: string;
  readonly version: string;
  readonly file: string;
  /** Names of its jsii dependencies: `dependencies` that it does not bundle, and `peerDependencies`. */
  readonly needs: string[];
}

function run(step: string, command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${step}: \`${command} ${args.join(' ')}\` failed: ${err.message.trim()}\n${stderr.trim()}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** `^10.5.1`, `~10.5.1`, `>=10.5.1` or `10.5.1` -> `10.5.1`: the oldest version we claim to support. */
function lowestVersion(range: Json | undefined, dependency: string): string {
  const match = typeof range === 'string' ? /^(?:\^|~|>=)?\s*(\d+\.\d+\.\d+)$/.exec(range.trim()) : null;
  if (!match) {
    throw new Error(`read tarball: peerDependencies['${dependency}'] is ${JSON.stringify(range)}, expected ^x.y.z`);
  }
  return match[1];
}

async function readManifest(step: string, tarball: string, workDir: string): Promise<JsonObject> {
  const manifest: unknown = JSON.parse(await run(step, 'tar', ['-xzOf', tarball, 'package/package.json'], workDir));
  if (!isObject(manifest) || typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
    throw new Error(`${step}: ${tarball} has no package.json with a name and a version`);
  }
  return manifest;
}

/** The version ranges of what a package needs loaded before it (a jsii package bundles the rest). */
function neededRanges(manifest: JsonObject): Array<[string, string]> {
  const bundled = manifest.bundledDependencies ?? manifest.bundleDependencies;
  const isBundled = (name: string) => Array.isArray(bundled) && bundled.includes(name);
  const ranges: Array<[string, string]> = [];
  for (const key of ['dependencies', 'peerDependencies']) {
    const deps = manifest[key];
    if (!isObject(deps)) { continue; }
    for (const [name, range] of Object.entries(deps)) {
      if (!isBundled(name) && typeof range === 'string') { ranges.push([name, range]); }
    }
  }
  return ranges;
}

/** Our tarball: checks it is a built cdk-device-defender. */
async function readOurTarball(tarball: string, workDir: string): Promise<PackageTarball & { peers: JsonObject }> {
  const entries = (await run('read tarball', 'tar', ['-tzf', tarball], workDir)).split('\n');
  for (const required of ['package/package.json', 'package/.jsii', 'package/lib/index.js']) {
    if (!entries.includes(required)) {
      throw new Error(`read tarball: ${tarball} has no ${required.slice('package/'.length)} (run \`npx projen compile\` before \`npm pack\`)`);
    }
  }
  const manifest = await readManifest('read tarball', tarball, workDir);
  if (manifest.name !== PACKAGE_NAME) {
    throw new Error(`read tarball: ${tarball} is ${String(manifest.name)}, not ${PACKAGE_NAME}`);
  }
  const peers = isObject(manifest.peerDependencies) ? manifest.peerDependencies : {};
  return { name: PACKAGE_NAME, version: String(manifest.version), file: tarball, needs: neededRanges(manifest).map(([n]) => n), peers };
}

/** `npm pack` of several specs: one tarball each; `--json` tells each one's name and version. */
async function npmPack(specs: string[], workDir: string): Promise<Array<{ name: string; version: string; file: string }>> {
  const out = await run('npm pack', 'npm', ['pack', '--json', ...specs, '--prefer-offline', '--pack-destination', workDir,
    '--loglevel=error'], workDir);
  let packed: unknown;
  try {
    packed = JSON.parse(out);
  } catch {
    throw new Error(`npm pack: stdout of \`npm pack --json ${specs.join(' ')}\` is not JSON: ${out.slice(0, 300)}`);
  }
  if (!Array.isArray(packed) || packed.length !== specs.length) {
    throw new Error(`npm pack: expected ${specs.length} tarballs for ${specs.join(' ')}, got ${JSON.stringify(packed).slice(0, 300)}`);
  }
  return packed.map((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.version !== 'string' || typeof entry.filename !== 'string') {
      throw new Error(`npm pack: no name, version and filename for ${specs[i]}`);
    }
    const file = path.join(workDir, entry.filename);
    if (!fs.existsSync(file)) { throw new Error(`npm pack: ${file} was not written`); }
    return { name: entry.name, version: entry.version, file };
  });
}

/**
 * Packs `roots` and, round by round, whatever they need loaded before them (the npm registry
 * picks the newest version in each range, as pip, Maven, NuGet and Go pick the newest binding).
 * Returns the tarballs in load order: each after everything it needs.
 */
async function packClosure(roots: Array<[string, string]>, workDir: string): Promise<PackageTarball[]> {
  const packed = new Map<string, PackageTarball>();
  let wanted = roots;
  while (wanted.length > 0) {
    const round = [...new Map(wanted.filter(([name]) => !packed.has(name))).entries()];
    const results = await npmPack(round.map(([name, range]) => `${name}@${range}`), workDir);
    const manifests = await Promise.all(results.map((r) => readManifest(`read ${r.name}@${r.version}`, r.file, workDir)));
    wanted = [];
    results.forEach((result, i) => {
      const needs = neededRanges(manifests[i]);
      packed.set(result.name, { ...result, needs: needs.map(([n]) => n) });
      wanted.push(...needs.filter(([name]) => !packed.has(name)));
    });
  }
  return loadOrder([...packed.values()]);
}

function loadOrder(packages: PackageTarball[]): PackageTarball[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const ordered: PackageTarball[] = [];
  const visiting = new Set<string>();
  const visit = (p: PackageTarball) => {
    if (ordered.includes(p) || visiting.has(p.name)) { return; }
    visiting.add(p.name);
    for (const need of p.needs) {
      const dependency = byName.get(need);
      if (dependency) { visit(dependency); }
    }
    ordered.push(p);
  };
  packages.forEach(visit);
  return ordered;
}

/** Extracts the runtime tarball; its webpack bundle needs nothing from node_modules. */
async function extractRuntime(tarball: string, workDir: string): Promise<string> {
  const dir = path.join(workDir, 'jsii-runtime');
  fs.mkdirSync(dir, { recursive: true });
  await run('extract @jsii/runtime', 'tar', ['-xzf', tarball, '-C', dir], workDir);
  const script = path.join(dir, 'package', 'webpack', 'bin', 'jsii-runtime.js');
  if (!fs.existsSync(script) || !fs.existsSync(path.join(dir, 'package', 'webpack', 'lib', 'program.js'))) {
    throw new Error(`extract @jsii/runtime: ${tarball} has no webpack/bin/jsii-runtime.js or webpack/lib/program.js`);
  }
  return script;
}

/**
 * The environment of the kernel: PATH, HOME and the runtime's JSII_* settings only (no NODE_PATH,
 * NODE_OPTIONS, npm_* or ts-node variables), and a TMPDIR inside the work dir, where the kernel
 * makes its module directory.
 */
function kernelEnv(tmpDir: string, packageCacheRoot: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmpDir, LANG: 'C.UTF-8' };
  if (process.env.HOME) { env.HOME = process.env.HOME; }
  // The runtime's own knobs (JSII_DEBUG, JSII_RUNTIME_PACKAGE_CACHE*, ...) pass through.
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('JSII_')) { env[name] = value; }
  }
  if (packageCacheRoot) { env.JSII_RUNTIME_PACKAGE_CACHE_ROOT = packageCacheRoot; }
  return env;
}

/**
 * Proves the isolation: a node process with the kernel's environment, in a directory beside the
 * kernel's module directory (same ancestors), can resolve none of the packages that only the
 * kernel's `load` may provide.
 */
async function checkIsolation(tmpDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const probeDir = fs.mkdtempSync(path.join(tmpDir, 'probe-'));
  const script = `const found = ${JSON.stringify(MUST_NOT_RESOLVE)}.flatMap((m) => {
    try { return [m + ' -> ' + require.resolve(m)]; } catch (e) { if (e.code === 'MODULE_NOT_FOUND') return []; throw e; }
  }); process.stdout.write(JSON.stringify(found));`;
  const found: unknown = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd: probeDir, env, encoding: 'utf-8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) { return reject(new Error(`isolation probe failed: ${err.message}\n${stderr}`)); }
      resolve(JSON.parse(stdout));
    });
  });
  fs.rmSync(probeDir, { recursive: true, force: true });
  if (!Array.isArray(found) || found.length > 0) {
    throw new Error(`isolation: the kernel's environment resolves packages outside the kernel: ${JSON.stringify(found)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The template checks.

interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
}

function readTemplate(outdir: string): Record<string, CfnResource> {
  const file = path.join(outdir, `${STACK_ID}.template.json`);
  if (!fs.existsSync(file)) {
    const written = fs.existsSync(outdir) ? fs.readdirSync(outdir).join(', ') : 'nothing';
    throw new Error(`template: synth wrote no ${file} (outdir holds: ${written})`);
  }
  const template: unknown = JSON.parse(fs.readFileSync(file, 'utf-8'));
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new Error(`template: ${file} has no Resources`);
  }
  return template.Resources as unknown as Record<string, CfnResource>;
}

function assumedByIot(role: CfnResource): boolean {
  const document = role.Properties?.AssumeRolePolicyDocument;
  const statements = isObject(document) && Array.isArray(document.Statement) ? document.Statement : [];
  return statements.some((statement) => {
    const principal = isObject(statement) ? statement.Principal : undefined;
    const service = isObject(principal) ? principal.Service : undefined;
    return service === 'iot.amazonaws.com' || (Array.isArray(service) && service.includes('iot.amazonaws.com'));
  });
}

/** Checks the synthesized template; returns a one-line summary. */
function checkTemplate(resources: Record<string, CfnResource>): string {
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const actions = ofType('AWS::IoT::MitigationAction');
  if (actions.length !== 2) {
    throw new Error(`template: expected 2 AWS::IoT::MitigationAction, found ${actions.length} (${actions.map(([id]) => id).join(', ')})`);
  }
  const params = actions.map(([id, r]) => [id, r.Properties?.ActionParams] as const);
  const deactivate = params.filter(([, p]) => isObject(p) && isObject(p.UpdateDeviceCertificateParams)
    && p.UpdateDeviceCertificateParams.Action === 'DEACTIVATE');
  const publish = params.filter(([, p]) => isObject(p) && isObject(p.PublishFindingToSnsParams));
  if (deactivate.length !== 1 || publish.length !== 1) {
    throw new Error(`template: expected one action with UpdateDeviceCertificateParams.Action DEACTIVATE and one with PublishFindingToSnsParams, got ${JSON.stringify(params)}`);
  }
  const [topicId] = ofType('AWS::SNS::Topic').map(([id]) => id);
  const publishParams = publish[0][1] as JsonObject;
  const topicArn = (publishParams.PublishFindingToSnsParams as JsonObject).TopicArn;
  if (!topicId || JSON.stringify(topicArn) !== JSON.stringify({ Ref: topicId })) {
    throw new Error(`template: PublishFindingToSnsParams.TopicArn is ${JSON.stringify(topicArn)}, expected a Ref to the topic (${topicId ?? 'none in the template'})`);
  }
  const iotRoles = ofType('AWS::IAM::Role').filter(([, r]) => assumedByIot(r));
  if (iotRoles.length === 0) {
    throw new Error('template: no AWS::IAM::Role whose AssumeRolePolicyDocument allows the principal iot.amazonaws.com');
  }
  return `${actions.length} AWS::IoT::MitigationAction (${deactivate[0][0]}: UpdateDeviceCertificateParams DEACTIVATE; `
    + `${publish[0][0]}: PublishFindingToSnsParams -> Ref ${topicId}), ${iotRoles.length} AWS::IAM::Role assumed by iot.amazonaws.com`;
}

// ---------------------------------------------------------------------------------------------
// The kernel API calls this check makes, with the reply fields they return.

class Kernel {
  constructor(private readonly child: KernelProcess) {}

  /** Loads a package tarball; returns the number of types in its assembly. */
  public async load(name: string, version: string, tarball: string): Promise<number> {
    const step = `load ${name}@${version}`;
    const types = field(await this.child.request(step, { api: 'load', name, version, tarball }), 'types', step);
    if (typeof types !== 'number') { throw new Error(`${step}: 'types' is ${JSON.stringify(types)}`); }
    return types;
  }

  public async create(step: string, fqn: string, args: Json[]): Promise<ObjRef> {
    return asObjRef(await this.child.request(step, { api: 'create', fqn, args }), step);
  }

  public async sinvoke(step: string, fqn: string, method: string, args: Json[]): Promise<Json | undefined> {
    return optionalField(await this.child.request(step, { api: 'sinvoke', fqn, method, args }), 'result');
  }

  public async invoke(step: string, objref: ObjRef, method: string, args: Json[]): Promise<Json | undefined> {
    return optionalField(await this.child.request(step, { api: 'invoke', objref, method, args }), 'result');
  }

  public async get(step: string, objref: ObjRef, property: string): Promise<Json | undefined> {
    return optionalField(await this.child.request(step, { api: 'get', objref, property }), 'value');
  }
}

/** A missing field is how the kernel sends `undefined` (JSON has no such value). */
function optionalField(reply: Json, name: string): Json | undefined {
  return isObject(reply) ? reply[name] : undefined;
}

const CDK = 'aws-cdk-lib';
const ACTION_TYPE = `${PACKAGE_NAME}.MitigationActionType`;

/** Creates a MitigationAction from static-factory params and checks its actionType enum. */
async function createAction(kernel: Kernel, stack: ObjRef, id: string, params: ObjRef, expectedType: string): Promise<void> {
  const action = await kernel.create(`create MitigationAction '${id}'`, `${PACKAGE_NAME}.MitigationAction`, [
    stack, id, struct(`${PACKAGE_NAME}.MitigationActionProps`, { actionParams: params }),
  ]);
  const actionType = await kernel.get(`get actionType of '${id}'`, action, 'actionType');
  const expected = enumValue(ACTION_TYPE, expectedType);
  if (JSON.stringify(actionType) !== JSON.stringify(expected)) {
    throw new Error(`get actionType of '${id}': expected ${JSON.stringify(expected)}, got ${JSON.stringify(actionType)}`);
  }
}

/** App -> Stack -> two MitigationActions (one publishing to a Topic); returns the app. */
async function buildApp(kernel: Kernel, outdir: string): Promise<ObjRef> {
  const app = await kernel.create('create App', `${CDK}.App`, [struct(`${CDK}.AppProps`, { outdir })]);
  const stack = await kernel.create('create Stack', `${CDK}.Stack`, [app, STACK_ID, struct(`${CDK}.StackProps`, {
    env: struct(`${CDK}.Environment`, { account: '123456789012', region: 'us-east-1' }),
  })]);

  const deactivate = asObjRef(await kernel.sinvoke('sinvoke MitigationActionParams.updateDeviceCertificate',
    `${PACKAGE_NAME}.MitigationActionParams`, 'updateDeviceCertificate', []), 'updateDeviceCertificate()');
  await createAction(kernel, stack, 'DeactivateCertificate', deactivate, 'UPDATE_DEVICE_CERTIFICATE');

  const topic = await kernel.create('create Topic', `${CDK}.aws_sns.Topic`, [stack, 'Findings']);
  const publish = asObjRef(await kernel.sinvoke('sinvoke MitigationActionParams.publishFindingToSns',
    `${PACKAGE_NAME}.MitigationActionParams`, 'publishFindingToSns',
    [struct(`${PACKAGE_NAME}.PublishFindingToSnsOptions`, { topic })]), 'publishFindingToSns()');
  await createAction(kernel, stack, 'PublishFinding', publish, 'PUBLISH_FINDING_TO_SNS');
  return app;
}

/** Invokes `synth` on the app; returns the cloud assembly's directory as the kernel reports it. */
async function synth(kernel: Kernel, app: ObjRef): Promise<string> {
  const assembly = asObjRef(await kernel.invoke('invoke App.synth', app, 'synth', []), 'App.synth()');
  const directory = await kernel.get('get CloudAssembly.directory', assembly, 'directory');
  if (typeof directory !== 'string') {
    throw new Error(`get CloudAssembly.directory: expected a string, got ${JSON.stringify(directory)}`);
  }
  return directory;
}

// ---------------------------------------------------------------------------------------------
// The check.

function seconds(startMs: number): string {
  return `${((performance.now() - startMs) / 1000).toFixed(1)} s`;
}

/** Runs `fn`, and records `describe(result)` with how long it took. */
async function timed<T>(lines: string[], fn: () => Promise<T>, describe: (result: T) => string): Promise<T> {
  const start = performance.now();
  const result = await fn();
  lines.push(`${describe(result)} (${seconds(start)})`);
  return result;
}

interface Prepared {
  readonly script: string;
  /** Everything to load, ours last. */
  readonly packages: PackageTarball[];
}

async function prepare(tarball: string, workDir: string, lines: string[]): Promise<Prepared> {
  const ours = await readOurTarball(tarball, workDir);
  const roots: Array<[string, string]> = ['constructs', CDK].map((name) => [name, lowestVersion(ours.peers[name], name)]);
  lines.push(`tarball: ${ours.name}@${ours.version} (${tarball}); loaded with its oldest peers ${roots.map((r) => r.join('@')).join(', ')}`);
  const runtimeSpec = `@jsii/runtime@${JSII_RUNTIME_VERSION}`;
  const [script, dependencies] = await Promise.all([
    timed(lines, async () => extractRuntime((await npmPack([runtimeSpec], workDir))[0].file, workDir),
      (s) => `npm pack ${runtimeSpec} and extract ${path.relative(workDir, s)}`),
    timed(lines, () => packClosure(roots, workDir),
      (packed) => `npm pack ${packed.map((p) => `${p.name}@${p.version}`).join(', ')}`),
  ]);
  return { script, packages: [...dependencies, ours] };
}

async function runKernel(prepared: Prepared, workDir: string, opts: CheckJsiiKernelOptions, lines: string[]): Promise<string> {
  const tmpDir = path.join(workDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  const env = kernelEnv(tmpDir, opts.packageCacheRoot);
  await timed(lines, () => checkIsolation(tmpDir, env),
    () => `isolation: with the kernel's environment, none of ${MUST_NOT_RESOLVE.join(', ')} resolves`);

  const outdir = path.join(workDir, 'cdk.out');
  const child = new KernelProcess(prepared.script, workDir, env, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    const kernel = new Kernel(child);
    await timed(lines, () => child.waitForHello(), (hello) => `runtime started: hello ${hello}`);
    for (const p of prepared.packages) {
      await timed(lines, () => kernel.load(p.name, p.version, p.file), (types) => `load ${p.name}@${p.version}: ${types} types`);
    }
    const app = await timed(lines, () => buildApp(kernel, outdir),
      () => `create App, Stack '${STACK_ID}', Topic and 2 MitigationActions (params from static factories, enums and structs across the boundary)`);
    const directory = await timed(lines, () => synth(kernel, app), (dir) => `synth: cloud assembly in ${dir}`);
    if (path.resolve(directory) !== path.resolve(outdir)) {
      throw new Error(`synth: the cloud assembly is in ${directory}, expected the App's outdir ${outdir}`);
    }
    const code = await child.close();
    if (code !== 0) { throw new Error(`the jsii runtime exited with code ${code} after its input closed`); }
    lines.push('runtime exited once its input closed');
    for (const warning of child.wrapperWarnings().slice(0, 2)) { lines.push(`runtime warning: ${warning}`); }
  } finally {
    child.kill();
  }
  return outdir;
}

/**
 * Loads `opts.tarball` into the jsii runtime beside constructs and aws-cdk-lib, builds and
 * synthesizes an app through kernel calls only, and checks the template. Returns what it
 * verified, one line each; throws on any failure, naming the step.
 */
export async function checkJsiiKernel(opts: CheckJsiiKernelOptions): Promise<string[]> {
  const start = performance.now();
  const tarball = path.resolve(opts.tarball);
  const workDir = path.resolve(opts.workDir);
  if (!fs.existsSync(tarball)) { throw new Error(`no tarball at ${tarball}`); }
  fs.mkdirSync(workDir, { recursive: true });

  const lines: string[] = [];
  const prepared = await prepare(tarball, workDir, lines);
  const outdir = await runKernel(prepared, workDir, opts, lines);
  lines.push(`template ${STACK_ID}.template.json: ${checkTemplate(readTemplate(outdir))}`);
  lines.push(`total ${seconds(start)}`);
  return lines;
}

if (require.main === module) {
  const tarball = process.argv[2];
  if (!tarball || !fs.existsSync(tarball)) {
    process.stderr.write(`${tarball ? `no tarball at ${tarball}\n` : ''}usage: jsii-kernel.ts <cdk-device-defender tarball from npm pack>\n`);
    process.exit(1);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-kernel-check-'));
  checkJsiiKernel({ tarball, workDir }).then((lines) => {
    process.stdout.write(`jsii kernel check passed:\n${lines.map((line) => `  - ${line}\n`).join('')}`);
    fs.rmSync(workDir, { recursive: true, force: true });
  }, (err: unknown) => {
    process.stderr.write(`jsii kernel check FAILED (work dir kept: ${workDir})\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
