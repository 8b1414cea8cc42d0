/**
 * RouteMonitoringEncoder writes the same octets as encodeRecord for every route event: those of
 * every capture of the test data (each family, each BMP version), of the synthetic full table,
 * of the schema fixtures, and events changed in place after being encoded once (the reuse of
 * encoded runs must never hand out stale octets).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeStream, openInput } from '../../../services/cli/decode.js';
import { BmpSessionDecoder } from '../../../services/events/session-decoder.js';
import { BmpFramer } from '../../../services/codec/framer.js';
import { AS_PATH_ON_THE_WIRE, COMMUNITIES_ON_THE_WIRE, LARGE_COMMUNITIES_ON_THE_WIRE, PREFIX_ON_THE_WIRE, type RouteEvent } from '../../../services/events/model.js';
import { InvalidRecordError, ROUTE_MONITORING_FIELD_ORDER, RouteMonitoringEncoder, encodeRecord, typeFor } from '../../../services/kafka/avro/index.js';
import { fullTableDump, type FullTableOptions } from '../../../bench/full-table.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';
import { hex, update } from '../codec/bgp/helpers.js';
import { FIXTURES } from './fixtures.js';

const SCHEMA_ID = 0x00abcdef;

/**
 * Encodes `events` in order with one encoder, every other one lent (encodeBorrowed, compared
 * before the next call, as its callers use it); fails at the first record that differs from
 * encodeRecord's.
 */
function assertSameOctets(events: readonly RouteEvent[], label: string): number {
  const encoder = new RouteMonitoringEncoder();
  events.forEach((e, i) => {
    const expected = encodeRecord('route_monitoring', SCHEMA_ID, e);
    const actual = i % 2 === 0 ? encoder.encode(SCHEMA_ID, e) : encoder.encodeBorrowed(SCHEMA_ID, e);
    if (!actual.equals(expected)) assert.fail(`${label}: event ${i} (${e.family} ${e.prefix}) encodes to ${actual.toString('hex')}, encodeRecord ${expected.toString('hex')}`);
  });
  return events.length;
}

/** The route events of a synthetic full table, decoded as one router's session. */
function fullTableRouteEvents(routerAddress: string, options: FullTableOptions): RouteEvent[] {
  const events: RouteEvent[] = [];
  const framer = new BmpFramer();
  const decoder = new BmpSessionDecoder({ routerAddress });
  for (const chunk of fullTableDump({ ...options, chunkSize: 64 * 1024 })) {
    framer.push(chunk);
    for (let item = framer.next(); item !== null; item = framer.next()) {
      assert.equal(item.kind, 'message');
      if (item.kind === 'message') decoder.decode(item.bytes, item.offset, (topic, ev) => topic === 'route_monitoring' && events.push(ev as RouteEvent));
    }
  }
  return events;
}

/**
 * Decodes `chunks` as one session with lent events (as ingest does), with and without deferred
 * prefix texts, and encodes each route event during its sink call with its attribute source;
 * fails at the first record that differs from encodeRecord's of the event a decoder of complete
 * events gives for it. Returns the events and how many had a source (the same in both modes).
 */
function assertSameOctetsLent(chunks: Iterable<Buffer>, label: string): { events: number; withSource: number } {
  const all = [...chunks];
  const plain = sameOctetsLent(all, label, false);
  const deferred = sameOctetsLent(all, `${label} (deferred prefix texts)`, true);
  assert.deepEqual({ events: deferred.events, withSource: deferred.withSource }, { events: plain.events, withSource: plain.withSource });
  // Some of the events read from their UPDATEs had their IPv4 prefix deferred, none of the others.
  if (plain.withSource > 0) assert.ok(deferred.deferred > 0 || plain.ipv4Announced === 0, `${label}: no prefix text deferred`);
  assert.equal(plain.deferred, 0);
  return plain;
}

