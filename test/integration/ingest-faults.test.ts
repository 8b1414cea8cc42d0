/**
 * Fault tests of the ingest service (hardening issue), each printing its figures:
 * - a sender trickling one octet per second and one whose length field claims gigabytes: each
 *   session is closed with a reason naming what went wrong, memory stays bounded, and a healthy
 *   router beside them loses nothing;
 * - the schema registry unreachable at start: the service is not ready and says why, retries,
 *   and becomes ready when the registry returns; unreachable again during a run: the cached
 *   schema ids keep every event flowing;
 * - 1,000 concurrent router sessions from the replay tool (each from its own loopback address):
 *   all complete, every event arrives, memory bounded.
 * The service runs as its own process (its memory is what is measured) against the real stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Consumer } from 'kafkajs';
import { fullTableDump } from '../../bench/full-table.js';
import { encodeBmpMessage, stringTlv } from '../../services/codec/bmp/index.js';
import { decodeStream } from '../../services/cli/decode.js';
import { replay } from '../../services/cli/replay.js';
import { createKafka } from '../../services/kafka/client.js';
import { decodeRecord } from '../../services/kafka/avro/wire.js';
import { freePorts } from '../helpers/ports.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';

const kafka = createKafka(kafkaSettings, testLogger);

interface IngestProcess {
  bmpPort: number;
  httpPort: number;
  prefix: string;
  metric(name: string, labels?: string): Promise<number>;
  ready(): Promise<{ ok: boolean; text: string }>;
  /** Largest resident set seen by the sampler so far (bytes). */
  maxRss: number;
  stop(): Promise<void>;
}

