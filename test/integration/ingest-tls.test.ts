/**
 * TLS and mutual TLS on the BMP listener (hardening issue): a router with a certificate the CA
 * signed and a name in ingest.tls.allowedClientNames is admitted and its events published; a
 * router with another name, one without a certificate, one with a certificate of another CA and
 * one speaking plain TCP are each closed, counted under reason "tls", and leave no events.
 * Certificates are made with openssl for the test; Kafka and the registry are the real local stack.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type convict from 'convict';
import { pino } from 'pino';
import { encodeBmpMessage, stringTlv } from '../../services/codec/bmp/index.js';
import { startIngest, type RunningIngest } from '../../services/ingest/service.js';
import { ingestSchema, type IngestConfig } from '../../services/ingest/config.js';
import { loadConfig } from '../../services/runtime/config.js';
import { createKafka } from '../../services/kafka/client.js';
import { decodeRecord } from '../../services/kafka/avro/wire.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'bmp-ingest-tls-'));
const prefix = `${uniqueName('tls')}.`;
let ingest: RunningIngest;

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A key and a certificate named `cn` signed by CA `ca` (files <name>.key, <name>.pem). */
function issue(name: string, cn: string, ca: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${cn},IP:127.0.0.1\n`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
}

const file = (name: string): string => join(dir, name);

before(async () => {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=routers CA');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue-ca.key', '-out', 'rogue-ca.pem', '-days', '2', '-subj', '/CN=rogue CA');
  issue('collector', 'collector.test', 'ca');
  issue('router-a', 'router-a.test', 'ca');
  issue('router-b', 'router-b.test', 'ca');
  issue('rogue', 'router-a.test', 'rogue-ca');
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
      BMP_INGEST_RAW: 'false',
      BMP_INGEST_TLS_CERT_FILE: file('collector.pem'),
      BMP_INGEST_TLS_KEY_FILE: file('collector.key'),
      BMP_INGEST_TLS_CA_FILE: file('ca.pem'),
      BMP_INGEST_TLS_REQUIRE_CLIENT_CERT: 'true',
      BMP_INGEST_TLS_ALLOWED_CLIENT_NAMES: 'router-a.test',
    },
  }).getProperties();
  ingest = await startIngest(config, pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' }));
});

after(async () => {
  await ingest?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function initiation(sysName: string): Buffer {
  return encodeBmpMessage({ type: 'initiation', version: 3, tlvs: [stringTlv(1, `descr of ${sysName}`), stringTlv(2, sysName)], sysDescr: null, sysName: null, strings: [] });
}

/** Connects over TLS with the given client identity, sends an Initiation, closes; resolves true if the collector kept the session open until we closed it. */
function sendOverTls(identity: { cert: string; key: string } | null, sysName: string): Promise<'sent' | 'refused'> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: ingest.bmpPort,
      ca: readFileSync(file('ca.pem')),
      servername: 'collector.test',
      cert: identity ? readFileSync(identity.cert) : undefined,
      key: identity ? readFileSync(identity.key) : undefined,
    });
    let outcome: 'sent' | 'refused' = 'refused';
    socket.on('secureConnect', () => {
      socket.write(initiation(sysName), () => {
        // TLS 1.3 reports a refused client certificate after the handshake: wait for it.
        setTimeout(() => {
          if (!socket.destroyed) outcome = 'sent';
          socket.end();
        }, 500);
      });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(outcome));
    socket.resume();
  });
}

async function tlsRejections(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${ingest.httpPort}/metrics`)).text();
  const m = /^bmp_connections_rejected_total\{reason="tls"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

test('mutual TLS: only the allowed, CA-signed router gets a session; every refusal is counted', { timeout: 120_000 }, async () => {
  assert.equal(await sendOverTls({ cert: file('router-a.pem'), key: file('router-a.key') }, 'router-a'), 'sent');
  assert.equal(await sendOverTls({ cert: file('router-b.pem'), key: file('router-b.key') }, 'router-b'), 'refused');
  assert.equal(await sendOverTls(null, 'no-cert'), 'refused');
  assert.equal(await sendOverTls({ cert: file('rogue.pem'), key: file('rogue.key') }, 'rogue'), 'refused');
  // Plain TCP to a TLS listener: the BMP bytes are not a TLS ClientHello.
  await new Promise<void>((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: ingest.bmpPort }, () => socket.write(initiation('plain')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.resume();
  });
  for (let i = 0; (await tlsRejections()) < 4 && i < 50; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await tlsRejections(), 4);

  // Only router-a's Initiation reached Kafka.
  const kafka = createKafka(kafkaSettings, testLogger);
  const consumer = kafka.consumer({ groupId: uniqueName('tls-check') });
  await consumer.connect();
  const names: string[] = [];
  try {
    await consumer.subscribe({ topic: `${prefix}initiation`, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no initiation consumed')), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          names.push(decodeRecord('initiation', message.value as Buffer).value.sys_name ?? '');
          clearTimeout(timer);
          // Give any other record a moment to show up too.
          setTimeout(resolve, 2000);
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(names, ['router-a']);
});
