/**
 * One block per path attribute: hand-written value bytes (from each RFC's layout) inside an
 * UPDATE, the decoded value, byte-exact re-encoding, and the malformed cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aigpMetricTlv,
  attributeCode,
  attributeName,
  communityName,
  decodeBgpMessage,
  defaultAttributeFlags,
  describeCommunity,
  encodeBgpMessage,
  extendedCommunityFromBytes,
  formatAsPath,
  formatCommunity,
  makeDecodeOptions,
  makeIpv6ExtendedCommunity,
  parseCommunity,
  parseExtendedCommunity,
  WellKnownCommunity,
  type Attributes,
  type UpdateMessage,
} from '../../../../services/codec/bgp/index.js';
import { hex, update } from './helpers.js';

const AS4 = makeDecodeOptions(true);
const AS2 = makeDecodeOptions(false);

/** Decodes an UPDATE holding just `attrsHex`, checks the byte-exact round trip, returns the view. */
function attrs(attrsHex: string, opts = AS4): Attributes {
  const buf = update('', attrsHex);
  const m = decodeBgpMessage(buf, opts) as UpdateMessage;
  assert.deepEqual(encodeBgpMessage(m, opts), buf);
  return m.attributes;
}

function rawError(a: Attributes): string {
  assert.equal(a.raw.length, 1, 'one raw attribute expected');
  return String(a.raw[0].error);
}

describe('ORIGIN (type 1)', () => {
  it('decodes the three values', () => {
    assert.equal(attrs('40 01 01 00').origin, 'igp');
    assert.equal(attrs('40 01 01 01').origin, 'egp');
    assert.equal(attrs('40 01 01 02').origin, 'incomplete');
  });
  it('malformed: bad value or length', () => {
    assert.match(rawError(attrs('40 01 01 03')), /ORIGIN value 3/);
    assert.match(rawError(attrs('40 01 02 0000')), /ORIGIN length 2, must be 1/);
  });
});

describe('AS_PATH (type 2)', () => {
  it('4-octet ASNs, all four segment types', () => {
    const a = attrs(
      `40 02 20
       02 02 0000fde8 fbf00001   # AS_SEQUENCE 65000 4226809857
       01 02 00000001 00000002   # AS_SET {1,2}
       03 01 0000fc00            # AS_CONFED_SEQUENCE (64512)
       04 01 0000fc01            # AS_CONFED_SET [64513]`,
    );
    assert.deepEqual(a.asPath, [
      { type: 'sequence', asns: [65000, 4226809857] },
      { type: 'set', asns: [1, 2] },
      { type: 'confed_sequence', asns: [64512] },
      { type: 'confed_set', asns: [64513] },
    ]);
    assert.equal(formatAsPath(a.asPath ?? []), '65000 4226809857 {1,2} (64512) [64513]');
  });
  it('2-octet ASNs', () => {
    assert.deepEqual(attrs('40 02 08 02 03 fde8 fde9 5ba0', AS2).asPath, [{ type: 'sequence', asns: [65000, 65001, 23456] }]);
  });
  it('a zero-count segment is kept (representable)', () => {
    assert.deepEqual(attrs('40 02 02 02 00').asPath, [{ type: 'sequence', asns: [] }]);
  });
  it('malformed: unknown segment type, overrun, truncated header', () => {
    assert.match(rawError(attrs('40 02 06 05 01 00000001')), /AS_PATH segment type 5 is unknown/);
    assert.match(rawError(attrs('40 02 06 02 02 00000001')), /AS_PATH segment length 2 exceeds attribute \(4 bytes left\)/);
    assert.match(rawError(attrs('40 02 07 02 01 00000001 02')), /AS_PATH segment header needs 2 bytes, only 1 left/);
  });
});

