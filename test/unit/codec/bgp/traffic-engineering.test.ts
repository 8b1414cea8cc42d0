/**
 * Link-State NLRI and BGP-LS attribute (RFC 9552, RFC 9085, RFC 9514), SR Policy NLRI (RFC 9830),
 * PREFIX_SID (RFC 8669, RFC 9252) and TUNNEL_ENCAPSULATION (RFC 9012): hand-written RFC layouts
 * decode to the expected values and re-encode byte for byte, encoder output decodes back to what
 * was encoded, and random values (fast-check) round-trip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  decodeBgpMessage,
  encodeBgpMessage,
  makeDecodeOptions,
  type BgpLsRoute,
  type LsTlv,
  type PrefixSidTlv,
  type Route,
  type SrPolicyRoute,
  type TunnelTlv,
} from '../../../../services/codec/bgp/index.js';
import { decodeBgpLsAttribute, encodeBgpLsAttribute } from '../../../../services/codec/bgp/attributes/bgp-ls-attribute.js';
import { decodePrefixSid, encodePrefixSid } from '../../../../services/codec/bgp/attributes/prefix-sid.js';
import { decodeTunnelEncapsulation, encodeTunnelEncapsulation } from '../../../../services/codec/bgp/attributes/tunnel-encapsulation.js';
import { decodeNlri, encodeNlri } from '../../../../services/codec/bgp/nlri/index.js';
import { bgpLsText } from '../../../../services/codec/bgp/nlri/bgp-ls/nlri.js';
import { ByteWriter } from '../../../../services/codec/bgp/writer.js';
import { bgpLsAttributeField, bgpLsField, prefixSidField, tunnelEncapsulationField } from '../../../../services/events/traffic-engineering.js';
import { hex, throwsCodec, update } from './helpers.js';
import { bgpLsRouteArb, lsAttributeArb, prefixSidArb, srPolicyRouteArb, tunnelEncapsulationArb } from './te-arbitraries.js';

const RUNS = Number(process.env.BGP_PROPERTY_RUNS ?? 300);

function nlriBytes(routes: readonly Route[], afi: number, safi: number, addPath = false): Buffer {
  const w = new ByteWriter();
  encodeNlri(w, routes, afi, safi, addPath, false);
  return w.toBuffer();
}

/** Decodes an NLRI block and checks that it re-encodes to the same bytes. */
function decodeBlock(bytes: Buffer, afi: number, safi: number, addPath = false): Route[] {
  const routes = decodeNlri(bytes, 0, bytes.length, afi, safi, addPath, false);
  assert.deepStrictEqual(nlriBytes(routes, afi, safi, addPath), bytes, 're-encodes byte for byte');
  return routes;
}

function encoded<T>(encode: (w: ByteWriter, v: T) => void, value: T): Buffer {
  const w = new ByteWriter();
  encode(w, value);
  return w.toBuffer();
}

// RFC 9552 §5.2 layouts. Node: IS-IS level 2, Identifier 0, Local Node Descriptors with AS 65000,
// BGP-LS Identifier 0 and IGP Router-ID 0000.0000.0001.
const NODE = '0001 0027 02 0000000000000000  0100 001a  0200 0004 0000fde8  0201 0004 00000000  0203 0006 000000000001';
// Link: OSPFv2, Identifier 5, local 192.0.2.1 and remote 192.0.2.2 in AS 65000 area 0, link ids
// 1/2, IPv4 interface 10.0.0.1, neighbour 10.0.0.2, MT-ID 2.
const LINK = `0002 0063 03 0000000000000005
  0100 0018 0200 0004 0000fde8 0202 0004 00000000 0203 0004 c0000201
  0101 0018 0200 0004 0000fde8 0202 0004 00000000 0203 0004 c0000202
  0102 0008 00000001 00000002  0103 0004 0a000001  0104 0004 0a000002  0107 0002 0002`;
