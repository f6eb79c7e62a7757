/**
 * Shared by every benchmark: latency percentiles, a process's CPU time and peak RSS read from /proc
 * (so the load generator can watch the platform in another process), and a fixed-duration load loop.
 */
import { readFileSync } from 'node:fs';

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Percentiles (nearest rank) of latencies in milliseconds. */
export function latency(samples: number[]): Latency {
  const xs = [...samples].sort((a, b) => a - b);
  const at = (p: number) => round(xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] ?? 0);
  return { count: xs.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(xs.at(-1) ?? 0) };
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ProcessSample {
  /** User + system CPU seconds the process has used since it started. */
  cpuSeconds: number;
  /** Peak resident set size so far (VmHWM), MiB. */
  peakRssMiB: number;
  rssMiB: number;
}

/** Reads another process's CPU time and peak RSS from /proc; undefined where /proc is not there. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return {
      cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
      peakRssMiB: round(kib('VmHWM') / 1024),
      rssMiB: round(kib('VmRSS') / 1024),
    };
  } catch {
    return undefined;
  }
}

/** Runs `once` from `concurrency` loops until `seconds` have passed; returns the count and latencies. */
export async function drive(
  seconds: number,
  concurrency: number,
  once: (i: number) => Promise<void>,
): Promise<{ done: number; failed: number; elapsedSeconds: number; latencies: number[]; errors: string[] }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let done = 0;
  let failed = 0;
  let n = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await once(n++);
          latencies.push(performance.now() - t0);
          done += 1;
        } catch (error) {
          failed += 1;
          if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return { done, failed, elapsedSeconds: (performance.now() - start) / 1000, latencies, errors };
}

/** Busy and total CPU ticks of the whole machine so far (from /proc/stat), to tell a saturated machine. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1).map(Number) ?? [];
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}
