/**
 * Tumbling event-time windows of route changes: per window, per table (peer, RIB view, family),
 * counters of each kind of change, the distinct routes touched with their own counts (for the top
 * N most-changed routes and for prefix flaps). A window is emitted by `emitUntil` once the caller's
 * watermark has passed its end plus the allowed lateness (the caller owns time: aggregator.ts).
 *
 * Per route and window, counts are kept in typed-array columns indexed by a slot number, with a
 * typed-array table (route-table.ts) from route key to slot: no object per route.
 *
 * A prefix flap is a withdrawal of a route followed, in the same window, by its re-announcement
 * (a new route again); a route with at least `flapThreshold` such cycles in a window gets a
 * prefix_flaps record. Implicit withdrawals (Peer Down, router disconnect) are a peer event, not a
 * prefix's: they are only counted, per table, and start no flap cycle.
 */
import { RouteChange, type Classification } from './classify.js';
import { CHANGED } from './attributes.js';
import type { AggregatorOutput, PrefixChangeCount, PrefixFlapRecord, RouteChangesRecord } from './model.js';
import { outputKey } from './model.js';
import { parseRouteKey } from './route-key.js';
import type { FamilyTable } from './route-store.js';
import { RouteTable } from './route-table.js';

export interface WindowConfig {
  /** Window length in microseconds. */
  windowUs: number;
  /** How long after a window's end its events are still counted in it, microseconds. */
  allowedLatenessUs: number;
  /** Most-changed routes listed per record. */
  topN: number;
  /** Withdraw/re-announce cycles of one route within a window that make a flap record. */
  flapThreshold: number;
}

/** Counter indices of a table's window. */
export const C = {
  announcements: 0,
  new_routes: 1,
  withdrawals: 2,
  unknown_withdrawals: 3,
  implicit_withdrawals: 4,
  path_changes: 5,
  as_path_changes: 6,
  next_hop_changes: 7,
  communities_changes: 8,
  large_communities_changes: 9,
  extended_communities_changes: 10,
  med_changes: 11,
  local_pref_changes: 12,
  origin_changes: 13,
  other_changes: 14,
  duplicates: 15,
  late_events: 16,
} as const;
export const COUNTER_COUNT = 17;

/** Change-mask bit -> counter, for path changes. */
const MASK_BITS = [
  CHANGED.as_path,
  CHANGED.next_hop,
  CHANGED.communities,
  CHANGED.large_communities,
  CHANGED.extended_communities,
  CHANGED.med,
  CHANGED.local_pref,
  CHANGED.origin,
  CHANGED.other,
];
const MASK_COUNTERS = [
  C.as_path_changes,
  C.next_hop_changes,
  C.communities_changes,
  C.large_communities_changes,
  C.extended_communities_changes,
  C.med_changes,
  C.local_pref_changes,
  C.origin_changes,
  C.other_changes,
];

/** What one table did in one window. */
export class TableWindow {
  readonly counters = new Float64Array(COUNTER_COUNT);
  /** Route key -> slot; slots are its entry numbers (never deleted from), so `slots.keyAt(slot)` is the key. */
  slots = new RouteTable();
  /** Per slot: announcements, withdrawals, changes (events that changed the table), flap cycles. */
  announces = new Uint32Array(16);
  withdraws = new Uint32Array(16);
  changes = new Uint32Array(16);
  flaps = new Uint32Array(16);
  /** Per slot: 1 while the route is withdrawn after being known in this window (a flap cycle pending). */
  pending = new Uint8Array(16);
  /** Per slot: event time of the first and last event. */
  first = new Float64Array(16);
  last = new Float64Array(16);

  /** Set once the window was emitted (it may still sit in a table's cache slot). */
  emitted = false;

  constructor(
    readonly table: FamilyTable,
    readonly start: number,
  ) {}

  /** Distinct routes touched. */
  get touched(): number {
    return this.slots.size;
  }

  slotOf(key: string, time: number): number {
    const n = this.slots.size;
    let slot = this.slots.getOrInsert(key, n);
    if (slot < 0) {
      slot = n;
      if (slot === this.announces.length) this.grow();
      this.first[slot] = time;
    }
    this.last[slot] = time;
    return slot;
  }

  private grow(): void {
    const n = this.announces.length * 2;
    const g32 = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.announces = g32(this.announces);
    this.withdraws = g32(this.withdraws);
    this.changes = g32(this.changes);
    this.flaps = g32(this.flaps);
    const p = new Uint8Array(n);
    p.set(this.pending);
    this.pending = p;
    const f = new Float64Array(n);
    f.set(this.first);
    this.first = f;
    const l = new Float64Array(n);
    l.set(this.last);
    this.last = l;
  }
}

