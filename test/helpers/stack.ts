/**
 * Where the integration tests find the local stack started by test/run.ts (deploy/local/up):
 * the same environment variables the deploy scripts read, with the same defaults.
 */
import { pino } from 'pino';
import type { KafkaSettings } from '../../services/kafka/client.js';
import type { RegistrySettings } from '../../services/kafka/registry.js';

export const kafkaSettings: KafkaSettings = {
  brokers: [`127.0.0.1:${process.env.BMP_KAFKA_PORT ?? '9092'}`],
  clientId: 'bmp-pipeline-test',
  ssl: false,
  sasl: { mechanism: 'none', username: '', password: '' },
};

export const registrySettings: RegistrySettings = {
  url: `http://127.0.0.1:${process.env.BMP_REGISTRY_PORT ?? '8081'}/apis/ccompat/v7`,
  username: '',
  password: '',
};

/** Quiet logger for clients made in tests (warnings and errors still show). */
export const testLogger = pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' });

/** A name no earlier run used, so tests never see each other's topics or subjects. */
export function uniqueName(base: string): string {
  return `test.${base}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
