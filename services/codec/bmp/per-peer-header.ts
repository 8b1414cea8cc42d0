/**
 * Per-peer header (RFC 7854 §4.2; RFC 8671 §4; RFC 9069 §4.1, §4.2), 42 octets after the common
 * header of Route Monitoring, Statistics Report, Peer Down, Peer Up and Route Mirroring messages.
 *
 *   offset size field
 *     0     1   Peer Type
 *     1     1   Peer Flags (meaning depends on the peer type, see below)
 *     2     8   Peer Distinguisher (always present on the wire, zero where not applicable)
 *    10    16   Peer Address (IPv6, or IPv4 in the last 4 octets with the first 12 zero)
 *    26     4   Peer AS
 *    30     4   Peer BGP ID
 *    34     4   Timestamp (seconds)
 *    38     4   Timestamp (microseconds)
 *
 * Flags, most significant bit first. Since RFC 9069 §8.2 there are two registries:
 *   peer types 0-2: V 0x80 IPv6 peer address, L 0x40 post-policy, A 0x20 legacy 2-octet AS_PATH,
 *                   O 0x10 Adj-RIB-Out (RFC 8671 §4)
 *   peer type 3:    F 0x80 filtered Loc-RIB view (RFC 9069 §4.2); V/L/A/O do not exist
 * Unassigned peer types have no defined flags: only the raw byte is given.
 */
import { ensureBytes } from '../errors.js';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6 } from '../address.js';
import { ZERO_ROUTE_DISTINGUISHER, formatRouteDistinguisher, writeRouteDistinguisher } from '../route-distinguisher.js';

export const PER_PEER_HEADER_LENGTH = 42;

export const PeerTypeCode = {
  GLOBAL: 0,
  RD_INSTANCE: 1,
  LOCAL_INSTANCE: 2,
  LOC_RIB: 3,
} as const;

export type PeerTypeName = 'global' | 'rd_instance' | 'local_instance' | 'loc_rib' | 'unknown';

const PEER_TYPE_NAMES: readonly PeerTypeName[] = ['global', 'rd_instance', 'local_instance', 'loc_rib'];

export function peerTypeName(code: number): PeerTypeName {
  return code < PEER_TYPE_NAMES.length ? PEER_TYPE_NAMES[code] : 'unknown';
}

/** Flag masks for peer types 0-2 (RFC 7854 §4.2, RFC 8671 §4). */
export const PEER_FLAG_V = 0x80;
export const PEER_FLAG_L = 0x40;
export const PEER_FLAG_A = 0x20;
export const PEER_FLAG_O = 0x10;
/** Flag mask for peer type 3 (RFC 9069 §4.2). */
export const PEER_FLAG_F = 0x80;

export interface PerPeerHeader {
  /** Peer Type code (0-3 assigned; others kept as received). */
  peerType: number;
  peerTypeName: PeerTypeName;
  /**
   * The Peer Flags octet as received, reserved bits included. The encoder writes this octet; the
   * booleans below are its reading for this peer type.
   */
  flags: number;
  /** V: peer address is IPv6 (types 0-2 only). */
  ipv6: boolean;
  /** L: post-policy view (types 0-2 only). */
  postPolicy: boolean;
  /** A: AS_PATH/AGGREGATOR use legacy 2-octet ASNs in this message (types 0-2 only). */
  twoOctetAs: boolean;
  /** O: Adj-RIB-Out (types 0-2 only). */
  adjRibOut: boolean;
  /** F: filtered Loc-RIB view (type 3 only). */
  filtered: boolean;
  /**
   * Peer Distinguisher as route-distinguisher text ("0:0" for the global instance, "65000:100",
   * "192.0.2.1:7", "4200000000:5", "65000L:5", "0x0005:010203040506"; see ../route-distinguisher.ts).
   */
  peerDistinguisher: string;
  /**
   * Peer address text. Types 0-2: IPv6 if V, otherwise the IPv4 address in the last 4 octets
   * (RFC 7854 §4.2; any non-zero padding — one sender writes ::ffff:a.b.c.d — is ignored, so it is
   * not re-encoded). Type 3 and unassigned types have no V flag: IPv4 when the first 12 octets
   * are zero (Loc-RIB: always, RFC 9069 §4.1), IPv6 otherwise.
   */
  peerAddress: string;
  peerAs: number;
  /** BGP Identifier as dotted quad. */
  peerBgpId: string;
  /** Seconds and microseconds folded into microseconds since the Unix epoch; 0 = not available. */
  timestamp: number;
}