// IPv4 prefix: OSPFv2, route type 1 (intra-area), 10.1.0.0/16.
const PREFIX4 = '0003 0031 03 0000000000000000  0100 0018 0200 0004 0000fde8 0202 0004 00000000 0203 0004 c0000201  0108 0001 01  0109 0003 10 0a01';
// IPv6 prefix: IS-IS level 2, MT-ID 2, 2001:db8::/32.
const PREFIX6 = '0004 002e 02 0000000000000000  0100 0012 0200 0004 0000fde8 0203 0006 000000000001  0107 0002 0002  0109 0005 20 20010db8';
// SRv6 SID (RFC 9514 §6): IS-IS level 2, SID fc00:0:1:e000::.
const SRV6 = '0006 0033 02 0000000000000000  0100 0012 0200 0004 0000fde8 0203 0006 000000000001  0206 0010 fc000000 0001e000 00000000 00000000';

describe('Link-State NLRI (AFI 16388, SAFI 71/72)', () => {
  it('node NLRI: protocol, identifier, local node descriptors, canonical text', () => {
    const [r] = decodeBlock(hex(NODE), 16388, 71) as BgpLsRoute[];
    assert.equal(r.kind, 'bgp_ls');
    assert.equal(r.nlriType, 1);
    assert.equal(r.protocolId, 2);
    assert.equal(r.identifier, 0n);
    assert.equal(r.rd, null);
    assert.deepStrictEqual(r.descriptors, [
      {
        type: 256,
        value: [
          { type: 512, value: 65000 },
          { type: 513, value: 0 },
          { type: 515, value: '0000.0000.0001' },
        ],
      },
    ]);
    assert.equal(r.prefix, '[node][isis-l2][0][local[as=65000,bgp-ls-id=0,router=0000.0000.0001]]');
  });

  it('link NLRI: local and remote nodes, link descriptors, and its event fields', () => {
    const [r] = decodeBlock(hex(LINK), 16388, 71) as BgpLsRoute[];
    assert.equal(r.prefix, '[link][ospfv2][5][local[as=65000,area=0,router=192.0.2.1]][remote[as=65000,area=0,router=192.0.2.2]][link-ids=1/2][ipv4-if=10.0.0.1][ipv4-nbr=10.0.0.2][mt=2]');
    const f = bgpLsField(r);
    assert.equal(f.nlri_type, 'link');
    assert.equal(f.protocol, 'ospfv2');
    assert.equal(f.identifier, 5);
    assert.deepStrictEqual(f.local_node, { as_number: 65000, bgp_ls_id: null, ospf_area_id: 0, igp_router_id: '192.0.2.1', bgp_router_id: null, member_asn: null, unknown_tlvs: [] });
    assert.equal(f.remote_node?.igp_router_id, '192.0.2.2');
    assert.deepStrictEqual([f.link_local_id, f.link_remote_id, f.ipv4_interface_address, f.ipv4_neighbor_address], [1, 2, '10.0.0.1', '10.0.0.2']);
    assert.deepStrictEqual(f.multi_topology_ids, [2]);
    assert.equal(f.raw, null);
  });

  it('IPv4 and IPv6 prefix NLRI: route type and IP reachability read by the NLRI type', () => {
    const routes = decodeBlock(hex(PREFIX4 + PREFIX6), 16388, 71) as BgpLsRoute[];
    assert.equal(routes.length, 2);
    assert.equal(routes[0].prefix, '[ipv4-prefix][ospfv2][0][local[as=65000,area=0,router=192.0.2.1]][ospf-route-type=1][ip=10.1.0.0/16]');
    assert.equal(routes[1].prefix, '[ipv6-prefix][isis-l2][0][local[as=65000,router=0000.0000.0001]][mt=2][ip=2001:db8::/32]');
    assert.equal(bgpLsField(routes[0]).ospf_route_type, 1);
    assert.equal(bgpLsField(routes[0]).ip_reachability, '10.1.0.0/16');
    assert.equal(bgpLsField(routes[1]).ip_reachability, '2001:db8::/32');
  });

  it('SRv6 SID NLRI (RFC 9514 §6): the SRv6 SID Information TLV', () => {
    const [r] = decodeBlock(hex(SRV6), 16388, 71) as BgpLsRoute[];
    assert.equal(r.nlriType, 6);
    assert.equal(r.prefix, '[srv6-sid][isis-l2][0][local[as=65000,router=0000.0000.0001]][sid=fc00:0:1:e000::]');
    assert.equal(bgpLsField(r).srv6_sid, 'fc00:0:1:e000::');
    assert.equal(bgpLsField(r).nlri_type, 'srv6_sid');
  });

  it('SAFI 72: the route distinguisher after the header, counted in the length; ADD-PATH ids', () => {
    const body = '01 0000000000000000  0100 0008 0200 0004 0000fde8';
    const bytes = hex(`00000007  0001 001d  0000fde800000001  ${body}`);
    const [r] = decodeBlock(bytes, 16388, 72, true) as BgpLsRoute[];
    assert.equal(r.rd, '65000:1');
    assert.equal(r.pathId, 7);
    assert.equal(r.prefix, '[node][isis-l1][0][local[as=65000]]');
    throwsCodec(() => decodeNlri(hex('0001 0004 00000000'), 0, 8, 16388, 72, false, false), /no room for the route distinguisher/);
  });

  it('unknown NLRI types, unknown TLVs and malformed bodies are kept, and the next NLRI still decodes', () => {
    // Type 5 (SR Policy candidate path, not decoded here); then a node NLRI whose Local Node
    // Descriptors TLV claims more than the NLRI holds; then a node NLRI with an unknown
    // descriptor TLV 600 and an IGP Router-ID of odd length.
    const bytes = hex(`0005 0003 abcdef
      0001 000f 02 0000000000000000 0100 0010 0200
      0001 001c 02 0000000000000000 0100 000f 0258 0002 beef 0203 0005 0102030405`);
    const routes = decodeBlock(bytes, 16388, 71) as BgpLsRoute[];
    assert.deepStrictEqual(
      routes.map((r) => [r.nlriType, r.raw?.toString('hex') ?? null]),
      [
        [5, 'abcdef'],
        [1, '020000000000000000010000100200'],
        [1, null],
      ],
    );
    assert.equal(routes[0].prefix, '[type-5][raw=abcdef]');
    assert.equal(routes[2].prefix, '[node][isis-l2][0][local[tlv-600=beef,router=0102030405]]');
    const f = bgpLsField(routes[2]);
    assert.deepStrictEqual(f.local_node?.unknown_tlvs, ['600:beef', '515:0102030405']);
    assert.equal(bgpLsField(routes[0]).nlri_type, 'type_5');
    assert.deepStrictEqual(bgpLsField(routes[0]).raw, hex('abcdef'));
  });

  it('an NLRI running past the block throws', () => {
    throwsCodec(() => decodeNlri(hex('0001 0030 02 00'), 0, 8, 16388, 71, false, false), /BGP-LS NLRI length 48 exceeds/);
    throwsCodec(() => decodeNlri(hex('0001 00'), 0, 3, 16388, 71, false, false), /header needs 4 bytes/);
  });

  it('encoder-built routes decode back to themselves', () => {
    const r: BgpLsRoute = {
      kind: 'bgp_ls',
      afi: 16388,
      safi: 71,
      pathId: null,
      rd: null,
      nlriType: 2,
      protocolId: 2,
      identifier: 0xffffffffffffffffn,
      descriptors: [
        {
          type: 256,
          value: [
            { type: 512, value: 4200000000 },
            { type: 515, value: '0000.0000.0001.02' },
            { type: 516, value: '192.0.2.7' },
            { type: 517, value: 65001 },
          ],
        },
        { type: 257, value: [{ type: 515, value: '192.0.2.1-10.0.0.1' }] },
        { type: 261, value: '2001:db8::1' },
        { type: 262, value: '2001:db8::2' },
      ],
      raw: null,
      prefix: '',
    };
    r.prefix = bgpLsText(r);
    const bytes = nlriBytes([r], 16388, 71);
    assert.deepStrictEqual(decodeNlri(bytes, 0, bytes.length, 16388, 71, false, false), [r]);
    const f = bgpLsField(r);
    assert.deepStrictEqual(f.local_node, { as_number: 4200000000, bgp_ls_id: null, ospf_area_id: null, igp_router_id: '0000.0000.0001.02', bgp_router_id: '192.0.2.7', member_asn: 65001, unknown_tlvs: [] });
    assert.equal(f.remote_node?.igp_router_id, '192.0.2.1-10.0.0.1');
    assert.equal(f.ipv6_neighbor_address, '2001:db8::2');
  });

  it('property: random routes round-trip (SAFI 71 and 72, with and without ADD-PATH)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(71, 72).chain((safi) => fc.boolean().chain((addPath) => fc.tuple(fc.constant(safi), fc.constant(addPath), fc.array(bgpLsRouteArb(safi, addPath), { maxLength: 4 })))),
        ([safi, addPath, routes]) => {
          const bytes = nlriBytes(routes, 16388, safi, addPath);
          assert.deepStrictEqual(decodeNlri(bytes, 0, bytes.length, 16388, safi, addPath, false), routes);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('SR Policy NLRI (SAFI 73, RFC 9830 §2.1)', () => {
  it('IPv4 and IPv6: length in bits, distinguisher, color, endpoint', () => {
    const [v4] = decodeBlock(hex('60 00000001 00000064 c0000209'), 1, 73) as SrPolicyRoute[];
    assert.deepStrictEqual(v4, { kind: 'sr_policy', afi: 1, safi: 73, pathId: null, distinguisher: 1, color: 100, endpoint: '192.0.2.9', prefix: '[distinguisher=1][color=100][endpoint=192.0.2.9]' });
    const [v6] = decodeBlock(hex('0000000a c0 ffffffff 000000c8 20010db8000000000000000000000009'), 2, 73, true) as SrPolicyRoute[];
    assert.deepStrictEqual([v6.pathId, v6.distinguisher, v6.color, v6.endpoint], [10, 0xffffffff, 200, '2001:db8::9']);
  });

  it('a length other than 96 / 192 bits throws', () => {
    throwsCodec(() => decodeNlri(hex('c0 00000001 00000064 c0000209'), 0, 13, 1, 73, false, false), /length 192 bits, must be 96/);
    throwsCodec(() => decodeNlri(hex('60 00000001 00000064'), 0, 9, 1, 73, false, false), /needs 12 bytes/);
  });

  it('property: random routes round-trip', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2).chain((afi) => fc.boolean().chain((addPath) => fc.tuple(fc.constant(afi), fc.constant(addPath), fc.array(srPolicyRouteArb(afi, addPath), { maxLength: 4 })))),
        ([afi, addPath, routes]) => {
          const bytes = nlriBytes(routes, afi, 73, addPath);
          assert.deepStrictEqual(decodeNlri(bytes, 0, bytes.length, afi, 73, addPath, false), routes);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// BGP-LS attribute TLVs (RFC 9552 §5.3, RFC 9085 §2, RFC 9514 §4-§8).
const NODE_ATTR = `0400 0001 80  0402 0002 7231  0403 0003 490001  0404 0004 c0000201  0405 0010 20010db8000000000000000000000001
  040a 000c c0 00 001f40 0489 0003 003e80
  040b 0003 00 01 80
  040c 000d 00 00 0003e8 0489 0004 00003a98`;
const LINK_ATTR = `0406 0004 c0000202  0440 0004 00000001  0441 0004 4e9502f9  0442 0004 4e6e6b28
  0443 0020 4e6e6b28 4e6e6b28 4e6e6b28 4e6e6b28 4cee6b28 4cee6b28 4cee6b28 4cee6b28
  0444 0004 0000000a  0447 0003 00000a  0448 0008 00000064 000000c8  044a 0008 67652d302f302f30
  044b 0007 30 00 0000 005dc1  044c 000d 30 0a 0000 000000000002 005dc2
  0452 001e 0039 00 00 00 00 fc000000 0001e001 00000000 00000000 04e4 0004 20101000`;
const PREFIX_ATTR = `0480 0001 80  0481 0004 00000007  0483 0004 00000014  0486 0008 40 00 0000 00000001
  048a 0008 00 00 0000 0000000a  04e2 0004 0030 00 00  04e4 0004 28 18 10 00
  0493 0004 c0000201  0444 0003 00000a`;

describe('BGP-LS attribute (type 29)', () => {
  const decode = (text: string): LsTlv[] => {
    const bytes = hex(text);
    const tlvs = decodeBgpLsAttribute(bytes, 0, bytes.length);
    assert.deepStrictEqual(encoded(encodeBgpLsAttribute, tlvs), bytes, 're-encodes byte for byte');
    return tlvs;
  };

  it('node attributes: flags, name, IS-IS area, router ids, SR capabilities, algorithms, SRLB', () => {
    const f = bgpLsAttributeField(decode(NODE_ATTR));
    assert.equal(f.node_flags, 0x80);
    assert.equal(f.node_name, 'r1');
    assert.deepStrictEqual(f.isis_area_ids, ['490001']);
    assert.deepStrictEqual(f.local_router_ids, ['192.0.2.1', '2001:db8::1']);
    assert.deepStrictEqual(f.sr_capabilities, { flags: 0xc0, ranges: [{ size: 8000, first_sid: 16000, is_label: true }] });
    assert.deepStrictEqual(f.sr_algorithms, [0, 1, 128]);
    assert.deepStrictEqual(f.sr_local_block, { flags: 0, ranges: [{ size: 1000, first_sid: 15000, is_label: false }] });
    assert.deepStrictEqual(f.unknown_tlvs, []);
  });

  it('link attributes: TE metrics, bandwidths, SRLG, name, adjacency SIDs, SRv6 End.X SID', () => {
    const f = bgpLsAttributeField(decode(LINK_ATTR));
    assert.deepStrictEqual(f.remote_router_ids, ['192.0.2.2']);
    assert.equal(f.admin_group, 1);
    assert.equal(f.max_link_bandwidth, 1.25e9);
    assert.equal(f.max_reservable_bandwidth, 1e9);
    assert.deepStrictEqual(f.unreserved_bandwidth, [1e9, 1e9, 1e9, 1e9, 1.25e8, 1.25e8, 1.25e8, 1.25e8]);
    assert.equal(f.te_default_metric, 10);
    assert.equal(f.igp_metric, 10);
    assert.deepStrictEqual(f.srlgs, [100, 200]);
    assert.equal(f.link_name, 'ge-0/0/0');
    assert.deepStrictEqual(f.adjacency_sids, [
      { flags: 0x30, weight: 0, sid: 24001, is_label: true, neighbor: null },
      { flags: 0x30, weight: 10, sid: 24002, is_label: true, neighbor: '0000.0000.0002' },
    ]);
    assert.deepStrictEqual(f.srv6_end_x_sids, [
      { endpoint_behavior: 57, flags: 0, algorithm: 0, weight: 0, sid: 'fc00:0:1:e001::', structure: { locator_block_length: 32, locator_node_length: 16, function_length: 16, argument_length: 0 } },
    ]);
  });

  it('prefix and SRv6 SID attributes; unknown TLVs and known ones of another length stay raw', () => {
    const tlvs = decode(PREFIX_ATTR);
    const f = bgpLsAttributeField(tlvs);
    assert.equal(f.igp_flags, 0x80);
    assert.deepStrictEqual(f.route_tags, [7]);
    assert.equal(f.prefix_metric, 20);
    assert.deepStrictEqual(f.prefix_sids, [{ flags: 0x40, algorithm: 0, sid: 1, is_label: false }]);
    assert.deepStrictEqual(f.srv6_locator, { flags: 0, algorithm: 0, metric: 10 });
    assert.deepStrictEqual(f.srv6_endpoint_behavior, { endpoint_behavior: 48, flags: 0, algorithm: 0 });
    assert.deepStrictEqual(f.srv6_sid_structure, { locator_block_length: 40, locator_node_length: 24, function_length: 16, argument_length: 0 });
    // 1171 (Source Router Identifier) is not decoded here; a 3-octet TE Default Metric is not RFC 9552's.
    assert.deepStrictEqual(f.unknown_tlvs, ['1171:c0000201', '1092:00000a']);
    assert.equal(f.te_default_metric, null);
    assert.ok(Buffer.isBuffer(tlvs[tlvs.length - 1].value));
  });

  it('a TLV running past the attribute throws (the attribute is then kept raw with the reason)', () => {
    throwsCodec(() => decodeBgpLsAttribute(hex('0400 0002 80'), 0, 5), /TLV 1024 length 2 exceeds/);
    const msg = decodeBgpMessage(update('', '40 01 01 00  80 1d 05 0400 0002 80'), makeDecodeOptions(true));
    assert.ok(msg.type === 'update');
    assert.equal(msg.attributes.bgpLs, null);
    assert.match(msg.attributes.raw[0].error ?? '', /TLV 1024 length 2 exceeds/);
  });

  it('property: random TLV lists round-trip', () => {
    fc.assert(
      fc.property(lsAttributeArb, (tlvs) => {
        const bytes = encoded(encodeBgpLsAttribute, tlvs);
        assert.deepStrictEqual(decodeBgpLsAttribute(bytes, 0, bytes.length), tlvs);
      }),
      { numRuns: RUNS },
    );
  });
});

// PREFIX_SID: Label-Index 90, Originator SRGB 16000/8000, the SRv6 L3 Service TLV of the Cisco
// IOS XR 7.10.1 capture (SID 2001:db8:91::, End.DT4 with NEXT-CSID, structure 32/16/16/0
// transposed 16 bits at 48), and an SRv6 L2 Service TLV with an unknown sub-TLV.
const PREFIX_SID = `01 0007 00 0000 0000005a  03 0008 0000 003e80 001f40
  05 0022 00 01 001e 00 20010db8009100000000000000000000 00 003f 00 01 0006 20 10 10 00 10 30
  06 0006 00 02 0002 ffff`;

describe('PREFIX_SID (type 40)', () => {
  it('label index, originator SRGB, SRv6 services with SID structure, unknown sub-TLVs', () => {
    const bytes = hex(PREFIX_SID);
    const tlvs = decodePrefixSid(bytes, 0, bytes.length);
    assert.deepStrictEqual(encoded(encodePrefixSid, tlvs), bytes);
    assert.deepStrictEqual(prefixSidField(tlvs), {
      label_index: 90,
      label_index_flags: 0,
      originator_srgb_flags: 0,
      originator_srgbs: [{ base: 16000, range: 8000 }],
      srv6_services: [
        {
          service: 'l3',
          sid: '2001:db8:91::',
          flags: 0,
          endpoint_behavior: 63,
          structure: { locator_block_length: 32, locator_node_length: 16, function_length: 16, argument_length: 0, transposition_length: 16, transposition_offset: 48 },
        },
      ],
      unknown_tlvs: ['6.2:ffff'],
    });
  });

  it('a non-zero reserved octet keeps the TLV raw; an overlong TLV throws', () => {
    const bytes = hex('01 0007 01 0000 0000005a');
    const tlvs: PrefixSidTlv[] = decodePrefixSid(bytes, 0, bytes.length);
    assert.deepStrictEqual(prefixSidField(tlvs).unknown_tlvs, ['1:0100000000005a']);
    assert.deepStrictEqual(encoded(encodePrefixSid, tlvs), bytes);
    throwsCodec(() => decodePrefixSid(hex('01 0008 00'), 0, 4), /PREFIX_SID TLV 1 length 8 exceeds/);
  });

  it('property: random TLV lists round-trip', () => {
    fc.assert(
      fc.property(prefixSidArb, (tlvs) => {
        const bytes = encoded(encodePrefixSid, tlvs);
        assert.deepStrictEqual(decodePrefixSid(bytes, 0, bytes.length), tlvs);
      }),
      { numRuns: RUNS },
    );
  });
});

// TUNNEL_ENCAPSULATION with one SR Policy tunnel (type 15): preference 100, binding SID label
// 24001, ENLP 2, priority 10, candidate path name "cp1", policy name "to-r9", and a segment list
// of weight 10: type A label 16009, type B fc00:0:9::, and a type C segment (not decoded here).
const TUNNEL = `000f 0059  0c06 00 00 00000064  0d06 00 00 05dc1000  0e03 00 00 02  0f02 0a 00
  810004 00 637031  820006 00 746f2d7239
  80002d 00  0906 00 00 0000000a  0106 00 00 03e89000  0d12 00 00 fc000000000900000000000000000000  0306 00 00 c0000201`;

describe('TUNNEL_ENCAPSULATION (type 23) with SR Policy sub-TLVs', () => {
  it('preference, binding SID, ENLP, priority, names, segment list', () => {
    const bytes = hex(TUNNEL);
    const tunnels = decodeTunnelEncapsulation(bytes, 0, bytes.length);
    assert.deepStrictEqual(encoded(encodeTunnelEncapsulation, tunnels), bytes);
    assert.deepStrictEqual(tunnelEncapsulationField(tunnels), {
      tunnels: [
        {
          tunnel_type: 15,
          preference: 100,
          priority: 10,
          binding_sid_flags: 0,
          binding_sid_label: 24001,
          binding_sid_srv6: null,
          enlp: 2,
          candidate_path_name: 'cp1',
          policy_name: 'to-r9',
          segment_lists: [
            {
              weight: 10,
              segments: [
                { segment_type: 'a', flags: 0, label: 16009, sid: null, endpoint_behavior: null },
                { segment_type: 'b', flags: 0, label: null, sid: 'fc00:0:9::', endpoint_behavior: null },
              ],
              unknown_sub_tlvs: ['3:0000c0000201'],
            },
          ],
          unknown_sub_tlvs: [],
        },
      ],
    });
  });

  it('other tunnel types keep their sub-TLVs raw; a sub-TLV running past its tunnel throws', () => {
    // VXLAN (8) with a Color sub-TLV (4) and an SRv6 binding SID (13, 18 octets) in another tunnel.
    const bytes = hex('0008 0008 04 06 0000 00000064  000f 0014 0d 12 00 00 20010db8000000000000000000000001');
    const tunnels: TunnelTlv[] = decodeTunnelEncapsulation(bytes, 0, bytes.length);
    assert.deepStrictEqual(encoded(encodeTunnelEncapsulation, tunnels), bytes);
    const f = tunnelEncapsulationField(tunnels);
    assert.deepStrictEqual(f.tunnels[0].unknown_sub_tlvs, ['4:000000000064']);
    assert.equal(f.tunnels[1].binding_sid_srv6, '2001:db8::1');
    throwsCodec(() => decodeTunnelEncapsulation(hex('000f 0004 0c 06 0000'), 0, 8), /sub-TLV 12 length 6 exceeds its tunnel TLV/);
  });

  it('property: random tunnel TLVs round-trip', () => {
    fc.assert(
      fc.property(tunnelEncapsulationArb, (tunnels) => {
        const bytes = encoded(encodeTunnelEncapsulation, tunnels);
        assert.deepStrictEqual(decodeTunnelEncapsulation(bytes, 0, bytes.length), tunnels);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('whole UPDATEs', () => {
  it('BGP-LS MP_REACH_NLRI with the BGP-LS attribute: decoded, re-encoded byte for byte', () => {
    const nlri = hex(NODE + LINK);
    const mp = Buffer.concat([hex('4004 47 04 c00002fe 00'), nlri]);
    const ls = hex(NODE_ATTR);
    const attrs = `40 01 01 00  40 02 00  90 0e ${mp.length.toString(16).padStart(4, '0')} ${mp.toString('hex')}  90 1d ${ls.length.toString(16).padStart(4, '0')} ${ls.toString('hex')}`;
    const bytes = update('', attrs);
    const opts = makeDecodeOptions(true);
    const msg = decodeBgpMessage(bytes, opts);
    assert.ok(msg.type === 'update');
    assert.deepStrictEqual(encodeBgpMessage(msg, opts), bytes);
    const routes = msg.attributes.mpReach?.routes ?? [];
    assert.deepStrictEqual(
      routes.map((r) => r.kind === 'bgp_ls' && r.nlriType),
      [1, 2],
    );
    assert.equal(msg.attributes.mpReach?.nextHop.address, '192.0.2.254');
    assert.equal(msg.attributes.bgpLs?.length, 8);
    assert.deepStrictEqual(msg.attributes.raw, []);
  });

  it('SR Policy UPDATE with TUNNEL_ENCAPSULATION, withdrawn in MP_UNREACH_NLRI', () => {
    const tunnel = hex(TUNNEL);
    const mp = hex('0001 49 04 c00002fe 00  60 00000001 00000064 c0000209');
    const attrs = `40 01 01 00  40 02 00  90 0e ${mp.length.toString(16).padStart(4, '0')} ${mp.toString('hex')}  c0 17 ${tunnel.length.toString(16).padStart(2, '0')} ${tunnel.toString('hex')}  90 0f 0010 0001 49 60 00000002 000000c8 c000020a`;
    const bytes = update('', attrs);
    const opts = makeDecodeOptions(true);
    const msg = decodeBgpMessage(bytes, opts);
    assert.ok(msg.type === 'update');
    assert.deepStrictEqual(encodeBgpMessage(msg, opts), bytes);
    assert.equal(msg.attributes.tunnelEncapsulation?.[0].tunnelType, 15);
    assert.deepStrictEqual(
      msg.attributes.mpUnreach?.routes.map((r) => r.kind === 'sr_policy' && r.prefix),
      ['[distinguisher=2][color=200][endpoint=192.0.2.10]'],
    );
  });
});

/**
 * Mutated and random bytes: each decoder throws nothing but CodecError, and whatever it decodes
 * re-encodes to exactly the bytes it read (unknown or odd values are kept raw, never normalised).
 */
describe('property: arbitrary bytes decode to what re-encodes them, or throw CodecError', () => {
  const mutation = fc.record({ flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), cut: fc.option(fc.nat(), { nil: null }) });
  function mutate(bytes: Buffer, m: { flips: [number, number][]; cut: number | null }): Buffer {
    const out = Buffer.from(bytes);
    if (out.length > 0) for (const [pos, v] of m.flips) out[pos % out.length] = v;
    return m.cut === null ? out : out.subarray(0, m.cut % (out.length + 1));
  }
  function check<T>(bytes: Buffer, decode: (b: Buffer) => T, encode: (v: T) => Buffer): void {
    let value: T;
    try {
      value = decode(bytes);
    } catch (e) {
      assert.ok(e instanceof CodecError, `non-CodecError thrown: ${String(e)}`);
      return;
    }
    assert.deepStrictEqual(encode(value), bytes);
  }
  const nlri = (afi: number, safi: number, addPath: boolean) => ({
    decode: (b: Buffer) => decodeNlri(b, 0, b.length, afi, safi, addPath, false),
    encode: (routes: Route[]) => nlriBytes(routes, afi, safi, addPath),
  });
  const attr = <T>(decode: (b: Buffer, s: number, e: number) => T, encode: (w: ByteWriter, v: T) => void) => ({
    decode: (b: Buffer) => decode(b, 0, b.length),
    encode: (v: T) => encoded(encode, v),
  });

  it('Link-State NLRI', () => {
    fc.assert(
      fc.property(fc.constantFrom(71, 72), fc.boolean(), fc.array(bgpLsRouteArb(71, false), { minLength: 1, maxLength: 3 }), mutation, (safi, addPath, routes, m) => {
        const c = nlri(16388, safi, addPath);
        check(mutate(nlriBytes(routes, 16388, 71, false), m), c.decode, c.encode);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('SR Policy NLRI', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.boolean(), fc.uint8Array({ maxLength: 60 }), (afi, addPath, raw) => {
        const c = nlri(afi, 73, addPath);
        check(Buffer.from(raw), c.decode, c.encode);
      }),
      { numRuns: RUNS },
    );
  });

  it('BGP-LS attribute, PREFIX_SID, TUNNEL_ENCAPSULATION', () => {
    const ls = attr(decodeBgpLsAttribute, encodeBgpLsAttribute);
    const sid = attr(decodePrefixSid, encodePrefixSid);
    const tun = attr(decodeTunnelEncapsulation, encodeTunnelEncapsulation);
    fc.assert(
      fc.property(lsAttributeArb, prefixSidArb, tunnelEncapsulationArb, mutation, (a, p, t, m) => {
        check(mutate(ls.encode(a), m), ls.decode, ls.encode);
        check(mutate(sid.encode(p), m), sid.decode, sid.encode);
        check(mutate(tun.encode(t), m), tun.decode, tun.encode);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
