/**
 * Small helpers shared by the benchmarks: summary statistics, timing, garbage collection and
 * silencing the handlers' JSON log lines.
 */
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Median, mean, minimum and maximum of a sample, and how many values it has. */
export interface Summary {
  readonly median: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) { throw new Error('summarize: no values'); }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { median, mean, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** The p-th percentile (0 < p <= 100) by the nearest-rank method: a value of the sample, never an interpolation. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) { throw new Error('percentile: no values'); }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** `median (min–max)` with the given number of decimals. */
export function fmt(s: Summary, decimals = 1, unit = ''): string {
  const f = (x: number) => x.toFixed(decimals);
  return `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}

/** A number with thousands separators. */
export function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Bytes in MiB, one decimal. */
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Milliseconds taken by `fn`, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

let gcFn: (() => void) | undefined;

/**
 * A full garbage collection, so that the garbage of one measured run is not collected during the
 * next. Works without `--expose-gc` on the command line (the flag is set at run time).
 */
export function collectGarbage(): void {
  if (!gcFn) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) {
      gcFn = existing;
    } else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

/**
 * Runs `fn` with console.log and console.error silenced: the handlers write one JSON line per
 * decision, which would only clutter the benchmark's table.
 */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  console.log = () => undefined;
  console.error = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Progress messages go to stderr, so that stdout holds only the results table. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
