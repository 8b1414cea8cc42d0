/**
 * Schema evolution: every current schema is BACKWARD compatible with its newest released version
 * (a reader with the new schema reads data written with the old one, the rule the registry
 * enforces), and so is each released version with the one before. The negative cases prove the
 * check catches the incompatible changes (type change, field added without default, enum symbol
 * removed without an enum default, renames without alias, nullable made required) and accepts the
 * compatible ones.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  AVRO_TOPICS,
  RELEASED_DIR,
  backwardCompatibilityProblems,
  newestReleased,
  readSchemaFile,
  releasedVersions,
  schemaFor,
} from '../../../services/kafka/avro/index.js';
import type { JsonObject } from './avro-json.js';

describe('current schemas against released versions', () => {
  test('released/ holds only <topic>.v<N>.avsc files of Avro topics, numbered from 1 without gaps', () => {
    const names = readdirSync(RELEASED_DIR).sort();
    const expected = AVRO_TOPICS.flatMap((t) => releasedVersions(t).map((v) => `${t}.v${v.version}.avsc`)).sort();
    assert.deepEqual(names, expected, 'stray files in released/');
    for (const topic of AVRO_TOPICS) {
      const versions = releasedVersions(topic).map((v) => v.version);
      assert.deepEqual(versions, versions.map((_, i) => i + 1), `${topic}: versions ${versions.join(',')}`);
    }
  });

  for (const topic of AVRO_TOPICS) {
    test(`${topic}: BACKWARD compatible with its newest released version`, () => {
      const released = newestReleased(topic);
      assert.ok(released, `${topic} has no released version`);
      assert.deepEqual(backwardCompatibilityProblems(schemaFor(topic), released.schema), []);
    });

    test(`${topic}: each released version BACKWARD compatible with the previous one`, () => {
      const versions = releasedVersions(topic);
      for (let i = 1; i < versions.length; i++) {
        const problems = backwardCompatibilityProblems(readSchemaFile(versions[i].path), readSchemaFile(versions[i - 1].path));
        assert.deepEqual(problems, [], `v${versions[i].version} against v${versions[i - 1].version}`);
      }
    });
  }
});

/** A mutable copy of a current schema. */
function copyOf(topic: (typeof AVRO_TOPICS)[number]): JsonObject {
  return structuredClone(schemaFor(topic)) as unknown as JsonObject;
}

function fields(record: JsonObject): JsonObject[] {
  return record.fields as JsonObject[];
}

function field(record: JsonObject, name: string): JsonObject {
  const f = fields(record).find((x) => x.name === name);
  assert.ok(f, `no field ${name}`);
  return f;
}

/** The inline definition of a named type somewhere in `schema`. */
function definition(schema: JsonObject, name: string): JsonObject {
  let found: JsonObject | undefined;
  const visit = (t: unknown): void => {
    if (found || t === null || typeof t !== 'object') return;
    if (Array.isArray(t)) return t.forEach(visit);
    const o = t as JsonObject;
    if (o.name === name && (o.type === 'record' || o.type === 'enum')) {
      found = o;
      return;
    }
    if (Array.isArray(o.fields)) for (const f of o.fields as JsonObject[]) visit(f.type);
    if (o.type === 'array') visit(o.items);
    if (typeof o.type === 'object') visit(o.type);
  };
  visit(schema);
  assert.ok(found, `no definition of ${name}`);
  return found;
}

