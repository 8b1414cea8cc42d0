/**
 * The foundation's contract with the real local stack: a topic is created, an Avro schema is
 * registered in the real registry, a record is produced in Confluent wire format with kafkajs,
 * consumed in a consumer group, and decoded through the registry field by field; an
 * incompatible second version of a subject is refused.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Producer, Consumer } from 'kafkajs';
import { createKafka } from '../../services/kafka/client.js';
import { ensureTopics } from '../../services/kafka/topics.js';
import { createRegistry, readWireHeader, registerValueSchema } from '../../services/kafka/registry.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';

const kafka = createKafka(kafkaSettings, testLogger);
const registry = createRegistry(registrySettings);
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const schemaV1 = {
  type: 'record',
  name: 'ProbeEvent',
  namespace: 'net.bmp_pipeline.test',
  doc: 'A record exercising the Avro types the pipeline uses',
  fields: [
    { name: 'router_address', type: 'string', doc: 'router' },
    { name: 'peer_as', type: 'long', doc: 'peer AS' },
    { name: 'path_id', type: ['null', 'long'], default: null, doc: 'ADD-PATH id' },
    { name: 'bmp_timestamp', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'time' },
    { name: 'action', type: { type: 'enum', name: 'Action', symbols: ['unknown', 'announce', 'withdraw'], default: 'unknown' }, doc: 'action' },
    { name: 'communities', type: { type: 'array', items: 'string' }, doc: 'communities' },
    { name: 'raw', type: 'bytes', doc: 'raw bytes' },
  ],
};

test('a record travels topic -> registry -> Confluent wire format -> consumer group -> decoded', async () => {
  const topic = uniqueName('probe');
  const admin: Admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  assert.deepEqual(await ensureTopics(admin, [{ name: topic, partitions: 3, replicationFactor: 1, retentionMs: 86_400_000 }]), [topic]);
  assert.deepEqual(await ensureTopics(admin, [{ name: topic, partitions: 3, replicationFactor: 1, retentionMs: 86_400_000 }]), [], 'idempotent');
  const described = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(described.topics[0].partitions.length, 3);
  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] });
  assert.equal(configs.resources[0].configEntries[0].configValue, '86400000', 'retention set at creation');

  const schemaId = await registerValueSchema(registry, topic, schemaV1);
  assert.ok(schemaId > 0);

  const record = {
    router_address: '192.0.2.1',
    peer_as: 4_200_000_001,
    path_id: 7,
    bmp_timestamp: 1_764_133_200_123_456,
    action: 'withdraw',
    communities: ['65000:100', '65000:200'],
    raw: Buffer.from([0x03, 0x00, 0xff]),
  };
  const value = await registry.encode(schemaId, record);
  const header = readWireHeader(value);
  assert.equal(header.magic, 0, 'byte 0 is the magic byte 0');
  assert.equal(header.schemaId, schemaId, 'bytes 1-4 are the schema id');

  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  await producer.send({ topic, acks: -1, messages: [{ key: '192.0.2.1', value }] });

  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('group'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  cleanups.push(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = await new Promise<{ key: Buffer | null; value: Buffer | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no record consumed within 60 s')), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        clearTimeout(timer);
        resolve({ key: message.key, value: message.value });
      },
    });
  });
  assert.equal(received.key?.toString(), '192.0.2.1');
  assert.ok(received.value);
  assert.equal(readWireHeader(received.value).schemaId, schemaId);
  const decoded = await registry.decode(received.value);
  assert.deepEqual({ ...decoded, raw: Buffer.from(decoded.raw) }, record, 'every field survives the round trip');
});

test('the registry refuses an incompatible second version of a subject', async () => {
  const topic = uniqueName('compat');
  await registerValueSchema(registry, topic, schemaV1);
  // Adding a field with a default is BACKWARD compatible: accepted.
  const compatible = { ...schemaV1, fields: [...schemaV1.fields, { name: 'extra', type: ['null', 'string'], default: null, doc: 'later field' }] };
  const id2 = await registerValueSchema(registry, topic, compatible);
  assert.ok(id2 > 0);
  // Changing a field's type from long to string is not: a new reader cannot read old records.
  const incompatible = { ...schemaV1, fields: schemaV1.fields.map((f) => (f.name === 'peer_as' ? { ...f, type: 'string' } : f)) };
  await assert.rejects(registerValueSchema(registry, topic, incompatible), (err: Error) => {
    assert.match(`${err.name} ${err.message}`, /incompatible|409|compatib/i);
    return true;
  });
});

test("a subject registered without its compatibility (an attempt cut short) gets BACKWARD on the next attempt; another level set on purpose is kept and refused", async () => {
  const schema = { type: 'record', name: 'Healed', namespace: 'net.bmp_pipeline.test', fields: [{ name: 'a', type: 'int' }] };
  const post = async (subject: string): Promise<void> => {
    // The first of the client's two requests only: the schema, no compatibility.
    const res = await fetch(`${registrySettings.url}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const level = async (subject: string): Promise<string> => ((await (await fetch(`${registrySettings.url}/config/${subject}`)).json()) as { compatibilityLevel: string }).compatibilityLevel;

  const cut = uniqueName('registry-cut');
  await post(`${cut}-value`);
  assert.equal(await level(`${cut}-value`), 'NONE', 'the registry reports its default for the subject');
  const id = await registerValueSchema(registry, cut, schema);
  assert.ok(id > 0);
  assert.equal(await level(`${cut}-value`), 'BACKWARD');

  const forward = uniqueName('registry-forward');
  await post(`${forward}-value`);
  const put = await fetch(`${registrySettings.url}/config/${forward}-value`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'FORWARD' }) });
  assert.equal(put.status, 200, await put.text());
  await assert.rejects(registerValueSchema(registry, forward, schema), /BACKWARD != FORWARD/);
  assert.equal(await level(`${forward}-value`), 'FORWARD');
});
