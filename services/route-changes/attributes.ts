/**
 * Interned attribute sets: the route store keeps, per route, only the small integer id of its
 * attribute set, because a full table has far fewer distinct attribute sets than routes (the
 * prefixes of one UPDATE, or of one origin AS, share them).
 *
 * A set is a tuple of nine numbers: a 52-bit hash of each of the AS path, next hop, communities,
 * large communities, extended communities and "other attributes", then origin, MED and
 * LOCAL_PREF as values. No attribute text is kept (it would cost more than the route itself:
 * synthetic and real tables alike have one distinct set per 2-4 routes), and two sets are compared
 * field by field to tell which attributes a path change touched.
 *
 * The price of hashing: two different values of one attribute with the same 52-bit hash look
 * equal, so that change would be missed (counted as a duplicate or without that attribute). With
 * a million distinct values of one attribute alive at once the chance that any two collide is
 * about 1e-4; a wrong count in one window, never a wrong route state, since routes are keyed by
 * prefix, not by hash.
 *
 * Sets are reference counted (one reference per route holding it) and their ids reused once
 * free, so churn does not grow the table without bound.
 */
import type { RouteEvent } from '../events/model.js';

/** Bits of a change mask: which attributes differ between two attribute sets. */
export const CHANGED = {
  as_path: 1,
  next_hop: 2,
  communities: 4,
  large_communities: 8,
  extended_communities: 16,
  med: 32,
  local_pref: 64,
  origin: 128,
  other: 256,
} as const;

export type ChangedAttribute = keyof typeof CHANGED;

/** Fields of a set tuple, in this order. */
const AS_PATH = 0;
const NEXT_HOP = 1;
const COMMUNITIES = 2;
const LARGE = 3;
const EXTENDED = 4;
const OTHER = 5;
const ORIGIN = 6;
const MED = 7;
const LOCAL_PREF = 8;
const STRIDE = 9;

const ORIGIN_CODE = { igp: 0, egp: 1, incomplete: 2 } as const;
const SEGMENT_CODE = { sequence: 1, set: 2, confed_sequence: 3, confed_set: 4 } as const;

/*
 * Hashes: two 32-bit lanes over the same input, an FNV-1a step and a multiply-add step, each
 * finished with the murmur3 finaliser and read together as one 52-bit number (exact in a double,
 * so a tuple is a Float64Array row). Written as plain loops over locals: this is the aggregator's
 * hottest code (every announcement hashes its communities).
 */
const SEED_A = 0x811c9dc5;
const SEED_B = 0x27d4eb2f;
/** Separator between list items (a value no pair of UTF-16 units other than two NULs gives): ["ab","c"] and ["a","bc"] differ. */
const SEPARATOR = 0x10000;

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function join52(a: number, b: number): number {
  return (fmix(a) >>> 0) * 0x100000 + (fmix(b) >>> 12);
}

function stringHash(s: string): number {
  let a = SEED_A;
  let b = SEED_B;
  // Two UTF-16 units per step.
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ c, 0x01000193);
    b = (Math.imul(b, 0x5bd1e995) + c) | 0;
  }
  if (i < n) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = (Math.imul(b, 0x5bd1e995) + c) | 0;
  }
  return join52(a, b);
}

function listHash(list: readonly string[]): number {
  if (list.length === 0) return 0;
  let a = SEED_A;
  let b = SEED_B;
  for (let k = 0; k < list.length; k++) {
    const s = list[k];
    const n = s.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      a = Math.imul(a ^ c, 0x01000193);
      b = (Math.imul(b, 0x5bd1e995) + c) | 0;
    }
    if (i < n) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = (Math.imul(b, 0x5bd1e995) + c) | 0;
    }
    a = Math.imul(a ^ SEPARATOR, 0x01000193);
    b = (Math.imul(b, 0x5bd1e995) + SEPARATOR) | 0;
  }
  return join52(a, b);
}

/** AS path hash: ASN (both 16-bit halves) and segment type of each hop (RFC 4271 §4.3, RFC 5065 §3). */
function asPathHash(e: RouteEvent): number {
  const hops = e.as_path;
  if (hops.length === 0) return 0;
  let a = SEED_A;
  let b = SEED_B;
  for (let i = 0; i < hops.length; i++) {
    const asn = hops[i].asn;
    const x = (asn & 0xffff) ^ ((SEGMENT_CODE[hops[i].segment] ?? 0) << 16);
    const y = asn >>> 16;
    a = Math.imul(a ^ x, 0x01000193);
    a = Math.imul(a ^ y, 0x01000193);
    b = (Math.imul(b, 0x5bd1e995) + x) | 0;
    b = (Math.imul(b, 0x5bd1e995) + y) | 0;
  }
  return join52(a, b);
}

