/**
 * The publishing end of ingest: records (topic, key, value bytes) in, acknowledged Kafka writes
 * out, with bounded memory.
 *
 * - One kafkajs producer, idempotent, acks from all in-sync replicas, one batch in flight at a
 *   time: records of a key stay in order on their partition and retries cannot reorder them.
 * - Records queue until the in-flight batch is acknowledged, then go as one compressed batch
 *   (`lingerMs` lets a batch fill when traffic is light). They queue as runs (RecordRun): a
 *   decode step's thousands of records are one queued object, and a record becomes an object of
 *   its own only when its batch is formed. Records that wait for Kafka (tens of milliseconds, far
 *   longer under backpressure) then cost the garbage collector nothing each: queued one object per
 *   record, they outlived young-generation collections by the ten thousand, and copying and
 *   promoting them cost the event loop 0.3-0.4 s of collection pauses per bench:ingest run
 *   (0.1 s with runs).
 * - A batch is written as Kafka record sets (record-sets.ts: each record's key and value octets
 *   copied where its partition's records are written, no object per record) when the producer
 *   takes them (kafkajs as patched: sendRecordSets) and knows the batch's topics; otherwise, and
 *   before a topic's metadata has been loaded, as kafkajs messages.
 * - Every queued byte is charged to its owner (a router session) and to the total; owners ask
 *   `overLimit` whether to stop reading their socket, and are called back as bytes are
 *   acknowledged so they can resume. When Kafka is unreachable the send is retried for as long
 *   as it takes; nothing queued is ever dropped, so memory stays bounded only because sessions
 *   stop reading: that is the backpressure, and TCP carries it to the routers.
 *
 * This module knows bytes, keys and topics; nothing of BMP or Avro.
 */
import type { Message, PartitionerArgs, Producer } from 'kafkajs';
import type { Logger } from '../runtime/logging.js';
import { CompressionTypes } from './compression.js';
import { RecordSetBuilder, type PartitionMetadata, type RecordSetWriter } from './record-sets.js';

export interface OutboundRecord {
  topic: string;
  key: Buffer | string;
  value: Buffer;
  /** Record timestamp (CreateTime), ms since the epoch; default: when the client sends it. */
  timestamp?: number;
}

/**
 * Records published together, in order. `record(i)` is called once per record, when the batch
 * holding it is formed; a run is read by index, so it may keep its records in any form (packed
 * octets, for the decode workers' runs) until then, and must not change afterwards.
 */
export interface RecordRun {
  /** Number of records. */
  readonly length: number;
  /** Bytes charged for the whole run: the sum of sizeOf over its records. */
  readonly bytes: number;
  /** Bytes charged for record i: its key's length plus its value's (as OutboundRecord's). */
  sizeOf(i: number): number;
  /** Record i, to send (its value may be a view of the run's memory). */
  record(i: number): OutboundRecord;
  /**
   * Optional: records [from, to), as `record` gives them, each appended to its topic's list in
   * `byTopic` (a list made where missing), in order. For a run of many records: one call per
   * batch piece instead of a call and a topic lookup per record.
   */
  collect?(from: number, to: number, byTopic: Map<string, OutboundRecord[]>): void;
  /**
   * Optional: records [from, to), as `record` gives them, written in order into their topic's
   * and partition's record set in `sets` (no object per record). Returns false, having written
   * some or none, when `sets` has no writer for one of them (the producer has no metadata for
   * its topic yet): the batch is then formed from `collect` or `record` instead.
   */
  writeRecords?(from: number, to: number, sets: RecordSetBuilder): boolean;
  /**
   * Optional: `count` more of the run's records have been acknowledged (called after each batch
   * holding some; the counts add up to `length`). Until then their values are still read (a
   * batch is sent again after a failure); afterwards, never.
   */
  acknowledged?(count: number): void;
}

/** Who a queued record belongs to; told when its bytes are acknowledged. */
export interface FlowOwner {
  /** Bytes of this owner's records not yet acknowledged (maintained by the publisher). */
  pendingBytes: number;
  /** Called after some of this owner's bytes were acknowledged. */
  onAcknowledged(): void;
}

export interface PublisherOptions {
  /** Wait this long for more records before sending a small batch (ms). */
  lingerMs: number;
  /** Largest batch sent at once (bytes of keys and values). */
  maxBatchBytes: number;
  /** Bound on queued + in-flight bytes for all owners together. */
  maxPendingBytes: number;
  /** Bound for one owner. */
  maxPendingBytesPerOwner: number;
  compression: 'lz4' | 'gzip' | 'none';
  /**
   * The producer's partitioner (the function its createPartitioner made, or one the same): with
   * it, and a producer that has sendRecordSets, batches are written as record sets here.
   */
  partitioner?: (args: PartitionerArgs) => number;
}

