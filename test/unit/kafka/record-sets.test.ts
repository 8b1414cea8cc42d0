/**
 * Record sets written where the records lie (services/kafka/record-sets.ts), and the publisher's
 * batches made of them: each record decodes (Kafka's Record, RecordBatch v2) to its key, value,
 * offset and timestamp, timestamps in any order and deltas past int32 included; records go to
 * the partition the producer's partitioner gives, in order; a decode step's packed records
 * (PackedRecords.writeRecords) are written as record() reads them; and the publisher sends record
 * sets when the producer takes them, messages otherwise or while a topic has no metadata. (That
 * the sets make the request their messages would make: test/unit/kafka/kafkajs-patch.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PartitionerArgs, Producer } from 'kafkajs';
import { pino } from 'pino';
import { RecordSetBuilder, RecordSetWriter } from '../../../services/kafka/record-sets.js';
import { EventPublisher, type OutboundRecord } from '../../../services/kafka/publisher.js';
import { CachedDefaultPartitioner } from '../../../services/kafka/partitioner.js';
import { PackedRecords, RecordPacker, SESSION_TOPICS } from '../../../services/ingest/decode-worker-protocol.js';

type Decoded = { offsetDelta: number; timestamp: number; key: Buffer; value: Buffer };

/** The records of a set, read back by the format's definition (zig-zag varints). */
function decode(set: RecordSetWriter): Decoded[] {
  const b = set.records;
  let at = 0;
  const varlong = (): bigint => {
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const byte = b[at++];
      z |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    return (z >> 1n) ^ -(z & 1n);
  };
  const varint = (): number => Number(varlong());
  const out: Decoded[] = [];
  while (at < b.length) {
    const length = varint();
    const end = at + length;
    assert.equal(b[at++], 0, 'attributes');
    const timestamp = set.firstTimestamp + Number(varlong());
    const offsetDelta = varint();
    const keyLength = varint();
    const key = b.subarray(at, (at += keyLength));
    const valueLength = varint();
    const value = b.subarray(at, (at += valueLength));
    assert.equal(varint(), 0, 'no headers');
    assert.equal(at, end, 'the length covers the record');
    out.push({ offsetDelta, timestamp, key, value });
  }
  return out;
}

test('a record set reads back as written: offsets from 0, timestamps in any order (deltas past int32 too), first and largest timestamp (property)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          key: fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a))),
          // Short values and long ones (fast-check keeps arrays short unless told): copied by words below 512 octets, by fill from there.
          value: fc.oneof(fc.uint8Array({ maxLength: 127 }), fc.uint8Array({ minLength: 128, maxLength: 600 }), fc.uint8Array({ minLength: 600, maxLength: 3000 })).map((a) => Buffer.from(a)),
          timestamp: fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_700_000_001_000 }), fc.integer({ min: 0, max: 2 ** 52 })),
          pad: fc.nat(20),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      fc.integer({ min: 1, max: 4096 }),
      (records, capacity) => {
        const set = new RecordSetWriter(capacity);
        for (const r of records) {
          // The value as a range of a larger buffer, as the packed records lend theirs: memory
          // shared with a worker (a SharedArrayBuffer) for every other record.
          const plain = Buffer.concat([Buffer.alloc(r.pad, 0xee), r.value, Buffer.alloc(3, 0xee)]);
          const source = r.pad % 2 === 0 ? plain : Buffer.from(new SharedArrayBuffer(plain.length + 1), 1, plain.length);
          if (source !== plain) plain.copy(source);
          // With a view of the source for two records in three, as PackedRecords passes one; the writer makes its own for the third.
          const view = r.pad % 3 === 0 ? null : new DataView(source.buffer, source.byteOffset, source.byteLength);
          set.append(r.key, source, r.pad, r.value.length, r.timestamp, view);
        }
        set.finish();
        assert.equal(set.length, records.length);
        assert.equal(set.firstTimestamp, records[0].timestamp);
        assert.equal(set.maxTimestamp, Math.max(...records.map((r) => r.timestamp)));
        assert.deepEqual(
          decode(set).map((d) => ({ ...d, key: d.key.toString('hex'), value: d.value.toString('hex') })),
          records.map((r, i) => ({ offsetDelta: i, timestamp: r.timestamp, key: Buffer.from(r.key).toString('hex'), value: r.value.toString('hex') })),
        );
      },
    ),
    { numRuns: 200 },
  );
});

