/**
 * The Avro value schemas of the pipeline's topics. `schemas/<topic>.avsc` at the repository root is
 * the source of truth (one record per topic, namespace net.bmp_pipeline.v1); this module reads
 * those files from the package root (found from this module's location, so that the sources and
 * their build in dist/ read the same files) and parses each once into an avsc Type.
 *
 * Parsing choices, shared by everything that reads or writes the records:
 *  - `wrapUnions: false`: a nullable field ["null", T] takes a plain value or null, exactly what
 *    the session decoder emits (no {"string": ...} wrapping);
 *  - no logical-type implementations: `timestamp-micros` stays a plain long, so a timestamp is a
 *    JS number of microseconds (safe up to 2^53, far beyond any date we will see);
 *  - longs are numbers too (long.ts): exact up to 2^53 like avsc's own long, and the rare larger
 *    value (a 64-bit gauge) written as the double it is rather than refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import type { RecordByTopic } from './records.js';
import { wideLongHook } from './long.js';

/**
 * The package root: the nearest directory above this module with a package.json. The sources
 * (services/kafka/avro/) and their build (dist/services/kafka/avro/, `npm run build`) are at
 * different depths below it; the schemas are not copied into the build.
 */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: cannot find the schemas/ directory`);
  }
}

/** Directory of the .avsc files: `schemas/` at the repository root. */
export const SCHEMAS_DIR = join(packageRoot(), 'schemas') + '/';

/** Released schema versions: `schemas/released/<topic>.v<N>.avsc`, never edited once written. */
export const RELEASED_DIR = join(SCHEMAS_DIR, 'released') + '/';

/** Namespace of every record and named type of the schemas. */
export const SCHEMA_NAMESPACE = 'net.bmp_pipeline.v1';

/** Every topic whose values are Avro records (in catalogue order). The `raw` topic is not one. */
export const AVRO_TOPICS = [
  'initiation',
  'termination',
  'peer_up',
  'peer_down',
  'route_monitoring',
  'stats',
  'route_mirroring',
  'roft',
  'errors',
  'router',
  'peer_state',
  'route_changes',
  'prefix_flaps',
] as const satisfies ReadonlyArray<keyof RecordByTopic>;

export type AvroTopic = (typeof AVRO_TOPICS)[number];

/** Topics derived by the consumer services (services/peer-state) rather than written by ingest. */
export const DERIVED_TOPICS = ['peer_state', 'route_changes', 'prefix_flaps'] as const satisfies ReadonlyArray<AvroTopic>;

/** The Avro topics ingest creates, registers and writes. */
export type IngestTopic = Exclude<AvroTopic, (typeof DERIVED_TOPICS)[number]>;
export const INGEST_TOPICS: readonly IngestTopic[] = AVRO_TOPICS.filter((t): t is IngestTopic => !(DERIVED_TOPICS as readonly string[]).includes(t));

// Compile-time check that AVRO_TOPICS names every event topic and every collector record.
type Missing = Exclude<keyof RecordByTopic, AvroTopic>;
const _everyTopicListed: Missing extends never ? true : Missing = true;
void _everyTopicListed;

/** A parsed .avsc file: the JSON object as written (what gets registered). */
export type AvroSchema = Readonly<Record<string, unknown>>;

/** Parsed schema of a topic with its avsc Type and the named types it defines. */
export interface TopicSchema {
  topic: AvroTopic;
  schema: AvroSchema;
  type: Type;
  /** Named types by full name, e.g. "net.bmp_pipeline.v1.PeerType" (avsc's registry). */
  namedTypes: Readonly<Record<string, Type>>;
}

/** Parses an Avro schema object the way the pipeline does (see the module comment). */
export function parseSchema(schema: object, registry: Record<string, Type> = {}): Type {
  // avsc may annotate the schema object it is given: hand it a copy (the files' objects are frozen).
  return avro.Type.forSchema(structuredClone(schema) as Schema, { wrapUnions: false, registry, typeHook: wideLongHook });
}

/** Reads and parses one .avsc file into its JSON object (deep-frozen: it is shared). */
export function readSchemaFile(path: string): AvroSchema {
  return deepFreeze(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
}

/** Path of the current schema of a topic. */
export function schemaPath(topic: AvroTopic): string {
  return `${SCHEMAS_DIR}${topic}.avsc`;
}

const loaded = new Map<AvroTopic, TopicSchema>();

/** The schema of `topic`, loaded and parsed on first use. Throws on an unknown topic. */
export function topicSchema(topic: AvroTopic): TopicSchema {
  let entry = loaded.get(topic);
  if (entry === undefined) {
    if (!(AVRO_TOPICS as readonly string[]).includes(topic)) throw new Error(`no Avro schema for topic ${JSON.stringify(topic)}`);
    const schema = readSchemaFile(schemaPath(topic));
    const namedTypes: Record<string, Type> = {};
    const type = parseSchema(schema, namedTypes);
    entry = { topic, schema, type, namedTypes: Object.freeze(namedTypes) };
    loaded.set(topic, entry);
  }
  return entry;
}

/** The value schema of `topic` as written in its .avsc file (what is registered under `<topic>-value`). */
export function schemaFor(topic: AvroTopic): AvroSchema {
  return topicSchema(topic).schema;
}

/** The avsc Type of `topic`'s value records. */
export function typeFor(topic: AvroTopic): Type {
  return topicSchema(topic).type;
}

/** The record type of an Avro topic's values. */
export type RecordOf<T extends AvroTopic> = RecordByTopic[T];

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
