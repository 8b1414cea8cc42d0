/**
 * Messages between the event loop and a decode worker, and the packed form in which a worker
 * hands back a step's records.
 *
 * Records travel packed, one range of octets per step, not as an array of objects: structured
 * cloning of hundreds of thousands of small objects a second would cost more than the decoding
 * the worker takes off the event loop. The range lies in one of the worker's shared slabs
 * (record-slabs.ts), or, when none is free, in a transferred ArrayBuffer of its own. Each record is
 *
 *   u8 topic index (SESSION_TOPICS) | f64 timestamp, ms | u32 key id | u32 value length | value
 *
 * little-endian. A key is sent as text once per session (`newKeys`, ids in order from 0) and by
 * id afterwards: a session's records share a few keys (one per peer and RIB view).
 */
import { INGEST_TOPICS } from '../kafka/avro/index.js';
import type { OutboundRecord, RecordRun } from '../kafka/publisher.js';
import { viewOf, type RecordSetBuilder, type RecordSetWriter } from '../kafka/record-sets.js';
import type { PlacedRecordSink, PlacedValue, SessionPipelineOptions, SessionRecordSink, SessionTopic } from './session-pipeline.js';
import type { ProcessedReport } from './session-processor.js';
import type { SlabPool, SlabRange } from './record-slabs.js';

export const SESSION_TOPICS: readonly SessionTopic[] = [...INGEST_TOPICS, 'raw'];

export type ToDecodeWorker =
  | { kind: 'open'; session: number; options: SessionPipelineOptions }
  | { kind: 'data'; session: number; bytes: ArrayBuffer }
  | { kind: 'finish'; session: number; reason: string };

export interface DecodeWorkerOutput {
  kind: 'output';
  session: number;
  /**
   * The step's records, packed (null: none): a range of one of the worker's slabs
   * (record-slabs.ts), or a buffer of their own, transferred.
   */
  records: SlabRange | Uint8Array | null;
  /** Keys first used in this step, in id order. */
  newKeys: string[];
  report: ProcessedReport;
}

const RECORD_HEADER = 17;
const INITIAL_PACKER_BYTES = 256 * 1024;
const MAX_NEXT_PACKER_BYTES = 4 * 1024 * 1024;
/** No record is near this; a placed value that never fits is a fault, not a reason to grow for ever. */
const MAX_PACKER_BYTES = 1024 * 1024 * 1024;

/** A session's record keys by id, in the order first used (the ids packed records carry). */
export class SessionKeys {
  /** The keys by id. */
  readonly keys: string[] = [];
  private readonly ids = new Map<string, number>();
  private sent = 0;
  /**
   * The last two keys looked up and their ids: a session's records come in runs of one peer's
   * key, each message's raw record (the router's key) between them, and the keys are the same
   * string objects each time (PeerKeyCache), so an identity check nearly always answers.
   */
  private lastKey: string | null = null;
  private lastId = -1;
  private otherKey: string | null = null;
  private otherId = -1;

  /** The id of `key`, given the next one if it is new. */
  idOf(key: string): number {
    if (key === this.lastKey) return this.lastId;
    if (key === this.otherKey) {
      const id = this.otherId;
      this.otherKey = this.lastKey;
      this.otherId = this.lastId;
      this.lastKey = key;
      this.lastId = id;
      return id;
    }
    const id = this.lookUp(key);
    this.otherKey = this.lastKey;
    this.otherId = this.lastId;
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  private lookUp(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
    }
    return id;
  }

  /** The keys first used since the last call, in id order (a worker's `newKeys`). */
  takeNew(): string[] {
    const fresh = this.keys.slice(this.sent);
    this.sent = this.keys.length;
    return fresh;
  }
}

/**
 * A session's keys as UTF-8 octets, each made once (on the event loop). kafkajs copies a key
 * given as octets with one memmove; a key given as text it encodes again for every record, which
 * took ~5% of the event loop's time in bench:ingest.
 */
export class KeyOctets {
  private readonly octets: Buffer[] = [];

  /** The octets of `keys` (a session's keys by id, which only grow), by id. */
  of(keys: readonly string[]): readonly Buffer[] {
    for (let i = this.octets.length; i < keys.length; i++) this.octets.push(Buffer.from(keys[i], 'utf8'));
    return this.octets;
  }
}

