/**
 * BGP-LS TLVs (RFC 9552 §5.1: Type (2) + Length (2) + Value), shared by the Link-State NLRI
 * descriptors (bgp-ls/nlri.ts) and the BGP-LS attribute (attributes/bgp-ls-attribute.ts): IANA
 * keeps the NLRI and attribute TLVs in one registry ("BGP-LS NLRI and Attribute TLVs"), so one
 * table by type code decodes both, and the SRv6 sub-TLVs inside them.
 *
 * Representation: a list of { type, value } in wire order, so that decode → encode is byte for
 * byte. `value` is a Buffer for a type this table does not know, and also for a known type whose
 * value does not have the layout this table expects (wrong length, non-zero reserved octets, a NaN
 * bandwidth, text that is not UTF-8): such a TLV is kept as it came, never dropped (RFC 9552 §5.1
 * and §8.2.2 ask to preserve what one does not understand). Every other value has the shape of its
 * format, listed by TLV_SPEC.
 */
import { CodecError } from '../../../errors.js';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../../../address.js';
import { u16, u32 } from '../../bytes.js';
import type { ByteWriter } from '../../writer.js';
import { encodeError } from '../../writer.js';
import { ipv4PrefixText, ipv6PrefixText, parsePrefix, writePrefixOctets } from '../prefix.js';

/** Link Local/Remote Identifiers, TLV 258 (RFC 9552 §5.2.2, RFC 5307 §1.1). */
export interface LinkIds {
  local: number;
  remote: number;
}

/** IGP Metric, TLV 1095 (RFC 9552 §5.3.2.4): 1 (IS-IS narrow), 2 (OSPF) or 3 (IS-IS wide) octets. */
export interface IgpMetric {
  metric: number;
  /** How many octets the sender used. */
  length: 1 | 2 | 3;
}

/** A SID or label: 3 octets = label (20 rightmost bits), 4 octets = index (RFC 9085 §2.1.1.1). */
export interface SidValue {
  /** The 3- or 4-octet field as an unsigned number. */
  sid: number;
  /** True for the 3-octet (label) form. */
  isLabel: boolean;
}

/** One SRGB / SRLB range: Range Size (3) + SID/Label sub-TLV 1161 (RFC 9085 §2.1.2, §2.1.4). */
export interface SrRange extends SidValue {
  size: number;
}

/** SR Capabilities (1034) and SR Local Block (1036): Flags (1) + Reserved (1) + ranges. */
export interface SrRanges {
  flags: number;
  ranges: SrRange[];
}

/** Adjacency SID (1099, RFC 9085 §2.2.1): Flags, Weight, Reserved (2), SID/Label/Index. */
export interface AdjacencySid extends SidValue {
  flags: number;
  weight: number;
}

/**
 * LAN Adjacency SID (1100, RFC 9085 §2.2.2): as 1099 plus the neighbour's IS-IS System-ID
 * ("xxxx.xxxx.xxxx") or OSPF Router-ID (dotted quad) before the SID.
 */
export interface LanAdjacencySid extends AdjacencySid {
  neighbor: string;
}

/** Prefix SID (1158, RFC 9085 §2.3.1): Flags, Algorithm, Reserved (2), SID/Index/Label. */
export interface PrefixSidTlvValue extends SidValue {
  flags: number;
  algorithm: number;
}

/** SRv6 End.X SID (1106, RFC 9514 §4.1): behaviour, flags, algorithm, weight, SID, sub-TLVs. */
export interface Srv6EndXSid {
  behavior: number;
  flags: number;
  algorithm: number;
  weight: number;
  sid: string;
  subTlvs: LsTlv[];
}

/** SRv6 Locator (1162, RFC 9514 §5.1): flags, algorithm, metric, sub-TLVs. */
export interface Srv6Locator {
  flags: number;
  algorithm: number;
  metric: number;
  subTlvs: LsTlv[];
}

/** SRv6 Endpoint Behavior (1250, RFC 9514 §7.1). */
export interface Srv6EndpointBehavior {
  behavior: number;
  flags: number;
  algorithm: number;
}

/** SRv6 SID Structure (1252, RFC 9514 §8): the lengths in bits of the SID's parts. */
export interface Srv6SidStructure {
  locatorBlock: number;
  locatorNode: number;
  function: number;
  argument: number;
}

