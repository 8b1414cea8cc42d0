/**
 * The publishing end of ingest: records (topic, key, value bytes) in, acknowledged Kafka writes
 * out, with bounded memory.
 *
 * - One kafkajs producer, idempotent, acks from all in-sync replicas, one batch in flight at a
 *   time: records of a key stay in order on their partition and retries cannot reorder them.
 * - Records queue until the in-flight batch is acknowledged, then go as one compressed batch
 *   (`lingerMs` lets a batch fill when traffic is light).
 * - Every queued byte is charged to its owner (a router session) and to the total; owners ask
 *   `overLimit` whether to stop reading their socket, and are called back as bytes are
 *   acknowledged so they can resume. When Kafka is unreachable the send is retried for as long
 *   as it takes; nothing queued is ever dropped, so memory stays bounded only because sessions
 *   stop reading: that is the backpressure, and TCP carries it to the routers.
 *
 * This module knows bytes, keys and topics; nothing of BMP or Avro.
 */
import type { Message, Producer } from 'kafkajs';
import type { Logger } from '../runtime/logging.js';
import { CompressionTypes } from './compression.js';

export interface OutboundRecord {
  topic: string;
  key: Buffer | string;
  value: Buffer;
  /** Record timestamp (CreateTime), ms since the epoch; default: when the client sends it. */
  timestamp?: number;
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
}

export interface PublisherMetrics {
  onBatch(records: number, bytes: number, seconds: number): void;
  onSendError(error: Error): void;
}

interface Queued {
  record: OutboundRecord;
  owner: FlowOwner | null;
  bytes: number;
}

export class EventPublisher {
  /** Records not yet sent: queue[head] onwards (the sent prefix is dropped now and then, not per batch). */
  private queue: Queued[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private reservedBytes = 0;
  private sending = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Records acknowledged since start. */
  acknowledged = 0;

  constructor(
    private readonly producer: Producer,
    private readonly options: PublisherOptions,
    private readonly logger: Logger,
    private readonly metrics: PublisherMetrics | null = null,
  ) {}

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
    if (this.stopped) throw new Error('publisher is stopped');
    const bytes = record.value.length + (typeof record.key === 'string' ? record.key.length : record.key.length);
    this.queue.push({ record, owner, bytes });
    this.queuedBytes += bytes;
    if (owner) owner.pendingBytes += bytes;
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
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then refuses new records. */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  private schedule(): void {
    if (this.sending || this.lingerTimer) return;
    if (this.queuedBytes >= this.options.maxBatchBytes || this.options.lingerMs === 0) {
      void this.sendLoop();
      return;
    }
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      void this.sendLoop();
    }, this.options.lingerMs);
  }

  private takeBatch(): Queued[] {
    const queue = this.queue;
    const start = this.head;
    let bytes = 0;
    let end = start;
    while (end < queue.length && (end === start || bytes + queue[end].bytes <= this.options.maxBatchBytes)) {
      bytes += queue[end].bytes;
      end++;
    }
    const batch = queue.slice(start, end);
    // Copying the rest of the queue for every batch was quadratic in a backlog (up to
    // maxPendingBytes of records queued while Kafka was slow or away): the sent prefix is
    // dropped only once it is most of the array.
    this.head = end;
    if (end === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (end >= 4096 && end * 2 >= queue.length) {
      this.queue = queue.slice(end);
      this.head = 0;
    }
    this.queuedBytes -= bytes;
    this.inFlightBytes += bytes;
    return batch;
  }

  private async sendLoop(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > this.head) {
        const batch = this.takeBatch();
        await this.sendWithRetry(batch);
        this.release(batch);
      }
    } finally {
      this.sending = false;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async sendWithRetry(batch: Queued[]): Promise<void> {
    // The queued records are handed to kafkajs as its messages (key, value, timestamp; the extra
    // `topic` field is not read): no object and no timestamp string per record. kafkajs types
    // timestamps as strings; its produce encoder (as patched, patches/kafkajs+2.2.4.patch) reads
    // them as numbers.
    const byTopic = new Map<string, OutboundRecord[]>();
    let bytes = 0;
    for (const q of batch) {
      let list = byTopic.get(q.record.topic);
      if (!list) byTopic.set(q.record.topic, (list = []));
      list.push(q.record);
      bytes += q.bytes;
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages: messages as unknown as Message[] }));
    const compression =
      this.options.compression === 'lz4' ? CompressionTypes.LZ4 : this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    let attempt = 0;
    for (;;) {
      const started = process.hrtime.bigint();
      try {
        await this.producer.sendBatch({ topicMessages, acks: -1, compression });
        this.metrics?.onBatch(batch.length, bytes, Number(process.hrtime.bigint() - started) / 1e9);
        return;
      } catch (err) {
        // kafkajs already retried; keep the batch and try again: dropping it would lose events,
        // and the sessions are paused by now, so waiting costs memory we have bounded.
        attempt++;
        this.metrics?.onSendError(err as Error);
        const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
        this.logger.warn({ err, attempt, records: batch.length, retryInMs: delay }, 'Kafka send failed; retrying the same batch');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private release(batch: Queued[]): void {
    const owners = new Set<FlowOwner>();
    for (const q of batch) {
      this.inFlightBytes -= q.bytes;
      if (q.owner) {
        q.owner.pendingBytes -= q.bytes;
        owners.add(q.owner);
      }
    }
    this.acknowledged += batch.length;
    for (const o of owners) o.onAcknowledged();
    if (this.pendingBytes < this.options.maxPendingBytes) this.onBelowGlobalLimit?.();
  }

  /** Called when the total falls below the global bound (paused sessions of other owners may resume). */
  onBelowGlobalLimit: (() => void) | null = null;
}
