/** What `runWithDeadline` did with each item. */
export interface DeadlineRun<T, R> {
  /** Items whose work finished in time, with its result or the error it threw. */
  readonly settled: Array<{ item: T; result?: R; error?: unknown }>;
  /** Items whose work was still running when time ran out (aborted through the signal). */
  readonly unfinished: T[];
  /** Items never started because time ran out first. */
  readonly notStarted: T[];
}

export interface DeadlineOptions {
  /** At most this many items at a time. */
  readonly concurrency: number;
  /** Milliseconds left before the caller must return (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** Stop this long before the end: no new item starts, and work in flight is aborted. */
  readonly marginMs: number;
}

/**
 * Runs `work` on every item, at most `concurrency` at a time, and returns before
 * `remainingMs()` drops below `marginMs`: from then on no item starts, work still in flight is
 * aborted through its signal, and the result says which items did not finish or never started.
 */
export async function runWithDeadline<T, R>(items: readonly T[], work: (item: T, signal: AbortSignal) => Promise<R>,
  options: DeadlineOptions): Promise<DeadlineRun<T, R>> {
  const controller = new AbortController();
  const timeLeft = () => options.remainingMs() - options.marginMs;
  const settled: Array<{ item: T; result?: R; error?: unknown }> = [];
  const inFlight = new Set<T>();
  let next = 0;

  const worker = async () => {
    while (next < items.length && !controller.signal.aborted && timeLeft() > 0) {
      const item = items[next++];
      inFlight.add(item);
      try {
        const result = await work(item, controller.signal);
        if (!controller.signal.aborted) { settled.push({ item, result }); }
      } catch (error) {
        if (!controller.signal.aborted) { settled.push({ item, error }); }
      } finally {
        if (!controller.signal.aborted) { inFlight.delete(item); }
      }
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<void>((resolve) => { timer = setTimeout(resolve, Math.max(0, timeLeft())); });
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, items.length)) }, worker);
  await Promise.race([Promise.all(workers), outOfTime]);
  clearTimeout(timer);
  controller.abort();
  return { settled: [...settled], unfinished: [...inFlight], notStarted: items.slice(next) };
}
