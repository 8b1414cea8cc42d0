/**
 * BGP-LS attribute, type 29 (RFC 9552 §5.3): the node, link and prefix attribute TLVs of a
 * Link-State NLRI, Type (2) + Length (2) + Value, with the Segment Routing (RFC 9085) and SRv6
 * (RFC 9514) ones. The TLVs share their registry with the NLRI descriptors, so the decoding is
 * ../nlri/bgp-ls/tlv.ts's: a list in wire order, unknown types and values of another layout kept
 * as Buffers (RFC 9552 §5.3: unrecognised TLVs are preserved), decode → encode byte for byte.
 */
import { CodecError } from '../../errors.js';
import { decodeLsTlvs, encodeLsTlvs, type LsTlv } from '../nlri/bgp-ls/tlv.js';
import type { ByteWriter } from '../writer.js';

export function decodeBgpLsAttribute(buf: Buffer, start: number, end: number): LsTlv[] {
  if (end === start) throw new CodecError('BGP-LS attribute is empty (RFC 9552 §5.3)', start);
  return decodeLsTlvs(buf, start, end);
}

export function encodeBgpLsAttribute(w: ByteWriter, tlvs: readonly LsTlv[]): void {
  encodeLsTlvs(w, tlvs);
}
