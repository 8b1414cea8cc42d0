/**
 * Tunnel Encapsulation, type 23 (RFC 9012 §2): Tunnel TLVs of Tunnel Type (2) + Length (2) +
 * sub-TLVs; a sub-TLV is Type (1) + Length (1 octet for types 0-127, 2 octets for 128-255,
 * RFC 9012 §2) + Value.
 *
 * Decoded sub-TLVs: the SR Policy ones (tunnel type 15, RFC 9830 §2.4), whatever the tunnel type:
 * - 12 Preference: Flags (1) + Reserved (1) + Preference (4);
 * - 13 Binding SID: Flags (1) + Reserved (1) + nothing, a 4-octet SR-MPLS SID, or a 16-octet SRv6 SID;
 * - 14 Explicit NULL Label Policy: Flags (1) + Reserved (1) + ENLP (1);
 * - 15 Priority: Priority (1) + Reserved (1);
 * - 128 Segment List: Reserved (1) + sub-TLVs of Type (1) + Length (1): 1 Segment Type A (Flags,
 *   Reserved, 4-octet MPLS label entry), 13 Segment Type B (Flags, Reserved, SRv6 SID (16), and
 *   with 8 more octets Endpoint Behavior (2) + Reserved (2) + SID structure LB/LN/Fun/Arg (1
 *   each)), 9 Weight (Flags, Reserved, Weight (4));
 * - 129 Candidate Path Name and 130 Policy Name (RFC 9830 §2.4.7-§2.4.8): Reserved (1) + UTF-8 name.
 * Everything else (other sub-TLVs and segment types, values of another layout, non-zero reserved
 * octets) is kept as a Buffer, so that decode → encode is byte for byte. A length running past
 * its container throws (the attribute is then kept raw with the reason).
 */
