/**
 * Start-up retries of the services: Kafka, the registry and topic creation may come up after us
 * (a fresh cluster, a rolling restart), so a service waits for them instead of exiting, logging
 * each failed attempt and backing off linearly up to 10 s.
 */
import type { Logger } from './logging.js';

/** Retries `action` until it succeeds or `stopped()` says to give up (then rethrows the last error). */
export async function untilDone<T>(what: string, logger: Logger, stopped: () => boolean, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (err) {
      if (stopped()) throw err;
      const delay = Math.min(10_000, 500 * attempt);
      logger.warn({ err: (err as Error).message, attempt, retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
