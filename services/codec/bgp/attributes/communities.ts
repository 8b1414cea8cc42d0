/**
 * COMMUNITIES, type 8 (RFC 1997): a list of 4-octet values, conventionally written
 * "ASN:value" from the two 16-bit halves (RFC 6793 §5 notes a 4-octet ASN cannot be expressed).
 * RFC 7606 §7.8: the attribute is malformed unless its length is a non-zero multiple of 4.
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { u32 } from '../bytes.js';

/** Well-known communities (IANA "BGP Well-known Communities"; docs/bmp-protocol.md §21.1). */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  ROUTE_FILTER_TRANSLATED_V4: 0xffff0002,
  ROUTE_FILTER_V4: 0xffff0003,
  ROUTE_FILTER_TRANSLATED_V6: 0xffff0004,
  ROUTE_FILTER_V6: 0xffff0005,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  ACCEPT_OWN_NEXTHOP: 0xffff0008,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NOPEER: 0xffffff04,
} as const;

const NAMES = new Map<number, string>(Object.entries(WellKnownCommunity).map(([name, value]) => [value, name]));

export function decodeCommunities(buf: Buffer, start: number, end: number): number[] {
  const len = end - start;
  if (len === 0 || len % 4 !== 0) throw new CodecError(`COMMUNITIES length ${len} is not a non-zero multiple of 4 (RFC 7606 §7.8)`, start);
  // Allocated at its exact size (see decodeAsPath).
  const out: number[] = new Array<number>(len >>> 2);
  for (let pos = start, i = 0; pos < end; pos += 4, i++) out[i] = u32(buf, pos);
  return out;
}

export function encodeCommunities(w: ByteWriter, values: readonly number[]): void {
  if (values.length === 0) encodeError('COMMUNITIES must not be empty (RFC 7606 §7.8)');
  for (const v of values) w.u32(v, 'community');
}

/*
 * Text memo: a table repeats a few thousand community values over and over (a network's own
 * tags, its upstreams'), and a direct-mapped cache probe costs far less than two number-to-string
 * conversions and a concatenation. Bounded (COMMUNITY_SLOTS entries, a collision replaces the
 * slot); strings are immutable, so the memo cannot change any result.
 */
const COMMUNITY_SLOT_BITS = 13;
const communityKeys = new Int32Array(1 << COMMUNITY_SLOT_BITS);
const communityTexts: (string | null)[] = new Array<string | null>(1 << COMMUNITY_SLOT_BITS).fill(null);

/** "65000:100" (high and low 16 bits). */
export function formatCommunity(value: number): string {
  const key = value | 0;
  const slot = Math.imul(key, 0x9e3779b1) >>> (32 - COMMUNITY_SLOT_BITS);
  const cached = communityTexts[slot];
  if (cached !== null && communityKeys[slot] === key) return cached;
  const text = `${value >>> 16}:${value & 0xffff}`;
  communityKeys[slot] = key;
  communityTexts[slot] = text;
  return text;
}

/** Name of a well-known community ("NO_EXPORT"), or null. */
export function communityName(value: number): string | null {
  return NAMES.get(value) ?? null;
}

/** The well-known name when there is one, else "high:low". */
export function describeCommunity(value: number): string {
  return NAMES.get(value) ?? formatCommunity(value);
}

/** Parses "65000:100" or a well-known name back to the 32-bit value. */
export function parseCommunity(text: string): number {
  const named = (WellKnownCommunity as Record<string, number>)[text];
  if (named !== undefined) return named;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (m) {
    const hi = Number(m[1]);
    const lo = Number(m[2]);
    if (hi <= 0xffff && lo <= 0xffff) return hi * 0x10000 + lo;
  }
  throw new CodecError(`community "${text}" is not ASN:value (two 16-bit numbers) or a well-known name`, 0);
}
