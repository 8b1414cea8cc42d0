/**
 * Interned attribute sets: the route store keeps, per route, only the small integer id of its
 * attribute set, because a full table has far fewer distinct attribute sets than routes (routes
 * learnt in one UPDATE, or from one neighbour AS, share them). Each set is a tuple of component ids
 * (AS path, next hop, communities, large communities, extended communities, other attributes, each
 * interned on its own) plus origin, MED and LOCAL_PREF, so that two sets are compared field by
 * field to tell which attributes a path change touched.
 *
 * Sets and components are reference counted and their ids reused once free, so churn does not
 * grow the tables without bound.
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

/** Strings with reference counts, identified by small integers reused once released. */
export class Interner {
  private readonly ids = new Map<string, number>();
  private values: string[] = [];
  private refs: number[] = [];
  private free: number[] = [];

  /** Id of `value`, its count incremented (a new id when it was not interned). */
  acquire(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.free.length > 0 ? (this.free.pop() as number) : this.values.length;
      this.values[id] = value;
      this.refs[id] = 0;
      this.ids.set(value, id);
    }
    this.refs[id]++;
    return id;
  }

  /** Id of `value` if interned, else -1 (the count unchanged). */
  lookup(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  /** Adds `n` references to an interned id. */
  retain(id: number, n = 1): void {
    this.refs[id] += n;
  }

  /** Drops one reference; returns true when that freed the id. */
  release(id: number): boolean {
    if (--this.refs[id] > 0) return false;
    this.ids.delete(this.values[id]);
    this.values[id] = '';
    this.free.push(id);
    return true;
  }

  value(id: number): string {
    return this.values[id];
  }

  /** Interned values in use. */
  get size(): number {
    return this.ids.size;
  }

  /** Plain state for a snapshot. */
  dump(): { values: string[]; refs: number[]; free: number[] } {
    return { values: this.values, refs: this.refs, free: this.free };
  }

  static load(state: { values: string[]; refs: number[]; free: number[] }): Interner {
    const interner = new Interner();
    interner.values = state.values;
    interner.refs = state.refs;
    interner.free = state.free;
    const freed = new Set(state.free);
    for (let id = 0; id < state.values.length; id++) if (!freed.has(id)) interner.ids.set(state.values[id], id);
    return interner;
  }
}

/** Components of a set tuple, in this order. */
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
const INTERNED_COMPONENTS = 6;

const ORIGIN_CODE = { igp: 0, egp: 1, incomplete: 2 } as const;

/** The AS path as text: "65001 65002 {65003 65004}" style, segments told apart (RFC 4271 §4.3, RFC 5065 §3). */
export function asPathText(event: Pick<RouteEvent, 'as_path'>): string {
  const hops = event.as_path;
  let text = '';
  let segment = '';
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i];
    if (hop.segment !== segment) {
      if (segment !== '' && segment !== 'sequence') text += ')';
      if (i > 0) text += ' ';
      if (hop.segment === 'set') text += '{(';
      else if (hop.segment === 'confed_sequence') text += '[(';
      else if (hop.segment === 'confed_set') text += '<(';
      segment = hop.segment;
    } else if (i > 0) text += ' ';
    text += hop.asn;
  }
  if (segment !== '' && segment !== 'sequence') text += ')';
  return text;
}

/**
 * Attributes outside the named change kinds, as one text: labels, ATOMIC_AGGREGATE, AGGREGATOR,
 * ORIGINATOR_ID, CLUSTER_LIST, AIGP, OTC and attributes the codec keeps raw. Empty when all absent
 * (most routes), so the common case allocates nothing.
 */
function otherText(e: RouteEvent): string {
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
    return '';
  }
  return `l${e.labels.join(',')};a${e.atomic_aggregate ? 1 : 0};g${e.aggregator_as ?? ''}@${e.aggregator_address ?? ''};o${e.originator_id ?? ''};c${e.cluster_list.join(',')};i${e.aigp ?? ''};t${e.otc ?? ''};u${e.unknown_attributes.join(',')}`;
}

