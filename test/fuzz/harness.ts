/**
 * Mutation fuzzer for the decode path: real BMP sessions from the shared captures, mutated, framed
 * with random TCP chunking and decoded message by message.
 *
 * Input generation is a pure function of (seed, iteration): each input has its own PRNG state
 * derived from both, so any single input is reproduced from those two numbers alone
 * (`npm run fuzz -- --seed S --start I --iterations 1`), whatever ran before it.
 *
 * An input is a short stream: a run of 1-8 consecutive messages of one captured session, preceded
 * (usually) by the Peer Up of the first message's peer so that the OPEN-derived decode options are
 * in play, then mutated by one or more of: bit flips, bytes set to 0x00/0xff/0x7f/0x80, rewrites of
 * length fields (BMP common header, BGP header, UPDATE withdrawn/attribute lengths, attribute and
 * NLRI prefix lengths, OPEN parameter/capability and TLV lengths — located by a tolerant walker,
 * so the rewrite hits a real field), rewrites of type fields found the same way (peer type and
 * flags, attribute type code and flags, MP AFI/SAFI, extended community type, capability code,
 * TLV type, Peer Down reason) to code points the decoders know, truncation of a message or of the stream, random insertions and deletions, splicing
 * with another captured message, message type/version changes, random bodies, duplicated, dropped
 * and swapped messages, or fully random bytes. Offsets are drawn from the first 100 octets of a
 * message more often than not: that is where the headers and length fields are. After a mutation
 * that changes a message's size its BMP length (and a Route Monitoring's BGP length) is usually
 * fixed up, so that the decoders behind the framer see the mutated body instead of a desync.
 *
 * Findings:
 *  - crash: an exception other than CodecError out of the codec (the framer never throws; the
 *    decoders throw CodecError only), or anything the session decoder reports as an internal
 *    error or lets escape;
 *  - hang: one input taking longer than `hangMs` (default 1 s), twice in a row (one slow run can
 *    be a GC pause or a busy machine) — inputs are a few KB, decoding one takes well under a
 *    millisecond;
 *  - memory: the framer holding more than the maximum message size after handing out every
 *    complete message (it must never buffer beyond one partial message), or a framed message
 *    larger than that maximum.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodecError } from '../../services/codec/errors.js';
import { BmpFramer, type FramingError } from '../../services/codec/framer.js';
import { decodeBmpMessage, type PerPeerHeader } from '../../services/codec/bmp/index.js';
import {
  DEFAULT_DECODE_OPTIONS,
  decodeBgpMessage,
  decodeBgpMessageHeuristic,
  decodeOptionsFromOpens,
  type BgpDecodeOptions,
  type BgpMessage,
  type OpenMessage,
} from '../../services/codec/bgp/index.js';
import { extractBmpStreams } from '../../services/capture/index.js';
import { BMP_CAPTURE_DIR } from '../unit/capture/testdata.js';

// ------------------------------------------------------------------------------------- PRNG --

/** Deterministic 32-bit PRNG (a Weyl sequence through an xor-shift-multiply output mix). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.next() / 4294967296) * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p * 4294967296;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** The PRNG seed of input `iteration` of a run seeded with `seed`. */
export function inputSeed(seed: number, iteration: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x2545f491, 0x9e3779b1);
  h ^= Math.imul(iteration >>> 0, 0x7feb352d) ^ Math.floor(iteration / 4294967296);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// ----------------------------------------------------------------------------------- corpus --

export interface CorpusStream {
  /** Capture file name and the index of the BMP stream in it. */
  file: string;
  streamIndex: number;
  messages: Buffer[];
  /** For each message, the index of the latest earlier Peer Up of the same peer, or -1. */
  peerUpBefore: Int32Array;
}

export interface Corpus {
  streams: CorpusStream[];
  /** Every message as [stream, index]. */
  all: Array<[number, number]>;
  /** Messages by BMP message type (one list per type present), for picking a type uniformly. */
  byType: Array<Array<[number, number]>>;
  /** The same lists by type code. */
  ofType: Map<number, Array<[number, number]>>;
  messageCount: number;
}

const PER_PEER_TYPES = new Set([0, 1, 2, 3, 6]);

/** Identity of the monitored peer of a message with a per-peer header (type, PD, address, AS, BGP ID). */
function peerKey(m: Buffer): string | null {
  if (m.length < 48 || !PER_PEER_TYPES.has(m[5])) return null;
  return `${m[6]}|${m.toString('hex', 8, 40)}`;
}

