/**
 * Snapshot and restore of one partition's aggregator: routes, attribute sets, open windows and
 * watermark, as one binary blob (Node's structured-clone serialisation, mostly of the typed arrays
 * the state already lives in, behind a format version), so that a consumer that is assigned a
 * partition resumes exactly where the previous owner stopped. Measured on the 1.25 M-route
 * synthetic table: 64 MB, written in ~0.3 s; with the table-load window still open (1.25 M routes
 * touched) 135 MB, restored in ~1.2 s.
 *
 * Recommended wiring (exactly-once with Kafka transactions):
 *
 *  - State comes from a snapshot, not from re-reading the input. Re-reading cannot rebuild the
 *    routes: route_monitoring is a retained (not compacted) topic, and a peer's table is made of
 *    everything since its session began (the initial dump may be days old and already deleted).
 *    A compacted topic keyed per route (a changelog, as Kafka Streams does) would double the write
 *    volume of the busiest topic; periodic whole snapshots are far cheaper at BMP churn rates.
 *  - Every few minutes (and on revocation), the consumer writes the snapshot of a partition to a
 *    compacted snapshot topic, split in chunks below the broker's message size, keyed
 *    "<input partition>|<chunk index>", each chunk carrying the snapshot id, the chunk count and
 *    the input offset the snapshot reflects (the offset of the next record to process). The chunks
 *    go in the same transaction as the outputs and the offset commit, so a snapshot is visible
 *    (read_committed) exactly when the state it describes is committed; a manifest chunk written
 *    last tells a reader which snapshot id is complete (stale higher-index chunks of an older,
 *    longer snapshot are recognised by their id).
 *  - On assignment: read the partition's latest complete snapshot, `restoreAggregator`, seek the
 *    input to the snapshot's offset, and re-process up to the committed offset with outputs
 *    discarded (they were already committed in earlier transactions; the aggregator is
 *    deterministic, so it re-derives the same state). From the committed offset on, publish as
 *    usual. No snapshot yet: start empty from the committed offset (the tables fill again with the
 *    next session dumps; unknown withdrawals are counted apart meanwhile).
 *  - Peer Down and router records are keyed differently from the route events (router key; a Peer
 *    Down's RIB view comes from its own flags), so they are not in the route events' partition:
 *    each instance should read those two low-volume topics in full and hand every record to each of
 *    its aggregators (the drop only touches peers an aggregator holds), ordered against the route
 *    events by Kafka record timestamp.
 */
import { deserialize, serialize } from 'node:v8';
import { AttributeSets } from './attributes.js';
import { RouteChangeAggregator, windowConfig, type AggregatorConfig } from './aggregator.js';
import { RouteStore, type PeerIdentity } from './route-store.js';
import { RouteTable, type RouteTableState } from './route-table.js';
import { TableWindow, Windows } from './windows.js';

/** Format version of the snapshot blob; bump when its shape changes (and keep reading the old one). */
export const SNAPSHOT_VERSION = 1;

interface TableState {
  peer: PeerIdentity;
  afi: number;
  safi: number;
  family: string;
  routes: RouteTableState;
}

interface WindowState {
  start: number;
  table: number;
  counters: Float64Array<ArrayBuffer>;
  slots: RouteTableState;
  announces: Uint32Array<ArrayBuffer>;
  withdraws: Uint32Array<ArrayBuffer>;
  changes: Uint32Array<ArrayBuffer>;
  flaps: Uint32Array<ArrayBuffer>;
  pending: Uint8Array<ArrayBuffer>;
  first: Float64Array<ArrayBuffer>;
  last: Float64Array<ArrayBuffer>;
}

interface SnapshotState {
  version: number;
  config: AggregatorConfig;
  watermark: number;
  attrs: ReturnType<AttributeSets['dump']>;
  tables: TableState[];
  windows: WindowState[];
}

/** The whole state of an aggregator as bytes. */
export function snapshotAggregator(aggregator: RouteChangeAggregator): Buffer {
  const { config, watermark, attrs, store, windows } = aggregator.parts();
  const state: SnapshotState = {
    version: SNAPSHOT_VERSION,
    config,
    watermark,
    attrs: attrs.dump(),
    tables: store.allTables().map((t) => ({ peer: t.peer, afi: t.afi, safi: t.safi, family: t.family, routes: t.routes.dump() })),
    windows: windows.openWindows().flatMap(({ start, tables }) =>
      tables.map((w) => ({
        start,
        table: w.table.id,
        counters: w.counters,
        slots: w.slots.dump(),
        announces: w.announces,
        withdraws: w.withdraws,
        changes: w.changes,
        flaps: w.flaps,
        pending: w.pending,
        first: w.first,
        last: w.last,
      })),
    ),
  };
  return serialize(state);
}

/**
 * An aggregator with the state of a snapshot. The window settings are the snapshot's unless
 * `config` overrides them (open windows keep the length they were opened with only if unchanged).
 */
export function restoreAggregator(bytes: Uint8Array, config: Partial<AggregatorConfig> = {}): RouteChangeAggregator {
  const state = deserialize(bytes) as SnapshotState;
  if (state?.version !== SNAPSHOT_VERSION) throw new Error(`route-change snapshot: unsupported version ${String(state?.version)}`);
  const merged = { ...state.config, ...config };
  const store = RouteStore.load(state.tables.map((t) => ({ ...t, routes: RouteTable.load(t.routes) })));
  const windows = new Windows(windowConfig(merged));
  const tables = store.allTables();
  for (const s of state.windows) {
    const table = tables[s.table];
    if (table === undefined) throw new Error(`route-change snapshot: window of unknown table ${s.table}`);
    const w = new TableWindow(table, s.start);
    w.counters.set(s.counters);
    w.slots = RouteTable.load(s.slots);
    w.announces = s.announces;
    w.withdraws = s.withdraws;
    w.changes = s.changes;
    w.flaps = s.flaps;
    w.pending = s.pending;
    w.first = s.first;
    w.last = s.last;
    windows.restoreWindow(s.start, w);
  }
  return new RouteChangeAggregator(merged, { watermark: state.watermark, attrs: AttributeSets.load(state.attrs), store, windows });
}
