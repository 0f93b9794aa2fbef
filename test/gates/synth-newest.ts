/**
 * Compatibility gate: synthesizes the example app against the packed library and the newest
 * aws-cdk-lib (2.276.0, which validates templates at synth with @aws/cloudformation-validate),
 * with `@aws-cdk/core:strictCfnValidateErrors`, and fails on any validator finding.
 *
 * Run by `npx projen gate:compat` after `npx projen compile` (the library must be built).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';

const NEWEST_CDK = '2.276.0';
const root = path.resolve(__dirname, '..', '..');
const scratch = path.join(root, '.tmp', 'compat');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'] });
}

async function main(): Promise<void> {
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });

  // 1. The library as users get it: npm pack (lib/, assets/, .jsii).
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', scratch], root).trim().split('\n').pop()!;
  const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
  fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({
    name: 'compat-app',
    private: true,
    dependencies: {
      'aws-cdk-lib': NEWEST_CDK,
      'constructs': rootPackage.devDependencies.constructs,
      'cdk-nag': rootPackage.devDependencies['cdk-nag'],
      'cdk-device-defender': `file:./${tarball}`,
    },
  }, undefined, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], scratch);
  const installed = JSON.parse(fs.readFileSync(path.join(scratch, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf-8')).version;
  if (installed !== NEWEST_CDK) { throw new Error(`expected aws-cdk-lib ${NEWEST_CDK}, installed ${installed}`); }

  // 2. The example app, importing the packed library instead of ../src.
  await esbuild.build({
    entryPoints: [path.join(root, 'examples', 'quickstart.ts')],
    outfile: path.join(scratch, 'app.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', 'cdk-device-defender'],
    plugins: [{
      name: 'library-as-package',
      setup(build) {
        build.onResolve({ filter: /^\.\.\/src$/ }, () => ({ path: 'cdk-device-defender', external: true }));
      },
    }],
    logLevel: 'error',
  });

  // 3. Synthesize with strict validation; any finding (error or warning) fails the gate.
  const outdir = path.join(scratch, 'cdk.out');
  run(process.execPath, ['app.js'], scratch, {
    ...process.env,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:strictCfnValidateErrors': true }),
  });
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
  const findings: string[] = [];
  for (const [artifact, spec] of Object.entries<any>(manifest.artifacts ?? {})) {
    for (const [where, entries] of Object.entries<any[]>(spec.metadata ?? {})) {
      for (const entry of entries) {
        if (entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning') {
          findings.push(`${artifact}${where}: ${entry.type}: ${typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data)}`);
        }
      }
    }
  }
  // The validator's own report: every violation, whatever its severity. It lists only the
  // validators that found something, so a clean app gives an empty list.
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) { throw new Error(`no ${reportFile}: aws-cdk-lib ${installed} did not validate the templates`); }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
  const validators: string[] = [];
  for (const plugin of report.pluginReports ?? []) {
    validators.push(`${plugin.pluginName} ${plugin.pluginVersion}`);
    for (const v of plugin.violations ?? []) {
      findings.push(`${plugin.pluginName} ${v.ruleName} (${v.severity}): ${v.description} at ${(v.violatingConstructs ?? []).map((c: any) => c.constructPath).join(', ')}`);
    }
  }
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  console.log(`aws-cdk-lib ${installed}: synthesized ${templates.join(', ')}; validation report: ${validators.length > 0 ? validators.join(', ') : 'no violations'}; ${findings.length} finding(s)`);
  if (findings.length > 0) {
    console.error(findings.join('\n'));
    process.exit(1);
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
