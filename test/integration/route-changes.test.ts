/**
 * The route-changes service against the real local stack, fed by the ingest service:
 * - a scripted feed over four 10 s windows (new routes, path changes of each attribute kind,
 *   duplicates, withdrawals known and unknown, a flapping prefix, a Peer Down with a post-policy
 *   view, a router disconnect) leads to route_changes and prefix_flaps records equal to those the
 *   test computes from the script (route-changes-script.ts);
 * - a deployment killed with SIGKILL mid-stream and restarted publishes exactly the records of the
 *   uninterrupted one (none lost, none twice), having restored from its snapshots and replayed;
 * - two instances in one group publish the same records as one.
 *
 * Each deployment (its own group, transactional ids, internal, snapshot and output topics) reads
 * the same ingest topics, so their outputs can be compared record for record.
 *
 * Timing: all BMP timestamps are explicit, so windows do not depend on when the test runs; the
 * watermark of every task is moved past each window's end by a Peer Down of a peer that holds no
 * routes (Peer Downs reach every task), and the idle-window timer is off.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import type convict from 'convict';
import { pino } from 'pino';
import { loadConfig } from '../../services/runtime/config.js';
import { startIngest, type RunningIngest } from '../../services/ingest/service.js';
import { encodeProxyHeaderV2 } from '../../services/ingest/proxy-protocol.js';
import { createKafka } from '../../services/kafka/client.js';
import { createRegistry } from '../../services/kafka/registry.js';
import { RecordDecoder } from '../../services/consumer/decoder.js';
import { readToEnd } from '../../services/consumer/restore.js';
import { routeChangesSchema, type RouteChangesConfig } from '../../services/route-changes/config.js';
import { startRouteChanges, type RunningRouteChanges } from '../../services/route-changes/service.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';
import { message, type PeerSpec } from './peer-state-script.js';
import { BASE_US, Reference, actionMessage, type Action, type Attrs, type ExpectedWindow } from './route-changes-script.js';
import { ingestTestConfig } from '../helpers/ingest.js';
import { spawnService, type ServiceProcess } from '../helpers/service-process.js';
import { stopAll } from '../helpers/stop-all.js';

const prefix = `${uniqueName('routechanges')}.`;
const silent = pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' });
const kafka = createKafka(kafkaSettings, testLogger);
const decoder = new RecordDecoder(createRegistry(registrySettings));
const reference = new Reference();
const R1 = '192.0.2.1';
const R2 = '192.0.2.2';
const peer = (address: string, as: number): PeerSpec => ({
  address,
  as,
  bgpId: address,
  families: ['ipv4_unicast'],
  holdSent: 180,
  holdReceived: 90,
  remotePort: 40000 + as - 65000,
});
const A = peer('10.0.0.1', 65001);
const B = peer('10.0.0.2', 65002);
const C = peer('10.0.0.3', 65003);
/** Holds no routes: its Peer Downs only move every task's watermark. */
const CLOCK = peer('10.0.0.99', 65099);
const E = peer('10.0.1.1', 65011);
const F = peer('10.0.1.2', 65012);
let ingest: RunningIngest;
const running: RunningRouteChanges[] = [];
const children: ChildProcess[] = [];
const sessions: Session[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** µs of `s` seconds into the script. */
const at = (s: number): number => BASE_US + Math.round(s * 1_000_000);

function env(group: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
    BMP_REGISTRY_URL: registrySettings.url,
    BMP_TOPIC_PREFIX: prefix,
    BMP_TOPIC_PARTITIONS: '3',
    BMP_ROUTE_CHANGES_HTTP_HOST: '127.0.0.1',
    BMP_ROUTE_CHANGES_HTTP_PORT: '0',
    BMP_ROUTE_CHANGES_GROUP_ID: `${prefix}${group}`,
    BMP_ROUTE_CHANGES_TRANSACTIONAL_ID_PREFIX: `${prefix}${group}`,
    BMP_ROUTE_CHANGES_OUTPUT_TOPIC: `route_changes_${group}`,
    BMP_ROUTE_CHANGES_FLAPS_TOPIC: `prefix_flaps_${group}`,
    BMP_ROUTE_CHANGES_INPUT_TOPIC: `route_changes_${group}.input`,
    BMP_ROUTE_CHANGES_SNAPSHOT_TOPIC: `route_changes_${group}.snapshots`,
    BMP_ROUTE_CHANGES_WINDOW_MS: '10000',
    BMP_ROUTE_CHANGES_ALLOWED_LATENESS_MS: '2000',
    BMP_ROUTE_CHANGES_IDLE_CLOSE_LAG_MS: '0',
    BMP_ROUTE_CHANGES_TICK_INTERVAL_MS: '500',
    BMP_ROUTE_CHANGES_SESSION_TIMEOUT_MS: '10000',
    BMP_LOG_LEVEL: process.env.BMP_TEST_LOG_LEVEL ?? 'warn',
    ...extra,
  };
}

