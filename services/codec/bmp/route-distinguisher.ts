/**
 * Route Distinguisher text (RFC 4364 §4.2), used for the BMP Peer Distinguisher (RFC 7854 §4.2)
 * and the ROFT route distinguisher.
 *
 * An RD is Type (2 octets) + Value (6 octets):
 *   type 0: Administrator = 2-octet ASN, Assigned Number = 4 octets
 *   type 1: Administrator = IPv4 address, Assigned Number = 2 octets
 *   type 2: Administrator = 4-octet ASN, Assigned Number = 2 octets
 *
 * Text form is `type:administrator:assigned` ("0:64499:11", "1:192.0.2.1:7", "2:4200000000:5"),
 * the form pmacct's BMP output uses. The leading type keeps types 0 and 2 apart ("65000:1" is
 * both a type-0 and a type-2 RD), so the text converts back to the same 8 octets. The Peer
 * Distinguisher of Local Instance peers (peer type 2) is a router-chosen value that need not be
 * RD-shaped; any other type is written `type:hhhhhhhhhhhh` (the 6 value octets in hex).
 */
import { CodecError } from '../errors.js';
import { formatIPv4, writeIPv4 } from '../address.js';

export const ROUTE_DISTINGUISHER_LENGTH = 8;

/** Text of the all-zero RD (global instance), returned without formatting. */
export const ZERO_ROUTE_DISTINGUISHER = '0:0:0';

/** Formats the 8-octet RD at `offset` (caller checked the bounds). */
export function formatRouteDistinguisher(buf: Buffer, offset: number): string {
  const type = buf.readUInt16BE(offset);
  if (type === 0) {
    // Fast path: global-instance peers carry an all-zero distinguisher on every message.
    if (buf.readUInt32BE(offset + 2) === 0 && buf.readUInt16BE(offset + 6) === 0) return ZERO_ROUTE_DISTINGUISHER;
    return `0:${buf.readUInt16BE(offset + 2)}:${buf.readUInt32BE(offset + 4)}`;
  }
  if (type === 1) return `1:${formatIPv4(buf, offset + 2)}:${buf.readUInt16BE(offset + 6)}`;
  if (type === 2) return `2:${buf.readUInt32BE(offset + 2)}:${buf.readUInt16BE(offset + 6)}`;
  return `${type}:${buf.toString('hex', offset + 2, offset + 8)}`;
}

function parseUint(text: string, max: number, rd: string): number {
  if (text === '' || text.length > 10) throw new CodecError(`not a route distinguisher: ${rd}`, 0);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) throw new CodecError(`not a route distinguisher: ${rd}`, 0);
  }
  const n = Number(text);
  if (n > max) throw new CodecError(`not a route distinguisher: ${rd}`, 0);
  return n;
}

/** Writes the RD text (as produced by formatRouteDistinguisher) as 8 octets at `offset`. */
export function writeRouteDistinguisher(text: string, out: Buffer, offset: number): void {
  const parts = text.split(':');
  const type = parseUint(parts[0], 0xffff, text);
  out.writeUInt16BE(type, offset);
  if (type <= 2) {
    if (parts.length !== 3) throw new CodecError(`not a route distinguisher: ${text}`, 0);
    if (type === 0) {
      out.writeUInt16BE(parseUint(parts[1], 0xffff, text), offset + 2);
      out.writeUInt32BE(parseUint(parts[2], 0xffffffff, text), offset + 4);
    } else if (type === 1) {
      writeIPv4(parts[1], out, offset + 2);
      out.writeUInt16BE(parseUint(parts[2], 0xffff, text), offset + 6);
    } else {
      out.writeUInt32BE(parseUint(parts[1], 0xffffffff, text), offset + 2);
      out.writeUInt16BE(parseUint(parts[2], 0xffff, text), offset + 6);
    }
    return;
  }
  if (parts.length !== 2 || parts[1].length !== 12 || !/^[0-9a-fA-F]{12}$/.test(parts[1])) {
    throw new CodecError(`not a route distinguisher: ${text}`, 0);
  }
  out.write(parts[1], offset + 2, 6, 'hex');
}