export type LsValue =
  | number
  | string
  | number[]
  | Buffer
  | LsTlv[]
  | LinkIds
  | IgpMetric
  | SrRanges
  | AdjacencySid
  | LanAdjacencySid
  | PrefixSidTlvValue
  | Srv6EndXSid
  | Srv6Locator
  | Srv6EndpointBehavior
  | Srv6SidStructure;

export interface LsTlv {
  type: number;
  /** Buffer: unknown type, or a value kept raw (see the module notes); else by TLV_SPEC's format. */
  value: LsValue;
}

/**
 * Value layouts:
 * - u8 / u16 / u32: unsigned integer of exactly that size;
 * - u8list / u16list / u32list: one or more such integers (a non-multiple length is kept raw);
 * - float / floatlist8: IEEE 754 single (bandwidths in bytes per second, RFC 9552 §5.3.2.4), one or 8;
 * - ipv4 / ipv6: an address of 4 / 16 octets; text: UTF-8; hex: any octets, as hex text;
 * - node: node descriptor sub-TLVs (nested list); ip_prefix: Prefix Length (1) + prefix octets;
 * - the rest: the structured values above.
 */
export type LsFormat =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u8list'
  | 'u16list'
  | 'u32list'
  | 'float'
  | 'floatlist8'
  | 'ipv4'
  | 'ipv6'
  | 'text'
  | 'hex'
  | 'node'
  | 'ip_prefix'
  | 'link_ids'
  | 'igp_router_id'
  | 'igp_metric'
  | 'sr_ranges'
  | 'adj_sid'
  | 'lan_adj_sid'
  | 'prefix_sid'
  | 'srv6_end_x'
  | 'srv6_locator'
  | 'srv6_endpoint_behavior'
  | 'srv6_sid_structure';

/** Known TLV types: name (as in the IANA registry, shortened to kebab-case) and value format. */
export const TLV_SPEC: ReadonlyMap<number, { name: string; format: LsFormat }> = new Map<number, { name: string; format: LsFormat }>([
  // NLRI descriptors, RFC 9552 §5.2.
  [256, { name: 'local', format: 'node' }],
  [257, { name: 'remote', format: 'node' }],
  [258, { name: 'link-ids', format: 'link_ids' }],
  [259, { name: 'ipv4-if', format: 'ipv4' }],
  [260, { name: 'ipv4-nbr', format: 'ipv4' }],
  [261, { name: 'ipv6-if', format: 'ipv6' }],
  [262, { name: 'ipv6-nbr', format: 'ipv6' }],
  [263, { name: 'mt', format: 'u16list' }],
  [264, { name: 'ospf-route-type', format: 'u8' }],
  [265, { name: 'ip', format: 'ip_prefix' }],
  // Node descriptor sub-TLVs, RFC 9552 §5.2.1.4; 516/517 RFC 9086 §4.
  [512, { name: 'as', format: 'u32' }],
  [513, { name: 'bgp-ls-id', format: 'u32' }],
  [514, { name: 'area', format: 'u32' }],
  [515, { name: 'router', format: 'igp_router_id' }],
  [516, { name: 'bgp-router', format: 'ipv4' }],
  [517, { name: 'member-as', format: 'u32' }],
  // SRv6 SID Information, RFC 9514 §6.1.
  [518, { name: 'sid', format: 'ipv6' }],
  // Node attributes, RFC 9552 §5.3.1; SR RFC 9085 §2.1.
  [1024, { name: 'node-flags', format: 'u8' }],
  [1026, { name: 'node-name', format: 'text' }],
  [1027, { name: 'isis-area', format: 'hex' }],
  [1028, { name: 'local-router-id-v4', format: 'ipv4' }],
  [1029, { name: 'local-router-id-v6', format: 'ipv6' }],
  [1030, { name: 'remote-router-id-v4', format: 'ipv4' }],
  [1031, { name: 'remote-router-id-v6', format: 'ipv6' }],
  [1034, { name: 'sr-capabilities', format: 'sr_ranges' }],
  [1035, { name: 'sr-algorithm', format: 'u8list' }],
  [1036, { name: 'sr-local-block', format: 'sr_ranges' }],
  // Link attributes, RFC 9552 §5.3.2; SR RFC 9085 §2.2; SRv6 RFC 9514 §4.
  [1088, { name: 'admin-group', format: 'u32' }],
  [1089, { name: 'max-link-bandwidth', format: 'float' }],
  [1090, { name: 'max-reservable-bandwidth', format: 'float' }],
  [1091, { name: 'unreserved-bandwidth', format: 'floatlist8' }],
  [1092, { name: 'te-default-metric', format: 'u32' }],
  [1095, { name: 'igp-metric', format: 'igp_metric' }],
  [1096, { name: 'srlg', format: 'u32list' }],
  [1098, { name: 'link-name', format: 'text' }],
  [1099, { name: 'adj-sid', format: 'adj_sid' }],
  [1100, { name: 'lan-adj-sid', format: 'lan_adj_sid' }],
  [1106, { name: 'srv6-end-x-sid', format: 'srv6_end_x' }],
  // Prefix attributes, RFC 9552 §5.3.3; SR RFC 9085 §2.3; SRv6 RFC 9514 §5.
  [1152, { name: 'igp-flags', format: 'u8' }],
  [1153, { name: 'route-tags', format: 'u32list' }],
  [1155, { name: 'prefix-metric', format: 'u32' }],
  [1158, { name: 'prefix-sid', format: 'prefix_sid' }],
  [1162, { name: 'srv6-locator', format: 'srv6_locator' }],
  // SRv6 SID NLRI attributes, RFC 9514 §7-§8.
  [1250, { name: 'srv6-endpoint-behavior', format: 'srv6_endpoint_behavior' }],
  [1252, { name: 'srv6-sid-structure', format: 'srv6_sid_structure' }],
]);

