/**
 * The kafkajs client, built from the shared `kafka` config section, logging through pino.
 */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { readSecretFile } from '../runtime/config.js';
import type { Logger } from '../runtime/logging.js';
import './compression.js'; // LZ4 batches, for producers and consumers alike

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  /** PEM files; any of them set turns TLS on. Absent in settings built before they existed. */
  tls?: { caFile: string; certFile: string; keyFile: string; servername: string };
  sasl: { mechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string; passwordFile?: string };
}

/** kafkajs's `ssl` option: false, true (system CAs), or TLS options with our CA / client cert. */
export function kafkaTlsOptions(settings: KafkaSettings): boolean | ConnectionOptions {
  const tls = settings.tls;
  const files = tls !== undefined && (tls.caFile !== '' || tls.certFile !== '' || tls.keyFile !== '');
  if (!settings.ssl && !files) return false;
  if (tls === undefined || (!files && tls.servername === '')) return true;
  const options: ConnectionOptions = {};
  if (tls.caFile) options.ca = [readSecretFile(tls.caFile, 'kafka.tls.caFile')];
  if (tls.certFile) options.cert = readSecretFile(tls.certFile, 'kafka.tls.certFile');
  if (tls.keyFile) options.key = readSecretFile(tls.keyFile, 'kafka.tls.keyFile');
  if (tls.servername) options.servername = tls.servername;
  return options;
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
    const password = settings.sasl.passwordFile ? readSecretFile(settings.sasl.passwordFile, 'kafka.sasl.passwordFile') : settings.sasl.password;
    sasl = { mechanism: settings.sasl.mechanism, username: settings.sasl.username, password } as SASLOptions;
  }
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: kafkaTlsOptions(settings),
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
