/**
 * Event builders for the peer-state unit tests: events shaped like the session decoder's, with
 * only what a test varies given.
 */
import type { PeerDownEvent, PeerFields, PeerUpEvent, RouteEvent, StatsEvent } from '../../../services/events/model.js';
import type { RouterRecord } from '../../../services/kafka/avro/index.js';
import type { StateInput } from '../../../services/peer-state/state.js';
import { NO_FAMILY_OR_TE_FIELDS } from '../../helpers/route-event.js';

export const ROUTER = '192.0.2.1';

export function header(peer: string, extra: Partial<PeerFields> = {}): PeerFields {
  return {
    router_address: ROUTER,
    sequence: 0,
    peer_type: 'global',
    peer_type_code: 0,
    peer_distinguisher: '0:0',
    peer_address: peer,
    peer_as: 65001,
    peer_bgp_id: '198.51.100.1',
    is_post_policy: false,
    is_adj_rib_out: false,
    is_loc_rib_filtered: false,
    is_as2: false,
    bmp_timestamp: null,
    table_name: null,
    ...extra,
  };
}

export function routerRecord(event: RouterRecord['event'], at: number, extra: Partial<RouterRecord> = {}): StateInput {
  return {
    topic: 'router',
    at,
    record: {
      event,
      router_address: ROUTER,
      router_port: 40000,
      collector_id: 'c1',
      sys_name: null,
      sys_descr: null,
      disconnect_reason: event === 'disconnected' ? 'router closed the session' : null,
      bytes_received: 0,
      messages_received: 0,
      timestamp: at + 1,
      ...extra,
    },
  };
}

export function peerUp(peer: string, sequence: number, at: number, opts: { holdSent?: number; holdReceived?: number; families?: string[] } = {}): StateInput {
  const open = (asn: number, hold: number, id: string) => ({
    version: 4,
    my_as: asn,
    asn,
    hold_time: hold,
    bgp_id: id,
    capabilities: [
      { code: 1, name: 'multiprotocol', value: 'ipv4_unicast' },
      { code: 65, name: 'four_octet_as', value: String(asn) },
      ...(asn === 65000 ? [{ code: 2, name: 'route_refresh', value: '' }] : []),
    ],
  });
  const record: PeerUpEvent = {
    ...header(peer, { sequence }),
    local_address: '192.0.2.1',
    local_port: 179,
    remote_port: 50000 + sequence,
    sent_open: open(65000, opts.holdSent ?? 180, '192.0.2.1'),
    received_open: open(65001, opts.holdReceived ?? 90, '198.51.100.1'),
    four_octet_as: true,
    add_path_families: [],
    families: opts.families ?? ['ipv4_unicast'],
    strings: [],
    tlvs: [],
    decode_error: null,
  };
  return { topic: 'peer_up', at, record };
}

/** A Peer Down: reason 1 (local NOTIFICATION, cease/administrative shutdown) or 2 (FSM event 18). */
export function peerDown(peer: string, sequence: number, at: number, reason: 1 | 2 = 1): StateInput {
  const record: PeerDownEvent = {
    ...header(peer, { sequence }),
    reason_code: reason,
    reason: reason === 1 ? 'local_notification' : 'local_no_notification',
    notification_code: reason === 1 ? 6 : null,
    notification_subcode: reason === 1 ? 2 : null,
    notification: reason === 1 ? 'cease/administrative_shutdown' : null,
    notification_data: null,
    fsm_event_code: reason === 1 ? null : 18,
    tlvs: [],
  };
  return { topic: 'peer_down', at, record };
}

export function endOfRib(peer: string, sequence: number, at: number, family = 'ipv4_unicast', post = false): StateInput {
  const record: RouteEvent = {
    ...header(peer, { sequence, is_post_policy: post }),
    action: 'end_of_rib',
    afi: family.startsWith('ipv6') ? 2 : 1,
    safi: 1,
    family,
    prefix: null,
    path_id: null,
    rd: null,
    labels: [],
    raw_nlri: null,
    origin: null,
    as_path: [],
    next_hop: null,
    med: null,
    local_pref: null,
    atomic_aggregate: false,
    aggregator_as: null,
    aggregator_address: null,
    communities: [],
    large_communities: [],
    extended_communities: [],
    originator_id: null,
    cluster_list: [],
    aigp: null,
    otc: null,
    unknown_attributes: [],
    decoded_without_peer_up: false,
    ...NO_FAMILY_OR_TE_FIELDS,
  };
  return { topic: 'route_monitoring', at, record };
}

export function stats(peer: string, sequence: number, at: number, routes: number): StateInput {
  const record: StatsEvent = {
    ...header(peer, { sequence }),
    stats: [
      { type: 7, name: 'routes_in_adj_rib_in', value: routes, afi: null, safi: null, raw: null },
      { type: 9, name: 'routes_in_per_afi_safi_adj_rib_in', value: routes, afi: 1, safi: 1, raw: null },
    ],
  };
  return { topic: 'stats', at, record };
}