/** Short name of a TLV type ("node-name"), or "tlv-<type>". */
export function lsTlvName(type: number): string {
  return TLV_SPEC.get(type)?.name ?? `tlv-${type}`;
}

/** The SID/Label sub-TLV inside SR Capabilities / SR Local Block ranges (RFC 9085 §2.1.1). */
const SID_LABEL_SUB_TLV = 1161;

/** Decoding context: IP Reachability (265) holds an IPv6 prefix in IPv6 Prefix NLRI (type 4). */
export interface LsContext {
  ipv6Prefix: boolean;
}

const V4: LsContext = { ipv6Prefix: false };

/** Decodes the TLVs in [start, end). Throws CodecError when a TLV header or length runs past `end`. */
export function decodeLsTlvs(buf: Buffer, start: number, end: number, ctx: LsContext = V4): LsTlv[] {
  const out: LsTlv[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 4) throw new CodecError(`BGP-LS TLV header needs 4 bytes, only ${end - pos} left (RFC 9552 §5.1)`, pos);
    const type = u16(buf, pos);
    const len = u16(buf, pos + 2);
    const s = pos + 4;
    const e = s + len;
    if (e > end) throw new CodecError(`BGP-LS TLV ${type} length ${len} exceeds its container (${end - s} bytes left)`, pos);
    const spec = TLV_SPEC.get(type);
    let value: LsValue | null = spec === undefined ? null : decodeValue(spec.format, buf, s, e, ctx);
    if (value === null) value = buf.subarray(s, e);
    out.push({ type, value });
    pos = e;
  }
  return out;
}

function sidOf(buf: Buffer, s: number, len: number): SidValue | null {
  if (len === 3) return { sid: (buf[s] << 16) | (buf[s + 1] << 8) | buf[s + 2], isLabel: true };
  if (len === 4) return { sid: u32(buf, s), isLabel: false };
  return null;
}

function isZero(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] !== 0) return false;
  return true;
}

/** "xxxx.xxxx.xxxx" (IS-IS System-ID, 6 octets) plus ".nn" for a pseudonode (7 octets). */
function isoSystemId(buf: Buffer, s: number, n: number): string {
  const hex = buf.toString('hex', s, s + n);
  const id = `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8, 12)}`;
  return n === 7 ? `${id}.${hex.slice(12, 14)}` : id;
}

