import { describe, expect, it } from 'vitest';
import { backoffDelay, CircuitBreaker, ConcurrencyLimit } from './resilience.ts';

describe('A circuit breaker', () => {
  const make = () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, resetAfterMs: 1000, now: () => now });
    return { breaker, advance: (ms: number) => (now += ms) };
  };

  it('opens after the threshold of consecutive failures and refuses until the reset time', () => {
    const { breaker, advance } = make();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ ok: false, retryAfterMs: 1000 });
    advance(400);
    expect(breaker.admit()).toEqual({ ok: false, retryAfterMs: 600 });
  });

  it('lets one trial through when half-open, closing on success and reopening on failure', () => {
    const { breaker, advance } = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(1000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit().ok).toBe(true);
    expect(breaker.admit().ok).toBe(false);
    breaker.failure();
    expect(breaker.state).toBe('open');
    advance(1000);
    expect(breaker.admit().ok).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
  });

  it('goes half-open at once when a health probe succeeds', () => {
    const { breaker } = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    breaker.probeSucceeded();
    expect(breaker.state).toBe('half-open');
  });
});

describe('A concurrency limit', () => {
  it('admits up to its maximum, queues the rest in order, and times out waiters', async () => {
    const limit = new ConcurrencyLimit(2);
    const a = await limit.acquire(100);
    const b = await limit.acquire(100);
    expect(a && b).toBeTruthy();
    const order: string[] = [];
    const c = limit.acquire(1000).then((r) => {
      order.push('c');
      return r;
    });
    const d = limit.acquire(1000).then((r) => {
      order.push('d');
      return r;
    });
    expect(await limit.acquire(5)).toBe(false);
    (a as () => void)();
    (a as () => void)(); // a second release of the same slot is ignored
    const released = await c;
    expect(order).toEqual(['c']);
    (b as () => void)();
    await d;
    expect(order).toEqual(['c', 'd']);
    expect(limit.active).toBe(2);
    (released as () => void)();
  });
});

describe('Backoff', () => {
  it('grows exponentially, capped, with full jitter', () => {
    expect(backoffDelay(1, 100, 2000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 2000, () => 0.999)).toBe(399);
    expect(backoffDelay(10, 100, 2000, () => 0.999)).toBe(1998);
    expect(backoffDelay(3, 100, 2000, () => 0)).toBe(0);
  });
});
