/**
 * EXTENDED COMMUNITIES, type 16 (RFC 4360 §2; docs/bmp-protocol.md §21.2): 8-octet values,
 * Type (1) + Sub-Type (1) + Value (6). In the type octet, 0x40 set means non-transitive across
 * ASes (RFC 4360 §2). RFC 7606 §7.14: length must be a non-zero multiple of 8.
 *
 * Every community keeps its type, sub-type and the 6 value octets (what the encoder writes, so any
 * community round-trips) plus a structured reading and a text form for the kinds below. Unknown
 * kinds render as "0xTTSS:" + 12 hex digits.
 *
 * | type/sub | kind | text | source |
 * |---|---|---|---|
 * | 0x00,0x40 / 02 | route_target | rt:ASN:nn | RFC 4360 §4 |
 * | 0x01,0x41 / 02 | route_target | rt:a.b.c.d:nn | RFC 4360 §4 |
 * | 0x02,0x42 / 02 | route_target | rt:ASN:nn (ASN < 65536 gets "L") | RFC 5668 §3 |
 * | same / 03 | route_origin | ro:... | RFC 4360 §5, RFC 5668 |
 * | 0x00,0x01,0x02 / 05 | ospf_domain_id | ospf-domain-id:... | RFC 4577 §4.2.1 |
 * | 0x01 / 07 | ospf_router_id | ospf-router-id:a.b.c.d:nn | RFC 4577 §4.2.6 |
 * | 0x03 / 06 | ospf_route_type | ospf-route-type:area:type:options | RFC 4577 §4.2.6 |
 * | 0x00 / 08 | bgp_data_collection | bdc:ASN:nn | RFC 4384 §3 |
 * | 0x00,0x02 / 09 | source_as | source-as:ASN:nn | RFC 6514 §5 |
 * | 0x00,0x01 / 0a | l2vpn_id | l2vpn-id:...:nn | RFC 6074 §3.2.1 |
 * | 0x01 / 0b | vrf_route_import | vrf-import:a.b.c.d:nn | RFC 6514 §7 |
 * | 0x40,0x00 / 04 | link_bandwidth | lbw:ASN:bytes-per-second | draft-ietf-idr-link-bandwidth §2 |
 * | 0x03 / 0b | color | color:N (flags appended when set) | RFC 9012 §4.3 |
 * | 0x03 / 0c | encapsulation | encap:tunnel-type | RFC 9012 §4.1 |
 * | 0x03 / 0d | default_gateway | default-gateway | RFC 7432 §10.1 |
 * | 0x06 / 00-06, 0a-0c | EVPN kinds | see decodeEvpnCommunity | RFC 7432 §7 and later |
 * | 0x80 / 0a | layer2_info | l2-info:vpls:mtu=N[:flags=0xHH][:pref=N] | RFC 4761 §3.2.4 |
 * | 0x80 / 06 | traffic_rate_bytes | traffic-rate:ASN:bytes-per-second | RFC 8955 §7.3 |
 * | 0x80 / 0c | traffic_rate_packets | traffic-rate-packets:ASN:pps | RFC 8955 §7.3 |
 * | 0x80 / 07 | traffic_action | traffic-action:sample,terminal | RFC 8955 §7.4 |
 * | 0x80,0x81,0x82 / 08 | redirect | redirect:...:nn | RFC 8955 §7.5 |
 * | 0x80 / 09 | traffic_marking | traffic-marking:DSCP | RFC 8955 §7.6 |
 */
import { CodecError } from '../../errors.js';
import { formatIPv4, writeIPv4 } from '../../address.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';

