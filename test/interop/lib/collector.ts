/**
 * The pipeline side of an interop scenario: the ingest service started in-process on a free port
 * with a topic prefix of its own, and a consumer that reads back every topic of that prefix and
 * decodes the records through the schema registry, as any downstream consumer would.
 */
import type convict from 'convict';
import type { Consumer } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig } from '../../../services/runtime/config.js';
import { ingestSchema, type IngestConfig } from '../../../services/ingest/config.js';
import { startIngest, type RunningIngest } from '../../../services/ingest/service.js';
import { createKafka } from '../../../services/kafka/client.js';
import { createRegistry } from '../../../services/kafka/registry.js';
import type { EventByTopic, EventTopic } from '../../../services/events/model.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../../helpers/stack.js';

/** A record of the collector's own router topic (session connected / initiated / disconnected ...). */
export interface RouterRecord {
  event: string;
  router_address: string;
  [field: string]: unknown;
}

export type Consumed = { [T in EventTopic]: EventByTopic[T][] } & {
  router: RouterRecord[];
  /**
   * Records the consumer was handed again (same topic, partition and offset), counted once: a
   * consumer-group rebalance on a loaded machine restarts from the last committed offset. They are
   * not the pipeline's duplicates, which would have offsets of their own and fail the comparison.
   */
  redelivered: number;
};

export class Collector {
  private constructor(
    readonly prefix: string,
    private readonly ingest: RunningIngest,
  ) {}

  static async start(name: string): Promise<Collector> {
    const prefix = `${uniqueName(`interop-${name}`)}.`;
    const config = loadConfig(ingestSchema as unknown as convict.Schema<IngestConfig>, {
      env: {
        BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
        BMP_REGISTRY_URL: registrySettings.url,
        BMP_TOPIC_PREFIX: prefix,
        BMP_TOPIC_PARTITIONS: '1',
        BMP_INGEST_HOST: '127.0.0.1',
        BMP_INGEST_PORT: '0',
        BMP_INGEST_HTTP_HOST: '127.0.0.1',
        BMP_INGEST_HTTP_PORT: '0',
        BMP_INGEST_COLLECTOR_ID: `interop-${name}`,
        BMP_INGEST_RAW: 'false',
      },
    }).getProperties();
    const ingest = await startIngest(config, pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' }));
    return new Collector(prefix, ingest);
  }

  get bmpPort(): number {
    return this.ingest.bmpPort;
  }

  /** Value of a Prometheus sample of the ingest service (summed over label sets matching `labels`). */
  async metric(name: string, labels: RegExp = /.*/): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.ingest.httpPort}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (m && m[1] === name && labels.test(m[2] ?? '')) sum += Number(m[3]);
    }
    return sum;
  }

  /**
   * Reads every topic of the prefix from the beginning until each topic of `atLeast` holds that
   * many records (or `timeoutMs`), then `settleMs` longer so that surplus records show up too.
   */
  async consume(atLeast: Partial<Record<EventTopic | 'router', number>>, timeoutMs = 90_000, settleMs = 2000): Promise<Consumed> {
    const kafka = createKafka(kafkaSettings, testLogger);
    const registry = createRegistry(registrySettings);
    const consumer: Consumer = kafka.consumer({ groupId: uniqueName('interop-check'), sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
    const out: Record<string, unknown[]> = {};
    const seen = new Set<string>();
    let redelivered = 0;
    const counts = (): string => Object.entries(out).map(([t, l]) => `${t}=${l.length}`).join(' ');
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [new RegExp(`^${this.prefix.replace(/\./g, '\\.')}`)], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const complete = (): boolean => Object.entries(atLeast).every(([t, n]) => (out[t]?.length ?? 0) >= (n ?? 0));
        let settling = false;
        const timer = setTimeout(() => reject(new Error(`Kafka: timed out with ${counts()}; wanted ${JSON.stringify(atLeast)}`)), timeoutMs);
        void consumer.run({
          eachBatch: async ({ batch }) => {
            const topic = batch.topic.slice(this.prefix.length);
            const list = (out[topic] ??= []);
            for (const message of batch.messages) {
              const id = `${batch.topic}/${batch.partition}/${message.offset}`;
              if (seen.has(id)) {
                redelivered++;
                continue;
              }
              seen.add(id);
              list.push(await registry.decode(message.value as Buffer));
            }
            if (!settling && complete()) {
              settling = true;
              clearTimeout(timer);
              setTimeout(resolve, settleMs);
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    for (const t of ['initiation', 'termination', 'peer_up', 'peer_down', 'route_monitoring', 'stats', 'route_mirroring', 'roft', 'errors', 'router']) out[t] ??= [];
    return { ...out, redelivered } as unknown as Consumed;
  }

  stop(): Promise<void> {
    return this.ingest.stop();
  }
}
