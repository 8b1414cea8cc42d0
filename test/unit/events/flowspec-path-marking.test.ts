/**
 * Route events of the codec-breadth additions: flowspec rules (prefix = rule text, `flowspec` =
 * components, traffic actions in extended_communities) and BMP v4 Path Marking TLVs mapped onto
 * the routes they apply to (path_status / path_reason), from a real Huawei capture and from
 * encoder-built messages. Every event must also encode to Avro with the route_monitoring schema.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeStream, openInput } from '../../../services/cli/decode.js';
import { BmpSessionDecoder } from '../../../services/events/session-decoder.js';
import type { EventByTopic, EventTopic, PeerDownEvent, RouteEvent } from '../../../services/events/model.js';
import {
  encodeBmpMessage,
  groupTlvValue,
  makePerPeerHeader,
  makeV4Tlv,
  pathMarkingTlvValue,
  V4_TLV_G_BIT,
} from '../../../services/codec/bmp/index.js';
import { decodeRecord, encodeRecord } from '../../../services/kafka/avro/index.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';
import { hex, update } from '../codec/bgp/helpers.js';

function routeEvents(messages: Buffer[]): RouteEvent[] {
  const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.254' });
  const out: RouteEvent[] = [];
  const sink = <T extends EventTopic>(topic: T, event: EventByTopic[T]): void => {
    assert.notEqual(topic, 'errors', `unexpected error event: ${JSON.stringify(event)}`);
    if (topic === 'route_monitoring') out.push(event as RouteEvent);
  };
  let offset = 0;
  for (const m of messages) {
    decoder.decode(m, offset, sink);
    offset += m.length;
  }
  return out;
}

/** Avro round trip of a route event with the route_monitoring schema. */
function avroRoundTrip(event: RouteEvent): void {
  const back = decodeRecord('route_monitoring', encodeRecord('route_monitoring', 1, event)).value as unknown as RouteEvent;
  // avsc gives record-class instances: compare their JSON.
  assert.deepEqual(JSON.parse(JSON.stringify(back.flowspec)), event.flowspec);
  assert.deepEqual(back.path_status, event.path_status);
  assert.equal(back.path_reason, event.path_reason);
}

const peer = makePerPeerHeader({ peerType: 0, peerAddress: '192.0.2.1', peerAs: 65001, peerBgpId: '192.0.2.1', timestamp: 1_700_000_000_000_000 });

/** Attributes of an announcement: ORIGIN IGP, AS_PATH [65001], NEXT_HOP 192.0.2.1. */
const BASE_ATTRS = '40 01 01 00  40 02 06 02 01 0000fde9  40 03 04 c0000201';

describe('flowspec route events', () => {
  test('one event per rule: rule text in prefix, components in flowspec, actions in extended_communities', () => {
    // MP_REACH 1/133, next hop length 0 (RFC 8955 §4), two rules; EXTENDED_COMMUNITIES with
    // traffic-rate 0 (discard), redirect 65000:100 and traffic-marking 46 (RFC 8955 §7).
    const nlri = '0c 01 18 c00002 03 81 06 05 91 01bb   0c 02 20 c6336401 09 81 02 0c 81 01';
    const mpReach = `90 0e ${((5 + hex(nlri).length) & 0xffff).toString(16).padStart(4, '0')} 0001 85 00 00 ${nlri}`;
    const ext = 'c0 10 18  8006 fde8 00000000  8008 fde8 00000064  8009 00000000002e';
    const pdu = update('', `40 01 01 00  40 02 06 02 01 0000fde9  ${mpReach}  ${ext}`);
    const msg = encodeBmpMessage({ type: 'route_monitoring', version: 3, peer, pdu, v4Layout: null, tlvs: [] });
    const events = routeEvents([msg]);
    assert.deepEqual(
      events.map((e) => [e.family, e.action, e.prefix, e.raw_nlri]),
      [
        ['ipv4_flowspec', 'announce', 'dst 192.0.2.0/24 && proto =6 && dport =443', null],
        ['ipv4_flowspec', 'announce', 'src 198.51.100.1/32 && tcp-flags =syn && frag =df', null],
      ],
    );
    assert.deepEqual(events[0].flowspec, [
      { type: 1, name: 'destination_prefix', prefix: '192.0.2.0/24', offset: null, items: [] },
      { type: 3, name: 'ip_protocol', prefix: null, offset: null, items: [{ operator: 0x81, and: false, op: '=', value: 6 }] },
      { type: 5, name: 'destination_port', prefix: null, offset: null, items: [{ operator: 0x91, and: false, op: '=', value: 443 }] },
    ]);
    assert.deepEqual(events[1].flowspec?.[1], { type: 9, name: 'tcp_flags', prefix: null, offset: null, items: [{ operator: 0x81, and: false, op: 'all', value: 2 }] });
    assert.deepEqual(events[0].extended_communities, ['traffic-rate:65000:0', 'redirect:65000:100', 'traffic-marking:46']);
    assert.equal(events[0].path_status, null);
    for (const e of events) avroRoundTrip(e);
  });

  test('VPN flowspec withdrawal: rd set, labels empty; ordinary routes keep flowspec null', () => {
    // IPv6 (afi 2) SAFI 134: length 17 = RD (8) + destination c000:200::/24 offset 0 (6) + dscp =46 (3).
    const mpUnreach = '90 0f 0015 0002 86  11 0000fde800000064 01 18 00 c00002 0b 81 2e';
    const pdu = update('18 c63364', mpUnreach);
    const msg = encodeBmpMessage({ type: 'route_monitoring', version: 3, peer, pdu, v4Layout: null, tlvs: [] });
    const events = routeEvents([msg]);
    assert.deepEqual(
      events.map((e) => [e.family, e.action, e.prefix, e.rd, e.labels, e.flowspec === null]),
      [
        ['ipv4_unicast', 'withdraw', '198.51.100.0/24', null, [], true],
        ['ipv6_flowspec_vpn', 'withdraw', 'dst c000:200::/24 && dscp =46', '65000:100', [], false],
      ],
    );
    for (const e of events) avroRoundTrip(e);
  });
});

