/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks it against the code:
 * every environment variable given to a project service exists in that service's config schema
 * and passes its validation, the published ports are the ones the config sets, and the
 * addresses point at services the file defines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type convict from 'convict';
import { loadConfig } from '../../../services/runtime/config.js';
import { ingestSchema } from '../../../services/ingest/config.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, ComposeService> };

/** Environment variable names a convict schema reads. */
function envNames(schema: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const leaf = node as { env?: unknown; default?: unknown };
    if ('default' in leaf) {
      if (typeof leaf.env === 'string') names.add(leaf.env);
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(schema);
  return names;
}

const projectServices: Record<string, { schema: unknown; entry: string }> = {
  ingest: { schema: ingestSchema, entry: 'services/ingest/main.ts' },
};

test('the compose file defines Kafka, the registry and every project service', () => {
  for (const name of ['kafka', 'registry', ...Object.keys(projectServices)]) assert.ok(compose.services[name], `service ${name}`);
  assert.match(compose.services.kafka.image ?? '', /^apache\/kafka:/, 'official Kafka image');
  assert.equal(compose.services.kafka.environment?.KAFKA_PROCESS_ROLES, 'broker,controller', 'KRaft mode');
});

for (const [name, { schema, entry }] of Object.entries(projectServices)) {
  test(`compose service "${name}" matches its config schema`, () => {
    const svc = compose.services[name];
    assert.ok(svc.build, 'built from the Dockerfile');
    assert.deepEqual(svc.command, [entry]);
    const env = svc.environment ?? {};
    const known = envNames(schema);
    for (const key of Object.keys(env)) assert.ok(known.has(key), `${key} is a config variable of ${name}`);
    // The values must pass the service's own validation.
    const config = loadConfig(schema as convict.Schema<Record<string, unknown>>, { env });
    const published = (svc.ports ?? []).map((p) => Number(p.split(':').pop()));
    const http = config.get('http.port' as never) as number;
    assert.ok(published.includes(http), `HTTP port ${http} is published`);
    if (name === 'ingest') {
      const bmp = config.get('ingest.port' as never) as number;
      assert.ok(published.includes(bmp), `BMP port ${bmp} is published`);
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
  });
}
