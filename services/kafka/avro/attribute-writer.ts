/**
 * The path attribute fields of a route_monitoring record (origin ... unknown_attributes), written
 * as Avro binary directly. They change with nearly every UPDATE of a full table, and avsc's
 * generic writer spent most of its time on their short strings (communities, next hops).
 *
 * Avro binary (Avro 1.11 specification, "Binary Encoding"): a union is its branch index as a long,
 * then the value; a long is a zig-zag varint; a string is its UTF-8 length as a long, then the
 * octets; an enum is the symbol's index as a long; an array is blocks of (count, items) ended by
 * a count of 0 (one block here, as avsc writes); a boolean is one octet.
 *
 * The writer knows the fields' types as schemas/route_monitoring.avsc has them; the enum symbols
 * are read from the schema. RouteMonitoringEncoder compares it with avsc on sample values before
 * using it, and a value it is not written for (a long beyond 2^53, a symbol not in the schema)
 * throws AttributeFallback so that avsc encodes those attributes instead.
 *
 * Given the octets an event's AS_PATH, COMMUNITIES and LARGE_COMMUNITY were decoded from
 * (WireAttributes), it writes those fields from the values on the wire: the AS path's members and
 * segment types, and the decimal digits of each community part, which are the event's texts,
 * without reading the texts one UTF-16 unit at a time (most of the writer's time on a full table
 * went there) or making the hops (ingest's decoder then leaves placeholders there,
 * deferredPrefixTexts).
 */
import type { Type } from 'avsc';
import { AS_PATH_SEGMENT_TYPES } from '../../codec/bgp/attributes/as-path.js';
import { u32 } from '../../codec/bgp/bytes.js';
import type { AsPathHop, RouteEvent } from '../../events/model.js';
import { COLON, decimalHalves, writeDecimal, writeHalf } from './decimal.js';
import { writeUtf8 } from './utf8.js';
import { writeVarint } from './varint.js';

/** Thrown for values the direct writer leaves to avsc. */
export const AttributeFallback = Symbol('attribute fallback');

/** The attribute fields, in schema order. */
export const ATTRIBUTE_FIELDS = [
  'origin',
  'as_path',
  'next_hop',
  'med',
  'local_pref',
  'atomic_aggregate',
  'aggregator_as',
  'aggregator_address',
  'communities',
  'large_communities',
  'extended_communities',
  'originator_id',
  'cluster_list',
  'aigp',
  'otc',
  'unknown_attributes',
] as const;

const MAX_DIRECT_LONG = 2 ** 52;

/** The path attribute fields of a route event. */
export type AttributeValues = Pick<RouteEvent, (typeof ATTRIBUTE_FIELDS)[number]>;

/**
 * Where the AS_PATH (RFC 4271 §4.3), COMMUNITIES (RFC 1997) and LARGE_COMMUNITY (RFC 8092) values
 * an event's `as_path`, `communities` and `large_communities` were decoded from lie in `octets`;
 * -1: the attribute is absent. A scanned UPDATE (codec/bgp/update-scan.ts) is one.
 */
export interface WireAttributes {
  readonly octets: Buffer;
  /** Different for every UPDATE (UpdateScan.serial): a writer may reuse what it wrote for the same serial. */
  readonly serial: number;
  readonly asPathAt: number;
  readonly asPathEnd: number;
  /** Octets per ASN in the AS_PATH: 4, or 2 (RFC 6793 §4.2.1). */
  readonly asPathAsSize: number;
  readonly communitiesAt: number;
  readonly communitiesEnd: number;
  readonly largeCommunitiesAt: number;
  readonly largeCommunitiesEnd: number;
}

interface EnumType {
  symbols: string[];
}

/** Symbol -> index of an avsc enum type. */
function symbolIndex(type: Type): Map<string, number> {
  return new Map((type as unknown as EnumType).symbols.map((s, i) => [s, i]));
}

/** The symbol nearly every AS_PATH member has (AS_SEQUENCE, RFC 4271 §4.3). */
const SEQUENCE = 'sequence';

export class AttributeWriter {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;
  private readonly origins: Map<string, number>;
  private readonly segments: Map<string, number>;
  /** The index of SEQUENCE in the segment enum, -1 if it has none (every hop then goes to the map). */
  private readonly sequenceIndex: number;
  /** The segment enum's index by AS_PATH segment type code; -1: not in the enum (or not a type). */
  private readonly wireSegments = new Int8Array(256).fill(-1);