export interface ExtendedCommunity {
  /** High type octet, including the IANA-authority (0x80) and non-transitive (0x40) bits. */
  type: number;
  subtype: number;
  /** Name of the kind (see the table above), 'unknown' otherwise. */
  kind: string;
  /** Transitive across ASes: bit 0x40 of the type clear (RFC 4360 §2). */
  transitive: boolean;
  /** Global Administrator: an ASN, or IPv4 text, for AS-/IPv4-specific layouts; else null. */
  global: number | string | null;
  /** Local Administrator or the kind's main number (color, tunnel type, sequence, rate...); else null. */
  local: number | null;
  /** The 6 value octets; with `type` and `subtype` this is all the encoder uses. */
  value: Buffer;
  text: string;
}

function u16(b: Buffer, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

function hex(b: Buffer, from: number, to: number): string {
  return b.toString('hex', from, to);
}

function mac(b: Buffer, p: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(hex(b, p + i, p + i + 1));
  return parts.join(':');
}

function asn4Text(asn: number): string {
  return asn <= 0xffff ? `${asn}L` : `${asn}`;
}

/** Decodes the 8-octet community at `pos`. */
export function decodeExtendedCommunity(buf: Buffer, pos: number): ExtendedCommunity {
  const type = buf[pos];
  const subtype = buf[pos + 1];
  const v = pos + 2;
  const value = buf.subarray(v, v + 6);
  const transitive = (type & 0x40) === 0;
  let kind = 'unknown';
  let global: number | string | null = null;
  let local: number | null = null;
  let text: string | null = null;
  const layout = type & 0xbf; // transitive and non-transitive variants share layouts
  switch (layout) {
    case 0x00: // two-octet AS specific (RFC 4360 §3.1)
    case 0x01: // IPv4 address specific (RFC 4360 §3.2)
    case 0x02: {
      // four-octet AS specific (RFC 5668 §2)
      if (layout === 0x00) {
        global = u16(buf, v);
        local = buf.readUInt32BE(v + 2);
      } else if (layout === 0x01) {
        global = formatIPv4(buf, v);
        local = u16(buf, v + 4);
      } else {
        global = buf.readUInt32BE(v);
        local = u16(buf, v + 4);
      }
      const g = layout === 0x02 ? asn4Text(global as number) : String(global);
      switch (subtype) {
        case 0x02:
          kind = 'route_target';
          text = `rt:${g}:${local}`;
          break;
        case 0x03:
          kind = 'route_origin';
          text = `ro:${g}:${local}`;
          break;
        case 0x04:
          if (layout === 0x00) {
            // Link bandwidth: 2-octet AS + IEEE float32 bytes per second (not a 4-octet integer).
            kind = 'link_bandwidth';
            local = buf.readFloatBE(v + 2);
            text = `lbw:${global}:${local}`;
          }
          break;
        case 0x05:
          kind = 'ospf_domain_id';
          text = `ospf-domain-id:${g}:${local}`;
          break;
        case 0x07:
          if (layout === 0x01) {
            kind = 'ospf_router_id';
            text = `ospf-router-id:${g}:${local}`;
          }
          break;
        case 0x08:
          if (layout === 0x00) {
            kind = 'bgp_data_collection';
            text = `bdc:${g}:${local}`;
          }
          break;
        case 0x09:
          if (layout !== 0x01) {
            kind = 'source_as';
            text = `source-as:${g}:${local}`;
          }
          break;
        case 0x0a:
          if (layout !== 0x02) {
            kind = 'l2vpn_id';
            text = `l2vpn-id:${g}:${local}`;
          }
          break;
        case 0x0b:
          if (layout === 0x01) {
            kind = 'vrf_route_import';
            text = `vrf-import:${g}:${local}`;
          }
          break;
      }
      if (text === null) {
        global = null;
        local = null;
      }
      break;
    }
    case 0x03: // opaque (RFC 4360 §3.3)
      switch (subtype) {
        case 0x06: {
          kind = 'ospf_route_type';
          global = formatIPv4(buf, v);
          local = buf[v + 4];
          text = `ospf-route-type:${global}:${local}:${buf[v + 5]}`;
          break;
        }
        case 0x0b: {
          kind = 'color';
          local = buf.readUInt32BE(v + 2);
          const flags = u16(buf, v);
          text = flags === 0 ? `color:${local}` : `color:${local}:flags=0x${hex(buf, v, v + 2)}`;
          break;
        }
        case 0x0c:
          kind = 'encapsulation';
          local = u16(buf, v + 4);
          text = `encap:${local}`;
          break;
        case 0x0d:
          kind = 'default_gateway';
          text = 'default-gateway';
          break;
      }
      break;
    case 0x06: // EVPN (RFC 7432 §7): see decodeEvpnCommunity
      if (type !== 0x06) break;
      {
        const e = decodeEvpnCommunity(buf, v, subtype);
        if (e !== null) ({ kind, global, local, text } = e);
      }
      break;
  }
  // Flow Specification actions (RFC 8955 §7) sit in the 0x80-0x82 experimental-turned-IANA range.
  if (type === 0x80) {
    switch (subtype) {
      case 0x06:
      case 0x0c:
        kind = subtype === 0x06 ? 'traffic_rate_bytes' : 'traffic_rate_packets';
        global = u16(buf, v);
        local = buf.readFloatBE(v + 2);
        text = `${subtype === 0x06 ? 'traffic-rate' : 'traffic-rate-packets'}:${global}:${local}`;
        break;
      case 0x07: {
        kind = 'traffic_action';
        local = buf[v + 5];
        const names: string[] = [];
        if (local & 0x02) names.push('sample');
        if (local & 0x01) names.push('terminal');
        text = `traffic-action:${names.length ? names.join(',') : 'none'}`;
        break;
      }
      case 0x0a: {
        // Layer2 Info (RFC 4761 §3.2.4): Encaps Type, Control Flags, Layer-2 MTU, Reserved (2),
        // which VPLS multihoming (RFC 4761 §3.5; draft-ietf-bess-vpls-multihoming) uses as the
        // VE preference, so it is shown when set.
        kind = 'layer2_info';
        global = buf[v];
        local = u16(buf, v + 2);
        const pref = u16(buf, v + 4);
        text = `l2-info:${global === 19 ? 'vpls' : global}:mtu=${local}${buf[v + 1] ? `:flags=0x${hex(buf, v + 1, v + 2)}` : ''}${pref ? `:pref=${pref}` : ''}`;
        break;
      }
      case 0x09:
        kind = 'traffic_marking';
        local = buf[v + 5] & 0x3f;
        text = `traffic-marking:${local}`;
        break;
    }
  }
  if (subtype === 0x08 && (type === 0x80 || type === 0x81 || type === 0x82)) {
    kind = 'redirect';
    if (type === 0x80) {
      global = u16(buf, v);
      local = buf.readUInt32BE(v + 2);
      text = `redirect:${global}:${local}`;
    } else if (type === 0x81) {
      global = formatIPv4(buf, v);
      local = u16(buf, v + 4);
      text = `redirect:${global}:${local}`;
    } else {
      global = buf.readUInt32BE(v);
      local = u16(buf, v + 4);
      text = `redirect:${asn4Text(global)}:${local}`;
    }
  }
  if (text === null) {
    kind = 'unknown';
    text = `0x${hex(buf, pos, pos + 2)}:${hex(buf, v, v + 6)}`;
  }
  return { type, subtype, kind, transitive, global, local, value, text };
}

/** Names of the Layer 2 Attributes control flags (RFC 8214 §3.1: B, P, C; RFC 9469 §7: F, CI). */
const L2_ATTR_FLAGS: readonly [number, string][] = [
  [0x01, 'B'],
  [0x02, 'P'],
  [0x04, 'C'],
  [0x08, 'F'],
  [0x10, 'CI'],
];

/**
 * The EVPN extended communities (type 0x06, IANA "EVPN Extended Community Sub-Types"), value at
 * `v`; null for sub-types without a reading here (they render as hex):
 *
 * | sub | kind | text | source |
 * |---|---|---|---|
 * | 00 | mac_mobility | mac-mobility:seq[:sticky] | RFC 7432 §7.7 |
 * | 01 | esi_label | esi-label:label[:single-active] | RFC 7432 §7.5 |
 * | 02 | es_import_route_target | es-import:MAC | RFC 7432 §7.6 |
 * | 03 | router_mac | router-mac:MAC | RFC 9135 §8.1 |
 * | 04 | layer2_attributes | l2-attr:mtu=N[:flags=P,B,...] | RFC 8214 §3.1 |
 * | 05 | e_tree | e-tree:label[:leaf] | RFC 8317 §5.1 |
 * | 06 | df_election | df-election:alg=N[:bitmap=0xHHHH] | RFC 8584 §2.2 |
 * | 0a-0c | evi_route_target | evi-rt:ASN:nn / evi-rt:a.b.c.d:nn / evi-rt:ASN(L):nn | RFC 9251 §9.5 |
 */
function decodeEvpnCommunity(buf: Buffer, v: number, subtype: number): { kind: string; global: number | string | null; local: number | null; text: string } | null {
  switch (subtype) {
    case 0x00: {
      // Flags (1; bit 0x01 sticky/static), Reserved (1), Sequence Number (4).
      const seq = buf.readUInt32BE(v + 2);
      return { kind: 'mac_mobility', global: null, local: seq, text: `mac-mobility:${seq}${buf[v] & 0x01 ? ':sticky' : ''}` };
    }
    case 0x01: {
      // Flags (1; bit 0x01 single-active), Reserved (2), ESI Label (3, label in the high 20 bits).
      const field = (buf[v + 3] << 16) | (buf[v + 4] << 8) | buf[v + 5];
      return { kind: 'esi_label', global: null, local: field, text: `esi-label:${field >>> 4}${buf[v] & 0x01 ? ':single-active' : ''}` };
    }
    case 0x02:
    case 0x03: {
      const m = mac(buf, v);
      return subtype === 0x02 ? { kind: 'es_import_route_target', global: m, local: null, text: `es-import:${m}` } : { kind: 'router_mac', global: m, local: null, text: `router-mac:${m}` };
    }
    case 0x04: {
      // Control Flags (2), L2 MTU (2), Reserved (2).
      const flags = u16(buf, v);
      const mtu = u16(buf, v + 2);
      const names = L2_ATTR_FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name);
      const other = flags & ~0x1f;
      if (other) names.push(`0x${other.toString(16).padStart(4, '0')}`);
      return { kind: 'layer2_attributes', global: flags, local: mtu, text: `l2-attr:mtu=${mtu}${names.length ? `:flags=${names.join(',')}` : ''}` };
    }
    case 0x05: {
      // Flags (1; bit 0x01 L = leaf), Reserved (2), Leaf Label (3, label in the high 20 bits).
      const label = ((buf[v + 3] << 16) | (buf[v + 4] << 8) | buf[v + 5]) >>> 4;
      return { kind: 'e_tree', global: null, local: label, text: `e-tree:${label}${buf[v] & 0x01 ? ':leaf' : ''}` };
    }
    case 0x06: {
      // DF Type (1), DF Alg bitmap (2), Reserved (3).
      const bitmap = u16(buf, v + 1);
      return { kind: 'df_election', global: bitmap, local: buf[v], text: `df-election:alg=${buf[v]}${bitmap ? `:bitmap=0x${hex(buf, v + 1, v + 3)}` : ''}` };
    }
    case 0x0a:
      return { kind: 'evi_route_target', global: u16(buf, v), local: buf.readUInt32BE(v + 2), text: `evi-rt:${u16(buf, v)}:${buf.readUInt32BE(v + 2)}` };
    case 0x0b:
      return { kind: 'evi_route_target', global: formatIPv4(buf, v), local: u16(buf, v + 4), text: `evi-rt:${formatIPv4(buf, v)}:${u16(buf, v + 4)}` };
    case 0x0c: {
      const asn = buf.readUInt32BE(v);
      return { kind: 'evi_route_target', global: asn, local: u16(buf, v + 4), text: `evi-rt:${asn4Text(asn)}:${u16(buf, v + 4)}` };
    }
    default:
      return null;
  }
}

