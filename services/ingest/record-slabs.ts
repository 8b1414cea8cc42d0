/**
 * Shared memory into which a decode worker copies its packed records, reused once Kafka has
 * acknowledged them: a fixed set of slabs (SharedArrayBuffers), made once per worker and shared
 * with the event loop when the worker starts. A step's records are then handed over as a range
 * of a slab (numbers in a message) instead of a transferred ArrayBuffer of their own.
 *
 * Why: an ArrayBuffer transferred to the event loop arrives there as new external memory, and
 * V8 counts external memory allocated since its last full collection against the old
 * generation's limit. The ~430 MB of packed records of a full table (bench:ingest) set off a full
 * (mark-compact) collection of the event loop's heap every few tens of megabytes: 7 to 10 per
 * table, each marking the whole heap on the event loop's thread (~45 ms with
 * --single-threaded-gc), where kafkajs alone, publishing the same records, had none. Memory shared
 * once and reused is not new external memory.
 *
 * The worker packs a step into a buffer of its own, then puts a copy in a slab, after the steps
 * before it (SlabPool.put, from RecordPacker.takeStep). Accounting, without messages back: for each slab the worker
 * counts the octets it has handed out since the slab was last (re)started; the event loop adds
 * to the slab's `released` counter (Atomics) the octets of each range once every record in it
 * has been acknowledged. A slab whose counters are equal holds nothing anyone reads, and the
 * worker may start it again from its first octet. When no slab is free (Kafka slow, many
 * sessions on one worker) or a step does not fit in one, the step goes in a buffer of its own,
 * transferred as before: the slabs only save work, correctness never waits for them.
 */

/** What a worker is given at start: its slabs, and the octets released of each (one Int32 per slab). */
export interface RecordSlabs {
  slabs: SharedArrayBuffer[];
  released: Int32Array;
}

/** A step's records in a slab: octets [start, end) of slab `slab`. */
export interface SlabRange {
  slab: number;
  start: number;
  end: number;
}

/**
 * 16 slabs of 2 MiB a worker. A session in full flow holds at most its bound in flight
 * (ingest.producer.maxPendingBytesPerSession, 8 MiB by default) plus the steps being decoded,
 * so one such session stays within the slabs; a step of a table (a 64 KiB read) packs ~350 KB.
 * Slabs are taken lowest index first, so only as many are ever touched (made resident) as the
 * traffic needs.
 */
export const SLAB_COUNT = 16;
export const SLAB_BYTES = 2 * 1024 * 1024;

export function createRecordSlabs(count = SLAB_COUNT, bytes = SLAB_BYTES): RecordSlabs {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(bytes) || bytes < 1 || bytes > 0x7fffffff) {
    throw new RangeError(`record slabs: ${count} slabs of ${bytes} octets`);
  }
  return {
    slabs: Array.from({ length: count }, () => new SharedArrayBuffer(bytes)),
    released: new Int32Array(new SharedArrayBuffer(4 * count)),
  };
}

/** The worker's side: puts octets in the slabs, and knows which slabs are free. */
export class SlabPool {
  readonly slabBytes: number;
  private readonly views: Buffer[];
  /** Octets handed out of each slab since it was last started (the worker's own count). */
  private readonly handedOut: number[];
  /** The slab octets are put in (-1: none yet), and where the next go in it. */
  private slab = -1;
  private at = 0;

  constructor(private readonly shared: RecordSlabs) {
    this.views = shared.slabs.map((s) => Buffer.from(s));
    this.slabBytes = Math.min(...this.views.map((v) => v.length));
    this.handedOut = shared.slabs.map(() => 0);
    if (shared.released.length < shared.slabs.length) throw new RangeError('record slabs: fewer counters than slabs');
  }

  /**
   * A copy of the first `length` octets of `src` in a slab, handed out (counted until released):
   * after the octets put before, at an offset aligned to 8, or from the start of the lowest free
   * slab when the current one has no room. Null when no slab is free or `length` is more than a
   * slab. V8 copies into shared memory with relaxed atomics, a word at a time only when both
   * sides are aligned alike (else octet by octet): `src` should start 8-aligned, as a buffer of
   * its own does.
   */
  put(src: Uint8Array, length: number): SlabRange | null {
    if (length > this.slabBytes) return null;
    let at = this.at;
    if (this.slab < 0 || at + length > this.slabBytes) {
      const slab = this.acquire();
      if (slab < 0) return null;
      this.slab = slab;
      at = 0;
    }
    this.views[this.slab].set(src.subarray(0, length), at);
    this.handedOut[this.slab] += length;
    this.at = (at + length + 7) & ~7;
    return { slab: this.slab, start: at, end: at + length };
  }

  /**
   * The lowest free slab, started afresh; -1 when none is free. Free: every octet handed out of
   * it has been released.
   */
  private acquire(): number {
    const released = this.shared.released;
    for (let i = 0; i < this.handedOut.length; i++) {
      if (Atomics.load(released, i) !== this.handedOut[i]) continue;
      // Nothing of it is in flight, so nothing is added to its counter until it hands out again.
      this.handedOut[i] = 0;
      Atomics.store(released, i, 0);
      return i;
    }
    return -1;
  }
}

/** The event loop's side: a range's octets (a view of the shared slab). */
export function slabOctets(shared: RecordSlabs, range: SlabRange): Uint8Array {
  const slab = shared.slabs[range.slab];
  if (slab === undefined || range.start < 0 || range.end < range.start || range.end > slab.byteLength) {
    throw new RangeError(`no such slab range: ${range.slab} [${range.start}, ${range.end})`);
  }
  return new Uint8Array(slab, range.start, range.end - range.start);
}

/** The event loop's side: `range` is no longer read (its records are acknowledged). Once per range. */
export function releaseSlabRange(shared: RecordSlabs, range: SlabRange): void {
  Atomics.add(shared.released, range.slab, range.end - range.start);
}
