/**
 * A scripted route feed for the route-changes tests, its BMP messages (built with the codec's
 * encoder, explicit per-peer header timestamps), and the window aggregates and flap records it
 * must lead to, computed here from the script alone: a small, direct model of the rules
 * (services/route-changes/model.ts field docs), not the aggregator's code.
 *
 * Rules modelled: a table is one peer's RIB view and family. An announcement is new (the table
 * lacks the prefix), a duplicate (same attributes) or a path change (each differing attribute
 * counted). A withdrawal is of a known or an unknown route. A Peer Down empties every view of the
 * peer, a router disconnect every peer of the router: implicit withdrawals, counted in the window
 * of the Peer Down's time, of the current watermark for a disconnect. A flap is a withdrawal of a
 * known route followed in the same window by its re-announcement. Windows are tumbling, keyed by
 * event time; a window is emitted when the watermark (largest event time) reaches its end plus the
 * allowed lateness, with the table's route count at that moment.
 */
import { PEER_FLAG_L, encodeBmpMessage, makePerPeerHeader } from '../../services/codec/bmp/index.js';
import { encodeUpdate, makeDecodeOptions, makeUpdate } from '../../services/codec/bgp/index.js';
import type { PathAttribute } from '../../services/codec/bgp/index.js';
import type { PeerSpec } from './peer-state-script.js';

export const WINDOW_US = 10_000_000;
export const LATENESS_US = 2_000_000;
/** Start of the first window (µs; a multiple of the window). */
export const BASE_US = 1_700_000_000_000_000;
const BGP_OPTIONS = makeDecodeOptions(true, []);

export interface Attrs {
  origin: 'igp' | 'egp' | 'incomplete';
  asPath: number[];
  nextHop: string;
  med: number | null;
  localPref: number | null;
  communities: number[];
}

export type View = 'pre' | 'post';

export type Action =
  | { op: 'announce'; peer: PeerSpec; view: View; prefix: string; attrs: Attrs; at: number }
  | { op: 'withdraw'; peer: PeerSpec; view: View; prefix: string; at: number }
  | { op: 'down'; peer: PeerSpec; at: number }
  | { op: 'disconnect'; router: string };

function header(peer: PeerSpec, at: number, view: View = 'pre') {
  return makePerPeerHeader({ peerType: 0, flags: view === 'post' ? PEER_FLAG_L : 0, peerAddress: peer.address, peerAs: peer.as, peerBgpId: peer.bgpId, timestamp: at });
}

function attributeList(a: Attrs): PathAttribute[] {
  const list: PathAttribute[] = [
    { code: 1, kind: 'origin', flags: 0x40, value: a.origin },
    { code: 2, kind: 'as_path', flags: 0x40, value: [{ type: 'sequence', asns: a.asPath }] },
    { code: 3, kind: 'next_hop', flags: 0x40, value: a.nextHop },
  ] as PathAttribute[];
  if (a.med !== null) list.push({ code: 4, kind: 'med', flags: 0x80, value: a.med } as PathAttribute);
  if (a.localPref !== null) list.push({ code: 5, kind: 'local_pref', flags: 0x40, value: a.localPref } as PathAttribute);
  if (a.communities.length > 0) list.push({ code: 8, kind: 'communities', flags: 0xc0, value: a.communities } as PathAttribute);
  return list;
}

