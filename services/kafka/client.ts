/**
 * The kafkajs client, built from the shared `kafka` config section, logging through pino.
 */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import type { Logger } from '../runtime/logging.js';
import './compression.js'; // LZ4 batches, for producers and consumers alike

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl: { mechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** kafkajs log levels mapped onto pino's. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      if (level === logLevel.ERROR) child.error(extra, message);
      else if (level === logLevel.WARN) child.warn(extra, message);
      else if (level === logLevel.INFO) child.info(extra, message);
      else child.debug(extra, message);
    };
}

export function kafkaClientConfig(settings: KafkaSettings, logger: Logger): KafkaConfig {
  let sasl: SASLOptions | undefined;
  if (settings.sasl.mechanism !== 'none') {
    sasl = { mechanism: settings.sasl.mechanism, username: settings.sasl.username, password: settings.sasl.password } as SASLOptions;
  }
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    sasl,
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(logger),
    // Reconnect for as long as it takes: ingest pauses its routers rather than dropping events.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: Number.MAX_SAFE_INTEGER },
  };
}

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka(kafkaClientConfig(settings, logger));
}
