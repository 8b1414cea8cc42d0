/**
 * `bmp tail` against the real local stack. The route, peer and stats events of two captures of
 * the test data (decoded with `bmp decode`'s code) are published the way the ingest service does
 * (schemas registered under a unique topic prefix, Confluent wire format, record keys, LZ4
 * batches); then tail() runs in-process over them: every field round-trips, filters by router,
 * peer and prefix (CIDR containment, IPv4 and IPv6) keep exactly the right records, the table has
 * its header and rows, a 64-bit gauge beyond 2^53 decodes, the default start is "new records
 * only", a named group resumes where it stopped, and unreachable dependencies are named. Last,
 * the real CLI prints 3 JSON lines.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Partitioners, type Producer } from 'kafkajs';
import { decodeStream, eventJson, openInput } from '../../services/cli/decode.js';
import { tail, type TailOptions, type TailSummary } from '../../services/cli/tail.js';
import { createKafka } from '../../services/kafka/client.js';
import { CompressionTypes } from '../../services/kafka/compression.js';
import { ensureTopics } from '../../services/kafka/topics.js';
import { createRegistry, registerValueSchema } from '../../services/kafka/registry.js';
import { encodeRecord, recordKey, schemaFor, type AvroTopic, type RecordOf } from '../../services/kafka/avro/index.js';
import type { EventByTopic, EventTopic, RouteEvent } from '../../services/events/model.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../unit/capture/testdata.js';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** One router (203.0.113.0), IPv4/IPv6 peers, plain and VPN families, End-of-RIBs, withdrawals. */
const FULL_SESSION = join(BMP_CAPTURE_DIR, 'networklab-juniper-vmx-full-session.pcap');
/** Two more routers (172.16.100.40 and .60): Peer Up, Peer Down, Stats and a few routes. */
const SMALL = join(BMP_CAPTURE_DIR, 'netgauze-cisco-iosxr741-small.pcapng');
const skip = HAVE_TESTDATA ? false : `no BMP test data in ${BMP_CAPTURE_DIR}`;
const TOPICS = ['route_monitoring', 'peer_up', 'peer_down', 'stats'] as const satisfies readonly AvroTopic[];
type TestTopic = (typeof TOPICS)[number];

const prefix = `${uniqueName('tail')}.`;
const kafka = createKafka(kafkaSettings, testLogger);
const registry = createRegistry(registrySettings);
const schemaIds = new Map<TestTopic, number>();
const events: { [T in TestTopic]: Array<EventByTopic[T]> } = { route_monitoring: [], peer_up: [], peer_down: [], stats: [] };
let producer: Producer | null = null;

const base: Pick<TailOptions, 'kafka' | 'registry' | 'topicPrefix' | 'connectTimeoutMs'> = {
  kafka: kafkaSettings,
  registry: registrySettings,
  topicPrefix: prefix,
  connectTimeoutMs: 10_000,
};

/** Publishes records as the ingest service does: wire format with the registered id, record key, LZ4. */
async function publish<T extends TestTopic>(topic: T, records: Array<RecordOf<T>>): Promise<void> {
  const schemaId = schemaIds.get(topic) as number;
  await (producer as Producer).send({
    topic: `${prefix}${topic}`,
    acks: -1,
    compression: CompressionTypes.LZ4,
    messages: records.map((r) => ({ key: recordKey(topic, r), value: encodeRecord(topic, schemaId, r) })),
  });
}

interface Run {
  lines: string[];
  summary: TailSummary;
  log: string[];
}

/** tail() in-process, collecting its lines; aborted after 15 s should it wait for more than exists. */
async function run(options: Partial<TailOptions> & { topic: string }, onReady?: () => void): Promise<Run> {
  const chunks: string[] = [];
  const log: string[] = [];
  const signal = AbortSignal.timeout(15_000);
  const summary = await tail({ ...base, ...options, signal, log: (line) => log.push(line), onReady }, { write: (text) => chunks.push(text) });
  assert.equal(signal.aborted, false, `tail ${JSON.stringify(options)} did not end by itself (got ${chunks.length} lines)`);
  const text = chunks.join('');
  assert.ok(text === '' || text.endsWith('\n'));
  return { lines: text === '' ? [] : text.slice(0, -1).split('\n'), summary, log };
}

