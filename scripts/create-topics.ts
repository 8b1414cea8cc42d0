/**
 * Creates every topic of the pipeline that does not exist yet, with its partitions, replication,
 * retention and compaction (peer_state and the route-changes snapshots are compacted; see
 * services/kafka/topic-plan.ts for the list), and reports the ones that exist with fewer
 * partitions than configured (consumer replicas beyond a topic's partitions would sit idle).
 * Existing topics are never changed.
 *
 * Run by the Helm chart's hook Job and docker-compose's `topics` service from the service image:
 *   node dist/scripts/create-topics.js          (its build, in the image)
 *   node --import tsx scripts/create-topics.ts  (from the sources)
 * Configuration: the shared BMP_KAFKA_*, BMP_TOPIC_* and BMP_LOG_* variables (or BMP_CONFIG),
 * BMP_INGEST_RAW (whether the raw topic is wanted), the consumers' topic names as they read them
 * (BMP_PEER_STATE_TOPIC, BMP_ROUTE_CHANGES_INPUT_TOPIC, ...) and BMP_CREATE_TOPICS_TIMEOUT_MS.
 * Exit codes: 0 done, 1 Kafka failure or timeout, 2 bad configuration.
 */
import type convict from 'convict';
import { createKafka } from '../services/kafka/client.js';
import { ensureTopics } from '../services/kafka/topics.js';
import { createTopicsSchema, pipelineTopics, type ConsumerTopicNames } from '../services/kafka/topic-plan.js';
import { ConfigError, loadConfig } from '../services/runtime/config.js';
import { createLogger, type LogConfig } from '../services/runtime/logging.js';
import type { KafkaSettings } from '../services/kafka/client.js';

interface CreateTopicsConfig {
  log: LogConfig;
  kafka: KafkaSettings;
  topics: { prefix: string; partitions: number; replicationFactor: number; retentionMs: number };
  ingest: { raw: boolean };
  createTopics: { timeoutMs: number };
  peerState: ConsumerTopicNames['peerState'];
  routeChanges: ConsumerTopicNames['routeChanges'];
}

let config: CreateTopicsConfig;
try {
  config = loadConfig(createTopicsSchema as unknown as convict.Schema<CreateTopicsConfig>).getProperties();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`create-topics: ${err.message}\n`);
  process.exit(2);
}

const logger = createLogger(config.log, 'create-topics');
const specs = pipelineTopics({ ...config.topics, raw: config.ingest.raw, consumers: { peerState: config.peerState, routeChanges: config.routeChanges } });
const admin = createKafka(config.kafka, logger).admin();

const deadline = setTimeout(() => {
  logger.fatal({ timeoutMs: config.createTopics.timeoutMs, brokers: config.kafka.brokers }, 'Kafka did not answer in time; topics not created');
  logger.flush();
  process.exit(1);
}, config.createTopics.timeoutMs);

try {
  await admin.connect();
  const created = await ensureTopics(admin, specs);
  const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
  const partitionsOf = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  for (const spec of specs) {
    const partitions = partitionsOf.get(spec.name) ?? 0;
    if (partitions < spec.partitions) {
      logger.warn({ topic: spec.name, partitions, configured: spec.partitions }, 'topic exists with fewer partitions than configured; consumers beyond its partition count stay idle');
    }
  }
  logger.info(
    { created, existing: specs.filter((s) => !created.includes(s.name)).map((s) => s.name), partitions: Object.fromEntries(partitionsOf) },
    `topics ready: ${created.length} created, ${specs.length - created.length} already there`,
  );
  await admin.disconnect();
  clearTimeout(deadline);
  logger.flush();
} catch (err) {
  logger.fatal({ err }, 'creating topics failed');
  logger.flush();
  process.exit(1);
}
