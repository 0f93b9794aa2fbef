/**
 * The whole-process synth benchmark (process-synth.ts) as Markdown: its targets and its section of
 * bench/RESULTS.md, rendered by report.ts in a full run, or spliced into RESULTS.md by a run of
 * process-synth.ts alone (`--write`), which leaves the rest of the file as the last full run wrote it.
 */
import { KINDS, Kind, MEASURES, Measure, ProcessSynthCase, ProcessSynthResult, Ratio, RatioName } from './process-synth';
import { fmt, int } from './stats';

/** library / raw app with iam.Role, whole process, at most this (what users write by hand). */
export const PROCESS_RATIO_TARGET = 1.0;
/** LeanInlinePolicyRole is kept only while it saves at least this share of the whole process... */
export const LEAN_ROLE_MIN_SAVING = 0.1;
/** ...at this many actions. */
export const LEAN_ROLE_ACTIONS = 100;

/** How the processes were run, for the section's text. */
export interface ProcessSynthRun {
  readonly warmups: number;
  readonly reps: number;
  /** Set when the section was measured alone (process-synth.ts --write), not in a full run. */
  readonly alone?: { readonly date: string; readonly loadStart: number; readonly loadEnd: number; readonly command: string };
}

export interface ProcessVerdict {
  readonly target: string;
  readonly result: string;
  readonly met: boolean;
}

const LABEL: Record<Kind, string> = {
  library: 'library (LeanInlinePolicyRole)',
  libraryIamRole: 'library with iam.Role',
  rawIamRole: 'raw with iam.Role',
  raw: 'raw with iam.CfnRole (floor)',
  empty: 'empty app',
};

const LEAN_TARGET = `LeanInlinePolicyRole saves ≥ ${LEAN_ROLE_MIN_SAVING * 100}% of the whole app process at N=${LEAN_ROLE_ACTIONS} (else iam.Role replaces it)`;
const PROCESS_TARGET = `Whole app process (what \`cdk synth\` waits for) library / raw app with iam.Role ≤ ${PROCESS_RATIO_TARGET.toFixed(1)} at N=`;

/**
 * The ratio the targets are judged by: the median of the per-repetition ratios, each of two processes
 * run one after the other, which other work on the machine (it comes and goes) disturbs less than the
 * ratio of the two medians taken over the whole run.
 */
function paired(r: Ratio): number {
  return r.perRepetition.median;
}

