/**
 * IPv6 unicast / multicast NLRI (AFI 2, SAFI 1 and 2), carried only in MP_REACH/MP_UNREACH
 * (RFC 4760 §5, RFC 2545), same entry layout as IPv4 with prefix lengths up to 128; optional
 * ADD-PATH path identifier first (RFC 7911 §3).
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { countPrefixes, encodePrefixes } from './ipv4.js';
import { ipv6PrefixText } from './prefix.js';
import type { PrefixRoute, Route } from './route.js';
import { u32 } from '../bytes.js';

/** Decodes entries from `pos` to exactly `end` into a new array of exactly their number (see IPv4). */
export function decodeIPv6Prefixes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean): Route[] {
  const out = new Array<Route>(countPrefixes(buf, pos, end, addPath));
  let i = 0;
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 5) throw new CodecError(`IPv6 NLRI with ADD-PATH needs a 4-byte path identifier and a length, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    const bits = buf[pos];
    if (bits > 128) throw new CodecError(`IPv6 prefix length ${bits} exceeds 128`, pos);
    const n = (bits + 7) >>> 3;
    if (pos + 1 + n > end) throw new CodecError(`IPv6 prefix /${bits} needs ${n} bytes, only ${end - pos - 1} left`, pos);
    const route: PrefixRoute = { kind: 'prefix', afi, safi, prefix: ipv6PrefixText(buf, pos + 1, bits), pathId };
    out[i++] = route;
    pos += 1 + n;
  }
  return out;
}

export function encodeIPv6Prefixes(w: ByteWriter, routes: readonly Route[], addPath: boolean): void {
  encodePrefixes(w, routes, 128, addPath);
}
