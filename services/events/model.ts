/**
 * The event model: what the pipeline publishes, one logical topic per BMP message type plus the
 * collector's own topics. Field names are snake_case and are the Avro field names of
 * `schemas/<topic>.avsc`. This module knows nothing of Kafka; the codec knows nothing of it.
 *
 * Route Monitoring becomes one event per prefix (announced or withdrawn); End-of-RIB is its own
 * event. Values that can be absent are `null`, never `undefined`, so that an event serialises
 * to JSON and to Avro the same way.
 */

/** Topics fed from BMP messages, named after the message type. */
export const MESSAGE_TOPICS = ['initiation', 'termination', 'peer_up', 'peer_down', 'route_monitoring', 'stats', 'route_mirroring', 'roft'] as const;
export type MessageTopic = (typeof MESSAGE_TOPICS)[number];

export type PeerType = 'global' | 'rd_instance' | 'local_instance' | 'loc_rib' | 'unknown';

/** Fields every event has: which router session it came from, and its place in that session. */
export interface RouterFields {
  /** Address of the router: the session's source address (or the one a PROXY header gave). */
  router_address: string;
  /** Per-session sequence number of the event, from 0, strictly increasing within a session. */
  sequence: number;
}

/** The BMP per-peer header (RFC 7854 §4.2), as every per-peer event carries it. */
export interface PeerFields extends RouterFields {
  peer_type: PeerType;
  /** Peer type number as sent (kept for experimental types 251-254). */
  peer_type_code: number;
  /** Peer Distinguisher as route-distinguisher text ("0:0" for the global instance). */
  peer_distinguisher: string;
  /** Peer address (IPv4 or IPv6 text); "0.0.0.0" for Loc-RIB. */
  peer_address: string;
  peer_as: number;
  peer_bgp_id: string;
  /** L flag: post-policy Adj-RIB (types 0-2). */
  is_post_policy: boolean;
  /** O flag: Adj-RIB-Out (RFC 8671). */
  is_adj_rib_out: boolean;
  /** F flag: filtered Loc-RIB view (RFC 9069, type 3). */
  is_loc_rib_filtered: boolean;
  /** A flag: the message uses legacy 2-octet AS numbers (types 0-2). */
  is_as2: boolean;
  /** Per-peer header timestamp in microseconds since the epoch; null when the router sent 0 (unknown). */
  bmp_timestamp: number | null;
  /** VRF/table name of the peer (from its Peer Up, RFC 9069 §5.2, or a BMP v4 TLV), when known. */
  table_name: string | null;
}

/** A TLV kept for completeness: type, decoded text when it is a string TLV, raw value. */
export interface TlvField {
  type: number;
  name: string;
  text: string | null;
  value: Buffer;
}

export interface InitiationEvent extends RouterFields {
  sys_name: string | null;
  sys_descr: string | null;
  /** Free-form information strings (TLV type 0). */
  strings: string[];
  tlvs: TlvField[];
}

export interface TerminationEvent extends RouterFields {
  /** Reason code of the Reason TLV (RFC 7854 §4.5), null when absent. */
  reason_code: number | null;
  reason: string | null;
  strings: string[];
  tlvs: TlvField[];
}

export interface CapabilityField {
  code: number;
  name: string;
  /** Readable value, e.g. "ipv4_unicast" for multiprotocol, "ipv6_unicast:send_receive" for ADD-PATH. */
  value: string;
}

export interface OpenField {
  version: number;
  /** My Autonomous System field (2 octets; 23456 = AS_TRANS, see four_octet_as). */
  my_as: number;
  /** The AS of this speaker: the 4-octet AS capability's value when present, otherwise my_as. */
  asn: number;
  hold_time: number;
  bgp_id: string;
  capabilities: CapabilityField[];
}

