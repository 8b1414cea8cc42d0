/**
 * EVPN NLRI, AFI 25 / SAFI 70 (RFC 7432 §7). Each entry: [path id (4), RFC 7911] + Route Type (1)
 * + Length (1, octets of the value) + value. Route types decoded here (value layouts):
 *
 * | type | RFC | value |
 * |---|---|---|
 * | 1 Ethernet A-D | 7432 §7.1 | RD, ESI, Ethernet Tag, MPLS Label |
 * | 2 MAC/IP Advertisement | 7432 §7.2 | RD, ESI, Ethernet Tag, MAC length (48), MAC, IP length (0/32/128 bits), IP, Label1, [Label2] |
 * | 3 Inclusive Multicast Ethernet Tag | 7432 §7.3 | RD, Ethernet Tag, IP length, originating router's IP |
 * | 4 Ethernet Segment | 7432 §7.4 | RD, ESI, IP length, originating router's IP |
 * | 5 IP Prefix | 9136 §3.1 | RD, ESI, Ethernet Tag, prefix length, prefix (4/16), gateway IP (4/16), MPLS Label; length 34 or 58 |
 * | 6 Selective Multicast Ethernet Tag | 9251 §9.1 | RD, Ethernet Tag, source length+source, group length+group, originator length+originator, flags |
 * | 7 Multicast Membership Report Synch | 9251 §9.2 | RD, ESI, then as type 6 after the Ethernet Tag |
 * | 8 Multicast Leave Synch | 9251 §9.3 | as type 7 with Leave Group Synchronization # (4) and Maximum Response Time (1) before the flags |
 * | 9 Per-Region I-PMSI A-D | 9572 §3.1 | RD, Ethernet Tag, Region ID (8) |
 * | 10 S-PMSI A-D | 9572 §3.2 | RD, Ethernet Tag, source length+source, group length+group, originator length+originator |
 * | 11 Leaf A-D | 9572 §3.3 | Route Key (the EVPN NLRI it answers: type, length, value), originator length+originator |
 *
 * Lengths inside the values (IP, source, group, originator) are in bits. Any other route type, and
 * a value whose length does not match its type's layout (or whose MAC length is not 48), is kept as
 * raw value octets in that one route:
 * the entries around it still decode, and it re-encodes as sent.
 *
 * evpnRouteText gives the route's canonical text for the event model (see its comment).
 */