describe('NEXT_HOP (type 3), MED (4), LOCAL_PREF (5), ATOMIC_AGGREGATE (6)', () => {
  it('decodes', () => {
    const a = attrs('40 03 04 c6336401  80 04 04 ffffffff  40 05 04 00000064  40 06 00');
    assert.equal(a.nextHop, '198.51.100.1');
    assert.equal(a.med, 4294967295);
    assert.equal(a.localPref, 100);
    assert.equal(a.atomicAggregate, true);
  });
  it('malformed lengths', () => {
    assert.match(rawError(attrs('80 04 03 000001')), /MULTI_EXIT_DISC length 3, must be 4/);
    assert.match(rawError(attrs('40 05 05 0000000001')), /LOCAL_PREF length 5, must be 4/);
    assert.match(rawError(attrs('40 06 01 00')), /ATOMIC_AGGREGATE length 1, must be 0/);
  });
});

describe('AGGREGATOR (type 7) and AS4_AGGREGATOR (type 18)', () => {
  it('8 octets with 4-octet ASNs', () => {
    assert.deepEqual(attrs('c0 07 08 fbf00001 c0000201').aggregator, { as: 4226809857, address: '192.0.2.1' });
  });
  it('6 octets with 2-octet ASNs', () => {
    assert.deepEqual(attrs('c0 07 06 fde8 c0000201', AS2).aggregator, { as: 65000, address: '192.0.2.1' });
  });
  it('wrong size for the session is malformed', () => {
    assert.match(rawError(attrs('c0 07 06 fde8 c0000201', AS4)), /AGGREGATOR length 6, must be 8/);
    assert.match(rawError(attrs('c0 07 08 0000fde8 c0000201', AS2)), /AGGREGATOR length 8, must be 6/);
  });
  it('AS4_AGGREGATOR is always 8 octets', () => {
    const a = attrs('c0 12 08 fbf00001 c0000201', AS4);
    assert.deepEqual(a.as4Aggregator, { as: 4226809857, address: '192.0.2.1' });
    assert.equal(a.as4Status, 'ignored_four_octet');
    assert.match(rawError(attrs('c0 12 06 fde8 c0000201', AS2)), /AS4_AGGREGATOR length 6, must be 8/);
  });
});

describe('COMMUNITIES (type 8, RFC 1997)', () => {
  it('decodes numbers; formats and names well-known values', () => {
    const a = attrs('c0 08 10 fde80064 ffffff01 ffff029a ffffff03');
    assert.deepEqual(a.communities, [0xfde80064, 0xffffff01, 0xffff029a, 0xffffff03]);
    assert.deepEqual(a.communities?.map(formatCommunity), ['65000:100', '65535:65281', '65535:666', '65535:65283']);
    assert.deepEqual(a.communities?.map(describeCommunity), ['65000:100', 'NO_EXPORT', 'BLACKHOLE', 'NO_EXPORT_SUBCONFED']);
    assert.equal(communityName(0xffffff02), 'NO_ADVERTISE');
    assert.equal(communityName(0xffffff04), 'NOPEER');
    assert.equal(communityName(0xffff0000), 'GRACEFUL_SHUTDOWN');
    assert.equal(communityName(0xfde80064), null);
    assert.equal(parseCommunity('65000:100'), 0xfde80064);
    assert.equal(parseCommunity('NO_EXPORT'), WellKnownCommunity.NO_EXPORT);
  });
  it('malformed: empty or not a multiple of 4 (RFC 7606 §7.8)', () => {
    assert.match(rawError(attrs('c0 08 00')), /COMMUNITIES length 0 is not a non-zero multiple of 4/);
    assert.match(rawError(attrs('c0 08 05 fde8006400')), /COMMUNITIES length 5/);
  });
});

