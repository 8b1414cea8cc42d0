/**
 * BGP/MPLS L3VPN NLRI, SAFI 128 (and 129, which reuses it): VPN-IPv4 (RFC 4364 §4.3.4) and
 * VPN-IPv6 (RFC 4659 §3.2). Each entry is a labeled-unicast entry (RFC 8277 §2) whose prefix is
 * preceded by an 8-octet Route Distinguisher; labeled.ts does the work with rdBits = 64.
 */
import type { ByteWriter } from '../writer.js';
import { decodeLabeledPrefixes, encodeLabeledPrefixes } from './labeled.js';
import type { Route } from './route.js';

export function decodeVpnPrefixes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, withdraw: boolean, out: Route[]): void {
  decodeLabeledPrefixes(buf, pos, end, afi, safi, addPath, withdraw, afi === 2 ? 128 : 32, 64, out);
}

export function encodeVpnPrefixes(w: ByteWriter, routes: readonly Route[], afi: number, addPath: boolean, withdraw: boolean): void {
  encodeLabeledPrefixes(w, routes, addPath, withdraw, afi === 2 ? 128 : 32, true);
}