/**
 * Packs a step's records into one buffer of its own; with a pool of slabs (a decode worker's:
 * record-slabs.ts), each step is then handed over as a copy in a slab while one has room.
 */
export class RecordPacker {
  // Never from Buffer's shared pool (allocUnsafe pools only small sizes): a taken buffer's memory
  // is transferred to the event loop's thread whole.
  private buf = Buffer.allocUnsafe(INITIAL_PACKER_BYTES);
  /** `buf` as a DataView, for the headers (see header); both are set by use(). */
  private view = viewOf(this.buf);
  private used = 0;
  /**
   * The size of the next buffer: the largest step handed over lately, with a quarter more, so
   * that a table streaming in fills one buffer per step instead of outgrowing it (a copy of
   * everything packed so far) every time; it decays to INITIAL_PACKER_BYTES as steps shrink.
   */
  private nextSize = INITIAL_PACKER_BYTES;
  /** SESSION_TOPICS indexes by topic (an object: one keyed load, cheaper than Map#get here). */
  private readonly topicIndex: Readonly<Record<string, number>> = Object.fromEntries(SESSION_TOPICS.map((t, i) => [t, i]));
  /**
   * The last two topics added and their indexes: records come in runs of a topic, and a table's
   * route events and raw records alternate (a message's raw record, then its route events), so
   * comparing the same constant strings is cheaper than a keyed load that has seen every topic
   * (megamorphic): with one remembered topic, that load ran at every switch, twice per message.
   */
  private lastTopic: string | null = null;
  private lastTopicIndex = 0;
  private otherTopic: string | null = null;
  private otherTopicIndex = 0;
  /**
   * Records are packed into the packer's own buffer, never straight into a slab: V8 copies into
   * shared memory with relaxed atomics, octet by octet unless both sides are aligned alike, so
   * the many short copies of packing (TypedArray#set of cached Avro runs) cost ~16% more of the
   * worker's instructions there (bench:worker). One aligned copy per step costs ~30 us.
   */
  constructor(private readonly pool: SlabPool | null = null) {}

  /** Copies `value` at once: it may be lent (SessionRecordSink). */
  add(topic: SessionTopic, keyId: number, value: Buffer, timestamp: number): void {
    const need = RECORD_HEADER + value.length;
    if (this.used + need > this.buf.length) this.grow(need);
    const b = this.buf;
    const at = this.used;
    this.header(at, topic === this.lastTopic ? this.lastTopicIndex : this.indexOf(topic), timestamp, keyId, value.length);
    // TypedArray#set: a builtin memmove, cheaper than Buffer#copy's native call for a few hundred octets.
    b.set(value, at + RECORD_HEADER);
    this.used = at + need;
  }

  /**
   * As add, with a value that writes itself into the packer's buffer (PlacedRecordSink): no view
   * of it and no copy. The buffer grows until the value fits.
   */
  addPlaced(topic: SessionTopic, keyId: number, value: PlacedValue, timestamp: number): void {
    const t = topic === this.lastTopic ? this.lastTopicIndex : this.indexOf(topic);
    const at = this.used;
    const start = at + RECORD_HEADER;
    let end = start < this.buf.length ? value.writeAt(this.buf, start) : -1;
    while (end < 0) {
      if (this.buf.length >= MAX_PACKER_BYTES) throw new Error(`a ${topic} record does not fit in ${MAX_PACKER_BYTES} octets`);
      this.grow(this.buf.length);
      end = value.writeAt(this.buf, start);
    }
    this.header(at, t, timestamp, keyId, end - start);
    this.used = end;
  }

  /** A record's header at `at` (the layout in this module's notes). */
  private header(at: number, topicIndex: number, timestamp: number, keyId: number, valueLength: number): void {
    // A DataView's accessors are compiled inline; Buffer#writeDoubleLE and #writeUInt32LE, with
    // their bounds checks, cost ~15 ns a call here: ~75 ms of a worker's second over a table.
    const v = this.view;
    v.setUint8(at, topicIndex);
    v.setFloat64(at + 1, timestamp, true);
    v.setUint32(at + 9, keyId, true);
    v.setUint32(at + 13, valueLength, true);
  }

