/**
 * Test helper: builds frames and capture files byte by byte (pcap, pcapng; Ethernet, VLAN, SLL,
 * SLL2, null/loopback; IPv4, IPv6 with extension headers; TCP), so the reader is tested on
 * layouts the real captures do not cover.
 */
import { writeIPv4, writeIPv6 } from '../../services/codec/address.js';

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  /** TCP flags octet (default ACK|PSH). */
  flags?: number;
  payload?: Buffer | string;
  /** TCP options octets (multiple of 4). */
  options?: Buffer;
}

export function tcpHeader(spec: TcpSpec): Buffer {
  const options = spec.options ?? Buffer.alloc(0);
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const h = Buffer.alloc(20 + options.length);
  h.writeUInt16BE(spec.sport, 0);
  h.writeUInt16BE(spec.dport, 2);
  h.writeUInt32BE(spec.seq >>> 0, 4);
  h.writeUInt32BE(0, 8);
  h[12] = ((20 + options.length) / 4) << 4;
  h[13] = spec.flags ?? 0x18;
  h.writeUInt16BE(65535, 14);
  options.copy(h, 20);
  return Buffer.concat([h, payload]);
}

export interface Ipv4Options {
  /** IP options octets (multiple of 4). */
  options?: Buffer;
  protocol?: number;
  /** Flags + fragment offset field (e.g. 0x2000 = MF). Default 0x4000 (DF). */
  fragment?: number;
  /** Override Total Length (e.g. 0 as with segmentation offload). */
  totalLength?: number;
}

export function ipv4(spec: TcpSpec, o: Ipv4Options = {}): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  const l4 = tcpHeader(spec);
  const h = Buffer.alloc(20 + options.length);
  h[0] = 0x40 | ((20 + options.length) / 4);
  h.writeUInt16BE(o.totalLength ?? h.length + l4.length, 2);
  h.writeUInt16BE(o.fragment ?? 0x4000, 6);
  h[8] = 64;
  h[9] = o.protocol ?? 6;
  writeIPv4(spec.src, h, 12);
  writeIPv4(spec.dst, h, 16);
  options.copy(h, 20);
  return Buffer.concat([h, l4]);
}

/** An IPv6 extension header: [next-header code, raw header octets without the next-header octet]. */
export type Ipv6Extension = { code: number; body: Buffer };

/** Generic extension of (len + 1) * 8 octets. */
export function ext8(code: number, units = 0): Ipv6Extension {
  const body = Buffer.alloc((units + 1) * 8 - 1);
  body[0] = units;
  return { code, body };
}

/** Fragment header (44): offset in 8-octet units, M flag. */
export function fragmentHeader(offset: number, more: boolean): Ipv6Extension {
  const body = Buffer.alloc(7);
  body.writeUInt16BE((offset << 3) | (more ? 1 : 0), 1);
  return { code: 44, body };
}

/** AH (51): (len + 2) * 4 octets. */
export function authHeader(len = 4): Ipv6Extension {
  const body = Buffer.alloc((len + 2) * 4 - 1);
  body[0] = len;
  return { code: 51, body };
}

export function ipv6(spec: TcpSpec, extensions: Ipv6Extension[] = [], protocol = 6): Buffer {
  const l4 = tcpHeader(spec);
  const parts: Buffer[] = [];
  for (let i = 0; i < extensions.length; i++) {
    const next = i + 1 < extensions.length ? extensions[i + 1].code : protocol;
    parts.push(Buffer.concat([Buffer.from([next]), extensions[i].body]));
  }
  const payload = Buffer.concat([...parts, l4]);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = extensions.length ? extensions[0].code : protocol;
  h[7] = 64;
  writeIPv6(spec.src, h, 8);
  writeIPv6(spec.dst, h, 24);
  return Buffer.concat([h, payload]);
}

export function ethernet(l3: Buffer, ethertype: number, vlans: Array<[tpid: number, vid: number]> = [], pad = 0): Buffer {
  const h = Buffer.alloc(12 + 4 * vlans.length + 2);
  h.fill(0x02, 0, 12);
  let p = 12;
  for (const [tpid, vid] of vlans) {
    h.writeUInt16BE(tpid, p);
    h.writeUInt16BE(vid, p + 2);
    p += 4;
  }
  h.writeUInt16BE(ethertype, p);
  return Buffer.concat([h, l3, Buffer.alloc(pad)]);
}

export function sll(l3: Buffer, protocol: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0); // packet type: to us
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, l3]);
}

export function sll2(l3: Buffer, protocol: number): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(3, 4); // interface index
  h.writeUInt16BE(1, 8);
  h[11] = 6;
  return Buffer.concat([h, l3]);
}