describe('BMP v4 Path Marking TLVs in route events', () => {
  test(
    'netgauze-huawei-bmpv4-locrib-path-marking.pcap: the TLV of Index 1 marks the first NLRI',
    { skip: HAVE_TESTDATA ? false : 'no shared test data' },
    async () => {
      // Checked by hand in the TCP payload: the first Route Monitoring carries Group TLV
      // 0002 0004 8001 0001 0002 (group 1 = NLRI 1 and 2), VRF 0003 0006 0000 "global", the
      // BGP PDU TLV (0004 003d 0000 ...: 111.1.1.1/32 and 111.1.1.2/32), and Path Marking
      // 0005 0004 0001 0000008a: Index 1 without the G bit, status 0x8a = best | primary |
      // add_path, no reason code. The second carries the same Path Marking TLV for its one NLRI
      // 112.1.1.1/32; the third (End-of-RIB) none.
      const events: RouteEvent[] = [];
      const peerDowns: PeerDownEvent[] = [];
      for (const input of await openInput(join(BMP_CAPTURE_DIR, 'netgauze-huawei-bmpv4-locrib-path-marking.pcap'), '0.0.0.0')) {
        await decodeStream(input, (topic, event) => {
          if (topic === 'route_monitoring') events.push(event as RouteEvent);
          if (topic === 'peer_down') peerDowns.push(event as PeerDownEvent);
        });
      }
      // The v4 Peer Down (reason 6) carries its VRF/Table Name TLV 0003 0006 "global": in tlvs.
      assert.deepEqual(
        peerDowns.map((e) => [e.reason_code, e.table_name, e.tlvs.map((t) => [t.type, t.name, t.text])]),
        [[6, 'global', [[3, 'vrf_table_name', 'global']]]],
      );
      assert.deepEqual(
        events.map((e) => [e.action, e.prefix, e.table_name, e.path_status, e.path_reason]),
        [
          ['announce', '111.1.1.1/32', 'global', ['best', 'primary', 'add_path'], null],
          ['announce', '111.1.1.2/32', 'global', null, null],
          ['announce', '112.1.1.1/32', 'global', ['best', 'primary', 'add_path'], null],
          ['end_of_rib', null, 'global', null, null],
        ],
      );
      for (const e of events) avroRoundTrip(e);
    },
  );

  test('Index 0, NLRI ordinals and groups: which TLV applies to which route', () => {
    // Four NLRI: 10.0.1.0/24 .. 10.0.4.0/24.
    const pdu = update('', BASE_ATTRS, '18 0a0001  18 0a0002  18 0a0003  18 0a0004');
    const group = V4_TLV_G_BIT | 1;
    const msg = encodeBmpMessage({
      type: 'route_monitoring',
      version: 4,
      peer,
      pdu,
      v4Layout: 'tlv',
      tlvs: [
        makeV4Tlv(2, groupTlvValue([2, 3]), group),
        makeV4Tlv(4, pdu, 0),
        // Index 0: every route without a TLV of its own.
        makeV4Tlv(5, pathMarkingTlvValue(0x01, 1), 0),
        // The group: NLRI 2 and 3.
        makeV4Tlv(5, pathMarkingTlvValue(0x12, 6), group),
        // NLRI 3 again: the group's TLV came first and stays.
        makeV4Tlv(5, pathMarkingTlvValue(0x04, 99), 3),
        // NLRI 4: a bit implementations disagree on, and no reason code.
        makeV4Tlv(5, pathMarkingTlvValue(0x400), 4),
      ],
    });
    const events = routeEvents([msg]);
    assert.deepEqual(
      events.map((e) => [e.prefix, e.path_status, e.path_reason]),
      [
        ['10.0.1.0/24', ['invalid'], 'invalid_as_loop'],
        ['10.0.2.0/24', ['best', 'backup'], 'not_preferred_med'],
        ['10.0.3.0/24', ['best', 'backup'], 'not_preferred_med'],
        ['10.0.4.0/24', ['bit_0x400'], null],
      ],
    );
    for (const e of events) avroRoundTrip(e);
  });

  test('withdrawals count first; an unknown reason code is reported by number', () => {
    const pdu = update('18 0a0009', BASE_ATTRS, '18 0a0001');
    const msg = encodeBmpMessage({
      type: 'route_monitoring',
      version: 4,
      peer,
      pdu,
      v4Layout: 'tlv',
      tlvs: [makeV4Tlv(4, pdu, 0), makeV4Tlv(5, pathMarkingTlvValue(0x20, 300), 2)],
    });
    assert.deepEqual(
      routeEvents([msg]).map((e) => [e.action, e.prefix, e.path_status, e.path_reason]),
      [
        ['withdraw', '10.0.9.0/24', null, null],
        ['announce', '10.0.1.0/24', ['non_installed'], 'reason_300'],
      ],
    );
  });
});

