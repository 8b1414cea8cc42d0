/**
 * TLVs shared by several BMP messages.
 *
 * 1. Information TLVs (RFC 7854 §4.4): Type (2) + Length (2, value only) + Value. Used by
 *    Initiation (§4.3), Termination (§4.5), Peer Up (§4.10, RFC 9736 §3.3), Peer Down reason 6
 *    (RFC 9069 §5.3) and Route Mirroring (§4.7). Unknown types are skipped by length (§4.4).
 *
 * 2. BMP v4 TLVs (draft-ietf-grow-bmp-tlv): the same Type + Length, and in Route Monitoring an
 *    extra 2-octet Index after the Length that the Length does not count. Index 0 applies to the
 *    whole UPDATE, 1..n to the n-th NLRI; the top bit (G) makes it a group number. The top bit of
 *    the Type is the E bit of draft-ietf-grow-bmp-tlv-ebit: the Value then starts with a 4-octet
 *    Private Enterprise Number that the Length counts.
 *
 * The draft code points moved between revisions, so they are a table (BmpV4CodePoints). The
 * default is what Huawei VRP sends in the captures we have (NetGauze's Huawei pcaps):
 *   1 Stateless Parsing (one BGP capability, as in an OPEN), 2 Group (list of 2-octet NLRI
 *   indexes, Index = G bit | group number), 3 VRF/Table Name (UTF-8), 4 BGP PDU (the UPDATE),
 *   5 Path Marking / path status (draft-ietf-grow-bmp-path-marking-tlv: 4-octet status bitmap,
 *   optional 2-octet reason code).
 *
 * How the event model applies these TLVs to routes (Index / Group mapping, path status names) and
 * what each Huawei capture carries, checked by hand: docs/flowspec-and-bmp-v4.md.
 *
 * Every TLV keeps its Value as a Buffer view into the message (no copy); the decoded fields next
 * to it are readings of that Value. Encoders write `value` — build TLVs with the helpers below.
 */
import { CodecError, ensureBytes } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// Information TLVs

export interface InformationTlv {
  type: number;
  value: Buffer;
}

/** Information TLV type codes across the registries (RFC 7854 §10.5-§10.7, RFC 9736 §4). */
export const InformationTlvType = {
  /** Initiation, Peer Up, Termination: free-form UTF-8 string. */
  STRING: 0,
  /** Initiation: sysDescr. */
  SYS_DESCR: 1,
  /** Initiation: sysName. */
  SYS_NAME: 2,
  /** Termination: 2-octet reason code (same number as sysDescr: separate registry). */
  TERMINATION_REASON: 1,
  /** Peer Up and Peer Down (reason 6): VRF/Table Name (RFC 9069 §5.2.1). */
  VRF_TABLE_NAME: 3,
  /** Peer Up: Admin Label (RFC 8671 §6.3.1). */
  ADMIN_LABEL: 4,
} as const;

export const TLV_HEADER_LENGTH = 4;

/** Decodes Information TLVs between `offset` and `end` (which must be consumed exactly). */
export function decodeInformationTlvs(buf: Buffer, offset: number, end: number, what: string): InformationTlv[] {
  const tlvs: InformationTlv[] = [];
  let p = offset;
  while (p < end) {
    ensureBytes(end, p, TLV_HEADER_LENGTH, `${what} TLV header`);
    const type = buf.readUInt16BE(p);
    const length = buf.readUInt16BE(p + 2);
    ensureBytes(end, p + TLV_HEADER_LENGTH, length, `${what} TLV type ${type} value`);
    tlvs.push({ type, value: buf.subarray(p + TLV_HEADER_LENGTH, p + TLV_HEADER_LENGTH + length) });
    p += TLV_HEADER_LENGTH + length;
  }
  return tlvs;
}

export function informationTlvsLength(tlvs: readonly InformationTlv[]): number {
  let n = 0;
  for (const t of tlvs) n += TLV_HEADER_LENGTH + t.value.length;
  return n;
}

