/**
 * patches/kafkajs+2.2.4.patch (applied by patch-package on npm install) rewrites kafkajs's record
 * encoding, produce request assembly and per-partition grouping for speed. These tests hold the
 * patched paths to what the unpatched code produces: the same record bytes, the same requests
 * byte for byte, the same grouping and order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';

const require = createRequire(import.meta.url);
type EncoderT = { buffer: Buffer; size(): number };
const Encoder = require('kafkajs/src/protocol/encoder') as new (size?: number) => EncoderT & {
  writeVarLong(v: number): EncoderT;
  writeVarInt(v: number): EncoderT;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as ((r: object) => EncoderT) & {
  encodeInto?: (e: EncoderT, offsetDelta: number, timestampDelta: number, key: unknown, value: unknown) => void;
};
const group = require('kafkajs/src/producer/groupMessagesPerPartition') as (a: object) => Record<string, Array<{ key: string }>>;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number): unknown };

test('the kafkajs patch is applied (npm install ran patch-package)', () => {
  assert.equal(typeof Record.encodeInto, 'function', 'patches/kafkajs+2.2.4.patch is not applied: run npm install');
});

test('encodeInto writes the bytes Record() writes', () => {
  const keyArb = fc.oneof(fc.constant(null), fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)));
  // Values also as views of shared memory at any offset, as the decode workers' slabs lend them.
  // size 'max': lengths spread up to 3000 (fast-check keeps arrays short by default), so both
  // sides of the 256-octet threshold of the shared copy are taken.
  const sharedArb = fc.tuple(fc.uint8Array({ maxLength: 3000, size: 'max' }), fc.nat(7)).map(([a, offset]) => {
    const view = Buffer.from(new SharedArrayBuffer(offset + a.length + 3), offset, a.length);
    view.set(a);
    return view;
  });
  const valueArb = fc.oneof(fc.constant(null), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)), sharedArb);
  // Timestamp deltas mostly int32 (the varint path), some beyond (the varlong path).
  const deltaArb = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.maxSafeInteger());
  fc.assert(
    fc.property(fc.nat(2_000_000), deltaArb, keyArb, valueArb, (offsetDelta, timestampDelta, key, value) => {
      // Record() writes values through the same patched copy: the expected bytes are those of a
      // copy of the value in memory of its own (not shared).
      const expected = Record({ offsetDelta, timestampDelta, key, value: Buffer.isBuffer(value) ? Buffer.from(value) : value }).buffer;
      const e = new Encoder(1);
      Record.encodeInto!(e, offsetDelta, timestampDelta, key, value);
      assert.deepEqual(e.buffer, expected);
    }),
    { numRuns: 500 },
  );
});

test('varlongs in int32 range take the varint path with the same bytes as the Long path', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
      const fast = new Encoder().writeVarLong(v).buffer;
      const viaLong = new Encoder().writeVarLong(Long.fromValue(v) as unknown as number).buffer;
      assert.deepEqual(fast, viaLong);
    }),
  );
  // Outside int32 the Long path still runs.
  assert.deepEqual(new Encoder().writeVarLong(2 ** 40).buffer, new Encoder().writeVarLong(Long.fromValue(2 ** 40) as unknown as number).buffer);
});

test('grouping per partition keeps every message, in order', () => {
  const messages = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i % 7}`, n: i }));
  const grouped = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 3 });
  const all = Object.values(grouped).flat() as unknown as Array<{ n: number; key: string }>;
  assert.equal(all.length, messages.length);
  for (const [partition, list] of Object.entries(grouped)) {
    const ns = (list as unknown as Array<{ n: number; key: string }>).map((m) => m.n);
    assert.deepEqual(ns, [...ns].sort((a, b) => a - b), `partition ${partition} out of order`);
    for (const m of list) assert.equal(Number(m.key.slice(1)) % 3, Number(partition));
  }
});

test('crc32C (the CPU instruction, and the slicing-by-8 fallback) is CRC-32C: the check value, and the bitwise definition at every length and offset', () => {
  const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as ((b: Uint8Array) => number) & { software: (b: Uint8Array) => number; hardware: boolean };
  // The instruction's path is the one taken here: its package is a dependency, with a binary for this platform.
  assert.equal(crc32C.hardware, true);
  // CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) bit by bit, as RFC 3720 appendix B.4 defines it.
  const bitwise = (bytes: Uint8Array): number => {
    let crc = 0xffffffff;
    for (const b of bytes) {
      crc ^= b;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
  };
  for (const crc of [crc32C, crc32C.software]) {
    assert.equal(crc(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc(Buffer.alloc(0)), 0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(7), (bytes, offset) => {
        // A view at an odd offset: batches are views into larger buffers.
        const view = Buffer.concat([Buffer.alloc(offset), bytes]).subarray(offset);
        assert.equal(crc(view), bitwise(bytes));
      }),
      { numRuns: 300 },
    );
  }
});

test('admin.fetchTopicOffsets retries a partition without a leader yet (new topic) instead of failing', async () => {
  const createAdmin = require('kafkajs/src/admin') as (o: object) => { fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; high: string; low: string }>> };
  const { createLogger, LEVELS } = require('kafkajs/src/loggers') as { createLogger(o: object): unknown; LEVELS: { NOTHING: number } };
  const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };
  // A fake cluster (the admin's only collaborator): ListOffsets answers LEADER_NOT_AVAILABLE (5),
  // then NOT_LEADER_FOR_PARTITION (6), as a broker does while a new topic's leader is elected.
  const answers = [5, 6];
  let refreshes = 0;
  const cluster = {
    addTargetTopic: async () => undefined,
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => void refreshes++,
    findTopicPartitionMetadata: () => [{ partitionId: 0 }],
    fetchTopicsOffset: async ([{ topic, fromBeginning }]: Array<{ topic: string; fromBeginning: boolean }>) => {
      const code = answers.shift();
      if (code !== undefined) throw createErrorFromCode(code);
      return [{ topic, partitions: [{ partition: 0, offset: fromBeginning ? '0' : '42' }] }];
    },
  };
  const admin = createAdmin({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
    retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 5 },
    cluster,
  });
  assert.deepEqual(await admin.fetchTopicOffsets('t'), [{ partition: 0, offset: '42', high: '42', low: '0' }]);
  assert.equal(refreshes, 2, 'metadata refreshed after each leaderless answer');
});

/**
 * The unpatched kafkajs 2.2.4 produce v3 encoding, written out: an Encoder per record, a
 * RecordBatch per partition (recordBatch/v0, which the patch leaves as it was), an encoder per
 * partition and per topic, each copied into the next.
 * Timestamps are numbers of one digit count, so the original's sort (as strings) is numeric.
 */
