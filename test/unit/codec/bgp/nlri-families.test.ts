/**
 * EVPN (RFC 7432 §7, RFC 9136, RFC 9251 §9, RFC 9572 §3), VPLS (RFC 4761 §3.2.2, RFC 6074 §7.1),
 * MCAST-VPN (RFC 6514 §4) and RT membership (RFC 4684 §4) NLRI: for every route type, the encoder's
 * bytes are the hand-laid wire bytes, they decode to the same route, and the route text; values
 * off their type's layout stay raw per route; framing errors raise CodecError. Plus the EVPN and
 * Layer2 Info extended communities.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBgpMessageHeuristic,
  decodeNlri,
  encodeNlri,
  evpnRouteText,
  extendedCommunityFromBytes,
  mvpnRouteText,
  rtConstraintRouteText,
  vplsRouteText,
  type EvpnRoute,
  type MvpnRoute,
  type Route,
  type RtConstraintRoute,
  type VplsRoute,
} from '../../../../services/codec/bgp/index.js';
import { ByteWriter } from '../../../../services/codec/bgp/writer.js';
import { hex, throwsCodec, update } from './helpers.js';

/** Encodes `routes`, checks the bytes against `wireHex`, decodes them back and checks the routes. */
function roundTrip(afi: number, safi: number, routes: Route[], wireHex: string, addPath = false): void {
  const wire = hex(wireHex);
  const w = new ByteWriter();
  encodeNlri(w, routes, afi, safi, addPath, false);
  assert.equal(w.toBuffer().toString('hex'), wire.toString('hex'), 'encoder bytes');
  assert.deepStrictEqual(decodeNlri(wire, 0, wire.length, afi, safi, addPath, false), routes, 'decoded routes');
}

/** Decodes `wireHex` and checks that it re-encodes byte for byte; returns the routes. */
function decodeExact(afi: number, safi: number, wireHex: string, addPath = false): Route[] {
  const wire = hex(wireHex);
  const routes = decodeNlri(wire, 0, wire.length, afi, safi, addPath, false);
  const w = new ByteWriter();
  encodeNlri(w, routes, afi, safi, addPath, false);
  assert.equal(w.toBuffer().toString('hex'), wire.toString('hex'), 're-encoded bytes');
  return routes;
}

const EVPN_NULLS: Omit<EvpnRoute, 'routeType'> = {
  kind: 'evpn',
  afi: 25,
  safi: 70,
  pathId: null,
  rd: null,
  esi: null,
  ethernetTag: null,
  mac: null,
  ip: null,
  ipPrefix: null,
  gatewayIp: null,
  originatorIp: null,
  source: null,
  group: null,
  flags: null,
  leaveGroupSync: null,
  maxResponseTime: null,
  regionId: null,
  labelFields: [],
  routeKey: null,
  raw: null,
};

function evpn(routeType: number, fields: Partial<EvpnRoute>): EvpnRoute {
  return { ...EVPN_NULLS, routeType, ...fields };
}

const ZERO_ESI = '00:00:00:00:00:00:00:00:00:00';
const RD = '0000fde800000064'; // 65000:100

