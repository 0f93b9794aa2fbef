/**
 * Synth as the user waits for it: the whole app process that `cdk synth` runs (node starts, loads
 * aws-cdk-lib and the app, builds the stack, writes the cloud assembly to CDK_OUTDIR, exits), for a
 * few sizes, the processes interleaved:
 *
 * - `library`: the library app (library-app.ts) built from this checkout's src/ (each action's role
 *   aws-cdk-lib's `iam.Role`);
 * - `lean`: the same app built from the src/ of LEAN_ROLE_COMMIT, the last commit whose actions wrote
 *   their roles with the hand-built `LeanInlinePolicyRole` (straight to an `iam.CfnRole`): what that
 *   class saved; left out when the commit is not in this clone's history;
 * - `rawIamRole`: the raw app (raw-app.ts) with `iam.Role`: what users write by hand;
 * - `raw`: the raw app with `iam.CfnRole`: the floor;
 * - `empty`: one empty stack, what every process pays.
 *
 * Each app is bundled with esbuild, with aws-cdk-lib and constructs left to node_modules, as a
 * compiled app loads them: no TypeScript compiler runs in the timed process.
 *
 * Run alone with process-synth-alone.ts; run.ts runs it with the other benchmarks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Plugin, build } from 'esbuild';
import { STACK_NAME } from './stack-shape';
import { Summary, progress, summarize } from './stats';

const ROOT = path.join(__dirname, '..');

/**
 * The last commit with LeanInlinePolicyRole: the `lean` app is built from its src/. Whatever else
 * changed in src/ since then also differs between `lean` and `library`
 * (`ProcessSynthResult.leanSrcCommitsSince` counts the commits).
 */
export const LEAN_ROLE_COMMIT = '2c4bdfd1baa21ca9b8148c3d45ae5ab8ac26e84f';

export type Kind = 'library' | 'lean' | 'rawIamRole' | 'raw' | 'empty';
export const KINDS: readonly Kind[] = ['library', 'lean', 'rawIamRole', 'raw', 'empty'];

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
  lean: LIBRARY_ENTRY,
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
  /** The library against what users write by hand (raw app with iam.Role): the target. */
  libraryToRawIamRole: ['library', 'rawIamRole'],
  /** The library against the floor (raw app with iam.CfnRole). */
  libraryToRaw: ['library', 'raw'],
  /** What LeanInlinePolicyRole saved: below 1 by the share of the whole process it saved. */
  leanToLibrary: ['lean', 'library'],
  /** The library with LeanInlinePolicyRole against what users write by hand. */
  leanToRawIamRole: ['lean', 'rawIamRole'],
  /** What aws-cdk-lib's L2 role costs when written by hand. */
  rawIamRoleToRaw: ['rawIamRole', 'raw'],
} as const satisfies Record<string, readonly [Kind, Kind]>;
export type RatioName = keyof typeof RATIOS;

/** Each app's figures; those of `lean` only when it was built. */
export type ByKind<T> = Record<Exclude<Kind, 'lean'>, T> & Partial<Record<'lean', T>>;

export interface ProcessSynthCase {
  readonly actions: number;
  /** Each app's processes, by measure. */
  readonly times: Record<Measure, ByKind<Summary>>;
  /** The ratios; those of `lean` only when it was built. */
  readonly ratios: Partial<Record<RatioName, Record<Measure, Ratio>>> & Record<'libraryToRawIamRole' | 'libraryToRaw' | 'rawIamRoleToRaw', Record<Measure, Ratio>>;
  /** Resources in each app's template. */
  readonly resources: ByKind<number>;
  /** Whether the two library builds write the same template, and the two raw apps. */
  readonly sameTemplate: { readonly library?: boolean; readonly raw: boolean };
}

export interface ProcessSynthResult {
  readonly cases: ProcessSynthCase[];
  /** The apps measured: all of KINDS, or all but `lean`. */
  readonly kinds: readonly Kind[];
  /** Why `lean` was left out, when it was. */
  readonly leanSkipped?: string;
  /** Commits since LEAN_ROLE_COMMIT that changed src/. */
  readonly leanSrcCommitsSince?: number;
}

