/**
 * Horizontal scale on one machine (deploy issue): three ingest processes behind HAProxy (Debian's
 * package; TCP mode, PROXY protocol v2 to the backends, health checks on /readyz), twenty routers
 * replayed through it, one ingest process killed with SIGKILL mid-stream. Its routers reconnect
 * through HAProxy to the others and resend their tables (bmp replay --reconnect, as routers do).
 *
 * Compared with an uninterrupted run of the same routers into a single ingest process:
 * - peer state, as the peer-state service computes it (times and counters aside: the killed
 *   sessions really did end and start again);
 * - every peer's final route set, as a consumer of route_monitoring rebuilds it (announce = add
 *   or replace, withdraw = remove, in partition order);
 * - the router topic names each router by its own address (127.5.0.x), never HAProxy's.
 * Every process started here is stopped by PID.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type convict from 'convict';
import type { Consumer } from 'kafkajs';
import { pino } from 'pino';
import { fullTableDump } from '../../bench/full-table.js';
import { replay } from '../../services/cli/replay.js';
import { createKafka } from '../../services/kafka/client.js';
import { decodeRecord } from '../../services/kafka/avro/wire.js';
import { peerKey } from '../../services/kafka/avro/topics.js';
import { loadConfig } from '../../services/runtime/config.js';
import { peerStateSchema, type PeerStateConfig } from '../../services/peer-state/config.js';
import { startPeerState, type RunningPeerState } from '../../services/peer-state/service.js';
import { freePorts } from '../helpers/ports.js';
import { kafkaSettings, registrySettings, testLogger, uniqueName } from '../helpers/stack.js';

const ROUTERS = 20;
const ROUTER_BASE = '127.5.0.1';
const silent = pino({ level: process.env.BMP_TEST_LOG_LEVEL ?? 'warn' });
const kafka = createKafka(kafkaSettings, testLogger);
const dir = mkdtempSync(join(tmpdir(), 'bmp-scale-'));
const children: ChildProcess[] = [];
const peerStates: RunningPeerState[] = [];

after(async () => {
  for (const p of peerStates) await p.stop().catch(() => undefined);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface IngestChild {
  child: ChildProcess;
  bmpPort: number;
  httpPort: number;
  stderr: () => string;
}

async function startIngestChild(prefix: string, extra: Record<string, string>): Promise<IngestChild> {
  const [bmpPort, httpPort] = await freePorts(2);
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/ingest/main.ts'], {
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
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 90_000;
  while (!(await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false))) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `ingest not ready: ${err}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, bmpPort, httpPort, stderr: () => err };
}

async function stopChild(c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  await exited;
}

async function startPeerStateFor(prefix: string): Promise<RunningPeerState> {
  const config = loadConfig(peerStateSchema as unknown as convict.Schema<PeerStateConfig>, {
    env: {
      BMP_KAFKA_BROKERS: kafkaSettings.brokers.join(','),
      BMP_REGISTRY_URL: registrySettings.url,
      BMP_TOPIC_PREFIX: prefix,
      BMP_TOPIC_PARTITIONS: '3',
      BMP_PEER_STATE_HTTP_HOST: '127.0.0.1',
      BMP_PEER_STATE_HTTP_PORT: '0',
      BMP_PEER_STATE_GROUP_ID: `${prefix}peer-state`,
      BMP_PEER_STATE_TRANSACTIONAL_ID_PREFIX: `${prefix}peer-state`,
      BMP_PEER_STATE_SESSION_TIMEOUT_MS: '10000',
      BMP_LOG_LEVEL: process.env.BMP_TEST_LOG_LEVEL ?? 'warn',
    },
  }).getProperties();
  const p = await startPeerState(config, silent);
  peerStates.push(p);
  return p;
}

/** Peer state without what legitimately differs between the runs: times, counters, event order. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (/since|_at$|^at$|first_seen|timestamp|count|order|^last_|updated|router_port|disconnect_reason|collector_id/.test(k)) continue;
    out[k] = stable(v);
  }
  return out;
}

function stateOf(p: RunningPeerState): { routers: Record<string, unknown>; peers: Record<string, unknown> } {
  const routers: Record<string, unknown> = {};
  const peers: Record<string, unknown> = {};
  for (const [k, r] of p.view.routers) routers[k] = stable(r.router);
  for (const [k, r] of p.view.peers) peers[k] = stable(r.peer);
  return { routers, peers };
}

/** Waits until the view has every router and peer and has not changed for `quietMs`. */
async function settled(p: RunningPeerState, peers: number, quietMs = 4000, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let version = -1;
  let since = Date.now();
  for (;;) {
    if (p.view.version !== version) {
      version = p.view.version;
      since = Date.now();
    }
    const upRouters = [...p.view.routers.values()].filter((r) => r.router?.connected === false || r.router?.connected === true).length;
    if (upRouters >= ROUTERS && p.view.peers.size >= peers && Date.now() - since >= quietMs) return;
    assert.ok(Date.now() < deadline, `peer state did not settle: ${p.view.routers.size} routers, ${p.view.peers.size} peers`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Routes {
  /** peer key -> prefix|path id -> attributes summary */
  tables: Map<string, Map<string, string>>;
  routerAddresses: Set<string>;
  routeEvents: number;
}

/** Rebuilds every peer's route set from route_monitoring, and collects the router topic's addresses. */
async function routesOf(prefix: string, quietMs = 4000): Promise<Routes> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('scale-routes') });
  const result: Routes = { tables: new Map(), routerAddresses: new Set(), routeEvents: 0 };
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [`${prefix}route_monitoring`, `${prefix}router`], fromBeginning: true });
    let last = Date.now();
    void consumer.run({
      eachMessage: async ({ topic, message }) => {
        last = Date.now();
        if (topic.endsWith('router')) {
          result.routerAddresses.add(decodeRecord('router', message.value as Buffer).value.router_address);
          return;
        }
        const e = decodeRecord('route_monitoring', message.value as Buffer).value;
        result.routeEvents++;
        if (e.action === 'end_of_rib') return;
        const key = peerKey(e);
        let table = result.tables.get(key);
        if (!table) result.tables.set(key, (table = new Map()));
        const route = `${e.family}|${e.rd ?? ''}|${e.prefix ?? e.raw_nlri?.toString('hex')}|${e.path_id ?? ''}`;
        if (e.action === 'withdraw') table.delete(route);
        else table.set(route, JSON.stringify([e.as_path, e.next_hop, e.med, e.local_pref, e.communities, e.large_communities, e.origin]));
      },
    });
    while (Date.now() - last < quietMs || result.routeEvents === 0) await new Promise((r) => setTimeout(r, 250));
  } finally {
    await consumer.disconnect();
  }
  return result;
}

