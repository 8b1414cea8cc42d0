/**
 * The current routes of every peer, RIB view and family seen by one aggregator (one partition).
 *
 * A peer is the identity of the route_monitoring key (services/kafka/avro/topics.ts peerKey):
 * router address, peer type code, peer distinguisher, peer address and RIB view, so the pre- and
 * post-policy Adj-RIB-In, the Adj-RIB-Out views (RFC 8671) and Loc-RIB (RFC 9069) of one BGP peer
 * are separate tables. Within a peer, one table per AFI/SAFI.
 *
 * A table maps route key (route-key.ts) to attribute set id (attributes.ts) in typed arrays
 * (route-table.ts): no JS object per route. Measured by bench/aggregate.ts: well under 200 bytes
 * per route, attribute sets included.
 */
import type { PeerFields } from '../events/model.js';
import { ribView, type RibView } from '../kafka/avro/topics.js';
import type { AttributeSets } from './attributes.js';
import { RouteTable } from './route-table.js';

/** Who a table belongs to: the peer identity of the output records. */
export interface PeerIdentity {
  router_address: string;
  peer_type_code: number;
  peer_distinguisher: string;
  peer_address: string;
  peer_as: number;
  peer_bgp_id: string;
  rib_view: RibView;
}

/** The routes of one peer (one RIB view) in one family. */
export interface FamilyTable {
  /** Small integer naming the table within the aggregator (stable across snapshots). */
  readonly id: number;
  readonly peer: PeerIdentity;
  readonly afi: number;
  readonly safi: number;
  readonly family: string;
  /** Route key -> attribute set id. */
  routes: RouteTable;
}

interface PeerEntry {
  identity: PeerIdentity;
  families: Map<number, FamilyTable>;
}

/** Routes dropped from one table at once (Peer Down, router disconnect). */
export interface DroppedRoutes {
  table: FamilyTable;
  count: number;
}

export class RouteStore {
  private readonly peers = new Map<string, PeerEntry>();
  /** The same peers by router address, then peer address (several RIB views and instances each). */
  private readonly byRouter = new Map<string, Map<string, PeerEntry[]>>();
  private readonly tables: FamilyTable[] = [];
  // Cache of the last peer looked up: consecutive events of one peer are the rule.
  private last: PeerEntry | null = null;
  private lastFields: PeerFields | null = null;

  /** The table of an event's peer and family, created on first use. */
  table(e: PeerFields, afi: number, safi: number, family: string): FamilyTable {
    const peer = this.peerOf(e);
    const familyKey = afi * 256 + safi;
    let table = peer.families.get(familyKey);
    if (table === undefined) {
      table = { id: this.tables.length, peer: peer.identity, afi, safi, family, routes: new RouteTable() };
      this.tables.push(table);
      peer.families.set(familyKey, table);
    }
    return table;
  }

  private peerOf(e: PeerFields): PeerEntry {
    const l = this.lastFields;
    if (
      l !== null &&
      this.last !== null &&
      l.router_address === e.router_address &&
      l.peer_address === e.peer_address &&
      l.peer_type_code === e.peer_type_code &&
      l.peer_distinguisher === e.peer_distinguisher &&
      l.is_post_policy === e.is_post_policy &&
      l.is_adj_rib_out === e.is_adj_rib_out &&
      l.is_loc_rib_filtered === e.is_loc_rib_filtered &&
      l.peer_as === e.peer_as &&
      l.peer_bgp_id === e.peer_bgp_id
    ) {
      return this.last;
    }
    const view = ribView(e);
    // Two lookups by the strings the event already has, then a short scan: no key string built
    // per event (events of many peers interleave in a partition).
    let byAddress = this.byRouter.get(e.router_address);
    if (byAddress === undefined) {
      byAddress = new Map();
      this.byRouter.set(e.router_address, byAddress);
    }
    let candidates = byAddress.get(e.peer_address);
    if (candidates === undefined) {
      candidates = [];
      byAddress.set(e.peer_address, candidates);
    }
    let peer: PeerEntry | undefined;
    for (const c of candidates) {
      const id = c.identity;
      if (id.peer_type_code === e.peer_type_code && id.rib_view === view && id.peer_distinguisher === e.peer_distinguisher) {
        peer = c;
        break;
      }
    }
    if (peer === undefined) {
      const key = `${e.router_address}|${e.peer_type_code}|${e.peer_distinguisher}|${e.peer_address}|${view}`;
      peer = {
        identity: {
          router_address: e.router_address,
          peer_type_code: e.peer_type_code,
          peer_distinguisher: e.peer_distinguisher,
          peer_address: e.peer_address,
          peer_as: e.peer_as,
          peer_bgp_id: e.peer_bgp_id,
          rib_view: view,
        },
        families: new Map(),
      };
      this.peers.set(key, peer);
      candidates.push(peer);
    } else {
      // A new session of the peer may come with another AS or BGP id: report the latest.
      peer.identity.peer_as = e.peer_as;
      peer.identity.peer_bgp_id = e.peer_bgp_id;
    }
    this.last = peer;
    this.lastFields = e;
    return peer;
  }

  /**
   * Drops every route of the peers matching `match` (all their RIB views and families), releasing
   * their attribute sets. The tables stay (empty), so later windows keep one record per table.
   */
  drop(match: (p: PeerIdentity) => boolean, attrs: AttributeSets): DroppedRoutes[] {
    const dropped: DroppedRoutes[] = [];
    for (const peer of this.peers.values()) {
      if (!match(peer.identity)) continue;
      for (const table of peer.families.values()) {
        if (table.routes.size === 0) continue;
        table.routes.forEachValue((set) => attrs.release(set));
        dropped.push({ table, count: table.routes.size });
        table.routes = new RouteTable();
      }
    }
    return dropped;
  }

  /** Every table, by id. */
  allTables(): readonly FamilyTable[] {
    return this.tables;
  }

  /** Routes held over all tables. */
  get routeCount(): number {
    let n = 0;
    for (const t of this.tables) n += t.routes.size;
    return n;
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Restores tables (in id order) from a snapshot. */
  static load(tables: ReadonlyArray<Omit<FamilyTable, 'peer' | 'id'> & { peer: PeerIdentity }>): RouteStore {
    const store = new RouteStore();
    for (const t of tables) {
      const key = `${t.peer.router_address}|${t.peer.peer_type_code}|${t.peer.peer_distinguisher}|${t.peer.peer_address}|${t.peer.rib_view}`;
      let peer = store.peers.get(key);
      if (peer === undefined) {
        peer = { identity: { ...t.peer }, families: new Map() };
        store.peers.set(key, peer);
        let byAddress = store.byRouter.get(t.peer.router_address);
        if (byAddress === undefined) store.byRouter.set(t.peer.router_address, (byAddress = new Map()));
        let candidates = byAddress.get(t.peer.peer_address);
        if (candidates === undefined) byAddress.set(t.peer.peer_address, (candidates = []));
        candidates.push(peer);
      }
      const table: FamilyTable = { id: store.tables.length, peer: peer.identity, afi: t.afi, safi: t.safi, family: t.family, routes: t.routes };
      store.tables.push(table);
      peer.families.set(t.afi * 256 + t.safi, table);
    }
    return store;
  }
}
