/**
 * AS_PATH, type 2 (RFC 4271 §4.3 b, §5.1.2), and AS4_PATH, type 17 (RFC 6793 §3), plus the
 * reconstruction of the real path from the two (RFC 6793 §4.2.3).
 *
 * Value: segments of Type (1) + Count (1, number of ASNs, not octets) + ASNs of 2 or 4 octets.
 * AS_PATH uses 2 octets per ASN unless both speakers have 4-octet AS support (or the BMP speaker
 * re-encoded it, docs/bmp-protocol.md §5.1); AS4_PATH always uses 4.
 */
import { CodecError } from '../../errors.js';
import type { ByteWriter } from '../writer.js';
import { encodeError } from '../writer.js';
import { u32 } from '../bytes.js';

/** 1 AS_SET, 2 AS_SEQUENCE (RFC 4271 §4.3); 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET (RFC 5065 §3). */
export type AsPathSegmentType = 'set' | 'sequence' | 'confed_sequence' | 'confed_set';

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

/** AS_TRANS (RFC 6793 §9): stands in for a 4-octet ASN in 2-octet fields. */
export const AS_TRANS = 23456;

/** Segment type by its code (RFC 4271 §4.3: 1 AS_SET, 2 AS_SEQUENCE; RFC 5065 §3: 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET); null: not a type. */
export const AS_PATH_SEGMENT_TYPES: readonly (AsPathSegmentType | null)[] = [null, 'set', 'sequence', 'confed_sequence', 'confed_set'];
const SEGMENT_TYPES = AS_PATH_SEGMENT_TYPES;
const SEGMENT_CODES: Record<AsPathSegmentType, number> = { set: 1, sequence: 2, confed_sequence: 3, confed_set: 4 };

/**
 * Decodes segments with `asSize`-octet ASNs. `as4` applies RFC 6793 §6's AS4_PATH rules: an empty
 * attribute or a zero segment count is malformed. (For AS_PATH a zero count is kept: it is
 * representable, and dropping the attribute would lose the rest of the path.)
 */
export function decodeAsPath(buf: Buffer, start: number, end: number, asSize: 2 | 4, as4 = false): AsPathSegment[] {
  const what = as4 ? 'AS4_PATH' : 'AS_PATH';
  if (as4 && end === start) throw new CodecError('AS4_PATH is empty (RFC 6793 §6)', start);
  const segments: AsPathSegment[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 2) throw new CodecError(`${what} segment header needs 2 bytes, only ${end - pos} left`, pos);
    const type = SEGMENT_TYPES[buf[pos]] ?? null;
    if (type === null) throw new CodecError(`${what} segment type ${buf[pos]} is unknown (1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET)`, pos);
    const count = buf[pos + 1];
    if (as4 && count === 0) throw new CodecError('AS4_PATH segment length 0 (RFC 6793 §6)', pos);
    const left = end - pos - 2;
    if (count * asSize > left) throw new CodecError(`${what} segment length ${count} exceeds attribute (${left} bytes left)`, pos);
    pos += 2;
    // Allocated at its exact size: an array grown by push starts with room for 16 elements, and
    // on a table dump those spare slots (and the same for `segments`, most often one segment)
    // were a tenth of the decoder's allocation. Every element is written, so there are no holes
    // to see, though V8 marks the array holey.
    const asns: number[] = new Array<number>(count);
    if (asSize === 4) {
      for (let i = 0; i < count; i++, pos += 4) asns[i] = u32(buf, pos);
    } else {
      for (let i = 0; i < count; i++, pos += 2) asns[i] = (buf[pos] << 8) | buf[pos + 1];
    }
    // The usual path, a single AS_SEQUENCE: a one-element array.
    if (pos === end && segments.length === 0) return [{ type, asns }];
    segments.push({ type, asns });
  }
  return segments;
}

/** True when the bytes parse as an AS path with `asSize`-octet ASNs (used by the heuristics). */
export function asPathParses(buf: Buffer, start: number, end: number, asSize: 2 | 4): boolean {
  let pos = start;
  while (pos < end) {
    if (end - pos < 2) return false;
    const t = buf[pos];
    const count = buf[pos + 1];
    // A zero count is legal but useless; treating it as invalid here makes the width test sharper.
    if (t < 1 || t > 4 || count === 0) return false;
    pos += 2 + count * asSize;
  }
  return pos === end;
}

