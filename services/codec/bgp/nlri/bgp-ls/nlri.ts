/**
 * Link-State NLRI, AFI 16388 / SAFI 71 and the VPN form SAFI 72 (RFC 9552 §5.2; SRv6 SID NLRI
 * RFC 9514 §6). Each entry: [path id (4), RFC 7911] + NLRI Type (2) + Total NLRI Length (2) +
 * [Route Distinguisher (8), SAFI 72 only, counted in the length] + body. The body of the types
 * decoded here (1 node, 2 link, 3 IPv4 prefix, 4 IPv6 prefix, 6 SRv6 SID) is Protocol-ID (1) +
 * Identifier (8) + descriptor TLVs (tlv.ts): Local Node Descriptors (256), and for links Remote
 * Node Descriptors (257) and link descriptors, for prefixes prefix descriptors, for SRv6 SIDs the
 * SRv6 SID Information TLV (518).
 *
 * An NLRI of another type, or one whose body does not parse (shorter than 9 octets, a descriptor
 * TLV running past the NLRI), is kept as `raw` with its type, and the next one still decodes: the
 * Total NLRI Length frames it (RFC 9552 §5.1, RFC 7606 §5.4). Only a header or length running past
 * the NLRI block throws.
 *
 * Canonical text (BgpLsRoute.prefix), what the event model's `prefix` carries:
 *   [<nlri type>][<protocol>][<identifier>] then one [...] per descriptor TLV, in wire order:
 *   node descriptors as [local[k=v,...]] / [remote[k=v,...]], the others as [name=value].
 * e.g. "[node][isis-l2][0][local[as=65000,bgp-ls-id=0,router=0000.0000.0001]]",
 *      "[ipv4-prefix][ospfv2][0][local[as=65000,area=0,router=192.0.2.1]][ip=10.0.0.0/24]".
 * Names and value texts: tlv.ts (TLV_SPEC, lsValueText); TLVs of unknown types read
 * [tlv-<type>=<hex>]. An NLRI kept raw reads "[<nlri type>][raw=<hex of the body>]".
 */
import { CodecError } from '../../../errors.js';
import { formatRouteDistinguisher } from '../../../route-distinguisher.js';
import { u16, u32 } from '../../bytes.js';
import type { ByteWriter } from '../../writer.js';
import { encodeError } from '../../writer.js';
import { writePathId } from '../ipv4.js';
import { writeRd } from '../rd.js';
import type { Route } from '../route.js';
import { decodeLsTlvs, encodeLsTlvs, lsTlvName, lsValueText, type LsTlv } from './tlv.js';

/** NLRI types, IANA "BGP-LS NLRI Types". */
export const BgpLsNlriType = { NODE: 1, LINK: 2, IPV4_PREFIX: 3, IPV6_PREFIX: 4, SRV6_SID: 6 } as const;

const NLRI_TYPE_NAMES: Record<number, string> = { 1: 'node', 2: 'link', 3: 'ipv4-prefix', 4: 'ipv6-prefix', 6: 'srv6-sid' };

/** Protocol-IDs, IANA "BGP-LS Protocol-IDs" (RFC 9552 §5.2; 7 BGP RFC 9086; 8-9 RFC 9552). */
const PROTOCOL_NAMES: Record<number, string> = {
  1: 'isis-l1',
  2: 'isis-l2',
  3: 'ospfv2',
  4: 'direct',
  5: 'static',
  6: 'ospfv3',
  7: 'bgp',
  8: 'rsvp-te',
  9: 'segment-routing',
};

export function bgpLsNlriTypeName(type: number): string {
  return NLRI_TYPE_NAMES[type] ?? `type-${type}`;
}

export function bgpLsProtocolName(id: number): string {
  return PROTOCOL_NAMES[id] ?? `protocol-${id}`;
}

/** One Link-State NLRI. */
export interface BgpLsRoute {
  kind: 'bgp_ls';
  afi: number;
  safi: number;
  /** ADD-PATH path identifier (RFC 7911 §3), or null. */
  pathId: number | null;
  /** Route distinguisher text (SAFI 72), else null. */
  rd: string | null;
  nlriType: number;
  /** Protocol-ID (0 when `raw`). */
  protocolId: number;
  /** Identifier, 64 bits (RFC 9552 §5.2; 0 when `raw`). */
  identifier: bigint;
  /** Descriptor TLVs in wire order (empty when `raw`). */
  descriptors: LsTlv[];
  /** The body of an NLRI this codec does not decode (see the module notes); else null. */
  raw: Buffer | null;
  /** Canonical text (module notes). */
  prefix: string;
}

