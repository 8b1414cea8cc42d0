/**
 * encodeRecord / decodeRecord: the Confluent wire format (magic 0, 4-octet big-endian schema id,
 * Avro binary), records of every topic round-tripping as they are (no renaming, plain values and
 * nulls in nullable fields), errors that name the mismatching path, reading data of an older
 * writer schema, and record keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AVRO_TOPICS,
  InvalidRecordError,
  decodeRecord,
  encodeRecord,
  parseSchema,
  readWireSchemaId,
  recordKey,
  recordMismatches,
  ribView,
  schemaFor,
  typeFor,
  type RecordOf,
} from '../../../services/kafka/avro/index.js';
import type { RouteEvent } from '../../../services/events/model.js';
import { FIXTURES, plain } from './fixtures.js';

for (const topic of AVRO_TOPICS) {
  describe(`${topic} records`, () => {
    for (const variant of ['full', 'minimal'] as const) {
      test(`${variant}: valid as is, and round-trips through the wire format`, () => {
        const record = FIXTURES[topic][variant];
        assert.deepEqual(recordMismatches(typeFor(topic), record), []);
        const wire = encodeRecord(topic, 0x01020304, record as RecordOf<typeof topic>);
        assert.deepEqual([...wire.subarray(0, 5)], [0, 1, 2, 3, 4], 'magic byte 0 then the schema id big-endian');
        assert.deepEqual(wire.subarray(5), typeFor(topic).toBuffer(record), 'then the plain Avro binary body');
        const decoded = decodeRecord(topic, wire);
        assert.equal(decoded.schemaId, 0x01020304);
        assert.deepStrictEqual(plain(decoded.value), plain(record));
      });
    }
  });
}

describe('wire header', () => {
  const record = FIXTURES.errors.minimal;

  test('schema ids 0 and 2^32-1 are written big-endian; others are refused', () => {
    assert.deepEqual([...encodeRecord('errors', 0, record).subarray(0, 5)], [0, 0, 0, 0, 0]);
    assert.deepEqual([...encodeRecord('errors', 0xffffffff, record).subarray(0, 5)], [0, 0xff, 0xff, 0xff, 0xff]);
    assert.equal(readWireSchemaId(encodeRecord('errors', 0xffffffff, record)), 0xffffffff);
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => encodeRecord('errors', bad, record), RangeError);
  });

  test('decodeRecord refuses a wrong magic byte, a short header, a truncated body and trailing octets', () => {
    const wire = encodeRecord('errors', 7, FIXTURES.errors.full);
    const wrongMagic = Buffer.from(wire);
    wrongMagic[0] = 1;
    assert.throws(() => decodeRecord('errors', wrongMagic), /magic byte 1/);
    assert.throws(() => decodeRecord('errors', wire.subarray(0, 4)), /4 octets/);
    assert.throws(() => decodeRecord('errors', wire.subarray(0, wire.length - 1)), /truncated|invalid/);
    assert.throws(() => decodeRecord('errors', Buffer.concat([wire, Buffer.from([0])])), /1 octets left/);
  });

  test('a record larger than the scratch buffer is encoded whole', () => {
    const big = { ...FIXTURES.errors.full, raw: Buffer.alloc(300_000, 0xab) };
    const wire = encodeRecord('errors', 1, big);
    assert.deepStrictEqual(plain(decodeRecord('errors', wire).value), plain(big));
    // And the next small record is still right.
    assert.deepStrictEqual(plain(decodeRecord('errors', encodeRecord('errors', 1, record)).value), plain(record));
  });

  test('decodeRecord takes an avsc Type instead of a topic', () => {
    const wire = encodeRecord('termination', 3, FIXTURES.termination.full);
    assert.deepStrictEqual(plain(decodeRecord(typeFor('termination'), wire).value), plain(FIXTURES.termination.full));
  });
});

describe('invalid records', () => {
  test('the error names the path of each mismatch', () => {
    const route = FIXTURES.route_monitoring.full as RouteEvent;
    const bad = { ...route, as_path: [route.as_path[0], { asn: '65001', segment: 'sequence' }], peer_type: 'bogus' };
    assert.throws(
      () => encodeRecord('route_monitoring', 1, bad as unknown as RouteEvent),
      (err: unknown) => {
        assert.ok(err instanceof InvalidRecordError);
        assert.deepEqual(err.paths.sort(), ['as_path.1.asn', 'peer_type']);
        assert.match(err.message, /as_path\.1\.asn: expected long, got "65001"/);
        return true;
      },
    );
  });

  test('a missing field without default is refused, a fractional long is refused; undefined takes the default', () => {
    const base = FIXTURES.initiation.minimal;
    const undef = encodeRecord('initiation', 1, { ...base, sys_name: undefined as unknown as null });
    assert.equal((decodeRecord('initiation', undef).value as { sys_name: unknown }).sys_name, null, 'Avro writes the field default');
    const { strings: _strings, ...missing } = base;
    assert.throws(() => encodeRecord('initiation', 1, missing as typeof base), /strings/);
    assert.throws(() => encodeRecord('errors', 1, { ...FIXTURES.errors.minimal, stream_offset: 1.5 }), /stream_offset/);
  });

  test('recordMismatches reports fields the schema does not declare', () => {
    const extra = { ...FIXTURES.errors.minimal, extra_field: 1 };
    assert.notDeepEqual(recordMismatches(typeFor('errors'), extra), []);
  });
});

test('data written with an older schema is read through a resolver (writer type given)', () => {
  // An "older" errors schema: without error_offset and fatal (fields the current schema must then default or not have).
  const older = structuredClone(schemaFor('errors')) as { fields: Array<{ name: string }> };
  older.fields = older.fields.filter((f) => f.name !== 'error_offset');
  const writer = parseSchema(older);
  const oldRecord = { ...FIXTURES.errors.full };
  delete (oldRecord as Partial<typeof oldRecord>).error_offset;
  const body = writer.toBuffer(oldRecord);
  const wire = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), body]);
  const decoded = decodeRecord('errors', wire, { writer });
  assert.equal(decoded.schemaId, 9);
  assert.deepStrictEqual(plain(decoded.value), plain({ ...FIXTURES.errors.full, error_offset: null }), 'the added nullable field reads as its default');
});

describe('record keys', () => {
  test('router-level topics are keyed by the router address', () => {
    for (const topic of ['initiation', 'termination', 'roft', 'errors', 'router'] as const) {
      assert.equal(recordKey(topic, FIXTURES[topic].minimal), '192.0.2.1', topic);
    }
  });

  test('per-peer topics are keyed by router, peer type, distinguisher, address and RIB view', () => {
    for (const topic of ['peer_up', 'peer_down', 'route_monitoring', 'stats', 'route_mirroring'] as const) {
      assert.equal(recordKey(topic, FIXTURES[topic].full), '2001:db8::1|1|4200000000:100|2001:db8:ffff::7|adj_rib_out_post', topic);
      assert.equal(recordKey(topic, FIXTURES[topic].minimal), '192.0.2.1|251|0:0|0.0.0.0|adj_rib_in_pre', topic);
    }
  });

  test('route_changes and prefix_flaps are keyed by the peer key of the peer they count, RIB view from their rib_view field', () => {
    for (const topic of ['route_changes', 'prefix_flaps'] as const) {
      assert.equal(recordKey(topic, FIXTURES[topic].full), '2001:db8::1|1|4200000000:100|2001:db8:ffff::7|adj_rib_out_post', topic);
      assert.equal(recordKey(topic, FIXTURES[topic].minimal), '192.0.2.1|251|0:0|0.0.0.0|adj_rib_in_pre', topic);
    }
  });

  test('RIB views', () => {
    const v = (code: number, post: boolean, out: boolean, filtered: boolean) =>
      ribView({ peer_type_code: code, is_post_policy: post, is_adj_rib_out: out, is_loc_rib_filtered: filtered });
    assert.equal(v(0, false, false, false), 'adj_rib_in_pre');
    assert.equal(v(0, true, false, false), 'adj_rib_in_post');
    assert.equal(v(2, false, true, false), 'adj_rib_out_pre');
    assert.equal(v(1, true, true, false), 'adj_rib_out_post');
    assert.equal(v(3, false, false, false), 'loc_rib');
    assert.equal(v(3, false, false, true), 'loc_rib_filtered');
  });
});
