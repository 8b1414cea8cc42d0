/**
 * The ingest service's configuration: the shared sections plus the BMP listener.
 */
import { httpSchema, kafkaSchema, logSchema, registrySchema, topicsSchema } from '../runtime/config.js';
import type { KafkaSettings } from '../kafka/client.js';
import type { RegistrySettings } from '../kafka/registry.js';
import type { BmpTlsSettings } from './tls.js';

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
    messageTimeoutMs: {
      doc: 'Longest a BMP message may take to arrive once begun (ms); a sender that stalls or trickles inside a message is closed (an idle router between messages is not)',
      format: 'positive-int',
      default: 60_000,
      env: 'BMP_INGEST_MESSAGE_TIMEOUT_MS',
    },
    allowedRouters: {
      doc: 'Router source prefixes allowed to connect (comma-separated CIDRs); others are closed at once',
      format: 'cidr-list',
      default: ['0.0.0.0/0', '::/0'],
      env: 'BMP_INGEST_ALLOWED_ROUTERS',
    },
    proxyProtocol: {
      doc: 'HAProxy PROXY protocol on the listener: "off", or "required" (every connection starts with a v1 or v2 header, whose source address becomes the router address)',
      format: ['off', 'required'],
      default: 'off',
      env: 'BMP_INGEST_PROXY_PROTOCOL',
    },
    trustedProxies: {
      doc: 'Load balancer addresses allowed to send PROXY headers (comma-separated CIDRs); others are closed',
      format: 'cidr-list',
      default: ['0.0.0.0/0', '::/0'],
      env: 'BMP_INGEST_TRUSTED_PROXIES',
    },
    tls: {
      certFile: {
        doc: 'PEM certificate (chain) of the BMP listener: when set, routers must speak TLS (e.g. through stunnel); empty: plain TCP as RFC 7854 defines',
        format: 'optional-file',
        default: '',
        env: 'BMP_INGEST_TLS_CERT_FILE',
      },
      keyFile: { doc: 'PEM private key of ingest.tls.certFile', format: 'optional-file', default: '', env: 'BMP_INGEST_TLS_KEY_FILE', sensitive: true },
      caFile: { doc: 'PEM CA(s) that sign the routers\' client certificates', format: 'optional-file', default: '', env: 'BMP_INGEST_TLS_CA_FILE' },
      requireClientCert: {
        doc: 'Mutual TLS: close connections without a client certificate signed by ingest.tls.caFile',
        format: Boolean,
        default: false,
        env: 'BMP_INGEST_TLS_REQUIRE_CLIENT_CERT',
      },
      allowedClientNames: {
        doc: 'With requireClientCert: certificate names (CN, DNS or IP SAN) allowed, comma-separated; empty: any the CA signed',
        format: 'string-list',
        default: [],
        env: 'BMP_INGEST_TLS_ALLOWED_CLIENT_NAMES',
      },
    },
    maxSessions: { doc: 'Most router sessions open at once; more are closed at once', format: 'positive-int', default: 2000, env: 'BMP_INGEST_MAX_SESSIONS' },
    maxSessionsPerAddress: {
      doc: 'Most sessions from one router address at once',
      format: 'positive-int',
      default: 16,
      env: 'BMP_INGEST_MAX_SESSIONS_PER_ADDRESS',
    },
    collectorId: {
      doc: 'Name of this collector in the router and raw topics (default: the host name)',
      format: String,
      default: '',
      env: 'BMP_INGEST_COLLECTOR_ID',
    },
    decodeThreads: {
      doc: 'Worker threads that frame, decode and Avro-encode the sessions\' BMP (each session runs in one; each hands its records over in 32 MiB of memory shared with the event loop, resident as it is used); 0 runs that work on the event loop, beside the sockets and the Kafka client',
      format: 'nat',
      default: 1,
      env: 'BMP_INGEST_DECODE_THREADS',
    },
    raw: { doc: 'Publish every BMP message as received to the raw topic (OpenBMP v1.7 framing)', format: Boolean, default: true, env: 'BMP_INGEST_RAW' },
    gracePeriodMs: {
      doc: 'On SIGTERM: time to flush and close before exiting anyway',
      format: 'positive-int',
      default: 25_000,
      env: 'BMP_INGEST_GRACE_PERIOD_MS',
    },
  },
  producer: {
    lingerMs: { doc: 'Wait this long for more events before sending a small batch (ms)', format: 'nat', default: 5, env: 'BMP_PRODUCER_LINGER_MS' },
    maxBatchBytes: {
      doc: 'Largest batch sent to Kafka at once (bytes); 1 MiB keeps the service under 400 MB while a full table streams in, at the same throughput as larger batches',
      format: 'positive-int',
      default: 1024 * 1024,
      env: 'BMP_PRODUCER_MAX_BATCH_BYTES',
    },
    maxPendingBytes: {
      doc: 'Bound on event bytes awaiting Kafka acknowledgement, all sessions together; past it sessions stop reading',
      format: 'positive-int',
      default: 128 * 1024 * 1024,
      env: 'BMP_PRODUCER_MAX_PENDING_BYTES',
    },
    maxPendingBytesPerSession: {
      doc: 'Bound on event bytes awaiting acknowledgement for one session; past it that session stops reading',
      format: 'positive-int',
      // 8 MiB: eight batches of the default size, enough to keep Kafka busy while the session's
      // next records are decoded; more only raised the peak memory (bench:ingest).
      default: 8 * 1024 * 1024,
      env: 'BMP_PRODUCER_MAX_PENDING_BYTES_PER_SESSION',
    },
    compression: { doc: 'Compression of Kafka batches', format: ['lz4', 'gzip', 'none'], default: 'lz4', env: 'BMP_PRODUCER_COMPRESSION' },
  },
};

export type IngestConfig = {
  log: { level: string; format: 'json' | 'pretty' };
  kafka: KafkaSettings;
  registry: RegistrySettings;
  topics: { prefix: string; partitions: number; replicationFactor: number; retentionMs: number };
  http: { host: string; port: number };
  ingest: {
    host: string;
    port: number;
    maxMessageBytes: number;
    messageTimeoutMs: number;
    allowedRouters: string[];
    proxyProtocol: 'off' | 'required';
    trustedProxies: string[];
    tls: BmpTlsSettings;
    maxSessions: number;
    maxSessionsPerAddress: number;
    collectorId: string;
    decodeThreads: number;
    raw: boolean;
    gracePeriodMs: number;
  };
  producer: {
    lingerMs: number;
    maxBatchBytes: number;
    maxPendingBytes: number;
    maxPendingBytesPerSession: number;
    compression: 'lz4' | 'gzip' | 'none';
  };
};
