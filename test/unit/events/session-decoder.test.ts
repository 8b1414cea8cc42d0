/**
 * The session decoder: per-peer context from Peer Up (ADD-PATH, AS width) applied to Route
 * Monitoring, heuristics flagged when no Peer Up was seen, context forgotten on Peer Down, and
 * every failure turned into an error event. The Route Monitoring hot path (UPDATEs read in place,
 * straight into events) is checked against the general path on every capture and on synthetic
 * tables.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fullTableDump } from '../../../bench/full-table.js';
import { decodeStream, openInput } from '../../../services/cli/decode.js';
import { BmpFramer } from '../../../services/codec/framer.js';
import { BmpSessionDecoder } from '../../../services/events/session-decoder.js';
import type { EventByTopic, EventTopic } from '../../../services/events/model.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';
import { hex, update, bgp } from '../codec/bgp/helpers.js';

type Emitted = { topic: EventTopic; event: EventByTopic[EventTopic] };

function collect(decoder: BmpSessionDecoder, messages: Buffer[]): Emitted[] {
  const out: Emitted[] = [];
  let offset = 0;
  for (const m of messages) {
    decoder.decode(m, offset, (topic, event) => out.push({ topic, event }));
    offset += m.length;
  }
  return out;
}

/** BMP v3 message: common header + body. */
function bmp(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = 3;
  h.writeUInt32BE(6 + body.length, 1);
  h[5] = type;
  return Buffer.concat([h, body]);
}

/** Per-peer header for IPv4 peer 192.0.2.1, AS 65001 (RFC 7854 §4.2). */
function peerHeader(opts: { type?: number; flags?: number; as?: number; seconds?: number } = {}): Buffer {
  const b = Buffer.alloc(42);
  b[0] = opts.type ?? 0;
  b[1] = opts.flags ?? 0;
  if ((opts.type ?? 0) !== 3) b.set([192, 0, 2, 1], 10 + 12);
  b.writeUInt32BE(opts.as ?? 65001, 26);
  b.set([192, 0, 2, 1], 30);
  b.writeUInt32BE(opts.seconds ?? 1_700_000_000, 34);
  b.writeUInt32BE(250, 38);
  return b;
}

/** OPEN with 4-octet AS capability and, optionally, ADD-PATH for IPv4 unicast (RFC 7911 §4). */
function open(asn: number, addPath: number | null, fourOctet = true): Buffer {
  const caps: string[] = ['0104 00010001']; // multiprotocol ipv4 unicast
  if (fourOctet) caps.push(`4104 ${asn.toString(16).padStart(8, '0')}`);
  if (addPath !== null) caps.push(`4504 0001 01 0${addPath}`);
  const capBytes = hex(caps.join(''));
  const param = Buffer.concat([Buffer.from([2, capBytes.length]), capBytes]);
  const myAs = asn > 0xffff ? 23456 : asn;
  const fixed = Buffer.alloc(10);
  fixed[0] = 4;
  fixed.writeUInt16BE(myAs, 1);
  fixed.writeUInt16BE(90, 3);
  fixed.set([192, 0, 2, asn & 0xff], 5);
  fixed[9] = param.length;
  return bgp(1, Buffer.concat([fixed, param]).toString('hex'));
}

function peerUp(sent: Buffer, received: Buffer, opts: { type?: number } = {}): Buffer {
  const local = Buffer.alloc(20);
  local.set([192, 0, 2, 254], 12);
  local.writeUInt16BE(179, 16);
  local.writeUInt16BE(40000, 18);
  return bmp(3, Buffer.concat([peerHeader(opts), local, sent, received]));
}

// Attributes: ORIGIN IGP, AS_PATH sequence [65001 4200000000] (4-octet), NEXT_HOP 192.0.2.1,
// COMMUNITIES 65001:100.
const ATTRS_AS4 = '40 01 01 00  40 02 0a 02 02 0000fde9 fa56ea00  40 03 04 c0000201  c0 08 04 fde90064';
// The same path with 2-octet ASNs and AS_TRANS, plus AS4_PATH carrying the real one (RFC 6793).
const ATTRS_AS2 = '40 01 01 00  40 02 06 02 02 fde9 5ba0  40 03 04 c0000201  c0 11 0a 02 02 0000fde9 fa56ea00';

