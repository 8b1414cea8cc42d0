/**
 * MP_REACH_NLRI, type 14 (RFC 4760 §3; docs/bmp-protocol.md §20.3-§20.4):
 * AFI (2) + SAFI (1) + Next Hop Length (1) + Next Hop + Reserved (1, the old SNPA count) + NLRI.
 *
 * The next hop is interpreted by its length, never by AFI alone (RFC 8950 §3 lets IPv4 NLRI carry
 * an IPv6 next hop; VPN families prefix each address with an RD, RFC 4364 §4.3.2 / RFC 4659 §3.2.1):
 *   4 IPv4 | 16 IPv6 | 32 IPv6 global + link-local (RFC 2545 §3) |
 *   12 RD + IPv4 | 24 RD + IPv6 | 48 RD + IPv6 global + RD + link-local | other: raw bytes.
 */
import { CodecError } from '../../errors.js';
import { formatIPv4, formatIPv6, isIPv6Text, writeIPv4, writeIPv6 } from '../../address.js';
import type { BgpDecodeOptions } from '../options.js';
import { decodeNlri, encodeNlri } from '../nlri/index.js';
import { writeRd } from '../nlri/rd.js';
import { formatRouteDistinguisher } from '../../route-distinguisher.js';
import type { Route } from '../nlri/route.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export interface MpNextHop {
  /** IPv4 or IPv6 text of the (global) next hop; null when the length has no known layout. */
  address: string | null;
  /** IPv6 link-local next hop when the next hop was 32 (or 48) octets. */
  linkLocal: string | null;
  /** RD in front of the address (VPN next hops, normally "0:0"). */
  rd: string | null;
  /** RD in front of the link-local address (48-octet VPN-IPv6 next hop). */
  linkLocalRd: string | null;
  /** The next-hop octets when `address` is null (e.g. empty for Flowspec, RFC 8955 §4). */
  raw: Buffer | null;
}

export interface MpReach {
  afi: number;
  safi: number;
  nextHop: MpNextHop;
  /** The octet after the next hop: reserved since RFC 4760 (SNPA count in RFC 2858), normally 0. */
  reserved: number;
  routes: Route[];
}

/*
 * Last-value memo of the plain IPv6 next hop (16 or 32 octets): a table dump repeats one peer's
 * next hop on UPDATE after UPDATE, and comparing 16-32 octets costs far less than formatting one
 * or two IPv6 addresses. Strings are immutable, so reusing the texts changes no result.
 */
const lastV6Hop = new Uint8Array(32);
let lastV6HopLength = 0;
let lastV6Address = '';
let lastV6LinkLocal: string | null = null;

function ipv6HopTexts(buf: Buffer, pos: number, len: 16 | 32): void {
  if (len === lastV6HopLength) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (buf[pos + i] !== lastV6Hop[i]) {
        same = false;
        break;
      }
    }
    if (same) return;
  }
  lastV6Address = formatIPv6(buf, pos);
  lastV6LinkLocal = len === 32 ? formatIPv6(buf, pos + 16) : null;
  for (let i = 0; i < len; i++) lastV6Hop[i] = buf[pos + i];
  lastV6HopLength = len;
}

export function decodeMpNextHop(buf: Buffer, pos: number, len: number): MpNextHop {
  switch (len) {
    case 4:
      return { address: formatIPv4(buf, pos), linkLocal: null, rd: null, linkLocalRd: null, raw: null };
    case 16:
    case 32:
      ipv6HopTexts(buf, pos, len);
      return { address: lastV6Address, linkLocal: lastV6LinkLocal, rd: null, linkLocalRd: null, raw: null };
    case 12:
      return { address: formatIPv4(buf, pos + 8), linkLocal: null, rd: formatRouteDistinguisher(buf, pos), linkLocalRd: null, raw: null };
    case 24:
      return { address: formatIPv6(buf, pos + 8), linkLocal: null, rd: formatRouteDistinguisher(buf, pos), linkLocalRd: null, raw: null };
    case 48:
      return { address: formatIPv6(buf, pos + 8), linkLocal: formatIPv6(buf, pos + 32), rd: formatRouteDistinguisher(buf, pos), linkLocalRd: formatRouteDistinguisher(buf, pos + 24), raw: null };
    default:
      return { address: null, linkLocal: null, rd: null, linkLocalRd: null, raw: buf.subarray(pos, pos + len) };
  }
}

export function decodeMpReach(buf: Buffer, start: number, end: number, opts: BgpDecodeOptions): MpReach {
  if (end - start < 5) throw new CodecError(`MP_REACH_NLRI length ${end - start} is below the 5-octet minimum (RFC 4760 §3)`, start);
  const afi = (buf[start] << 8) | buf[start + 1];
  const safi = buf[start + 2];
  const nhLen = buf[start + 3];
  if (nhLen + 1 > end - start - 4) {
    throw new CodecError(`MP_REACH_NLRI next hop length ${nhLen} exceeds attribute (${end - start - 4} bytes left incl. the reserved octet)`, start + 3);
  }
  const nextHop = decodeMpNextHop(buf, start + 4, nhLen);
  const reserved = buf[start + 4 + nhLen];
  const nlri = start + 5 + nhLen;
  const routes: Route[] = nlri < end ? decodeNlri(buf, nlri, end, afi, safi, opts.addPath(afi, safi), false) : [];
  return { afi, safi, nextHop, reserved, routes };
}

function writeAddress(w: ByteWriter, text: string, v6: boolean): void {
  const [buf, at] = w.slot(v6 ? 16 : 4);
  if (v6) writeIPv6(text, buf, at);
  else writeIPv4(text, buf, at);
}

export function encodeMpNextHop(w: ByteWriter, nh: MpNextHop): void {
  const lenAt = w.reserve(1);
  const from = w.pos;
  if (nh.address === null || nh.address === undefined) {
    if (!nh.raw) encodeError('MP_REACH_NLRI next hop has neither an address nor raw bytes');
    w.bytes(nh.raw);
  } else {
    const v6 = isIPv6Text(nh.address);
    if (nh.rd !== null && nh.rd !== undefined) writeRd(w, nh.rd);
    writeAddress(w, nh.address, v6);
    if (nh.linkLocal !== null && nh.linkLocal !== undefined) {
      if (!v6) encodeError('MP_REACH_NLRI: a link-local next hop needs an IPv6 global next hop');
      const hasRd = nh.rd !== null && nh.rd !== undefined;
      if (hasRd !== (nh.linkLocalRd !== null && nh.linkLocalRd !== undefined)) {
        encodeError('MP_REACH_NLRI: rd and linkLocalRd must be given together (48-octet next hop)');
      }
      if (hasRd) writeRd(w, nh.linkLocalRd as string);
      writeAddress(w, nh.linkLocal, true);
    }
  }
  w.setU8(lenAt, w.pos - from, 'MP_REACH_NLRI next hop length');
}

export function encodeMpReach(w: ByteWriter, value: MpReach, opts: BgpDecodeOptions): void {
  w.u16(value.afi, 'MP_REACH_NLRI AFI');
  w.u8(value.safi, 'MP_REACH_NLRI SAFI');
  encodeMpNextHop(w, value.nextHop);
  w.u8(value.reserved ?? 0, 'MP_REACH_NLRI reserved octet');
  encodeNlri(w, value.routes, value.afi, value.safi, opts.addPath(value.afi, value.safi), false);
}
