/**
 * AFI / SAFI numbers and names (IANA "Address Family Numbers" and "SAFI Values" registries; see
 * docs/bmp-protocol.md §19), and which NLRI encoding this codec uses for each pair.
 */

export const AFI = {
  IPV4: 1,
  IPV6: 2,
  L2VPN: 25,
  BGP_LS: 16388,
} as const;

export const SAFI = {
  UNICAST: 1,
  MULTICAST: 2,
  LABELED_UNICAST: 4,
  MCAST_VPN: 5,
  VPLS: 65,
  EVPN: 70,
  BGP_LS: 71,
  BGP_LS_VPN: 72,
  SR_TE_POLICY: 73,
  MPLS_VPN: 128,
  MPLS_VPN_MULTICAST: 129,
  RT_CONSTRAINT: 132,
  FLOWSPEC: 133,
  FLOWSPEC_VPN: 134,
} as const;

const AFI_NAMES: Record<number, string> = { 1: 'ipv4', 2: 'ipv6', 25: 'l2vpn', 16388: 'bgp-ls' };

const SAFI_NAMES: Record<number, string> = {
  1: 'unicast',
  2: 'multicast',
  4: 'labeled-unicast',
  5: 'mcast-vpn',
  65: 'vpls',
  70: 'evpn',
  71: 'bgp-ls',
  72: 'bgp-ls-vpn',
  73: 'sr-te-policy',
  128: 'mpls-vpn',
  129: 'mpls-vpn-multicast',
  132: 'rt-constraint',
  133: 'flowspec',
  134: 'flowspec-vpn',
};

export function afiName(afi: number): string | null {
  return AFI_NAMES[afi] ?? null;
}

export function safiName(safi: number): string | null {
  return SAFI_NAMES[safi] ?? null;
}

/** "ipv4-unicast", "l2vpn-evpn", or "afi-7-safi-200" for unregistered pairs. */
export function familyName(afi: number, safi: number): string {
  const a = AFI_NAMES[afi];
  const s = SAFI_NAMES[safi];
  if (a !== undefined && s !== undefined) return `${a}-${s}`;
  return `afi-${afi}-safi-${safi}`;
}

/**
 * How the NLRI of a family is laid out:
 * - 'ipv4' / 'ipv6': plain prefixes (RFC 4271 §4.3; RFC 4760 §5 for MP families), SAFI 1 and 2;
 * - 'labeled_*': RFC 8277 §2 labeled unicast, SAFI 4;
 * - 'vpn_*': RFC 4364 §4.3.4 / RFC 4659 §3.2 VPN routes (labels + RD + prefix), SAFI 128 and 129
 *   (RFC 6513 reuses the SAFI 128 encoding for SAFI 129);
 * - 'evpn': RFC 7432 §7 EVPN routes, AFI 25 / SAFI 70 (evpn.ts);
 * - 'vpls': RFC 4761 §3.2.2 / RFC 6074 §7.1 VPLS routes, AFI 25 / SAFI 65 (vpls.ts);
 * - 'mvpn': RFC 6514 §4 MCAST-VPN routes, SAFI 5 over AFI 1 and 2 (mvpn.ts);
 * - 'rt_constraint': RFC 4684 §4 route target membership, AFI 1 / SAFI 132 (rt-constraint.ts);
 * - 'flowspec' / 'flowspec_vpn': RFC 8955 / RFC 8956 flow specification rules, SAFI 133 and 134;
 * - 'bgp_ls': Link-State NLRI, AFI 16388 SAFI 71 and 72 (RFC 9552 §5.2);
 * - 'sr_policy': SR Policy NLRI, SAFI 73 (RFC 9830 §2.1);
 * - 'raw': everything else, kept as opaque bytes.
 */
export type NlriEncoding = 'ipv4' | 'ipv6' | 'labeled_ipv4' | 'labeled_ipv6' | 'vpn_ipv4' | 'vpn_ipv6' | 'evpn' | 'vpls' | 'mvpn' | 'rt_constraint' | 'flowspec' | 'flowspec_vpn' | 'bgp_ls' | 'sr_policy' | 'raw';

export function nlriEncoding(afi: number, safi: number): NlriEncoding {
  if (afi === 1) {
    if (safi === 1 || safi === 2) return 'ipv4';
    if (safi === 4) return 'labeled_ipv4';
    if (safi === 128 || safi === 129) return 'vpn_ipv4';
    if (safi === 5) return 'mvpn';
    if (safi === 132) return 'rt_constraint';
    if (safi === 133) return 'flowspec';
    if (safi === 134) return 'flowspec_vpn';
  } else if (afi === 2) {
    if (safi === 1 || safi === 2) return 'ipv6';
    if (safi === 4) return 'labeled_ipv6';
    if (safi === 128 || safi === 129) return 'vpn_ipv6';
    if (safi === 5) return 'mvpn';
    if (safi === 133) return 'flowspec';
    if (safi === 134) return 'flowspec_vpn';
  } else if (afi === 25) {
    if (safi === 70) return 'evpn';
    if (safi === 65) return 'vpls';
  } else if (afi === 16388) {
    if (safi === 71 || safi === 72) return 'bgp_ls';
  }
  if (safi === 73 && (afi === 1 || afi === 2)) return 'sr_policy';
  return 'raw';
}