test('ADD-PATH negotiated in the Peer Up puts path ids on the routes', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  // Router can receive (1), peer can send (2): Adj-RIB-In carries path ids (RFC 7911 §5).
  const nlri = '00000007 18 0a0001  00000009 18 0a0002';
  const events = collect(d, [peerUp(open(65000, 1), open(65001, 2)), bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, nlri)]))]);
  assert.equal(events[0].topic, 'peer_up');
  const up = events[0].event as EventByTopic['peer_up'];
  assert.deepEqual(up.add_path_families, ['ipv4_unicast']);
  assert.equal(up.four_octet_as, true);
  assert.equal(up.received_open?.asn, 65001);
  const routes = events.slice(1).map((e) => e.event as EventByTopic['route_monitoring']);
  assert.deepEqual(
    routes.map((r) => [r.action, r.prefix, r.path_id]),
    [
      ['announce', '10.0.1.0/24', 7],
      ['announce', '10.0.2.0/24', 9],
    ],
  );
  const r = routes[0];
  assert.equal(r.router_address, '198.51.100.1');
  assert.equal(r.peer_address, '192.0.2.1');
  assert.equal(r.peer_as, 65001);
  assert.equal(r.peer_type, 'global');
  assert.equal(r.bmp_timestamp, 1_700_000_000_000_250);
  assert.deepEqual(r.as_path, [
    { asn: 65001, segment: 'sequence' },
    { asn: 4200000000, segment: 'sequence' },
  ]);
  assert.equal(r.next_hop, '192.0.2.1');
  assert.deepEqual(r.communities, ['65001:100']);
  assert.equal(r.decoded_without_peer_up, false);
  assert.ok(routes[0].as_path === routes[1].as_path, 'prefixes of one UPDATE share the converted attributes');
  assert.deepEqual(
    events.map((e) => e.event.sequence),
    [0, 1, 2],
    'sequence numbers increase by one per event',
  );
});

test('the same NLRI bytes without ADD-PATH in the OPENs read as plain prefixes', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const events = collect(d, [peerUp(open(65000, null), open(65001, null)), bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, '18 0a0001')]))]);
  const r = events[1].event as EventByTopic['route_monitoring'];
  assert.equal(r.prefix, '10.0.1.0/24');
  assert.equal(r.path_id, null);
});

test('A flag: 2-octet AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3)', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const events = collect(d, [peerUp(open(65000, null), open(65001, null)), bmp(0, Buffer.concat([peerHeader({ flags: 0x20 }), update('', ATTRS_AS2, '18 0a0001')]))]);
  const r = events[1].event as EventByTopic['route_monitoring'];
  assert.equal(r.is_as2, true);
  assert.deepEqual(r.as_path, [
    { asn: 65001, segment: 'sequence' },
    { asn: 4200000000, segment: 'sequence' },
  ]);
});

test('no Peer Up seen: routes are decoded by heuristics and flagged', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const events = collect(d, [bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, '18 0a0001')]))]);
  const r = events[0].event as EventByTopic['route_monitoring'];
  assert.equal(r.prefix, '10.0.1.0/24');
  assert.deepEqual(r.as_path, [
    { asn: 65001, segment: 'sequence' },
    { asn: 4200000000, segment: 'sequence' },
  ]);
  assert.equal(r.decoded_without_peer_up, true);
});

test('withdrawals carry no attributes; End-of-RIB is its own event', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const events = collect(d, [
    peerUp(open(65000, null), open(65001, null)),
    bmp(0, Buffer.concat([peerHeader({ flags: 0x40 }), update('18 0a0001 10 0a02', '')])),
    bmp(0, Buffer.concat([peerHeader(), update('', '')])),
  ]);
  const routes = events.slice(1).map((e) => e.event as EventByTopic['route_monitoring']);
  assert.deepEqual(
    routes.map((r) => [r.action, r.prefix, r.is_post_policy]),
    [
      ['withdraw', '10.0.1.0/24', true],
      ['withdraw', '10.2.0.0/16', true],
      ['end_of_rib', null, false],
    ],
  );
  assert.deepEqual(routes[0].as_path, []);
  assert.equal(routes[0].origin, null);
  assert.equal(routes[2].family, 'ipv4_unicast');
});

