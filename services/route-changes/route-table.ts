/**
 * The routes of one table (peer, RIB view, family): route key (route-key.ts) -> attribute set id,
 * in typed arrays only, with no JS object per route. A Map<string, number> costs about 110 bytes a
 * route at a million routes (entry plus the key string object) and, worse, makes every major GC
 * mark a million strings; here a route costs its key's octets plus about 25 bytes of array slots.
 *
 *  - keys: their characters as octets in an arena (route keys are ASCII: prefix text, RD text,
 *    "raw:" hex, "#" path id), each entry an offset and a length into it;
 *  - index: open addressing with linear probing over a power-of-two Int32Array of entry numbers
 *    (+1; 0 = empty), at most 3/4 full; deletion by backward shift, so no tombstones;
 *  - freed entry numbers are reused; the arena is compacted once half of it is dead keys.
 */

const EMPTY = 0;
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

/** Plain state of a table, for snapshots. */
export interface RouteTableState {
  keys: Uint8Array<ArrayBuffer>;
  lengths: Uint16Array<ArrayBuffer>;
  values: Int32Array<ArrayBuffer>;
}

export class RouteTable {
  private index = new Int32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private hashes = new Int32Array(MIN_CAPACITY);
  private vals = new Int32Array(MIN_CAPACITY);
  private offsets = new Int32Array(MIN_CAPACITY);
  private lengths = new Uint16Array(MIN_CAPACITY);
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
    return e < 0 ? -1 : this.vals[e];
  }

  /** Sets a route's value; returns the previous one, or -1 for a new route. */
  set(key: string, value: number): number {
    const h = keyHash(key);
    const e = this.find(key, h);
    if (e >= 0) {
      const old = this.vals[e];
      this.vals[e] = value;
      return old;
    }
    if ((this.size + 1) * 4 > this.index.length * 3) {
      this.rehash(this.index.length * 2);
      this.find(key, h);
    }
    const entry = this.newEntry(key, h, value);
    this.index[this.position] = entry + 1;
    this.size++;
    return -1;
  }

  /** Removes a route; returns its value, or -1 when the table did not hold it. */
  delete(key: string): number {
    const e = this.find(key, keyHash(key));
    if (e < 0) return -1;
    const value = this.vals[e];
    this.removeAt(this.position);
    this.free.push(e);
    this.arenaDead += this.lengths[e];
    this.size--;
    if (this.arenaDead > 65536 && this.arenaDead * 2 > this.arenaUsed) this.compact();
    return value;
  }

  /** Calls `fn` with each route's value. */
  forEachValue(fn: (value: number) => void): void {
    const index = this.index;
    for (let p = 0; p < index.length; p++) if (index[p] !== EMPTY) fn(this.vals[index[p] - 1]);
  }

  /** Every route as [key, value] (tests, debugging; allocates a string per route). */
  entriesList(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const index = this.index;
    for (let p = 0; p < index.length; p++) if (index[p] !== EMPTY) out.push([this.keyOf(index[p] - 1), this.vals[index[p] - 1]]);
    return out;
  }

  /** Compact copy of the routes, for snapshots: keys concatenated, their lengths, values. */
  dump(): RouteTableState {
    const lengths = new Uint16Array(this.size);
    const values = new Int32Array(this.size);
    let bytes = 0;
    const live: number[] = [];
    const index = this.index;
    for (let p = 0; p < index.length; p++) {
      if (index[p] === EMPTY) continue;
      const e = index[p] - 1;
      lengths[live.length] = this.lengths[e];
      values[live.length] = this.vals[e];
      bytes += this.lengths[e];
      live.push(e);
    }
    const keys = new Uint8Array(bytes);
    let at = 0;
    for (const e of live) {
      keys.set(this.arena.subarray(this.offsets[e], this.offsets[e] + this.lengths[e]), at);
      at += this.lengths[e];
    }
    return { keys, lengths, values };
  }

  static load(state: RouteTableState): RouteTable {
    const table = new RouteTable();
    let at = 0;
    for (let i = 0; i < state.lengths.length; i++) {
      const n = state.lengths[i];
      table.set(String.fromCharCode(...state.keys.subarray(at, at + n)), state.values[i]);
      at += n;
    }
    return table;
  }

  private keyOf(e: number): string {
    const o = this.offsets[e];
    return String.fromCharCode(...this.arena.subarray(o, o + this.lengths[e]));
  }

  /** Entry number of `key` (hash `h`), or -1; sets `position`. */
  private find(key: string, h: number): number {
    const index = this.index;
    const mask = this.mask;
    const n = key.length;
    let p = h & mask;
    for (;;) {
      const slot = index[p];
      if (slot === EMPTY) {
        this.position = p;
        return -1;
      }
      const e = slot - 1;
      if (this.hashes[e] === h && this.lengths[e] === n) {
        const arena = this.arena;
        const o = this.offsets[e];
        let i = 0;
        while (i < n && arena[o + i] === key.charCodeAt(i)) i++;
        if (i === n) {
          this.position = p;
          return e;
        }
      }
      p = (p + 1) & mask;
    }
  }

  private newEntry(key: string, h: number, value: number): number {
    let e: number;
    if (this.free.length > 0) e = this.free.pop() as number;
    else {
      e = this.entries++;
      if (e === this.vals.length) this.growEntries();
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
    this.hashes[e] = h;
    this.vals[e] = value;
    this.offsets[e] = o;
    this.lengths[e] = n;
    return e;
  }

  /** Empties index position `p` and shifts back the entries of its probe run (linear probing). */
  private removeAt(p: number): void {
    const index = this.index;
    const mask = this.mask;
    let hole = p;
    let q = (p + 1) & mask;
    while (index[q] !== EMPTY) {
      const home = this.hashes[index[q] - 1] & mask;
      // Move the entry at q into the hole unless its home lies cyclically in (hole, q].
      const inRange = hole <= q ? home > hole && home <= q : home > hole || home <= q;
      if (!inRange) {
        index[hole] = index[q];
        hole = q;
      }
      q = (q + 1) & mask;
    }
    index[hole] = EMPTY;
  }

  private rehash(capacity: number): void {
    const old = this.index;
    const index = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let p = 0; p < old.length; p++) {
      const slot = old[p];
      if (slot === EMPTY) continue;
      let q = this.hashes[slot - 1] & mask;
      while (index[q] !== EMPTY) q = (q + 1) & mask;
      index[q] = slot;
    }
    this.index = index;
    this.mask = mask;
  }

  private growEntries(): void {
    const n = this.vals.length * 2;
    const hashes = new Int32Array(n);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const vals = new Int32Array(n);
    vals.set(this.vals);
    this.vals = vals;
    const offsets = new Int32Array(n);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Uint16Array(n);
    lengths.set(this.lengths);
    this.lengths = lengths;
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
    for (let p = 0; p < index.length; p++) {
      if (index[p] === EMPTY) continue;
      const e = index[p] - 1;
      const o = this.offsets[e];
      const n = this.lengths[e];
      arena.set(this.arena.subarray(o, o + n), at);
      this.offsets[e] = at;
      at += n;
    }
    this.arena = arena;
    this.arenaUsed = at;
    this.arenaDead = 0;
  }
}
