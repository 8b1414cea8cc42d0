import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReorderBuffer, type OrderKey } from '../../../services/route-changes/reorder.js';

const key = (ts: number, rank = 1, seq = 0): OrderKey => ({ ts, rank, seq });

describe('ReorderBuffer', () => {
  it('merges sources by record time, waiting for every known source to pass it', () => {
    const b = new ReorderBuffer<string>(0);
    const out: string[] = [];
    const rel = (s: string) => out.push(s);
    b.tick(1000, { rm: false, pd: false }, rel);
    b.push(key(10), 'rm', 'r10', rel);
    b.push(key(20), 'rm', 'r20', rel);
    b.push(key(30), 'rm', 'r30', rel);
    assert.deepEqual(out, [], 'pd has shown nothing yet: everything waits');
    b.push(key(15), 'pd', 'd15', rel);
    assert.deepEqual(out, ['r10'], 'only what both have passed');
    b.push(key(25), 'pd', 'd25', rel);
    assert.deepEqual(out, ['r10', 'd15', 'r20']);
    b.tick(1000, { rm: true, pd: true }, rel);
    assert.deepEqual(out, ['r10', 'd15', 'r20', 'd25', 'r30'], 'both complete: all released in order');
  });

  it('orders ties by rank then sequence; a record behind a released one is late and passed on', () => {
    const b = new ReorderBuffer<string>(100);
    const out: string[] = [];
    const rel = (s: string) => out.push(s);
    b.push(key(50, 2), 'router', 'disconnected', rel);
    b.push(key(50, 1, 7), 'rm', 'seq7', rel);
    b.push(key(50, 1, 3), 'pd', 'seq3', rel);
    b.push(key(50, 0), 'router', 'connected', rel);
    assert.deepEqual(out, []);
    b.tick(1000, { router: true, rm: true, pd: true }, rel);
    assert.deepEqual(out, ['connected', 'seq3', 'seq7', 'disconnected']);
    b.push(key(40), 'rm', 'old', rel);
    assert.deepEqual(out.at(-1), 'old');
    assert.equal(b.late, 1);
    // A complete source is taken to bring nothing before wall - grace.
    b.push(key(880), 'rm', 'r880', rel);
    b.push(key(920), 'rm', 'r920', rel);
    b.tick(1000, { router: true, rm: true, pd: true }, rel);
    assert.deepEqual(out.at(-1), 'r880', 'every source complete at 1000, less the 100 ms grace: up to 900');
    b.tick(1100, { router: true, rm: true, pd: true }, rel);
    assert.deepEqual(out.at(-1), 'r920');
    assert.equal(b.size, 0);
  });

  it('its state survives a round trip and goes on the same way', () => {
    const feed = (b: ReorderBuffer<string>, rel: (s: string) => void, from: number) => {
      for (let i = from; i < from + 5; i++) b.push(key(i * 10 + (i % 2 === 0 ? 5 : 0)), i % 3 === 0 ? 'a' : 'b', `x${i}`, rel);
    };
    const a = new ReorderBuffer<string>(0);
    const outA: string[] = [];
    feed(a, (s) => outA.push(s), 0);
    const copy = new ReorderBuffer<string>(0, structuredClone(a.state()));
    const outB = [...outA];
    feed(a, (s) => outA.push(s), 5);
    feed(copy, (s) => outB.push(s), 5);
    a.flush((s) => outA.push(s));
    copy.flush((s) => outB.push(s));
    assert.deepEqual(outB, outA);
    assert.equal(outA.length, 10);
  });
});