describe('EVPN NLRI (25/70)', () => {
  it('type 1 Ethernet A-D: RD, ESI, tag, label', () => {
    const r = evpn(1, { rd: '65000:100', esi: '03:00:11:22:33:44:55:00:00:01', ethernetTag: 100, labelFields: [0x000101] });
    roundTrip(25, 70, [r], `01 19 ${RD} 03 001122334455 000001 00000064 000101`);
    assert.equal(evpnRouteText(r), '[1][65000:100][03:00:11:22:33:44:55:00:00:01][100]');
  });

  it('type 2 MAC/IP with an IPv4 address and two labels', () => {
    const r = evpn(2, { rd: '192.0.2.1:5', esi: ZERO_ESI, ethernetTag: 0, mac: '00:11:22:33:44:55', ip: '10.0.0.1', labelFields: [0x000100, 0x000201] });
    roundTrip(25, 70, [r], `02 28 0001c00002010005 ${'00'.repeat(10)} 00000000 30 001122334455 20 0a000001 000100 000201`);
    assert.equal(evpnRouteText(r), `[2][192.0.2.1:5][${ZERO_ESI}][0][00:11:22:33:44:55][10.0.0.1]`);
  });

  it('type 2 MAC only (IP length 0), one VXLAN VNI; and with an IPv6 address', () => {
    const macOnly = evpn(2, { rd: '65000:100', esi: ZERO_ESI, ethernetTag: 7, mac: 'aa:bb:cc:dd:ee:ff', ip: null, labelFields: [9001] });
    const v6 = evpn(2, { rd: '65000:100', esi: ZERO_ESI, ethernetTag: 7, mac: 'aa:bb:cc:dd:ee:ff', ip: '2001:db8::1', labelFields: [9001] });
    roundTrip(
      25,
      70,
      [macOnly, v6],
      `02 21 ${RD} ${'00'.repeat(10)} 00000007 30 aabbccddeeff 00 002329
       02 31 ${RD} ${'00'.repeat(10)} 00000007 30 aabbccddeeff 80 20010db8000000000000000000000001 002329`,
    );
    assert.equal(evpnRouteText(macOnly), `[2][65000:100][${ZERO_ESI}][7][aa:bb:cc:dd:ee:ff][]`);
  });

  it('type 3 Inclusive Multicast Ethernet Tag and type 4 Ethernet Segment', () => {
    const imet = evpn(3, { rd: '65000:100', ethernetTag: 0, originatorIp: '192.0.2.1' });
    const es = evpn(4, { rd: '65000:100', esi: '01:aa:bb:cc:dd:ee:ff:00:80:00', originatorIp: '2001:db8::1' });
    roundTrip(25, 70, [imet, es], `03 11 ${RD} 00000000 20 c0000201   04 23 ${RD} 01aabbccddeeff008000 80 20010db8000000000000000000000001`);
    assert.equal(evpnRouteText(imet), '[3][65000:100][0][192.0.2.1]');
    assert.equal(evpnRouteText(es), '[4][65000:100][01:aa:bb:cc:dd:ee:ff:00:80:00][2001:db8::1]');
  });

  it('type 5 IP Prefix, IPv4 (length 34) and IPv6 (length 58)', () => {
    const v4 = evpn(5, { rd: '65017:103', esi: ZERO_ESI, ethernetTag: 0, ipPrefix: '198.51.100.0/26', gatewayIp: '0.0.0.0', labelFields: [9001] });
    const v6 = evpn(5, { rd: '65017:103', esi: ZERO_ESI, ethernetTag: 0, ipPrefix: '2001:db8:1::/48', gatewayIp: '2001:db8::fe', labelFields: [0x000641] });
    roundTrip(
      25,
      70,
      [v4, v6],
      `05 22 0000fdf900000067 ${'00'.repeat(10)} 00000000 1a c6336400 00000000 002329
       05 3a 0000fdf900000067 ${'00'.repeat(10)} 00000000 30 20010db8000100000000000000000000 20010db80000000000000000000000fe 000641`,
    );
    assert.equal(evpnRouteText(v4), `[5][65017:103][${ZERO_ESI}][0][198.51.100.0/26][0.0.0.0]`);
  });

  it('types 6-8 (RFC 9251): SMET with a wildcard source, Join Synch, Leave Synch', () => {
    const smet = evpn(6, { rd: '65000:100', ethernetTag: 10, source: null, group: '232.1.1.1', originatorIp: '192.0.2.1', flags: 0x06 });
    const join = evpn(7, { rd: '65000:100', esi: ZERO_ESI, ethernetTag: 10, source: '10.0.0.1', group: '232.1.1.1', originatorIp: '192.0.2.1', flags: 0x04 });
    const leave = evpn(8, { rd: '65000:100', esi: ZERO_ESI, ethernetTag: 10, source: '10.0.0.1', group: '232.1.1.1', originatorIp: '192.0.2.1', leaveGroupSync: 7, maxResponseTime: 10, flags: 0x02 });
    roundTrip(
      25,
      70,
      [smet, join, leave],
      `06 18 ${RD} 0000000a 00 20 e8010101 20 c0000201 06
       07 26 ${RD} ${'00'.repeat(10)} 0000000a 20 0a000001 20 e8010101 20 c0000201 04
       08 2b ${RD} ${'00'.repeat(10)} 0000000a 20 0a000001 20 e8010101 20 c0000201 00000007 0a 02`,
    );
    assert.equal(evpnRouteText(smet), '[6][65000:100][10][*][232.1.1.1][192.0.2.1]');
    assert.equal(evpnRouteText(leave), `[8][65000:100][${ZERO_ESI}][10][10.0.0.1][232.1.1.1][192.0.2.1]`);
  });

  it('types 9-11 (RFC 9572): Per-Region I-PMSI A-D, S-PMSI A-D, and a Leaf A-D whose key is that S-PMSI route', () => {
    const region = evpn(9, { rd: '65000:100', ethernetTag: 0, regionId: '0002fde800000064' });
    const spmsi = evpn(10, { rd: '65000:100', ethernetTag: 0, source: '2001:db8::10', group: 'ff3e::1', originatorIp: '192.0.2.1' });
    const leaf = evpn(11, { routeKey: spmsi, originatorIp: '192.0.2.2' });
    const spmsiHex = `0a 33 ${RD} 00000000 80 20010db8000000000000000000000010 80 ff3e0000000000000000000000000001 20 c0000201`;
    roundTrip(25, 70, [region, spmsi, leaf], `09 14 ${RD} 00000000 0002fde800000064   ${spmsiHex}   0b 3a ${spmsiHex} 20 c0000202`);
    assert.equal(evpnRouteText(region), '[9][65000:100][0][0002fde800000064]');
    assert.equal(evpnRouteText(leaf), '[11][[10][65000:100][0][2001:db8::10][ff3e::1][192.0.2.1]][192.0.2.2]');
  });

  it('an unknown route type and values off their layout stay raw per route; the routes around them decode', () => {
    const routes = decodeExact(
      25,
      70,
      `63 03 010203
       01 18 ${RD} ${'00'.repeat(10)} 00000064 0001   # type 1 one octet short
       02 21 ${RD} ${'00'.repeat(10)} 00000000 2f 001122334455 00 000011   # MAC length 47
       08 2a ${RD} ${'00'.repeat(10)} 0000000a 20 0a000001 20 e8010101 20 c0000201 00000001 0a   # Leave Synch without flags
       03 11 ${RD} 00000000 20 c0000201`,
    );
    assert.deepStrictEqual(
      routes.map((r) => (r.kind === 'evpn' ? [r.routeType, r.raw?.length ?? null] : null)),
      [
        [0x63, 3],
        [1, 24],
        [2, 33],
        [8, 42],
        [3, null],
      ],
    );
    assert.equal(evpnRouteText(routes[0] as EvpnRoute), '[99][0x010203]');
  });

  it('ADD-PATH path identifiers precede each route', () => {
    const a = evpn(3, { pathId: 1, rd: '65000:100', ethernetTag: 0, originatorIp: '192.0.2.1' });
    const b = evpn(3, { pathId: 0xffffffff, rd: '65000:100', ethernetTag: 0, originatorIp: '192.0.2.1' });
    roundTrip(25, 70, [a, b], `00000001 03 11 ${RD} 00000000 20 c0000201  ffffffff 03 11 ${RD} 00000000 20 c0000201`, true);
  });

  it('without a Peer Up, ADD-PATH is guessed from the EVPN NLRI framing', () => {
    // MP_REACH_NLRI 25/70, next hop 192.0.2.1, one IMET route, with and without a path identifier.
    const reach = (nlri: string): Buffer => {
      const value = hex(`0019 46 04 c0000201 00 ${nlri}`);
      return update('', `40 01 01 00  40 02 00  90 0e ${value.length.toString(16).padStart(4, '0')} ${value.toString('hex')}`);
    };
    const imet = `03 11 ${RD} 00000000 20 c0000201`;
    assert.deepStrictEqual(decodeBgpMessageHeuristic(reach(`00000007 ${imet}`)).guess?.addPath, [{ afi: 25, safi: 70, addPath: true, basis: 'unambiguous' }]);
    assert.deepStrictEqual(decodeBgpMessageHeuristic(reach(imet)).guess?.addPath, [{ afi: 25, safi: 70, addPath: false, basis: 'unambiguous' }]);
  });

  it('framing errors are CodecErrors', () => {
    throwsCodec(() => decodeNlri(hex(`03 12 ${RD} 00000000 20 c0000201`), 0, 19, 25, 70, false, false), /EVPN route type 3 length 18 exceeds the NLRI/, 0);
    throwsCodec(() => decodeNlri(hex('03'), 0, 1, 25, 70, false, false), /EVPN NLRI needs a route type and a length/);
    throwsCodec(() => decodeNlri(hex('000001'), 0, 3, 25, 70, true, false), /EVPN NLRI with ADD-PATH needs a 4-byte path identifier/);
  });

  it('the encoder refuses routes missing a field of their type', () => {
    throwsCodec(() => encodeNlri(new ByteWriter(), [evpn(2, { rd: '65000:1', esi: ZERO_ESI, ethernetTag: 0, labelFields: [1] })], 25, 70, false, false), /mac is missing/);
    throwsCodec(() => encodeNlri(new ByteWriter(), [evpn(1, { rd: '65000:1', esi: ZERO_ESI, ethernetTag: 0 })], 25, 70, false, false), /takes 1-1 label fields, got 0/);
  });
});

