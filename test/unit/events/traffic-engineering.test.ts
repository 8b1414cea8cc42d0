/**
 * Route events of the traffic-engineering families and attributes: one event per Link-State or
 * SR Policy NLRI with its canonical prefix text and structured fields, the BGP-LS attribute,
 * PREFIX_SID and TUNNEL_ENCAPSULATION shared by the announcements of an UPDATE, and the Avro
 * encoding of such events. On the real capture of Cisco IOS XR 7.10.1 with SRv6 L3VPN
 * (pmacct-cisco-iosxr7101-srv6-locrib-with-ipfix.pcap) the PREFIX_SID values are the ones tshark
 * 4.0 shows for it (checked by hand: `tshark -r FILE -d tcp.port==1790,bmp -V`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeStream, openInput } from '../../../services/cli/decode.js';
import { BmpSessionDecoder } from '../../../services/events/session-decoder.js';
import type { EventByTopic, EventTopic, RouteEvent } from '../../../services/events/model.js';
import { decodeRecord, encodeRecord, recordMismatches, typeFor } from '../../../services/kafka/avro/index.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';
import { bgp, hex, update } from '../codec/bgp/helpers.js';
import { plain } from '../schemas/fixtures.js';

/** BMP v3 message: common header + body. */
function bmp(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = 3;
  h.writeUInt32BE(6 + body.length, 1);
  h[5] = type;
  return Buffer.concat([h, body]);
}

/** Per-peer header of a global peer 192.0.2.1, AS 65001 (RFC 7854 §4.2). */
function peerHeader(): Buffer {
  const b = Buffer.alloc(42);
  b.set([192, 0, 2, 1], 22);
  b.writeUInt32BE(65001, 26);
  b.set([192, 0, 2, 1], 30);
  b.writeUInt32BE(1_700_000_000, 34);
  return b;
}

/** Peer Up whose OPENs both list BGP-LS (16388/71) and IPv4 SR Policy (1/73), with 4-octet AS. */
function peerUp(): Buffer {
  const caps = hex('4104 0000fde9  0104 4004 0047  0104 0001 0049');
  const param = Buffer.concat([Buffer.from([2, caps.length]), caps]);
  const fixed = Buffer.alloc(10);
  fixed[0] = 4;
  fixed.writeUInt16BE(65001, 1);
  fixed.writeUInt16BE(90, 3);
  fixed.set([192, 0, 2, 1], 5);
  fixed[9] = param.length;
  const open = bgp(1, Buffer.concat([fixed, param]).toString('hex'));
  const local = Buffer.alloc(20);
  local.set([192, 0, 2, 254], 12);
  return bmp(3, Buffer.concat([peerHeader(), local, open, open]));
}

const hex16 = (b: Buffer): string => b.length.toString(16).padStart(4, '0');

const NODE = '0001 0027 02 0000000000000000  0100 001a  0200 0004 0000fde8  0201 0004 00000000  0203 0006 000000000001';
const PREFIX4 = '0003 0031 03 0000000000000000  0100 0018 0200 0004 0000fde8 0202 0004 00000000 0203 0004 c0000201  0108 0001 01  0109 0003 10 0a01';
const LS_ATTR = '0402 0002 7231  040a 000c c0 00 001f40 0489 0003 003e80  0493 0004 c0000201';

function routeMonitoring(attrs: string): Buffer {
  return bmp(0, Buffer.concat([peerHeader(), update('', attrs)]));
}

function routeEvents(messages: Buffer[]): RouteEvent[] {
  const decoder = new BmpSessionDecoder({ routerAddress: '192.0.2.254' });
  const out: Array<{ topic: EventTopic; event: EventByTopic[EventTopic] }> = [];
  let offset = 0;
  for (const m of messages) {
    decoder.decode(m, offset, (topic, event) => out.push({ topic, event }));
    offset += m.length;
  }
  assert.deepEqual(
    out.filter((e) => e.topic === 'errors'),
    [],
  );
  return out.filter((e) => e.topic === 'route_monitoring').map((e) => e.event as RouteEvent);
}

/** The event is valid for the route_monitoring schema and survives the Avro round trip. */
function assertAvro(event: RouteEvent): void {
  assert.deepEqual(recordMismatches(typeFor('route_monitoring'), event), []);
  const back = decodeRecord('route_monitoring', encodeRecord('route_monitoring', 1, event));
  assert.deepStrictEqual(plain(back.value), plain(event));
}

