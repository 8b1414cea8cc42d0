import { test } from 'node:test';
import assert from 'node:assert/strict';
import type convict from 'convict';
import { AVRO_TOPICS, INGEST_TOPICS } from '../../../services/kafka/avro/index.js';
import { createTopicsSchema, pipelineTopics, type ConsumerTopicNames } from '../../../services/kafka/topic-plan.js';
import { loadConfig } from '../../../services/runtime/config.js';

const settings = { prefix: 'bmp.', partitions: 12, replicationFactor: 3, retentionMs: 3_600_000, raw: true };

/** Every topic the consumer services create at start with their default settings. */
const CONSUMER_DEFAULTS = [
  'peer_state',
  'peer_state.by_router',
  'peer-state.dead_letter',
  'route_changes',
  'prefix_flaps',
  'route_changes.input',
  'route_changes.snapshots',
  'route-changes.dead_letter',
];

test('the plan has every Avro topic, raw and every consumer topic, prefixed, with the configured settings', () => {
  const plan = pipelineTopics(settings);
  const names = plan.map((s) => s.name);
  for (const t of AVRO_TOPICS) assert.ok(names.includes(`bmp.${t}`), t);
  for (const t of ['raw', ...CONSUMER_DEFAULTS]) assert.ok(names.includes(`bmp.${t}`), t);
  assert.equal(new Set(names).size, names.length, 'no topic twice');
  for (const s of plan) {
    assert.equal(s.partitions, 12);
    assert.equal(s.replicationFactor, 3);
    assert.equal(s.retentionMs, 3_600_000);
  }
});

test('peer_state and the route-changes snapshots are compacted, nothing else', () => {
  const compacted = pipelineTopics(settings).filter((s) => s.compacted).map((s) => s.name);
  assert.deepEqual(compacted, ['bmp.peer_state', 'bmp.route_changes.snapshots']);
});

test('no raw topic when ingest does not publish it', () => {
  const names = pipelineTopics({ ...settings, raw: false }).map((s) => s.name);
  assert.ok(!names.includes('bmp.raw'));
  assert.equal(names.length, INGEST_TOPICS.length + CONSUMER_DEFAULTS.length);
});

test('the consumers\' topic names come from the variables the services read', () => {
  const env = {
    BMP_PEER_STATE_TOPIC: 'state.v2',
    BMP_PEER_STATE_DEAD_LETTER_TOPIC: 'ps.dlq',
    BMP_ROUTE_CHANGES_INPUT_TOPIC: 'rc.in',
    BMP_ROUTE_CHANGES_SNAPSHOT_TOPIC: 'rc.snap',
  };
  const config = loadConfig(createTopicsSchema as unknown as convict.Schema<{ peerState: ConsumerTopicNames['peerState']; routeChanges: ConsumerTopicNames['routeChanges'] }>, {
    env,
  }).getProperties();
  const plan = pipelineTopics({ ...settings, consumers: { peerState: config.peerState, routeChanges: config.routeChanges } });
  const names = plan.map((s) => s.name);
  for (const t of ['state.v2', 'ps.dlq', 'rc.in', 'rc.snap', 'peer_state.by_router', 'route_changes', 'prefix_flaps', 'route-changes.dead_letter']) {
    assert.ok(names.includes(`bmp.${t}`), t);
  }
  assert.ok(!names.includes('bmp.peer_state') && !names.includes('bmp.route_changes.input'), 'the defaults are replaced');
  assert.deepEqual(plan.filter((s) => s.compacted).map((s) => s.name), ['bmp.state.v2', 'bmp.rc.snap']);
});

test('two consumer topics configured with one name are one topic, compacted if either is', () => {
  const consumers: ConsumerTopicNames = {
    peerState: { stateTopic: 'state', byRouterTopic: 'by_router', deadLetterTopic: 'dlq' },
    routeChanges: { outputTopic: 'out', flapsTopic: 'flaps', inputTopic: 'in', snapshotTopic: 'state', deadLetterTopic: 'dlq' },
  };
  const plan = pipelineTopics({ ...settings, consumers });
  assert.equal(new Set(plan.map((s) => s.name)).size, plan.length);
  assert.deepEqual(
    plan.filter((s) => s.name === 'bmp.dlq' || s.name === 'bmp.state').map((s) => [s.name, s.compacted]),
    [
      ['bmp.state', true],
      ['bmp.dlq', false],
    ],
  );
  const mixed = pipelineTopics({ ...settings, consumers: { ...consumers, routeChanges: { ...consumers.routeChanges, snapshotTopic: 'snap', outputTopic: 'state' } } });
  assert.equal(mixed.find((s) => s.name === 'bmp.state')?.compacted, true, 'compacted although its other use is not');
});
