/**
 * The Avro schemas themselves: one per Avro topic and nothing else in schemas/, each parses, has
 * the namespace and a doc on the record, every field and every named type, enums with a default,
 * nullable values as ["null", T] with default null, times as timestamp-micros longs, AS numbers
 * and counters as long; and the fields are the event model's, in the same order, with matching
 * nullability, arrays and value kinds (read from the TypeScript sources with the compiler's parser).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AVRO_TOPICS,
  SCHEMAS_DIR,
  SCHEMA_NAMESPACE,
  parseSchema,
  releasedVersions,
  schemaFor,
  topicSchema,
  type AvroTopic,
} from '../../../services/kafka/avro/index.js';
import { type JsonObject, namedTypes, recordsOf, shapeOf, typeDefinitions } from './avro-json.js';
import { TsInterfaces, type TsType } from './ts-interfaces.js';

const schemaJson = (topic: AvroTopic): JsonObject => schemaFor(topic) as unknown as JsonObject;

test('schemas/ holds one .avsc per Avro topic and nothing else', () => {
  const files = readdirSync(SCHEMAS_DIR)
    .filter((n) => n.endsWith('.avsc'))
    .sort();
  assert.deepEqual(files, AVRO_TOPICS.map((t) => `${t}.avsc`).sort());
});

test('there is no schema for the raw topic (its value is the OpenBMP binary framing)', () => {
  assert.ok(!(AVRO_TOPICS as readonly string[]).includes('raw'));
  assert.throws(() => topicSchema('raw' as AvroTopic), /no Avro schema/);
});

for (const topic of AVRO_TOPICS) {
  describe(`schema of ${topic}`, () => {
    const schema = schemaJson(topic);

    test('parses with avsc, as a record in the pipeline namespace', () => {
      const { type } = topicSchema(topic);
      assert.equal(type.typeName, 'record');
      assert.equal(schema.namespace, SCHEMA_NAMESPACE);
      assert.ok(type.name?.startsWith(`${SCHEMA_NAMESPACE}.`), type.name);
      // And the same JSON parses standalone (what the registry receives).
      parseSchema(JSON.parse(JSON.stringify(schema)) as object);
    });

    test('has a released v1', () => {
      assert.equal(releasedVersions(topic)[0]?.version, 1);
    });

    test('documents the record, every field and every named type', () => {
      const missing: string[] = [];
      for (const { path, def } of typeDefinitions(schema, String(schema.name))) {
        if (['record', 'enum', 'fixed', 'error'].includes(String(def.type)) && !nonEmpty(def.doc)) missing.push(`${path} (${String(def.name)})`);
        if (Array.isArray(def.fields)) {
          for (const f of def.fields as JsonObject[]) if (!nonEmpty(f.doc)) missing.push(`${path}.${String(f.name)}`);
        }
      }
      assert.deepEqual(missing, [], 'missing docs');
    });

    test('enums have a default symbol among their symbols', () => {
      for (const { path, def } of typeDefinitions(schema, String(schema.name))) {
        if (def.type !== 'enum') continue;
        const symbols = def.symbols as string[];
        assert.equal(typeof def.default, 'string', `${path}: enum ${String(def.name)} has no default`);
        assert.ok(symbols.includes(def.default as string), `${path}: default ${String(def.default)} not a symbol`);
      }
    });

    test('unions are only ["null", T] with default null', () => {
      for (const { path, record } of recordsOf(schema)) {
        for (const f of record.fields as JsonObject[]) {
          if (!Array.isArray(f.type)) continue;
          assert.equal(f.type.length, 2, `${path}.${String(f.name)}`);
          assert.equal(f.type[0], 'null', `${path}.${String(f.name)}: null must come first`);
          assert.ok('default' in f && f.default === null, `${path}.${String(f.name)}: default must be null`);
        }
      }
    });

    test('times are timestamp-micros longs; AS numbers, counters and offsets are longs', () => {
      const named = namedTypes(schema);
      for (const { path, record } of recordsOf(schema)) {
        for (const f of record.fields as JsonObject[]) {
          const name = String(f.name);
          const shape = shapeOf(f.type, named);
          if (TIME_FIELDS.has(name)) {
            assert.deepEqual(shape.base, { kind: 'primitive', name: 'long', logicalType: 'timestamp-micros' }, `${path}.${name}`);
          }
          const qualified = `${String(record.name).slice(String(record.name).lastIndexOf('.') + 1)}.${name}`;
          if (LONG_FIELDS.has(name) || LONG_FIELDS.has(qualified)) {
            assert.ok(shape.base.kind === 'primitive' && shape.base.name === 'long', `${path}.${name} must be long`);
          }
        }
      }
    });
  });
}

/** Fields holding times (microseconds since the epoch). */
const TIME_FIELDS = new Set(['bmp_timestamp', 'timestamp']);
/** Fields (by name, or Record.field) whose values exceed a 32-bit signed int: AS numbers, 32-bit unsigned values, counters, offsets. */
const LONG_FIELDS = new Set([
  'sequence',
  'peer_as',
  'asn',
  'path_id',
  'med',
  'local_pref',
  'aggregator_as',
  'aigp',
  'otc',
  'Stat.value',
  'stream_offset',
  'error_offset',
  'bytes_received',
  'messages_received',
]);

function nonEmpty(doc: unknown): boolean {
  return typeof doc === 'string' && doc.trim().length > 10;
}

