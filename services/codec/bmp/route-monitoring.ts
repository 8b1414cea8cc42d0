/**
 * Route Monitoring (message type 0): RFC 7854 §4.6; BMP v4 per draft-ietf-grow-bmp-tlv.
 *
 * v3: common header, per-peer header, then exactly one BGP UPDATE PDU (with its own 19-octet
 * header) up to the end of the message. The UPDATE is handed out as a Buffer view; the BGP codec
 * decodes it later with the session's capabilities (A flag, ADD-PATH — RFC 7854 §4.2, RFC 7911).
 * One deviation is accepted: a v3 message whose UPDATE (by its own BGP length) ends before the
 * message and is followed by octets that parse exactly as non-indexed TLVs is read in the
 * 'pdu_first' shape below. Huawei NE40E VRP 8.230 sends its Loc-RIB (F flag) Route Monitoring so,
 * with one TLV of private type 0xea62 whose 4- or 6-octet value has the shape of a path status
 * (bitmap, optional reason code; draft-ietf-grow-bmp-path-marking-tlv) — 200 messages of the
 * traffic-reproducer multivendor capture. Rejecting them would drop their routes; the TLVs are
 * kept. Trailing octets that are not whole TLVs remain an error.
 *
 * v4 comes in two shapes, told apart by the first body octets:
 *  - 'tlv': the body is indexed v4 TLVs only (type, length, index, value); the UPDATE travels in
 *    the BGP PDU TLV (mandatory). This is what the Huawei VRP captures from NetGauze carry, with
 *    Stateless Parsing, Group, VRF/Table Name and Path Marking TLVs around the UPDATE.
 *  - 'pdu_first': the UPDATE follows the per-peer header as in v3 (the body starts with the
 *    all-ones BGP marker, which no TLV type can) and non-indexed TLVs follow it — the earlier
 *    draft shape that the Huawei VRP 8.200 recording of bmp_play uses.
 */
import { CodecError } from '../errors.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION_4, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import { PER_PEER_HEADER_LENGTH, decodePerPeerHeader, writePerPeerHeader, type PerPeerHeader } from './per-peer-header.js';
import { BGP_HEADER_LENGTH, bgpMessageLength, hasBgpMarker } from './bgp-header.js';
import { decodeV4Tlvs, v4TlvsLength, writeV4Tlvs, type BmpV4CodePoints, type BmpV4Tlv } from './tlv.js';

export type RouteMonitoringV4Layout = 'tlv' | 'pdu_first';

export interface RouteMonitoringMessage {
  type: 'route_monitoring';
  version: number;
  peer: PerPeerHeader;
  /** The BGP UPDATE message, 19-octet header included (view into the BMP message). */
  pdu: Buffer;
  /**
   * Which v4 body shape the message used; null for an RFC 7854 v3 body (the UPDATE alone).
   * 'pdu_first' also describes a v3 message with TLVs after its UPDATE (see the module notes).
   */
  v4Layout: RouteMonitoringV4Layout | null;
  /** Every TLV in wire order (in the 'tlv' layout including the BGP PDU TLV); [] when v4Layout is null. */
  tlvs: BmpV4Tlv[];
}

const BODY_OFFSET = BMP_COMMON_HEADER_LENGTH + PER_PEER_HEADER_LENGTH;

/**
 * hasBgpMarker with plain indexed reads instead of Buffer#readUInt32BE's argument checks: this
 * runs for every Route Monitoring message. The caller checked that 16 octets are there.
 */
function markerAt(buf: Buffer, offset: number): boolean {
  let and = 0xff;
  for (let i = offset; i < offset + 16; i++) and &= buf[i];
  return and === 0xff;
}

/** Octet offset of the BGP PDU in a v3 Route Monitoring message (common + per-peer header). */
export const ROUTE_MONITORING_PDU_OFFSET = BODY_OFFSET;

/**
 * True when `buf` is a whole BMP v3 Route Monitoring message of the plain RFC 7854 shape whose
 * embedded BGP message fills it exactly: version 3, type 0, the common header's length equal to
 * `buf.length`, and at ROUTE_MONITORING_PDU_OFFSET an all-ones marker with a BGP length that ends
 * at the end of `buf`. For such a message decodeBmpMessage returns a Route Monitoring message with
 * v4Layout null, no TLVs and `pdu` = buf[ROUTE_MONITORING_PDU_OFFSET, buf.length) (the per-peer
 * header still has to be decoded); a consumer on the hot path can read the PDU in place instead
 * of through that view. Anything else — other versions, TLVs after the UPDATE, lengths that
 * disagree — is false: decode it with decodeBmpMessage.
 */
