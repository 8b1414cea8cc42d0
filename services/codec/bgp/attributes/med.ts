/** MULTI_EXIT_DISC, type 4 (RFC 4271 §4.3 d, §5.1.4): 4-octet unsigned integer. */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { u32 } from '../bytes.js';

export function decodeMed(buf: Buffer, start: number, end: number): number {
  if (end - start !== 4) throw new CodecError(`MULTI_EXIT_DISC length ${end - start}, must be 4 (RFC 4271 §4.3)`, start);
  return u32(buf, start);
}

export function encodeMed(w: ByteWriter, value: number): void {
  w.u32(value, 'MULTI_EXIT_DISC');
}