const partitionMetadata = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }));

test("the builder puts each record in its key's partition by the producer's partitioner, in order; null for a topic without metadata", () => {
  const partitioner = CachedDefaultPartitioner();
  const metadata: Record<string, ReturnType<typeof partitionMetadata>> = { a: partitionMetadata(6), b: partitionMetadata(3) };
  const sizes = new Map<string, number>();
  const builder = new RecordSetBuilder((topic) => metadata[topic] ?? null, partitioner, sizes);
  const sent: Array<{ topic: string; key: string; value: string }> = [];
  for (let i = 0; i < 500; i++) {
    const topic = i % 3 === 0 ? 'b' : 'a';
    const key = i % 7 === 0 ? Buffer.from(`peer-${i % 5}`) : `peer-${i % 5}`;
    const value = Buffer.from(`value-${i}`);
    builder.writerFor(topic, key)!.append(key, value, 0, value.length, 1_700_000_000_000 + i);
    sent.push({ topic, key: String(key), value: String(value) });
  }
  assert.equal(builder.writerFor('c', 'peer-1'), null);
  const sets = builder.topicRecordSets();
  assert.deepEqual(
    sets.map((s) => s.topic),
    ['b', 'a'],
  );
  for (const { topic, recordSets } of sets) {
    for (const [partition, set] of Object.entries(recordSets)) {
      const got = decode(set).map((d) => ({ topic, key: d.key.toString(), value: d.value.toString() }));
      for (const r of got) {
        const expected = partitioner({ topic, partitionMetadata: metadata[topic], message: { key: r.key, value: null } } as PartitionerArgs);
        assert.equal(Number(partition), expected, `${r.key} of ${topic}`);
      }
      assert.deepEqual(
        got,
        sent.filter((s) => s.topic === topic && got.some((g) => g.key === s.key)),
        'in publishing order',
      );
      assert.equal(sizes.get(`${partition} ${topic}`), set.records.length, 'its size kept for the next batch');
    }
  }
  assert.equal(sent.length, sets.reduce((n, s) => n + Object.values(s.recordSets).reduce((m, set) => m + set.length, 0), 0));
});

test("a decode step's packed records are written as record() reads them, from any record on (property)", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ topic: fc.constantFrom(...SESSION_TOPICS), key: fc.integer({ min: 0, max: 3 }), value: fc.uint8Array({ maxLength: 600 }), timestamp: fc.integer({ min: 0, max: 2 ** 45 }) }),
        { minLength: 1, maxLength: 60 },
      ),
      fc.nat(),
      (records, cut) => {
        const keys = [Buffer.from('r|10.0.0.1'), 'p|0|0:0|192.0.2.1|loc_rib', Buffer.from('é'), 'x'.repeat(90)];
        const packer = new RecordPacker();
        for (const r of records) packer.add(r.topic, r.key, Buffer.from(r.value), r.timestamp);
        const run = new PackedRecords(packer.take()!, keys, SESSION_TOPICS);
        const from = cut % run.length;
        const metadata = partitionMetadata(4);
        const partitioner = CachedDefaultPartitioner();
        const viaRecords = new RecordSetBuilder(() => metadata, partitioner);
        for (let i = from; i < run.length; i++) {
          const r = run.record(i);
          viaRecords.writerFor(r.topic, r.key)!.append(r.key, r.value, 0, r.value.length, r.timestamp!);
        }
        const packed = new RecordSetBuilder(() => metadata, partitioner);
        run.record(run.length - 1); // the cursor past `from`: writeRecords seeks back
        assert.equal(run.writeRecords(from, run.length, packed), true);
        const flat = (b: RecordSetBuilder) => b.topicRecordSets().map(({ topic, recordSets }) => ({ topic, sets: Object.entries(recordSets).map(([p, s]) => [p, s.records.toString('hex'), s.length, s.firstTimestamp, s.maxTimestamp]) }));
        assert.deepEqual(flat(packed), flat(viaRecords));
        assert.equal(run.writeRecords(0, 1, new RecordSetBuilder(() => null, partitioner)), false, 'no metadata: false');
      },
    ),
    { numRuns: 100 },
  );
});

