/**
 * Per-agency resilience: a concurrency limit, a circuit breaker and retry backoff. State lives in
 * process memory on purpose: each platform process protects itself and the agency from its own
 * load; nothing here must agree across processes.
 */

/** Bounds how many requests one process sends an agency at once; the rest wait in order. */
export class ConcurrencyLimit {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly max: number) {}

  /** Waits for a slot for at most `timeoutMs`; resolves with a release function, or false when none came. */
  acquire(timeoutMs: number): Promise<(() => void) | false> {
    const release = () => {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    };
    if (this.#active < this.max) {
      this.#active += 1;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(once(release));
      };
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.#waiting.push(grant);
    });
  }

  get active(): number {
    return this.#active;
  }
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive transient failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial request is let through. */
  resetAfterMs: number;
  now?: () => number;
}

/**
 * Classic three-state breaker. Only transient failures (unreachable, timeout, 5xx) count: an agency
 * that answers "no such person" or even a bad signature is up, and opening on those would hide the
 * real error behind `exchange.circuit-open`.
 */
export class CircuitBreaker {
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;
  readonly #now: () => number;

  constructor(readonly options: CircuitBreakerOptions) {
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.options.resetAfterMs)
      return 'half-open';
    return this.#state;
  }

  /** Whether a request may go now; in half-open only one trial at a time. */
  admit(): { ok: true } | { ok: false; retryAfterMs: number } {
    const state = this.state;
    if (state === 'closed') return { ok: true };
    if (state === 'half-open' && !this.#trialInFlight) {
      this.#state = 'half-open';
      this.#trialInFlight = true;
      return { ok: true };
    }
    const retryAfterMs =
      this.#state === 'open' ? Math.max(0, this.options.resetAfterMs - (this.#now() - this.#openedAt)) : 0;
    return { ok: false, retryAfterMs };
  }

  success(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#trialInFlight = false;
  }

  failure(): void {
    this.#trialInFlight = false;
    this.#failures += 1;
    if (this.#state === 'half-open' || this.#failures >= this.options.failureThreshold) {
      this.#state = 'open';
      this.#openedAt = this.#now();
    }
  }

  /** A successful health check lets the next request through as the trial, without waiting out the timer. */
  probeSucceeded(): void {
    if (this.#state === 'open') this.#openedAt = this.#now() - this.options.resetAfterMs;
  }

  /** A request that was admitted but ended before reaching the agency (no verdict on its health). */
  abandon(): void {
    this.#trialInFlight = false;
  }
}

/** Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, baseMs: number, capMs = 2000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}
