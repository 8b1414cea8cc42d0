/**
 * Flow Specification NLRI: IPv4 (RFC 8955) and IPv6 (RFC 8956), SAFI 133, and the VPN variant
 * SAFI 134 whose NLRI starts with an 8-octet Route Distinguisher (RFC 8955 §8).
 *
 * Entry: [path id (4), RFC 7911] + length (1 octet when < 240, else 2 octets 0xfnnn, RFC 8955 §4)
 * + [RD (8), SAFI 134] + components. Each component is a type octet followed by
 *  - types 1, 2 (destination / source prefix): IPv4 <length><prefix octets> like a plain prefix;
 *    IPv6 <length><offset><pattern>: the pattern is bits [offset, length) of the address, in
 *    ⌈(length - offset)/8⌉ octets (RFC 8956 §3.1);
 *  - every other type: a list of <operator octet><value (1, 2, 4 or 8 octets)> items, the last with
 *    the end-of-list bit (0x80). Operator octet (RFC 8955 §4.2.1): e (0x80) end of list, a (0x40)
 *    AND with the previous item (clear: OR), len (0x30) value length 1 << len, then for numeric
 *    components a reserved bit (0x08), lt (0x04), gt (0x02), eq (0x01); for bitmask components
 *    (TCP flags, fragment) two reserved bits, not (0x02), m / match (0x01).
 *
 * | type | IPv4 (RFC 8955 §4.2.2) | IPv6 (RFC 8956 §3) | kind | text |
 * |---|---|---|---|---|
 * | 1 | destination prefix | destination prefix + offset | prefix | dst |
 * | 2 | source prefix | source prefix + offset | prefix | src |
 * | 3 | IP protocol | next header | numeric | proto / next-header |
 * | 4 | port | port | numeric | port |
 * | 5 | destination port | destination port | numeric | dport |
 * | 6 | source port | source port | numeric | sport |
 * | 7 | ICMP type | ICMPv6 type | numeric | icmp-type |
 * | 8 | ICMP code | ICMPv6 code | numeric | icmp-code |
 * | 9 | TCP flags | TCP flags | bitmask | tcp-flags |
 * | 10 | packet length | packet length | numeric | len |
 * | 11 | DSCP | traffic class DSCP | numeric | dscp |
 * | 12 | fragment | fragment | bitmask | frag |
 * | 13 | — | flow label | numeric | flow-label |
 *
 * Rule text (FlowspecRoute.prefix; stable, documented in docs/flowspec-and-bmp-v4.md): the components in wire
 * order joined by " && ". A prefix component is "dst 10.0.0.0/24" (IPv6 with a non-zero offset:
 * "dst ::1:0:0:0/64 offset 32", the pattern bits placed at their position in the address). A list
 * component is its name, a space, then its items, each item after the first preceded by "&" (AND)
 * or "|" (OR); AND binds tighter (RFC 8955 §4.2.1.1). A numeric item is its comparison
 * ("=", ">", ">=", "<", "<=", "!=", or "false:" / "true:" for the constant operators 000 / 111)
 * and the decimal value: "dport >=80&<=90|=443". A bitmask item is "" (any of the bits set), "="
 * (all of them set, the m bit), "!" (none set: not) or "!=" (not all set: not + m), then the value:
 * TCP flag names fin syn rst psh ack urg ece cwr (0x01-0x80) or fragment names df isf ff lf
 * (0x01-0x08) joined by "+", or 0x-hex when a bit has no name, "0" for none: "tcp-flags =syn+ack&!rst".
 *
 * Byte for byte: a length below 240 sent in the 2-octet form is remembered (FlowspecRoute
 * .extendedLength); IPv6 pattern padding with bits set past bit 128 of the address (RFC 8956
 * §3.1 padding is ignored on receipt, but the text could not hold it) keeps that NLRI raw. The
 * encoder sets the end-of-list bit itself (last item only); every other operator bit is written
 * as decoded.
 * Component order is not checked on decode (RFC 8955 §4.2 requires increasing types) and is kept.
 * An NLRI with a component type the table does not define cannot be walked further (its length
 * rules are unknown): that one NLRI (like one with the padding above) becomes a RawRoute of its
 * bytes, path id and length included, so the others still decode and nothing is dropped. So
 * does one with an 8-octet value above 2^53 - 1, which a number cannot hold exactly (no defined
 * component needs more than 32 bits).
 */
