/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks it against the code:
 * every environment variable given to a project service exists in that service's config schema
 * and passes its validation, the published ports are the ones the config sets, health checks
 * probe the service's own /readyz, and the addresses point at services the file defines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type convict from 'convict';
import { loadConfig } from '../../../services/runtime/config.js';
import { createTopicsSchema } from '../../../services/kafka/topic-plan.js';
import { envNames, serviceCommand, serviceSchemas, sourceOf, TOPICS_JOB_ENTRY } from './service-schemas.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
}
// merge: the file shares settings between services with YAML anchors and `<<` merge keys, as
// Docker Compose does.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

const projectServices = serviceSchemas;

test('the compose file defines Kafka, the registry, the topic creation and every project service', () => {
  for (const name of ['kafka', 'registry', 'topics', ...Object.keys(projectServices)]) assert.ok(compose.services[name], `service ${name}`);
  assert.match(compose.services.kafka.image ?? '', /^apache\/kafka:/, 'official Kafka image');
  assert.equal(compose.services.kafka.environment?.KAFKA_PROCESS_ROLES, 'broker,controller', 'KRaft mode');
  assert.equal(compose.services.kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false', 'topics come from the topics service, not auto-creation');
  assert.ok(compose.services.kafka.healthcheck, 'Kafka is health-checked');
  assert.ok(compose.services.registry.healthcheck, 'the registry is health-checked');
});

test('compose service "topics" runs the topic creation script with valid settings before the services', () => {
  const svc = compose.services.topics;
  assert.ok(svc.build, 'built from the Dockerfile');
  assert.deepEqual(svc.command, [TOPICS_JOB_ENTRY]);
  assert.ok(existsSync(sourceOf(TOPICS_JOB_ENTRY)));
  const env = svc.environment ?? {};
  const known = envNames(createTopicsSchema);
  for (const key of Object.keys(env)) assert.ok(known.has(key), `${key} is a config variable of create-topics`);
  loadConfig(createTopicsSchema as unknown as convict.Schema<Record<string, unknown>>, { env });
  assert.equal(svc.depends_on?.kafka?.condition, 'service_healthy');
  for (const name of Object.keys(projectServices)) {
    assert.equal(compose.services[name].depends_on?.topics?.condition, 'service_completed_successfully', `${name} starts after the topics exist`);
    // Same topic settings everywhere, or a service would look for topics that were never made.
    for (const key of ['BMP_TOPIC_PREFIX', 'BMP_TOPIC_PARTITIONS']) {
      assert.equal(compose.services[name].environment?.[key], env[key], `${name} ${key}`);
    }
  }
});

for (const [name, { schema }] of Object.entries(projectServices)) {
  test(`compose service "${name}" matches its config schema`, () => {
    const svc = compose.services[name];
    assert.ok(svc.build, 'built from the Dockerfile');
    assert.deepEqual(svc.command, serviceCommand(name as keyof typeof serviceSchemas));
    const env = svc.environment ?? {};
    const known = envNames(schema);
    for (const key of Object.keys(env)) assert.ok(known.has(key), `${key} is a config variable of ${name}`);
    // The values must pass the service's own validation.
    const config = loadConfig(schema as convict.Schema<Record<string, unknown>>, { env });
    const published = (svc.ports ?? []).map((p) => Number(p.split(':').pop()));
    const http = config.get('http.port' as never) as number;
    assert.ok(published.includes(http), `HTTP port ${http} is published`);
    assert.ok(
      svc.healthcheck?.test?.some((arg) => arg.includes(`:${http}/readyz`)),
      `health check probes /readyz on the HTTP port ${http}`,
    );
    if (name === 'ingest') {
      const bmp = config.get('ingest.port' as never) as number;
      assert.ok(published.includes(bmp), `BMP port ${bmp} is published`);
      // Docker's default 10 s would kill ingest in the middle of its flush.
      const graceMs = config.get('ingest.gracePeriodMs' as never) as number;
      const stopMs = Number(/^(\d+)s$/.exec(svc.stop_grace_period ?? '')?.[1]) * 1000;
      assert.ok(stopMs > graceMs, `stop_grace_period ${svc.stop_grace_period} exceeds the ${graceMs} ms grace period`);
    }
    // Kafka and registry addresses name services of this file, on the ports they listen on.
    const brokers = config.get('kafka.brokers' as never) as string[];
    for (const b of brokers) {
      const [host, port] = b.split(':');
      assert.ok(compose.services[host], `broker host ${host} is a compose service`);
      assert.match(compose.services[host].environment?.KAFKA_LISTENERS ?? '', new RegExp(`PLAINTEXT://[^,]*:${port}`));
    }
    const registry = new URL(config.get('registry.url' as never) as string);
    assert.ok(compose.services[registry.hostname], `registry host ${registry.hostname} is a compose service`);
    assert.ok(svc.depends_on && Object.keys(svc.depends_on).includes('kafka'), 'waits for Kafka');
    assert.ok(svc.depends_on && Object.keys(svc.depends_on).includes('registry-init'), 'waits for the registry');
  });
}

test('the HTTP ports of the project services differ, so all can be published at once', () => {
  const ports = Object.values(projectServices).map(({ schema }, i) => {
    const env = compose.services[Object.keys(projectServices)[i]].environment ?? {};
    return loadConfig(schema as convict.Schema<Record<string, unknown>>, { env }).get('http.port' as never) as number;
  });
  assert.equal(new Set(ports).size, ports.length, `ports ${ports.join(', ')}`);
});