/** A producer that takes record sets (as patched kafkajs's) and messages, recording what it sent how. */
function recordSetProducer(metadata: (topic: string) => ReturnType<typeof partitionMetadata> | null) {
  const sent: Array<{ how: 'sets' | 'messages'; records: Array<{ topic: string; key: string; value: string }> }> = [];
  const prepared: unknown[] = [];
  const producer = {
    partitionMetadataOf: metadata,
    prepareRecordSets: ({ topicRecordSets }: { topicRecordSets: unknown }) => prepared.push(topicRecordSets),
    async sendRecordSets({ topicRecordSets }: { topicRecordSets: Array<{ topic: string; recordSets: Record<number, RecordSetWriter> }> }) {
      await new Promise((r) => setImmediate(r));
      sent.push({
        how: 'sets',
        records: topicRecordSets.flatMap(({ topic, recordSets }) =>
          Object.values(recordSets).flatMap((set) => decode(set).map((d) => ({ topic, key: d.key.toString(), value: d.value.toString() }))),
        ),
      });
    },
    async sendBatch({ topicMessages }: { topicMessages: Array<{ topic: string; messages: OutboundRecord[] }> }) {
      await new Promise((r) => setImmediate(r));
      sent.push({ how: 'messages', records: topicMessages.flatMap(({ topic, messages }) => messages.map((m) => ({ topic, key: String(m.key), value: m.value.toString() }))) });
    },
  };
  return { producer: producer as unknown as Producer, sent, prepared };
}

test('the publisher sends record sets when the producer takes them and knows the topics, messages while it does not', async () => {
  let known = false;
  const { producer, sent, prepared } = recordSetProducer((topic) => (known || topic !== 'bmp.raw' ? partitionMetadata(6) : null));
  const options = { lingerMs: 0, maxBatchBytes: 2000, maxPendingBytes: 1 << 30, maxPendingBytesPerOwner: 1 << 30, compression: 'lz4' as const, partitioner: CachedDefaultPartitioner() };
  const p = new EventPublisher(producer, options, pino({ level: 'silent' }));
  const expected: Array<{ topic: string; key: string; value: string }> = [];
  const publish = (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = { topic: i % 4 === 0 ? 'bmp.raw' : 'bmp.route_monitoring', key: `peer-${i % 3}`, value: Buffer.from(`v${expected.length}`.padEnd(90, '.')) };
      expected.push({ topic: r.topic, key: r.key, value: r.value.toString() });
      p.publish(r, null);
    }
  };
  publish(50);
  await p.flush();
  known = true;
  publish(50);
  await p.flush();
  const hows = sent.map((s) => s.how);
  assert.ok(hows.includes('messages') && hows.includes('sets'), hows.join(' '));
  assert.ok(hows.lastIndexOf('messages') < hows.indexOf('sets'), 'sets once every topic is known');
  assert.equal(prepared.length > 0, true, 'a set batch is prepared (compressed) ahead');
  // Order within each key of a topic (the order Kafka keeps: per partition).
  const perKey = (list: typeof expected) => {
    const m = new Map<string, string[]>();
    for (const r of list) m.set(`${r.topic} ${r.key}`, [...(m.get(`${r.topic} ${r.key}`) ?? []), r.value]);
    return m;
  };
  assert.deepEqual(perKey(sent.flatMap((s) => s.records)), perKey(expected));
  assert.equal(p.acknowledged, expected.length);
  assert.equal(p.pendingBytes, 0);
});