import { CodecError } from '../../errors.js';
import { formatIPv6, writeIPv4, writeIPv6 } from '../../address.js';
import { formatRouteDistinguisher } from '../../route-distinguisher.js';
import { u32 } from '../bytes.js';
import { ByteWriter, encodeError } from '../writer.js';
import { writePathId } from './ipv4.js';
import { ipv4PrefixText, ipv6PrefixText } from './prefix.js';
import { writeRd } from './rd.js';
import type { FlowspecComponent, FlowspecItem, FlowspecRoute, Route } from './route.js';

/** Component type codes (RFC 8955 §4.2.2, RFC 8956 §3). */
export const FlowspecType = {
  DESTINATION_PREFIX: 1,
  SOURCE_PREFIX: 2,
  IP_PROTOCOL: 3,
  PORT: 4,
  DESTINATION_PORT: 5,
  SOURCE_PORT: 6,
  ICMP_TYPE: 7,
  ICMP_CODE: 8,
  TCP_FLAGS: 9,
  PACKET_LENGTH: 10,
  DSCP: 11,
  FRAGMENT: 12,
  FLOW_LABEL: 13,
} as const;

/** Operator octet bits (RFC 8955 §4.2.1.1 numeric, §4.2.1.2 bitmask). */
export const FlowspecOp = {
  END: 0x80,
  AND: 0x40,
  LEN_MASK: 0x30,
  LT: 0x04,
  GT: 0x02,
  EQ: 0x01,
  NOT: 0x02,
  MATCH: 0x01,
} as const;

/** Structured names of the component types (index = type), IPv4 then the IPv6 differences. */
const NAMES_V4: readonly string[] = [
  '',
  'destination_prefix',
  'source_prefix',
  'ip_protocol',
  'port',
  'destination_port',
  'source_port',
  'icmp_type',
  'icmp_code',
  'tcp_flags',
  'packet_length',
  'dscp',
  'fragment',
];
const NAMES_V6: readonly string[] = [...NAMES_V4.slice(0, 3), 'next_header', ...NAMES_V4.slice(4), 'flow_label'];
const TEXT_V4: readonly string[] = ['', 'dst', 'src', 'proto', 'port', 'dport', 'sport', 'icmp-type', 'icmp-code', 'tcp-flags', 'len', 'dscp', 'frag'];
const TEXT_V6: readonly string[] = [...TEXT_V4.slice(0, 3), 'next-header', ...TEXT_V4.slice(4), 'flow-label'];

const TCP_FLAG_NAMES: readonly string[] = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'];
const FRAGMENT_NAMES: readonly string[] = ['df', 'isf', 'ff', 'lf'];

/** Largest NLRI length the 2-octet form holds (RFC 8955 §4: 12 bits). */
const MAX_NLRI_LENGTH = 0xfff;

/** Structured name of a component type ("destination_port"), or `type_<n>` when the family has none. */
export function flowspecComponentName(afi: number, type: number): string {
  const names = afi === 2 ? NAMES_V6 : NAMES_V4;
  return type > 0 && type < names.length ? names[type] : `type_${type}`;
}

/** True for the bitmask components (TCP flags, fragment); the others with items are numeric. */
export function isBitmaskComponent(type: number): boolean {
  return type === FlowspecType.TCP_FLAGS || type === FlowspecType.FRAGMENT;
}

function isPrefixComponent(type: number): boolean {
  return type === FlowspecType.DESTINATION_PREFIX || type === FlowspecType.SOURCE_PREFIX;
}

/** Value length in octets the operator octet announces. */
export function flowspecValueLength(operator: number): 1 | 2 | 4 | 8 {
  return (1 << ((operator & FlowspecOp.LEN_MASK) >>> 4)) as 1 | 2 | 4 | 8;
}

const NUMERIC_OPS: readonly string[] = ['false', '=', '>', '>=', '<', '<=', '!=', 'true'];
const BITMASK_OPS: readonly string[] = ['any', 'all', '!any', '!all'];

/**
 * Name of an item's comparison: numeric "=", ">", ">=", "<", "<=", "!=", "false", "true";
 * bitmask "any", "all" (m bit), "!any" (not), "!all" (not + m).
 */
export function flowspecOperatorName(type: number, operator: number): string {
  return isBitmaskComponent(type) ? BITMASK_OPS[operator & 0x03] : NUMERIC_OPS[operator & 0x07];
}

// ------------------------------------------------------------------------------ decoding --

const ADDRESS = Buffer.alloc(16);

