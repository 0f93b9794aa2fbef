/**
 * Synth scale: the library app against the hand-written L1 app, for N mitigation actions,
 * synthesized in the same process, alternating library and raw in every repetition.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { defineLibraryStack } from './library-app';
import { defineRawStack } from './raw-app';
import { SHARED_RESOURCE_IDS, STACK_NAME } from './stack-shape';
import { Summary, collectGarbage, progress, summarize } from './stats';

/** CloudFormation quotas a single stack must fit in. */
export const CFN_MAX_RESOURCES = 500;
/** Template body in S3: "1 MB". Taken as 1,000,000 bytes, the stricter reading. */
export const CFN_MAX_TEMPLATE_BYTES = 1_000_000;

/** library: this library; l2role: the raw app with aws-cdk-lib's iam.Role (what users write, the target); raw: with iam.CfnRole (the floor). */
type Kind = 'library' | 'raw' | 'l2role';
const KINDS: readonly Kind[] = ['library', 'raw', 'l2role'];
const DEFINE: Record<Kind, (app: App, actions: number) => Stack> = {
  library: defineLibraryStack,
  raw: (app, actions) => defineRawStack(app, actions, 'iam.CfnRole'),
  l2role: (app, actions) => defineRawStack(app, actions, 'iam.Role'),
};

export interface SynthOptions {
  readonly sizes: number[];
  readonly warmups: number;
  readonly reps: number;
  /** Where the cloud assemblies are written (removed afterwards). */
  readonly outdir: string;
}

export interface TemplateFacts {
  /** Bytes of the template file `cdk synth` writes (what is uploaded). */
  readonly bytes: number;
  /** Bytes of the same template without whitespace. */
  readonly minifiedBytes: number;
  readonly resources: number;
  readonly resourceTypes: Record<string, number>;
}

/** Times of one app: construct creation plus `app.synth()`, and the two phases apart. */
export interface SynthTimes {
  readonly total: Summary;
  /** `new App()`, the stack and its constructs. */
  readonly construct: Summary;
  /** `app.synth()`: validation, token resolution, writing the cloud assembly. */
  readonly synth: Summary;
}

export interface SynthCase {
  readonly actions: number;
  readonly library: SynthTimes;
  readonly raw: SynthTimes;
  /** The raw app with aws-cdk-lib's iam.Role instead of iam.CfnRole: what users write, the target. */
  readonly l2role: SynthTimes;
  /** median(library) / median(l2role). */
  readonly ratioToL2role: number;
  /** library / l2role of each repetition. */
  readonly l2rolePairRatios: Summary;
  /** median(l2role) / median(raw): what aws-cdk-lib's L2 role alone costs. */
  readonly l2roleRatio: number;
  /** Whether the l2role template equals the raw one. */
  readonly l2roleEquivalent: boolean;
  /** median(library) / median(raw). */
  readonly ratioOfMedians: number;
  /** library / raw of each repetition's pair. */
  readonly pairRatios: Summary;
  readonly libraryTemplate: TemplateFacts;
  readonly rawTemplate: TemplateFacts;
  /** Resources of the library template that belong to one action (shared ones left out), per action. */
  readonly resourcesPerAction: number;
  readonly sharedResources: string[];
  /** Whether the library template equals the raw one once the library's cdk-nag metadata is removed. */
  readonly equivalent: boolean;
  readonly differences: string[];
}

interface Synthesized {
  readonly ms: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly templateFile: string;
}

function synthOnce(kind: Kind, actions: number, outdir: string): Synthesized {
  collectGarbage();
  const start = performance.now();
  const app = new App({ outdir, analyticsReporting: false });
  DEFINE[kind](app, actions);
  const constructed = performance.now();
  const assembly = app.synth();
  const end = performance.now();
  return {
    ms: end - start,
    constructMs: constructed - start,
    synthMs: end - constructed,
    templateFile: assembly.getStackByName(STACK_NAME).templateFullPath,
  };
}

function templateFacts(file: string): { facts: TemplateFacts; template: Record<string, any> } {
  const text = fs.readFileSync(file, 'utf-8');
  const template = JSON.parse(text) as Record<string, any>;
  const resources = Object.values(template.Resources ?? {}) as Array<{ Type: string }>;
  const resourceTypes: Record<string, number> = {};
  for (const r of resources) { resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1; }
  return {
    facts: {
      bytes: Buffer.byteLength(text),
      minifiedBytes: Buffer.byteLength(JSON.stringify(template)),
      resources: resources.length,
      resourceTypes,
    },
    template,
  };
}

