/**
 * The HTTP API's answers, computed from a view fed with the store's published changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerStateStore } from '../../../services/peer-state/state.js';
import { StateView } from '../../../services/peer-state/view.js';
import { QueryError, parsePeerFilter, peer, peers, routers } from '../../../services/peer-state/queries.js';
import { ROUTER, peerDown, peerUp, routerRecord, stats } from './events.js';

const T = 1_700_000_000_000_000;

function view(): StateView {
  const store = new PeerStateStore();
  const v = new StateView();
  const events = [
    routerRecord('connected', T),
    peerUp('198.51.100.1', 0, T + 1),
    peerUp('198.51.100.2', 1, T + 2),
    stats('198.51.100.2', 2, T + 3, 42),
    peerDown('198.51.100.3', 3, T + 4),
    routerRecord('disconnected', T + 5),
    routerRecord('connected', T + 6),
    peerUp('198.51.100.1', 0, T + 7),
  ];
  for (const e of events) for (const c of store.apply(e)) v.apply(c);
  return v;
}

test('routers: state with peer counts', () => {
  const [r] = routers(view());
  assert.equal(r.router_address, ROUTER);
  assert.equal(r.connected, true);
  assert.equal(r.session_count, 2);
  assert.deepEqual([r.peers, r.peers_up, r.peers_stale], [3, 2, 2]);
});

test('peers: filters by state, stale, AS and router', () => {
  const v = view();
  const keys = (f: Record<string, string>): string[] => peers(v, parsePeerFilter(new URLSearchParams(f))).map((p) => p.peer_address);
  assert.deepEqual(keys({}), ['198.51.100.1', '198.51.100.2', '198.51.100.3']);
  assert.deepEqual(keys({ state: 'up' }), ['198.51.100.1', '198.51.100.2']);
  assert.deepEqual(keys({ state: 'down' }), ['198.51.100.3']);
  assert.deepEqual(keys({ state: 'stale' }), ['198.51.100.2', '198.51.100.3']);
  assert.deepEqual(keys({ as: '65001' }), ['198.51.100.1', '198.51.100.2', '198.51.100.3']);
  assert.deepEqual(keys({ as: 'AS65002' }), []);
  assert.deepEqual(keys({ router: '203.0.113.1' }), []);
  assert.deepEqual(keys({ router: ROUTER, state: 'up' }), ['198.51.100.1', '198.51.100.2']);
  const bad: Array<Record<string, string>> = [{ state: 'sideways' }, { as: '-1' }, { as: '4294967296' }, { colour: 'red' }];
  for (const b of bad) {
    assert.throws(() => parsePeerFilter(new URLSearchParams(b)), QueryError, JSON.stringify(b));
  }
});

test('one peer by key, with its views and counts; unknown key is null', () => {
  const v = view();
  const p = peer(v, `${ROUTER}|0|0:0|198.51.100.2`);
  assert.equal(p?.key, `${ROUTER}|0|0:0|198.51.100.2`);
  assert.equal(p?.views[0].stats[0].value, 42);
  assert.equal(peer(v, `${ROUTER}|0|0:0|198.51.100.9`), null);
});

test('the view counts versions and tells listeners of each change', () => {
  const v = new StateView();
  let seen = 0;
  v.on('change', () => seen++);
  const store = new PeerStateStore();
  for (const c of store.apply(peerUp('198.51.100.1', 0, T))) v.apply(c);
  assert.equal(v.version, 2);
  assert.equal(seen, 2);
});