const HEADER = 4;
const BODY_FIXED = 9;

export function decodeBgpLsNlri(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, out: Route[]): void {
  const vpn = safi === 72;
  while (pos < end) {
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 4) throw new CodecError(`BGP-LS NLRI with ADD-PATH needs a 4-byte path identifier, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    if (end - pos < HEADER) throw new CodecError(`BGP-LS NLRI header needs 4 bytes, only ${end - pos} left (RFC 9552 §5.2)`, pos);
    const nlriType = u16(buf, pos);
    const len = u16(buf, pos + 2);
    let s = pos + HEADER;
    const e = s + len;
    if (e > end) throw new CodecError(`BGP-LS NLRI length ${len} exceeds the NLRI field (${end - s} bytes left)`, pos);
    let rd: string | null = null;
    if (vpn) {
      if (len < 8) throw new CodecError(`BGP-LS VPN NLRI length ${len} leaves no room for the route distinguisher (RFC 9552 §5.2)`, pos);
      rd = formatRouteDistinguisher(buf, s);
      s += 8;
    }
    out.push(decodeBody(buf, s, e, afi, safi, pathId, rd, nlriType));
    pos = e;
  }
}

function decodeBody(buf: Buffer, s: number, e: number, afi: number, safi: number, pathId: number | null, rd: string | null, nlriType: number): BgpLsRoute {
  if (NLRI_TYPE_NAMES[nlriType] !== undefined && e - s >= BODY_FIXED) {
    try {
      const descriptors = decodeLsTlvs(buf, s + BODY_FIXED, e, { ipv6Prefix: nlriType === BgpLsNlriType.IPV6_PREFIX });
      const protocolId = buf[s];
      const identifier = buf.readBigUInt64BE(s + 1);
      const route: BgpLsRoute = { kind: 'bgp_ls', afi, safi, pathId, rd, nlriType, protocolId, identifier, descriptors, raw: null, prefix: '' };
      route.prefix = bgpLsText(route);
      return route;
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
    }
  }
  const route: BgpLsRoute = { kind: 'bgp_ls', afi, safi, pathId, rd, nlriType, protocolId: 0, identifier: 0n, descriptors: [], raw: buf.subarray(s, e), prefix: '' };
  route.prefix = bgpLsText(route);
  return route;
}

/** The canonical text of a route (module notes). */
export function bgpLsText(r: Pick<BgpLsRoute, 'nlriType' | 'protocolId' | 'identifier' | 'descriptors' | 'raw'>): string {
  const head = `[${bgpLsNlriTypeName(r.nlriType)}]`;
  if (r.raw !== null) return `${head}[raw=${r.raw.toString('hex')}]`;
  let text = `${head}[${bgpLsProtocolName(r.protocolId)}][${r.identifier}]`;
  for (const t of r.descriptors) {
    if ((t.type === 256 || t.type === 257) && Array.isArray(t.value)) text += `[${lsTlvName(t.type)}[${lsValueText(t.type, t.value)}]]`;
    else text += `[${lsTlvName(t.type)}=${lsValueText(t.type, t.value)}]`;
  }
  return text;
}

export function encodeBgpLsNlri(w: ByteWriter, routes: readonly Route[], safi: number, addPath: boolean): void {
  for (const r of routes) {
    if (r.kind !== 'bgp_ls') encodeError(`BGP-LS NLRI: route of kind "${r.kind}" cannot be encoded here`);
    writePathId(w, r.pathId, addPath, r.prefix);
    w.u16(r.nlriType, 'BGP-LS NLRI type');
    const lenAt = w.reserve(2);
    const from = w.pos;
    if (safi === 72) {
      if (r.rd === null || r.rd === undefined) encodeError(`BGP-LS VPN NLRI ${r.prefix} has no route distinguisher`);
      writeRd(w, r.rd);
    }
    if (r.raw !== null) w.bytes(r.raw);
    else {
      w.u8(r.protocolId, 'BGP-LS Protocol-ID');
      w.u64(r.identifier, 'BGP-LS Identifier');
      encodeLsTlvs(w, r.descriptors);
    }
    w.setU16(lenAt, w.pos - from, 'BGP-LS NLRI length');
  }
}
