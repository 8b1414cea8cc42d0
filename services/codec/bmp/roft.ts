/**
 * Route Policy and Attribute Trace ("ROFT"), message type 100 as Huawei VRP implements it
 * (draft-xu-grow-bmp-route-policy-attr-trace; the type is not IANA-assigned, Wireshark and pmacct
 * use 100 too). The draft body could not be read; the layout below is the one of the protocol
 * notes (Wireshark, which implements -04, and pmacct agree on it), and every field was checked
 * against the four messages in trafficrepro-huawei-vrp8210-route-policy-trace.pcap.
 *
 * No per-peer header. After the common header:
 *
 *   fixed part (33 octets)
 *     0   1  Flags: 0x80 V = prefix is IPv6; rest reserved
 *     1   8  Route Distinguisher of the traced route (RFC 4364 §4.2 encoding)
 *     9   1  Prefix Length (bits)
 *    10  16  Prefix (IPv4 in the last 4 octets)
 *    26   4  "Route Origin" (Wireshark) / "BGP ID" (pmacct) — meaning unconfirmed: kept as the
 *            raw 32-bit value plus its dotted-quad reading (in the capture: the originating
 *            peer's address)
 *    30   1  Event Count
 *    31   2  Total Event Length (octets of all events)
 *   events, each:
 *     0   2  Single Event Length (the whole event, these 2 octets included)
 *     2   1  Event Index (ordinal; semantics beyond that unconfirmed)
 *     3   4  Timestamp seconds      7  4  Timestamp microseconds
 *    11   4  Path Identifier (0 = none)
 *    15   2  AFI                   17  1  SAFI
 *    18 var  TLVs, Type (2) + Length (2, value only) + Value, filling the event exactly:
 *            0 VRF/Table: VRF ID (4) + name
 *            1 Policy: see below
 *            2 Pre-policy attributes, 3 Post-policy attributes: BGP path attributes as in an
 *              UPDATE (left to the BGP codec; Huawei sends 4-octet ASNs here, unconfirmed as a rule)
 *            4 String: free text (Huawei: a YANG XPath of the acting policy node, NUL-terminated;
 *              the NUL is kept)
 *
 *   Policy TLV value:
 *     0   1  Flags: M 0x80 matched a policy, P 0x40 permit (else deny), D 0x20 attributes
 *            differ before/after (value mapping of D unconfirmed: pmacct's reading is used)
 *     1   1  Policy Count
 *     2   1  Policy Class (0 inbound, 1 outbound, 2 multi-protocol redistribute,
 *            3 cross-VRF redistribute, 4 VRF import, 5 VRF export, 6 network, 7 aggregation,
 *            8 route withdraw)
 *     3  16  Peer Address (IPv4 in the last 4 octets; chosen by content because Wireshark and
 *            pmacct disagree on which flag tells)
 *    19   4  Peer Router ID       23  4  Peer AS
 *    27 var  entries: Name Length (2), Item ID Length (2), Name, Item ID, then a per-policy flag
 *            octet (C 0x80 chained, R 0x40 recursive). Wireshark has the flag octet after every
 *            entry, pmacct only between entries; the layout that consumes the value exactly
 *            wins (Huawei: after every entry), and a value neither explains stays raw only.
 *
 * TLV values are kept as Buffer views and the encoder writes them back unchanged; the event and
 * fixed-part lengths/counts are written as received (`eventCount`, `totalEventLength`) — a
 * mismatch with the events found is reported by those fields, not fatal.
 */
import { CodecError, ensureBytes } from '../errors.js';
import { formatIPv4, writeIPv4 } from '../address.js';
import { BMP_COMMON_HEADER_LENGTH, BmpMessageTypeCode, writeCommonHeader } from './header.js';
import { formatAddressField, writeAddressField } from './per-peer-header.js';
import { formatRouteDistinguisher, writeRouteDistinguisher } from '../route-distinguisher.js';

export const ROFT_FIXED_LENGTH = 33;
export const ROFT_EVENT_HEADER_LENGTH = 18;
export const ROFT_FLAG_V = 0x80;
export const ROFT_POLICY_FLAG_M = 0x80;
export const ROFT_POLICY_FLAG_P = 0x40;
export const ROFT_POLICY_FLAG_D = 0x20;
export const ROFT_ENTRY_FLAG_C = 0x80;
export const ROFT_ENTRY_FLAG_R = 0x40;

