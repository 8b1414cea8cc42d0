/**
 * Routes as the codec hands them to the event model. One object per NLRI entry; every object of a
 * given family has the same shape (same keys in the same order) so V8 keeps the consumers'
 * property reads monomorphic.
 */
import type { BgpLsRoute } from './bgp-ls/nlri.js';
import type { SrPolicyRoute } from './sr-policy.js';

/** A decoded IP prefix (plain, labeled or VPN). */
export interface PrefixRoute {
  kind: 'prefix';
  afi: number;
  safi: number;
  /**
   * CIDR text, e.g. "10.0.0.0/8", "2001:db8::/32" (IPv6 in RFC 5952 form). Rendered from exactly
   * the ⌈length/8⌉ octets on the wire: bits past the prefix length inside the last octet are
   * don't-care per RFC 4271 §4.3 but are *not* masked here, so the text re-encodes to the same
   * bytes. Use `maskPrefix` for a canonical key when a sender is known to leave junk there.
   */
  prefix: string;
  /** ADD-PATH path identifier (RFC 7911 §3), or null when the family has no ADD-PATH. */
  pathId: number | null;
  /**
   * Label values (20 bits each) for labeled (SAFI 4) and VPN (SAFI 128/129) routes, RFC 8277 §2.
   * In MP_UNREACH_NLRI this is the 3-octet "Compatibility" field (RFC 8277 §2.4), normally the
   * value 0x80000 (wire 0x800000).
   */
  labels?: number[];
  /**
   * Low 4 bits (TC and bottom-of-stack S) of each label entry, present only when they differ from
   * what the encoder writes by default (TC 0; S set on the last label of a reachable route; all
   * clear in a withdrawal's 0x800000/0x000000 compatibility field). Kept so the encoder reproduces
   * unusual senders byte for byte.
   */
  labelBits?: number[];
  /** Route distinguisher text for VPN routes (see rd.ts for the forms). */
  rd?: string;
}

/** NLRI of a family this codec does not decode: the whole NLRI block, never dropped. */
export interface RawRoute {
  kind: 'raw';
  afi: number;
  safi: number;
  raw: Buffer;
}

/**
 * EVPN route (AFI 25 / SAFI 70; RFC 7432 §7, RFC 9136 §3, RFC 9251 §9, RFC 9572 §3; see evpn.ts for
 * which field each route type uses). Fields a route type does not have are null (labelFields
 * empty). A route type this codec does not decode, or a value that does not match its type's
 * layout, keeps its value octets in `raw` (everything else null) so it still re-encodes.
 */
export interface EvpnRoute {
  kind: 'evpn';
  afi: number;
  safi: number;
  pathId: number | null;
  routeType: number;
  rd: string | null;
  /** Ethernet Segment Identifier, 10 octets as colon-separated hex (first octet = ESI type). */
  esi: string | null;
  ethernetTag: number | null;
  mac: string | null;
  /** IP address of a MAC/IP Advertisement route (type 2); null when its IP length is 0. */
  ip: string | null;
  /** IP prefix of an IP Prefix route (type 5), CIDR text of the full address octets sent. */
  ipPrefix: string | null;
  gatewayIp: string | null;
  /** Originating router's IP address (types 3, 4, 6-8, 10, 11). */
  originatorIp: string | null;
  /** Multicast source and group (types 6-8, 10); null for a wildcard (length 0). */
  source: string | null;
  group: string | null;
  /** Flags octet of types 6-8 (IGMP/MLD versions, include/exclude; RFC 9251 §9.1). */
  flags: number | null;
  /** Leave Group Synchronization sequence number and Maximum Response Time (type 8, RFC 9251 §9.3). */
  leaveGroupSync: number | null;
  maxResponseTime: number | null;
  /** Region ID of a Per-Region I-PMSI A-D route (type 9), 8 octets as hex. */
  regionId: string | null;
  /**
   * The 3-octet MPLS Label fields (types 1, 2, 5) as 24-bit numbers: label << 4 | TC/S bits for
   * MPLS, or the VNI itself for VXLAN (RFC 8365 §5.1.3).
   */
  labelFields: number[];
  /** Route Key of a Leaf A-D route (type 11): the EVPN route it answers. */
  routeKey: EvpnRoute | null;
  raw: Buffer | null;
}

