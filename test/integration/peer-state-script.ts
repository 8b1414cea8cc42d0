/**
 * A scripted BMP feed for the peer-state tests, and the state it must lead to, computed here from
 * the script alone (RFC 7854 semantics, written out by hand) rather than by the service's logic.
 *
 * A script is a list of steps per router session; each step becomes one BMP message built with
 * the codec's encoder. The model follows the same steps: Peer Up (status up, End-of-RIB markers
 * of the previous session forgotten), Peer Down (status down, one more flap), End-of-RIB (per
 * family), Statistics Report (latest counts), and the session's end (every peer stale).
 */
import {
  PEER_FLAG_L,
  encodeBmpMessage,
  makePerPeerHeader,
  stringTlv,
  uint16Tlv,
  type StatTlv,
} from '../../services/codec/bmp/index.js';
import { encodeNotification, encodeOpen, encodeUpdate, makeDecodeOptions, makeNotification, makeOpen, makeUpdate } from '../../services/codec/bgp/index.js';
import type { Capability } from '../../services/codec/bgp/capabilities.js';

export type Family = 'ipv4_unicast' | 'ipv6_unicast';

export interface PeerSpec {
  address: string;
  as: number;
  bgpId: string;
  families: Family[];
  /** Hold times the router and the peer propose. */
  holdSent: number;
  holdReceived: number;
  remotePort: number;
}

export type Step =
  | { op: 'init'; sysName: string; sysDescr: string }
  | { op: 'up'; peer: PeerSpec }
  | { op: 'down'; peer: PeerSpec; reason: 1 | 2 }
  | { op: 'eor'; peer: PeerSpec; family: Family; postPolicy?: boolean }
  | { op: 'stats'; peer: PeerSpec; routes: number; perFamily: Partial<Record<Family, number>> }
  | { op: 'term' };

const ROUTER_AS = 64500;
const FAMILY_AFI: Record<Family, number> = { ipv4_unicast: 1, ipv6_unicast: 2 };

function header(peer: PeerSpec, postPolicy = false) {
  return makePerPeerHeader({ peerType: 0, flags: postPolicy ? PEER_FLAG_L : 0, peerAddress: peer.address, peerAs: peer.as, peerBgpId: peer.bgpId, timestamp: 0 });
}

function open(asn: number, hold: number, bgpId: string, families: Family[]): Buffer {
  const capabilities: Capability[] = [
    ...families.map((f): Capability => ({ code: 1, kind: 'multiprotocol', afi: FAMILY_AFI[f], safi: 1, reserved: 0 })),
    { code: 2, kind: 'route_refresh' },
    { code: 65, kind: 'four_octet_as', asn },
  ];
  return encodeOpen(makeOpen({ version: 4, myAs: asn > 0xffff ? 23456 : asn, holdTime: hold, bgpId, parameters: [{ kind: 'capabilities', type: 2, capabilities }] }));
}

const BGP_OPTIONS = makeDecodeOptions(true, []);