export interface PublisherMetrics {
  onBatch(records: number, bytes: number, seconds: number): void;
  onSendError(error: Error): void;
}

/**
 * kafkajs's producer as patched (patches/kafkajs+2.2.4.patch): `prepareBatch` starts encoding and
 * compressing the records of a later `sendBatch` with the same arguments.
 */
type PreparingProducer = Producer & {
  prepareBatch?: (batch: { topicMessages: Array<{ topic: string; messages: Message[] }>; compression: number }) => void;
  sendRecordSets?: (batch: { topicRecordSets: TopicRecordSets; acks: number; compression: number }) => Promise<unknown>;
  prepareRecordSets?: (batch: { topicRecordSets: TopicRecordSets; compression: number }) => void;
  partitionMetadataOf?: (topic: string) => PartitionMetadata | null;
};

type TopicRecordSets = Array<{ topic: string; recordSets: Record<number, RecordSetWriter> }>;

/** A queued run; records before `next` (`taken` bytes of them) have been taken into batches. */
interface Queued {
  run: RecordRun;
  owner: FlowOwner | null;
  next: number;
  taken: number;
}

/** Records [from, to) of a run, in a batch. */
interface BatchPiece {
  run: RecordRun;
  owner: FlowOwner | null;
  from: number;
  to: number;
  bytes: number;
}

/** A batch taken from the queue, its records made into kafkajs's messages by topic. */
interface PreparedBatch {
  pieces: BatchPiece[];
  topicMessages: Array<{ topic: string; messages: Message[] }>;
  /** The records as record sets instead (sendRecordSets); topicMessages is then empty. */
  topicRecordSets: TopicRecordSets | null;
  records: number;
  bytes: number;
}

/** Resolves after the I/O callbacks already due have run (setImmediate). */
function afterIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Bytes charged for a record: its key's length (octets, or UTF-16 units of a text) plus its value's. */
export function recordSize(record: OutboundRecord): number {
  return record.value.length + record.key.length;
}

/** A run of one record. */
class SingleRecord implements RecordRun {
  readonly length = 1;
  readonly bytes: number;

  constructor(private readonly only: OutboundRecord) {
    this.bytes = recordSize(only);
  }

  sizeOf(): number {
    return this.bytes;
  }

  record(): OutboundRecord {
    return this.only;
  }
}