/** The value of a known TLV, or null when it does not have that format's layout (kept raw). */
function decodeValue(format: LsFormat, buf: Buffer, s: number, e: number, ctx: LsContext): LsValue | null {
  const len = e - s;
  switch (format) {
    case 'u8':
      return len === 1 ? buf[s] : null;
    case 'u16':
      return len === 2 ? u16(buf, s) : null;
    case 'u32':
      return len === 4 ? u32(buf, s) : null;
    case 'u8list':
      return len >= 1 ? Array.from(buf.subarray(s, e)) : null;
    case 'u16list':
    case 'u32list': {
      const size = format === 'u16list' ? 2 : 4;
      if (len === 0 || len % size !== 0) return null;
      const list: number[] = [];
      for (let p = s; p < e; p += size) list.push(size === 2 ? u16(buf, p) : u32(buf, p));
      return list;
    }
    case 'float':
    case 'floatlist8': {
      const n = format === 'float' ? 1 : 8;
      if (len !== 4 * n) return null;
      const list: number[] = [];
      for (let p = s; p < e; p += 4) {
        const f = buf.readFloatBE(p);
        // A NaN's payload bits would not survive the round trip through a JS number.
        if (Number.isNaN(f)) return null;
        list.push(f);
      }
      return n === 1 ? list[0] : list;
    }
    case 'ipv4':
      return len === 4 ? formatIPv4(buf, s) : null;
    case 'ipv6':
      return len === 16 ? formatIPv6(buf, s) : null;
    case 'text': {
      const text = buf.toString('utf8', s, e);
      return Buffer.byteLength(text, 'utf8') === len && Buffer.from(text, 'utf8').equals(buf.subarray(s, e)) ? text : null;
    }
    case 'hex':
      return len > 0 ? buf.toString('hex', s, e) : null;
    case 'node':
      // Framing errors inside a node descriptor are errors of the NLRI (RFC 9552 §5.2.1).
      return decodeLsTlvs(buf, s, e, ctx);
    case 'ip_prefix': {
      if (len < 1) return null;
      const bits = buf[s];
      const width = ctx.ipv6Prefix ? 128 : 32;
      if (bits > width || ((bits + 7) >>> 3) !== len - 1) return null;
      return ctx.ipv6Prefix ? ipv6PrefixText(buf, s + 1, bits) : ipv4PrefixText(buf, s + 1, bits);
    }
    case 'link_ids':
      return len === 8 ? { local: u32(buf, s), remote: u32(buf, s + 4) } : null;
    case 'igp_router_id':
      // RFC 9552 §5.2.1.4: IS-IS non-pseudonode (6), pseudonode (7), OSPF (4), OSPF pseudonode (8).
      if (len === 6 || len === 7) return isoSystemId(buf, s, len);
      if (len === 4) return formatIPv4(buf, s);
      if (len === 8) return `${formatIPv4(buf, s)}-${formatIPv4(buf, s + 4)}`;
      return null;
    case 'igp_metric':
      if (len === 1) return { metric: buf[s], length: 1 };
      if (len === 2) return { metric: u16(buf, s), length: 2 };
      if (len === 3) return { metric: (buf[s] << 16) | (buf[s + 1] << 8) | buf[s + 2], length: 3 };
      return null;
    case 'sr_ranges': {
      if (len < 2 || buf[s + 1] !== 0) return null;
      const ranges: SrRange[] = [];
      let p = s + 2;
      while (p < e) {
        // Range Size (3) + sub-TLV header (4) + SID (3 or 4).
        if (e - p < 7) return null;
        const size = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2];
        const subType = u16(buf, p + 3);
        const subLen = u16(buf, p + 5);
        if (subType !== SID_LABEL_SUB_TLV || p + 7 + subLen > e) return null;
        const sid = sidOf(buf, p + 7, subLen);
        if (sid === null) return null;
        ranges.push({ size, sid: sid.sid, isLabel: sid.isLabel });
        p += 7 + subLen;
      }
      return ranges.length > 0 ? { flags: buf[s], ranges } : null;
    }
    case 'adj_sid': {
      const sid = len >= 4 && isZero(buf, s + 2, s + 4) ? sidOf(buf, s + 4, len - 4) : null;
      return sid === null ? null : { flags: buf[s], weight: buf[s + 1], sid: sid.sid, isLabel: sid.isLabel };
    }
    case 'lan_adj_sid': {
      // 4 + neighbour (6 IS-IS, 4 OSPF) + SID (3, 4): the lengths 11-14 are all distinct.
      if (len < 4 || !isZero(buf, s + 2, s + 4)) return null;
      const idLen = len === 13 || len === 14 ? 6 : len === 11 || len === 12 ? 4 : 0;
      if (idLen === 0) return null;
      const sid = sidOf(buf, s + 4 + idLen, len - 4 - idLen) as SidValue;
      const neighbor = idLen === 6 ? isoSystemId(buf, s + 4, 6) : formatIPv4(buf, s + 4);
      return { flags: buf[s], weight: buf[s + 1], neighbor, sid: sid.sid, isLabel: sid.isLabel };
    }
    case 'prefix_sid': {
      const sid = len >= 4 && isZero(buf, s + 2, s + 4) ? sidOf(buf, s + 4, len - 4) : null;
      return sid === null ? null : { flags: buf[s], algorithm: buf[s + 1], sid: sid.sid, isLabel: sid.isLabel };
    }
    case 'srv6_end_x': {
      // Behavior (2), Flags (1), Algorithm (1), Weight (1), Reserved (1), SID (16), sub-TLVs.
      if (len < 22 || buf[s + 5] !== 0) return null;
      const subTlvs = tryDecode(buf, s + 22, e, ctx);
      if (subTlvs === null) return null;
      return { behavior: u16(buf, s), flags: buf[s + 2], algorithm: buf[s + 3], weight: buf[s + 4], sid: formatIPv6(buf, s + 6), subTlvs };
    }
    case 'srv6_locator': {
      // Flags (1), Algorithm (1), Reserved (2), Metric (4), sub-TLVs.
      if (len < 8 || !isZero(buf, s + 2, s + 4)) return null;
      const subTlvs = tryDecode(buf, s + 8, e, ctx);
      if (subTlvs === null) return null;
      return { flags: buf[s], algorithm: buf[s + 1], metric: u32(buf, s + 4), subTlvs };
    }
    case 'srv6_endpoint_behavior':
      return len === 4 ? { behavior: u16(buf, s), flags: buf[s + 2], algorithm: buf[s + 3] } : null;
    case 'srv6_sid_structure':
      return len === 4 ? { locatorBlock: buf[s], locatorNode: buf[s + 1], function: buf[s + 2], argument: buf[s + 3] } : null;
  }
}

