/**
 * Kafka security from config (hardening issue): TLS with a private CA and SASL PLAIN,
 * SCRAM-SHA-256 and SCRAM-SHA-512, the password read from a secret file, against a real broker.
 *
 * The test makes its own CA and broker certificate with openssl and starts a private Kafka (own
 * stack folder and free ports, Kafka only) with a SASL_SSL listener (deploy/local's
 * BMP_KAFKA_SASL_SSL_PORT). Through that listener, each mechanism must create a topic, produce
 * and consume; a wrong password must be refused; a client without the CA must fail the TLS
 * handshake; and the password must never reach the logs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Kafka } from 'kafkajs';
import { createKafka, kafkaClientConfig, type KafkaSettings } from '../../services/kafka/client.js';
import { kafkaSchema, loadConfig, printableConfig, ConfigError } from '../../services/runtime/config.js';
import { freePorts } from '../helpers/ports.js';

const PASSWORD = 'alice-s3cret-do-not-log';
const dir = mkdtempSync(join(tmpdir(), 'bmp-kafka-sec-'));
const tlsDir = join(dir, 'tls');
let env: NodeJS.ProcessEnv = {};
let saslPort = 0;

/** Everything the clients log during the test, to look for the password. */
let logged = '';
const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) }));

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: tlsDir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

function stack(cmd: string): { code: number | null; out: string } {
  const r = spawnSync(`deploy/local/${cmd}`, { shell: true, env, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function settings(overrides: Partial<KafkaSettings>): KafkaSettings {
  return {
    brokers: [`127.0.0.1:${saslPort}`],
    clientId: 'bmp-security-test',
    ssl: true,
    tls: { caFile: join(tlsDir, 'ca.pem'), certFile: '', keyFile: '', servername: '' },
    sasl: { mechanism: 'plain', username: 'alice', password: '', passwordFile: join(dir, 'password') },
    ...overrides,
  };
}

before(async () => {
  spawnSync('mkdir', ['-p', tlsDir]);
  // A CA, and a broker certificate for 127.0.0.1 signed by it (PKCS#8 key, as Kafka's PEM keystore wants).
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bmp-pipeline test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(tlsDir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.crt', '-days', '2', '-extfile', 'san.ext');
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'broker.key', '-out', 'broker.pk8');
  writeFileSync(join(tlsDir, 'broker.pem'), readFileSync(join(tlsDir, 'broker.pk8'), 'utf8') + readFileSync(join(tlsDir, 'broker.crt'), 'utf8'));
  writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
  const [kafkaPort, controllerPort, sasl] = await freePorts(3);
  saslPort = sasl;
  env = {
    ...process.env,
    BMP_STACK_DIR: join(dir, 'stack'),
    BMP_KAFKA_PORT: String(kafkaPort),
    BMP_KAFKA_CONTROLLER_PORT: String(controllerPort),
    BMP_KAFKA_SASL_SSL_PORT: String(saslPort),
    BMP_KAFKA_TLS_DIR: tlsDir,
    BMP_KAFKA_SASL_USERS: `alice:${PASSWORD}`,
    BMP_KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
  };
  const up = stack('up kafka');
  assert.equal(up.code, 0, up.out);
});

after(() => {
  if (env.BMP_STACK_DIR) stack('down kafka');
  rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(s: KafkaSettings): Promise<void> {
  const kafka = createKafka(s, logger);
  const topic = `security.${s.sasl.mechanism}.${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `over ${s.sasl.mechanism}` }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}.group` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const value = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record consumed in 60 s')), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(String(message.value));
        },
      });
    });
    assert.equal(value, `over ${s.sasl.mechanism}`);
  } finally {
    await consumer.disconnect();
  }
}

for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
  test(`SASL ${mechanism} over TLS with a private CA, password from a file: create, produce, consume`, { timeout: 120_000 }, async () => {
    await roundTrip(settings({ sasl: { mechanism, username: 'alice', password: '', passwordFile: join(dir, 'password') } }));
  });
}

test('a wrong password is refused by the broker', { timeout: 60_000 }, async () => {
  const wrong = join(dir, 'wrong-password');
  writeFileSync(wrong, 'not-the-password');
  const admin = createKafka({ ...settings({ sasl: { mechanism: 'scram-sha-512', username: 'alice', password: '', passwordFile: wrong } }) }, logger).admin({
    retry: { retries: 0 },
  });
  await assert.rejects(admin.connect(), /SASL|authentication|credentials/i);
  await admin.disconnect();
});

test('without the private CA the TLS handshake fails', { timeout: 60_000 }, async () => {
  // The services retry connections forever (kafkaClientConfig); here one attempt is enough.
  const kafka = new Kafka({ ...kafkaClientConfig({ ...settings({}), tls: { caFile: '', certFile: '', keyFile: '', servername: '' } }, logger), retry: { retries: 0 } });
  const admin = kafka.admin();
  await assert.rejects(admin.connect(), /certificate|self[- ]signed|verify/i);
  await admin.disconnect();
});

test('the password never reaches the logs, and --print-config masks it', () => {
  assert.ok(logged.length > 0, 'the clients logged nothing at debug level: the check would prove nothing');
  assert.ok(!logged.includes(PASSWORD), 'the SASL password appears in the client logs');
  const config = loadConfig(kafkaSchema, { env: { BMP_KAFKA_SASL_PASSWORD: PASSWORD, BMP_KAFKA_TLS_KEY_FILE: join(tlsDir, 'broker.key') } });
  const printed = printableConfig(config as never);
  assert.ok(!printed.includes(PASSWORD));
  assert.ok(!printed.includes('broker.key'), 'the key file path is masked too');
});

test('a secret or CA file that does not exist is a config error naming the key', () => {
  assert.throws(() => loadConfig(kafkaSchema, { env: { BMP_KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing') } }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /kafka\.sasl\.passwordFile: file not found/);
    return true;
  });
  assert.throws(() => loadConfig(kafkaSchema, { env: { BMP_KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem' } }), /kafka\.tls\.caFile: file not found/);
});
