/**
 * ROUTE-REFRESH (RFC 2918 §3; RFC 7313 §3): AFI (2) + Message Subtype (1; 0 normal request,
 * 1 BoRR, 2 EoRR; "Reserved" before RFC 7313) + SAFI (1). Bytes after that are Outbound Route
 * Filtering entries (RFC 5291 §4), kept as `data`.
 */
import { CodecError } from '../errors.js';
import { beginMessage, finishMessage, MessageType } from './header.js';
import { ByteWriter } from './writer.js';

export const RouteRefreshSubtype = {
  REQUEST: 0,
  BEGIN_OF_ROUTE_REFRESH: 1,
  END_OF_ROUTE_REFRESH: 2,
} as const;

export interface RouteRefreshMessage {
  type: 'route_refresh';
  afi: number;
  safi: number;
  /** 0 request, 1 BoRR, 2 EoRR (RFC 7313 §3). */
  subtype: number;
  /** ORF entries (RFC 5291 §4) or anything else after SAFI; empty normally. */
  data: Buffer;
}

export function decodeRouteRefreshBody(buf: Buffer, start: number, end: number): RouteRefreshMessage {
  if (end - start < 4) throw new CodecError(`ROUTE-REFRESH body needs 4 bytes, only ${end - start} (RFC 2918 §3)`, start);
  return {
    type: 'route_refresh',
    afi: (buf[start] << 8) | buf[start + 1],
    safi: buf[start + 3],
    subtype: buf[start + 2],
    data: buf.subarray(start + 4, end),
  };
}

export function encodeRouteRefreshBody(w: ByteWriter, msg: RouteRefreshMessage): void {
  w.u16(msg.afi, 'ROUTE-REFRESH AFI');
  w.u8(msg.subtype, 'ROUTE-REFRESH subtype');
  w.u8(msg.safi, 'ROUTE-REFRESH SAFI');
  w.bytes(msg.data);
}

export function encodeRouteRefresh(msg: RouteRefreshMessage): Buffer {
  const w = new ByteWriter(32);
  const start = beginMessage(w, MessageType.ROUTE_REFRESH);
  encodeRouteRefreshBody(w, msg);
  finishMessage(w, start);
  return w.toBuffer();
}
