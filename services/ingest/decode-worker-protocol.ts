/**
 * Messages between the event loop and a decode worker, and the packed form in which a worker
 * hands back a step's records.
 *
 * Records travel as one transferred ArrayBuffer per step, not as an array of objects: structured
 * cloning of hundreds of thousands of small objects a second would cost more than the decoding
 * the worker takes off the event loop. Each record is
 *
 *   u8 topic index (SESSION_TOPICS) | f64 timestamp, ms | u32 key id | u32 value length | value
 *
 * little-endian. A key is sent as text once per session (`newKeys`, ids in order from 0) and by
 * id afterwards: a session's records share a few keys (one per peer and RIB view).
 */
import { INGEST_TOPICS } from '../kafka/avro/index.js';
import type { SessionPipelineOptions, SessionTopic } from './session-pipeline.js';
import type { ProcessedReport } from './session-processor.js';

export const SESSION_TOPICS: readonly SessionTopic[] = [...INGEST_TOPICS, 'raw'];

export type ToDecodeWorker =
  | { kind: 'open'; session: number; options: SessionPipelineOptions }
  | { kind: 'data'; session: number; bytes: ArrayBuffer }
  | { kind: 'finish'; session: number; reason: string };

export interface DecodeWorkerOutput {
  kind: 'output';
  session: number;
  /** The step's records, packed (null: none). */
  records: ArrayBuffer | null;
  /** Keys first used in this step, in id order. */
  newKeys: string[];
  report: ProcessedReport;
}

const RECORD_HEADER = 17;

/** Packs a step's records into one buffer. */
export class RecordPacker {
  private buf = Buffer.allocUnsafe(256 * 1024);
  private used = 0;
  private readonly topicIndex = new Map<SessionTopic, number>(SESSION_TOPICS.map((t, i) => [t, i]));

  /** Copies `value` at once: it may be lent (SessionRecordSink). */
  add(topic: SessionTopic, keyId: number, value: Buffer, timestamp: number): void {
    const need = RECORD_HEADER + value.length;
    if (this.used + need > this.buf.length) this.grow(need);
    const b = this.buf;
    const at = this.used;
    const t = this.topicIndex.get(topic);
    if (t === undefined) throw new Error(`no topic index for ${topic}`);
    b[at] = t;
    b.writeDoubleLE(timestamp, at + 1);
    b.writeUInt32LE(keyId, at + 9);
    b.writeUInt32LE(value.length, at + 13);
    // TypedArray#set: a builtin memmove, cheaper than Buffer#copy's native call for a few hundred octets.
    b.set(value, at + RECORD_HEADER);
    this.used = at + need;
  }

  /** The records packed since the last call, in a buffer of their own to transfer; null if none. */
  take(): ArrayBuffer | null {
    if (this.used === 0) return null;
    const out = new ArrayBuffer(this.used);
    new Uint8Array(out).set(this.buf.subarray(0, this.used));
    this.used = 0;
    // A burst may have grown the buffer far: do not keep a large one for ever.
    if (this.buf.length > 4 * 1024 * 1024) this.buf = Buffer.allocUnsafe(256 * 1024);
    return out;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}

/** Calls `each` for every packed record, values as views of `packed` (no copy). */
export function unpackRecords(
  packed: ArrayBuffer,
  keys: readonly string[],
  each: (topic: SessionTopic, key: string, value: Buffer, timestamp: number) => void,
): void {
  const b = Buffer.from(packed);
  let at = 0;
  while (at < b.length) {
    const topic = SESSION_TOPICS[b[at]];
    const timestamp = b.readDoubleLE(at + 1);
    const key = keys[b.readUInt32LE(at + 9)];
    const length = b.readUInt32LE(at + 13);
    const start = at + RECORD_HEADER;
    if (topic === undefined || key === undefined || start + length > b.length) throw new Error(`corrupt packed record at ${at}`);
    each(topic, key, b.subarray(start, start + length), timestamp);
    at = start + length;
  }
}