  /** `originType`: the Origin enum; `segmentType`: the AsPathSegmentType enum (from the schema). */
  constructor(
    private readonly originType: Type,
    private readonly segmentType: Type,
  ) {
    this.origins = symbolIndex(originType);
    this.segments = symbolIndex(segmentType);
    this.sequenceIndex = this.segments.get(SEQUENCE) ?? -1;
    AS_PATH_SEGMENT_TYPES.forEach((name, code) => {
      const index = name === null ? undefined : this.segments.get(name);
      if (index !== undefined && index < 64) this.wireSegments[code] = index;
    });
  }

  /** A writer for the same enums with a buffer of its own, for another encoder (see write). */
  another(): AttributeWriter {
    return new AttributeWriter(this.originType, this.segmentType);
  }

  /**
   * The fields' octets, then `suffix` when given (the octets that follow in the encoder's usual
   * record, so that it copies both at once). Throws AttributeFallback (see above). A view of this
   * writer's buffer, valid until its next call: the encoder that owns the writer copies the octets
   * into each record it writes and replaces them when the attributes change (without a buffer and
   * a copy per UPDATE).
   */
  write(e: AttributeValues, wire: WireAttributes | null = null, suffix: Buffer | null = null): Buffer {
    this.pos = 0;
    if (e.origin === null) this.byte(0);
    else {
      const i = this.origins.get(e.origin);
      if (i === undefined) throw AttributeFallback;
      this.byte(2);
      this.long(i);
    }
    if (wire === null) this.asPath(e.as_path);
    else this.wireAsPath(wire.octets, wire.asPathAt, wire.asPathEnd, wire.asPathAsSize);
    this.nullableString(e.next_hop);
    this.nullableLong(e.med);
    this.nullableLong(e.local_pref);
    if (typeof e.atomic_aggregate !== 'boolean') throw AttributeFallback;
    this.byte(e.atomic_aggregate ? 1 : 0);
    this.nullableLong(e.aggregator_as);
    this.nullableString(e.aggregator_address);
    if (wire === null) {
      this.strings(e.communities);
      this.strings(e.large_communities);
    } else {
      this.wireCommunities(wire.octets, wire.communitiesAt, wire.communitiesEnd);
      this.wireLargeCommunities(wire.octets, wire.largeCommunitiesAt, wire.largeCommunitiesEnd);
    }
    this.strings(e.extended_communities);
    this.nullableString(e.originator_id);
    this.strings(e.cluster_list);
    this.nullableLong(e.aigp);
    this.nullableLong(e.otc);
    this.strings(e.unknown_attributes);
    if (suffix !== null) {
      this.room(suffix.length);
      this.buf.set(suffix, this.pos);
      this.pos += suffix.length;
    }
    return this.buf.subarray(0, this.pos);
  }

  private asPath(path: readonly AsPathHop[]): void {
    if (!Array.isArray(path)) throw AttributeFallback;
    const n = path.length;
    if (n > 0) {
      this.long(n);
      for (let i = 0; i < n; i++) {
        const hop = path[i];
        this.long(hop.asn);
        const segment = hop.segment;
        // One comparison (of the same interned text, usually) rather than a map lookup per hop.
        const s = segment === SEQUENCE && this.sequenceIndex >= 0 ? this.sequenceIndex : this.segments.get(segment);
        if (s === undefined) throw AttributeFallback;
        this.long(s);
      }
    }
    this.byte(0);
  }

  /**
   * AS_PATH in [at, end) of `buf` (-1: absent), `asSize` octets per ASN, as the event model's hops
   * (asPathHops: each member's ASN and its segment's type, in order), written from the octets. The
   * segments are as the scan checked them (RFC 4271 §4.3: type, count, ASNs).
   */
  private wireAsPath(buf: Buffer, at: number, end: number, asSize: number): void {
    let members = 0;
    for (let p = at; at >= 0 && p < end; p += 2 + buf[p + 1] * asSize) members += buf[p + 1];
    if (members > 0) {
      this.long(members);
      // Per member: an ASN of at most 5 varint octets, its segment's index in one.
      this.room(members * 6);
      const out = this.buf;
      let pos = this.pos;
      for (let p = at; p < end; ) {
        const segment = this.wireSegments[buf[p]];
        if (segment < 0) throw AttributeFallback;
        const count = buf[p + 1];
        p += 2;
        for (let i = 0; i < count; i++, p += asSize) {
          const asn = asSize === 4 ? u32(buf, p) : (buf[p] << 8) | buf[p + 1];
          pos = writeVarint(out, pos, asn * 2);
          out[pos++] = segment * 2;
        }
      }
      this.pos = pos;
    }
    this.byte(0);
  }

