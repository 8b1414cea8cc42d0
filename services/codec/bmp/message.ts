/**
 * One BMP message, bytes ⇄ typed object: dispatch on the common header's message type
 * (RFC 7854 §4.1) to the per-type decoders, and back.
 *
 * The decoders take exactly one whole message, as the framer hands it out, and return views
 * (Buffer.subarray) into it for every embedded BGP PDU and TLV value — nothing is copied, so a
 * message object keeps its input buffer alive.
 *
 * Unknown message types are not an error (RFC 7854 §4.1: skip by length): they decode to an
 * `unknown` message carrying the body raw. Versions other than 3 and 4 are refused: 1 and 2 are
 * the pre-RFC drafts whose header has no length field (see framer.ts).
 */
import { CodecError, ensureBytes } from '../errors.js';
import {
  BMP_COMMON_HEADER_LENGTH,
  BMP_VERSION_3,
  BMP_VERSION_4,
  BmpMessageTypeCode,
  bmpMessageTypeName,
  writeCommonHeader,
  type BmpMessageTypeName,
} from './header.js';
import { HUAWEI_V4_CODE_POINTS, type BmpV4CodePoints } from './tlv.js';
import { decodeRouteMonitoring, encodeRouteMonitoring, type RouteMonitoringMessage } from './route-monitoring.js';
import { decodeStatisticsReport, encodeStatisticsReport, type StatisticsReportMessage } from './statistics-report.js';
import { decodePeerDown, encodePeerDown, type PeerDownMessage } from './peer-down.js';
import { decodePeerUp, encodePeerUp, type PeerUpMessage } from './peer-up.js';
import { decodeInitiation, encodeInitiation, type InitiationMessage } from './initiation.js';
import { decodeTermination, encodeTermination, type TerminationMessage } from './termination.js';
import { decodeRouteMirroring, encodeRouteMirroring, type RouteMirroringMessage } from './route-mirroring.js';
import { decodeRoft, encodeRoft, type RoftMessage } from './roft.js';

// Message type codes as module constants: the dispatch switch below runs once per message.
const ROUTE_MONITORING = BmpMessageTypeCode.ROUTE_MONITORING;
const STATISTICS_REPORT = BmpMessageTypeCode.STATISTICS_REPORT;
const PEER_DOWN = BmpMessageTypeCode.PEER_DOWN;
const PEER_UP = BmpMessageTypeCode.PEER_UP;
const INITIATION = BmpMessageTypeCode.INITIATION;
const TERMINATION = BmpMessageTypeCode.TERMINATION;
const ROUTE_MIRRORING = BmpMessageTypeCode.ROUTE_MIRRORING;
const ROFT = BmpMessageTypeCode.ROFT;

/** A message of a type this codec does not know, kept raw. */
export interface UnknownBmpMessage {
  type: 'unknown';
  version: number;
  /** The message type code from the common header. */
  messageType: number;
  /** Everything after the common header (view). */
  body: Buffer;
}

export type BmpMessage =
  | RouteMonitoringMessage
  | StatisticsReportMessage
  | PeerDownMessage
  | PeerUpMessage
  | InitiationMessage
  | TerminationMessage
  | RouteMirroringMessage
  | RoftMessage
  | UnknownBmpMessage;

export interface BmpDecodeOptions {
  /** v4 Route Monitoring TLV code points (default: HUAWEI_V4_CODE_POINTS). */
  v4CodePoints?: BmpV4CodePoints;
  /**
   * Message type decoded as ROFT (default 100). null disables ROFT: type 100 is then an unknown
   * message, for routers that might use 100 for something else (it is not IANA-assigned).
   */
  roftMessageType?: number | null;
}

/**
 * Decodes one whole BMP message. Throws CodecError (offset relative to `buf`) when the message
 * is malformed; never anything else.
 */
export function decodeBmpMessage(buf: Buffer, options?: BmpDecodeOptions): BmpMessage {
  ensureBytes(buf.length, 0, BMP_COMMON_HEADER_LENGTH, 'BMP common header');
  const version = buf[0];
  if (version !== BMP_VERSION_3 && version !== BMP_VERSION_4) {
    throw new CodecError(
      version === 1 || version === 2
        ? `BMP version ${version} (pre-RFC draft, no message length) is not supported`
        : `unsupported BMP version ${version}`,
      0,
    );
  }
  // Indexed reads rather than readUInt32BE (whose argument checks cost more than the read): once per message.
  const length = buf[1] * 0x1000000 + ((buf[2] << 16) | (buf[3] << 8) | buf[4]);
  if (length !== buf.length) {
    throw new CodecError(`BMP message length ${length} does not match the ${buf.length} octets given`, 1);
  }
  const type = buf[5];
  switch (type) {
    case ROUTE_MONITORING:
      return decodeRouteMonitoring(buf, version, options?.v4CodePoints ?? HUAWEI_V4_CODE_POINTS);
    case STATISTICS_REPORT:
      return decodeStatisticsReport(buf, version);
    case PEER_DOWN:
      return decodePeerDown(buf, version);
    case PEER_UP:
      return decodePeerUp(buf, version);
    case INITIATION:
      return decodeInitiation(buf, version);
    case TERMINATION:
      return decodeTermination(buf, version);
    case ROUTE_MIRRORING:
      return decodeRouteMirroring(buf, version);
  }
  const roftType = options?.roftMessageType === undefined ? ROFT : options.roftMessageType;
  if (roftType !== null && type === roftType) return decodeRoft(buf, version, type);
  return { type: 'unknown', version, messageType: type, body: buf.subarray(BMP_COMMON_HEADER_LENGTH) };
}

export interface BmpDecodeError {
  /** Message type name from the common header, or null when not even the header could be read. */
  type: BmpMessageTypeName | null;
  /** Offset of the failing structure, relative to the start of the message. */
  offset: number;
  reason: string;
}

export type BmpDecodeResult = { ok: true; message: BmpMessage } | { ok: false; error: BmpDecodeError };

/** decodeBmpMessage without exceptions: a malformed message becomes an error result. */
export function tryDecodeBmpMessage(buf: Buffer, options?: BmpDecodeOptions): BmpDecodeResult {
  try {
    return { ok: true, message: decodeBmpMessage(buf, options) };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const roftType = options?.roftMessageType === undefined ? ROFT : options.roftMessageType;
    return {
      ok: false,
      error: { type: buf.length >= BMP_COMMON_HEADER_LENGTH ? bmpMessageTypeName(buf[5], roftType) : null, offset: e.offset, reason: e.reason },
    };
  }
}

/**
 * Encodes a message; for a message decoded from well-formed input the output is byte-identical
 * to that input. Throws CodecError when a field cannot be represented.
 */
export function encodeBmpMessage(msg: BmpMessage): Buffer {
  switch (msg.type) {
    case 'route_monitoring':
      return encodeRouteMonitoring(msg);
    case 'stats':
      return encodeStatisticsReport(msg);
    case 'peer_down':
      return encodePeerDown(msg);
    case 'peer_up':
      return encodePeerUp(msg);
    case 'initiation':
      return encodeInitiation(msg);
    case 'termination':
      return encodeTermination(msg);
    case 'route_mirroring':
      return encodeRouteMirroring(msg);
    case 'roft':
      return encodeRoft(msg);
    case 'unknown': {
      const length = BMP_COMMON_HEADER_LENGTH + msg.body.length;
      const out = Buffer.allocUnsafe(length);
      writeCommonHeader(out, 0, msg.version, length, msg.messageType);
      msg.body.copy(out, BMP_COMMON_HEADER_LENGTH);
      return out;
    }
  }
}
