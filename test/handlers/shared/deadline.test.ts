import { runWithDeadline } from '../../../src/handlers/shared/deadline';

describe('runWithDeadline (pure scheduling)', () => {
  const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('aborted')); });
  });

  test('runs everything, at most `concurrency` at a time, when there is time', async () => {
    let running = 0;
    let peak = 0;
    const outcome = await runWithDeadline([1, 2, 3, 4, 5, 6, 7], async (n, signal) => {
      running += 1; peak = Math.max(peak, running);
      await sleep(20, signal);
      running -= 1;
      if (n === 4) { throw new Error('four'); }
      return n * 10;
    }, { concurrency: 3, remainingMs: () => 60_000, marginMs: 1_000 });
    expect(peak).toBe(3);
    expect(outcome.settled.map((s) => s.item).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(outcome.settled.find((s) => s.item === 4)).toMatchObject({ error: expect.objectContaining({ message: 'four' }) });
    expect(outcome.settled.find((s) => s.item === 7)).toMatchObject({ result: 70 });
    expect(outcome).toMatchObject({ unfinished: [], notStarted: [] });
  });

  test('stops at the margin: aborts what is in flight and reports it, starts nothing more', async () => {
    const deadline = Date.now() + 1_000 + 250;
    const began = Date.now();
    const outcome = await runWithDeadline(Array.from({ length: 10 }, (_, i) => i), (_n, signal) => sleep(100, signal),
      { concurrency: 2, remainingMs: () => deadline - Date.now(), marginMs: 1_000 });
    expect(Date.now() - began).toBeLessThan(400);
    expect(outcome.settled.length).toBeGreaterThanOrEqual(2);
    expect(outcome.unfinished).toHaveLength(2);
    const accounted = [...outcome.settled.map((s) => s.item), ...outcome.unfinished, ...outcome.notStarted];
    expect(accounted.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('already inside the margin: starts nothing', async () => {
    const outcome = await runWithDeadline(['a', 'b'], async () => 1, { concurrency: 5, remainingMs: () => 500, marginMs: 1_000 });
    expect(outcome).toEqual({ settled: [], unfinished: [], notStarted: ['a', 'b'] });
  });
});
