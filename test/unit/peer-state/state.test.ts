/**
 * The pure peer-state logic: events in, state changes out, independent of arrival order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PeerStateStore, compareOrder, isStateInput, type StateInput } from '../../../services/peer-state/state.js';
import type { PeerStateChangeRecord, PeerStateRecord, RouterStateRecord } from '../../../services/kafka/avro/index.js';
import { ROUTER, endOfRib, peerDown, peerUp, routerRecord, stats } from './events.js';

const A = '198.51.100.1';
const B = '198.51.100.2';
const T = 1_700_000_000_000_000;
const keyA = `${ROUTER}|0|0:0|${A}`;
const keyB = `${ROUTER}|0|0:0|${B}`;

function peerOf(store: PeerStateStore, key: string): PeerStateRecord {
  const r = store.peerRecords().find((p) => `${p.router_address}|${p.peer?.peer_type_code}|${p.peer?.peer_distinguisher}|${p.peer?.peer_address}` === key);
  assert.ok(r?.peer, `no peer ${key}`);
  return r.peer;
}

function routerOf(store: PeerStateStore): RouterStateRecord {
  const r = store.routerRecords().find((x) => x.router_address === ROUTER);
  assert.ok(r?.router);
  return r.router;
}

function run(events: StateInput[], store = new PeerStateStore()): { store: PeerStateStore; changes: PeerStateChangeRecord[] } {
  const changes: PeerStateChangeRecord[] = [];
  for (const e of events) changes.push(...store.apply(e));
  return { store, changes };
}

/** A session: connect, peer A up, EoR, stats, A flaps twice, B flaps within one millisecond, then the router disconnects. */
function script(): StateInput[] {
  let s = 0;
  const at = (ms: number): number => T + ms * 1000;
  return [
    routerRecord('connected', at(0)),
    { topic: 'initiation', at: at(1), record: { router_address: ROUTER, sequence: s++, sys_name: 'r1', sys_descr: 'OS 1', strings: [], tlvs: [] } },
    routerRecord('initiated', at(1), { sys_name: 'r1', sys_descr: 'OS 1' }),
    peerUp(A, s++, at(2)),
    endOfRib(A, s++, at(3)),
    stats(A, s++, at(4), 10),
    peerDown(A, s++, at(5)),
    peerUp(A, s++, at(6)),
    stats(A, s++, at(7), 12),
    peerDown(A, s++, at(8), 2),
    peerUp(A, s++, at(8), { holdSent: 30, holdReceived: 60 }),
    peerUp(B, s++, at(7)),
    peerDown(B, s++, at(7), 2),
    peerUp(B, s++, at(8)),
    endOfRib(B, s++, at(8), 'ipv4_unicast', true),
    routerRecord('disconnected', at(9)),
  ];
}

/** The final state of every entity, by key, as plain JSON. */
function finalState(store: PeerStateStore): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of store.routerRecords()) out[r.router_address] = r.router;
  for (const r of store.peerRecords()) out[`${r.router_address}|${r.peer?.peer_address}`] = r.peer;
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

test('a Peer Up makes the peer up with its session, the view dump in progress; End-of-RIB finishes it', () => {
  const { store, changes } = run([routerRecord('connected', T), peerUp(A, 0, T + 1000)]);
  assert.deepEqual(
    changes.map((c) => c.entity),
    ['router', 'router', 'peer'],
  );
  const a = peerOf(store, keyA);
  assert.equal(a.status, 'up');
  assert.equal(a.since, T + 1000);
  assert.equal(a.stale, false);
  assert.equal(a.flap_count, 0);
  assert.deepEqual(a.session, {
    local_address: '192.0.2.1',
    local_port: 179,
    remote_port: 50000,
    local_asn: 65000,
    remote_asn: 65001,
    local_bgp_id: '192.0.2.1',
    remote_bgp_id: '198.51.100.1',
    hold_time: 90,
    four_octet_as: true,
    families: ['ipv4_unicast'],
    add_path_families: [],
    capabilities: ['four_octet_as', 'multiprotocol'],
  });
  assert.deepEqual(
    a.views.map((v) => [v.view, v.initial_dump]),
    [['adj_rib_in_pre', 'in_progress']],
  );
  run([endOfRib(A, 1, T + 2000)], store);
  assert.equal(peerOf(store, keyA).views[0].initial_dump, 'done');
  assert.deepEqual(
    peerOf(store, keyA).views[0].end_of_rib.map((e) => [e.family, e.at]),
    [['ipv4_unicast', T + 2000]],
  );
});

test('the dump is done only when every negotiated family has its End-of-RIB', () => {
  const { store } = run([peerUp(A, 0, T, { families: ['ipv4_unicast', 'ipv6_unicast'] }), endOfRib(A, 1, T + 1)]);
  assert.equal(peerOf(store, keyA).views[0].initial_dump, 'in_progress');
  run([endOfRib(A, 2, T + 2, 'ipv6_unicast')], store);
  assert.equal(peerOf(store, keyA).views[0].initial_dump, 'done');
});

