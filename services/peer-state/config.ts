/**
 * Configuration of the peer-state service: the shared pieces plus its consumer section.
 */
import { httpSchema, kafkaSchema, logSchema, registrySchema, topicsSchema } from '../runtime/config.js';
import { consumerSchema, type ConsumerSettings } from '../consumer/config.js';
import type { KafkaSettings } from '../kafka/client.js';
import type { RegistrySettings } from '../kafka/registry.js';

export const peerStateSchema = {
  ...logSchema,
  ...kafkaSchema,
  ...registrySchema,
  ...topicsSchema,
  ...httpSchema(9465, 'BMP_PEER_STATE'),
  ...consumerSchema('peer-state', 'BMP_PEER_STATE'),
  peerState: {
    stateTopic: {
      doc: 'Logical name of the compacted state topic this deployment writes (the topic prefix is added)',
      format: String,
      default: 'peer_state',
      env: 'BMP_PEER_STATE_TOPIC',
    },
    byRouterTopic: {
      doc: 'Logical name of the internal topic of the input records keyed by router (the topic prefix is added); one per deployment',
      format: String,
      default: 'peer_state.by_router',
      env: 'BMP_PEER_STATE_BY_ROUTER_TOPIC',
    },
    gracePeriodMs: {
      doc: 'Longest a graceful stop may take (ms) before the process exits anyway',
      format: 'positive-int',
      default: 30_000,
      env: 'BMP_PEER_STATE_GRACE_PERIOD_MS',
    },
  },
};

export type PeerStateConfig = {
  log: { level: string; format: 'json' | 'pretty' };
  kafka: KafkaSettings;
  registry: RegistrySettings;
  topics: { prefix: string; partitions: number; replicationFactor: number; retentionMs: number };
  http: { host: string; port: number };
  consumer: ConsumerSettings;
  peerState: { stateTopic: string; byRouterTopic: string; gracePeriodMs: number };
};
