/**
 * The route-change aggregator of one input partition: route events, Peer Downs and router
 * session records in; `route_changes` and `prefix_flaps` records out. Pure and synchronous: no
 * Kafka, no timers, no clock. The Kafka wiring feeds it records in partition order, collects the
 * outputs each call appends to `out`, and publishes them in the transaction that commits the
 * input offsets (see snapshot.ts for state on partition assignment).
 *
 * Time. Event time is the per-peer header timestamp (`bmp_timestamp`, µs, router clock). When
 * the router sent none (null), the caller's `fallbackTimeUs` is used: the wiring passes the Kafka
 * record timestamp (collector clock, when the collector published the event), which is the closest
 * known time; without it, the current watermark (the event lands in the newest window, never late).
 * The watermark is the largest event time seen in the partition (stream time, as Kafka Streams
 * has it). A window [start, start + window) is emitted once the watermark reaches
 * start + window + allowed lateness. A route event whose window was already emitted is still
 * applied to the route store (the RIB must stay right) but counted only as `late_events`, in the
 * window of the watermark: never silently dropped. Since one partition mixes routers, a router
 * whose clock lags the others by more than the allowed lateness has its events counted as late;
 * raise the lateness for such deployments.
 *
 * Implicit withdrawals: a Peer Down (RFC 7854 §4.9) ends the BGP session, so every RIB view of
 * that peer (pre/post-policy Adj-RIB-In, Adj-RIB-Out, and for a Loc-RIB instance its Loc-RIB) is
 * dropped; a router `disconnected` record ends the BMP session and drops every peer of the router.
 * Dropped routes count as `implicit_withdrawals` of their table. Router records carry the collector
 * clock, not the routers': they are counted in the window of the current watermark and do not move
 * it. The wiring must deliver Peer Down and router records to the aggregator holding the peer's
 * routes, in order with its route events (they are keyed differently: see the wiring notes in
 * snapshot.ts).
 */
import type { PeerDownEvent, RouteEvent } from '../events/model.js';
import type { RouterRecord } from '../kafka/avro/records.js';
import { AttributeSets } from './attributes.js';
import { classifyAndApply, RouteChange, type Classification, type RouteChangeKind } from './classify.js';
import type { AggregatorOutput } from './model.js';
import { routeKey } from './route-key.js';
import { RouteStore, type PeerIdentity } from './route-store.js';
import { Windows, type WindowConfig } from './windows.js';

export interface AggregatorConfig {
  /** Tumbling window length, ms (default 60,000). */
  windowMs: number;
  /** Allowed lateness after a window's end, ms (default 10,000). */
  allowedLatenessMs: number;
  /** Most-changed routes listed per route_changes record (default 10). */
  topN: number;
  /** Withdraw/re-announce cycles of a route within one window that make a prefix_flaps record (default 3; 0 disables). */
  flapThreshold: number;
}

export const DEFAULT_AGGREGATOR_CONFIG: Readonly<AggregatorConfig> = Object.freeze({
  windowMs: 60_000,
  allowedLatenessMs: 10_000,
  topN: 10,
  flapThreshold: 3,
});

/** Counts describing the aggregator's state (for metrics and the benchmark). */
export interface AggregatorStats {
  routes: number;
  peers: number;
  tables: number;
  attribute_sets: number;
  open_windows: number;
  /** Largest event time seen, µs; null before the first event. */
  watermark: number | null;
}

export function windowConfig(config: AggregatorConfig): WindowConfig {
  for (const [name, v] of Object.entries(config)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`route-change aggregator: ${name} must be a finite number >= 0, got ${String(v)}`);
  }
  if (config.windowMs <= 0) throw new RangeError('route-change aggregator: windowMs must be > 0');
  return {
    windowUs: Math.round(config.windowMs * 1000),
    allowedLatenessUs: Math.round(config.allowedLatenessMs * 1000),
    topN: Math.floor(config.topN),
    flapThreshold: Math.floor(config.flapThreshold),
  };
}

/** The state an aggregator is made of (what snapshot.ts writes and reads). */
export interface AggregatorParts {
  config: AggregatorConfig;
  watermark: number;
  attrs: AttributeSets;
  store: RouteStore;
  windows: Windows;
}

export class RouteChangeAggregator {
  readonly config: AggregatorConfig;
  private readonly attrs: AttributeSets;
  private readonly store: RouteStore;
  private readonly windows: Windows;
  /** Largest event time seen, µs; -Infinity before the first. */
  private wm: number;
  private readonly result: Classification = { kind: RouteChange.END_OF_RIB, changed: 0 };