/** The share of the library-with-iam.Role process that LeanInlinePolicyRole saves. */
function saving(c: ProcessSynthCase, m: Measure): number {
  return 1 - paired(c.ratios.libraryToLibraryIamRole[m]);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ratio = (r: Ratio) => `${paired(r).toFixed(2)} (${r.perRepetition.min.toFixed(2)}–${r.perRepetition.max.toFixed(2)}; of the medians ${r.ofMedians.toFixed(2)})`;

function decisionCase(result: ProcessSynthResult): ProcessSynthCase {
  return result.cases.find((c) => c.actions === LEAN_ROLE_ACTIONS) ?? result.cases.reduce((a, b) => (b.actions > a.actions ? b : a));
}

/** The targets of the whole-process benchmark. Wall time decides (it is what users wait for); CPU time is shown beside it. */
export function processSynthVerdicts(result: ProcessSynthResult): ProcessVerdict[] {
  const c = decisionCase(result);
  const target = c.ratios.libraryToRawIamRole;
  return [
    {
      target: `${PROCESS_TARGET}${c.actions}`,
      result: `wall ${ratio(target.wall)}, CPU ${paired(target.cpu).toFixed(2)}; floor (raw with iam.CfnRole): wall `
        + `${paired(c.ratios.libraryToRaw.wall).toFixed(2)}, CPU ${paired(c.ratios.libraryToRaw.cpu).toFixed(2)}`,
      met: paired(target.wall) <= PROCESS_RATIO_TARGET,
    },
    {
      target: LEAN_TARGET,
      result: `${pct(saving(c, 'wall'))} of the wall time (of the medians ${pct(1 - c.ratios.libraryToLibraryIamRole.wall.ofMedians)}), `
        + `${pct(saving(c, 'cpu'))} of the CPU time at N=${c.actions}`,
      met: saving(c, 'wall') >= LEAN_ROLE_MIN_SAVING,
    },
  ];
}

/** Whether `row` (a line of the targets table) is one of `processSynthVerdicts`' rows, of any run. */
function isProcessTargetRow(row: string): boolean {
  return row.startsWith(`| ${PROCESS_TARGET}`) || row.startsWith(`| ${LEAN_TARGET}`) || row.startsWith('| Whole app process');
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function processTimesTable(result: ProcessSynthResult): string {
  return table(['N actions', 'measure', ...KINDS.map((k) => `${LABEL[k]} ms`)],
    result.cases.flatMap((c) => MEASURES.map((m) => [int(c.actions), m === 'wall' ? 'wall' : 'CPU', ...KINDS.map((k) => fmt(c.times[m][k], 0))])));
}

const RATIO_COLUMNS: Array<[RatioName, string]> = [
  ['libraryToRawIamRole', `library / raw with iam.Role (target ≤ ${PROCESS_RATIO_TARGET.toFixed(1)})`],
  ['libraryToRaw', 'library / raw with iam.CfnRole (floor)'],
  ['libraryToLibraryIamRole', 'library / library with iam.Role (LeanInlinePolicyRole\'s saving)'],
  ['libraryIamRoleToRawIamRole', 'library with iam.Role / raw with iam.Role'],
  ['rawIamRoleToRaw', 'raw with iam.Role / raw with iam.CfnRole'],
];

export function processRatiosTable(result: ProcessSynthResult): string {
  return table(['N actions', 'measure', ...RATIO_COLUMNS.map(([, label]) => label)],
    result.cases.flatMap((c) => MEASURES.map((m) => [int(c.actions), m === 'wall' ? 'wall' : 'CPU',
      ...RATIO_COLUMNS.map(([name]) => (name === 'libraryToRawIamRole' ? `**${ratio(c.ratios[name][m])}**` : ratio(c.ratios[name][m])))])));
}

function notes(result: ProcessSynthResult): string[] {
  const c = decisionCase(result);
  const same = result.cases.every((k) => k.sameTemplate.library && k.sameTemplate.raw);
  const resources = result.cases.map((k) => `N=${k.actions}: ${KINDS.filter((kind) => kind !== 'empty').map((kind) => k.resources[kind]).join(' / ')}`);
  const kept = saving(c, 'wall') >= LEAN_ROLE_MIN_SAVING;
  const perRole = (saving(c, 'wall') * c.times.wall.libraryIamRole.median) / c.actions;
  return [
    `- **Same templates.** ${same ? 'The two library builds write the same template, and so do the two raw apps' : '**The templates differ**'} `
      + `(resources, library / library with iam.Role / raw with iam.Role / raw: ${resources.join('; ')}).`,
    `- **Decision.** The rule: keep \`LeanInlinePolicyRole\` only if it saves at least ${LEAN_ROLE_MIN_SAVING * 100}% of the whole app process at `
      + `N=${LEAN_ROLE_ACTIONS} and tests prove it honours what users apply to roles. Here it saves ${pct(saving(c, 'wall'))} of the wall time `
      + `(about ${perRole.toFixed(2)} ms per role) and ${pct(saving(c, 'cpu'))} of the CPU time at N=${c.actions}: `
      + (kept
        ? 'it is kept. The tests are in test/mitigation-action-role.test.ts: every user application to a role gives the template an `iam.Role` '
          + 'gives (the same app built again with the roles as `iam.Role`), and apps that customize roles or inject `iam.Role` properties get `iam.Role`.'
        : '**below the bar: the rule says to replace it with `iam.Role`.**'),
    `- **Against what users write.** The library costs ${paired(c.ratios.libraryToRawIamRole.wall).toFixed(2)}× the raw app with \`iam.Role\` `
      + `(wall; CPU ${paired(c.ratios.libraryToRawIamRole.cpu).toFixed(2)}×) and ${paired(c.ratios.libraryToRaw.wall).toFixed(2)}× the floor `
      + `with \`iam.CfnRole\`; with \`iam.Role\` it would cost ${paired(c.ratios.libraryIamRoleToRawIamRole.wall).toFixed(2)}× the raw app with \`iam.Role\`. `
      + `Node.js, aws-cdk-lib and an empty synth take ${c.times.wall.empty.median.toFixed(0)} ms of every process.`,
    '- **Scope.** The app process only, as a compiled app runs: the `cdk` CLI\'s own start-up and, for a TypeScript app run through '
      + 'ts-node, its compilation come on top of every column, so a user\'s whole `cdk synth` saves a smaller share than this.',
  ];
}

/** The section of RESULTS.md. */
export function renderProcessSynthSection(result: ProcessSynthResult, run: ProcessSynthRun): string {
  const alone = run.alone
    ? `\n\nMeasured alone (${run.alone.date}, load average (1 min) ${run.alone.loadStart.toFixed(2)} at start, ${run.alone.loadEnd.toFixed(2)} at end; `
      + `\`${run.alone.command}\`), not in the run the rest of this file comes from.`
    : '';
  return `### The whole app process${alone}

What a user waits for in \`cdk synth\`: the app process from spawn to exit (node starts, loads aws-cdk-lib and the app, builds the
stack, writes the cloud assembly to \`CDK_OUTDIR\`). Five apps ([process-synth.ts](process-synth.ts)): the library app above, the
same app with the library's \`MitigationAction\` roles as aws-cdk-lib's \`iam.Role\` (the library without \`LeanInlinePolicyRole\`:
[iam-role-library.ts](iam-role-library.ts) swapped in when bundling), the raw app with \`iam.Role\` (what users write by hand), the raw
app with \`iam.CfnRole\` (the floor), and an app with one empty stack. Each is bundled with esbuild, aws-cdk-lib and constructs left
to node_modules as a compiled app loads them. ${run.warmups} warm-up and ${run.reps} timed processes per app and N, the five
interleaved (each repetition runs every app once, the order reversed every other repetition). Wall time is what users wait for;
CPU time (user and system, all threads of the process) is shown beside it, as it is less disturbed by other work on this
2-core machine. Ratios compare processes run side by side: the median (min–max) of each repetition's ratio, which the targets
use, and the ratio of the medians.

${processTimesTable(result)}

${processRatiosTable(result)}

${notes(result).join('\n')}`;
}

const START = '<!-- process-synth:start -->';
const END = '<!-- process-synth:end -->';

/** The section between its markers, as report.ts writes it. */
export function markedProcessSynthSection(result: ProcessSynthResult, run: ProcessSynthRun): string {
  return `${START}\n${renderProcessSynthSection(result, run)}\n${END}`;
}

/** Where the section is in RESULTS.md: between its markers, or (written before there were markers) its heading and the next `## `. */
function sectionBounds(markdown: string): { start: number; end: number } {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start >= 0 && end > start) { return { start, end: end + END.length }; }
  const heading = markdown.indexOf('### The whole app process');
  const next = markdown.indexOf('\n## ', heading);
  if (heading < 0 || next < 0) { throw new Error('RESULTS.md has no whole-process section: run the full benchmark (npx projen bench)'); }
  return { start: heading, end: next + 1 - '\n'.length };
}

/**
 * RESULTS.md with the section and the process rows of the targets table replaced by `result`'s;
 * `targetRow` renders a verdict as the targets table does.
 */
export function spliceProcessSynth(markdown: string, result: ProcessSynthResult, run: ProcessSynthRun,
  targetRow: (v: ProcessVerdict) => string): string {
  const { start, end } = sectionBounds(markdown);
  const lines = markdown.slice(0, start).split('\n');
  const firstRow = lines.findIndex(isProcessTargetRow);
  if (firstRow < 0) { throw new Error('RESULTS.md has no whole-process row in its targets table'); }
  const kept = lines.filter((line) => !isProcessTargetRow(line));
  kept.splice(firstRow, 0, ...processSynthVerdicts(result).map(targetRow));
  return `${kept.join('\n')}${markedProcessSynthSection(result, run)}\n${markdown.slice(end).replace(/^\n*/, '\n')}`;
}
