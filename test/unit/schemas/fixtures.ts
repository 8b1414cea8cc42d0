/**
 * Test helper: hand-made records of every Avro topic, typed against the TypeScript records so that
 * they have exactly the fields the session decoder (or the collector) emits. `full` sets every
 * optional value and extreme numbers (4-octet ASNs, 2^32-1 path ids, 64-bit-ish counters);
 * `minimal` has every nullable value null and every list empty. Together with the real captures
 * they cover the topics the captures lack (route_mirroring, router) and the branches they miss.
 */
import type { AvroTopic, RecordOf } from '../../../services/kafka/avro/index.js';
import type { PeerFields, TlvField } from '../../../services/events/model.js';
import type { ChangePeerFields } from '../../../services/route-changes/model.js';

const MAX_U32 = 0xffffffff;
/** 2023-11-14T22:13:20.123456Z in microseconds. */
const T = 1_700_000_000_123_456;

const peerFull: PeerFields = {
  router_address: '2001:db8::1',
  sequence: 2 ** 40,
  peer_type: 'rd_instance',
  peer_type_code: 1,
  peer_distinguisher: '4200000000:100',
  peer_address: '2001:db8:ffff::7',
  peer_as: MAX_U32,
  peer_bgp_id: '198.51.100.7',
  is_post_policy: true,
  is_adj_rib_out: true,
  is_loc_rib_filtered: false,
  is_as2: true,
  bmp_timestamp: T,
  table_name: 'vrf-blue',
};

const peerMinimal: PeerFields = {
  router_address: '192.0.2.1',
  sequence: 0,
  peer_type: 'unknown',
  peer_type_code: 251,
  peer_distinguisher: '0:0',
  peer_address: '0.0.0.0',
  peer_as: 0,
  peer_bgp_id: '0.0.0.0',
  is_post_policy: false,
  is_adj_rib_out: false,
  is_loc_rib_filtered: false,
  is_as2: false,
  bmp_timestamp: null,
  table_name: null,
};

/** Peer identity and window of the route-change aggregator's records, keyed like peerFull/peerMinimal. */
const changePeerFull: ChangePeerFields = {
  router_address: '2001:db8::1',
  peer_type_code: 1,
  peer_distinguisher: '4200000000:100',
  peer_address: '2001:db8:ffff::7',
  peer_as: MAX_U32,
  peer_bgp_id: '255.255.255.255',
  rib_view: 'adj_rib_out_post',
  afi: 2,
  safi: 128,
  family: 'vpnv6_unicast',
  window_start: T - 60_000_000,
  window_end: T,
};

const changePeerMinimal: ChangePeerFields = {
  router_address: '192.0.2.1',
  peer_type_code: 251,
  peer_distinguisher: '0:0',
  peer_address: '0.0.0.0',
  peer_as: 0,
  peer_bgp_id: '0.0.0.0',
  rib_view: 'adj_rib_in_pre',
  afi: 1,
  safi: 1,
  family: 'ipv4_unicast',
  window_start: 0,
  window_end: 1,
};

const tlvs: TlvField[] = [
  { type: 0, name: 'string', text: 'hello', value: Buffer.from('hello') },
  { type: 65535, name: 'tlv_65535', text: null, value: Buffer.from([0, 1, 2, 0xff]) },
  { type: 7, name: 'tlv_7', text: null, value: Buffer.alloc(0) },
];

type Fixtures = { [T in AvroTopic]: { full: RecordOf<T>; minimal: RecordOf<T> } };