describe('ORIGINATOR_ID (9) and CLUSTER_LIST (10), RFC 4456', () => {
  it('decodes', () => {
    const a = attrs('80 09 04 0a000001  80 0a 08 0a000002 0a000003');
    assert.equal(a.originatorId, '10.0.0.1');
    assert.deepEqual(a.clusterList, ['10.0.0.2', '10.0.0.3']);
  });
  it('malformed', () => {
    assert.match(rawError(attrs('80 09 05 0a00000100')), /ORIGINATOR_ID length 5, must be 4/);
    assert.match(rawError(attrs('80 0a 06 0a0000020a00')), /CLUSTER_LIST length 6/);
  });
});

describe('EXTENDED COMMUNITIES (type 16)', () => {
  const cases: [string, string, string][] = [
    ['0002 fde8 00000064', 'route_target', 'rt:65000:100'],
    ['0102 c0000201 0064', 'route_target', 'rt:192.0.2.1:100'],
    ['0202 fa56ea00 0064', 'route_target', 'rt:4200000000:100'],
    ['0202 0000fde8 0064', 'route_target', 'rt:65000L:100'],
    ['0003 fde8 00000007', 'route_origin', 'ro:65000:7'],
    ['0103 c0000201 0007', 'route_origin', 'ro:192.0.2.1:7'],
    ['0203 fa56ea00 0007', 'route_origin', 'ro:4200000000:7'],
    ['4004 fde8 4cee6b28', 'link_bandwidth', 'lbw:65000:125000000'],
    ['030c 00000000 0008', 'encapsulation', 'encap:8'],
    ['030b 0000 00000064', 'color', 'color:100'],
    ['030b 4000 00000064', 'color', 'color:100:flags=0x4000'],
    ['0005 fde8 00000001', 'ospf_domain_id', 'ospf-domain-id:65000:1'],
    ['0306 00000000 05 01', 'ospf_route_type', 'ospf-route-type:0.0.0.0:5:1'],
    ['0107 c0000201 0000', 'ospf_router_id', 'ospf-router-id:192.0.2.1:0'],
    ['010b c0000201 0005', 'vrf_route_import', 'vrf-import:192.0.2.1:5'],
    ['0009 fde8 00000000', 'source_as', 'source-as:65000:0'],
    ['0600 01 00 00000005', 'mac_mobility', 'mac-mobility:5:sticky'],
    ['0603 00005e005301', 'router_mac', 'router-mac:00:00:5e:00:53:01'],
    ['8006 fde8 00000000', 'traffic_rate_bytes', 'traffic-rate:65000:0'],
    ['8007 000000000003', 'traffic_action', 'traffic-action:sample,terminal'],
    ['8008 fde8 00000064', 'redirect', 'redirect:65000:100'],
    ['8009 00000000002e', 'traffic_marking', 'traffic-marking:46'],
    ['0312 0102030405ff', 'unknown', '0x0312:0102030405ff'],
    ['0099 fde8 00000064', 'unknown', '0x0099:fde800000064'],
  ];
  for (const [bytes, kind, text] of cases) {
    it(`${text}`, () => {
      const a = attrs(`c0 10 08 ${bytes}`);
      const c = a.extendedCommunities?.[0];
      assert.ok(c);
      assert.equal(c.kind, kind);
      assert.equal(c.text, text);
      assert.deepEqual(extendedCommunityFromBytes(hex(bytes)), c);
    });
  }
  it('structured fields and transitivity', () => {
    const [rt, lbw] = attrs('c0 10 10 0002fde800000064 4004fde84cee6b28').extendedCommunities ?? [];
    assert.deepEqual([rt.type, rt.subtype, rt.global, rt.local, rt.transitive], [0, 2, 65000, 100, true]);
    assert.deepEqual([lbw.type, lbw.global, lbw.local, lbw.transitive], [0x40, 65000, 125000000, false]);
  });
  it('parses text back to the same community', () => {
    for (const t of ['rt:65000:100', 'rt:192.0.2.1:100', 'rt:4200000000:100', 'rt:65000L:100', 'ro:65000:7', '0x0312:0102030405ff']) {
      assert.equal(parseExtendedCommunity(t).text, t);
    }
  });
  it('malformed length (RFC 7606 §7.14)', () => {
    assert.match(rawError(attrs('c0 10 07 0002fde8000000')), /EXTENDED_COMMUNITIES length 7/);
  });
});

