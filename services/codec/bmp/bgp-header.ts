/**
 * The one piece of BGP the BMP layer reads: the 19-octet BGP message header (RFC 4271 §4.1),
 * to find where an embedded BGP message ends (the two OPENs of a Peer Up, the NOTIFICATION of a
 * Peer Down, the UPDATE of a "PDU first" v4 Route Monitoring). Message bodies are left to the BGP
 * codec; the BMP layer hands out Buffer views.
 *
 *   offset size field
 *     0    16   Marker, all ones
 *    16     2   Length of the whole message, header included (19..4096; up to 65535 for
 *               non-OPEN/KEEPALIVE messages with Extended Messages, RFC 8654)
 *    18     1   Type (1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH)
 */
import { CodecError, ensureBytes } from '../errors.js';

export const BGP_HEADER_LENGTH = 19;

export const BgpMessageTypeCode = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

/** True when the 16 octets at `offset` are all ones (caller checked the bounds). */
export function hasBgpMarker(buf: Buffer, offset: number): boolean {
  return (
    buf.readUInt32BE(offset) === 0xffffffff &&
    buf.readUInt32BE(offset + 4) === 0xffffffff &&
    buf.readUInt32BE(offset + 8) === 0xffffffff &&
    buf.readUInt32BE(offset + 12) === 0xffffffff
  );
}

/**
 * Length of the BGP message at `offset`, checked to lie within `end`: the marker must be all ones,
 * the length at least 19, and the type `expectType` when given.
 */
export function bgpMessageLength(buf: Buffer, offset: number, end: number, what: string, expectType?: number): number {
  ensureBytes(end, offset, BGP_HEADER_LENGTH, `${what} BGP header`);
  if (!hasBgpMarker(buf, offset)) throw new CodecError(`${what}: BGP marker is not all ones`, offset);
  const length = buf.readUInt16BE(offset + 16);
  if (length < BGP_HEADER_LENGTH) throw new CodecError(`${what}: BGP length ${length} is below 19`, offset + 16);
  if (offset + length > end) {
    throw new CodecError(`${what}: BGP length ${length} exceeds the ${end - offset} octets left in the BMP message`, offset + 16);
  }
  const type = buf[offset + 18];
  if (expectType !== undefined && type !== expectType) {
    throw new CodecError(`${what}: BGP message type ${type}, expected ${expectType}`, offset + 18);
  }
  return length;
}
