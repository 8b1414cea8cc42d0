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
