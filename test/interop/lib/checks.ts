/**
 * Checks shared by the interop scenarios: what the pipeline published against what the neighbours
 * announced (RIB views rebuilt from the events) and against tshark's dissection of the same bytes.
 *
 * The consumer services' checks live beside these: peer-state.ts runs the peer-state service on
 * the run's topics and peer-state-checks.ts compares its state with the scenario and the topics;
 * route-changes.ts checks the route-change aggregates (today the pure aggregator over the consumed
 * events; its module comment says how to switch to the service's route_changes topic).
 */
import assert from 'node:assert/strict';
import type { PeerDownEvent, PeerUpEvent, RouteEvent } from '../../../services/events/model.js';
import type { Consumed } from './collector.js';
import type { Route, Table } from './routes.js';
import { routesOf, type DissectedBmp, type DissectedRoute, type View } from './wireshark.js';

export function viewOf(e: RouteEvent): View {
  return e.peer_type === 'loc_rib' ? 'loc_rib' : e.is_post_policy ? 'post' : 'pre';
}

function asPathText(e: RouteEvent): string {
  return e.as_path.map((h) => (h.segment === 'set' || h.segment === 'confed_set' ? `{${h.asn}}` : String(h.asn))).join(' ');
}

/** Comparable text of one route event, from the pipeline. */
export function eventKey(e: RouteEvent): string {
  const head = `${e.peer_address}|${viewOf(e)}|${e.action}`;
  if (e.action === 'end_of_rib') return `${head}|${e.family}`;
  if (e.action === 'withdraw') return `${head}|${e.prefix}`;
  return [
    head,
    e.prefix,
    `as=${asPathText(e)}`,
    `nh=${e.next_hop}`,
    `c=${[...e.communities].sort().join(',')}`,
    `lc=${[...e.large_communities].sort().join(',')}`,
    `med=${e.med}`,
    `lp=${e.local_pref}`,
  ].join('|');
}

/** Comparable text of one route as tshark dissected it (same format as eventKey). */
export function dissectedKey(r: DissectedRoute, family: string): string {
  const head = `${r.peer.address}|${r.peer.view}|${r.action}`;
  if (r.action === 'end_of_rib') return `${head}|${family}`;
  if (r.action === 'withdraw') return `${head}|${r.prefix}`;
  return [
    head,
    r.prefix,
    `as=${r.asPath}`,
    `nh=${r.nextHop}`,
    `c=${[...r.communities].sort().join(',')}`,
    `lc=${[...r.largeCommunities].sort().join(',')}`,
    `med=${r.med}`,
    `lp=${r.localPref}`,
  ].join('|');
}

/** Keys of every route of tshark's Route Monitoring messages. */
export function dissectedRouteKeys(messages: DissectedBmp[]): string[] {
  const keys: string[] = [];
  for (const m of messages) {
    if (m.tree['bmp.type'] !== '0') continue;
    for (const r of routesOf(m)) keys.push(dissectedKey(r, r.prefix?.includes(':') ? 'ipv6_unicast' : 'ipv4_unicast'));
  }
  return keys;
}

/**
 * Compares two multisets of keys; fails with the first differences of each side (a diff of 20k
 * lines helps nobody).
 */
export function assertSameMultiset(actual: string[], expected: string[], what: string): void {
  const count = new Map<string, number>();
  for (const k of expected) count.set(k, (count.get(k) ?? 0) + 1);
  const surplus: string[] = [];
  for (const k of actual) {
    const n = count.get(k) ?? 0;
    if (n === 0) surplus.push(k);
    else count.set(k, n - 1);
  }
  const missing = [...count.entries()].flatMap(([k, n]) => Array<string>(n).fill(k));
  assert.ok(
    surplus.length === 0 && missing.length === 0,
    `${what}: ${actual.length} vs ${expected.length}; only in pipeline (${surplus.length}): ${surplus.slice(0, 8).join(' ; ')}; only in tshark (${missing.length}): ${missing.slice(0, 8).join(' ; ')}`,
  );
}

/** One RIB view of one peer as rebuilt from the events: prefix -> last announcement. */
export type EventTable = Map<string, RouteEvent>;

/**
 * Replays the route events and Peer Downs of one BMP session in sequence order into tables per
 * "peer|view" (Loc-RIB: "0.0.0.0|loc_rib"). A Peer Down empties that peer's Adj-RIB-In views, as
 * RFC 7854 §4.9 lets a collector assume: the router does not always withdraw them (GoBGP does
 * not for pre-policy).
 */
export function rebuildTables(consumed: Consumed): Map<string, EventTable> {
  const tables = new Map<string, EventTable>();
  type Item = { seq: number; route?: RouteEvent; down?: PeerDownEvent };
  const items: Item[] = [
    ...consumed.route_monitoring.map((route) => ({ seq: route.sequence, route })),
    ...consumed.peer_down.map((down) => ({ seq: down.sequence, down })),
  ].sort((a, b) => a.seq - b.seq);
  for (const item of items) {
    if (item.down) {
      tables.delete(`${item.down.peer_address}|pre`);
      tables.delete(`${item.down.peer_address}|post`);
      continue;
    }
    const e = item.route as RouteEvent;
    if (e.prefix === null) continue;
    const key = `${e.peer_address}|${viewOf(e)}`;
    let table = tables.get(key);
    if (!table) tables.set(key, (table = new Map()));
    if (e.action === 'announce') table.set(e.prefix, e);
    else if (e.action === 'withdraw') table.delete(e.prefix);
  }
  return tables;
}