describe('IPv6 Address Specific Extended Community (type 25, RFC 5701)', () => {
  it('route target and route origin', () => {
    const a = attrs(
      `c0 19 28
       00 02 20010db8000000000000000000000001 0064   # rt [2001:db8::1]:100
       40 03 20010db8000000000000000000000002 0007   # non-transitive ro`,
    );
    assert.deepEqual(a.ipv6ExtendedCommunities, [
      makeIpv6ExtendedCommunity(0, 2, '2001:db8::1', 100),
      { type: 0x40, subtype: 3, kind: 'route_origin', transitive: false, global: '2001:db8::2', local: 7, text: 'ro:[2001:db8::2]:7' },
    ]);
    assert.equal(a.ipv6ExtendedCommunities?.[0].text, 'rt:[2001:db8::1]:100');
  });
  it('malformed length', () => {
    assert.match(rawError(attrs('c0 19 04 00022001')), /IPV6_EXTENDED_COMMUNITIES length/);
  });
});

describe('AIGP (type 26, RFC 7311)', () => {
  it('metric TLV', () => {
    const a = attrs('80 1a 0b 01 000b 0000000000000400');
    assert.equal(a.aigp, 1024n);
    assert.deepEqual(aigpMetricTlv(1024n), { type: 1, value: hex('0000000000000400') });
  });
  it('large metric stays exact as bigint', () => {
    assert.equal(attrs('80 1a 0b 01 000b fffffffffffffffe').aigp, 0xfffffffffffffffen);
  });
  it('malformed TLVs', () => {
    assert.match(rawError(attrs('80 1a 0a 01 000a 00000000000004')), /AIGP metric TLV length 10, must be 11/);
    assert.match(rawError(attrs('80 1a 03 01 0002')), /AIGP TLV length 2 is below its 3-octet header/);
    assert.match(rawError(attrs('80 1a 04 02 0009 00')), /AIGP TLV length 9 exceeds attribute \(4 bytes left\)/);
  });
});

describe('LARGE_COMMUNITY (type 32, RFC 8092)', () => {
  it('a:b:c text', () => {
    assert.deepEqual(attrs('c0 20 18 0000fbf0 ffffffff 00000002  fa56ea00 00000000 00000001').largeCommunities, ['64496:4294967295:2', '4200000000:0:1']);
  });
  it('malformed length', () => {
    assert.match(rawError(attrs('c0 20 0b 0000fbf0ffffffff000000')), /LARGE_COMMUNITY length 11 is not a non-zero multiple of 12/);
  });
});

describe('OTC (type 35, RFC 9234)', () => {
  it('decodes the ASN', () => {
    assert.equal(attrs('c0 23 04 0000fde8').otc, 65000);
  });
  it('length other than 4 is malformed', () => {
    assert.match(rawError(attrs('c0 23 02 fde8')), /OTC length 2, must be 4/);
  });
});

describe('raw attributes and the code table', () => {
  it('known-but-undecoded types stay raw (PMSI tunnel, 22)', () => {
    const a = attrs('c0 16 05 00 00 000010');
    assert.deepEqual(a.raw.map((r) => [r.code, r.error, r.value.toString('hex')]), [[22, null, '0000000010']]);
  });
  it('names and codes', () => {
    assert.equal(attributeName(2), 'AS_PATH');
    assert.equal(attributeName(200), 'ATTR_200');
    assert.equal(attributeCode('large_communities'), 32);
    assert.equal(defaultAttributeFlags(1), 0x40);
    assert.equal(defaultAttributeFlags(4), 0x80);
    assert.equal(defaultAttributeFlags(8), 0xc0);
  });
});
