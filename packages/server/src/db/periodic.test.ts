import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPeriodicTask } from './periodic.ts';

describe('periodic task', () => {
  afterEach(() => vi.useRealTimers());

  it('runs on its interval, one run at a time, reports failures and waits for a run on stop', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let release: () => void = () => {};
    const errors: unknown[] = [];
    const task = createPeriodicTask(() => {
      runs += 1;
      if (runs === 2) return Promise.reject(new Error('db down'));
      return new Promise<void>((r) => {
        release = r;
      });
    });
    task.start(100, (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(350);
    expect(runs).toBe(1); // the first run has not finished: later ticks skip
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect([stopped, runs]).toEqual([false, 3]);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });
});