test('Peer Down forgets the ADD-PATH context; its NOTIFICATION is decoded', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  // Reason 1: local system closed with a NOTIFICATION, Cease / administrative shutdown (6/2).
  const notification = bgp(3, '06 02');
  const events = collect(d, [
    peerUp(open(65000, 1), open(65001, 2)),
    bmp(2, Buffer.concat([peerHeader(), Buffer.from([1]), notification])),
    bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, '18 0a0001')])),
  ]);
  const down = events[1].event as EventByTopic['peer_down'];
  assert.equal(events[1].topic, 'peer_down');
  assert.equal(down.reason_code, 1);
  assert.equal(down.notification_code, 6);
  assert.equal(down.notification_subcode, 2);
  assert.match(down.notification ?? '', /cease/i);
  const r = events[2].event as EventByTopic['route_monitoring'];
  assert.equal(r.decoded_without_peer_up, true, 'after Peer Down the peer has no context');
  assert.equal(r.path_id, null);
});

test('Loc-RIB peers are always 4-octet and keyed by BGP ID (RFC 9069)', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const locRibOpen = open(65000, 3);
  const events = collect(d, [
    peerUp(locRibOpen, locRibOpen, { type: 3 }),
    bmp(0, Buffer.concat([peerHeader({ type: 3, as: 65000 }), update('', ATTRS_AS4, '00000001 18 0a0001')])),
  ]);
  const up = events[0].event as EventByTopic['peer_up'];
  assert.equal(up.peer_type, 'loc_rib');
  assert.deepEqual(up.add_path_families, ['ipv4_unicast']);
  const r = events[1].event as EventByTopic['route_monitoring'];
  assert.equal(r.peer_type, 'loc_rib');
  assert.equal(r.path_id, 1);
  assert.equal(r.decoded_without_peer_up, false);
});

/** Fabricated Loc-RIB OPEN (RFC 9069 §5.2) listing `families` [afi, safi, with ADD-PATH]. */
function familyOpen(asn: number, families: Array<[number, number, boolean]>): Buffer {
  const hex4 = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');
  const caps = [`4104 ${hex4(asn, 8)}`];
  for (const [afi, safi, addPath] of families) {
    caps.push(`0104 ${hex4(afi, 4)}00${hex4(safi, 2)}`);
    if (addPath) caps.push(`4504 ${hex4(afi, 4)}${hex4(safi, 2)}03`);
  }
  const capBytes = hex(caps.join(''));
  const param = Buffer.concat([Buffer.from([2, capBytes.length]), capBytes]);
  const fixed = Buffer.alloc(10);
  fixed[0] = 4;
  fixed.writeUInt16BE(asn, 1);
  fixed.writeUInt16BE(90, 3);
  fixed.set([192, 0, 2, 1], 5);
  fixed[9] = param.length;
  return bgp(1, Buffer.concat([fixed, param]).toString('hex'));
}