/**
 * Decodes the flowspec NLRI entries in [pos, end) of a SAFI 133 (`vpn` false) or 134 family.
 * Throws CodecError on malformed input (lengths that overrun, a list without its end bit).
 */
export function decodeFlowspecNlri(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, vpn: boolean, out: Route[]): void {
  while (pos < end) {
    const entry = pos;
    let pathId: number | null = null;
    if (addPath) {
      if (end - pos < 5) throw new CodecError(`flowspec NLRI with ADD-PATH needs a 4-byte path identifier and a length, only ${end - pos} bytes left`, pos);
      pathId = u32(buf, pos);
      pos += 4;
    }
    let length = buf[pos++];
    const twoOctets = length >= 0xf0;
    if (twoOctets) {
      if (pos >= end) throw new CodecError('flowspec NLRI 2-octet length is cut short', pos - 1);
      length = ((length & 0x0f) << 8) | buf[pos++];
    }
    const nlriEnd = pos + length;
    if (nlriEnd > end) throw new CodecError(`flowspec NLRI length ${length} exceeds the ${end - pos} bytes left`, entry);
    let rd: string | null = null;
    if (vpn) {
      if (length < 8) throw new CodecError(`VPN flowspec NLRI length ${length} leaves no room for the route distinguisher`, entry);
      rd = formatRouteDistinguisher(buf, pos);
      pos += 8;
    }
    const components = decodeComponents(buf, pos, nlriEnd, afi);
    if (components === null) {
      out.push({ kind: 'raw', afi, safi, raw: buf.subarray(entry, nlriEnd) });
    } else {
      const route: FlowspecRoute = { kind: 'flowspec', afi, safi, prefix: flowspecRuleText(afi, components), pathId, rd, components };
      if (twoOctets && length < 0xf0) route.extendedLength = true;
      out.push(route);
    }
    pos = nlriEnd;
  }
}

/**
 * The components of one NLRI; null when a type is not defined for the family, an IPv6 pattern
 * has padding bits set past the address, or an 8-octet value exceeds 2^53 - 1 (see file notes).
 */
function decodeComponents(buf: Buffer, pos: number, end: number, afi: number): FlowspecComponent[] | null {
  const v6 = afi === 2;
  const lastType = v6 ? FlowspecType.FLOW_LABEL : FlowspecType.FRAGMENT;
  const components: FlowspecComponent[] = [];
  while (pos < end) {
    const type = buf[pos++];
    if (type < 1 || type > lastType) return null;
    if (isPrefixComponent(type)) {
      if (pos >= end) throw new CodecError(`flowspec prefix component ${type} has no length`, pos - 1);
      const bits = buf[pos++];
      if (!v6) {
        if (bits > 32) throw new CodecError(`flowspec IPv4 prefix length ${bits} exceeds 32`, pos - 1);
        const n = (bits + 7) >>> 3;
        if (pos + n > end) throw new CodecError(`flowspec prefix /${bits} needs ${n} bytes, only ${end - pos} left`, pos);
        components.push({ type, prefix: ipv4PrefixText(buf, pos, bits), offset: null, items: [] });
        pos += n;
        continue;
      }
      if (pos >= end) throw new CodecError(`flowspec IPv6 prefix component ${type} has no offset`, pos);
      const offset = buf[pos++];
      if (bits > 128 || offset > bits) throw new CodecError(`flowspec IPv6 prefix length ${bits} offset ${offset}: need offset <= length <= 128 (RFC 8956 §3.1)`, pos - 2);
      const n = (bits - offset + 7) >>> 3;
      if (pos + n > end) throw new CodecError(`flowspec IPv6 pattern of ${bits - offset} bits needs ${n} bytes, only ${end - pos} left`, pos);
      let prefix: string;
      if (offset === 0) {
        prefix = ipv6PrefixText(buf, pos, bits);
      } else {
        ADDRESS.fill(0);
        for (let i = 0; i < n * 8; i++) {
          if ((buf[pos + (i >>> 3)] & (0x80 >>> (i & 7))) === 0) continue;
          // A set padding bit past the address: not representable, the NLRI stays raw.
          if (offset + i >= 128) return null;
          ADDRESS[(offset + i) >>> 3] |= 0x80 >>> ((offset + i) & 7);
        }
        prefix = `${formatIPv6(ADDRESS, 0)}/${bits}`;
      }
      components.push({ type, prefix, offset, items: [] });
      pos += n;
      continue;
    }
    const items: FlowspecItem[] = [];
    for (;;) {
      if (pos >= end) throw new CodecError(`flowspec component ${type} ends without an end-of-list operator`, pos);
      const operator = buf[pos];
      const n = flowspecValueLength(operator);
      if (pos + 1 + n > end) throw new CodecError(`flowspec component ${type} value of ${n} bytes overruns the NLRI`, pos);
      let value: number;
      if (n === 8) {
        const high = u32(buf, pos + 1);
        // Above 2^53 a number is not exact: such an NLRI stays raw (see file notes).
        if (high >= 0x200000) return null;
        value = high * 0x100000000 + u32(buf, pos + 5);
      } else if (n === 4) value = u32(buf, pos + 1);
      else if (n === 2) value = (buf[pos + 1] << 8) | buf[pos + 2];
      else value = buf[pos + 1];
      items.push({ operator, value });
      pos += 1 + n;
      if (operator & FlowspecOp.END) break;
    }
    components.push({ type, prefix: null, offset: null, items });
  }
  return components;
}

