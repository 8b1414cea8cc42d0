/**
 * MCAST-VPN NLRI, SAFI 5 with AFI 1 or 2 (RFC 6514 §4). Each entry: [path id (4), RFC 7911] +
 * Route Type (1) + Length (1, octets of the value) + value:
 *
 * | type | RFC 6514 | value |
 * |---|---|---|
 * | 1 Intra-AS I-PMSI A-D | §4.1 | RD, originating router's IP (4/16) |
 * | 2 Inter-AS I-PMSI A-D | §4.2 | RD, Source AS (4) |
 * | 3 S-PMSI A-D | §4.3 | RD, source length+source, group length+group, originating router's IP (4/16) |
 * | 4 Leaf A-D | §4.4 | Route Key (an MCAST-VPN NLRI: type, length, value), originating router's IP (4/16) |
 * | 5 Source Active A-D | §4.5 | RD, source length+source, group length+group |
 * | 6 C-multicast Shared Tree Join | §4.6 | RD, Source AS (4), source length+source, group length+group |
 * | 7 C-multicast Source Tree Join | §4.6 | as type 6 |
 *
 * Source and group lengths are in bits (32, 128, or 0 for the RFC 6625 wildcards); the
 * originating router's IP has no length of its own and is what remains of the value (4 or 16
 * octets). Any other route type, or a value that does not fit its type's layout, is kept as raw
 * value octets in that one route.
 *
 * mvpnRouteText gives the route's canonical text for the event model.
 */