async function startInProcess(group: string): Promise<RunningRouteChanges> {
  const config = loadConfig(routeChangesSchema as unknown as convict.Schema<RouteChangesConfig>, { env: env(group) }).getProperties();
  const r = await startRouteChanges(config, silent);
  running.push(r);
  return r;
}

/** The deployment as its own process, as deployed (SIGKILL-able). */
function startChild(group: string, extra: Record<string, string>): ServiceProcess {
  const started = spawnService('services/route-changes/main.ts', env(group, extra));
  children.push(started.child);
  return started;
}

/** One router's BMP session, through a PROXY v2 header naming the router; the reference follows. */
class Session {
  private readonly closed: Promise<void>;

  private constructor(
    readonly router: string,
    private readonly socket: Socket,
  ) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async open(router: string, port: number): Promise<Session> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: ingest.bmpPort }, () => resolve(s));
      s.on('error', reject);
    });
    socket.resume();
    socket.write(encodeProxyHeaderV2({ address: router, port }, { address: '127.0.0.1', port: ingest.bmpPort }));
    const session = new Session(router, socket);
    sessions.push(session);
    return session;
  }

  up(peers: PeerSpec[]): void {
    for (const p of peers) this.socket.write(message(this.router, { op: 'up', peer: p }));
  }

  /**
   * Sends actions, then waits a little: the collector stamps records when it reads them, and
   * the next batch may come on another session.
   */
  async send(actions: Array<Exclude<Action, { op: 'disconnect' }>>): Promise<void> {
    for (const a of actions) {
      this.socket.write(actionMessage(a));
      reference.apply(this.router, a);
    }
    await sleep(300);
  }

  async close(): Promise<void> {
    this.socket.end();
    await this.closed;
    reference.apply(this.router, { op: 'disconnect', router: this.router });
    sessions.splice(sessions.indexOf(this), 1);
    await sleep(300);
  }
}

const base: Attrs = { origin: 'igp', asPath: [65001, 64600], nextHop: '10.0.0.1', med: 10, localPref: 100, communities: [65000 * 65536 + 1] };
const announce = (p: PeerSpec, prefix: string, s: number, attrs: Partial<Attrs> = {}, view: 'pre' | 'post' = 'pre'): Exclude<Action, { op: 'disconnect' }> => ({
  op: 'announce',
  peer: p,
  view,
  prefix,
  attrs: { ...base, asPath: [p.as, 64600], nextHop: p.address, ...attrs },
  at: at(s),
});
const withdraw = (p: PeerSpec, prefix: string, s: number, view: 'pre' | 'post' = 'pre'): Exclude<Action, { op: 'disconnect' }> => ({ op: 'withdraw', peer: p, view, prefix, at: at(s) });
/** Moves every task's watermark to `s` (Peer Down of the peer without routes). */
const clock = (s: number): Exclude<Action, { op: 'disconnect' }> => ({ op: 'down', peer: CLOCK, at: at(s) });

type Output = Map<string, number>;

/** Every committed record of a deployment's output topics, as a multiset of "topic|key|record JSON". */
async function readOutputs(group: string): Promise<Output> {
  const out: Output = new Map();
  for (const [topic, logical] of [
    [`route_changes_${group}`, 'route_changes'],
    [`prefix_flaps_${group}`, 'prefix_flaps'],
  ] as const) {
    await readToEnd({
      kafka,
      topic: `${prefix}${topic}`,
      partitions: [0, 1, 2],
      groupPrefix: `${prefix}check`,
      onRecord: async (_p, m) => {
        const r = await decoder.decode(logical, m.value);
        const line = `${logical}|${m.key?.toString()}|${JSON.stringify(sortKeys(r))}`;
        out.set(line, (out.get(line) ?? 0) + 1);
      },
    }).catch((err: Error) => {
      if (!/does not host this topic-partition|UNKNOWN_TOPIC|not exist|not the leader/i.test(err.message)) throw err;
    });
  }
  return out;
}

