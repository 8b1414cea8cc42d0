/**
 * Peer Down Notification (message type 2): RFC 7854 §4.9; reason 6 RFC 9069 §5.3; BMP v4 TLVs
 * per draft-ietf-grow-bmp-tlv.
 *
 *   per-peer header, then
 *   Reason (1)
 *   Data, by reason:
 *     1 local system closed, NOTIFICATION follows   → the BGP NOTIFICATION PDU (header included)
 *     2 local system closed, no NOTIFICATION        → 2-octet FSM event code (RFC 4271 §8.1;
 *                                                     0 = no relevant event)
 *     3 remote system closed with NOTIFICATION      → the BGP NOTIFICATION PDU
 *     4 remote system closed without NOTIFICATION   → nothing
 *     5 peer de-configured                          → nothing
 *     6 local system closed, TLV data follows       → Information TLVs, e.g. VRF/Table Name (3)
 *
 * In BMP v4 the reason data may be followed by TLVs (the Huawei Loc-RIB capture sends reason 6
 * with a VRF/Table Name TLV). Reasons outside 1-6 (the IANA registry assigns no others; 251-254
 * are experimental) keep their data raw. In v3, octets after the reason data that no rule
 * accounts for are kept raw in `data` so that the message re-encodes unchanged.
 */
import { ensureBytes } from '../errors.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION_4, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import { PER_PEER_HEADER_LENGTH, decodePerPeerHeader, writePerPeerHeader, type PerPeerHeader } from './per-peer-header.js';
import { BgpMessageTypeCode, bgpMessageLength } from './bgp-header.js';
import {
  InformationTlvType,
  decodeInformationTlvs,
  firstTlvText,
  informationTlvsLength,
  writeInformationTlvs,
  type InformationTlv,
} from './tlv.js';

export const PeerDownReasonCode = {
  LOCAL_NOTIFICATION: 1,
  LOCAL_NO_NOTIFICATION: 2,
  REMOTE_NOTIFICATION: 3,
  REMOTE_NO_NOTIFICATION: 4,
  PEER_DECONFIGURED: 5,
  LOCAL_TLV: 6,
} as const;

export type PeerDownReasonName =
  | 'local_notification'
  | 'local_no_notification'
  | 'remote_notification'
  | 'remote_no_notification'
  | 'peer_deconfigured'
  | 'local_tlv';

const REASON_NAMES: ReadonlyArray<PeerDownReasonName | null> = [
  null,
  'local_notification',
  'local_no_notification',
  'remote_notification',
  'remote_no_notification',
  'peer_deconfigured',
  'local_tlv',
];

export function peerDownReasonName(code: number): PeerDownReasonName | null {
  return code < REASON_NAMES.length ? REASON_NAMES[code] : null;
}

/** FSM event names, RFC 4271 §8.1.2-§8.1.5 (index = event number). */
const FSM_EVENTS: readonly string[] = [
  'none',
  'ManualStart',
  'ManualStop',
  'AutomaticStart',
  'ManualStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_PassiveTcpEstablishment',
  'AutomaticStart_with_DampPeerOscillations',
  'AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment',
  'AutomaticStop',
  'ConnectRetryTimer_Expires',
  'HoldTimer_Expires',
  'KeepaliveTimer_Expires',
  'DelayOpenTimer_Expires',
  'IdleHoldTimer_Expires',
  'TcpConnection_Valid',
  'Tcp_CR_Invalid',
  'Tcp_CR_Acked',
  'TcpConnectionConfirmed',
  'TcpConnectionFails',
  'BGPOpen',
  'BGPOpen with DelayOpenTimer running',
  'BGPHeaderErr',
  'BGPOpenMsgErr',
  'OpenCollisionDump',
  'NotifMsgVerErr',
  'NotifMsg',
  'KeepAliveMsg',
  'UpdateMsg',
  'UpdateMsgErr',
];

/** RFC 4271 name of an FSM event code (0 = "none"), or null for codes it does not define. */
export function fsmEventName(code: number): string | null {
  return code < FSM_EVENTS.length ? FSM_EVENTS[code] : null;
}

