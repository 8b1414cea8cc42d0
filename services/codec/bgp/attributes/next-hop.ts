/** NEXT_HOP, type 3 (RFC 4271 §4.3 c, §5.1.3): a 4-octet IPv4 address. */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { u32 } from '../bytes.js';

/*
 * Last-value memo: a table dump repeats one peer's next hop on UPDATE after UPDATE, so the text
 * of the previous address is reused when the octets are the same. Strings are immutable, so the
 * result is the same as formatting anew.
 */
let lastAddress = -1;
let lastText = '';

export function decodeNextHop(buf: Buffer, start: number, end: number): string {
  if (end - start !== 4) throw new CodecError(`NEXT_HOP length ${end - start}, must be 4 (RFC 4271 §5.1.3)`, start);
  const address = u32(buf, start);
  if (address !== lastAddress) {
    lastText = formatIPv4(buf, start);
    lastAddress = address;
  }
  return lastText;
}

export function encodeNextHop(w: ByteWriter, value: string): void {
  const [buf, at] = w.slot(4);
  writeIPv4(value, buf, at);
}
