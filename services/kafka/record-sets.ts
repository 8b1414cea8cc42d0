/**
 * Kafka records written where they lie: the Records of a RecordBatch (v2) for one partition,
 * appended one by one from a key and a range of octets, for kafkajs's sendRecordSets (our patch,
 * patches/kafkajs+2.2.4.patch), which then only compresses them and writes the batch's header.
 *
 * Without it, every record of a batch became a message object with a view of its value, was
 * partitioned by kafkajs as an object, and was encoded from the object: ~45% of the event loop's
 * samples in bench:ingest went to that (the publisher's collect and kafkajs's prepareBatch).
 *
 * A record (Kafka protocol, "Record" in the RecordBatch v2 format, KIP-98):
 *   length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint | key | valueLength varint | value | headers count varint (0)
 * Varints are zig-zag, as in protobuf and as Avro writes its longs (so Avro's writeVarint writes
 * them; lengths and offsets, never negative, are 2n zig-zagged). The deltas are from the batch's first record: its
 * baseTimestamp is the first record's timestamp, as the Java client's MemoryRecordsBuilder has it
 * (a later record may be older: its delta is negative), and maxTimestamp the largest.
 */
import type { PartitionerArgs } from 'kafkajs';
import { writeVarint } from './avro/varint.js';

const MIN_CAPACITY = 64 * 1024;

/** A partition's records as sendRecordSets takes them (the RecordSet of kafkajs's patched produce request). */
export class RecordSetWriter {
  /** Records appended (the name kafkajs reads, as of a messages array). */
  length = 0;
  firstTimestamp = 0;
  maxTimestamp = 0;
  /** The records written so far; final after finish(). */
  records: Buffer;
  private buf: Buffer;
  /** `buf` as a DataView, for copyWords. */
  private view: DataView;
  private at = 0;
  /** The last key appended as octets and a view of them: a partition's records come in runs of a key. */
  private lastKey: Buffer | null = null;
  private lastKeyView: DataView | null = null;

  constructor(capacity = MIN_CAPACITY) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.view = viewOf(this.buf);
    this.records = this.buf.subarray(0, 0);
  }

  /**
   * Appends a record: `key` (octets, or a text written as UTF-8), the value octets
   * `source[start, start + length)`, `timestamp` in ms since the epoch. `sourceView`: a DataView
   * of `source` (same octets, same offsets), from a caller that appends many values of one
   * source; otherwise one is made for this value.
   */
  append(key: Buffer | string, source: Uint8Array, start: number, length: number, timestamp: number, sourceView: DataView | null = null): void {
    const offsetDelta = this.length;
    if (offsetDelta === 0) this.firstTimestamp = this.maxTimestamp = timestamp;
    else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const timestampDelta = timestamp - this.firstTimestamp;
    const keyLength = typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length;
    const zTimestamp = zigZag(timestampDelta);
    const body = 1 + sizeOfVarint(zTimestamp) + sizeOfVarint(offsetDelta * 2) + sizeOfVarint(keyLength * 2) + keyLength + sizeOfVarint(length * 2) + length + 1;
    this.room(5 + body);
    const buf = this.buf;
    const view = this.view;
    let at = writeVarint(buf, this.at, body * 2);
    buf[at++] = 0; // attributes
    at = writeVarint(buf, at, zTimestamp);
    at = writeVarint(buf, at, offsetDelta * 2);
    at = writeVarint(buf, at, keyLength * 2);
    if (typeof key !== 'string') {
      if (key !== this.lastKey) {
        this.lastKey = key;
        this.lastKeyView = viewOf(key);
      }
      copyWords(view, at, this.lastKeyView!, 0, keyLength);
      at += keyLength;
    } else at += buf.write(key, at, keyLength, 'utf8');
    at = writeVarint(buf, at, length * 2);
    // Past a few hundred octets, memcpy's speed outweighs fill's cost (see copyWords).
    if (length < 512) copyWords(view, at, sourceView ?? viewOf(source), start, length);
    else buf.fill(source.subarray(start, start + length), at, at + length);
    at += length;
    buf[at++] = 0; // no headers
    this.at = at;
    this.length = offsetDelta + 1;
  }

  /** Makes `records` the records written; call once the last is appended. */
  finish(): this {
    this.records = this.buf.subarray(0, this.at);
    return this;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
    this.view = viewOf(next);
  }
}