function parsed(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** What a shown record must be: `bmp decode`'s JSON of the event, fields in the same order. */
function expectedFields(topic: EventTopic, event: object): Record<string, unknown> {
  const { topic: _topic, ...fields } = JSON.parse(eventJson(topic, event)) as Record<string, unknown>;
  return fields;
}

function fieldsOf(line: Record<string, unknown>): Record<string, unknown> {
  const { topic: _t, partition: _p, offset: _o, key: _k, ...fields } = line;
  return fields;
}

/** Records filtered out before the limit is reached on a one-partition topic: non-matching records up to the last match. */
function filteredBefore<T>(all: T[], keep: (e: T) => boolean, shown: number): number {
  let matched = 0;
  for (let i = 0; i < all.length; i++) {
    if (keep(all[i]) && ++matched === shown) return i + 1 - shown;
  }
  throw new Error('fewer matches than shown');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

before(async () => {
  if (!HAVE_TESTDATA) return;
  for (const file of [FULL_SESSION, SMALL]) {
    for (const input of await openInput(file, '0.0.0.0')) {
      await decodeStream(input, <T extends EventTopic>(topic: T, event: EventByTopic[T]) => {
        if ((TOPICS as readonly string[]).includes(topic)) (events[topic as TestTopic] as unknown[]).push(event);
      });
    }
  }
  // A 64-bit gauge beyond 2^53, which the registry client's own decoder refuses.
  events.stats.push({ ...events.stats[0], sequence: 1000, stats: [{ type: 7, name: 'adj_rib_in_routes', value: 2 ** 60, afi: null, safi: null, raw: null }] });

  const admin = kafka.admin();
  await admin.connect();
  try {
    // One partition: a deterministic order, hence exact "filtered out" counts.
    await ensureTopics(admin, TOPICS.map((t) => ({ name: `${prefix}${t}`, partitions: 1, replicationFactor: 1, retentionMs: 86_400_000 })));
  } finally {
    await admin.disconnect();
  }
  for (const t of TOPICS) schemaIds.set(t, await registerValueSchema(registry, `${prefix}${t}`, schemaFor(t)));
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  for (const t of TOPICS) await publish(t, events[t] as Array<RecordOf<typeof t>>);
});

after(async () => {
  await producer?.disconnect();
});

describe('bmp tail over published events', { skip }, () => {
  test('from the beginning: every record, in order, every field as `bmp decode` prints it', async () => {
    const routes = events.route_monitoring;
    assert.ok(routes.length >= 40, `${routes.length} route events`);
    assert.ok(new Set(routes.map((e) => e.router_address)).size >= 3, 'several routers');
    const { lines, summary } = await run({ topic: 'route_monitoring', fromBeginning: true, limit: routes.length });
    assert.deepEqual(summary, { shown: routes.length, filteredOut: 0, undecodable: 0, ended: 'limit' });
    const records = parsed(lines);
    records.forEach((r, i) => {
      assert.deepEqual(Object.keys(r).slice(0, 4), ['topic', 'partition', 'offset', 'key']);
      assert.equal(r.topic, 'route_monitoring');
      assert.equal(r.partition, 0);
      assert.equal(r.offset, i);
      assert.equal(r.key, recordKey('route_monitoring', routes[i]));
      assert.deepEqual(fieldsOf(r), expectedFields('route_monitoring', routes[i]), `record ${i}`);
    });
  });

  test('--router keeps one router\'s records; the others are counted as filtered out', async () => {
    const router = '172.16.100.40';
    const keep = (e: RouteEvent): boolean => e.router_address === router;
    const expected = events.route_monitoring.filter(keep);
    assert.ok(expected.length > 0 && expected.length < events.route_monitoring.length);
    const { lines, summary } = await run({ topic: 'route_monitoring', fromBeginning: true, limit: expected.length, router });
    assert.deepEqual(
      parsed(lines).map((r) => fieldsOf(r)),
      expected.map((e) => expectedFields('route_monitoring', e)),
    );
    assert.equal(summary.shown, expected.length);
    assert.equal(summary.filteredOut, filteredBefore(events.route_monitoring, keep, expected.length));
  });

  test('--peer matches the address in any spelling', async () => {
    const keep = (e: RouteEvent): boolean => e.peer_address === '2001:db8::7';
    const expected = events.route_monitoring.filter(keep);
    assert.ok(expected.length >= 10);
    const { lines, summary } = await run({ topic: 'route_monitoring', fromBeginning: true, limit: expected.length, peer: '2001:DB8:0::7' });
    assert.deepEqual(
      parsed(lines).map((r) => [r.peer_address, r.action, r.prefix, r.sequence]),
      expected.map((e) => [e.peer_address, e.action, e.prefix, e.sequence]),
    );
    assert.equal(summary.filteredOut, filteredBefore(events.route_monitoring, keep, expected.length));
  });

  test('--prefix-match: CIDR containment for IPv4 and IPv6 (off octet boundaries too), or exact text', async () => {
    const cases: Array<{ match: string; keep: (p: string) => boolean }> = [
      // Independent of tail's code: plain text checks that hold for the prefixes of these captures.
      { match: '198.51.100.0/24', keep: (p) => p.startsWith('198.51.100.') },
      { match: '198.51.100.0/25', keep: (p) => p === '198.51.100.0/25' || p === '198.51.100.0/26' },
      { match: '2001:db8::/32', keep: (p) => p.startsWith('2001:db8:') },
      { match: '2001:db8:1::/48', keep: (p) => p === '2001:db8:1::/64' },
      { match: '192.0.2.4/31', keep: (p) => p === '192.0.2.4/31' },
    ];
    for (const { match, keep } of cases) {
      const expected = events.route_monitoring.filter((e) => e.prefix !== null && keep(e.prefix));
      assert.ok(expected.length > 0, match);
      const { lines, summary } = await run({ topic: 'route_monitoring', fromBeginning: true, limit: expected.length, prefixMatch: match });
      assert.deepEqual(
        parsed(lines).map((r) => `${r.rd} ${r.prefix} ${r.action} ${r.sequence}`),
        expected.map((e) => `${e.rd} ${e.prefix} ${e.action} ${e.sequence}`),
        match,
      );
      assert.equal(summary.filteredOut, filteredBefore(events.route_monitoring, (e) => e.prefix !== null && keep(e.prefix), expected.length), match);
    }
  });

  test('filters combine: router, peer and prefix together', async () => {
    const { lines, summary } = await run({
      topic: 'route_monitoring',
      fromBeginning: true,
      limit: 1,
      router: '203.0.113.0',
      peer: '192.0.2.1',
      prefixMatch: '198.51.100.128/25',
    });
    const [r] = parsed(lines);
    assert.equal(summary.shown, 1);
    assert.deepEqual(
      [r.peer_address, r.action, r.prefix, (r.as_path as Array<{ asn: number }>).map((h) => h.asn).join(' ')],
      ['192.0.2.1', 'announce', '198.51.100.128/25', '65011 65011 174 29447 396919'],
    );
  });

  test('table format: the header, then one fixed-width row per record', async () => {
    const { lines } = await run({ topic: 'route_monitoring', format: 'table', fromBeginning: true, limit: 1, peer: '192.0.2.1', prefixMatch: '198.51.100.128/25' });
    assert.equal(lines.length, 2);
    const [header, row] = lines;
    assert.match(header, /^TIME \(UTC\)\s+ROUTER\s+PEER\s+ACTION\s+PREFIX\s+NEXT HOP\s+AS PATH$/);
    assert.match(row, /^2022-09-09 \d\d:\d\d:\d\d\.\d{3}\s+203\.0\.113\.0\s+192\.0\.2\.1\s+announce\s+198\.51\.100\.128\/25\s+192\.0\.2\.1\s+65011 65011 174 29447 396919$/);
    assert.equal(row.indexOf('198.51.100.128/25'), header.indexOf('PREFIX'), 'columns line up');

    const down = await run({ topic: 'peer_down', format: 'table', fromBeginning: true, limit: events.peer_down.length });
    assert.match(down.lines[0], /^TIME \(UTC\)\s+ROUTER\s+PEER\s+AS\s+REASON$/);
    assert.equal(down.lines.length, 1 + events.peer_down.length);
    assert.match(down.lines[1], new RegExp(`\\s${events.peer_down[0].router_address.replaceAll('.', '\\.')}\\s+fc00::\\d\\s+\\d+\\s+${events.peer_down[0].reason}`));
  });

  test('a 64-bit gauge beyond 2^53 decodes (the registry client\'s own decoder refuses it)', async () => {
    const { lines, summary } = await run({ topic: 'stats', fromBeginning: true, limit: events.stats.length });
    assert.equal(summary.undecodable, 0);
    const last = parsed(lines).at(-1) as { sequence: number; stats: Array<{ value: number }> };
    assert.equal(last.sequence, 1000);
    assert.equal(last.stats[0].value, 2 ** 60);
    const wide = encodeRecord('stats', schemaIds.get('stats') as number, events.stats.at(-1) as RecordOf<'stats'>);
    await assert.rejects(registry.decode(wide), /precision/i, 'why tail decodes with the pipeline\'s own long');
  });

  test('without --from-beginning: only records published after the start', async () => {
    const newEvent = { ...events.peer_up[0], sequence: 5000 };
    const { lines, summary } = await run({ topic: 'peer_up', limit: 1 }, () => void publish('peer_up', [newEvent]));
    assert.equal(summary.shown, 1);
    const [r] = parsed(lines);
    assert.equal(r.sequence, 5000);
    assert.equal(r.offset, events.peer_up.length, 'the first new record');
    events.peer_up.push(newEvent);
  });

  test('--group commits what it processed: the next run with the group goes on from there', async () => {
    const groupId = uniqueName('tail-group');
    const first = await run({ topic: 'route_monitoring', fromBeginning: true, limit: 5, groupId });
    const second = await run({ topic: 'route_monitoring', fromBeginning: true, limit: 5, groupId });
    assert.deepEqual(parsed(first.lines).map((r) => r.offset), [0, 1, 2, 3, 4]);
    assert.deepEqual(parsed(second.lines).map((r) => r.offset), [5, 6, 7, 8, 9], 'records past the limit are not committed');
  });

  test('an abort ends the tail with the counts so far', async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    const summary = await tail({ ...base, topic: 'stats', signal: controller.signal, onReady: () => controller.abort() }, { write: (t) => chunks.push(t) });
    assert.deepEqual(summary, { shown: 0, filteredOut: 0, undecodable: 0, ended: 'aborted' });
    assert.deepEqual(chunks, []);
  });

  test('the real CLI: bmp tail route_monitoring --prefix ... --from-beginning --limit 3', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['bin/bmp.js', 'tail', 'route_monitoring', '--prefix', prefix, '--from-beginning', '--limit', '3'],
      { cwd: repoRoot, env: { ...process.env, BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','), BMP_REGISTRY_URL: registrySettings.url }, timeout: 15_000 },
    );
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    parsed(lines).forEach((r, i) => {
      assert.equal(r.topic, 'route_monitoring');
      assert.equal(r.offset, i);
      assert.deepEqual(fieldsOf(r), expectedFields('route_monitoring', events.route_monitoring[i]));
    });
    assert.match(stderr, /^3 records shown, 0 filtered out$/m);
  });
});