/** Loads every capture of the test data (BMP_TESTDATA_DIR honoured) and frames its BMP streams. */
export function loadCorpus(dir: string = BMP_CAPTURE_DIR): Corpus {
  const files = readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng|bmp)$/.test(f))
    .sort();
  const streams: CorpusStream[] = [];
  const all: Array<[number, number]> = [];
  const ofType = new Map<number, Array<[number, number]>>();
  for (const file of files) {
    const bmpStreams = extractBmpStreams(readFileSync(join(dir, file)));
    bmpStreams.forEach((stream, streamIndex) => {
      const framer = new BmpFramer();
      framer.push(stream.payload);
      const messages: Buffer[] = [];
      for (let r = framer.next(); r !== null && r.kind === 'message'; r = framer.next()) messages.push(r.bytes);
      if (messages.length === 0) return;
      const peerUpBefore = new Int32Array(messages.length).fill(-1);
      const lastPeerUp = new Map<string, number>();
      messages.forEach((m, i) => {
        const key = peerKey(m);
        if (key === null) return;
        peerUpBefore[i] = lastPeerUp.get(key) ?? -1;
        if (m[5] === 3) lastPeerUp.set(key, i);
      });
      const s = streams.length;
      streams.push({ file, streamIndex, messages, peerUpBefore });
      messages.forEach((m, i) => {
        all.push([s, i]);
        const list = ofType.get(m[5]);
        if (list) list.push([s, i]);
        else ofType.set(m[5], [[s, i]]);
      });
    });
  }
  if (all.length === 0) throw new Error(`fuzz corpus: no BMP messages found in ${dir}`);
  return { streams, all, byType: [...ofType.values()], ofType, messageCount: all.length };
}

// ------------------------------------------------------------------- structure walking --

interface Field {
  at: number;
  size: 1 | 2 | 4;
  what: string;
  /** For a type/code field (not a length): the values worth trying. */
  codes?: readonly number[];
}

// Code points worth trying in type fields: the ones the decoders know, plus neighbours.
const ATTRIBUTE_CODES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 20, 22, 23, 25, 26, 27, 29, 32, 33, 35, 40, 128, 255];
const ATTRIBUTE_FLAGS = [0x00, 0x10, 0x40, 0x50, 0x80, 0x90, 0xc0, 0xd0, 0xe0, 0xf0, 0xff];
const CAPABILITY_CODES = [1, 2, 5, 6, 9, 64, 65, 67, 69, 70, 71, 73, 75, 76, 128, 255];
const AFIS = [1, 2, 25, 16388, 0, 3];
const SAFIS = [1, 2, 4, 5, 65, 70, 71, 72, 73, 128, 129, 132, 133, 134, 0, 255];
/** Extended community type + subtype pairs (RFC 4360, 5668, 7432, 8955 and neighbours). */
const EXTENDED_COMMUNITY_TYPES: readonly number[] = [
  ...[0x00, 0x01, 0x02, 0x40, 0x41, 0x42].flatMap((t) => [0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0e].map((st) => (t << 8) | st)),
  ...[0x03, 0x43].flatMap((t) => [0x06, 0x0b, 0x0c, 0x0d, 0x0e].map((st) => (t << 8) | st)),
  ...[0x00, 0x01, 0x02, 0x03, 0x04, 0x05].map((st) => 0x0600 | st),
  ...[0x06, 0x07, 0x08, 0x09, 0x0c].map((st) => 0x8000 | st),
  0x8108,
  0x8208,
  0x8008,
  0x0900,
  0x4400,
];
const IPV6_EXTENDED_COMMUNITY_TYPES = [0x0002, 0x0003, 0x000b, 0x0010, 0x4002, 0x4003, 0x400b, 0x0102];
const TLV_TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 65531, 0x8000, 0x8004];
const PEER_DOWN_REASONS = [0, 1, 2, 3, 4, 5, 6, 7, 255];
const PEER_TYPES = [0, 1, 2, 3, 4, 255];
const PEER_FLAGS = [0x00, 0x80, 0x40, 0x20, 0x10, 0xa0, 0xc0, 0xd0, 0xf0, 0xff];

const MAX_FIELDS = 160;

function isMarker(m: Buffer, i: number): boolean {
  if (i + 19 > m.length) return false;
  for (let k = 0; k < 16; k++) if (m[i + k] !== 0xff) return false;
  return true;
}

function u16(m: Buffer, i: number): number {
  return (m[i] << 8) | m[i + 1];
}

/** NLRI-style prefix length octets between p and end (path identifiers and labels not modelled). */
function prefixFields(m: Buffer, p: number, end: number, out: Field[], what: string): void {
  for (let n = 0; p < end && n < 32 && out.length < MAX_FIELDS; n++) {
    out.push({ at: p, size: 1, what });
    p += 1 + ((m[p] + 7) >> 3);
  }
}

/** Type(2) + Length(2) TLVs from p to end; `header` = octets before the value (6 for indexed v4 TLVs). */
function tlvFields(m: Buffer, p: number, end: number, header: number, out: Field[], what: string): void {
  for (let n = 0; p + 4 <= end && n < 64 && out.length < MAX_FIELDS; n++) {
    out.push({ at: p + 2, size: 2, what: `${what} length` });
    out.push({ at: p, size: 2, what: `${what} type`, codes: TLV_TYPES });
    p += header + u16(m, p + 2);
  }
}

