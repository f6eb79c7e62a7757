import { describe, expect, it } from 'vitest';
import { createReadThroughCache } from './cache.ts';

describe('read-through cache', () => {
  it('loads once while fresh, again after maxAgeMs or a clear, and never keeps a failure', async () => {
    let t = 0;
    let loads = 0;
    const cache = createReadThroughCache<number>({ maxAgeMs: 100, now: () => t });
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    t = 99;
    expect(await cache.get('a', load)).toBe(1);
    t = 100;
    expect(await cache.get('a', load)).toBe(2);
    cache.clear();
    expect(await cache.get('a', load)).toBe(3);
    await expect(cache.get('b', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('b', load)).toBe(4);
  });
});