export function encodeAsPath(w: ByteWriter, segments: readonly AsPathSegment[], asSize: 2 | 4, what = 'AS_PATH'): void {
  for (const seg of segments) {
    const code = SEGMENT_CODES[seg.type];
    if (code === undefined) encodeError(`${what} segment type "${String(seg.type)}" is unknown`);
    if (seg.asns.length > 255) encodeError(`${what} segment of ${seg.asns.length} ASNs exceeds 255; split it`);
    w.u8(code, `${what} segment type`);
    w.u8(seg.asns.length, `${what} segment length`);
    for (const asn of seg.asns) {
      if (asSize === 2) {
        if (asn > 0xffff) encodeError(`${what}: ASN ${asn} does not fit in 2 octets (use AS_TRANS ${AS_TRANS} and AS4_PATH, RFC 6793 §4.2.2)`);
        w.u16(asn, `${what} ASN`);
      } else {
        w.u32(asn, `${what} ASN`);
      }
    }
  }
}

/**
 * Path length as used for route selection (RFC 4271 §9.1.2.2 a; RFC 5065 §5.3): each ASN of an
 * AS_SEQUENCE counts 1, an AS_SET counts 1 whatever its size, confederation segments count 0.
 * This is the count RFC 6793 §4.2.3 compares.
 */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'sequence') n += s.asns.length;
    else if (s.type === 'set') n += 1;
  }
  return n;
}

function isConfed(s: AsPathSegment): boolean {
  return s.type === 'confed_sequence' || s.type === 'confed_set';
}

/**
 * Rebuilds the real AS path from AS_PATH (2-octet, with AS_TRANS placeholders) and AS4_PATH,
 * RFC 6793 §4.2.3:
 * - confederation segments inside AS4_PATH are dropped first (RFC 6793 §6: they must not be
 *   there);
 * - if AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored;
 * - otherwise the leading (len(AS_PATH) - len(AS4_PATH)) ASNs of AS_PATH, with their segment
 *   types, are put in front of AS4_PATH. Leading confederation segments of AS_PATH (count 0) are
 *   carried along when they come first or directly follow a carried segment.
 * The AGGREGATOR precondition (AS4_* ignored when AGGREGATOR holds a real ASN) is the caller's.
 * Inputs are not modified.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const as4 = as4Path.filter((s) => !isConfed(s));
  const n2 = asPathLength(asPath);
  const n4 = asPathLength(as4);
  if (n2 < n4) return asPath.slice();
  let need = n2 - n4;
  const out: AsPathSegment[] = [];
  let prevCarried = false;
  for (let i = 0; i < asPath.length; i++) {
    const seg = asPath[i];
    if (isConfed(seg)) {
      if (i === 0 || prevCarried) {
        out.push(seg);
        prevCarried = true;
        continue;
      }
      break;
    }
    if (need === 0) break;
    if (seg.type === 'set') {
      out.push(seg);
      need -= 1;
    } else {
      const take = Math.min(need, seg.asns.length);
      out.push(take === seg.asns.length ? seg : { type: 'sequence', asns: seg.asns.slice(0, take) });
      need -= take;
    }
    prevCarried = true;
  }
  // Join the carried head and the AS4_PATH tail into one sequence where they meet, so the result
  // reads as the path the 4-octet speakers built.
  let k = 0;
  const last = out[out.length - 1];
  if (last !== undefined && last.type === 'sequence' && as4.length > 0 && as4[0].type === 'sequence') {
    out[out.length - 1] = { type: 'sequence', asns: [...last.asns, ...as4[0].asns] };
    k = 1;
  }
  for (; k < as4.length; k++) out.push(as4[k]);
  return out;
}

/**
 * Conventional text of a path: sequences as space-separated ASNs, "{a,b}" for AS_SET,
 * "(a b)" for AS_CONFED_SEQUENCE, "[a,b]" for AS_CONFED_SET.
 */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  // The common case, one AS_SEQUENCE, without the parts array (it runs once per UPDATE).
  if (segments.length === 1 && segments[0].type === 'sequence') return segments[0].asns.join(' ');
  const parts: string[] = [];
  for (const s of segments) {
    switch (s.type) {
      case 'sequence':
        if (s.asns.length > 0) parts.push(s.asns.join(' '));
        break;
      case 'set':
        parts.push(`{${s.asns.join(',')}}`);
        break;
      case 'confed_sequence':
        parts.push(`(${s.asns.join(' ')})`);
        break;
      case 'confed_set':
        parts.push(`[${s.asns.join(',')}]`);
        break;
    }
  }
  return parts.join(' ');
}
