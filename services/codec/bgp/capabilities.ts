/**
 * Capabilities advertised in OPEN (RFC 5492 §4): Code (1) + Length (1) + Value, inside optional
 * parameters of type 2. Layouts (docs/bmp-protocol.md §18.3):
 *
 * | code | kind | value | source |
 * |---|---|---|---|
 * | 1 | multiprotocol | AFI (2) + Reserved (1) + SAFI (1) | RFC 4760 §8 |
 * | 2 | route_refresh | empty | RFC 2918 §2 |
 * | 5 | extended_next_hop | n × (NLRI AFI (2), NLRI SAFI (2), Next Hop AFI (2)) | RFC 8950 §4 |
 * | 6 | extended_message | empty | RFC 8654 §3 |
 * | 8 | multiple_labels | n × (AFI (2), SAFI (1), Count (1)) | RFC 8277 §2.1 |
 * | 9 | role | 1 octet | RFC 9234 §4.1 |
 * | 64 | graceful_restart | R/N flags (4 bits) + Restart Time (12 bits), n × (AFI, SAFI, flags) | RFC 4724 §3 |
 * | 65 | four_octet_as | ASN (4) | RFC 6793 §3 |
 * | 69 | add_path | n × (AFI (2), SAFI (1), Send/Receive (1)) | RFC 7911 §4 |
 * | 70 | enhanced_route_refresh | empty | RFC 7313 §3 |
 * | 71 | long_lived_graceful_restart | n × (AFI (2), SAFI (1), Flags (1), Stale Time (3)) | RFC 9494 §3 |
 * | 73 | fqdn | Hostname Len (1) + Hostname + Domain Len (1) + Domain | draft-walton-bgp-hostname-capability §3 |
 * | 128 | route_refresh_cisco | empty (pre-standard code of route refresh) | RFC 8810 |
 *
 * Anything else, and any known capability whose value does not fit its layout, is kept raw (with
 * `error` set in the second case) so the OPEN still re-encodes byte for byte.
 */
import { CodecError } from '../errors.js';
import type { ByteWriter } from './writer.js';
import { encodeError } from './writer.js';

export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  MULTIPLE_LABELS: 8,
  ROLE: 9,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  FQDN: 73,
  ROUTE_REFRESH_CISCO: 128,
} as const;

export interface MultiprotocolCapability {
  code: 1;
  kind: 'multiprotocol';
  afi: number;
  safi: number;
  /** The reserved octet between AFI and SAFI, normally 0. */
  reserved: number;
}
export interface EmptyCapability<C extends number, K extends string> {
  code: C;
  kind: K;
}
export type RouteRefreshCapability = EmptyCapability<2, 'route_refresh'>;
export type ExtendedMessageCapability = EmptyCapability<6, 'extended_message'>;
export type EnhancedRouteRefreshCapability = EmptyCapability<70, 'enhanced_route_refresh'>;
export type CiscoRouteRefreshCapability = EmptyCapability<128, 'route_refresh_cisco'>;
export interface ExtendedNextHopCapability {
  code: 5;
  kind: 'extended_next_hop';
  families: { afi: number; safi: number; nextHopAfi: number }[];
}
export interface MultipleLabelsCapability {
  code: 8;
  kind: 'multiple_labels';
  /** count 255 = no limit (RFC 8277 §2.1). */
  families: { afi: number; safi: number; count: number }[];
}
export interface RoleCapability {
  code: 9;
  kind: 'role';
  /** 0 provider, 1 route server, 2 route-server client, 3 customer, 4 peer (RFC 9234 §4.1); see roleName. */
  role: number;
}
export interface GracefulRestartCapability {
  code: 64;
  kind: 'graceful_restart';
  /** High 4 bits of the first octet: 0x8 Restart State (R), 0x4 Graceful Notification (N, RFC 8538). */
  flags: number;
  /** Seconds, 12 bits. */
  restartTime: number;
  /** Per family flags: 0x80 Forwarding State preserved. */
  families: { afi: number; safi: number; flags: number }[];
}
export interface FourOctetAsCapability {
  code: 65;
  kind: 'four_octet_as';
  asn: number;
}
export interface AddPathCapability {
  code: 69;
  kind: 'add_path';
  /** sendReceive: 1 receive, 2 send, 3 both (RFC 7911 §4). */
  families: { afi: number; safi: number; sendReceive: number }[];
}
export interface LongLivedGracefulRestartCapability {
  code: 71;
  kind: 'long_lived_graceful_restart';
  /** flags 0x80 = F (forwarding state preserved); staleTime in seconds (24 bits). */
  families: { afi: number; safi: number; flags: number; staleTime: number }[];
}
export interface FqdnCapability {
  code: 73;
  kind: 'fqdn';
  hostname: string;
  domain: string;
}
export interface RawCapability {
  code: number;
  kind: 'raw';
  value: Buffer;
  /** Why a known capability was not decoded, else null. */
  error: string | null;
}

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | ExtendedNextHopCapability
  | ExtendedMessageCapability
  | MultipleLabelsCapability
  | RoleCapability
  | GracefulRestartCapability
  | FourOctetAsCapability
  | AddPathCapability
  | EnhancedRouteRefreshCapability
  | LongLivedGracefulRestartCapability
  | FqdnCapability
  | CiscoRouteRefreshCapability
  | RawCapability;