test('Loc-RIB Peer Up per family (Huawei VRP, Junos): a later Peer Up keeps the ADD-PATH of families it does not list', () => {
  const locRibUp = (families: Array<[number, number, boolean]>): Buffer => {
    const o = familyOpen(65000, families);
    return peerUp(o, o, { type: 3 });
  };
  // Path id 0 then 192.0.2.15/32. Without ADD-PATH the same 9 octets read as four 0.0.0.0/0 and
  // 192.0.2.15/32: only the Peer Up context tells them apart.
  const rm = bmp(0, Buffer.concat([peerHeader({ type: 3, as: 65000 }), update('', ATTRS_AS4, '00000000 20 c000020f')]));
  const routes = (events: Emitted[]): Array<[string | null, number | null]> =>
    events.filter((e) => e.topic === 'route_monitoring').map((e) => [(e.event as EventByTopic['route_monitoring']).prefix, (e.event as EventByTopic['route_monitoring']).path_id]);

  // IPv4 unicast with ADD-PATH, then IPv6 unicast with ADD-PATH, for the same instance.
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const events = collect(d, [locRibUp([[1, 1, true]]), locRibUp([[2, 1, true]]), rm]);
  assert.deepEqual((events[1].event as EventByTopic['peer_up']).add_path_families, ['ipv6_unicast']);
  assert.deepEqual(routes(events), [['192.0.2.15/32', 0]]);
  assert.equal((events[2].event as EventByTopic['route_monitoring']).decoded_without_peer_up, false);

  // A Peer Up that lists IPv4 unicast again decides it anew: here without ADD-PATH.
  const again = collect(new BmpSessionDecoder({ routerAddress: '198.51.100.1' }), [locRibUp([[1, 1, true]]), locRibUp([[1, 1, false], [2, 1, true]]), rm]);
  assert.deepEqual(routes(again), [
    ['0.0.0.0/0', null],
    ['0.0.0.0/0', null],
    ['0.0.0.0/0', null],
    ['0.0.0.0/0', null],
    ['192.0.2.15/32', null],
  ]);

  // Peer Down ends the instance: the next Peer Up starts from nothing.
  const down = bmp(2, Buffer.concat([peerHeader({ type: 3, as: 65000 }), hex('02 0000')]));
  const after = collect(new BmpSessionDecoder({ routerAddress: '198.51.100.1' }), [locRibUp([[1, 1, true]]), down, locRibUp([[2, 1, true]]), rm]);
  assert.equal(routes(after).length, 5);

  // Adj-RIB-In peers are not merged: a second Peer Up replaces the first (notes §5.3).
  const adjIn = collect(new BmpSessionDecoder({ routerAddress: '198.51.100.1' }), [
    peerUp(familyOpen(65000, [[1, 1, true]]), familyOpen(65001, [[1, 1, true]])),
    peerUp(familyOpen(65000, [[2, 1, true]]), familyOpen(65001, [[2, 1, true]])),
    bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, '00000000 20 c000020f')])),
  ]);
  assert.equal(routes(adjIn).length, 5);
});

test('a malformed UPDATE becomes an error event with the raw bytes and the session goes on', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const bad = update('', ATTRS_AS4, '18 0a0001');
  bad.writeUInt16BE(0x00ff, 19); // withdrawn routes length far beyond the message
  const badMessage = bmp(0, Buffer.concat([peerHeader(), bad]));
  const events = collect(d, [badMessage, bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, '18 0a0001')]))]);
  assert.equal(events[0].topic, 'errors');
  const e = events[0].event as EventByTopic['errors'];
  assert.equal(e.message_type, 0);
  assert.equal(e.stream_offset, 0);
  assert.equal(e.fatal, false);
  assert.match(e.reason, /withdrawn routes length/i);
  assert.deepEqual(e.raw, badMessage);
  assert.equal(events[1].topic, 'route_monitoring', 'the next message still decodes');
});

test('unknown message types are kept as error events, not dropped', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const odd = bmp(42, Buffer.from('hello'));
  const events = collect(d, [odd]);
  assert.equal(events[0].topic, 'errors');
  const e = events[0].event as EventByTopic['errors'];
  assert.equal(e.message_type, 42);
  assert.match(e.reason, /unknown BMP message type 42/);
});

test('Initiation and Termination carry their TLVs', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const tlv = (type: number, text: string): Buffer => {
    const v = Buffer.from(text);
    const h = Buffer.alloc(4);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(v.length, 2);
    return Buffer.concat([h, v]);
  };
  const reason = Buffer.from([0, 1, 0, 2, 0, 1]); // Reason TLV: 1 = administratively closed... code 1
  const events = collect(d, [bmp(4, Buffer.concat([tlv(2, 'edge1'), tlv(1, 'RouterOS 9')])), bmp(5, reason)]);
  const init = events[0].event as EventByTopic['initiation'];
  assert.equal(init.sys_name, 'edge1');
  assert.equal(init.sys_descr, 'RouterOS 9');
  const term = events[1].event as EventByTopic['termination'];
  assert.equal(term.reason_code, 1);
  assert.ok(term.reason);
});