export const RoftTlvType = {
  VRF_TABLE: 0,
  POLICY: 1,
  PRE_POLICY_ATTRIBUTES: 2,
  POST_POLICY_ATTRIBUTES: 3,
  STRING: 4,
} as const;

export type RoftPolicyClassName =
  | 'inbound'
  | 'outbound'
  | 'multiprotocol_redistribute'
  | 'cross_vrf_redistribute'
  | 'vrf_import'
  | 'vrf_export'
  | 'network'
  | 'aggregation'
  | 'route_withdraw';

const POLICY_CLASSES: readonly RoftPolicyClassName[] = [
  'inbound',
  'outbound',
  'multiprotocol_redistribute',
  'cross_vrf_redistribute',
  'vrf_import',
  'vrf_export',
  'network',
  'aggregation',
  'route_withdraw',
];

export function roftPolicyClassName(code: number): RoftPolicyClassName | null {
  return code < POLICY_CLASSES.length ? POLICY_CLASSES[code] : null;
}

export interface RoftPolicyEntry {
  name: string;
  itemId: string;
  /** Per-policy flag octet, null when the layout has none after this entry. */
  flags: number | null;
  chained: boolean;
  recursive: boolean;
}

interface RoftTlvCommon {
  type: number;
  value: Buffer;
}

export type RoftTlv =
  | (RoftTlvCommon & { kind: 'vrf_table'; vrfId: number; name: string })
  | (RoftTlvCommon & {
      kind: 'policy';
      flags: number;
      matched: boolean;
      permitted: boolean;
      attributesDiffer: boolean;
      policyCount: number;
      policyClass: number;
      policyClassName: RoftPolicyClassName | null;
      peerAddress: string;
      peerRouterId: string;
      peerAs: number;
      /** Decoded entries, or null when neither known layout consumes the value exactly. */
      policies: RoftPolicyEntry[] | null;
    })
  | (RoftTlvCommon & { kind: 'pre_policy_attributes'; attributes: Buffer })
  | (RoftTlvCommon & { kind: 'post_policy_attributes'; attributes: Buffer })
  | (RoftTlvCommon & { kind: 'string'; text: string })
  | (RoftTlvCommon & { kind: 'unknown' });

export interface RoftEvent {
  index: number;
  /** Microseconds since the Unix epoch; 0 = not available. */
  timestamp: number;
  pathId: number;
  afi: number;
  safi: number;
  tlvs: RoftTlv[];
}

export interface RoftMessage {
  type: 'roft';
  version: number;
  /** The message type code it was decoded from (100 unless configured otherwise). */
  messageType: number;
  flags: number;
  /** V flag: the prefix is IPv6. */
  ipv6: boolean;
  routeDistinguisher: string;
  prefixLength: number;
  prefix: string;
  /** The 4-octet field after the prefix, raw (meaning unconfirmed, see file comment). */
  routeOrigin: number;
  /** The same field as dotted quad. */
  routeOriginId: string;
  /** Event Count as received. */
  eventCount: number;
  /** Total Event Length as received. */
  totalEventLength: number;
  events: RoftEvent[];
  /** Octets after the last event the counts do not cover (normally null). */
  trailing: Buffer | null;
}

/** Parses policy entries starting at `p`; flagAfterLast selects the layout. Returns null if the value is not consumed exactly. */
function parsePolicyEntries(v: Buffer, p: number, count: number, flagAfterLast: boolean): RoftPolicyEntry[] | null {
  const entries: RoftPolicyEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 4 > v.length) return null;
    const nameLength = v.readUInt16BE(p);
    const itemLength = v.readUInt16BE(p + 2);
    p += 4;
    if (p + nameLength + itemLength > v.length) return null;
    const name = v.toString('utf8', p, p + nameLength);
    p += nameLength;
    const itemId = v.toString('utf8', p, p + itemLength);
    p += itemLength;
    let flags: number | null = null;
    if (flagAfterLast || i < count - 1) {
      if (p >= v.length) return null;
      flags = v[p++];
    }
    entries.push({
      name,
      itemId,
      flags,
      chained: flags !== null && (flags & ROFT_ENTRY_FLAG_C) !== 0,
      recursive: flags !== null && (flags & ROFT_ENTRY_FLAG_R) !== 0,
    });
  }
  return p === v.length ? entries : null;
}