const CAPABILITY_NAMES: Record<number, string> = {
  1: 'multiprotocol',
  2: 'route_refresh',
  3: 'outbound_route_filtering',
  4: 'multiple_routes',
  5: 'extended_next_hop',
  6: 'extended_message',
  7: 'bgpsec',
  8: 'multiple_labels',
  9: 'role',
  64: 'graceful_restart',
  65: 'four_octet_as',
  66: 'dynamic_capability_deprecated',
  67: 'dynamic_capability',
  68: 'multisession',
  69: 'add_path',
  70: 'enhanced_route_refresh',
  71: 'long_lived_graceful_restart',
  72: 'routing_policy_distribution',
  73: 'fqdn',
  128: 'route_refresh_cisco',
};

/** Name of a capability code ("add_path"), or "capability_<code>". */
export function capabilityName(code: number): string {
  return CAPABILITY_NAMES[code] ?? `capability_${code}`;
}

const ROLE_NAMES = ['provider', 'rs', 'rs_client', 'customer', 'peer'];

/** RFC 9234 §4.1 role name, or null for unassigned values. */
export function roleName(role: number): string | null {
  return ROLE_NAMES[role] ?? null;
}

function u16(b: Buffer, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

function need(cond: boolean, reason: string, at: number): void {
  if (!cond) throw new CodecError(reason, at);
}

/** Decodes the value [start, end) of capability `code`; throws CodecError when malformed. */
function decodeKnown(code: number, buf: Buffer, start: number, end: number): Capability | null {
  const len = end - start;
  const name = capabilityName(code);
  const exact = (n: number, rfc: string): void => need(len === n, `${name} capability length ${len}, must be ${n} (${rfc})`, start);
  const multiple = (n: number, rfc: string): void => need(len % n === 0, `${name} capability length ${len} is not a multiple of ${n} (${rfc})`, start);
  switch (code) {
    case 1:
      exact(4, 'RFC 4760 §8');
      return { code: 1, kind: 'multiprotocol', afi: u16(buf, start), safi: buf[start + 3], reserved: buf[start + 2] };
    case 2:
      exact(0, 'RFC 2918 §2');
      return { code: 2, kind: 'route_refresh' };
    case 5: {
      multiple(6, 'RFC 8950 §4');
      const families: ExtendedNextHopCapability['families'] = [];
      for (let p = start; p < end; p += 6) families.push({ afi: u16(buf, p), safi: u16(buf, p + 2), nextHopAfi: u16(buf, p + 4) });
      return { code: 5, kind: 'extended_next_hop', families };
    }
    case 6:
      exact(0, 'RFC 8654 §3');
      return { code: 6, kind: 'extended_message' };
    case 8: {
      multiple(4, 'RFC 8277 §2.1');
      const families: MultipleLabelsCapability['families'] = [];
      for (let p = start; p < end; p += 4) families.push({ afi: u16(buf, p), safi: buf[p + 2], count: buf[p + 3] });
      return { code: 8, kind: 'multiple_labels', families };
    }
    case 9:
      exact(1, 'RFC 9234 §4.1');
      return { code: 9, kind: 'role', role: buf[start] };
    case 64: {
      need(len >= 2 && (len - 2) % 4 === 0, `${name} capability length ${len} is not 2 + a multiple of 4 (RFC 4724 §3)`, start);
      const families: GracefulRestartCapability['families'] = [];
      for (let p = start + 2; p < end; p += 4) families.push({ afi: u16(buf, p), safi: buf[p + 2], flags: buf[p + 3] });
      return { code: 64, kind: 'graceful_restart', flags: buf[start] >>> 4, restartTime: u16(buf, start) & 0x0fff, families };
    }
    case 65:
      exact(4, 'RFC 6793 §3');
      return { code: 65, kind: 'four_octet_as', asn: buf.readUInt32BE(start) };
    case 69: {
      multiple(4, 'RFC 7911 §4');
      const families: AddPathCapability['families'] = [];
      for (let p = start; p < end; p += 4) families.push({ afi: u16(buf, p), safi: buf[p + 2], sendReceive: buf[p + 3] });
      return { code: 69, kind: 'add_path', families };
    }
    case 70:
      exact(0, 'RFC 7313 §3');
      return { code: 70, kind: 'enhanced_route_refresh' };
    case 71: {
      multiple(7, 'RFC 9494 §3');
      const families: LongLivedGracefulRestartCapability['families'] = [];
      for (let p = start; p < end; p += 7) {
        families.push({ afi: u16(buf, p), safi: buf[p + 2], flags: buf[p + 3], staleTime: (buf[p + 4] << 16) | (buf[p + 5] << 8) | buf[p + 6] });
      }
      return { code: 71, kind: 'long_lived_graceful_restart', families };
    }
    case 73: {
      need(len >= 1, 'fqdn capability is empty', start);
      const hl = buf[start];
      need(1 + hl + 1 <= len, `fqdn capability hostname length ${hl} exceeds capability (${len - 1} bytes left)`, start);
      const dl = buf[start + 1 + hl];
      need(2 + hl + dl === len, `fqdn capability domain length ${dl} does not end the capability (${len - 2 - hl} bytes left)`, start + 1 + hl);
      const hostname = utf8Exact(buf, start + 1, start + 1 + hl, 'fqdn hostname');
      const domain = utf8Exact(buf, start + 2 + hl, end, 'fqdn domain');
      return { code: 73, kind: 'fqdn', hostname, domain };
    }
    case 128:
      exact(0, 'RFC 8810');
      return { code: 128, kind: 'route_refresh_cisco' };
    default:
      return null;
  }
}

/** UTF-8 text that re-encodes to exactly the same bytes (else the capability stays raw). */
function utf8Exact(buf: Buffer, start: number, end: number, what: string): string {
  const text = buf.toString('utf8', start, end);
  if (Buffer.byteLength(text, 'utf8') !== end - start || !Buffer.from(text, 'utf8').equals(buf.subarray(start, end))) {
    throw new CodecError(`${what} is not valid UTF-8`, start);
  }
  return text;
}

/** One capability from its code and value bytes; malformed known ones come back raw with `error`. */
export function decodeCapability(code: number, buf: Buffer, start: number, end: number): Capability {
  try {
    const cap = decodeKnown(code, buf, start, end);
    if (cap !== null) return cap;
    return { code, kind: 'raw', value: buf.subarray(start, end), error: null };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return { code, kind: 'raw', value: buf.subarray(start, end), error: e.message };
  }
}

/**
 * Decodes the capability list of one optional parameter [start, end). Throws CodecError when a
 * capability's length runs past the parameter (the caller then keeps the parameter raw).
 */
export function decodeCapabilities(buf: Buffer, start: number, end: number): Capability[] {
  const out: Capability[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 2) throw new CodecError(`capability header needs 2 bytes, only ${end - pos} left`, pos);
    const code = buf[pos];
    const len = buf[pos + 1];
    if (len > end - pos - 2) throw new CodecError(`${capabilityName(code)} capability length ${len} exceeds parameter (${end - pos - 2} bytes left)`, pos);
    out.push(decodeCapability(code, buf, pos + 2, pos + 2 + len));
    pos += 2 + len;
  }
  return out;
}