// ---------------------------------------------------------------------------------- text --

function bitmaskValueText(type: number, value: number): string {
  if (value === 0) return '0';
  const names = type === FlowspecType.TCP_FLAGS ? TCP_FLAG_NAMES : FRAGMENT_NAMES;
  if (value >= 2 ** names.length) return `0x${value.toString(16)}`;
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) if (value & (1 << i)) parts.push(names[i]);
  return parts.join('+');
}

const BITMASK_TEXT: readonly string[] = ['', '=', '!', '!='];
const NUMERIC_TEXT: readonly string[] = ['false:', '=', '>', '>=', '<', '<=', '!=', 'true:'];

/** The rule text of an NLRI's components (format in the file notes). */
export function flowspecRuleText(afi: number, components: readonly FlowspecComponent[]): string {
  const names = afi === 2 ? TEXT_V6 : TEXT_V4;
  const parts: string[] = [];
  for (const c of components) {
    const name = c.type > 0 && c.type < names.length ? names[c.type] : `type-${c.type}`;
    if (c.prefix !== null) {
      parts.push(c.offset ? `${name} ${c.prefix} offset ${c.offset}` : `${name} ${c.prefix}`);
      continue;
    }
    const bitmask = isBitmaskComponent(c.type);
    let text = `${name} `;
    for (let i = 0; i < c.items.length; i++) {
      const { operator, value } = c.items[i];
      if (i > 0) text += operator & FlowspecOp.AND ? '&' : '|';
      text += bitmask ? BITMASK_TEXT[operator & 0x03] + bitmaskValueText(c.type, value) : NUMERIC_TEXT[operator & 0x07] + String(value);
    }
    parts.push(text);
  }
  return parts.join(' && ');
}

// ------------------------------------------------------------------------------ building --

/** Operator octet of a numeric item (end bit left to the encoder). */
export function numericOperator(o: { and?: boolean; lt?: boolean; gt?: boolean; eq?: boolean; length?: 1 | 2 | 4 | 8 }): number {
  return (o.and ? FlowspecOp.AND : 0) | lengthBits(o.length ?? 1) | (o.lt ? FlowspecOp.LT : 0) | (o.gt ? FlowspecOp.GT : 0) | (o.eq ? FlowspecOp.EQ : 0);
}

/** Operator octet of a bitmask item (end bit left to the encoder). */
export function bitmaskOperator(o: { and?: boolean; not?: boolean; match?: boolean; length?: 1 | 2 | 4 | 8 }): number {
  return (o.and ? FlowspecOp.AND : 0) | lengthBits(o.length ?? 1) | (o.not ? FlowspecOp.NOT : 0) | (o.match ? FlowspecOp.MATCH : 0);
}

function lengthBits(length: number): number {
  const code = [1, 2, 4, 8].indexOf(length);
  if (code < 0) encodeError(`flowspec value length ${length} is not 1, 2, 4 or 8`);
  return code << 4;
}

/** A flowspec route with its rule text, as the decoder would give it. */
export function flowspecRoute(afi: number, safi: number, components: FlowspecComponent[], rd: string | null = null, pathId: number | null = null): FlowspecRoute {
  return { kind: 'flowspec', afi, safi, prefix: flowspecRuleText(afi, components), pathId, rd, components };
}

// ------------------------------------------------------------------------------ encoding --

