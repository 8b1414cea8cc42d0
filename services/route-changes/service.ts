/**
 * Wiring of the route-changes service: HTTP endpoint first (so /readyz can say what is missing),
 * then topics and schemas, then the two stream stages (processor.ts) and the tick timer.
 * Stopping reverses it.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../runtime/logging.js';
import { startHttpEndpoint } from '../runtime/http.js';
import { createKafka } from '../kafka/client.js';
import { ensureTopics, type TopicSpec } from '../kafka/topics.js';
import { createRegistry, registerValueSchema } from '../kafka/registry.js';
import { schemaFor } from '../kafka/avro/index.js';
import { RecordDecoder } from '../consumer/decoder.js';
import { StreamMetrics, StreamRuntime, type ConsumedRecord } from '../consumer/runtime.js';
import { readToEnd } from '../consumer/restore.js';
import type { RouteChangesConfig } from './config.js';
import { AggregateProcessor, ForwardProcessor, SOURCE_TOPICS, SOURCE_TOPIC_HEADER, TICK, originOf, type TaskStateSource, type TickValue } from './processor.js';
import { SnapshotCollector } from './snapshot-topic.js';
import { readRange } from './replay.js';
import { untilDone } from '../runtime/retry.js';

export interface RunningRouteChanges {
  httpPort: number;
  /** Tasks (input partition numbers) this instance owns, per stage. */
  tasks(): { forward: number[]; aggregate: number[] };
  stop(): Promise<void>;
}

/** Reads the tasks' state from Kafka: snapshots, offsets, replay (see processor.ts). */
function kafkaStateSource(kafka: Kafka, options: { inputTopic: string; snapshotTopic: string; groupId: string; logger: Logger }): TaskStateSource {
  return {
    async snapshots(tasks) {
      const collectors = new Map(tasks.map((t) => [t, new SnapshotCollector()]));
      await readToEnd({
        kafka,
        topic: options.snapshotTopic,
        partitions: tasks,
        groupPrefix: options.groupId,
        onRecord: (partition, message) => collectors.get(partition)?.add(message),
      });
      const out = new Map<number, { blob: Buffer; offset: bigint }>();
      for (const [task, c] of collectors) {
        const latest = c.latest();
        if (latest !== null) out.set(task, { blob: latest.blob, offset: BigInt(latest.manifest.offset) });
      }
      return out;
    },
    async offsets(tasks) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const out = new Map<number, { committed: bigint | null; start: bigint }>();
        for (const o of await admin.fetchTopicOffsets(options.inputTopic)) {
          if (tasks.includes(o.partition)) out.set(o.partition, { committed: null, start: BigInt(o.low) });
        }
        for (const { partitions } of await admin.fetchOffsets({ groupId: options.groupId, topics: [options.inputTopic] })) {
          for (const { partition, offset } of partitions) {
            const entry = out.get(partition);
            if (entry !== undefined && offset !== '-1') entry.committed = BigInt(offset);
          }
        }
        return out;
      } finally {
        await admin.disconnect();
      }
    },
    replay(ranges, onRecord) {
      return readRange({
        kafka,
        topic: options.inputTopic,
        ranges,
        groupPrefix: options.groupId,
        onRecord: (partition, m) =>
          onRecord({
            topic: options.inputTopic,
            partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            timestamp: Number(m.timestamp),
            headers: m.headers ?? {},
          } satisfies ConsumedRecord),
      });
    },
  };
}

