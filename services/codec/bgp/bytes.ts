/**
 * Unchecked big-endian reads and writes for the hot path. Callers check lengths first (as every
 * decoder here does before reading), so Buffer's own per-call offset validation is redundant
 * work: Buffer#readUInt32BE and #writeUInt32BE cost ~15 ns a call in optimized code here, these
 * ~2 ns. The reads also keep 32-bit values unsigned without `>>> 0` (docs/bmp-protocol.md §1).
 */

export function u16(buf: Uint8Array, p: number): number {
  return (buf[p] << 8) | buf[p + 1];
}

export function u32(buf: Uint8Array, p: number): number {
  return buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]);
}

/** Writes `v` (an integer in [0, 2^32), not checked) as four octets at `p`. */
export function putU32(buf: Uint8Array, p: number, v: number): void {
  buf[p] = v >>> 24;
  buf[p + 1] = v >>> 16;
  buf[p + 2] = v >>> 8;
  buf[p + 3] = v;
}
