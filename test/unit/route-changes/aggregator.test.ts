/**
 * The route-change aggregator: classification of every kind of route event, tumbling windows with
 * allowed lateness, top N, prefix flaps, implicit withdrawals, snapshot/restore, and a property
 * test comparing the window counts with a naive reference over random event sequences.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CHANGED,
  RouteChange,
  RouteChangeAggregator,
  restoreAggregator,
  snapshotAggregator,
  type AggregatorConfig,
  type AggregatorOutput,
  type PrefixFlapRecord,
  type RouteChangesRecord,
} from '../../../services/route-changes/index.js';
import type { PeerDownEvent, RouteEvent } from '../../../services/events/model.js';
import { encodeRecord, decodeRecord, recordKey, recordMismatches, typeFor } from '../../../services/kafka/avro/index.js';
import { announce, endOfRib, peerDown, peerFields, routerRecord, withdraw, PEER, ROUTER } from './fixtures.js';

const S = 1_000_000; // one second in µs
const CONFIG: Partial<AggregatorConfig> = { windowMs: 1000, allowedLatenessMs: 500, topN: 3, flapThreshold: 2 };

const changes = (out: AggregatorOutput[]): RouteChangesRecord[] => out.filter((o) => o.topic === 'route_changes').map((o) => o.record as RouteChangesRecord);
const flaps = (out: AggregatorOutput[]): PrefixFlapRecord[] => out.filter((o) => o.topic === 'prefix_flaps').map((o) => o.record as PrefixFlapRecord);

describe('classification', () => {
  test('new route, duplicate, withdrawal of a known and of an unknown route, End-of-RIB', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    assert.equal(a.onRoute(announce('10.0.0.0/8'), out), RouteChange.NEW);
    assert.equal(a.onRoute(announce('10.0.0.0/8'), out), RouteChange.DUPLICATE);
    assert.equal(a.onRoute(withdraw('10.0.0.0/8'), out), RouteChange.WITHDRAW);
    assert.equal(a.onRoute(withdraw('10.0.0.0/8'), out), RouteChange.UNKNOWN_WITHDRAW);
    assert.equal(a.onRoute(endOfRib(), out), RouteChange.END_OF_RIB);
    assert.equal(a.stats().routes, 0);
  });

  const cases: Array<[string, Partial<RouteEvent>, number]> = [
    ['as_path', { as_path: [{ asn: 64500, segment: 'sequence' }, { asn: 64512, segment: 'sequence' }] }, CHANGED.as_path],
    ['as_path (same ASNs in an AS_SET)', { as_path: [{ asn: 64500, segment: 'sequence' }, { asn: 64511, segment: 'set' }] }, CHANGED.as_path],
    ['next_hop', { next_hop: '198.51.100.8' }, CHANGED.next_hop],
    ['communities', { communities: ['64500:2'] }, CHANGED.communities],
    ['large_communities', { large_communities: ['64500:1:1'] }, CHANGED.large_communities],
    ['extended_communities', { extended_communities: ['rt:64500:1'] }, CHANGED.extended_communities],
    ['med', { med: 10 }, CHANGED.med],
    ['local_pref', { local_pref: 200 }, CHANGED.local_pref],
    ['origin', { origin: 'incomplete' }, CHANGED.origin],
    ['other (labels)', { labels: [16] }, CHANGED.other],
    ['other (originator)', { originator_id: '192.0.2.9' }, CHANGED.other],
    ['next_hop + med', { next_hop: '198.51.100.8', med: 5 }, CHANGED.next_hop | CHANGED.med],
    ['communities (same text, other boundaries)', { communities: ['64500', ':1'] }, CHANGED.communities],
    ['med (absent -> 0)', { med: 0 }, CHANGED.med],
    ['as_path (4-octet ASN, same low 16 bits)', { as_path: [{ asn: 64500, segment: 'sequence' }, { asn: 64511 + 65536, segment: 'sequence' }] }, CHANGED.as_path],
  ];
  for (const [name, change, mask] of cases) {
    test(`path change of ${name}`, () => {
      const a = new RouteChangeAggregator(CONFIG);
      const out: AggregatorOutput[] = [];
      a.onRoute(announce('10.0.0.0/8'), out);
      assert.equal(a.onRoute(announce('10.0.0.0/8', change), out), RouteChange.PATH_CHANGE);
      assert.equal(a.lastClassification.changed, mask);
      // Back to the first attributes: the same attributes changed again.
      assert.equal(a.onRoute(announce('10.0.0.0/8'), out), RouteChange.PATH_CHANGE);
      assert.equal(a.lastClassification.changed, mask);
      a.emitAll(out);
      const [r] = changes(out);
      assert.equal(r.path_changes, 2);
      assert.equal(r.announcements, 3);
      assert.equal(r.new_routes, 1);
    });
  }

  test('routes are told apart by path id, RD, family, RIB view and peer', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    const variants: RouteEvent[] = [
      announce('10.0.0.0/8'),
      announce('10.0.0.0/8', { path_id: 1 }),
      announce('10.0.0.0/8', { path_id: 2 }),
      announce('10.0.0.0/8', { rd: '64500:1', afi: 1, safi: 128, family: 'vpnv4_unicast' }),
      announce('10.0.0.0/8', { safi: 4, family: 'ipv4_labeled_unicast' }),
      announce('10.0.0.0/8', { is_post_policy: true }),
      announce('10.0.0.0/8', { is_adj_rib_out: true }),
      announce('10.0.0.0/8', { peer_address: '198.51.100.9' }),
      announce('10.0.0.0/8', { peer_type_code: 3, peer_type: 'loc_rib', peer_address: '0.0.0.0' }),
    ];
    for (const v of variants) assert.equal(a.onRoute(v, out), RouteChange.NEW);
    assert.equal(a.stats().routes, variants.length);
    a.emitAll(out);
    const keys = changes(out).map((r) => `${r.peer_address}|${r.rib_view}|${r.family}`);
    assert.deepEqual(keys.sort(), [
      '0.0.0.0|loc_rib|ipv4_unicast',
      '198.51.100.7|adj_rib_in_post|ipv4_unicast',
      '198.51.100.7|adj_rib_in_pre|ipv4_labeled_unicast',
      '198.51.100.7|adj_rib_in_pre|ipv4_unicast',
      '198.51.100.7|adj_rib_in_pre|vpnv4_unicast',
      '198.51.100.7|adj_rib_out_pre|ipv4_unicast',
      '198.51.100.9|adj_rib_in_pre|ipv4_unicast',
    ]);
  });

  test('a reordering of communities is a change; the same list again is a duplicate', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8', { communities: ['64500:1', '64500:2'] }), out);
    assert.equal(a.onRoute(announce('10.0.0.0/8', { communities: ['64500:2', '64500:1'] }), out), RouteChange.PATH_CHANGE);
    assert.equal(a.lastClassification.changed, CHANGED.communities);
    assert.equal(a.onRoute(announce('10.0.0.0/8', { communities: ['64500:2', '64500:1'] }), out), RouteChange.DUPLICATE);
  });

  test('raw NLRI routes are kept by their octets', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    const raw = { prefix: null, raw_nlri: Buffer.from([1, 2, 3]), afi: 25, safi: 65, family: 'l2vpn_vpls' };
    assert.equal(a.onRoute(announce('x', raw), out), RouteChange.NEW);
    assert.equal(a.onRoute(withdraw('x', raw), out), RouteChange.WITHDRAW);
  });

  test('attribute sets are shared and freed', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    for (let i = 0; i < 100; i++) a.onRoute(announce(`10.0.${i}.0/24`), out);
    assert.equal(a.stats().attribute_sets, 1);
    a.onRoute(announce('10.0.0.0/24', { med: 1 }), out);
    assert.equal(a.stats().attribute_sets, 2);
    a.onRoute(withdraw('10.0.0.0/24'), out);
    assert.equal(a.stats().attribute_sets, 1);
    for (let i = 1; i < 100; i++) a.onRoute(withdraw(`10.0.${i}.0/24`), out);
    assert.equal(a.stats().attribute_sets, 0);
  });
});

describe('windows', () => {
  test('a window is emitted when the watermark passes its end plus the lateness, with its counts', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8', { bmp_timestamp: 10 * S }), out);
    a.onRoute(announce('10.1.0.0/16', { bmp_timestamp: 10 * S + 1 }), out);
    a.onRoute(announce('10.1.0.0/16', { bmp_timestamp: 10 * S + 2, med: 7 }), out);
    a.onRoute(announce('10.1.0.0/16', { bmp_timestamp: 10 * S + 3, med: 7 }), out);
    a.onRoute(withdraw('10.0.0.0/8', { bmp_timestamp: 10 * S + 4 }), out);
    a.onRoute(withdraw('10.9.0.0/16', { bmp_timestamp: 10 * S + 5 }), out);
    a.onRoute(announce('10.2.0.0/16', { bmp_timestamp: 11 * S + S / 2 - 1 }), out);
    assert.equal(out.length, 0, 'end + lateness not reached');
    a.onRoute(announce('10.3.0.0/16', { bmp_timestamp: 11 * S + S / 2 }), out);
    const [r] = changes(out);
    assert.equal(out.length, 1);
    assert.equal(out[0].key, `${ROUTER}|0|0:0|${PEER}|adj_rib_in_pre`);
    assert.deepEqual(
      { ...r, top_prefixes: r.top_prefixes.map((p) => `${p.prefix}:${p.changes}/${p.announcements}/${p.withdrawals}`) },
      {
        router_address: ROUTER,
        peer_type_code: 0,
        peer_distinguisher: '0:0',
        peer_address: PEER,
        peer_as: 64500,
        peer_bgp_id: '198.51.100.7',
        rib_view: 'adj_rib_in_pre',
        afi: 1,
        safi: 1,
        family: 'ipv4_unicast',
        window_start: 10 * S,
        window_end: 11 * S,
        announcements: 4,
        new_routes: 2,
        withdrawals: 1,
        unknown_withdrawals: 1,
        implicit_withdrawals: 0,
        path_changes: 1,
        as_path_changes: 0,
        next_hop_changes: 0,
        communities_changes: 0,
        large_communities_changes: 0,
        extended_communities_changes: 0,
        med_changes: 1,
        local_pref_changes: 0,
        origin_changes: 0,
        other_changes: 0,
        duplicates: 1,
        prefixes_touched: 3,
        late_events: 0,
        routes: 3,
        top_prefixes: ['10.0.0.0/8:2/1/1', '10.1.0.0/16:2/3/0'],
      },
    );
  });

  test('events within the lateness count in their window; later ones count as late in the current window', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8', { bmp_timestamp: 10 * S }), out);
    a.onRoute(announce('10.1.0.0/16', { bmp_timestamp: 11 * S + S / 4 }), out);
    a.onRoute(announce('10.2.0.0/16', { bmp_timestamp: 10 * S + 5 }), out); // late but within lateness
    a.onRoute(announce('10.3.0.0/16', { bmp_timestamp: 12 * S }), out); // closes window 10
    assert.deepEqual(changes(out).map((r) => [r.window_start, r.new_routes, r.late_events]), [[10 * S, 2, 0]]);
    const late = announce('10.4.0.0/16', { bmp_timestamp: 10 * S + 7 });
    assert.equal(a.onRoute(late, out), RouteChange.NEW, 'a late event still updates the routes');
    assert.equal(a.stats().routes, 5);
    a.emitAll(out);
    assert.deepEqual(changes(out).map((r) => [r.window_start, r.new_routes, r.late_events]), [
      [10 * S, 2, 0],
      [11 * S, 1, 0],
      [12 * S, 1, 1],
    ]);
  });

  test('a null bmp_timestamp takes the fallback time, else the watermark', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8', { bmp_timestamp: null }), out, 20 * S);
    assert.equal(a.watermark, 20 * S);
    a.onRoute(announce('10.1.0.0/8', { bmp_timestamp: 30 * S }), out);
    a.onRoute(announce('10.2.0.0/8', { bmp_timestamp: null }), out);
    a.emitAll(out);
    assert.deepEqual(changes(out).map((r) => [r.window_start, r.new_routes, r.late_events]), [
      [20 * S, 1, 0],
      [30 * S, 2, 0],
    ]);
  });

  test('advanceWatermark closes idle windows', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8', { bmp_timestamp: 10 * S }), out);
    a.advanceWatermark(11 * S, out);
    assert.equal(out.length, 0);
    a.advanceWatermark(11 * S + S / 2, out);
    assert.equal(changes(out).length, 1);
  });

  test('top N: most changes first, ties in order of first event, at most N, unchanged routes left out', () => {
    const a = new RouteChangeAggregator({ ...CONFIG, topN: 2 });
    const out: AggregatorOutput[] = [];
    const churn = (prefix: string, n: number): void => {
      for (let i = 0; i < n; i++) a.onRoute(announce(prefix, { med: i }), out);
    };
    churn('10.0.2.0/24', 3);
    churn('10.0.1.0/24', 5);
    churn('10.0.0.0/24', 3);
    churn('10.0.3.0/24', 1);
    a.onRoute(announce('10.0.3.0/24', { med: 0 }), out); // duplicate: not a change
    a.emitAll(out);
    assert.deepEqual(changes(out)[0].top_prefixes.map((p) => [p.prefix, p.changes]), [
      ['10.0.1.0/24', 5],
      ['10.0.2.0/24', 3],
    ]);
  });

  test('top N keeps path id and RD apart', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8', { path_id: 7, rd: '64500:1', safi: 128, family: 'vpnv4_unicast' }), out);
    a.emitAll(out);
    assert.deepEqual(changes(out)[0].top_prefixes, [{ prefix: '10.0.0.0/8', rd: '64500:1', path_id: 7, changes: 1, announcements: 1, withdrawals: 0 }]);
  });
});

describe('prefix flaps', () => {
  test('withdraw/re-announce cycles at or over the threshold within a window make a flap record', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    let t = 10 * S;
    a.onRoute(announce('10.0.0.0/8', { bmp_timestamp: t++ }), out);
    a.onRoute(announce('10.1.0.0/16', { bmp_timestamp: t++ }), out);
    for (let i = 0; i < 2; i++) {
      a.onRoute(withdraw('10.0.0.0/8', { bmp_timestamp: t++ }), out);
      a.onRoute(announce('10.0.0.0/8', { bmp_timestamp: t++ }), out);
    }
    // One cycle only: under the threshold of 2.
    a.onRoute(withdraw('10.1.0.0/16', { bmp_timestamp: t++ }), out);
    a.onRoute(announce('10.1.0.0/16', { bmp_timestamp: t++ }), out);
    // Withdrawn twice without re-announcement in between: one cycle.
    a.onRoute(withdraw('10.1.0.0/16', { bmp_timestamp: t++ }), out);
    a.onRoute(withdraw('10.1.0.0/16', { bmp_timestamp: t++ }), out);
    a.emitAll(out);
    const f = flaps(out);
    assert.equal(f.length, 1);
    assert.equal(out[1].key, out[0].key, 'keyed like the route_changes record');
    assert.deepEqual(
      { prefix: f[0].prefix, flaps: f[0].flaps, a: f[0].announcements, w: f[0].withdrawals, first: f[0].first_seen, last: f[0].last_seen, ws: f[0].window_start },
      { prefix: '10.0.0.0/8', flaps: 2, a: 3, w: 2, first: 10 * S, last: 10 * S + 5, ws: 10 * S },
    );
  });

  test('cycles do not carry over windows, and a threshold of 0 disables flap records', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const b = new RouteChangeAggregator({ ...CONFIG, flapThreshold: 0 });
    const out: AggregatorOutput[] = [];
    const outB: AggregatorOutput[] = [];
    const events = [
      announce('10.0.0.0/8', { bmp_timestamp: 10 * S }),
      withdraw('10.0.0.0/8', { bmp_timestamp: 10 * S + 1 }),
      announce('10.0.0.0/8', { bmp_timestamp: 11 * S }),
      withdraw('10.0.0.0/8', { bmp_timestamp: 11 * S + 1 }),
      announce('10.0.0.0/8', { bmp_timestamp: 11 * S + 2 }),
      withdraw('10.0.0.0/8', { bmp_timestamp: 11 * S + 3 }),
      announce('10.0.0.0/8', { bmp_timestamp: 11 * S + 4 }),
    ];
    for (const e of events) {
      a.onRoute(e, out);
      b.onRoute(e, outB);
    }
    a.emitAll(out);
    b.emitAll(outB);
    assert.deepEqual(flaps(out).map((f) => [f.window_start, f.flaps]), [[11 * S, 2]]);
    assert.equal(flaps(outB).length, 0);
  });
});

describe('implicit withdrawals', () => {
  test('a Peer Down drops every RIB view of the peer, counted apart, and starts no flap', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8'), out);
    a.onRoute(announce('10.1.0.0/16'), out);
    a.onRoute(announce('10.0.0.0/8', { is_post_policy: true }), out);
    a.onRoute(announce('2001:db8::/32', { afi: 2, family: 'ipv6_unicast', next_hop: '2001:db8::1' }), out);
    a.onRoute(announce('10.0.0.0/8', { peer_address: '198.51.100.9' }), out);
    assert.equal(a.onPeerDown(peerDown({ is_post_policy: true }), out), 4);
    assert.equal(a.stats().routes, 1, 'the other peer keeps its route');
    assert.equal(a.onRoute(announce('10.0.0.0/8'), out), RouteChange.NEW);
    assert.equal(a.onRoute(withdraw('10.1.0.0/16'), out), RouteChange.UNKNOWN_WITHDRAW);
    a.emitAll(out);
    const byTable = new Map(changes(out).map((r) => [`${r.peer_address}|${r.rib_view}|${r.family}`, r]));
    assert.equal(byTable.get(`${PEER}|adj_rib_in_pre|ipv4_unicast`)?.implicit_withdrawals, 2);
    assert.equal(byTable.get(`${PEER}|adj_rib_in_pre|ipv4_unicast`)?.withdrawals, 0);
    assert.equal(byTable.get(`${PEER}|adj_rib_in_pre|ipv4_unicast`)?.routes, 1);
    assert.equal(byTable.get(`${PEER}|adj_rib_in_post|ipv4_unicast`)?.implicit_withdrawals, 1);
    assert.equal(byTable.get(`${PEER}|adj_rib_in_pre|ipv6_unicast`)?.implicit_withdrawals, 1);
    assert.equal(byTable.get('198.51.100.9|adj_rib_in_pre|ipv4_unicast')?.implicit_withdrawals, 0);
    assert.equal(flaps(out).length, 0);
    assert.equal(a.stats().attribute_sets, 1, 'the dropped routes released their attribute sets (the IPv6 one is gone)');
  });

  test('a router disconnect drops all its peers; other router records and other routers change nothing', () => {
    const a = new RouteChangeAggregator(CONFIG);
    const out: AggregatorOutput[] = [];
    a.onRoute(announce('10.0.0.0/8'), out);
    a.onRoute(announce('10.0.0.0/8', { peer_address: '198.51.100.9' }), out);
    a.onRoute(announce('10.0.0.0/8', { router_address: '192.0.2.2' }), out);
    assert.equal(a.onRouter(routerRecord('terminated'), out), 0);
    assert.equal(a.onRouter(routerRecord('connected'), out), 0);
    assert.equal(a.onRouter(routerRecord('disconnected'), out), 2);
    assert.equal(a.stats().routes, 1);
    a.emitAll(out);
    const implicit = changes(out).map((r) => [r.router_address, r.peer_address, r.implicit_withdrawals, r.window_start]);
    assert.deepEqual(implicit, [
      [ROUTER, PEER, 1, S],
      [ROUTER, '198.51.100.9', 1, S],
      ['192.0.2.2', PEER, 0, S],
    ]);
  });
});

describe('snapshot and restore', () => {
  test('a restored aggregator continues exactly like the original', () => {
    const events = randomishEvents(400, 11);
    const half = 200;
    const original = new RouteChangeAggregator(CONFIG);
    const outA: AggregatorOutput[] = [];
    for (const e of events.slice(0, half)) feed(original, e, outA);
    const bytes = snapshotAggregator(original);
    const restored = restoreAggregator(bytes);
    assert.deepEqual(restored.stats(), original.stats());
    const outB = [...outA];
    for (const e of events.slice(half)) {
      feed(original, e, outA);
      feed(restored, e, outB);
    }
    original.emitAll(outA);
    restored.emitAll(outB);
    assert.ok(outA.length > 5);
    assert.deepEqual(outB, outA);
    assert.deepEqual(restored.stats(), original.stats());
  });

  test('an unknown version is refused', () => {
    assert.throws(() => restoreAggregator(snapshotAggregator(new RouteChangeAggregator()).subarray(0, 3)));
  });
});

// ---------------------------------------------------------------------------------------------
// Random sequences against a naive reference

type Input = { kind: 'route'; event: RouteEvent } | { kind: 'peer_down'; event: PeerDownEvent };

function feed(a: RouteChangeAggregator, input: Input, out: AggregatorOutput[]): void {
  if (input.kind === 'route') a.onRoute(input.event, out);
  else a.onPeerDown(input.event, out);
}

const PREFIXES = ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/24', '2001:db8::/32'];
const PEERS = ['198.51.100.7', '198.51.100.9'];

/** Builds an input from small random choices (shared by fast-check and the snapshot test). */
function input(c: { down: boolean; peer: number; post: boolean; prefix: number; wd: boolean; pathId: number; asp: number; nh: number; comm: number; med: number; lc: number; origin: number; time: number }): Input {
  const peer = { peer_address: PEERS[c.peer], is_post_policy: c.post, bmp_timestamp: c.time };
  if (c.down) return { kind: 'peer_down', event: peerDown(peer) };
  const prefix = PREFIXES[c.prefix];
  const v6 = prefix.includes(':');
  const family = v6 ? { afi: 2, family: 'ipv6_unicast' } : {};
  const path = { path_id: c.pathId === 0 ? null : c.pathId };
  if (c.wd) return { kind: 'route', event: withdraw(prefix, { ...peer, ...family, ...path }) };
  return {
    kind: 'route',
    event: announce(prefix, {
      ...peer,
      ...family,
      ...path,
      as_path: [{ asn: 64500, segment: 'sequence' }, ...(c.asp === 0 ? [] : [{ asn: 64500 + c.asp, segment: 'sequence' as const }])],
      next_hop: `192.0.2.${c.nh + 1}`,
      communities: c.comm === 0 ? [] : [`64500:${c.comm}`],
      med: c.med === 0 ? null : c.med,
      large_communities: c.lc === 0 ? [] : [`64500:1:${c.lc}`],
      origin: c.origin === 0 ? 'igp' : 'incomplete',
    }),
  };
}