export class EventPublisher {
  /** Runs not yet wholly sent: queue[head] onwards (the sent prefix is dropped now and then, not per batch). */
  private queue: Queued[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private reservedBytes = 0;
  private sending = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  /** The send loop waiting for `bytes` queued (see untilQueued). */
  private fillWaiter: { bytes: number; done: () => void } | null = null;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Records acknowledged since start. */
  acknowledged = 0;
  private readonly compression: number;
  /** RecordSetBuilder's sizes of the batch before. */
  private readonly recordSetSizes = new Map<string, number>();

  constructor(
    private readonly producer: PreparingProducer,
    private readonly options: PublisherOptions,
    private readonly logger: Logger,
    private readonly metrics: PublisherMetrics | null = null,
  ) {
    this.compression =
      options.compression === 'lz4' ? CompressionTypes.LZ4 : options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  /** Bytes reserved, queued or in flight, all owners together. */
  get pendingBytes(): number {
    return this.reservedBytes + this.queuedBytes + this.inFlightBytes;
  }

  /** The bound on one owner's unacknowledged bytes. */
  get maxPendingBytesPerOwner(): number {
    return this.options.maxPendingBytesPerOwner;
  }

  /** True when `owner` (or everyone together) holds as many unacknowledged bytes as allowed. */
  overLimit(owner: FlowOwner): boolean {
    return owner.pendingBytes >= this.options.maxPendingBytesPerOwner || this.pendingBytes >= this.options.maxPendingBytes;
  }

  /**
   * Counts bytes an owner holds before they become records (input still being decoded) against
   * its bound and the total, until `unreserve`.
   */
  reserve(owner: FlowOwner, bytes: number): void {
    owner.pendingBytes += bytes;
    this.reservedBytes += bytes;
  }

  unreserve(owner: FlowOwner, bytes: number): void {
    owner.pendingBytes -= bytes;
    this.reservedBytes -= bytes;
  }

  /** Queues a record; it will be sent in order with the others. */
  publish(record: OutboundRecord, owner: FlowOwner | null): void {
    this.publishRun(new SingleRecord(record), owner);
  }

  /** Queues a run of records; they will be sent in order, after everything queued before. */
  publishRun(run: RecordRun, owner: FlowOwner | null): void {
    if (this.stopped) throw new Error('publisher is stopped');
    if (run.length === 0) return;
    this.queue.push({ run, owner, next: 0, taken: 0 });
    this.queuedBytes += run.bytes;
    if (owner) owner.pendingBytes += run.bytes;
    if (this.fillWaiter !== null && this.queuedBytes >= this.fillWaiter.bytes) this.fillWaiter.done();
    this.schedule();
  }

  /** Resolves when everything queued so far has been acknowledged. */
  flush(): Promise<void> {
    if (this.queue.length === this.head && !this.sending) return Promise.resolve();
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    void this.sendLoop();
    const waiting = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    // A batch waiting to fill goes now.
    this.fillWaiter?.done();
    return waiting;
  }

  /** Flushes, then refuses new records. */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  private schedule(): void {
    if (this.sending) return;
    if (this.queuedBytes >= this.options.maxBatchBytes || this.options.lingerMs === 0) {
      // A full batch goes at once, lingering or not.
      if (this.lingerTimer) {
        clearTimeout(this.lingerTimer);
        this.lingerTimer = null;
      }
      void this.sendLoop();
      return;
    }
    if (this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      void this.sendLoop();
    }, this.options.lingerMs);
  }

  /** The next batch: records in queue order up to maxBatchBytes (at least one record). */
  private takeBatch(): BatchPiece[] {
    const queue = this.queue;
    const max = this.options.maxBatchBytes;
    const batch: BatchPiece[] = [];
    let bytes = 0;
    let records = 0;
    let head = this.head;
    while (head < queue.length) {
      const q = queue[head];
      const run = q.run;
      const from = q.next;
      let to = from;
      let pieceBytes = 0;
      if (bytes + run.bytes - q.taken <= max) {
        // The rest of the run fits (the usual case: a decode step is smaller than a batch).
        to = run.length;
        pieceBytes = run.bytes - q.taken;
      } else {
        while (to < run.length) {
          const size = run.sizeOf(to);
          if (records + (to - from) > 0 && bytes + pieceBytes + size > max) break;
          pieceBytes += size;
          to++;
        }
      }
      if (to > from) {
        batch.push({ run, owner: q.owner, from, to, bytes: pieceBytes });
        records += to - from;
        bytes += pieceBytes;
      }
      q.next = to;
      q.taken += pieceBytes;
      if (to < run.length) break;
      head++;
    }
    // The sent prefix is dropped once it is half the array: copying the rest of the queue for
    // every batch was quadratic in a backlog (up to maxPendingBytes of single records queued
    // while Kafka was slow or away), and keeping the prefix until the queue drains, which a
    // steady stream of runs never lets it do, would keep every run sent, and its memory, alive.
    this.head = head;
    if (head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (head >= 16 && head * 2 >= queue.length) {
      this.queue = queue.slice(head);
      this.head = 0;
    }
    this.queuedBytes -= bytes;
    this.inFlightBytes += bytes;
    return batch;
  }

  /**
   * Sends batches one at a time (one request in flight, as the idempotent producer has it) until
   * the queue is empty.
   *
   * While a batch is in flight, the next one is taken as soon as a full batch (maxBatchBytes) is
   * queued, made into messages, and its records encoded and compressed (kafkajs's prepareBatch):
   * that work is then off the round trip, which is what a full queue waits on; only the batch's
   * header and checksum, which carry the sequence numbers, are left for its send. A smaller batch
   * is not taken early: it waits for the acknowledgement, then up to lingerMs more, to fill. Taken
   * as soon as the request was out, it was whatever one decode step had queued by then (a third
   * of a batch while a table streams in, bench:ingest), and each small batch costs a request's
   * work on both sides, kafkajs's and the broker's, on cores the decoding needs: full batches
   * took a quarter fewer requests and 5% less of the service's wall time there.
   */
  private async sendLoop(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      const full = this.options.maxBatchBytes;
      let batch = this.nextBatch();
      while (batch !== null) {
        const sent = this.sendWithRetry(batch);
        await afterIo();
        if (this.queuedBytes < full) {
          await Promise.race([sent, this.untilQueued(full, null)]);
          this.fillWaiter = null;
        }
        const next = this.queuedBytes >= full ? this.nextBatch() : null;
        await sent;
        this.release(batch.pieces);
        const linger = this.options.lingerMs;
        // Not when flush waits: what is queued then goes at once.
        if (next === null && linger > 0 && this.queue.length > this.head && this.queuedBytes < full && this.idleWaiters.length === 0) {
          await this.untilQueued(full, linger);
        }
        batch = next ?? this.nextBatch();
      }
    } finally {
      this.fillWaiter = null;
      this.sending = false;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Resolves when `bytes` are queued, when flush is called, or after `timeoutMs` (null: no time
   * limit). One wait at a time: the send loop's.
   */
  private untilQueued(bytes: number, timeoutMs: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (): void => {
        if (timer !== null) clearTimeout(timer);
        if (this.fillWaiter === waiter) this.fillWaiter = null;
        resolve();
      };
      const waiter = { bytes, done };
      this.fillWaiter = waiter;
      if (timeoutMs !== null) timer = setTimeout(done, timeoutMs);
    });
  }

  /** The next batch, prepared; null when nothing is queued. */
  private nextBatch(): PreparedBatch | null {
    if (this.queue.length === this.head) return null;
    const batch = this.prepareBatch(this.takeBatch());
    if (batch.topicRecordSets !== null) this.producer.prepareRecordSets?.({ topicRecordSets: batch.topicRecordSets, compression: this.compression });
    else this.producer.prepareBatch?.({ topicMessages: batch.topicMessages, compression: this.compression });
    return batch;
  }

  private prepareBatch(pieces: BatchPiece[]): PreparedBatch {
    let bytes = 0;
    let records = 0;
    for (const piece of pieces) {
      bytes += piece.bytes;
      records += piece.to - piece.from;
    }
    const topicRecordSets = this.recordSets(pieces);
    if (topicRecordSets !== null) return { pieces, topicMessages: [], topicRecordSets, records, bytes };
    // The records are handed to kafkajs as its messages (key, value, timestamp; the extra `topic`
    // field is not read): no other object and no timestamp string per record. kafkajs types
    // timestamps as strings; its produce encoder (as patched, patches/kafkajs+2.2.4.patch) reads
    // them as numbers.
    const byTopic = new Map<string, OutboundRecord[]>();
    for (const piece of pieces) {
      const run = piece.run;
      if (run.collect !== undefined) run.collect(piece.from, piece.to, byTopic);
      else {
        for (let i = piece.from; i < piece.to; i++) {
          const record = run.record(i);
          let list = byTopic.get(record.topic);
          if (!list) byTopic.set(record.topic, (list = []));
          list.push(record);
        }
      }
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages: messages as unknown as Message[] }));
    return { pieces, topicMessages, topicRecordSets: null, records, bytes };
  }

  /**
   * The batch's records written as record sets (record-sets.ts), when the producer takes them
   * and knows every topic's partitions; otherwise null.
   */
  private recordSets(pieces: BatchPiece[]): TopicRecordSets | null {
    const producer = this.producer;
    const partitioner = this.options.partitioner;
    if (producer.sendRecordSets === undefined || producer.partitionMetadataOf === undefined || partitioner === undefined) return null;
    const sets = new RecordSetBuilder((topic) => producer.partitionMetadataOf?.(topic) ?? null, partitioner, this.recordSetSizes);
    // As kafkajs stamps a message without a timestamp: when its batch is encoded.
    const now = Date.now();
    for (const piece of pieces) {
      const run = piece.run;
      if (run.writeRecords !== undefined) {
        if (!run.writeRecords(piece.from, piece.to, sets)) return null;
        continue;
      }
      for (let i = piece.from; i < piece.to; i++) {
        const record = run.record(i);
        const writer = sets.writerFor(record.topic, record.key);
        if (writer === null) return null;
        writer.append(record.key, record.value, 0, record.value.length, record.timestamp ?? now);
      }
    }
    return sets.topicRecordSets();
  }

  private async sendWithRetry(batch: PreparedBatch): Promise<void> {
    const { topicMessages, topicRecordSets, records, bytes } = batch;
    const compression = this.compression;
    let attempt = 0;
    for (;;) {
      const started = process.hrtime.bigint();
      try {
        if (topicRecordSets !== null && this.producer.sendRecordSets !== undefined) {
          await this.producer.sendRecordSets({ topicRecordSets, acks: -1, compression });
        } else {
          await this.producer.sendBatch({ topicMessages, acks: -1, compression });
        }
        this.metrics?.onBatch(records, bytes, Number(process.hrtime.bigint() - started) / 1e9);
        return;
      } catch (err) {
        // kafkajs already retried; keep the batch and try again: dropping it would lose events,
        // and the sessions are paused by now, so waiting costs memory we have bounded.
        attempt++;
        this.metrics?.onSendError(err as Error);
        const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
        this.logger.warn({ err, attempt, records, retryInMs: delay }, 'Kafka send failed; retrying the same batch');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private release(batch: BatchPiece[]): void {
    const owners = new Set<FlowOwner>();
    for (const piece of batch) {
      this.inFlightBytes -= piece.bytes;
      this.acknowledged += piece.to - piece.from;
      piece.run.acknowledged?.(piece.to - piece.from);
      if (piece.owner) {
        piece.owner.pendingBytes -= piece.bytes;
        owners.add(piece.owner);
      }
    }
    for (const o of owners) o.onAcknowledged();
    if (this.pendingBytes < this.options.maxPendingBytes) this.onBelowGlobalLimit?.();
  }

  /** Called when the total falls below the global bound (paused sessions of other owners may resume). */
  onBelowGlobalLimit: (() => void) | null = null;
}
