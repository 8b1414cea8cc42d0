/** Only to Customer (OTC), type 35 (RFC 9234 §5): a 4-octet ASN; any other length is malformed. */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { u32 } from '../bytes.js';

export function decodeOtc(buf: Buffer, start: number, end: number): number {
  if (end - start !== 4) throw new CodecError(`OTC length ${end - start}, must be 4 (RFC 9234 §5)`, start);
  return u32(buf, start);
}

export function encodeOtc(w: ByteWriter, value: number): void {
  w.u32(value, 'OTC');
}
