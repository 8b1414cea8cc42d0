/**
 * Every topic of the pipeline with the settings it is created with: the ingest service's topics
 * (one per Avro event type, plus `raw` when enabled) and every topic the consumer services write:
 * their outputs, their internal topics (peer-state's by-router topic, route-changes' merged input
 * and its snapshots) and their dead-letter topics. Used by `scripts/create-topics.ts` (the Helm
 * hook Job and the compose init container) so an operator creates them all, with their
 * partitions, retention and compaction, before the services start; where the services' Kafka
 * principal may not create topics, nothing is then left for them to create.
 *
 * The consumers' topic names are configurable (BMP_PEER_STATE_TOPIC, ...): the plan reads the same
 * variables, with the same defaults, as the services themselves (their schema entries are reused).
 */
import { INGEST_TOPICS } from './avro/index.js';
import type { TopicSpec } from './topics.js';
import { kafkaSchema, logSchema, topicsSchema } from '../runtime/config.js';
import { peerStateSchema } from '../peer-state/config.js';
import { routeChangesSchema } from '../route-changes/config.js';

/** Logical names (before the prefix) of the topics the consumer services write. */
export interface ConsumerTopicNames {
  peerState: { stateTopic: string; byRouterTopic: string; deadLetterTopic: string };
  routeChanges: { outputTopic: string; flapsTopic: string; inputTopic: string; snapshotTopic: string; deadLetterTopic: string };
}

/** The consumer sections of the create-topics config: the services' own entries. */
const consumerTopicsSchema = {
  peerState: {
    stateTopic: peerStateSchema.peerState.stateTopic,
    byRouterTopic: peerStateSchema.peerState.byRouterTopic,
    deadLetterTopic: peerStateSchema.consumer.deadLetterTopic,
  },
  routeChanges: {
    outputTopic: routeChangesSchema.routeChanges.outputTopic,
    flapsTopic: routeChangesSchema.routeChanges.flapsTopic,
    inputTopic: routeChangesSchema.routeChanges.inputTopic,
    snapshotTopic: routeChangesSchema.routeChanges.snapshotTopic,
    deadLetterTopic: routeChangesSchema.consumer.deadLetterTopic,
  },
};

/** The defaults of a config section's entries. */
function defaultsOf<T extends Record<string, { default: string }>>(section: T): { [K in keyof T]: string } {
  return Object.fromEntries(Object.entries(section).map(([key, entry]) => [key, entry.default])) as { [K in keyof T]: string };
}

/** The consumers' topic names when nothing overrides them. */
export const DEFAULT_CONSUMER_TOPICS: ConsumerTopicNames = {
  peerState: defaultsOf(consumerTopicsSchema.peerState),
  routeChanges: defaultsOf(consumerTopicsSchema.routeChanges),
};

/**
 * The consumers' topics: peer_state keeps the latest state per peer key and the snapshots the
 * latest chunk per task and key, so both are compacted (services/peer-state/service.ts and
 * services/route-changes/service.ts create them so too); the rest are retained by time.
 */
export function consumerTopics(names: ConsumerTopicNames): Array<{ topic: string; compacted: boolean }> {
  const p = names.peerState;
  const r = names.routeChanges;
  return [
    { topic: p.stateTopic, compacted: true },
    { topic: p.byRouterTopic, compacted: false },
    { topic: p.deadLetterTopic, compacted: false },
    { topic: r.outputTopic, compacted: false },
    { topic: r.flapsTopic, compacted: false },
    { topic: r.inputTopic, compacted: false },
    { topic: r.snapshotTopic, compacted: true },
    { topic: r.deadLetterTopic, compacted: false },
  ];
}

export interface TopicPlanSettings {
  prefix: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
  /** Whether ingest publishes the raw topic (BMP_INGEST_RAW). */
  raw: boolean;
  /** The consumers' topic names (default: DEFAULT_CONSUMER_TOPICS). */
  consumers?: ConsumerTopicNames;
}

/** The topic specs of the whole pipeline, ingest's first, in a stable order. */
export function pipelineTopics(settings: TopicPlanSettings): TopicSpec[] {
  const names: Array<{ topic: string; compacted: boolean }> = [
    ...INGEST_TOPICS.map((topic) => ({ topic, compacted: false })),
    ...(settings.raw ? [{ topic: 'raw', compacted: false }] : []),
    ...consumerTopics(settings.consumers ?? DEFAULT_CONSUMER_TOPICS),
  ];
  // Two names configured alike are one topic: created once, compacted if either use is.
  const compacted = new Map<string, boolean>();
  for (const n of names) compacted.set(n.topic, (compacted.get(n.topic) ?? false) || n.compacted);
  return [...compacted].map(([topic, isCompacted]) => ({
    name: `${settings.prefix}${topic}`,
    partitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    retentionMs: settings.retentionMs,
    compacted: isCompacted,
  }));
}

/**
 * Config schema of scripts/create-topics.ts: the shared Kafka, topic and log settings, and the
 * consumers' topic names.
 */
export const createTopicsSchema = {
  ...logSchema,
  ...kafkaSchema,
  ...topicsSchema,
  ...consumerTopicsSchema,
  ingest: {
    raw: { doc: 'Create the raw topic (ingest publishes it unless BMP_INGEST_RAW=false)', format: Boolean, default: true, env: 'BMP_INGEST_RAW' },
  },
  createTopics: {
    timeoutMs: {
      doc: 'Give up (exit 1) when Kafka has not answered within this time (ms)',
      format: 'positive-int',
      default: 300_000,
      env: 'BMP_CREATE_TOPICS_TIMEOUT_MS',
    },
  },
};