function bgpFields(m: Buffer, i: number, out: Field[]): void {
  const end = Math.min(m.length, i + u16(m, i + 16));
  out.push({ at: i + 16, size: 2, what: 'BGP length' });
  const type = m[i + 18];
  if (type === 2) {
    let p = i + 19;
    if (p + 2 > end) return;
    out.push({ at: p, size: 2, what: 'UPDATE withdrawn routes length' });
    const withdrawnEnd = Math.min(end, p + 2 + u16(m, p));
    prefixFields(m, p + 2, withdrawnEnd, out, 'withdrawn prefix length');
    p = withdrawnEnd;
    if (p + 2 > end) return;
    out.push({ at: p, size: 2, what: 'UPDATE path attribute length' });
    const attrEnd = Math.min(end, p + 2 + u16(m, p));
    p += 2;
    for (let n = 0; p + 3 <= attrEnd && n < 64 && out.length < MAX_FIELDS; n++) {
      const extended = (m[p] & 0x10) !== 0;
      const code = m[p + 1];
      if (extended && p + 4 > attrEnd) break;
      const length = extended ? u16(m, p + 2) : m[p + 2];
      out.push({ at: p + 2, size: extended ? 2 : 1, what: `attribute ${code} length` });
      out.push({ at: p + 1, size: 1, what: `attribute ${code} type code`, codes: ATTRIBUTE_CODES });
      out.push({ at: p, size: 1, what: `attribute ${code} flags`, codes: ATTRIBUTE_FLAGS });
      const v = p + (extended ? 4 : 3);
      const vEnd = Math.min(attrEnd, v + length);
      if ((code === 14 || code === 15) && v + 3 <= vEnd) {
        out.push({ at: v, size: 2, what: `attribute ${code} AFI`, codes: AFIS });
        out.push({ at: v + 2, size: 1, what: `attribute ${code} SAFI`, codes: SAFIS });
      }
      if (code === 16 || code === 25) {
        const step = code === 16 ? 8 : 20;
        for (let q = v; q + step <= vEnd && out.length < MAX_FIELDS; q += step) {
          out.push({ at: q, size: 2, what: `attribute ${code} community type`, codes: code === 16 ? EXTENDED_COMMUNITY_TYPES : IPV6_EXTENDED_COMMUNITY_TYPES });
        }
      }
      if (code === 14 && v + 4 <= vEnd) {
        out.push({ at: v + 3, size: 1, what: 'MP_REACH next hop length' });
        prefixFields(m, v + 5 + m[v + 3], vEnd, out, 'MP_REACH prefix length');
      } else if (code === 15) {
        prefixFields(m, v + 3, vEnd, out, 'MP_UNREACH prefix length');
      } else if ((code === 2 || code === 17) && v + 2 <= vEnd) {
        out.push({ at: v + 1, size: 1, what: `attribute ${code} segment count` });
      }
      p = v + length;
    }
    prefixFields(m, attrEnd, end, out, 'NLRI prefix length');
  } else if (type === 1 && i + 29 <= end) {
    out.push({ at: i + 28, size: 1, what: 'OPEN optional parameters length' });
    let p = i + 29;
    const paramsEnd = Math.min(end, p + m[i + 28]);
    for (let n = 0; p + 2 <= paramsEnd && n < 16; n++) {
      out.push({ at: p + 1, size: 1, what: 'OPEN parameter length' });
      const capsEnd = Math.min(paramsEnd, p + 2 + m[p + 1]);
      if (m[p] === 2) {
        for (let q = p + 2, k = 0; q + 2 <= capsEnd && k < 32 && out.length < MAX_FIELDS; k++) {
          out.push({ at: q + 1, size: 1, what: `capability ${m[q]} length` });
          out.push({ at: q, size: 1, what: `capability ${m[q]} code`, codes: CAPABILITY_CODES });
          q += 2 + m[q + 1];
        }
      }
      p = capsEnd;
    }
  }
}

/** The length and type fields of one message, as far as its (possibly already mutated) bytes tell. */
export function structureFields(m: Buffer): Field[] {
  const out: Field[] = [{ at: 1, size: 4, what: 'BMP message length' }];
  if (m.length < 6) return out;
  const version = m[0];
  const type = m[5];
  if (PER_PEER_TYPES.has(type) && m.length >= 48) {
    out.push({ at: 6, size: 1, what: 'peer type', codes: PEER_TYPES });
    out.push({ at: 7, size: 1, what: 'peer flags', codes: PEER_FLAGS });
  }
  if (type === 2 && m.length > 48) out.push({ at: 48, size: 1, what: 'peer down reason', codes: PEER_DOWN_REASONS });
  for (let i = 6; i + 19 <= m.length && out.length < MAX_FIELDS; i++) {
    if (isMarker(m, i)) {
      bgpFields(m, i, out);
      i += 18;
    }
  }
  switch (type) {
    case 0:
      if (version === 4 && m.length > 48 && !isMarker(m, 48)) tlvFields(m, 48, m.length, 6, out, 'v4 TLV');
      break;
    case 1:
      if (m.length >= 52) out.push({ at: 48, size: 4, what: 'stats count' });
      tlvFields(m, 52, m.length, 4, out, 'stat TLV');
      break;
    case 2:
      if (m.length > 49 && m[48] === 6) tlvFields(m, 49, m.length, 4, out, 'peer down TLV');
      break;
    case 3: {
      let p = 68;
      if (isMarker(m, p)) p += u16(m, p + 16);
      if (isMarker(m, p)) p += u16(m, p + 16);
      tlvFields(m, p, m.length, 4, out, 'peer up TLV');
      break;
    }
    case 4:
    case 5:
      tlvFields(m, 6, m.length, 4, out, 'information TLV');
      break;
    case 6:
      tlvFields(m, 48, m.length, 4, out, 'route mirroring TLV');
      break;
    case 100:
      if (m.length >= 39) {
        out.push({ at: 37, size: 2, what: 'ROFT total event length' });
        for (let p = 39, n = 0; p + 18 <= m.length && n < 16; n++) {
          out.push({ at: p, size: 2, what: 'ROFT event length' });
          const eventLength = u16(m, p);
          tlvFields(m, p + 18, Math.min(m.length, p + eventLength), 4, out, 'ROFT TLV');
          if (eventLength < 18) break;
          p += eventLength;
        }
      }
      break;
  }
  return out;
}