export async function startRouteChanges(config: RouteChangesConfig, logger: Logger): Promise<RunningRouteChanges> {
  const settings = config.routeChanges;
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const metrics = new StreamMetrics(metricsRegistry);
  let processor: AggregateProcessor | null = null;
  const taskStats = () => [...(processor?.tasks.values() ?? [])].map((t) => t.stats());
  const sum = (pick: (s: ReturnType<typeof taskStats>[number]) => number): number => taskStats().reduce((n, s) => n + pick(s), 0);
  for (const [name, help, pick] of [
    ['bmp_route_changes_routes', 'Routes held by this instance\'s aggregators', (s) => s.routes],
    ['bmp_route_changes_peers', 'Peers (RIB views) held by this instance\'s aggregators', (s) => s.peers],
    ['bmp_route_changes_open_windows', 'Windows open in this instance\'s aggregators', (s) => s.open_windows],
    ['bmp_route_changes_reorder_waiting', 'Records waiting to be put back in collector order', (s) => s.waiting],
    ['bmp_route_changes_reorder_late', 'Records that arrived behind one already handed to the aggregator (since the task opened or its snapshot)', (s) => s.late],
  ] as Array<[string, string, (s: ReturnType<typeof taskStats>[number]) => number]>) {
    new Gauge({
      name,
      help,
      registers: [metricsRegistry],
      collect() {
        this.set(sum(pick));
      },
    });
  }
  const ticks = new Counter({ name: 'bmp_route_changes_ticks_total', help: 'Tick records written to the tasks\' input partitions', registers: [metricsRegistry] });
  const state = { kafka: false, stopping: false };
  let forward: StreamRuntime<unknown> | null = null;
  let aggregate: StreamRuntime<unknown> | null = null;
  const http = await startHttpEndpoint({
    host: config.http.host,
    port: config.http.port,
    metrics: metricsRegistry,
    readiness: () => {
      const reasons: string[] = [];
      if (!state.kafka) reasons.push('Kafka topics and schemas not ready');
      for (const r of [forward, aggregate]) {
        const reason = r?.notReadyReason;
        if (reason) reasons.push(reason);
      }
      if (aggregate === null) reasons.push('stream stages not started');
      if (state.stopping) reasons.push('shutting down');
      return { ready: reasons.length === 0, reasons };
    },
  });
  logger.info({ port: http.port }, 'HTTP endpoint listening (/healthz, /readyz, /metrics)');

  const { prefix } = config.topics;
  const topicName = (t: string): string => `${prefix}${t}`;
  const sourceTopics = SOURCE_TOPICS.map(topicName);
  const inputTopic = topicName(settings.inputTopic);
  const snapshotTopic = topicName(settings.snapshotTopic);
  const outputTopic = topicName(settings.outputTopic);
  const flapsTopic = topicName(settings.flapsTopic);
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

  const partitions = await untilDone('preparing Kafka topics', logger, stopped, async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      // The source topics are ingest's; creating them (same settings) lets either start first.
      const created = await ensureTopics(admin, [
        ...sourceTopics.map((t) => spec(t)),
        spec(inputTopic),
        spec(snapshotTopic, true),
        spec(outputTopic),
        spec(flapsTopic),
        spec(deadLetterTopic),
      ]);
      if (created.length > 0) logger.info({ topics: created }, 'created missing topics');
      const meta = await admin.fetchTopicMetadata({ topics: [topicName('route_monitoring'), inputTopic, snapshotTopic, topicName('peer_down'), topicName('router')] });
      const count = (name: string): number => meta.topics.find((t) => t.name === name)?.partitions.length ?? 0;
      const [rm, input, snaps, peerDown, router] = [topicName('route_monitoring'), inputTopic, snapshotTopic, topicName('peer_down'), topicName('router')].map(count);
      // Route events of partition N go to partition N of the input topic, whose task N writes
      // partition N of the snapshot topic: all three need the same number of partitions.
      if (rm !== input || input !== snaps) {
        throw new Error(`route_monitoring, ${inputTopic} and ${snapshotTopic} have ${rm}, ${input} and ${snaps} partitions: they must be equal`);
      }
      return { input, sources: { route_monitoring: rm, peer_down: peerDown, router } };
    } finally {
      await admin.disconnect();
    }
  });
  const registry = createRegistry(config.registry);
  const schemaIds = await untilDone('registering the route_changes and prefix_flaps schemas', logger, stopped, async () => ({
    routeChanges: await registerValueSchema(registry, outputTopic, schemaFor('route_changes')),
    prefixFlaps: await registerValueSchema(registry, flapsTopic, schemaFor('prefix_flaps')),
  }));
  state.kafka = true;
  logger.info({ schemaIds, topics: [outputTopic, flapsTopic] }, 'output schemas registered');

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
  forward = new StreamRuntime({
    ...common,
    name: 'forward',
    groupId: `${config.consumer.groupId}.forward`,
    transactionalIdPrefix: `${config.consumer.transactionalIdPrefix}.forward`,
    inputTopics: sourceTopics,
    processor: new ForwardProcessor((t) => t.slice(prefix.length), inputTopic, partitions.input),
  }) as StreamRuntime<unknown>;
  processor = new AggregateProcessor(
    decoder,
    kafkaStateSource(kafka, { inputTopic, snapshotTopic, groupId: config.consumer.groupId, logger }),
    {
      aggregator: { windowMs: settings.windowMs, allowedLatenessMs: settings.allowedLatenessMs, topN: settings.topN, flapThreshold: settings.flapThreshold },
      reorderGraceMs: settings.reorderGraceMs,
      idleCloseLagMs: settings.idleCloseLagMs,
      snapshotEveryRecords: settings.snapshotEveryRecords,
      snapshotIntervalMs: settings.snapshotIntervalMs,
      snapshotChunkBytes: settings.snapshotChunkBytes,
      sourcePartitions: partitions.sources,
      topics: { routeChanges: outputTopic, prefixFlaps: flapsTopic, snapshots: snapshotTopic },
      schemaIds,
    },
    logger,
  );
  aggregate = new StreamRuntime({
    ...common,
    name: 'aggregate',
    groupId: config.consumer.groupId,
    transactionalIdPrefix: `${config.consumer.transactionalIdPrefix}.aggregate`,
    inputTopics: [inputTopic],
    processor,
  }) as StreamRuntime<unknown>;

  // Ticks (processor.ts, reorder.ts): plain, non-transactional records, visible at once and
  // needing no fencing. Each is written after reading how far the first stage got, so every record
  // the first stage forwarded from a source it reports complete is before the tick.
  const tickProducer: Producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await tickProducer.connect();
  const tickAdmin = kafka.admin();
  await tickAdmin.connect();
  const forwardGroup = `${config.consumer.groupId}.forward`;
  const writeTicks = async (tasks: number[]): Promise<void> => {
    const wall = Date.now();
    const committed = new Map<string, bigint>();
    for (const { topic, partitions } of await tickAdmin.fetchOffsets({ groupId: forwardGroup, topics: sourceTopics })) {
      for (const { partition, offset } of partitions) if (offset !== '-1') committed.set(`${topic}|${partition}`, BigInt(offset));
    }
    const caughtUp = new Map<string, boolean>();
    for (const topic of sourceTopics) {
      for (const o of await tickAdmin.fetchTopicOffsets(topic)) {
        const done = BigInt(o.high) <= BigInt(o.low) || (committed.get(`${topic}|${o.partition}`) ?? -1n) >= BigInt(o.high);
        caughtUp.set(originOf(topic.slice(prefix.length), o.partition), done);
      }
    }
    const shared = Object.fromEntries([...caughtUp].filter(([origin]) => !origin.startsWith('route_monitoring|')));
    const messages = tasks.map((partition) => {
      const own = originOf('route_monitoring', partition);
      const value: TickValue = { origins: { ...shared, [own]: caughtUp.get(own) ?? false } };
      return { partition, key: null, value: JSON.stringify(value), timestamp: String(wall), headers: { [SOURCE_TOPIC_HEADER]: TICK } };
    });
    await tickProducer.send({ topic: inputTopic, messages });
    ticks.inc(tasks.length);
  };
  let tickBusy = false;
  const tickTimer = setInterval(() => {
    const tasks = aggregate?.tasks ?? [];
    if (tickBusy || tasks.length === 0 || state.stopping) return;
    tickBusy = true;
    writeTicks(tasks)
      .catch((err: unknown) => logger.warn({ err }, 'tick not written'))
      .finally(() => {
        tickBusy = false;
      });
  }, settings.tickIntervalMs);

  await forward.start();
  await aggregate.start();
  logger.info({ inputs: sourceTopics, internal: inputTopic, outputs: [outputTopic, flapsTopic], snapshots: snapshotTopic }, 'route-changes running');

  return {
    httpPort: http.port,
    tasks: () => ({ forward: forward?.tasks ?? [], aggregate: aggregate?.tasks ?? [] }),
    async stop() {
      state.stopping = true;
      clearInterval(tickTimer);
      await forward?.stop();
      await aggregate?.stop();
      await tickProducer.disconnect();
      await tickAdmin.disconnect();
      await http.close();
    },
  };
}