export const FIXTURES: Fixtures = {
  initiation: {
    full: { router_address: '192.0.2.1', sequence: 0, sys_name: 'r1', sys_descr: 'Router OS 1.0 — ünïcode', strings: ['a', ''], tlvs },
    minimal: { router_address: '192.0.2.1', sequence: 0, sys_name: null, sys_descr: null, strings: [], tlvs: [] },
  },
  termination: {
    full: { router_address: '192.0.2.1', sequence: 99, reason_code: 65535, reason: 'administratively_closed', strings: ['bye'], tlvs },
    minimal: { router_address: '192.0.2.1', sequence: 1, reason_code: null, reason: null, strings: [], tlvs: [] },
  },
  peer_up: {
    full: {
      ...peerFull,
      local_address: '2001:db8::2',
      local_port: 65535,
      remote_port: 179,
      sent_open: {
        version: 4,
        my_as: 23456,
        asn: MAX_U32,
        hold_time: 65535,
        bgp_id: '192.0.2.1',
        capabilities: [
          { code: 1, name: 'multiprotocol', value: 'ipv6_unicast' },
          { code: 65, name: 'four_octet_as', value: String(MAX_U32) },
          { code: 2, name: 'route_refresh', value: '' },
        ],
      },
      received_open: { version: 4, my_as: 65001, asn: 65001, hold_time: 90, bgp_id: '198.51.100.7', capabilities: [] },
      four_octet_as: true,
      add_path_families: ['ipv6_unicast'],
      families: ['ipv6_unicast', 'ipv4_unicast'],
      strings: ['peer description'],
      tlvs,
      decode_error: null,
    },
    minimal: {
      ...peerMinimal,
      local_address: '0.0.0.0',
      local_port: 0,
      remote_port: 0,
      sent_open: null,
      received_open: null,
      four_octet_as: false,
      add_path_families: [],
      families: [],
      strings: [],
      tlvs: [],
      decode_error: 'sent OPEN: truncated (at byte 12); received OPEN: truncated (at byte 3)',
    },
  },
  peer_down: {
    full: {
      ...peerFull,
      reason_code: 1,
      reason: 'local_notification',
      notification_code: 6,
      notification_subcode: 2,
      notification: 'Cease / Administrative Shutdown "maintenance"',
      notification_data: Buffer.from('0b6d61696e74656e616e6365', 'hex'),
      fsm_event_code: null,
      tlvs,
    },
    minimal: {
      ...peerMinimal,
      reason_code: 255,
      reason: 'reason_255',
      notification_code: null,
      notification_subcode: null,
      notification: null,
      notification_data: null,
      fsm_event_code: null,
      tlvs: [],
    },
  },
  route_monitoring: {
    full: {
      ...peerFull,
      action: 'announce',
      afi: 2,
      safi: 128,
      family: 'vpnv6_unicast',
      prefix: '2001:db8:1::/48',
      path_id: MAX_U32,
      rd: '65000:4294967295',
      labels: [0xfffff, 16, 0],
      raw_nlri: null,
      origin: 'incomplete',
      as_path: [
        { asn: 65001, segment: 'confed_sequence' },
        { asn: MAX_U32, segment: 'sequence' },
        { asn: 64512, segment: 'set' },
        { asn: 64513, segment: 'confed_set' },
      ],
      next_hop: '2001:db8::ff',
      med: MAX_U32,
      local_pref: MAX_U32,
      atomic_aggregate: true,
      aggregator_as: MAX_U32,
      aggregator_address: '192.0.2.9',
      communities: ['65535:65281', '65000:100'],
      large_communities: ['4294967295:1:2'],
      extended_communities: ['rt:65000:100', '0x0a0b:010203040506'],
      originator_id: '192.0.2.5',
      cluster_list: ['192.0.2.6', '192.0.2.7'],
      aigp: 2 ** 53 - 1,
      otc: MAX_U32,
      unknown_attributes: ['99:192:0102'],
      decoded_without_peer_up: true,
    },
    minimal: {
      ...peerMinimal,
      action: 'end_of_rib',
      afi: 25,
      safi: 70,
      family: 'evpn',
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
    },
  },
  stats: {
    full: {
      ...peerFull,
      stats: [
        { type: 0, name: 'prefixes_rejected_by_inbound_policy', value: MAX_U32, afi: null, safi: null, raw: null },
        { type: 9, name: 'routes_in_per_afi_safi_adj_rib_in', value: 2 ** 53 - 1, afi: 2, safi: 1, raw: null },
        { type: 65535, name: 'stat_65535', value: 0, afi: null, safi: null, raw: Buffer.from([1, 2, 3]) },
      ],
    },
    minimal: { ...peerMinimal, stats: [] },
  },
  route_mirroring: {
    full: {
      ...peerFull,
      information: ['errored_pdu', 'messages_lost', 'code_7'],
      bgp_message_type: 'UPDATE',
      bgp_message: Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 23, 2, 0, 0, 0, 0])]),
      tlvs,
    },
    minimal: { ...peerMinimal, information: [], bgp_message_type: null, bgp_message: null, tlvs: [] },
  },
  roft: {
    full: {
      router_address: '192.0.2.1',
      sequence: 12,
      route_distinguisher: '192.0.2.1:7',
      prefix: '2001:db8::/32',
      flags: 0x80,
      route_origin_id: '198.51.100.7',
      events: [
        {
          index: 255,
          timestamp: T,
          path_id: MAX_U32,
          afi: 2,
          safi: 1,
          family: 'ipv6_unicast',
          vrf_table: 'vrf-blue',
          policies: [
            {
              policy_class: 'inbound',
              matched: true,
              permitted: false,
              attributes_differ: true,
              peer_address: '2001:db8::7',
              peer_router_id: '198.51.100.7',
              peer_as: MAX_U32,
              names: ['pol-a/10', 'pol-b/20'],
            },
          ],
          pre_policy_attributes: Buffer.from('40010100', 'hex'),
          post_policy_attributes: Buffer.from('40010102', 'hex'),
          strings: ['/routing-policy/policy[name=pol-a]'],
        },
        {
          index: 0,
          timestamp: null,
          path_id: 0,
          afi: 1,
          safi: 1,
          family: 'ipv4_unicast',
          vrf_table: null,
          policies: [],
          pre_policy_attributes: null,
          post_policy_attributes: null,
          strings: [],
        },
      ],
    },
    minimal: { router_address: '192.0.2.1', sequence: 0, route_distinguisher: '0:0', prefix: '0.0.0.0/0', flags: 0, route_origin_id: '0.0.0.0', events: [] },
  },
  errors: {
    full: {
      router_address: '192.0.2.1',
      sequence: 5,
      message_type: 255,
      stream_offset: 2 ** 40,
      error_offset: MAX_U32,
      reason: 'unknown BMP message type 255 (skipped)',
      fatal: false,
      raw: Buffer.from([3, 0, 0, 0, 6, 255]),
    },
    minimal: {
      router_address: '192.0.2.1',
      sequence: 0,
      message_type: null,
      stream_offset: 0,
      error_offset: null,
      reason: 'framing lost (bad_version): version 9',
      fatal: true,
      raw: Buffer.alloc(0),
    },
  },
  router: {
    full: {
      event: 'disconnected',
      router_address: '2001:db8::1',
      router_port: 65535,
      collector_id: 'collector-1',
      sys_name: 'r1',
      sys_descr: 'Router OS 1.0',
      disconnect_reason: 'closed by the router after a Termination',
      bytes_received: 2 ** 45,
      messages_received: MAX_U32 + 1,
      timestamp: T,
    },
    minimal: {
      event: 'connected',
      router_address: '192.0.2.1',
      router_port: 0,
      collector_id: '',
      sys_name: null,
      sys_descr: null,
      disconnect_reason: null,
      bytes_received: 0,
      messages_received: 0,
      timestamp: 0,
    },
  },
  route_changes: {
    full: {
      ...changePeerFull,
      announcements: 2 ** 40,
      new_routes: 1_250_000,
      withdrawals: 7,
      unknown_withdrawals: 1,
      implicit_withdrawals: 300_000,
      path_changes: 5,
      as_path_changes: 1,
      next_hop_changes: 1,
      communities_changes: 1,
      large_communities_changes: 1,
      extended_communities_changes: 1,
      med_changes: 1,
      local_pref_changes: 1,
      origin_changes: 1,
      other_changes: 1,
      duplicates: 3,
      prefixes_touched: 1_250_010,
      late_events: 2,
      routes: 1_000_000,
      top_prefixes: [
        { prefix: '2001:db8:ffff::/48', rd: '4200000000:100', path_id: MAX_U32, changes: 9, announcements: 5, withdrawals: 4 },
        { prefix: 'raw:0102', rd: null, path_id: null, changes: 1, announcements: 1, withdrawals: 0 },
      ],
    },
    minimal: {
      ...changePeerMinimal,
      announcements: 0,
      new_routes: 0,
      withdrawals: 0,
      unknown_withdrawals: 0,
      implicit_withdrawals: 0,
      path_changes: 0,
      as_path_changes: 0,
      next_hop_changes: 0,
      communities_changes: 0,
      large_communities_changes: 0,
      extended_communities_changes: 0,
      med_changes: 0,
      local_pref_changes: 0,
      origin_changes: 0,
      other_changes: 0,
      duplicates: 0,
      prefixes_touched: 0,
      late_events: 1,
      routes: 0,
      top_prefixes: [],
    },
  },
  prefix_flaps: {
    full: {
      ...changePeerFull,
      prefix: '2001:db8:ffff::/48',
      rd: '4200000000:100',
      path_id: MAX_U32,
      flaps: 12,
      announcements: 13,
      withdrawals: 12,
      first_seen: T,
      last_seen: T + 59_999_999,
    },
    minimal: {
      ...changePeerMinimal,
      prefix: '192.0.2.0/24',
      rd: null,
      path_id: null,
      flaps: 0,
      announcements: 0,
      withdrawals: 0,
      first_seen: 0,
      last_seen: 0,
    },
  },
};

/**
 * A plain copy of a record for deep comparison: avsc decodes records into instances of generated
 * classes; this keeps only own enumerable fields, with Buffers as Buffers (compared by bytes).
 */
export function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