async function originalProduceV3(o: ProduceArgs): Promise<Buffer> {
  const RecordBatch = (require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (a: object) => Promise<EncoderT> }).RecordBatch;
  const topics: EncoderT[] = [];
  for (const { topic, partitions } of o.topicData) {
    const encodedPartitions: EncoderT[] = [];
    for (const { partition, messages, firstSequence } of partitions) {
      const timestamps = messages.map((m) => m.timestamp).sort();
      const firstTimestamp = timestamps[0];
      const maxTimestamp = timestamps[timestamps.length - 1];
      const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: m.timestamp - firstTimestamp }));
      const batch = await RecordBatch({
        compression: o.compression,
        records,
        firstTimestamp,
        maxTimestamp,
        producerId: o.producerId,
        producerEpoch: o.producerEpoch,
        firstSequence,
        transactional: !!o.transactionalId,
        lastOffsetDelta: records.length - 1,
      });
      encodedPartitions.push(new FullEncoder().writeInt32(partition).writeInt32(batch.size()).writeEncoder(batch));
    }
    topics.push(new FullEncoder().writeString(topic).writeArray(encodedPartitions));
  }
  return new FullEncoder().writeString(o.transactionalId).writeInt16(o.acks).writeInt32(o.timeout).writeArray(topics).buffer;
}

interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId: string | null;
  producerId: unknown;
  producerEpoch: number;
  compression: number;
  topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number; messages: Array<{ key: Buffer | string | null; value: Buffer | string | null; timestamp: number }> }> }>;
}

type FullEncoderT = EncoderT & {
  writeInt16(v: number): FullEncoderT;
  writeInt32(v: number): FullEncoderT;
  writeString(v: string | null): FullEncoderT;
  writeEncoder(e: EncoderT): FullEncoderT;
  writeArray(a: EncoderT[]): FullEncoderT;
  writeBuffer(b: Buffer): FullEncoderT;
};
const FullEncoder = Encoder as unknown as new (size?: number) => FullEncoderT;

