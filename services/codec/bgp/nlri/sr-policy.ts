/**
 * SR Policy NLRI, SAFI 73 for AFI 1 and 2 (RFC 9830 §2.1): [path id (4), RFC 7911] + NLRI Length
 * (1, in bits: 96 for IPv4, 192 for IPv6) + Distinguisher (4) + Policy Color (4) + Endpoint (4 or
 * 16, by AFI). The same layout serves withdrawals.
 *
 * Canonical text (SrPolicyRoute.prefix, the event model's `prefix`):
 *   "[distinguisher=<n>][color=<n>][endpoint=<address>]".
 */
import { CodecError } from '../../errors.js';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../../address.js';
import { u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { writePathId } from './ipv4.js';
import type { Route } from './route.js';

export interface SrPolicyRoute {
  kind: 'sr_policy';
  afi: number;
  safi: number;
  pathId: number | null;
  distinguisher: number;
  color: number;
  /** IPv4 (AFI 1) or IPv6 (AFI 2) text. */
  endpoint: string;
  /** Canonical text (module notes). */
  prefix: string;
}

export function srPolicyText(distinguisher: number, color: number, endpoint: string): string {
  return `[distinguisher=${distinguisher}][color=${color}][endpoint=${endpoint}]`;
}

export function decodeSrPolicyNlri(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, out: Route[]): void {
  const v6 = afi === 2;
  const bits = v6 ? 192 : 96;
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 4) throw new CodecError(`SR Policy NLRI with ADD-PATH needs a 4-byte path identifier, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    if (pos >= end) throw new CodecError('SR Policy NLRI length octet missing', pos);
    const length = buf[pos];
    if (length !== bits) throw new CodecError(`SR Policy NLRI length ${length} bits, must be ${bits} for AFI ${afi} (RFC 9830 §2.1)`, pos);
    if (pos + 1 + bits / 8 > end) throw new CodecError(`SR Policy NLRI needs ${bits / 8} bytes, only ${end - pos - 1} left`, pos);
    const distinguisher = u32(buf, pos + 1);
    const color = u32(buf, pos + 5);
    const endpoint = v6 ? formatIPv6(buf, pos + 9) : formatIPv4(buf, pos + 9);
    out.push({ kind: 'sr_policy', afi, safi, pathId, distinguisher, color, endpoint, prefix: srPolicyText(distinguisher, color, endpoint) });
    pos += 1 + bits / 8;
  }
}

export function encodeSrPolicyNlri(w: ByteWriter, routes: readonly Route[], afi: number, addPath: boolean): void {
  const v6 = afi === 2;
  for (const r of routes) {
    if (r.kind !== 'sr_policy') encodeError(`SR Policy NLRI: route of kind "${r.kind}" cannot be encoded here`);
    writePathId(w, r.pathId, addPath, r.prefix);
    w.u8(v6 ? 192 : 96, 'SR Policy NLRI length');
    w.u32(r.distinguisher, 'SR Policy distinguisher');
    w.u32(r.color, 'SR Policy color');
    const [buf, at] = w.slot(v6 ? 16 : 4);
    if (v6) writeIPv6(r.endpoint, buf, at);
    else writeIPv4(r.endpoint, buf, at);
  }
}
