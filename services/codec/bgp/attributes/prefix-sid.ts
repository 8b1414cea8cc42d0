/**
 * BGP Prefix-SID, type 40 (RFC 8669 §3): TLVs of Type (1) + Length (2) + Value.
 * - 1 Label-Index (RFC 8669 §3.1): Reserved (1) + Flags (2) + Label Index (4);
 * - 3 Originator SRGB (RFC 8669 §3.2): Flags (2) + one or more SRGBs of Base (3) + Range (3);
 * - 5 SRv6 L3 Service and 6 SRv6 L2 Service (RFC 9252 §2): Reserved (1) + SRv6 Service Sub-TLVs
 *   of Type (1) + Length (2); sub-TLV 1 is SRv6 SID Information (RFC 9252 §3.1): Reserved (1) +
 *   SID (16) + SID Flags (1) + Endpoint Behavior (2) + Reserved (1) + Sub-Sub-TLVs of Type (1) +
 *   Length (2); sub-sub-TLV 1 is SRv6 SID Structure (RFC 9252 §3.2.1): Locator Block, Locator
 *   Node, Function, Argument, Transposition Length and Offset (1 octet each, in bits).
 * A TLV (sub-TLV, sub-sub-TLV) of another type, or whose value has another layout (wrong length,
 * non-zero reserved octets), is kept as a Buffer so that decode → encode is byte for byte. A
 * length running past its container throws (the attribute is then kept raw with the reason).
 */
import { CodecError } from '../../errors.js';
import { formatIPv6, writeIPv6 } from '../../address.js';
import { u16, u32 } from '../bytes.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export interface LabelIndex {
  flags: number;
  labelIndex: number;
}

export interface OriginatorSrgb {
  flags: number;
  /** SRGB entries: first label and number of labels. */
  srgbs: { base: number; range: number }[];
}

/** SRv6 SID Structure sub-sub-TLV (RFC 9252 §3.2.1), lengths and offset in bits. */
export interface Srv6ServiceSidStructure {
  locatorBlock: number;
  locatorNode: number;
  function: number;
  argument: number;
  transpositionLength: number;
  transpositionOffset: number;
}

export interface Srv6SubSubTlv {
  type: number;
  /** Buffer for other types or another layout. */
  value: Srv6ServiceSidStructure | Buffer;
}

/** SRv6 SID Information sub-TLV (RFC 9252 §3.1). */
export interface Srv6SidInformation {
  sid: string;
  flags: number;
  endpointBehavior: number;
  subSubTlvs: Srv6SubSubTlv[];
}

export interface Srv6ServiceSubTlv {
  type: number;
  value: Srv6SidInformation | Buffer;
}

export interface Srv6Service {
  subTlvs: Srv6ServiceSubTlv[];
}

export interface PrefixSidTlv {
  /** 1 label index, 3 originator SRGB, 5 SRv6 L3 service, 6 SRv6 L2 service, or another. */
  type: number;
  /** By type (see the module notes); a Buffer for other types or another layout. */
  value: LabelIndex | OriginatorSrgb | Srv6Service | Buffer;
}

export const PrefixSidType = { LABEL_INDEX: 1, ORIGINATOR_SRGB: 3, SRV6_L3_SERVICE: 5, SRV6_L2_SERVICE: 6 } as const;

/** TLVs with a 1-octet type and a 2-octet length in [start, end), each value decoded by `value`. */
function decodeTlvs<V>(buf: Buffer, start: number, end: number, what: string, value: (type: number, s: number, e: number) => V | null): { type: number; value: V | Buffer }[] {
  const out: { type: number; value: V | Buffer }[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 3) throw new CodecError(`${what} header needs 3 bytes, only ${end - pos} left`, pos);
    const type = buf[pos];
    const len = u16(buf, pos + 1);
    const s = pos + 3;
    const e = s + len;
    if (e > end) throw new CodecError(`${what} ${type} length ${len} exceeds its container (${end - s} bytes left)`, pos);
    out.push({ type, value: value(type, s, e) ?? buf.subarray(s, e) });
    pos = e;
  }
  return out;
}

function decodeStructure(buf: Buffer, s: number, e: number): Srv6ServiceSidStructure | null {
  if (e - s !== 6) return null;
  return {
    locatorBlock: buf[s],
    locatorNode: buf[s + 1],
    function: buf[s + 2],
    argument: buf[s + 3],
    transpositionLength: buf[s + 4],
    transpositionOffset: buf[s + 5],
  };
}

function decodeSidInformation(buf: Buffer, s: number, e: number): Srv6SidInformation | null {
  if (e - s < 21 || buf[s] !== 0 || buf[s + 20] !== 0) return null;
  const subSubTlvs = decodeTlvs(buf, s + 21, e, 'SRv6 service sub-sub-TLV', (type, ss, se) => (type === 1 ? decodeStructure(buf, ss, se) : null));
  return { sid: formatIPv6(buf, s + 1), flags: buf[s + 17], endpointBehavior: u16(buf, s + 18), subSubTlvs };
}