/** The BMP message of an action (a disconnect has none: the session is closed). */
export function actionMessage(action: Exclude<Action, { op: 'disconnect' }>): Buffer {
  switch (action.op) {
    case 'announce': {
      const nlri = [{ kind: 'prefix' as const, afi: 1, safi: 1, prefix: action.prefix, pathId: null }];
      const pdu = encodeUpdate(makeUpdate({ attributeList: attributeList(action.attrs), nlri }, BGP_OPTIONS), BGP_OPTIONS);
      return encodeBmpMessage({ type: 'route_monitoring', version: 3, peer: header(action.peer, action.at, action.view), pdu, v4Layout: null, tlvs: [] });
    }
    case 'withdraw': {
      const withdrawn = [{ kind: 'prefix' as const, afi: 1, safi: 1, prefix: action.prefix, pathId: null }];
      const pdu = encodeUpdate(makeUpdate({ withdrawn }, BGP_OPTIONS), BGP_OPTIONS);
      return encodeBmpMessage({ type: 'route_monitoring', version: 3, peer: header(action.peer, action.at, action.view), pdu, v4Layout: null, tlvs: [] });
    }
    case 'down':
      // Reason 2 (RFC 7854 §4.9): closed locally without a NOTIFICATION; FSM event 18, Hold Timer.
      return encodeBmpMessage({
        type: 'peer_down',
        version: 3,
        peer: header(action.peer, action.at),
        reason: 2,
        reasonName: 'local_no_notification',
        notification: null,
        fsmEventCode: 18,
        tlvs: [],
        vrfTableName: null,
        data: null,
      });
  }
}

// ---------------------------------------------------------------------------------------------
// The reference

export interface ExpectedWindow {
  key: string;
  record: Record<string, unknown>;
}

interface RouteCounts {
  order: number;
  announcements: number;
  withdrawals: number;
  changes: number;
  flaps: number;
  pending: boolean;
  first: number;
  last: number;
}

interface WindowCounts {
  c: Record<string, number>;
  routes: Map<string, RouteCounts>;
}

interface Table {
  router: string;
  peer: PeerSpec;
  view: View;
  prefixes: Map<string, Attrs>;
}

const COUNTERS = [
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
] as const;

export class Reference {
  readonly routeChanges: ExpectedWindow[] = [];
  readonly flaps: ExpectedWindow[] = [];
  private readonly tables = new Map<string, Table>();
  /** window start -> table id -> counts */
  private readonly windows = new Map<number, Map<string, WindowCounts>>();
  private watermark = -Infinity;
  late = 0;

  constructor(private readonly flapThreshold = 3) {}

  apply(router: string, a: Action): void {
    switch (a.op) {
      case 'announce':
      case 'withdraw': {
        const table = this.table(router, a.peer, a.view);
        const w = this.windowOf(a.at, router, a.peer, a.view);
        const r = w.routes.get(a.prefix) ?? { order: w.routes.size, announcements: 0, withdrawals: 0, changes: 0, flaps: 0, pending: false, first: a.at, last: a.at };
        w.routes.set(a.prefix, r);
        r.last = a.at;
        const old = table.prefixes.get(a.prefix);
        if (a.op === 'announce') {
          w.c.announcements++;
          r.announcements++;
          if (old === undefined) {
            w.c.new_routes++;
            r.changes++;
            if (r.pending) {
              r.flaps++;
              r.pending = false;
            }
          } else if (JSON.stringify(old) === JSON.stringify(a.attrs)) {
            w.c.duplicates++;
          } else {
            w.c.path_changes++;
            r.changes++;
            if (JSON.stringify(old.asPath) !== JSON.stringify(a.attrs.asPath)) w.c.as_path_changes++;
            if (old.nextHop !== a.attrs.nextHop) w.c.next_hop_changes++;
            if (JSON.stringify(old.communities) !== JSON.stringify(a.attrs.communities)) w.c.communities_changes++;
            if (old.med !== a.attrs.med) w.c.med_changes++;
            if (old.localPref !== a.attrs.localPref) w.c.local_pref_changes++;
            if (old.origin !== a.attrs.origin) w.c.origin_changes++;
          }
          table.prefixes.set(a.prefix, a.attrs);
        } else {
          r.withdrawals++;
          if (old === undefined) {
            w.c.unknown_withdrawals++;
          } else {
            w.c.withdrawals++;
            r.changes++;
            r.pending = true;
            table.prefixes.delete(a.prefix);
          }
        }
        this.advance(a.at);
        return;
      }
      case 'down':
        this.drop((t) => t.router === router && t.peer.address === a.peer.address, a.at);
        this.advance(a.at);
        return;
      case 'disconnect':
        this.drop((t) => t.router === router, this.watermark);
        return;
    }
  }