/** Sub-TLVs inside a TLV's value: a framing error there keeps the outer TLV raw. */
function tryDecode(buf: Buffer, s: number, e: number, ctx: LsContext): LsTlv[] | null {
  try {
    return decodeLsTlvs(buf, s, e, ctx);
  } catch (err) {
    if (err instanceof CodecError) return null;
    throw err;
  }
}

// ------------------------------------------------------------------------------- encoding --

/** Writes TLVs in list order (each with its own length). */
export function encodeLsTlvs(w: ByteWriter, tlvs: readonly LsTlv[]): void {
  for (const t of tlvs) {
    w.u16(t.type, 'BGP-LS TLV type');
    const lenAt = w.reserve(2);
    const from = w.pos;
    if (Buffer.isBuffer(t.value)) w.bytes(t.value);
    else {
      const spec = TLV_SPEC.get(t.type);
      if (spec === undefined) encodeError(`BGP-LS TLV ${t.type} is not known here; give its value as a Buffer`);
      encodeValue(w, spec.format, t.value, t.type);
    }
    w.setU16(lenAt, w.pos - from, `BGP-LS TLV ${t.type} length`);
  }
}

function writeSid(w: ByteWriter, v: SidValue, what: string): void {
  if (v.isLabel) w.u24(v.sid, `${what} label`);
  else w.u32(v.sid, `${what} index`);
}

/** IS-IS System-ID text, with the pseudonode octet or without ("0000.0000.0001", "0000.0000.0001.02"). */
const ISO_ID = /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}(\.[0-9a-fA-F]{2})?$/;

function writeIsoId(w: ByteWriter, text: string, octets: 6 | 7, what: string): void {
  const hex = text.replace(/\./g, '');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== octets * 2) encodeError(`${what} "${text}" is not a ${octets}-octet IS-IS identifier`);
  w.bytes(Buffer.from(hex, 'hex'));
}

function writeAddress(w: ByteWriter, text: string, v6: boolean): void {
  const [buf, at] = w.slot(v6 ? 16 : 4);
  if (v6) writeIPv6(text, buf, at);
  else writeIPv4(text, buf, at);
}