async function startIngestProcess(env: Record<string, string>): Promise<IngestProcess> {
  const [bmpPort, httpPort] = await freePorts(2);
  const prefix = `${uniqueName('faults')}.`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'services/ingest/main.ts'], {
    env: {
      ...process.env,
      BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
      BMP_REGISTRY_URL: registrySettings.url,
      BMP_TOPIC_PREFIX: prefix,
      BMP_TOPIC_PARTITIONS: '3',
      BMP_INGEST_HOST: '127.0.0.1',
      BMP_INGEST_PORT: String(bmpPort),
      BMP_INGEST_HTTP_HOST: '127.0.0.1',
      BMP_INGEST_HTTP_PORT: String(httpPort),
      BMP_INGEST_RAW: 'false',
      BMP_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const metrics = async (): Promise<string> => fetch(`http://127.0.0.1:${httpPort}/metrics`).then((r) => r.text(), () => '');
  const proc: IngestProcess = {
    bmpPort,
    httpPort,
    prefix,
    maxRss: 0,
    async metric(name, labels = '') {
      const escaped = labels.replace(/[{}]/g, '\\$&');
      const m = new RegExp(`^${name}${labels ? escaped : '(?:\\{[^}]*\\})?'} ([0-9.e+-]+)$`, 'm').exec(await metrics());
      return m ? Number(m[1]) : 0;
    },
    async ready() {
      const r = await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => null);
      return { ok: r?.ok ?? false, text: r ? await r.text() : 'no answer' };
    },
    async stop() {
      sampling = false;
      await sampler;
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      assert.ok(child.exitCode === 0 || child.signalCode === null, `ingest exited badly: ${stderr}`);
    },
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling && child.exitCode === null) {
      proc.maxRss = Math.max(proc.maxRss, await proc.metric('process_resident_memory_bytes'));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  child.once('exit', (code) => {
    if (sampling && code !== 0) process.stderr.write(`ingest exited with ${code}: ${stderr}\n`);
  });
  return proc;
}

async function waitReady(ingest: IngestProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ingest.ready()).ok) {
    assert.ok(Date.now() < deadline, `ingest not ready after ${timeoutMs} ms: ${(await ingest.ready()).text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Counts the records of each topic of `prefix` until `total` have arrived (or times out). */
async function countRecords(prefix: string, total: number, onRecord?: (topic: string, value: Buffer) => void, timeoutMs = 180_000): Promise<Map<string, number>> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('faults-check'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  const got = new Map<string, number>();
  let n = 0;
  try {
    await consumer.subscribe({ topics: [new RegExp(`^${prefix.replace(/\./g, '\\.')}`)], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${n} of ${total}: ${JSON.stringify([...got])}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const t = topic.slice(prefix.length);
          got.set(t, (got.get(t) ?? 0) + 1);
          onRecord?.(t, message.value as Buffer);
          if (++n >= total) {
            clearTimeout(timer);
            setTimeout(resolve, 1500); // catch extras
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/** Events `bmp decode` makes of a stream, by topic, plus the router topic's records for `sessions` sessions. */
async function expectedEvents(stream: Buffer, sessions: number): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  await decodeStream({ routerAddress: '0.0.0.0', chunks: [stream] }, (topic) => expected.set(topic, (expected.get(topic) ?? 0) + sessions));
  return expected;
}

function smallTable(prefixesV4: number, prefixesV6: number): Buffer {
  return Buffer.concat([...fullTableDump({ prefixesV4, prefixesV6, peers: 1 })]);
}

function connectFrom(localAddress: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

test('a trickling sender and a gigabyte length field are closed with clear reasons; a healthy router beside them loses nothing', { timeout: 240_000 }, async () => {
  const ingest = await startIngestProcess({ BMP_INGEST_MESSAGE_TIMEOUT_MS: '3000' });
  try {
    await waitReady(ingest);
    const initiation = encodeBmpMessage({ type: 'initiation', version: 3, tlvs: [stringTlv(2, 'slow-router'), stringTlv(1, 'x'.repeat(40))], sysDescr: null, sysName: null, strings: [] });
    // Slow: one octet per second; the message needs ~50 s, the collector allows 3.
    const slow = await connectFrom('127.3.0.1', ingest.bmpPort);
    let slowSent = 0;
    const slowClosed = new Promise<number>((resolve) => slow.once('close', () => resolve(Date.now())));
    slow.on('error', () => undefined);
    const slowStart = Date.now();
    const trickle = setInterval(() => {
      if (slow.destroyed || slowSent >= initiation.length) return clearInterval(trickle);
      slow.write(initiation.subarray(slowSent, slowSent + 1));
      slowSent++;
    }, 1000);
    // Giant: a common header claiming 4 GiB - 16 octets, then some octets.
    const giant = await connectFrom('127.3.0.2', ingest.bmpPort);
    giant.on('error', () => undefined);
    const giantClosed = new Promise<number>((resolve) => giant.once('close', () => resolve(Date.now())));
    const giantStart = Date.now();
    giant.write(Buffer.concat([Buffer.from([3, 0xff, 0xff, 0xff, 0xf0, 0]), Buffer.alloc(64 * 1024, 0xab)]));
    // Healthy: a small table replayed meanwhile from its own address.
    const table = smallTable(2000, 500);
    const summary = await replay({ input: table, host: '127.0.0.1', port: ingest.bmpPort, sourceAddress: '127.3.0.3', progress: null });
    assert.equal(summary.failed_sessions, 0);
    const slowEnd = await slowClosed;
    const giantEnd = await giantClosed;
    clearInterval(trickle);
    assert.ok(slowSent < initiation.length, 'the slow sender was cut off before finishing its message');

    const expected = await expectedEvents(table, 1);
    const reasons = new Map<string, string>();
    // Router records: connected and disconnected for each of the 3 sessions, plus initiated and
    // terminated for the healthy one; and one dead letter per bad session (the giant header, and
    // the slow sender's partial message kept when its session ended).
    const routerRecords = 6 + (expected.get('initiation') ?? 0) + (expected.get('termination') ?? 0);
    const total = [...expected.values()].reduce((a, b) => a + b, 0) + routerRecords + 2;
    const deadLetters: string[] = [];
    const got = await countRecords(ingest.prefix, total, (topic, value) => {
      if (topic === 'errors') deadLetters.push(decodeRecord('errors', value).value.reason);
      if (topic !== 'router') return;
      const r = decodeRecord('router', value).value;
      if (r.event === 'disconnected') reasons.set(r.router_address, r.disconnect_reason ?? '');
    });
    for (const [topic, count] of expected) assert.equal(got.get(topic) ?? 0, count, `healthy router's ${topic} events`);
    assert.match(reasons.get('127.3.0.1') ?? '', /incomplete after 3000 ms/);
    assert.match(reasons.get('127.3.0.2') ?? '', /framing lost.*(length|exceeds)/i);
    assert.equal(got.get('router') ?? 0, routerRecords);
    assert.equal(deadLetters.length, 2, `dead letters: ${deadLetters.join(' | ')}`);
    assert.ok(deadLetters.some((r) => /length/i.test(r)), 'the giant header is a dead letter');
    assert.ok(deadLetters.some((r) => /truncated/i.test(r)), "the slow sender's partial message is a dead letter");
    const rejectedBytes = await ingest.metric('process_resident_memory_bytes');
    console.log(
      `# slow sender closed after ${((slowEnd - slowStart) / 1000).toFixed(1)} s (${slowSent} of ${initiation.length} octets sent); ` +
        `4 GiB length closed after ${giantEnd - giantStart} ms; healthy router: ${[...expected.values()].reduce((a, b) => a + b, 0)} events, 0 lost; ` +
        `max RSS ${(ingest.maxRss / 1048576).toFixed(0)} MB (now ${(rejectedBytes / 1048576).toFixed(0)} MB)`,
    );
    assert.ok(slowEnd - slowStart < 15_000, 'slow sender closed within the message timeout (plus slack)');
    assert.ok(ingest.maxRss < 300 * 1024 * 1024, `RSS ${ingest.maxRss}`);
  } finally {
    await ingest.stop();
  }
});

