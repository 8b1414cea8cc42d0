/**
 * Wiring of the peer-state service: HTTP endpoint first (so /readyz can say what is missing),
 * then topics and schema, then the two stream stages (processor.ts) and the view the HTTP API
 * answers from (view.ts). Stopping reverses it.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../runtime/logging.js';
import { startHttpEndpoint } from '../runtime/http.js';
import { createKafka } from '../kafka/client.js';
import { ensureTopics, type TopicSpec } from '../kafka/topics.js';
import { createRegistry, registerValueSchema } from '../kafka/registry.js';
import { schemaFor, type PeerStateChangeRecord } from '../kafka/avro/index.js';
import { RecordDecoder, UndecodableRecordError } from '../consumer/decoder.js';
import { StreamMetrics, StreamRuntime } from '../consumer/runtime.js';
import { readToEnd } from '../consumer/restore.js';
import type { PeerStateConfig } from './config.js';
import { ByRouterProcessor, PeerStateProcessor } from './processor.js';
import { STATE_INPUT_TOPICS, type StateInputTopic } from './state.js';
import { startStateView, type RunningView } from './view.js';
import { peerStateRoutes } from './http.js';
import { StateView } from './view.js';
import { untilDone } from '../runtime/retry.js';

export interface RunningPeerState {
  httpPort: number;
  /** The HTTP API's view of the state. */
  view: StateView;
  /** Tasks (input partition numbers) this instance owns, per stage. */
  tasks(): { byRouter: number[]; peerState: number[] };
  stop(): Promise<void>;
}

