import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { CachedDefaultPartitioner } from '../../../services/kafka/partitioner.js';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

const keys = Array.from({ length: 200 }, (_, i) => `192.0.2.${i % 7}|global|0:0|2001:db8::${i.toString(16)}|pre|in`);

test('string and Buffer keys land where the default partitioner puts them, cached or not', () => {
  const reference = Partitioners.DefaultPartitioner();
  const cached = CachedDefaultPartitioner();
  const octets = new Map(keys.map((k) => [k, Buffer.from(k)]));
  for (const partitions of [6, 6, 1, 12]) {
    const partitionMetadata = metadata(partitions);
    for (let pass = 0; pass < 2; pass++) {
      for (const key of keys) {
        const expected = reference({ topic: 't', partitionMetadata, message: { key, value: null } });
        assert.equal(cached({ topic: 't', partitionMetadata, message: { key, value: null } }), expected, `${key} as text, ${partitions} partitions`);
        assert.equal(cached({ topic: 't', partitionMetadata, message: { key: octets.get(key)!, value: null } }), expected, `${key} as octets, ${partitions} partitions`);
      }
    }
  }
});

test('an explicit partition is kept, and a keyless record is not cached', () => {
  const cached = CachedDefaultPartitioner();
  const partitionMetadata = metadata(6);
  assert.equal(cached({ topic: 't', partitionMetadata, message: { key: Buffer.from('k'), value: null, partition: 4 } }), 4);
  assert.equal(cached({ topic: 't', partitionMetadata, message: { key: 'k', value: null, partition: 5 } }), 5);
  const seen = new Set<number>();
  for (let i = 0; i < 60; i++) seen.add(cached({ topic: 't', partitionMetadata, message: { key: null, value: null } }));
  assert.ok(seen.size > 1, 'keyless records spread over partitions (round robin), not pinned by a cache');
});

test('runs of one key (answered from the last lookup) land as the default partitioner puts them, across topics and partition counts', () => {
  const reference = Partitioners.DefaultPartitioner();
  const cached = CachedDefaultPartitioner();
  const octets = keys.slice(0, 20).map((k) => Buffer.from(k));
  const calls: Array<{ topic: string; partitions: number; key: string | Buffer }> = [];
  for (const [i, key] of octets.entries()) {
    // The same key three times on one topic, then on another topic, then with another partition count.
    for (let r = 0; r < 3; r++) calls.push({ topic: 'a', partitions: 6, key });
    calls.push({ topic: 'b', partitions: 6, key }, { topic: 'b', partitions: 6, key });
    calls.push({ topic: 'b', partitions: 5 + (i % 3), key }, { topic: 'a', partitions: 12, key });
    calls.push({ topic: 'a', partitions: 12, key: keys[i] }, { topic: 'a', partitions: 12, key: keys[i] });
  }
  for (const { topic, partitions, key } of calls) {
    const partitionMetadata = metadata(partitions);
    const text = typeof key === 'string' ? key : key.toString();
    assert.equal(
      cached({ topic, partitionMetadata, message: { key, value: null } }),
      reference({ topic, partitionMetadata, message: { key: text, value: null } }),
      `${text} on ${topic} with ${partitions} partitions`,
    );
  }
});
