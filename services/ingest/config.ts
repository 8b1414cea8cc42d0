/**
 * The ingest service's configuration: the shared sections plus the BMP listener.
 */
import { httpSchema, kafkaSchema, logSchema, registrySchema, topicsSchema } from '../runtime/config.js';

export const ingestSchema = {
  ...logSchema,
  ...kafkaSchema,
  ...registrySchema,
  ...topicsSchema,
  ...httpSchema(9464, 'BMP_INGEST'),
  ingest: {
    host: { doc: 'Address the BMP listener binds to', format: String, default: '0.0.0.0', env: 'BMP_INGEST_HOST' },
    port: {
      doc: 'TCP port routers send BMP to (BMP has no IANA port; 1790 is the common choice of collectors)',
      format: 'port',
      default: 1790,
      env: 'BMP_INGEST_PORT',
    },
    maxMessageBytes: {
      doc: 'Largest BMP message accepted; a longer length field loses the session (framing cannot be trusted)',
      format: 'positive-int',
      default: 1024 * 1024,
      env: 'BMP_INGEST_MAX_MESSAGE_BYTES',
    },
    allowedRouters: {
      doc: 'Router source prefixes allowed to connect (comma-separated CIDRs); others are closed at once',
      format: 'cidr-list',
      default: ['0.0.0.0/0', '::/0'],
      env: 'BMP_INGEST_ALLOWED_ROUTERS',
    },
    gracePeriodMs: {
      doc: 'On SIGTERM: time to flush and close before exiting anyway',
      format: 'positive-int',
      default: 25_000,
      env: 'BMP_INGEST_GRACE_PERIOD_MS',
    },
  },
};

export type IngestConfig = {
  log: { level: string; format: 'json' | 'pretty' };
  kafka: {
    brokers: string[];
    clientId: string;
    ssl: boolean;
    sasl: { mechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  };
  registry: { url: string; username: string; password: string };
  topics: { prefix: string; partitions: number; replicationFactor: number; retentionMs: number };
  http: { host: string; port: number };
  ingest: { host: string; port: number; maxMessageBytes: number; allowedRouters: string[]; gracePeriodMs: number };
};
