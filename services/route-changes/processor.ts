/**
 * The two stream stages of the route-changes service, as processors of the consumer runtime.
 *
 * Why two stages. The aggregator of a route_monitoring partition must also see every Peer Down
 * and router `disconnected` record of the peers it holds, in collector order with their route
 * events, and those records are keyed differently (peer_down per RIB view, router per router), so
 * they sit in other partitions. And the order a task sees must be one fixed sequence, so that
 * re-processing after a restore re-derives exactly the same state (see "State" below): two input
 * partitions consumed side by side interleave differently on every run.
 *
 * 1. Forward (`ForwardProcessor`): copies, bytes untouched, with the source topic in a header and
 *    the original timestamp, each route_monitoring record of partition N to partition N of an
 *    internal input topic, and each peer_down and router record to every partition of it (a
 *    broadcast; both topics are small). The cost is that the route events are written twice.
 * 2. Aggregate (`AggregateProcessor`): task N reads partition N of the internal topic, a single
 *    sequence, puts it back in collector order (reorder.ts), feeds its RouteChangeAggregator, and
 *    publishes the route_changes and prefix_flaps records the windows emit, in the transaction
 *    that commits the consumed offset.
 *
 * State. A task's aggregator holds every route of its peers since their sessions began, far more
 * than the retained input can rebuild. So the task writes a snapshot of its whole state
 * (aggregator, records waiting in the reorder buffer) to the compacted snapshot topic
 * (snapshot-topic.ts), every `snapshotEveryRecords` records or `snapshotIntervalMs`, in the same
 * transaction as the outputs and the offset of the records it reflects: it is visible exactly
 * when that state is committed. On opening a task (after the runtime fenced any previous owner),
 * the processor restores the latest snapshot, then re-processes the internal partition from the
 * snapshot's offset up to the committed offset with the outputs discarded (they were committed
 * with those offsets). The aggregator and the reorder buffer are deterministic functions of the
 * records, so this re-derives the committed state exactly: no output is lost or published twice,
 * whatever crash or rebalance happened. Without a snapshot the re-processing starts at the
 * partition's first retained offset. This costs a bounded replay instead of a changelog of every
 * route (which would double the busiest topic's volume once more).
 *
 * Ticks. The service writes a tick record on a timer to each of its tasks' partitions
 * (service.ts), saying which source partitions the first stage has forwarded completely: that lets
 * the reorder buffer release records no source can precede any more (reorder.ts). And windows
 * close when the event-time watermark passes them, but nothing moves the watermark of a partition
 * that receives nothing: a tick that finds nothing waiting and no record since the previous tick
 * moves it to the tick's time (wall clock) minus `idleCloseLagMs` (0: never), which assumes the
 * routers' clocks lag the collector's by less. Ticks are records of the partition, so a replay
 * sees them too and re-derives the same state.
 *
 * Limits. Opening a task replays up to `snapshotEveryRecords` records (or `snapshotIntervalMs` of
 * input), so the internal topic's retention must be far longer than the snapshot interval. No
 * snapshot is written on revocation (closing a task is synchronous in the runtime): the next owner
 * replays instead. Records wait decoded in the reorder buffer for about `reorderGraceMs` plus a
 * tick interval, which costs memory in proportion to the event rate. "Forwarded completely" is
 * read as the first stage's committed offset reaching the source's end offset, which holds for the
 * ingest topics (not transactional: no marker ends them); a stopped tick writer holds records back
 * (metric bmp_route_changes_reorder_waiting) but loses nothing.
 */
import type { IHeaders } from 'kafkajs';
import { encodeRecord, type RecordOf, type RouterRecord } from '../kafka/avro/index.js';
import type { PeerDownEvent, RouteEvent } from '../events/model.js';
import { UndecodableRecordError, type RecordDecoder } from '../consumer/decoder.js';
import type { ConsumedRecord, OutputRecord, StreamProcessor, StreamTask } from '../consumer/runtime.js';
import type { Logger } from '../runtime/logging.js';
import { RouteChangeAggregator, type AggregatorConfig, type AggregatorStats } from './aggregator.js';
import type { AggregatorOutput } from './model.js';
import { restoreAggregator, snapshotAggregator } from './snapshot.js';
import { ReorderBuffer, type OrderKey, type ReorderState } from './reorder.js';
import { snapshotRecords } from './snapshot-topic.js';
import { deserialize, serialize } from 'node:v8';

/** Header of the internal topic's records naming their source topic (logical name), or "tick". */
export const SOURCE_TOPIC_HEADER = 'bmp.source.topic';
/** Header of the internal topic's records naming their source partition: "<logical topic>|<partition>". */
export const ORIGIN_HEADER = 'bmp.source.origin';

