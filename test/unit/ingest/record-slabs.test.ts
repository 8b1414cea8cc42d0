/**
 * Record slabs (services/ingest/record-slabs.ts): a decode worker's packer hands out its steps as
 * ranges of shared slabs, and starts a slab again only once every range of it has been released;
 * until then a range's octets never change. With no slab free, or a step larger than a slab, a
 * step comes in a buffer of its own, and the next goes back to the slabs. A run of packed
 * records releases its range once all its records are acknowledged, once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PackedRecords, RecordPacker, SESSION_TOPICS } from '../../../services/ingest/decode-worker-protocol.js';
import { createRecordSlabs, releaseSlabRange, slabOctets, SlabPool, type RecordSlabs, type SlabRange } from '../../../services/ingest/record-slabs.js';
import type { PlacedValue, SessionTopic } from '../../../services/ingest/session-pipeline.js';

const KEYS = ['a', 'b', 'c'];

/** A step handed out: its octets as the event loop sees them (a view while lent), and a copy made then. */
interface Held {
  step: SlabRange | Uint8Array;
  octets: Uint8Array;
  copy: Buffer;
}

function octetsOf(slabs: RecordSlabs, step: SlabRange | Uint8Array): Uint8Array {
  return step instanceof Uint8Array ? step : slabOctets(slabs, step);
}

/** The records of packed octets, as comparable texts. */
function records(octets: Uint8Array): string[] {
  const run = new PackedRecords(octets, KEYS, SESSION_TOPICS);
  return Array.from({ length: run.length }, (_, i) => {
    const r = run.record(i);
    return `${r.topic} ${String(r.key)} ${r.timestamp} ${Buffer.from(r.value).toString('hex')}`;
  });
}

/** A placed value that asks for room as an encoder does: -1 until all of it fits. */
function placed(bytes: Uint8Array): PlacedValue {
  return {
    writeAt(buf: Buffer, at: number): number {
      if (at + bytes.length > buf.length) return -1;
      buf.set(bytes, at);
      return at + bytes.length;
    },
  };
}

const recordArb = fc.record({
  topic: fc.constantFrom<SessionTopic>(...SESSION_TOPICS),
  key: fc.integer({ min: 0, max: 2 }),
  // Mostly small; now and then larger than a slab (4 KiB here).
  value: fc.oneof({ weight: 8, arbitrary: fc.uint8Array({ maxLength: 600 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 3000, maxLength: 9000 }) }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  place: fc.boolean(),
});

test('a slab range keeps its octets until released, whatever is packed meanwhile, and reads back as the records packed (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ records: fc.array(recordArb, { maxLength: 12 }), releases: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 30 }),
      (steps) => {
        const slabs = createRecordSlabs(4, 4096);
        const packer = new RecordPacker(new SlabPool(slabs));
        const plain = new RecordPacker();
        const held: Held[] = [];
        for (const step of steps) {
          for (const r of step.records) {
            for (const p of [packer, plain]) {
              if (r.place) p.addPlaced(r.topic, r.key, placed(r.value), r.timestamp);
              else p.add(r.topic, r.key, Buffer.from(r.value), r.timestamp);
            }
          }
          const out = packer.takeStep();
          const expected = plain.take();
          if (out === null) {
            assert.equal(expected, null);
          } else {
            const octets = octetsOf(slabs, out);
            // The same records as a packer without slabs packs.
            assert.deepEqual(records(octets), records(expected!));
            held.push({ step: out, octets, copy: Buffer.from(octets) });
          }
          // Ranges released in any order; those still held must be as they were handed out.
          for (const pick of step.releases) {
            if (held.length === 0) break;
            const [gone] = held.splice(pick % held.length, 1);
            assert.deepEqual(Buffer.from(gone.octets), gone.copy, 'unchanged until released');
            if (!(gone.step instanceof Uint8Array)) releaseSlabRange(slabs, gone.step);
          }
          for (const h of held) assert.deepEqual(Buffer.from(h.octets), h.copy, 'a range still held is unchanged');
        }
      },
    ),
    // Shrinking a failure of this property can take minutes: bounded, a failure is reported as found by then.
    { numRuns: 150, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true },
  );
});

