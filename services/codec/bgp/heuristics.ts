/**
 * Guessing the session context when it is unknown (no Peer Up seen, e.g. a collector restarted
 * mid-session, or a Loc-RIB instance that never sends one) or when the known context does not
 * decode the message (senders that re-encode inconsistently, docs/bmp-protocol.md §5.1, §5.3).
 *
 * AS number width (AS_PATH and AGGREGATOR), RFC 6793:
 * 1. Parse AS_PATH with 4-octet and with 2-octet ASNs; a parse is valid when every segment has a
 *    known type and a non-zero count and the segments consume the attribute exactly. If exactly
 *    one width is valid, take it ('unambiguous').
 * 2. Otherwise (both or neither): an AGGREGATOR of 8 octets means 4, of 6 means 2 ('aggregator');
 *    else an AS4_PATH means the sender used 2-octet ASNs (RFC 6793 §4.2.2: only 2-octet speakers
 *    send it) ('as4_path'); else 4 ('default'), the modern case.
 * When the UPDATE has neither AS path segments nor AGGREGATOR the width does not matter and is
 * not reported as guessed.
 *
 * ADD-PATH, per family with decodable NLRI (RFC 7911 §3):
 * 1. Parse every NLRI block of the family (Withdrawn Routes and NLRI fields for IPv4 unicast,
 *    MP_REACH / MP_UNREACH NLRI) without and with path identifiers. A parse is valid when every
 *    entry has a legal length and the entries consume each block exactly.
 * 2. If exactly one parse is valid, take it ('unambiguous').
 * 3. If both are: path identifiers are mostly small numbers whose leading zero octets read as /0
 *    prefixes without ADD-PATH, so a no-ADD-PATH parse that lists the same prefix twice in one
 *    block while the ADD-PATH parse does not is taken as ADD-PATH ('plausibility'); otherwise
 *    prefer no ADD-PATH ('default'), as the brief of this codec asks for ambiguity.
 * 4. If neither is valid: no ADD-PATH ('default'); decoding then reports the malformed NLRI.
 */
import { CodecError } from '../errors.js';
import { asPathParses } from './attributes/as-path.js';
import { BGP_HEADER_LENGTH, MessageType } from './header.js';
import { decodeBgpMessage, type BgpMessage } from './message.js';
import { nlriEncoding } from './nlri/families.js';
import { decodeNlri } from './nlri/index.js';
import type { Attributes } from './attributes/index.js';
import { decodeUpdateRoutes, type UpdateRoutes } from './update.js';
import type { Route } from './nlri/route.js';
import { type BgpDecodeOptions, familyKey, makeDecodeOptions } from './options.js';

export type GuessBasis = 'unambiguous' | 'aggregator' | 'as4_path' | 'plausibility' | 'default';

export interface AddPathGuess {
  afi: number;
  safi: number;
  addPath: boolean;
  basis: GuessBasis;
}

export interface DecodeGuess {
  fourOctetAs: boolean;
  /** How the width was chosen; null when nothing in the message depends on it. */
  fourOctetAsBasis: GuessBasis | null;
  /** One entry per family whose NLRI were examined. */
  addPath: AddPathGuess[];
}

export interface GuessResult {
  options: BgpDecodeOptions;
  /** True when some setting that matters for this message had to be inferred. */
  heuristic: boolean;
  guess: DecodeGuess;
}

interface Range {
  start: number;
  end: number;
  withdraw: boolean;
}

interface Scan {
  ranges: Map<number, { afi: number; safi: number; ranges: Range[] }>;
  asPath: Range | null;
  aggregatorLength: number | null;
  hasAs4Path: boolean;
}

/** Finds the parts of an UPDATE whose decoding depends on the options; null if framing is broken. */
function scanUpdate(buf: Buffer): Scan | null {
  if (buf.length < 23 || buf[18] !== MessageType.UPDATE) return null;
  const end = Math.min(buf.length, (buf[16] << 8) | buf[17]);
  let pos = BGP_HEADER_LENGTH;
  const wLen = (buf[pos] << 8) | buf[pos + 1];
  const wStart = pos + 2;
  const wEnd = wStart + wLen;
  if (wEnd + 2 > end) return null;
  const aLen = (buf[wEnd] << 8) | buf[wEnd + 1];
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) return null;
  const scan: Scan = { ranges: new Map(), asPath: null, aggregatorLength: null, hasAs4Path: false };
  const add = (afi: number, safi: number, start: number, stop: number, withdraw: boolean): void => {
    if (stop <= start || nlriEncoding(afi, safi) === 'raw') return;
    const key = familyKey(afi, safi);
    let f = scan.ranges.get(key);
    if (f === undefined) scan.ranges.set(key, (f = { afi, safi, ranges: [] }));
    f.ranges.push({ start, end: stop, withdraw });
  };
  add(1, 1, wStart, wEnd, true);
  add(1, 1, aEnd, end, false);
  pos = aStart;
  while (pos < aEnd) {
    if (aEnd - pos < 3) return null;
    const flags = buf[pos];
    const code = buf[pos + 1];
    const ext = (flags & 0x10) !== 0;
    if (ext && aEnd - pos < 4) return null;
    const len = ext ? (buf[pos + 2] << 8) | buf[pos + 3] : buf[pos + 2];
    const vs = pos + (ext ? 4 : 3);
    const ve = vs + len;
    if (ve > aEnd) return null;
    if (code === 2 && scan.asPath === null) scan.asPath = { start: vs, end: ve, withdraw: false };
    else if (code === 7 && scan.aggregatorLength === null) scan.aggregatorLength = len;
    else if (code === 17) scan.hasAs4Path = true;
    else if (code === 14 && len >= 5) {
      const nh = buf[vs + 3];
      if (vs + 5 + nh <= ve) add((buf[vs] << 8) | buf[vs + 1], buf[vs + 2], vs + 5 + nh, ve, false);
    } else if (code === 15 && len >= 3) {
      add((buf[vs] << 8) | buf[vs + 1], buf[vs + 2], vs + 3, ve, true);
    }
    pos = ve;
  }
  return scan;
}

