import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type convict from 'convict';
import { ConfigError, loadConfig, printableConfig } from '../../../services/runtime/config.js';
import { ingestSchema, type IngestConfig } from '../../../services/ingest/config.js';

const schema = ingestSchema as unknown as convict.Schema<IngestConfig>;

function tempFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'bmp-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

test('defaults < config file < environment variables', () => {
  const file = tempFile({ ingest: { port: 11019 }, topics: { prefix: 'file.' } });
  const config = loadConfig(schema, { file, env: { BMP_TOPIC_PREFIX: 'env.' } });
  assert.equal(config.get('ingest.port'), 11019, 'file beats default');
  assert.equal(config.get('topics.prefix'), 'env.', 'environment beats file');
  assert.equal(config.get('http.port'), 9464, 'default stays where nothing overrides it');
});

test('BMP_CONFIG names the config file when no file option is given', () => {
  const file = tempFile({ ingest: { port: 2000 } });
  assert.equal(loadConfig(schema, { env: { BMP_CONFIG: file } }).get('ingest.port'), 2000);
});

test('a bad value is refused with the key, the value and what is allowed', () => {
  assert.throws(
    () => loadConfig(schema, { env: { BMP_INGEST_PORT: '70000' } }),
    (err: unknown) => err instanceof ConfigError && /ingest\.port/.test(err.message) && /70000/.test(err.message) && /0 - 65535/.test(err.message),
  );
  assert.throws(
    () => loadConfig(schema, { env: { BMP_LOG_LEVEL: 'loud' } }),
    (err: unknown) => err instanceof ConfigError && /log\.level/.test(err.message) && /loud/.test(err.message),
  );
  assert.throws(
    () => loadConfig(schema, { env: { BMP_TOPIC_RETENTION_MS: '1000' } }),
    (err: unknown) => err instanceof ConfigError && /topics\.retentionMs/.test(err.message) && /one hour/.test(err.message),
  );
  assert.throws(
    () => loadConfig(schema, { env: { BMP_KAFKA_BROKERS: 'localhost' } }),
    (err: unknown) => err instanceof ConfigError && /kafka\.brokers/.test(err.message),
  );
  assert.throws(
    () => loadConfig(schema, { env: { BMP_INGEST_ALLOWED_ROUTERS: '10.0.0.0/40' } }),
    (err: unknown) => err instanceof ConfigError && /ingest\.allowedRouters/.test(err.message),
  );
});

test('unknown keys in a config file are refused', () => {
  const file = tempFile({ ingest: { prot: 1 } });
  assert.throws(() => loadConfig(schema, { file, env: {} }), (err: unknown) => err instanceof ConfigError && /ingest\.prot/.test(err.message));
});

test('a missing config file is a clear error', () => {
  assert.throws(() => loadConfig(schema, { file: '/nonexistent/bmp.json', env: {} }), /config file not found: \/nonexistent\/bmp\.json/);
});

test('printable config masks secrets', () => {
  const config = loadConfig(schema, { env: { BMP_KAFKA_SASL_PASSWORD: 's3cret-pw', BMP_REGISTRY_PASSWORD: 'other-s3cret' } });
  const text = printableConfig(config as convict.Config<unknown>);
  assert.ok(!text.includes('s3cret'), 'no secret in the printed config');
  assert.equal(JSON.parse(text).kafka.sasl.password, '[Sensitive]');
});

test('the ingest service started with port 70000 exits 2 and names the key', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'services/ingest/main.ts'], {
    env: { ...process.env, BMP_INGEST_PORT: '70000' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
  assert.match(r.stderr, /ingest\.port/);
  assert.match(r.stderr, /value was 70000/);
});

test('--print-config prints the effective config with secrets masked', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'services/ingest/main.ts', '--print-config'], {
    env: { ...process.env, BMP_KAFKA_SASL_PASSWORD: 'pw-from-env', BMP_INGEST_PORT: '1791' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  assert.equal(printed.ingest.port, 1791);
  assert.equal(printed.kafka.sasl.password, '[Sensitive]');
  assert.ok(!r.stdout.includes('pw-from-env'));
});
