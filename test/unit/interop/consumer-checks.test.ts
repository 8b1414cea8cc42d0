/**
 * The interop scenarios' consumer checks (test/interop/lib/route-changes.ts and
 * peer-state-checks.ts) on small scripted sessions: they compute what the script implies, and
 * they fail when the state or the counts disagree with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InitiationEvent } from '../../../services/events/model.js';
import type { RouterRecord } from '../../../services/kafka/avro/index.js';
import { PeerStateStore, type StateInput } from '../../../services/peer-state/state.js';
import { StateView } from '../../../services/peer-state/view.js';
import { peers, routers } from '../../../services/peer-state/queries.js';
import type { Consumed } from '../../interop/lib/collector.js';
import { assertScenarioTotals, replayTotals, routeChangeRecords, totalsByPeerView, type Totals } from '../../interop/lib/route-changes.js';
import { checkPeerState, type PeerStateExpectation } from '../../interop/lib/peer-state-checks.js';
import { announce, peerDown, routerRecord, withdraw, PEER } from '../route-changes/fixtures.js';
import * as ps from '../peer-state/events.js';

function consumed(parts: Partial<Consumed>): Consumed {
  const empty = { initiation: [], termination: [], peer_up: [], peer_down: [], route_monitoring: [], stats: [], route_mirroring: [], roft: [], errors: [], router: [] };
  return { ...empty, ...parts } as unknown as Consumed;
}

/** One peer's pre-policy view: new, path change (MED), duplicate, withdrawals, a Peer Down, the session's end. */
function routeSession(): Consumed {
  const t = (sequence: number) => ({ sequence, bmp_timestamp: 1_000_000 + sequence });
  return consumed({
    route_monitoring: [
      announce('10.0.0.0/24', t(1)),
      announce('10.0.1.0/24', t(2)),
      announce('10.0.0.0/24', { ...t(3), med: 5 }),
      announce('10.0.1.0/24', t(4)),
      withdraw('10.0.2.0/24', t(5)),
      withdraw('10.0.0.0/24', t(6)),
      announce('10.0.0.0/24', t(8)),
    ],
    peer_down: [peerDown(t(7))],
    router: [routerRecord('connected') as never, routerRecord('disconnected') as never],
  });
}

const WANT: Partial<Totals> = {
  announcements: 5,
  new_routes: 3,
  path_changes: 1,
  med_changes: 1,
  as_path_changes: 0,
  duplicates: 1,
  withdrawals: 1,
  unknown_withdrawals: 1,
  // 10.0.1.0/24 at the Peer Down, 10.0.0.0/24 (announced again) at the session's end.
  implicit_withdrawals: 2,
  late_events: 0,
};

test('route-change totals: the aggregator and the replay count the scripted session alike', () => {
  const c = routeSession();
  const aggregated = totalsByPeerView(routeChangeRecords(c));
  const replayed = replayTotals(c);
  const key = `${PEER}|adj_rib_in_pre`;
  assertScenarioTotals(aggregated, { [key]: WANT });
  assertScenarioTotals(replayed, { [key]: WANT });
  assert.deepEqual(aggregated.get(key), replayed.get(key));
});

test('route-change totals: a wrong count, a missing view or a topic out of session order fails', () => {
  const c = routeSession();
  const aggregated = totalsByPeerView(routeChangeRecords(c));
  assert.throws(() => assertScenarioTotals(aggregated, { [`${PEER}|adj_rib_in_pre`]: { ...WANT, duplicates: 0 } }), /against the scenario/);
  assert.throws(() => assertScenarioTotals(aggregated, { [`${PEER}|adj_rib_in_pre`]: WANT, [`${PEER}|adj_rib_in_post`]: {} }), /peers and views/);
  assert.throws(() => assertScenarioTotals(aggregated, { [`${PEER}|adj_rib_in_pre`]: {} }, { [`${PEER}|adj_rib_in_pre`]: { unknown_withdrawals: 2 } }), /unknown_withdrawals 1 >= 2/);
  const swapped = consumed({ ...c, route_monitoring: [c.route_monitoring[1], c.route_monitoring[0], ...c.route_monitoring.slice(2)] });
  assert.throws(() => routeChangeRecords(swapped), /out of session order/);
});

const P = '198.51.100.1';
const T = 1_700_000_000_000_000;