const choice = fc.record({
  down: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
  peer: fc.integer({ min: 0, max: 1 }),
  post: fc.boolean(),
  prefix: fc.integer({ min: 0, max: 3 }),
  wd: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
  pathId: fc.integer({ min: 0, max: 1 }),
  asp: fc.integer({ min: 0, max: 1 }),
  nh: fc.integer({ min: 0, max: 1 }),
  comm: fc.integer({ min: 0, max: 1 }),
  med: fc.integer({ min: 0, max: 1 }),
  lc: fc.integer({ min: 0, max: 1 }),
  origin: fc.integer({ min: 0, max: 1 }),
  // Time step: mostly forward, sometimes back (late or within lateness).
  dt: fc.integer({ min: -2 * S, max: S / 2 }),
});

function withTimes(choices: Array<Omit<Parameters<typeof input>[0], 'time'> & { dt: number }>): Input[] {
  let t = 100 * S;
  return choices.map((c) => {
    t += c.dt;
    return input({ ...c, time: Math.max(0, t) });
  });
}

function randomishEvents(n: number, seed: number): Input[] {
  return fc.sample(fc.array(choice, { minLength: n, maxLength: n }), { seed, numRuns: 1 }).map(withTimes)[0];
}

/** Window counts the slow, obvious way: one string per route and per attribute set. */
function reference(inputs: Input[], config: { windowUs: number; latenessUs: number }): Map<string, Record<string, number>> {
  const routes = new Map<string, RouteEvent>();
  const windows = new Map<string, Record<string, number>>();
  const touched = new Map<string, Set<string>>();
  let watermark = -Infinity;
  const start = (t: number): number => Math.floor(t / config.windowUs) * config.windowUs;
  const closed = (t: number): boolean => start(t) + config.windowUs + config.latenessUs <= watermark;
  const view = (e: RouteEvent | PeerDownEvent): string => (e.is_post_policy ? 'post' : 'pre');
  const tableOf = (e: RouteEvent): string => `${e.peer_address}|${view(e)}|${e.family}`;
  const win = (t: number, table: string): Record<string, number> => {
    const k = `${start(t)}|${table}`;
    let w = windows.get(k);
    if (w === undefined) {
      w = {};
      windows.set(k, w);
      touched.set(k, new Set());
    }
    return w;
  };
  const inc = (w: Record<string, number>, name: string, n = 1): void => {
    w[name] = (w[name] ?? 0) + n;
  };
  for (const input of inputs) {
    const e = input.event;
    const t = e.bmp_timestamp as number;
    if (input.kind === 'peer_down') {
      const at = closed(t) ? watermark : t;
      for (const [k, r] of [...routes]) {
        if (r.peer_address !== e.peer_address) continue;
        routes.delete(k);
        inc(win(at, tableOf(r)), 'implicit_withdrawals');
      }
    } else {
      const r = input.event;
      const key = `${tableOf(r)}|${r.prefix}#${r.path_id}`;
      const old = routes.get(key);
      let kind: string;
      const changed: string[] = [];
      if (r.action === 'withdraw') {
        kind = old ? 'withdrawals' : 'unknown_withdrawals';
        routes.delete(key);
      } else {
        routes.set(key, r);
        if (!old) kind = 'new_routes';
        else {
          const fields = ['as_path', 'next_hop', 'communities', 'large_communities', 'med', 'origin'] as const;
          for (const f of fields) if (JSON.stringify(old[f]) !== JSON.stringify(r[f])) changed.push(`${f}_changes`);
          kind = changed.length === 0 ? 'duplicates' : 'path_changes';
        }
      }
      if (closed(t)) inc(win(watermark, tableOf(r)), 'late_events');
      else {
        const w = win(t, tableOf(r));
        inc(w, kind);
        if (r.action === 'announce') inc(w, 'announcements');
        for (const c of changed) inc(w, c);
        (touched.get(`${start(t)}|${tableOf(r)}`) as Set<string>).add(`${r.prefix}#${r.path_id}`);
      }
    }
    watermark = Math.max(watermark, t);
  }
  for (const [k, w] of windows) if ((touched.get(k) as Set<string>).size > 0) w.prefixes_touched = (touched.get(k) as Set<string>).size;
  return windows;
}