test('Peer Down after routes of the peer: later routes lose the remembered context too', () => {
  const d = new BmpSessionDecoder({ routerAddress: '198.51.100.1' });
  const withIds = '00000007 18 0a0001';
  const events = collect(d, [
    peerUp(open(65000, 1), open(65001, 2)),
    bmp(0, Buffer.concat([peerHeader(), update('', ATTRS_AS4, withIds)])),
    bmp(2, Buffer.concat([peerHeader(), Buffer.from([2, 0, 0])])),
    bmp(0, Buffer.concat([peerHeader({ seconds: 1_700_000_001 }), update('', ATTRS_AS4, '18 0a0001')])),
    peerUp(open(65000, null), open(65001, null)),
    bmp(0, Buffer.concat([peerHeader({ seconds: 1_700_000_002 }), update('', ATTRS_AS4, '18 0a0002')])),
  ]);
  const routes = events.filter((e) => e.topic === 'route_monitoring').map((e) => e.event as EventByTopic['route_monitoring']);
  assert.deepEqual(
    routes.map((r) => [r.prefix, r.path_id, r.decoded_without_peer_up, r.bmp_timestamp]),
    [
      ['10.0.1.0/24', 7, false, 1_700_000_000_000_250],
      ['10.0.1.0/24', null, true, 1_700_000_001_000_250],
      ['10.0.2.0/24', null, false, 1_700_000_002_000_250],
    ],
  );
});

/** Every event of the streams, each stream decoded as `bmp decode` does (one session decoder each). */
async function decodeAll(streams: { routerAddress: string; chunks: Iterable<Buffer> | AsyncIterable<Buffer> }[]): Promise<Emitted[]> {
  const out: Emitted[] = [];
  for (const input of streams) await decodeStream(input, (topic, event) => out.push({ topic, event }));
  return out;
}

describe('the Route Monitoring hot path gives the events of the general path', () => {
  /** Decodes the streams twice: as is, and with the hot path switched off (a decoder that never takes it). */
  async function bothWays(streams: () => Promise<{ routerAddress: string; chunks: Iterable<Buffer> | AsyncIterable<Buffer> }[]>): Promise<{ fast: Emitted[]; general: Emitted[]; hot: number }> {
    const proto = BmpSessionDecoder.prototype as unknown as { plainRouteMonitoring: (...args: unknown[]) => unknown };
    const original = proto.plainRouteMonitoring;
    let hot = 0;
    proto.plainRouteMonitoring = function (this: unknown, ...args: unknown[]) {
      const outcome = original.apply(this, args);
      if (outcome !== null) hot++;
      return outcome;
    };
    try {
      const fast = await decodeAll(await streams());
      proto.plainRouteMonitoring = () => null;
      const general = await decodeAll(await streams());
      return { fast, general, hot };
    } finally {
      proto.plainRouteMonitoring = original;
    }
  }

  test('synthetic full tables, plain and ADD-PATH', async () => {
    for (const addPath of [false, true]) {
      const { fast, general, hot } = await bothWays(async () => [
        { routerAddress: '192.0.2.254', chunks: [...fullTableDump({ prefixesV4: 3000, prefixesV6: 1000, peers: 3, seed: 5, addPath })] },
      ]);
      assert.ok(hot > 1000, `hot path taken ${hot} times`);
      assert.equal(fast.length, general.length);
      assert.deepStrictEqual(fast, general);
    }
  });

  test('every capture', { skip: !HAVE_TESTDATA && 'no test data' }, async () => {
    const files = readdirSync(BMP_CAPTURE_DIR).filter((f) => /\.(pcap|pcapng|bmp)$/.test(f));
    assert.ok(files.length > 0);
    let hotTotal = 0;
    for (const file of files) {
      const { fast, general, hot } = await bothWays(() => openInput(join(BMP_CAPTURE_DIR, file), '0.0.0.0'));
      hotTotal += hot;
      assert.equal(fast.length, general.length, file);
      assert.deepStrictEqual(fast, general, file);
    }
    assert.ok(hotTotal > 1000, `hot path taken ${hotTotal} times`);
  });
});

