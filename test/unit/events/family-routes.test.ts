/**
 * Route events of the EVPN, VPLS, MCAST-VPN and RT membership families: synthetic UPDATEs for
 * MCAST-VPN and RT membership (no capture has them), then the real captures through the capture
 * reader and the session decoder, against values read by hand from tshark's dissection
 * (tshark -r FILE -d tcp.port==PORT,bmp -V):
 * - netgauze-cisco-iosxr-evpn.pcap (IOS-XR, SRv6): two EVPN Ethernet A-D routes;
 * - networklab-juniper-vmx-*.pcap (Junos, VXLAN): an EVPN IP Prefix route announced and withdrawn;
 * - akvorado-juniper-vmx-vpls.pcap (Junos): one RFC 4761 VPLS label block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decodeStream, openInput } from '../../../services/cli/decode.js';
import { BmpSessionDecoder } from '../../../services/events/session-decoder.js';
import { hex, update } from '../codec/bgp/helpers.js';
import type { EventByTopic, RouteEvent } from '../../../services/events/model.js';
import { BMP_CAPTURE_DIR, HAVE_TESTDATA } from '../capture/testdata.js';

const skip = !HAVE_TESTDATA && 'no test data';

/** Route events of AFI 25 in a capture, and the number of error events. */
async function l2vpnRoutes(file: string): Promise<{ routes: RouteEvent[]; errors: number }> {
  const routes: RouteEvent[] = [];
  let errors = 0;
  for (const input of await openInput(join(BMP_CAPTURE_DIR, file), '0.0.0.0')) {
    await decodeStream(input, (topic, event) => {
      if (topic === 'errors') errors++;
      if (topic === 'route_monitoring' && (event as EventByTopic['route_monitoring']).afi === 25) routes.push(event as RouteEvent);
    });
  }
  return { routes, errors };
}

const ZERO_ESI = '00:00:00:00:00:00:00:00:00:00';