  /** The index of `topic` (not the last topic), remembered as the last topic's. */
  private indexOf(topic: SessionTopic): number {
    let found: number | undefined;
    if (topic === this.otherTopic) found = this.otherTopicIndex;
    else {
      found = this.topicIndex[topic];
      // typeof, not undefined: an object's inherited names ("constructor") are not topics either.
      if (typeof found !== 'number') throw new Error(`no topic index for ${topic}`);
    }
    this.otherTopic = this.lastTopic;
    this.otherTopicIndex = this.lastTopicIndex;
    this.lastTopic = topic;
    this.lastTopicIndex = found;
    return found;
  }

  /**
   * The records packed since the last call, in a buffer of their own (to transfer: no one else
   * uses it afterwards); null if none. A buffer at least half full is handed over as it is and
   * the packer takes a new one, unzeroed: cheaper than a zeroed copy of a step's worth of records
   * (a few hundred kilobytes while a table streams in). A smaller step is copied, so that a
   * trickle of small steps does not pin a mostly empty buffer each until Kafka acknowledges them.
   */
  take(): Uint8Array | null {
    if (this.pool !== null) throw new Error('a packer with slabs hands out its steps with takeStep');
    return this.takeOwn();
  }

  /**
   * The records packed since the last call, copied into a slab (SlabPool.put: a range the pool
   * counts until it is released) when one has room, else as take() gives them; null if none.
   */
  takeStep(): SlabRange | Uint8Array | null {
    const used = this.used;
    const range = this.pool === null || used === 0 ? null : this.pool.put(this.buf, used);
    if (range === null) return this.takeOwn();
    // The buffer stays: each step is copied out of it.
    this.used = 0;
    return range;
  }

  /** take(), the records in a buffer of their own. */
  private takeOwn(): Uint8Array | null {
    const used = this.used;
    if (used === 0) return null;
    this.used = 0;
    const buf = this.buf;
    // At most MAX_NEXT_PACKER_BYTES: a burst may have grown the buffer far.
    this.nextSize = Math.min(MAX_NEXT_PACKER_BYTES, Math.max(INITIAL_PACKER_BYTES, Math.ceil(used * 1.25), this.nextSize >>> 1));
    if (used * 2 >= buf.length) {
      this.use(Buffer.allocUnsafe(this.nextSize));
      return new Uint8Array(buf.buffer, buf.byteOffset, used);
    }
    if (buf.length > 4 * 1024 * 1024) this.use(Buffer.allocUnsafe(INITIAL_PACKER_BYTES));
    return new Uint8Array(buf.subarray(0, used));
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
    this.buf.copy(next, 0, 0, this.used);
    this.use(next);
  }

  /** Packs into `b` from now on. */
  private use(b: Buffer<ArrayBuffer>): void {
    this.buf = b;
    this.view = viewOf(b);
  }
}

/**
 * A session pipeline's sinks into `packer` (SessionPipeline's `emit` and `place`), its keys given
 * ids by `keys`: how a session's records are packed, on a decode worker or on the event loop.
 */
export function packingSinks(packer: RecordPacker, keys: SessionKeys): [SessionRecordSink, PlacedRecordSink] {
  return [
    (topic, key, value, timestamp) => packer.add(topic, keys.idOf(key), value, timestamp),
    (topic, key, value, timestamp) => packer.addPlaced(topic, keys.idOf(key), value, timestamp),
  ];
}

/**
 * A step's packed records as a run for the publisher: read where they lie, each record becoming
 * an object (its value a view of the packed octets) only when its batch is formed. `topicNames`
 * maps the topic indexes (SESSION_TOPICS order) to the names records carry; `keys` are the
 * session's keys by id (they only grow), as texts or as their octets (KeyOctets). A corrupt
 * buffer is refused whole, here.
 *
 * Records are found by walking the headers from a cursor: the publisher reads a run in order
 * (sizeOf while it splits one between batches, collect for each piece), so each header is read
 * about once more after the check. An index of where each record starts (a Uint32Array per step,
 * made in a second pass) cost more than the walk: its allocation alone was ~2% of the event loop's
 * time in bench:ingest. Reading backwards starts again from the first record.
 */
export class PackedRecords implements RecordRun {
  readonly length: number;
  readonly bytes: number;
  private readonly buf: Buffer;
  /** `buf` as a DataView, for the headers (see RecordPacker's header). */
  private readonly view: DataView;
  /** The cursor: record `cursorIndex` starts at `cursorAt`. */
  private cursorIndex = 0;
  private cursorAt = 0;
  /** Records acknowledged so far (see acknowledged). */
  private acked = 0;