/** Writes the TLVs at `offset`; returns the offset after them. */
export function writeInformationTlvs(tlvs: readonly InformationTlv[], out: Buffer, offset: number): number {
  let p = offset;
  for (const t of tlvs) {
    if (t.value.length > 0xffff) throw new CodecError(`TLV type ${t.type} value of ${t.value.length} octets does not fit`, p);
    out.writeUInt16BE(t.type, p);
    out.writeUInt16BE(t.value.length, p + 2);
    t.value.copy(out, p + TLV_HEADER_LENGTH);
    p += TLV_HEADER_LENGTH + t.value.length;
  }
  return p;
}

/** An Information TLV carrying UTF-8 text. */
export function stringTlv(type: number, text: string): InformationTlv {
  return { type, value: Buffer.from(text, 'utf8') };
}

/** An Information TLV carrying a 2-octet number (Termination reason, Route Mirroring code). */
export function uint16Tlv(type: number, n: number): InformationTlv {
  const value = Buffer.allocUnsafe(2);
  value.writeUInt16BE(n, 0);
  return { type, value };
}

/** The value as UTF-8 text (RFC 7854 §4.4: no NUL terminator; any present is kept). */
export function tlvText(tlv: InformationTlv): string {
  return tlv.value.toString('utf8');
}

/** Texts of every TLV of `type`, in wire order. */
export function tlvTexts(tlvs: readonly InformationTlv[], type: number): string[] {
  const out: string[] = [];
  for (const t of tlvs) if (t.type === type) out.push(t.value.toString('utf8'));
  return out;
}

/** Text of the first TLV of `type`, or null. */
export function firstTlvText(tlvs: readonly InformationTlv[], type: number): string | null {
  for (const t of tlvs) if (t.type === type) return t.value.toString('utf8');
  return null;
}

// ---------------------------------------------------------------------------------------------
// BMP v4 TLVs

/** Type codes of the v4 Route Monitoring TLVs a decoder interprets (null: not interpreted). */
export interface BmpV4CodePoints {
  statelessParsing: number | null;
  group: number | null;
  vrfTableName: number | null;
  /** The BGP PDU (BGP Message) TLV carrying the UPDATE; mandatory in v4 Route Monitoring. */
  bgpPdu: number;
  pathMarking: number | null;
}

/** Code points of the Huawei VRP BMP v4 captures (see file comment). The default. */
export const HUAWEI_V4_CODE_POINTS: Readonly<BmpV4CodePoints> = Object.freeze({
  statelessParsing: 1,
  group: 2,
  vrfTableName: 3,
  bgpPdu: 4,
  pathMarking: 5,
});

/**
 * Code points declared by draft-ietf-grow-bmp-tlv-20 (1 Sequence Number, 2 Extended Flags and
 * 3 Timestamp are kept raw; the path-marking draft's type collides with 5 there, so none).
 */
export const DRAFT20_V4_CODE_POINTS: Readonly<BmpV4CodePoints> = Object.freeze({
  statelessParsing: 6,
  group: 4,
  vrfTableName: 5,
  bgpPdu: 7,
  pathMarking: null,
});

/** E bit of the TLV Type (draft-ietf-grow-bmp-tlv-ebit). */
export const V4_TLV_E_BIT = 0x8000;
/** G bit of the Route Monitoring TLV Index: the index names a group. */
export const V4_TLV_G_BIT = 0x8000;

interface BmpV4TlvCommon {
  /** Type without the E bit. */
  type: number;
  /** E bit set: enterprise-specific TLV. */
  enterprise: boolean;
  /** Private Enterprise Number (first 4 value octets) when `enterprise` and the value has them. */
  pen: number | null;
  /** Index (Route Monitoring TLVs in the TLV layout), else null. */
  index: number | null;
  /** Value after the PEN, if any. */
  value: Buffer;
}

export type BmpV4Tlv =
  | (BmpV4TlvCommon & { kind: 'bgp_pdu' })
  | (BmpV4TlvCommon & { kind: 'group'; group: number; members: number[] })
  | (BmpV4TlvCommon & { kind: 'vrf_table_name'; name: string })
  | (BmpV4TlvCommon & { kind: 'stateless_parsing'; capabilityCode: number; capabilityValue: Buffer })
  | (BmpV4TlvCommon & { kind: 'path_marking'; pathStatus: number; reasonCode: number | null })
  | (BmpV4TlvCommon & { kind: 'unknown' });

