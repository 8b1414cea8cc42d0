/**
 * Route Mirroring (message type 6): RFC 7854 §4.7, §6; RFC 8671 §6.1 (O flag); not applicable
 * to Loc-RIB peers (RFC 9069 §5.5).
 *
 *   per-peer header, then TLVs (Type 2, Length 2, Value) up to the end of the message:
 *     0 BGP Message  a verbatim BGP PDU of any type; if present it is the last TLV
 *     1 Information  2-octet code: 0 Errored PDU (RFC 7606 treat-as-withdraw; a BGP Message TLV
 *                    accompanies it), 1 Messages Lost
 *
 * The L and A flags mean nothing here (RFC 7854 §4.2): the PDU is as received, so the BGP codec
 * sizes ASNs and path IDs from the Peer Up OPENs.
 */
import { BMP_COMMON_HEADER_LENGTH, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import { PER_PEER_HEADER_LENGTH, decodePerPeerHeader, writePerPeerHeader, type PerPeerHeader } from './per-peer-header.js';
import { decodeInformationTlvs, informationTlvsLength, writeInformationTlvs, type InformationTlv } from './tlv.js';

export const RouteMirroringTlvType = {
  BGP_MESSAGE: 0,
  INFORMATION: 1,
} as const;

export const RouteMirroringInformationCode = {
  ERRORED_PDU: 0,
  MESSAGES_LOST: 1,
} as const;

export type RouteMirroringInformationName = 'errored_pdu' | 'messages_lost';

export function routeMirroringInformationName(code: number): RouteMirroringInformationName | null {
  if (code === RouteMirroringInformationCode.ERRORED_PDU) return 'errored_pdu';
  if (code === RouteMirroringInformationCode.MESSAGES_LOST) return 'messages_lost';
  return null;
}

export interface RouteMirroringInformation {
  code: number;
  name: RouteMirroringInformationName | null;
}

export interface RouteMirroringMessage {
  type: 'route_mirroring';
  version: number;
  peer: PerPeerHeader;
  /** Every TLV in wire order. */
  tlvs: InformationTlv[];
  /** Value of the (first) BGP Message TLV: the mirrored BGP PDU, header included (view). */
  bgpMessage: Buffer | null;
  /** Information TLVs with a 2-octet code, in order. */
  information: RouteMirroringInformation[];
}

const BODY_OFFSET = BMP_COMMON_HEADER_LENGTH + PER_PEER_HEADER_LENGTH;

export function decodeRouteMirroring(buf: Buffer, version: number): RouteMirroringMessage {
  const peer = decodePerPeerHeader(buf, BMP_COMMON_HEADER_LENGTH);
  const tlvs = decodeInformationTlvs(buf, BODY_OFFSET, buf.length, 'Route Mirroring');
  let bgpMessage: Buffer | null = null;
  const information: RouteMirroringInformation[] = [];
  for (const t of tlvs) {
    if (t.type === RouteMirroringTlvType.BGP_MESSAGE) {
      if (bgpMessage === null) bgpMessage = t.value;
    } else if (t.type === RouteMirroringTlvType.INFORMATION && t.value.length === 2) {
      const code = t.value.readUInt16BE(0);
      information.push({ code, name: routeMirroringInformationName(code) });
    }
  }
  return { type: 'route_mirroring', version, peer, tlvs, bgpMessage, information };
}

export function encodeRouteMirroring(m: RouteMirroringMessage): Buffer {
  const length = BODY_OFFSET + informationTlvsLength(m.tlvs);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.ROUTE_MIRRORING);
  writePerPeerHeader(m.peer, out, BMP_COMMON_HEADER_LENGTH);
  writeInformationTlvs(m.tlvs, out, BODY_OFFSET);
  return out;
}