describe('route events of BGP-LS and SR Policy', () => {
  const mp = Buffer.concat([hex('4004 47 04 c00002fe 00'), hex(NODE + PREFIX4)]);
  const ls = hex(LS_ATTR);
  const announce = routeMonitoring(`40 01 01 00  40 02 00  90 0e ${hex16(mp)} ${mp.toString('hex')}  80 1d ${ls.length.toString(16)} ${ls.toString('hex')}`);
  const withdraw = routeMonitoring(`90 0f 002e 4004 47 ${NODE}`);

  for (const known of [true, false]) {
    test(`one event per Link-State NLRI, the attribute shared (${known ? 'after a Peer Up' : 'without Peer Up'})`, () => {
      const events = routeEvents(known ? [peerUp(), announce, withdraw] : [announce, withdraw]);
      assert.equal(events.length, 3);
      const [node, prefix, gone] = events;
      assert.equal(node.family, 'bgp_ls');
      assert.equal(node.action, 'announce');
      assert.equal(node.prefix, '[node][isis-l2][0][local[as=65000,bgp-ls-id=0,router=0000.0000.0001]]');
      assert.equal(node.next_hop, '192.0.2.254');
      assert.equal(node.rd, null);
      assert.equal(node.decoded_without_peer_up, !known);
      assert.deepStrictEqual(node.bgp_ls, {
        nlri_type: 'node',
        nlri_type_code: 1,
        protocol: 'isis_l2',
        protocol_id: 2,
        identifier: 0,
        local_node: { as_number: 65000, bgp_ls_id: 0, ospf_area_id: null, igp_router_id: '0000.0000.0001', bgp_router_id: null, member_asn: null, unknown_tlvs: [] },
        remote_node: null,
        link_local_id: null,
        link_remote_id: null,
        ipv4_interface_address: null,
        ipv4_neighbor_address: null,
        ipv6_interface_address: null,
        ipv6_neighbor_address: null,
        multi_topology_ids: [],
        ospf_route_type: null,
        ip_reachability: null,
        srv6_sid: null,
        unknown_tlvs: [],
        raw: null,
      });
      assert.equal(node.sr_policy, null);
      assert.equal(node.bgp_ls_attribute?.node_name, 'r1');
      assert.deepStrictEqual(node.bgp_ls_attribute?.sr_capabilities, { flags: 0xc0, ranges: [{ size: 8000, first_sid: 16000, is_label: true }] });
      assert.deepStrictEqual(node.bgp_ls_attribute?.unknown_tlvs, ['1171:c0000201']);
      // Shared by the announcements of the UPDATE (one conversion per UPDATE).
      assert.equal(prefix.bgp_ls_attribute, node.bgp_ls_attribute);
      assert.equal(prefix.bgp_ls?.ip_reachability, '10.1.0.0/16');
      assert.equal(node.unknown_attributes.length, 0);
      assert.equal(gone.action, 'withdraw');
      assert.equal(gone.prefix, node.prefix);
      assert.equal(gone.bgp_ls_attribute, null);
      assert.deepStrictEqual(gone.bgp_ls, node.bgp_ls);
      for (const e of events) assertAvro(e);
      // Every route event has the same keys in the same order (one hidden class).
      assert.deepEqual(Object.keys(node), Object.keys(gone));
    });
  }

  test('SR Policy NLRI with TUNNEL_ENCAPSULATION; BGP-LS VPN route distinguisher', () => {
    const tunnel = hex('000f 0014  0c06 00 00 00000064  800009 00 0106 00 00 03e89000');
    const srMp = hex('0001 49 04 c00002fe 00  60 00000001 00000064 c0000209');
    const sr = routeMonitoring(`40 01 01 00  40 02 00  90 0e ${hex16(srMp)} ${srMp.toString('hex')}  c0 17 ${tunnel.length.toString(16)} ${tunnel.toString('hex')}`);
    const vpnMp = hex(`4004 48 04 c00002fe 00  0001 001d 0000fde800000001 01 0000000000000000 0100 0008 0200 0004 0000fde8`);
    const vpn = routeMonitoring(`40 01 01 00  40 02 00  90 0e ${hex16(vpnMp)} ${vpnMp.toString('hex')}`);
    const [policy, lsVpn] = routeEvents([sr, vpn]);
    assert.equal(policy.family, 'ipv4_sr_policy');
    assert.equal(policy.prefix, '[distinguisher=1][color=100][endpoint=192.0.2.9]');
    assert.deepStrictEqual(policy.sr_policy, { distinguisher: 1, color: 100, endpoint: '192.0.2.9' });
    assert.equal(policy.bgp_ls, null);
    const t = policy.tunnel_encapsulation?.tunnels[0];
    assert.equal(t?.preference, 100);
    assert.deepStrictEqual(t?.segment_lists, [{ weight: null, segments: [{ segment_type: 'a', flags: 0, label: 16009, sid: null, endpoint_behavior: null }], unknown_sub_tlvs: [] }]);
    assert.equal(lsVpn.family, 'bgp_ls_vpn');
    assert.equal(lsVpn.rd, '65000:1');
    assert.equal(lsVpn.prefix, '[node][isis-l1][0][local[as=65000]]');
    for (const e of [policy, lsVpn]) assertAvro(e);
  });
});