function decodeValue(buf: Buffer, type: number, s: number, e: number): LabelIndex | OriginatorSrgb | Srv6Service | null {
  const len = e - s;
  switch (type) {
    case PrefixSidType.LABEL_INDEX:
      return len === 7 && buf[s] === 0 ? { flags: u16(buf, s + 1), labelIndex: u32(buf, s + 3) } : null;
    case PrefixSidType.ORIGINATOR_SRGB: {
      if (len < 8 || (len - 2) % 6 !== 0) return null;
      const srgbs: OriginatorSrgb['srgbs'] = [];
      for (let p = s + 2; p < e; p += 6) srgbs.push({ base: (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2], range: (buf[p + 3] << 16) | (buf[p + 4] << 8) | buf[p + 5] });
      return { flags: u16(buf, s), srgbs };
    }
    case PrefixSidType.SRV6_L3_SERVICE:
    case PrefixSidType.SRV6_L2_SERVICE:
      if (len < 1 || buf[s] !== 0) return null;
      return { subTlvs: decodeTlvs(buf, s + 1, e, 'SRv6 service sub-TLV', (t, ss, se) => (t === 1 ? decodeSidInformation(buf, ss, se) : null)) };
    default:
      return null;
  }
}

export function decodePrefixSid(buf: Buffer, start: number, end: number): PrefixSidTlv[] {
  if (end === start) throw new CodecError('PREFIX_SID is empty (RFC 8669 §3)', start);
  return decodeTlvs(buf, start, end, 'PREFIX_SID TLV', (type, s, e) => decodeValue(buf, type, s, e));
}

/** Writes Type (1) + Length (2) + what `body` writes. */
function writeTlv(w: ByteWriter, type: number, what: string, body: () => void): void {
  w.u8(type, `${what} type`);
  const lenAt = w.reserve(2);
  const from = w.pos;
  body();
  w.setU16(lenAt, w.pos - from, `${what} length`);
}

function encodeSidInformation(w: ByteWriter, v: Srv6SidInformation): void {
  w.u8(0, 'reserved');
  const [buf, at] = w.slot(16);
  writeIPv6(v.sid, buf, at);
  w.u8(v.flags, 'SRv6 SID flags');
  w.u16(v.endpointBehavior, 'SRv6 endpoint behavior');
  w.u8(0, 'reserved');
  for (const t of v.subSubTlvs) {
    writeTlv(w, t.type, 'SRv6 service sub-sub-TLV', () => {
      if (Buffer.isBuffer(t.value)) return w.bytes(t.value);
      if (t.type !== 1) encodeError(`SRv6 service sub-sub-TLV ${t.type}: give its value as a Buffer`);
      const x = t.value;
      for (const [n, v2] of [
        ['locator block', x.locatorBlock],
        ['locator node', x.locatorNode],
        ['function', x.function],
        ['argument', x.argument],
        ['transposition length', x.transpositionLength],
        ['transposition offset', x.transpositionOffset],
      ] as const)
        w.u8(v2, `SRv6 SID structure ${n}`);
    });
  }
}

export function encodePrefixSid(w: ByteWriter, tlvs: readonly PrefixSidTlv[]): void {
  if (tlvs.length === 0) encodeError('PREFIX_SID must hold at least one TLV');
  for (const t of tlvs) {
    writeTlv(w, t.type, 'PREFIX_SID TLV', () => {
      const v = t.value;
      if (Buffer.isBuffer(v)) return w.bytes(v);
      switch (t.type) {
        case PrefixSidType.LABEL_INDEX: {
          const x = v as LabelIndex;
          w.u8(0, 'reserved');
          w.u16(x.flags, 'label index flags');
          w.u32(x.labelIndex, 'label index');
          return;
        }
        case PrefixSidType.ORIGINATOR_SRGB: {
          const x = v as OriginatorSrgb;
          w.u16(x.flags, 'originator SRGB flags');
          for (const g of x.srgbs) {
            w.u24(g.base, 'SRGB base');
            w.u24(g.range, 'SRGB range');
          }
          return;
        }
        case PrefixSidType.SRV6_L3_SERVICE:
        case PrefixSidType.SRV6_L2_SERVICE: {
          w.u8(0, 'reserved');
          for (const sub of (v as Srv6Service).subTlvs) {
            writeTlv(w, sub.type, 'SRv6 service sub-TLV', () => {
              if (Buffer.isBuffer(sub.value)) return w.bytes(sub.value);
              if (sub.type !== 1) encodeError(`SRv6 service sub-TLV ${sub.type}: give its value as a Buffer`);
              encodeSidInformation(w, sub.value);
            });
          }
          return;
        }
        default:
          encodeError(`PREFIX_SID TLV ${t.type} is not known here; give its value as a Buffer`);
      }
    });
  }
}