function parseAll(buf: Buffer, afi: number, safi: number, ranges: Range[], addPath: boolean): Route[][] | null {
  const out: Route[][] = [];
  try {
    for (const r of ranges) {
      out.push(decodeNlri(buf, r.start, r.end, afi, safi, addPath, r.withdraw));
    }
  } catch (e) {
    if (e instanceof CodecError) return null;
    throw e;
  }
  return out;
}

function hasDuplicates(blocks: Route[][]): boolean {
  for (const routes of blocks) {
    const keys = new Set<string>();
    for (const r of routes) {
      // Link-State and SR Policy routes have a canonical text in `prefix` too.
      const key = r.kind === 'raw' ? '' : `${r.pathId}|${r.kind === 'sr_policy' ? '' : (r.rd ?? '')}|${r.prefix}`;
      if (keys.has(key)) return true;
      keys.add(key);
    }
  }
  return false;
}

function guessAddPath(buf: Buffer, afi: number, safi: number, ranges: Range[]): AddPathGuess {
  const without = parseAll(buf, afi, safi, ranges, false);
  const withIds = parseAll(buf, afi, safi, ranges, true);
  if (without !== null && withIds === null) return { afi, safi, addPath: false, basis: 'unambiguous' };
  if (withIds !== null && without === null) return { afi, safi, addPath: true, basis: 'unambiguous' };
  if (without !== null && withIds !== null && hasDuplicates(without) && !hasDuplicates(withIds)) {
    return { afi, safi, addPath: true, basis: 'plausibility' };
  }
  return { afi, safi, addPath: false, basis: 'default' };
}

function guessWidth(buf: Buffer, scan: Scan): { fourOctetAs: boolean; basis: GuessBasis | null } {
  const path = scan.asPath;
  const hasSegments = path !== null && path.end > path.start;
  if (!hasSegments && scan.aggregatorLength === null) return { fourOctetAs: true, basis: null };
  if (hasSegments) {
    const v4 = asPathParses(buf, path.start, path.end, 4);
    const v2 = asPathParses(buf, path.start, path.end, 2);
    if (v4 !== v2) return { fourOctetAs: v4, basis: 'unambiguous' };
  }
  if (scan.aggregatorLength === 8) return { fourOctetAs: true, basis: 'aggregator' };
  if (scan.aggregatorLength === 6) return { fourOctetAs: false, basis: 'aggregator' };
  if (scan.hasAs4Path) return { fourOctetAs: false, basis: 'as4_path' };
  return { fourOctetAs: true, basis: 'default' };
}

/**
 * Guesses decode options for one whole BGP message. Never throws; messages other than UPDATE,
 * and UPDATEs whose framing is broken, get the default options with heuristic false.
 */
export function guessDecodeOptions(buf: Buffer): GuessResult {
  const scan = buf.length >= 23 ? scanUpdate(buf) : null;
  if (scan === null) {
    return { options: makeDecodeOptions(true), heuristic: false, guess: { fourOctetAs: true, fourOctetAsBasis: null, addPath: [] } };
  }
  const width = guessWidth(buf, scan);
  const addPath: AddPathGuess[] = [];
  for (const f of scan.ranges.values()) addPath.push(guessAddPath(buf, f.afi, f.safi, f.ranges));
  const options = makeDecodeOptions(
    width.fourOctetAs,
    addPath.filter((g) => g.addPath),
  );
  return {
    options,
    heuristic: width.basis !== null || addPath.length > 0,
    guess: { fourOctetAs: width.fourOctetAs, fourOctetAsBasis: width.basis, addPath },
  };
}

