/**
 * Family names of the event model: snake_case, as operators say them ("vpnv4_unicast"), used in
 * route events and in `bmp decode --summary`.
 */

const NAMES = new Map<number, string>([
  [1 * 256 + 1, 'ipv4_unicast'],
  [2 * 256 + 1, 'ipv6_unicast'],
  [1 * 256 + 2, 'ipv4_multicast'],
  [2 * 256 + 2, 'ipv6_multicast'],
  [1 * 256 + 4, 'ipv4_labeled_unicast'],
  [2 * 256 + 4, 'ipv6_labeled_unicast'],
  [1 * 256 + 5, 'ipv4_mvpn'],
  [2 * 256 + 5, 'ipv6_mvpn'],
  [1 * 256 + 128, 'vpnv4_unicast'],
  [2 * 256 + 128, 'vpnv6_unicast'],
  [1 * 256 + 129, 'vpnv4_multicast'],
  [2 * 256 + 129, 'vpnv6_multicast'],
  [1 * 256 + 132, 'rt_constraint'],
  [1 * 256 + 133, 'ipv4_flowspec'],
  [2 * 256 + 133, 'ipv6_flowspec'],
  [1 * 256 + 134, 'ipv4_flowspec_vpn'],
  [2 * 256 + 134, 'ipv6_flowspec_vpn'],
  [1 * 256 + 73, 'ipv4_sr_policy'],
  [2 * 256 + 73, 'ipv6_sr_policy'],
  [25 * 256 + 65, 'vpls'],
  [25 * 256 + 70, 'evpn'],
  [16388 * 256 + 71, 'bgp_ls'],
  [16388 * 256 + 72, 'bgp_ls_vpn'],
]);

/** "ipv4_unicast", "evpn", ... or "afi_<n>_safi_<m>" for pairs without a name. */
export function familyName(afi: number, safi: number): string {
  return NAMES.get(afi * 256 + safi) ?? `afi_${afi}_safi_${safi}`;
}