function writeValue(w: ByteWriter, cap: Capability): void {
  switch (cap.kind) {
    case 'multiprotocol':
      w.u16(cap.afi, 'multiprotocol AFI');
      w.u8(cap.reserved ?? 0, 'multiprotocol reserved');
      w.u8(cap.safi, 'multiprotocol SAFI');
      return;
    case 'route_refresh':
    case 'extended_message':
    case 'enhanced_route_refresh':
    case 'route_refresh_cisco':
      return;
    case 'extended_next_hop':
      for (const f of cap.families) {
        w.u16(f.afi, 'extended next hop AFI');
        w.u16(f.safi, 'extended next hop SAFI');
        w.u16(f.nextHopAfi, 'extended next hop next-hop AFI');
      }
      return;
    case 'multiple_labels':
      for (const f of cap.families) {
        w.u16(f.afi, 'multiple labels AFI');
        w.u8(f.safi, 'multiple labels SAFI');
        w.u8(f.count, 'multiple labels count');
      }
      return;
    case 'role':
      w.u8(cap.role, 'role');
      return;
    case 'graceful_restart':
      if (!Number.isInteger(cap.flags) || cap.flags < 0 || cap.flags > 15) encodeError(`graceful restart flags ${cap.flags} do not fit in 4 bits`);
      if (!Number.isInteger(cap.restartTime) || cap.restartTime < 0 || cap.restartTime > 0xfff) encodeError(`graceful restart time ${cap.restartTime} does not fit in 12 bits`);
      w.u16(cap.flags * 0x1000 + cap.restartTime, 'graceful restart flags and time');
      for (const f of cap.families) {
        w.u16(f.afi, 'graceful restart AFI');
        w.u8(f.safi, 'graceful restart SAFI');
        w.u8(f.flags, 'graceful restart family flags');
      }
      return;
    case 'four_octet_as':
      w.u32(cap.asn, '4-octet AS number');
      return;
    case 'add_path':
      for (const f of cap.families) {
        w.u16(f.afi, 'ADD-PATH AFI');
        w.u8(f.safi, 'ADD-PATH SAFI');
        w.u8(f.sendReceive, 'ADD-PATH send/receive');
      }
      return;
    case 'long_lived_graceful_restart':
      for (const f of cap.families) {
        w.u16(f.afi, 'LLGR AFI');
        w.u8(f.safi, 'LLGR SAFI');
        w.u8(f.flags, 'LLGR flags');
        w.u24(f.staleTime, 'LLGR stale time');
      }
      return;
    case 'fqdn': {
      const h = Buffer.from(cap.hostname, 'utf8');
      const d = Buffer.from(cap.domain, 'utf8');
      w.u8(h.length, 'fqdn hostname length');
      w.bytes(h);
      w.u8(d.length, 'fqdn domain length');
      w.bytes(d);
      return;
    }
    case 'raw':
      w.bytes(cap.value);
      return;
  }
}

/** Writes Code + Length + Value. */
export function encodeCapability(w: ByteWriter, cap: Capability): void {
  w.u8(cap.code, 'capability code');
  const lenAt = w.reserve(1);
  const from = w.pos;
  writeValue(w, cap);
  const len = w.pos - from;
  if (len > 255) encodeError(`${capabilityName(cap.code)} capability value of ${len} bytes exceeds 255 (RFC 5492 §4)`);
  w.setU8(lenAt, len, 'capability length');
}
