/**
 * IPv4 unicast / multicast NLRI (AFI 1, SAFI 1 and 2): the Withdrawn Routes and NLRI fields of the
 * UPDATE body (RFC 4271 §4.3) and the NLRI inside MP_REACH/MP_UNREACH (RFC 4760 §5), each entry
 * optionally preceded by a 4-octet ADD-PATH path identifier (RFC 7911 §3).
 *
 * This loop is the collector's hottest code: no closures, no per-entry allocation besides the
 * route object and its text, errors only on malformed input.
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { ipv4PrefixText, parsePrefix, writePrefixOctets } from './prefix.js';
import type { PrefixRoute, Route } from './route.js';
import { u32 } from '../bytes.js';

/**
 * How many entries of plain prefixes (IPv4 or IPv6, optionally with path identifiers) lie in
 * [pos, end), read from their length octets alone: exact for a well-formed block, and for a
 * malformed one no more than the decoders get through before they throw.
 */
export function countPrefixes(buf: Uint8Array, pos: number, end: number, addPath: boolean): number {
  const idLength = addPath ? 4 : 0;
  let n = 0;
  for (;;) {
    pos += idLength;
    if (pos >= end) return n;
    pos += 1 + ((buf[pos] + 7) >>> 3);
    n++;
  }
}

/**
 * Decodes entries from `pos` to exactly `end` into a new array of exactly their number (an array
 * grown by push would reserve room for 16 routes for the usual one to four).
 */
export function decodeIPv4Prefixes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean): Route[] {
  const out = new Array<Route>(countPrefixes(buf, pos, end, addPath));
  let i = 0;
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 5) throw new CodecError(`IPv4 NLRI with ADD-PATH needs a 4-byte path identifier and a length, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    const bits = buf[pos];
    if (bits > 32) throw new CodecError(`IPv4 prefix length ${bits} exceeds 32`, pos);
    const n = (bits + 7) >>> 3;
    if (pos + 1 + n > end) throw new CodecError(`IPv4 prefix /${bits} needs ${n} bytes, only ${end - pos - 1} left`, pos);
    const route: PrefixRoute = { kind: 'prefix', afi, safi, prefix: ipv4PrefixText(buf, pos + 1, bits), pathId };
    out[i++] = route;
    pos += 1 + n;
  }
  return out;
}

/** Writes plain prefixes (IPv4 or IPv6 by `width`) with optional path identifiers. */
export function encodePrefixes(w: ByteWriter, routes: readonly Route[], width: 32 | 128, addPath: boolean): void {
  for (const r of routes) {
    if (r.kind === 'raw') {
      w.bytes(r.raw);
      continue;
    }
    if (r.kind !== 'prefix') encodeError(`IP prefix NLRI: route of kind "${r.kind}" cannot be encoded here`);
    writePathId(w, r.pathId, addPath, r.prefix);
    const bits = parsePrefix(r.prefix, width);
    w.u8(bits, 'prefix length');
    writePrefixOctets(w, bits);
  }
}

/** ADD-PATH consistency on encode: the identifier must be present exactly when the family has it. */
export function writePathId(w: ByteWriter, pathId: number | null, addPath: boolean, prefix: string): void {
  if (addPath) {
    if (pathId === null || pathId === undefined) encodeError(`route ${prefix} has no path identifier but the family uses ADD-PATH`);
    w.u32(pathId, 'ADD-PATH path identifier');
  } else if (pathId !== null && pathId !== undefined) {
    encodeError(`route ${prefix} has path identifier ${pathId} but the family does not use ADD-PATH`);
  }
}

export function encodeIPv4Prefixes(w: ByteWriter, routes: readonly Route[], addPath: boolean): void {
  encodePrefixes(w, routes, 32, addPath);
}
