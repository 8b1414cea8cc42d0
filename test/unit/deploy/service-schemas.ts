/**
 * The config schemas of the deployable services, for the checks of docker-compose.yml and the
 * Helm chart: which environment variables each service reads.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { httpSchema, kafkaSchema, logSchema, registrySchema, topicsSchema } from '../../../services/runtime/config.js';
import { ingestSchema } from '../../../services/ingest/config.js';
import { INGEST_NODE_FLAGS } from '../../../services/ingest/node-flags.js';

/** Environment variable names a convict schema reads. */
export function envNames(schema: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if ('default' in node) {
      const env = (node as { env?: unknown }).env;
      if (typeof env === 'string') names.add(env);
      return;
    }
    for (const child of Object.values(node)) walk(child);
  };
  walk(schema);
  return names;
}

/**
 * A consumer's config schema: the `...Schema` its services/<dir>/config.ts exports when that
 * module exists; until then the shared pieces every consumer composes (log, Kafka, registry,
 * topics, HTTP with the service's BMP_<SERVICE>_HTTP_* variables).
 */
async function consumerSchema(dir: string, envPrefix: string, port: number): Promise<unknown> {
  const path = `services/${dir}/config.ts`;
  if (existsSync(path)) {
    const mod = (await import(`../../../${path}`)) as Record<string, unknown>;
    const found = Object.entries(mod).find(([name, value]) => name.endsWith('Schema') && value && typeof value === 'object' && 'http' in value);
    assert.ok(found, `${path} exports a config schema with an http section`);
    return found[1];
  }
  return { ...logSchema, ...kafkaSchema, ...registrySchema, ...topicsSchema, ...httpSchema(port, envPrefix) };
}

/**
 * Every deployable service: its config schema, its entry point in the image (a file of the
 * production build, `npm run build`, dist/), and the node flags before it.
 */
export const serviceSchemas: Record<'ingest' | 'peer-state' | 'route-changes', { schema: unknown; entry: string; nodeFlags: readonly string[] }> = {
  ingest: { schema: ingestSchema, entry: 'dist/services/ingest/main.js', nodeFlags: INGEST_NODE_FLAGS },
  'peer-state': { schema: await consumerSchema('peer-state', 'BMP_PEER_STATE', 9465), entry: 'dist/services/peer-state/main.js', nodeFlags: [] },
  'route-changes': { schema: await consumerSchema('route-changes', 'BMP_ROUTE_CHANGES', 9466), entry: 'dist/services/route-changes/main.js', nodeFlags: [] },
};

/** The container command (after the image's `node --enable-source-maps`) that runs a service. */
export function serviceCommand(name: keyof typeof serviceSchemas): string[] {
  const { nodeFlags, entry } = serviceSchemas[name];
  return [...nodeFlags, entry];
}

/** What the topic Job and the compose file's `topics` service run: the build of scripts/create-topics.ts. */
export const TOPICS_JOB_ENTRY = 'dist/scripts/create-topics.js';

/** The TypeScript source a file of the build is compiled from (dist/x/y.js -> x/y.ts). */
export function sourceOf(entry: string): string {
  const m = /^dist\/(.*)\.js$/.exec(entry);
  assert.ok(m, `${entry} is a file of the build (dist/...js)`);
  return `${m[1]}.ts`;
}
