/**
 * BGP message header (RFC 4271 §4.1): 16-octet marker (all ones), 2-octet length of the whole
 * message, 1-octet type.
 */
import { CodecError } from '../errors.js';
import { ByteWriter, encodeError } from './writer.js';

export const BGP_MARKER_LENGTH = 16;
export const BGP_HEADER_LENGTH = 19;
/** RFC 4271 §4.1 maximum; RFC 8654 (Extended Message) lifts it to 65535 for all but OPEN/KEEPALIVE. */
export const BGP_CLASSIC_MAX_LENGTH = 4096;
export const BGP_EXTENDED_MAX_LENGTH = 65535;

/** Message type codes (RFC 4271 §4.1; ROUTE-REFRESH from RFC 2918 §3). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

const TYPE_NAMES: Record<number, string> = { 1: 'OPEN', 2: 'UPDATE', 3: 'NOTIFICATION', 4: 'KEEPALIVE', 5: 'ROUTE-REFRESH' };

/** Upper-case RFC name of a message type ("UPDATE"), or "type N" when unknown. */
export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

export interface BgpHeader {
  /** Whole message length including the 19-octet header. */
  length: number;
  type: number;
}

/**
 * Length of the BGP message starting at `offset`, or null when fewer than 19 bytes are available.
 * For framers (Peer Up carries two OPENs back to back, each sized by its own header).
 */
export function bgpMessageLength(buf: Buffer, offset = 0): number | null {
  if (buf.length - offset < BGP_HEADER_LENGTH) return null;
  return (buf[offset + 16] << 8) | buf[offset + 17];
}

/**
 * Validates and reads the header at `offset`. The marker must be all ones (RFC 4271 §6.1
 * "Connection Not Synchronized"); the length must be at least 19 and must not run past the buffer.
 */
export function decodeHeader(buf: Buffer, offset = 0): BgpHeader {
  const avail = buf.length - offset;
  if (avail < BGP_HEADER_LENGTH) {
    throw new CodecError(`BGP header needs 19 bytes, only ${Math.max(0, avail)} left`, offset);
  }
  // All 16 octets are 0xff exactly when their AND is (one branch instead of 16).
  let marker = 0xff;
  for (let i = offset; i < offset + BGP_MARKER_LENGTH; i++) marker &= buf[i];
  if (marker !== 0xff) throw new CodecError('BGP marker is not all ones (RFC 4271 §4.1)', offset);
  const length = (buf[offset + 16] << 8) | buf[offset + 17];
  const type = buf[offset + 18];
  if (length < BGP_HEADER_LENGTH) {
    throw new CodecError(`BGP message length ${length} is below the 19-octet header (RFC 4271 §4.1)`, offset + 16);
  }
  if (length > avail) {
    throw new CodecError(`BGP message length ${length} exceeds the ${avail} bytes available`, offset + 16);
  }
  return { length, type };
}

/** Writes marker, a placeholder length and the type; returns the message start for finishMessage. */
export function beginMessage(w: ByteWriter, type: number): number {
  const start = w.pos;
  const [buf, at] = w.slot(BGP_MARKER_LENGTH);
  buf.fill(0xff, at, at + BGP_MARKER_LENGTH);
  w.reserve(2);
  w.u8(type, 'BGP message type');
  return start;
}

/** Patches the length of the message begun at `start`. */
export function finishMessage(w: ByteWriter, start: number): void {
  const length = w.pos - start;
  if (length > BGP_EXTENDED_MAX_LENGTH) encodeError(`BGP message of ${length} bytes exceeds 65535 (RFC 8654 §4)`);
  w.setU16(start + 16, length, 'BGP message length');
}
