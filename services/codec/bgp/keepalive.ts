/** KEEPALIVE (RFC 4271 §4.4): the header alone, length exactly 19. */
import { CodecError } from '../errors.js';
import { beginMessage, finishMessage, MessageType } from './header.js';
import { ByteWriter } from './writer.js';

export interface KeepaliveMessage {
  type: 'keepalive';
}

export function decodeKeepaliveBody(_buf: Buffer, start: number, end: number): KeepaliveMessage {
  if (end !== start) throw new CodecError(`KEEPALIVE has a ${end - start}-byte body; its length must be 19 (RFC 4271 §4.4)`, start);
  return { type: 'keepalive' };
}

export function encodeKeepalive(): Buffer {
  const w = new ByteWriter(19);
  const start = beginMessage(w, MessageType.KEEPALIVE);
  finishMessage(w, start);
  return w.toBuffer();
}