/** The origin (source partition) name of a record of a logical topic. */
export function originOf(topic: string, partition: number): string {
  return `${topic}|${partition}`;
}

/** What a tick record says (JSON value): per origin, whether the first stage has forwarded all of it. */
export interface TickValue {
  origins: Record<string, boolean>;
}
export const TICK = 'tick';
export const SOURCE_TOPICS = ['route_monitoring', 'peer_down', 'router'] as const;
export type SourceTopic = (typeof SOURCE_TOPICS)[number];

function headerText(headers: IHeaders, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return (Array.isArray(v) ? v[0] : v)?.toString() ?? null;
}

// ---------------------------------------------------------------------------------------------
// Stage 1

export class ForwardProcessor implements StreamProcessor<SourceTopic> {
  private readonly stateless: StreamTask<SourceTopic>;

  constructor(
    /** Logical topic of a Kafka topic name (the prefix removed). */
    private readonly logical: (kafkaTopic: string) => string,
    outputTopic: string,
    /** Partitions of the internal topic (the broadcast goes to each). */
    partitions: number,
  ) {
    this.stateless = {
      process: (record, source): OutputRecord[] => {
        const copy = (partition: number): OutputRecord => ({
          topic: outputTopic,
          partition,
          key: record.key,
          value: record.value,
          headers: { [SOURCE_TOPIC_HEADER]: source, [ORIGIN_HEADER]: originOf(source, record.partition) },
          timestamp: record.timestamp,
        });
        if (source === 'route_monitoring') return [copy(record.partition)];
        return Array.from({ length: partitions }, (_, p) => copy(p));
      },
    };
  }

  async decode(record: ConsumedRecord): Promise<SourceTopic | null> {
    const topic = this.logical(record.topic);
    return (SOURCE_TOPICS as readonly string[]).includes(topic) ? (topic as SourceTopic) : null;
  }

  async openTasks(tasks: number[]): Promise<Map<number, StreamTask<SourceTopic>>> {
    return new Map(tasks.map((t) => [t, this.stateless]));
  }

  closeTask(): void {}
}

// ---------------------------------------------------------------------------------------------
// Stage 2

export type AggregateInput =
  | { source: 'route_monitoring'; record: RouteEvent }
  | { source: 'peer_down'; record: PeerDownEvent }
  | { source: 'router'; record: RouterRecord }
  | { source: typeof TICK; origins: Record<string, boolean> };

/** A record waiting in the reorder buffer: its bytes (for the snapshot) and its decoded value. */
interface Held {
  source: SourceTopic;
  origin: string;
  value: Buffer;
  /** Kafka record timestamp, ms. */
  ts: number;
  record: RouteEvent | PeerDownEvent | RouterRecord;
}

function orderKey(input: Exclude<AggregateInput, { source: typeof TICK }>, ts: number): OrderKey {
  if (input.source === 'router') return { ts, rank: input.record.event === 'connected' ? 0 : 2, seq: 0 };
  return { ts, rank: 1, seq: input.record.sequence };
}

export interface AggregateSettings {
  aggregator: AggregatorConfig;
  reorderGraceMs: number;
  idleCloseLagMs: number;
  snapshotEveryRecords: number;
  snapshotIntervalMs: number;
  snapshotChunkBytes: number;
  /** Partitions of each source topic: task N's sources are route_monitoring N and every partition of peer_down and router. */
  sourcePartitions: Record<SourceTopic, number>;
  topics: { routeChanges: string; prefixFlaps: string; snapshots: string };
  schemaIds: { routeChanges: number; prefixFlaps: number };
}

/** What the processor needs from Kafka to open tasks (service.ts provides it). */
export interface TaskStateSource {
  /** Latest snapshot blob and offset of each task that has one. */
  snapshots(tasks: number[]): Promise<Map<number, { blob: Buffer; offset: bigint }>>;
  /** Committed offset of each task's input partition (absent: none) and the partition's first retained offset. */
  offsets(tasks: number[]): Promise<Map<number, { committed: bigint | null; start: bigint }>>;
  /** Calls `onRecord` for each record of the ranges, in partition order. */
  replay(ranges: Array<{ partition: number; from: bigint; to: bigint }>, onRecord: (record: ConsumedRecord) => Promise<void>): Promise<number>;
}

/** Snapshot blob of a task: the aggregator's own snapshot plus the reorder buffer. */
interface TaskSnapshot {
  version: 1;
  aggregator: Uint8Array;
  reorder: ReorderState<Omit<Held, 'record'>>;
  dataSinceTick: boolean;
}

