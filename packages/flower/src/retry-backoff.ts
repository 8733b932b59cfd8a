import { FleetError } from './fleet-transport';

/** How long and how often a node keeps trying a SuperLink that does not answer. */
export interface RetryPolicy {
  /** First wait (ms); doubles each attempt up to `maxDelayMs`, ±20 % jitter. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up once this much time has passed since the first failure. */
  giveUpAfterMs: number;
}

/** 0.5 s doubling to 8 s, for at most 60 s. */
export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 500, maxDelayMs: 8_000, giveUpAfterMs: 60_000 };

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds; retries only `unavailable` failures, with exponential backoff, for at most
 * `policy.giveUpAfterMs`, then throws one clear error naming what was tried. An abort stops the retries.
 */
export async function withRetry<T>(what: string, attempt: () => Promise<T>, policy: RetryPolicy, log: (m: string) => void, signal?: AbortSignal): Promise<T> {
  const started = Date.now();
  let delay = policy.initialDelayMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof FleetError) || err.kind !== 'unavailable') throw err;
      const elapsed = Date.now() - started;
      if (elapsed + delay > policy.giveUpAfterMs || signal?.aborted) {
        throw new FleetError('unavailable', `${what}: the SuperLink did not answer for ${Math.round(elapsed / 1000)} s (${n} attempts); last error: ${err.message}`);
      }
      log(`${what} failed (${err.message}); retry ${n} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay * (0.8 + 0.4 * Math.random()), signal);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
