/**
 * An exactly-once stream processor on Kafka (consume, transform, produce), reusable by every
 * consumer service: records of the input topics in, decoded, handed to the service's processor,
 * and its output records published together with the consumed offsets in one Kafka transaction.
 *
 * Work is split in tasks: task N owns partition N of every input topic (co-partitioned
 * assignment, ./assigner.ts) and the state built from them. Each task has its own transactional
 * producer, `transactionalId` = `<prefix>-<N>`, as in Kafka Streams' first exactly-once mode:
 * when a task moves to another instance, the new owner's producer initialisation fences the old
 * one (whose transaction still open is aborted, and whose later commits fail), and only then
 * does the new owner read the task's committed offsets and restore its state. So every record's
 * effects (outputs, state, offsets) are committed exactly once, whatever crashes or rebalances.
 *
 * Per batch of one input partition, in chunks of at most `maxRecordsPerTransaction`:
 * begin transaction -> decode and process each record -> send the outputs -> sendOffsets (the
 * next offset to read) -> commit. An undecodable record (or one the processor throws on) becomes
 * a dead letter in the same transaction, and processing carries on. A failed transaction drops
 * the task's state (it may hold the aborted chunk's effects) and restarts consumption from the
 * committed offsets, which restores it.
 *
 * Everything that reads outputs back (state restore included) must read committed data only
 * (kafkajs' default isolation, `readUncommitted: false`).
 */
import { Partitioners, type Admin, type Consumer, type IHeaders, type Kafka, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { fulfilsWithin } from '../runtime/deadline.js';
import type { Logger } from '../runtime/logging.js';
import { coPartitionedAssigner } from './assigner.js';
import { deadLetterMessage } from './dead-letter.js';
import { UndecodableRecordError } from './decoder.js';

/** A consumed record, as the processor sees it. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Record timestamp, ms since the epoch (the producer's CreateTime for the pipeline's topics). */
  timestamp: number;
  headers: IHeaders;
}

/** A record to publish in the transaction of the records that caused it. */
export interface OutputRecord {
  topic: string;
  /** Explicit partition; when absent the key's murmur2 hash chooses (the Java client's rule). */
  partition?: number;
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  /** ms since the epoch; default: now. */
  timestamp?: number;
}

/** The state and logic of one task. */
export interface StreamTask<D> {
  /**
   * Applies one decoded record and returns what to publish. Must leave the state as it was when
   * it throws (the record then becomes a dead letter).
   */
  process(record: ConsumedRecord, decoded: D): OutputRecord[];
}

/** What a service plugs into the runtime. */
export interface StreamProcessor<D> {
  /**
   * Decodes a consumed record. Returns null for a record the processor ignores; throws
   * UndecodableRecordError for a record that becomes a dead letter; any other error is taken as
   * transient and the batch is retried.
   */
  decode(record: ConsumedRecord): Promise<D | null>;
  /**
   * Creates tasks with their state restored (from committed data only). Called after the tasks'
   * producers have fenced any previous owner, so nothing uncommitted of theirs can still appear.
   */
  openTasks(tasks: number[]): Promise<Map<number, StreamTask<D>>>;
  /** Drops a task's state: it was revoked, or its transaction failed. */
  closeTask(task: number): void;
}

export interface StreamRuntimeOptions<D> {
  kafka: Kafka;
  /** Consumer group; also the group whose offsets the transactions commit. */
  groupId: string;
  /** Kafka topic names to consume. */
  inputTopics: string[];
  /** Prefix of the tasks' transactional ids (`<prefix>-<task>`). */
  transactionalIdPrefix: string;
  /** Kafka topic of dead letters. */
  deadLetterTopic: string;
  processor: StreamProcessor<D>;
  logger: Logger;
  /** Where the runtime's metrics go (labelled with `stream`). */
  metrics: StreamMetrics;
  /** Name of this stream in metrics and logs. */
  name: string;
  maxRecordsPerTransaction: number;
  sessionTimeoutMs: number;
  /** Longest a transaction may stay open before the broker aborts it. */
  transactionTimeoutMs: number;
}

