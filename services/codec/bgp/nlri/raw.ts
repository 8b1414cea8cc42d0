/**
 * Families this codec does not decode (unregistered AFI/SAFI pairs, ...): the
 * whole NLRI block becomes one RawRoute so nothing is dropped and the bytes re-encode verbatim.
 * ADD-PATH path identifiers, if any, stay inside the raw bytes.
 */
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import type { Route } from './route.js';

export function decodeRawNlri(buf: Buffer, pos: number, end: number, afi: number, safi: number, out: Route[]): void {
  if (end > pos) out.push({ kind: 'raw', afi, safi, raw: buf.subarray(pos, end) });
}

export function encodeRawNlri(w: ByteWriter, routes: readonly Route[], afi: number, safi: number): void {
  for (const r of routes) {
    if (r.kind !== 'raw') encodeError(`family ${afi}/${safi} is not decoded by this codec; its routes must be raw NLRI, got a ${r.kind} route`);
    w.bytes(r.raw);
  }
}
