/**
 * Address families in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760): plain IPv4/IPv6 prefixes,
 * next hops by length (RFC 8950 §3, RFC 2545), labeled unicast (RFC 8277), L3VPN with each RD type
 * (RFC 4364 §4.2), ADD-PATH, raw families, and prefix text rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBgpMessage,
  encodeBgpMessage,
  familyName,
  makeDecodeOptions,
  maskPrefix,
  nlriEncoding,
  WITHDRAW_COMPAT_LABEL,
  type MpReach,
  type MpUnreach,
  type UpdateMessage,
} from '../../../../services/codec/bgp/index.js';
import { hex, update } from './helpers.js';

const AS4 = makeDecodeOptions(true);

function hexLen(h: string): string {
  return hex(h).length.toString(16).padStart(4, '0');
}

/** MP_REACH_NLRI attribute (flags 0x90: optional, extended length) as hex. */
function reach(afi: number, safi: number, nhHex: string, nlriHex: string): string {
  const nh = hex(nhHex);
  const value = `${afi.toString(16).padStart(4, '0')} ${safi.toString(16).padStart(2, '0')} ${nh.length.toString(16).padStart(2, '0')} ${nhHex} 00 ${nlriHex}`;
  return `90 0e ${hexLen(value)} ${value}`;
}

function unreach(afi: number, safi: number, nlriHex: string): string {
  const value = `${afi.toString(16).padStart(4, '0')} ${safi.toString(16).padStart(2, '0')} ${nlriHex}`;
  return `90 0f ${hexLen(value)} ${value}`;
}

function decode(attrsHex: string, opts = AS4): UpdateMessage {
  const buf = update('', attrsHex);
  const m = decodeBgpMessage(buf, opts) as UpdateMessage;
  assert.deepEqual(encodeBgpMessage(m, opts), buf, 'byte-exact re-encoding');
  return m;
}

function mpReach(attrsHex: string, opts = AS4): MpReach {
  const r = decode(attrsHex, opts).attributes.mpReach;
  assert.ok(r, 'MP_REACH_NLRI decoded');
  return r;
}

function mpUnreach(attrsHex: string, opts = AS4): MpUnreach {
  const r = decode(attrsHex, opts).attributes.mpUnreach;
  assert.ok(r, 'MP_UNREACH_NLRI decoded');
  return r;
}

const prefixes = (routes: MpReach['routes']): string[] => routes.map((r) => (r.kind === 'prefix' || r.kind === 'flowspec' || r.kind === 'bgp_ls' || r.kind === 'sr_policy' ? r.prefix : r.kind === 'raw' ? `raw:${r.raw.toString('hex')}` : r.kind));

describe('IPv6 unicast (2/1)', () => {
  it('16-octet next hop; RFC 5952 prefix text', () => {
    const r = mpReach(
      reach(
        2,
        1,
        '20010db8000000000000000000000001',
        `20 20010db8              # 2001:db8::/32
         40 20010db800000001      # 2001:db8:0:1::/64
         00                       # ::/0
         80 00000000000000000000ffff0a000001  # ::ffff:10.0.0.1/128`,
      ),
    );
    assert.equal(r.afi, 2);
    assert.equal(r.safi, 1);
    assert.deepEqual(r.nextHop, { address: '2001:db8::1', linkLocal: null, rd: null, linkLocalRd: null, raw: null });
    assert.deepEqual(prefixes(r.routes), ['2001:db8::/32', '2001:db8:0:1::/64', '::/0', '::ffff:10.0.0.1/128']);
    assert.deepEqual(r.routes[0], { kind: 'prefix', afi: 2, safi: 1, prefix: '2001:db8::/32', pathId: null });
  });

  it('32-octet next hop = global + link-local (RFC 2545 §3)', () => {
    const r = mpReach(reach(2, 1, '20010db8000000000000000000000001 fe800000000000000000000000000001', '30 20010db80001'));
    assert.equal(r.nextHop.address, '2001:db8::1');
    assert.equal(r.nextHop.linkLocal, 'fe80::1');
    assert.deepEqual(prefixes(r.routes), ['2001:db8:1::/48']);
  });

  it('withdrawals in MP_UNREACH_NLRI', () => {
    const u = mpUnreach(unreach(2, 1, '20 20010db8  30 20010db80001'));
    assert.deepEqual(prefixes(u.routes), ['2001:db8::/32', '2001:db8:1::/48']);
  });

  it('ADD-PATH path identifiers (RFC 7911 §3)', () => {
    const opts = makeDecodeOptions(true, [{ afi: 2, safi: 1 }]);
    const r = mpReach(reach(2, 1, '20010db8000000000000000000000001', '00000007 20 20010db8  00000008 20 20010db8'), opts);
    assert.deepEqual(
      r.routes.map((x) => x.kind === 'prefix' && [x.pathId, x.prefix]),
      [
        [7, '2001:db8::/32'],
        [8, '2001:db8::/32'],
      ],
    );
  });

  it('prefix length over 128 leaves the attribute raw with an error', () => {
    const m = decode(reach(2, 1, '20010db8000000000000000000000001', '81 20010db8000000000000000000000000 00'));
    assert.equal(m.attributes.mpReach, null);
    assert.match(String(m.attributes.raw[0].error), /IPv6 prefix length 129 exceeds 128/);
  });
});