// --------------------------------------------------------------------------------- mutation --

export interface FuzzInput {
  seed: number;
  iteration: number;
  /** The mutated stream. */
  bytes: Buffer;
  /** Offsets where the stream is cut into TCP chunks (ascending, inside the stream). */
  cuts: number[];
  /** Origin and mutations, e.g. "x.pcap#0 m12+3 (Peer Up m4): flip 3 bits in m1 @7,19,44; …". */
  description: string;
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80];

/** A message offset, from the first 100 octets more often than not. */
function favouredOffset(rng: Rng, length: number): number {
  if (length <= 0) return 0;
  return rng.chance(0.65) ? rng.int(Math.min(length, 100)) : rng.int(length);
}

function readField(m: Buffer, f: Field): number {
  if (f.size === 1) return m[f.at];
  if (f.size === 2) return u16(m, f.at);
  return m.readUInt32BE(f.at);
}

function writeField(m: Buffer, f: Field, value: number): void {
  if (f.size === 1) m[f.at] = value & 0xff;
  else if (f.size === 2) m.writeUInt16BE(value & 0xffff, f.at);
  else m.writeUInt32BE(value >>> 0, f.at);
}

function interestingLength(rng: Rng, current: number, size: 1 | 2 | 4): number {
  const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  const top = size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000;
  const choices = [
    0,
    1,
    current - 1,
    current + 1,
    current - 1 - rng.int(16),
    current + 1 + rng.int(16),
    current * 2,
    Math.floor(current / 2),
    max,
    max - 1,
    top,
    top - 1,
    rng.next() % (max + 1),
    current + 4,
    current - 4,
  ];
  const v = rng.pick(choices);
  return v < 0 ? (v + max + 1) >>> 0 : v > max ? v % (max + 1) : v;
}

/** Sets the BMP length (and, for a v3 Route Monitoring, its BGP length) to the message size. */
function fixLengths(m: Buffer): void {
  if (m.length >= 6) m.writeUInt32BE(m.length, 1);
  if (m.length >= 67 && m[5] === 0 && isMarker(m, 48)) m.writeUInt16BE(Math.min(0xffff, m.length - 48), 64);
}

type Mutator = (rng: Rng, msgs: Buffer[], corpus: Corpus) => string;

function pickMessage(rng: Rng, msgs: Buffer[]): number {
  return rng.int(msgs.length);
}

function randomCorpusMessage(rng: Rng, corpus: Corpus, type?: number): Buffer {
  if (type !== undefined && rng.chance(0.7)) {
    const same = corpus.ofType.get(type);
    if (same) {
      const [s, i] = rng.pick(same);
      return corpus.streams[s].messages[i];
    }
  }
  const [s, i] = rng.pick(corpus.all);
  return corpus.streams[s].messages[i];
}