/** Route events of one BMP Route Monitoring message (global peer 192.0.2.1, AS 65001) carrying `bgpUpdate`. */
function routeEvents(bgpUpdate: Buffer): RouteEvent[] {
  const peer = Buffer.alloc(42);
  peer.set([192, 0, 2, 1], 22);
  peer.writeUInt32BE(65001, 26);
  peer.set([192, 0, 2, 1], 30);
  const head = Buffer.from([3, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(6 + 42 + bgpUpdate.length, 1);
  const out: RouteEvent[] = [];
  new BmpSessionDecoder({ routerAddress: '192.0.2.254' }).decode(Buffer.concat([head, peer, bgpUpdate]), 0, (topic, event) => {
    if (topic === 'route_monitoring') out.push(event as RouteEvent);
  });
  return out;
}

/** UPDATE with ORIGIN, an empty AS_PATH and MP_REACH_NLRI (next hop 192.0.2.1) of afi/safi. */
function reachUpdate(afi: number, safi: number, nlriHex: string): Buffer {
  const value = Buffer.concat([Buffer.from([afi >> 8, afi & 0xff, safi, 4, 192, 0, 2, 1, 0]), hex(nlriHex)]);
  return update('', `40 01 01 00  40 02 00  90 0e ${value.length.toString(16).padStart(4, '0')} ${value.toString('hex')}`);
}

test('MCAST-VPN routes become one event each, with rd, prefix text and the mvpn record', () => {
  const events = routeEvents(reachUpdate(1, 5, '03 16 0000fde800000064 20 0a000001 20 e8010101 c0000201   04 1c 03 16 0000fde800000064 20 0a000001 20 e8010101 c0000201 c0000202'));
  assert.deepStrictEqual(
    events.map((e) => [e.family, e.prefix, e.rd, e.labels, e.next_hop]),
    [
      ['ipv4_mvpn', '[3][65000:100][10.0.0.1][232.1.1.1][192.0.2.1]', '65000:100', [], '192.0.2.1'],
      ['ipv4_mvpn', '[4][[3][65000:100][10.0.0.1][232.1.1.1][192.0.2.1]][192.0.2.2]', null, [], '192.0.2.1'],
    ],
  );
  assert.deepStrictEqual(events[1].mvpn, {
    route_type: 4,
    route_type_name: 'leaf_ad',
    originator_ip: '192.0.2.2',
    source_as: null,
    source: null,
    group: null,
    route_key: '[3][65000:100][10.0.0.1][232.1.1.1][192.0.2.1]',
    raw: null,
  });
  assert.deepStrictEqual([events[0].evpn, events[0].vpls, events[0].rt_constraint], [null, null, null]);
});

test('RT membership routes: origin AS and route target; length 0 is the default route', () => {
  const events = routeEvents(reachUpdate(1, 132, '60 0000fde8 0002fde800000064  00'));
  assert.deepStrictEqual(
    events.map((e) => [e.family, e.prefix, e.rd, e.rt_constraint]),
    [
      ['rt_constraint', '65000:rt:65000:100/96', null, { origin_as: 65000, route_target: 'rt:65000:100', prefix_length: 96 }],
      ['rt_constraint', 'default', null, { origin_as: null, route_target: null, prefix_length: 0 }],
    ],
  );
});

test('every route event has the same fields in the same order, whatever its family', () => {
  const keys = (e: RouteEvent): string => Object.keys(e).join(',');
  const plain = routeEvents(update('', '40 01 01 00  40 02 00  40 03 04 c0000201', '18 0a0000'));
  const mvpn = routeEvents(reachUpdate(1, 5, '01 0c 0000fde800000064 c0000201'));
  const evpn = routeEvents(reachUpdate(25, 70, '03 11 0000fde800000064 00000000 20 c0000201'));
  assert.equal(plain.length + mvpn.length + evpn.length, 3);
  assert.equal(keys(mvpn[0]), keys(plain[0]));
  assert.equal(keys(evpn[0]), keys(plain[0]));
  assert.deepStrictEqual(Object.keys(plain[0]).slice(-12), ['evpn', 'vpls', 'mvpn', 'rt_constraint', 'flowspec', 'path_status', 'path_reason', 'bgp_ls', 'sr_policy', 'bgp_ls_attribute', 'prefix_sid', 'tunnel_encapsulation']);
});

test('IOS-XR EVPN capture: two Ethernet A-D routes and two End-of-RIBs', { skip }, async () => {
  const { routes, errors } = await l2vpnRoutes('netgauze-cisco-iosxr-evpn.pcap');
  assert.equal(errors, 0);
  assert.deepStrictEqual(
    routes.map((r) => [r.action, r.prefix]),
    [
      ['announce', `[1][198.51.100.154:513][${ZERO_ESI}][513]`],
      ['end_of_rib', null],
      ['announce', `[1][198.51.100.44:513][${ZERO_ESI}][513]`],
      ['end_of_rib', null],
    ],
  );
  const r = routes[0];
  // tshark: "Route Distinguisher: 0001c633649a0201 (198.51.100.154:513)", "Ethernet Tag ID: 513",
  // "MPLS Label 1: 917504" (the SRv6 transposition bits, 0xe00000 on the wire), next hop fcba:be00:3002::2.
  assert.equal(r.family, 'evpn');
  assert.equal(r.rd, '198.51.100.154:513');
  assert.deepStrictEqual(r.labels, [917504]);
  assert.equal(r.next_hop, 'fcba:be00:3002::2');
  assert.deepStrictEqual(r.extended_communities, ['l2-attr:mtu=0:flags=P', 'rt:64497:41']);
  assert.equal(r.raw_nlri, null);
  assert.deepStrictEqual(r.evpn, {
    route_type: 1,
    route_type_name: 'ethernet_ad',
    esi: ZERO_ESI,
    esi_type: 0,
    ethernet_tag: 513,
    mac: null,
    ip: null,
    ip_prefix: null,
    gateway_ip: null,
    originator_ip: null,
    source: null,
    group: null,
    multicast_flags: null,
    leave_group_sync: null,
    max_response_time: null,
    region_id: null,
    label_fields: [0xe00000],
    route_key: null,
    raw: null,
  });
  assert.deepStrictEqual([r.vpls, r.mvpn, r.rt_constraint], [null, null, null]);
  assert.equal(routes[2].next_hop, 'fcba:be00:3001::1');
});

for (const [file, guessed, routerMac] of [
  ['networklab-juniper-vmx-full-session.pcap', false, '2c:6b:f5:79:14:f0'],
  ['networklab-juniper-vmx-missing-peerup.pcap', true, '2c:6b:f5:dd:f5:f0'],
] as const) {
  test(`Junos EVPN capture ${file}: an IP Prefix route announced then withdrawn`, { skip }, async () => {
    const { routes, errors } = await l2vpnRoutes(file);
    assert.equal(errors, 0);
    const prefix = `[5][65017:103][${ZERO_ESI}][0][198.51.100.0/26][0.0.0.0]`;
    assert.deepStrictEqual(
      routes.map((r) => [r.action, r.prefix]),
      [
        ['end_of_rib', null],
        ['announce', prefix],
        ['withdraw', prefix],
      ],
    );
    const [, announce, withdraw] = routes;
    // tshark: "Route Distinguisher: 0000fdf900000067 (65017:103)", "IP prefix length: 26",
    // "IPv4 address: 198.51.100.0", "IPv4 Gateway address: 0.0.0.0", "VNI: 9001"; next hop
    // 2001:db8::7; Route Target 65017:103, VXLAN encapsulation, Router's MAC (one per capture).
    // In the withdrawal tshark reads the same 3 octets as "MPLS Label Stack: 562 (bottom)".
    assert.equal(announce.rd, '65017:103');
    assert.equal(announce.next_hop, '2001:db8::7');
    assert.deepStrictEqual(announce.extended_communities, ['rt:65017:103', 'encap:8', `router-mac:${routerMac}`]);
    assert.equal(announce.decoded_without_peer_up, guessed);
    assert.equal(announce.evpn?.ip_prefix, '198.51.100.0/26');
    assert.equal(announce.evpn?.gateway_ip, '0.0.0.0');
    assert.deepStrictEqual(announce.evpn?.label_fields, [9001]);
    assert.deepStrictEqual(announce.labels, [9001 >>> 4]);
    assert.deepStrictEqual(withdraw.evpn, announce.evpn);
    assert.deepStrictEqual(withdraw.labels, [562]);
  });
}

test('Junos VPLS capture: one RFC 4761 label block', { skip }, async () => {
  const { routes, errors } = await l2vpnRoutes('akvorado-juniper-vmx-vpls.pcap');
  assert.equal(errors, 0);
  assert.equal(routes.length, 1);
  const [r] = routes;
  // tshark: "Length: 17", "RD: 65017:104", "CE-ID: 1", "Label Block Offset: 1",
  // "Label Block Size: 8", "Label Block Base: 800000 (bottom)"; next hop 192.0.2.7; Layer2 Info
  // "Encaps Type: VPLS (19)", "Layer-2 MTU: 0" (the Reserved octets carry 100).
  assert.deepStrictEqual([r.action, r.family, r.prefix, r.rd, r.labels, r.next_hop], ['announce', 'vpls', '[65017:104][1][1][8]', '65017:104', [800000], '192.0.2.7']);
  assert.deepStrictEqual(r.vpls, { ve_id: 1, ve_block_offset: 1, ve_block_size: 8, label_base: 800000, pe_address: null, raw: null });
  assert.deepStrictEqual(r.extended_communities, ['rt:65017:104', 'l2-info:vpls:mtu=0:pref=100']);
  assert.equal(r.evpn, null);
});
