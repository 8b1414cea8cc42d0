/**
 * Test helper: route events, Peer Downs and router records with only what a test cares about set;
 * the rest has the values of an ordinary IPv4 unicast route from a global-instance peer.
 */
import type { PeerDownEvent, PeerFields, RouteEvent } from '../../../services/events/model.js';
import type { RouterRecord } from '../../../services/kafka/avro/records.js';
import { NO_FAMILY_OR_TE_FIELDS } from '../../helpers/route-event.js';

export const ROUTER = '192.0.2.1';
export const PEER = '198.51.100.7';

export function peerFields(over: Partial<PeerFields> = {}): PeerFields {
  return {
    router_address: ROUTER,
    sequence: 0,
    peer_type: 'global',
    peer_type_code: 0,
    peer_distinguisher: '0:0',
    peer_address: PEER,
    peer_as: 64500,
    peer_bgp_id: '198.51.100.7',
    is_post_policy: false,
    is_adj_rib_out: false,
    is_loc_rib_filtered: false,
    is_as2: false,
    bmp_timestamp: 1_000_000,
    table_name: null,
    ...over,
  };
}

export function announce(prefix: string, over: Partial<RouteEvent> = {}): RouteEvent {
  return {
    ...peerFields(),
    action: 'announce',
    afi: 1,
    safi: 1,
    family: 'ipv4_unicast',
    prefix,
    path_id: null,
    rd: null,
    labels: [],
    raw_nlri: null,
    origin: 'igp',
    as_path: [
      { asn: 64500, segment: 'sequence' },
      { asn: 64511, segment: 'sequence' },
    ],
    next_hop: '198.51.100.7',
    med: null,
    local_pref: null,
    atomic_aggregate: false,
    aggregator_as: null,
    aggregator_address: null,
    communities: ['64500:1'],
    large_communities: [],
    extended_communities: [],
    originator_id: null,
    cluster_list: [],
    aigp: null,
    otc: null,
    unknown_attributes: [],
    decoded_without_peer_up: false,
    ...NO_FAMILY_OR_TE_FIELDS,
    ...over,
  };
}

export function withdraw(prefix: string, over: Partial<RouteEvent> = {}): RouteEvent {
  return {
    ...announce(prefix),
    action: 'withdraw',
    origin: null,
    as_path: [],
    next_hop: null,
    communities: [],
    ...over,
  };
}

export function endOfRib(over: Partial<RouteEvent> = {}): RouteEvent {
  return { ...withdraw('0.0.0.0/0'), action: 'end_of_rib', prefix: null, ...over };
}

export function peerDown(over: Partial<PeerDownEvent> = {}): PeerDownEvent {
  return {
    ...peerFields(),
    reason_code: 3,
    reason: 'remote_notification',
    notification_code: 6,
    notification_subcode: 2,
    notification: 'cease/administrative_shutdown',
    notification_data: null,
    fsm_event_code: null,
    tlvs: [],
    ...over,
  };
}

export function routerRecord(event: RouterRecord['event'], over: Partial<RouterRecord> = {}): RouterRecord {
  return {
    event,
    router_address: ROUTER,
    router_port: 40000,
    collector_id: 'c1',
    sys_name: null,
    sys_descr: null,
    disconnect_reason: event === 'disconnected' ? 'closed' : null,
    bytes_received: 0,
    messages_received: 0,
    timestamp: 5_000_000,
    ...over,
  };
}
