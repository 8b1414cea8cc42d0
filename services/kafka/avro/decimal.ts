/**
 * Decimal texts written as ASCII straight into a buffer, for the hand-written Avro writers that
 * write the event model's texts from the wire (communities, IPv4 prefixes) rather than from
 * strings: the digits of a number are the text's octets.
 */

export const COLON = 0x3a;
const ZERO = 0x30;
const DOT = 0x2e;
const SLASH = 0x2f;

/** Octets between two entries of the digit table (the most a 16-bit value has). */
export const DIGITS_PER_HALF = 5;

/**
 * The decimal ASCII of every 16-bit value, DIGITS_PER_HALF octets apart, and each one's length: a
 * community's half (or an address octet) is looked up rather than divided out digit by digit.
 * Each entry is its digits, then zeros to DIGITS_PER_HALF octets.
 *
 * Writers copy an entry's octets without looking at its length (all DIGITS_PER_HALF of them, or
 * all 3 of an octet's), then move on by the length: what lands past the digits is overwritten
 * by what follows, or lies past the end. A copy of as many octets as the length asked a branch
 * per digit that the processor could not predict (the lengths vary from value to value).
 */
export interface DecimalHalves {
  digits: Uint8Array;
  lengths: Uint8Array;
}

let halves: DecimalHalves | null = null;

/** The table, made on first use (384 KiB). */
export function decimalHalves(): DecimalHalves {
  if (halves !== null) return halves;
  const digits = new Uint8Array(0x10000 * DIGITS_PER_HALF);
  const lengths = new Uint8Array(0x10000);
  for (let v = 0; v < 0x10000; v++) lengths[v] = writeDecimal(digits, v * DIGITS_PER_HALF, v) - v * DIGITS_PER_HALF;
  halves = { digits, lengths };
  return halves;
}

/** Writes `n` (an integer, 0 <= n < 2^32) in decimal ASCII at `buf[at]`; returns the end. */
export function writeDecimal(buf: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  const end = at + digits;
  for (let p = end - 1; p >= at; p--) {
    const q = Math.floor(n / 10);
    buf[p] = ZERO + (n - q * 10);
    n = q;
  }
  return end;
}

/**
 * The CIDR text of the IPv4 prefix whose length octet is at `src[at]` (RFC 4271 §4.3: the length
 * in bits, then the ⌈bits/8⌉ octets on the wire), written at `out[pos]`: the four octets in
 * dotted decimal, those not on the wire as 0, then "/" and the length. That is the event model's
 * text (codec/bgp/nlri/prefix.ts, ipv4PrefixText), octets as on the wire, host bits included.
 * At most 18 octets; the caller has checked the length is at most 32, and gives room for 19 (the
 * octet past the text's end may be written: see DecimalHalves). Returns the end.
 */
export function writeIPv4PrefixText(src: Uint8Array, at: number, out: Uint8Array, pos: number): number {
  const { digits, lengths } = decimalHalves();
  const bits = src[at];
  const n = (bits + 7) >>> 3;
  for (let k = 0; k < 4; k++) {
    const v = k < n ? src[at + 1 + k] : 0;
    const d = v * DIGITS_PER_HALF;
    out[pos] = digits[d];
    out[pos + 1] = digits[d + 1];
    out[pos + 2] = digits[d + 2];
    pos += lengths[v];
    out[pos++] = k < 3 ? DOT : SLASH;
  }
  const d = bits * DIGITS_PER_HALF;
  out[pos] = digits[d];
  out[pos + 1] = digits[d + 1];
  out[pos + 2] = digits[d + 2];
  return pos + lengths[bits];
}

/**
 * The digits of `v` (0 <= v < 2^16) at `out[pos]`, from the table; returns their end. Writes
 * DIGITS_PER_HALF octets whatever the length (see DecimalHalves): room for them is the caller's.
 */
export function writeHalf(digits: Uint8Array, lengths: Uint8Array, v: number, out: Uint8Array, pos: number): number {
  const d = v * DIGITS_PER_HALF;
  out[pos] = digits[d];
  out[pos + 1] = digits[d + 1];
  out[pos + 2] = digits[d + 2];
  out[pos + 3] = digits[d + 3];
  out[pos + 4] = digits[d + 4];
  return pos + lengths[v];
}
