/**
 * Flow Specification NLRI (services/codec/bgp/nlri/flowspec.ts): RFC 8955 (IPv4) and RFC 8956
 * (IPv6), SAFI 133 and the VPN variant 134. Every component type and operator is built with the
 * encoder, decoded back to the same route and re-encoded to the same bytes; wire bytes written
 * by hand from the RFCs' layouts decode to the documented rule text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  bitmaskOperator,
  extendedCommunityFromBytes,
  flowspecComponentName,
  flowspecOperatorName,
  flowspecRoute,
  makeIpv6ExtendedCommunity,
  numericOperator,
  type FlowspecComponent,
  type Route,
} from '../../../../services/codec/bgp/index.js';
import { decodeNlri, encodeNlri } from '../../../../services/codec/bgp/nlri/index.js';
import { ByteWriter } from '../../../../services/codec/bgp/writer.js';
import { ipv4PrefixText } from '../../../../services/codec/bgp/nlri/prefix.js';
import { formatRouteDistinguisher } from '../../../../services/codec/route-distinguisher.js';
import { hex, throwsCodec } from './helpers.js';
import { flowspecRouteArb } from './flowspec-arb.js';

const RUNS = Number(process.env.BGP_PROPERTY_RUNS ?? 300);

function encode(routes: readonly Route[], afi: number, safi: number, addPath = false, withdraw = false): Buffer {
  const w = new ByteWriter();
  encodeNlri(w, routes, afi, safi, addPath, withdraw);
  return w.toBuffer();
}

function decode(bytes: Buffer, afi: number, safi: number, addPath = false, withdraw = false): Route[] {
  return decodeNlri(bytes, 0, bytes.length, afi, safi, addPath, withdraw);
}

/** encode → decode gives the route back, and decode → encode the bytes back. */
function roundTrip(route: Route, addPath = false): Buffer {
  const bytes = encode([route], route.afi, route.safi, addPath);
  const back = decode(bytes, route.afi, route.safi, addPath);
  assert.deepEqual(back, [route]);
  assert.deepEqual(encode(back, route.afi, route.safi, addPath), bytes);
  return bytes;
}

const num = (o: Parameters<typeof numericOperator>[0], value: number): { operator: number; value: number } => ({ operator: numericOperator(o), value });
const bm = (o: Parameters<typeof bitmaskOperator>[0], value: number): { operator: number; value: number } => ({ operator: bitmaskOperator(o), value });
/** The component as the decoder gives it: end-of-list bit on the last item. */
function list(type: number, items: { operator: number; value: number }[]): FlowspecComponent {
  return { type, prefix: null, offset: null, items: items.map((it, i) => (i === items.length - 1 ? { ...it, operator: it.operator | 0x80 } : it)) };
}
const pfx = (type: number, prefix: string, offset: number | null = null): FlowspecComponent => ({ type, prefix, offset, items: [] });

