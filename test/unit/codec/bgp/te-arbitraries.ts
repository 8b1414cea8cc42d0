/**
 * fast-check generators for the traffic-engineering families and attributes: Link-State NLRI and
 * BGP-LS attribute TLVs, SR Policy NLRI, PREFIX_SID and TUNNEL_ENCAPSULATION. Every value is in
 * the form the decoder gives (canonical texts, float32-exact bandwidths, raw Buffers only where
 * the decoder keeps a TLV raw), so decode(encode(x)) deep-equals x.
 */
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../../services/codec/address.js';
import type { BgpLsRoute, LsTlv, PrefixSidTlv, Route, SrPolicyRoute, TunnelTlv } from '../../../../services/codec/bgp/index.js';
import { bgpLsText } from '../../../../services/codec/bgp/nlri/bgp-ls/nlri.js';
import { TLV_SPEC } from '../../../../services/codec/bgp/nlri/bgp-ls/tlv.js';
import { ipv4PrefixText, ipv6PrefixText } from '../../../../services/codec/bgp/nlri/prefix.js';
import { srPolicyText } from '../../../../services/codec/bgp/nlri/sr-policy.js';
import { formatRouteDistinguisher } from '../../../../services/codec/route-distinguisher.js';

/** fc.record with ordinary prototypes, so deepStrictEqual compares generated and decoded objects. */
function rec<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (min: number, max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const ipv4 = bytes(4, 4).map((b) => formatIPv4(b, 0));
const ipv6 = bytes(16, 16).map((b) => formatIPv6(b, 0));
const isoId = (n: 6 | 7): fc.Arbitrary<string> =>
  bytes(n, n).map((b) => {
    const h = b.toString('hex');
    return `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8, 12)}${n === 7 ? `.${h.slice(12, 14)}` : ''}`;
  });
/** Float32-exact, not NaN (the decoder keeps NaN raw). */
const f32 = fc.float({ noNaN: true });
const sidArb = fc.oneof(u24.map((sid) => ({ sid, isLabel: true })), u32.map((sid) => ({ sid, isLabel: false })));
const prefixText = (width: 32 | 128): fc.Arbitrary<string> =>
  fc.integer({ min: 0, max: width }).chain((bits) => bytes((bits + 7) >>> 3, (bits + 7) >>> 3).map((b) => (width === 32 ? ipv4PrefixText(b, 0, bits) : ipv6PrefixText(b, 0, bits))));

const tlv = (type: number, value: fc.Arbitrary<LsTlv['value']>): fc.Arbitrary<LsTlv> => value.map((v) => ({ type, value: v }));
/** A TLV of a type the table does not know: kept as a Buffer. */
const unknownLsTlv: fc.Arbitrary<LsTlv> = fc
  .tuple(
    u16.filter((t) => !TLV_SPEC.has(t)),
    bytes(0, 12),
  )
  .map(([type, value]) => ({ type, value }));

const structureArb = rec({ locatorBlock: u8, locatorNode: u8, function: u8, argument: u8 });

export const nodeDescriptorArb: fc.Arbitrary<LsTlv[]> = fc.array(
  fc.oneof(
    tlv(512, u32),
    tlv(513, u32),
    tlv(514, u32),
    tlv(515, fc.oneof(isoId(6), isoId(7), ipv4, fc.tuple(ipv4, ipv4).map(([a, b]) => `${a}-${b}`))),
    tlv(516, ipv4),
    tlv(517, u32),
    unknownLsTlv,
  ),
  { maxLength: 5 },
);

function descriptorsArb(nlriType: number): fc.Arbitrary<LsTlv[]> {
  const local = tlv(256, nodeDescriptorArb);
  const mt = tlv(263, fc.array(u16, { minLength: 1, maxLength: 3 }));
  let rest: fc.Arbitrary<LsTlv>[];
  switch (nlriType) {
    case 2:
      rest = [
        tlv(257, nodeDescriptorArb),
        tlv(258, rec({ local: u32, remote: u32 })),
        tlv(259, ipv4),
        tlv(260, ipv4),
        tlv(261, ipv6),
        tlv(262, ipv6),
        mt,
      ];
      break;
    case 3:
    case 4:
      rest = [mt, tlv(264, u8), tlv(265, prefixText(nlriType === 3 ? 32 : 128))];
      break;
    case 6:
      rest = [mt, tlv(518, ipv6)];
      break;
    default:
      rest = [];
  }
  return fc.tuple(local, fc.array(fc.oneof(...rest, unknownLsTlv), { maxLength: 5 })).map(([l, r]) => [l, ...r]);
}

export function bgpLsRouteArb(safi: number, addPath: boolean): fc.Arbitrary<Route> {
  const rdArb = safi === 72 ? bytes(8, 8).map((b) => formatRouteDistinguisher(b, 0)) : fc.constant(null);
  const pathId = addPath ? u32 : fc.constant(null);
  const decoded = fc.constantFrom(1, 2, 3, 4, 6).chain((nlriType) =>
    fc.tuple(pathId, rdArb, u8, fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }), descriptorsArb(nlriType)).map(([id, rd, protocolId, identifier, descriptors]): BgpLsRoute => {
      const r: BgpLsRoute = { kind: 'bgp_ls', afi: 16388, safi, pathId: id, rd, nlriType, protocolId, identifier, descriptors, raw: null, prefix: '' };
      r.prefix = bgpLsText(r);
      return r;
    }),
  );
  // Types this codec does not decode (5 SR Policy candidate path, others) stay raw.
  const raw = fc.tuple(pathId, rdArb, u16.filter((t) => ![1, 2, 3, 4, 6].includes(t)), bytes(0, 20)).map(([id, rd, nlriType, body]): BgpLsRoute => {
    const r: BgpLsRoute = { kind: 'bgp_ls', afi: 16388, safi, pathId: id, rd, nlriType, protocolId: 0, identifier: 0n, descriptors: [], raw: body, prefix: '' };
    r.prefix = bgpLsText(r);
    return r;
  });
  return fc.oneof({ weight: 4, arbitrary: decoded }, { weight: 1, arbitrary: raw });
}