const MUTATORS: Array<[weight: number, mutate: Mutator]> = [
  [
    15,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      if (m.length === 0) return `flip nothing in empty m${k}`;
      const n = 1 + rng.int(rng.chance(0.7) ? 2 : 8);
      const at: number[] = [];
      for (let j = 0; j < n; j++) {
        const o = favouredOffset(rng, m.length);
        m[o] ^= 1 << rng.int(8);
        at.push(o);
      }
      return `flip ${n} bit(s) in m${k} @${at.join(',')}`;
    },
  ],
  [
    12,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      if (m.length === 0) return `set nothing in empty m${k}`;
      const n = 1 + rng.int(4);
      const parts: string[] = [];
      for (let j = 0; j < n; j++) {
        const o = favouredOffset(rng, m.length);
        const v = rng.pick(INTERESTING_BYTES);
        m[o] = v;
        parts.push(`${o}=0x${v.toString(16)}`);
      }
      return `set byte(s) in m${k} ${parts.join(',')}`;
    },
  ],
  [
    20,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      const fields = structureFields(m).filter((f) => f.codes === undefined && f.at + f.size <= m.length);
      if (fields.length === 0) return `no length field in m${k}`;
      // The BMP length is one field among many; give it a fair share of its own.
      const f = rng.chance(0.2) ? fields[0] : rng.pick(fields);
      const before = readField(m, f);
      const after = interestingLength(rng, before, f.size);
      writeField(m, f, after);
      return `m${k} ${f.what} @${f.at}: ${before} -> ${after}`;
    },
  ],
  [
    10,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      const fields = structureFields(m).filter((f) => f.codes !== undefined && f.at + f.size <= m.length);
      if (fields.length === 0) return `no type field in m${k}`;
      const f = rng.pick(fields);
      const before = readField(m, f);
      const codes = f.codes as readonly number[];
      const after = rng.chance(0.8) ? rng.pick(codes) : rng.next() % (f.size === 1 ? 0x100 : 0x10000);
      writeField(m, f, after);
      return `m${k} ${f.what} @${f.at}: ${before} -> ${after}`;
    },
  ],
  [
    8,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const length = rng.chance(0.5) ? favouredOffset(rng, msgs[k].length) : rng.int(msgs[k].length + 1);
      msgs[k] = msgs[k].subarray(0, length);
      const fix = rng.chance(0.8);
      if (fix) fixLengths(msgs[k]);
      return `truncate m${k} to ${length}${fix ? ' (lengths fixed)' : ''}`;
    },
  ],
  [
    8,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      const at = favouredOffset(rng, m.length + 1);
      const n = 1 + rng.int(rng.chance(0.5) ? 4 : 32);
      const bytes = rng.chance(0.5) || m.length === 0 ? rng.bytes(n) : m.subarray(rng.int(m.length), m.length).subarray(0, n);
      msgs[k] = Buffer.concat([m.subarray(0, at), bytes, m.subarray(at)]);
      const fix = rng.chance(0.8);
      if (fix) fixLengths(msgs[k]);
      return `insert ${bytes.length} byte(s) in m${k} @${at}${fix ? ' (lengths fixed)' : ''}`;
    },
  ],
  [
    8,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      const at = favouredOffset(rng, m.length);
      const n = Math.min(m.length - at, 1 + rng.int(rng.chance(0.5) ? 4 : 32));
      msgs[k] = Buffer.concat([m.subarray(0, at), m.subarray(at + n)]);
      const fix = rng.chance(0.8);
      if (fix) fixLengths(msgs[k]);
      return `delete ${n} byte(s) of m${k} @${at}${fix ? ' (lengths fixed)' : ''}`;
    },
  ],
  [
    8,
    (rng, msgs, corpus) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      const other = randomCorpusMessage(rng, corpus, m.length >= 6 ? m[5] : undefined);
      const head = favouredOffset(rng, m.length + 1);
      const tail = rng.int(other.length + 1);
      msgs[k] = Buffer.concat([m.subarray(0, head), other.subarray(tail)]);
      const fix = rng.chance(0.8);
      if (fix) fixLengths(msgs[k]);
      return `splice m${k}[0,${head}) + other message[${tail},${other.length})${fix ? ' (lengths fixed)' : ''}`;
    },
  ],
  [
    5,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      if (m.length < 6) return `no header in m${k}`;
      if (rng.chance(0.25)) {
        m[0] = m[0] === 3 ? 4 : 3;
        return `m${k} version -> ${m[0]}`;
      }
      m[5] = rng.chance(0.85) ? rng.pick([0, 1, 2, 3, 4, 5, 6, 100]) : rng.int(256);
      return `m${k} type -> ${m[5]}`;
    },
  ],
  [
    4,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      const m = msgs[k];
      const keep = m.length >= 48 && rng.chance(0.6) ? 48 : Math.min(6, m.length);
      const body = rng.bytes(rng.int(rng.chance(0.8) ? 128 : 1024));
      msgs[k] = Buffer.concat([m.subarray(0, keep), body]);
      fixLengths(msgs[k]);
      return `m${k} body after ${keep} replaced by ${body.length} random byte(s)`;
    },
  ],
  [
    3,
    (rng, msgs) => {
      const k = pickMessage(rng, msgs);
      msgs.splice(k, 0, Buffer.from(msgs[k]));
      return `duplicate m${k}`;
    },
  ],
  [
    3,
    (rng, msgs) => {
      if (msgs.length < 2) return 'drop nothing';
      const k = pickMessage(rng, msgs);
      msgs.splice(k, 1);
      return `drop m${k}`;
    },
  ],
  [
    2,
    (rng, msgs) => {
      const a = pickMessage(rng, msgs);
      const b = pickMessage(rng, msgs);
      [msgs[a], msgs[b]] = [msgs[b], msgs[a]];
      return `swap m${a} m${b}`;
    },
  ],
  [
    3,
    (rng, msgs, corpus) => {
      const at = rng.int(msgs.length + 1);
      msgs.splice(at, 0, Buffer.from(randomCorpusMessage(rng, corpus)));
      return `insert another capture's message at m${at}`;
    },
  ],
];

const MUTATOR_WEIGHT = MUTATORS.reduce((sum, [w]) => sum + w, 0);

function mutate(rng: Rng, msgs: Buffer[], corpus: Corpus): string {
  let r = rng.int(MUTATOR_WEIGHT);
  for (const [w, fn] of MUTATORS) {
    if (r < w) return fn(rng, msgs, corpus);
    r -= w;
  }
  return MUTATORS[0][1](rng, msgs, corpus);
}

/** Picks the seed messages: a run of consecutive messages of one session, maybe with its Peer Up. */
function seedMessages(rng: Rng, corpus: Corpus): { msgs: Buffer[]; origin: string } {
  let s: number;
  let i: number;
  if (rng.chance(0.5)) [s, i] = rng.pick(corpus.all);
  else [s, i] = rng.pick(rng.pick(corpus.byType));
  const stream = corpus.streams[s];
  const count = Math.min(stream.messages.length - i, 1 + (rng.chance(0.6) ? rng.int(3) : rng.int(8)));
  const msgs = stream.messages.slice(i, i + count).map((m) => Buffer.from(m));
  let origin = `${stream.file}#${stream.streamIndex} m${i}+${count}`;
  const peerUp = stream.peerUpBefore[i];
  if (peerUp >= 0 && rng.chance(0.75)) {
    msgs.unshift(Buffer.from(stream.messages[peerUp]));
    origin += ` (Peer Up m${peerUp} first)`;
  }
  return { msgs, origin };
}

