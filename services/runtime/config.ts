/**
 * Configuration for every deployable, with convict.
 *
 * Each service composes its schema from the shared parts below (logging, Kafka, schema registry,
 * topics, HTTP) plus its own section. Precedence, lowest first: schema defaults < config file
 * (`--config FILE` or `BMP_CONFIG`) < environment variables (each key names its variable). The
 * result is validated strictly at start: unknown keys in a file and out-of-range values are
 * errors, reported with the key, the bad value and what is allowed.
 */
import convict from 'convict';
import { existsSync, readFileSync } from 'node:fs';


/** Validation or loading error; `message` names the key, the value and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Logging, shared by every service. */
export const logSchema = {
  log: {
    level: { doc: 'Log level', format: LOG_LEVELS, default: 'info', env: 'BMP_LOG_LEVEL' },
    format: {
      doc: 'Log output: "json" (one JSON object per line, for log shippers) or "pretty" (human-readable, for a terminal)',
      format: ['json', 'pretty'],
      default: 'json',
      env: 'BMP_LOG_FORMAT',
    },
  },
};

/** Kafka client settings, shared by every service that talks to Kafka. */
export const kafkaSchema = {
  kafka: {
    brokers: {
      doc: 'Kafka bootstrap servers, comma-separated host:port list',
      format: 'broker-list',
      default: ['127.0.0.1:9092'],
      env: 'BMP_KAFKA_BROKERS',
    },
    clientId: { doc: 'Kafka client id (shown in broker logs and quotas)', format: String, default: 'bmp-pipeline', env: 'BMP_KAFKA_CLIENT_ID' },
    ssl: { doc: 'Connect to Kafka with TLS (also on when any kafka.tls file is set)', format: Boolean, default: false, env: 'BMP_KAFKA_SSL' },
    tls: {
      caFile: {
        doc: 'PEM file of the CA(s) that signed the brokers\' certificates (empty: the system CAs)',
        format: 'optional-file',
        default: '',
        env: 'BMP_KAFKA_TLS_CA_FILE',
      },
      certFile: { doc: 'PEM client certificate, for brokers that require one (mutual TLS)', format: 'optional-file', default: '', env: 'BMP_KAFKA_TLS_CERT_FILE' },
      keyFile: { doc: 'PEM private key of kafka.tls.certFile', format: 'optional-file', default: '', env: 'BMP_KAFKA_TLS_KEY_FILE', sensitive: true },
      servername: { doc: 'Name to verify in the broker certificate (empty: the broker host)', format: String, default: '', env: 'BMP_KAFKA_TLS_SERVERNAME' },
    },
    sasl: {
      mechanism: {
        doc: 'SASL mechanism, or "none"',
        format: ['none', 'plain', 'scram-sha-256', 'scram-sha-512'],
        default: 'none',
        env: 'BMP_KAFKA_SASL_MECHANISM',
      },
      username: { doc: 'SASL user name', format: String, default: '', env: 'BMP_KAFKA_SASL_USERNAME' },
      password: { doc: 'SASL password (prefer kafka.sasl.passwordFile)', format: String, default: '', env: 'BMP_KAFKA_SASL_PASSWORD', sensitive: true },
      passwordFile: {
        doc: 'File holding the SASL password (e.g. a mounted Kubernetes Secret; one trailing newline ignored); overrides kafka.sasl.password',
        format: 'optional-file',
        default: '',
        env: 'BMP_KAFKA_SASL_PASSWORD_FILE',
      },
    },
  },
};

/** Confluent-compatible schema registry, shared by every service that reads or writes Avro. */
export const registrySchema = {
  registry: {
    url: {
      doc: 'Base URL of the Confluent-compatible schema registry API (for Apicurio: .../apis/ccompat/v7)',
      format: 'url',
      default: 'http://127.0.0.1:8081/apis/ccompat/v7',
      env: 'BMP_REGISTRY_URL',
    },
    username: { doc: 'Registry basic-auth user name (empty: no auth)', format: String, default: '', env: 'BMP_REGISTRY_USERNAME' },
    password: { doc: 'Registry basic-auth password (prefer registry.passwordFile)', format: String, default: '', env: 'BMP_REGISTRY_PASSWORD', sensitive: true },
    passwordFile: {
      doc: 'File holding the registry password (one trailing newline ignored); overrides registry.password',
      format: 'optional-file',
      default: '',
      env: 'BMP_REGISTRY_PASSWORD_FILE',
    },
    caFile: {
      doc: 'PEM file of the CA(s) that signed the registry\'s certificate, for an https:// URL (empty: the system CAs)',
      format: 'optional-file',
      default: '',
      env: 'BMP_REGISTRY_CA_FILE',
    },
    requestTimeoutMs: {
      doc: 'Longest a registry request may take before it fails and is retried (ms); the client library sets none',
      format: 'positive-int',
      default: 15_000,
      env: 'BMP_REGISTRY_REQUEST_TIMEOUT_MS',
    },
  },
};

