/**
 * Prefix octets <-> CIDR text, shared by every IP-based NLRI family.
 *
 * Decoding is the hot path (one call per route): IPv4 octets are read into numbers and joined with
 * a template string, so no Buffer is allocated for a prefix shorter than /32; IPv6 goes through a
 * module-level 16-byte scratch buffer and ../address.ts's RFC 5952 formatter.
 */
import { CodecError } from '../../errors.js';
import { formatIPv6, writeIPv4, writeIPv6 } from '../../address.js';
import type { ByteWriter } from '../writer.js';

const SCRATCH6 = Buffer.alloc(16);
const PARSE = Buffer.alloc(16);

/*
 * Texts of the pieces of a CIDR prefix ("10.", "10", "/24"), so that IPv4 prefix text is four
 * concatenations of table entries instead of five number-to-string conversions and eight
 * concatenations (this runs once per IPv4 route).
 */
const OCTET_DOT: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`);
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}`);
const SLASH_BITS: readonly string[] = Array.from({ length: 129 }, (_, i) => `/${i}`);
/*
 * The octets not on the wire and the length, in one piece, by wire octet count n = ⌈bits/8⌉ < 4:
 * ZERO_TAIL[n][bits] = "0/24" (n 3), "0.0/16" (n 2), ... So the text of a prefix up to /24, most
 * of a table, is n + 1 pieces: one concatenation (and one intermediate string) fewer.
 */
const ZERO_TAIL: readonly (readonly string[])[] = ['0.0.0.0', '0.0.0', '0.0', '0'].map((zeros) => Array.from({ length: 33 }, (_, i) => `${zeros}/${i}`));

/** CIDR text for an IPv4 prefix of `bits` bits whose ⌈bits/8⌉ octets start at `pos`. */
export function ipv4PrefixText(buf: Uint8Array, pos: number, bits: number): string {
  const n = (bits + 7) >>> 3;
  switch (n) {
    case 3:
      return OCTET_DOT[buf[pos]] + OCTET_DOT[buf[pos + 1]] + OCTET_DOT[buf[pos + 2]] + ZERO_TAIL[3][bits];
    case 2:
      return OCTET_DOT[buf[pos]] + OCTET_DOT[buf[pos + 1]] + ZERO_TAIL[2][bits];
    case 1:
      return OCTET_DOT[buf[pos]] + ZERO_TAIL[1][bits];
    case 0:
      return ZERO_TAIL[0][bits];
    default:
      // n 4 (bits 25-32), and the over-long lengths callers reject before or after (labeled NLRI).
      return OCTET_DOT[buf[pos]] + OCTET_DOT[buf[pos + 1]] + OCTET_DOT[buf[pos + 2]] + OCTET[buf[pos + 3]] + (bits <= 128 ? SLASH_BITS[bits] : `/${bits}`);
  }
}

/** CIDR text for an IPv6 prefix of `bits` bits whose ⌈bits/8⌉ octets start at `pos`. */
export function ipv6PrefixText(buf: Uint8Array, pos: number, bits: number): string {
  const n = (bits + 7) >>> 3;
  for (let i = 0; i < 16; i++) SCRATCH6[i] = i < n ? buf[pos + i] : 0;
  return formatIPv6(SCRATCH6, 0) + (bits <= 128 ? SLASH_BITS[bits] : `/${bits}`);
}

/**
 * Parses CIDR text into a module scratch buffer and returns the prefix length. The address octets
 * are then written with `writePrefixOctets`. Throws CodecError on malformed text.
 */
export function parsePrefix(text: string, width: 32 | 128): number {
  const slash = typeof text === 'string' ? text.indexOf('/') : -1;
  if (slash < 0) throw new CodecError(`prefix "${String(text)}" has no /length`, 0);
  const lenText = text.slice(slash + 1);
  const bits = Number(lenText);
  if (lenText === '' || !/^\d+$/.test(lenText) || bits > width) {
    throw new CodecError(`prefix "${text}": length must be 0..${width}`, 0);
  }
  if (width === 32) writeIPv4(text.slice(0, slash), PARSE, 0);
  else writeIPv6(text.slice(0, slash), PARSE, 0);
  return bits;
}

/**
 * Writes the first ⌈bits/8⌉ octets of the address last parsed by `parsePrefix`. Octets past that
 * are not on the wire (RFC 4271 §4.3), so text with address bits beyond them does not round-trip.
 */
export function writePrefixOctets(w: ByteWriter, bits: number): void {
  const n = (bits + 7) >>> 3;
  w.bytes(PARSE.subarray(0, n));
}

/**
 * Canonical form of CIDR text with the host bits cleared ("10.1.2.3/8" -> "10.0.0.0/8"). Not used
 * by the decoder, which renders the wire bits as they are; offered for consumers that need a route
 * key independent of a sender's don't-care bits.
 */
export function maskPrefix(text: string): string {
  const v6 = text.includes(':');
  const width = v6 ? 128 : 32;
  const bits = parsePrefix(text, width);
  const out = Buffer.alloc(16);
  const full = bits >>> 3;
  PARSE.copy(out, 0, 0, full);
  if (bits & 7) out[full] = PARSE[full] & (0xff << (8 - (bits & 7)));
  return v6 ? ipv6PrefixText(out, 0, bits) : ipv4PrefixText(out, 0, bits);
}
