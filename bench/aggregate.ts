/**
 * Route-change aggregator benchmark (`npm run bench:aggregate`): how fast one aggregator (one
 * partition, one core) classifies and counts route events, and what its route store costs.
 *
 *  1. Full table: the synthetic full-table BMP dump of bench/full-table.ts (1,000,000 IPv4 +
 *     250,000 IPv6 prefixes over 4 peers by default) is framed and decoded by the collector's own
 *     BmpSessionDecoder, chunk by chunk, into RouteEvents (their bmp_timestamps as the dump has
 *     them: a few µs apart); each chunk's events are fed to the aggregator. Only the aggregator
 *     calls are timed.
 *  2. Bytes per route: with `--expose-gc` (the npm script sets it), heapUsed + arrayBuffers
 *     (the route tables and attribute sets are typed arrays, outside the JS heap) after two full
 *     GCs, measured with the empty aggregator before the table (after a warm-up on a small table,
 *     so that compiled code is in neither figure) and again after it, once the table-load window
 *     has been emitted (so only the route store and the attribute sets remain), divided by the
 *     routes held. Decoded events are dropped chunk by chunk and are in neither figure.
 *  3. Churn: events derived from a reservoir of 100,000 table routes, each event an Avro record
 *     (route_monitoring schema) decoded afresh by avsc, as the consumer will receive them, in this
 *     mix: 40% path changes (AS path, communities, MED or next hop), 20% withdrawals, 20%
 *     re-announcements of withdrawn routes, 15% duplicates, 5% flapping prefixes (three
 *     withdraw/announce cycles in a row), event time moving on so that about five windows close
 *     and are emitted during the run; then one Peer Down (timed apart, not in events/s). Built in
 *     batches outside the timed part. The churn runs on a second aggregator loaded with the same
 *     table (untimed), because the sample of routes it needs would spoil the memory figure.
 *
 * Rates are events per CPU second of the aggregator calls (process.cpuUsage: user + system of all
 * the process's threads, so V8's GC helper threads count): the machine is shared, and wall time
 * measures the other processes as much as this one. Wall-time rates are printed too. The window
 * emit latency is the CPU time of the longest aggregator call that emitted windows (records, top
 * N and flaps built); the bench closes windows with a call of their own just before the event that
 * would, so that call is timed alone.
 *
 * Output: progress on stderr; last line of stdout:
 *   {"bench":"aggregate","events_per_s":r,"bytes_per_route":b,"window_emit_latency_ms":l}
 * (bytes_per_route null without --expose-gc). Options: USAGE below (`--help`).
 */
import { fileURLToPath } from 'node:url';
import { intOption, parseBenchArgs, TABLE_OPTIONS } from './options.js';
import { BmpFramer } from '../services/codec/framer.js';
import { BmpSessionDecoder } from '../services/events/session-decoder.js';
import type { PeerDownEvent, RouteEvent } from '../services/events/model.js';
import { RouteChangeAggregator, type AggregatorOutput, type RouteChangesRecord } from '../services/route-changes/index.js';
import { typeFor } from '../services/kafka/avro/index.js';
import { FULL_TABLE_ROUTER_ADDRESS, Prng, fullTableDump } from './full-table.js';