describe('flowspec wire bytes from the RFCs', () => {
  it('RFC 8955 §4.3 example: destination, protocol and port', () => {
    const bytes = hex('0b  01 18 c00002  03 81 06  04 81 19');
    const [r] = decode(bytes, 1, 133);
    assert.equal(r.kind, 'flowspec');
    assert.equal(r.kind === 'flowspec' && r.prefix, 'dst 192.0.2.0/24 && proto =6 && port =25');
    assert.deepEqual(r.kind === 'flowspec' && r.components, [pfx(1, '192.0.2.0/24'), list(3, [num({ eq: true }, 6)]), list(4, [num({ eq: true }, 25)])]);
    assert.deepEqual(encode([r], 1, 133), bytes);
  });

  it('a port range with AND and a 2-octet value, OR with a third item', () => {
    // dport >=80 AND <=8080, OR =443: operators 0x03, 0x55 (AND, 2 octets, lt|eq), 0x81 (end, eq).
    const bytes = hex('08  05 03 50  55 1f90  81 bb');
    const [r] = decode(bytes, 1, 133);
    assert.equal(r.kind === 'flowspec' && r.prefix, 'dport >=80&<=8080|=187');
    assert.deepEqual(encode([r], 1, 133), bytes);
  });

  it('IPv6 destination with an offset (RFC 8956 §3.1): pattern bits placed at their position', () => {
    // Length 64, offset 32: 32 pattern bits 0x00010002 are address bits 32-63.
    const bytes = hex('07  01 40 20 00010002');
    const [r] = decode(bytes, 2, 133);
    assert.equal(r.kind === 'flowspec' && r.prefix, 'dst 0:0:1:2::/64 offset 32');
    assert.deepEqual(r.kind === 'flowspec' && r.components, [pfx(1, '0:0:1:2::/64', 32)]);
    assert.deepEqual(encode([r], 2, 133), bytes);
  });

  it('IPv6 offset that is not a multiple of 8: bits shift across octets', () => {
    // Length 12, offset 4: 8 pattern bits 0xab are address bits 4-11 -> 0x0ab0.
    const bytes = hex('04  02 0c 04 ab');
    const [r] = decode(bytes, 2, 133);
    assert.equal(r.kind === 'flowspec' && r.prefix, 'src ab0::/12 offset 4');
    assert.deepEqual(encode([r], 2, 133), bytes);
  });

  it('flow label and next header are IPv6 components; type 13 is unknown to IPv4', () => {
    const bytes = hex('09  03 81 3a  0d a5 000fffff');
    const [r] = decode(bytes, 2, 133);
    assert.equal(r.kind === 'flowspec' && r.prefix, 'next-header =58 && flow-label <=1048575');
    assert.equal(flowspecComponentName(2, 13), 'flow_label');
    assert.equal(flowspecComponentName(2, 3), 'next_header');
    assert.equal(flowspecComponentName(1, 3), 'ip_protocol');
    // The same bytes as IPv4: type 13 is not defined, so that NLRI is kept raw, whole.
    assert.deepEqual(decode(bytes, 1, 133), [{ kind: 'raw', afi: 1, safi: 133, raw: bytes }]);
    assert.deepEqual(encode(decode(bytes, 1, 133), 1, 133), bytes);
  });

  it('bitmask components: TCP flags and fragment with not / match', () => {
    // tcp-flags: match syn+ack (0x01 | end) ; AND not rst (0x42 AND|not). frag: any of isf|ff.
    const bytes = hex('08  09 01 12  c2 04  0c 80 06');
    const [r] = decode(bytes, 1, 133);
    assert.equal(r.kind === 'flowspec' && r.prefix, 'tcp-flags =syn+ack&!rst && frag isf+ff');
    assert.deepEqual(encode([r], 1, 133), bytes);
    assert.equal(flowspecOperatorName(9, 0x01), 'all');
    assert.equal(flowspecOperatorName(9, 0x42), '!any');
    assert.equal(flowspecOperatorName(12, 0x03), '!all');
    assert.equal(flowspecOperatorName(12, 0x80), 'any');
  });

  it('VPN flowspec (SAFI 134): the RD before the components, counted by the length', () => {
    const bytes = hex('10  0000fde800000064  01 18 c00002  0b 81 2e');
    const [r] = decode(bytes, 1, 134);
    assert.ok(r.kind === 'flowspec');
    assert.equal(r.rd, '65000:100');
    assert.equal(r.prefix, 'dst 192.0.2.0/24 && dscp =46');
    assert.deepEqual(encode([r], 1, 134), bytes);
  });

  it('ADD-PATH path identifier before the length', () => {
    const bytes = hex('00000007  03 03 81 11');
    const [r] = decode(bytes, 1, 133, true);
    assert.ok(r.kind === 'flowspec');
    assert.equal(r.pathId, 7);
    assert.equal(r.prefix, 'proto =17');
    assert.deepEqual(encode([r], 1, 133, true), bytes);
  });

  it('several NLRI in one block, an announcement and its withdrawal decode alike', () => {
    const bytes = hex('03 03 81 06   03 03 81 11');
    for (const withdraw of [false, true]) {
      const routes = decode(bytes, 1, 133, false, withdraw);
      assert.deepEqual(
        routes.map((r) => r.kind === 'flowspec' && r.prefix),
        ['proto =6', 'proto =17'],
      );
      assert.deepEqual(encode(routes, 1, 133, false, withdraw), bytes);
    }
  });

  it('a short length in the 2-octet form is remembered; padding past bit 128 keeps the NLRI raw', () => {
    const long = hex('f003 03 81 06');
    const [r] = decode(long, 1, 133);
    assert.ok(r.kind === 'flowspec' && r.extendedLength === true && r.prefix === 'proto =6');
    assert.deepEqual(encode([r], 1, 133), long);
    assert.equal(flowspecRoute(1, 133, (r as { components: FlowspecComponent[] }).components).extendedLength, undefined);
    // Length 128, offset 4: 124 pattern bits in 16 octets, the last 4 are padding past the
    // address; set ones cannot be kept in the text.
    const padded = hex(`13 01 80 04 ${'00'.repeat(15)}01`);
    assert.deepEqual(decode(padded, 2, 133), [{ kind: 'raw', afi: 2, safi: 133, raw: padded }]);
    const clean = hex(`13 01 80 04 ${'00'.repeat(15)}10`);
    const [c] = decode(clean, 2, 133);
    assert.ok(c.kind === 'flowspec' && c.prefix === 'dst ::1/128 offset 4');
    assert.deepEqual(encode([c], 2, 133), clean);
  });

  it('8-octet values: exact up to 2^53 - 1, above it the NLRI stays raw', () => {
    const max = hex('0a 05 b1 001fffffffffffff');
    const [r] = decode(max, 1, 133);
    assert.ok(r.kind === 'flowspec' && r.components[0].items[0].value === Number.MAX_SAFE_INTEGER);
    assert.deepEqual(encode([r], 1, 133), max);
    const over = hex('0a 05 b1 0020000000000000');
    assert.deepEqual(decode(over, 1, 133), [{ kind: 'raw', afi: 1, safi: 133, raw: over }]);
    throwsCodec(() => encode([flowspecRoute(1, 133, [list(5, [num({ eq: true, length: 8 }, 2 ** 53)])])], 1, 133), /does not fit 8 octet/);
  });

  it('malformed NLRI are CodecErrors', () => {
    throwsCodec(() => decode(hex('05 03 81 06'), 1, 133), /exceeds/);
    throwsCodec(() => decode(hex('03 03 01 06'), 1, 133), /without an end-of-list/);
    throwsCodec(() => decode(hex('03 03 91 06'), 1, 133), /overruns/);
    throwsCodec(() => decode(hex('03 01 21 0a'), 1, 133), /exceeds 32/);
    throwsCodec(() => decode(hex('04 01 10 20 ff'), 2, 133), /offset <= length/);
    throwsCodec(() => decode(hex('05 00000000 01'), 1, 134), /route distinguisher/);
    throwsCodec(() => decode(hex('f1'), 1, 133), /cut short/);
  });
});

