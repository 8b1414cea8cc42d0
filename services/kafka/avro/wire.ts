/**
 * Records in the Confluent wire format: byte 0 the magic byte 0, bytes 1-4 the schema id
 * (unsigned, big-endian) the registry gave the writer schema, then the Avro binary encoding of the
 * record.
 *
 * encodeRecord is on the ingest hot path (one call per route event): the record is encoded by the
 * topic's compiled avsc writer into a reused scratch buffer behind a 5-octet gap, and the result
 * is the one copy Kafka gets to keep. Events are accepted exactly as the session decoder emits
 * them: no renaming, no wrapping of nullable values.
 */
import type { Type } from 'avsc';
import { type AvroTopic, type RecordOf, typeFor } from './schemas.js';

/** Byte 0 of every Confluent wire-format record. */
export const WIRE_MAGIC = 0;
/** Magic byte plus 4-octet schema id. */
export const WIRE_HEADER_LENGTH = 5;

const INITIAL_SCRATCH = 64 * 1024;
let scratch = Buffer.allocUnsafe(INITIAL_SCRATCH);

/** A record that does not match its topic's schema, with the path of the first mismatch. */
export class InvalidRecordError extends Error {
  constructor(
    readonly topic: string,
    /** Dotted paths of the mismatching values, e.g. "as_path.3.asn". */
    readonly paths: string[],
    message: string,
  ) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

/** Throws RangeError unless `schemaId` fits the wire header's 4 unsigned octets. */
export function checkSchemaId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff) {
    throw new RangeError(`schema id must be an integer in 0..4294967295, not ${schemaId}`);
  }
}

/**
 * Encodes `record` as a value of `topic` in the Confluent wire format with `schemaId` (the id the
 * registry gave the topic's current schema). Throws InvalidRecordError when the record does not
 * match the schema.
 */
export function encodeRecord<T extends AvroTopic>(topic: T, schemaId: number, record: RecordOf<T>): Buffer {
  checkSchemaId(schemaId);
  const type = typeFor(topic);
  let end: number;
  try {
    end = type.encode(record, scratch, WIRE_HEADER_LENGTH);
    while (end < 0) {
      // `end` is minus the octets missing; grow to at least twice the size.
      scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end + WIRE_HEADER_LENGTH));
      end = type.encode(record, scratch, WIRE_HEADER_LENGTH);
    }
  } catch (err) {
    throw invalidRecord(topic, type, record, err);
  }
  const out = Buffer.allocUnsafe(end);
  out[0] = WIRE_MAGIC;
  out.writeUInt32BE(schemaId, 1);
  scratch.copy(out, WIRE_HEADER_LENGTH, WIRE_HEADER_LENGTH, end);
  return out;
}

/** Magic byte and schema id of a Confluent wire-format value; throws when it is not one. */
export function readWireSchemaId(value: Buffer): number {
  if (value.length < WIRE_HEADER_LENGTH) throw new Error(`not a Confluent wire-format record: ${value.length} octets`);
  if (value[0] !== WIRE_MAGIC) throw new Error(`not a Confluent wire-format record: magic byte ${value[0]}, expected ${WIRE_MAGIC}`);
  return value.readUInt32BE(1);
}

export interface DecodedRecord<V> {
  /** Schema id of the writer schema, from the wire header. */
  schemaId: number;
  /** The record. Nested records are avsc record instances (compare field by field, not by prototype). */
  value: V;
}

export interface DecodeOptions {
  /**
   * The writer schema's Type when it is not the reader's (e.g. an older version, fetched from the
   * registry by schema id): the record is resolved into the reader type per Avro's rules.
   */
  writer?: Type;
}

const resolvers = new WeakMap<Type, WeakMap<Type, ReturnType<Type['createResolver']>>>();

function resolverFor(reader: Type, writer: Type): ReturnType<Type['createResolver']> {
  let byWriter = resolvers.get(reader);
  if (byWriter === undefined) {
    byWriter = new WeakMap();
    resolvers.set(reader, byWriter);
  }
  let resolver = byWriter.get(writer);
  if (resolver === undefined) {
    resolver = reader.createResolver(writer);
    byWriter.set(writer, resolver);
  }
  return resolver;
}

/**
 * Decodes a Confluent wire-format value with the schema of `topic` (or with the avsc Type given).
 * Throws on a wrong magic byte, a truncated body or octets left over.
 */
export function decodeRecord<T extends AvroTopic>(topic: T, value: Buffer, options?: DecodeOptions): DecodedRecord<RecordOf<T>>;
export function decodeRecord(type: Type, value: Buffer, options?: DecodeOptions): DecodedRecord<unknown>;
export function decodeRecord(topicOrType: AvroTopic | Type, value: Buffer, options: DecodeOptions = {}): DecodedRecord<unknown> {
  const schemaId = readWireSchemaId(value);
  const type = typeof topicOrType === 'string' ? typeFor(topicOrType) : topicOrType;
  const resolver = options.writer === undefined || options.writer === type ? undefined : resolverFor(type, options.writer);
  const { value: record, offset } = type.decode(value, WIRE_HEADER_LENGTH, resolver);
  if (offset < 0) throw new Error(`truncated Avro record: ${value.length} octets`);
  if (offset !== value.length) throw new Error(`${value.length - offset} octets left after the Avro record`);
  return { schemaId, value: record };
}

/** Dotted paths (and what was found) of every value of `record` that does not match `type`. */
export function recordMismatches(type: Type, record: unknown): Array<{ path: string; value: unknown; expected: string }> {
  const out: Array<{ path: string; value: unknown; expected: string }> = [];
  type.isValid(record, {
    noUndeclaredFields: true,
    errorHook: (path, value, t) => {
      out.push({ path: path.join('.') || '(record)', value, expected: describeType(t) });
    },
  });
  return out;
}

function describeType(t: Type): string {
  return t.name ?? t.typeName;
}

function invalidRecord(topic: string, type: Type, record: unknown, cause: unknown): Error {
  const mismatches = recordMismatches(type, record);
  if (mismatches.length === 0) return cause instanceof Error ? cause : new Error(String(cause));
  const shown = mismatches
    .slice(0, 5)
    .map((m) => `${m.path}: expected ${m.expected}, got ${preview(m.value)}`)
    .join('; ');
  const more = mismatches.length > 5 ? ` (and ${mismatches.length - 5} more)` : '';
  return new InvalidRecordError(
    topic,
    mismatches.map((m) => m.path),
    `invalid ${topic} record: ${shown}${more}`,
  );
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
