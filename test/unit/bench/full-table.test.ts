/**
 * The synthetic full-table dump of bench/full-table.ts (used by `npm run bench:decode`, and meant
 * for the ingest benchmark and `bmp replay` tests): whole messages per chunk, deterministic by
 * seed, and decodable without a single error event, with exactly the routes it promises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fullTableDump, fullTableExpectation, FULL_TABLE_ROUTER_ADDRESS, type FullTableOptions, type FullTableSummary } from '../../../bench/full-table.js';
import { BmpFramer } from '../../../services/codec/framer.js';
import { BmpSessionDecoder } from '../../../services/events/session-decoder.js';
import type { EventByTopic, PeerUpEvent, RouteEvent } from '../../../services/events/model.js';

function generate(options: FullTableOptions): { chunks: Buffer[]; summary: FullTableSummary } {
  const chunks: Buffer[] = [];
  const dump = fullTableDump(options);
  for (;;) {
    const r = dump.next();
    if (r.done) return { chunks, summary: r.value };
    chunks.push(r.value);
  }
}

function decodeAll(chunks: Buffer[]): { routes: RouteEvent[]; peerUps: PeerUpEvent[]; topics: Map<string, number> } {
  const framer = new BmpFramer();
  const decoder = new BmpSessionDecoder({ routerAddress: FULL_TABLE_ROUTER_ADDRESS });
  const routes: RouteEvent[] = [];
  const peerUps: PeerUpEvent[] = [];
  const topics = new Map<string, number>();
  for (const chunk of chunks) {
    framer.push(chunk);
    for (let m = framer.next(); m !== null; m = framer.next()) {
      assert.equal(m.kind, 'message');
      if (m.kind !== 'message') continue;
      decoder.decode(m.bytes, m.offset, (topic, event) => {
        topics.set(topic, (topics.get(topic) ?? 0) + 1);
        if (topic === 'errors') assert.fail(`error event: ${(event as EventByTopic['errors']).reason}`);
        if (topic === 'route_monitoring') routes.push(event as RouteEvent);
        if (topic === 'peer_up') peerUps.push(event as PeerUpEvent);
      });
    }
  }
  assert.equal(framer.end(), null, 'the dump ends on a message boundary');
  return { routes, peerUps, topics };
}

const small: FullTableOptions = { prefixesV4: 3000, prefixesV6: 800, peers: 3, seed: 42, chunkSize: 16 * 1024 };

test('every chunk holds whole BMP messages, and the summary adds up', () => {
  const { chunks, summary } = generate(small);
  assert.ok(chunks.length > 1);
  let bytes = 0;
  for (const chunk of chunks) {
    let p = 0;
    while (p < chunk.length) {
      assert.equal(chunk[p], 3, 'BMP version 3 at a message start');
      p += chunk.readUInt32BE(p + 1);
    }
    assert.equal(p, chunk.length, 'no message spans two chunks');
    bytes += chunk.length;
  }
  assert.equal(summary.bytes, bytes);
  assert.deepEqual(
    { prefixesV4: summary.prefixesV4, prefixesV6: summary.prefixesV6, endOfRib: summary.endOfRib, peers: summary.peers },
    fullTableExpectation(small),
  );
  // Initiation + Peer Ups + Route Monitoring + Termination.
  assert.equal(summary.messages, 1 + summary.peers + summary.routeMonitoring + 1);
});

test('the same options give the same bytes; another seed gives others', () => {
  const digest = (o: FullTableOptions): string => {
    const h = createHash('sha256');
    for (const c of generate(o).chunks) h.update(c);
    return h.digest('hex');
  };
  assert.equal(digest(small), digest(small));
  assert.notEqual(digest(small), digest({ ...small, seed: 43 }));
});

for (const addPath of [false, true]) {
  test(`decodes without errors into the promised routes (${addPath ? 'ADD-PATH' : 'plain'})`, () => {
    const options = { ...small, addPath };
    const { routes, peerUps, topics } = decodeAll(generate(options).chunks);
    assert.equal(topics.get('initiation'), 1);
    assert.equal(topics.get('termination'), 1);
    assert.equal(peerUps.length, 3);
    for (const p of peerUps) {
      assert.equal(p.four_octet_as, true);
      assert.deepEqual(p.families.sort(), ['ipv4_unicast', 'ipv6_unicast']);
      assert.deepEqual(p.add_path_families.sort(), addPath ? ['ipv4_unicast', 'ipv6_unicast'] : []);
    }
    const announces = routes.filter((r) => r.action === 'announce');
    const v4 = announces.filter((r) => r.family === 'ipv4_unicast');
    const v6 = announces.filter((r) => r.family === 'ipv6_unicast');
    assert.equal(v4.length, 3000);
    assert.equal(v6.length, 800);
    assert.equal(routes.filter((r) => r.action === 'end_of_rib').length, 6);
    assert.equal(routes.filter((r) => r.action === 'withdraw').length, 0);
    assert.ok(routes.every((r) => !r.decoded_without_peer_up));
    // Distinct routes: prefixes (with ADD-PATH: prefix and path id pairs) never repeat.
    const keys = new Set(announces.map((r) => `${r.prefix}#${r.path_id}`));
    assert.equal(keys.size, announces.length);
    if (addPath) {
      assert.ok(announces.every((r) => r.path_id !== null));
      assert.ok(new Set(announces.map((r) => r.prefix)).size < announces.length, 'some prefixes have a second path');
    } else {
      assert.ok(announces.every((r) => r.path_id === null));
    }
    // The shape of a table: 4-octet paths of 3-8 hops, IPv4 next hops, IPv6 16- and 32-octet next hops.
    assert.ok(announces.every((r) => r.as_path.length >= 3 && r.as_path.length <= 8));
    assert.ok(announces.some((r) => r.as_path.some((h) => h.asn > 0xffff)));
    assert.ok(announces.some((r) => r.communities.length === 10) && announces.some((r) => r.communities.length === 0));
    assert.ok(announces.some((r) => r.large_communities.length > 0));
    assert.ok(v4.every((r) => r.next_hop !== null && !r.next_hop.includes(':')));
    assert.ok(v6.every((r) => r.next_hop !== null && r.next_hop.startsWith('2001:db8:')));
    assert.ok(v4.every((r) => /^\d+\.\d+\.\d+\.\d+\/(1[2-9]|2[0-4])$/.test(r.prefix ?? '')));
    // Global unicast, 2000::/3.
    assert.ok(v6.every((r) => r.prefix !== null && /^[23][0-9a-f]{3}:/.test(r.prefix)));
  });
}
