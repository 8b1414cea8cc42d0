/**
 * Route-change aggregates of a scenario (services/route-changes), checked two ways:
 *  - against a replay of the same topic events written here, independently of the aggregator
 *    (per peer and view: prefix -> last announcement), on every count both compute;
 *  - against the scenario's own counts (what the neighbours announced, changed and withdrew),
 *    given by each scenario as the totals it knows per peer and view.
 *
 * Where the records come from: `routeChangeRecords` runs the route-changes service's aggregator
 * (RouteChangeAggregator) over the events the scenario read back, in topic order per peer, as the
 * service does, with one-hour windows. The service itself closes windows on event time, and these
 * routers stamp their messages with their own clocks (FRR tens of minutes in the past), so its
 * `route_changes` records would arrive only after a wait the scenario cannot afford. Reading them
 * instead is `return consumed.route_changes` with the topic added to `Consumed` (Collector.consume
 * already reads every topic of the prefix); the checks stay as they are.
 */
import assert from 'node:assert/strict';
import type { PeerDownEvent, RouteEvent } from '../../../services/events/model.js';
import { ribView } from '../../../services/kafka/avro/index.js';
import { RouteChangeAggregator, type AggregatorOutput, type RouteChangesRecord } from '../../../services/route-changes/index.js';
import type { Consumed } from './collector.js';

/** The counters of a route_changes record that the checks sum over windows and families. */
export const COUNTERS = [
  'announcements',
  'new_routes',
  'withdrawals',
  'unknown_withdrawals',
  'implicit_withdrawals',
  'path_changes',
  'as_path_changes',
  'next_hop_changes',
  'communities_changes',
  'large_communities_changes',
  'extended_communities_changes',
  'med_changes',
  'local_pref_changes',
  'origin_changes',
  'other_changes',
  'duplicates',
  'late_events',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Totals = Record<Counter, number>;

function zero(): Totals {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Totals;
}

/**
 * The aggregator's windows for a scenario: one hour, one hour of lateness. FRR stamps routes with
 * when it received them and resends unchanged routes with their original timestamps, and stamps a
 * session's first Peer Up/Down up to tens of minutes in the past (real-senders.md): with the
 * service's default windows (60 s + 10 s) such events would count only as late_events, which
 * would make the totals depend on timing. Windows are summed anyway, so their length matters only
 * for lateness; late_events must then be 0.
 */
const SCENARIO_WINDOWS = { windowMs: 3_600_000, allowedLatenessMs: 3_600_000 };

/** The route events and Peer Downs of the scenario's one BMP session, in session order. */
function sessionInputs(consumed: Consumed): Array<{ route: RouteEvent } | { down: PeerDownEvent }> {
  // Topic order per peer is session order: the route_monitoring topic is keyed by peer and view,
  // and ingest publishes a session's events in sequence order.
  const lastSeq = new Map<string, number>();
  for (const e of consumed.route_monitoring) {
    const k = `${e.peer_type_code}|${e.peer_distinguisher}|${e.peer_address}|${ribView(e)}`;
    assert.ok(e.sequence > (lastSeq.get(k) ?? -1), `route events of ${k} out of session order on the topic`);
    lastSeq.set(k, e.sequence);
  }
  // Peer Downs come from their own topic: they take their place by sequence (one session, so the
  // sequence orders all of them), as the service's wiring must place them (snapshot.ts notes).
  return [...consumed.route_monitoring.map((route) => ({ seq: route.sequence, item: { route } })), ...consumed.peer_down.map((down) => ({ seq: down.sequence, item: { down } }))]
    .sort((a, b) => a.seq - b.seq)
    .map((x) => x.item);
}

/** The route_changes records of the scenario (see the module comment for the switch to the topic). */
export function routeChangeRecords(consumed: Consumed): RouteChangesRecord[] {
  const aggregator = new RouteChangeAggregator(SCENARIO_WINDOWS);
  const out: AggregatorOutput[] = [];
  for (const x of sessionInputs(consumed)) {
    if ('route' in x) aggregator.onRoute(x.route, out);
    else aggregator.onPeerDown(x.down, out);
  }
  // The session's end (router topic) drops what every peer still held: implicit withdrawals.
  for (const r of consumed.router) aggregator.onRouter(r as unknown as Parameters<RouteChangeAggregator['onRouter']>[0], out);
  aggregator.emitAll(out);
  return out.filter((o) => o.topic === 'route_changes').map((o) => o.record as RouteChangesRecord);
}

/** "peer address|RIB view" (RIB view as the records name it: adj_rib_in_pre, adj_rib_in_post, loc_rib). */
export function totalsByPeerView(records: RouteChangesRecord[]): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const r of records) {
    const key = `${r.peer_address}|${r.rib_view}`;
    const t = totals.get(key) ?? zero();
    for (const c of COUNTERS) t[c] += r[c];
    totals.set(key, t);
  }
  return totals;
}