/**
 * Hash of the attributes outside the named change kinds: labels, ATOMIC_AGGREGATE, AGGREGATOR,
 * ORIGINATOR_ID, CLUSTER_LIST, AIGP, OTC and attributes the codec keeps raw. 0 when all are
 * absent (most routes), so the common case costs a few comparisons.
 */
function otherHash(e: RouteEvent): number {
  if (
    e.labels.length === 0 &&
    !e.atomic_aggregate &&
    e.aggregator_as === null &&
    e.originator_id === null &&
    e.cluster_list.length === 0 &&
    e.aigp === null &&
    e.otc === null &&
    e.unknown_attributes.length === 0
  ) {
    return 0;
  }
  return stringHash(
    `l${e.labels.join(',')};a${e.atomic_aggregate ? 1 : 0};g${e.aggregator_as ?? ''}@${e.aggregator_address ?? ''};o${e.originator_id ?? ''};c${e.cluster_list.join(',')};i${e.aigp ?? ''};t${e.otc ?? ''};u${e.unknown_attributes.join(',')}`,
  );
}

/** The interned attribute sets of one aggregator (one partition). */
export class AttributeSets {
  /** Set tuples, STRIDE numbers per set id. */
  private tuples: Float64Array<ArrayBuffer>;
  /** References per set id; 0 for a free id. */
  private refs: Int32Array<ArrayBuffer>;
  /** Next set id in the same bucket, -1 at the end of the chain. */
  private next: Int32Array<ArrayBuffer>;
  /** Bucket of each set id (kept: recomputing it on release costs more than 4 octets). */
  private bucketIds: Int32Array<ArrayBuffer>;
  /** Ids freed for reuse. */
  private free: number[];
  /** Highest id ever used + 1. */
  private used: number;
  /** First set id of each bucket (bucket = 31-bit hash of the tuple). */
  private readonly buckets = new Map<number, number>();
  private live = 0;
  /** The tuple being looked up. */
  private readonly probe = new Float64Array(STRIDE);

  constructor(state?: { tuples: Float64Array<ArrayBuffer>; refs: Int32Array<ArrayBuffer>; free: number[]; used: number }) {
    this.tuples = state?.tuples ?? new Float64Array(STRIDE * 1024);
    this.refs = state?.refs ?? new Int32Array(1024);
    this.next = new Int32Array(this.refs.length);
    this.bucketIds = new Int32Array(this.refs.length);
    this.free = state?.free ?? [];
    this.used = state?.used ?? 0;
    for (let id = 0; id < this.used; id++) {
      if (this.refs[id] <= 0) continue;
      this.link(id, this.bucketOf(this.tuples, id * STRIDE));
      this.live++;
    }
  }

  /**
   * Id of the attribute set of an announcement, with one reference taken for the caller (who holds
   * it until `release`).
   */
  acquire(e: RouteEvent): number {
    const p = this.probe;
    p[AS_PATH] = asPathHash(e);
    p[NEXT_HOP] = e.next_hop === null ? 0 : stringHash(e.next_hop);
    p[COMMUNITIES] = listHash(e.communities);
    p[LARGE] = listHash(e.large_communities);
    p[EXTENDED] = listHash(e.extended_communities);
    p[OTHER] = otherHash(e);
    p[ORIGIN] = e.origin === null ? 3 : ORIGIN_CODE[e.origin];
    p[MED] = e.med ?? -1;
    p[LOCAL_PREF] = e.local_pref ?? -1;
    const bucket = this.bucketOf(p, 0);
    const t = this.tuples;
    const first = this.buckets.get(bucket);
    for (let id = first ?? -1; id >= 0; id = this.next[id]) {
      const at = id * STRIDE;
      if (
        t[at] === p[0] &&
        t[at + 1] === p[1] &&
        t[at + 2] === p[2] &&
        t[at + 3] === p[3] &&
        t[at + 4] === p[4] &&
        t[at + 5] === p[5] &&
        t[at + 6] === p[6] &&
        t[at + 7] === p[7] &&
        t[at + 8] === p[8]
      ) {
        this.refs[id]++;
        return id;
      }
    }
    const id = this.free.length > 0 ? (this.free.pop() as number) : this.used++;
    if (id >= this.refs.length) this.grow();
    this.tuples.set(p, id * STRIDE);
    this.refs[id] = 1;
    this.link(id, bucket);
    this.live++;
    return id;
  }