function chunkCuts(rng: Rng, length: number): { cuts: number[]; text: string } {
  if (length < 2 || rng.chance(0.3)) return { cuts: [], text: 'one chunk' };
  if (length <= 4096 && rng.chance(0.15)) {
    const size = 1 + rng.int(7);
    const cuts: number[] = [];
    for (let c = size; c < length; c += size) cuts.push(c);
    return { cuts, text: `chunks of ${size}` };
  }
  const set = new Set<number>();
  const n = 1 + rng.int(8);
  for (let j = 0; j < n; j++) set.add(1 + rng.int(length - 1));
  const cuts = [...set].sort((a, b) => a - b);
  return { cuts, text: `cut @${cuts.join(',')}` };
}

/** Input `iteration` of the run seeded with `seed` (a pure function of the two and the corpus). */
export function generateInput(corpus: Corpus, seed: number, iteration: number): FuzzInput {
  const rng = new Rng(inputSeed(seed, iteration));
  let bytes: Buffer;
  let description: string;
  if (rng.chance(0.02)) {
    // Fully random bytes; half of them behind a plausible common header.
    bytes = rng.bytes(rng.int(600));
    if (bytes.length >= 6 && rng.chance(0.5)) {
      bytes[0] = rng.chance(0.5) ? 3 : 4;
      bytes.writeUInt32BE(bytes.length, 1);
    }
    description = `random ${bytes.length} byte(s)`;
  } else {
    const { msgs, origin } = seedMessages(rng, corpus);
    const ops: string[] = [];
    if (!rng.chance(0.01)) {
      const n = rng.chance(0.5) ? 1 : 2 + rng.int(rng.chance(0.8) ? 3 : 8);
      for (let j = 0; j < n && msgs.length > 0; j++) ops.push(mutate(rng, msgs, corpus));
    }
    bytes = Buffer.concat(msgs);
    if (rng.chance(0.05)) {
      const at = rng.int(bytes.length + 1);
      bytes = bytes.subarray(0, at);
      ops.push(`stream cut at ${at}`);
    }
    if (rng.chance(0.03)) {
      const at = rng.int(bytes.length + 1);
      const junk = rng.bytes(1 + rng.int(16));
      bytes = Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]);
      ops.push(`${junk.length} junk byte(s) in the stream @${at}`);
    }
    description = `${origin}: ${ops.length > 0 ? ops.join('; ') : 'unmutated'}`;
  }
  const { cuts, text } = chunkCuts(rng, bytes.length);
  return { seed, iteration, bytes, cuts, description: `${description}; ${text}` };
}

// ---------------------------------------------------------------------------------- targets --