function sameOctetsLent(chunks: Buffer[], label: string, deferredPrefixTexts: boolean): { events: number; withSource: number; deferred: number; ipv4Announced: number } {
  const encoder = new RouteMonitoringEncoder();
  const framer = new BmpFramer();
  const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.1', borrowedRouteEvents: true, deferredPrefixTexts });
  const reference = new BmpSessionDecoder({ routerAddress: '192.0.2.1' });
  let events = 0;
  let withSource = 0;
  let deferred = 0;
  let ipv4Announced = 0;
  for (const chunk of chunks) {
    framer.push(chunk);
    for (let item = framer.next(); item !== null; item = framer.next()) {
      // A capture may end in a message cut short: framing stops there.
      if (item.kind !== 'message') return { events, withSource, deferred, ipv4Announced };
      const complete: RouteEvent[] = [];
      let referenceErrors = 0;
      reference.decode(item.bytes, item.offset, (topic, ev) => {
        if (topic === 'errors') referenceErrors++;
        if (topic === 'route_monitoring') complete.push(ev as RouteEvent);
      });
      let k = 0;
      // The decoder turns what its sink throws (a failed check below) into an error event.
      const failures: string[] = [];
      decoder.decode(item.bytes, item.offset, (topic, ev) => {
        if (topic === 'errors') failures.push((ev as { reason: string }).reason);
        if (topic !== 'route_monitoring') return;
        const e = ev as RouteEvent;
        const want = complete[k++];
        const source = decoder.attributeSource(e);
        if (source !== null) withSource++;
        const prefixAt = decoder.prefixSource(e);
        if ((source === null) !== (prefixAt < 0)) assert.fail(`${label}: event ${events} has ${source === null ? 'no UPDATE' : 'its UPDATE'} and prefix at ${prefixAt}`);
        if (source !== null && e.action === 'announce' && e.afi === 1) ipv4Announced++;
        if (e.prefix === PREFIX_ON_THE_WIRE) {
          deferred++;
          if (source === null || e.afi !== 1 || e.action !== 'announce') assert.fail(`${label}: event ${events} (${e.family} ${e.action}) deferred its prefix text`);
        } else if (e.prefix !== want.prefix) {
          assert.fail(`${label}: event ${events} has prefix ${e.prefix}, ${want.prefix} expected`);
        }
        if (e.as_path === AS_PATH_ON_THE_WIRE) {
          deferred++;
          if (source === null || source.asPathAt < 0 || e.action !== 'announce') assert.fail(`${label}: event ${events} (${e.family} ${e.action}) deferred its AS path`);
        } else if (JSON.stringify(e.as_path) !== JSON.stringify(want.as_path)) {
          assert.fail(`${label}: event ${events} has AS path ${JSON.stringify(e.as_path)}, ${JSON.stringify(want.as_path)} expected`);
        }
        if (e.communities === COMMUNITIES_ON_THE_WIRE) {
          deferred++;
          if (source === null || source.communitiesAt < 0 || e.action !== 'announce') assert.fail(`${label}: event ${events} (${e.family} ${e.action}) deferred its communities`);
        } else if (JSON.stringify(e.communities) !== JSON.stringify(want.communities)) {
          assert.fail(`${label}: event ${events} has communities ${JSON.stringify(e.communities)}, ${JSON.stringify(want.communities)} expected`);
        }
        if (e.large_communities === LARGE_COMMUNITIES_ON_THE_WIRE) {
          deferred++;
          if (source === null || source.largeCommunitiesAt < 0 || e.action !== 'announce') assert.fail(`${label}: event ${events} (${e.family} ${e.action}) deferred its large communities`);
        } else if (JSON.stringify(e.large_communities) !== JSON.stringify(want.large_communities)) {
          assert.fail(`${label}: event ${events} has large communities ${JSON.stringify(e.large_communities)}, ${JSON.stringify(want.large_communities)} expected`);
        }
        const actual = encoder.encodeBorrowed(SCHEMA_ID, e, source, prefixAt);
        const expected = encodeRecord('route_monitoring', SCHEMA_ID, want);
        if (!actual.equals(expected)) assert.fail(`${label}: event ${events} (${e.family} ${want.prefix}) encodes to ${actual.toString('hex')}, encodeRecord ${expected.toString('hex')}`);
        events++;
      });
      if (failures.length !== referenceErrors) assert.fail(`${label}: ${failures.join('; ')}`);
      if (k !== complete.length) assert.fail(`${label}: ${k} route events lent, ${complete.length} made`);
    }
  }
  return { events, withSource, deferred, ipv4Announced };
}