const COUNTED = [
  'announcements',
  'new_routes',
  'withdrawals',
  'unknown_withdrawals',
  'implicit_withdrawals',
  'path_changes',
  'as_path_changes',
  'next_hop_changes',
  'communities_changes',
  'large_communities_changes',
  'extended_communities_changes',
  'med_changes',
  'local_pref_changes',
  'origin_changes',
  'other_changes',
  'duplicates',
  'prefixes_touched',
  'late_events',
] as const;

test('property: window counts equal a naive reference over random event sequences', () => {
  fc.assert(
    fc.property(fc.array(choice, { minLength: 1, maxLength: 300 }), (choices) => {
      const inputs = withTimes(choices);
      const a = new RouteChangeAggregator(CONFIG);
      const out: AggregatorOutput[] = [];
      for (const i of inputs) feed(a, i, out);
      a.emitAll(out);
      const got = new Map<string, Record<string, number>>();
      for (const r of changes(out)) {
        const k = `${r.window_start}|${r.peer_address}|${r.rib_view === 'adj_rib_in_post' ? 'post' : 'pre'}|${r.family}`;
        assert.ok(!got.has(k), `one record per window and table: ${k}`);
        const counts: Record<string, number> = {};
        for (const name of COUNTED) if (r[name] !== 0) counts[name] = r[name];
        got.set(k, counts);
      }
      const want = reference(inputs, { windowUs: S, latenessUs: S / 2 });
      assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()));
      // Windows come out in time order.
      const starts = changes(out).map((r) => r.window_start);
      assert.deepEqual(starts, [...starts].sort((x, y) => x - y));
    }),
    { numRuns: 200 },
  );
});