  /**
   * COMMUNITIES in [at, end) of `buf` as the array of texts the event model has for them
   * (formatCommunity: "high:low", in decimal, RFC 1997 §2), written from the 32-bit values without
   * making the texts: each is at most 11 ASCII octets, so its length is one varint octet.
   */
  private wireCommunities(buf: Buffer, at: number, end: number): void {
    const n = at < 0 ? 0 : (end - at) >>> 2;
    if (n > 0) {
      this.long(n);
      this.room(n * 12);
      const out = this.buf;
      const { digits, lengths } = decimalHalves();
      let pos = this.pos;
      for (let i = at; i < end; i += 4) {
        const high = (buf[i] << 8) | buf[i + 1];
        const low = (buf[i + 2] << 8) | buf[i + 3];
        const highLength = lengths[high];
        const lowLength = lengths[low];
        // The text's length (at most 11) as a one-octet Avro long.
        out[pos++] = (highLength + 1 + lowLength) * 2;
        // room(n * 12) above: the length, 5 + 1 + 5 octets written (writeHalf writes 5 each).
        pos = writeHalf(digits, lengths, high, out, pos);
        out[pos++] = COLON;
        pos = writeHalf(digits, lengths, low, out, pos);
      }
      this.pos = pos;
    }
    this.byte(0);
  }

  /**
   * LARGE_COMMUNITY in [at, end) of `buf` as the event model's texts ("global:local1:local2", in
   * decimal, RFC 8092 §3), written from the values: at most 32 ASCII octets each.
   */
  private wireLargeCommunities(buf: Buffer, at: number, end: number): void {
    const n = at < 0 ? 0 : Math.floor((end - at) / 12);
    if (n > 0) {
      this.long(n);
      this.room(n * 33);
      const out = this.buf;
      let pos = this.pos;
      for (let i = at; i < end; i += 12) {
        const textAt = pos + 1;
        let p = writeDecimal(out, textAt, u32(buf, i));
        out[p++] = COLON;
        p = writeDecimal(out, p, u32(buf, i + 4));
        out[p++] = COLON;
        p = writeDecimal(out, p, u32(buf, i + 8));
        out[pos] = (p - textAt) * 2;
        pos = p;
      }
      this.pos = pos;
    }
    this.byte(0);
  }

  private strings(list: readonly string[]): void {
    if (!Array.isArray(list)) throw AttributeFallback;
    const n = list.length;
    if (n > 0) {
      this.long(n);
      for (let i = 0; i < n; i++) this.string(list[i]);
    }
    this.byte(0);
  }

  private nullableString(s: string | null): void {
    if (s === null) return this.byte(0);
    this.byte(2);
    this.string(s);
  }

  private nullableLong(n: number | null): void {
    if (n === null) return this.byte(0);
    this.byte(2);
    this.long(n);
  }

  private string(s: string): void {
    if (typeof s !== 'string') throw AttributeFallback;
    // At most 3 octets per UTF-16 unit, plus the length's varint.
    this.room(s.length * 3 + 10);
    const buf = this.buf;
    const at = this.pos;
    // The usual case, under 64 octets: a one-octet length before the text.
    const written = writeUtf8(buf, s, at + 1);
    if (written < 64) {
      buf[at] = written * 2;
      this.pos = at + 1 + written;
      return;
    }
    // Longer: move the text to after the length's full varint.
    let lengthOctets = 1;
    for (let z = written * 2; z >= 0x80; z = Math.floor(z / 0x80)) lengthOctets++;
    buf.copyWithin(at + lengthOctets, at + 1, at + 1 + written);
    this.long(written);
    this.pos = at + lengthOctets + written;
  }

  /** Zig-zag varint of an integer of magnitude up to 2^52 (its zig-zag value is then exact); larger ones are left to avsc. */
  private long(n: number): void {
    if (!Number.isInteger(n) || n > MAX_DIRECT_LONG || n < -MAX_DIRECT_LONG) throw AttributeFallback;
    this.room(10);
    this.pos = writeVarint(this.buf, this.pos, n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