export function srPolicyRouteArb(afi: number, addPath: boolean): fc.Arbitrary<Route> {
  return fc
    .tuple(addPath ? u32 : fc.constant(null), u32, u32, afi === 2 ? ipv6 : ipv4)
    .map(([pathId, distinguisher, color, endpoint]): SrPolicyRoute => ({ kind: 'sr_policy', afi, safi: 73, pathId, distinguisher, color, endpoint, prefix: srPolicyText(distinguisher, color, endpoint) }));
}

const subTlvsArb = (withStructure: boolean): fc.Arbitrary<LsTlv[]> =>
  fc.array(withStructure ? fc.oneof(tlv(1252, structureArb), unknownLsTlv) : unknownLsTlv, { maxLength: 2 });

export const lsAttributeArb: fc.Arbitrary<LsTlv[]> = fc.array(
  fc.oneof(
    tlv(1024, u8),
    tlv(1026, fc.string({ minLength: 0, maxLength: 12 })),
    tlv(1027, bytes(1, 6).map((b) => b.toString('hex'))),
    tlv(1028, ipv4),
    tlv(1029, ipv6),
    tlv(1030, ipv4),
    tlv(1031, ipv6),
    tlv(263, fc.array(u16, { minLength: 1, maxLength: 3 })),
    tlv(1034, rec({ flags: u8, ranges: fc.array(sidArb.chain((s) => u24.map((size) => ({ size, ...s }))), { minLength: 1, maxLength: 3 }) })),
    tlv(1035, fc.array(u8, { minLength: 1, maxLength: 4 })),
    tlv(1036, rec({ flags: u8, ranges: fc.array(sidArb.chain((s) => u24.map((size) => ({ size, ...s }))), { minLength: 1, maxLength: 2 }) })),
    tlv(1088, u32),
    tlv(1089, f32),
    tlv(1090, f32),
    tlv(1091, fc.array(f32, { minLength: 8, maxLength: 8 })),
    tlv(1092, u32),
    tlv(1095, fc.oneof(u8.map((metric) => ({ metric, length: 1 as const })), u16.map((metric) => ({ metric, length: 2 as const })), u24.map((metric) => ({ metric, length: 3 as const })))),
    tlv(1096, fc.array(u32, { minLength: 1, maxLength: 3 })),
    tlv(1098, fc.string({ minLength: 0, maxLength: 12 })),
    tlv(1099, fc.tuple(u8, u8, sidArb).map(([flags, weight, s]) => ({ flags, weight, ...s }))),
    tlv(1100, fc.tuple(u8, u8, fc.oneof(isoId(6), ipv4), sidArb).map(([flags, weight, neighbor, s]) => ({ flags, weight, neighbor, ...s }))),
    tlv(1106, rec({ behavior: u16, flags: u8, algorithm: u8, weight: u8, sid: ipv6, subTlvs: subTlvsArb(true) })),
    tlv(1152, u8),
    tlv(1153, fc.array(u32, { minLength: 1, maxLength: 3 })),
    tlv(1155, u32),
    tlv(1158, fc.tuple(u8, u8, sidArb).map(([flags, algorithm, s]) => ({ flags, algorithm, ...s }))),
    tlv(1162, rec({ flags: u8, algorithm: u8, metric: u32, subTlvs: subTlvsArb(true) })),
    tlv(1250, rec({ behavior: u16, flags: u8, algorithm: u8 })),
    tlv(1252, structureArb),
    unknownLsTlv,
  ),
  { minLength: 1, maxLength: 8 },
);