export interface PeerDownMessage {
  type: 'peer_down';
  version: number;
  peer: PerPeerHeader;
  reason: number;
  /** Registry name of the reason, null for unassigned/experimental codes. */
  reasonName: PeerDownReasonName | null;
  /** Reasons 1 and 3: the BGP NOTIFICATION message, header included (view). */
  notification: Buffer | null;
  /** Reason 2: the FSM event code. */
  fsmEventCode: number | null;
  /** Reason 6 TLVs, and in v4 any TLVs after the reason data. */
  tlvs: InformationTlv[];
  /** First VRF/Table Name TLV (RFC 9069 §5.3), read from `tlvs`. */
  vrfTableName: string | null;
  /** Data no rule decodes (unassigned reasons; v3 octets after the reason data), raw. */
  data: Buffer | null;
}

const BODY_OFFSET = BMP_COMMON_HEADER_LENGTH + PER_PEER_HEADER_LENGTH;

export function decodePeerDown(buf: Buffer, version: number): PeerDownMessage {
  const peer = decodePerPeerHeader(buf, BMP_COMMON_HEADER_LENGTH);
  const end = buf.length;
  ensureBytes(end, BODY_OFFSET, 1, 'Peer Down reason');
  const reason = buf[BODY_OFFSET];
  let p = BODY_OFFSET + 1;
  let notification: Buffer | null = null;
  let fsmEventCode: number | null = null;
  let tlvs: InformationTlv[] = [];
  let data: Buffer | null = null;
  switch (reason) {
    case PeerDownReasonCode.LOCAL_NOTIFICATION:
    case PeerDownReasonCode.REMOTE_NOTIFICATION: {
      const length = bgpMessageLength(buf, p, end, 'Peer Down NOTIFICATION', BgpMessageTypeCode.NOTIFICATION);
      notification = buf.subarray(p, p + length);
      p += length;
      break;
    }
    case PeerDownReasonCode.LOCAL_NO_NOTIFICATION:
      ensureBytes(end, p, 2, 'Peer Down FSM event code');
      fsmEventCode = buf.readUInt16BE(p);
      p += 2;
      break;
    case PeerDownReasonCode.REMOTE_NO_NOTIFICATION:
    case PeerDownReasonCode.PEER_DECONFIGURED:
      break;
    case PeerDownReasonCode.LOCAL_TLV:
      tlvs = decodeInformationTlvs(buf, p, end, 'Peer Down');
      p = end;
      break;
    default:
      data = buf.subarray(p, end);
      p = end;
  }
  if (p < end) {
    if (version === BMP_VERSION_4) tlvs = decodeInformationTlvs(buf, p, end, 'v4 Peer Down');
    else data = buf.subarray(p, end);
  }
  return {
    type: 'peer_down',
    version,
    peer,
    reason,
    reasonName: peerDownReasonName(reason),
    notification,
    fsmEventCode,
    tlvs,
    vrfTableName: firstTlvText(tlvs, InformationTlvType.VRF_TABLE_NAME),
    data,
  };
}

function reasonDataLength(m: PeerDownMessage): number {
  switch (m.reason) {
    case PeerDownReasonCode.LOCAL_NOTIFICATION:
    case PeerDownReasonCode.REMOTE_NOTIFICATION:
      return m.notification?.length ?? 0;
    case PeerDownReasonCode.LOCAL_NO_NOTIFICATION:
      return m.fsmEventCode === null ? 0 : 2;
    default:
      return 0;
  }
}

export function peerDownLength(m: PeerDownMessage): number {
  return BODY_OFFSET + 1 + reasonDataLength(m) + informationTlvsLength(m.tlvs) + (m.data?.length ?? 0);
}

export function encodePeerDown(m: PeerDownMessage): Buffer {
  const length = peerDownLength(m);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, BmpMessageTypeCode.PEER_DOWN);
  writePerPeerHeader(m.peer, out, BMP_COMMON_HEADER_LENGTH);
  out[BODY_OFFSET] = m.reason;
  let p = BODY_OFFSET + 1;
  if (m.reason === PeerDownReasonCode.LOCAL_NOTIFICATION || m.reason === PeerDownReasonCode.REMOTE_NOTIFICATION) {
    if (m.notification) p += m.notification.copy(out, p);
  } else if (m.reason === PeerDownReasonCode.LOCAL_NO_NOTIFICATION && m.fsmEventCode !== null) {
    out.writeUInt16BE(m.fsmEventCode, p);
    p += 2;
  }
  // Decode order: reason-6 TLVs or unassigned-reason data take the whole rest; otherwise v4 TLVs
  // or v3 left-over data follow the reason data. Writing TLVs then data reproduces every case.
  p = writeInformationTlvs(m.tlvs, out, p);
  if (m.data) m.data.copy(out, p);
  return out;
}