import { CodecError } from '../../errors.js';
import { formatIPv6, writeIPv6 } from '../../address.js';
import { u16, u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export const TunnelSubTlvType = {
  PREFERENCE: 12,
  BINDING_SID: 13,
  ENLP: 14,
  PRIORITY: 15,
  SEGMENT_LIST: 128,
  CANDIDATE_PATH_NAME: 129,
  POLICY_NAME: 130,
} as const;

export const SegmentSubTlvType = { TYPE_A: 1, WEIGHT: 9, TYPE_B: 13 } as const;

/** SR Policy tunnel type (RFC 9830 §2.3). */
export const SR_POLICY_TUNNEL_TYPE = 15;

export interface FlaggedNumber {
  flags: number;
  value: number;
}

export interface BindingSid {
  flags: number;
  /** null (no SID), the 4-octet SR-MPLS SID field as a number, or SRv6 SID text. */
  sid: number | string | null;
}

export interface Enlp {
  flags: number;
  enlp: number;
}

/** Segment Type A: the 4-octet MPLS label entry (label 20 bits, TC 3, S 1, TTL 8). */
export interface SegmentTypeA {
  flags: number;
  labelEntry: number;
}

export interface SegmentTypeB {
  flags: number;
  sid: string;
  /** The optional SRv6 Endpoint Behavior and SID Structure, or null when absent. */
  behavior: { endpointBehavior: number; locatorBlock: number; locatorNode: number; function: number; argument: number } | null;
}

export interface SegmentListSubTlv {
  /** 1 type A, 9 weight, 13 type B, or another. */
  type: number;
  value: SegmentTypeA | SegmentTypeB | FlaggedNumber | Buffer;
}

export interface TunnelSubTlv {
  type: number;
  /**
   * 12 FlaggedNumber (preference), 13 BindingSid, 14 Enlp, 15 number (priority), 128
   * SegmentListSubTlv[], 129/130 string; a Buffer for other types or another layout.
   */
  value: FlaggedNumber | BindingSid | Enlp | number | SegmentListSubTlv[] | string | Buffer;
}

export interface TunnelTlv {
  tunnelType: number;
  subTlvs: TunnelSubTlv[];
}

function decodeSegment(buf: Buffer, type: number, s: number, e: number): SegmentListSubTlv['value'] | null {
  const len = e - s;
  if (len < 2 || buf[s + 1] !== 0) return null;
  switch (type) {
    case SegmentSubTlvType.TYPE_A:
      return len === 6 ? { flags: buf[s], labelEntry: u32(buf, s + 2) } : null;
    case SegmentSubTlvType.WEIGHT:
      return len === 6 ? { flags: buf[s], value: u32(buf, s + 2) } : null;
    case SegmentSubTlvType.TYPE_B:
      if (len === 18) return { flags: buf[s], sid: formatIPv6(buf, s + 2), behavior: null };
      if (len === 26 && buf[s + 20] === 0 && buf[s + 21] === 0) {
        const b = s + 18;
        return {
          flags: buf[s],
          sid: formatIPv6(buf, s + 2),
          behavior: { endpointBehavior: u16(buf, b), locatorBlock: buf[b + 4], locatorNode: buf[b + 5], function: buf[b + 6], argument: buf[b + 7] },
        };
      }
      return null;
    default:
      return null;
  }
}

function decodeSegmentList(buf: Buffer, s: number, e: number): SegmentListSubTlv[] | null {
  if (e - s < 1 || buf[s] !== 0) return null;
  const out: SegmentListSubTlv[] = [];
  let pos = s + 1;
  while (pos < e) {
    if (e - pos < 2) throw new CodecError(`segment list sub-TLV header needs 2 bytes, only ${e - pos} left`, pos);
    const type = buf[pos];
    const len = buf[pos + 1];
    const vs = pos + 2;
    if (vs + len > e) throw new CodecError(`segment list sub-TLV ${type} length ${len} exceeds the segment list (${e - vs} bytes left)`, pos);
    out.push({ type, value: decodeSegment(buf, type, vs, vs + len) ?? buf.subarray(vs, vs + len) });
    pos = vs + len;
  }
  return out;
}

function decodeName(buf: Buffer, s: number, e: number): string | null {
  if (e - s < 1 || buf[s] !== 0) return null;
  const text = buf.toString('utf8', s + 1, e);
  return Buffer.from(text, 'utf8').equals(buf.subarray(s + 1, e)) ? text : null;
}

function decodeSubTlv(buf: Buffer, type: number, s: number, e: number): TunnelSubTlv['value'] | null {
  const len = e - s;
  switch (type) {
    case TunnelSubTlvType.PREFERENCE:
      return len === 6 && buf[s + 1] === 0 ? { flags: buf[s], value: u32(buf, s + 2) } : null;
    case TunnelSubTlvType.BINDING_SID:
      if (len < 2 || buf[s + 1] !== 0) return null;
      if (len === 2) return { flags: buf[s], sid: null };
      if (len === 6) return { flags: buf[s], sid: u32(buf, s + 2) };
      if (len === 18) return { flags: buf[s], sid: formatIPv6(buf, s + 2) };
      return null;
    case TunnelSubTlvType.ENLP:
      return len === 3 && buf[s + 1] === 0 ? { flags: buf[s], enlp: buf[s + 2] } : null;
    case TunnelSubTlvType.PRIORITY:
      return len === 2 && buf[s + 1] === 0 ? buf[s] : null;
    case TunnelSubTlvType.SEGMENT_LIST:
      return decodeSegmentList(buf, s, e);
    case TunnelSubTlvType.CANDIDATE_PATH_NAME:
    case TunnelSubTlvType.POLICY_NAME:
      return decodeName(buf, s, e);
    default:
      return null;
  }
}

export function decodeTunnelEncapsulation(buf: Buffer, start: number, end: number): TunnelTlv[] {
  if (end === start) throw new CodecError('TUNNEL_ENCAPSULATION is empty (RFC 9012 §2)', start);
  const out: TunnelTlv[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 4) throw new CodecError(`tunnel TLV header needs 4 bytes, only ${end - pos} left (RFC 9012 §2)`, pos);
    const tunnelType = u16(buf, pos);
    const len = u16(buf, pos + 2);
    const te = pos + 4 + len;
    if (te > end) throw new CodecError(`tunnel TLV ${tunnelType} length ${len} exceeds the attribute (${end - pos - 4} bytes left)`, pos);
    const subTlvs: TunnelSubTlv[] = [];
    let p = pos + 4;
    while (p < te) {
      const type = buf[p];
      const wide = type >= 128;
      if (te - p < (wide ? 3 : 2)) throw new CodecError(`tunnel sub-TLV ${type} header runs past its tunnel TLV`, p);
      const sublen = wide ? u16(buf, p + 1) : buf[p + 1];
      const s = p + (wide ? 3 : 2);
      if (s + sublen > te) throw new CodecError(`tunnel sub-TLV ${type} length ${sublen} exceeds its tunnel TLV (${te - s} bytes left)`, p);
      subTlvs.push({ type, value: decodeSubTlv(buf, type, s, s + sublen) ?? buf.subarray(s, s + sublen) });
      p = s + sublen;
    }
    out.push({ tunnelType, subTlvs });
    pos = te;
  }
  return out;
}