export interface AggregateBenchOptions {
  prefixesV4: number;
  prefixesV6: number;
  peers: number;
  churn: number;
  seed: number;
  windowMs: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface AggregateBenchResult {
  tableEvents: number;
  churnEvents: number;
  tableSeconds: number;
  churnSeconds: number;
  /** Events per CPU second of aggregator calls (see the module comment). */
  events_per_s: number;
  /** Events per wall second of the same calls. */
  events_per_s_wall: number;
  /** null when the process was started without --expose-gc. */
  bytes_per_route: number | null;
  /** CPU time of the longest call that emitted windows. */
  window_emit_latency_ms: number;
  window_emit_latency_wall_ms: number;
  routesAfterTable: number;
  attributeSetsAfterTable: number;
  routesAtEnd: number;
  windowsEmitted: number;
  flapRecords: number;
  /** Sums over every route_changes record emitted. */
  totals: Record<'announcements' | 'new_routes' | 'withdrawals' | 'unknown_withdrawals' | 'implicit_withdrawals' | 'path_changes' | 'duplicates' | 'late_events', number>;
}

export const DEFAULT_BENCH_OPTIONS: AggregateBenchOptions = { prefixesV4: 1_000_000, prefixesV6: 250_000, peers: 4, churn: 2_000_000, seed: 1, windowMs: 60_000 };

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): number | null {
  if (gc === undefined) return null;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface Clock {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}

function clock(): Clock {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

/** CPU seconds (user + system, all threads of the process) and wall seconds since `start`. */
function since(start: Clock): { cpu: number; wall: number } {
  const cpu = process.cpuUsage(start.cpu);
  return { cpu: (cpu.user + cpu.system) / 1e6, wall: Number(process.hrtime.bigint() - start.wall) / 1e9 };
}

/** Timed feeding of events, with the emit latency of calls that closed windows. */
class Feeder {
  /** CPU seconds of the process (all threads: GC helpers included) spent in aggregator calls. */
  seconds = 0;
  /** Wall seconds of the same calls (inflated when other processes share the cores). */
  wallSeconds = 0;
  events = 0;
  /** Largest CPU and wall time of a call that emitted windows, ms. */
  maxEmitMs = 0;
  maxEmitWallMs = 0;
  emits = 0;
  readonly out: AggregatorOutput[] = [];
  windowsEmitted = 0;
  flapRecords = 0;
  readonly totals: AggregateBenchResult['totals'] = {
    announcements: 0,
    new_routes: 0,
    withdrawals: 0,
    unknown_withdrawals: 0,
    implicit_withdrawals: 0,
    path_changes: 0,
    duplicates: 0,
    late_events: 0,
  };

  constructor(readonly aggregator: RouteChangeAggregator) {}

  routes(events: RouteEvent[]): void {
    const a = this.aggregator;
    const out = this.out;
    const start = clock();
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      // Close windows in a call of their own just before the event that would, so it is timed alone.
      const close = a.nextWindowClose;
      if (close !== null && e.bmp_timestamp !== null && e.bmp_timestamp >= close) this.closeWindows(e.bmp_timestamp);
      a.onRoute(e, out);
    }
    const spent = since(start);
    this.seconds += spent.cpu;
    this.wallSeconds += spent.wall;
    this.events += events.length;
    this.collect();
  }

  /** A Peer Down, timed on its own (not in events/s: one event that drops a peer's whole table). */
  peerDown(e: PeerDownEvent): { routes: number; ms: number } {
    const start = clock();
    const routes = this.aggregator.onPeerDown(e, this.out);
    const ms = since(start).cpu * 1000;
    this.collect();
    return { routes, ms };
  }

  /** Timed watermark move that closes windows: the emit latency. */
  closeWindows(time: number): void {
    const before = this.out.length;
    const start = clock();
    this.aggregator.advanceWatermark(time, this.out);
    const spent = since(start);
    if (this.out.length > before) {
      this.maxEmitMs = Math.max(this.maxEmitMs, spent.cpu * 1000);
      this.maxEmitWallMs = Math.max(this.maxEmitWallMs, spent.wall * 1000);
      this.emits++;
    }
  }

  /** Drains the outputs, keeping sums (what a publisher would do with them). */
  collect(): void {
    for (const o of this.out) {
      if (o.topic === 'prefix_flaps') {
        this.flapRecords++;
        continue;
      }
      this.windowsEmitted++;
      const r: RouteChangesRecord = o.record;
      for (const k of Object.keys(this.totals) as Array<keyof AggregateBenchResult['totals']>) this.totals[k] += r[k];
    }
    this.out.length = 0;
  }
}

/** The full table as RouteEvents, one array per dump chunk. */
function* tableEvents(o: AggregateBenchOptions): Generator<RouteEvent[]> {
  const framer = new BmpFramer();
  const decoder = new BmpSessionDecoder({ routerAddress: FULL_TABLE_ROUTER_ADDRESS });
  for (const chunk of fullTableDump({ prefixesV4: o.prefixesV4, prefixesV6: o.prefixesV6, peers: o.peers, seed: o.seed })) {
    const events: RouteEvent[] = [];
    framer.push(chunk);
    for (let m = framer.next(); m !== null; m = framer.next()) {
      if (m.kind !== 'message') throw new Error('framing lost in the full-table dump');
      decoder.decode(m.bytes, m.offset, (topic, event) => {
        if (topic === 'route_monitoring') events.push(event as RouteEvent);
        else if (topic === 'errors') throw new Error('error event in the full-table dump');
      });
    }
    yield events;
  }
}

/** Keeps a uniform sample of `size` items of a stream (Algorithm R). */
class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;

  constructor(
    private readonly size: number,
    private readonly rng: Prng,
  ) {}

  /** Offers the item `make` returns, made only if kept. */
  offer(make: () => T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(make());
    else {
      const j = this.rng.below(this.seen);
      if (j < this.size) this.items[j] = make();
    }
  }
}