describe('bmp tail failures', () => {
  test('the registry unreachable: named, within the timeout', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
    await assert.rejects(
      tail({ ...base, registry: { ...registrySettings, url }, topic: 'route_monitoring', connectTimeoutMs: 2000 }, { write: () => true }),
      (err: Error) => {
        assert.match(err.message, new RegExp(`schema registry at ${url.replaceAll('.', '\\.')} unreachable`));
        assert.doesNotMatch(err.message, /Kafka/, 'Kafka is fine');
        return true;
      },
    );
  });

  test('Kafka unreachable: named, within the timeout (the registry being down too is named as well)', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assert.rejects(
      tail(
        {
          ...base,
          kafka: { ...kafkaSettings, brokers: [`127.0.0.1:${port}`] },
          registry: { ...registrySettings, url: `http://127.0.0.1:${port}` },
          topic: 'route_monitoring',
          connectTimeoutMs: 1500,
        },
        { write: () => true },
      ),
      (err: Error) => {
        assert.match(err.message, new RegExp(`Kafka at 127\\.0\\.0\\.1:${port} unreachable`));
        assert.match(err.message, /schema registry at .* unreachable/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
  });

  test('a topic that does not exist, and a filter the topic cannot have', async () => {
    await assert.rejects(
      tail({ ...base, topicPrefix: `${uniqueName('none')}.`, topic: 'route_monitoring' }, { write: () => true }),
      /Kafka topic test\.none\.\S+route_monitoring does not exist/,
    );
    await assert.rejects(tail({ ...base, topic: 'peer_up', prefixMatch: '10.0.0.0/8' }, { write: () => true }), /peer_up records have no prefix/);
    await assert.rejects(tail({ ...base, topic: 'raw' }, { write: () => true }), /unknown topic "raw"/);
  });

  test('the real CLI exits 1 naming what failed', async () => {
    const port = await closedPort();
    await assert.rejects(
      promisify(execFile)(process.execPath, ['bin/bmp.js', 'tail', 'route_monitoring', '--brokers', `127.0.0.1:${port}`, '--connect-timeout', '1500'], {
        cwd: repoRoot,
        timeout: 15_000,
      }),
      (err: Error & { code?: number; stderr?: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr ?? '', new RegExp(`^bmp: Kafka at 127\\.0\\.0\\.1:${port} unreachable`, 'm'));
        return true;
      },
    );
  });
});