/** The BMP message of a step. */
export function message(routerAddress: string, step: Step): Buffer {
  switch (step.op) {
    case 'init':
      return encodeBmpMessage({
        type: 'initiation',
        version: 3,
        tlvs: [stringTlv(1, step.sysDescr), stringTlv(2, step.sysName)],
        sysDescr: step.sysDescr,
        sysName: step.sysName,
        strings: [],
      });
    case 'term':
      return encodeBmpMessage({ type: 'termination', version: 3, tlvs: [uint16Tlv(1, 0)], reason: 0, reasonName: 'administratively_closed', strings: [] });
    case 'up':
      return encodeBmpMessage({
        type: 'peer_up',
        version: 3,
        peer: header(step.peer),
        localAddress: routerAddress,
        localPort: 179,
        remotePort: step.peer.remotePort,
        sentOpen: open(ROUTER_AS, step.peer.holdSent, '192.0.2.254', step.peer.families),
        receivedOpen: open(step.peer.as, step.peer.holdReceived, step.peer.bgpId, step.peer.families),
        tlvs: [],
        vrfTableName: null,
        strings: [],
        adminLabels: [],
      });
    case 'down':
      return encodeBmpMessage({
        type: 'peer_down',
        version: 3,
        peer: header(step.peer),
        reason: step.reason,
        reasonName: step.reason === 1 ? 'local_notification' : 'local_no_notification',
        // Reason 1: the NOTIFICATION the router sent, Cease / Administrative Shutdown (RFC 4486 §4).
        notification: step.reason === 1 ? encodeNotification(makeNotification(6, 2)) : null,
        // Reason 2: the FSM event that closed the session, 18 = HoldTimer_Expires (RFC 4271 §8.1.3).
        fsmEventCode: step.reason === 2 ? 18 : null,
        tlvs: [],
        vrfTableName: null,
        data: null,
      });
    case 'eor': {
      // RFC 4724 §2: an empty UPDATE for IPv4 unicast, an empty MP_UNREACH_NLRI otherwise.
      const update =
        step.family === 'ipv4_unicast'
          ? makeUpdate({}, BGP_OPTIONS)
          : makeUpdate({ attributeList: [{ code: 15, kind: 'mp_unreach', flags: 0x90, value: { afi: 2, safi: 1, routes: [] } }] }, BGP_OPTIONS);
      return encodeBmpMessage({ type: 'route_monitoring', version: 3, peer: header(step.peer, step.postPolicy), pdu: encodeUpdate(update, BGP_OPTIONS), v4Layout: null, tlvs: [] });
    }
    case 'stats': {
      const stats: StatTlv[] = [{ type: 7, name: null, value: BigInt(step.routes) }];
      for (const [family, n] of Object.entries(step.perFamily)) {
        stats.push({ type: 9, name: null, value: { afi: FAMILY_AFI[family as Family], safi: 1, value: BigInt(n) } });
      }
      return encodeBmpMessage({ type: 'stats', version: 3, peer: header(step.peer), statsCount: stats.length, stats });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The model

export interface ExpectedPeer {
  router: string;
  address: string;
  as: number;
  status: 'up' | 'down';
  stale: boolean;
  flaps: number;
  lastDownReason: number | null;
  holdTime: number;
  remotePort: number;
  families: Family[];
  /** Per view: End-of-RIB families since the latest Peer Up, and whether the dump is done. */
  views: Record<string, { eor: Family[]; dump: 'in_progress' | 'done' }>;
  /** Latest stats: type 7 total, then type 9 per family. */
  routes: number | null;
  perFamily: Partial<Record<Family, number>>;
}

export interface ExpectedRouter {
  address: string;
  connected: boolean;
  sysName: string | null;
  sessions: number;
}

export class Model {
  readonly routers = new Map<string, ExpectedRouter>();
  readonly peers = new Map<string, ExpectedPeer>();

  connect(router: string): void {
    const r = this.routers.get(router) ?? { address: router, connected: false, sysName: null, sessions: 0 };
    r.connected = true;
    r.sessions++;
    this.routers.set(router, r);
  }

  disconnect(router: string): void {
    (this.routers.get(router) as ExpectedRouter).connected = false;
    for (const p of this.peers.values()) if (p.router === router) p.stale = true;
  }

  step(router: string, step: Step): void {
    if (step.op === 'init') {
      (this.routers.get(router) as ExpectedRouter).sysName = step.sysName;
      return;
    }
    if (step.op === 'term') return;
    const key = `${router}|0|0:0|${step.peer.address}`;
    let p = this.peers.get(key);
    if (p === undefined) {
      p = {
        router,
        address: step.peer.address,
        as: step.peer.as,
        status: 'down',
        stale: false,
        flaps: 0,
        lastDownReason: null,
        holdTime: Math.min(step.peer.holdSent, step.peer.holdReceived),
        remotePort: step.peer.remotePort,
        families: step.peer.families,
        views: {},
        routes: null,
        perFamily: {},
      };
      this.peers.set(key, p);
    }
    const view = (name: string) => (p.views[name] ??= { eor: [], dump: 'in_progress' });
    switch (step.op) {
      case 'up':
        p.status = 'up';
        p.stale = false;
        view('adj_rib_in_pre');
        for (const v of Object.values(p.views)) v.eor = [];
        break;
      case 'down':
        p.status = 'down';
        p.stale = false;
        p.flaps++;
        p.lastDownReason = step.reason;
        view('adj_rib_in_pre');
        break;
      case 'eor': {
        const v = view(step.postPolicy ? 'adj_rib_in_post' : 'adj_rib_in_pre');
        if (!v.eor.includes(step.family)) v.eor.push(step.family);
        break;
      }
      case 'stats':
        view('adj_rib_in_pre');
        p.routes = step.routes;
        p.perFamily = { ...step.perFamily };
        break;
    }
    for (const v of Object.values(p.views)) v.dump = p.families.every((f) => v.eor.includes(f)) ? 'done' : 'in_progress';
  }
}

/** Peers of a router: address 10.<router>.0.<i+1>, AS 65000+i (every third a 4-octet AS), IPv6 too on even i. */
export function peersOf(routerIndex: number, count: number): PeerSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    address: `10.${routerIndex}.0.${i + 1}`,
    as: i % 3 === 2 ? 4_200_000_000 + i : 65000 + i,
    bgpId: `10.${routerIndex}.255.${i + 1}`,
    families: i % 2 === 0 ? ['ipv4_unicast', 'ipv6_unicast'] : ['ipv4_unicast'],
    holdSent: 180,
    holdReceived: 90 + (i % 4) * 30,
    remotePort: 30000 + i,
  }));
}
