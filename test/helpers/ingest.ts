/**
 * An ingest service configuration for in-process tests: the local stack, the test's own topic
 * prefix, ephemeral ports on 127.0.0.1, and whatever the test adds (environment variable names,
 * as an operator would set them).
 */
import type convict from 'convict';
import { ingestSchema, type IngestConfig } from '../../services/ingest/config.js';
import { loadConfig } from '../../services/runtime/config.js';
import { kafkaSettings, registrySettings } from './stack.js';

export function ingestTestConfig(prefix: string, env: Record<string, string> = {}): IngestConfig {
  return loadConfig(ingestSchema as unknown as convict.Schema<IngestConfig>, {
    env: {
      BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
      BMP_REGISTRY_URL: registrySettings.url,
      BMP_TOPIC_PREFIX: prefix,
      BMP_TOPIC_PARTITIONS: '3',
      BMP_INGEST_HOST: '127.0.0.1',
      BMP_INGEST_PORT: '0',
      BMP_INGEST_HTTP_HOST: '127.0.0.1',
      BMP_INGEST_HTTP_PORT: '0',
      BMP_INGEST_COLLECTOR_ID: 'test-collector',
      ...env,
    },
  }).getProperties();
}