function decodeRoftTlv(type: number, value: Buffer): RoftTlv {
  switch (type) {
    case RoftTlvType.VRF_TABLE:
      if (value.length >= 4) return { type, value, kind: 'vrf_table', vrfId: value.readUInt32BE(0), name: value.toString('utf8', 4) };
      break;
    case RoftTlvType.POLICY:
      if (value.length >= 27) {
        const flags = value[0];
        const policyCount = value[1];
        const policyClass = value[2];
        const policies = parsePolicyEntries(value, 27, policyCount, true) ?? parsePolicyEntries(value, 27, policyCount, false);
        return {
          type,
          value,
          kind: 'policy',
          flags,
          matched: (flags & ROFT_POLICY_FLAG_M) !== 0,
          permitted: (flags & ROFT_POLICY_FLAG_P) !== 0,
          attributesDiffer: (flags & ROFT_POLICY_FLAG_D) !== 0,
          policyCount,
          policyClass,
          policyClassName: roftPolicyClassName(policyClass),
          peerAddress: formatAddressField(value, 3, null),
          peerRouterId: formatIPv4(value, 19),
          peerAs: value.readUInt32BE(23),
          policies,
        };
      }
      break;
    case RoftTlvType.PRE_POLICY_ATTRIBUTES:
      return { type, value, kind: 'pre_policy_attributes', attributes: value };
    case RoftTlvType.POST_POLICY_ATTRIBUTES:
      return { type, value, kind: 'post_policy_attributes', attributes: value };
    case RoftTlvType.STRING:
      return { type, value, kind: 'string', text: value.toString('utf8') };
  }
  return { type, value, kind: 'unknown' };
}

/** Decodes a whole ROFT message (`buf` is exactly the message). */
export function decodeRoft(buf: Buffer, version: number, messageType: number = BmpMessageTypeCode.ROFT): RoftMessage {
  const end = buf.length;
  const f = BMP_COMMON_HEADER_LENGTH;
  ensureBytes(end, f, ROFT_FIXED_LENGTH, 'ROFT fixed part');
  const flags = buf[f];
  const ipv6 = (flags & ROFT_FLAG_V) !== 0;
  const routeOrigin = buf.readUInt32BE(f + 26);
  const eventCount = buf[f + 30];
  const totalEventLength = buf.readUInt16BE(f + 31);
  const events: RoftEvent[] = [];
  let p = f + ROFT_FIXED_LENGTH;
  for (let i = 0; i < eventCount && p < end; i++) {
    ensureBytes(end, p, ROFT_EVENT_HEADER_LENGTH, 'ROFT event header');
    const length = buf.readUInt16BE(p);
    if (length < ROFT_EVENT_HEADER_LENGTH) throw new CodecError(`ROFT event length ${length} is below 18`, p);
    ensureBytes(end, p, length, 'ROFT event');
    const eventEnd = p + length;
    const tlvs: RoftTlv[] = [];
    let q = p + ROFT_EVENT_HEADER_LENGTH;
    while (q < eventEnd) {
      ensureBytes(eventEnd, q, 4, 'ROFT event TLV header');
      const type = buf.readUInt16BE(q);
      const tlvLength = buf.readUInt16BE(q + 2);
      ensureBytes(eventEnd, q + 4, tlvLength, `ROFT event TLV type ${type} value`);
      tlvs.push(decodeRoftTlv(type, buf.subarray(q + 4, q + 4 + tlvLength)));
      q += 4 + tlvLength;
    }
    events.push({
      index: buf[p + 2],
      timestamp: buf.readUInt32BE(p + 3) * 1_000_000 + buf.readUInt32BE(p + 7),
      pathId: buf.readUInt32BE(p + 11),
      afi: buf.readUInt16BE(p + 15),
      safi: buf[p + 17],
      tlvs,
    });
    p = eventEnd;
  }
  return {
    type: 'roft',
    version,
    messageType,
    flags,
    ipv6,
    routeDistinguisher: formatRouteDistinguisher(buf, f + 1),
    prefixLength: buf[f + 9],
    prefix: formatAddressField(buf, f + 10, ipv6),
    routeOrigin,
    routeOriginId: formatIPv4(buf, f + 26),
    eventCount,
    totalEventLength,
    events,
    trailing: p < end ? buf.subarray(p, end) : null,
  };
}

