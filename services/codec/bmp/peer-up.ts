/**
 * Peer Up Notification (message type 3): RFC 7854 §4.10; Loc-RIB specifics RFC 9069 §5.2;
 * Information TLV namespace RFC 9736 §3.
 *
 *   per-peer header, then
 *   offset size field
 *     0    16   Local Address (IPv4 in the last 4 octets when the V flag is clear)
 *    16     2   Local Port
 *    18     2   Remote Port
 *    20   var   Sent OPEN     — the OPEN the monitored router sent, BGP header included
 *   var   var   Received OPEN — the OPEN the peer sent
 *   var   var   Information TLVs up to the end of the message: 0 String, 3 VRF/Table Name
 *               (RFC 9069 §5.2.1), 4 Admin Label (RFC 8671 §6.3.1); FRR and Junos append a
 *               String TLV (e.g. the neighbour description)
 *
 * Each OPEN's extent comes from the length field of its BGP header (RFC 4271 §4.1); the bodies
 * are left to the BGP codec, which reads the capabilities with per-session context.
 */
import { ensureBytes } from '../errors.js';
import { BMP_COMMON_HEADER_LENGTH, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import {
  PER_PEER_HEADER_LENGTH,
  decodePerPeerHeader,
  formatAddressField,
  writeAddressField,
  writePerPeerHeader,
  type PerPeerHeader,
} from './per-peer-header.js';
import { BgpMessageTypeCode, bgpMessageLength } from './bgp-header.js';
import {
  InformationTlvType,
  decodeInformationTlvs,
  firstTlvText,
  informationTlvsLength,
  tlvTexts,
  writeInformationTlvs,
  type InformationTlv,
} from './tlv.js';

export interface PeerUpMessage {
  type: 'peer_up';
  version: number;
  peer: PerPeerHeader;
  /** Local address of the monitored session (for Loc-RIB peers all zero, RFC 9069 §5.2). */
  localAddress: string;
  localPort: number;
  remotePort: number;
  /** OPEN sent by the monitored router, BGP header included (view). */
  sentOpen: Buffer;
  /** OPEN received from the peer, BGP header included (view). */
  receivedOpen: Buffer;
  /** Information TLVs in wire order. */
  tlvs: InformationTlv[];
  /** First VRF/Table Name TLV (type 3), read from `tlvs`. */
  vrfTableName: string | null;
  /** String TLVs (type 0), in order. */
  strings: string[];
  /** Admin Label TLVs (type 4), in order. */
  adminLabels: string[];
}

const BODY_OFFSET = BMP_COMMON_HEADER_LENGTH + PER_PEER_HEADER_LENGTH;
const FIXED_LENGTH = 20;

export function decodePeerUp(buf: Buffer, version: number): PeerUpMessage {
  const peer = decodePerPeerHeader(buf, BMP_COMMON_HEADER_LENGTH);
  const end = buf.length;
  ensureBytes(end, BODY_OFFSET, FIXED_LENGTH, 'Peer Up local address and ports');
  // Same address rule as the peer address: the V flag for peer types 0-2, the content otherwise.
  const localAddress = formatAddressField(buf, BODY_OFFSET, peer.peerType <= 2 ? peer.ipv6 : null);
  const localPort = buf.readUInt16BE(BODY_OFFSET + 16);
  const remotePort = buf.readUInt16BE(BODY_OFFSET + 18);
  let p = BODY_OFFSET + FIXED_LENGTH;
  const sentLength = bgpMessageLength(buf, p, end, 'Peer Up sent OPEN', BgpMessageTypeCode.OPEN);
  const sentOpen = buf.subarray(p, p + sentLength);
  p += sentLength;
  const receivedLength = bgpMessageLength(buf, p, end, 'Peer Up received OPEN', BgpMessageTypeCode.OPEN);
  const receivedOpen = buf.subarray(p, p + receivedLength);
  p += receivedLength;
  const tlvs = decodeInformationTlvs(buf, p, end, 'Peer Up');
  return {
    type: 'peer_up',
    version,
    peer,
    localAddress,
    localPort,
    remotePort,
    sentOpen,
    receivedOpen,
    tlvs,
    vrfTableName: firstTlvText(tlvs, InformationTlvType.VRF_TABLE_NAME),
    strings: tlvTexts(tlvs, InformationTlvType.STRING),
    adminLabels: tlvTexts(tlvs, InformationTlvType.ADMIN_LABEL),
  };
}

export function peerUpLength(m: PeerUpMessage): number {
  return BODY_OFFSET + FIXED_LENGTH + m.sentOpen.length + m.receivedOpen.length + informationTlvsLength(m.tlvs);
}

export function encodePeerUp(m: PeerUpMessage): Buffer {
  const length = peerUpLength(m);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.PEER_UP);
  writePerPeerHeader(m.peer, out, BMP_COMMON_HEADER_LENGTH);
  writeAddressField(m.localAddress, out, BODY_OFFSET);
  out.writeUInt16BE(m.localPort, BODY_OFFSET + 16);
  out.writeUInt16BE(m.remotePort, BODY_OFFSET + 18);
  let p = BODY_OFFSET + FIXED_LENGTH;
  p += m.sentOpen.copy(out, p);
  p += m.receivedOpen.copy(out, p);
  writeInformationTlvs(m.tlvs, out, p);
  return out;
}
