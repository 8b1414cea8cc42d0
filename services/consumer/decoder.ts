/**
 * Decoding of consumed records: Confluent wire format (magic byte, schema id) and the Avro body
 * written with the writer schema the registry holds for that id, resolved into the reader schema
 * this code was built with (schemas/<topic>.avsc), so older writers are read per Avro's rules.
 *
 * Two kinds of failure, handled differently by the runtime:
 *  - UndecodableRecordError: the record itself is bad (not wire format, unknown schema id, body
 *    that does not decode): it goes to the dead-letter topic and processing carries on;
 *  - anything else (registry unreachable): transient, the batch is retried.
 */
import type { Type } from 'avsc';
import { decodeRecord, parseSchema, readWireSchemaId, typeFor, type AvroTopic, type RecordOf } from '../kafka/avro/index.js';

/** A record that can never be decoded; `message` says why (it becomes the dead letter's reason). */
export class UndecodableRecordError extends Error {
  override readonly name = 'UndecodableRecordError';
}

/** What the decoder needs of the registry client (SchemaRegistry.getSchema). */
export interface SchemaSource {
  getSchema(id: number): Promise<unknown>;
}

export class RecordDecoder {
  private readonly writers = new Map<number, Promise<Type>>();

  constructor(private readonly source: SchemaSource) {}

  /** The record of `topic` in `value`, in the reader schema of `topic`. */
  async decode<T extends AvroTopic>(topic: T, value: Buffer | null): Promise<RecordOf<T>> {
    if (value === null) throw new UndecodableRecordError('record has no value (tombstone)');
    let schemaId: number;
    try {
      schemaId = readWireSchemaId(value);
    } catch (err) {
      throw new UndecodableRecordError((err as Error).message);
    }
    const writer = await this.writerType(schemaId);
    try {
      return decodeRecord(typeFor(topic), value, { writer }).value as RecordOf<T>;
    } catch (err) {
      throw new UndecodableRecordError(`schema id ${schemaId}: ${(err as Error).message}`);
    }
  }

  private writerType(id: number): Promise<Type> {
    let type = this.writers.get(id);
    if (type === undefined) {
      type = this.fetch(id);
      this.writers.set(id, type);
      // Transient failures are retried with the batch: do not keep them.
      type.catch(() => this.writers.delete(id));
    }
    return type;
  }

  private async fetch(id: number): Promise<Type> {
    let schema: unknown;
    try {
      schema = await this.source.getSchema(id);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status === 404) throw new UndecodableRecordError(`schema id ${id} is unknown to the registry`);
      throw new Error(`schema id ${id}: ${(err as Error).message}`);
    }
    // The registry client hands out an avsc Type parsed its own way; re-parse its schema the pipeline's way.
    const json = typeof (schema as { schema?: unknown } | null)?.schema === 'function' ? (schema as { schema(): unknown }).schema() : null;
    if (json === null || typeof json !== 'object') throw new UndecodableRecordError(`schema id ${id} is not an Avro schema`);
    try {
      return parseSchema(json);
    } catch (err) {
      throw new UndecodableRecordError(`schema id ${id} does not parse: ${(err as Error).message}`);
    }
  }
}
