/**
 * scripts/create-topics.ts (the Helm hook Job and compose's `topics` service) against the real
 * local Kafka: every topic of the pipeline (the consumers' internal and dead-letter topics too) is
 * created with the configured partitions, retention and replication, peer_state and the
 * route-changes snapshots compacted; a second run creates nothing and changes nothing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import kafkajs from 'kafkajs';
import { createKafka } from '../../services/kafka/client.js';
import { pipelineTopics } from '../../services/kafka/topic-plan.js';
import { kafkaSettings, testLogger, uniqueName } from '../helpers/stack.js';

// kafkajs is CommonJS; this enum is not among the names Node detects as named exports.
const { ConfigResourceTypes } = kafkajs;
const prefix = `${uniqueName('create-topics')}.`;
const settings = { prefix, partitions: 3, replicationFactor: 1, retentionMs: 7_200_000, raw: true };
const expected = pipelineTopics(settings);
const admin = createKafka(kafkaSettings, testLogger).admin();
after(async () => {
  await admin.deleteTopics({ topics: expected.map((s) => s.name) }).catch(() => undefined);
  await admin.disconnect();
});

function runScript(): { status: number | null; log: Array<Record<string, unknown>> } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/create-topics.ts'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
      BMP_TOPIC_PREFIX: prefix,
      BMP_TOPIC_PARTITIONS: String(settings.partitions),
      BMP_TOPIC_REPLICATION_FACTOR: String(settings.replicationFactor),
      BMP_TOPIC_RETENTION_MS: String(settings.retentionMs),
      BMP_INGEST_RAW: 'true',
      BMP_CREATE_TOPICS_TIMEOUT_MS: '60000',
    },
  });
  const log = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(r.status, 0, `create-topics exited ${r.status}:\n${r.stderr}`);
  return { status: r.status, log };
}

test('creates every topic with its partitions, retention and compaction', async () => {
  const { log } = runScript();
  const summary = log.find((l) => typeof l.msg === 'string' && l.msg.startsWith('topics ready'));
  assert.ok(summary, 'a summary line');
  assert.deepEqual([...(summary.created as string[])].sort(), expected.map((s) => s.name).sort());

  await admin.connect();
  const metadata = await admin.fetchTopicMetadata({ topics: expected.map((s) => s.name) });
  for (const t of metadata.topics) assert.equal(t.partitions.length, 3, `${t.name} partitions`);
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: expected.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.name, configNames: ['cleanup.policy', 'retention.ms'] })),
  });
  const byTopic = new Map(configs.resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
  for (const spec of expected) {
    const c = byTopic.get(spec.name);
    assert.ok(c, spec.name);
    if (spec.compacted) {
      assert.equal(c['cleanup.policy'], 'compact', `${spec.name} is compacted`);
    } else {
      assert.equal(c['cleanup.policy'], 'delete', `${spec.name} cleanup.policy`);
      assert.equal(c['retention.ms'], '7200000', `${spec.name} retention.ms`);
    }
  }
});

test('a second run creates nothing', () => {
  const { log } = runScript();
  const summary = log.find((l) => typeof l.msg === 'string' && l.msg.startsWith('topics ready'));
  assert.ok(summary);
  assert.deepEqual(summary.created, []);
  assert.equal((summary.existing as string[]).length, expected.length);
});
