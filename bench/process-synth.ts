/**
 * Synth as the user waits for it: the whole app process that `cdk synth` runs (node starts, loads
 * aws-cdk-lib and the app, builds the stack, writes the cloud assembly to CDK_OUTDIR, exits), for a
 * few sizes, the processes interleaved:
 *
 * - `library`: the library app (library-app.ts), each action's role a `LeanInlinePolicyRole` (written
 *   straight to an `iam.CfnRole`), as shipped;
 * - `libraryIamRole`: the same app and library, each action's role aws-cdk-lib's `iam.Role` instead
 *   (iam-role-library.ts, swapped in when bundling): the library without `LeanInlinePolicyRole`;
 * - `rawIamRole`: the raw app (raw-app.ts) with `iam.Role`: what users write by hand;
 * - `raw`: the raw app with `iam.CfnRole`: the floor;
 * - `empty`: one empty stack, what every process pays.
 *
 * Each app is bundled with esbuild, with aws-cdk-lib and constructs left to node_modules, as a
 * compiled app loads them: no TypeScript compiler runs in the timed process.
 *
 * Run alone with process-synth-alone.ts; run.ts runs it with the other benchmarks.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Plugin, build } from 'esbuild';
import { STACK_NAME } from './stack-shape';
import { Summary, progress, summarize } from './stats';

const ROOT = path.join(__dirname, '..');

export type Kind = 'library' | 'libraryIamRole' | 'rawIamRole' | 'raw' | 'empty';
export const KINDS: readonly Kind[] = ['library', 'libraryIamRole', 'rawIamRole', 'raw', 'empty'];

/**
 * The app's entry point: what a `bin/app.ts` would hold; N comes from the command line. Each writes
 * the CPU time of its whole process (all threads, user and system) to stderr as it exits: a second
 * measure, less disturbed than wall time by other work on the machine.
 */
const CPU_AT_EXIT = "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`cpu ${(u.user + u.system) / 1000}\\n`); });\n";
const LIBRARY_ENTRY = "import { App } from 'aws-cdk-lib'; import { defineLibraryStack } from './library-app';\n"
  + 'const app = new App(); defineLibraryStack(app, Number(process.argv[2])); app.synth();\n';
const ENTRY: Record<Kind, string> = {
  library: LIBRARY_ENTRY,
  libraryIamRole: LIBRARY_ENTRY,
  rawIamRole: "import { App } from 'aws-cdk-lib'; import { defineRawStack } from './raw-app';\n"
    + "const app = new App(); defineRawStack(app, Number(process.argv[2]), 'iam.Role'); app.synth();\n",
  raw: "import { App } from 'aws-cdk-lib'; import { defineRawStack } from './raw-app';\n"
    + "const app = new App(); defineRawStack(app, Number(process.argv[2]), 'iam.CfnRole'); app.synth();\n",
  empty: "import { App, Stack } from 'aws-cdk-lib'; import { STACK_NAME } from './stack-shape';\n"
    + 'const app = new App(); new Stack(app, STACK_NAME); app.synth();\n',
};

export interface ProcessSynthOptions {
  readonly sizes: number[];
  readonly warmups: number;
  readonly reps: number;
  /** Where the bundles and cloud assemblies are written. */
  readonly outdir: string;
}

/** a / b: of the medians, and of each repetition's pair (run side by side). */
export interface Ratio {
  readonly ofMedians: number;
  readonly perRepetition: Summary;
}

/** The two measures of a process: wall time (spawn to exit) and CPU time (all its threads), in ms. */
export type Measure = 'wall' | 'cpu';
export const MEASURES: readonly Measure[] = ['wall', 'cpu'];

/** The ratios reported, as [numerator, denominator]. */
export const RATIOS = {
  /** What LeanInlinePolicyRole saves: below 1 by the share of the whole process it saves. */
  libraryToLibraryIamRole: ['library', 'libraryIamRole'],
  /** The library against what users write by hand (raw app with iam.Role). */
  libraryToRawIamRole: ['library', 'rawIamRole'],
  /** The library without LeanInlinePolicyRole against the same. */
  libraryIamRoleToRawIamRole: ['libraryIamRole', 'rawIamRole'],
  /** The library against the floor (raw app with iam.CfnRole). */
  libraryToRaw: ['library', 'raw'],
  /** What aws-cdk-lib's L2 role costs when written by hand. */
  rawIamRoleToRaw: ['rawIamRole', 'raw'],
} as const satisfies Record<string, readonly [Kind, Kind]>;
export type RatioName = keyof typeof RATIOS;

export interface ProcessSynthCase {
  readonly actions: number;
  /** Each app's processes, by measure. */
  readonly times: Record<Measure, Record<Kind, Summary>>;
  readonly ratios: Record<RatioName, Record<Measure, Ratio>>;
  /** Resources in each app's template. */
  readonly resources: Record<Kind, number>;
  /** Whether the two library builds write the same template, and the two raw apps. */
  readonly sameTemplate: { readonly library: boolean; readonly raw: boolean };
}

