/**
 * Bounded waits for shutdown steps: a stop that awaits a client which never settles (kafkajs
 * consumers told to leave mid-rebalance, tulios/kafkajs#1462) must not hold the process or its
 * caller for ever; the caller logs what did not finish and goes on.
 */

/** True when `promise` fulfils within `ms`, false when the time runs out first; a rejection is rethrown. */
export async function fulfilsWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
