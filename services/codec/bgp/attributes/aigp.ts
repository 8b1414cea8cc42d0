/**
 * AIGP, type 26 (RFC 7311 §3): TLVs of Type (1) + Length (2, counting the 3 header octets) +
 * Value. Type 1 is the AIGP metric: Length 11, an 8-octet unsigned accumulated IGP metric. Other
 * TLV types are kept as they are (RFC 7311 §3.1 says to ignore but keep them).
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export interface AigpTlv {
  type: number;
  value: Buffer;
}

export const AIGP_TLV_METRIC = 1;

export function decodeAigp(buf: Buffer, start: number, end: number): AigpTlv[] {
  const out: AigpTlv[] = [];
  let pos = start;
  if (end === start) throw new CodecError('AIGP is empty (RFC 7311 §3)', start);
  while (pos < end) {
    if (end - pos < 3) throw new CodecError(`AIGP TLV header needs 3 bytes, only ${end - pos} left`, pos);
    const type = buf[pos];
    const len = (buf[pos + 1] << 8) | buf[pos + 2];
    if (len < 3) throw new CodecError(`AIGP TLV length ${len} is below its 3-octet header (RFC 7311 §3)`, pos);
    if (len > end - pos) throw new CodecError(`AIGP TLV length ${len} exceeds attribute (${end - pos} bytes left)`, pos);
    if (type === AIGP_TLV_METRIC && len !== 11) throw new CodecError(`AIGP metric TLV length ${len}, must be 11 (RFC 7311 §3.1)`, pos);
    out.push({ type, value: buf.subarray(pos + 3, pos + len) });
    pos += len;
  }
  return out;
}

export function encodeAigp(w: ByteWriter, tlvs: readonly AigpTlv[]): void {
  if (tlvs.length === 0) encodeError('AIGP must hold at least one TLV');
  for (const t of tlvs) {
    w.u8(t.type, 'AIGP TLV type');
    w.u16(t.value.length + 3, 'AIGP TLV length');
    w.bytes(t.value);
  }
}

/** The accumulated metric of the first metric TLV, or null. */
export function aigpMetric(tlvs: readonly AigpTlv[]): bigint | null {
  for (const t of tlvs) if (t.type === AIGP_TLV_METRIC && t.value.length === 8) return t.value.readBigUInt64BE(0);
  return null;
}

/** A metric TLV, for building UPDATEs. */
export function aigpMetricTlv(metric: bigint): AigpTlv {
  const value = Buffer.alloc(8);
  value.writeBigUInt64BE(metric, 0);
  return { type: AIGP_TLV_METRIC, value };
}