test('steps follow one another in a slab, 8-aligned; a slab is started again once all of it is released; meanwhile, buffers of the packer\'s own', () => {
  const slabs = createRecordSlabs(2, 1024);
  const packer = new RecordPacker(new SlabPool(slabs));
  /** A step of one record of `size` value octets (17 more packed). */
  const step = (size: number): SlabRange | Uint8Array => {
    packer.add('raw', 0, Buffer.alloc(size, 7), 1);
    return packer.takeStep()!;
  };
  const a = step(383);
  const b = step(383);
  const c = step(383);
  const d = step(383);
  assert.deepEqual([a, b, c, d], [
    { slab: 0, start: 0, end: 400 },
    { slab: 0, start: 400, end: 800 },
    { slab: 1, start: 0, end: 400 },
    { slab: 1, start: 400, end: 800 },
  ]);
  // No room left in slab 1, and slab 0 is held: a buffer of the packer's own.
  const e = step(383);
  assert.ok(e instanceof Uint8Array, 'no slab free');
  assert.equal(records(e).length, 1);
  releaseSlabRange(slabs, a as SlabRange);
  assert.ok(step(383) instanceof Uint8Array, 'slab 0 still partly held');
  releaseSlabRange(slabs, b as SlabRange);
  assert.deepEqual(step(383), { slab: 0, start: 0, end: 400 }, 'slab 0, started again');
  // Each step starts at a multiple of 8 (the copy goes a word at a time).
  assert.deepEqual(step(10), { slab: 0, start: 400, end: 427 });
  assert.deepEqual(step(10), { slab: 0, start: 432, end: 459 });
  // A step larger than a slab: a buffer of its own; the next goes on where the slab was.
  assert.ok(step(2000) instanceof Uint8Array);
  assert.deepEqual(step(10), { slab: 0, start: 464, end: 491 });
  // Slab 0 full: the lowest free slab, slab 1, released meanwhile.
  releaseSlabRange(slabs, c as SlabRange);
  releaseSlabRange(slabs, d as SlabRange);
  assert.deepEqual(step(600), { slab: 1, start: 0, end: 617 });
  // The ranges handed out read back as their records.
  assert.deepEqual(records(slabOctets(slabs, { slab: 1, start: 0, end: 617 })), [`raw a 1 ${'07'.repeat(600)}`]);
});

test('a packer with slabs hands out steps with takeStep only; bad ranges are refused', () => {
  const slabs = createRecordSlabs(1, 64);
  const packer = new RecordPacker(new SlabPool(slabs));
  assert.throws(() => packer.take(), /takeStep/);
  assert.equal(packer.takeStep(), null);
  assert.throws(() => slabOctets(slabs, { slab: 1, start: 0, end: 1 }), /no such slab range/);
  assert.throws(() => slabOctets(slabs, { slab: 0, start: 10, end: 65 }), /no such slab range/);
  assert.throws(() => slabOctets(slabs, { slab: 0, start: 10, end: 9 }), /no such slab range/);
  assert.throws(() => createRecordSlabs(0, 64), RangeError);
});

test('a run of packed records releases its octets once, when the last of its records is acknowledged', () => {
  const packer = new RecordPacker();
  for (let i = 0; i < 5; i++) packer.add('route_monitoring', 0, Buffer.from(`v${i}`), i);
  let released = 0;
  const run = new PackedRecords(packer.take()!, KEYS, SESSION_TOPICS, () => released++);
  run.acknowledged(2);
  run.acknowledged(2);
  assert.equal(released, 0, '4 of 5 acknowledged');
  run.acknowledged(1);
  assert.equal(released, 1);
  run.acknowledged(1);
  assert.equal(released, 1, 'once');
  // Without a release (octets the run owns), acknowledging all of it has nothing to call.
  const own = new PackedRecords(Buffer.alloc(0), KEYS, SESSION_TOPICS);
  assert.doesNotThrow(() => own.acknowledged(1));
});