/** The open windows of one aggregator. */
export class Windows {
  /** Open windows by start time, each with its tables' windows by table id. */
  private readonly open = new Map<number, Map<number, TableWindow>>();
  /** Watermark at which the oldest open window closes (Infinity when none is open). */
  nextClose = Infinity;
  /** Per table id, the window it last counted in: consecutive events of a table nearly always share one. */
  private readonly current: Array<TableWindow | undefined> = [];

  constructor(readonly config: WindowConfig) {}

  private closeAt(start: number): number {
    return start + this.config.windowUs + this.config.allowedLatenessUs;
  }

  /** Start of the window holding `time`. */
  windowStart(time: number): number {
    return Math.floor(time / this.config.windowUs) * this.config.windowUs;
  }

  /** The window of `table` starting at `start`, opened if needed. */
  tableWindow(start: number, table: FamilyTable): TableWindow {
    const cached = this.current[table.id];
    if (cached !== undefined && cached.start === start && !cached.emitted) return cached;
    let tables = this.open.get(start);
    if (tables === undefined) {
      tables = new Map();
      this.open.set(start, tables);
      this.nextClose = Math.min(this.nextClose, this.closeAt(start));
    }
    let w = tables.get(table.id);
    if (w === undefined) {
      w = new TableWindow(table, start);
      tables.set(table.id, w);
    }
    this.current[table.id] = w;
    return w;
  }

  /** Counts a classified route event of route `key` at event time `time`. */
  count(table: FamilyTable, time: number, key: string, c: Classification): void {
    if (c.kind === RouteChange.END_OF_RIB) return;
    const w = this.tableWindow(this.windowStart(time), table);
    const k = w.counters;
    const slot = w.slotOf(key, time);
    switch (c.kind) {
      case RouteChange.NEW:
        k[C.announcements]++;
        k[C.new_routes]++;
        w.announces[slot]++;
        w.changes[slot]++;
        if (w.pending[slot] === 1) {
          w.pending[slot] = 0;
          w.flaps[slot]++;
        }
        break;
      case RouteChange.PATH_CHANGE:
        k[C.announcements]++;
        k[C.path_changes]++;
        for (let b = 0; b < MASK_BITS.length; b++) if ((c.changed & MASK_BITS[b]) !== 0) k[MASK_COUNTERS[b]]++;
        w.announces[slot]++;
        w.changes[slot]++;
        break;
      case RouteChange.DUPLICATE:
        k[C.announcements]++;
        k[C.duplicates]++;
        w.announces[slot]++;
        break;
      case RouteChange.WITHDRAW:
        k[C.withdrawals]++;
        w.withdraws[slot]++;
        w.changes[slot]++;
        w.pending[slot] = 1;
        break;
      case RouteChange.UNKNOWN_WITHDRAW:
        k[C.unknown_withdrawals]++;
        w.withdraws[slot]++;
        break;
    }
  }

  /** Counts routes dropped at once (Peer Down, router disconnect) in the window of `time`. */
  countImplicit(table: FamilyTable, time: number, count: number): void {
    this.tableWindow(this.windowStart(time), table).counters[C.implicit_withdrawals] += count;
  }

  /** Counts an event too late for its window in the window of `time` (the watermark's). */
  countLate(table: FamilyTable, time: number): void {
    this.tableWindow(this.windowStart(time), table).counters[C.late_events]++;
  }

  /** Whether the window of `time` is closed for a watermark (its end + lateness reached). */
  isClosed(time: number, watermark: number): boolean {
    return this.closeAt(this.windowStart(time)) <= watermark;
  }

  /** Emits and forgets every window whose end + allowed lateness is at or before `watermark`, oldest first. */
  emitUntil(watermark: number, out: AggregatorOutput[]): number {
    let emitted = 0;
    const ready = [...this.open.keys()].filter((s) => this.closeAt(s) <= watermark).sort((a, b) => a - b);
    for (const start of ready) {
      const tables = this.open.get(start) as Map<number, TableWindow>;
      this.open.delete(start);
      const ids = [...tables.keys()].sort((a, b) => a - b);
      for (const id of ids) {
        const w = tables.get(id) as TableWindow;
        w.emitted = true;
        if (this.current[id] === w) this.current[id] = undefined;
        emitWindow(w, start, start + this.config.windowUs, this.config, out);
        emitted++;
      }
    }
    this.nextClose = Infinity;
    for (const start of this.open.keys()) this.nextClose = Math.min(this.nextClose, this.closeAt(start));
    return emitted;
  }