test('the scripted session: flap counted, last down decoded, stats latest, router disconnect marks peers stale', () => {
  const { store } = run(script());
  const router = routerOf(store);
  assert.equal(router.connected, false);
  assert.equal(router.session_count, 1);
  assert.equal(router.sys_name, 'r1');
  assert.equal(router.sys_descr, 'OS 1');
  assert.equal(router.since, T + 9000 + 1, 'since is the router record timestamp');
  assert.equal(router.disconnect_reason, 'router closed the session');
  assert.equal(router.last_message_at, T + 9000);
  const a = peerOf(store, keyA);
  assert.equal(a.status, 'up');
  assert.equal(a.since, T + 8000);
  assert.equal(a.flap_count, 2);
  assert.deepEqual(a.last_down, {
    at: T + 8000,
    reason_code: 2,
    reason: 'local_no_notification',
    notification_code: null,
    notification_subcode: null,
    notification: null,
    fsm_event_code: 18,
  });
  assert.equal(a.session?.hold_time, 30);
  assert.equal(a.stale, true);
  assert.equal(a.stale_since, T + 9000);
  // The End-of-RIB came before the flap: the new session's dump has not finished.
  assert.equal(a.views[0].initial_dump, 'in_progress');
  assert.deepEqual(
    a.views[0].stats.map((s) => [s.name, s.value]),
    [
      ['routes_in_adj_rib_in', 12],
      ['routes_in_per_afi_safi_adj_rib_in', 12],
    ],
  );
  const b = peerOf(store, keyB);
  assert.deepEqual(
    b.views.map((v) => [v.view, v.initial_dump]),
    [
      ['adj_rib_in_post', 'done'],
      ['adj_rib_in_pre', 'in_progress'],
    ],
  );
  assert.equal(b.stale, true);
  assert.equal(b.status, 'up');
  assert.equal(b.flap_count, 1);
  assert.equal(b.last_down?.reason, 'local_no_notification');
  assert.equal(b.last_down?.fsm_event_code, 18);
});

test('a new Peer Up after the reconnection clears staleness; the session count grows', () => {
  const { store } = run([...script(), routerRecord('connected', T + 20_000_000), peerUp(A, 3, T + 21_000_000)]);
  assert.equal(routerOf(store).session_count, 2);
  assert.equal(routerOf(store).connected, true);
  const a = peerOf(store, keyA);
  assert.equal(a.stale, false);
  assert.equal(a.stale_since, null);
  assert.equal(a.since, T + 21_000_000);
  assert.equal(peerOf(store, keyB).stale, true, 'B has not come back');
});

test('an event that changes nothing publishes nothing', () => {
  const { store } = run(script());
  assert.deepEqual(store.apply(stats(A, 6, T + 7000, 12)).filter((c) => c.entity === 'peer'), [], 'an older-or-equal stats report');
});

test('the same events in any arrival order give the same final state', () => {
  const events = script();
  const expected = finalState(run(events).store);
  fc.assert(
    fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (shuffled) => {
      assert.deepEqual(finalState(run(shuffled).store), expected);
    }),
    { numRuns: 300 },
  );
});

test('restoring from the published changes, then applying the rest, equals an uninterrupted run', () => {
  const events = script();
  const expected = finalState(run(events).store);
  for (let cut = 0; cut <= events.length; cut++) {
    const first = run(events.slice(0, cut));
    const restored = new PeerStateStore();
    for (const change of first.changes) restored.load(change);
    run(events.slice(cut), restored);
    assert.deepEqual(finalState(restored), expected, `cut after ${cut} events`);
  }
});

test('the latest record per key of the published changes is the state', () => {
  const { store, changes } = run(script());
  const latest = new Map<string, PeerStateChangeRecord>();
  for (const c of changes) latest.set(c.entity === 'router' ? c.router_address : `${c.router_address}|${c.peer?.peer_address}`, c);
  const fromTopic: Record<string, unknown> = {};
  for (const [k, c] of latest) fromTopic[k] = c.entity === 'router' ? c.router : c.peer;
  assert.deepEqual(JSON.parse(JSON.stringify(fromTopic)), finalState(store));
});

test('only End-of-RIB markers of route_monitoring are inputs', () => {
  assert.equal(isStateInput('route_monitoring', { action: 'announce' }), false);
  assert.equal(isStateInput('route_monitoring', { action: 'end_of_rib' }), true);
  assert.equal(isStateInput('peer_up', {}), true);
  assert.equal(isStateInput('route_mirroring', {}), false);
});

test('event order: timestamp, then rank, then sequence', () => {
  assert.ok(compareOrder({ timestamp: 1, rank: 2, sequence: 9 }, { timestamp: 2, rank: 0, sequence: 0 }) < 0);
  assert.ok(compareOrder({ timestamp: 1, rank: 2, sequence: 0 }, { timestamp: 1, rank: 1, sequence: 9 }) > 0);
  assert.ok(compareOrder({ timestamp: 1, rank: 1, sequence: 3 }, { timestamp: 1, rank: 1, sequence: 4 }) < 0);
  assert.ok(compareOrder(null, { timestamp: 0, rank: 0, sequence: 0 }) < 0);
});

test('a failure before the commit leaves the store as it was', () => {
  const { store } = run(script());
  const before = finalState(store);
  assert.throws(() =>
    store.apply(peerDown(A, 99, T + 60_000_000), () => {
      throw new Error('encoding failed');
    }),
  );
  assert.deepEqual(finalState(store), before);
  const changes = store.apply(peerDown(A, 99, T + 60_000_000), (c) => c.length);
  assert.equal(changes, 2, 'the same event applies afterwards: the router (last message) and the peer');
  assert.equal(peerOf(store, keyA).status, 'down');
});
