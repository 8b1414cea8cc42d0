/**
 * LARGE_COMMUNITY, type 32 (RFC 8092 §3): 12-octet values of three 4-octet numbers (Global
 * Administrator, Local Data Part 1, Local Data Part 2), written "a:b:c" in decimal without leading
 * zeros (RFC 8092 §6.1). The length must be a non-zero multiple of 12 (RFC 8092 §6). Duplicates are
 * kept as sent: removing them is the receiver's business and would break byte-exact re-encoding.
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { u32 } from '../bytes.js';

export function decodeLargeCommunities(buf: Buffer, start: number, end: number): string[] {
  const len = end - start;
  if (len === 0 || len % 12 !== 0) throw new CodecError(`LARGE_COMMUNITY length ${len} is not a non-zero multiple of 12 (RFC 8092 §6)`, start);
  const out: string[] = [];
  for (let pos = start; pos < end; pos += 12) {
    out.push(`${u32(buf, pos)}:${u32(buf, pos + 4)}:${u32(buf, pos + 8)}`);
  }
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
