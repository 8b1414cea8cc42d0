/**
 * Routes as the codec hands them to the event model. One object per NLRI entry; every object of a
 * given family has the same shape (same keys in the same order) so V8 keeps the consumers'
 * property reads monomorphic.
 */

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

export type Route = PrefixRoute | RawRoute | FlowspecRoute;
