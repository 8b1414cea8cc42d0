/**
 * NLRI dispatch by AFI/SAFI (docs/bmp-protocol.md §19-§20).
 */
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { nlriEncoding } from './families.js';
import { decodeFlowspecNlri, encodeFlowspecNlri } from './flowspec.js';
import { decodeBgpLsNlri, encodeBgpLsNlri } from './bgp-ls/nlri.js';
import { decodeIPv4Prefixes, encodeIPv4Prefixes } from './ipv4.js';
import { decodeIPv6Prefixes, encodeIPv6Prefixes } from './ipv6.js';
import { decodeLabeledPrefixes, encodeLabeledPrefixes } from './labeled.js';
import { decodeRawNlri, encodeRawNlri } from './raw.js';
import type { Route } from './route.js';
import { decodeSrPolicyNlri, encodeSrPolicyNlri } from './sr-policy.js';
import { decodeVpnPrefixes, encodeVpnPrefixes } from './vpn.js';
import { decodeEvpnRoutes, encodeEvpnRoutes, evpnRouteText } from './evpn.js';
import { decodeVplsRoutes, encodeVplsRoutes, vplsRouteText } from './vpls.js';
import { decodeMvpnRoutes, encodeMvpnRoutes, mvpnRouteText } from './mvpn.js';
import { decodeRtConstraintRoutes, encodeRtConstraintRoutes, rtConstraintRouteText } from './rt-constraint.js';

/**
 * Decodes the NLRI block [start, end) of a family into a new array of routes. `withdraw` is true
 * inside MP_UNREACH_NLRI (it matters for labeled families only). Throws CodecError when malformed.
 */
export function decodeNlri(buf: Buffer, start: number, end: number, afi: number, safi: number, addPath: boolean, withdraw: boolean): Route[] {
  const out: Route[] = [];
  switch (nlriEncoding(afi, safi)) {
    case 'ipv4':
      return decodeIPv4Prefixes(buf, start, end, afi, safi, addPath);
    case 'ipv6':
      return decodeIPv6Prefixes(buf, start, end, afi, safi, addPath);
    case 'labeled_ipv4':
      decodeLabeledPrefixes(buf, start, end, afi, safi, addPath, withdraw, 32, 0, out);
      return out;
    case 'labeled_ipv6':
      decodeLabeledPrefixes(buf, start, end, afi, safi, addPath, withdraw, 128, 0, out);
      return out;
    case 'vpn_ipv4':
    case 'vpn_ipv6':
      decodeVpnPrefixes(buf, start, end, afi, safi, addPath, withdraw, out);
      return out;
    case 'evpn':
      decodeEvpnRoutes(buf, start, end, afi, safi, addPath, out);
      return out;
    case 'vpls':
      decodeVplsRoutes(buf, start, end, afi, safi, addPath, out);
      return out;
    case 'mvpn':
      decodeMvpnRoutes(buf, start, end, afi, safi, addPath, out);
      return out;
    case 'rt_constraint':
      decodeRtConstraintRoutes(buf, start, end, afi, safi, addPath, out);
      return out;
    case 'flowspec':
    case 'flowspec_vpn':
      decodeFlowspecNlri(buf, start, end, afi, safi, addPath, safi === 134, out);
      return out;
    case 'bgp_ls':
      decodeBgpLsNlri(buf, start, end, afi, safi, addPath, out);
      return out;
    case 'sr_policy':
      decodeSrPolicyNlri(buf, start, end, afi, safi, addPath, out);
      return out;
    case 'raw':
      decodeRawNlri(buf, start, end, afi, safi, out);
      return out;
  }
}

/** Encodes routes of one family; every route must belong to that family. */
export function encodeNlri(w: ByteWriter, routes: readonly Route[], afi: number, safi: number, addPath: boolean, withdraw: boolean): void {
  for (const r of routes) {
    if (r.afi !== afi || r.safi !== safi) encodeError(`route of family ${r.afi}/${r.safi} placed in ${afi}/${safi} NLRI`);
  }
  switch (nlriEncoding(afi, safi)) {
    case 'ipv4':
      encodeIPv4Prefixes(w, routes, addPath);
      return;
    case 'ipv6':
      encodeIPv6Prefixes(w, routes, addPath);
      return;
    case 'labeled_ipv4':
      encodeLabeledPrefixes(w, routes, addPath, withdraw, 32, false);
      return;
    case 'labeled_ipv6':
      encodeLabeledPrefixes(w, routes, addPath, withdraw, 128, false);
      return;
    case 'vpn_ipv4':
    case 'vpn_ipv6':
      encodeVpnPrefixes(w, routes, afi, addPath, withdraw);
      return;
    case 'evpn':
      encodeEvpnRoutes(w, routes, addPath);
      return;
    case 'vpls':
      encodeVplsRoutes(w, routes, addPath);
      return;
    case 'mvpn':
      encodeMvpnRoutes(w, routes, addPath);
      return;
    case 'rt_constraint':
      encodeRtConstraintRoutes(w, routes, addPath);
      return;
    case 'flowspec':
    case 'flowspec_vpn':
      encodeFlowspecNlri(w, routes, afi, addPath, safi === 134);
      return;
    case 'bgp_ls':
      encodeBgpLsNlri(w, routes, safi, addPath);
      return;
    case 'sr_policy':
      encodeSrPolicyNlri(w, routes, afi, addPath);
      return;
    case 'raw':
      encodeRawNlri(w, routes, afi, safi);
      return;
  }
}

/**
 * The text that names a route within its family: the CIDR prefix, or the canonical text of an
 * EVPN, VPLS, MCAST-VPN or RT membership route; '' for a raw NLRI block.
 */
export function routeText(r: Route): string {
  switch (r.kind) {
    case 'prefix':
      return r.prefix;
    case 'evpn':
      return evpnRouteText(r);
    case 'vpls':
      return vplsRouteText(r);
    case 'mvpn':
      return mvpnRouteText(r);
    case 'rt_constraint':
      return rtConstraintRouteText(r);
    case 'flowspec':
      return r.rd === null ? r.prefix : `${r.rd}|${r.prefix}`;
    case 'bgp_ls':
      return r.rd === null ? r.prefix : `${r.rd}|${r.prefix}`;
    case 'sr_policy':
      return r.prefix;
    case 'raw':
      return '';
  }
}

export type { BgpLsRoute, EvpnRoute, FlowspecComponent, FlowspecItem, FlowspecRoute, MvpnRoute, PrefixRoute, RawRoute, Route, RtConstraintRoute, SrPolicyRoute, VplsRoute } from './route.js';