const serviceArb = fc.array(
  fc.oneof(
    rec({
      type: fc.constant(1),
      value: rec({
        sid: ipv6,
        flags: u8,
        endpointBehavior: u16,
        subSubTlvs: fc.array(
          fc.oneof(
            rec({ type: fc.constant(1), value: rec({ locatorBlock: u8, locatorNode: u8, function: u8, argument: u8, transpositionLength: u8, transpositionOffset: u8 }) }),
            rec({ type: fc.integer({ min: 2, max: 255 }), value: bytes(0, 6) }),
          ),
          { maxLength: 2 },
        ),
      }),
    }),
    rec({ type: fc.integer({ min: 2, max: 255 }), value: bytes(0, 6) }),
  ),
  { maxLength: 2 },
);

export const prefixSidArb: fc.Arbitrary<PrefixSidTlv[]> = fc.array(
  fc.oneof(
    rec({ type: fc.constant(1), value: rec({ flags: u16, labelIndex: u32 }) }),
    rec({ type: fc.constant(3), value: rec({ flags: u16, srgbs: fc.array(rec({ base: u24, range: u24 }), { minLength: 1, maxLength: 3 }) }) }),
    rec({ type: fc.constantFrom(5, 6), value: rec({ subTlvs: serviceArb }) }),
    rec({ type: fc.constantFrom(2, 4, 7, 200), value: bytes(0, 8) }),
  ),
  { minLength: 1, maxLength: 4 },
);

const segmentArb = fc.oneof(
  rec({ type: fc.constant(1), value: rec({ flags: u8, labelEntry: u32 }) }),
  rec({ type: fc.constant(9), value: rec({ flags: u8, value: u32 }) }),
  rec({
    type: fc.constant(13),
    value: rec({ flags: u8, sid: ipv6, behavior: fc.option(rec({ endpointBehavior: u16, locatorBlock: u8, locatorNode: u8, function: u8, argument: u8 }), { nil: null }) }),
  }),
  rec({ type: fc.constantFrom(3, 4, 5, 200), value: bytes(0, 10) }),
);

export const tunnelEncapsulationArb: fc.Arbitrary<TunnelTlv[]> = fc.array(
  rec({
    tunnelType: u16,
    subTlvs: fc.array(
      fc.oneof(
        rec({ type: fc.constant(12), value: rec({ flags: u8, value: u32 }) }),
        rec({ type: fc.constant(13), value: rec({ flags: u8, sid: fc.oneof(fc.constant(null), u32, ipv6) }) }),
        rec({ type: fc.constant(14), value: rec({ flags: u8, enlp: u8 }) }),
        rec({ type: fc.constant(15), value: u8 }),
        rec({ type: fc.constant(128), value: fc.array(segmentArb, { maxLength: 4 }) }),
        rec({ type: fc.constantFrom(129, 130), value: fc.string({ maxLength: 10 }) }),
        rec({ type: fc.constantFrom(1, 4, 6, 8, 127, 131, 255), value: bytes(0, 10) }),
      ),
      { maxLength: 5 },
    ),
  }),
  { minLength: 1, maxLength: 3 },
);
