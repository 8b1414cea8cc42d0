/**
 * How a task's state snapshot is laid out on the compacted snapshot topic, and read back.
 *
 * Task N writes partition N only. A snapshot is a blob cut in chunks below the broker's message
 * size, keyed "<task>|<index>" and tagged with the snapshot id (header), followed by a manifest,
 * keyed "<task>|manifest", naming the id, the chunk count and the input offset the state reflects
 * (the next offset to process). All of them go in the transaction that commits the state they
 * describe, so read_committed readers see a snapshot exactly when its state is committed.
 * Compaction keeps the latest record of each key: the latest manifest and, for each index below
 * its chunk count, the chunk of the same id (a chunk of an older, longer snapshot beyond the count
 * is stale and recognised by its id).
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { OutputRecord } from '../consumer/runtime.js';

export const SNAPSHOT_ID_HEADER = 'bmp.snapshot.id';

export interface SnapshotManifest {
  id: string;
  chunks: number;
  /** Offset of the next input record to process once this state is restored. */
  offset: string;
  bytes: number;
}

/** The records of one snapshot, manifest last. */
export function snapshotRecords(topic: string, task: number, id: string, offset: string, blob: Buffer, chunkBytes: number, timestamp: number): OutputRecord[] {
  const out: OutputRecord[] = [];
  const headers: IHeaders = { [SNAPSHOT_ID_HEADER]: id };
  let chunks = 0;
  for (let at = 0; at < blob.length || chunks === 0; at += chunkBytes) {
    out.push({ topic, partition: task, key: `${task}|${chunks}`, value: blob.subarray(at, at + chunkBytes), headers, timestamp });
    chunks++;
  }
  const manifest: SnapshotManifest = { id, chunks, offset, bytes: blob.length };
  out.push({ topic, partition: task, key: `${task}|manifest`, value: Buffer.from(JSON.stringify(manifest)), headers, timestamp });
  return out;
}

/** Collects a partition's records (read from its beginning) and gives its latest complete snapshot. */
export class SnapshotCollector {
  private manifest: SnapshotManifest | null = null;
  private readonly chunks = new Map<number, { id: string; value: Buffer }>();

  add(message: KafkaMessage): void {
    const key = message.key?.toString() ?? '';
    const index = key.slice(key.indexOf('|') + 1);
    if (index === 'manifest') {
      this.manifest = message.value === null ? null : (JSON.parse(message.value.toString()) as SnapshotManifest);
      return;
    }
    const raw = message.headers?.[SNAPSHOT_ID_HEADER];
    const id = (Array.isArray(raw) ? raw[0] : raw)?.toString();
    if (id !== undefined && message.value !== null && /^\d+$/.test(index)) this.chunks.set(Number(index), { id, value: message.value });
  }

  /** The latest snapshot's blob and offset; null when none. Throws when its chunks are not all there. */
  latest(): { manifest: SnapshotManifest; blob: Buffer } | null {
    const m = this.manifest;
    if (m === null) return null;
    const parts: Buffer[] = [];
    for (let i = 0; i < m.chunks; i++) {
      const c = this.chunks.get(i);
      if (c === undefined || c.id !== m.id) throw new Error(`snapshot ${m.id}: chunk ${i} of ${m.chunks} missing`);
      parts.push(c.value);
    }
    const blob = Buffer.concat(parts);
    if (blob.length !== m.bytes) throw new Error(`snapshot ${m.id}: ${blob.length} bytes, manifest says ${m.bytes}`);
    return { manifest: m, blob };
  }
}
