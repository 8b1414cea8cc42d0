/**
 * The routes of one table (peer, RIB view, family): route key (route-key.ts) -> attribute set id,
 * in typed arrays only, with no JS object per route. A Map<string, number> costs about 110 bytes a
 * route at a million routes (entry plus the key string object) and, worse, makes every major GC
 * mark a million strings; here a route costs its key's octets plus about 25 bytes of array slots.
 *
 *  - keys: their characters as octets in an arena (route keys are ASCII: prefix text, RD text,
 *    "raw:" hex, "#" path id), each entry an offset and a length into it;
 *  - index: open addressing with linear probing over a power-of-two array of (entry number + 1,
 *    key hash) pairs (0 = empty), at most 3/4 full; deletion by backward shift, so no tombstones.
 *    The hash sits next to the entry number so that a probe past another key touches nothing else;
 *  - entries: (arena offset, key length, value) triples in one Int32Array, so that a lookup costs
 *    three cache lines (index, entry, key octets) in a table far larger than the cache;
 *  - freed entry numbers are reused; the arena is compacted once half of it is dead keys.
 */

const EMPTY = 0;
/** Fields of an entry record. */
const OFF = 0;
const LEN = 1;
const VAL = 2;
const MIN_CAPACITY = 16;

/** 32-bit hash of a key's characters (FNV-1a over pairs of characters, murmur3 finaliser). */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  const n = key.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8)), 0x01000193);
  if (i < n) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** keyHash of the key whose characters are `arena[o, o + n)` (the same value for the same key). */
