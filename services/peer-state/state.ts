/**
 * The state of monitored routers and peers, derived from the ingest events: pure logic, events
 * in, state changes out (no Kafka, no clock).
 *
 * Arrival order. The inputs come from several topics and partitions, so two events of one router
 * may arrive in either order (and again in another order after a restart). Every decision is
 * therefore taken by comparing event orders (EventOrder: the ingest record's Kafka timestamp, which
 * ingest sets to when it read the message, non-decreasing along a session; then rank: session
 * start, BMP message, session end; then the event's sequence in its session), never by arrival.
 * Two sessions of one router are told apart by time alone, so a reconnection within the same
 * millisecond as the previous session's last message could be misordered. The latest Peer Up or Peer
 * Down sets the status, the latest Statistics Report the counters, and so on; counts (sessions,
 * flaps) count events, which the exactly-once pipeline delivers once each. The same set of events
 * thus gives the same state in any order.
 *
 * Entities: one router state per router address, one peer state per monitored peer (router,
 * peer type, peer distinguisher, peer address: RFC 7854 §4.2), all its RIB views together.
 */
import type { InitiationEvent, PeerDownEvent, PeerFields, PeerUpEvent, RouteEvent, StatsEvent, TerminationEvent } from '../events/model.js';
import {
  ribView,
  stateKey,
  type EventOrderRecord,
  type PeerStateChangeRecord,
  type PeerStateRecord,
  type RibViewStateRecord,
  type RouterRecord,
  type RouterStateRecord,
} from '../kafka/avro/index.js';

/** The topics whose events change the state. */
export const STATE_INPUT_TOPICS = ['router', 'initiation', 'termination', 'peer_up', 'peer_down', 'stats', 'route_monitoring'] as const;
export type StateInputTopic = (typeof STATE_INPUT_TOPICS)[number];

/** One consumed event with the time the collector published it. */
export type StateInput = (
  | { topic: 'router'; record: RouterRecord }
  | { topic: 'initiation'; record: InitiationEvent }
  | { topic: 'termination'; record: TerminationEvent }
  | { topic: 'peer_up'; record: PeerUpEvent }
  | { topic: 'peer_down'; record: PeerDownEvent }
  | { topic: 'stats'; record: StatsEvent }
  | { topic: 'route_monitoring'; record: RouteEvent }
) & {
  /** Kafka timestamp of the ingest record, microseconds since the epoch (collector clock). */
  at: number;
};

