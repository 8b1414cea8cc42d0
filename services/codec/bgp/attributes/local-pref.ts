/** LOCAL_PREF, type 5 (RFC 4271 §4.3 e, §5.1.5): 4-octet unsigned integer. */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { u32 } from '../bytes.js';

export function decodeLocalPref(buf: Buffer, start: number, end: number): number {
  if (end - start !== 4) throw new CodecError(`LOCAL_PREF length ${end - start}, must be 4 (RFC 4271 §4.3)`, start);
  return u32(buf, start);
}

export function encodeLocalPref(w: ByteWriter, value: number): void {
  w.u32(value, 'LOCAL_PREF');
}