/** For `lean`: library-app.ts's `../src` is `srcDir`. */
function srcAt(srcDir: string): Plugin {
  return {
    name: 'src-at',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/src$/ }, (args) =>
        path.basename(args.importer) === 'library-app.ts' ? { path: path.join(srcDir, 'index.ts') } : undefined);
    },
  };
}

/** Writes LEAN_ROLE_COMMIT's src/ under `outdir`; returns where, or why it could not. */
function extractLeanSrc(outdir: string): { dir: string; commitsSince: number } | { skipped: string } {
  const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git('cat-file', '-e', `${LEAN_ROLE_COMMIT}^{commit}`);
  } catch {
    return { skipped: `commit ${LEAN_ROLE_COMMIT.slice(0, 7)} (the last with LeanInlinePolicyRole) is not in this clone's history` };
  }
  const dir = path.join(outdir, 'lean');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tar = path.join(outdir, 'lean.tar');
  git('archive', '--format=tar', `--output=${tar}`, LEAN_ROLE_COMMIT, 'src');
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  return { dir: path.join(dir, 'src'), commitsSince: Number(git('rev-list', '--count', `${LEAN_ROLE_COMMIT}..HEAD`, '--', 'src').trim()) };
}

async function bundle(kind: Kind, outdir: string, leanSrc?: string): Promise<string> {
  const outfile = path.join(outdir, `${kind}-app.js`);
  await build({
    stdin: { contents: CPU_AT_EXIT + ENTRY[kind], resolveDir: __dirname, sourcefile: `${kind}-main.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    tsconfig: path.join(ROOT, 'tsconfig.dev.json'),
    plugins: kind === 'lean' && leanSrc ? [srcAt(leanSrc)] : [],
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
  const lean = extractLeanSrc(options.outdir);
  const kinds = 'skipped' in lean ? KINDS.filter((k) => k !== 'lean') : KINDS;
  const files = {} as Record<Kind, string>;
  for (const kind of kinds) { files[kind] = await bundle(kind, options.outdir, 'dir' in lean ? lean.dir : undefined); }
  const out = (kind: Kind) => path.join(options.outdir, `${kind}.out`);
  const cases: ProcessSynthCase[] = [];
  for (const actions of options.sizes) {
    const empty = () => Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
    const times: Record<Measure, Record<Kind, number[]>> = { wall: empty(), cpu: empty() };
    for (let rep = -options.warmups; rep < options.reps; rep++) {
      // Each app once per repetition, in KINDS order, then reversed, and so on: none always first.
      const order = (rep + options.warmups) % 2 === 0 ? kinds : [...kinds].reverse();
      const ms = {} as Record<Kind, Record<Measure, number>>;
      for (const kind of order) { ms[kind] = runApp(files[kind], actions, out(kind)); }
      if (rep < 0) { continue; }
      for (const kind of kinds) {
        for (const m of MEASURES) { times[m][kind].push(ms[kind][m]); }
      }
    }
    const templates = Object.fromEntries(kinds.map((k) => [k, readTemplate(out(k))])) as Record<Kind, { Resources?: object }>;
    const same = (a: Kind, b: Kind) => JSON.stringify(templates[a]) === JSON.stringify(templates[b]);
    const summaries = (m: Measure) => Object.fromEntries(kinds.map((k) => [k, summarize(times[m][k])])) as ByKind<Summary>;
    const ratios = Object.fromEntries(Object.entries(RATIOS)
      .filter(([, pair]) => pair.every((k) => kinds.includes(k)))
      .map(([name, [a, b]]) => [name, ratio(times, a, b)])) as ProcessSynthCase['ratios'];
    const c: ProcessSynthCase = {
      actions,
      times: { wall: summaries('wall'), cpu: summaries('cpu') },
      ratios,
      resources: Object.fromEntries(kinds.map((k) => [k, Object.keys(templates[k].Resources ?? {}).length])) as ByKind<number>,
      sameTemplate: { library: kinds.includes('lean') ? same('library', 'lean') : undefined, raw: same('rawIamRole', 'raw') },
    };
    cases.push(c);
    progress(`synth process N=${actions}: ${kinds.map((k) => `${k} ${c.times.wall[k]!.median.toFixed(0)} ms`).join(', ')}`);
  }
  return {
    cases,
    kinds,
    ...('skipped' in lean ? { leanSkipped: lean.skipped } : { leanSrcCommitsSince: lean.commitsSince }),
  };
}