import { CodecError } from '../../errors.js';
import { formatRouteDistinguisher } from '../../route-distinguisher.js';
import { u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { readLengthAddress, readTrailingAddress, writeAddress, writeLengthAddress } from './fields.js';
import { writePathId } from './ipv4.js';
import { writeRd } from './rd.js';
import type { MvpnRoute, Route } from './route.js';

export const MVPN_ROUTE_TYPES: Readonly<Record<number, string>> = {
  1: 'intra_as_i_pmsi_ad',
  2: 'inter_as_i_pmsi_ad',
  3: 's_pmsi_ad',
  4: 'leaf_ad',
  5: 'source_active_ad',
  6: 'shared_tree_join',
  7: 'source_tree_join',
};

function emptyRoute(afi: number, safi: number, pathId: number | null, routeType: number): MvpnRoute {
  return { kind: 'mvpn', afi, safi, pathId, routeType, rd: null, originatorIp: null, sourceAs: null, source: null, group: null, routeKey: null, raw: null };
}

/** Source and group pairs at `p` into `r`; the position after them, or -1. */
function readSourceGroup(buf: Uint8Array, p: number, end: number, r: MvpnRoute): number {
  const s = readLengthAddress(buf, p, end);
  if (s === null) return -1;
  const g = readLengthAddress(buf, s.next, end);
  if (g === null) return -1;
  r.source = s.text;
  r.group = g.text;
  return g.next;
}

/** One route (type, length, value) at `pos`, whose value ends at `pos + 2 + length` (checked by the caller). */
function decodeOne(buf: Buffer, pos: number, afi: number, safi: number, pathId: number | null): MvpnRoute {
  const type = buf[pos];
  const v = pos + 2;
  const end = v + buf[pos + 1];
  const r = emptyRoute(afi, safi, pathId, type);
  if (!decodeValue(buf, v, end, r)) {
    const raw = emptyRoute(afi, safi, pathId, type);
    raw.raw = buf.subarray(v, end);
    return raw;
  }
  return r;
}

function decodeValue(buf: Buffer, v: number, end: number, r: MvpnRoute): boolean {
  if (r.routeType === 4) {
    // The Route Key is itself an MCAST-VPN NLRI (without path identifier).
    if (end - v < 2 || v + 2 + buf[v + 1] > end) return false;
    const key = decodeOne(buf, v, r.afi, r.safi, null);
    const originator = readTrailingAddress(buf, v + 2 + buf[v + 1], end);
    if (originator === null) return false;
    r.routeKey = key;
    r.originatorIp = originator;
    return true;
  }
  if (end - v < 8 || r.routeType < 1 || r.routeType > 7) return false;
  const p = v + 8;
  switch (r.routeType) {
    case 1:
      r.originatorIp = readTrailingAddress(buf, p, end);
      if (r.originatorIp === null) return false;
      break;
    case 2:
      if (end - p !== 4) return false;
      r.sourceAs = u32(buf, p);
      break;
    case 3: {
      const q = readSourceGroup(buf, p, end, r);
      if (q < 0) return false;
      r.originatorIp = readTrailingAddress(buf, q, end);
      if (r.originatorIp === null) return false;
      break;
    }
    case 5:
      if (readSourceGroup(buf, p, end, r) !== end) return false;
      break;
    default:
      // 6 and 7
      if (end - p < 4 || readSourceGroup(buf, p + 4, end, r) !== end) return false;
      r.sourceAs = u32(buf, p);
  }
  r.rd = formatRouteDistinguisher(buf, v);
  return true;
}

export function decodeMvpnRoutes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, out: Route[]): void {
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 4) throw new CodecError(`MCAST-VPN NLRI with ADD-PATH needs a 4-byte path identifier, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    if (end - pos < 2) throw new CodecError(`MCAST-VPN NLRI needs a route type and a length, only ${end - pos} bytes left`, pos);
    const length = buf[pos + 1];
    if (pos + 2 + length > end) throw new CodecError(`MCAST-VPN route type ${buf[pos]} length ${length} exceeds the NLRI (${end - pos - 2} bytes left)`, pos);
    out.push(decodeOne(buf, pos, afi, safi, pathId));
    pos += 2 + length;
  }
}

function need<T>(value: T | null, what: string, r: MvpnRoute): T {
  if (value === null || value === undefined) encodeError(`MCAST-VPN route type ${r.routeType}: ${what} is missing`);
  return value;
}

function writeOne(w: ByteWriter, r: MvpnRoute): void {
  w.u8(r.routeType, 'MCAST-VPN route type');
  const lengthAt = w.reserve(1);
  const start = w.pos;
  if (r.raw !== null) {
    w.bytes(r.raw);
  } else if (r.routeType === 4) {
    writeOne(w, need(r.routeKey, 'routeKey', r));
    writeAddress(w, need(r.originatorIp, 'originatorIp', r));
  } else {
    if (r.routeType < 1 || r.routeType > 7) encodeError(`MCAST-VPN route type ${r.routeType} is not decoded by this codec; give its value as raw`);
    writeRd(w, need(r.rd, 'rd', r));
    if (r.routeType === 2 || r.routeType === 6 || r.routeType === 7) w.u32(need(r.sourceAs, 'sourceAs', r), 'Source AS');
    if (r.routeType !== 1 && r.routeType !== 2) {
      writeLengthAddress(w, r.source);
      writeLengthAddress(w, r.group);
    }
    if (r.routeType === 1 || r.routeType === 3) writeAddress(w, need(r.originatorIp, 'originatorIp', r));
  }
  w.setU8(lengthAt, w.pos - start, 'MCAST-VPN route length');
}

export function encodeMvpnRoutes(w: ByteWriter, routes: readonly Route[], addPath: boolean): void {
  for (const r of routes) {
    if (r.kind !== 'mvpn') encodeError(`an MCAST-VPN NLRI holds MCAST-VPN routes only, got a ${r.kind} route`);
    writePathId(w, r.pathId, addPath, `MCAST-VPN route type ${r.routeType}`);
    writeOne(w, r);
  }
}

/**
 * Canonical text of an MCAST-VPN route (the route event's `prefix`): the route type and the
 * value's fields in wire order, each in brackets ("*" for a wildcard source or group):
 *
 *   [1][rd][originator]   [2][rd][source-as]   [3][rd][source][group][originator]
 *   [4][<route key text>][originator]   [5][rd][source][group]   [6|7][rd][source-as][source][group]
 *   raw: [type][0x<value hex>]
 *
 * e.g. "[3][65000:1][10.0.0.1][232.1.1.1][192.0.2.1]", "[4][[3][65000:1][*][*][192.0.2.1]][192.0.2.2]".
 */
export function mvpnRouteText(r: MvpnRoute): string {
  const t = `[${r.routeType}]`;
  if (r.raw !== null) return `${t}[0x${r.raw.toString('hex')}]`;
  const sg = `[${r.source ?? '*'}][${r.group ?? '*'}]`;
  switch (r.routeType) {
    case 1:
      return `${t}[${r.rd}][${r.originatorIp}]`;
    case 2:
      return `${t}[${r.rd}][${r.sourceAs}]`;
    case 3:
      return `${t}[${r.rd}]${sg}[${r.originatorIp}]`;
    case 4:
      return `${t}[${r.routeKey === null ? '' : mvpnRouteText(r.routeKey)}][${r.originatorIp}]`;
    case 5:
      return `${t}[${r.rd}]${sg}`;
    default:
      return `${t}[${r.rd}][${r.sourceAs}]${sg}`;
  }
}