  /** `release`: called once every record has been acknowledged (packed octets lent: ProcessorHandler.records). */
  constructor(
    packed: Uint8Array,
    private readonly keys: readonly (string | Buffer)[],
    private readonly topicNames: readonly string[],
    private release: (() => void) | null = null,
  ) {
    const b = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
    const v = viewOf(b);
    let count = 0;
    let bytes = 0;
    for (let at = 0; at < b.length; count++) {
      const key = at + RECORD_HEADER <= b.length ? keys[v.getUint32(at + 9, true)] : undefined;
      const length = key === undefined ? 0 : v.getUint32(at + 13, true);
      if (key === undefined || b[at] >= topicNames.length || at + RECORD_HEADER + length > b.length) throw new Error(`corrupt packed record at ${at}`);
      bytes += key.length + length;
      at += RECORD_HEADER + length;
    }
    this.buf = b;
    this.view = v;
    this.length = count;
    this.bytes = bytes;
  }

  sizeOf(i: number): number {
    const at = this.seek(i);
    return this.keys[this.view.getUint32(at + 9, true)].length + this.view.getUint32(at + 13, true);
  }

  record(i: number): OutboundRecord {
    return this.recordAt(this.seek(i));
  }

  collect(from: number, to: number, byTopic: Map<string, OutboundRecord[]>): void {
    const b = this.buf;
    const v = this.view;
    // The topics' lists by topic index: a record's topic is one octet, looked up here rather
    // than its name in the map for every record.
    const lists: Array<OutboundRecord[] | null> = this.topicNames.map(() => null);
    let at = this.seek(from);
    for (let i = from; i < to; i++) {
      const t = b[at];
      let list = lists[t];
      if (list === null) {
        const name = this.topicNames[t];
        list = byTopic.get(name) ?? null;
        if (list === null) byTopic.set(name, (list = []));
        lists[t] = list;
      }
      list.push(this.recordAt(at));
      at += RECORD_HEADER + v.getUint32(at + 13, true);
    }
    this.cursorIndex = to;
    this.cursorAt = at;
  }

  writeRecords(from: number, to: number, sets: RecordSetBuilder): boolean {
    const b = this.buf;
    const v = this.view;
    const keys = this.keys;
    const topicNames = this.topicNames;
    const topics = topicNames.length;
    // Writers by key id and topic index: a message's records alternate between topics (its
    // route records, then its raw record), which the builder's one-entry memo does not catch.
    const writers: Array<RecordSetWriter | null | undefined> = [];
    let at = this.seek(from);
    for (let i = from; i < to; i++) {
      const id = v.getUint32(at + 9, true);
      const key = keys[id];
      const length = v.getUint32(at + 13, true);
      const t = b[at];
      let writer = writers[id * topics + t];
      if (writer === undefined) writers[id * topics + t] = writer = sets.writerFor(topicNames[t], key);
      if (writer === null) {
        this.cursorIndex = i;
        this.cursorAt = at;
        return false;
      }
      writer.append(key, b, at + RECORD_HEADER, length, v.getFloat64(at + 1, true), v);
      at += RECORD_HEADER + length;
    }
    this.cursorIndex = to;
    this.cursorAt = at;
    return true;
  }

  acknowledged(count: number): void {
    this.acked += count;
    if (this.acked >= this.length && this.release !== null) {
      const release = this.release;
      this.release = null;
      release();
    }
  }

  /** Where record `i` (< length) starts; moves the cursor there. */
  private seek(i: number): number {
    if (i < this.cursorIndex) {
      this.cursorIndex = 0;
      this.cursorAt = 0;
    }
    const v = this.view;
    let at = this.cursorAt;
    for (let k = this.cursorIndex; k < i; k++) at += RECORD_HEADER + v.getUint32(at + 13, true);
    this.cursorIndex = i;
    this.cursorAt = at;
    return at;
  }

  private recordAt(at: number): OutboundRecord {
    const b = this.buf;
    const v = this.view;
    const start = at + RECORD_HEADER;
    return {
      topic: this.topicNames[b[at]],
      key: this.keys[v.getUint32(at + 9, true)],
      value: b.subarray(start, start + v.getUint32(at + 13, true)),
      timestamp: v.getFloat64(at + 1, true),
    };
  }
}