describe('PREFIX_SID on the Cisco IOS XR 7.10.1 SRv6 L3VPN capture', { skip: !HAVE_TESTDATA && 'shared test data not found' }, () => {
  test('the 17 PREFIX_SID attributes tshark shows, with their values', async () => {
    const events: RouteEvent[] = [];
    let errors = 0;
    for (const input of await openInput(join(BMP_CAPTURE_DIR, 'pmacct-cisco-iosxr7101-srv6-locrib-with-ipfix.pcap'), '192.0.2.254')) {
      await decodeStream(input, (topic, event) => {
        if (topic === 'route_monitoring') events.push(event as RouteEvent);
        else if (topic === 'errors') errors++;
      });
    }
    assert.equal(errors, 0);
    const withSid = events.filter((e) => e.prefix_sid !== null);
    // tshark: 17 "Path Attribute - BGP Prefix-SID", one route each.
    assert.equal(withSid.length, 17);
    // None is left undecoded any more.
    assert.deepEqual(
      events.flatMap((e) => e.unknown_attributes),
      [],
    );
    // tshark: SRv6 Endpoint Behavior End.DT4 with NEXT-CSID (0x003f) x8, End.DT6 with NEXT-CSID (0x003e) x8.
    const behaviours = withSid.flatMap((e) => (e.prefix_sid?.srv6_services ?? []).map((s) => `${e.family}:${s.endpoint_behavior}`));
    assert.equal(behaviours.filter((b) => b === 'vpnv4_unicast:63').length, 8);
    assert.equal(behaviours.filter((b) => b === 'vpnv6_unicast:62').length, 8);
    // tshark: SRv6 SID Value 2001:db8:91::, flags 0x00, SID Structure 32/16/16/0, transposition 16 at 48.
    const service = withSid.find((e) => e.family === 'vpnv4_unicast' && e.prefix === '192.0.2.91/32' && e.peer_type === 'loc_rib');
    assert.ok(service);
    assert.equal(service.rd, '4226809947:13');
    assert.deepStrictEqual(service.labels, [917536]);
    assert.deepStrictEqual(service.prefix_sid, {
      label_index: null,
      label_index_flags: null,
      originator_srgb_flags: null,
      originator_srgbs: [],
      srv6_services: [
        {
          service: 'l3',
          sid: '2001:db8:91::',
          flags: 0,
          endpoint_behavior: 63,
          structure: { locator_block_length: 32, locator_node_length: 16, function_length: 16, argument_length: 0, transposition_length: 16, transposition_offset: 48 },
        },
      ],
      unknown_tlvs: [],
    });
    // tshark: Label-Index 90 (flags 0x0000) on 203.0.113.90/32, the router's own loopback in its Loc-RIB.
    const labelIndex = withSid.filter((e) => e.prefix_sid?.label_index !== null);
    assert.deepStrictEqual(
      labelIndex.map((e) => [e.family, e.peer_type, e.prefix, e.prefix_sid?.label_index, e.prefix_sid?.label_index_flags]),
      [['ipv4_unicast', 'loc_rib', '203.0.113.90/32', 90, 0]],
    );
    for (const e of withSid) assertAvro(e);
  });
});