export type BmpV4TlvKind = BmpV4Tlv['kind'];

/** Reads a TLV as its kind (by the code points) and builds it; one object per TLV. */
function interpretV4Tlv(type: number, enterprise: boolean, pen: number | null, index: number | null, value: Buffer, cp: BmpV4CodePoints): BmpV4Tlv {
  if (!enterprise) {
    if (type === cp.bgpPdu) return { type, enterprise, pen, index, value, kind: 'bgp_pdu' };
    if (type === cp.vrfTableName) return { type, enterprise, pen, index, value, kind: 'vrf_table_name', name: value.toString('utf8') };
    if (type === cp.group && (value.length & 1) === 0) {
      const members = new Array<number>(value.length >>> 1);
      for (let i = 0; i < members.length; i++) members[i] = (value[2 * i] << 8) | value[2 * i + 1];
      return { type, enterprise, pen, index, value, kind: 'group', group: (index ?? 0) & ~V4_TLV_G_BIT, members };
    }
    if (type === cp.pathMarking && (value.length === 4 || value.length === 6)) {
      const pathStatus = value.readUInt32BE(0);
      const reasonCode = value.length === 6 ? value.readUInt16BE(4) : null;
      return { type, enterprise, pen, index, value, kind: 'path_marking', pathStatus, reasonCode };
    }
    if (type === cp.statelessParsing && value.length >= 2 && value[1] === value.length - 2) {
      return { type, enterprise, pen, index, value, kind: 'stateless_parsing', capabilityCode: value[0], capabilityValue: value.subarray(2) };
    }
  }
  return { type, enterprise, pen, index, value, kind: 'unknown' };
}

/**
 * Decodes v4 TLVs between `offset` and `end` (consumed exactly). `indexed`: Route Monitoring
 * TLV layout with the 2-octet Index.
 */
export function decodeV4Tlvs(
  buf: Buffer,
  offset: number,
  end: number,
  indexed: boolean,
  codePoints: BmpV4CodePoints,
  what: string,
): BmpV4Tlv[] {
  const tlvs: BmpV4Tlv[] = [];
  const headerLength = indexed ? 6 : 4;
  let p = offset;
  while (p < end) {
    ensureBytes(end, p, headerLength, `${what} TLV header`);
    const rawType = buf.readUInt16BE(p);
    const length = buf.readUInt16BE(p + 2);
    const index = indexed ? buf.readUInt16BE(p + 4) : null;
    const start = p + headerLength;
    ensureBytes(end, start, length, `${what} TLV type ${rawType} value`);
    const enterprise = (rawType & V4_TLV_E_BIT) !== 0;
    const hasPen = enterprise && length >= 4;
    tlvs.push(
      interpretV4Tlv(
        rawType & ~V4_TLV_E_BIT,
        enterprise,
        hasPen ? buf.readUInt32BE(start) : null,
        index,
        buf.subarray(hasPen ? start + 4 : start, start + length),
        codePoints,
      ),
    );
    p = start + length;
  }
  return tlvs;
}

function v4TlvWireValueLength(t: BmpV4TlvCommon): number {
  return t.value.length + (t.pen !== null ? 4 : 0);
}

export function v4TlvsLength(tlvs: readonly BmpV4Tlv[], indexed: boolean): number {
  let n = 0;
  for (const t of tlvs) n += (indexed ? 6 : 4) + v4TlvWireValueLength(t);
  return n;
}

/**
 * Writes v4 TLVs at `offset`; returns the offset after them. `replaceBgpPdu`, when given, is
 * written as the value of the first BGP PDU TLV (the message's `pdu` field is authoritative).
 */