/**
 * VPLS route (AFI 25 / SAFI 65): an RFC 4761 §3.2.2 VE label block (NLRI length 17) or an RFC 6074
 * §7.1 BGP auto-discovery route (RD + PE address, length 12). Any other length keeps the value in
 * `raw`, the rest null.
 */
export interface VplsRoute {
  kind: 'vpls';
  afi: number;
  safi: number;
  pathId: number | null;
  rd: string | null;
  veId: number | null;
  veBlockOffset: number | null;
  veBlockSize: number | null;
  /** Label base (20 bits) and the low 4 bits of its 3-octet field (TC and S). */
  labelBase: number | null;
  labelBits: number | null;
  /** PE address of an RFC 6074 auto-discovery route. */
  peAddress: string | null;
  raw: Buffer | null;
}

/**
 * MCAST-VPN route (SAFI 5, AFI 1 or 2; RFC 6514 §4 route types 1-7, see mvpn.ts). Unknown route
 * types, or values that do not match their type's layout, keep the value in `raw`.
 */
export interface MvpnRoute {
  kind: 'mvpn';
  afi: number;
  safi: number;
  pathId: number | null;
  routeType: number;
  rd: string | null;
  /** Originating router's IP address (types 1, 3, 4). */
  originatorIp: string | null;
  /** Source AS (types 2, 6, 7). */
  sourceAs: number | null;
  /** Multicast source and group (types 3, 5, 6, 7); null for a wildcard (RFC 6625). */
  source: string | null;
  group: string | null;
  /** Route Key of a Leaf A-D route (type 4): the MCAST-VPN route it answers. */
  routeKey: MvpnRoute | null;
  raw: Buffer | null;
}

/**
 * Route Target membership route (AFI 1 / SAFI 132, RFC 4684 §4): a prefix of up to 96 bits over
 * origin AS (4 octets) + route target (8 octets); prefix length 0 is the default route.
 */
export interface RtConstraintRoute {
  kind: 'rt_constraint';
  afi: number;
  safi: number;
  pathId: number | null;
  prefixLength: number;
  /** Origin AS (the octets sent, zero-filled); null for the default route. */
  originAs: number | null;
  /**
   * Route target as extended-community text ("rt:65000:100", or "0xTTSS:hex" for other types),
   * of the octets sent zero-filled to 8; null when the prefix stops within the origin AS.
   */
  routeTarget: string | null;
}


/** One operator/value item of a flowspec component (RFC 8955 §4.2.1). */
export interface FlowspecItem {
  /** The operator octet as on the wire (end-of-list, AND, length and comparison bits). */
  operator: number;
  /** The value (1, 2, 4 or 8 octets by the operator's length bits). */
  value: number;
}

/** One component of a flowspec NLRI (RFC 8955 §4.2.2, RFC 8956 §3). */
export interface FlowspecComponent {
  /** Component type, 1-12 (IPv4) or 1-13 (IPv6). */
  type: number;
  /** Types 1 and 2: CIDR text (IPv6: pattern bits at their place in the address); else null. */
  prefix: string | null;
  /** IPv6 prefix components: the pattern's bit offset (RFC 8956 §3.1); else null. */
  offset: number | null;
  /** Operator/value items of the other types, in wire order; [] for prefixes. */
  items: FlowspecItem[];
}

/** A flow specification rule, SAFI 133 or (with an RD) 134; see flowspec.ts. */
export interface FlowspecRoute {
  kind: 'flowspec';
  afi: number;
  safi: number;
  /**
   * Rule text (format in flowspec.ts), e.g. "dst 10.0.0.0/24 && proto =6 && dport >=80&<=90".
   * Derived from `components` (flowspecRoute builds it); the encoder writes the components only.
   */
  prefix: string;
  pathId: number | null;
  /** Route distinguisher text for SAFI 134, else null. */
  rd: string | null;
  components: FlowspecComponent[];
  /** Present (true) only when the sender wrote a length below 240 in the 2-octet form (RFC 8955 §4.1). */
  extendedLength?: true;
}



export type { BgpLsRoute, SrPolicyRoute };

/** Link-State NLRI (bgp-ls/nlri.ts) and SR Policy NLRI (sr-policy.ts) carry `prefix` text too. */
export type Route = PrefixRoute | RawRoute | EvpnRoute | VplsRoute | MvpnRoute | RtConstraintRoute | FlowspecRoute | BgpLsRoute | SrPolicyRoute;