/** JSON with sorted keys, so that two templates compare regardless of key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) { return `[${value.map(canonical).join(',')}]`; }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The differences between the library template (without its cdk-nag metadata) and the raw one. */
function compareTemplates(library: Record<string, any>, raw: Record<string, any>): string[] {
  const differences: string[] = [];
  const libResources = library.Resources as Record<string, Record<string, unknown>>;
  const rawResources = raw.Resources as Record<string, Record<string, unknown>>;
  for (const id of Object.keys(libResources)) {
    const { Metadata: metadata, ...rest } = libResources[id];
    const onlyNag = metadata === undefined || canonical(Object.keys(metadata as object)) === canonical(['cdk_nag']);
    if (!onlyNag) { differences.push(`${id}: metadata other than cdk_nag`); }
    if (!(id in rawResources)) {
      differences.push(`${id}: only in the library template`);
    } else if (canonical(rest) !== canonical(rawResources[id])) {
      differences.push(`${id}: differs`);
    }
  }
  for (const id of Object.keys(rawResources)) {
    if (!(id in libResources)) { differences.push(`${id}: only in the raw template`); }
  }
  for (const section of ['Parameters', 'Rules', 'Outputs', 'Conditions', 'Mappings']) {
    if (canonical(library[section]) !== canonical(raw[section])) { differences.push(`${section} differ`); }
  }
  return differences;
}

export function runSynthBenchmark(options: SynthOptions): SynthCase[] {
  const cases: SynthCase[] = [];
  for (const actions of options.sizes) {
    const runs: Record<Kind, Synthesized[]> = { library: [], raw: [], l2role: [] };
    const pairRatios: number[] = [];
    const l2rolePairRatios: number[] = [];
    let last: Record<Kind, Synthesized> | undefined;
    for (let rep = -options.warmups; rep < options.reps; rep++) {
      // Every repetition synthesizes each app once, library and raw alternating which goes first
      // (library, raw, reference; then reference, raw, library; ...), so that neither always runs
      // on a warmer or fuller heap.
      const order = (rep + options.warmups) % 2 === 0 ? KINDS : [...KINDS].reverse();
      const result = {} as Record<Kind, Synthesized>;
      for (const kind of order) { result[kind] = synthOnce(kind, actions, path.join(options.outdir, `${kind}-${actions}`)); }
      last = result;
      if (rep < 0) { continue; }
      for (const kind of KINDS) { runs[kind].push(result[kind]); }
      pairRatios.push(result.library.ms / result.raw.ms);
      l2rolePairRatios.push(result.library.ms / result.l2role.ms);
    }
    const times = (kind: Kind): SynthTimes => ({
      total: summarize(runs[kind].map((r) => r.ms)),
      construct: summarize(runs[kind].map((r) => r.constructMs)),
      synth: summarize(runs[kind].map((r) => r.synthMs)),
    });
    const lib = templateFacts(last!.library.templateFile);
    const raw = templateFacts(last!.raw.templateFile);
    const l2role = templateFacts(last!.l2role.templateFile);
    const shared = Object.keys(lib.template.Resources).filter((id) => SHARED_RESOURCE_IDS.some((s) => id.startsWith(s)));
    const library = times('library');
    const rawTimes = times('raw');
    const l2roleTimes = times('l2role');
    const differences = compareTemplates(lib.template, raw.template);
    cases.push({
      actions,
      library,
      raw: rawTimes,
      l2role: l2roleTimes,
      ratioToL2role: library.total.median / l2roleTimes.total.median,
      l2rolePairRatios: summarize(l2rolePairRatios),
      l2roleRatio: l2roleTimes.total.median / rawTimes.total.median,
      l2roleEquivalent: compareTemplates(l2role.template, raw.template).length === 0,
      ratioOfMedians: library.total.median / rawTimes.total.median,
      pairRatios: summarize(pairRatios),
      libraryTemplate: lib.facts,
      rawTemplate: raw.facts,
      resourcesPerAction: (lib.facts.resources - shared.length) / actions,
      sharedResources: shared.map((id) => `${id} (${lib.template.Resources[id].Type})`),
      equivalent: differences.length === 0,
      differences,
    });
    progress(`synth N=${actions}: library ${library.total.median.toFixed(0)} ms, raw ${rawTimes.total.median.toFixed(0)} ms, `
      + `raw with L2 roles ${l2roleTimes.total.median.toFixed(0)} ms`);
  }
  return cases;
}
