import { fulfilsWithin } from '../../services/runtime/deadline.js';

/**
 * Stops in-process service instances one after another, each within `ms`; an instance whose stop
 * does not end in time is named on stderr (else it would hold its test file until the file's
 * timeout with nothing saying which one hung) and the others are still stopped.
 */
export async function stopAll(instances: ReadonlyArray<{ stop(): Promise<void> }>, ms = 90_000): Promise<void> {
  for (const [i, instance] of instances.entries()) {
    if (!(await fulfilsWithin(instance.stop().catch(() => undefined), ms))) console.error(`instance ${i} of ${instances.length} did not stop within ${ms / 1000} s`);
  }
}