describe('IPv4 in MP attributes', () => {
  it('multicast (1/2) with an IPv4 next hop', () => {
    const r = mpReach(reach(1, 2, 'c0000201', '18 e80000'));
    assert.equal(r.nextHop.address, '192.0.2.1');
    assert.deepEqual(r.routes, [{ kind: 'prefix', afi: 1, safi: 2, prefix: '232.0.0.0/24', pathId: null }]);
  });

  it('extended next hop: IPv4 unicast NLRI with an IPv6 next hop (RFC 8950 §3)', () => {
    const r = mpReach(reach(1, 1, '20010db8000000000000000000000001', '18 c00002'));
    assert.equal(r.nextHop.address, '2001:db8::1');
    assert.deepEqual(prefixes(r.routes), ['192.0.2.0/24']);
  });

  it('IPv4-mapped IPv6 next hop keeps its 16-octet form', () => {
    const r = mpReach(reach(2, 1, '00000000000000000000ffffc0000201', '20 20010db8'));
    assert.equal(r.nextHop.address, '::ffff:192.0.2.1');
  });
});

describe('labeled unicast, SAFI 4 (RFC 8277)', () => {
  it('one label with S set', () => {
    const r = mpReach(reach(1, 4, 'c0000201', '30 000101 0a0000   # 24 label bits + 24 prefix bits; label 16, S=1; 10.0.0.0/24'));
    assert.deepEqual(r.routes, [{ kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null, labels: [16] }]);
  });

  it('two labels, S on the second (RFC 8277 §2.3)', () => {
    const r = mpReach(reach(1, 4, 'c0000201', '48 000100 000111 0a0000'));
    assert.deepEqual(r.routes, [{ kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null, labels: [16, 17] }]);
  });

  it('IPv6 labeled (2/4)', () => {
    const r = mpReach(reach(2, 4, '20010db8000000000000000000000001', '38 0003e1 20010db8   # label 62, 2001:db8::/32'));
    assert.deepEqual(r.routes, [{ kind: 'prefix', afi: 2, safi: 4, prefix: '2001:db8::/32', pathId: null, labels: [62] }]);
  });

  it('withdrawal with the 0x800000 compatibility field (RFC 8277 §2.4)', () => {
    const u = mpUnreach(unreach(1, 4, '30 800000 0a0000'));
    assert.deepEqual(u.routes, [{ kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null, labels: [WITHDRAW_COMPAT_LABEL] }]);
  });

  it('withdrawal with 0x000000 (older senders) and with a real label', () => {
    assert.deepEqual(mpUnreach(unreach(1, 4, '30 000000 0a0000')).routes[0], { kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null, labels: [0] });
    // RFC 3107-style withdrawal carrying the route's label (S set): also the encoder's default.
    assert.deepEqual(mpUnreach(unreach(1, 4, '30 000101 0a0000')).routes[0], { kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null, labels: [16] });
    // 0x800001: compatibility value with S set is not the default, so the low bits are recorded.
    assert.deepEqual(mpUnreach(unreach(1, 4, '30 800001 0a0000')).routes[0], {
      kind: 'prefix',
      afi: 1,
      safi: 4,
      prefix: '10.0.0.0/24',
      pathId: null,
      labels: [WITHDRAW_COMPAT_LABEL],
      labelBits: [1],
    });
  });

  it('non-zero TC bits are kept in labelBits', () => {
    const r = mpReach(reach(1, 4, 'c0000201', '30 00010b 0a0000'));
    assert.deepEqual(r.routes[0], { kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/24', pathId: null, labels: [16], labelBits: [0xb] });
  });

  it('a single label with S clear stops when no room is left for another', () => {
    const r = mpReach(reach(1, 4, 'c0000201', '28 000100 0a00   # 24 + 16 bits: label 16 with S=0, then 10.0.0.0/16'));
    assert.deepEqual(r.routes[0], { kind: 'prefix', afi: 1, safi: 4, prefix: '10.0.0.0/16', pathId: null, labels: [16], labelBits: [0] });
  });

  it('ADD-PATH before the length octet (RFC 8277 §2.2)', () => {
    const opts = makeDecodeOptions(true, [{ afi: 1, safi: 4 }]);
    const r = mpReach(reach(1, 4, 'c0000201', '00000003 30 000101 0a0000'), opts);
    assert.equal(r.routes[0].kind === 'prefix' && r.routes[0].pathId, 3);
  });

  it('a length too short for a label is malformed', () => {
    const m = decode(reach(1, 4, 'c0000201', '10 0001'));
    assert.match(String(m.attributes.raw[0].error), /labeled NLRI length 16 leaves no room for a label/);
  });
});

describe('L3VPN, SAFI 128 (RFC 4364 §4.3.4, RFC 4659)', () => {
  const vpn = (rdHex: string): string => `70 000101 ${rdHex} 0a0000   # 112 bits: label 16, RD, 10.0.0.0/24`;
  const rdCases: [string, string][] = [
    ['0000 fde8 00000064', '65000:100'], // type 0: 2-octet ASN + 4-octet number
    ['0001 c0000201 0064', '192.0.2.1:100'], // type 1: IPv4 + 2-octet number
    ['0002 fa56ea00 0064', '4200000000:100'], // type 2: 4-octet ASN + 2-octet number
    ['0002 0000fde8 0064', '65000L:100'], // type 2 with a small ASN: "L" keeps it apart from type 0
    ['0003 010203040506', '0x0003:010203040506'], // unassigned type: hex
  ];
  for (const [rdHex, text] of rdCases) {
    it(`RD ${text}`, () => {
      const r = mpReach(reach(1, 128, '0000000000000000 c0000201', vpn(rdHex)));
      assert.deepEqual(r.routes, [{ kind: 'prefix', afi: 1, safi: 128, prefix: '10.0.0.0/24', pathId: null, labels: [16], rd: text }]);
    });
  }

  it('VPN-IPv4 next hop of 12 octets is RD + IPv4', () => {
    const r = mpReach(reach(1, 128, '0000000000000000 c0000201', vpn('0000fde800000064')));
    assert.deepEqual(r.nextHop, { address: '192.0.2.1', linkLocal: null, rd: '0:0', linkLocalRd: null, raw: null });
  });

  it('VPN-IPv4 with a 24-octet RD + IPv6 next hop (RFC 8950) and a bare 16-octet one (RFC 5549)', () => {
    const r24 = mpReach(reach(1, 128, '0000000000000000 20010db8000000000000000000000001', vpn('0000fde800000064')));
    assert.deepEqual([r24.nextHop.rd, r24.nextHop.address], ['0:0', '2001:db8::1']);
    const r16 = mpReach(reach(1, 128, '20010db8000000000000000000000001', vpn('0000fde800000064')));
    assert.deepEqual([r16.nextHop.rd, r16.nextHop.address], [null, '2001:db8::1']);
  });

  it('VPN-IPv6 with a 48-octet next hop (RD + global + RD + link-local)', () => {
    const r = mpReach(
      reach(
        2,
        128,
        '0000000000000000 20010db8000000000000000000000001 0000000000000000 fe800000000000000000000000000001',
        '78 000101 0000fde800000064 20010db8   # 24 + 64 + 32 bits',
      ),
    );
    assert.deepEqual(r.nextHop, { address: '2001:db8::1', linkLocal: 'fe80::1', rd: '0:0', linkLocalRd: '0:0', raw: null });
    assert.deepEqual(r.routes, [{ kind: 'prefix', afi: 2, safi: 128, prefix: '2001:db8::/32', pathId: null, labels: [16], rd: '65000:100' }]);
  });

  it('withdrawal with the compatibility label', () => {
    const u = mpUnreach(unreach(1, 128, '70 800000 0001c00002010064 0a0000'));
    assert.deepEqual(u.routes, [{ kind: 'prefix', afi: 1, safi: 128, prefix: '10.0.0.0/24', pathId: null, labels: [WITHDRAW_COMPAT_LABEL], rd: '192.0.2.1:100' }]);
  });

  it('a length with no room for the RD is malformed', () => {
    const m = decode(reach(1, 128, '0000000000000000 c0000201', '30 000101 000000'));
    assert.match(String(m.attributes.raw[0].error), /VPN NLRI length 48 leaves no room for the route distinguisher/);
  });
});

describe('families kept raw', () => {
  it('an unregistered family (25/200): the NLRI block is one raw route, never dropped', () => {
    const nlri = '02 21 0000fde800000064 00000000000000000000 00000000 30 00005e005301 00 000064';
    const r = mpReach(reach(25, 200, 'c0000201', nlri));
    assert.deepEqual(r.routes, [{ kind: 'raw', afi: 25, safi: 200, raw: hex(nlri) }]);
  });

  it('Flowspec (1/133) with a zero-length next hop (RFC 8955 §4): decoded since flowspec.ts', () => {
    const nlri = '0b 01 18 c00002 03 81 06 04 81 19'; // RFC 8955 §4.3.1's example
    const r = mpReach(reach(1, 133, '', nlri));
    assert.deepEqual(r.nextHop, { address: null, linkLocal: null, rd: null, linkLocalRd: null, raw: Buffer.alloc(0) });
    assert.deepEqual(prefixes(r.routes), ['dst 192.0.2.0/24 && proto =6 && port =25']);
  });

  it('an unusual next-hop length is kept raw', () => {
    const r = mpReach(reach(25, 70, 'c000020100', ''));
    assert.deepEqual(r.nextHop.raw, hex('c000020100'));
    assert.deepEqual(r.routes, []);
  });

  it('MP_REACH_NLRI next hop length past the attribute', () => {
    const m = decode('90 0e 0009 0001 01 10 c0000201 00');
    assert.match(String(m.attributes.raw[0].error), /MP_REACH_NLRI next hop length 16 exceeds attribute/);
  });
});

describe('prefix text', () => {
  it('renders the wire bits as they are (host bits past the length are not masked)', () => {
    const m = decode(reach(1, 1, 'c0000201', '07 0b   # /7 with the low bit of the octet set'));
    assert.deepEqual(prefixes(m.attributes.mpReach?.routes ?? []), ['11.0.0.0/7']);
    assert.equal(maskPrefix('11.0.0.0/7'), '10.0.0.0/7');
    assert.equal(maskPrefix('2001:db8:ffff::/33'), '2001:db8:8000::/33');
  });
});

describe('family table', () => {
  it('names and encodings', () => {
    assert.equal(familyName(1, 1), 'ipv4-unicast');
    assert.equal(familyName(2, 128), 'ipv6-mpls-vpn');
    assert.equal(familyName(25, 70), 'l2vpn-evpn');
    assert.equal(familyName(16388, 71), 'bgp-ls-bgp-ls');
    assert.equal(familyName(3, 200), 'afi-3-safi-200');
    assert.equal(nlriEncoding(1, 4), 'labeled_ipv4');
    assert.equal(nlriEncoding(2, 129), 'vpn_ipv6');
    assert.equal(nlriEncoding(1, 133), 'flowspec');
    assert.equal(nlriEncoding(2, 134), 'flowspec_vpn');
    assert.equal(nlriEncoding(25, 70), 'evpn');
    assert.equal(nlriEncoding(25, 200), 'raw');
  });
});
