import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AVRO_TOPICS, INGEST_TOPICS } from '../../../services/kafka/avro/index.js';
import { pipelineTopics } from '../../../services/kafka/topic-plan.js';

const settings = { prefix: 'bmp.', partitions: 12, replicationFactor: 3, retentionMs: 3_600_000, raw: true };

test('the plan has every Avro topic, raw and the consumer topics, prefixed, with the configured settings', () => {
  const plan = pipelineTopics(settings);
  const names = plan.map((s) => s.name);
  for (const t of AVRO_TOPICS) assert.ok(names.includes(`bmp.${t}`), t);
  for (const t of ['raw', 'peer_state', 'route_changes', 'prefix_flaps']) assert.ok(names.includes(`bmp.${t}`), t);
  assert.equal(new Set(names).size, names.length, 'no topic twice');
  for (const s of plan) {
    assert.equal(s.partitions, 12);
    assert.equal(s.replicationFactor, 3);
    assert.equal(s.retentionMs, 3_600_000);
  }
});

test('only peer_state is compacted', () => {
  const compacted = pipelineTopics(settings).filter((s) => s.compacted).map((s) => s.name);
  assert.deepEqual(compacted, ['bmp.peer_state']);
});

test('no raw topic when ingest does not publish it', () => {
  const names = pipelineTopics({ ...settings, raw: false }).map((s) => s.name);
  assert.ok(!names.includes('bmp.raw'));
  assert.equal(names.length, INGEST_TOPICS.length + 3);
});