/** Only End-of-RIB markers of route_monitoring matter here (RFC 4724 §2). */
export function isStateInput(topic: string, record: { action?: unknown }): boolean {
  if (topic === 'route_monitoring') return record.action === 'end_of_rib';
  return (STATE_INPUT_TOPICS as readonly string[]).includes(topic);
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b` (null: oldest). */
export function compareOrder(a: EventOrderRecord | null, b: EventOrderRecord | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return a.timestamp - b.timestamp || a.rank - b.rank || a.sequence - b.sequence;
}

function newer(a: EventOrderRecord, than: EventOrderRecord | null): boolean {
  return compareOrder(a, than) > 0;
}

/** Where an input stands in its router's history. */
export function orderOf(input: StateInput): EventOrderRecord {
  if (input.topic === 'router') return { timestamp: input.at, rank: input.record.event === 'connected' ? 0 : 2, sequence: 0 };
  return { timestamp: input.at, rank: 1, sequence: input.record.sequence };
}

/** Key of a peer's state (see stateKey). */
export function peerStateKey(peer: Pick<PeerFields, 'router_address' | 'peer_type_code' | 'peer_distinguisher' | 'peer_address'>): string {
  return stateKey({ router_address: peer.router_address, peer });
}

function emptyRouter(): RouterStateRecord {
  return {
    connected: false,
    since: null,
    router_port: null,
    collector_id: null,
    sys_name: null,
    sys_descr: null,
    session_count: 0,
    last_message_at: null,
    disconnect_reason: null,
    status_order: null,
    end_order: null,
    end_at: null,
    info_order: null,
  };
}

function emptyPeer(header: PeerFields): PeerStateRecord {
  return {
    peer_type: header.peer_type,
    peer_type_code: header.peer_type_code,
    peer_distinguisher: header.peer_distinguisher,
    peer_address: header.peer_address,
    peer_as: header.peer_as,
    peer_bgp_id: header.peer_bgp_id,
    table_name: header.table_name,
    status: 'unknown',
    since: null,
    stale: false,
    stale_since: null,
    flap_count: 0,
    last_down: null,
    session: null,
    views: [],
    up_order: null,
    down_order: null,
  };
}

/** A deep copy made of plain objects, fields in schema order (what the comparison of states needs). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The state of the routers and peers of one task (a set of routers). */
export class PeerStateStore {
  private readonly routers = new Map<string, PeerStateChangeRecord>();
  private readonly peers = new Map<string, PeerStateChangeRecord>();
  /** Peer keys of each router. */
  private readonly peersOf = new Map<string, Set<string>>();

  /** Every router's latest state record. */
  routerRecords(): PeerStateChangeRecord[] {
    return [...this.routers.values()];
  }

  /** Every peer's latest state record. */
  peerRecords(): PeerStateChangeRecord[] {
    return [...this.peers.values()];
  }

  get size(): number {
    return this.routers.size + this.peers.size;
  }

  /** Takes a record read back from the peer_state topic (restore): the latest of a key wins. */
  load(record: PeerStateChangeRecord): void {
    const plain = copy(record);
    if (plain.entity === 'router' && plain.router !== null) this.routers.set(plain.router_address, plain);
    else if (plain.entity === 'peer' && plain.peer !== null) this.putPeer(stateKey(plain), plain);
  }

  /**
   * Applies one event; returns the new state of every entity it changed, in the order router,
   * then peers by key. `beforeCommit` sees the changes before the store takes them (e.g. to
   * encode them): when it throws, or anything here does, the store is unchanged.
   */
  apply<T = PeerStateChangeRecord[]>(input: StateInput, beforeCommit?: (changes: PeerStateChangeRecord[]) => T): T {
    const order = orderOf(input);
    const address = input.record.router_address;
    const before = this.routers.get(address);
    const router = before === undefined ? emptyRouter() : copy(before.router as RouterStateRecord);
    if (router.last_message_at === null || input.at > router.last_message_at) router.last_message_at = input.at;
    const touched = new Map<string, PeerStateRecord>();
    let routerEnded = false;

    switch (input.topic) {
      case 'router': {
        const r = input.record;
        if (r.event === 'connected') router.session_count++;
        if ((r.event === 'connected' || r.event === 'disconnected') && newer(order, router.status_order)) {
          router.status_order = order;
          router.connected = r.event === 'connected';
          router.since = r.timestamp;
          router.router_port = r.router_port;
          router.collector_id = r.collector_id;
          router.disconnect_reason = r.event === 'disconnected' ? r.disconnect_reason : null;
        }
        if ((r.sys_name !== null || r.sys_descr !== null) && newer(order, router.info_order)) {
          router.info_order = order;
          router.sys_name = r.sys_name;
          router.sys_descr = r.sys_descr;
        }
        if ((r.event === 'terminated' || r.event === 'disconnected') && newer(order, router.end_order)) {
          router.end_order = order;
          router.end_at = input.at;
          routerEnded = true;
        }
        break;
      }
      case 'initiation':
        if (newer(order, router.info_order)) {
          router.info_order = order;
          router.sys_name = input.record.sys_name;
          router.sys_descr = input.record.sys_descr;
        }
        break;
      case 'termination':
        if (newer(order, router.end_order)) {
          router.end_order = order;
          router.end_at = input.at;
          routerEnded = true;
        }
        break;
      default: {
        const key = peerStateKey(input.record);
        const peer = this.peerFor(key, input.record);
        applyToPeer(peer, input, order);
        touched.set(key, peer);
      }
    }

    // A session's end makes every peer whose status is older stale; any peer event re-derives.
    if (routerEnded) {
      for (const key of this.peersOf.get(address) ?? []) if (!touched.has(key)) touched.set(key, copy(this.peers.get(key)?.peer as PeerStateRecord));
    }
    for (const peer of touched.values()) derive(peer, router);

    const changes: PeerStateChangeRecord[] = [];
    const routerRecord: PeerStateChangeRecord = { entity: 'router', router_address: address, updated_at: input.at, router, peer: null };
    if (before === undefined || JSON.stringify(before.router) !== JSON.stringify(router)) changes.push(routerRecord);
    const peerChanges: Array<[string, PeerStateChangeRecord]> = [];
    for (const [key, peer] of [...touched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const old = this.peers.get(key);
      if (old !== undefined && JSON.stringify(old.peer) === JSON.stringify(peer)) continue;
      const record: PeerStateChangeRecord = { entity: 'peer', router_address: address, updated_at: input.at, router: null, peer };
      peerChanges.push([key, record]);
      changes.push(record);
    }
    const out = changes.map(copy);
    const result = beforeCommit === undefined ? (out as T) : beforeCommit(out);
    // Commit only now: nothing above has touched the maps.
    this.routers.set(address, before !== undefined && !changes.includes(routerRecord) ? before : routerRecord);
    for (const [key, record] of peerChanges) this.putPeer(key, record);
    return result;
  }

  private peerFor(key: string, header: PeerFields): PeerStateRecord {
    const existing = this.peers.get(key);
    return existing === undefined ? emptyPeer(header) : copy(existing.peer as PeerStateRecord);
  }

  private putPeer(key: string, record: PeerStateChangeRecord): void {
    this.peers.set(key, record);
    let set = this.peersOf.get(record.router_address);
    if (set === undefined) this.peersOf.set(record.router_address, (set = new Set()));
    set.add(key);
  }
}

function viewOf(peer: PeerStateRecord, header: PeerFields, at: number): RibViewStateRecord {
  const name = ribView(header);
  let view = peer.views.find((v) => v.view === name);
  if (view === undefined) {
    view = { view: name, first_seen: at, initial_dump: 'unknown', end_of_rib: [], stats_at: null, stats_order: null, stats: [] };
    peer.views.push(view);
    peer.views.sort((a, b) => (a.view < b.view ? -1 : a.view > b.view ? 1 : 0));
  } else if (at < view.first_seen) {
    view.first_seen = at;
  }
  return view;
}

/** The header fields of the newest status event describe the peer. */
function takeHeader(peer: PeerStateRecord, header: PeerFields): void {
  peer.peer_type = header.peer_type;
  peer.peer_as = header.peer_as;
  peer.peer_bgp_id = header.peer_bgp_id;
  if (header.table_name !== null) peer.table_name = header.table_name;
}

function applyToPeer(peer: PeerStateRecord, input: StateInput, order: EventOrderRecord): void {
  if (input.topic === 'router' || input.topic === 'initiation' || input.topic === 'termination') return;
  const view = viewOf(peer, input.record, input.at);
  switch (input.topic) {
    case 'peer_up': {
      if (!newer(order, peer.up_order)) return;
      const r = input.record;
      peer.up_order = order;
      if (newer(order, peer.down_order)) takeHeader(peer, r);
      peer.session = sessionOf(r);
      // End-of-RIB markers before this Peer Up belong to an earlier session.
      for (const v of peer.views) v.end_of_rib = v.end_of_rib.filter((e) => newer(e.order, order));
      return;
    }
    case 'peer_down': {
      const r = input.record;
      peer.flap_count++;
      if (!newer(order, peer.down_order)) return;
      peer.down_order = order;
      if (newer(order, peer.up_order)) takeHeader(peer, r);
      peer.last_down = {
        at: input.at,
        reason_code: r.reason_code,
        reason: r.reason,
        notification_code: r.notification_code,
        notification_subcode: r.notification_subcode,
        notification: r.notification,
        fsm_event_code: r.fsm_event_code,
      };
      return;
    }
    case 'stats': {
      if (!newer(order, view.stats_order)) return;
      view.stats_order = order;
      view.stats_at = input.at;
      view.stats = input.record.stats.map((s) => ({ type: s.type, name: s.name, afi: s.afi, safi: s.safi, value: s.value }));
      return;
    }
    case 'route_monitoring': {
      const r = input.record;
      if (r.action !== 'end_of_rib' || !newer(order, peer.up_order)) return;
      const existing = view.end_of_rib.find((e) => e.family === r.family);
      if (existing !== undefined && !newer(order, existing.order)) return;
      view.end_of_rib = view.end_of_rib.filter((e) => e.family !== r.family);
      view.end_of_rib.push({ family: r.family, at: input.at, order });
      view.end_of_rib.sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : 0));
      return;
    }
  }
}

/** The session a Peer Up describes: negotiated values need both OPENs. */
function sessionOf(r: PeerUpEvent): PeerStateRecord['session'] {
  const sent = r.sent_open;
  const received = r.received_open;
  const capabilities =
    sent !== null && received !== null
      ? [...new Set(sent.capabilities.map((c) => c.name))].filter((n) => received.capabilities.some((c) => c.name === n)).sort()
      : [];
  return {
    local_address: r.local_address,
    local_port: r.local_port,
    remote_port: r.remote_port,
    local_asn: sent?.asn ?? null,
    remote_asn: received?.asn ?? null,
    local_bgp_id: sent?.bgp_id ?? null,
    remote_bgp_id: received?.bgp_id ?? null,
    // RFC 4271 §4.2: the session uses the smaller of the two Hold Times.
    hold_time: sent !== null && received !== null ? Math.min(sent.hold_time, received.hold_time) : null,
    four_octet_as: r.four_octet_as,
    families: [...r.families],
    add_path_families: [...r.add_path_families],
    capabilities,
  };
}

/** Values that follow from the others: status, staleness, initial dump progress. */
function derive(peer: PeerStateRecord, router: RouterStateRecord): void {
  const up = peer.up_order;
  const down = peer.down_order;
  const latest = compareOrder(up, down) >= 0 ? up : down;
  if (latest === null) {
    peer.status = 'unknown';
    peer.since = null;
  } else {
    peer.status = latest === up ? 'up' : 'down';
    peer.since = latest.timestamp;
  }
  const stale = router.end_order !== null && newer(router.end_order, latest);
  peer.stale = stale;
  peer.stale_since = stale ? router.end_at : null;
  const families = peer.session !== null && peer.session.families.length > 0 ? peer.session.families : ['ipv4_unicast'];
  for (const view of peer.views) {
    if (up === null) view.initial_dump = 'unknown';
    else view.initial_dump = families.every((f) => view.end_of_rib.some((e) => e.family === f)) ? 'done' : 'in_progress';
  }
}
