/**
 * Wiring of the ingest service: HTTP endpoint first (so /readyz can say what is missing), then
 * Kafka topics, schema registration and the producer, then the BMP listener. Stopping reverses
 * it: stop accepting and reading, flush what was read, publish each session's end, disconnect.
 */
import { hostname } from 'node:os';
import { CachedDefaultPartitioner } from '../kafka/partitioner.js';
import { loadBmpTls, type BmpTls } from './tls.js';
import { ConfigError } from '../runtime/config.js';
import type { Logger } from '../runtime/logging.js';
import { startHttpEndpoint, type HttpEndpoint } from '../runtime/http.js';
import { createKafka } from '../kafka/client.js';
import { ensureTopics } from '../kafka/topics.js';
import { createRegistry, registerValueSchema } from '../kafka/registry.js';
import { EventPublisher } from '../kafka/publisher.js';
import { INGEST_TOPICS, schemaFor, type IngestTopic } from '../kafka/avro/index.js';
import { DecodeWorkers } from './decode-workers.js';
import { SESSION_TOPICS } from './decode-worker-protocol.js';
import type { SessionTopic } from './session-pipeline.js';
import { localSessionProcessors } from './session-processor.js';
import type { IngestConfig } from './config.js';
import { BmpListener } from './listener.js';
import { IngestMetrics } from './metrics.js';
import { untilDone } from '../runtime/retry.js';

export interface RunningIngest {
  bmpPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

export async function startIngest(config: IngestConfig, logger: Logger): Promise<RunningIngest> {
  let bmpTls: BmpTls | null;
  try {
    bmpTls = loadBmpTls(config.ingest.tls);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const metrics = new IngestMetrics();
  const state = { kafka: false, schemas: false, listening: false, stopping: false };
  const http: HttpEndpoint = await startHttpEndpoint({
    host: config.http.host,
    port: config.http.port,
    metrics: metrics.registry,
    readiness: () => {
      const reasons: string[] = [];
      if (!state.kafka) reasons.push('Kafka not connected');
      if (!state.schemas) reasons.push('schemas not registered');
      if (!state.listening) reasons.push('BMP listener not started');
      if (state.stopping) reasons.push('shutting down');
      return { ready: reasons.length === 0, reasons };
    },
  });
  logger.info({ port: http.port }, 'HTTP endpoint listening (/healthz, /readyz, /metrics)');

  const topicName = (t: IngestTopic | 'raw'): string => `${config.topics.prefix}${t}`;
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Murmur2 like the Java client, so other producers of the same keys agree on partitions.
    createPartitioner: CachedDefaultPartitioner,
  });
  const stopped = (): boolean => state.stopping;

  await untilDone('connecting to Kafka', logger, stopped, async () => {
    await admin.connect();
    const wanted = [...INGEST_TOPICS, ...(config.ingest.raw ? (['raw'] as const) : [])];
    const created = await ensureTopics(
      admin,
      wanted.map((t) => ({
        name: topicName(t),
        partitions: config.topics.partitions,
        replicationFactor: config.topics.replicationFactor,
        retentionMs: config.topics.retentionMs,
      })),
    );
    if (created.length > 0) logger.info({ topics: created }, 'created missing topics');
    await producer.connect();
  });
  await admin.disconnect();
  state.kafka = true;

  const registry = createRegistry(config.registry);
  const schemaIds = new Map<IngestTopic, number>();
  await untilDone('registering schemas', logger, stopped, async () => {
    for (const t of INGEST_TOPICS) {
      if (!schemaIds.has(t)) schemaIds.set(t, await registerValueSchema(registry, topicName(t), schemaFor(t)));
    }
  });
  state.schemas = true;
  logger.info({ schemaIds: Object.fromEntries(schemaIds) }, 'schemas registered');

  const publisher = new EventPublisher(
    producer,
    {
      lingerMs: config.producer.lingerMs,
      maxBatchBytes: config.producer.maxBatchBytes,
      maxPendingBytes: config.producer.maxPendingBytes,
      maxPendingBytesPerOwner: config.producer.maxPendingBytesPerSession,
      compression: config.producer.compression,
      // The producer's own partitioning (createPartitioner above), for the batches written here.
      partitioner: CachedDefaultPartitioner(),
    },
    logger,
    metrics,
  );
  const gauge = setInterval(() => metrics.bytesInFlight.set(publisher.pendingBytes), 1000);
  gauge.unref();

  const workers = config.ingest.decodeThreads > 0 ? new DecodeWorkers(config.ingest.decodeThreads, logger) : null;
  await workers?.start();
  if (workers) logger.info({ threads: config.ingest.decodeThreads }, 'decode worker threads started');

  const listener = new BmpListener(
    { ...config.ingest, tls: bmpTls },
    {
      publisher,
      metrics,
      logger,
      topicNames: Object.fromEntries(SESSION_TOPICS.map((t) => [t, topicName(t)])) as Record<SessionTopic, string>,
      schemaIds: Object.fromEntries(schemaIds) as Record<IngestTopic, number>,
      processors: workers ? workers.open : localSessionProcessors,
      collectorId: config.ingest.collectorId || hostname(),
      maxMessageBytes: config.ingest.maxMessageBytes,
      messageTimeoutMs: config.ingest.messageTimeoutMs,
      raw: config.ingest.raw,
    },
    metrics,
    logger,
  );
  const bmpPort = await listener.listen();
  state.listening = true;
  logger.info({ host: config.ingest.host, port: bmpPort }, 'BMP listener ready: routers may connect');

  return {
    bmpPort,
    httpPort: http.port,
    async stop() {
      state.stopping = true;
      listener.stopAccepting();
      logger.info({ sessions: listener.sessionCount, pendingBytes: publisher.pendingBytes }, 'stopped accepting and reading; flushing');
      await publisher.flush();
      await listener.closeSessions();
      await workers?.stop();
      await publisher.stop();
      clearInterval(gauge);
      await producer.disconnect();
      await http.close();
    },
  };
}