import { CodecError } from '../../errors.js';
import { formatRouteDistinguisher } from '../../route-distinguisher.js';
import { u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { addressOctets, addressText, colonHex, ESI_LENGTH, readLengthAddress, writeAddress, writeColonHex, writeLengthAddress } from './fields.js';
import { writePathId } from './ipv4.js';
import { writeRd } from './rd.js';
import type { EvpnRoute, Route } from './route.js';

export const EVPN_ROUTE_TYPES: Readonly<Record<number, string>> = {
  1: 'ethernet_ad',
  2: 'mac_ip_advertisement',
  3: 'inclusive_multicast_ethernet_tag',
  4: 'ethernet_segment',
  5: 'ip_prefix',
  6: 'selective_multicast_ethernet_tag',
  7: 'multicast_membership_report_synch',
  8: 'multicast_leave_synch',
  9: 'per_region_i_pmsi_ad',
  10: 's_pmsi_ad',
  11: 'leaf_ad',
};

/** A route with every field null: the one shape all EVPN routes share. */
function emptyRoute(afi: number, safi: number, pathId: number | null, routeType: number): EvpnRoute {
  return {
    kind: 'evpn',
    afi,
    safi,
    pathId,
    routeType,
    rd: null,
    esi: null,
    ethernetTag: null,
    mac: null,
    ip: null,
    ipPrefix: null,
    gatewayIp: null,
    originatorIp: null,
    source: null,
    group: null,
    flags: null,
    leaveGroupSync: null,
    maxResponseTime: null,
    regionId: null,
    labelFields: [],
    routeKey: null,
    raw: null,
  };
}

function u24(buf: Uint8Array, p: number): number {
  return (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2];
}

/**
 * Source, group and originator (each "length in bits, address"), types 6-8 and 10, into `r`;
 * the position after them, or -1 when they do not fit (or the originator is missing).
 */
function readMulticast(buf: Uint8Array, p: number, end: number, r: EvpnRoute): number {
  const s = readLengthAddress(buf, p, end);
  if (s === null) return -1;
  const g = readLengthAddress(buf, s.next, end);
  if (g === null) return -1;
  const o = readLengthAddress(buf, g.next, end);
  if (o === null || o.text === null) return -1;
  r.source = s.text;
  r.group = g.text;
  r.originatorIp = o.text;
  return o.next;
}

/** Fills `r` from the value [v, end) of its route type; false when the value does not fit the layout. */
function decodeValue(buf: Buffer, v: number, end: number, r: EvpnRoute): boolean {
  const len = end - v;
  if (r.routeType === 11) {
    // The Route Key is itself an EVPN NLRI (without path identifier).
    if (len < 2 || v + 2 + buf[v + 1] > end) return false;
    const o = readLengthAddress(buf, v + 2 + buf[v + 1], end);
    if (o === null || o.text === null || o.next !== end) return false;
    r.routeKey = decodeOne(buf, v, r.afi, r.safi, null);
    r.originatorIp = o.text;
    return true;
  }
  if (len < 8) return false;
  const rd = formatRouteDistinguisher(buf, v);
  let p = v + 8;
  switch (r.routeType) {
    case 1:
      if (len !== 25) return false;
      r.esi = colonHex(buf, p, ESI_LENGTH);
      r.ethernetTag = u32(buf, p + 10);
      r.labelFields.push(u24(buf, p + 14));
      break;
    case 2: {
      if (len < 33 || buf[p + 14] !== 48) return false;
      const ip = readLengthAddress(buf, p + 21, end);
      if (ip === null || (end - ip.next !== 3 && end - ip.next !== 6)) return false;
      r.esi = colonHex(buf, p, ESI_LENGTH);
      r.ethernetTag = u32(buf, p + 10);
      r.mac = colonHex(buf, p + 15, 6);
      r.ip = ip.text;
      for (p = ip.next; p < end; p += 3) r.labelFields.push(u24(buf, p));
      break;
    }
    case 3:
    case 4: {
      const esi = r.routeType === 4;
      if (len < (esi ? 18 : 12)) return false;
      const o = readLengthAddress(buf, p + (esi ? 10 : 4), end);
      if (o === null || o.text === null || o.next !== end) return false;
      if (esi) r.esi = colonHex(buf, p, ESI_LENGTH);
      else r.ethernetTag = u32(buf, p);
      r.originatorIp = o.text;
      break;
    }
    case 5: {
      if (len !== 34 && len !== 58) return false;
      const octets = len === 34 ? 4 : 16;
      const bits = buf[p + 14];
      if (bits > octets * 8) return false;
      r.esi = colonHex(buf, p, ESI_LENGTH);
      r.ethernetTag = u32(buf, p + 10);
      r.ipPrefix = `${addressText(buf, p + 15, octets)}/${bits}`;
      r.gatewayIp = addressText(buf, p + 15 + octets, octets);
      r.labelFields.push(u24(buf, p + 15 + 2 * octets));
      break;
    }
    case 6:
    case 7:
    case 8: {
      const esi = r.routeType !== 6;
      const tagAt = p + (esi ? 10 : 0);
      if (tagAt + 4 > end) return false;
      p = readMulticast(buf, tagAt + 4, end, r);
      if (p < 0) return false;
      if (r.routeType === 8) {
        // Leave Group Synchronization # (4) + Maximum Response Time (1).
        if (end - p !== 6) return false;
        r.leaveGroupSync = u32(buf, p);
        r.maxResponseTime = buf[p + 4];
        p += 5;
      } else if (end - p !== 1) {
        return false;
      }
      if (esi) r.esi = colonHex(buf, v + 8, ESI_LENGTH);
      r.ethernetTag = u32(buf, tagAt);
      r.flags = buf[p];
      break;
    }
    case 9:
      if (len !== 20) return false;
      r.ethernetTag = u32(buf, p);
      r.regionId = buf.toString('hex', p + 4, p + 12);
      break;
    case 10:
      if (len < 12) return false;
      if (readMulticast(buf, p + 4, end, r) !== end) return false;
      r.ethernetTag = u32(buf, p);
      break;
    default:
      return false;
  }
  r.rd = rd;
  return true;
}

export function decodeEvpnRoutes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, out: Route[]): void {
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 4) throw new CodecError(`EVPN NLRI with ADD-PATH needs a 4-byte path identifier, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    if (end - pos < 2) throw new CodecError(`EVPN NLRI needs a route type and a length, only ${end - pos} bytes left`, pos);
    const length = buf[pos + 1];
    if (pos + 2 + length > end) throw new CodecError(`EVPN route type ${buf[pos]} length ${length} exceeds the NLRI (${end - pos - 2} bytes left)`, pos);
    out.push(decodeOne(buf, pos, afi, safi, pathId));
    pos += 2 + length;
  }
}

/** One route (type, length, value) at `pos`, whose value ends within the NLRI (checked by the caller). */
function decodeOne(buf: Buffer, pos: number, afi: number, safi: number, pathId: number | null): EvpnRoute {
  const v = pos + 2;
  const end = v + buf[pos + 1];
  const r = emptyRoute(afi, safi, pathId, buf[pos]);
  if (decodeValue(buf, v, end, r)) return r;
  const raw = emptyRoute(afi, safi, pathId, buf[pos]);
  raw.raw = buf.subarray(v, end);
  return raw;
}

function need<T>(value: T | null, what: string, r: EvpnRoute): T {
  if (value === null || value === undefined) encodeError(`EVPN route type ${r.routeType}: ${what} is missing`);
  return value;
}

function writeMulticast(w: ByteWriter, r: EvpnRoute): void {
  writeLengthAddress(w, r.source);
  writeLengthAddress(w, r.group);
  writeLengthAddress(w, need(r.originatorIp, 'originatorIp', r));
}

function writeValue(w: ByteWriter, r: EvpnRoute): void {
  if (r.routeType === 11) {
    writeOne(w, need(r.routeKey, 'routeKey', r));
    writeLengthAddress(w, need(r.originatorIp, 'originatorIp', r));
    return;
  }
  writeRd(w, need(r.rd, 'rd', r));
  const esi = (): void => writeColonHex(w, need(r.esi, 'esi', r), ESI_LENGTH, 'ESI');
  const tag = (): void => w.u32(need(r.ethernetTag, 'ethernetTag', r), 'Ethernet Tag');
  const labels = (min: number, max: number): void => {
    if (r.labelFields.length < min || r.labelFields.length > max) encodeError(`EVPN route type ${r.routeType} takes ${min}-${max} label fields, got ${r.labelFields.length}`);
    for (const l of r.labelFields) w.u24(l, 'EVPN label field');
  };
  switch (r.routeType) {
    case 1:
      esi();
      tag();
      labels(1, 1);
      return;
    case 2:
      esi();
      tag();
      w.u8(48, 'MAC address length');
      writeColonHex(w, need(r.mac, 'mac', r), 6, 'MAC address');
      writeLengthAddress(w, r.ip);
      labels(1, 2);
      return;
    case 3:
    case 4:
      if (r.routeType === 4) esi();
      else tag();
      writeLengthAddress(w, need(r.originatorIp, 'originatorIp', r));
      return;
    case 5: {
      esi();
      tag();
      const prefix = need(r.ipPrefix, 'ipPrefix', r);
      const slash = prefix.indexOf('/');
      const address = prefix.slice(0, slash);
      const bits = Number(prefix.slice(slash + 1));
      const octets = addressOctets(address);
      const gateway = need(r.gatewayIp, 'gatewayIp', r);
      if (slash < 0 || !Number.isInteger(bits) || bits < 0 || bits > octets * 8) encodeError(`EVPN IP prefix "${prefix}" is not address/length`);
      if (addressOctets(gateway) !== octets) encodeError(`EVPN IP prefix ${prefix} and gateway ${gateway} must be of the same family (RFC 9136 §3.1)`);
      w.u8(bits, 'EVPN IP prefix length');
      writeAddress(w, address);
      writeAddress(w, gateway);
      labels(1, 1);
      return;
    }
    case 6:
    case 7:
    case 8:
      if (r.routeType !== 6) esi();
      tag();
      writeMulticast(w, r);
      if (r.routeType === 8) {
        w.u32(need(r.leaveGroupSync, 'leaveGroupSync', r), 'Leave Group Synchronization #');
        w.u8(need(r.maxResponseTime, 'maxResponseTime', r), 'Maximum Response Time');
      }
      w.u8(need(r.flags, 'flags', r), 'EVPN multicast flags');
      return;
    case 9: {
      tag();
      const region = need(r.regionId, 'regionId', r);
      if (!/^[0-9a-fA-F]{16}$/.test(region)) encodeError(`EVPN Region ID "${region}" is not 16 hex digits`);
      w.bytes(Buffer.from(region, 'hex'));
      return;
    }
    case 10:
      tag();
      writeMulticast(w, r);
      return;
    default:
      encodeError(`EVPN route type ${r.routeType} is not decoded by this codec; give its value as raw`);
  }
}

export function encodeEvpnRoutes(w: ByteWriter, routes: readonly Route[], addPath: boolean): void {
  for (const r of routes) {
    if (r.kind !== 'evpn') encodeError(`an EVPN NLRI holds EVPN routes only, got a ${r.kind} route`);
    writePathId(w, r.pathId, addPath, `EVPN route type ${r.routeType}`);
    writeOne(w, r);
  }
}

function writeOne(w: ByteWriter, r: EvpnRoute): void {
  w.u8(r.routeType, 'EVPN route type');
  const lengthAt = w.reserve(1);
  const start = w.pos;
  if (r.raw !== null) w.bytes(r.raw);
  else writeValue(w, r);
  w.setU8(lengthAt, w.pos - start, 'EVPN route length');
}

/**
 * Canonical text of an EVPN route, used as the route event's `prefix`: the route type and the
 * value's fields in wire order, each in brackets, without the label fields and the flags /
 * Maximum Response Time octets (which RFC 7432 §7 and RFC 9251 §9 leave out of the route key):
 *
 *   [1][rd][esi][tag]                   [2][rd][esi][tag][mac][ip]      (ip empty when absent)
 *   [3][rd][tag][originator]            [4][rd][esi][originator]
 *   [5][rd][esi][tag][prefix][gateway]  [6][rd][tag][source][group][originator]  (* = wildcard)
 *   [7|8][rd][esi][tag][source][group][originator]
 *   [9][rd][tag][region-id hex]         [10][rd][tag][source][group][originator]
 *   [11][<route key text>][originator]  raw: [type][0x<value hex>]
 *
 * e.g. "[2][65000:100][00:00:00:00:00:00:00:00:00:00][0][00:11:22:33:44:55][10.0.0.1]". RD as in
 * route-distinguisher.ts, ESI as 10 colon-separated hex octets, tag in decimal.
 */
export function evpnRouteText(r: EvpnRoute): string {
  const t = `[${r.routeType}]`;
  if (r.raw !== null) return `${t}[0x${r.raw.toString('hex')}]`;
  const mc = (): string => `[${r.source ?? '*'}][${r.group ?? '*'}][${r.originatorIp}]`;
  switch (r.routeType) {
    case 1:
      return `${t}[${r.rd}][${r.esi}][${r.ethernetTag}]`;
    case 2:
      return `${t}[${r.rd}][${r.esi}][${r.ethernetTag}][${r.mac}][${r.ip ?? ''}]`;
    case 3:
      return `${t}[${r.rd}][${r.ethernetTag}][${r.originatorIp}]`;
    case 4:
      return `${t}[${r.rd}][${r.esi}][${r.originatorIp}]`;
    case 5:
      return `${t}[${r.rd}][${r.esi}][${r.ethernetTag}][${r.ipPrefix}][${r.gatewayIp}]`;
    case 6:
    case 10:
      return `${t}[${r.rd}][${r.ethernetTag}]${mc()}`;
    case 7:
    case 8:
      return `${t}[${r.rd}][${r.esi}][${r.ethernetTag}]${mc()}`;
    case 9:
      return `${t}[${r.rd}][${r.ethernetTag}][${r.regionId}]`;
    case 11:
      return `${t}[${r.routeKey === null ? '' : evpnRouteText(r.routeKey)}][${r.originatorIp}]`;
    default:
      return t;
  }
}
