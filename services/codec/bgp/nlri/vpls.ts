/**
 * VPLS NLRI, AFI 25 / SAFI 65. Each entry: [path id (4), RFC 7911] + Length (2 octets, of what
 * follows) + value. Two layouts share the SAFI and are told apart by the length:
 *
 * - 17: RFC 4761 §3.2.2 VE label block: RD (8), VE ID (2), VE Block Offset (2), VE Block Size (2),
 *   Label Base (3: 20-bit label, TC, S);
 * - 12: RFC 6074 §7.1 BGP auto-discovery: RD (8), PE IPv4 address (4).
 *
 * Any other length keeps its value as raw octets in that one route (it re-encodes as sent).
 *
 * vplsRouteText gives the route's canonical text for the event model.
 */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import { formatRouteDistinguisher } from '../../route-distinguisher.js';
import { u16, u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { writePathId } from './ipv4.js';
import { writeRd } from './rd.js';
import type { Route, VplsRoute } from './route.js';

const LABEL_BLOCK_LENGTH = 17;
const AUTO_DISCOVERY_LENGTH = 12;

export function decodeVplsRoutes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, out: Route[]): void {
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 4) throw new CodecError(`VPLS NLRI with ADD-PATH needs a 4-byte path identifier, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    if (end - pos < 2) throw new CodecError(`VPLS NLRI needs a 2-byte length, only ${end - pos} bytes left`, pos);
    const length = u16(buf, pos);
    const v = pos + 2;
    if (v + length > end) throw new CodecError(`VPLS NLRI length ${length} exceeds the NLRI (${end - v} bytes left)`, pos);
    const r: VplsRoute = { kind: 'vpls', afi, safi, pathId, rd: null, veId: null, veBlockOffset: null, veBlockSize: null, labelBase: null, labelBits: null, peAddress: null, raw: null };
    if (length === LABEL_BLOCK_LENGTH) {
      r.rd = formatRouteDistinguisher(buf, v);
      r.veId = u16(buf, v + 8);
      r.veBlockOffset = u16(buf, v + 10);
      r.veBlockSize = u16(buf, v + 12);
      const field = (buf[v + 14] << 16) | (buf[v + 15] << 8) | buf[v + 16];
      r.labelBase = field >>> 4;
      r.labelBits = field & 0xf;
    } else if (length === AUTO_DISCOVERY_LENGTH) {
      r.rd = formatRouteDistinguisher(buf, v);
      r.peAddress = formatIPv4(buf, v + 8);
    } else {
      r.raw = buf.subarray(v, v + length);
    }
    out.push(r);
    pos = v + length;
  }
}

function need<T>(value: T | null, what: string): T {
  if (value === null || value === undefined) encodeError(`VPLS label-block route: ${what} is missing`);
  return value;
}

export function encodeVplsRoutes(w: ByteWriter, routes: readonly Route[], addPath: boolean): void {
  for (const r of routes) {
    if (r.kind !== 'vpls') encodeError(`a VPLS NLRI holds VPLS routes only, got a ${r.kind} route`);
    writePathId(w, r.pathId, addPath, 'VPLS route');
    if (r.raw !== null) {
      w.u16(r.raw.length, 'VPLS NLRI length');
      w.bytes(r.raw);
    } else if (r.peAddress !== null) {
      w.u16(AUTO_DISCOVERY_LENGTH, 'VPLS NLRI length');
      writeRd(w, need(r.rd, 'rd'));
      const [b, at] = w.slot(4);
      writeIPv4(r.peAddress, b, at);
    } else {
      w.u16(LABEL_BLOCK_LENGTH, 'VPLS NLRI length');
      writeRd(w, need(r.rd, 'rd'));
      w.u16(need(r.veId, 'veId'), 'VE ID');
      w.u16(need(r.veBlockOffset, 'veBlockOffset'), 'VE Block Offset');
      w.u16(need(r.veBlockSize, 'veBlockSize'), 'VE Block Size');
      const label = need(r.labelBase, 'labelBase');
      if (!Number.isInteger(label) || label < 0 || label > 0xfffff) encodeError(`VPLS label base ${label} is not a 20-bit value`);
      // S set by default: the label base is a single-entry stack (RFC 4761 §3.2.2).
      const low = r.labelBits ?? 1;
      if (!Number.isInteger(low) || low < 0 || low > 15) encodeError(`VPLS labelBits ${low} is not a 4-bit value`);
      w.u24(label * 16 + low, 'VPLS label base');
    }
  }
}

/**
 * Canonical text of a VPLS route (the route event's `prefix`): "[rd][ve-id][ve-block-offset]
 * [ve-block-size]" for a label block, e.g. "[65017:104][1][1][8]"; "[rd][pe-address]" for an
 * auto-discovery route; "[0x<value hex>]" for a value of another length.
 */
export function vplsRouteText(r: VplsRoute): string {
  if (r.raw !== null) return `[0x${r.raw.toString('hex')}]`;
  if (r.peAddress !== null) return `[${r.rd}][${r.peAddress}]`;
  return `[${r.rd}][${r.veId}][${r.veBlockOffset}][${r.veBlockSize}]`;
}