/**
 * The same counts by replaying the topic events with plain maps: per peer and view, prefix -> the
 * last announcement's attributes; a Peer Down empties the peer's views and the session's end all
 * of them (implicit withdrawals). Attributes compared: AS path, next hop, communities, large
 * communities, extended communities, MED, LOCAL_PREF, origin (the others count as "other" in the
 * aggregator and are checked to be 0 there).
 */
export function replayTotals(consumed: Consumed): Map<string, Totals> {
  type Attrs = Record<'as_path' | 'next_hop' | 'communities' | 'large_communities' | 'extended_communities' | 'med' | 'local_pref' | 'origin', string>;
  const attrsOf = (e: RouteEvent): Attrs => ({
    as_path: JSON.stringify(e.as_path),
    next_hop: String(e.next_hop),
    communities: JSON.stringify(e.communities),
    large_communities: JSON.stringify(e.large_communities),
    extended_communities: JSON.stringify(e.extended_communities),
    med: String(e.med),
    local_pref: String(e.local_pref),
    origin: String(e.origin),
  });
  const tables = new Map<string, Map<string, Attrs>>();
  const totals = new Map<string, Totals>();
  const totalsOf = (key: string): Totals => {
    let t = totals.get(key);
    if (!t) totals.set(key, (t = zero()));
    return t;
  };
  const dropWhere = (match: (key: string) => boolean): void => {
    for (const [key, table] of tables) {
      if (!match(key) || table.size === 0) continue;
      totalsOf(key).implicit_withdrawals += table.size;
      table.clear();
    }
  };
  for (const x of sessionInputs(consumed)) {
    if ('down' in x) {
      dropWhere((key) => key.startsWith(`${x.down.peer_address}|`));
      continue;
    }
    const e = x.route;
    if (e.action === 'end_of_rib' || e.prefix === null) continue;
    const key = `${e.peer_address}|${ribView(e)}`;
    const t = totalsOf(key);
    let table = tables.get(key);
    if (!table) tables.set(key, (table = new Map()));
    const route = `${e.prefix}|${e.path_id}`;
    const old = table.get(route);
    if (e.action === 'withdraw') {
      if (old === undefined) t.unknown_withdrawals++;
      else t.withdrawals++;
      table.delete(route);
      continue;
    }
    t.announcements++;
    const now = attrsOf(e);
    table.set(route, now);
    if (old === undefined) {
      t.new_routes++;
      continue;
    }
    const changed = (Object.keys(now) as Array<keyof Attrs>).filter((a) => now[a] !== old[a]);
    if (changed.length === 0) {
      t.duplicates++;
      continue;
    }
    t.path_changes++;
    for (const a of changed) t[`${a}_changes`]++;
  }
  if (consumed.router.some((r) => r.event === 'disconnected')) dropWhere(() => true);
  return totals;
}

/** Asserts the aggregator's totals equal the replay's, for every peer and view. */
export function assertTotalsAgree(aggregated: Map<string, Totals>, replayed: Map<string, Totals>): void {
  assert.deepEqual([...aggregated.keys()].sort(), [...replayed.keys()].sort(), 'route-change aggregates: peers and views');
  for (const [key, want] of replayed) {
    const got = aggregated.get(key) as Totals;
    assert.deepEqual(got, want, `route-change aggregates of ${key} against the topic replay`);
  }
}

/**
 * Asserts the totals of each listed peer and view against the scenario's counts: only the counters
 * given; `atLeast` ones (an explained tolerance) as a lower bound.
 */
export function assertScenarioTotals(aggregated: Map<string, Totals>, expected: Record<string, Partial<Totals>>, atLeast: Record<string, Partial<Totals>> = {}): void {
  assert.deepEqual([...aggregated.keys()].sort(), Object.keys(expected).sort(), 'route-change aggregates: peers and views the scenario expects');
  for (const [key, want] of Object.entries(expected)) {
    const got = aggregated.get(key) as Totals;
    const picked = Object.fromEntries(Object.keys(want).map((c) => [c, got[c as Counter]]));
    assert.deepEqual(picked, want, `route-change aggregates of ${key} against the scenario (all: ${JSON.stringify(got)})`);
    for (const [c, min] of Object.entries(atLeast[key] ?? {})) assert.ok(got[c as Counter] >= (min as number), `${key}: ${c} ${got[c as Counter]} >= ${min}`);
  }
}

/** Compact text of the totals for the report. */
export function totalsText(totals: Map<string, Totals>): string {
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, t]) => `${k}: ${COUNTERS.filter((c) => t[c] !== 0).map((c) => `${c}=${t[c]}`).join(' ')}`)
    .join('; ');
}

/**
 * The path-change counters of `n` routes changed as lib/routes.ts changedRoute changes them: AS
 * path, communities, large communities and MED, nothing else.
 */
export function changedRoutePathChanges(n: number): Partial<Totals> {
  return {
    path_changes: n,
    as_path_changes: n,
    communities_changes: n,
    large_communities_changes: n,
    med_changes: n,
    next_hop_changes: 0,
    local_pref_changes: 0,
    origin_changes: 0,
    extended_communities_changes: 0,
    other_changes: 0,
  };
}