  /** Open windows, oldest first, for snapshots and tests. */
  openWindows(): Array<{ start: number; tables: TableWindow[] }> {
    return [...this.open.entries()].sort((a, b) => a[0] - b[0]).map(([start, tables]) => ({ start, tables: [...tables.values()] }));
  }

  /** Puts back a window read from a snapshot. */
  restoreWindow(start: number, w: TableWindow): void {
    let tables = this.open.get(start);
    if (tables === undefined) {
      tables = new Map();
      this.open.set(start, tables);
      this.nextClose = Math.min(this.nextClose, this.closeAt(start));
    }
    tables.set(w.table.id, w);
  }
}

function emitWindow(w: TableWindow, start: number, end: number, config: WindowConfig, out: AggregatorOutput[]): void {
  const t = w.table;
  const peer = {
    router_address: t.peer.router_address,
    peer_type_code: t.peer.peer_type_code,
    peer_distinguisher: t.peer.peer_distinguisher,
    peer_address: t.peer.peer_address,
    peer_as: t.peer.peer_as,
    peer_bgp_id: t.peer.peer_bgp_id,
    rib_view: t.peer.rib_view,
    afi: t.afi,
    safi: t.safi,
    family: t.family,
    window_start: start,
    window_end: end,
  };
  const k = w.counters;
  const record: RouteChangesRecord = {
    ...peer,
    announcements: k[C.announcements],
    new_routes: k[C.new_routes],
    withdrawals: k[C.withdrawals],
    unknown_withdrawals: k[C.unknown_withdrawals],
    implicit_withdrawals: k[C.implicit_withdrawals],
    path_changes: k[C.path_changes],
    as_path_changes: k[C.as_path_changes],
    next_hop_changes: k[C.next_hop_changes],
    communities_changes: k[C.communities_changes],
    large_communities_changes: k[C.large_communities_changes],
    extended_communities_changes: k[C.extended_communities_changes],
    med_changes: k[C.med_changes],
    local_pref_changes: k[C.local_pref_changes],
    origin_changes: k[C.origin_changes],
    other_changes: k[C.other_changes],
    duplicates: k[C.duplicates],
    prefixes_touched: w.touched,
    late_events: k[C.late_events],
    routes: t.routes.size,
    top_prefixes: topPrefixes(w, config.topN),
  };
  const key = outputKey(record);
  out.push({ topic: 'route_changes', key, record });
  if (config.flapThreshold <= 0) return;
  for (let slot = 0; slot < w.touched; slot++) {
    if (w.flaps[slot] < config.flapThreshold) continue;
    const parts = parseRouteKey(w.slots.keyAt(slot));
    // Field by field (an object spread here cost ~10 µs a record).
    const flap: PrefixFlapRecord = {
      router_address: peer.router_address,
      peer_type_code: peer.peer_type_code,
      peer_distinguisher: peer.peer_distinguisher,
      peer_address: peer.peer_address,
      peer_as: peer.peer_as,
      peer_bgp_id: peer.peer_bgp_id,
      rib_view: peer.rib_view,
      afi: peer.afi,
      safi: peer.safi,
      family: peer.family,
      window_start: peer.window_start,
      window_end: peer.window_end,
      prefix: parts.prefix,
      rd: parts.rd,
      path_id: parts.path_id,
      flaps: w.flaps[slot],
      announcements: w.announces[slot],
      withdrawals: w.withdraws[slot],
      first_seen: w.first[slot],
      last_seen: w.last[slot],
    };
    out.push({ topic: 'prefix_flaps', key, record: flap });
  }
}

/**
 * The `n` routes with most changes (ties: the route touched first in the window comes first),
 * routes without change left out. One pass over the slots with a short sorted list: a window in
 * which a whole table was loaded has a million slots, most of them tied at one change.
 */
export function topPrefixes(w: TableWindow, n: number): PrefixChangeCount[] {
  if (n <= 0) return [];
  // Slots of the best so far, best first; insertion into a short sorted list.
  const best: number[] = [];
  // Slots are visited in order, so a later slot beats an earlier one only with more changes.
  const better = (a: number, b: number): boolean => w.changes[a] > w.changes[b];
  for (let slot = 0; slot < w.touched; slot++) {
    if (w.changes[slot] === 0) continue;
    if (best.length === n && !better(slot, best[n - 1])) continue;
    let i = best.length === n ? n - 1 : best.length;
    while (i > 0 && better(slot, best[i - 1])) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = slot;
  }
  return best.map((slot) => {
    const parts = parseRouteKey(w.slots.keyAt(slot));
    return { prefix: parts.prefix, rd: parts.rd, path_id: parts.path_id, changes: w.changes[slot], announcements: w.announces[slot], withdrawals: w.withdraws[slot] };
  });
}