/** A BMP v3 Route Monitoring message of a peer with 2-octet ASNs (A flag: no Peer Up needed, RFC 7854 §4.2). */
function twoOctetPeerRouteMonitoring(pdu: Buffer): Buffer {
  const peer = Buffer.alloc(42);
  peer[1] = 0x20;
  peer.set([192, 0, 2, 9], 22);
  peer.writeUInt32BE(64500, 26);
  peer.set([192, 0, 2, 9], 30);
  peer.writeUInt32BE(1_700_000_000, 34);
  const header = Buffer.alloc(6);
  header[0] = 3;
  header.writeUInt32BE(6 + peer.length + pdu.length, 1);
  header[5] = 0;
  return Buffer.concat([header, peer, pdu]);
}

/** A path attribute (RFC 4271 §4.3), with the extended length when the value needs it. */
function attribute(flags: number, code: number, value: Buffer): Buffer {
  if (value.length > 255) {
    const h = Buffer.from([flags | 0x10, code, 0, 0]);
    h.writeUInt16BE(value.length, 2);
    return Buffer.concat([h, value]);
  }
  return Buffer.concat([Buffer.from([flags & ~0x10, code, value.length]), value]);
}

describe('RouteMonitoringEncoder', () => {
  test('knows the field order of schemas/route_monitoring.avsc (else it would not reuse anything)', () => {
    const fields = (typeFor('route_monitoring') as unknown as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
    assert.deepEqual(fields, ROUTE_MONITORING_FIELD_ORDER, 'update the field lists of route-monitoring-encoder.ts');
    assert.equal(new RouteMonitoringEncoder().reusesParts, true);
    assert.equal(new RouteMonitoringEncoder().writesAttributesDirectly, true, 'AttributeWriter disagrees with avsc on its samples');
    assert.equal(new RouteMonitoringEncoder().writesPrefixesFromWire, true, 'IPv4 prefixes from the wire disagree with their texts on the samples');
  });

  test('path attributes written directly are avsc\'s octets, for any values (property)', () => {
    const segments = ['sequence', 'set', 'confed_sequence', 'confed_set'] as const;
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('65000:100', 'x'.repeat(200)));
    const long = fc.oneof(fc.integer({ min: 0, max: 4294967295 }), fc.integer(), fc.constantFrom(2 ** 52, -(2 ** 52), 2 ** 53 - 1, 2 ** 40));
    const base = FIXTURES.route_monitoring.full as RouteEvent;
    fc.assert(
      fc.property(
        fc.record({
          origin: fc.constantFrom(null, 'igp', 'egp', 'incomplete', 'unknown'),
          as_path: fc.array(fc.record({ asn: fc.integer({ min: 0, max: 4294967295 }), segment: fc.constantFrom(...segments) }), { maxLength: 70 }),
          next_hop: fc.option(text),
          med: fc.option(long),
          local_pref: fc.option(long),
          atomic_aggregate: fc.boolean(),
          aggregator_as: fc.option(long),
          aggregator_address: fc.option(text),
          communities: fc.array(text, { maxLength: 40 }),
          large_communities: fc.array(text, { maxLength: 5 }),
          extended_communities: fc.array(text, { maxLength: 5 }),
          originator_id: fc.option(text),
          cluster_list: fc.array(text, { maxLength: 5 }),
          aigp: fc.option(long),
          otc: fc.option(long),
          unknown_attributes: fc.array(text, { maxLength: 3 }),
        }),
        (attributes) => {
          const event = { ...base, ...attributes } as RouteEvent;
          const encoder = new RouteMonitoringEncoder();
          assert.deepEqual(encoder.encode(SCHEMA_ID, event), encodeRecord('route_monitoring', SCHEMA_ID, event));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the schema fixtures', () => {
    assertSameOctets([FIXTURES.route_monitoring.full, FIXTURES.route_monitoring.minimal, FIXTURES.route_monitoring.full] as RouteEvent[], 'fixtures');
  });

  test('the synthetic full table, plain and ADD-PATH', () => {
    for (const addPath of [false, true]) {
      const events = fullTableRouteEvents('192.0.2.1', { prefixesV4: 3000, prefixesV6: 1000, peers: 3, addPath });
      assert.ok(assertSameOctets(events, `full table addPath=${addPath}`) > 4000);
    }
  });

  test('two encoders used in turn (two sessions on one thread) each write encodeRecord\'s octets', () => {
    // Each encoder reuses its last path attributes' octets while the other writes new ones.
    const tables = [1, 2].map((seed) => fullTableRouteEvents(`192.0.2.${seed}`, { prefixesV4: 2000, prefixesV6: 500, peers: 2, seed }));
    const encoders = [new RouteMonitoringEncoder(), new RouteMonitoringEncoder()];
    const n = Math.min(tables[0].length, tables[1].length);
    assert.ok(n > 2000);
    for (let i = 0; i < n; i++) {
      for (const k of [0, 1]) {
        const e = tables[k][i];
        const actual = encoders[k].encodeBorrowed(SCHEMA_ID, e);
        const expected = encodeRecord('route_monitoring', SCHEMA_ID, e);
        if (!actual.equals(expected)) assert.fail(`encoder ${k}, event ${i} (${e.family} ${e.prefix}) differs from encodeRecord's`);
      }
    }
  });

  test('route events lent with the UPDATE they were read from write encodeRecord\'s octets: the synthetic full table', () => {
    for (const addPath of [false, true]) {
      const { events, withSource } = assertSameOctetsLent(fullTableDump({ prefixesV4: 3000, prefixesV6: 1000, peers: 3, addPath, chunkSize: 64 * 1024 }), `full table addPath=${addPath}`);
      assert.ok(events > 4000 && withSource > 3000, `${events} events, ${withSource} with their UPDATE`);
    }
  });

  test('route events lent with the UPDATE they were read from write encodeRecord\'s octets: every capture', { skip: !HAVE_TESTDATA && 'no test data' }, async () => {
    let total = 0;
    let withSource = 0;
    for (const file of readdirSync(BMP_CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|bmp)$/.test(f))) {
      for (const input of await openInput(join(BMP_CAPTURE_DIR, file), '0.0.0.0')) {
        const chunks: Buffer[] = [];
        for await (const chunk of input.chunks) chunks.push(chunk);
        const r = assertSameOctetsLent(chunks, file);
        total += r.events;
        withSource += r.withSource;
      }
    }
    assert.ok(total > 10_000 && withSource > 1000, `${total} route events, ${withSource} with their UPDATE`);
  });

  test('communities written from the wire are the texts of any values, across UPDATEs and next hops (property)', () => {
    const u32 = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 9, 10, 99, 100, 65535, 65536, 0xffff0000, 0xffffffff, 999999999, 1000000000));
    const updateArb = fc.record({
      communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 80 })),
      large: fc.option(fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 30 })),
      // IPv4 prefixes of any length, host bits and all (the text shows the octets as sent).
      prefixes: fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), fc.uint8Array({ minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 4 }),
      v6: fc.boolean(),
      // The same attribute octets as the UPDATE before (an encoder reuses the octets of an UPDATE only for its own events).
      repeat: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(updateArb, { minLength: 1, maxLength: 8 }), (updates) => {
        const messages: Buffer[] = [];
        let last: Buffer | null = null;
        // One next hop for every IPv4 block, so only the UPDATE tells one block's attributes from the next's.
        updates.forEach((u) => {
          const communities = u.communities === null ? Buffer.alloc(0) : Buffer.concat(u.communities.map((v) => hex(v.toString(16).padStart(8, '0'))));
          const large = u.large === null ? Buffer.alloc(0) : Buffer.concat(u.large.flat().map((v) => hex(v.toString(16).padStart(8, '0'))));
          const parts = [attribute(0x40, 1, Buffer.from([0])), attribute(0x40, 2, hex('02 02 fbf4 0001')), attribute(0x40, 3, hex('c0000201'))];
          if (u.communities !== null) parts.push(attribute(0xc0, 8, communities));
          if (u.large !== null) parts.push(attribute(0xc0, 32, large));
          if (u.v6) {
            // MP_REACH_NLRI, IPv6 unicast (RFC 4760 §3): another next hop for the same attributes.
            const nlri = Buffer.concat(u.prefixes.map((_, k) => hex(`40 20010db8 0000 ${k.toString(16).padStart(4, '0')}`)));
            parts.unshift(attribute(0x80, 14, Buffer.concat([hex('0002 01 10 20010db8000000000000000000000001 00'), nlri])));
          }
          const attrs = u.repeat && last !== null ? last : Buffer.concat(parts);
          last = attrs;
          const nlri = Buffer.concat(u.prefixes.map(([bits, octets]) => Buffer.from([bits, ...octets.subarray(0, (bits + 7) >>> 3)])));
          messages.push(twoOctetPeerRouteMonitoring(update('', attrs.toString('hex'), nlri.toString('hex'))));
        });
        const { events, withSource } = assertSameOctetsLent(messages, 'random communities');
        assert.ok(events > 0);
        assert.equal(withSource, events, 'every event of these UPDATEs comes with its UPDATE');
      }),
      { numRuns: 200 },
    );
  });

  test('encodeAt writes encodeRecord\'s octets at any offset of a buffer, or asks for room and then does (property)', () => {
    const table = fullTableRouteEvents('192.0.2.7', { prefixesV4: 400, prefixesV6: 100, peers: 2, seed: 3 });
    const big = { ...(FIXTURES.route_monitoring.full as RouteEvent), communities: Array.from({ length: 3000 }, (_, i) => `65000:${i}`) };
    const events = [...table, FIXTURES.route_monitoring.full as RouteEvent, big, FIXTURES.route_monitoring.minimal as RouteEvent, ...table.slice(0, 50)];
    const MARK = 0xee;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(40), fc.nat(500)), { minLength: events.length, maxLength: events.length }), (places) => {
        const encoder = new RouteMonitoringEncoder();
        events.forEach((e, i) => {
          const [at, room] = places[i];
          const expected = encodeRecord('route_monitoring', SCHEMA_ID, e);
          let target = Buffer.alloc(at + room, MARK);
          let end = encoder.encodeAt(SCHEMA_ID, e, null, -1, target, at);
          let asked = 0;
          while (end < 0) {
            asked++;
            assert.ok(asked < 20, 'asks for room for ever');
            target = Buffer.alloc(target.length * 2 + 16, MARK);
            end = encoder.encodeAt(SCHEMA_ID, e, null, -1, target, at);
          }
          assert.ok(target.subarray(0, at).every((b) => b === MARK), `event ${i}: wrote before its offset`);
          if (!target.subarray(at, end).equals(expected)) assert.fail(`event ${i} (${e.family} ${e.prefix}) differs from encodeRecord's`);
        });
      }),
      { numRuns: 8 },
    );
    const encoder = new RouteMonitoringEncoder();
    const bad = { ...(FIXTURES.route_monitoring.full as RouteEvent), communities: [42] } as unknown as RouteEvent;
    assert.throws(() => encoder.encodeAt(SCHEMA_ID, bad, null, -1, Buffer.alloc(4096), 0), InvalidRecordError);
  });

  test('every capture of the test data', { skip: !HAVE_TESTDATA && 'no test data' }, async () => {
    let total = 0;
    const families = new Set<string>();
    for (const file of readdirSync(BMP_CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|bmp)$/.test(f))) {
      const events: RouteEvent[] = [];
      for (const input of await openInput(join(BMP_CAPTURE_DIR, file), '0.0.0.0')) {
        await decodeStream(input, (topic, ev) => {
          if (topic === 'route_monitoring') events.push(ev as RouteEvent);
        });
      }
      for (const e of events) families.add(e.family);
      total += assertSameOctets(events, file);
    }
    assert.ok(total > 10_000, `${total} route events`);
    for (const f of ['ipv4_unicast', 'ipv6_unicast', 'vpnv4_unicast', 'evpn', 'vpls']) assert.ok(families.has(f), `captures hold ${f} routes: ${[...families].join(' ')}`);
  });

  test('arrays and fields changed in place after a record was written are written anew', () => {
    const encoder = new RouteMonitoringEncoder();
    const full = FIXTURES.route_monitoring.full as RouteEvent;
    const e: RouteEvent = { ...full, as_path: full.as_path.map((h) => ({ ...h })), communities: [...full.communities] };
    const check = (what: string): void => assert.ok(encoder.encode(SCHEMA_ID, e).equals(encodeRecord('route_monitoring', SCHEMA_ID, e)), what);
    check('first');
    e.communities.push('65000:99');
    check('a community pushed');
    e.as_path[0].asn += 1;
    check('an AS path hop changed');
    e.as_path[0].segment = e.as_path[0].segment === 'set' ? 'sequence' : 'set';
    check('a hop segment changed');
    (e as { peer_as: number }).peer_as += 1;
    check('the peer AS changed');
    (e as { router_address: string }).router_address = '198.51.100.9';
    check('the router changed');
    e.sequence += 1;
    e.prefix = '203.0.113.0/24';
    check('the route changed');
    e.evpn = null;
    e.decoded_without_peer_up = !e.decoded_without_peer_up;
    check('the rest changed');
  });

  test('BMP timestamps, table names and route kinds, any and in any order, are written as encodeRecord writes them (property)', () => {
    const full = FIXTURES.route_monitoring.full as RouteEvent;
    const timestamp = fc.oneof(
      fc.constant(null),
      fc.integer({ min: 0, max: 2 ** 53 - 1 }),
      fc.constantFrom(0, 1_700_000_000_123_456, 2 ** 53 - 1),
      // Not for the direct writing: avsc writes or refuses them.
      fc.constantFrom(-1, -(2 ** 40), 2 ** 60, 1.5),
    );
    const table = fc.oneof(fc.constant(null), fc.constantFrom('', 'VRF-A', 'é'), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(fc.array(fc.record({ bmp_timestamp: timestamp, table_name: table, peer_as: fc.constantFrom(65000, 65001), action: fc.constantFrom('announce', 'withdraw') }), { minLength: 1, maxLength: 12 }), (changes) => {
        const encoder = new RouteMonitoringEncoder();
        for (const change of changes) {
          const e = { ...full, ...change } as RouteEvent;
          let expected: Buffer | null = null;
          try {
            expected = encodeRecord('route_monitoring', SCHEMA_ID, e);
          } catch (err) {
            assert.ok(err instanceof InvalidRecordError);
          }
          if (expected === null) assert.throws(() => encoder.encodeBorrowed(SCHEMA_ID, e), InvalidRecordError);
          else assert.deepEqual(encoder.encodeBorrowed(SCHEMA_ID, e), expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('an invalid record is refused with the path of the mismatch, and the next valid one is right', () => {
    const encoder = new RouteMonitoringEncoder();
    const good = FIXTURES.route_monitoring.full as RouteEvent;
    const bad = { ...good, communities: [42] } as unknown as RouteEvent;
    assert.throws(() => encoder.encode(SCHEMA_ID, bad), (err: unknown) => err instanceof InvalidRecordError && err.paths.includes('communities.0'));
    assert.throws(() => encoder.encode(SCHEMA_ID, { ...good, sequence: 1.5 }), InvalidRecordError);
    const negative = { ...good, sequence: -1 };
    assert.ok(encoder.encode(SCHEMA_ID, negative).equals(encodeRecord('route_monitoring', SCHEMA_ID, negative)), 'a negative long as encodeRecord writes it');
    assert.ok(encoder.encode(SCHEMA_ID, good).equals(encodeRecord('route_monitoring', SCHEMA_ID, good)));
    assert.throws(() => encoder.encode(-1, good), RangeError);
  });

  test('records far larger than the scratch buffer', () => {
    const big = { ...(FIXTURES.route_monitoring.full as RouteEvent) };
    big.communities = Array.from({ length: 20_000 }, (_, i) => `65000:${i}`);
    big.unknown_attributes = ['x'.repeat(70_000)];
    assertSameOctets([big, big, FIXTURES.route_monitoring.minimal as RouteEvent, big], 'big');
  });

  test('an event whose prefix, AS path, communities and large communities are on the wire is written with their texts wherever avsc writes them, and refused without its octets', () => {
    const lent = new BmpSessionDecoder({ routerAddress: '192.0.2.1', borrowedRouteEvents: true, deferredPrefixTexts: true });
    const reference = new BmpSessionDecoder({ routerAddress: '192.0.2.1' });
    const framer = new BmpFramer();
    for (const chunk of fullTableDump({ prefixesV4: 40, prefixesV6: 0, peers: 1, chunkSize: 64 * 1024 })) framer.push(chunk);
    let checked = 0;
    let withCommunities = 0;
    let withLargeCommunities = 0;
    let failure: string | null = null;
    for (let item = framer.next(); item !== null; item = framer.next()) {
      assert.equal(item.kind, 'message');
      if (item.kind !== 'message') break;
      const complete: RouteEvent[] = [];
      reference.decode(item.bytes, item.offset, (topic, ev) => topic === 'route_monitoring' && complete.push(ev as RouteEvent));
      let k = 0;
      // The decoder turns what its sink throws into an error event: the first failure is kept.
      lent.decode(item.bytes, item.offset, (topic, ev) => {
        if (topic === 'errors') failure ??= (ev as { reason: string }).reason;
        if (topic !== 'route_monitoring') return;
        const e = ev as RouteEvent;
        const want = complete[k++];
        if (e.prefix !== PREFIX_ON_THE_WIRE) return;
        const source = lent.attributeSource(e);
        const at = lent.prefixSource(e);
        assert.ok(source !== null && at >= 0);
        const encoder = new RouteMonitoringEncoder();
        // As read: from the octets.
        assert.deepEqual(encoder.encodeBorrowed(SCHEMA_ID, e, source, at), encodeRecord('route_monitoring', SCHEMA_ID, want));
        // A negative sequence: not for the direct writing, encodeRecord writes the record.
        const sequence = e.sequence;
        e.sequence = -5;
        assert.deepEqual(encoder.encodeBorrowed(SCHEMA_ID, e, source, at), encodeRecord('route_monitoring', SCHEMA_ID, { ...want, sequence: -5 }));
        const target = Buffer.alloc(4096);
        const end = encoder.encodeAt(SCHEMA_ID, e, source, at, target, 7);
        assert.deepEqual(target.subarray(7, end), encodeRecord('route_monitoring', SCHEMA_ID, { ...want, sequence: -5 }));
        e.sequence = sequence;
        // Labels: the NLRI fields by avsc.
        const labels = e.labels;
        e.labels = [16];
        assert.deepEqual(encoder.encodeBorrowed(SCHEMA_ID, e, source, at), encodeRecord('route_monitoring', SCHEMA_ID, { ...want, labels: [16] }));
        e.labels = labels;
        // A MED beyond the attribute writer's longs: avsc writes the attributes (a fresh encoder:
        // the same UPDATE vouches for the same attribute values).
        const med = e.med;
        e.med = 2 ** 60;
        assert.deepEqual(new RouteMonitoringEncoder().encodeBorrowed(SCHEMA_ID, e, source, at), encodeRecord('route_monitoring', SCHEMA_ID, { ...want, med: 2 ** 60 }));
        e.med = med;
        if (e.communities === COMMUNITIES_ON_THE_WIRE) withCommunities++;
        else assert.deepEqual(e.communities, want.communities);
        if (e.large_communities === LARGE_COMMUNITIES_ON_THE_WIRE) {
          withLargeCommunities++;
          // Only the large communities on the wire, without the octets: refused too.
          const onlyLarge = { ...e, prefix: want.prefix, as_path: want.as_path, communities: want.communities };
          assert.throws(() => encoder.encodeBorrowed(SCHEMA_ID, onlyLarge), /large communities are on the wire came without the octets/);
          assert.deepEqual(new RouteMonitoringEncoder().encodeBorrowed(SCHEMA_ID, onlyLarge, source, -1), encodeRecord('route_monitoring', SCHEMA_ID, want));
        } else {
          assert.deepEqual(e.large_communities, want.large_communities);
        }
        assert.equal(e.as_path, AS_PATH_ON_THE_WIRE);
        // Without the octets: refused, not written with a wrong prefix.
        assert.throws(() => encoder.encodeBorrowed(SCHEMA_ID, e), /on the wire came without the octets/);
        assert.throws(() => encoder.encodeBorrowed(SCHEMA_ID, e, source, -1), /prefix is on the wire came without the octets/);
        assert.deepEqual(encoder.encodeBorrowed(SCHEMA_ID, e, source, at), encodeRecord('route_monitoring', SCHEMA_ID, want));
        checked++;
      });
    }
    assert.equal(failure, null);
    assert.ok(checked >= 40, `${checked} events checked`);
    assert.ok(withCommunities > 0 && withCommunities < checked, `${withCommunities} of them with communities on the wire`);
    assert.ok(withLargeCommunities > 0 && withLargeCommunities < checked, `${withLargeCommunities} of them with large communities on the wire`);
    assert.throws(() => new BmpSessionDecoder({ routerAddress: '192.0.2.1', deferredPrefixTexts: true }), /needs borrowedRouteEvents/);
  });
});