export function decodeExtendedCommunities(buf: Buffer, start: number, end: number): ExtendedCommunity[] {
  const len = end - start;
  if (len === 0 || len % 8 !== 0) throw new CodecError(`EXTENDED_COMMUNITIES length ${len} is not a non-zero multiple of 8 (RFC 7606 §7.14)`, start);
  const out: ExtendedCommunity[] = [];
  for (let pos = start; pos < end; pos += 8) out.push(decodeExtendedCommunity(buf, pos));
  return out;
}

export function encodeExtendedCommunities(w: ByteWriter, values: readonly ExtendedCommunity[]): void {
  if (values.length === 0) encodeError('EXTENDED_COMMUNITIES must not be empty (RFC 7606 §7.14)');
  for (const c of values) {
    w.u8(c.type, 'extended community type');
    w.u8(c.subtype, 'extended community sub-type');
    if (!c.value || c.value.length !== 6) encodeError(`extended community ${c.text}: value must be 6 octets`);
    w.bytes(c.value);
  }
}

/** Builds a community from its 8 octets (type, sub-type, 6 value octets). */
export function extendedCommunityFromBytes(bytes: Uint8Array): ExtendedCommunity {
  if (bytes.length !== 8) throw new CodecError(`an extended community is 8 octets, got ${bytes.length}`, 0);
  return decodeExtendedCommunity(Buffer.from(bytes), 0);
}

