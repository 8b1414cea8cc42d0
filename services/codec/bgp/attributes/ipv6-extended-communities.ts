/**
 * IPv6 Address Specific Extended Community, type 25 (RFC 5701 §2): 20-octet values,
 * Type (1: 0x00 transitive, 0x40 non-transitive) + Sub-Type (1) + Global Administrator (16, an IPv6
 * address) + Local Administrator (2). Sub-types 0x02 route target and 0x03 route origin come from
 * RFC 5701 §3, 0x0b VRF Route Import from RFC 6515 §2, 0x0d flowspec redirect (transitive only)
 * from RFC 8956 §6.1; others render generically.
 *
 * Text: "rt:[2001:db8::1]:100"; the brackets keep the address's colons apart from the separator.
 * All 20 octets are covered by type/subtype/global/local, so no raw copy is needed to re-encode.
 */
import { CodecError } from '../../errors.js';
import { formatIPv6, writeIPv6 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export interface Ipv6ExtendedCommunity {
  type: number;
  subtype: number;
  /** 'route_target', 'route_origin', 'vrf_route_import', 'redirect' or 'unknown'. */
  kind: string;
  transitive: boolean;
  /** Global Administrator, IPv6 text (RFC 5952). */
  global: string;
  local: number;
  text: string;
}

function kindOf(type: number, subtype: number): string {
  if ((type & 0xbf) !== 0x00) return 'unknown';
  if (subtype === 0x02) return 'route_target';
  if (subtype === 0x03) return 'route_origin';
  if (subtype === 0x0b) return 'vrf_route_import';
  // Flowspec redirect to the VRF of this IPv6-address-specific route target (RFC 8956 §6.1).
  if (subtype === 0x0d && type === 0x00) return 'redirect';
  return 'unknown';
}

const PREFIX: Record<string, string> = { route_target: 'rt', route_origin: 'ro', vrf_route_import: 'vrf-import', redirect: 'redirect' };

export function makeIpv6ExtendedCommunity(type: number, subtype: number, global: string, local: number): Ipv6ExtendedCommunity {
  const kind = kindOf(type, subtype);
  const head = PREFIX[kind] ?? `0x${type.toString(16).padStart(2, '0')}${subtype.toString(16).padStart(2, '0')}`;
  return { type, subtype, kind, transitive: (type & 0x40) === 0, global, local, text: `${head}:[${global}]:${local}` };
}

export function decodeIpv6ExtendedCommunities(buf: Buffer, start: number, end: number): Ipv6ExtendedCommunity[] {
  const len = end - start;
  if (len === 0 || len % 20 !== 0) throw new CodecError(`IPV6_EXTENDED_COMMUNITIES length ${len} is not a non-zero multiple of 20 (RFC 5701 §2)`, start);
  const out: Ipv6ExtendedCommunity[] = [];
  for (let pos = start; pos < end; pos += 20) {
    out.push(makeIpv6ExtendedCommunity(buf[pos], buf[pos + 1], formatIPv6(buf, pos + 2), (buf[pos + 18] << 8) | buf[pos + 19]));
  }
  return out;
}

export function encodeIpv6ExtendedCommunities(w: ByteWriter, values: readonly Ipv6ExtendedCommunity[]): void {
  if (values.length === 0) encodeError('IPV6_EXTENDED_COMMUNITIES must not be empty');
  for (const c of values) {
    w.u8(c.type, 'IPv6 extended community type');
    w.u8(c.subtype, 'IPv6 extended community sub-type');
    const [buf, at] = w.slot(16);
    writeIPv6(c.global, buf, at);
    w.u16(c.local, 'IPv6 extended community local administrator');
  }
}
