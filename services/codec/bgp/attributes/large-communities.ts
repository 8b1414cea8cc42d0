/**
 * LARGE_COMMUNITY, type 32 (RFC 8092 §3): 12-octet values of three 4-octet numbers (Global
 * Administrator, Local Data Part 1, Local Data Part 2), written "a:b:c" in decimal without leading
 * zeros (RFC 8092 §6.1). The length must be a non-zero multiple of 12 (RFC 8092 §6). Duplicates are
 * kept as sent: removing them is the receiver's business and would break byte-exact re-encoding.
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

/*
 * Text memo, as for COMMUNITIES (communities.ts): a table carries a few thousand distinct values,
 * and three 32-bit number-to-string conversions (most of them of numbers above 2^31, which V8's
 * number-string cache does not keep) cost far more than a probe. Direct-mapped, bounded; strings
 * are immutable, so the memo cannot change any result.
 */
const LARGE_SLOT_BITS = 10;
const largeKeys = new Int32Array(3 << LARGE_SLOT_BITS);
const largeTexts: (string | null)[] = new Array<string | null>(1 << LARGE_SLOT_BITS).fill(null);

/** "global:local1:local2" of the 12 octets at `pos`. */
function largeCommunityText(buf: Buffer, pos: number): string {
  const a = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
  const b = (buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7];
  const c = (buf[pos + 8] << 24) | (buf[pos + 9] << 16) | (buf[pos + 10] << 8) | buf[pos + 11];
  const slot = Math.imul(a ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35), 0x9e3779b1) >>> (32 - LARGE_SLOT_BITS);
  const k = 3 * slot;
  const cached = largeTexts[slot];
  if (cached !== null && largeKeys[k] === a && largeKeys[k + 1] === b && largeKeys[k + 2] === c) return cached;
  const text = `${a >>> 0}:${b >>> 0}:${c >>> 0}`;
  largeKeys[k] = a;
  largeKeys[k + 1] = b;
  largeKeys[k + 2] = c;
  largeTexts[slot] = text;
  return text;
}

export function decodeLargeCommunities(buf: Buffer, start: number, end: number): string[] {
  const len = end - start;
  if (len === 0 || len % 12 !== 0) throw new CodecError(`LARGE_COMMUNITY length ${len} is not a non-zero multiple of 12 (RFC 8092 §6)`, start);
  // Allocated at its exact size (see decodeAsPath).
  const out: string[] = new Array<string>(len / 12);
  for (let pos = start, i = 0; pos < end; pos += 12, i++) out[i] = largeCommunityText(buf, pos);
  return out;
}

const LARGE = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/;

export function encodeLargeCommunities(w: ByteWriter, values: readonly string[]): void {
  if (values.length === 0) encodeError('LARGE_COMMUNITY must not be empty (RFC 8092 §6)');
  for (const text of values) {
    const m = LARGE.exec(text);
    if (!m) encodeError(`large community "${text}" is not a:b:c`);
    for (let i = 1; i <= 3; i++) w.u32(Number(m[i]), `large community "${text}"`);
  }
}