/** Sum over partitions of the offsets a deployment's second stage committed on its input topic. */
async function committedInput(group: string, admin = kafka.admin()): Promise<number> {
  const [answer] = await admin.fetchOffsets({ groupId: `${prefix}${group}`, topics: [`${prefix}route_changes_${group}.input`] });
  return answer.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Sum over partitions of the end offsets of a deployment's input topic. */
async function inputEndOffsets(group: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(`${prefix}route_changes_${group}.input`)).reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

function expectedOutputs(): Output {
  const out: Output = new Map();
  const add = (topic: string, list: ExpectedWindow[]) => {
    for (const e of list) {
      const line = `${topic}|${e.key}|${JSON.stringify(sortKeys(e.record))}`;
      out.set(line, (out.get(line) ?? 0) + 1);
    }
  };
  add('route_changes', reference.routeChanges);
  add('prefix_flaps', reference.flaps);
  return out;
}

/** Differences between two multisets of records, as readable lines (empty: equal). */
function differences(actual: Output, expected: Output): string[] {
  const out: string[] = [];
  for (const [line, n] of expected) if ((actual.get(line) ?? 0) !== n) out.push(`expected ${n}, got ${actual.get(line) ?? 0}: ${line}`);
  for (const [line, n] of actual) if (!expected.has(line)) out.push(`unexpected (${n}): ${line}`);
  return out;
}

/** A value with its object keys sorted (Avro decoding gives the schema's field order). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

async function eventually<T>(what: string, read: () => Promise<T>, problems: (value: T) => string[], timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    const p = problems(value);
    if (p.length === 0) return value;
    if (Date.now() > deadline) assert.fail(`${what} not reached within ${timeoutMs} ms:\n  ${p.slice(0, 15).join('\n  ')}${p.length > 15 ? `\n  (${p.length - 15} more)` : ''}`);
    await sleep(1000);
  }
}

const equalTo = (expected: () => Output) => (actual: Output) => differences(actual, expected());
const count = (o: Output): number => [...o.values()].reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------

before(async () => {
  ingest = await startIngest(ingestTestConfig(prefix, { BMP_INGEST_PROXY_PROTOCOL: 'required', BMP_PRODUCER_LINGER_MS: '5' }), silent);
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stopAll(running);
  for (const s of [...sessions]) await s.close().catch(() => undefined);
  await ingest?.stop();
});

let deploymentA: RunningRouteChanges;
let r1: Session;

/** Windows 0 and 1: tables load, every kind of path change, duplicates, withdrawals, flaps. */
async function phase1(): Promise<void> {
  r1 = await Session.open(R1, 41001);
  const r2 = await Session.open(R2, 41002);
  r1.up([A, B, C]);
  r2.up([E, F]);
  await sleep(300);
  // Window 0 [0 s, 10 s).
  await r1.send([
    ...['10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24', '10.1.4.0/24', '10.1.5.0/24', '10.1.6.0/24', '10.1.7.0/24'].map((p, i) => announce(A, p, 1 + i * 0.1)),
    announce(A, '10.1.1.0/24', 2), // duplicate
    ...['10.2.1.0/24', '10.2.2.0/24', '10.2.3.0/24'].map((p, i) => announce(B, p, 2.5 + i * 0.1)),
    announce(B, '10.2.1.0/24', 2.9, {}, 'post'),
    announce(B, '10.2.2.0/24', 2.95, {}, 'post'),
    withdraw(B, '10.2.9.0/24', 3), // unknown
    announce(C, '10.3.1.0/24', 3.5),
    announce(C, '10.3.2.0/24', 3.6),
  ]);
  await r2.send(['10.4.1.0/24', '10.4.2.0/24', '10.4.3.0/24', '10.4.4.0/24'].map((p, i) => announce(E, p, 4 + i * 0.1)).concat([announce(F, '10.4.1.0/24', 5), announce(F, '10.4.2.0/24', 5.1)]));
  await r1.send([clock(12)]);
  // Window 1 [10 s, 20 s): each attribute kind changes once, one change of two kinds, duplicates,
  // withdrawals, and C's 10.3.1.0/24 flaps four times (10.3.2.0/24 twice: under the threshold).
  await r1.send([
    announce(A, '10.1.1.0/24', 13, { asPath: [65001, 64700, 64600] }),
    announce(A, '10.1.2.0/24', 13.1, { nextHop: '10.0.0.11' }),
    announce(A, '10.1.3.0/24', 13.2, { communities: [65000 * 65536 + 1, 65000 * 65536 + 2] }),
    announce(A, '10.1.4.0/24', 13.3, { med: 20 }),
    announce(A, '10.1.5.0/24', 13.4, { localPref: 200 }),
    announce(A, '10.1.6.0/24', 13.5, { origin: 'incomplete' }),
    announce(A, '10.1.7.0/24', 13.6, { asPath: [65001, 64999], med: 30 }),
    announce(A, '10.1.7.0/24', 13.7, { asPath: [65001, 64999], med: 30 }), // duplicate of the new path
    withdraw(A, '10.1.5.0/24', 14),
    withdraw(B, '10.2.3.0/24', 14.1),
    ...[0, 1, 2, 3].flatMap((i) => [withdraw(C, '10.3.1.0/24', 15 + i), announce(C, '10.3.1.0/24', 15.5 + i)]),
    ...[0, 1].flatMap((i) => [withdraw(C, '10.3.2.0/24', 15.2 + i), announce(C, '10.3.2.0/24', 15.7 + i)]),
  ]);
  const r2s = sessions.find((s) => s.router === R2) as Session;
  await r2s.send([withdraw(E, '10.4.1.0/24', 16), announce(E, '10.4.1.0/24', 16.5, { med: 99 })]);
  await r1.send([clock(22)]);
}

/** Windows 2 and 3: a Peer Down (both views of B), a router disconnect, recovery, and the end. */
async function phase2(): Promise<void> {
  await r1.send([
    { op: 'down', peer: B, at: at(23) },
    announce(A, '10.1.8.0/24', 24),
    announce(A, '10.1.1.0/24', 24.5), // back to the first path
    ...[0, 1, 2].flatMap((i) => [withdraw(C, '10.3.2.0/24', 25 + i), announce(C, '10.3.2.0/24', 25.5 + i)]),
    clock(28),
  ]);
  // Every task's watermark is at 28 s: the disconnect's implicit withdrawals go to window 2.
  await (sessions.find((s) => s.router === R2) as Session).close();
  await r1.send([clock(32)]);
  // Window 3 [30 s, 40 s): B back with one route, A withdraws one.
  r1.up([B]);
  await r1.send([announce(B, '10.2.1.0/24', 33), withdraw(A, '10.1.1.0/24', 34), clock(1000)]);
  reference.closeAll();
}

test('scripted feed: route_changes and prefix_flaps equal what the script computes', async (t) => {
  deploymentA = await startInProcess('a');
  const started = Date.now();
  await phase1();
  assert.ok(reference.routeChanges.length > 0, 'windows 0 and 1 closed');
  assert.equal(reference.flaps.length, 1, 'one flapping prefix so far (C 10.3.1.0/24)');
  const got = await eventually('phase 1 outputs of deployment a', () => readOutputs('a'), equalTo(expectedOutputs));
  t.diagnostic(`${count(got)} records (${reference.routeChanges.length} window aggregates, ${reference.flaps.length} flap records) equal to the reference, ${Date.now() - started} ms after the first message`);

  const metrics = await (await fetch(`http://127.0.0.1:${deploymentA.httpPort}/metrics`)).text();
  assert.match(metrics, /bmp_stream_transactions_total\{stream="aggregate",result="committed"\} [1-9]/);
  assert.match(metrics, /bmp_route_changes_reorder_late 0\n/);
  assert.match(metrics, /bmp_route_changes_routes [1-9]/);
  assert.equal((await fetch(`http://127.0.0.1:${deploymentA.httpPort}/readyz`)).status, 200);
});

test('killed with SIGKILL mid-stream and restarted: exactly the records of the uninterrupted deployment', async (t) => {
  // Small transactions and frequent snapshots, so the kill lands between many of both and the
  // restart restores from a snapshot and replays.
  const tuning = { BMP_ROUTE_CHANGES_MAX_RECORDS_PER_TRANSACTION: '3', BMP_ROUTE_CHANGES_SNAPSHOT_EVERY_RECORDS: '7', BMP_ROUTE_CHANGES_SNAPSHOT_CHUNK_BYTES: '2000' };
  const started = Date.now();
  const first = startChild('b', tuning);
  const partial = await eventually('first records of deployment b', () => readOutputs('b'), (o) => (count(o) > 0 ? [] : ['no record yet']), 90_000);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const atKill = await readOutputs('b');
  t.diagnostic(`killed with ${count(partial)} records seen, ${count(atKill)} published`);

  // Phase 2 while b is down; a follows it live.
  await phase2();
  assert.equal(reference.late, 0, 'the script has no late event');
  assert.equal(reference.flaps.length, 2, 'two flapping prefixes (C 10.3.1.0/24 in window 1, 10.3.2.0/24 in window 2)');
  const expected = await eventually('final outputs of deployment a', () => readOutputs('a'), equalTo(expectedOutputs));
  t.diagnostic(`a: ${count(expected)} records (${reference.routeChanges.length} window aggregates, ${reference.flaps.length} flap records) equal to the reference`);

  // Restarted, and killed again as soon as its second stage has committed a transaction on the
  // phase-2 backlog: in the middle of it (one record per transaction this time).
  const admin = kafka.admin();
  await admin.connect();
  const committedBefore = await committedInput('b', admin);
  const second = startChild('b', { ...tuning, BMP_ROUTE_CHANGES_MAX_RECORDS_PER_TRANSACTION: '1' });
  let committedAtKill = committedBefore;
  const deadline = Date.now() + 90_000;
  while ((committedAtKill = await committedInput('b', admin)) <= committedBefore) {
    assert.ok(Date.now() < deadline, `b did not commit anything after its restart: ${second.stderr()}`);
    await sleep(5);
  }
  second.child.kill('SIGKILL');
  await admin.disconnect();
  await new Promise((r) => second.child.once('exit', r));
  const inputEnd = await inputEndOffsets('b');
  t.diagnostic(`killed again with ${committedAtKill} of ${inputEnd} input records committed (${committedBefore} at the first kill), ${count(await readOutputs('b'))} records published`);
  assert.ok(committedAtKill < inputEnd, 'the second kill landed before the end of the input');
  const third = startChild('b', tuning);
  const got = await eventually('deployment b, restarted, equal to a', () => readOutputs('b'), equalTo(() => expected));
  assert.equal(third.child.exitCode, null, `b still runs: ${third.stderr()}`);
  assert.equal(count(got), count(expected));
  const snapshots = await readToEnd({ kafka, topic: `${prefix}route_changes_b.snapshots`, partitions: [0, 1, 2], groupPrefix: `${prefix}check`, onRecord: () => undefined });
  assert.ok(snapshots > 0, 'b wrote snapshots');
  t.diagnostic(`b: ${count(got)} records, equal to a's; ${snapshots} snapshot records; ${Date.now() - started} ms`);
  // Stopped here rather than at the end of the file, so that it does not compete with the next test.
  if (third.child.exitCode === null && third.child.signalCode === null) {
    const exited = new Promise((r) => third.child.once('exit', r));
    third.child.kill('SIGTERM');
    if ((await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)])) === false) {
      third.child.kill('SIGKILL');
      await exited;
    }
  }
});

test('two instances in one group publish the same records as one', async (t) => {
  const expected = await readOutputs('a');
  assert.equal(count(expected), reference.routeChanges.length + reference.flaps.length, 'a published the whole script');
  const started = Date.now();
  const c1 = await startInProcess('c');
  const c2 = await startInProcess('c');
  const got = await eventually('deployment c (two instances) equal to a', () => readOutputs('c'), equalTo(() => expected));
  const t1 = c1.tasks().aggregate;
  const t2 = c2.tasks().aggregate;
  assert.deepEqual([...t1, ...t2].sort(), [0, 1, 2], 'the three tasks are split between the instances');
  assert.ok(t1.length > 0 && t2.length > 0, `both instances work: ${JSON.stringify([t1, t2])}`);
  t.diagnostic(`c: ${count(got)} records, equal to a's, ${Date.now() - started} ms`);
});
