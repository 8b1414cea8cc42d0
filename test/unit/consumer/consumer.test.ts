/**
 * The pure parts of the stream runtime: task assignment, dead-letter headers, record decoding
 * with the writer schema (the registry faked by a map of schema ids).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignTasks } from '../../../services/consumer/assigner.js';
import { deadLetterMessage, readDeadLetterHeaders } from '../../../services/consumer/dead-letter.js';
import { RecordDecoder, UndecodableRecordError, type SchemaSource } from '../../../services/consumer/decoder.js';
import { encodeRecord, schemaFor } from '../../../services/kafka/avro/index.js';
import { FIXTURES } from '../schemas/fixtures.js';

test('tasks: partition N of every topic goes to one member, spread evenly, the same answer whatever the member order', () => {
  const topics = { a: [0, 1, 2, 3, 4], b: [0, 1, 2, 3, 4], c: [0, 1, 2] };
  const one = assignTasks(['m2', 'm1'], topics);
  const two = assignTasks(['m1', 'm2'], topics);
  assert.deepEqual([...one].sort(), [...two].sort());
  assert.deepEqual(one.get('m1'), { a: [0, 2, 4], b: [0, 2, 4], c: [0, 2] });
  assert.deepEqual(one.get('m2'), { a: [1, 3], b: [1, 3], c: [1] });
  const alone = assignTasks(['x'], topics);
  assert.deepEqual(alone.get('x'), topics);
  const many = assignTasks(['a', 'b', 'c', 'd', 'e', 'f', 'g'], { t: [0, 1, 2] });
  assert.deepEqual(
    [...many.values()].map((a) => a.t ?? []),
    [[0], [1], [2], [], [], [], []],
    'members beyond the task count stay idle',
  );
});

test('dead letters keep key and value bytes and carry their origin and reason in headers', () => {
  const value = Buffer.from([1, 2, 3, 0xff]);
  const m = deadLetterMessage({ topic: 'bmp.peer_up', partition: 4, offset: '1234', key: Buffer.from('k'), value, reason: 'bad', timestamp: '1700000000000' }, 'peer-state');
  assert.deepEqual(m.value, value);
  assert.deepEqual(m.key, Buffer.from('k'));
  assert.equal(m.timestamp, '1700000000000');
  // As a consumer sees them: header values are Buffers.
  const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(String(v))]));
  assert.deepEqual(readDeadLetterHeaders(headers), { topic: 'bmp.peer_up', partition: 4, offset: '1234', reason: 'bad', group: 'peer-state' });
  assert.equal(readDeadLetterHeaders({}), null);
});

/** A registry that knows schema id 7 as the current router schema. */
function source(known: Record<number, object>): SchemaSource & { calls: number } {
  const s = {
    calls: 0,
    async getSchema(id: number): Promise<unknown> {
      s.calls++;
      const schema = known[id];
      if (schema === undefined) throw Object.assign(new Error('Schema not found'), { status: 404 });
      return { schema: () => schema };
    },
  };
  return s;
}

test('decoding: the record in the reader schema, writer schema fetched once per id', async () => {
  const registry = source({ 7: schemaFor('router') as object });
  const decoder = new RecordDecoder(registry);
  const record = FIXTURES.router.full;
  const value = encodeRecord('router', 7, record);
  assert.deepEqual({ ...(await decoder.decode('router', value)) }, record);
  await decoder.decode('router', value);
  assert.equal(registry.calls, 1);
});

test('decoding: an older writer schema is resolved into the reader schema', async () => {
  // The router schema without sys_descr (a field with a default): a reader fills in null.
  const older = structuredClone(schemaFor('router')) as { fields: Array<{ name: string }> };
  older.fields = older.fields.filter((f) => f.name !== 'sys_descr');
  const avro = (await import('avsc')).default;
  const writer = avro.Type.forSchema(older as never, { wrapUnions: false });
  const { sys_descr: _dropped, ...rest } = FIXTURES.router.full;
  const body = writer.toBuffer(rest);
  const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), body]);
  const decoded = await new RecordDecoder(source({ 9: older })).decode('router', value);
  assert.equal(decoded.sys_descr, null);
  assert.equal(decoded.sys_name, FIXTURES.router.full.sys_name);
});

test('decoding: what can never decode is UndecodableRecordError; a registry outage is not', async () => {
  const decoder = new RecordDecoder(source({ 7: schemaFor('router') as object }));
  const undecodable = async (value: Buffer | null, pattern: RegExp): Promise<void> => {
    await assert.rejects(decoder.decode('router', value), (err: Error) => err instanceof UndecodableRecordError && pattern.test(err.message));
  };
  await undecodable(null, /tombstone/);
  await undecodable(Buffer.from('garbage!'), /magic byte/);
  await undecodable(Buffer.from([0, 0, 0, 0, 8, 1, 2]), /schema id 8 is unknown/);
  await undecodable(Buffer.concat([encodeRecord('router', 7, FIXTURES.router.full), Buffer.from([1])]), /left after the Avro record/);
  const down = new RecordDecoder({
    getSchema: async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { status: undefined });
    },
  });
  await assert.rejects(down.decode('router', encodeRecord('router', 7, FIXTURES.router.full)), (err: Error) => !(err instanceof UndecodableRecordError));
});