function allZero12(buf: Buffer, offset: number): boolean {
  return buf.readUInt32BE(offset) === 0 && buf.readUInt32BE(offset + 4) === 0 && buf.readUInt32BE(offset + 8) === 0;
}

/**
 * Text of a 16-octet address field: IPv6 when `ipv6`, IPv4 (last 4 octets) when not, and by the
 * content (first 12 octets zero → IPv4) when `ipv6` is null (no V flag applies).
 */
export function formatAddressField(buf: Buffer, offset: number, ipv6: boolean | null): string {
  if (ipv6 === true) return formatIPv6(buf, offset);
  if (ipv6 === false || allZero12(buf, offset)) return formatIPv4(buf, offset + 12);
  return formatIPv6(buf, offset);
}

/** Writes address text into a 16-octet field: IPv6 text as is, IPv4 text zero-padded in front. */
export function writeAddressField(text: string, out: Buffer, offset: number): void {
  if (text.includes(':')) {
    writeIPv6(text, out, offset);
  } else {
    out.fill(0, offset, offset + 12);
    writeIPv4(text, out, offset + 12);
  }
}

/*
 * Text memo. Formatting the distinguisher, address and BGP ID is most of the cost of this header
 * (an IPv6 address alone takes ~50-150 ns), yet a session repeats the same few peers in long runs
 * (table dumps). A small direct-mapped cache keyed on the 34 identity octets (type, flags, PD,
 * address, AS, BGP ID) returns the strings of an identical header. Strings are immutable, so the
 * memo cannot change any result; it holds no reference to input buffers.
 */
const MEMO_SLOTS = 64;
const MEMO_WORDS = 9; // 8 × 32-bit words + the final 16-bit word: octets 0..33
const memoKeys = new Int32Array(MEMO_SLOTS * MEMO_WORDS);
const memoFilled = new Uint8Array(MEMO_SLOTS);
const memoDistinguisher: string[] = new Array<string>(MEMO_SLOTS).fill('');
const memoAddress: string[] = new Array<string>(MEMO_SLOTS).fill('');
const memoBgpId: string[] = new Array<string>(MEMO_SLOTS).fill('');

/**
 * Big-endian 32-bit word as a signed int32 (`>>> 0` makes it unsigned): plain indexed reads,
 * which V8 inlines, instead of Buffer#readUInt32BE's argument checks — this runs for every
 * message. The caller has checked the bounds.
 */
function word(buf: Buffer, o: number): number {
  return (buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3];
}

/** Slot holding the texts of the header at `offset`, filling it on a miss. */
function memoSlot(buf: Buffer, offset: number, classic: boolean, ipv6: boolean): number {
  const w0 = word(buf, offset);
  const w1 = word(buf, offset + 4);
  const w2 = word(buf, offset + 8);
  const w3 = word(buf, offset + 12);
  const w4 = word(buf, offset + 16);
  const w5 = word(buf, offset + 20);
  const w6 = word(buf, offset + 24);
  const w7 = word(buf, offset + 28);
  const w8 = (buf[offset + 32] << 8) | buf[offset + 33];
  const slot = Math.imul(w0 ^ w1 ^ w2 ^ w3 ^ w4 ^ w5 ^ w6 ^ w7 ^ w8, 0x9e3779b1) >>> 26; // 0..63
  const k = slot * MEMO_WORDS;
  if (
    memoFilled[slot] === 1 &&
    memoKeys[k] === w0 &&
    memoKeys[k + 1] === w1 &&
    memoKeys[k + 2] === w2 &&
    memoKeys[k + 3] === w3 &&
    memoKeys[k + 4] === w4 &&
    memoKeys[k + 5] === w5 &&
    memoKeys[k + 6] === w6 &&
    memoKeys[k + 7] === w7 &&
    memoKeys[k + 8] === w8
  ) {
    return slot;
  }
  memoKeys[k] = w0;
  memoKeys[k + 1] = w1;
  memoKeys[k + 2] = w2;
  memoKeys[k + 3] = w3;
  memoKeys[k + 4] = w4;
  memoKeys[k + 5] = w5;
  memoKeys[k + 6] = w6;
  memoKeys[k + 7] = w7;
  memoKeys[k + 8] = w8;
  memoFilled[slot] = 1;
  memoDistinguisher[slot] = formatRouteDistinguisher(buf, offset + 2);
  memoAddress[slot] = formatAddressField(buf, offset + 10, classic ? ipv6 : null);
  memoBgpId[slot] = formatIPv4(buf, offset + 30);
  return slot;
}