export class AggregateTask implements StreamTask<AggregateInput> {
  readonly buffer: ReorderBuffer<Held>;
  /** True while re-processing records whose outputs were already committed. */
  replaying = false;
  /** Aggregator calls that threw (a bug): the record is skipped, logged and counted. */
  failures = 0;
  snapshotsWritten = 0;
  lastSnapshotBytes = 0;
  private dataSinceTick: boolean;
  private sinceSnapshot = 0;
  private lastSnapshotAt = Date.now();

  constructor(
    readonly id: number,
    readonly aggregator: RouteChangeAggregator,
    private readonly settings: AggregateSettings,
    private readonly logger: Logger,
    restored?: { reorder: ReorderState<Held>; dataSinceTick: boolean },
  ) {
    const origins = [
      originOf('route_monitoring', id),
      ...(['peer_down', 'router'] as const).flatMap((t) => Array.from({ length: settings.sourcePartitions[t] }, (_, p) => originOf(t, p))),
    ];
    this.buffer = new ReorderBuffer<Held>(settings.reorderGraceMs, restored?.reorder, origins);
    this.dataSinceTick = restored?.dataSinceTick ?? false;
  }

  process(record: ConsumedRecord, input: AggregateInput): OutputRecord[] {
    const emitted: AggregatorOutput[] = [];
    const release = (held: Held): void => this.apply(held, emitted);
    if (input.source === TICK) {
      this.buffer.tick(record.timestamp, input.origins, release);
      if (this.settings.idleCloseLagMs > 0 && !this.dataSinceTick && this.buffer.size === 0) {
        this.aggregator.advanceWatermark((record.timestamp - this.settings.idleCloseLagMs) * 1000, emitted);
      }
      this.dataSinceTick = false;
    } else {
      this.dataSinceTick = true;
      this.sinceSnapshot++;
      const origin = headerText(record.headers, ORIGIN_HEADER) ?? input.source;
      const held: Held = { source: input.source, origin, value: record.value ?? Buffer.alloc(0), ts: record.timestamp, record: input.record };
      this.buffer.push(orderKey(input, record.timestamp), origin, held, release);
    }
    if (this.replaying) return [];
    // Stamped with the time of the record that closed the window (collector or tick time), not the
    // window's event time: routers' clocks can be far off, and retention goes by the timestamp.
    const outputs = emitted.map((o) => this.encode(o, record.timestamp));
    const due = this.sinceSnapshot >= this.settings.snapshotEveryRecords || (this.sinceSnapshot > 0 && Date.now() - this.lastSnapshotAt >= this.settings.snapshotIntervalMs);
    if (due) outputs.push(...this.snapshot((BigInt(record.offset) + 1n).toString(), record.timestamp));
    return outputs;
  }

  stats(): AggregatorStats & { waiting: number; late: number } {
    return { ...this.aggregator.stats(), waiting: this.buffer.size, late: this.buffer.late };
  }

  /** The snapshot records of the state after the record before `offset`. */
  snapshot(offset: string, timestamp: number): OutputRecord[] {
    const reorder = this.buffer.state();
    const state: TaskSnapshot = {
      version: 1,
      aggregator: snapshotAggregator(this.aggregator),
      reorder: { ...reorder, waiting: reorder.waiting.map((w) => ({ ...w, item: { source: w.item.source, origin: w.item.origin, value: w.item.value, ts: w.item.ts } })) },
      dataSinceTick: this.dataSinceTick,
    };
    const blob = serialize(state);
    this.sinceSnapshot = 0;
    this.lastSnapshotAt = Date.now();
    this.snapshotsWritten++;
    this.lastSnapshotBytes = blob.length;
    return snapshotRecords(this.settings.topics.snapshots, this.id, `${offset}-${Date.now()}`, offset, blob, this.settings.snapshotChunkBytes, timestamp);
  }

  private apply(held: Held, out: AggregatorOutput[]): void {
    try {
      switch (held.source) {
        case 'route_monitoring':
          this.aggregator.onRoute(held.record as RouteEvent, out, held.ts * 1000);
          break;
        case 'peer_down':
          this.aggregator.onPeerDown(held.record as PeerDownEvent, out, held.ts * 1000);
          break;
        case 'router':
          this.aggregator.onRouter(held.record as RouterRecord, out);
          break;
      }
    } catch (err) {
      this.failures++;
      if (!this.replaying) this.logger.error({ err, task: this.id, source: held.source }, 'the aggregator failed on a record; record skipped');
    }
  }

