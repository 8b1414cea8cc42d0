/**
 * NOTIFICATION (RFC 4271 §4.5; docs/bmp-protocol.md §18.8): Error Code (1) + Error Subcode (1) +
 * Data (rest). Codes and subcodes carry their IANA names ("BGP Error (Notification) Codes" and
 * subcode registries), in snake_case. Cease / Administrative Shutdown and Administrative Reset
 * may carry a Shutdown Communication (RFC 9003 §2): Length (1) + UTF-8 text.
 */
import { CodecError } from '../errors.js';
import { beginMessage, BGP_HEADER_LENGTH, decodeHeader, finishMessage, MessageType } from './header.js';
import { ByteWriter } from './writer.js';
import { asCodecError } from './guard.js';

export const NotificationCode = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FSM_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
} as const;

const CODE_NAMES: Record<number, string> = {
  1: 'message_header_error',
  2: 'open_message_error',
  3: 'update_message_error',
  4: 'hold_timer_expired',
  5: 'fsm_error',
  6: 'cease',
  7: 'route_refresh_message_error',
};

const SUBCODE_NAMES: Record<number, Record<number, string>> = {
  // RFC 4271 §6.1
  1: { 1: 'connection_not_synchronized', 2: 'bad_message_length', 3: 'bad_message_type' },
  // RFC 4271 §6.2; 5 deprecated by RFC 4271; 7 RFC 5492 §5; 8-10 deprecated; 11 RFC 9234 §4.2
  2: {
    1: 'unsupported_version_number',
    2: 'bad_peer_as',
    3: 'bad_bgp_identifier',
    4: 'unsupported_optional_parameter',
    5: 'authentication_failure',
    6: 'unacceptable_hold_time',
    7: 'unsupported_capability',
    8: 'deprecated_8',
    9: 'deprecated_9',
    10: 'deprecated_10',
    11: 'role_mismatch',
  },
  // RFC 4271 §6.3; 7 deprecated
  3: {
    1: 'malformed_attribute_list',
    2: 'unrecognized_well_known_attribute',
    3: 'missing_well_known_attribute',
    4: 'attribute_flags_error',
    5: 'attribute_length_error',
    6: 'invalid_origin_attribute',
    7: 'as_routing_loop',
    8: 'invalid_next_hop_attribute',
    9: 'optional_attribute_error',
    10: 'invalid_network_field',
    11: 'malformed_as_path',
  },
  // RFC 6608 §4
  5: {
    1: 'unexpected_message_in_opensent',
    2: 'unexpected_message_in_openconfirm',
    3: 'unexpected_message_in_established',
  },
  // RFC 4486 §3; 9 RFC 8538 §5; 10 BFD down (RFC 9384)
  6: {
    1: 'maximum_number_of_prefixes_reached',
    2: 'administrative_shutdown',
    3: 'peer_deconfigured',
    4: 'administrative_reset',
    5: 'connection_rejected',
    6: 'other_configuration_change',
    7: 'connection_collision_resolution',
    8: 'out_of_resources',
    9: 'hard_reset',
    10: 'bfd_down',
  },
  // RFC 7313 §5
  7: { 1: 'invalid_message_length' },
};

export interface NotificationMessage {
  type: 'notification';
  code: number;
  subcode: number;
  data: Buffer;
  /** Derived: name of the code, null when unassigned. */
  codeName: string | null;
  /** Derived: name of the subcode ('unspecific' for 0), null when unassigned. */
  subcodeName: string | null;
  /** Derived: RFC 9003 Shutdown Communication of Cease 2/4 when the data holds one, else null. */
  shutdownMessage: string | null;
}

export function notificationCodeName(code: number): string | null {
  return CODE_NAMES[code] ?? null;
}

export function notificationSubcodeName(code: number, subcode: number): string | null {
  if (subcode === 0) return CODE_NAMES[code] !== undefined ? 'unspecific' : null;
  return SUBCODE_NAMES[code]?.[subcode] ?? null;
}

/** "cease/administrative_shutdown" style label; numbers where a name is missing. */
export function describeNotification(code: number, subcode: number): string {
  return `${notificationCodeName(code) ?? `code_${code}`}/${notificationSubcodeName(code, subcode) ?? `subcode_${subcode}`}`;
}

function shutdownMessageOf(code: number, subcode: number, data: Buffer): string | null {
  if (code !== 6 || (subcode !== 2 && subcode !== 4) || data.length === 0) return null;
  const len = data[0];
  if (len === 0 || len > data.length - 1) return null;
  const text = data.toString('utf8', 1, 1 + len);
  // Invalid UTF-8 decodes with U+FFFD replacement characters; do not pass those off as text.
  return Buffer.from(text, 'utf8').equals(data.subarray(1, 1 + len)) ? text : null;
}

/** Builds a NotificationMessage, filling in the derived fields. */
export function makeNotification(code: number, subcode: number, data: Buffer = Buffer.alloc(0)): NotificationMessage {
  return {
    type: 'notification',
    code,
    subcode,
    data,
    codeName: notificationCodeName(code),
    subcodeName: notificationSubcodeName(code, subcode),
    shutdownMessage: shutdownMessageOf(code, subcode, data),
  };
}

/** Data of a Cease with an RFC 9003 Shutdown Communication. */
export function shutdownCommunication(text: string): Buffer {
  const t = Buffer.from(text, 'utf8');
  if (t.length > 255) throw new CodecError(`shutdown communication of ${t.length} bytes exceeds 255 (RFC 9003 §2)`, 0);
  return Buffer.concat([Buffer.from([t.length]), t]);
}

export function decodeNotificationBody(buf: Buffer, start: number, end: number): NotificationMessage {
  if (end - start < 2) throw new CodecError(`NOTIFICATION body needs at least 2 bytes, only ${end - start} (RFC 4271 §4.5)`, start);
  return makeNotification(buf[start], buf[start + 1], buf.subarray(start + 2, end));
}

/** Decodes one whole NOTIFICATION message (header included; `buf` holds exactly that message). */
export function decodeNotification(buf: Buffer): NotificationMessage {
  try {
    const h = decodeHeader(buf, 0);
    if (h.type !== MessageType.NOTIFICATION) throw new CodecError(`BGP message type ${h.type} is not NOTIFICATION (3)`, 18);
    if (h.length !== buf.length) throw new CodecError(`BGP length ${h.length} does not match the ${buf.length}-byte buffer`, 16);
    return decodeNotificationBody(buf, BGP_HEADER_LENGTH, h.length);
  } catch (e) {
    throw asCodecError(e);
  }
}

export function encodeNotificationBody(w: ByteWriter, msg: NotificationMessage): void {
  w.u8(msg.code, 'NOTIFICATION error code');
  w.u8(msg.subcode, 'NOTIFICATION error subcode');
  w.bytes(msg.data);
}

export function encodeNotification(msg: NotificationMessage): Buffer {
  const w = new ByteWriter(64);
  const start = beginMessage(w, MessageType.NOTIFICATION);
  encodeNotificationBody(w, msg);
  finishMessage(w, start);
  return w.toBuffer();
}
