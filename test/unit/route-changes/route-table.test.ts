/**
 * The typed-array route table against a Map: random sets, deletes and lookups over a small key
 * space (many collisions in probe runs, growth, deletions by backward shift, arena compaction),
 * and the snapshot form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RouteTable } from '../../../services/route-changes/route-table.js';

const key = fc.oneof(
  fc.integer({ min: 0, max: 300 }).map((i) => `10.${i >> 8}.${i & 255}.0/24`),
  fc.integer({ min: 0, max: 50 }).map((i) => `2001:db8:${i.toString(16)}::/48#${i % 3}`),
  fc.integer({ min: 0, max: 20 }).map((i) => `64500:${i} 192.0.2.${i}/32`),
);
const op = fc.record({ kind: fc.constantFrom('set', 'set', 'delete', 'get'), key, value: fc.integer({ min: 0, max: 1000 }) });

test('property: behaves like a Map<string, number>', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
      const t = new RouteTable();
      const m = new Map<string, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          assert.equal(t.set(o.key, o.value), m.get(o.key) ?? -1);
          m.set(o.key, o.value);
        } else if (o.kind === 'delete') {
          assert.equal(t.delete(o.key), m.get(o.key) ?? -1);
          m.delete(o.key);
        } else {
          assert.equal(t.get(o.key), m.get(o.key) ?? -1);
        }
        assert.equal(t.size, m.size);
      }
      assert.deepEqual(new Map(t.entriesList()), m);
      let sum = 0;
      t.forEachValue((v) => (sum += v));
      assert.equal(sum, [...m.values()].reduce((a, b) => a + b, 0));
      const u = RouteTable.load(t.dump());
      assert.deepEqual(new Map(u.entriesList()), m);
      // The loaded table goes on working: the same operations again, against the Map.
      for (const o of ops) {
        if (o.kind === 'set') {
          assert.equal(u.set(o.key, o.value + 1), m.get(o.key) ?? -1);
          m.set(o.key, o.value + 1);
        } else if (o.kind === 'delete') {
          assert.equal(u.delete(o.key), m.get(o.key) ?? -1);
          m.delete(o.key);
        } else {
          assert.equal(u.get(o.key), m.get(o.key) ?? -1);
        }
      }
      assert.deepEqual(new Map(u.entriesList()), m);
    }),
    { numRuns: 100 },
  );
});

test('many routes: growth, then deleting most of them compacts the key arena and keeps the rest', () => {
  const t = new RouteTable();
  const n = 60_000;
  for (let i = 0; i < n; i++) assert.equal(t.set(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`, i), -1);
  assert.equal(t.size, n);
  for (let i = 0; i < n; i++) if (i % 10 !== 0) assert.equal(t.delete(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`), i);
  assert.equal(t.size, n / 10);
  for (let i = 0; i < n; i++) assert.equal(t.get(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`), i % 10 === 0 ? i : -1);
});

test('dump and load keep entry numbers when nothing was deleted (window slots rely on it)', () => {
  const t = new RouteTable();
  for (let i = 0; i < 100; i++) t.getOrInsert(`10.0.${i}.0/24#${i}`, i);
  const u = RouteTable.load(t.dump());
  for (let i = 0; i < 100; i++) assert.equal(u.keyAt(i), `10.0.${i}.0/24#${i}`);
  assert.equal(u.getOrInsert('10.0.5.0/24#5', 999), 5);
  assert.equal(u.getOrInsert('10.9.9.0/24', 100), -1);
  assert.equal(u.keyAt(100), '10.9.9.0/24');
});

test('a key that is not ASCII is refused', () => {
  assert.throws(() => new RouteTable().set('10.0.0.0/8é', 1), /not ASCII/);
});