describe('flowspec encoder: every component and operator round-trips', () => {
  const numericTypes4 = [3, 4, 5, 6, 7, 8, 10, 11];
  const comparisons = [
    { eq: true },
    { gt: true },
    { gt: true, eq: true },
    { lt: true },
    { lt: true, eq: true },
    { lt: true, gt: true },
    {},
    { lt: true, gt: true, eq: true },
  ];
  const texts = ['=', '>', '>=', '<', '<=', '!=', 'false:', 'true:'];

  it('numeric components × comparisons × value lengths, ANDed and ORed (IPv4 and IPv6)', () => {
    for (const afi of [1, 2]) {
      const types = afi === 2 ? [...numericTypes4, 13] : numericTypes4;
      for (const type of types) {
        for (let c = 0; c < comparisons.length; c++) {
          for (const length of [1, 2, 4, 8] as const) {
            const value = length === 8 ? 2 ** 40 + 5 : 2 ** (8 * length) - 1;
            const component = list(type, [num({ ...comparisons[c], length }, value), num({ and: true, eq: true }, 1), num({ eq: true }, 2)]);
            const route = flowspecRoute(afi, 133, [component]);
            roundTrip(route);
            assert.ok(route.prefix.endsWith(` ${texts[c]}${value}&=1|=2`), route.prefix);
          }
        }
      }
    }
  });

  it('bitmask components × not / match × value lengths', () => {
    for (const afi of [1, 2]) {
      for (const type of [9, 12]) {
        for (const not of [false, true]) {
          for (const match of [false, true]) {
            for (const length of [1, 2, 4, 8] as const) {
              const route = flowspecRoute(afi, 133, [list(type, [bm({ not, match, length }, 0x0b), bm({ and: true, match: true }, 0)])]);
              roundTrip(route);
              const names = type === 9 ? 'fin+syn+psh' : 'df+isf+lf';
              assert.ok(route.prefix.endsWith(` ${not ? '!' : ''}${match ? '=' : ''}${names}&=0`), route.prefix);
            }
          }
        }
      }
    }
  });

  it('prefix components: IPv4 lengths 0-32, IPv6 lengths and offsets', () => {
    for (let bits = 0; bits <= 32; bits++) roundTrip(flowspecRoute(1, 133, [pfx(1, ipv4PrefixText(Buffer.from([10, 1, 2, 3]), 0, bits))]));
    roundTrip(flowspecRoute(1, 133, [pfx(1, '10.0.0.0/8'), pfx(2, '192.0.2.1/32')]));
    roundTrip(flowspecRoute(2, 133, [pfx(1, '2001:db8::/32', 0), pfx(2, '::/0', 0)]));
    roundTrip(flowspecRoute(2, 133, [pfx(1, '0:0:1::/64', 32)]));
    roundTrip(flowspecRoute(2, 133, [pfx(2, '::1/128', 127)]));
    roundTrip(flowspecRoute(2, 133, [pfx(2, '::/128', 128)]));
  });

  it('the 2-octet length form from 240 octets on (RFC 8955 §4)', () => {
    for (const n of [79, 80]) {
      // 1 + 3n octets: 238 (one length octet) and 241 (two).
      const items = Array.from({ length: n }, (_, i) => num({ eq: true, length: 2 }, i));
      const bytes = roundTrip(flowspecRoute(1, 133, [list(5, items)]));
      if (n === 79) assert.equal(bytes[0], 1 + 3 * n);
      else assert.equal(bytes.readUInt16BE(0), 0xf000 | (1 + 3 * n));
    }
  });

  it('refuses what the wire cannot carry', () => {
    throwsCodec(() => encode([flowspecRoute(1, 133, [list(5, [num({ length: 1 }, 256)])])], 1, 133), /does not fit 1 octet/);
    throwsCodec(() => encode([flowspecRoute(1, 133, [list(13, [num({}, 1)])])], 1, 133), /not defined for AFI 1/);
    throwsCodec(() => encode([flowspecRoute(1, 133, [{ type: 5, prefix: null, offset: null, items: [] }])], 1, 133), /no operator\/value items/);
    throwsCodec(() => encode([flowspecRoute(1, 134, [pfx(1, '10.0.0.0/8')])], 1, 134), /no route distinguisher/);
    throwsCodec(() => encode([flowspecRoute(1, 133, [pfx(1, '10.0.0.0/8')], '1:1')], 1, 133), /not SAFI 134/);
    throwsCodec(() => encode([flowspecRoute(2, 133, [pfx(1, '::/8', 9)])], 2, 133), /offset 9 must be 0..8/);
    const items = Array.from({ length: 1400 }, (_, i) => num({ eq: true, length: 2 }, i));
    throwsCodec(() => encode([flowspecRoute(1, 133, [list(5, items)])], 1, 133), /exceeds 4095/);
  });
});

