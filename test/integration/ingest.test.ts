/**
 * The ingest service against the real local stack (Kafka + registry):
 * - every capture of the test data replayed into it puts on the topics exactly the events
 *   `bmp decode` makes of that file (count per topic, content after Avro decoding through the
 *   registry); each session arrives through a PROXY v2 header naming the capture's router, so
 *   the router addresses match too;
 * - two routers replayed at once: each peer's events are consumed in increasing sequence order;
 * - garbage on one session goes to the errors topic and ends only that session;
 * - a router outside the ACL is closed and counted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { pino } from 'pino';
import type { IngestConfig } from '../../services/ingest/config.js';
import { startIngest, type RunningIngest } from '../../services/ingest/service.js';
import { encodeProxyHeaderV2 } from '../../services/ingest/proxy-protocol.js';
import { extractBmpStreams } from '../../services/capture/index.js';
import { decodeStream } from '../../services/cli/decode.js';
import { createKafka } from '../../services/kafka/client.js';
import { createRegistry } from '../../services/kafka/registry.js';
import { decodeRecord } from '../../services/kafka/avro/index.js';
import type { EventByTopic, EventTopic } from '../../services/events/model.js';
import { freePorts } from '../helpers/ports.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../unit/capture/testdata.js';
import { ingestTestConfig } from '../helpers/ingest.js';

const prefix = `${uniqueName('ingest')}.`;
const silent = pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' });
let ingest: RunningIngest;
const kafka = createKafka(kafkaSettings, testLogger);
const registry = createRegistry(registrySettings);

function ingestConfig(env: Record<string, string>): IngestConfig {
  return ingestTestConfig(prefix, env);
}

before(async () => {
  ingest = await startIngest(ingestConfig({ BMP_INGEST_PROXY_PROTOCOL: 'required' }), silent);
});
after(async () => {
  await ingest?.stop();
});

/** Sends one BMP stream as router `source`, through a PROXY v2 header; resolves when closed. */
function sendAs(source: { address: string; port: number }, payload: Buffer, port = ingest.bmpPort): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(encodeProxyHeaderV2(source, { address: '127.0.0.1', port }));
      socket.end(payload);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

interface Consumed {
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
}

/**
 * Consumes every topic of the test prefix until `done(record)` returns true for a record (it is
 * called once per record, in consumption order, so it can count) or the timeout.
 */