/**
 * Churn events in batches, as the consumer will receive them: Avro records of the route_monitoring
 * schema, decoded afresh by avsc for every event (the sampled routes are kept encoded), so each
 * event is a new object graph like a real consumer's, not a cold one shared with the table load.
 * Event time advances `usPerEvent` on average. Tracks which sampled routes are withdrawn so that
 * withdrawals and re-announcements hit real routes.
 */
function* churnBatches(sample: Buffer[], total: number, startUs: number, usPerEvent: number, rng: Prng, batch = 50_000): Generator<RouteEvent[]> {
  const type = typeFor('route_monitoring');
  const decode = (buf: Buffer, time: number, action: RouteEvent['action']): RouteEvent => {
    const e = type.fromBuffer(buf) as RouteEvent;
    e.bmp_timestamp = time;
    e.action = action;
    return e;
  };
  const withdrawn: number[] = [];
  const isWithdrawn = new Uint8Array(sample.length);
  let time = startUs;
  let made = 0;
  while (made < total) {
    const n = Math.min(batch, total - made);
    const events: RouteEvent[] = [];
    while (events.length < n) {
      time += rng.below(2 * usPerEvent + 1);
      const r = rng.below(100);
      const i = rng.below(sample.length);
      if (r < 40) {
        if (isWithdrawn[i]) continue;
        const changed = decode(sample[i], time, 'announce');
        const kind = rng.below(4);
        if (kind === 0) changed.as_path.splice(changed.as_path.length - 1, 0, { asn: 64512 + rng.below(1000), segment: 'sequence' });
        else if (kind === 1) changed.communities.push(`65535:${rng.below(1000)}`);
        else if (kind === 2) changed.med = rng.below(5000);
        else if (changed.next_hop !== null) changed.next_hop = changed.next_hop.slice(0, -1) + (changed.next_hop.endsWith('1') ? '2' : '1');
        sample[i] = type.toBuffer(changed);
        events.push(changed);
      } else if (r < 60) {
        if (isWithdrawn[i]) continue;
        isWithdrawn[i] = 1;
        withdrawn.push(i);
        events.push(decode(sample[i], time, 'withdraw'));
      } else if (r < 80) {
        if (withdrawn.length === 0) continue;
        const k = rng.below(withdrawn.length);
        const j = withdrawn[k];
        withdrawn[k] = withdrawn[withdrawn.length - 1];
        withdrawn.pop();
        isWithdrawn[j] = 0;
        events.push(decode(sample[j], time, 'announce'));
      } else if (r < 95) {
        if (isWithdrawn[i]) continue;
        events.push(decode(sample[i], time, 'announce'));
      } else {
        // A flapping prefix: three withdraw/announce cycles in a row.
        if (isWithdrawn[i]) continue;
        for (let c = 0; c < 3; c++) {
          events.push(decode(sample[i], time, 'withdraw'));
          events.push(decode(sample[i], time, 'announce'));
        }
      }
    }
    made += events.length;
    yield events;
  }
}

