/**
 * Reading a state topic back: every committed record of some partitions of a topic, from the
 * beginning to the end as it is now, for a task restoring its state (no other database).
 *
 * "The end" is each partition's high watermark when the read starts. The caller makes sure no
 * transaction of its own partitions is still open (the task's producer, which alone writes them,
 * has just been initialised), so the last stable offset is the high watermark and read_committed
 * reaches it. A partition's end may be a transaction marker, never handed out as a record: kafkajs
 * reports such batches through END_BATCH_PROCESS, which is what ends the read.
 *
 * kafkajs has no group-less consumer, so the read uses a throwaway consumer group that never
 * commits.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface RestoreOptions {
  kafka: Kafka;
  topic: string;
  partitions: number[];
  /** Throwaway group id prefix (the group is `<prefix>.restore.<random>`). */
  groupPrefix: string;
  /** Called for each record in partition order, awaited; a throw fails the whole read. */
  onRecord(partition: number, message: KafkaMessage): void | Promise<void>;
  timeoutMs?: number;
}

/** Reads `partitions` of `topic` to their current end; resolves with the records read. */
export async function readToEnd(options: RestoreOptions): Promise<number> {
  const { kafka, topic } = options;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(
      offsets
        .filter((o) => options.partitions.includes(o.partition) && BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return 0;

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}.restore.${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  let count = 0;
  const pending = new Set(ends.keys());
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`restoring ${topic} partitions ${[...pending].join(',')} took more than ${options.timeoutMs ?? 120_000} ms`)),
        options.timeoutMs ?? 120_000,
      );
      const reached = (partition: number, lastOffset: string | null): void => {
        const end = ends.get(partition);
        if (end === undefined || lastOffset === null || BigInt(lastOffset) + 1n < end) return;
        pending.delete(partition);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) {
          clearTimeout(timer);
          reject(e.payload.error);
        }
      });
      void consumer
        .subscribe({ topics: [topic], fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition);
              if (end === undefined) return;
              try {
                for (const m of batch.messages) {
                  if (BigInt(m.offset) >= end) break;
                  await options.onRecord(batch.partition, m);
                  count++;
                }
              } catch (err) {
                clearTimeout(timer);
                reject(err as Error);
              }
            },
          }),
        )
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err as Error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return count;
}
