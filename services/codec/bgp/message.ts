/**
 * Any BGP message: header check and dispatch on the type (RFC 4271 §4.1).
 */
import { CodecError } from '../errors.js';
import { BGP_HEADER_LENGTH, decodeHeader, MessageType, messageTypeName } from './header.js';
import { decodeKeepaliveBody, encodeKeepalive, type KeepaliveMessage } from './keepalive.js';
import { decodeNotificationBody, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeOpenBody, encodeOpen, type OpenMessage } from './open.js';
import type { BgpDecodeOptions } from './options.js';
import { decodeRouteRefreshBody, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdateBody, encodeUpdate, type UpdateMessage } from './update.js';
import { encodeError } from './writer.js';
import { asCodecError } from './guard.js';

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;
export type BgpMessageType = BgpMessage['type'];

function decodeChecked(buf: Buffer, opts: BgpDecodeOptions): BgpMessage {
  const h = decodeHeader(buf, 0);
  if (h.length !== buf.length) {
    throw new CodecError(`BGP length ${h.length} does not match the ${buf.length}-byte buffer holding the message`, 16);
  }
  const end = h.length;
  switch (h.type) {
    case MessageType.UPDATE:
      return decodeUpdateBody(buf, BGP_HEADER_LENGTH, end, opts);
    case MessageType.OPEN:
      return decodeOpenBody(buf, BGP_HEADER_LENGTH, end);
    case MessageType.NOTIFICATION:
      return decodeNotificationBody(buf, BGP_HEADER_LENGTH, end);
    case MessageType.KEEPALIVE:
      return decodeKeepaliveBody(buf, BGP_HEADER_LENGTH, end);
    case MessageType.ROUTE_REFRESH:
      return decodeRouteRefreshBody(buf, BGP_HEADER_LENGTH, end);
    default:
      throw new CodecError(`unknown BGP message type ${h.type} (RFC 4271 §6.1 Bad Message Type)`, 18);
  }
}

/**
 * Decodes one whole BGP message (`buf` = exactly the message, 16-byte marker included).
 * Throws CodecError, and only CodecError, on malformed input; offsets are into `buf`.
 */
export function decodeBgpMessage(buf: Buffer, opts: BgpDecodeOptions): BgpMessage {
  try {
    return decodeChecked(buf, opts);
  } catch (e) {
    throw asCodecError(e);
  }
}

/** Encodes any BGP message; opts matter for UPDATE only (AS width, ADD-PATH). */
export function encodeBgpMessage(msg: BgpMessage, opts: BgpDecodeOptions): Buffer {
  switch (msg.type) {
    case 'update':
      return encodeUpdate(msg, opts);
    case 'open':
      return encodeOpen(msg);
    case 'notification':
      return encodeNotification(msg);
    case 'keepalive':
      return encodeKeepalive();
    case 'route_refresh':
      return encodeRouteRefresh(msg);
    default:
      return encodeError(`unknown BGP message type "${String((msg as { type: unknown }).type)}"`);
  }
}

export { messageTypeName };
