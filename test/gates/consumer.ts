/**
 * Consumer gate: the library exactly as npm would publish it, used as a new user would.
 *
 * 1. `npm pack`; the tarball holds lib/, .jsii, assets/, README.md, API.md, LICENSE and
 *    package.json, nothing else, within the size budget.
 * 2. A fresh app under the OS temp directory installs the tarball with only the peers at their
 *    minimum versions (aws-cdk-lib 2.257.0, constructs 10.5.1).
 * 3. There: `require('cdk-device-defender')`; synthesize an app using every construct; every
 *    Lambda function's code asset is in the cloud assembly and holds its handler file.
 * 4. The installed CLI answers `--help` (exit 0), a wrong command (exit 2) and `tasks` against
 *    the IoT emulator.
 * 5. The jsii runtime, as Python, Java, .NET and Go load it, loads the tarball and synthesizes.
 *
 * Run by `npx projen gate:consumer` once the library is built (compile and bundle).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { IoTClient, StartAuditMitigationActionsTaskCommand } from '@aws-sdk/client-iot';
import { checkJsiiKernel } from './jsii-kernel';
import { ROOT, bundleAgainstPackage, cleanEnv, installApp, installedVersion, manifestFindings, packLibrary, run, scratchDir } from './packed';
import { IotEmulator } from '../emulator/iot-emulator';

/** The minimum peer versions (package.json peerDependencies). */
const PEERS = { 'aws-cdk-lib': '2.257.0', 'constructs': '10.5.1' };
/**
 * Size budget of the packed (gzipped) tarball: 600 kB. At the end of 2026-12-07 it is 589 kB:
 * unpacked, the CLI with its AWS SDK clients bundled is 852 kB (243 kB gzipped, the largest part),
 * .jsii 547 kB, API.md 334 kB, the eight handlers 311 kB (whitespace-minified).
 */
const MAX_TARBALL_BYTES = 600_000;
/** What the tarball may hold: paths inside `package/`. */
const ALLOWED = [
  /^package\.json$/, /^README\.md$/, /^API\.md$/, /^LICENSE$/, /^\.jsii$/,
  /^lib\/(?!handlers\/shared\/|cli\/|handlers\/[^/]+\.lambda\.)[a-z0-9/-]+(\.d\.ts|\.js)$/,
  /^assets\/handlers\/[a-z-]+\.lambda\/index\.js$/, /^assets\/cli\/cdk-device-defender\.js$/,
];

