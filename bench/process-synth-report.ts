/**
 * The whole-process synth benchmark (process-synth.ts) as Markdown: its targets and its section of
 * bench/RESULTS.md, rendered by report.ts in a full run, or spliced into RESULTS.md by a run of
 * process-synth.ts alone (`--write`), which leaves the rest of the file as the last full run wrote it.
 */
import { Kind, LEAN_ROLE_COMMIT, MEASURES, Measure, ProcessSynthCase, ProcessSynthResult, Ratio, RatioName } from './process-synth';
import { fmt, int } from './stats';

/** library / raw app with iam.Role, whole process, at most this (what users write by hand). */
export const PROCESS_RATIO_TARGET = 1.0;
/** The rule for a hand-built role: kept only if it saves at least this share of the whole process... */
export const LEAN_ROLE_MIN_SAVING = 0.1;
/** ...at this many actions. */
export const LEAN_ROLE_ACTIONS = 100;

/** How the processes were run, for the section's text. */
export interface ProcessSynthRun {
  readonly warmups: number;
  readonly reps: number;
  /** Set when the section was measured alone (process-synth-alone.ts --write), not in a full run. */
  readonly alone?: { readonly date: string; readonly loadStart: number; readonly loadEnd: number; readonly command: string };
}

export interface ProcessVerdict {
  readonly target: string;
  readonly result: string;
  readonly met: boolean;
}

const LABEL: Record<Kind, string> = {
  library: 'library (iam.Role)',
  lean: `library with LeanInlinePolicyRole (${LEAN_ROLE_COMMIT.slice(0, 7)})`,
  rawIamRole: 'raw with iam.Role',
  raw: 'raw with iam.CfnRole (floor)',
  empty: 'empty app',
};

const PROCESS_TARGET = `Whole app process (what \`cdk synth\` waits for) library / raw app with iam.Role ≤ ${PROCESS_RATIO_TARGET.toFixed(1)} at N=`;
const LEAN_TARGET = `iam.Role in place of the hand-built LeanInlinePolicyRole: it saved < ${LEAN_ROLE_MIN_SAVING * 100}% of the whole app process `
  + `at N=${LEAN_ROLE_ACTIONS} (the rule for keeping it)`;

/**
 * The ratio the targets are judged by: the median of the per-repetition ratios, each of two processes
 * run one after the other, which other work on the machine (it comes and goes) disturbs less than the
 * ratio of the two medians taken over the whole run.
 */
function paired(r: Ratio): number {
  return r.perRepetition.median;
}

/** The share of the library's process that LeanInlinePolicyRole saved (paired), if it was measured. */
function saving(c: ProcessSynthCase, m: Measure): number | undefined {
  const r = c.ratios.leanToLibrary?.[m];
  return r && 1 - paired(r);
}

const pct = (x: number | undefined) => (x === undefined ? 'not measured' : `${(x * 100).toFixed(1)}%`);
const ratio = (r: Ratio) => `${paired(r).toFixed(2)} (${r.perRepetition.min.toFixed(2)}–${r.perRepetition.max.toFixed(2)}; of the medians ${r.ofMedians.toFixed(2)})`;

function decisionCase(result: ProcessSynthResult): ProcessSynthCase {
  return result.cases.find((c) => c.actions === LEAN_ROLE_ACTIONS) ?? result.cases.reduce((a, b) => (b.actions > a.actions ? b : a));
}

/** The targets of the whole-process benchmark. Wall time decides (it is what users wait for); CPU time is shown beside it. */
export function processSynthVerdicts(result: ProcessSynthResult): ProcessVerdict[] {
  const c = decisionCase(result);
  const target = c.ratios.libraryToRawIamRole;
  const verdicts: ProcessVerdict[] = [{
    target: `${PROCESS_TARGET}${c.actions}`,
    result: `wall ${ratio(target.wall)}, CPU ${paired(target.cpu).toFixed(2)}; floor (raw with iam.CfnRole): wall `
      + `${paired(c.ratios.libraryToRaw.wall).toFixed(2)}, CPU ${paired(c.ratios.libraryToRaw.cpu).toFixed(2)}`,
    met: paired(target.wall) <= PROCESS_RATIO_TARGET,
  }];
  const wall = saving(c, 'wall');
  if (wall !== undefined) {
    verdicts.push({
      target: LEAN_TARGET,
      result: `${pct(wall)} of the wall time (of the medians ${pct(1 - c.ratios.leanToLibrary!.wall.ofMedians)}), `
        + `${pct(saving(c, 'cpu'))} of the CPU time at N=${c.actions}`,
      met: wall < LEAN_ROLE_MIN_SAVING,
    });
  }
  return verdicts;
}