/** BSD null/loopback: 4-octet address family, host (little-endian here) or network order. */
export function nullLoop(l3: Buffer, af: number, littleEndian: boolean): Buffer {
  const h = Buffer.alloc(4);
  if (littleEndian) h.writeUInt32LE(af, 0);
  else h.writeUInt32BE(af, 0);
  return Buffer.concat([h, l3]);
}

export interface PcapPacket {
  data: Buffer;
  /** microseconds since the epoch */
  ts?: number;
  /** original length if different from data.length */
  orig?: number;
}

export function pcapFile(packets: PcapPacket[], opts: { linkType: number; littleEndian?: boolean; nanos?: boolean; linkTypeHighBits?: number }): Buffer {
  const le = opts.littleEndian ?? true;
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const h = Buffer.alloc(24);
  w32(h, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, 262144, 16);
  w32(h, (opts.linkType | (opts.linkTypeHighBits ?? 0)) >>> 0, 20);
  const parts: Buffer[] = [h];
  for (const p of packets) {
    const r = Buffer.alloc(16);
    const ts = p.ts ?? 0;
    const sec = Math.floor(ts / 1e6);
    w32(r, sec, 0);
    w32(r, opts.nanos ? (ts - sec * 1e6) * 1000 : ts - sec * 1e6, 4);
    w32(r, p.data.length, 8);
    w32(r, p.orig ?? p.data.length, 12);
    parts.push(r, p.data);
  }
  return Buffer.concat(parts);
}

export interface NgInterface {
  linkType: number;
  /** if_tsresol option octet, if any */
  tsresol?: number;
}

export type NgBlock =
  | { kind: 'epb'; iface: number; ts: bigint; data: Buffer; orig?: number }
  | { kind: 'pb'; iface: number; ts: bigint; data: Buffer }
  | { kind: 'spb'; data: Buffer; orig?: number }
  | { kind: 'other'; type: number; body: Buffer };

export interface NgSection {
  littleEndian: boolean;
  interfaces: NgInterface[];
  blocks: NgBlock[];
}

function pad4(b: Buffer): Buffer {
  return b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]);
}

export function pcapngFile(sections: NgSection[]): Buffer {
  const out: Buffer[] = [];
  for (const s of sections) {
    const le = s.littleEndian;
    const u32 = (v: number) => {
      const b = Buffer.alloc(4);
      if (le) b.writeUInt32LE(v >>> 0, 0);
      else b.writeUInt32BE(v >>> 0, 0);
      return b;
    };
    const u16 = (v: number) => {
      const b = Buffer.alloc(2);
      if (le) b.writeUInt16LE(v, 0);
      else b.writeUInt16BE(v, 0);
      return b;
    };
    const block = (type: number, body: Buffer) => {
      const b = pad4(body);
      out.push(u32(type), u32(b.length + 12), b, u32(b.length + 12));
    };
    // SHB: byte-order magic, version 1.0, section length unknown (-1)
    block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), Buffer.alloc(8, 0xff)]));
    for (const i of s.interfaces) {
      const opts = i.tsresol === undefined ? Buffer.alloc(0) : Buffer.concat([u16(9), u16(1), pad4(Buffer.from([i.tsresol])), u16(0), u16(0)]);
      block(1, Buffer.concat([u16(i.linkType), u16(0), u32(262144), opts]));
    }
    for (const b of s.blocks) {
      if (b.kind === 'epb') {
        block(6, Buffer.concat([u32(b.iface), u32(Number(b.ts >> 32n)), u32(Number(b.ts & 0xffffffffn)), u32(b.data.length), u32(b.orig ?? b.data.length), b.data]));
      } else if (b.kind === 'pb') {
        block(2, Buffer.concat([u16(b.iface), u16(0), u32(Number(b.ts >> 32n)), u32(Number(b.ts & 0xffffffffn)), u32(b.data.length), u32(b.data.length), b.data]));
      } else if (b.kind === 'spb') {
        block(3, Buffer.concat([u32(b.orig ?? b.data.length), b.data]));
      } else {
        block(b.type, b.body);
      }
    }
  }
  return Buffer.concat(out);
}

/** A minimal BMP message (Initiation with one sysName TLV) to put in TCP payloads. */
export function bmpInitiation(name: string): Buffer {
  const tlv = Buffer.alloc(4 + name.length);
  tlv.writeUInt16BE(2, 0);
  tlv.writeUInt16BE(name.length, 2);
  tlv.write(name, 4);
  const h = Buffer.from([3, 0, 0, 0, 0, 4]);
  h.writeUInt32BE(6 + tlv.length, 1);
  return Buffer.concat([h, tlv]);
}
