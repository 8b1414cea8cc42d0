/**
 * Unchecked big-endian reads for the hot path. Callers check lengths first (as every decoder
 * here does before reading), so Buffer's own per-call offset validation is redundant work; these
 * also keep 32-bit values unsigned without `>>> 0` (docs/bmp-protocol.md §1).
 */

export function u16(buf: Uint8Array, p: number): number {
  return (buf[p] << 8) | buf[p + 1];
}

export function u32(buf: Uint8Array, p: number): number {
  return buf[p] * 0x1000000 + ((buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]);
}