/** Partition metadata as kafkajs has it (what its partitioners are given). */
export type PartitionMetadata = PartitionerArgs['partitionMetadata'];

/**
 * A batch's records by topic and partition. A record's partition is the partitioner's, given the
 * topic's partition metadata as the producer has it (the same function the producer is made
 * with, so that records partitioned here and by kafkajs agree); the last key's writer answers
 * first, records coming in runs of one key.
 */
export class RecordSetBuilder {
  private readonly topics = new Map<string, { metadata: PartitionMetadata; sets: Map<number, RecordSetWriter> }>();

  private lastTopic = '';
  private lastKey: Buffer | string | null = null;
  private lastWriter: RecordSetWriter | null = null;

  constructor(
    private readonly metadataOf: (topic: string) => PartitionMetadata | null,
    private readonly partitioner: (args: PartitionerArgs) => number,
    /**
     * Octets of records of each partition (`${partition} ${topic}`) in the batch before, kept by
     * the caller from batch to batch: a new writer starts that large, and a little more, instead
     * of growing to it by copies. Updated by topicRecordSets.
     */
    private readonly sizes: Map<string, number> = new Map(),
  ) {}

  /** The writer of `key`'s partition of `topic`; null when the producer has no metadata for the topic yet. */
  writerFor(topic: string, key: Buffer | string): RecordSetWriter | null {
    if (key === this.lastKey && topic === this.lastTopic) return this.lastWriter;
    let entry = this.topics.get(topic);
    if (entry === undefined) {
      const metadata = this.metadataOf(topic);
      if (metadata === null) return null;
      entry = { metadata, sets: new Map() };
      this.topics.set(topic, entry);
    }
    const partition = this.partitioner({ topic, partitionMetadata: entry.metadata, message: { key, value: null } });
    let writer = entry.sets.get(partition);
    if (writer === undefined) {
      const before = this.sizes.get(`${partition} ${topic}`) ?? 0;
      entry.sets.set(partition, (writer = new RecordSetWriter(Math.max(MIN_CAPACITY, Math.ceil(before * 1.125)))));
    }
    this.lastTopic = topic;
    this.lastKey = key;
    this.lastWriter = writer;
    return writer;
  }

  /** The sets, finished, as sendRecordSets takes them: topics and partitions in order of first record. */
  topicRecordSets(): Array<{ topic: string; recordSets: Record<number, RecordSetWriter> }> {
    const out: Array<{ topic: string; recordSets: Record<number, RecordSetWriter> }> = [];
    for (const [topic, { sets }] of this.topics) {
      const recordSets: Record<number, RecordSetWriter> = {};
      for (const [partition, writer] of sets) {
        recordSets[partition] = writer.finish();
        this.sizes.set(`${partition} ${topic}`, writer.records.length);
      }
      out.push({ topic, recordSets });
    }
    return out;
  }
}

/**
 * Copies `length` octets of `src` from `start` to `at` of `dst`, eight at a time as two 32-bit
 * words through the DataViews (unaligned access is allowed there), the rest one by one.
 *
 * The values lie in memory shared with the decode workers, out of which TypedArray#set (and
 * Buffer#copy, built on it in Node 20) copies with relaxed atomics, octet by octet where the two
 * sides are not aligned alike: 11-14% of the event loop's samples in bench:ingest. Buffer#fill
 * with a view of the range is Node's memcpy, but making the view and the native call cost more
 * than the copy itself. Out of shared memory (a microbenchmark, ns per copy): 236 octets 88-144
 * by words against 312-341 by fill and 320 by a loop of octets; 45 octets (a key) 26-50 against
 * 135 by the loop; 400 octets 164-172 against 187-216 by fill.
 */
function copyWords(dst: DataView, at: number, src: DataView, start: number, length: number): void {
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    dst.setInt32(at + i, src.getInt32(start + i, true), true);
    dst.setInt32(at + i + 4, src.getInt32(start + i + 4, true), true);
  }
  for (; i < length; i++) dst.setUint8(at + i, src.getUint8(start + i));
}

/** A DataView of `b`'s octets. */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Zig-zag of a safe integer (2v, or -2v - 1), as writeVarint takes it. */
function zigZag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Octets of the varint of zig-zag value `z` (what writeVarint writes). */
function sizeOfVarint(z: number): number {
  let n = 1;
  while (z >= 0x80) {
    n++;
    z = Math.floor(z / 0x80);
  }
  return n;
}