test('a produce v3 request, written in one encoder, is the bytes of the original encoders: batches, sizes and CRCs, for each codec', async () => {
  // Registers LZ4 (lz4-napi) in kafkajs's codec table, as every Kafka client of the project does.
  await import('../../../services/kafka/compression.js');
  const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as (o: ProduceArgs) => { encode(): Promise<EncoderT> };
  const bytes = (n: number) => fc.uint8Array({ maxLength: n }).map((a) => Buffer.from(a));
  const message = fc.record({
    key: fc.oneof(fc.constant(null), fc.string({ maxLength: 50 }), bytes(60)),
    value: fc.oneof(fc.constant(null), fc.string({ maxLength: 50 }), bytes(2000)),
    timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_900_000 }),
  });
  const partitions = fc.uniqueArray(
    fc.record({ partition: fc.nat(40), firstSequence: fc.nat(2 ** 31 - 1), messages: fc.array(message, { minLength: 1, maxLength: 30 }) }),
    { minLength: 1, maxLength: 4, selector: (p) => p.partition },
  );
  const topicData = fc.uniqueArray(fc.record({ topic: fc.stringMatching(/^[a-z.é]{1,20}$/), partitions }), { minLength: 1, maxLength: 3, selector: (t) => t.topic });
  await fc.assert(
    fc.asyncProperty(
      topicData,
      fc.constantFrom(0, 1, 3), // none, gzip, lz4
      fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      fc.nat(32767),
      async (data, compression, transactionalId, producerEpoch) => {
        const args: ProduceArgs = { acks: -1, timeout: 30_000, transactionalId, producerId: Long.fromValue(4242), producerEpoch, compression, topicData: data };
        const actual = (await produceV3(args).encode()).buffer;
        assert.deepEqual(actual, await originalProduceV3(args));
        assert.equal(actual.length, (await produceV3(args).encode()).size(), 'the encoder holds exactly the request');
      },
    ),
    { numRuns: 150 },
  );
});

test('a request is framed as the original framed it: its size, then header and payload', async () => {
  const createRequest = require('kafkajs/src/protocol/request') as (o: object) => Promise<EncoderT>;
  for (const clientId of ['bmp-pipeline', 'é-client', null]) {
    for (const payloadSize of [0, 10, 100_000]) {
      const payload = new FullEncoder().writeBuffer(Buffer.alloc(payloadSize, 7));
      const framed = await createRequest({ correlationId: 7, clientId, request: { apiKey: 0, apiVersion: 3, encode: async () => payload } });
      const inner = new FullEncoder().writeInt16(0).writeInt16(3).writeInt32(7).writeString(clientId).writeEncoder(payload);
      assert.deepEqual(framed.buffer, new FullEncoder().writeInt32(inner.size()).writeEncoder(inner).buffer);
    }
  }
});

type Message = { key: Buffer | string | null; value: Buffer | string | null; timestamp: number };
const compressionTable = require('kafkajs/src/protocol/message/compression') as { Codecs: Record<number, () => { compress(e: EncoderT): Promise<Buffer> }> };

/** Runs `body` with kafkajs's gzip and LZ4 codecs counting their compress calls. */
async function countingCompressions<T>(body: (calls: () => number) => Promise<T>): Promise<T> {
  await import('../../../services/kafka/compression.js');
  const saved = { ...compressionTable.Codecs };
  let calls = 0;
  for (const type of [1, 3]) {
    const make = saved[type];
    compressionTable.Codecs[type] = () => {
      const codec = make();
      return { ...codec, compress: (e: EncoderT) => (calls++, codec.compress(e)) };
    };
  }
  try {
    return await body(() => calls);
  } finally {
    Object.assign(compressionTable.Codecs, saved);
  }
}

const produceV3Module = () =>
  require('kafkajs/src/protocol/requests/produce/v3/request') as ((o: ProduceArgs) => { encode(): Promise<EncoderT> }) & {
    prepareRecords(compression: number, messages: Message[]): void;
  };