/** A finding: what failed, where, with which error. */
export class FuzzCrash extends Error {
  constructor(
    readonly where: string,
    readonly error: unknown,
  ) {
    super(`${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

/** One decoding session (one TCP connection's worth of messages). */
export interface TargetSession {
  /** Decodes one framed message; throws FuzzCrash (or anything else) on a finding. */
  message(bytes: Buffer, streamOffset: number): void;
  /** The framer lost framing (or the stream ended inside a message). */
  framingError(error: FramingError, pending: Buffer): void;
}

export interface DecodeTarget {
  name: string;
  session(): TargetSession;
}

/** Runs `fn`; a CodecError is an accepted outcome (undefined), anything else a crash at `where`. */
function guarded<T>(where: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw new FuzzCrash(where, e);
  }
}

/**
 * The codec used by hand: decodeBmpMessage, then the BGP PDUs of Route Monitoring, Peer Up, Peer
 * Down and Route Mirroring through decodeBgpMessage with the options of the peer's Peer Up OPENs
 * when they decoded, and through decodeBgpMessageHeuristic otherwise (and as the fallback the
 * pipeline uses when the known options do not decode).
 */
export function codecTarget(): DecodeTarget {
  return {
    name: 'codec',
    session(): TargetSession {
      const opens = new Map<string, { sent: OpenMessage; received: OpenMessage }>();
      const key = (p: PerPeerHeader): string => (p.peerType === 3 ? `3|${p.peerDistinguisher}|${p.peerBgpId}` : `${p.peerType}|${p.peerDistinguisher}|${p.peerAddress}`);
      const optionsFor = (p: PerPeerHeader): BgpDecodeOptions | null => {
        const o = opens.get(key(p));
        if (!o) return null;
        const view = p.peerType === 3 ? 'loc_rib' : p.adjRibOut ? 'adj_rib_out' : 'adj_rib_in';
        return guarded('decodeOptionsFromOpens', () => decodeOptionsFromOpens(o.sent, o.received, view)) ?? null;
      };
      const bgp = (pdu: Buffer, options: BgpDecodeOptions | null): void => {
        if (options !== null) guarded('decodeBgpMessage', () => decodeBgpMessage(pdu, options));
        guarded('decodeBgpMessageHeuristic', () => decodeBgpMessageHeuristic(pdu, options));
      };
      return {
        message(bytes: Buffer): void {
          const m = guarded('decodeBmpMessage', () => decodeBmpMessage(bytes));
          if (m === undefined) return;
          switch (m.type) {
            case 'route_monitoring':
              bgp(m.pdu, optionsFor(m.peer));
              break;
            case 'route_mirroring':
              if (m.bgpMessage !== null) bgp(m.bgpMessage, optionsFor(m.peer));
              break;
            case 'peer_down':
              opens.delete(key(m.peer));
              if (m.notification !== null) guarded('decodeBgpMessage', () => decodeBgpMessage(m.notification as Buffer, DEFAULT_DECODE_OPTIONS));
              break;
            case 'peer_up': {
              const sent: BgpMessage | undefined = guarded('decodeBgpMessage', () => decodeBgpMessage(m.sentOpen, DEFAULT_DECODE_OPTIONS));
              const received: BgpMessage | undefined = guarded('decodeBgpMessage', () => decodeBgpMessage(m.receivedOpen, DEFAULT_DECODE_OPTIONS));
              if (sent?.type === 'open' && received?.type === 'open') opens.set(key(m.peer), { sent, received });
              else opens.delete(key(m.peer));
              break;
            }
            case 'termination':
              opens.clear();
              break;
          }
        },
        framingError(): void {
          // A typed result: nothing to decode after it.
        },
      };
    },
  };
}

/**
 * ─── PLUG-IN POINT: the pipeline's session decoder ───────────────────────────────────────────
 * services/events/session-decoder.ts (BmpSessionDecoder) is what the collector runs per router
 * session; when it loads, it is fuzzed (its contract: decode() never throws, a failure becomes an
 * error event, and anything but a CodecError becomes an "internal decoder error" event). This is
 * the only place that knows about it; if it does not load, null is returned and the hand-made
 * codec chain above is used alone.
 */
export async function sessionDecoderTarget(): Promise<DecodeTarget | null> {
  let mod: typeof import('../../services/events/session-decoder.js');
  try {
    mod = await import('../../services/events/session-decoder.js');
  } catch {
    return null;
  }
  if (typeof mod.BmpSessionDecoder !== 'function') return null;
  const { BmpSessionDecoder } = mod;
  return {
    name: 'session-decoder',
    session(): TargetSession {
      const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.254' });
      let internal: string | null = null;
      const sink = (topic: string, event: unknown): void => {
        if (topic !== 'errors') return;
        const reason = (event as { reason?: unknown }).reason;
        if (typeof reason === 'string' && reason.startsWith('internal decoder error') && internal === null) internal = reason;
      };
      const check = (where: string): void => {
        if (internal !== null) {
          const reason = internal;
          internal = null;
          throw new FuzzCrash(where, new Error(reason));
        }
      };
      return {
        message(bytes: Buffer, streamOffset: number): void {
          try {
            decoder.decode(bytes, streamOffset, sink);
          } catch (e) {
            throw new FuzzCrash('BmpSessionDecoder.decode threw', e);
          }
          check('BmpSessionDecoder.decode');
        },
        framingError(error: FramingError, pending: Buffer): void {
          try {
            decoder.framingError(error, pending, sink);
          } catch (e) {
            throw new FuzzCrash('BmpSessionDecoder.framingError threw', e);
          }
          check('BmpSessionDecoder.framingError');
        },
      };
    },
  };
}

/** Several targets fed the same messages (each with its own session state). */
export function combinedTarget(targets: DecodeTarget[]): DecodeTarget {
  if (targets.length === 1) return targets[0];
  return {
    name: targets.map((t) => t.name).join('+'),
    session(): TargetSession {
      const sessions = targets.map((t) => t.session());
      return {
        message(bytes, offset): void {
          for (const s of sessions) s.message(bytes, offset);
        },
        framingError(error, pending): void {
          for (const s of sessions) s.framingError(error, pending);
        },
      };
    },
  };
}

export type TargetChoice = 'auto' | 'session' | 'codec' | 'both';

/**
 * The target for a choice: 'auto' (= 'both') runs the codec chain and the session decoder when
 * the session decoder loads, the codec chain alone when it does not; 'session' and 'codec' run one.
 */
export async function makeTarget(choice: TargetChoice = 'auto'): Promise<DecodeTarget> {
  if (choice === 'codec') return codecTarget();
  const session = await sessionDecoderTarget();
  if (session === null) {
    if (choice === 'session' || choice === 'both') throw new Error('services/events/session-decoder.ts did not load');
    return codecTarget();
  }
  // The codec chain first: a codec bug then surfaces with its own stack rather than as the
  // session decoder's "internal decoder error" text.
  return choice === 'session' ? session : combinedTarget([codecTarget(), session]);
}

// ------------------------------------------------------------------------------- execution --

/** Largest message the fuzz framer accepts (also the bound checked on its buffered bytes). */
export const FUZZ_MAX_MESSAGE_SIZE = 256 * 1024;

export interface InputResult {
  /** The finding, or null. */
  crash: FuzzCrash | null;
  ms: number;
  messages: number;
}

/** Frames the input (with its chunking) and feeds every message to a fresh session of `target`. */
export function runInput(target: DecodeTarget, input: FuzzInput, maxMessageSize = FUZZ_MAX_MESSAGE_SIZE): InputResult {
  const started = performance.now();
  let messages = 0;
  let crash: FuzzCrash | null = null;
  try {
    const session = target.session();
    const framer = new BmpFramer({ maxMessageSize });
    const stream = input.bytes;
    const drain = (): void => {
      for (let r = framer.next(); r !== null; r = framer.next()) {
        if (r.kind === 'error') {
          session.framingError(r, stream.subarray(Math.min(r.offset, stream.length)));
          continue;
        }
        if (r.bytes.length !== r.length || r.length > maxMessageSize || r.length < 6) {
          throw new FuzzCrash('BmpFramer', new Error(`framed message of ${r.bytes.length} bytes, header length ${r.length}, maximum ${maxMessageSize}`));
        }
        messages++;
        session.message(r.bytes, r.offset);
      }
      if (framer.bufferedBytes > maxMessageSize) {
        throw new FuzzCrash('BmpFramer', new Error(`holds ${framer.bufferedBytes} bytes after handing out every whole message (maximum message size ${maxMessageSize})`));
      }
    };
    let previous = 0;
    for (const cut of input.cuts) {
      framer.push(stream.subarray(previous, cut));
      previous = cut;
      drain();
    }
    framer.push(stream.subarray(previous));
    drain();
    const end = framer.end();
    if (end !== null) session.framingError(end, stream.subarray(Math.min(end.offset, stream.length)));
  } catch (e) {
    crash = e instanceof FuzzCrash ? e : new FuzzCrash('harness', e);
  }
  return { crash, ms: performance.now() - started, messages };
}

export interface FuzzFinding {
  kind: 'crash' | 'hang';
  seed: number;
  iteration: number;
  description: string;
  /** "where: Error: message" */
  error: string;
  stack: string;
  ms: number;
  bytes: Buffer;
  cuts: number[];
}

export interface FuzzStats {
  inputs: number;
  messages: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
  slowestInput: string;
}

export function emptyStats(): FuzzStats {
  return { inputs: 0, messages: 0, crashes: 0, hangs: 0, slowestMs: 0, slowestInput: '' };
}

export interface FuzzLoopOptions {
  corpus: Corpus;
  target: DecodeTarget;
  seed: number;
  /** First iteration (default 0) and how many. */
  start?: number;
  iterations: number;
  /** An input slower than this is a hang (default 1000 ms). */
  hangMs?: number;
  /** Called for each crash and hang, as found. */
  onFinding?: (finding: FuzzFinding) => void;
  /** Called before each input (the worker publishes the iteration for its watchdog). */
  onInput?: (iteration: number) => void;
  /** Called about every `progressMs` with the running totals. */
  onProgress?: (stats: FuzzStats) => void;
  progressMs?: number;
}

export function findingOf(kind: FuzzFinding['kind'], input: FuzzInput, error: string, stack: string, ms: number): FuzzFinding {
  return { kind, seed: input.seed, iteration: input.iteration, description: input.description, error, stack, ms, bytes: input.bytes, cuts: input.cuts };
}

/** Runs `iterations` inputs in this thread; returns the totals. */
export function fuzzLoop(options: FuzzLoopOptions): FuzzStats {
  const stats = emptyStats();
  const hangMs = options.hangMs ?? 1000;
  const start = options.start ?? 0;
  const progressMs = options.progressMs ?? 1000;
  let lastProgress = performance.now();
  for (let iteration = start; iteration < start + options.iterations; iteration++) {
    options.onInput?.(iteration);
    const input = generateInput(options.corpus, options.seed, iteration);
    const result = runInput(options.target, input);
    stats.inputs++;
    stats.messages += result.messages;
    if (result.ms > stats.slowestMs) {
      stats.slowestMs = result.ms;
      stats.slowestInput = `seed ${input.seed} iteration ${iteration}: ${input.description}`;
    }
    if (result.crash !== null) {
      stats.crashes++;
      const error = result.crash.error;
      options.onFinding?.(findingOf('crash', input, result.crash.message, error instanceof Error ? (error.stack ?? '') : '', result.ms));
    } else if (result.ms > hangMs) {
      // Confirmed by a second run, so that a GC pause or a busy machine is not reported.
      const again = runInput(options.target, input).ms;
      if (again > hangMs) {
        stats.hangs++;
        options.onFinding?.(findingOf('hang', input, `input took ${result.ms.toFixed(0)} ms, then ${again.toFixed(0)} ms again (limit ${hangMs} ms)`, '', result.ms));
      }
    }
    if (options.onProgress !== undefined && performance.now() - lastProgress >= progressMs) {
      lastProgress = performance.now();
      options.onProgress(stats);
    }
  }
  return stats;
}

/** One-line text of a finding, with what reproduces it. */
export function describeFinding(f: FuzzFinding): string {
  return `${f.kind} at seed ${f.seed} iteration ${f.iteration} (reproduce: npm run fuzz -- --seed ${f.seed} --start ${f.iteration} --iterations 1): ${f.error}\n  input: ${f.description}`;
}