const VPLS_NULLS: VplsRoute = { kind: 'vpls', afi: 25, safi: 65, pathId: null, rd: null, veId: null, veBlockOffset: null, veBlockSize: null, labelBase: null, labelBits: null, peAddress: null, raw: null };

describe('VPLS NLRI (25/65)', () => {
  it('RFC 4761 label block (length 17), as in the Juniper capture', () => {
    const r: VplsRoute = { ...VPLS_NULLS, rd: '65017:104', veId: 1, veBlockOffset: 1, veBlockSize: 8, labelBase: 800000, labelBits: 1 };
    roundTrip(25, 65, [r], '0011 0000fdf900000068 0001 0001 0008 c35001');
    assert.equal(vplsRouteText(r), '[65017:104][1][1][8]');
  });

  it('RFC 6074 auto-discovery route (length 12)', () => {
    const r: VplsRoute = { ...VPLS_NULLS, rd: '192.0.2.7:104', peAddress: '192.0.2.7' };
    roundTrip(25, 65, [r], '000c 0001c00002070068 c0000207');
    assert.equal(vplsRouteText(r), '[192.0.2.7:104][192.0.2.7]');
  });

  it('another length stays raw; ADD-PATH; truncation is a CodecError', () => {
    const routes = decodeExact(25, 65, '00000005 0003 010203  00000006 0011 0000fdf900000068 0001 0001 0008 c35000', true);
    assert.deepStrictEqual(routes[0], { ...VPLS_NULLS, pathId: 5, raw: hex('010203') });
    assert.deepStrictEqual(routes[1], { ...VPLS_NULLS, pathId: 6, rd: '65017:104', veId: 1, veBlockOffset: 1, veBlockSize: 8, labelBase: 800000, labelBits: 0 });
    throwsCodec(() => decodeNlri(hex('0011 0000fdf9'), 0, 6, 25, 65, false, false), /VPLS NLRI length 17 exceeds the NLRI/);
  });
});