  constructor(config: Partial<AggregatorConfig> = {}, parts?: Omit<AggregatorParts, 'config'>) {
    this.config = { ...DEFAULT_AGGREGATOR_CONFIG, ...config };
    const wc = windowConfig(this.config);
    this.attrs = parts?.attrs ?? new AttributeSets();
    this.store = parts?.store ?? new RouteStore();
    this.windows = parts?.windows ?? new Windows(wc);
    this.wm = parts?.watermark ?? -Infinity;
  }

  /** Largest event time seen (µs), null before the first event. */
  get watermark(): number | null {
    return this.wm === -Infinity ? null : this.wm;
  }

  /** The watermark at which the oldest open window will be emitted (µs), null when none is open: when to punctuate an idle partition. */
  get nextWindowClose(): number | null {
    return this.windows.nextClose === Infinity ? null : this.windows.nextClose;
  }

  /** The classification of the last route event (its `changed` mask: attributes.ts CHANGED). */
  get lastClassification(): Readonly<Classification> {
    return this.result;
  }

  /**
   * Applies a route event (topic route_monitoring) and counts it; appends to `out` the records of
   * windows the event's time closed. Returns the event's classification kind.
   */
  onRoute(e: RouteEvent, out: AggregatorOutput[], fallbackTimeUs: number | null = null): RouteChangeKind {
    const time = this.eventTime(e.bmp_timestamp, fallbackTimeUs);
    if (e.action === 'end_of_rib') {
      this.result.kind = RouteChange.END_OF_RIB;
      this.result.changed = 0;
    } else {
      const table = this.store.table(e, e.afi, e.safi, e.family);
      const key = routeKey(e);
      classifyAndApply(e, key, table, this.attrs, this.result);
      if (key !== null) {
        if (this.windows.isClosed(time, this.wm)) this.windows.countLate(table, this.wm);
        else this.windows.count(table, time, key, this.result);
      }
    }
    this.advance(time, out);
    return this.result.kind;
  }

  /** A Peer Down: drops every RIB view of the peer as implicit withdrawals. Returns the routes dropped. */
  onPeerDown(e: PeerDownEvent, out: AggregatorOutput[], fallbackTimeUs: number | null = null): number {
    const time = this.eventTime(e.bmp_timestamp, fallbackTimeUs);
    const dropped = this.dropAt(
      (p) =>
        p.router_address === e.router_address &&
        p.peer_type_code === e.peer_type_code &&
        p.peer_distinguisher === e.peer_distinguisher &&
        p.peer_address === e.peer_address,
      this.windows.isClosed(time, this.wm) ? this.wm : time,
    );
    this.advance(time, out);
    return dropped;
  }

  /**
   * A router session record (topic router): `disconnected` drops every peer of the router as
   * implicit withdrawals, counted at the current watermark (the record's time is the collector's
   * clock; only before any event is it used, as the first watermark). Other records change nothing.
   * Returns the routes dropped.
   */
  onRouter(r: RouterRecord, out: AggregatorOutput[]): number {
    if (r.event !== 'disconnected') return 0;
    const dropped = this.dropAt((p) => p.router_address === r.router_address, this.wm === -Infinity ? r.timestamp : this.wm);
    if (this.wm === -Infinity) this.advance(r.timestamp, out);
    return dropped;
  }

  /**
   * Moves the watermark to `timeUs` if later (an idle partition's punctuation: the wiring may call
   * it with the wall clock minus the expected router clock lag) and emits the windows it closes.
   */
  advanceWatermark(timeUs: number, out: AggregatorOutput[]): void {
    this.advance(timeUs, out);
  }

  /**
   * Emits every open window, complete or not. For the end of a finite input (replays, benchmarks);
   * a consumer that stops hands its state over with a snapshot instead.
   */
  emitAll(out: AggregatorOutput[]): void {
    this.windows.emitUntil(Infinity, out);
  }

  stats(): AggregatorStats {
    return {
      routes: this.store.routeCount,
      peers: this.store.peerCount,
      tables: this.store.allTables().length,
      attribute_sets: this.attrs.size,
      open_windows: this.windows.openWindows().length,
      watermark: this.watermark,
    };
  }

  /** The parts of the state, for snapshot.ts. */
  parts(): AggregatorParts {
    return { config: this.config, watermark: this.wm, attrs: this.attrs, store: this.store, windows: this.windows };
  }

  private eventTime(timestamp: number | null, fallback: number | null): number {
    if (timestamp !== null) return timestamp;
    if (fallback !== null) return fallback;
    return this.wm === -Infinity ? 0 : this.wm;
  }

  private advance(time: number, out: AggregatorOutput[]): void {
    if (time > this.wm) this.wm = time;
    if (this.wm >= this.windows.nextClose) this.windows.emitUntil(this.wm, out);
  }

  private dropAt(match: (p: PeerIdentity) => boolean, time: number): number {
    let total = 0;
    for (const { table, count } of this.store.drop(match, this.attrs)) {
      this.windows.countImplicit(table, time, count);
      total += count;
    }
    return total;
  }
}
