/**
 * MP_UNREACH_NLRI, type 15 (RFC 4760 §4): AFI (2) + SAFI (1) + withdrawn NLRI. With no NLRI at
 * all it is the End-of-RIB marker of that family (RFC 4724 §2), see update.ts.
 */
import { CodecError } from '../../errors.js';
import type { BgpDecodeOptions } from '../options.js';
import { decodeNlri, encodeNlri } from '../nlri/index.js';
import type { Route } from '../nlri/route.js';
import type { ByteWriter } from '../writer.js';

export interface MpUnreach {
  afi: number;
  safi: number;
  routes: Route[];
}

export function decodeMpUnreach(buf: Buffer, start: number, end: number, opts: BgpDecodeOptions): MpUnreach {
  if (end - start < 3) throw new CodecError(`MP_UNREACH_NLRI length ${end - start} is below the 3-octet minimum (RFC 4760 §4)`, start);
  const afi = (buf[start] << 8) | buf[start + 1];
  const safi = buf[start + 2];
  const routes: Route[] = start + 3 < end ? decodeNlri(buf, start + 3, end, afi, safi, opts.addPath(afi, safi), true) : [];
  return { afi, safi, routes };
}

export function encodeMpUnreach(w: ByteWriter, value: MpUnreach, opts: BgpDecodeOptions): void {
  w.u16(value.afi, 'MP_UNREACH_NLRI AFI');
  w.u8(value.safi, 'MP_UNREACH_NLRI SAFI');
  encodeNlri(w, value.routes, value.afi, value.safi, opts.addPath(value.afi, value.safi), true);
}
