/**
 * Every topic of the pipeline with the settings it is created with: the ingest service's topics
 * (one per Avro event type, plus `raw` when enabled) and the consumers' output topics. Used by
 * `scripts/create-topics.ts` (the Helm hook Job and the compose init container) so an operator
 * creates them all, with their partitions, retention and compaction, before the services start.
 */
import { INGEST_TOPICS } from './avro/index.js';
import type { TopicSpec } from './topics.js';
import { kafkaSchema, logSchema, topicsSchema } from '../runtime/config.js';

/**
 * Output topics of the consumer services (architecture: peer-state writes a compacted peer_state
 * topic, latest state per peer key; route-changes writes route_changes and prefix_flaps).
 */
export const CONSUMER_TOPICS: ReadonlyArray<{ topic: string; compacted: boolean }> = [
  { topic: 'peer_state', compacted: true },
  { topic: 'route_changes', compacted: false },
  { topic: 'prefix_flaps', compacted: false },
];

export interface TopicPlanSettings {
  prefix: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
  /** Whether ingest publishes the raw topic (BMP_INGEST_RAW). */
  raw: boolean;
}

/** The topic specs of the whole pipeline, ingest's first, in a stable order. */
export function pipelineTopics(settings: TopicPlanSettings): TopicSpec[] {
  const names: Array<{ topic: string; compacted: boolean }> = [
    ...INGEST_TOPICS.map((topic) => ({ topic, compacted: false })),
    ...(settings.raw ? [{ topic: 'raw', compacted: false }] : []),
    ...CONSUMER_TOPICS,
  ];
  return names.map(({ topic, compacted }) => ({
    name: `${settings.prefix}${topic}`,
    partitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    retentionMs: settings.retentionMs,
    compacted,
  }));
}

/** Config schema of scripts/create-topics.ts: the shared Kafka, topic and log settings. */
export const createTopicsSchema = {
  ...logSchema,
  ...kafkaSchema,
  ...topicsSchema,
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
