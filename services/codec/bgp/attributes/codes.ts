/**
 * Path attribute flags and type codes (RFC 4271 §4.3, §5; IANA "BGP Path Attributes", see
 * docs/bmp-protocol.md §18.5-§18.6).
 */

export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  /** The length field is 2 octets instead of 1 (RFC 4271 §4.3). */
  EXTENDED_LENGTH: 0x10,
} as const;

export const AttrType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  PMSI_TUNNEL: 22,
  TUNNEL_ENCAPSULATION: 23,
  TRAFFIC_ENGINEERING: 24,
  IPV6_EXTENDED_COMMUNITIES: 25,
  AIGP: 26,
  PE_DISTINGUISHER_LABELS: 27,
  BGP_LS: 29,
  LARGE_COMMUNITY: 32,
  BGPSEC_PATH: 33,
  OTC: 35,
  SFP: 37,
  BFD_DISCRIMINATOR: 38,
  PREFIX_SID: 40,
  ATTR_SET: 128,
} as const;

const NAMES: Record<number, string> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  9: 'ORIGINATOR_ID',
  10: 'CLUSTER_LIST',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
  22: 'PMSI_TUNNEL',
  23: 'TUNNEL_ENCAPSULATION',
  24: 'TRAFFIC_ENGINEERING',
  25: 'IPV6_EXTENDED_COMMUNITIES',
  26: 'AIGP',
  27: 'PE_DISTINGUISHER_LABELS',
  29: 'BGP_LS',
  32: 'LARGE_COMMUNITY',
  33: 'BGPSEC_PATH',
  35: 'OTC',
  37: 'SFP',
  38: 'BFD_DISCRIMINATOR',
  40: 'PREFIX_SID',
  128: 'ATTR_SET',
};

/** IANA-style name of an attribute type code ("AS_PATH"), or "ATTR_<code>" when unknown here. */
export function attributeName(code: number): string {
  return NAMES[code] ?? `ATTR_${code}`;
}

const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPTIONAL_TRANSITIVE = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttrFlag.OPTIONAL;

/**
 * The flags a conforming speaker puts on an attribute (RFC 4271 §5 and each attribute's RFC),
 * without Extended Length. A convenience for building UPDATEs; the codec never checks flags.
 */
export function defaultAttributeFlags(code: number): number {
  switch (code) {
    case AttrType.ORIGIN:
    case AttrType.AS_PATH:
    case AttrType.NEXT_HOP:
    case AttrType.LOCAL_PREF:
    case AttrType.ATOMIC_AGGREGATE:
      return WELL_KNOWN;
    case AttrType.MULTI_EXIT_DISC:
    case AttrType.ORIGINATOR_ID:
    case AttrType.CLUSTER_LIST:
    case AttrType.MP_REACH_NLRI:
    case AttrType.MP_UNREACH_NLRI:
    case AttrType.AIGP:
      return OPTIONAL_NON_TRANSITIVE;
    default:
      return OPTIONAL_TRANSITIVE;
  }
}