  /** Adds `n` references to a set. */
  retain(id: number, n = 1): void {
    this.refs[id] += n;
  }

  /** Drops one reference to a set; the set is freed at zero. */
  release(id: number): void {
    if (--this.refs[id] > 0) return;
    const bucket = this.bucketIds[id];
    const first = this.buckets.get(bucket) as number;
    if (first === id) {
      if (this.next[id] < 0) this.buckets.delete(bucket);
      else this.buckets.set(bucket, this.next[id]);
    } else {
      let prev = first;
      while (this.next[prev] !== id) prev = this.next[prev];
      this.next[prev] = this.next[id];
    }
    this.free.push(id);
    this.live--;
  }

  /** Which attributes differ between two sets (a mask of CHANGED bits; 0 for the same set). */
  diff(a: number, b: number): number {
    if (a === b) return 0;
    const t = this.tuples;
    const x = a * STRIDE;
    const y = b * STRIDE;
    let mask = 0;
    if (t[x + AS_PATH] !== t[y + AS_PATH]) mask |= CHANGED.as_path;
    if (t[x + NEXT_HOP] !== t[y + NEXT_HOP]) mask |= CHANGED.next_hop;
    if (t[x + COMMUNITIES] !== t[y + COMMUNITIES]) mask |= CHANGED.communities;
    if (t[x + LARGE] !== t[y + LARGE]) mask |= CHANGED.large_communities;
    if (t[x + EXTENDED] !== t[y + EXTENDED]) mask |= CHANGED.extended_communities;
    if (t[x + OTHER] !== t[y + OTHER]) mask |= CHANGED.other;
    if (t[x + ORIGIN] !== t[y + ORIGIN]) mask |= CHANGED.origin;
    if (t[x + MED] !== t[y + MED]) mask |= CHANGED.med;
    if (t[x + LOCAL_PREF] !== t[y + LOCAL_PREF]) mask |= CHANGED.local_pref;
    return mask;
  }

  /** Attribute sets in use. */
  get size(): number {
    return this.live;
  }

  /** Plain state for a snapshot (the buckets are rebuilt on load). */
  dump(): { tuples: Float64Array<ArrayBuffer>; refs: Int32Array<ArrayBuffer>; free: number[]; used: number } {
    return { tuples: this.tuples.slice(0, this.used * STRIDE), refs: this.refs.slice(0, this.used), free: this.free, used: this.used };
  }

  static load(state: ReturnType<AttributeSets['dump']>): AttributeSets {
    const capacity = Math.max(1024, state.used);
    const tuples = new Float64Array(capacity * STRIDE);
    tuples.set(state.tuples);
    const refs = new Int32Array(capacity);
    refs.set(state.refs);
    return new AttributeSets({ tuples, refs, free: [...state.free], used: state.used });
  }

  private link(id: number, bucket: number): void {
    const first = this.buckets.get(bucket);
    this.next[id] = first ?? -1;
    this.bucketIds[id] = bucket;
    this.buckets.set(bucket, id);
  }

  private bucketOf(t: Float64Array, at: number): number {
    let h = 0;
    for (let k = 0; k < STRIDE; k++) {
      const v = t[at + k];
      h = Math.imul(h ^ (v % 0x40000000 | 0), 0x9e3779b1);
      h = Math.imul(h ^ ((v / 0x40000000) | 0), 0x85ebca6b);
      h ^= h >>> 13;
    }
    // A small integer key (Smi), so the Map allocates nothing per entry.
    return h & 0x3fffffff;
  }

  private grow(): void {
    const n = this.refs.length * 2;
    const tuples = new Float64Array(n * STRIDE);
    tuples.set(this.tuples);
    this.tuples = tuples;
    const refs = new Int32Array(n);
    refs.set(this.refs);
    this.refs = refs;
    const next = new Int32Array(n);
    next.set(this.next);
    this.next = next;
    const bucketIds = new Int32Array(n);
    bucketIds.set(this.bucketIds);
    this.bucketIds = bucketIds;
  }
}