describe('BMP v4 Stateless Parsing TLVs decide ADD-PATH without a Peer Up', () => {
  /** Route events of a capture, optionally dropping its Peer Up messages (type 3). */
  async function captureRoutes(file: string, dropPeerUps: boolean): Promise<RouteEvent[]> {
    const events: RouteEvent[] = [];
    for (const input of await openInput(join(BMP_CAPTURE_DIR, file), '0.0.0.0')) {
      const decoder = new BmpSessionDecoder({ routerAddress: input.routerAddress });
      const { BmpFramer } = await import('../../../services/codec/framer.js');
      const framer = new BmpFramer();
      for await (const chunk of input.chunks) framer.push(chunk);
      for (let item = framer.next(); item !== null && item.kind === 'message'; item = framer.next()) {
        if (dropPeerUps && item.type === 3) continue;
        decoder.decode(item.bytes, item.offset, (topic, event) => {
          assert.notEqual(topic, 'errors');
          if (topic === 'route_monitoring') events.push(event as RouteEvent);
        });
      }
    }
    return events;
  }
  const key = (e: RouteEvent): string => `${e.peer_address} ${e.is_post_policy ? 'post' : 'pre'} ${e.is_adj_rib_out ? 'out' : 'in'} ${e.action} ${e.prefix} ${e.path_id}`;

  test(
    'netgauze-huawei-bmpv4-addpath-peerup.pcap without its Peer Ups: the same routes and path ids, not guessed where the TLV is',
    { skip: HAVE_TESTDATA ? false : 'no shared test data' },
    async () => {
      const withPeerUps = await captureRoutes('netgauze-huawei-bmpv4-addpath-peerup.pcap', false);
      const without = await captureRoutes('netgauze-huawei-bmpv4-addpath-peerup.pcap', true);
      assert.deepEqual(without.map(key), withPeerUps.map(key));
      // 45 04 0001 01 01 (receive) on peer 1.1.1.1: path ids in its Adj-RIB-In, none in its Adj-RIB-Out;
      // 45 04 0001 01 02 (send) on 3.3.3.3: path ids in its Adj-RIB-Out.
      const announced = without.filter((e) => e.action === 'announce' && e.peer_address !== '0.0.0.0');
      assert.deepEqual(
        [...new Set(announced.map((e) => `${e.peer_address} ${e.is_adj_rib_out ? 'out' : 'in'} ${e.path_id} ${e.decoded_without_peer_up}`))],
        ['1.1.1.1 in 0 false', '1.1.1.1 out null false', '3.3.3.3 out 0 false'],
      );
    },
  );

  test(
    'netgauze-huawei-bmpv4-vpnv4-adjribout-withdraw.pcap (no Peer Up at all): VPNv4 path ids 0-3 read from 45 04 0001 80 03',
    { skip: HAVE_TESTDATA ? false : 'no shared test data' },
    async () => {
      const events = await captureRoutes('netgauze-huawei-bmpv4-vpnv4-adjribout-withdraw.pcap', false);
      assert.equal(events.length, 15);
      const vpn = events.filter((e) => e.family === 'vpnv4_unicast' && e.peer_type !== 'loc_rib');
      assert.equal(vpn.length, 14);
      assert.ok(vpn.every((e) => e.decoded_without_peer_up === false && e.prefix === '102.0.0.1/32'));
      assert.deepEqual(
        vpn.filter((e) => e.action === 'withdraw').map((e) => e.path_id),
        [1, 2, 3, 1, 2, 3],
      );
    },
  );
});
