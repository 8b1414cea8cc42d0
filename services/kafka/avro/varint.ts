/**
 * The varint of an Avro long (Avro 1.11 specification, "Binary Encoding": a long is zig-zag
 * encoded, then written 7 bits a byte, least significant group first, the high bit set on every
 * byte but the last), for the hand-written writers.
 *
 * JS bitwise operators work on 32 bits, so a generic loop divides doubles, about five times the
 * cost of integer operations; yet the values written for every record are a sequence number
 * (small) and a BMP timestamp in microseconds (about 2^51, eight bytes). Values below 2^28 take
 * the integer loop; larger ones are split once into their low 32 bits and the rest.
 */

/**
 * Writes the varint of `z` at `buf[pos]`; returns the position after it. `z` is a zig-zag value:
 * an integer from 0 to 2^54 (the zig-zag value of any long of magnitude up to 2^53), which a
 * double holds exactly. The caller has made room for 10 octets.
 */
export function writeVarint(buf: Uint8Array, pos: number, z: number): number {
  if (z < 0x10000000) {
    while (z >= 0x80) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    return pos;
  }
  // Four full groups from the low 32 bits, then the low word's top 4 bits with the high word.
  const lo = z >>> 0;
  const hi = (z - lo) / 0x100000000;
  buf[pos++] = (lo & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 7) & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 14) & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 21) & 0x7f) | 0x80;
  let rest = (lo >>> 28) | (hi << 4);
  while (rest >= 0x80) {
    buf[pos++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buf[pos++] = rest;
  return pos;
}
