/** writeVarint (services/kafka/avro/varint.ts) writes the Avro varint of any zig-zag value it is for. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import avro from 'avsc';
import { writeVarint } from '../../../services/kafka/avro/varint.js';

/** 7 bits a byte, low group first, high bit on all but the last (BigInt: no rounding anywhere). */
function reference(z: bigint): number[] {
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return out;
}

function written(z: number, at = 0): number[] {
  const buf = new Uint8Array(at + 10);
  const end = writeVarint(buf, at, z);
  return [...buf.subarray(at, end)];
}

test('writeVarint: the varint of every zig-zag value from 0 to 2^54, at any position', () => {
  const edges = [0, 1, 127, 128, 2 ** 14, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 - 1, 2 ** 35, 2 ** 49, 2 ** 53, 2 ** 54 - 2, 2 ** 54];
  for (const z of edges) assert.deepEqual(written(z), reference(BigInt(z)), `z = ${z}`);
  fc.assert(
    // Above 2^53 a double holds only even integers: the zig-zag values of non-negative longs.
    fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 53n }), fc.bigInt({ min: 0n, max: 2n ** 53n }).map((k) => 2n * k)), fc.nat(20), (z, at) => {
      assert.deepEqual(written(Number(z), at), reference(z));
    }),
    { numRuns: 5000 },
  );
});

test('writeVarint of a long\'s zig-zag value is avsc\'s encoding of that long', () => {
  const long = avro.Type.forSchema('long');
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (n) => {
      const z = n >= 0 ? n * 2 : -n * 2 - 1;
      assert.deepEqual(Buffer.from(written(z)), long.toBuffer(n));
    }),
    { numRuns: 2000 },
  );
});