function encodeValue(w: ByteWriter, format: LsFormat, value: LsValue, type: number): void {
  const what = `BGP-LS TLV ${type} (${lsTlvName(type)})`;
  switch (format) {
    case 'u8':
      w.u8(value as number, what);
      return;
    case 'u16':
      w.u16(value as number, what);
      return;
    case 'u32':
      w.u32(value as number, what);
      return;
    case 'u8list':
      for (const v of value as number[]) w.u8(v, what);
      return;
    case 'u16list':
      for (const v of value as number[]) w.u16(v, what);
      return;
    case 'u32list':
      for (const v of value as number[]) w.u32(v, what);
      return;
    case 'float':
      w.f32(value as number);
      return;
    case 'floatlist8': {
      const list = value as number[];
      if (list.length !== 8) encodeError(`${what} needs 8 values, got ${list.length}`);
      for (const v of list) w.f32(v);
      return;
    }
    case 'ipv4':
      writeAddress(w, value as string, false);
      return;
    case 'ipv6':
      writeAddress(w, value as string, true);
      return;
    case 'text':
      w.bytes(Buffer.from(value as string, 'utf8'));
      return;
    case 'hex':
      w.bytes(Buffer.from(value as string, 'hex'));
      return;
    case 'node':
      encodeLsTlvs(w, value as LsTlv[]);
      return;
    case 'ip_prefix': {
      const text = value as string;
      const bits = parsePrefix(text, text.includes(':') ? 128 : 32);
      w.u8(bits, what);
      writePrefixOctets(w, bits);
      return;
    }
    case 'link_ids': {
      const v = value as LinkIds;
      w.u32(v.local, `${what} local`);
      w.u32(v.remote, `${what} remote`);
      return;
    }
    case 'igp_router_id': {
      const text = value as string;
      if (text.includes('-')) {
        const [a, b] = text.split('-');
        writeAddress(w, a, false);
        writeAddress(w, b, false);
      } else if (ISO_ID.test(text)) writeIsoId(w, text, text.length === 17 ? 7 : 6, what);
      else writeAddress(w, text, false);
      return;
    }
    case 'igp_metric': {
      const v = value as IgpMetric;
      if (v.length === 1) w.u8(v.metric, what);
      else if (v.length === 2) w.u16(v.metric, what);
      else w.u24(v.metric, what);
      return;
    }
    case 'sr_ranges': {
      const v = value as SrRanges;
      w.u8(v.flags, `${what} flags`);
      w.u8(0, 'reserved');
      for (const r of v.ranges) {
        w.u24(r.size, `${what} range size`);
        w.u16(SID_LABEL_SUB_TLV, 'SID/Label sub-TLV type');
        w.u16(r.isLabel ? 3 : 4, 'SID/Label sub-TLV length');
        writeSid(w, r, what);
      }
      return;
    }
    case 'adj_sid':
    case 'lan_adj_sid': {
      const v = value as LanAdjacencySid;
      w.u8(v.flags, `${what} flags`);
      w.u8(v.weight, `${what} weight`);
      w.u16(0, 'reserved');
      if (format === 'lan_adj_sid') {
        if (ISO_ID.test(v.neighbor)) writeIsoId(w, v.neighbor, 6, `${what} neighbor`);
        else writeAddress(w, v.neighbor, false);
      }
      writeSid(w, v, what);
      return;
    }
    case 'prefix_sid': {
      const v = value as PrefixSidTlvValue;
      w.u8(v.flags, `${what} flags`);
      w.u8(v.algorithm, `${what} algorithm`);
      w.u16(0, 'reserved');
      writeSid(w, v, what);
      return;
    }
    case 'srv6_end_x': {
      const v = value as Srv6EndXSid;
      w.u16(v.behavior, `${what} behavior`);
      w.u8(v.flags, `${what} flags`);
      w.u8(v.algorithm, `${what} algorithm`);
      w.u8(v.weight, `${what} weight`);
      w.u8(0, 'reserved');
      writeAddress(w, v.sid, true);
      encodeLsTlvs(w, v.subTlvs);
      return;
    }
    case 'srv6_locator': {
      const v = value as Srv6Locator;
      w.u8(v.flags, `${what} flags`);
      w.u8(v.algorithm, `${what} algorithm`);
      w.u16(0, 'reserved');
      w.u32(v.metric, `${what} metric`);
      encodeLsTlvs(w, v.subTlvs);
      return;
    }
    case 'srv6_endpoint_behavior': {
      const v = value as Srv6EndpointBehavior;
      w.u16(v.behavior, `${what} behavior`);
      w.u8(v.flags, `${what} flags`);
      w.u8(v.algorithm, `${what} algorithm`);
      return;
    }
    case 'srv6_sid_structure': {
      const v = value as Srv6SidStructure;
      w.u8(v.locatorBlock, `${what} locator block length`);
      w.u8(v.locatorNode, `${what} locator node length`);
      w.u8(v.function, `${what} function length`);
      w.u8(v.argument, `${what} argument length`);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------- text --

/** Readable text of a TLV value, for the canonical NLRI text (nlri.ts). Raw values are hex. */
export function lsValueText(type: number, value: LsValue): string {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'object') return (value as LsTlv[]).map((t) => `${lsTlvName(t.type)}=${lsValueText(t.type, t.value)}`).join(',');
    return (value as number[]).join('/');
  }
  if (type === 258) {
    const v = value as LinkIds;
    return `${v.local}/${v.remote}`;
  }
  return JSON.stringify(value);
}