const MVPN_NULLS: Omit<MvpnRoute, 'routeType'> = { kind: 'mvpn', afi: 1, safi: 5, pathId: null, rd: null, originatorIp: null, sourceAs: null, source: null, group: null, routeKey: null, raw: null };

function mvpn(routeType: number, fields: Partial<MvpnRoute>): MvpnRoute {
  return { ...MVPN_NULLS, routeType, ...fields };
}

describe('MCAST-VPN NLRI (1/5, 2/5)', () => {
  const spmsi = mvpn(3, { rd: '65000:100', source: '10.0.0.1', group: '232.1.1.1', originatorIp: '192.0.2.1' });
  const spmsiHex = `03 16 ${RD} 20 0a000001 20 e8010101 c0000201`;

  it('types 1-7', () => {
    const routes = [
      mvpn(1, { rd: '65000:100', originatorIp: '192.0.2.1' }),
      mvpn(2, { rd: '65000:100', sourceAs: 65000 }),
      spmsi,
      mvpn(3, { rd: '65000:100', source: null, group: null, originatorIp: '192.0.2.1' }),
      mvpn(4, { routeKey: spmsi, originatorIp: '192.0.2.2' }),
      mvpn(5, { rd: '65000:100', source: '10.0.0.1', group: '232.1.1.1' }),
      mvpn(6, { rd: '65000:100', sourceAs: 4200000000, source: '10.0.0.1', group: '232.1.1.1' }),
      mvpn(7, { rd: '65000:100', sourceAs: 65000, source: '10.0.0.9', group: '239.1.1.1' }),
    ];
    roundTrip(
      1,
      5,
      routes,
      `01 0c ${RD} c0000201
       02 0c ${RD} 0000fde8
       ${spmsiHex}
       03 0e ${RD} 00 00 c0000201
       04 1c ${spmsiHex} c0000202
       05 12 ${RD} 20 0a000001 20 e8010101
       06 16 ${RD} fa56ea00 20 0a000001 20 e8010101
       07 16 ${RD} 0000fde8 20 0a000009 20 ef010101`,
    );
    assert.deepStrictEqual(routes.map(mvpnRouteText), [
      '[1][65000:100][192.0.2.1]',
      '[2][65000:100][65000]',
      '[3][65000:100][10.0.0.1][232.1.1.1][192.0.2.1]',
      '[3][65000:100][*][*][192.0.2.1]',
      '[4][[3][65000:100][10.0.0.1][232.1.1.1][192.0.2.1]][192.0.2.2]',
      '[5][65000:100][10.0.0.1][232.1.1.1]',
      '[6][65000:100][4200000000][10.0.0.1][232.1.1.1]',
      '[7][65000:100][65000][10.0.0.9][239.1.1.1]',
    ]);
  });

  it('IPv6 (2/5): 16-octet originator and source/group', () => {
    const r: MvpnRoute = { ...mvpn(7, { rd: '65000:100', sourceAs: 1, source: '2001:db8::1', group: 'ff3e::1' }), afi: 2 };
    const o: MvpnRoute = { ...mvpn(1, { rd: '65000:100', originatorIp: '2001:db8::2' }), afi: 2 };
    roundTrip(2, 5, [r, o], `07 2e ${RD} 00000001 80 20010db8000000000000000000000001 80 ff3e0000000000000000000000000001   01 18 ${RD} 20010db8000000000000000000000002`);
  });

  it('an unknown type and a value off its layout stay raw; truncation is a CodecError', () => {
    const routes = decodeExact(1, 5, `09 02 abcd   01 0b ${RD} c00002   05 11 ${RD} 20 0a000001 20 e80101`);
    assert.deepStrictEqual(
      routes.map((r) => (r.kind === 'mvpn' ? r.raw?.toString('hex') : null)),
      ['abcd', `${RD}c00002`, `${RD}200a00000120e80101`],
    );
    throwsCodec(() => decodeNlri(hex('01 0c 0000'), 0, 4, 1, 5, false, false), /MCAST-VPN route type 1 length 12 exceeds the NLRI/);
  });
});

