/**
 * Test helper: fast-check arbitraries of flowspec routes (RFC 8955 / RFC 8956) as the decoder
 * gives them: valid components of the family, random operator bits (end bit only on the last
 * item, as on the wire), values that fit their length, prefix text rendered from random octets.
 */
import fc from 'fast-check';
import { formatIPv6 } from '../../../../services/codec/address.js';
import { flowspecRoute, type FlowspecComponent, type FlowspecItem, type Route } from '../../../../services/codec/bgp/index.js';
import { ipv4PrefixText } from '../../../../services/codec/bgp/nlri/prefix.js';

const octets = (n: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));

/** An IPv6 address with only bits [offset, length) possibly set, i.e. exactly what the wire can carry. */
function ipv6PatternText(bits: number, offset: number): fc.Arbitrary<string> {
  return octets(16).map((b) => {
    const a = Buffer.alloc(16);
    // offset 0: the wire carries ⌈bits/8⌉ whole octets (bits past the length included).
    const end = offset === 0 ? ((bits + 7) >>> 3) * 8 : bits;
    for (let i = offset; i < end; i++) if (b[i >>> 3] & (0x80 >>> (i & 7))) a[i >>> 3] |= 0x80 >>> (i & 7);
    return `${formatIPv6(a, 0)}/${bits}`;
  });
}

function prefixComponent(type: number, v6: boolean): fc.Arbitrary<FlowspecComponent> {
  if (!v6) {
    return fc.integer({ min: 0, max: 32 }).chain((bits) => octets((bits + 7) >>> 3).map((b) => ({ type, prefix: ipv4PrefixText(b, 0, bits), offset: null, items: [] })));
  }
  return fc
    .integer({ min: 0, max: 128 })
    .chain((bits) => fc.tuple(fc.constant(bits), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: bits }))))
    .chain(([bits, offset]) => ipv6PatternText(bits, offset).map((prefix) => ({ type, prefix, offset, items: [] })));
}

const itemArb: fc.Arbitrary<FlowspecItem> = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x4f })).chain(([lenCode, bits]) => {
  const n = 1 << lenCode;
  const max = n === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * n) - 1;
  // Operator: AND (0x40) and the low nibble random, the length from lenCode, end bit set later.
  const operator = (bits & 0x4f) | (lenCode << 4);
  return fc.integer({ min: 0, max }).map((value) => ({ operator, value }));
});

function listComponent(type: number): fc.Arbitrary<FlowspecComponent> {
  return fc.array(itemArb, { minLength: 1, maxLength: 4 }).map((items) => ({
    type,
    prefix: null,
    offset: null,
    items: items.map((it, i) => ({ operator: i === items.length - 1 ? it.operator | 0x80 : it.operator, value: it.value })),
  }));
}

/** Components of one rule: a random subset of the family's types, in increasing type order. */
export function flowspecComponentsArb(afi: number): fc.Arbitrary<FlowspecComponent[]> {
  const v6 = afi === 2;
  const types = Array.from({ length: v6 ? 13 : 12 }, (_, i) => i + 1);
  return fc
    .subarray(types, { minLength: 1 })
    .chain((chosen) => fc.tuple(...chosen.map((t) => (t <= 2 ? prefixComponent(t, v6) : listComponent(t)))));
}

/** A flowspec route of AFI `afi`, SAFI 133 or (vpn) 134 with an RD from `rdArb`. */
export function flowspecRouteArb(afi: number, safi: number, pathId: fc.Arbitrary<number | null>, rdArb: fc.Arbitrary<string>): fc.Arbitrary<Route> {
  return fc
    .tuple(flowspecComponentsArb(afi), pathId, safi === 134 ? rdArb : fc.constant(null))
    .map(([components, id, rd]) => flowspecRoute(afi, safi, components, rd, id));
}