  /** Emits everything still open (what the test's far-future event does). */
  closeAll(): void {
    this.advance(Infinity);
  }

  private id(router: string, peer: PeerSpec, view: View): string {
    return `${router}|${peer.address}|${view}`;
  }

  private table(router: string, peer: PeerSpec, view: View): Table {
    const id = this.id(router, peer, view);
    let t = this.tables.get(id);
    if (t === undefined) this.tables.set(id, (t = { router, peer, view, prefixes: new Map() }));
    return t;
  }

  private windowOf(at: number, router: string, peer: PeerSpec, view: View): WindowCounts {
    let start = Math.floor(at / WINDOW_US) * WINDOW_US;
    if (start + WINDOW_US + LATENESS_US <= this.watermark) {
      this.late++;
      start = Math.floor(this.watermark / WINDOW_US) * WINDOW_US;
    }
    let byTable = this.windows.get(start);
    if (byTable === undefined) this.windows.set(start, (byTable = new Map()));
    const id = this.id(router, peer, view);
    let w = byTable.get(id);
    if (w === undefined) byTable.set(id, (w = { c: Object.fromEntries(COUNTERS.map((k) => [k, 0])), routes: new Map() }));
    return w;
  }

  private drop(match: (t: Table) => boolean, at: number): void {
    for (const t of this.tables.values()) {
      if (!match(t) || t.prefixes.size === 0) continue;
      this.windowOf(at, t.router, t.peer, t.view).c.implicit_withdrawals += t.prefixes.size;
      t.prefixes.clear();
    }
  }

  private advance(at: number): void {
    if (at > this.watermark) this.watermark = at;
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      if (start + WINDOW_US + LATENESS_US > this.watermark) continue;
      for (const [id, w] of this.windows.get(start) as Map<string, WindowCounts>) this.emit(start, this.tables.get(id) as Table, w);
      this.windows.delete(start);
    }
  }

  private emit(start: number, t: Table, w: WindowCounts): void {
    const peer = {
      router_address: t.router,
      peer_type_code: 0,
      peer_distinguisher: '0:0',
      peer_address: t.peer.address,
      peer_as: t.peer.as,
      peer_bgp_id: t.peer.bgpId,
      rib_view: t.view === 'pre' ? 'adj_rib_in_pre' : 'adj_rib_in_post',
      afi: 1,
      safi: 1,
      family: 'ipv4_unicast',
      window_start: start,
      window_end: start + WINDOW_US,
    };
    const key = `${t.router}|0|0:0|${t.peer.address}|${peer.rib_view}`;
    const routes = [...w.routes].map(([prefix, r]) => ({ prefix, ...r }));
    const top = routes
      .filter((r) => r.changes > 0)
      .sort((a, b) => b.changes - a.changes || a.order - b.order)
      .slice(0, 10)
      .map((r) => ({ prefix: r.prefix, rd: null, path_id: null, changes: r.changes, announcements: r.announcements, withdrawals: r.withdrawals }));
    this.routeChanges.push({
      key,
      record: { ...peer, ...w.c, prefixes_touched: w.routes.size, late_events: 0, routes: t.prefixes.size, top_prefixes: top },
    });
    for (const r of routes) {
      if (this.flapThreshold <= 0 || r.flaps < this.flapThreshold) continue;
      this.flaps.push({
        key,
        record: { ...peer, prefix: r.prefix, rd: null, path_id: null, flaps: r.flaps, announcements: r.announcements, withdrawals: r.withdrawals, first_seen: r.first, last_seen: r.last },
      });
    }
  }
}
