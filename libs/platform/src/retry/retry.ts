/**
 * Retry with exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff
 * And Jitter", 2015): wait a random time in [0, min(cap, base·2^attempt)] between attempts, so
 * many replicas retrying the same dependency do not retry in lockstep.
 */
export interface RetryOptions {
  /** Total attempts including the first; Infinity retries until `signal` aborts. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Return false to stop retrying on an error that will not heal (e.g. 403). */
  retryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let attempt = 0;
  for (;;) {
    try {
      return await fn(attempt);
    } catch (err) {
      attempt++;
      if (attempt >= options.attempts || options.signal?.aborted || (options.retryable && !options.retryable(err))) throw err;
      const delay = backoffDelay(attempt - 1, options.baseMs, options.maxMs, options.random);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
