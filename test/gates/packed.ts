/**
 * What the release gates share: the library packed as npm would publish it, installed into a
 * fresh app under the OS temp directory (never inside the repository, where Node would resolve
 * the repository's own node_modules), and apps bundled to import the installed package.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as esbuild from 'esbuild';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A new, empty directory under the OS temp directory. */
export function scratchDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-device-defender-${name}-`));
  if (path.relative(ROOT, dir).split(path.sep)[0] !== '..') {
    throw new Error(`scratch directory ${dir} is inside the repository ${ROOT}`);
  }
  return dir;
}

/** Runs a command; its stdout is returned, its stderr shown. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** An environment for processes of the consumer app: nothing that points back into the repository. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  delete env.TS_NODE_PROJECT;
  return env;
}

/** `npm pack` of the built library (lib/, assets/, .jsii must be current) into `dir`; returns the tarball's path. */
export function packLibrary(dir: string): string {
  const name = run('npm', ['pack', '--silent', '--pack-destination', dir], ROOT).trim().split('\n').pop()!;
  return path.join(dir, name);
}

/** Writes a private package.json with `dependencies` into `dir` and installs them there. */
export function installApp(dir: string, dependencies: Record<string, string>): void {
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, dependencies }, undefined, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir, cleanEnv());
}

/** The version of `pkg` installed in the app at `dir`. */
export function installedVersion(dir: string, pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf-8')).version;
}

/**
 * Bundles an app written against `../src` (or `../../src`) into `outfile`, importing the
 * installed `cdk-device-defender` package instead; `external` packages stay imports.
 */
export async function bundleAgainstPackage(entry: string, outfile: string, external: string[]): Promise<void> {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: [...external.flatMap((pkg) => [pkg, `${pkg}/*`]), 'cdk-device-defender'],
    plugins: [{
      name: 'library-as-package',
      setup(build) {
        build.onResolve({ filter: /^(\.\.\/)+src$/ }, () => ({ path: 'cdk-device-defender', external: true }));
      },
    }],
    logLevel: 'error',
  });
}

/**
 * Every `aws:cdk:error` and `aws:cdk:warning` of a cloud assembly's stacks, and of those of its nested
 * assemblies (stages). A stack's metadata is in the manifest or (newer cloud assemblies, such as 2.257.0's) in the
 * file its `additionalMetadataFile` names.
 */
export function manifestFindings(outdir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
  const findings: string[] = [];
  for (const [artifact, spec] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (spec.type === 'cdk:cloud-assembly') {
      findings.push(...manifestFindings(path.join(outdir, spec.properties.directoryName)).map((f) => `${artifact}/${f}`));
      continue;
    }
    const metadata: Record<string, any[]> = {
      ...spec.metadata,
      ...(spec.additionalMetadataFile ? JSON.parse(fs.readFileSync(path.join(outdir, spec.additionalMetadataFile), 'utf-8')) : {}),
    };
    for (const [where, entries] of Object.entries<any[]>(metadata)) {
      for (const entry of entries) {
        if (entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning') {
          findings.push(`${artifact}${where}: ${entry.type}: ${typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data)}`);
        }
      }
    }
  }
  return findings;
}
