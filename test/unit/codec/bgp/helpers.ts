/**
 * Test helpers: hex with spaces/comments to bytes, and BGP header wrapping.
 */
import assert from 'node:assert/strict';
import { CodecError } from '../../../../services/codec/errors.js';

/** Bytes from hex text; whitespace and `# comments` (to end of line) are ignored. */
export function hex(text: string): Buffer {
  const clean = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  assert.match(clean, /^([0-9a-fA-F]{2})*$/, `bad hex: ${clean}`);
  return Buffer.from(clean, 'hex');
}

/** A whole BGP message: marker + length + type + body (hex). */
export function bgp(type: number, bodyHex: string): Buffer {
  const body = hex(bodyHex);
  const out = Buffer.alloc(19 + body.length, 0xff);
  out.writeUInt16BE(out.length, 16);
  out[18] = type;
  body.copy(out, 19);
  return out;
}

/** UPDATE from its three parts (hex); the two length fields are computed. */
export function update(withdrawnHex: string, attrsHex: string, nlriHex = ''): Buffer {
  const w = hex(withdrawnHex);
  const a = hex(attrsHex);
  const n = hex(nlriHex);
  const body = Buffer.concat([u16(w.length), w, u16(a.length), a, n]);
  return bgp(2, body.toString('hex'));
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** Asserts that `fn` throws a CodecError whose reason matches `reason`, optionally at `offset`. */
export function throwsCodec(fn: () => unknown, reason: RegExp, offset?: number): CodecError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CodecError, `expected CodecError, got ${String(caught)}`);
  assert.match(caught.reason, reason);
  if (offset !== undefined) assert.equal(caught.offset, offset, `offset of "${caught.reason}"`);
  return caught;
}