export function runAggregateBench(options: Partial<AggregateBenchOptions> = {}): AggregateBenchResult {
  const o = { ...DEFAULT_BENCH_OPTIONS, ...options };
  const log = o.log ?? ((): void => undefined);
  const windowUs = o.windowMs * 1000;

  // Warm-up on a small table, so that compiled code and V8's caches are in neither memory figure.
  const warm = new Feeder(new RouteChangeAggregator({ windowMs: o.windowMs }));
  for (const events of tableEvents({ ...o, prefixesV4: 20_000, prefixesV6: 5_000 })) warm.routes(events);
  warm.aggregator.emitAll(warm.out);
  warm.collect();

  // Pass 1: the table alone, timed, and the store's memory (nothing else kept alive).
  let aggregator = new RouteChangeAggregator({ windowMs: o.windowMs });
  let feeder = new Feeder(aggregator);
  const lateness = aggregator.config.allowedLatenessMs * 1000;
  const before = memory();
  let lastTime = 0;
  for (const events of tableEvents(o)) {
    feeder.routes(events);
    if (events.length > 0) lastTime = Math.max(lastTime, events[events.length - 1].bmp_timestamp ?? 0);
    if (feeder.events % 250_000 < events.length) log(`table: ${feeder.events} events, ${aggregator.stats().routes} routes`);
  }
  // Close the table-load windows, so that only the store and the attribute sets remain.
  const tableEnd = Math.floor(lastTime / windowUs) * windowUs + windowUs;
  feeder.closeWindows(tableEnd + lateness);
  feeder.collect();
  const afterTable = aggregator.stats();
  const after = memory();
  const bytesPerRoute = before === null || after === null ? null : (after - before) / afterTable.routes;
  const tableSeconds = feeder.seconds;
  const tableWall = feeder.wallSeconds;
  const tableEventsCount = feeder.events;
  const tableEmitMs = feeder.maxEmitMs;
  const tableEmitWallMs = feeder.maxEmitWallMs;
  log(
    `table: ${tableEventsCount} events in ${tableSeconds.toFixed(2)} CPU s (${Math.round(tableEventsCount / tableSeconds)} events/s; wall ${tableWall.toFixed(2)} s), ` +
      `${afterTable.routes} routes, ${afterTable.attribute_sets} attribute sets, ` +
      `${bytesPerRoute === null ? 'bytes/route not measured (no --expose-gc)' : `${bytesPerRoute.toFixed(1)} bytes/route`}, table window emitted in ${tableEmitMs.toFixed(1)} CPU ms (wall ${tableEmitWallMs.toFixed(1)} ms)`,
  );

  // Pass 2: the table again (untimed), keeping a sample of routes, then the timed churn.
  aggregator = new RouteChangeAggregator({ windowMs: o.windowMs });
  feeder = new Feeder(aggregator);
  const rng = new Prng(o.seed ^ 0x5eed);
  const sample = new Reservoir<Buffer>(100_000, rng);
  const routeType = typeFor('route_monitoring');
  for (const events of tableEvents(o)) {
    feeder.routes(events);
    for (const e of events) if (e.action === 'announce') sample.offer(() => routeType.toBuffer(e));
  }
  feeder.closeWindows(tableEnd + lateness);
  feeder.collect();
  // Only the churn is timed in this pass; the counts (totals) cover all of it.
  feeder.seconds = 0;
  feeder.wallSeconds = 0;
  feeder.events = 0;
  feeder.maxEmitMs = 0;
  feeder.maxEmitWallMs = 0;
  const sampled = sample.items;
  const churnStart = tableEnd + lateness;
  // Event time: the churn spans about five windows.
  const usPerEvent = Math.max(1, Math.floor((5 * windowUs) / Math.max(1, o.churn)));
  for (const events of churnBatches(sampled, o.churn, churnStart, usPerEvent, rng)) {
    feeder.routes(events);
    if (feeder.events % 500_000 < events.length) log(`churn: ${feeder.events} events, ${Math.round(feeder.events / feeder.seconds)} events/s`);
  }
  const churnEvents = feeder.events;
  const churnSeconds = feeder.seconds;
  const churnWall = feeder.wallSeconds;
  // One peer goes down: its routes become implicit withdrawals.
  const down = routeType.fromBuffer(sampled[0]) as RouteEvent;
  const peerDown: PeerDownEvent = {
    ...down,
    bmp_timestamp: aggregator.watermark,
    reason_code: 2,
    reason: 'local_fsm',
    notification_code: null,
    notification_subcode: null,
    notification: null,
    notification_data: null,
    fsm_event_code: 8,
    tlvs: [],
  };
  const dropped = feeder.peerDown(peerDown);
  log(
    `churn: ${churnEvents} events in ${churnSeconds.toFixed(2)} CPU s (${Math.round(churnEvents / churnSeconds)} events/s; wall ${churnWall.toFixed(2)} s), ` +
      `${feeder.emits} window emits, the longest ${feeder.maxEmitMs.toFixed(1)} CPU ms (wall ${feeder.maxEmitWallMs.toFixed(1)} ms); ` +
      `peer down dropped ${dropped.routes} routes in ${dropped.ms.toFixed(1)} CPU ms`,
  );
  aggregator.emitAll(feeder.out);
  feeder.collect();
  const totalSeconds = tableSeconds + churnSeconds;
  const totals = { ...feeder.totals };
  return {
    tableEvents: tableEventsCount,
    churnEvents,
    tableSeconds,
    churnSeconds,
    events_per_s: Math.round((tableEventsCount + churnEvents) / totalSeconds),
    events_per_s_wall: Math.round((tableEventsCount + churnEvents) / (tableWall + churnWall)),
    bytes_per_route: bytesPerRoute === null ? null : Math.round(bytesPerRoute * 10) / 10,
    window_emit_latency_ms: Math.round(Math.max(tableEmitMs, feeder.maxEmitMs) * 100) / 100,
    window_emit_latency_wall_ms: Math.round(Math.max(tableEmitWallMs, feeder.maxEmitWallMs) * 100) / 100,
    routesAfterTable: afterTable.routes,
    attributeSetsAfterTable: afterTable.attribute_sets,
    routesAtEnd: aggregator.stats().routes,
    windowsEmitted: feeder.windowsEmitted,
    flapRecords: feeder.flapRecords,
    totals,
  };
}

