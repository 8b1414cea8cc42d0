/**
 * BMP common header (RFC 7854 §4.1): the 6 octets in front of every BMP v3 message, and of the
 * BMP v4 draft messages (draft-ietf-grow-bmp-tlv keeps the same header and only bumps the version).
 *
 *   0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Version    |                 Message Length                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | (length cont.)|   Msg. Type   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Message Length counts the whole message, header included (RFC 7854 §4.1), so a well-formed
 * message is never shorter than 6 octets.
 */
import { CodecError, ensureBytes } from '../errors.js';

export const BMP_COMMON_HEADER_LENGTH = 6;

/** BMP v3 (RFC 7854) and its updates (RFC 8671, RFC 9069, RFC 9736). */
export const BMP_VERSION_3 = 3;
/** BMP v4 as sent by routers implementing draft-ietf-grow-bmp-tlv (Huawei VRP). */
export const BMP_VERSION_4 = 4;

/**
 * Message type codes: 0-6 from the IANA "BMP Message Types" registry (RFC 7854 §10.1), 100 is the
 * Route Policy and Attribute Trace message of draft-xu-grow-bmp-route-policy-attr-trace — not
 * IANA-assigned, but the value Huawei VRP sends and Wireshark/pmacct decode.
 */
export const BmpMessageTypeCode = {
  ROUTE_MONITORING: 0,
  STATISTICS_REPORT: 1,
  PEER_DOWN: 2,
  PEER_UP: 3,
  INITIATION: 4,
  TERMINATION: 5,
  ROUTE_MIRRORING: 6,
  ROFT: 100,
} as const;

/** The discriminator of the decoded message union, one per message type (plus `unknown`). */
export type BmpMessageTypeName =
  | 'route_monitoring'
  | 'stats'
  | 'peer_down'
  | 'peer_up'
  | 'initiation'
  | 'termination'
  | 'route_mirroring'
  | 'roft'
  | 'unknown';

const TYPE_NAMES: readonly BmpMessageTypeName[] = [
  'route_monitoring',
  'stats',
  'peer_down',
  'peer_up',
  'initiation',
  'termination',
  'route_mirroring',
];

/**
 * Name of a message type code. `roftType` is the code the ROFT message is dispatched on (null:
 * ROFT disabled, so 100 is just an unknown type).
 */
export function bmpMessageTypeName(code: number, roftType: number | null = BmpMessageTypeCode.ROFT): BmpMessageTypeName {
  if (code >= 0 && code < TYPE_NAMES.length) return TYPE_NAMES[code];
  if (roftType !== null && code === roftType) return 'roft';
  return 'unknown';
}

/** Whether the message type carries the 42-octet per-peer header (RFC 7854 §4.1 table). */
export function hasPerPeerHeader(code: number): boolean {
  return code <= 3 || code === BmpMessageTypeCode.ROUTE_MIRRORING;
}

export interface BmpCommonHeader {
  /** 3 for RFC 7854, 4 for the BMP v4 TLV drafts. */
  version: number;
  /** Whole message length in octets, this header included. */
  length: number;
  /** Message type code (see BmpMessageTypeCode). */
  type: number;
}

/** Reads the common header at `offset`; only checks that 6 octets are there. */
export function decodeCommonHeader(buf: Buffer, offset = 0): BmpCommonHeader {
  ensureBytes(buf.length, offset, BMP_COMMON_HEADER_LENGTH, 'BMP common header');
  return { version: buf[offset], length: buf.readUInt32BE(offset + 1), type: buf[offset + 5] };
}

/** Writes a common header at `offset` of `out`. */
export function writeCommonHeader(out: Buffer, offset: number, version: number, length: number, type: number): void {
  if (length < BMP_COMMON_HEADER_LENGTH || length > 0xffffffff) {
    throw new CodecError(`BMP message length ${length} cannot be encoded`, offset + 1);
  }
  out[offset] = version;
  out.writeUInt32BE(length, offset + 1);
  out[offset + 5] = type;
}