describe('borrowed route events', () => {
  /** Every event as it was at its sink call (a shallow copy: only top-level fields are updated in place). */
  function eventsOf(borrowed: boolean, chunks: Buffer[]): { events: Emitted[]; distinct: number } {
    const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.254', borrowedRouteEvents: borrowed });
    const framer = new BmpFramer({ maxMessageSize: 1 << 20 });
    const events: Emitted[] = [];
    const seen = new Set<object>();
    for (const chunk of chunks) {
      framer.push(chunk);
      for (let item = framer.next(); item !== null; item = framer.next()) {
        assert.equal(item.kind, 'message');
        if (item.kind !== 'message') break;
        decoder.decode(item.bytes, item.offset, (topic, event) => {
          seen.add(event);
          events.push({ topic, event: { ...event } });
        });
      }
    }
    return { events, distinct: seen.size };
  }

  test('the sink sees at each call what it would with an event per prefix, with fewer objects', () => {
    for (const addPath of [false, true]) {
      const chunks = [...fullTableDump({ prefixesV4: 3000, prefixesV6: 1000, peers: 3, seed: 7, addPath })];
      const own = eventsOf(false, chunks);
      const borrowed = eventsOf(true, chunks);
      assert.equal(borrowed.events.length, own.events.length);
      assert.deepStrictEqual(borrowed.events, own.events);
      assert.equal(own.distinct, own.events.length);
      assert.ok(borrowed.distinct < own.events.length / 2, `${borrowed.distinct} objects for ${own.events.length} events`);
    }
  });
});

describe('attribute source of lent route events', () => {
  // 2-octet AS_PATH and a peer with the A flag: the hot path reads it without a Peer Up.
  const ATTRS = '40 01 01 00  40 02 06 02 02 fde9 5ba0  40 03 04 c0000201  c0 08 08 fde90064 fde900c8  c0 20 0c 00000001 00000002 00000003';

  function sources(borrowed: boolean, message: Buffer): Array<{ action: string; source: ReturnType<BmpSessionDecoder['attributeSource']> }> {
    const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.254', borrowedRouteEvents: borrowed });
    const seen: Array<{ action: string; source: ReturnType<BmpSessionDecoder['attributeSource']>; event: EventByTopic['route_monitoring'] }> = [];
    decoder.decode(message, 0, (topic, event) => {
      if (topic !== 'route_monitoring') return;
      const e = event as EventByTopic['route_monitoring'];
      seen.push({ action: e.action, source: decoder.attributeSource(e), event: e });
    });
    // Only during the sink call.
    for (const s of seen) assert.equal(decoder.attributeSource(s.event), null);
    return seen.map(({ action, source }) => ({ action, source }));
  }

  test('is the scanned UPDATE, with where its communities lie, for announcements only, and only when lent', () => {
    const message = bmp(0, Buffer.concat([peerHeader({ flags: 0x20 }), update('18 0a0009', ATTRS, '18 0a0001 18 0a0002')]));
    const lent = sources(true, message);
    assert.deepEqual(
      lent.map((s) => [s.action, s.source !== null]),
      [
        ['withdraw', false],
        ['announce', true],
        ['announce', true],
      ],
    );
    const source = lent[1].source;
    assert.ok(source !== null);
    assert.equal(lent[2].source, source, 'one source for the UPDATE');
    assert.deepEqual(source.octets.subarray(source.communitiesAt, source.communitiesEnd), hex('fde90064 fde900c8'));
    assert.deepEqual(source.octets.subarray(source.largeCommunitiesAt, source.largeCommunitiesEnd), hex('00000001 00000002 00000003'));
    assert.deepEqual(
      sources(false, message).map((s) => s.source),
      [null, null, null],
    );
 
    // Each announcement's prefix where it lies: its length octet, then its octets.
    const at = (message: Buffer, i: number): string | null => {
      const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.254', borrowedRouteEvents: true });
      const found: Array<string | null> = [];
      decoder.decode(message, 0, (_, event) => {
        const e = event as EventByTopic['route_monitoring'];
        const p = decoder.prefixSource(e);
        const s = decoder.attributeSource(e);
        found.push(p < 0 || s === null ? null : s.octets.subarray(p, p + 4).toString('hex'));
      });
      return found[i];
    };
    assert.deepEqual([0, 1, 2].map((i) => at(message, i)), [null, '180a0001', '180a0002']);
    // Another UPDATE, even of the same octets, is another source.
    const again = sources(true, message);
    assert.notEqual(again[1].source?.serial, source.serial);
  });
});