export interface PeerUpEvent extends PeerFields {
  local_address: string;
  local_port: number;
  remote_port: number;
  /** OPEN the monitored router sent to the peer. */
  sent_open: OpenField | null;
  /** OPEN the monitored router received from the peer. */
  received_open: OpenField | null;
  /** Negotiated session properties the codec uses for this peer's routes. */
  four_octet_as: boolean;
  /** Families (e.g. "ipv4_unicast") carrying ADD-PATH path ids in this peer's Route Monitoring. */
  add_path_families: string[];
  /** Families both OPENs list in the multiprotocol capability. */
  families: string[];
  strings: string[];
  tlvs: TlvField[];
  /** A decode problem in an OPEN (the event is still published with what could be read). */
  decode_error: string | null;
}

export interface PeerDownEvent extends PeerFields {
  reason_code: number;
  reason: string;
  /** NOTIFICATION sent (reason 1) or received (reason 3), decoded. */
  notification_code: number | null;
  notification_subcode: number | null;
  notification: string | null;
  notification_data: Buffer | null;
  /** FSM event code (reason 2, RFC 4271 §8.1). */
  fsm_event_code: number | null;
  tlvs: TlvField[];
}

export type RouteAction = 'announce' | 'withdraw' | 'end_of_rib';

export interface AsPathHop {
  asn: number;
  /** Segment the ASN belongs to: AS_SET members are marked as such. */
  segment: 'sequence' | 'set' | 'confed_sequence' | 'confed_set';
}

/** One operator/value item of a flowspec component (RFC 8955 §4.2.1). */
export interface FlowspecItemField {
  /** The operator octet as sent (end-of-list 0x80, AND 0x40, length 0x30, comparison bits). */
  operator: number;
  /** True: ANDed with the previous item; false: ORed (RFC 8955 §4.2.1.1). */
  and: boolean;
  /** Numeric "=", ">", ">=", "<", "<=", "!=", "false", "true"; bitmask "any", "all", "!any", "!all". */
  op: string;
  value: number;
}

/** One component of a flowspec rule (RFC 8955 §4.2.2, RFC 8956 §3). */
export interface FlowspecComponentField {
  type: number;
  /** e.g. "destination_prefix", "ip_protocol", "destination_port", "tcp_flags", "flow_label". */
  name: string;
  /** Destination/source prefix components: CIDR text; else null. */
  prefix: string | null;
  /** IPv6 prefix components: bit offset of the pattern; else null. */
  offset: number | null;
  items: FlowspecItemField[];
}

/**
 * The `prefix` of a lent route event whose IPv4 prefix text was not made: the sink reads the
 * prefix from the UPDATE's octets (BmpSessionDecoder's prefixSource), as ingest's Avro encoder
 * does. Only from a decoder made with `deferredPrefixTexts`; never a CIDR text, so it cannot be
 * mistaken for one.
 */
export const PREFIX_ON_THE_WIRE = '(prefix on the wire)';

/**
 * The `communities` of such a lent event (deferredPrefixTexts) when its UPDATE has COMMUNITIES:
 * the sink reads them from the octets (attributeSource's communitiesAt..communitiesEnd). Told
 * apart by identity; its one text is no community's, so it cannot pass for real values.
 */
export const COMMUNITIES_ON_THE_WIRE: string[] = Object.freeze(['(communities on the wire)']) as unknown as string[];

/**
 * The `large_communities` of such a lent event when its UPDATE has LARGE_COMMUNITY: the sink reads
 * them from the octets (attributeSource's largeCommunitiesAt..largeCommunitiesEnd). Told apart by
 * identity; its one text is no large community's ("a:b:c"), so it cannot pass for real values.
 */
export const LARGE_COMMUNITIES_ON_THE_WIRE: string[] = Object.freeze(['(large communities on the wire)']) as unknown as string[];

/**
 * The `as_path` of such a lent event when its UPDATE's AS_PATH has a segment: the sink reads it
 * from the octets (attributeSource's asPathAt..asPathEnd). Told apart by identity; its one hop's
 * segment type is none of the schema's, so avsc refuses it rather than write it.
 */