export interface ProcessSynthResult {
  readonly cases: ProcessSynthCase[];
  /** Bytes of each bundle. */
  readonly bundleBytes: Record<Kind, number>;
}

/** For `libraryIamRole`: src/private/inline-policy-role.ts, as src/ imports it, becomes iam-role-library.ts. */
const IAM_ROLE_LIBRARY: Plugin = {
  name: 'iam-role-library',
  setup(b) {
    b.onResolve({ filter: /\/inline-policy-role$/ }, (args) =>
      args.importer.startsWith(path.join(ROOT, 'src') + path.sep) ? { path: path.join(__dirname, 'iam-role-library.ts') } : undefined);
  },
};

async function bundle(kind: Kind, outdir: string): Promise<string> {
  const outfile = path.join(outdir, `${kind}-app.js`);
  await build({
    stdin: { contents: CPU_AT_EXIT + ENTRY[kind], resolveDir: __dirname, sourcefile: `${kind}-main.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    tsconfig: path.join(ROOT, 'tsconfig.dev.json'),
    plugins: kind === 'libraryIamRole' ? [IAM_ROLE_LIBRARY] : [],
    logLevel: 'silent',
  });
  return outfile;
}

/** Runs one app process to completion; returns its wall and CPU time in ms. */
function runApp(file: string, actions: number, cdkOutdir: string): Record<Measure, number> {
  fs.rmSync(cdkOutdir, { recursive: true, force: true });
  const start = performance.now();
  const child = spawnSync(process.execPath, [file, String(actions)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, CDK_OUTDIR: cdkOutdir },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf-8',
  });
  const ms = performance.now() - start;
  const cpu = /^cpu ([0-9.]+)$/m.exec(child.stderr)?.[1];
  if (child.status !== 0 || cpu === undefined) { throw new Error(`${path.basename(file)} ${actions} failed (${child.status}): ${child.stderr}`); }
  return { wall: ms, cpu: Number(cpu) };
}

function readTemplate(cdkOutdir: string): { Resources?: Record<string, unknown> } {
  return JSON.parse(fs.readFileSync(path.join(cdkOutdir, `${STACK_NAME}.template.json`), 'utf-8'));
}

function ratio(times: Record<Measure, Record<Kind, number[]>>, a: Kind, b: Kind): Record<Measure, Ratio> {
  const of = (t: Record<Kind, number[]>): Ratio => ({
    ofMedians: summarize(t[a]).median / summarize(t[b]).median,
    perRepetition: summarize(t[a].map((x, i) => x / t[b][i])),
  });
  return { wall: of(times.wall), cpu: of(times.cpu) };
}

export async function runProcessSynthBenchmark(options: ProcessSynthOptions): Promise<ProcessSynthResult> {
  fs.mkdirSync(options.outdir, { recursive: true });
  const files = {} as Record<Kind, string>;
  for (const kind of KINDS) { files[kind] = await bundle(kind, options.outdir); }
  const out = (kind: Kind) => path.join(options.outdir, `${kind}.out`);
  const cases: ProcessSynthCase[] = [];
  for (const actions of options.sizes) {
    const empty = () => Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
    const times: Record<Measure, Record<Kind, number[]>> = { wall: empty(), cpu: empty() };
    for (let rep = -options.warmups; rep < options.reps; rep++) {
      // Each app once per repetition, in KINDS order, then reversed, and so on: none always first.
      const order = (rep + options.warmups) % 2 === 0 ? KINDS : [...KINDS].reverse();
      const ms = {} as Record<Kind, Record<Measure, number>>;
      for (const kind of order) { ms[kind] = runApp(files[kind], actions, out(kind)); }
      if (rep < 0) { continue; }
      for (const kind of KINDS) {
        for (const m of MEASURES) { times[m][kind].push(ms[kind][m]); }
      }
    }
    const templates = Object.fromEntries(KINDS.map((k) => [k, readTemplate(out(k))])) as Record<Kind, { Resources?: object }>;
    const same = (a: Kind, b: Kind) => JSON.stringify(templates[a]) === JSON.stringify(templates[b]);
    const summaries = (m: Measure) => Object.fromEntries(KINDS.map((k) => [k, summarize(times[m][k])])) as Record<Kind, Summary>;
    const c: ProcessSynthCase = {
      actions,
      times: { wall: summaries('wall'), cpu: summaries('cpu') },
      ratios: Object.fromEntries(Object.entries(RATIOS).map(([name, [a, b]]) => [name, ratio(times, a, b)])) as ProcessSynthCase['ratios'],
      resources: Object.fromEntries(KINDS.map((k) => [k, Object.keys(templates[k].Resources ?? {}).length])) as Record<Kind, number>,
      sameTemplate: { library: same('library', 'libraryIamRole'), raw: same('rawIamRole', 'raw') },
    };
    cases.push(c);
    progress(`synth process N=${actions}: ${KINDS.map((k) => `${k} ${c.times.wall[k].median.toFixed(0)} ms`).join(', ')}`);
  }
  return { cases, bundleBytes: Object.fromEntries(KINDS.map((k) => [k, fs.statSync(files[k]).size])) as Record<Kind, number> };
}
