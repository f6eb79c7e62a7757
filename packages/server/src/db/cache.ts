/**
 * A read-through cache for rows that change rarely and are read on every request (catalogue entries,
 * registered clients). Entries live `maxAgeMs`, so a change made by another process is seen within
 * that time; the process that makes a change clears the cache itself and sees it at once. A failed
 * load is not cached, and concurrent reads of one key share a single load.
 */
export function createReadThroughCache<V>(options: { maxAgeMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: Promise<V>; expires: number }>();
  return {
    get(key: string, load: () => Promise<V>): Promise<V> {
      const t = now();
      const hit = entries.get(key);
      if (hit && hit.expires > t) return hit.value;
      const value = load();
      entries.set(key, { value, expires: t + options.maxAgeMs });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
    clear(): void {
      entries.clear();
    },
  };
}