export const AS_PATH_ON_THE_WIRE: AsPathHop[] = Object.freeze([Object.freeze({ asn: 0, segment: '(on the wire)' })]) as unknown as AsPathHop[];

/** One prefix of a Route Monitoring message (or the End-of-RIB marker of a family). */
export interface RouteEvent extends PeerFields {
  action: RouteAction;
  afi: number;
  safi: number;
  /** Family name, e.g. "ipv4_unicast", "vpnv6_unicast", "ipv4_labeled_unicast". */
  family: string;
  /**
   * CIDR text; for EVPN, VPLS, MCAST-VPN and RT membership routes the route's canonical text
   * (family-fields.ts); null for End-of-RIB and for NLRI the codec keeps raw.
   */
  prefix: string | null;
  /** ADD-PATH path identifier, null when the family has none. */
  path_id: number | null;
  rd: string | null;
  /** 20-bit label values (EVPN: the high 20 bits of each label field, see EvpnFields.label_fields; VPLS: the label base). */
  labels: number[];
  /** NLRI bytes of a family this codec does not decode (never dropped). */
  raw_nlri: Buffer | null;
  origin: 'igp' | 'egp' | 'incomplete' | null;
  as_path: AsPathHop[];
  next_hop: string | null;
  med: number | null;
  local_pref: number | null;
  atomic_aggregate: boolean;
  aggregator_as: number | null;
  aggregator_address: string | null;
  communities: string[];
  large_communities: string[];
  extended_communities: string[];
  originator_id: string | null;
  cluster_list: string[];
  aigp: number | null;
  otc: number | null;
  /** Path attributes the codec keeps raw: "type:flags:hex". */
  unknown_attributes: string[];
  /** True when the peer's Peer Up was not seen and session properties were guessed (documented heuristics). */
  decoded_without_peer_up: boolean;
  /** EVPN route fields (AFI 25 / SAFI 70), null for other families. */
  evpn: EvpnFields | null;
  /** VPLS route fields (AFI 25 / SAFI 65), null for other families. */
  vpls: VplsFields | null;
  /** MCAST-VPN route fields (SAFI 5), null for other families. */
  mvpn: MvpnFields | null;
  /** Route target membership fields (AFI 1 / SAFI 132), null for other families. */
  rt_constraint: RtConstraintFields | null;
  /** Flowspec rule components (SAFI 133/134; `prefix` holds the rule text); null for other families. */
  flowspec: FlowspecComponentField[] | null;
  /** BMP v4 Path Marking TLV status bits that apply to this route ("best", "invalid", ...); null without one. */
  path_status: string[] | null;
  /** Reason code of that Path Marking TLV, by name (or "reason_<n>"); null without one. */
  path_reason: string | null;
  /**
   * The Link-State NLRI (AFI 16388, SAFI 71/72) this event is about; null for other families.
   * `prefix` then holds its canonical text (services/codec/bgp/nlri/bgp-ls/nlri.ts), `rd` its RD (SAFI 72).
   */
  bgp_ls: BgpLsField | null;
  /** The SR Policy NLRI (SAFI 73) this event is about; null for other families. `prefix` holds its text (sr-policy.ts). */
  sr_policy: SrPolicyField | null;
  /** BGP-LS attribute (type 29); null when absent. */
  bgp_ls_attribute: BgpLsAttributeField | null;
  /** PREFIX_SID attribute (type 40); null when absent. */
  prefix_sid: PrefixSidField | null;
  /** TUNNEL_ENCAPSULATION attribute (type 23); null when absent. */
  tunnel_encapsulation: TunnelEncapsulationField | null;
}

/**
 * An EVPN route (RFC 7432 §7, RFC 9136, RFC 9251, RFC 9572). `prefix` holds its canonical text
 * (codec/bgp/nlri/evpn.ts evpnRouteText), `rd` its RD, `labels` the 20-bit labels of its label
 * fields. Fields the route type does not have are null.
 */