/** Decodes the per-peer header at `offset` (normally 6). */
export function decodePerPeerHeader(buf: Buffer, offset: number): PerPeerHeader {
  ensureBytes(buf.length, offset, PER_PEER_HEADER_LENGTH, 'per-peer header');
  const peerType = buf[offset];
  const flags = buf[offset + 1];
  const classic = peerType <= 2;
  const ipv6 = classic && (flags & PEER_FLAG_V) !== 0;
  const slot = memoSlot(buf, offset, classic, ipv6);
  const seconds = word(buf, offset + 34) >>> 0;
  const micros = word(buf, offset + 38) >>> 0;
  return {
    peerType,
    peerTypeName: peerTypeName(peerType),
    flags,
    ipv6,
    postPolicy: classic && (flags & PEER_FLAG_L) !== 0,
    twoOctetAs: classic && (flags & PEER_FLAG_A) !== 0,
    adjRibOut: classic && (flags & PEER_FLAG_O) !== 0,
    filtered: peerType === PeerTypeCode.LOC_RIB && (flags & PEER_FLAG_F) !== 0,
    peerDistinguisher: memoDistinguisher[slot],
    peerAddress: memoAddress[slot],
    peerAs: word(buf, offset + 26) >>> 0,
    peerBgpId: memoBgpId[slot],
    // seconds * 1e6 + micros stays below 2^53 for every 32-bit seconds value, so no precision loss.
    timestamp: seconds * 1_000_000 + micros,
  };
}

/** Writes the 42-octet per-peer header at `offset` of `out`. */
export function writePerPeerHeader(h: PerPeerHeader, out: Buffer, offset: number): void {
  out[offset] = h.peerType;
  out[offset + 1] = h.flags;
  writeRouteDistinguisher(h.peerDistinguisher, out, offset + 2);
  writeAddressField(h.peerAddress, out, offset + 10);
  out.writeUInt32BE(h.peerAs >>> 0, offset + 26);
  writeIPv4(h.peerBgpId, out, offset + 30);
  const seconds = Math.floor(h.timestamp / 1_000_000);
  out.writeUInt32BE(seconds, offset + 34);
  out.writeUInt32BE(h.timestamp - seconds * 1_000_000, offset + 38);
}

/** Fields a caller supplies to build a header; the flag booleans are derived from `flags`. */
export interface PerPeerHeaderInit {
  peerType: number;
  flags?: number;
  peerDistinguisher?: string;
  peerAddress: string;
  peerAs: number;
  peerBgpId: string;
  timestamp?: number;
}

/** Builds a PerPeerHeader whose booleans agree with its flags octet, as the decoder would. */
export function makePerPeerHeader(init: PerPeerHeaderInit): PerPeerHeader {
  const flags = init.flags ?? 0;
  const classic = init.peerType <= 2;
  return {
    peerType: init.peerType,
    peerTypeName: peerTypeName(init.peerType),
    flags,
    ipv6: classic && (flags & PEER_FLAG_V) !== 0,
    postPolicy: classic && (flags & PEER_FLAG_L) !== 0,
    twoOctetAs: classic && (flags & PEER_FLAG_A) !== 0,
    adjRibOut: classic && (flags & PEER_FLAG_O) !== 0,
    filtered: init.peerType === PeerTypeCode.LOC_RIB && (flags & PEER_FLAG_F) !== 0,
    peerDistinguisher: init.peerDistinguisher ?? ZERO_ROUTE_DISTINGUISHER,
    peerAddress: init.peerAddress,
    peerAs: init.peerAs,
    peerBgpId: init.peerBgpId,
    timestamp: init.timestamp ?? 0,
  };
}

/** Flags octet for peer types 0-2 from its named bits (for building messages). */
export function peerFlags(bits: { ipv6?: boolean; postPolicy?: boolean; twoOctetAs?: boolean; adjRibOut?: boolean }): number {
  return (
    (bits.ipv6 ? PEER_FLAG_V : 0) |
    (bits.postPolicy ? PEER_FLAG_L : 0) |
    (bits.twoOctetAs ? PEER_FLAG_A : 0) |
    (bits.adjRibOut ? PEER_FLAG_O : 0)
  );
}