describe('the check catches incompatible changes', () => {
  const old = schemaFor('route_monitoring');

  test('a field type change (long to string)', () => {
    const changed = copyOf('route_monitoring');
    field(changed, 'peer_as').type = 'string';
    assert.match(backwardCompatibilityProblems(changed, old).join('\n'), /cannot read/);
  });

  test('a narrowing (long to int)', () => {
    const changed = copyOf('route_monitoring');
    field(changed, 'med').type = ['null', 'int'];
    assert.match(backwardCompatibilityProblems(changed, old).join('\n'), /cannot read/);
  });

  test('a nullable field made required', () => {
    const changed = copyOf('route_monitoring');
    const f = field(changed, 'next_hop');
    f.type = 'string';
    delete f.default;
    assert.notDeepEqual(backwardCompatibilityProblems(changed, old), []);
  });

  test('a new field without default, at the top', () => {
    const changed = copyOf('route_monitoring');
    fields(changed).push({ name: 'rpki_state', type: 'string', doc: 'RPKI validation state' });
    const problems = backwardCompatibilityProblems(changed, old);
    assert.ok(problems.includes('field RouteEvent.rpki_state was added without a default'), problems.join('\n'));
    assert.match(problems.join('\n'), /cannot read data of the old one/);
  });

  test('a new field without default, in a nested record', () => {
    const changed = copyOf('route_monitoring');
    fields(definition(changed, 'AsPathHop')).push({ name: 'confed', type: 'boolean', doc: 'in a confederation segment' });
    const problems = backwardCompatibilityProblems(changed, old);
    assert.ok(problems.includes('field RouteEvent.as_path[].AsPathHop.confed was added without a default'), problems.join('\n'));
  });

  test('a new field without default in a record inside a nullable union', () => {
    const oldPeerUp = schemaFor('peer_up');
    const changed = copyOf('peer_up');
    fields(definition(changed, 'Open')).push({ name: 'extended_length', type: 'boolean', doc: 'RFC 9072 extended optional parameters' });
    const problems = backwardCompatibilityProblems(changed, oldPeerUp);
    assert.ok(problems.includes('field PeerUpEvent.sent_open.Open.extended_length was added without a default'), problems.join('\n'));
  });

  test('an enum symbol removed from an enum without default', () => {
    const changed = copyOf('route_monitoring');
    const action = definition(changed, 'RouteAction');
    action.symbols = ['announce', 'withdraw', 'unknown'];
    delete action.default;
    assert.match(backwardCompatibilityProblems(changed, old).join('\n'), /cannot read/);
  });

  test('a field renamed without alias', () => {
    const changed = copyOf('route_monitoring');
    field(changed, 'local_pref').name = 'local_preference';
    // A nullable field with default null: the new name reads as null, which the rule accepts...
    assert.deepEqual(backwardCompatibilityProblems(changed, old), []);
    // ...but a required one cannot be renamed without an alias.
    const required = copyOf('route_monitoring');
    field(required, 'peer_bgp_id').name = 'peer_router_id';
    assert.ok(backwardCompatibilityProblems(required, old).includes('field RouteEvent.peer_router_id was added without a default'));
  });

  test('the record renamed without alias', () => {
    const changed = copyOf('route_monitoring');
    changed.name = 'RouteRecord';
    assert.match(backwardCompatibilityProblems(changed, old).join('\n'), /no alias found|cannot read/);
  });

  test('a schema that does not parse', () => {
    const changed = copyOf('route_monitoring');
    field(changed, 'afi').type = 'integer';
    assert.match(backwardCompatibilityProblems(changed, old).join('\n'), /does not parse/);
  });
});

describe('the check accepts compatible changes', () => {
  const old = schemaFor('route_monitoring');

  test('a new nullable field with default null, and a new required field with a default', () => {
    const changed = copyOf('route_monitoring');
    fields(changed).push({ name: 'rpki_state', type: ['null', 'string'], default: null, doc: 'RPKI validation state' });
    fields(changed).push({ name: 'hop_count', type: 'int', default: 0, doc: 'AS path length' });
    fields(definition(changed, 'AsPathHop')).push({ name: 'confed', type: 'boolean', default: false, doc: 'in a confederation segment' });
    assert.deepEqual(backwardCompatibilityProblems(changed, old), []);
  });

  test('a removed field, an added enum symbol, int widened to long, a field renamed with alias', () => {
    const changed = copyOf('route_monitoring');
    changed.fields = fields(changed).filter((f) => f.name !== 'atomic_aggregate');
    const action = definition(changed, 'RouteAction');
    action.symbols = [...(action.symbols as string[]), 'implicit_withdraw'];
    field(changed, 'afi').type = 'long';
    const renamed = field(changed, 'family');
    renamed.name = 'family_name';
    renamed.aliases = ['family'];
    assert.deepEqual(backwardCompatibilityProblems(changed, old), []);
  });

  test('an enum symbol removed from an enum with a default (old data reads as the default)', () => {
    const changed = copyOf('route_monitoring');
    definition(changed, 'AsPathSegmentType').symbols = ['sequence', 'set', 'unknown'];
    assert.deepEqual(backwardCompatibilityProblems(changed, old), []);
  });
});