/** A session: Initiation, Peer Up, Peer Down, Peer Up, End-of-RIB for both families, stats, session closed. */
function stateSession(): StateInput[] {
  const families = ['ipv4_unicast', 'ipv6_unicast'];
  const initiation: InitiationEvent = { router_address: ps.ROUTER, sequence: 0, sys_name: 'r1', sys_descr: 'router one', strings: [], tlvs: [] };
  return [
    ps.routerRecord('connected', T),
    { topic: 'initiation', at: T + 1, record: initiation },
    ps.routerRecord('initiated', T + 1, { sys_name: 'r1', sys_descr: 'router one' }),
    ps.peerUp(P, 1, T + 2, { families }),
    ps.peerDown(P, 2, T + 3, 1),
    ps.peerUp(P, 3, T + 4, { families }),
    ps.endOfRib(P, 4, T + 5, 'ipv4_unicast'),
    ps.endOfRib(P, 5, T + 6, 'ipv6_unicast'),
    ps.stats(P, 6, T + 7, 42),
    ps.routerRecord('disconnected', T + 8),
  ];
}

function answerOf(inputs: StateInput[]): { routers: ReturnType<typeof routers>; peers: ReturnType<typeof peers> } {
  const store = new PeerStateStore();
  const view = new StateView();
  for (const input of inputs) for (const change of store.apply(input)) view.apply(change);
  return { routers: routers(view), peers: peers(view) };
}

function consumedOf(inputs: StateInput[]): Consumed {
  const by = (topic: StateInput['topic']): unknown[] => inputs.filter((i) => i.topic === topic).map((i) => i.record);
  return consumed({
    initiation: by('initiation') as Consumed['initiation'],
    peer_up: by('peer_up') as Consumed['peer_up'],
    peer_down: by('peer_down') as Consumed['peer_down'],
    stats: by('stats') as Consumed['stats'],
    route_monitoring: by('route_monitoring') as Consumed['route_monitoring'],
    router: (by('router') as RouterRecord[]).map((r) => ({ ...r })),
  });
}

const EXPECT: PeerStateExpectation = {
  sysName: 'r1',
  routerAs: 65000,
  routerId: '192.0.2.1',
  routerAddress: '192.0.2.1',
  neighbours: [{ address: P, asn: 65001, bgpId: '198.51.100.1', flapped: true }],
  ended: 'closed',
  endOfRib: 'as-sent',
};

test('peer-state check: the state the service computes from a session agrees with it', () => {
  const inputs = stateSession();
  const summary = checkPeerState(answerOf(inputs), consumedOf(inputs), EXPECT);
  assert.deepEqual(summary, { peers: 1, views: 1, statsViews: 1, endOfRibMarkers: 2, flaps: `${P} 1 (last reason 1)`, initialDump: `${P} adj_rib_in_pre done (ipv4_unicast,ipv6_unicast)` });
});

test('peer-state check: fails on a state or an expectation that disagrees', () => {
  const inputs = stateSession();
  const answer = answerOf(inputs);
  const c = consumedOf(inputs);
  const broken = (change: (a: ReturnType<typeof answerOf>) => void): ReturnType<typeof answerOf> => {
    const copy = JSON.parse(JSON.stringify(answer)) as ReturnType<typeof answerOf>;
    change(copy);
    return copy;
  };
  assert.throws(() => checkPeerState(broken((a) => (a.peers[0].flap_count = 0)), c, EXPECT), /flap count/);
  assert.throws(() => checkPeerState(broken((a) => (a.peers[0].status = 'down')), c, EXPECT), /status/);
  assert.throws(() => checkPeerState(broken((a) => (a.routers[0].sys_name = 'other')), c, EXPECT), /sysName/);
  assert.throws(() => checkPeerState(broken((a) => (a.peers[0].views[0].stats[0].value = 41)), c, EXPECT), /statistics values/);
  assert.throws(() => checkPeerState(broken((a) => (a.peers[0].views[0].initial_dump = 'in_progress')), c, EXPECT), /initial dump/);
  assert.throws(() => checkPeerState(answer, c, { ...EXPECT, ended: 'termination' }), /Terminations/);
  assert.throws(() => checkPeerState(answer, c, { ...EXPECT, endOfRib: 'never' }), /End-of-RIB/);
  assert.throws(() => checkPeerState(answer, c, { ...EXPECT, neighbours: [{ ...EXPECT.neighbours[0], asn: 65002 }] }), /peer AS/);
});