const USAGE = `Usage: npm run bench:aggregate -- [options]

One route-change aggregator (one partition, one core): a full table decoded by the collector's
own decoder and fed to it, bytes per route held, then a churn of Avro-decoded route events. The
last line on stdout is one JSON object; progress goes to stderr.

Options:
  --prefixes-v4 N     IPv4 prefixes in the table (default 1,000,000)
  --prefixes-v6 N     IPv6 prefixes in the table (default 250,000)
  --peers N           peers the table's routes are spread over (4)
  --churn N           churn events (2,000,000)
  --seed N            generator seed (1)
  --window-ms N       aggregation window (60,000)
  -h, --help          this text
`;

function main(): void {
  const values = parseBenchArgs(USAGE, {
    ...TABLE_OPTIONS,
    churn: { type: 'string' },
    'window-ms': { type: 'string' },
  });
  const d = DEFAULT_BENCH_OPTIONS;
  const options = {
    prefixesV4: intOption('prefixes-v4', values['prefixes-v4'], d.prefixesV4, 0),
    prefixesV6: intOption('prefixes-v6', values['prefixes-v6'], d.prefixesV6, 0),
    peers: intOption('peers', values.peers, d.peers, 1),
    churn: intOption('churn', values.churn, d.churn, 0),
    seed: intOption('seed', values.seed, d.seed, 0),
    windowMs: intOption('window-ms', values['window-ms'], d.windowMs, 1),
    log: (line: string) => console.error(line),
  };
  if (gc === undefined) console.error('warning: run with node --expose-gc (npm run bench:aggregate does) to measure bytes per route');
  const r = runAggregateBench(options);
  console.error(JSON.stringify({ ...r }));
  console.log(JSON.stringify({ bench: 'aggregate', events_per_s: r.events_per_s, bytes_per_route: r.bytes_per_route, window_emit_latency_ms: r.window_emit_latency_ms }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