export interface EvpnFields {
  route_type: number;
  /** "ethernet_ad", "mac_ip_advertisement", ..., "ip_prefix", ...; "type_<n>" for others. */
  route_type_name: string;
  /** 10 octets as colon-separated hex. */
  esi: string | null;
  /** ESI type, the first octet of the ESI (RFC 7432 §5). */
  esi_type: number | null;
  ethernet_tag: number | null;
  mac: string | null;
  ip: string | null;
  ip_prefix: string | null;
  gateway_ip: string | null;
  originator_ip: string | null;
  source: string | null;
  group: string | null;
  multicast_flags: number | null;
  /** Leave Group Synchronization # of a Multicast Leave Synch route (type 8). */
  leave_group_sync: number | null;
  max_response_time: number | null;
  region_id: string | null;
  /** The 3-octet label fields as 24-bit numbers (the VNI for VXLAN, RFC 8365 §5.1.3). */
  label_fields: number[];
  /** Canonical text of a Leaf A-D route's (type 11) Route Key. */
  route_key: string | null;
  /** Value octets of a route type not decoded (or not matching its layout). */
  raw: Buffer | null;
}

/** A VPLS route: RFC 4761 label block or RFC 6074 auto-discovery route. */
export interface VplsFields {
  ve_id: number | null;
  ve_block_offset: number | null;
  ve_block_size: number | null;
  label_base: number | null;
  pe_address: string | null;
  raw: Buffer | null;
}

/** An MCAST-VPN route (RFC 6514 §4). */
export interface MvpnFields {
  route_type: number;
  route_type_name: string;
  originator_ip: string | null;
  source_as: number | null;
  source: string | null;
  group: string | null;
  /** Canonical text of a Leaf A-D route's Route Key. */
  route_key: string | null;
  raw: Buffer | null;
}

/** A route target membership route (RFC 4684 §4). */
export interface RtConstraintFields {
  origin_as: number | null;
  route_target: string | null;
  prefix_length: number;
}

/** BGP-LS Local or Remote Node Descriptors (RFC 9552 §5.2.1). */
export interface BgpLsNodeField {
  as_number: number | null;
  bgp_ls_id: number | null;
  ospf_area_id: number | null;
  /** IS-IS System-ID "xxxx.xxxx.xxxx[.nn]", OSPF Router-ID, or "<DR router id>-<DR interface address>" for an OSPF pseudonode. */
  igp_router_id: string | null;
  bgp_router_id: string | null;
  member_asn: number | null;
  /** Sub-TLVs not decoded: "type:hex". */
  unknown_tlvs: string[];
}

/** One Link-State NLRI (RFC 9552 §5.2, RFC 9514 §6). */
export interface BgpLsField {
  /** "node", "link", "ipv4_prefix", "ipv6_prefix", "srv6_sid", or "type_<n>". */
  nlri_type: string;
  nlri_type_code: number;
  /** "isis_l1", "isis_l2", "ospfv2", "direct", "static", "ospfv3", "bgp", ... or "protocol_<n>". */
  protocol: string;
  protocol_id: number;
  /** 64-bit Identifier (exact up to 2^53; Avro saturates at 2^63, as for aigp). */
  identifier: number;
  local_node: BgpLsNodeField | null;
  remote_node: BgpLsNodeField | null;
  link_local_id: number | null;
  link_remote_id: number | null;
  ipv4_interface_address: string | null;
  ipv4_neighbor_address: string | null;
  ipv6_interface_address: string | null;
  ipv6_neighbor_address: string | null;
  multi_topology_ids: number[];
  ospf_route_type: number | null;
  /** IP Reachability Information: CIDR text. */
  ip_reachability: string | null;
  /** SRv6 SID Information (SRv6 SID NLRI). */
  srv6_sid: string | null;
  /** Descriptor TLVs not decoded: "type:hex". */
  unknown_tlvs: string[];
  /** Body of an NLRI type this codec does not decode (or a malformed one), else null. */
  raw: Buffer | null;
}

