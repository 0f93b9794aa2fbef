/**
 * Synth as the user waits for it: the whole app process that `cdk synth` runs (node starts, loads
 * aws-cdk-lib and the app, builds the stack, writes the cloud assembly to CDK_OUTDIR, exits), library
 * against raw L1, for a few sizes, the processes interleaved.
 *
 * Each app is bundled with esbuild from the same definitions the in-process benchmark uses
 * (library-app.ts, raw-app.ts), with aws-cdk-lib and constructs left to node_modules, as a compiled
 * app loads them: no TypeScript compiler runs in the timed process. `empty` is the floor every app
 * pays: the same process with one empty stack.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { STACK_NAME } from './stack-shape';
import { Summary, progress, summarize } from './stats';

const ROOT = path.join(__dirname, '..');

type Kind = 'library' | 'raw' | 'empty';
const KINDS: readonly Kind[] = ['library', 'raw', 'empty'];

/** The app's entry point: what a `bin/app.ts` would hold; N comes from the command line. */
const ENTRY: Record<Kind, string> = {
  library: "import { App } from 'aws-cdk-lib'; import { defineLibraryStack } from './library-app';\n"
    + 'const app = new App(); defineLibraryStack(app, Number(process.argv[2])); app.synth();\n',
  raw: "import { App } from 'aws-cdk-lib'; import { defineRawStack } from './raw-app';\n"
    + 'const app = new App(); defineRawStack(app, Number(process.argv[2])); app.synth();\n',
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

export interface ProcessSynthCase {
  readonly actions: number;
  /** Wall time of the whole process, spawn to exit, in ms. */
  readonly library: Summary;
  readonly raw: Summary;
  /** The same process with one empty stack: node, aws-cdk-lib and an empty synth. */
  readonly empty: Summary;
  /** median(library) / median(raw). */
  readonly ratioOfMedians: number;
  /** library / raw of each repetition's pair. */
  readonly pairRatios: Summary;
  /** Resources in the library's and the raw template (the same apps as the in-process benchmark). */
  readonly resources: { readonly library: number; readonly raw: number };
}

/** Bytes of each bundle, for the report. */
export interface ProcessSynthResult {
  readonly cases: ProcessSynthCase[];
  readonly bundleBytes: Record<Kind, number>;
}

async function bundle(kind: Kind, outdir: string): Promise<string> {
  const outfile = path.join(outdir, `${kind}-app.js`);
  await build({
    stdin: { contents: ENTRY[kind], resolveDir: __dirname, sourcefile: `${kind}-main.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    tsconfig: path.join(ROOT, 'tsconfig.dev.json'),
    logLevel: 'silent',
  });
  return outfile;
}

/** Runs one app process to completion; returns its wall time in ms. */
function runApp(file: string, actions: number, cdkOutdir: string): number {
  fs.rmSync(cdkOutdir, { recursive: true, force: true });
  const start = performance.now();
  const child = spawnSync(process.execPath, [file, String(actions)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, CDK_OUTDIR: cdkOutdir },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf-8',
  });
  const ms = performance.now() - start;
  if (child.status !== 0) { throw new Error(`${path.basename(file)} ${actions} failed (${child.status}): ${child.stderr}`); }
  return ms;
}

function resourceCount(cdkOutdir: string): number {
  const template = JSON.parse(fs.readFileSync(path.join(cdkOutdir, `${STACK_NAME}.template.json`), 'utf-8')) as { Resources?: object };
  return Object.keys(template.Resources ?? {}).length;
}

export async function runProcessSynthBenchmark(options: ProcessSynthOptions): Promise<ProcessSynthResult> {
  fs.mkdirSync(options.outdir, { recursive: true });
  const files = {} as Record<Kind, string>;
  for (const kind of KINDS) { files[kind] = await bundle(kind, options.outdir); }
  const cases: ProcessSynthCase[] = [];
  for (const actions of options.sizes) {
    const times: Record<Kind, number[]> = { library: [], raw: [], empty: [] };
    const pairRatios: number[] = [];
    for (let rep = -options.warmups; rep < options.reps; rep++) {
      // library, raw, empty; then empty, raw, library; ...
      const order = (rep + options.warmups) % 2 === 0 ? KINDS : [...KINDS].reverse();
      const ms = {} as Record<Kind, number>;
      for (const kind of order) { ms[kind] = runApp(files[kind], actions, path.join(options.outdir, `${kind}.out`)); }
      if (rep < 0) { continue; }
      for (const kind of KINDS) { times[kind].push(ms[kind]); }
      pairRatios.push(ms.library / ms.raw);
    }
    const library = summarize(times.library);
    const raw = summarize(times.raw);
    cases.push({
      actions,
      library,
      raw,
      empty: summarize(times.empty),
      ratioOfMedians: library.median / raw.median,
      pairRatios: summarize(pairRatios),
      resources: {
        library: resourceCount(path.join(options.outdir, 'library.out')),
        raw: resourceCount(path.join(options.outdir, 'raw.out')),
      },
    });
    progress(`synth process N=${actions}: library ${library.median.toFixed(0)} ms, raw ${raw.median.toFixed(0)} ms`);
  }
  const bundleBytes = Object.fromEntries(KINDS.map((k) => [k, fs.statSync(files[k]).size])) as Record<Kind, number>;
  return { cases, bundleBytes };
}