describe('fields match the TypeScript records', () => {
  const model = fileURLToPath(new URL('../../../services/events/model.ts', import.meta.url));
  const records = fileURLToPath(new URL('../../../services/kafka/avro/records.ts', import.meta.url));
  // The route-change aggregator's records, and the RibView type they use.
  const routeChanges = fileURLToPath(new URL('../../../services/route-changes/model.ts', import.meta.url));
  const topics = fileURLToPath(new URL('../../../services/kafka/avro/topics.ts', import.meta.url));
  const ts = new TsInterfaces([model, records, routeChanges, topics]);
  const byTopic = new Map([
    ...ts.topicMap('EventByTopic'),
    ...[...ts.topicMap('CollectorRecordByTopic'), ...ts.topicMap('DerivedRecordByTopic')].filter(([t]) => !ts.topicMap('EventByTopic').has(t)),
  ]);

  test('every Avro topic has a TypeScript record and vice versa', () => {
    assert.deepEqual([...byTopic.keys()].sort(), [...AVRO_TOPICS].sort());
  });

  for (const topic of AVRO_TOPICS) {
    test(`${topic}: ${byTopic.get(topic)} field by field, nested records included`, () => {
      const iface = byTopic.get(topic);
      assert.ok(iface, `no TypeScript record for ${topic}`);
      const schema = schemaJson(topic);
      const problems = compareRecord(ts, iface, schema, namedTypes(schema), String(schema.name));
      assert.deepEqual(problems, []);
    });
  }
});

test('the field comparison catches a reordered field, a nullability change and a wrong kind', () => {
  const model = fileURLToPath(new URL('../../../services/events/model.ts', import.meta.url));
  const ts = new TsInterfaces([model]);
  const base = structuredClone(schemaJson('errors'));
  const check = (mutate: (fields: JsonObject[]) => void): string[] => {
    const copy = structuredClone(base);
    mutate(copy.fields as JsonObject[]);
    return compareRecord(ts, 'ErrorEvent', copy, namedTypes(copy), 'ErrorEvent');
  };
  assert.deepEqual(check(() => undefined), []);
  assert.match(check((f) => f.reverse()).join('\n'), /fields differ/);
  assert.match(check((f) => (f[2].type = 'int')).join('\n'), /message_type: nullable in TypeScript only/);
  assert.match(check((f) => (f[6].type = 'string')).join('\n'), /fatal: boolean in TypeScript/);
  assert.match(check((f) => (f[7].type = 'string')).join('\n'), /raw: Buffer in TypeScript/);
  const routes = new TsInterfaces([model]);
  const rm = structuredClone(schemaJson('route_monitoring'));
  const action = (rm.fields as JsonObject[]).find((f) => f.name === 'action') as JsonObject;
  (action.type as JsonObject).symbols = ['announce', 'withdraw', 'unknown'];
  assert.match(compareRecord(routes, 'RouteEvent', rm, namedTypes(rm), 'RouteEvent').join('\n'), /lacks end_of_rib/);
});

/** Differences between a TypeScript interface and an Avro record (names, order, shapes). */
function compareRecord(ts: TsInterfaces, iface: string, record: JsonObject, named: Map<string, JsonObject>, path: string): string[] {
  const props = ts.properties(iface);
  const fields = record.fields as JsonObject[];
  const problems: string[] = [];
  const tsNames = props.map((p) => p.name);
  const avroNames = fields.map((f) => String(f.name));
  if (tsNames.join(',') !== avroNames.join(',')) {
    problems.push(`${path}: fields differ from ${iface}:\n  ts:   ${tsNames.join(', ')}\n  avro: ${avroNames.join(', ')}`);
    return problems;
  }
  for (let i = 0; i < props.length; i++) {
    const where = `${path}.${props[i].name}`;
    problems.push(...compareType(ts, props[i].type, shapeOf(fields[i].type, named), named, where));
  }
  return problems;
}

function compareType(ts: TsInterfaces, t: TsType, a: ReturnType<typeof shapeOf>, named: Map<string, JsonObject>, where: string): string[] {
  if (t.nullable !== a.nullable) return [`${where}: nullable in ${t.nullable ? 'TypeScript' : 'Avro'} only`];
  if (t.array !== a.array) return [`${where}: array in ${t.array ? 'TypeScript' : 'Avro'} only`];
  const where2 = t.array ? `${where}[]` : where;
  const b = a.base;
  switch (t.base.kind) {
    case 'string':
      return b.kind === 'primitive' && b.name === 'string' ? [] : [`${where2}: string in TypeScript, not in Avro`];
    case 'boolean':
      return b.kind === 'primitive' && b.name === 'boolean' ? [] : [`${where2}: boolean in TypeScript, not in Avro`];
    case 'buffer':
      return b.kind === 'primitive' && b.name === 'bytes' ? [] : [`${where2}: Buffer in TypeScript, not bytes in Avro`];
    case 'number':
      return b.kind === 'primitive' && ['int', 'long', 'double'].includes(b.name) ? [] : [`${where2}: number in TypeScript, not int/long/double in Avro`];
    case 'literals': {
      if (b.kind !== 'enum') return [`${where2}: string literals in TypeScript, not an enum in Avro`];
      const symbols = b.schema.symbols as string[];
      const missing = t.base.values.filter((v) => !symbols.includes(v));
      return missing.length === 0 ? [] : [`${where2}: enum ${String(b.schema.name)} lacks ${missing.join(', ')}`];
    }
    case 'interface':
      if (b.kind !== 'record') return [`${where2}: ${t.base.name} in TypeScript, not a record in Avro`];
      return compareRecord(ts, t.base.name, b.schema, named, `${where2}(${String(b.schema.name)})`);
    case 'unsupported':
      return [`${where2}: TypeScript type ${t.base.text} has no Avro counterpart in this test`];
  }
}
