/** writeUtf8 (services/kafka/avro/utf8.ts) writes what Buffer#write writes, for any text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeUtf8 } from '../../../services/kafka/avro/utf8.js';

test('writeUtf8 writes the octets of Buffer#write and returns their count, ASCII or not, short or long', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    // Lone surrogates: both must write U+FFFD.
    fc.string({ unit: 'binary', maxLength: 70 }),
    fc.constantFrom('', '192.0.2.0/24', '2001:db8::/32', 'x'.repeat(64), 'x'.repeat(65), `${'x'.repeat(63)}é`),
  );
  fc.assert(
    fc.property(text, fc.nat(9), (s, at) => {
      const expected = Buffer.alloc(at + s.length * 3, 0xaa);
      const n = expected.write(s, at, 'utf8');
      const actual = Buffer.alloc(at + s.length * 3, 0xaa);
      assert.equal(writeUtf8(actual, s, at), n);
      assert.deepEqual(actual, expected);
    }),
    { numRuns: 2000 },
  );
});
