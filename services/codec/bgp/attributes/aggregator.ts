/**
 * AGGREGATOR, type 7 (RFC 4271 §4.3 g, §5.1.7): last AS number that formed the aggregate + its BGP
 * identifier; 6 octets with 2-octet ASNs, 8 with 4-octet ASNs (RFC 6793 §3).
 * AS4_AGGREGATOR, type 18 (RFC 6793 §3): always 8 octets.
 */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { u16, u32 } from '../bytes.js';

export interface Aggregator {
  as: number;
  /** BGP identifier of the aggregating speaker, IPv4 text. */
  address: string;
}

export function decodeAggregator(buf: Buffer, start: number, end: number, asSize: 2 | 4, as4 = false): Aggregator {
  const len = end - start;
  if (len !== asSize + 4) {
    const rule = as4 ? 'RFC 6793 §6' : asSize === 2 ? 'RFC 4271 §5.1.7, 2-octet AS numbers' : 'RFC 6793 §3, 4-octet AS numbers';
    throw new CodecError(`${as4 ? 'AS4_AGGREGATOR' : 'AGGREGATOR'} length ${len}, must be ${asSize + 4} (${rule})`, start);
  }
  const as = asSize === 4 ? u32(buf, start) : u16(buf, start);
  return { as, address: formatIPv4(buf, start + asSize) };
}

export function encodeAggregator(w: ByteWriter, value: Aggregator, asSize: 2 | 4, what = 'AGGREGATOR'): void {
  if (asSize === 2) {
    if (value.as > 0xffff) encodeError(`${what}: ASN ${value.as} does not fit in 2 octets (use AS_TRANS and AS4_AGGREGATOR, RFC 6793 §4.2.2)`);
    w.u16(value.as, `${what} ASN`);
  } else {
    w.u32(value.as, `${what} ASN`);
  }
  const [buf, at] = w.slot(4);
  writeIPv4(value.address, buf, at);
}
