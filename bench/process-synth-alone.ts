/**
 * The whole-process synth benchmark (process-synth.ts) alone, without the other benchmarks of run.ts:
 *
 *   npx ts-node --transpile-only --project tsconfig.dev.json bench/process-synth-alone.ts [--write] [repetitions] [sizes]
 *
 * Prints the times and ratios. With --write, also replaces the whole-process section and target rows
 * of bench/RESULTS.md, saying that they were measured alone; the rest of the file stays as the last
 * full run (`npx projen bench`) wrote it. Defaults: 30 repetitions, 100 actions (sizes comma-separated).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProcessSynthBenchmark } from './process-synth';
import { processRatiosTable, processSynthVerdicts, processTimesTable, spliceProcessSynth } from './process-synth-report';
import { verdictRow } from './report';

const ROOT = path.join(__dirname, '..');
const RESULTS = path.join(__dirname, 'RESULTS.md');
const WARMUPS = 1;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const [reps = '30', sizes = '100'] = args.filter((a) => a !== '--write');
  const command = `npx ts-node --transpile-only --project tsconfig.dev.json bench/process-synth-alone.ts ${args.join(' ')}`.trim();
  const loadStart = os.loadavg()[0];
  const date = new Date().toISOString();
  const outdir = path.join(ROOT, '.tmp', 'bench', 'process-synth');
  const result = await runProcessSynthBenchmark({ sizes: sizes.split(',').map(Number), warmups: WARMUPS, reps: Number(reps), outdir });
  fs.rmSync(outdir, { recursive: true, force: true });
  const loadEnd = os.loadavg()[0];
  console.log([
    `${os.cpus().length} cores; load average (1 min) ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end`,
    processTimesTable(result), '', processRatiosTable(result), '', ...processSynthVerdicts(result).map(verdictRow),
  ].join('\n'));
  if (write) {
    const run = { warmups: WARMUPS, reps: Number(reps), alone: { date, loadStart, loadEnd, command } };
    fs.writeFileSync(RESULTS, spliceProcessSynth(fs.readFileSync(RESULTS, 'utf-8'), result, run, verdictRow));
    console.log(`\nWrote ${path.relative(process.cwd(), RESULTS)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