/** Prometheus metrics of the stream runtimes of a process. */
export class StreamMetrics {
  readonly records: Counter<'stream' | 'topic'>;
  readonly deadLetters: Counter<'stream'>;
  readonly outputs: Counter<'stream'>;
  readonly transactions: Counter<'stream' | 'result'>;
  readonly transactionSeconds: Histogram<'stream'>;
  readonly tasks: Gauge<'stream'>;

  constructor(readonly registry: Registry) {
    this.records = new Counter({ name: 'bmp_stream_records_total', help: 'Records consumed and processed', labelNames: ['stream', 'topic'], registers: [registry] });
    this.deadLetters = new Counter({ name: 'bmp_stream_dead_letters_total', help: 'Records sent to the dead-letter topic', labelNames: ['stream'], registers: [registry] });
    this.outputs = new Counter({ name: 'bmp_stream_outputs_total', help: 'Records published by the processor', labelNames: ['stream'], registers: [registry] });
    this.transactions = new Counter({
      name: 'bmp_stream_transactions_total',
      help: 'Kafka transactions, by result (committed, aborted)',
      labelNames: ['stream', 'result'],
      registers: [registry],
    });
    this.transactionSeconds = new Histogram({
      name: 'bmp_stream_transaction_seconds',
      help: 'Time from the start of a transaction to its commit',
      labelNames: ['stream'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.tasks = new Gauge({ name: 'bmp_stream_tasks', help: 'Tasks (input partition numbers) owned by this instance', labelNames: ['stream'], registers: [registry] });
  }
}

interface OpenTask<D> {
  id: number;
  task: StreamTask<D>;
  producer: Producer;
  /** Committed offset per input topic when the task was opened: records below were already processed. */
  committed: Map<string, bigint>;
}

export class StreamRuntime<D> {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly log: Logger;
  /** Tasks of the current group generation. */
  private assigned = new Set<number>();
  private readonly open = new Map<number, OpenTask<D>>();
  private joined = false;
  private crashed: string | null = null;
  private stopping = false;
  private started = false;
  /** Called when the current rebalance ends: the group joined, or the consumer crashed. */
  private rebalanceEnded: Array<() => void> = [];

  constructor(private readonly options: StreamRuntimeOptions<D>) {
    this.log = options.logger.child({ stream: options.name });
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [coPartitionedAssigner],
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 10)),
      // Only committed records: the inputs may themselves be transactional outputs.
      readUncommitted: false,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    this.admin = options.kafka.admin();
  }

  /** Joined a group generation, and no crash since. */
  get ready(): boolean {
    return this.joined && this.crashed === null && !this.stopping;
  }

  /** Why it is not ready, for /readyz. */
  get notReadyReason(): string | null {
    if (this.stopping) return `${this.options.name}: stopping`;
    if (this.crashed !== null) return `${this.options.name}: consumer crashed (${this.crashed}); restarting`;
    if (!this.joined) return `${this.options.name}: not joined to consumer group ${this.options.groupId} yet`;
    return null;
  }

  /** Task ids owned now. */
  get tasks(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    const { consumer } = this;
    this.started = true;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.onJoin(e.payload.memberAssignment);
      this.endRebalance();
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.crashed = (e.payload.error as Error).message;
      this.joined = false;
      this.log.warn({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      this.endRebalance();
    });
    await this.admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.inputTopics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => this.onBatch(payload),
    });
  }

  /**
   * Leaves the group and closes the tasks. A kafkajs consumer told to disconnect while it rejoins
   * its group can keep running, or never answer (tulios/kafkajs#1462): the stop first lets a
   * rebalance in progress end (at most a session timeout), and does not wait more than
   * `stopTimeoutMs()` for the consumer; if it has not left by then, the group coordinator drops it
   * after the session timeout, and the process exits anyway.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.started && !this.joined && this.crashed === null) {
      const started = Date.now();
      const ended = await fulfilsWithin(new Promise<void>((resolve) => this.rebalanceEnded.push(resolve)), this.options.sessionTimeoutMs);
      this.log.info({ ms: Date.now() - started, ended }, 'stopping: waited for the group rebalance in progress');
    }
    if (!(await fulfilsWithin(this.consumer.disconnect(), this.stopTimeoutMs()))) {
      this.log.error({ waitedMs: this.stopTimeoutMs() }, 'stopping: the consumer did not leave its group in time; closing the tasks anyway');
    }
    for (const id of [...this.open.keys()]) await this.closeTask(id, 'stopping');
    await this.admin.disconnect();
  }

  /** Longest wait for the consumer to stop fetching, commit nothing more and leave the group. */
  private stopTimeoutMs(): number {
    return 2 * this.options.sessionTimeoutMs + 10_000;
  }

  private endRebalance(): void {
    const waiting = this.rebalanceEnded;
    this.rebalanceEnded = [];
    for (const resolve of waiting) resolve();
  }

  private onJoin(assignment: Record<string, number[]>): void {
    const tasks = new Set(Object.values(assignment).flat());
    this.assigned = tasks;
    this.joined = true;
    this.crashed = null;
    this.options.metrics.tasks.set({ stream: this.options.name }, tasks.size);
    this.log.info({ tasks: this.tasks }, 'joined consumer group');
    for (const id of [...this.open.keys()]) if (!tasks.has(id)) void this.closeTask(id, 'revoked');
  }

  private async closeTask(id: number, why: string): Promise<void> {
    const entry = this.open.get(id);
    if (entry === undefined) return;
    this.open.delete(id);
    this.options.processor.closeTask(id);
    this.log.info({ task: id, why }, 'task closed, state dropped');
    await entry.producer.disconnect().catch((err: unknown) => this.log.warn({ err, task: id }, 'producer disconnect failed'));
  }

  /** Opens every assigned task not open yet: fence previous owners, read committed offsets, restore state. */
  private async openAssigned(): Promise<void> {
    const missing = [...this.assigned].filter((t) => !this.open.has(t)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    const started = Date.now();
    const producers = await Promise.all(missing.map((t) => this.fencedProducer(t)));
    const committed = await this.committedOffsets(missing);
    let tasks: Map<number, StreamTask<D>>;
    try {
      tasks = await this.options.processor.openTasks(missing);
    } catch (err) {
      await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
      throw err;
    }
    missing.forEach((id, i) => {
      const task = tasks.get(id);
      if (task === undefined) throw new Error(`processor did not open task ${id}`);
      this.open.set(id, { id, task, producer: producers[i], committed: committed.get(id) ?? new Map() });
    });
    this.log.info({ tasks: missing, ms: Date.now() - started }, 'tasks opened, state restored');
  }

  private async fencedProducer(task: number): Promise<Producer> {
    const producer = this.options.kafka.producer({
      transactionalId: `${this.options.transactionalIdPrefix}-${task}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      // Murmur2 like the Java client, so keyed outputs land where other clients expect them.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // Beginning a transaction initialises the transactional id: the broker bumps its epoch (the
    // previous owner is fenced) and completes the previous owner's open transaction first.
    const tx = await producer.transaction();
    await tx.abort();
    return producer;
  }

  private async committedOffsets(tasks: number[]): Promise<Map<number, Map<string, bigint>>> {
    const out = new Map<number, Map<string, bigint>>(tasks.map((t) => [t, new Map()]));
    const answer = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: this.options.inputTopics });
    for (const { topic, partitions } of answer) {
      for (const { partition, offset } of partitions) {
        const byTopic = out.get(partition);
        if (byTopic !== undefined && offset !== '-1') byTopic.set(topic, BigInt(offset));
      }
    }
    return out;
  }

  private async onBatch(payload: Parameters<NonNullable<Parameters<Consumer['run']>[0]>['eachBatch'] & {}>[0]): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const id = batch.partition;
    if (!this.assigned.has(id)) return;
    await this.openAssigned();
    const entry = this.open.get(id);
    if (entry === undefined) return;
    const committed = entry.committed.get(batch.topic) ?? -1n;
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= committed);
    if (messages.length === 0) {
      // Processed by a previous owner after this consumer fetched: move past it.
      resolveOffset(batch.lastOffset());
      return;
    }
    const max = this.options.maxRecordsPerTransaction;
    for (let i = 0; i < messages.length; i += max) {
      if (!isRunning() || isStale() || this.open.get(id) !== entry) return;
      const chunk = messages.slice(i, i + max);
      await this.processChunk(entry, batch.topic, chunk);
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
  }

  private async processChunk(entry: OpenTask<D>, topic: string, chunk: KafkaMessage[]): Promise<void> {
    const { processor, metrics, name, groupId } = this.options;
    const outputs: OutputRecord[] = [];
    let deadLetters = 0;
    for (const message of chunk) {
      const record: ConsumedRecord = {
        topic,
        partition: entry.id,
        offset: message.offset,
        key: message.key,
        value: message.value,
        timestamp: Number(message.timestamp),
        headers: message.headers ?? {},
      };
      let reason: string | null = null;
      let decoded: D | null = null;
      try {
        decoded = await processor.decode(record);
      } catch (err) {
        // Undecodable records are dead letters; anything else (registry down) aborts the chunk
        // so it is retried.
        if (!(err instanceof UndecodableRecordError)) throw err;
        reason = err.message;
      }
      if (decoded !== null) {
        try {
          outputs.push(...entry.task.process(record, decoded));
        } catch (err) {
          // The processor leaves its state unchanged when it throws: skip the record, keep it.
          reason = `processing failed: ${(err as Error).message}`;
        }
      }
      if (reason !== null) {
        deadLetters++;
        this.log.warn({ topic, partition: entry.id, offset: message.offset, reason }, 'record sent to the dead-letter topic');
        outputs.push({
          topic: this.options.deadLetterTopic,
          ...deadLetterMessage(
            { topic, partition: entry.id, offset: message.offset, key: message.key, value: message.value, reason, timestamp: message.timestamp },
            groupId,
          ),
          timestamp: Number(message.timestamp),
        });
      }
    }
    const last = chunk[chunk.length - 1].offset;
    const timer = metrics.transactionSeconds.startTimer({ stream: name });
    const tx = await entry.producer.transaction();
    try {
      for (const part of bySize(outputs, MAX_SEND_BYTES)) await tx.sendBatch({ topicMessages: byTopic(part), acks: -1 });
      await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: entry.id, offset: (BigInt(last) + 1n).toString() }] }] });
      await tx.commit();
    } catch (err) {
      metrics.transactions.inc({ stream: name, result: 'aborted' });
      this.log.warn({ err, topic, task: entry.id, firstOffset: chunk[0].offset, lastOffset: last }, 'transaction failed; task state dropped, restarting from the committed offsets');
      await tx.abort().catch(() => undefined);
      await this.closeTask(entry.id, 'transaction failed');
      throw err;
    }
    timer();
    metrics.transactions.inc({ stream: name, result: 'committed' });
    metrics.records.inc({ stream: name, topic }, chunk.length);
    metrics.outputs.inc({ stream: name }, outputs.length - deadLetters);
    if (deadLetters > 0) metrics.deadLetters.inc({ stream: name }, deadLetters);
  }
}

/**
 * Most bytes of outputs sent in one request. kafkajs puts all the messages of a partition in one
 * record batch, and the broker refuses a batch above its message.max.bytes (1 MiB by default):
 * large outputs (route-changes' state snapshots, tens of MB in chunks) go in several requests of
 * the same transaction, in order.
 */
const MAX_SEND_BYTES = 512 * 1024;

/** Consecutive runs of records of at most `max` key and value bytes (a larger record alone). */
function bySize(records: OutputRecord[], max: number): OutputRecord[][] {
  const parts: OutputRecord[][] = [];
  let part: OutputRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = (r.value?.length ?? 0) + (r.key === null ? 0 : Buffer.byteLength(r.key));
    if (part.length > 0 && bytes + size > max) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(r);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function byTopic(records: OutputRecord[]): Array<{ topic: string; messages: Message[] }> {
  const map = new Map<string, Message[]>();
  for (const r of records) {
    let list = map.get(r.topic);
    if (list === undefined) map.set(r.topic, (list = []));
    list.push({
      key: r.key,
      value: r.value,
      partition: r.partition,
      headers: r.headers,
      timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
    });
  }
  return [...map].map(([topic, messages]) => ({ topic, messages }));
}