function bytesHash(arena: Uint8Array, o: number, n: number): number {
  let h = 0x811c9dc5;
  let i = 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ (arena[o + i] | (arena[o + i + 1] << 8)), 0x01000193);
  if (i < n) h = Math.imul(h ^ arena[o + i], 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Plain state of a table, for snapshots. */
export interface RouteTableState {
  keys: Uint8Array<ArrayBuffer>;
  lengths: Uint32Array<ArrayBuffer>;
  values: Int32Array<ArrayBuffer>;
}

export class RouteTable {
  /** Pairs (entry + 1, hash); capacity = index.length / 2. */
  private index = new Int32Array(2 * MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  /** Triples (arena offset, key length, value) per entry number. */
  private records = new Int32Array(3 * MIN_CAPACITY);
  private arena = new Uint8Array(MIN_CAPACITY * 16);
  private arenaUsed = 0;
  private arenaDead = 0;
  /** Entry numbers used so far (live or free). */
  private entries = 0;
  private readonly free: number[] = [];
  /** Index position of the last `find` (the entry's, or the empty one where it would go). */
  private position = 0;
  size = 0;

  /** Attribute set id of a route, or -1 when the table does not hold it. */
  get(key: string): number {
    const e = this.find(key, keyHash(key));
    return e < 0 ? -1 : this.records[3 * e + VAL];
  }

  /** Sets a route's value; returns the previous one, or -1 for a new route. */
  set(key: string, value: number): number {
    const h = keyHash(key);
    const e = this.find(key, h);
    if (e >= 0) {
      const old = this.records[3 * e + VAL];
      this.records[3 * e + VAL] = value;
      return old;
    }
    this.insert(key, h, value);
    return -1;
  }

  /** The value of `key` if held; otherwise inserts it with `value` and returns -1 (one lookup). */
  getOrInsert(key: string, value: number): number {
    const h = keyHash(key);
    const e = this.find(key, h);
    if (e >= 0) return this.records[3 * e + VAL];
    this.insert(key, h, value);
    return -1;
  }

  /**
   * Key of entry number `e`. In a table that never had a deletion, entries are numbered 0, 1, 2...
   * in insertion order, which the windows use as slot numbers.
   */
  keyAt(e: number): string {
    const o = this.records[3 * e + OFF];
    const n = this.records[3 * e + LEN];
    let key = '';
    for (let i = 0; i < n; i++) key += String.fromCharCode(this.arena[o + i]);
    return key;
  }

  /** Removes a route; returns its value, or -1 when the table did not hold it. */
  delete(key: string): number {
    const e = this.find(key, keyHash(key));
    if (e < 0) return -1;
    const value = this.records[3 * e + VAL];
    this.removeAt(this.position);
    this.free.push(e);
    this.arenaDead += this.records[3 * e + LEN];
    this.size--;
    if (this.arenaDead > 65536 && this.arenaDead * 2 > this.arenaUsed) this.compact();
    return value;
  }

  /** Calls `fn` with each route's value. */
  forEachValue(fn: (value: number) => void): void {
    const index = this.index;
    for (let p = 0; p < index.length; p += 2) if (index[p] !== EMPTY) fn(this.records[3 * (index[p] - 1) + VAL]);
  }

  /** Every route as [key, value] (tests, debugging; allocates a string per route). */
  entriesList(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const index = this.index;
    for (let p = 0; p < index.length; p += 2) if (index[p] !== EMPTY) out.push([this.keyAt(index[p] - 1), this.records[3 * (index[p] - 1) + VAL]]);
    return out;
  }

  /**
   * Compact copy of the routes, for snapshots: keys concatenated, their lengths, values, in entry
   * order (so a table without deletions gets the same entry numbers back from `load`).
   */
  dump(): RouteTableState {
    const live: number[] = [];
    const freed = new Set(this.free);
    for (let e = 0; e < this.entries; e++) if (!freed.has(e)) live.push(e);
    const r = this.records;
    const lengths = new Uint32Array(live.length);
    const values = new Int32Array(live.length);
    let bytes = 0;
    for (let i = 0; i < live.length; i++) {
      lengths[i] = r[3 * live[i] + LEN];
      values[i] = r[3 * live[i] + VAL];
      bytes += lengths[i];
    }
    const keys = new Uint8Array(bytes);
    let at = 0;
    for (const e of live) {
      const o = r[3 * e + OFF];
      keys.set(this.arena.subarray(o, o + r[3 * e + LEN]), at);
      at += r[3 * e + LEN];
    }
    return { keys, lengths, values };
  }

  /** A table holding the routes of `dump()`, entries numbered in the same order; no string made. */
  static load(state: RouteTableState): RouteTable {
    const table = new RouteTable();
    const count = state.lengths.length;
    let capacity = MIN_CAPACITY;
    while (count * 4 > capacity * 3) capacity *= 2;
    table.index = new Int32Array(2 * capacity);
    table.mask = capacity - 1;
    table.records = new Int32Array(3 * Math.max(MIN_CAPACITY, count));
    table.arena = new Uint8Array(Math.max(MIN_CAPACITY * 16, state.keys.length));
    table.arena.set(state.keys);
    table.arenaUsed = state.keys.length;
    const { index, records, mask } = table;
    let at = 0;
    for (let e = 0; e < count; e++) {
      const n = state.lengths[e];
      const h = bytesHash(state.keys, at, n);
      records[3 * e + OFF] = at;
      records[3 * e + LEN] = n;
      records[3 * e + VAL] = state.values[e];
      let q = h & mask;
      while (index[2 * q] !== EMPTY) q = (q + 1) & mask;
      index[2 * q] = e + 1;
      index[2 * q + 1] = h;
      at += n;
    }
    table.entries = count;
    table.size = count;
    return table;
  }

  /** Entry number of `key` (hash `h`), or -1; sets `position` (an index pair's first element). */
  private find(key: string, h: number): number {
    const index = this.index;
    const mask = this.mask;
    const n = key.length;
    let p = (h & mask) << 1;
    for (;;) {
      const slot = index[p];
      if (slot === EMPTY) {
        this.position = p;
        return -1;
      }
      if (index[p + 1] === h) {
        const e = slot - 1;
        const r = this.records;
        if (r[3 * e + LEN] === n) {
          const arena = this.arena;
          const o = r[3 * e + OFF];
          let i = 0;
          while (i < n && arena[o + i] === key.charCodeAt(i)) i++;
          if (i === n) {
            this.position = p;
            return e;
          }
        }
      }
      p = (p + 2) & ((mask << 1) | 1);
    }
  }

  private insert(key: string, h: number, value: number): void {
    if ((this.size + 1) * 8 > this.index.length * 3) {
      this.rehash(this.index.length);
      this.find(key, h);
    }
    let e: number;
    if (this.free.length > 0) e = this.free.pop() as number;
    else {
      e = this.entries++;
      if (3 * e === this.records.length) {
        const records = new Int32Array(this.records.length * 2);
        records.set(this.records);
        this.records = records;
      }
    }
    const n = key.length;
    if (this.arenaUsed + n > this.arena.length) this.growArena(n);
    const arena = this.arena;
    const o = this.arenaUsed;
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      // Route keys are ASCII (route-key.ts); anything else would not compare equal later.
      if (c > 0x7f) throw new RangeError(`route key is not ASCII: ${JSON.stringify(key)}`);
      arena[o + i] = c;
    }
    this.arenaUsed += n;
    this.records[3 * e + OFF] = o;
    this.records[3 * e + LEN] = n;
    this.records[3 * e + VAL] = value;
    this.index[this.position] = e + 1;
    this.index[this.position + 1] = h;
    this.size++;
  }

  /** Empties index pair `p` and shifts back the entries of its probe run (linear probing). */
  private removeAt(p: number): void {
    const index = this.index;
    const mask = this.mask;
    let hole = p >> 1;
    let q = (hole + 1) & mask;
    while (index[2 * q] !== EMPTY) {
      const home = index[2 * q + 1] & mask;
      // Move the entry at q into the hole unless its home lies cyclically in (hole, q].
      const inRange = hole <= q ? home > hole && home <= q : home > hole || home <= q;
      if (!inRange) {
        index[2 * hole] = index[2 * q];
        index[2 * hole + 1] = index[2 * q + 1];
        hole = q;
      }
      q = (q + 1) & mask;
    }
    index[2 * hole] = EMPTY;
  }

  /** Rebuilds the index with `capacity` pairs (a power of two). */
  private rehash(capacity: number): void {
    const old = this.index;
    const index = new Int32Array(2 * capacity);
    const mask = capacity - 1;
    for (let p = 0; p < old.length; p += 2) {
      if (old[p] === EMPTY) continue;
      let q = old[p + 1] & mask;
      while (index[2 * q] !== EMPTY) q = (q + 1) & mask;
      index[2 * q] = old[p];
      index[2 * q + 1] = old[p + 1];
    }
    this.index = index;
    this.mask = mask;
  }

  private growArena(need: number): void {
    let n = this.arena.length * 2;
    while (n < this.arenaUsed + need) n *= 2;
    const arena = new Uint8Array(n);
    arena.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = arena;
  }

  /** Rewrites the arena with the live keys only. */
  private compact(): void {
    const arena = new Uint8Array(this.arena.length);
    let at = 0;
    const index = this.index;
    const r = this.records;
    for (let p = 0; p < index.length; p += 2) {
      if (index[p] === EMPTY) continue;
      const e = index[p] - 1;
      const o = r[3 * e + OFF];
      const n = r[3 * e + LEN];
      arena.set(this.arena.subarray(o, o + n), at);
      r[3 * e + OFF] = at;
      at += n;
    }
    this.arena = arena;
    this.arenaUsed = at;
    this.arenaDead = 0;
  }
}