/**
 * Parses the text of a route target / route origin ("rt:65000:100", "ro:192.0.2.1:7",
 * "rt:4200000000:1", "rt:65000L:1") or the generic "0xTTSS:hhhhhhhhhhhh" form.
 */
export function parseExtendedCommunity(text: string): ExtendedCommunity {
  const bytes = Buffer.alloc(8);
  const generic = /^0x([0-9a-fA-F]{4}):([0-9a-fA-F]{12})$/.exec(text);
  if (generic) {
    Buffer.from(generic[1] + generic[2], 'hex').copy(bytes);
    return decodeExtendedCommunity(bytes, 0);
  }
  const m = /^(rt|ro):(.+):(\d+)$/.exec(text);
  if (!m) throw new CodecError(`extended community "${text}" is not rt:/ro:ADMIN:nn or 0xTTSS:12 hex digits`, 0);
  bytes[1] = m[1] === 'rt' ? 0x02 : 0x03;
  const admin = m[2];
  const n = Number(m[3]);
  if (admin.includes('.')) {
    if (n > 0xffff) throw new CodecError(`extended community "${text}": IPv4-specific local part must fit in 2 octets`, 0);
    bytes[0] = 0x01;
    writeIPv4(admin, bytes, 2);
    bytes.writeUInt16BE(n, 6);
  } else {
    const long = admin.endsWith('L');
    const asnText = long ? admin.slice(0, -1) : admin;
    if (!/^\d+$/.test(asnText)) throw new CodecError(`extended community "${text}": bad administrator`, 0);
    const asn = Number(asnText);
    if (!long && asn <= 0xffff && n <= 0xffffffff) {
      bytes[0] = 0x00;
      bytes.writeUInt16BE(asn, 2);
      bytes.writeUInt32BE(n, 4);
    } else if (asn <= 0xffffffff && n <= 0xffff) {
      bytes[0] = 0x02;
      bytes.writeUInt32BE(asn, 2);
      bytes.writeUInt16BE(n, 6);
    } else {
      throw new CodecError(`extended community "${text}": numbers out of range`, 0);
    }
  }
  return decodeExtendedCommunity(bytes, 0);
}