export async function startPeerState(config: PeerStateConfig, logger: Logger): Promise<RunningPeerState> {
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const metrics = new StreamMetrics(metricsRegistry);
  // Computed at scrape time from the HTTP view (every router, whichever instance owns it).
  new Gauge({
    name: 'bmp_peer_state_peers',
    help: 'Monitored peers by status (up, down, unknown) and staleness',
    labelNames: ['status', 'stale'],
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const r of view.peers.values()) if (r.peer) this.inc({ status: r.peer.status, stale: String(r.peer.stale) });
    },
  });
  new Gauge({
    name: 'bmp_peer_state_routers',
    help: 'Monitored routers by whether their BMP session is up',
    labelNames: ['connected'],
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const r of view.routers.values()) if (r.router) this.inc({ connected: String(r.router.connected) });
    },
  });
  const state = { kafka: false, stopping: false };
  let byRouter: StreamRuntime<unknown> | null = null;
  let peerState: StreamRuntime<unknown> | null = null;
  let running: RunningView | null = null;
  let view = new StateView();
  const http = await startHttpEndpoint({
    host: config.http.host,
    port: config.http.port,
    metrics: metricsRegistry,
    readiness: () => {
      const reasons: string[] = [];
      if (!state.kafka) reasons.push('Kafka topics and schema not ready');
      for (const r of [byRouter, peerState]) {
        const reason = r?.notReadyReason;
        if (reason) reasons.push(reason);
      }
      if (running === null || !running.caughtUp()) reasons.push('HTTP view has not read peer_state to its end yet');
      if (state.stopping) reasons.push('shutting down');
      return { ready: reasons.length === 0, reasons };
    },
    routes: [(req, res, url) => peerStateRoutes(view)(req, res, url)],
  });
  logger.info({ port: http.port }, 'HTTP endpoint listening (/, /routers, /peers, /healthz, /readyz, /metrics)');

  const { prefix } = config.topics;
  const topicName = (t: string): string => `${prefix}${t}`;
  const inputTopics = STATE_INPUT_TOPICS.map(topicName);
  const byRouterTopic = topicName(config.peerState.byRouterTopic);
  const stateTopic = topicName(config.peerState.stateTopic);
  const deadLetterTopic = topicName(config.consumer.deadLetterTopic);
  const kafka = createKafka(config.kafka, logger);
  const stopped = (): boolean => state.stopping;
  const spec = (name: string, compacted = false): TopicSpec => ({
    name,
    partitions: config.topics.partitions,
    replicationFactor: config.topics.replicationFactor,
    retentionMs: config.topics.retentionMs,
    compacted,
  });

  await untilDone('preparing Kafka topics', logger, stopped, async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The input topics are ingest's; creating them (same settings) lets either start first.
      const created = await ensureTopics(admin, [...inputTopics.map((t) => spec(t)), spec(byRouterTopic), spec(stateTopic, true), spec(deadLetterTopic)]);
      if (created.length > 0) logger.info({ topics: created }, 'created missing topics');
      const meta = await admin.fetchTopicMetadata({ topics: [byRouterTopic, stateTopic] });
      const counts = meta.topics.map((t) => t.partitions.length);
      // Task N writes partition N of peer_state: both topics need the same number of partitions.
      if (counts[0] !== counts[1]) {
        throw new Error(`${byRouterTopic} has ${counts[0]} partitions and ${stateTopic} ${counts[1]}: they must be equal`);
      }
    } finally {
      await admin.disconnect();
    }
  });
  const registry = createRegistry(config.registry);
  const schemaId = await untilDone('registering the peer_state schema', logger, stopped, () => registerValueSchema(registry, stateTopic, schemaFor('peer_state')));
  state.kafka = true;
  logger.info({ schemaId, topic: stateTopic }, 'peer_state schema registered');

  const decoder = new RecordDecoder(registry);
  const common = {
    kafka,
    deadLetterTopic,
    logger,
    metrics,
    maxRecordsPerTransaction: config.consumer.maxRecordsPerTransaction,
    sessionTimeoutMs: config.consumer.sessionTimeoutMs,
    transactionTimeoutMs: config.consumer.transactionTimeoutMs,
  };
  const logicalOf = (kafkaTopic: string): StateInputTopic => kafkaTopic.slice(prefix.length) as StateInputTopic;
  byRouter = new StreamRuntime({
    ...common,
    name: 'by_router',
    groupId: `${config.consumer.groupId}.by_router`,
    transactionalIdPrefix: `${config.consumer.transactionalIdPrefix}.by_router`,
    inputTopics,
    processor: new ByRouterProcessor(decoder, logicalOf, byRouterTopic),
  }) as StreamRuntime<unknown>;
  const stateProcessor = new PeerStateProcessor(
    decoder,
    async (tasks, onRecord) => {
      const n = await readToEnd({
        kafka,
        topic: stateTopic,
        partitions: tasks,
        groupPrefix: config.consumer.groupId,
        onRecord: async (partition, message) => {
          let record: PeerStateChangeRecord;
          try {
            record = await decoder.decode('peer_state', message.value);
          } catch (err) {
            // A record that can never decode is skipped; a registry outage fails the restore (retried).
            if (!(err instanceof UndecodableRecordError)) throw err;
            logger.warn({ err, partition, offset: message.offset }, 'undecodable peer_state record skipped on restore');
            return;
          }
          onRecord(partition, record);
        },
      });
      logger.info({ tasks, records: n }, 'state restored from peer_state');
    },
    stateTopic,
    schemaId,
  );
  peerState = new StreamRuntime({
    ...common,
    name: 'peer_state',
    groupId: config.consumer.groupId,
    transactionalIdPrefix: `${config.consumer.transactionalIdPrefix}.peer_state`,
    inputTopics: [byRouterTopic],
    processor: stateProcessor,
  }) as StreamRuntime<unknown>;

  running = await startStateView({ kafka, topic: stateTopic, groupPrefix: config.consumer.groupId, decoder, logger });
  view = running.view;
  await byRouter.start();
  await peerState.start();
  logger.info({ inputs: inputTopics, output: stateTopic }, 'peer-state running');

  return {
    httpPort: http.port,
    get view() {
      return view;
    },
    tasks: () => ({ byRouter: byRouter?.tasks ?? [], peerState: peerState?.tasks ?? [] }),
    async stop() {
      state.stopping = true;
      await byRouter?.stop();
      await peerState?.stop();
      await running?.stop();
      await http.close();
    },
  };
}