function eventLength(e: RoftEvent): number {
  let n = ROFT_EVENT_HEADER_LENGTH;
  for (const t of e.tlvs) n += 4 + t.value.length;
  return n;
}

export function roftLength(m: RoftMessage): number {
  let n = BMP_COMMON_HEADER_LENGTH + ROFT_FIXED_LENGTH;
  for (const e of m.events) n += eventLength(e);
  return n + (m.trailing?.length ?? 0);
}

export function encodeRoft(m: RoftMessage): Buffer {
  const length = roftLength(m);
  const out = Buffer.allocUnsafe(length);
  writeCommonHeader(out, 0, m.version, length, m.messageType);
  const f = BMP_COMMON_HEADER_LENGTH;
  out[f] = m.flags;
  writeRouteDistinguisher(m.routeDistinguisher, out, f + 1);
  out[f + 9] = m.prefixLength;
  writeAddressField(m.prefix, out, f + 10);
  out.writeUInt32BE(m.routeOrigin >>> 0, f + 26);
  out[f + 30] = m.eventCount;
  out.writeUInt16BE(m.totalEventLength, f + 31);
  let p = f + ROFT_FIXED_LENGTH;
  for (const e of m.events) {
    const len = eventLength(e);
    if (len > 0xffff) throw new CodecError(`ROFT event of ${len} octets does not fit`, p);
    out.writeUInt16BE(len, p);
    out[p + 2] = e.index;
    const seconds = Math.floor(e.timestamp / 1_000_000);
    out.writeUInt32BE(seconds, p + 3);
    out.writeUInt32BE(e.timestamp - seconds * 1_000_000, p + 7);
    out.writeUInt32BE(e.pathId >>> 0, p + 11);
    out.writeUInt16BE(e.afi, p + 15);
    out[p + 17] = e.safi;
    p += ROFT_EVENT_HEADER_LENGTH;
    for (const t of e.tlvs) {
      out.writeUInt16BE(t.type, p);
      out.writeUInt16BE(t.value.length, p + 2);
      p += 4 + t.value.copy(out, p + 4);
    }
  }
  if (m.trailing) m.trailing.copy(out, p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Builders for TLV values (the encoder writes values as given)

/** Reads a ROFT TLV from its type and value as the decoder would. */
export function makeRoftTlv(type: number, value: Buffer): RoftTlv {
  return decodeRoftTlv(type, value);
}

export function roftVrfTableValue(vrfId: number, name: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const v = Buffer.allocUnsafe(4 + nameBytes.length);
  v.writeUInt32BE(vrfId >>> 0, 0);
  nameBytes.copy(v, 4);
  return v;
}

export interface RoftPolicyInit {
  flags: number;
  policyClass: number;
  peerAddress: string;
  peerRouterId: string;
  peerAs: number;
  /** Entries; `flags: null` omits the flag octet after that entry (pmacct layout, last entry). */
  policies: ReadonlyArray<{ name: string; itemId: string; flags: number | null }>;
}

export function roftPolicyValue(init: RoftPolicyInit): Buffer {
  const parts: Buffer[] = [];
  const fixed = Buffer.alloc(27);
  fixed[0] = init.flags;
  fixed[1] = init.policies.length;
  fixed[2] = init.policyClass;
  writeAddressField(init.peerAddress, fixed, 3);
  writeIPv4(init.peerRouterId, fixed, 19);
  fixed.writeUInt32BE(init.peerAs >>> 0, 23);
  parts.push(fixed);
  for (const e of init.policies) {
    const name = Buffer.from(e.name, 'utf8');
    const item = Buffer.from(e.itemId, 'utf8');
    const head = Buffer.allocUnsafe(4);
    head.writeUInt16BE(name.length, 0);
    head.writeUInt16BE(item.length, 2);
    parts.push(head, name, item);
    if (e.flags !== null) parts.push(Buffer.from([e.flags]));
  }
  return Buffer.concat(parts);
}