/** Encodes flowspec routes (raw ones, the undecodable NLRI, verbatim). */
export function encodeFlowspecNlri(w: ByteWriter, routes: readonly Route[], afi: number, addPath: boolean, vpn: boolean): void {
  for (const r of routes) {
    if (r.kind === 'raw') {
      w.bytes(r.raw);
      continue;
    }
    if (r.kind !== 'flowspec') encodeError(`a ${r.kind} route cannot be encoded as a flowspec rule`);
    writePathId(w, r.pathId, addPath, r.prefix);
    // The body first: its length decides the 1- or 2-octet length form.
    const body = new ByteWriter(64);
    if (vpn) {
      if (r.rd === null || r.rd === undefined) encodeError(`VPN flowspec route ${r.prefix} has no route distinguisher`);
      writeRd(body, r.rd);
    } else if (r.rd !== null && r.rd !== undefined) {
      encodeError(`flowspec route ${r.prefix} has a route distinguisher but the family is not SAFI 134`);
    }
    for (const c of r.components) writeComponent(body, c, afi, r.prefix);
    const length = body.pos;
    if (length > MAX_NLRI_LENGTH) encodeError(`flowspec route ${r.prefix}: NLRI of ${length} octets exceeds ${MAX_NLRI_LENGTH} (RFC 8955 §4)`);
    if (length < 0xf0 && r.extendedLength !== true) w.u8(length, 'flowspec NLRI length');
    else w.u16(0xf000 | length, 'flowspec NLRI length');
    w.bytes(body.toBuffer());
  }
}

const PATTERN = Buffer.alloc(17);

function writeComponent(w: ByteWriter, c: FlowspecComponent, afi: number, rule: string): void {
  const v6 = afi === 2;
  if (!Number.isInteger(c.type) || c.type < 1 || c.type > (v6 ? FlowspecType.FLOW_LABEL : FlowspecType.FRAGMENT)) {
    encodeError(`flowspec route ${rule}: component type ${c.type} is not defined for AFI ${afi}`);
  }
  w.u8(c.type, 'flowspec component type');
  if (isPrefixComponent(c.type)) {
    const text = c.prefix;
    const slash = typeof text === 'string' ? text.indexOf('/') : -1;
    if (text === null || slash < 0) encodeError(`flowspec route ${rule}: prefix component ${c.type} needs CIDR text`);
    const bits = Number(text.slice(slash + 1));
    if (!/^\d+$/.test(text.slice(slash + 1)) || bits > (v6 ? 128 : 32)) encodeError(`flowspec route ${rule}: bad prefix length in "${text}"`);
    ADDRESS.fill(0);
    if (v6) writeIPv6(text.slice(0, slash), ADDRESS, 0);
    else writeIPv4(text.slice(0, slash), ADDRESS, 0);
    w.u8(bits, 'flowspec prefix length');
    if (!v6) {
      if (c.offset !== null && c.offset !== undefined && c.offset !== 0) encodeError(`flowspec route ${rule}: IPv4 prefixes have no offset`);
      w.bytes(ADDRESS.subarray(0, (bits + 7) >>> 3));
      return;
    }
    const offset = c.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > bits) encodeError(`flowspec route ${rule}: offset ${offset} must be 0..${bits}`);
    w.u8(offset, 'flowspec prefix offset');
    const n = (bits - offset + 7) >>> 3;
    PATTERN.fill(0);
    for (let i = 0; i < n * 8 && offset + i < 128; i++) {
      if (ADDRESS[(offset + i) >>> 3] & (0x80 >>> ((offset + i) & 7))) PATTERN[i >>> 3] |= 0x80 >>> (i & 7);
    }
    w.bytes(PATTERN.subarray(0, n));
    return;
  }
  const items = c.items;
  if (!items || items.length === 0) encodeError(`flowspec route ${rule}: component ${c.type} has no operator/value items`);
  for (let i = 0; i < items.length; i++) {
    const { operator, value } = items[i];
    if (!Number.isInteger(operator) || operator < 0 || operator > 0xff) encodeError(`flowspec route ${rule}: operator ${operator} is not an octet`);
    const op = i === items.length - 1 ? operator | FlowspecOp.END : operator & ~FlowspecOp.END;
    const n = flowspecValueLength(op);
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** (8 * n)) encodeError(`flowspec route ${rule}: value ${value} does not fit ${n} octet(s)`);
    w.u8(op, 'flowspec operator');
    if (n === 8) {
      w.u32(Math.floor(value / 0x100000000), 'flowspec value');
      w.u32(value % 0x100000000, 'flowspec value');
    } else if (n === 4) w.u32(value, 'flowspec value');
    else if (n === 2) w.u16(value, 'flowspec value');
    else w.u8(value, 'flowspec value');
  }
}