function writeSegment(w: ByteWriter, t: SegmentListSubTlv): void {
  w.u8(t.type, 'segment list sub-TLV type');
  const lenAt = w.reserve(1);
  const from = w.pos;
  const v = t.value;
  if (Buffer.isBuffer(v)) w.bytes(v);
  else if (t.type === SegmentSubTlvType.TYPE_A) {
    const a = v as SegmentTypeA;
    w.u8(a.flags, 'segment flags');
    w.u8(0, 'reserved');
    w.u32(a.labelEntry, 'segment type A label entry');
  } else if (t.type === SegmentSubTlvType.WEIGHT) {
    const x = v as FlaggedNumber;
    w.u8(x.flags, 'weight flags');
    w.u8(0, 'reserved');
    w.u32(x.value, 'weight');
  } else if (t.type === SegmentSubTlvType.TYPE_B) {
    const b = v as SegmentTypeB;
    w.u8(b.flags, 'segment flags');
    w.u8(0, 'reserved');
    const [buf, at] = w.slot(16);
    writeIPv6(b.sid, buf, at);
    if (b.behavior !== null) {
      w.u16(b.behavior.endpointBehavior, 'SRv6 endpoint behavior');
      w.u16(0, 'reserved');
      w.u8(b.behavior.locatorBlock, 'locator block length');
      w.u8(b.behavior.locatorNode, 'locator node length');
      w.u8(b.behavior.function, 'function length');
      w.u8(b.behavior.argument, 'argument length');
    }
  } else encodeError(`segment list sub-TLV ${t.type}: give its value as a Buffer`);
  w.setU8(lenAt, w.pos - from, 'segment list sub-TLV length');
}

function writeSubTlvValue(w: ByteWriter, t: TunnelSubTlv): void {
  const v = t.value;
  if (Buffer.isBuffer(v)) return w.bytes(v);
  switch (t.type) {
    case TunnelSubTlvType.PREFERENCE: {
      const x = v as FlaggedNumber;
      w.u8(x.flags, 'preference flags');
      w.u8(0, 'reserved');
      w.u32(x.value, 'preference');
      return;
    }
    case TunnelSubTlvType.BINDING_SID: {
      const x = v as BindingSid;
      w.u8(x.flags, 'binding SID flags');
      w.u8(0, 'reserved');
      if (typeof x.sid === 'number') w.u32(x.sid, 'binding SID');
      else if (typeof x.sid === 'string') {
        const [buf, at] = w.slot(16);
        writeIPv6(x.sid, buf, at);
      }
      return;
    }
    case TunnelSubTlvType.ENLP: {
      const x = v as Enlp;
      w.u8(x.flags, 'ENLP flags');
      w.u8(0, 'reserved');
      w.u8(x.enlp, 'ENLP');
      return;
    }
    case TunnelSubTlvType.PRIORITY:
      w.u8(v as number, 'priority');
      w.u8(0, 'reserved');
      return;
    case TunnelSubTlvType.SEGMENT_LIST:
      w.u8(0, 'reserved');
      for (const s of v as SegmentListSubTlv[]) writeSegment(w, s);
      return;
    case TunnelSubTlvType.CANDIDATE_PATH_NAME:
    case TunnelSubTlvType.POLICY_NAME:
      w.u8(0, 'reserved');
      w.bytes(Buffer.from(v as string, 'utf8'));
      return;
    default:
      encodeError(`tunnel sub-TLV ${t.type} is not known here; give its value as a Buffer`);
  }
}

export function encodeTunnelEncapsulation(w: ByteWriter, tunnels: readonly TunnelTlv[]): void {
  if (tunnels.length === 0) encodeError('TUNNEL_ENCAPSULATION must hold at least one tunnel TLV');
  for (const t of tunnels) {
    w.u16(t.tunnelType, 'tunnel type');
    const lenAt = w.reserve(2);
    const from = w.pos;
    for (const sub of t.subTlvs) {
      w.u8(sub.type, 'tunnel sub-TLV type');
      const wide = sub.type >= 128;
      const subAt = w.reserve(wide ? 2 : 1);
      const subFrom = w.pos;
      writeSubTlvValue(w, sub);
      if (wide) w.setU16(subAt, w.pos - subFrom, 'tunnel sub-TLV length');
      else w.setU8(subAt, w.pos - subFrom, 'tunnel sub-TLV length');
    }
    w.setU16(lenAt, w.pos - from, 'tunnel TLV length');
  }
}