test('records prepared ahead of their request are taken by it: the same bytes, not compressed again', async () => {
  const produceV3 = produceV3Module();
  const message = fc.record({
    key: fc.oneof(fc.constant(null), fc.string({ maxLength: 50 }), fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a))),
    value: fc.oneof(fc.string({ maxLength: 50 }), fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a))),
    timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_900_000 }),
  });
  const partitions = fc.uniqueArray(
    fc.record({ partition: fc.nat(40), firstSequence: fc.nat(2 ** 31 - 1), messages: fc.array(message, { minLength: 1, maxLength: 30 }) }),
    { minLength: 1, maxLength: 4, selector: (p) => p.partition },
  );
  const topicData = fc.uniqueArray(fc.record({ topic: fc.stringMatching(/^[a-z.]{1,20}$/), partitions }), { minLength: 1, maxLength: 3, selector: (t) => t.topic });
  await countingCompressions(async (calls) => {
    await fc.assert(
      fc.asyncProperty(topicData, fc.constantFrom(1, 3), fc.nat(32767), async (data, compression, producerEpoch) => {
        const args: ProduceArgs = { acks: -1, timeout: 30_000, transactionalId: null, producerId: Long.fromValue(4242), producerEpoch, compression, topicData: data };
        const expected = await originalProduceV3(args); // compresses too: before counting
        const before = calls();
        for (const t of data) for (const p of t.partitions) produceV3.prepareRecords(compression, p.messages);
        const batches = data.reduce((n, t) => n + t.partitions.length, 0);
        assert.equal(calls() - before, batches, 'each partition compressed once when prepared');
        const actual = (await produceV3(args).encode()).buffer;
        assert.equal(calls() - before, batches, 'the request took the prepared records');
        assert.deepEqual(actual, expected);
        // Taken once: a retry of the same request encodes them again, to the same bytes.
        assert.deepEqual((await produceV3(args).encode()).buffer, actual);
        assert.equal(calls() - before, 2 * batches);
      }),
      { numRuns: 100 },
    );
  });
});

test('prepared records are not taken by a request whose messages differ: other objects, fewer, or another codec', async () => {
  const produceV3 = produceV3Module();
  const messages: Message[] = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(100 + i, i), timestamp: 1_700_000_000_000 + i }));
  await countingCompressions(async (calls) => {
    for (const sent of [
      messages.slice(0, 19), // the same first message, one fewer
      [messages[0], ...messages.slice(1).map((m) => ({ ...m }))], // the same bytes, other objects
    ]) {
      const args: ProduceArgs = { acks: -1, timeout: 30_000, transactionalId: null, producerId: Long.fromValue(7), producerEpoch: 0, compression: 3, topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 5, messages: sent }] }] };
      const expected = await originalProduceV3(args);
      produceV3.prepareRecords(3, messages);
      const before = calls();
      assert.deepEqual((await produceV3(args).encode()).buffer, expected);
      assert.equal(calls() - before, 1, 'encoded again');
    }
    const gzip: ProduceArgs = { acks: -1, timeout: 30_000, transactionalId: null, producerId: Long.fromValue(7), producerEpoch: 0, compression: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 5, messages }] }] };
    const expected = await originalProduceV3(gzip);
    produceV3.prepareRecords(3, messages);
    const before = calls();
    assert.deepEqual((await produceV3(gzip).encode()).buffer, expected);
    assert.equal(calls() - before, 1, 'prepared as LZ4, sent as gzip: encoded again');
  });
});