test('the peer fields of a record come from the peer (latest AS and BGP id)', () => {
  const a = new RouteChangeAggregator(CONFIG);
  const out: AggregatorOutput[] = [];
  a.onRoute(announce('10.0.0.0/8', peerFields({ peer_as: 1 })), out);
  a.onRoute(announce('10.0.0.1/32', { peer_as: 2, peer_bgp_id: '192.0.2.77' }), out);
  a.emitAll(out);
  assert.equal(changes(out)[0].peer_as, 2);
  assert.equal(changes(out)[0].peer_bgp_id, '192.0.2.77');
});

test('every output is a valid Avro record of its topic, keyed as recordKey keys it, and round-trips the wire format', () => {
  const a = new RouteChangeAggregator({ ...CONFIG, flapThreshold: 1 });
  const out: AggregatorOutput[] = [];
  for (const e of randomishEvents(500, 5)) feed(a, e, out);
  a.onRoute(announce('10.9.0.0/16', { rd: '64500:7', safi: 128, family: 'vpnv4_unicast', path_id: 0xffffffff }), out);
  const raw = { prefix: null, raw_nlri: Buffer.from([9, 9]), afi: 25, safi: 65, family: 'l2vpn_vpls', bmp_timestamp: a.watermark };
  a.onRoute(announce('x', raw), out);
  a.onRoute(withdraw('x', raw), out);
  a.onRoute(announce('x', raw), out);
  a.emitAll(out);
  const topics = new Set(out.map((o) => o.topic));
  assert.deepEqual([...topics].sort(), ['prefix_flaps', 'route_changes']);
  for (const o of out) {
    assert.deepEqual(recordMismatches(typeFor(o.topic), o.record), [], o.topic);
    assert.equal(o.key, recordKey(o.topic, o.record));
    const decoded = decodeRecord(o.topic, encodeRecord(o.topic, 1, o.record));
    assert.deepEqual(JSON.parse(JSON.stringify(decoded.value)), JSON.parse(JSON.stringify(o.record)));
  }
});