function listText(list: readonly string[]): string {
  return list.length === 0 ? '' : list.length === 1 ? list[0] : list.join(' ');
}

/** The interned attribute sets of one aggregator (one partition). */
export class AttributeSets {
  /** Component interners, by component index. */
  private readonly components: Interner[] = Array.from({ length: INTERNED_COMPONENTS }, () => new Interner());
  /** Set id by the set's full text. */
  private readonly sets: Interner;
  /** Set tuples, STRIDE numbers per set id. */
  private tuples: Float64Array<ArrayBuffer>;

  constructor(sets = new Interner(), tuples: Float64Array<ArrayBuffer> = new Float64Array(STRIDE * 1024), components?: Interner[]) {
    this.sets = sets;
    this.tuples = tuples;
    if (components) this.components = components;
  }

  /**
   * Id of the attribute set of an announcement, with one reference taken for the caller (who holds
   * it until `release`). The set is looked up by its full text first; its components are interned
   * only when the set is new.
   */
  acquire(e: RouteEvent): number {
    const asPath = asPathText(e);
    const nextHop = e.next_hop ?? '';
    const communities = listText(e.communities);
    const large = listText(e.large_communities);
    const extended = listText(e.extended_communities);
    const other = otherText(e);
    const origin = e.origin === null ? 3 : ORIGIN_CODE[e.origin];
    const med = e.med ?? -1;
    const localPref = e.local_pref ?? -1;
    // "\n" cannot occur in any component text.
    const text = `${origin}\n${med}\n${localPref}\n${nextHop}\n${asPath}\n${communities}\n${large}\n${extended}\n${other}`;
    const known = this.sets.lookup(text);
    if (known >= 0) {
      this.sets.retain(known);
      return known;
    }
    const id = this.sets.acquire(text);
    if ((id + 1) * STRIDE > this.tuples.length) {
      const grown = new Float64Array(this.tuples.length * 2);
      grown.set(this.tuples);
      this.tuples = grown;
    }
    const at = id * STRIDE;
    const c = this.components;
    this.tuples[at + AS_PATH] = c[AS_PATH].acquire(asPath);
    this.tuples[at + NEXT_HOP] = c[NEXT_HOP].acquire(nextHop);
    this.tuples[at + COMMUNITIES] = c[COMMUNITIES].acquire(communities);
    this.tuples[at + LARGE] = c[LARGE].acquire(large);
    this.tuples[at + EXTENDED] = c[EXTENDED].acquire(extended);
    this.tuples[at + OTHER] = c[OTHER].acquire(other);
    this.tuples[at + ORIGIN] = origin;
    this.tuples[at + MED] = med;
    this.tuples[at + LOCAL_PREF] = localPref;
    return id;
  }

  /** Adds `n` references to a set (routes restored, or copied). */
  retain(id: number, n = 1): void {
    this.sets.retain(id, n);
  }

  /** Drops one reference to a set; the set and its unused components are freed at zero. */
  release(id: number): void {
    if (!this.sets.release(id)) return;
    const at = id * STRIDE;
    for (let k = 0; k < INTERNED_COMPONENTS; k++) this.components[k].release(this.tuples[at + k]);
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
    return this.sets.size;
  }

  /** Plain state for a snapshot. */
  dump(): { sets: ReturnType<Interner['dump']>; tuples: Float64Array<ArrayBuffer>; components: Array<ReturnType<Interner['dump']>> } {
    return { sets: this.sets.dump(), tuples: this.tuples, components: this.components.map((c) => c.dump()) };
  }

  static load(state: ReturnType<AttributeSets['dump']>): AttributeSets {
    return new AttributeSets(Interner.load(state.sets), state.tuples, state.components.map((c) => Interner.load(c)));
  }
}
