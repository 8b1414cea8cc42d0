/** NEXT_HOP, type 3 (RFC 4271 §4.3 c, §5.1.3): a 4-octet IPv4 address. */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';

export function decodeNextHop(buf: Buffer, start: number, end: number): string {
  if (end - start !== 4) throw new CodecError(`NEXT_HOP length ${end - start}, must be 4 (RFC 4271 §5.1.3)`, start);
  return formatIPv4(buf, start);
}

export function encodeNextHop(w: ByteWriter, value: string): void {
  const [buf, at] = w.slot(4);
  writeIPv4(value, buf, at);
}