export function isPlainRouteMonitoring(buf: Buffer): boolean {
  const end = buf.length;
  if (end < BODY_OFFSET + BGP_HEADER_LENGTH || buf[0] !== 3 || buf[5] !== BmpMessageTypeCode.ROUTE_MONITORING) return false;
  if (buf[1] * 0x1000000 + ((buf[2] << 16) | (buf[3] << 8) | buf[4]) !== end) return false;
  return markerAt(buf, BODY_OFFSET) && ((buf[BODY_OFFSET + 16] << 8) | buf[BODY_OFFSET + 17]) === end - BODY_OFFSET;
}

/** Decodes a whole Route Monitoring message (`buf` is exactly the message). */
export function decodeRouteMonitoring(buf: Buffer, version: number, codePoints: BmpV4CodePoints): RouteMonitoringMessage {
  const peer = decodePerPeerHeader(buf, BMP_COMMON_HEADER_LENGTH);
  const end = buf.length;
  if (version !== BMP_VERSION_4) {
    const length = end - BODY_OFFSET >= BGP_HEADER_LENGTH && markerAt(buf, BODY_OFFSET) ? (buf[BODY_OFFSET + 16] << 8) | buf[BODY_OFFSET + 17] : 0;
    if (length < BGP_HEADER_LENGTH || length >= end - BODY_OFFSET) {
      // RFC 7854 §4.6: the UPDATE fills the message (a BGP length that disagrees is the BGP codec's to report).
      return { type: 'route_monitoring', version, peer, pdu: buf.subarray(BODY_OFFSET, end), v4Layout: null, tlvs: [] };
    }
    const tlvs = decodeV4Tlvs(buf, BODY_OFFSET + length, end, false, codePoints, `v3 Route Monitoring (${end - BODY_OFFSET - length} octets after the UPDATE)`);
    return { type: 'route_monitoring', version, peer, pdu: buf.subarray(BODY_OFFSET, BODY_OFFSET + length), v4Layout: 'pdu_first', tlvs };
  }
  if (end - BODY_OFFSET >= 16 && hasBgpMarker(buf, BODY_OFFSET)) {
    const length = bgpMessageLength(buf, BODY_OFFSET, end, 'v4 Route Monitoring UPDATE');
    const pdu = buf.subarray(BODY_OFFSET, BODY_OFFSET + length);
    const tlvs = decodeV4Tlvs(buf, BODY_OFFSET + length, end, false, codePoints, 'v4 Route Monitoring');
    return { type: 'route_monitoring', version, peer, pdu, v4Layout: 'pdu_first', tlvs };
  }
  const tlvs = decodeV4Tlvs(buf, BODY_OFFSET, end, true, codePoints, 'v4 Route Monitoring');
  let pdu: Buffer | null = null;
  for (const t of tlvs) {
    if (t.kind === 'bgp_pdu') {
      pdu = t.value;
      break;
    }
  }
  if (pdu === null) {
    throw new CodecError(`v4 Route Monitoring without a BGP PDU TLV (type ${codePoints.bgpPdu})`, BODY_OFFSET);
  }
  return { type: 'route_monitoring', version, peer, pdu, v4Layout: 'tlv', tlvs };
}

export function routeMonitoringLength(m: RouteMonitoringMessage): number {
  if (m.v4Layout === 'tlv') return BODY_OFFSET + v4TlvsLength(m.tlvs, true) - bgpPduTlvValueLength(m.tlvs) + m.pdu.length;
  if (m.v4Layout === 'pdu_first') return BODY_OFFSET + m.pdu.length + v4TlvsLength(m.tlvs, false);
  return BODY_OFFSET + m.pdu.length;
}

function bgpPduTlvValueLength(tlvs: readonly BmpV4Tlv[]): number {
  for (const t of tlvs) if (t.kind === 'bgp_pdu') return t.value.length;
  throw new CodecError('v4 Route Monitoring (tlv layout) needs a BGP PDU TLV', BODY_OFFSET);
}

export function encodeRouteMonitoring(m: RouteMonitoringMessage): Buffer {
  const length = routeMonitoringLength(m);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.ROUTE_MONITORING);
  writePerPeerHeader(m.peer, out, BMP_COMMON_HEADER_LENGTH);
  if (m.v4Layout === 'tlv') {
    writeV4Tlvs(m.tlvs, out, BODY_OFFSET, true, m.pdu);
  } else {
    m.pdu.copy(out, BODY_OFFSET);
    if (m.v4Layout === 'pdu_first') writeV4Tlvs(m.tlvs, out, BODY_OFFSET + m.pdu.length, false);
  }
  return out;
}