const RTC_NULLS: RtConstraintRoute = { kind: 'rt_constraint', afi: 1, safi: 132, pathId: null, prefixLength: 0, originAs: null, routeTarget: null };

describe('RT membership NLRI (1/132)', () => {
  it('full 96-bit route, the default route, origin AS only, a 64-bit prefix', () => {
    const routes: RtConstraintRoute[] = [
      { ...RTC_NULLS, prefixLength: 96, originAs: 65000, routeTarget: 'rt:65000:100' },
      { ...RTC_NULLS },
      { ...RTC_NULLS, prefixLength: 32, originAs: 4200000000 },
      { ...RTC_NULLS, prefixLength: 64, originAs: 65000, routeTarget: 'rt:65000:0' },
      { ...RTC_NULLS, prefixLength: 96, originAs: 65000, routeTarget: 'rt:192.0.2.1:7' },
      { ...RTC_NULLS, prefixLength: 96, originAs: 65000, routeTarget: 'rt:65001L:7' },
    ];
    roundTrip(1, 132, routes, `60 0000fde8 0002fde800000064  00  20 fa56ea00  40 0000fde8 0002fde8  60 0000fde8 0102c00002010007  60 0000fde8 02020000fde90007`);
    assert.deepStrictEqual(routes.map(rtConstraintRouteText), ['65000:rt:65000:100/96', 'default', '4200000000/32', '65000:rt:65000:0/64', '65000:rt:192.0.2.1:7/96', '65000:rt:65001L:7/96']);
  });

  it('a non-route-target community and odd lengths re-encode as sent', () => {
    const routes = decodeExact(1, 132, '60 0000fde8 4002fde800000064  44 0000fde8 0002fde8 f0  07 fe');
    assert.deepStrictEqual(
      routes.map((r) => (r.kind === 'rt_constraint' ? [r.prefixLength, r.originAs, r.routeTarget] : null)),
      [
        [96, 65000, '0x4002:fde800000064'],
        [68, 65000, 'rt:65000:4026531840'],
        [7, 0xfe000000, null],
      ],
    );
  });

  it('a length over 96 bits or past the NLRI is a CodecError', () => {
    throwsCodec(() => decodeNlri(hex('61 00'), 0, 2, 1, 132, false, false), /RT membership NLRI length 97 bits exceeds 96/);
    throwsCodec(() => decodeNlri(hex('60 0000fde8'), 0, 5, 1, 132, false, false), /needs 12 bytes, only 4 left/);
  });
});

