/**
 * Compatibility gate: synthesizes the example apps (the quick start, and the organization with its
 * StackSet) against the packed library and the newest aws-cdk-lib (2.276.0, which validates
 * templates at synth with @aws/cloudformation-validate), with
 * `@aws-cdk/core:strictCfnValidateErrors`, and fails on any validator finding.
 *
 * Run by `npx projen gate:compat` after `npx projen compile` (the library must be built).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT as root, bundleAgainstPackage, cleanEnv, installApp, installedVersion, manifestFindings, packLibrary, run, scratchDir } from './packed';

const NEWEST_CDK = '2.276.0';

/** The example apps in examples/ the gate synthesizes. */
const EXAMPLES = ['quickstart', 'organization'];

/** Runs the bundled `app` with strict validation into `outdir`; returns every finding, and logs what was synthesized. */
function synthStrict(scratch: string, app: string, outdir: string, installed: string): string[] {
  run(process.execPath, [app], scratch, cleanEnv({
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:strictCfnValidateErrors': true }),
  }));
  const findings = manifestFindings(outdir);
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
  console.log(`${app}, aws-cdk-lib ${installed}: synthesized ${templates.join(', ')}; validation report: `
    + `${validators.length > 0 ? validators.join(', ') : 'no violations'}; ${findings.length} finding(s)`);
  return findings;
}

async function main(): Promise<void> {
  const scratch = scratchDir('compat');

  // 1. The library as users get it: npm pack (lib/, assets/, .jsii).
  const tarball = packLibrary(scratch);
  const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
  installApp(scratch, {
    'aws-cdk-lib': NEWEST_CDK,
    'constructs': rootPackage.devDependencies.constructs,
    'cdk-nag': rootPackage.devDependencies['cdk-nag'],
    'cdk-device-defender': `file:${tarball}`,
  });
  const installed = installedVersion(scratch, 'aws-cdk-lib');
  if (installed !== NEWEST_CDK) { throw new Error(`expected aws-cdk-lib ${NEWEST_CDK}, installed ${installed}`); }

  // 2. The example apps, importing the packed library instead of ../src; 3. each synthesized with
  // strict validation: any finding (error or warning) fails the gate.
  const findings: string[] = [];
  for (const example of EXAMPLES) {
    const app = `${example}.js`;
    await bundleAgainstPackage(path.join(root, 'examples', `${example}.ts`), path.join(scratch, app), ['aws-cdk-lib', 'constructs', 'cdk-nag']);
    findings.push(...synthStrict(scratch, app, path.join(scratch, `cdk.out.${example}`), installed).map((f) => `${example}: ${f}`));
  }
  if (findings.length > 0) {
    console.error(findings.join('\n'));
    process.exit(1);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}

main().catch((error) => { console.error(error); process.exit(1); });
