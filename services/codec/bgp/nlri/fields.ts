/**
 * Wire fields shared by the EVPN, VPLS and MVPN NLRI decoders (evpn.ts, vpls.ts, mvpn.ts): IP
 * addresses whose length is known (4 or 16 octets), MAC addresses, Ethernet Segment Identifiers,
 * and the "length in bits, then address" pairs of the multicast route types.
 *
 * Decoders here return null instead of throwing when a field does not fit: the callers keep a
 * route whose value does not match its type's layout as raw bytes (so it still re-encodes).
 */
import { formatIPv4, formatIPv6, isIPv6Text, writeIPv4, writeIPv6 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

/** Text of the 4- or 16-octet address at `pos`. */
export function addressText(buf: Uint8Array, pos: number, octets: 4 | 16): string {
  return octets === 4 ? formatIPv4(buf, pos) : formatIPv6(buf, pos);
}

/** Octets of an address given as text: 16 for IPv6 text, 4 otherwise. */
export function addressOctets(text: string): 4 | 16 {
  return isIPv6Text(text) ? 16 : 4;
}

/** Writes an IPv4 or IPv6 address (4 or 16 octets, by its text). */
export function writeAddress(w: ByteWriter, text: string): void {
  const [buf, at] = w.slot(addressOctets(text));
  if (isIPv6Text(text)) writeIPv6(text, buf, at);
  else writeIPv4(text, buf, at);
}

/**
 * A "length in bits (1 octet), address" pair at `pos` (EVPN IP Address Length, RFC 7432 §7.2-7.4;
 * Multicast Source/Group Length, RFC 6514 §4.3, RFC 9251 §9.1): the address text, or null for
 * length 0 (no address / the RFC 6625 wildcard), and the position after it. Null when the length is
 * not 0, 32 or 128 or the address runs past `end`.
 */
export function readLengthAddress(buf: Uint8Array, pos: number, end: number): { text: string | null; next: number } | null {
  if (pos >= end) return null;
  const bits = buf[pos];
  if (bits === 0) return { text: null, next: pos + 1 };
  if (bits !== 32 && bits !== 128) return null;
  const octets = bits === 32 ? 4 : 16;
  if (pos + 1 + octets > end) return null;
  return { text: addressText(buf, pos + 1, octets), next: pos + 1 + octets };
}

/** Writes the pair readLengthAddress reads: 0 for null, else 32 or 128 and the address. */
export function writeLengthAddress(w: ByteWriter, text: string | null): void {
  if (text === null) {
    w.u8(0, 'address length');
    return;
  }
  w.u8(addressOctets(text) * 8, 'address length');
  writeAddress(w, text);
}

/** The rest of a value, [pos, end), as an address when it is exactly 4 or 16 octets; else null. */
export function readTrailingAddress(buf: Uint8Array, pos: number, end: number): string | null {
  if (end - pos === 4) return formatIPv4(buf, pos);
  if (end - pos === 16) return formatIPv6(buf, pos);
  return null;
}

/** Colon-separated lower-case hex of `n` octets ("00:11:22:33:44:55" for a MAC). */
export function colonHex(buf: Uint8Array, pos: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (i ? ':' : '') + (buf[pos + i] < 16 ? '0' : '') + buf[pos + i].toString(16);
  return s;
}

/** Writes `n` octets given as colonHex text. */
export function writeColonHex(w: ByteWriter, text: string, n: number, what: string): void {
  const parts = typeof text === 'string' ? text.split(':') : [];
  if (parts.length !== n || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) encodeError(`${what} "${String(text)}" is not ${n} colon-separated hex octets`);
  for (const p of parts) w.u8(parseInt(p, 16), what);
}

/** Ethernet Segment Identifier (RFC 7432 §5): 10 octets, Type (first octet) + 9-octet value. */
export const ESI_LENGTH = 10;