export interface SrPolicyField {
  distinguisher: number;
  color: number;
  endpoint: string;
}

export interface SrRangeField {
  size: number;
  /** First SID (index) or label of the range. */
  first_sid: number;
  is_label: boolean;
}

export interface SrRangesField {
  flags: number;
  ranges: SrRangeField[];
}

export interface LsAdjacencySidField {
  flags: number;
  weight: number;
  sid: number;
  is_label: boolean;
  /** LAN Adjacency SID: the neighbour's System-ID or Router-ID; null for a point-to-point Adjacency SID. */
  neighbor: string | null;
}

export interface LsPrefixSidField {
  flags: number;
  algorithm: number;
  sid: number;
  is_label: boolean;
}

export interface Srv6SidStructureField {
  locator_block_length: number;
  locator_node_length: number;
  function_length: number;
  argument_length: number;
}

export interface Srv6EndXSidField {
  endpoint_behavior: number;
  flags: number;
  algorithm: number;
  weight: number;
  sid: string;
  structure: Srv6SidStructureField | null;
}

export interface Srv6LocatorField {
  flags: number;
  algorithm: number;
  metric: number;
}

export interface Srv6EndpointBehaviorField {
  endpoint_behavior: number;
  flags: number;
  algorithm: number;
}

/** BGP-LS attribute TLVs (RFC 9552 §5.3, RFC 9085, RFC 9514). */
export interface BgpLsAttributeField {
  node_flags: number | null;
  node_name: string | null;
  isis_area_ids: string[];
  local_router_ids: string[];
  remote_router_ids: string[];
  multi_topology_ids: number[];
  sr_capabilities: SrRangesField | null;
  sr_algorithms: number[];
  sr_local_block: SrRangesField | null;
  admin_group: number | null;
  /** Bytes per second. */
  max_link_bandwidth: number | null;
  max_reservable_bandwidth: number | null;
  unreserved_bandwidth: number[];
  te_default_metric: number | null;
  igp_metric: number | null;
  srlgs: number[];
  link_name: string | null;
  adjacency_sids: LsAdjacencySidField[];
  prefix_metric: number | null;
  igp_flags: number | null;
  route_tags: number[];
  prefix_sids: LsPrefixSidField[];
  srv6_end_x_sids: Srv6EndXSidField[];
  srv6_locator: Srv6LocatorField | null;
  srv6_endpoint_behavior: Srv6EndpointBehaviorField | null;
  srv6_sid_structure: Srv6SidStructureField | null;
  /** TLVs not decoded: "type:hex". */
  unknown_tlvs: string[];
}

export interface SrgbField {
  base: number;
  range: number;
}

export interface Srv6ServiceStructureField {
  locator_block_length: number;
  locator_node_length: number;
  function_length: number;
  argument_length: number;
  transposition_length: number;
  transposition_offset: number;
}

export interface Srv6ServiceField {
  /** "l3" (TLV 5) or "l2" (TLV 6). */
  service: string;
  sid: string;
  flags: number;
  endpoint_behavior: number;
  structure: Srv6ServiceStructureField | null;
}

/** PREFIX_SID attribute (RFC 8669, RFC 9252). */
export interface PrefixSidField {
  label_index: number | null;
  label_index_flags: number | null;
  originator_srgb_flags: number | null;
  originator_srgbs: SrgbField[];
  srv6_services: Srv6ServiceField[];
  /** TLVs, sub-TLVs and sub-sub-TLVs not decoded: "type:hex" (nested ones "5.1:hex", "5.1.2:hex"). */
  unknown_tlvs: string[];
}

export interface SegmentField {
  /** "a" (SR-MPLS label) or "b" (SRv6 SID). */
  segment_type: string;
  flags: number;
  /** Type A: the 20-bit label. */
  label: number | null;
  /** Type B: the SRv6 SID. */
  sid: string | null;
  /** Type B: the SRv6 endpoint behaviour, when given. */
  endpoint_behavior: number | null;
}

