/** ORIGINATOR_ID, type 9 (RFC 4456 §8): BGP identifier of the route's originator, 4 octets. */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';

export function decodeOriginatorId(buf: Buffer, start: number, end: number): string {
  if (end - start !== 4) throw new CodecError(`ORIGINATOR_ID length ${end - start}, must be 4 (RFC 7606 §7.9)`, start);
  return formatIPv4(buf, start);
}

export function encodeOriginatorId(w: ByteWriter, value: string): void {
  const [buf, at] = w.slot(4);
  writeIPv4(value, buf, at);
}