test("the producer's prepareBatch groups a batch as sendBatch will, and skips topics without metadata", async () => {
  const produceV3 = produceV3Module();
  const createMessageProducer = require('kafkajs/src/producer/messageProducer') as (o: object) => {
    prepareBatch(b: { compression: number; topicMessages: Array<{ topic: string; messages: Message[] }> }): void;
  };
  const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }];
  const cluster = {
    findTopicPartitionMetadata: (topic: string) => {
      if (topic === 'unknown') throw new Error('Topic metadata not loaded');
      return topic === 'empty' ? [] : partitionMetadata;
    },
  };
  const partitioner = ({ message }: { message: Message }) => Number(String(message.key).slice(1)) % 3;
  const producer = createMessageProducer({ cluster, partitioner, logger: { info() {} }, retrier: null, eosManager: null, idempotent: true, getConnectionStatus: () => 'connected' });
  const messages: Message[] = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 11}`, value: Buffer.alloc(50, i), timestamp: 1_700_000_000_000 + i }));
  const other: Message[] = messages.map((m) => ({ ...m }));
  await countingCompressions(async (calls) => {
    const before = calls();
    producer.prepareBatch({ compression: 3, topicMessages: [{ topic: 't', messages }, { topic: 'unknown', messages: other.slice(0, 10) }, { topic: 'empty', messages: other.slice(10, 20) }] });
    assert.equal(calls() - before, 3, 'one batch per partition of t; none for topics without metadata');
    const grouped = group({ topic: 't', partitionMetadata, messages, partitioner }) as unknown as Record<string, Message[]>;
    const start = calls();
    const args: ProduceArgs = {
      acks: -1,
      timeout: 30_000,
      transactionalId: null,
      producerId: Long.fromValue(1),
      producerEpoch: 0,
      compression: 3,
      topicData: [{ topic: 't', partitions: Object.entries(grouped).map(([p, list]) => ({ partition: Number(p), firstSequence: 0, messages: list })) }],
    };
    const actual = (await produceV3(args).encode()).buffer;
    assert.equal(calls() - start, 0, "sendBatch's grouping found every prepared batch");
    assert.deepEqual(actual, await originalProduceV3(args));
  });
});

test("a grouping prepared ahead is taken once by the send's grouping of the same array, unless the metadata was refreshed", () => {
  const prepareGroup = (group as unknown as { prepare(a: object): Record<string, unknown[]> }).prepare;
  const metadata = [{ partitionId: 0 }, { partitionId: 1 }];
  let calls = 0;
  const partitioner = ({ message }: { message: { key: string } }) => (calls++, Number(message.key) % 2);
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: String(i) }));
  const ahead = prepareGroup({ topic: 't', partitionMetadata: metadata, messages, partitioner });
  assert.equal(calls, 10);
  assert.equal(group({ topic: 't', partitionMetadata: metadata, messages, partitioner }), ahead, 'taken: the same arrays');
  assert.equal(calls, 10, 'not partitioned again');
  const again = group({ topic: 't', partitionMetadata: metadata, messages, partitioner });
  assert.notEqual(again, ahead, 'taken once');
  assert.deepEqual(again, ahead);
  prepareGroup({ topic: 't', partitionMetadata: metadata, messages, partitioner });
  const refreshed = group({ topic: 't', partitionMetadata: metadata.map((p) => ({ ...p })), messages, partitioner });
  assert.equal(calls, 40, 'grouped again with other metadata');
  assert.deepEqual(refreshed, ahead);
});

test('record sets (RecordSetWriter) make the request the messages they hold make, for each codec; compressed once, the same octets on a retry', async () => {
  const { RecordSetWriter } = await import('../../../services/kafka/record-sets.js');
  const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request') as ((o: object) => { encode(): Promise<EncoderT> }) & {
    prepareRecordSet(compression: number, set: object): void;
  };
  const bytes = (n: number) => fc.uint8Array({ maxLength: n }).map((a) => Buffer.from(a));
  // Keys and values as ingest has them (never null); timestamps non-decreasing, as a session's
  // are, so that the original's first timestamp (the smallest) is the first record's.
  const messages = fc
    .array(
      fc.record({
        key: fc.oneof(fc.string({ maxLength: 50 }), bytes(60)),
        value: fc.oneof(bytes(127), fc.uint8Array({ minLength: 128, maxLength: 2000 }).map((a) => Buffer.from(a))),
        step: fc.nat(3_000_000_000),
      }),
      { minLength: 1, maxLength: 30 },
    )
    .chain((list) =>
      fc.integer({ min: 1_600_000_000_000, max: 1_700_000_000_000 }).map((start) => {
        let t = start;
        return list.map(({ key, value, step }) => ({ key, value, timestamp: (t += step % 1000 === 0 ? step : step % 1000) }));
      }),
    );
  const partitions = fc.uniqueArray(fc.record({ partition: fc.nat(40), firstSequence: fc.nat(2 ** 31 - 1), messages }), {
    minLength: 1,
    maxLength: 4,
    selector: (p) => p.partition,
  });
  const topicData = fc.uniqueArray(fc.record({ topic: fc.stringMatching(/^[a-z.]{1,20}$/), partitions }), { minLength: 1, maxLength: 3, selector: (t) => t.topic });
  await countingCompressions(async (calls) => {
    await fc.assert(
      fc.asyncProperty(topicData, fc.constantFrom(0, 1, 3), fc.nat(32767), async (data, compression, producerEpoch) => {
        const args: ProduceArgs = { acks: -1, timeout: 30_000, transactionalId: null, producerId: Long.fromValue(4242), producerEpoch, compression, topicData: data };
        const expected = await originalProduceV3(args);
        const withSets = {
          ...args,
          topicData: data.map(({ topic, partitions: list }) => ({
            topic,
            partitions: list.map(({ partition, firstSequence, messages: records }) => {
              const writer = new RecordSetWriter(16); // grows
              for (const m of records) writer.append(m.key, m.value, 0, m.value.length, m.timestamp);
              return { partition, firstSequence, messages: writer.finish() };
            }),
          })),
        };
        const before = calls();
        for (const t of withSets.topicData) for (const p of t.partitions) produceV3.prepareRecordSet(compression, p.messages);
        const batches = compression === 0 ? 0 : data.reduce((n, t) => n + t.partitions.length, 0);
        assert.equal(calls() - before, batches, 'each set compressed once when prepared');
        assert.deepEqual((await produceV3(withSets).encode()).buffer, expected);
        assert.deepEqual((await produceV3(withSets).encode()).buffer, expected, 'a retry: the same octets');
        assert.equal(calls() - before, batches, 'the requests took the prepared sets, not compressing again');
      }),
      { numRuns: 120 },
    );
  });
});

test('sendRecordSets: each set goes to its partition with its count as the sequence step; a set for a partition the metadata lacks is refused', async () => {
  const createSendMessages = require('kafkajs/src/producer/sendMessages') as (o: object) => (a: object) => Promise<unknown>;
  const { RecordSetWriter } = await import('../../../services/kafka/record-sets.js');
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));
  const produced: Array<Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number; messages: unknown }> }>> = [];
  const broker = {
    nodeId: 1,
    produce: async ({ topicData }: { topicData: (typeof produced)[number] }) => {
      produced.push(topicData);
      return { topics: topicData.map(({ topic, partitions }) => ({ topicName: topic, partitions: partitions.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })) })) };
    },
  };
  const cluster = {
    refreshMetadataIfNecessary: async () => {},
    addMultipleTargetTopics: async () => {},
    findTopicPartitionMetadata: () => partitionMetadata,
    findLeaderForPartitions: (_topic: string, partitions: string[]) => ({ 1: partitions.map(Number) }),
    findBroker: async () => broker,
    isConnected: () => true,
  };
  const sequences = new Map<string, number>();
  const eosManager = {
    acquireBrokerLock: async () => {},
    releaseBrokerLock: async () => {},
    isTransactional: () => false,
    getSequence: (topic: string, partition: number) => sequences.get(`${topic}/${partition}`) ?? 0,
    updateSequence: (topic: string, partition: number, n: number) => sequences.set(`${topic}/${partition}`, (sequences.get(`${topic}/${partition}`) ?? 0) + n),
    getProducerId: () => 7,
    getProducerEpoch: () => 0,
  };
  const retrier = (fn: (bail: (e: Error) => never) => Promise<unknown>) =>
    fn((e) => {
      throw e;
    });
  const logger = { debug() {}, error() {}, info() {}, warn() {} };
  const sendMessages = createSendMessages({ logger, cluster, partitioner: null, eosManager, retrier });
  const set = (n: number) => {
    const w = new RecordSetWriter();
    for (let i = 0; i < n; i++) w.append('k', Buffer.from([i]), 0, 1, 1_700_000_000_000 + i);
    return w.finish();
  };
  const a = set(3);
  const b = set(5);
  await sendMessages({ acks: -1, compression: 0, topicMessages: [{ topic: 't', recordSets: { 0: a, 2: b } }] });
  await sendMessages({ acks: -1, compression: 0, topicMessages: [{ topic: 't', recordSets: { 2: set(1) } }] });
  assert.equal(produced.length, 2);
  assert.deepEqual(
    produced[0][0].partitions.map(({ partition, firstSequence, messages }) => [partition, firstSequence, messages]),
    [
      [0, 0, a],
      [2, 0, b],
    ],
  );
  assert.deepEqual(produced[1][0].partitions.map(({ partition, firstSequence }) => [partition, firstSequence]), [[2, 5]], 'the sequence moved on by the set\'s count');
  await assert.rejects(sendMessages({ acks: -1, compression: 0, topicMessages: [{ topic: 't', recordSets: { 3: set(1) } }] }), /partition 3 of topic "t", which has 3 partitions/);
  assert.equal(produced.length, 2, 'nothing sent for it');
});

test("the producer's sendRecordSets refuses bad arguments before any request; partitionMetadataOf answers null without metadata", async () => {
  const createMessageProducer = require('kafkajs/src/producer/messageProducer') as (o: object) => {
    sendRecordSets(b: { acks?: number; compression?: number; topicRecordSets?: Array<{ topic: string; recordSets: unknown }> }): Promise<unknown>;
    partitionMetadataOf(topic: string): unknown[] | null;
  };
  const { RecordSetWriter } = await import('../../../services/kafka/record-sets.js');
  const partitionMetadata = [{ partitionId: 0 }, { partitionId: 1 }];
  // Every call the send makes of the cluster is counted: a refused send makes none.
  let clusterCalls = 0;
  const cluster = {
    refreshMetadataIfNecessary: async () => void clusterCalls++,
    addMultipleTargetTopics: async () => void clusterCalls++,
    findTopicPartitionMetadata: (topic: string) => {
      clusterCalls++;
      if (topic === 'unknown') throw new Error('Topic metadata not loaded');
      return topic === 'empty' ? [] : partitionMetadata;
    },
    findLeaderForPartitions: (_topic: string, partitions: string[]) => (clusterCalls++, { 1: partitions.map(Number) }),
    findBroker: async () => (clusterCalls++, { nodeId: 1, produce: async () => ({ topics: [] }) }),
    isConnected: () => true,
  };
  const eosManager = {
    acquireBrokerLock: async () => {},
    releaseBrokerLock: async () => {},
    isTransactional: () => false,
    getSequence: () => 0,
    updateSequence: () => {},
    getProducerId: () => 7,
    getProducerEpoch: () => 0,
  };
  const retrier = (fn: (bail: (e: Error) => never) => Promise<unknown>) =>
    fn((e) => {
      throw e;
    });
  let status = 'connected';
  const producerWith = (idempotent: boolean) =>
    createMessageProducer({ cluster, partitioner: null, logger: { debug() {}, error() {}, info() {}, warn() {} }, retrier, eosManager, idempotent, getConnectionStatus: () => status });
  const producer = producerWith(true);
  const set = () => {
    const w = new RecordSetWriter();
    w.append('k', Buffer.from([1]), 0, 1, 1_700_000_000_000);
    return w.finish();
  };
  await assert.rejects(producer.sendRecordSets({ topicRecordSets: [{ topic: '', recordSets: { 0: set() } }] }), /Invalid topic/);
  await assert.rejects(producer.sendRecordSets({ acks: 1, topicRecordSets: [{ topic: 't', recordSets: { 0: set() } }] }), /idempotent producer's EoS guarantees/);
  await assert.rejects(producer.sendRecordSets({ topicRecordSets: [{ topic: 't', recordSets: null }] }), /Invalid record sets for topic "t"/);
  await assert.rejects(
    producer.sendRecordSets({ topicRecordSets: [{ topic: 't', recordSets: { 0: set() } }, { topic: 't', recordSets: { 1: set() } }] }),
    /Invalid record sets for topic "t"/,
    'one entry per topic: the request has one set per partition',
  );
  status = 'disconnecting';
  await assert.rejects(producer.sendRecordSets({ topicRecordSets: [{ topic: 't', recordSets: { 0: set() } }] }), /disconnecting/);
  status = 'connected';
  assert.equal(clusterCalls, 0, 'no refused send reached the cluster');
  // acks other than all pass for a producer that is not idempotent; a good call reaches the cluster.
  await producerWith(false).sendRecordSets({ acks: 1, topicRecordSets: [{ topic: 't', recordSets: { 1: set() } }] });
  assert.ok(clusterCalls > 0);
  assert.deepEqual(producer.partitionMetadataOf('t'), partitionMetadata);
  assert.equal(producer.partitionMetadataOf('empty'), null);
  assert.equal(producer.partitionMetadataOf('unknown'), null);
});
