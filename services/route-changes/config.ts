/**
 * Configuration of the route-changes service: the shared pieces, its consumer section, and the
 * aggregator, ordering, snapshot and topic settings (see processor.ts for what they govern).
 */
import { httpSchema, kafkaSchema, logSchema, registrySchema, topicsSchema } from '../runtime/config.js';
import { consumerSchema, type ConsumerSettings } from '../consumer/config.js';
import type { KafkaSettings } from '../kafka/client.js';
import type { RegistrySettings } from '../kafka/registry.js';

export const routeChangesSchema = {
  ...logSchema,
  ...kafkaSchema,
  ...registrySchema,
  ...topicsSchema,
  ...httpSchema(9466, 'BMP_ROUTE_CHANGES'),
  ...consumerSchema('route-changes', 'BMP_ROUTE_CHANGES'),
  routeChanges: {
    windowMs: {
      doc: 'Tumbling window length (ms) of the route_changes and prefix_flaps records',
      format: 'positive-int',
      default: 60_000,
      env: 'BMP_ROUTE_CHANGES_WINDOW_MS',
    },
    allowedLatenessMs: {
      doc: 'How far (ms) an event may be behind the newest event time before its window is emitted without it (it is then counted as late)',
      format: 'nat',
      default: 10_000,
      env: 'BMP_ROUTE_CHANGES_ALLOWED_LATENESS_MS',
    },
    topN: {
      doc: 'Most-changed routes listed per route_changes record',
      format: 'nat',
      default: 10,
      env: 'BMP_ROUTE_CHANGES_TOP_N',
    },
    flapThreshold: {
      doc: 'Withdraw/re-announce cycles of a route within one window that make a prefix_flaps record (0 disables)',
      format: 'nat',
      default: 3,
      env: 'BMP_ROUTE_CHANGES_FLAP_THRESHOLD',
    },
    outputTopic: {
      doc: 'Logical name of the window aggregates topic (the topic prefix is added)',
      format: String,
      default: 'route_changes',
      env: 'BMP_ROUTE_CHANGES_OUTPUT_TOPIC',
    },
    flapsTopic: {
      doc: 'Logical name of the flapping prefixes topic (the topic prefix is added)',
      format: String,
      default: 'prefix_flaps',
      env: 'BMP_ROUTE_CHANGES_FLAPS_TOPIC',
    },
    inputTopic: {
      doc: 'Logical name of the internal topic merging route events with the Peer Down and router records (the topic prefix is added); one per deployment',
      format: String,
      default: 'route_changes.input',
      env: 'BMP_ROUTE_CHANGES_INPUT_TOPIC',
    },
    snapshotTopic: {
      doc: 'Logical name of the compacted topic of the aggregators\' state snapshots (the topic prefix is added); one per deployment',
      format: String,
      default: 'route_changes.snapshots',
      env: 'BMP_ROUTE_CHANGES_SNAPSHOT_TOPIC',
    },
    snapshotEveryRecords: {
      doc: 'A task writes a snapshot of its state after this many input records (or snapshotIntervalMs, whichever comes first)',
      format: 'positive-int',
      default: 500_000,
      env: 'BMP_ROUTE_CHANGES_SNAPSHOT_EVERY_RECORDS',
    },
    snapshotIntervalMs: {
      doc: 'A task with new input writes a snapshot of its state at least this often (ms)',
      format: 'positive-int',
      default: 300_000,
      env: 'BMP_ROUTE_CHANGES_SNAPSHOT_INTERVAL_MS',
    },
    snapshotChunkBytes: {
      doc: 'Largest snapshot chunk (bytes); below the broker\'s message.max.bytes and the runtime\'s 512 KiB per request',
      format: 'positive-int',
      default: 500_000,
      env: 'BMP_ROUTE_CHANGES_SNAPSHOT_CHUNK_BYTES',
    },
    reorderGraceMs: {
      doc: 'Collector publishing delay plus clock difference allowed (ms): a source partition forwarded completely at wall-clock time W is taken to bring no record stamped before W minus this (reorder.ts)',
      format: 'nat',
      default: 2_000,
      env: 'BMP_ROUTE_CHANGES_REORDER_GRACE_MS',
    },
    tickIntervalMs: {
      doc: 'Interval (ms) of the tick records that tell each task which sources are forwarded completely (releasing reordered records) and close idle windows',
      format: 'positive-int',
      default: 1_000,
      env: 'BMP_ROUTE_CHANGES_TICK_INTERVAL_MS',
    },
    idleCloseLagMs: {
      doc: 'On an idle partition, a tick moves the event-time watermark to the wall clock minus this lag (ms), closing windows no event will close; 0 disables',
      format: 'nat',
      default: 60_000,
      env: 'BMP_ROUTE_CHANGES_IDLE_CLOSE_LAG_MS',
    },
    gracePeriodMs: {
      doc: 'Longest a graceful stop may take (ms) before the process exits anyway',
      format: 'positive-int',
      default: 30_000,
      env: 'BMP_ROUTE_CHANGES_GRACE_PERIOD_MS',
    },
  },
};

export interface RouteChangesSettings {
  windowMs: number;
  allowedLatenessMs: number;
  topN: number;
  flapThreshold: number;
  outputTopic: string;
  flapsTopic: string;
  inputTopic: string;
  snapshotTopic: string;
  snapshotEveryRecords: number;
  snapshotIntervalMs: number;
  snapshotChunkBytes: number;
  reorderGraceMs: number;
  tickIntervalMs: number;
  idleCloseLagMs: number;
  gracePeriodMs: number;
}

export type RouteChangesConfig = {
  log: { level: string; format: 'json' | 'pretty' };
  kafka: KafkaSettings;
  registry: RegistrySettings;
  topics: { prefix: string; partitions: number; replicationFactor: number; retentionMs: number };
  http: { host: string; port: number };
  consumer: ConsumerSettings;
  routeChanges: RouteChangesSettings;
};