export interface SegmentListField {
  weight: number | null;
  segments: SegmentField[];
  unknown_sub_tlvs: string[];
}

export interface TunnelField {
  tunnel_type: number;
  preference: number | null;
  priority: number | null;
  binding_sid_flags: number | null;
  /** SR-MPLS binding SID: the 20-bit label. */
  binding_sid_label: number | null;
  /** SRv6 binding SID. */
  binding_sid_srv6: string | null;
  enlp: number | null;
  candidate_path_name: string | null;
  policy_name: string | null;
  segment_lists: SegmentListField[];
  /** Sub-TLVs not decoded: "type:hex". */
  unknown_sub_tlvs: string[];
}

/** TUNNEL_ENCAPSULATION attribute (RFC 9012, SR Policy sub-TLVs of RFC 9830). */
export interface TunnelEncapsulationField {
  tunnels: TunnelField[];
}

export interface StatField {
  type: number;
  name: string;
  /** Counter or gauge value (64-bit gauges above 2^53 lose precision). */
  value: number;
  afi: number | null;
  safi: number | null;
  /** Value bytes of a type this codec does not know. */
  raw: Buffer | null;
}

export interface StatsEvent extends PeerFields {
  stats: StatField[];
}

export interface RouteMirroringEvent extends PeerFields {
  /** Information codes (RFC 7854 §4.7): "errored_pdu", "messages_lost". */
  information: string[];
  /** Type of the mirrored BGP message ("update", "open", ...), null when none. */
  bgp_message_type: string | null;
  bgp_message: Buffer | null;
  tlvs: TlvField[];
}

export interface RoftPolicyField {
  /** Policy class, e.g. "inbound_policy", "route_import". */
  policy_class: string;
  matched: boolean;
  permitted: boolean;
  /** The policy changed the route's attributes. */
  attributes_differ: boolean;
  peer_address: string;
  peer_router_id: string;
  peer_as: number;
  /** "policy-name/item-id" of each policy applied. */
  names: string[];
}

export interface RoftTraceEvent {
  index: number;
  /** Microseconds since the epoch; null when the router sent 0. */
  timestamp: number | null;
  path_id: number;
  afi: number;
  safi: number;
  family: string;
  vrf_table: string | null;
  policies: RoftPolicyField[];
  /** Path attributes before and after the policy, as BGP attribute bytes. */
  pre_policy_attributes: Buffer | null;
  post_policy_attributes: Buffer | null;
  strings: string[];
}

/** Huawei's Route Policy and Attribute Trace message (type 100): how policies treated one route. */
export interface RoftEvent extends RouterFields {
  route_distinguisher: string;
  /** CIDR text of the traced route. */
  prefix: string;
  flags: number;
  /** The 4-octet field after the prefix, as dotted quad (meaning unconfirmed, see roft.ts). */
  route_origin_id: string;
  events: RoftTraceEvent[];
}

/** A message that could not be decoded: the dead letter, with everything needed to retry. */
export interface ErrorEvent extends RouterFields {
  /** BMP message type of the failing message, null when the common header itself failed. */
  message_type: number | null;
  /** Byte offset of the message in the session's stream. */
  stream_offset: number;
  /** Offset of the failing byte inside the message, when known. */
  error_offset: number | null;
  reason: string;
  /** True when framing was lost and the session cannot continue. */
  fatal: boolean;
  raw: Buffer;
}

export interface EventByTopic {
  initiation: InitiationEvent;
  termination: TerminationEvent;
  peer_up: PeerUpEvent;
  peer_down: PeerDownEvent;
  route_monitoring: RouteEvent;
  stats: StatsEvent;
  route_mirroring: RouteMirroringEvent;
  roft: RoftEvent;
  errors: ErrorEvent;
}

export type EventTopic = keyof EventByTopic;

/** An event together with the logical topic it belongs to. */
export type TopicEvent = { [T in EventTopic]: { topic: T; event: EventByTopic[T] } }[EventTopic];