export function writeV4Tlvs(tlvs: readonly BmpV4Tlv[], out: Buffer, offset: number, indexed: boolean, replaceBgpPdu?: Buffer): number {
  let p = offset;
  let pdu = replaceBgpPdu;
  for (const t of tlvs) {
    let value = t.value;
    if (pdu !== undefined && t.kind === 'bgp_pdu') {
      value = pdu;
      pdu = undefined;
    }
    const length = value.length + (t.pen !== null ? 4 : 0);
    if (length > 0xffff) throw new CodecError(`v4 TLV type ${t.type} value of ${length} octets does not fit`, p);
    out.writeUInt16BE((t.type & ~V4_TLV_E_BIT) | (t.enterprise ? V4_TLV_E_BIT : 0), p);
    out.writeUInt16BE(length, p + 2);
    p += 4;
    if (indexed) {
      out.writeUInt16BE(t.index ?? 0, p);
      p += 2;
    }
    if (t.pen !== null) {
      out.writeUInt32BE(t.pen, p);
      p += 4;
    }
    value.copy(out, p);
    p += value.length;
  }
  return p;
}

/** Builds a (non-enterprise) v4 TLV and reads it as the decoder would. */
export function makeV4Tlv(type: number, value: Buffer, index: number | null, codePoints: BmpV4CodePoints = HUAWEI_V4_CODE_POINTS): BmpV4Tlv {
  return interpretV4Tlv(type, false, null, index, value, codePoints);
}

/** Builds an enterprise-specific v4 TLV (E bit set, value prefixed by the PEN). */
export function makeEnterpriseV4Tlv(type: number, pen: number, value: Buffer, index: number | null): BmpV4Tlv {
  return { type, enterprise: true, pen, index, value, kind: 'unknown' };
}

/** Value of a Group TLV: its member NLRI indexes. */
export function groupTlvValue(members: readonly number[]): Buffer {
  const v = Buffer.allocUnsafe(members.length * 2);
  for (let i = 0; i < members.length; i++) v.writeUInt16BE(members[i], 2 * i);
  return v;
}

/** Value of a Path Marking TLV: status bitmap and optional reason code. */
export function pathMarkingTlvValue(pathStatus: number, reasonCode: number | null = null): Buffer {
  const v = Buffer.allocUnsafe(reasonCode === null ? 4 : 6);
  v.writeUInt32BE(pathStatus >>> 0, 0);
  if (reasonCode !== null) v.writeUInt16BE(reasonCode, 4);
  return v;
}

/**
 * Path status bits (draft-ietf-grow-bmp-path-marking-tlv, via implementations). Only the bits on
 * which the implementations we know agree are named; above 0x200 they disagree (stale /
 * suppressed / RPKI-invalid), so those are reported as `bit_0x...`.
 */
const PATH_STATUS_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x001, 'invalid'],
  [0x002, 'best'],
  [0x004, 'non_selected'],
  [0x008, 'primary'],
  [0x010, 'backup'],
  [0x020, 'non_installed'],
  [0x040, 'best_external'],
  [0x080, 'add_path'],
  [0x100, 'filtered_inbound'],
  [0x200, 'filtered_outbound'],
];

/** Names of the set path status bits, in bit order. */
export function pathStatusNames(status: number): string[] {
  const names: string[] = [];
  let rest = status >>> 0;
  for (const [bit, name] of PATH_STATUS_BITS) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 0x400; rest !== 0 && bit !== 0; bit = (bit << 1) >>> 0) {
    if (rest & bit) {
      names.push(`bit_0x${bit.toString(16)}`);
      rest = (rest & ~bit) >>> 0;
    }
  }
  return names;
}

const PATH_MARKING_REASONS: readonly string[] = [
  '',
  'invalid_as_loop',
  'invalid_unresolvable_next_hop',
  'not_preferred_local_pref',
  'not_preferred_as_path_length',
  'not_preferred_origin',
  'not_preferred_med',
  'not_preferred_peer_type',
  'not_preferred_igp_cost',
  'not_preferred_router_id',
  'not_preferred_peer_address',
  'not_preferred_aigp',
];

/** Name of a path marking reason code, or null if not known. */
export function pathMarkingReasonName(code: number): string | null {
  return code >= 1 && code < PATH_MARKING_REASONS.length ? PATH_MARKING_REASONS[code] : null;
}