describe('flowspec property (fast-check)', () => {
  const rdArb = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => {
    const b = Buffer.from(a);
    b.writeUInt16BE(b[0] % 3, 0);
    return formatRouteDistinguisher(b, 0);
  });
  for (const [afi, safi] of [
    [1, 133],
    [2, 133],
    [1, 134],
    [2, 134],
  ]) {
    it(`${afi}/${safi}: encode → decode equal, decode → encode byte-identical`, () => {
      fc.assert(
        fc.property(
          fc.boolean().chain((addPath) =>
            fc.tuple(fc.constant(addPath), fc.array(flowspecRouteArb(afi, safi, addPath ? fc.integer({ min: 0, max: 0xffffffff }) : fc.constant(null), rdArb), { maxLength: 4 })),
          ),
          ([addPath, routes]) => {
            const bytes = encode(routes, afi, safi, addPath);
            const back = decode(bytes, afi, safi, addPath);
            assert.deepEqual(back, routes);
            assert.deepEqual(encode(back, afi, safi, addPath), bytes);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  it('random bytes: only CodecErrors, and whatever decodes re-encodes byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.constantFrom(1, 2), fc.constantFrom(133, 134), fc.boolean(), (a, afi, safi, addPath) => {
        const bytes = Buffer.from(a);
        let routes: Route[];
        try {
          routes = decode(bytes, afi, safi, addPath);
        } catch (e) {
          assert.equal((e as Error).name, 'CodecError');
          return;
        }
        assert.deepEqual(encode(routes, afi, safi, addPath), bytes);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('flowspec traffic actions in extended communities (RFC 8955 §7, RFC 7674, RFC 8956 §6.1)', () => {
  const cases: Array<[string, string, string]> = [
    // traffic-rate-bytes: 2-octet AS + IEEE float bytes per second; 0 = discard.
    ['8006 fde8 00000000', 'traffic_rate_bytes', 'traffic-rate:65000:0'],
    ['8006 0000 4998 9680', 'traffic_rate_bytes', 'traffic-rate:0:1250000'],
    ['800c fde8 447a0000', 'traffic_rate_packets', 'traffic-rate-packets:65000:1000'],
    // traffic-action: S (sample, 0x02) and T (terminal, 0x01) in the last octet.
    ['8007 000000000000', 'traffic_action', 'traffic-action:none'],
    ['8007 000000000001', 'traffic_action', 'traffic-action:terminal'],
    ['8007 000000000002', 'traffic_action', 'traffic-action:sample'],
    ['8007 000000000003', 'traffic_action', 'traffic-action:sample,terminal'],
    // redirect: the three forms of RFC 7674 (AS2 / IPv4 / AS4 administrator).
    ['8008 fde8 00000064', 'redirect', 'redirect:65000:100'],
    ['8108 c0000201 0007', 'redirect', 'redirect:192.0.2.1:7'],
    ['8208 fa56ea00 0007', 'redirect', 'redirect:4200000000:7'],
    ['8208 0000fde8 0007', 'redirect', 'redirect:65000L:7'],
    // traffic-marking: DSCP in the low 6 bits of the last octet.
    ['8009 00000000002e', 'traffic_marking', 'traffic-marking:46'],
  ];
  for (const [bytes, kind, text] of cases) {
    it(text, () => {
      const c = extendedCommunityFromBytes(hex(bytes));
      assert.equal(c.kind, kind);
      assert.equal(c.text, text);
    });
  }

  it('rt-redirect-ipv6: IPv6-address-specific community 0x000d', () => {
    const c = makeIpv6ExtendedCommunity(0x00, 0x0d, '2001:db8::1', 100);
    assert.equal(c.kind, 'redirect');
    assert.equal(c.text, 'redirect:[2001:db8::1]:100');
    assert.equal(makeIpv6ExtendedCommunity(0x40, 0x0d, '2001:db8::1', 100).kind, 'unknown');
  });
});