describe('EVPN and Layer2 Info extended communities', () => {
  const text = (h: string): [string, string] => {
    const c = extendedCommunityFromBytes(hex(h));
    return [c.kind, c.text];
  };
  it('renders each EVPN sub-type', () => {
    assert.deepStrictEqual(text('0600 01 00 00000005'), ['mac_mobility', 'mac-mobility:5:sticky']);
    assert.deepStrictEqual(text('0601 01 0000 000641'), ['esi_label', 'esi-label:100:single-active']);
    assert.deepStrictEqual(text('0602 001122334455'), ['es_import_route_target', 'es-import:00:11:22:33:44:55']);
    assert.deepStrictEqual(text('0603 2c6bf57914f0'), ['router_mac', 'router-mac:2c:6b:f5:79:14:f0']);
    // The IOS-XR capture's Layer 2 Attributes: P flag, MTU 0 (tshark: "flags: 0x0002, L2 MTU: 0").
    assert.deepStrictEqual(text('0604 0002 0000 0000'), ['layer2_attributes', 'l2-attr:mtu=0:flags=P']);
    assert.deepStrictEqual(text('0604 0005 05dc 0000'), ['layer2_attributes', 'l2-attr:mtu=1500:flags=B,C']);
    assert.deepStrictEqual(text('0605 01 0000 000641'), ['e_tree', 'e-tree:100:leaf']);
    assert.deepStrictEqual(text('0606 01 0002 000000'), ['df_election', 'df-election:alg=1:bitmap=0x0002']);
    assert.deepStrictEqual(text('060a fde8 00000064'), ['evi_route_target', 'evi-rt:65000:100']);
    assert.deepStrictEqual(text('060b c0000201 0007'), ['evi_route_target', 'evi-rt:192.0.2.1:7']);
    assert.deepStrictEqual(text('060c 0000fde8 0007'), ['evi_route_target', 'evi-rt:65000L:7']);
    assert.deepStrictEqual(text('0609 0001 00000000'), ['unknown', '0x0609:000100000000']);
  });
  it('renders Layer2 Info (RFC 4761 §3.2.4) as in the Juniper VPLS capture', () => {
    // tshark: "Encaps Type: VPLS (19), Control Flags: 0x00, Layer-2 MTU: 0"; Reserved carries 100.
    assert.deepStrictEqual(text('800a 13 00 0000 0064'), ['layer2_info', 'l2-info:vpls:mtu=0:pref=100']);
    assert.deepStrictEqual(text('800a 05 02 05dc 0000'), ['layer2_info', 'l2-info:5:mtu=1500:flags=0x02']);
  });
});
