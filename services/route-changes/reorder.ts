/**
 * Puts one task's input back in collector order before the aggregator sees it.
 *
 * The task's input partition interleaves route events (forwarded from one route_monitoring
 * partition) with Peer Down and router records (forwarded from every partition of their topics)
 * in the order the first stage happened to forward them: each source partition's records stay in
 * order, but the sources are interleaved by chance (a lagging source can come minutes late while
 * the first stage works through a backlog). The collector stamps each record with the time it read
 * the BMP message, non-decreasing in sequence order across topics (services/ingest/session.ts),
 * so the collector order is (record time, rank, per-session sequence); rank puts a router's
 * `connected` before and its `disconnected` after its session's events, as peer-state does.
 *
 * This is a merge of the sources by record time: each source ("origin", topic and partition) has
 * a progress, the newest record time seen from it, and records leave, in order, once every known
 * source's progress has passed their time (no source can still bring an earlier one). A source
 * with nothing to forward has no records to show progress with: ticks (records written on a timer,
 * service.ts) say which sources the first stage has forwarded completely at wall-clock time W;
 * such a source's next record will be stamped after W, less the collector's publishing delay and
 * clock difference (`graceMs`), so its progress moves to W - graceMs.
 *
 * A record that arrives behind one already released is passed on at once (counted: `late`).
 * Everything here depends only on the sequence of records of the partition, so re-processing the
 * same records from the same state (replay after a restore) releases the same records in the same
 * order. The state is plain data (`state()`, constructor) for the task's snapshot.
 */

/** Where a record stands in collector order. */
export interface OrderKey {
  /** Kafka record timestamp, ms. */
  ts: number;
  /** 0: router connected; 1: per-peer events; 2: router disconnected or other session ends. */
  rank: number;
  /** Per-session sequence number (0 for router records). */
  seq: number;
}

export interface Waiting<T> extends OrderKey {
  /** Arrival number: keeps arrival order among equal keys. */
  arrival: number;
  item: T;
}

export interface ReorderState<T> {
  waiting: Array<Waiting<T>>;
  progress: Array<[string, number]>;
  last: (OrderKey & { arrival: number }) | null;
  arrivals: number;
  late: number;
}

function compare(a: OrderKey & { arrival: number }, b: OrderKey & { arrival: number }): number {
  return a.ts - b.ts || a.rank - b.rank || a.seq - b.seq || a.arrival - b.arrival;
}

export class ReorderBuffer<T> {
  private readonly waiting: Array<Waiting<T>>;
  /** Per origin: the newest record time it can no longer come before, ms. */
  private readonly progress: Map<string, number>;
  private last: (OrderKey & { arrival: number }) | null;
  private arrivals: number;
  /** Records that arrived behind one already released. */
  late: number;

  /**
   * `origins`: every source known to feed this buffer; each holds records back until it shows
   * progress (a record, or a tick saying it is complete). Without them, the first source to show
   * a record would release everything before anyone else's records arrived.
   */
  constructor(
    private readonly graceMs: number,
    state?: ReorderState<T>,
    origins: readonly string[] = [],
  ) {
    this.waiting = state?.waiting ?? [];
    this.progress = new Map(state?.progress ?? []);
    for (const o of origins) if (!this.progress.has(o)) this.progress.set(o, -Infinity);
    this.last = state?.last ?? null;
    this.arrivals = state?.arrivals ?? 0;
    this.late = state?.late ?? 0;
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Takes a record from `origin`; calls `release` for every record that may now go, in collector order. */
  push(key: OrderKey, origin: string, item: T, release: (item: T) => void): void {
    const entry: Waiting<T> = { ...key, arrival: this.arrivals++, item };
    this.advance(origin, key.ts);
    if (this.last !== null && compare(entry, this.last) < 0) {
      this.late++;
      release(item);
      return;
    }
    // Binary search for the insertion point (after every entry not greater).
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.waiting[mid], entry) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.waiting.splice(lo, 0, entry);
    this.releaseReady(release);
  }

  /**
   * A tick at wall-clock time `wallMs`: `origins` says, per source, whether the first stage had
   * forwarded all of it (true) or is behind (false; a source never seen before then holds
   * everything back until its records come).
   */
  tick(wallMs: number, origins: Record<string, boolean>, release: (item: T) => void): void {
    for (const [origin, caughtUp] of Object.entries(origins)) {
      if (caughtUp) this.advance(origin, wallMs - this.graceMs);
      else if (!this.progress.has(origin)) this.progress.set(origin, -Infinity);
    }
    this.releaseReady(release);
  }

  /** Releases every waiting record (end of a finite input). */
  flush(release: (item: T) => void): void {
    this.releaseFirst(this.waiting.length, release);
  }

  state(): ReorderState<T> {
    return { waiting: this.waiting, progress: [...this.progress], last: this.last, arrivals: this.arrivals, late: this.late };
  }

  private advance(origin: string, ts: number): void {
    const p = this.progress.get(origin);
    if (p === undefined || ts > p) this.progress.set(origin, ts);
  }

  private releaseReady(release: (item: T) => void): void {
    let limit = Infinity;
    for (const p of this.progress.values()) if (p < limit) limit = p;
    let n = 0;
    // Strictly before: a source at `limit` may still bring records of that very millisecond.
    while (n < this.waiting.length && this.waiting[n].ts < limit) n++;
    this.releaseFirst(n, release);
  }

  private releaseFirst(n: number, release: (item: T) => void): void {
    if (n === 0) return;
    const out = this.waiting.splice(0, n);
    const tail = out[out.length - 1];
    this.last = { ts: tail.ts, rank: tail.rank, seq: tail.seq, arrival: tail.arrival };
    for (const e of out) release(e.item);
  }
}
