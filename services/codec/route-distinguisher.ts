/**
 * Route Distinguisher (RFC 4364 §4.2) text, the one form used across the codec: VPN NLRI and
 * next hops in BGP, the BMP Peer Distinguisher (RFC 7854 §4.2) and the ROFT route distinguisher.
 *
 * An RD is Type (2 octets) + Value (6 octets):
 *   type 0: Administrator = 2-octet ASN, Assigned Number = 4 octets     "65000:100"
 *   type 1: Administrator = IPv4 address, Assigned Number = 2 octets    "192.0.2.1:100"
 *   type 2: Administrator = 4-octet ASN, Assigned Number = 2 octets     "4200000000:100"; when the
 *           ASN would fit in two octets the text gets Junos' "L" suffix ("65000L:100") so that it
 *           cannot be mistaken for type 0
 *   any other type: "0x" + 4 hex digits of the type + ":" + 12 hex digits of the value
 *           ("0x0005:010203040506")
 *
 * These are the forms operators know from router configuration, and the text alone converts back
 * to the same 8 octets: writeRouteDistinguisher(formatRouteDistinguisher(b)) === b for every b.
 * The Peer Distinguisher of Local Instance peers (BMP peer type 2) is a router-chosen value that
 * need not be RD-shaped; whatever its octets, one of the forms above round-trips them.
 */
import { CodecError } from './errors.js';
import { formatIPv4, writeIPv4 } from './address.js';

export const ROUTE_DISTINGUISHER_LENGTH = 8;

/** Text of the all-zero RD (every global-instance per-peer header has one). */
export const ZERO_ROUTE_DISTINGUISHER = '0:0';

/** Formats the 8-octet RD at `offset` (the caller checked that 8 octets are there). */
export function formatRouteDistinguisher(buf: Buffer, offset: number): string {
  const type = (buf[offset] << 8) | buf[offset + 1];
  const a16 = (buf[offset + 2] << 8) | buf[offset + 3];
  const b16 = (buf[offset + 4] << 8) | buf[offset + 5];
  const c16 = (buf[offset + 6] << 8) | buf[offset + 7];
  switch (type) {
    case 0:
      // Fast path: global-instance peers carry an all-zero distinguisher on every message.
      if ((a16 | b16 | c16) === 0) return ZERO_ROUTE_DISTINGUISHER;
      return `${a16}:${b16 * 0x10000 + c16}`;
    case 1:
      return `${formatIPv4(buf, offset + 2)}:${c16}`;
    case 2: {
      const asn = a16 * 0x10000 + b16;
      return asn <= 0xffff ? `${asn}L:${c16}` : `${asn}:${c16}`;
    }
    default:
      return `0x${buf.toString('hex', offset, offset + 2)}:${buf.toString('hex', offset + 2, offset + 8)}`;
  }
}

function bad(text: unknown): never {
  throw new CodecError(`route distinguisher "${String(text)}" is not ASN:nn, IPv4:nn, ASN(L):nn or 0xTTTT:12 hex digits`, 0);
}

/** Decimal digits only (no sign, exponent, spaces or hex), at most 10 of them; -1 when not. */
function decimal(text: string, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Value of hex digit `c` (a char code), or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The octet of the two (checked) hex digits at `i`. */
function hexOctet(text: string, i: number): number {
  return (hexDigit(text.charCodeAt(i)) << 4) | hexDigit(text.charCodeAt(i + 1));
}

const ipv4Scratch = new Uint8Array(4);

/**
 * Writes the RD given as text (any form formatRouteDistinguisher produces) as 8 octets at
 * `offset` of `out`. Throws CodecError on malformed text, before writing anything.
 */
export function writeRouteDistinguisher(text: string, out: Uint8Array, offset: number): void {
  if (typeof text !== 'string') bad(text);
  const colon = text.indexOf(':');
  if (colon <= 0 || text.indexOf(':', colon + 1) !== -1) bad(text);

  // "0xTTTT:hhhhhhhhhhhh": any type, value in hex.
  if (text.charCodeAt(0) === 48 && (text.charCodeAt(1) === 120 || text.charCodeAt(1) === 88)) {
    if (colon !== 6 || text.length !== 19) bad(text);
    for (let i = 2; i < 19; i++) if (i !== 6 && hexDigit(text.charCodeAt(i)) < 0) bad(text);
    out[offset] = hexOctet(text, 2);
    out[offset + 1] = hexOctet(text, 4);
    for (let k = 0; k < 6; k++) out[offset + 2 + k] = hexOctet(text, 7 + 2 * k);
    return;
  }

  const assigned = decimal(text, colon + 1, text.length);
  if (assigned < 0) bad(text);

  // "a.b.c.d:nn": type 1.
  if (text.lastIndexOf('.', colon) !== -1) {
    if (assigned > 0xffff) bad(text);
    try {
      writeIPv4(text.slice(0, colon), ipv4Scratch, 0);
    } catch {
      bad(text);
    }
    out[offset] = 0;
    out[offset + 1] = 1;
    out.set(ipv4Scratch, offset + 2);
    out[offset + 6] = assigned >>> 8;
    out[offset + 7] = assigned & 0xff;
    return;
  }

  // "asn:nn" (type 0 when the ASN fits two octets, else type 2) or "asnL:nn" (type 2).
  const long = text.charCodeAt(colon - 1) === 76; // 'L'
  const asn = decimal(text, 0, long ? colon - 1 : colon);
  if (asn < 0 || asn > 0xffffffff) bad(text);
  if (!long && asn <= 0xffff) {
    if (assigned > 0xffffffff) bad(text);
    out[offset] = 0;
    out[offset + 1] = 0;
    out[offset + 2] = asn >>> 8;
    out[offset + 3] = asn & 0xff;
    out[offset + 4] = assigned >>> 24;
    out[offset + 5] = (assigned >>> 16) & 0xff;
    out[offset + 6] = (assigned >>> 8) & 0xff;
    out[offset + 7] = assigned & 0xff;
    return;
  }
  if (assigned > 0xffff) bad(text);
  out[offset] = 0;
  out[offset + 1] = 2;
  out[offset + 2] = asn >>> 24;
  out[offset + 3] = (asn >>> 16) & 0xff;
  out[offset + 4] = (asn >>> 8) & 0xff;
  out[offset + 5] = asn & 0xff;
  out[offset + 6] = assigned >>> 8;
  out[offset + 7] = assigned & 0xff;
}