  private encode(o: AggregatorOutput, timestamp: number): OutputRecord {
    if (o.topic === 'route_changes') {
      return { topic: this.settings.topics.routeChanges, key: o.key, value: encodeRecord('route_changes', this.settings.schemaIds.routeChanges, o.record as RecordOf<'route_changes'>), timestamp };
    }
    return { topic: this.settings.topics.prefixFlaps, key: o.key, value: encodeRecord('prefix_flaps', this.settings.schemaIds.prefixFlaps, o.record as RecordOf<'prefix_flaps'>), timestamp };
  }
}

export class AggregateProcessor implements StreamProcessor<AggregateInput> {
  readonly tasks = new Map<number, AggregateTask>();

  constructor(
    private readonly decoder: RecordDecoder,
    private readonly source: TaskStateSource,
    private readonly settings: AggregateSettings,
    private readonly logger: Logger,
  ) {}

  async decode(record: ConsumedRecord): Promise<AggregateInput | null> {
    const source = headerText(record.headers, SOURCE_TOPIC_HEADER);
    if (source === TICK) {
      try {
        const tick = JSON.parse(record.value?.toString() ?? '') as TickValue;
        if (tick === null || typeof tick.origins !== 'object') throw new Error('no origins');
        return { source: TICK, origins: tick.origins };
      } catch (err) {
        throw new UndecodableRecordError(`tick record: ${(err as Error).message}`);
      }
    }
    if (source === null || !(SOURCE_TOPICS as readonly string[]).includes(source)) {
      throw new UndecodableRecordError(`header ${SOURCE_TOPIC_HEADER} missing or not an input topic: ${String(source)}`);
    }
    return { source, record: await this.decoder.decode(source as SourceTopic, record.value) } as AggregateInput;
  }

  async openTasks(ids: number[]): Promise<Map<number, StreamTask<AggregateInput>>> {
    const snapshots = await this.source.snapshots(ids);
    const offsets = await this.source.offsets(ids);
    const opened = new Map<number, AggregateTask>();
    const ranges: Array<{ partition: number; from: bigint; to: bigint }> = [];
    for (const id of ids) {
      const snap = snapshots.get(id);
      const { committed, start } = offsets.get(id) ?? { committed: null, start: 0n };
      let task: AggregateTask;
      if (snap === undefined) {
        task = new AggregateTask(id, new RouteChangeAggregator(this.settings.aggregator), this.settings, this.logger);
      } else {
        const state = deserialize(snap.blob) as TaskSnapshot;
        if (state?.version !== 1) throw new Error(`route-changes task ${id}: unsupported snapshot version ${String(state?.version)}`);
        const waiting = await Promise.all(
          state.reorder.waiting.map(async (w) => {
            const value = Buffer.from(w.item.value.buffer, w.item.value.byteOffset, w.item.value.byteLength);
            return { ...w, item: { ...w.item, value, record: await this.decoder.decode(w.item.source, value) } as Held };
          }),
        );
        task = new AggregateTask(id, restoreAggregator(state.aggregator, this.settings.aggregator), this.settings, this.logger, {
          reorder: { ...state.reorder, waiting },
          dataSinceTick: state.dataSinceTick,
        });
      }
      const from = snap?.offset ?? start;
      if (committed !== null && committed > from) ranges.push({ partition: id, from, to: committed });
      if (snap === undefined && committed !== null && start > 0n) {
        this.logger.warn({ task: id, start: start.toString() }, 'no snapshot and the input partition no longer starts at 0: state rebuilt from what is retained');
      }
      task.replaying = true;
      opened.set(id, task);
    }
    const started = Date.now();
    const replayed = await this.source.replay(ranges, async (record) => {
      const task = opened.get(record.partition) as AggregateTask;
      let input: AggregateInput | null;
      try {
        input = await this.decode(record);
      } catch (err) {
        // As the runtime did: an undecodable record was a dead letter, not processed.
        if (err instanceof UndecodableRecordError) return;
        throw err;
      }
      if (input !== null) task.process(record, input);
    });
    for (const task of opened.values()) {
      task.replaying = false;
      this.tasks.set(task.id, task);
    }
    this.logger.info(
      { tasks: ids, snapshots: [...snapshots.keys()], replayed, ranges: ranges.map((r) => `${r.partition}:${r.from}-${r.to}`), ms: Date.now() - started },
      'route-change tasks restored',
    );
    return new Map(opened);
  }

  closeTask(task: number): void {
    this.tasks.delete(task);
  }
}