/** Whether `row` (a line of the targets table) is one of `processSynthVerdicts`' rows, of this or an earlier version. */
function isProcessTargetRow(row: string): boolean {
  return row.startsWith('| Whole app process') || row.startsWith('| LeanInlinePolicyRole') || row.startsWith(`| ${LEAN_TARGET}`);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function processTimesTable(result: ProcessSynthResult): string {
  return table(['N actions', 'measure', ...result.kinds.map((k) => `${LABEL[k]} ms`)],
    result.cases.flatMap((c) => MEASURES.map((m) => [int(c.actions), m === 'wall' ? 'wall' : 'CPU', ...result.kinds.map((k) => fmt(c.times[m][k]!, 0))])));
}

const RATIO_COLUMNS: Array<[RatioName, string]> = [
  ['libraryToRawIamRole', `library / raw with iam.Role (target ≤ ${PROCESS_RATIO_TARGET.toFixed(1)})`],
  ['libraryToRaw', 'library / raw with iam.CfnRole (floor)'],
  ['leanToLibrary', 'with LeanInlinePolicyRole / library (below 1 by what it saved)'],
  ['leanToRawIamRole', 'with LeanInlinePolicyRole / raw with iam.Role'],
  ['rawIamRoleToRaw', 'raw with iam.Role / raw with iam.CfnRole'],
];

export function processRatiosTable(result: ProcessSynthResult): string {
  const columns = RATIO_COLUMNS.filter(([name]) => result.cases.every((c) => c.ratios[name]));
  return table(['N actions', 'measure', ...columns.map(([, label]) => label)],
    result.cases.flatMap((c) => MEASURES.map((m) => [int(c.actions), m === 'wall' ? 'wall' : 'CPU',
      ...columns.map(([name]) => (name === 'libraryToRawIamRole' ? `**${ratio(c.ratios[name]![m])}**` : ratio(c.ratios[name]![m])))])));
}

function notes(result: ProcessSynthResult): string[] {
  const c = decisionCase(result);
  const resources = result.cases.map((k) => `N=${k.actions}: ${result.kinds.filter((kind) => kind !== 'empty').map((kind) => k.resources[kind]).join(' / ')}`);
  const sameLibrary = result.cases.every((k) => k.sameTemplate.library !== false);
  const sameRaw = result.cases.every((k) => k.sameTemplate.raw);
  const wall = saving(c, 'wall');
  const out = [
    `- **Same templates.** ${result.leanSkipped ? '' : sameLibrary ? 'The two library builds write the same template; ' : '**The two library builds write different templates**; '}`
      + `${sameRaw ? 'the two raw apps write the same template' : '**the two raw apps write different templates**'} `
      + `(resources, ${result.kinds.filter((k) => k !== 'empty').map((k) => LABEL[k]).join(' / ')}: ${resources.join('; ')}).`,
    `- **Against what users write.** The library costs ${paired(c.ratios.libraryToRawIamRole.wall).toFixed(2)}× the raw app with \`iam.Role\` `
      + `(wall; CPU ${paired(c.ratios.libraryToRawIamRole.cpu).toFixed(2)}×), and ${paired(c.ratios.libraryToRaw.wall).toFixed(2)}× the floor `
      + `with \`iam.CfnRole\` (CPU ${paired(c.ratios.libraryToRaw.cpu).toFixed(2)}×), at N=${c.actions}. Both apps pay for \`iam.Role\`; `
      + 'the library also loads its own modules and the aws-cdk-lib modules they import (section 4), validates its input and writes '
      + `cdk-nag metadata. Node.js, aws-cdk-lib and an empty synth take ${c.times.wall.empty.median.toFixed(0)} ms of every process.`,
  ];
  if (result.leanSkipped) {
    out.push(`- **LeanInlinePolicyRole.** Not measured: ${result.leanSkipped}.`);
  } else {
    out.push(`- **LeanInlinePolicyRole.** Until ${LEAN_ROLE_COMMIT.slice(0, 7)}, each action's role was written straight to an \`iam.CfnRole\` by a `
      + 'hand-built `iam.IRole`, to save synth time; the rule was to keep it only if it saved at least '
      + `${LEAN_ROLE_MIN_SAVING * 100}% of the whole app process at N=${LEAN_ROLE_ACTIONS} (and tests showed it honoured what users apply to `
      + `roles, which test/mitigation-action-role.test.ts did at that commit). Here it saves ${pct(wall)} of the wall time and `
      + `${pct(saving(c, 'cpu'))} of the CPU time at N=${c.actions} (paired): `
      + (wall !== undefined && wall < LEAN_ROLE_MIN_SAVING ? 'below the bar, so `iam.Role` replaced it.'
        : '**at or above the bar: measure again, and bring it back if that holds.**')
      + ` The \`lean\` app is built from that commit's src/${result.leanSrcCommitsSince ? `, ${result.leanSrcCommitsSince} commit(s) to src/ ago, `
        + 'so later changes to the library also differ between the two' : ''}.`);
  }
  out.push('- **Scope.** The app process only, as a compiled app runs: the `cdk` CLI\'s own start-up and, for a TypeScript app run through '
    + 'ts-node, its compilation come on top of every column, so each share of a user\'s whole `cdk synth` is smaller than here.');
  return out;
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
same app built from the library as it was with \`LeanInlinePolicyRole\` (commit ${LEAN_ROLE_COMMIT.slice(0, 7)}), the raw app with
\`iam.Role\` (what users write by hand), the raw app with \`iam.CfnRole\` (the floor), and an app with one empty stack. Each is
bundled with esbuild, aws-cdk-lib and constructs left to node_modules as a compiled app loads them. ${run.warmups} warm-up and
${run.reps} timed processes per app and N, interleaved (each repetition runs every app once, the order reversed every other
repetition). Wall time is what users wait for; CPU time (user and system, all threads of the process) is shown beside it, as it
is less disturbed by other work on this 2-core machine, which other jobs share. Ratios compare processes run side by side: the
median (min–max) of each repetition's ratio, which the targets use, and the ratio of the medians.

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