/** Names and creation settings of the topics, shared by producers and consumers. */
export const topicsSchema = {
  topics: {
    prefix: { doc: 'Prefix of every topic name', format: String, default: 'bmp.', env: 'BMP_TOPIC_PREFIX' },
    partitions: { doc: 'Partitions of topics this service creates when missing', format: 'positive-int', default: 6, env: 'BMP_TOPIC_PARTITIONS' },
    replicationFactor: {
      doc: 'Replication factor of topics this service creates when missing',
      format: 'positive-int',
      default: 1,
      env: 'BMP_TOPIC_REPLICATION_FACTOR',
    },
    retentionMs: {
      doc: 'retention.ms of topics this service creates when missing (default 7 days; -1 keeps forever)',
      format: 'retention',
      default: 7 * 24 * 3600 * 1000,
      env: 'BMP_TOPIC_RETENTION_MS',
    },
  },
};

/** The HTTP endpoint of a service (health, readiness, metrics, API). */
export function httpSchema(defaultPort: number, envPrefix: string) {
  return {
    http: {
      host: { doc: 'Address the HTTP endpoint listens on', format: String, default: '0.0.0.0', env: `${envPrefix}_HTTP_HOST` },
      port: { doc: 'Port of the HTTP endpoint (health, readiness, metrics)', format: 'port', default: defaultPort, env: `${envPrefix}_HTTP_PORT` },
    },
  };
}

convict.addFormat({
  name: 'broker-list',
  coerce: (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  validate(v: unknown) {
    if (!Array.isArray(v) || v.length === 0) throw new Error('must be a non-empty list of host:port');
    for (const b of v) {
      const m = typeof b === 'string' ? /^(.+):(\d+)$/.exec(b) : null;
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`must be host:port entries with a port 1-65535, "${String(b)}" is not`);
    }
  },
});
convict.addFormat({
  name: 'url',
  validate(v: unknown) {
    let ok = false;
    try {
      ok = typeof v === 'string' && /^https?:$/.test(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new Error('must be an http:// or https:// URL');
  },
});
convict.addFormat({
  name: 'string-list',
  coerce: (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  validate(v: unknown) {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error('must be a list of strings');
  },
});
convict.addFormat({
  name: 'optional-file',
  validate(v: unknown) {
    if (typeof v !== 'string') throw new Error('must be a file path (or empty)');
    // Checked at start so a missing secret or CA file is a config error, not a failed connection later.
    if (v !== '' && !existsSync(v)) throw new Error(`file not found: "${v}"`);
  },
});
convict.addFormat({
  name: 'positive-int',
  coerce: (v: unknown) => (typeof v === 'string' ? Number(v) : v),
  validate(v: unknown) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error('must be an integer >= 1');
  },
});
convict.addFormat({
  name: 'retention',
  coerce: (v: unknown) => (typeof v === 'string' ? Number(v) : v),
  validate(v: unknown) {
    // A short retention silently loses a data lake's input: refuse anything under one hour.
    if (typeof v !== 'number' || !Number.isInteger(v) || (v !== -1 && v < 3_600_000)) {
      throw new Error('must be -1 (keep forever) or an integer number of milliseconds >= 3600000 (one hour)');
    }
  },
});
convict.addFormat({
  name: 'cidr-list',
  coerce: (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  validate(v: unknown) {
    if (!Array.isArray(v)) throw new Error('must be a list of CIDR prefixes');
    for (const c of v) {
      const m = typeof c === 'string' ? /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(c) : null;
      const max = m && m[1].includes(':') ? 128 : 32;
      if (!m || Number(m[2]) > max) throw new Error(`must be CIDR prefixes like 192.0.2.0/24 or 2001:db8::/32, "${String(c)}" is not`);
    }
  },
});

export interface LoadOptions {
  /** Config file path; when absent, BMP_CONFIG from `env` is used if set. */
  file?: string;
  /** Environment to read variables from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Builds, loads and validates a config. Throws ConfigError whose message names the key, the
 * bad value and what is allowed, e.g. `ingest.port: ports must be within range 0 - 65535: value
 * was 70000`.
 */
export function loadConfig<T>(schema: convict.Schema<T>, options: LoadOptions = {}): convict.Config<T> {
  const env = options.env ?? process.env;
  let config: convict.Config<T>;
  try {
    // args: [] keeps convict off process.argv; the service's CLI parser owns the command line.
    config = convict(schema, { env, args: [] });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  const file = options.file ?? env.BMP_CONFIG;
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
    try {
      // convict keeps values that came from the environment above those from a file.
      config.loadFile(file);
    } catch (err) {
      throw new ConfigError(`cannot load config file ${file}: ${(err as Error).message}`);
    }
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ${(err as Error).message.split('\n').join('\n  ')}`);
  }
  return config;
}

/** The effective config as pretty JSON, with `sensitive` values masked (for `--print-config`). */
export function printableConfig(config: convict.Config<unknown>): string {
  return JSON.stringify(JSON.parse(config.toString()), null, 2);
}

/**
 * Reads a secret from a file (a mounted Kubernetes Secret, a Docker secret): the content without
 * one trailing newline, which editors and `echo` add. Errors name the setting, never the content.
 */
export function readSecretFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
