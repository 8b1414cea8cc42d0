/**
 * From a captured frame to a TCP segment: link layer, IPv4/IPv6, TCP header.
 *
 * Link types (LINKTYPE_* values of the tcpdump.org registry):
 *   1 Ethernet (802.1Q / 802.1ad / QinQ tags are stepped over)
 *   113 Linux cooked v1 (SLL, 16-octet header, protocol at 14)
 *   276 Linux cooked v2 (SLL2, 20-octet header, protocol at 0)
 *   101 raw IP (and 12, 14: DLT_RAW values some writers put in files), 228 raw IPv4, 229 raw IPv6
 *   0 BSD loopback / null and 108 OpenBSD loopback (4-octet address family; the IP version
 *     nibble decides, which sidesteps the host-byte-order AF value of DLT_NULL)
 *
 * IPv4 (RFC 791): the payload ends at Total Length (Ethernet pads short frames), or at the
 * captured end when Total Length is 0 (segmentation offload) or beyond it (snaplen). Fragments are
 * not reassembled: a fragment is reported and skipped (BMP senders set DF on TCP).
 * IPv6 (RFC 8200 §4): extension headers Hop-by-Hop (0), Routing (43), Destination Options (60),
 * Mobility (135), HIP (139), Shim6 (140) — (length + 1) × 8 octets — and AH (51, RFC 4302:
 * (length + 2) × 4 octets) are stepped over; a Fragment header (44) other than an atomic fragment
 * makes the packet a skipped fragment.
 * TCP (RFC 9293 §3.1): ports, sequence number, data offset, flags; the payload follows the
 * options.
 */
import { formatIPv4, formatIPv6 } from '../codec/address.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

export interface TcpSegment {
  kind: 'tcp';
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  flags: number;
  /** TCP payload (view into the frame). */
  payload: Buffer;
  /** The frame was cut by the snaplen: the payload is shorter than the IP length says. */
  truncated: boolean;
}

export type SkipReason = 'link_type' | 'not_ip' | 'not_tcp' | 'fragment' | 'malformed';

export interface SkippedFrame {
  kind: 'skip';
  reason: SkipReason;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
const IPV6_EXTENSIONS_8 = new Set([0, 43, 60, 135, 139, 140]);

function skip(reason: SkipReason): SkippedFrame {
  return { kind: 'skip', reason };
}

/** Decodes a captured frame down to its TCP segment, or says why it is skipped. */
export function decodeTcpSegment(linkType: number, frame: Buffer): TcpSegment | SkippedFrame {
  switch (linkType) {
    case 1: {
      if (frame.length < 14) return skip('malformed');
      return byEthertype(frame, frame.readUInt16BE(12), 14);
    }
    case 113:
      if (frame.length < 16) return skip('malformed');
      return byEthertype(frame, frame.readUInt16BE(14), 16);
    case 276:
      if (frame.length < 20) return skip('malformed');
      return byEthertype(frame, frame.readUInt16BE(0), 20);
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      return byVersion(frame, 0);
    case 0:
    case 108:
      return byVersion(frame, 4);
    default:
      return skip('link_type');
  }
}

function byEthertype(frame: Buffer, ethertype: number, offset: number): TcpSegment | SkippedFrame {
  // 802.1Q/802.1ad tags: TCI (2) + inner EtherType (2), possibly stacked (QinQ).
  while (VLAN_ETHERTYPES.has(ethertype)) {
    if (offset + 4 > frame.length) return skip('malformed');
    ethertype = frame.readUInt16BE(offset + 2);
    offset += 4;
  }
  if (ethertype === ETHERTYPE_IPV4) return ipv4(frame, offset);
  if (ethertype === ETHERTYPE_IPV6) return ipv6(frame, offset);
  return skip('not_ip');
}

function byVersion(frame: Buffer, offset: number): TcpSegment | SkippedFrame {
  if (offset >= frame.length) return skip('malformed');
  const version = frame[offset] >> 4;
  if (version === 4) return ipv4(frame, offset);
  if (version === 6) return ipv6(frame, offset);
  return skip('not_ip');
}

function ipv4(frame: Buffer, offset: number): TcpSegment | SkippedFrame {
  if (offset + 20 > frame.length || frame[offset] >> 4 !== 4) return skip('malformed');
  const ihl = (frame[offset] & 0x0f) * 4;
  if (ihl < 20 || offset + ihl > frame.length) return skip('malformed');
  const total = frame.readUInt16BE(offset + 2);
  const fragment = frame.readUInt16BE(offset + 6);
  // MF flag or a non-zero fragment offset: a piece of a fragmented datagram.
  if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0) return skip('fragment');
  if (frame[offset + 9] !== 6) return skip('not_tcp');
  let end = frame.length;
  let truncated = false;
  if (total !== 0) {
    if (total < ihl) return skip('malformed');
    if (offset + total <= frame.length) end = offset + total;
    else truncated = true;
  }
  return tcp(frame, offset + ihl, end, 4, formatIPv4(frame, offset + 12), formatIPv4(frame, offset + 16), truncated);
}

function ipv6(frame: Buffer, offset: number): TcpSegment | SkippedFrame {
  if (offset + 40 > frame.length || frame[offset] >> 4 !== 6) return skip('malformed');
  const payloadLength = frame.readUInt16BE(offset + 4);
  let end = frame.length;
  let truncated = false;
  if (payloadLength !== 0) {
    if (offset + 40 + payloadLength <= frame.length) end = offset + 40 + payloadLength;
    else truncated = true;
  }
  let next = frame[offset + 6];
  let p = offset + 40;
  for (;;) {
    if (next === 6) break;
    if (IPV6_EXTENSIONS_8.has(next) || next === 51 || next === 44) {
      if (p + 8 > end) return skip('malformed');
      if (next === 44) {
        const fragment = frame.readUInt16BE(p + 2);
        // Offset ≠ 0 or M set: a real fragment. Offset 0 with M clear is an atomic fragment.
        if ((fragment & 0xfff9) !== 0) return skip('fragment');
        next = frame[p];
        p += 8;
        continue;
      }
      const length = next === 51 ? (frame[p + 1] + 2) * 4 : (frame[p + 1] + 1) * 8;
      next = frame[p];
      p += length;
      continue;
    }
    return skip('not_tcp');
  }
  return tcp(frame, p, end, 6, formatIPv6(frame, offset + 8), formatIPv6(frame, offset + 24), truncated);
}

function tcp(frame: Buffer, p: number, end: number, ipVersion: 4 | 6, src: string, dst: string, truncated: boolean): TcpSegment | SkippedFrame {
  if (p + 20 > end) return skip('malformed');
  const dataOffset = (frame[p + 12] >> 4) * 4;
  if (dataOffset < 20 || p + dataOffset > end) return skip('malformed');
  return {
    kind: 'tcp',
    ipVersion,
    src,
    dst,
    srcPort: frame.readUInt16BE(p),
    dstPort: frame.readUInt16BE(p + 2),
    seq: frame.readUInt32BE(p + 4),
    flags: frame[p + 13],
    payload: frame.subarray(p + dataOffset, end),
    truncated,
  };
}