function haproxyConfig(port: number, backends: IngestChild[]): string {
  return `global
  log stderr format raw local0 warning
defaults
  mode tcp
  timeout connect 2s
  timeout client 120s
  timeout server 120s
frontend bmp
  bind 127.0.0.1:${port}
  default_backend ingest
backend ingest
  balance roundrobin
  option httpchk GET /readyz
${backends.map((b, i) => `  server ingest${i + 1} 127.0.0.1:${b.bmpPort} send-proxy-v2 check port ${b.httpPort} inter 500 fall 1 rise 2`).join('\n')}
`;
}

test('3 ingest processes behind HAProxy, one killed mid-stream: same peer state and route sets as one uninterrupted process; router addresses survive', { timeout: 600_000 }, async () => {
  assert.equal(spawnSync('haproxy', ['-v']).status, 0, "haproxy not found: install Debian's haproxy package (.ci/run does)");
  const tableFile = join(dir, 'table.bmp');
  writeFileSync(tableFile, Buffer.concat([...fullTableDump({ prefixesV4: 1500, prefixesV6: 500, peers: 2, seed: 7 })]));
  const peersPerRouter = 2;

  // 1. The reference: one ingest process, no load balancer, no failure.
  const single = `${uniqueName('scale-single')}.`;
  const alone = await startIngestChild(single, {});
  const reference = await replay({ input: tableFile, host: '127.0.0.1', port: alone.bmpPort, routers: ROUTERS, sourceAddress: ROUTER_BASE, rate: 80, progress: null });
  assert.equal(reference.failed_sessions, 0);
  await stopChild(alone.child);
  const referenceState = await startPeerStateFor(single);

  // 2. Three ingest processes behind HAProxy; the first is killed a few seconds in.
  const scaled = `${uniqueName('scale-haproxy')}.`;
  const backends: IngestChild[] = [];
  for (let i = 0; i < 3; i++) {
    backends.push(await startIngestChild(scaled, { BMP_INGEST_PROXY_PROTOCOL: 'required', BMP_INGEST_TRUSTED_PROXIES: '127.0.0.1/32' }));
  }
  const [lbPort] = await freePorts(1);
  writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(lbPort, backends));
  const lb = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(lb);
  let lbErr = '';
  lb.stderr!.on('data', (d: Buffer) => (lbErr += d.toString()));
  await new Promise((r) => setTimeout(r, 1500)); // first health checks
  assert.equal(lb.exitCode, null, `haproxy exited: ${lbErr}`);

  const replaying = replay({
    input: tableFile,
    host: '127.0.0.1',
    port: lbPort,
    routers: ROUTERS,
    sourceAddress: ROUTER_BASE,
    rate: 80,
    reconnect: true,
    reconnectDelayMs: 300,
    progress: null,
  });
  // ~800 messages per router at 80/s: a ~10 s stream, cut 3 s in.
  await new Promise((r) => setTimeout(r, 3000));
  const killedAt = Date.now();
  await stopChild(backends[0].child, 'SIGKILL');
  const summary = await replaying;
  const recoveredAfter = Date.now() - killedAt;
  assert.equal(summary.failed_sessions, 0, 'every router got its table through in the end');
  assert.ok(summary.reconnects > 0, 'the killed process had routers, which reconnected');
  for (const b of backends.slice(1)) await stopChild(b.child);
  await stopChild(lb);
  const scaledState = await startPeerStateFor(scaled);

  // 3. Compare what the consumers see.
  await settled(referenceState, ROUTERS * peersPerRouter);
  await settled(scaledState, ROUTERS * peersPerRouter);
  const a = stateOf(referenceState);
  const b = stateOf(scaledState);
  assert.equal(Object.keys(a.routers).length, ROUTERS);
  assert.equal(Object.keys(a.peers).length, ROUTERS * peersPerRouter);
  assert.deepStrictEqual(b, a, 'peer state of the scaled run equals the uninterrupted one');

  const routesA = await routesOf(single);
  const routesB = await routesOf(scaled);
  assert.equal(routesA.tables.size, ROUTERS * peersPerRouter);
  let routes = 0;
  for (const [key, table] of routesA.tables) {
    routes += table.size;
    assert.deepStrictEqual(routesB.tables.get(key), table, `route set of ${key}`);
  }
  assert.equal(routesB.tables.size, routesA.tables.size);
  const expectedAddresses = Array.from({ length: ROUTERS }, (_, i) => `127.5.0.${i + 1}`).sort();
  assert.deepStrictEqual([...routesB.routerAddresses].sort(), expectedAddresses, 'router topic: the routers\' own addresses');
  console.log(
    `# scale: ${ROUTERS} routers through HAProxy to 3 ingest processes, one SIGKILLed 3 s in; ${summary.reconnects} reconnects, ` +
      `all tables through ${(recoveredAfter / 1000).toFixed(1)} s after the kill; ${routes} routes in ${routesA.tables.size} peers equal to the single-process run ` +
      `(route events ${routesA.routeEvents} vs ${routesB.routeEvents} with the resent tables); peer state equal`,
  );
});