/**
 * Asserts that a rebuilt table holds exactly the expected routes with their attributes.
 * `localPref`: compare LOCAL_PREF (the neighbour's value), or skip it where the router sets its own.
 * Returns the number of routes compared.
 */
export function assertTable(actual: EventTable | undefined, expected: Table, what: string, options: { localPref: boolean } = { localPref: true }): number {
  const got = actual ?? new Map<string, RouteEvent>();
  const missing = [...expected.keys()].filter((p) => !got.has(p));
  const surplus = [...got.keys()].filter((p) => !expected.has(p));
  assert.ok(
    missing.length === 0 && surplus.length === 0,
    `${what}: ${got.size} prefixes, expected ${expected.size}; missing ${missing.length} (${missing.slice(0, 5).join(' ')}), surplus ${surplus.length} (${surplus.slice(0, 5).join(' ')})`,
  );
  for (const [prefix, route] of expected) {
    const e = got.get(prefix) as RouteEvent;
    assert.deepEqual(attributesOfEvent(e, options.localPref), attributesOfRoute(route, options.localPref), `${what}: attributes of ${prefix}`);
  }
  return expected.size;
}

function attributesOfEvent(e: RouteEvent, localPref: boolean): object {
  return {
    as_path: e.as_path.map((h) => h.asn),
    segments: [...new Set(e.as_path.map((h) => h.segment))],
    next_hop: e.next_hop,
    communities: [...e.communities].sort(),
    large_communities: [...e.large_communities].sort(),
    med: e.med,
    ...(localPref ? { local_pref: e.local_pref } : {}),
  };
}

function attributesOfRoute(r: Route, localPref: boolean): object {
  return {
    as_path: r.asPath,
    segments: r.asPath.length > 0 ? ['sequence'] : [],
    next_hop: r.nextHop,
    communities: [...r.communities].sort(),
    large_communities: [...r.largeCommunities].sort(),
    med: r.med,
    ...(localPref ? { local_pref: r.localPref } : {}),
  };
}

/** Counts of events per "peer|view|action". */
export function routeCounts(events: RouteEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    const k = `${e.peer_address}|${viewOf(e)}|${e.action}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/**
 * Asserts that the distinct prefixes announced in one peer's RIB view over the whole session are
 * exactly `expected` (what the neighbour announced, after policy where the view is post-policy);
 * returns their number.
 */
export function assertAnnouncedPrefixes(events: RouteEvent[], peer: string, view: View, expected: Set<string>, what: string): number {
  const got = new Set(events.filter((e) => e.action === 'announce' && e.peer_address === peer && viewOf(e) === view).map((e) => e.prefix as string));
  const missing = [...expected].filter((p) => !got.has(p));
  const surplus = [...got].filter((p) => !expected.has(p));
  assert.ok(
    missing.length === 0 && surplus.length === 0,
    `${what}: ${got.size} distinct prefixes announced, expected ${expected.size}; missing ${missing.slice(0, 5).join(' ')}; surplus ${surplus.slice(0, 5).join(' ')}`,
  );
  return got.size;
}

/**
 * One neighbour's sessions as the Peer Up / Peer Down sequence from its first Peer Up, in session
 * order: it must alternate (up, down, up, ...) and end up, since every neighbour is established
 * when the scenario closes the BMP session. Peer Downs before the first Peer Up (FRR sends one
 * per configured neighbour when the BMP session starts) are not part of it.
 */
export function peerSessions(consumed: Consumed, address: string): { ups: PeerUpEvent[]; downs: PeerDownEvent[] } {
  const ups = consumed.peer_up.filter((u) => u.peer_address === address);
  const firstUp = Math.min(...ups.map((u) => u.sequence));
  const downs = consumed.peer_down.filter((d) => d.peer_address === address && d.sequence > firstUp);
  const order = [...ups.map((u) => ({ seq: u.sequence, kind: 'up' })), ...downs.map((d) => ({ seq: d.sequence, kind: 'down' }))]
    .sort((a, b) => a.seq - b.seq)
    .map((x) => x.kind);
  assert.ok(ups.length > 0, `${address}: no Peer Up`);
  order.forEach((kind, i) => assert.equal(kind, i % 2 === 0 ? 'up' : 'down', `${address}: sessions ${order.join(' ')}`));
  assert.equal(order[order.length - 1], 'up', `${address}: up at the end (${order.join(' ')})`);
  return { ups: ups.sort((a, b) => a.sequence - b.sequence), downs: downs.sort((a, b) => a.sequence - b.sequence) };
}