const steps: string[] = [];
function step<T>(name: string, fn: () => T): T {
  const started = Date.now();
  const result = fn();
  steps.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
async function stepAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await fn();
  steps.push(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function checkTarball(tarball: string): string {
  const entries = run('tar', ['-tzf', tarball], ROOT).trim().split('\n').map((e) => e.replace(/^package\//, ''));
  const unexpected = entries.filter((e) => !ALLOWED.some((pattern) => pattern.test(e)));
  if (unexpected.length > 0) { throw new Error(`the tarball holds files users must not get:\n  ${unexpected.join('\n  ')}`); }
  for (const required of ['package.json', 'README.md', 'API.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts', 'assets/cli/cdk-device-defender.js']) {
    if (!entries.includes(required)) { throw new Error(`the tarball lacks ${required}`); }
  }
  const bytes = fs.statSync(tarball).size;
  if (bytes > MAX_TARBALL_BYTES) { throw new Error(`the tarball is ${bytes} bytes, over the budget of ${MAX_TARBALL_BYTES}`); }
  return `${entries.length} files, ${(bytes / 1e6).toFixed(2)} MB (budget ${(MAX_TARBALL_BYTES / 1e6).toFixed(2)} MB)`;
}

/** Loads the package in a fresh process; returns the package files it loaded. */
function checkRequire(app: string): string {
  const script = 'const m = require("cdk-device-defender");'
    + 'if (typeof m.MitigationAction !== "function") throw new Error("MitigationAction is not exported");'
    + 'console.log(JSON.stringify(Object.keys(require.cache)))';
  const loaded: string[] = JSON.parse(run(process.execPath, ['-e', script], app, cleanEnv()));
  const outside = loaded.filter((f) => !/node_modules[\\/](aws-cdk-lib|constructs|cdk-device-defender)[\\/]/.test(f));
  if (outside.length > 0) { throw new Error(`require('cdk-device-defender') loaded modules from outside the package and its peers: ${outside.join(', ')}`); }
  const own = loaded.filter((f) => f.includes(`${path.sep}cdk-device-defender${path.sep}`));
  return `${own.length} of the package's files, nothing beyond aws-cdk-lib and constructs`;
}

/** Every Lambda function's code asset is in the cloud assembly, with the file its Handler names. */
function checkAssets(outdir: string): string {
  let functions = 0;
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8'));
    const assets = JSON.parse(fs.readFileSync(path.join(outdir, file.replace('.template.json', '.assets.json')), 'utf-8'));
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') { continue; }
      functions++;
      const key: unknown = resource.Properties.Code?.S3Key;
      const hash = typeof key === 'string' ? key.replace(/\.zip$/, '') : undefined;
      const source = hash ? assets.files?.[hash]?.source : undefined;
      if (!source || source.packaging !== 'zip') { throw new Error(`${file} ${logicalId}: its code is not a zip asset of the cloud assembly`); }
      const dir = path.join(outdir, source.path);
      const module = String(resource.Properties.Handler).split('.')[0];
      if (!['.js', '.mjs', '.cjs'].some((ext) => fs.existsSync(path.join(dir, `${module}${ext}`)))) {
        throw new Error(`${file} ${logicalId}: asset ${source.path} has no ${module}.js for Handler ${resource.Properties.Handler}`);
      }
    }
  }
  if (functions === 0) { throw new Error('the app defines no Lambda function: it cannot be the every-construct app'); }
  return `${functions} functions, each asset holds its handler file`;
}

/** Runs the installed CLI (asynchronously: the emulator it talks to lives in this process). */
function cli(app: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no', '--', 'cdk-device-defender', ...args], { cwd: app, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

async function checkCli(app: string): Promise<string> {
  const help = await cli(app, ['--help']);
  if (help.status !== 0 || !help.stdout.includes('usage: cdk-device-defender')) {
    throw new Error(`cdk-device-defender --help: exit ${help.status}\n${help.stdout}${help.stderr}`);
  }
  const wrong = await cli(app, ['no-such-command']);
  if (wrong.status !== 2 || !wrong.stderr.includes('unknown command')) {
    throw new Error(`cdk-device-defender no-such-command: expected exit 2 and "unknown command", got exit ${wrong.status}\n${wrong.stderr}`);
  }
  // The state seeded below is the default account's in eu-west-1, where the CLI is pointed.
  const emulator = await IotEmulator.start({ region: 'eu-west-1' });
  try {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    emulator.addMitigationAction({ actionName: 'notify', actionType: 'PUBLISH_FINDING_TO_SNS' });
    emulator.addAuditTask({ taskId: 'a1b2c3d4e5f6', checks: { DEVICE_CERTIFICATE_SHARED_CHECK: { nonCompliantResourcesCount: 1 } } });
    const iot = new IoTClient({ endpoint: emulator.endpoint, region: 'eu-west-1', credentials });
    await iot.send(new StartAuditMitigationActionsTaskCommand({
      taskId: 'consumer-gate-task',
      target: { auditTaskId: 'a1b2c3d4e5f6' },
      auditCheckToActionsMapping: { DEVICE_CERTIFICATE_SHARED_CHECK: ['notify'] },
      clientRequestToken: 'consumer-gate',
    }));
    iot.destroy();
    const tasks = await cli(app, ['tasks', '--json'], {
      AWS_ENDPOINT_URL_IOT: emulator.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_PROFILE: '',
    });
    const rows = tasks.status === 0 ? JSON.parse(tasks.stdout) as Array<{ taskId: string; kind: string }> : undefined;
    if (!rows?.some((r) => r.taskId === 'consumer-gate-task' && r.kind === 'audit')) {
      throw new Error(`cdk-device-defender tasks --json against the emulator: exit ${tasks.status}\n${tasks.stdout}${tasks.stderr}`);
    }
  } finally {
    await emulator.stop();
  }
  return '--help exit 0, a wrong command exit 2, `tasks` lists the emulator\'s task';
}

async function main(): Promise<void> {
  const started = Date.now();
  const scratch = scratchDir('consumer');
  const packDir = path.join(scratch, 'pack');
  const app = path.join(scratch, 'app');
  fs.mkdirSync(packDir);
  fs.mkdirSync(app);

  const tarball = step('npm pack', () => packLibrary(packDir));
  const report: string[] = [];
  report.push(`tarball: ${step('tarball contents', () => checkTarball(tarball))}`);
  step('npm install', () => installApp(app, { ...PEERS, 'cdk-device-defender': `file:${tarball}` }));
  for (const [pkg, version] of Object.entries(PEERS)) {
    if (installedVersion(app, pkg) !== version) { throw new Error(`expected ${pkg} ${version}, installed ${installedVersion(app, pkg)}`); }
  }
  report.push(`require: ${step('require', () => checkRequire(app))}`);

  await stepAsync('bundle app', () => bundleAgainstPackage(path.join(__dirname, 'consumer-app.ts'), path.join(app, 'app.js'), ['aws-cdk-lib', 'constructs']));
  const outdir = path.join(app, 'cdk.out');
  step('synth', () => run(process.execPath, ['app.js'], app, cleanEnv({ CDK_OUTDIR: outdir })));
  const errors = manifestFindings(outdir).filter((f) => f.includes('aws:cdk:error'));
  if (errors.length > 0) { throw new Error(`the every-construct app has errors:\n${errors.join('\n')}`); }
  report.push(`synth: ${checkAssets(outdir)}`);
  report.push(`cli: ${await stepAsync('cli', () => checkCli(app))}`);

  const kernel = await stepAsync('jsii kernel', () => checkJsiiKernel({ tarball, workDir: path.join(scratch, 'jsii') }));
  report.push(...kernel.map((line) => `jsii: ${line}`));

  fs.rmSync(scratch, { recursive: true, force: true });
  console.log([
    `consumer gate passed in ${((Date.now() - started) / 1000).toFixed(0)} s (aws-cdk-lib ${PEERS['aws-cdk-lib']}, constructs ${PEERS.constructs})`,
    ...report.map((line) => `  ${line}`),
    `  steps: ${steps.join(', ')}`,
  ].join('\n'));
}

main().catch((error) => { console.error(`consumer gate failed: ${error instanceof Error ? error.message : String(error)}`); process.exit(1); });
