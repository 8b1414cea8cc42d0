/**
 * The unchecked big-endian helpers against Buffer's checked ones: the same octets and values for
 * every 32-bit (and 16-bit) value, at any offset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { putU32, u16, u32 } from '../../../../services/codec/bgp/bytes.js';

test('putU32 writes what Buffer#writeUInt32BE writes, and u32 reads it back', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 12 }), (v, at) => {
      const ours = Buffer.alloc(16, 0xaa);
      const theirs = Buffer.alloc(16, 0xaa);
      putU32(ours, at, v);
      theirs.writeUInt32BE(v, at);
      assert.deepEqual(ours, theirs);
      assert.equal(u32(ours, at), v);
      assert.equal(u32(ours, at), theirs.readUInt32BE(at));
    }),
  );
  for (const v of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff]) {
    const b = Buffer.alloc(4);
    putU32(b, 0, v);
    assert.equal(b.readUInt32BE(0), v, `value ${v}`);
  }
});

test('u16 reads what Buffer#readUInt16BE reads', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), (v) => {
      const b = Buffer.alloc(3);
      b.writeUInt16BE(v, 1);
      assert.equal(u16(b, 1), v);
    }),
  );
});
