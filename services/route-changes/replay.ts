/**
 * Reads records of some partitions of a topic between two offsets (committed records only), in
 * partition order: the re-processing from a snapshot's offset up to the task's committed offset
 * when a task is opened.
 *
 * Every offset below `to` (a committed consumer offset of a read_committed consumer) belongs to
 * committed data, and the record at `to - 1` is a data record (the runtime commits the offset
 * after a record it processed), so the read ends on seeing it. kafkajs has no group-less
 * consumer: a throwaway group that never commits, seeking each partition to its start and pausing
 * the partitions not asked for.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface RangeRead {
  partition: number;
  /** First offset to read (inclusive). */
  from: bigint;
  /** Offset to stop before. */
  to: bigint;
}

export async function readRange(options: {
  kafka: Kafka;
  topic: string;
  ranges: RangeRead[];
  groupPrefix: string;
  onRecord(partition: number, message: KafkaMessage): Promise<void>;
  timeoutMs?: number;
}): Promise<number> {
  const { kafka, topic } = options;
  const ranges = new Map(options.ranges.filter((r) => r.to > r.from).map((r) => [r.partition, r]));
  if (ranges.size === 0) return 0;
  const admin = kafka.admin();
  await admin.connect();
  let all: number[];
  try {
    all = (await admin.fetchTopicOffsets(topic)).map((o) => o.partition);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}.replay.${randomBytes(6).toString('hex')}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  let count = 0;
  const pending = new Set(ranges.keys());
  const next = new Map<number, bigint>();
  const timeoutMs = options.timeoutMs ?? 300_000;
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replaying ${topic} partitions ${[...pending].join(',')} took more than ${timeoutMs} ms`)), timeoutMs);
      const done = (partition: number): void => {
        pending.delete(partition);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) {
          clearTimeout(timer);
          reject(e.payload.error);
        }
      });
      const fail = (err: unknown): void => {
        clearTimeout(timer);
        reject(err as Error);
      };
      void consumer
        .subscribe({ topics: [topic], fromBeginning: true })
        .then(async () => {
          await consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const range = ranges.get(batch.partition);
              if (range === undefined || !pending.has(batch.partition)) return;
              try {
                for (const m of batch.messages) {
                  const offset = BigInt(m.offset);
                  // Below the next one to read: before the range, or fetched again after the seek.
                  if (offset < (next.get(batch.partition) ?? range.from)) continue;
                  if (offset >= range.to) break;
                  await options.onRecord(batch.partition, m);
                  next.set(batch.partition, offset + 1n);
                  count++;
                  if (offset + 1n >= range.to) {
                    done(batch.partition);
                    break;
                  }
                }
              } catch (err) {
                fail(err);
              }
            },
          });
          const others = all.filter((p) => !ranges.has(p));
          if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
          for (const r of ranges.values()) consumer.seek({ topic, partition: r.partition, offset: r.from.toString() });
        })
        .catch(fail);
    });
  } finally {
    await consumer.disconnect();
  }
  return count;
}