test('registry unreachable at start: not ready, retries, ready when it returns; unreachable during a run: cached schema ids keep producing', { timeout: 240_000 }, async () => {
  // A TCP forwarder stands between ingest and the real registry, so the test can take it away.
  const registry = new URL(registrySettings.url);
  const [forwardPort] = await freePorts(1);
  const sockets = new Set<Socket>();
  let forwarder: Server | null = null;
  const openForwarder = (): Promise<void> =>
    new Promise((resolve) => {
      forwarder = createServer((client) => {
        const upstream = connect({ host: registry.hostname, port: Number(registry.port) });
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = (): void => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      });
      forwarder.listen(forwardPort, '127.0.0.1', () => resolve());
    });
  const closeForwarder = async (): Promise<void> => {
    const f = forwarder as Server | null;
    forwarder = null;
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (f) await new Promise((r) => f.close(r));
  };

  const ingest = await startIngestProcess({ BMP_REGISTRY_URL: `http://127.0.0.1:${forwardPort}${registry.pathname}` });
  try {
    // Not ready while the registry is away, and /readyz says why.
    const until = Date.now() + 6000;
    let last = { ok: false, text: '' };
    while (Date.now() < until) {
      last = await ingest.ready();
      assert.equal(last.ok, false, 'ready without a registry');
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(last.text, /schemas not registered/);
    const back = Date.now();
    await openForwarder();
    await waitReady(ingest, 60_000);
    const readyAfter = Date.now() - back;

    // The registry goes away again; events keep flowing with the ids registered at start.
    await closeForwarder();
    const table = smallTable(3000, 1000);
    const summary = await replay({ input: table, host: '127.0.0.1', port: ingest.bmpPort, sourceAddress: '127.3.1.1', progress: null });
    assert.equal(summary.failed_sessions, 0);
    const expected = await expectedEvents(table, 1);
    const total = [...expected.values()].reduce((a, b) => a + b, 0) + 3;
    const got = await countRecords(ingest.prefix, total);
    for (const [topic, count] of expected) assert.equal(got.get(topic) ?? 0, count, `${topic} events while the registry was away`);
    console.log(`# registry away at start: not ready (reason given), ready ${readyAfter} ms after it returned; away during the run: ${total - 3} events published, 0 lost`);
  } finally {
    await ingest.stop();
    await closeForwarder();
  }
});

test('1,000 concurrent router sessions: all complete, every event arrives, memory bounded', { timeout: 300_000 }, async () => {
  const ingest = await startIngestProcess({ BMP_INGEST_MAX_SESSIONS: '2000' });
  try {
    await waitReady(ingest);
    const routers = 1000;
    const table = smallTable(20, 5);
    const started = Date.now();
    const summary = await replay({ input: table, host: '127.0.0.1', port: ingest.bmpPort, routers, sourceAddress: '127.4.0.1', progress: null });
    const replaySeconds = (Date.now() - started) / 1000;
    assert.equal(summary.sessions, routers);
    assert.equal(summary.failed_sessions, 0, 'every session completed');
    const expected = await expectedEvents(table, routers);
    // connected and disconnected, plus initiated and terminated when the stream has them
    const perRouterRecords = 2 + ((expected.get('initiation') ?? 0) + (expected.get('termination') ?? 0)) / routers;
    const total = [...expected.values()].reduce((a, b) => a + b, 0) + routers * perRouterRecords;
    const addresses = new Set<string>();
    const got = await countRecords(ingest.prefix, total, (topic, value) => {
      if (topic === 'router') addresses.add(decodeRecord('router', value).value.router_address);
    });
    for (const [topic, count] of expected) assert.equal(got.get(topic) ?? 0, count, `${topic}`);
    assert.equal(got.get('router') ?? 0, routers * perRouterRecords);
    assert.equal(addresses.size, routers, 'each session its own router address');
    console.log(
      `# 1,000 sessions: replayed in ${replaySeconds.toFixed(1)} s, ${total} records, 0 lost, 0 failed sessions, max RSS ${(ingest.maxRss / 1048576).toFixed(0)} MB`,
    );
    assert.ok(ingest.maxRss < 400 * 1024 * 1024, `RSS ${ingest.maxRss}`);
  } finally {
    await ingest.stop();
  }
});