export interface HeuristicDecodeResult {
  message: BgpMessage;
  /** The options the message was decoded with. */
  options: BgpDecodeOptions;
  /** True when guessed options were used (instead of, or in place of failing, known ones). */
  heuristic: boolean;
  /** What was guessed, or null when the known options were used. */
  guess: DecodeGuess | null;
}

/** Malformed AS_PATH / AGGREGATOR / MP_REACH / MP_UNREACH: the attributes whose decoding depends on the options. */
function optionSensitiveErrors(msg: BgpMessage): number {
  // attributes.raw holds every raw attribute of the list (collectAttributes): none, nothing to count.
  if (msg.type !== 'update' || msg.attributes.raw.length === 0) return 0;
  let n = 0;
  for (const a of msg.attributeList) {
    if (a.kind !== 'raw' || a.error === null) continue;
    if (a.code !== 2 && a.code !== 7 && a.code !== 14 && a.code !== 15) continue;
    // A repeated attribute is raw regardless of options; only count the first occurrence.
    if (msg.attributeList.some((b) => b.code === a.code && b.kind !== 'raw')) continue;
    n++;
  }
  return n;
}

/**
 * The common case of decodeBgpMessageHeuristic(buf.subarray(start, end), known), read in place:
 * the BGP message at [start, end) of `buf` is an UPDATE whose header (marker, length = end -
 * start) is sound and which decodes with the `known` options without an exception and without
 * option-sensitive attribute errors. Then the result holds what the UpdateMessage of that call
 * (heuristic false) holds, read by decodeUpdateRoutes (no attribute list), without the PDU view
 * and the result object; otherwise null, and the caller takes the general path, which also
 * reports errors with offsets relative to the PDU (here they would be relative to `buf`). For the
 * session decoder's hot path.
 */
export function decodeUpdateWithKnownOptions(buf: Buffer, start: number, end: number, known: BgpDecodeOptions): UpdateRoutes | null {
  if (!isUpdateMessage(buf, start, end)) return null;
  let update: UpdateRoutes;
  try {
    update = decodeUpdateRoutes(buf, start + BGP_HEADER_LENGTH, end, known);
  } catch {
    return null;
  }
  return hasOptionSensitiveErrors(update.attributes) ? null : update;
}

/**
 * True when [start, end) of `buf` is a BGP UPDATE whose header decodeBgpMessage accepts for a
 * buffer of exactly that message: marker all ones, length end - start, type 2. Its body is then
 * [start + BGP_HEADER_LENGTH, end).
 */
export function isUpdateMessage(buf: Buffer, start: number, end: number): boolean {
  if (end - start < BGP_HEADER_LENGTH || buf[start + 18] !== MessageType.UPDATE || ((buf[start + 16] << 8) | buf[start + 17]) !== end - start) return false;
  let marker = 0xff;
  for (let i = start; i < start + 16; i++) marker &= buf[i];
  return marker === 0xff;
}

/**
 * optionSensitiveErrors(msg) > 0, read from the collected attributes of a decoded UPDATE: a raw
 * AS_PATH / AGGREGATOR / MP_REACH / MP_UNREACH with an error counts unless an attribute of that
 * code was decoded (then the raw one is a repetition), and an attribute of the code was decoded
 * exactly when its field of Attributes is set.
 */
function hasOptionSensitiveErrors(a: Attributes): boolean {
  for (const r of a.raw) {
    if (r.error === null) continue;
    const code = r.code;
    if (
      (code === 2 && a.wireAsPath === null) ||
      (code === 7 && a.wireAggregator === null) ||
      (code === 14 && a.mpReach === null) ||
      (code === 15 && a.mpUnreach === null)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Decodes with `known` options when given, falling back to guessed options when those fail (a
 * CodecError, or AS_PATH / AGGREGATOR / MP_REACH / MP_UNREACH left malformed) and the guess does
 * better; without `known`, decodes with guessed options. Throws CodecError when nothing decodes.
 */
export function decodeBgpMessageHeuristic(buf: Buffer, known?: BgpDecodeOptions | null): HeuristicDecodeResult {
  if (known === undefined || known === null) {
    const g = guessDecodeOptions(buf);
    return { message: decodeBgpMessage(buf, g.options), options: g.options, heuristic: g.heuristic, guess: g.guess };
  }
  let first: BgpMessage | null = null;
  let firstError: CodecError | null = null;
  try {
    first = decodeBgpMessage(buf, known);
    if (optionSensitiveErrors(first) === 0) return { message: first, options: known, heuristic: false, guess: null };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    firstError = e;
  }
  const g = guessDecodeOptions(buf);
  try {
    const second = decodeBgpMessage(buf, g.options);
    if (first === null || optionSensitiveErrors(second) < optionSensitiveErrors(first)) {
      return { message: second, options: g.options, heuristic: true, guess: g.guess };
    }
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
  }
  if (first !== null) return { message: first, options: known, heuristic: false, guess: null };
  throw firstError as CodecError;
}