async function consumeUntil(done: (record: Consumed) => boolean, timeoutMs = 90_000): Promise<Consumed[]> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('ingest-check'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  const records: Consumed[] = [];
  try {
    await consumer.subscribe({ topics: [new RegExp(`^${prefix.replace(/\./g, '\\.')}`)], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${records.length} records consumed`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const record = { topic: topic.slice(prefix.length), partition, key: message.key?.toString() ?? '', value: message.value as Buffer };
          records.push(record);
          if (done(record)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Comparable text of an event: bytes as hex, keys sorted by the schema's order (as decoded). */
function normalise(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString('hex');
    }
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}

const captures = HAVE_TESTDATA ? readdirSync(BMP_CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|bmp)$/.test(f)) : [];

test('every capture replayed into ingest gives on the topics exactly the events bmp decode prints', { skip: captures.length === 0 && 'test data not found', timeout: 300_000 }, async () => {
  const expected = new Map<string, string[]>();
  let sessions = 0;
  let initiations = 0;
  let rawMessages = 0;
  const sends: Promise<void>[] = [];
  for (const file of captures) {
    const streams = extractBmpStreams(readFileSync(join(BMP_CAPTURE_DIR, file)));
    for (const s of streams) {
      const router = s.origin === 'raw' ? '192.0.2.250' : s.src;
      await decodeStream({ routerAddress: router, chunks: [s.payload] }, <T extends EventTopic>(topic: T, event: EventByTopic[T]) => {
        const list = expected.get(topic) ?? [];
        list.push(normalise(event));
        expected.set(topic, list);
        if (topic === 'initiation') initiations++;
      }, { onMessage: () => rawMessages++ });
      sessions++;
      sends.push(sendAs({ address: router, port: s.srcPort || 40000 }, s.payload));
    }
  }
  await Promise.all(sends);
  const totalExpected = [...expected.values()].reduce((n, l) => n + l.length, 0);
  // router topic: connected per session, initiated per Initiation (and terminated, disconnected).
  // Wait for those the test checks: the consumer may be handed a topic's records after another's,
  // so having every event and raw record does not mean the router records are all in. They are
  // counted by kind, not in total: terminated and disconnected records could otherwise stand in
  // for initiated ones still on their way.
  let events = 0;
  let raws = 0;
  const routerEvents = new Map<string, number>();
  const records = await consumeUntil((r) => {
    if (r.topic === 'raw') raws++;
    else if (r.topic === 'router') {
      const { event } = decodeRecord('router', r.value).value;
      routerEvents.set(event, (routerEvents.get(event) ?? 0) + 1);
    } else events++;
    return events >= totalExpected && raws >= rawMessages && (routerEvents.get('connected') ?? 0) >= sessions && (routerEvents.get('initiated') ?? 0) >= initiations;
  });

  const actual = new Map<string, string[]>();
  for (const r of records) {
    if (r.topic === 'raw' || r.topic === 'router') continue;
    const decoded = await registry.decode(r.value);
    const list = actual.get(r.topic) ?? [];
    list.push(normalise(decoded));
    actual.set(r.topic, list);
  }
  for (const topic of new Set([...expected.keys(), ...actual.keys()])) {
    const want = (expected.get(topic) ?? []).sort();
    const got = (actual.get(topic) ?? []).sort();
    assert.equal(got.length, want.length, `${topic}: ${got.length} records, bmp decode made ${want.length} events`);
    assert.deepEqual(got, want, `${topic}: same content after Avro decoding`);
  }
  const raw = records.filter((r) => r.topic === 'raw');
  assert.equal(raw.length, rawMessages, 'one raw record per BMP message');
  assert.equal(raw[0].value.subarray(0, 4).toString(), 'OBMP', 'raw records carry the OpenBMP header');
  const routerRecords = await Promise.all(records.filter((r) => r.topic === 'router').map((r) => registry.decode(r.value)));
  assert.equal(routerRecords.filter((r) => r.event === 'connected').length, sessions);
  assert.equal(routerRecords.filter((r) => r.event === 'initiated').length, initiations);
  // Sessions of the last capture may still be closing: wait for their disconnected records.
  assert.ok(routerRecords.filter((r) => r.event === 'disconnected').length <= sessions);
});

test('two routers at once: each peer view is consumed in increasing sequence order', { skip: !HAVE_TESTDATA && 'test data not found', timeout: 120_000 }, async () => {
  const payload = readFileSync(join(BMP_CAPTURE_DIR, 'bmpplay-huawei-vrp-bmpv4-raw.bmp'));
  const routers = ['198.51.100.201', '198.51.100.202'];
  let perRouter = 0;
  await decodeStream({ routerAddress: routers[0], chunks: [payload] }, (topic) => {
    if (topic === 'route_monitoring') perRouter++;
  });
  await Promise.all(routers.map((address) => sendAs({ address, port: 50000 }, payload)));
  const mine = (r: Consumed): boolean => r.topic === 'route_monitoring' && routers.some((a) => r.key.startsWith(`${a}|`));
  let seen = 0;
  const records = await consumeUntil((r) => mine(r) && ++seen >= 2 * perRouter);
  const last = new Map<string, number>();
  let checked = 0;
  for (const r of records.filter(mine)) {
    const event = (await registry.decode(r.value)) as EventByTopic['route_monitoring'];
    const prev = last.get(r.key);
    if (prev !== undefined) assert.ok(event.sequence > prev, `key ${r.key}: sequence ${event.sequence} after ${prev}`);
    last.set(r.key, event.sequence);
    checked++;
  }
  assert.equal(checked, 2 * perRouter);
  assert.ok(last.size >= 4, 'several peer views per router');
});

test('garbage on one session: errors topic gets it, that session ends, the other is complete', { skip: !HAVE_TESTDATA && 'test data not found', timeout: 120_000 }, async () => {
  const good = extractBmpStreams(readFileSync(join(BMP_CAPTURE_DIR, 'networklab-juniper-vmx-full-session.pcap')))[0].payload;
  // Two good messages, then a header of version 9: framing is lost there.
  const firstTwo = good.readUInt32BE(1) + good.readUInt32BE(1 + good.readUInt32BE(1));
  const garbage = Buffer.concat([good.subarray(0, firstTwo), Buffer.from([9, 0, 0, 0, 6, 0]), Buffer.from('definitely not BMP')]);
  await Promise.all([sendAs({ address: '198.51.100.66', port: 1 }, garbage), sendAs({ address: '198.51.100.77', port: 1 }, good)]);
  let goodEvents = 0;
  await decodeStream({ routerAddress: '198.51.100.77', chunks: [good] }, () => goodEvents++);
  const fromGood = (r: Consumed): boolean => r.topic !== 'raw' && r.topic !== 'router' && r.key.startsWith('198.51.100.77');
  let goodSeen = 0;
  let errorSeen = false;
  const records = await consumeUntil((r) => {
    if (fromGood(r)) goodSeen++;
    if (r.topic === 'errors' && r.key === '198.51.100.66') errorSeen = true;
    return goodSeen >= goodEvents && errorSeen;
  });
  assert.equal(records.filter(fromGood).length, goodEvents, 'the good session is complete');
  const error = (await registry.decode(records.find((x) => x.topic === 'errors' && x.key === '198.51.100.66')!.value)) as EventByTopic['errors'];
  assert.equal(error.fatal, true);
  assert.equal(error.stream_offset, firstTwo);
  assert.match(error.reason, /framing lost.*version 9/i);
  assert.equal(error.raw.subarray(0, 6).toString('hex'), '090000000600');
  await consumeUntil((r) => r.topic === 'router' && r.key === '198.51.100.66' && r.value.includes(Buffer.from('framing lost')));
});

test('a router outside the ACL is closed at once and counted', async () => {
  const guarded = await startIngest(
    ingestConfig({ BMP_INGEST_ALLOWED_ROUTERS: '192.0.2.0/24', BMP_TOPIC_PREFIX: `${prefix}acl.` }),
    silent,
  );
  try {
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = connect({ host: '127.0.0.1', port: guarded.bmpPort });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Date.now() - started));
      setTimeout(() => reject(new Error('connection from outside the ACL stayed open')), 5000);
      socket.resume();
    });
    assert.ok(closedAfter < 5000);
    const metrics = await (await fetch(`http://127.0.0.1:${guarded.httpPort}/metrics`)).text();
    assert.match(metrics, /bmp_connections_rejected_total\{reason="acl"\} 1/);
  } finally {
    await guarded.stop();
  }
});

test('SIGTERM during a replay: the service exits 0 and the router topic shows the session end', { skip: !HAVE_TESTDATA && 'test data not found', timeout: 120_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { replay } = await import('../../services/cli/replay.js');
  const sigPrefix = `${prefix}sigterm.`;
  const [bmpPort, httpPort] = await freePorts(2);
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/ingest/main.ts'], {
    env: {
      ...process.env,
      BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
      BMP_REGISTRY_URL: registrySettings.url,
      BMP_TOPIC_PREFIX: sigPrefix,
      BMP_INGEST_HOST: '127.0.0.1',
      BMP_INGEST_PORT: String(bmpPort),
      BMP_INGEST_HTTP_HOST: '127.0.0.1',
      BMP_INGEST_HTTP_PORT: String(httpPort),
      BMP_INGEST_GRACE_PERIOD_MS: '15000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      assert.ok(i < 120, `ingest did not become ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // A slow replay (the whole file takes ~6 s) so that SIGTERM lands in the middle of it.
    const replaying = replay({ input: join(BMP_CAPTURE_DIR, 'bmpplay-huawei-vrp-bmpv4-raw.bmp'), host: '127.0.0.1', port: bmpPort, rate: 200, progress: null });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `exit code (stderr: ${stderr.slice(-2000)})`);
    await replaying.catch(() => undefined);
    const consumer: Consumer = kafka.consumer({ groupId: uniqueName('sigterm-check') });
    await consumer.connect();
    await consumer.subscribe({ topic: `${sigPrefix}router`, fromBeginning: true });
    const events = await new Promise<Array<{ event: string; disconnect_reason: string | null; messages_received: number }>>((resolve, reject) => {
      const seen: Array<{ event: string; disconnect_reason: string | null; messages_received: number }> = [];
      const timer = setTimeout(() => reject(new Error(`router topic: ${JSON.stringify(seen)}`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(await registry.decode(message.value as Buffer));
          if (seen.some((e) => e.event === 'disconnected')) {
            clearTimeout(timer);
            resolve(seen);
          }
        },
      });
    });
    await consumer.disconnect();
    const end = events.find((e) => e.event === 'disconnected');
    assert.equal(end?.disconnect_reason, 'collector shutting down');
    assert.ok((end?.messages_received ?? 0) > 0 && (end?.messages_received ?? 0) < 1275, `stopped mid-replay (${end?.messages_received} of 1275 messages)`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
