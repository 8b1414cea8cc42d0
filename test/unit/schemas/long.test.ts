/**
 * The pipeline's Avro long (services/kafka/avro/long.ts): byte-identical to avsc's long in the
 * safe range, 64-bit values written as the double they are (and saturated at 2^63 - 1024), larger
 * longs read as the nearest double instead of failing. Pins the avsc internals it relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { MAX_WIDE_LONG, WIDE_LONG } from '../../../services/kafka/avro/long.js';
import { parseSchema, typeFor } from '../../../services/kafka/avro/index.js';

const avscLong = avro.Type.forSchema('long');

test('every long of the parsed schemas is the wide long', () => {
  const type = parseSchema({ type: 'record', name: 'R', fields: [
    { name: 'a', type: 'long' },
    { name: 'b', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
    { name: 'c', type: { type: 'array', items: 'long' } },
  ] }) as unknown as { fields: Array<{ type: { types?: unknown[]; itemsType?: unknown } }> };
  assert.equal(type.fields[0].type, WIDE_LONG);
  assert.equal(type.fields[1].type.types?.[1], WIDE_LONG);
  assert.equal(type.fields[2].type.itemsType, WIDE_LONG);
  assert.equal(WIDE_LONG.typeName, 'long');
  assert.deepEqual(WIDE_LONG.schema(), 'long');
});

test('in the safe range it encodes exactly as avsc does', () => {
  for (const n of [0, 1, -1, 63, 64, -65, 2 ** 31, 2 ** 32 - 1, 1_700_000_000_123_456, 2 ** 53 - 2, -(2 ** 52)]) {
    assert.deepEqual(WIDE_LONG.toBuffer(n), avscLong.toBuffer(n), String(n));
    assert.equal(WIDE_LONG.fromBuffer(avscLong.toBuffer(n)), n);
  }
});

test('integer-valued doubles up to 2^63 round-trip exactly, as the varint of their value', () => {
  for (const n of [2 ** 53, 2 ** 53 + 2, 2 ** 60, 2 ** 62 + 2 ** 20, MAX_WIDE_LONG]) {
    const buf = WIDE_LONG.toBuffer(n);
    assert.equal(WIDE_LONG.fromBuffer(buf), n, String(n));
    // Zigzag varint: the value times two, 7 bits per octet, least significant first.
    let v = BigInt(n) * 2n;
    const expected: number[] = [];
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      expected.push(v > 0n ? low | 0x80 : low);
    } while (v > 0n);
    assert.deepEqual([...buf], expected, `varint of ${n}`);
  }
});

test('64-bit values beyond an Avro long saturate; what no long can be is refused', () => {
  const u64max = Number(2n ** 64n - 1n);
  assert.equal(WIDE_LONG.fromBuffer(WIDE_LONG.toBuffer(u64max)), MAX_WIDE_LONG);
  assert.equal(MAX_WIDE_LONG, 9223372036854774784);
  assert.ok(WIDE_LONG.isValid(u64max));
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -(2 ** 52) - 1, -(2 ** 60), '1', null, 10n]) {
    assert.equal(WIDE_LONG.isValid(bad), false, String(bad));
    assert.throws(() => WIDE_LONG.toBuffer(bad), /invalid/, String(bad));
  }
});

test('a long beyond 2^53 written by another producer reads as the nearest double', () => {
  // 2^60 + 1 (not a double): zigzag 2^61 + 2 as a varint.
  let v = (2n ** 60n + 1n) * 2n;
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  assert.throws(() => avscLong.fromBuffer(Buffer.from(bytes)), /precision/);
  assert.equal(WIDE_LONG.fromBuffer(Buffer.from(bytes)), 2 ** 60);
});

test('a Statistics Report gauge of 2^64 - 1 and an AIGP of 2^60 are publishable', () => {
  const stats = typeFor('stats');
  assert.ok(stats.isValid({
    router_address: '192.0.2.1', sequence: 0, peer_type: 'global', peer_type_code: 0, peer_distinguisher: '0:0',
    peer_address: '192.0.2.2', peer_as: 65001, peer_bgp_id: '192.0.2.2', is_post_policy: false, is_adj_rib_out: false,
    is_loc_rib_filtered: false, is_as2: false, bmp_timestamp: null, table_name: null,
    stats: [{ type: 7, name: 'routes_in_adj_rib_in', value: Number(2n ** 64n - 1n), afi: null, safi: null, raw: null }],
  }));
});
