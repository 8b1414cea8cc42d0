/**
 * Property tests (fast-check):
 * - random valid UPDATEs and OPENs: decode(encode(x)) deep-equals x, and encode(decode(bytes))
 *   reproduces the bytes;
 * - random and mutated bytes: decoding throws nothing but CodecError (and never the internal-error
 *   fallback), and whatever decodes re-encodes byte for byte;
 * - scanUpdate (the event model's hot path) reads exactly what decodeUpdateBody reads, on valid,
 *   mutated and random UPDATEs, and declines only what it leaves to decodeUpdateBody.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../../services/codec/address.js';
import { decodeAsPath } from '../../../../services/codec/bgp/attributes/as-path.js';
import { CodecError } from '../../../../services/codec/errors.js';
import {
  aigpMetricTlv,
  decodeBgpMessage,
  decodeBgpMessageHeuristic,
  decodeNlri,
  decodeOpen,
  encodeBgpMessage,
  encodeOpen,
  encodeUpdate,
  extendedCommunityFromBytes,
  makeDecodeOptions,
  makeIpv6ExtendedCommunity,
  makeOpen,
  makeUpdate,
  nlriEncoding,
  scanUpdate,
  WITHDRAW_COMPAT_LABEL,
  type AsPathSegment,
  type BgpDecodeOptions,
  type Capability,
  type MpNextHop,
  type OpenMessage,
  type OptionalParameter,
  type PathAttribute,
  type PrefixBlock,
  type PrefixRoute,
  type Route,
  type ScanConverters,
  type UpdateMessage,
} from '../../../../services/codec/bgp/index.js';
import { ipv4PrefixText, ipv6PrefixText } from '../../../../services/codec/bgp/nlri/prefix.js';
import { formatRouteDistinguisher } from '../../../../services/codec/route-distinguisher.js';
import { flowspecRouteArb } from './flowspec-arb.js';
import { bgpLsRouteArb, lsAttributeArb, prefixSidArb, srPolicyRouteArb, tunnelEncapsulationArb } from './te-arbitraries.js';

const RUNS = Number(process.env.BGP_PROPERTY_RUNS ?? 300);

/** fc.record with ordinary prototypes, so deepStrictEqual compares generated and decoded objects. */
function rec<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

// ---------------------------------------------------------------- generators: scalars

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (min: number, max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const ipv4 = bytes(4, 4).map((b) => formatIPv4(b, 0));
const ipv6 = bytes(16, 16).map((b) => formatIPv6(b, 0));

/** Prefix text exactly as the decoder renders ⌈bits/8⌉ random octets (host bits included). */
function prefixArb(width: 32 | 128, maxBits = width): fc.Arbitrary<{ text: string; bits: number }> {
  return fc.integer({ min: 0, max: maxBits }).chain((bits) =>
    bytes((bits + 7) >>> 3, (bits + 7) >>> 3).map((b) => ({ bits, text: width === 32 ? ipv4PrefixText(b, 0, bits) : ipv6PrefixText(b, 0, bits) })),
  );
}

const rdArb = fc.tuple(fc.integer({ min: 0, max: 3 }), bytes(6, 6)).map(([type, v]) => {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(type, 0);
  v.copy(b, 2);
  return formatRouteDistinguisher(b, 0);
});

// ---------------------------------------------------------------- generators: routes

interface Fam {
  afi: number;
  safi: number;
}
const FAMILIES: Fam[] = [
  { afi: 1, safi: 1 },
  { afi: 1, safi: 2 },
  { afi: 1, safi: 4 },
  { afi: 1, safi: 128 },
  { afi: 2, safi: 1 },
  { afi: 2, safi: 2 },
  { afi: 2, safi: 4 },
  { afi: 2, safi: 128 },
  { afi: 25, safi: 70 },
  { afi: 25, safi: 65 },
  { afi: 1, safi: 5 },
  { afi: 2, safi: 5 },
  { afi: 1, safi: 132 },
  { afi: 1, safi: 133 },
  { afi: 2, safi: 134 },
  { afi: 16388, safi: 71 },
  { afi: 16388, safi: 72 },
  { afi: 1, safi: 73 },
  { afi: 2, safi: 73 },
];

// EVPN, VPLS, MCAST-VPN and RT membership routes: one NLRI entry's octets laid out per route type
// (random field values, and random values of any type that mostly fall back to raw), decoded
// into the route the codec would produce. The round trips then check encode against decode.
const cat = (...parts: (Buffer | number[])[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p)));
const lenAddr = fc.oneof(fc.constant(Buffer.from([0])), bytes(4, 4).map((b) => cat([32], b)), bytes(16, 16).map((b) => cat([128], b)));
const fullAddr = fc.oneof(bytes(4, 4).map((b) => cat([32], b)), bytes(16, 16).map((b) => cat([128], b)));
const addr = fc.oneof(bytes(4, 4), bytes(16, 16));
const tlv = (type: number, value: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> => value.map((v) => cat([type, v.length], v));
const mcast = fc.tuple(lenAddr, lenAddr, fullAddr).map((p) => cat(...p));
const evpnEntry: fc.Arbitrary<Buffer> = fc.oneof(
  tlv(1, bytes(25, 25)),
  tlv(2, fc.tuple(bytes(22, 22), bytes(6, 6), lenAddr, fc.oneof(bytes(3, 3), bytes(6, 6))).map(([a, mac, ip, l]) => cat(a, [48], mac, ip, l))),
  tlv(3, fc.tuple(bytes(12, 12), fullAddr).map((p) => cat(...p))),
  tlv(4, fc.tuple(bytes(18, 18), fullAddr).map((p) => cat(...p))),
  tlv(5, fc.tuple(bytes(22, 22), fc.boolean()).chain(([a, v6]) => fc.tuple(fc.integer({ min: 0, max: v6 ? 128 : 32 }), bytes(v6 ? 32 : 8, v6 ? 32 : 8), bytes(3, 3)).map(([len, ips, l]) => cat(a, [len], ips, l)))),
  tlv(6, fc.tuple(bytes(12, 12), mcast, bytes(1, 1)).map((p) => cat(...p))),
  tlv(7, fc.tuple(bytes(22, 22), mcast, bytes(1, 1)).map((p) => cat(...p))),
  tlv(8, fc.tuple(bytes(22, 22), mcast, bytes(6, 6)).map((p) => cat(...p))),
  tlv(9, bytes(20, 20)),
  tlv(10, fc.tuple(bytes(12, 12), mcast).map((p) => cat(...p))),
  tlv(11, fc.tuple(fc.oneof(tlv(10, fc.tuple(bytes(12, 12), mcast).map((p) => cat(...p))), tlv(3, fc.tuple(bytes(12, 12), fullAddr).map((p) => cat(...p)))), fullAddr).map((p) => cat(...p))),
  fc.tuple(u8, bytes(0, 30)).map(([t, v]) => cat([t, v.length], v)),
);
const vplsEntry: fc.Arbitrary<Buffer> = fc.oneof(bytes(17, 17), bytes(12, 12), bytes(0, 30)).map((v) => cat([v.length >> 8, v.length & 0xff], v));
const sg = fc.tuple(lenAddr, lenAddr).map((p) => cat(...p));
const mvpnEntry: fc.Arbitrary<Buffer> = fc.oneof(
  tlv(1, fc.tuple(bytes(8, 8), addr).map((p) => cat(...p))),
  tlv(2, bytes(12, 12)),
  tlv(3, fc.tuple(bytes(8, 8), sg, addr).map((p) => cat(...p))),
  tlv(4, fc.tuple(fc.oneof(tlv(3, fc.tuple(bytes(8, 8), sg, addr).map((p) => cat(...p))), tlv(2, bytes(12, 12))), addr).map((p) => cat(...p))),
  tlv(5, fc.tuple(bytes(8, 8), sg).map((p) => cat(...p))),
  tlv(6, fc.tuple(bytes(12, 12), sg).map((p) => cat(...p))),
  tlv(7, fc.tuple(bytes(12, 12), sg).map((p) => cat(...p))),
  fc.tuple(u8, bytes(0, 30)).map(([t, v]) => cat([t, v.length], v)),
);
const rtcEntry: fc.Arbitrary<Buffer> = fc.integer({ min: 0, max: 96 }).chain((bits) => bytes((bits + 7) >>> 3, (bits + 7) >>> 3).map((b) => cat([bits], b)));
const ENTRIES: Partial<Record<string, fc.Arbitrary<Buffer>>> = { evpn: evpnEntry, vpls: vplsEntry, mvpn: mvpnEntry, rt_constraint: rtcEntry };

function labelsArb(maxCount: number, withdraw: boolean): fc.Arbitrary<{ labels: number[]; labelBits?: number[] }> {
  // Labels before the last must not be the values that end a stack (S set by default is only on
  // the last; 0 and 0x80000 are the withdrawal compatibility values, RFC 8277 §2.4).
  const inner = fc.integer({ min: 1, max: 0xfffff }).filter((l) => l !== WITHDRAW_COMPAT_LABEL);
  const last = withdraw ? fc.oneof(fc.constant(WITHDRAW_COMPAT_LABEL), fc.constant(0), fc.integer({ min: 1, max: 0xfffff })) : fc.integer({ min: 0, max: 0xfffff });
  return fc
    .tuple(fc.array(inner, { maxLength: maxCount - 1 }), last)
    .chain(([head, tail]) => {
      const labels = [...head, tail];
      return fc.array(fc.integer({ min: 0, max: 7 }), { minLength: labels.length, maxLength: labels.length }).map((tcs) => {
        // The S bit follows the encoder's default; only the TC bits vary, so the stack parses back.
        const defaults = labels.map((l, i) => (i < labels.length - 1 ? 0 : withdraw && (l === WITHDRAW_COMPAT_LABEL || l === 0) ? 0 : 1));
        const lows = labels.map((_, i) => (tcs[i] << 1) | defaults[i]);
        return lows.every((v, i) => v === defaults[i]) ? { labels } : { labels, labelBits: lows };
      });
    });
}

function routeArb(f: Fam, addPath: boolean, withdraw: boolean): fc.Arbitrary<Route> {
  const enc = nlriEncoding(f.afi, f.safi);
  const pathId = addPath ? u32 : fc.constant(null);
  const width = f.afi === 2 ? 128 : 32;
  switch (enc) {
    case 'ipv4':
    case 'ipv6':
      return fc.tuple(pathId, prefixArb(width)).map(([id, p]): Route => ({ kind: 'prefix', afi: f.afi, safi: f.safi, prefix: p.text, pathId: id }));
    case 'labeled_ipv4':
    case 'labeled_ipv6':
    case 'vpn_ipv4':
    case 'vpn_ipv6': {
      const vpn = enc.startsWith('vpn');
      return fc.tuple(pathId, prefixArb(width)).chain(([id, p]) => {
        const maxLabels = Math.min(3, Math.floor((255 - (vpn ? 64 : 0) - p.bits) / 24));
        return fc.tuple(labelsArb(maxLabels, withdraw), vpn ? rdArb : fc.constant(undefined)).map(([l, rd]): Route => {
          const r: PrefixRoute = { kind: 'prefix', afi: f.afi, safi: f.safi, prefix: p.text, pathId: id, labels: l.labels };
          if (rd !== undefined) r.rd = rd;
          if (l.labelBits) r.labelBits = l.labelBits;
          return r;
        });
      });
    }
    case 'evpn':
    case 'vpls':
    case 'mvpn':
    case 'rt_constraint':
      return fc.tuple(pathId, ENTRIES[enc] as fc.Arbitrary<Buffer>).map(([id, entry]): Route => ({ ...decodeNlri(entry, 0, entry.length, f.afi, f.safi, false, withdraw)[0], pathId: id }) as Route);
    case 'flowspec':
    case 'flowspec_vpn':
      return flowspecRouteArb(f.afi, f.safi, pathId, rdArb);
    case 'bgp_ls':
      return bgpLsRouteArb(f.safi, addPath);
    case 'sr_policy':
      return srPolicyRouteArb(f.afi, addPath);
    default:
      return bytes(1, 40).map((raw): Route => ({ kind: 'raw', afi: f.afi, safi: f.safi, raw }));
  }
}

function routesArb(f: Fam, opts: BgpDecodeOptions, withdraw: boolean): fc.Arbitrary<Route[]> {
  const addPath = opts.addPath(f.afi, f.safi);
  // A raw family's NLRI is one block: at most one raw route.
  if (nlriEncoding(f.afi, f.safi) === 'raw') return fc.array(routeArb(f, addPath, withdraw), { maxLength: 1 });
  return fc.array(routeArb(f, addPath, withdraw), { maxLength: 5 });
}

const nullNh = { address: null, linkLocal: null, rd: null, linkLocalRd: null, raw: null };
const nextHopArb: fc.Arbitrary<MpNextHop> = fc.oneof(
  ipv4.map((address) => ({ ...nullNh, address })),
  ipv6.map((address) => ({ ...nullNh, address })),
  fc.tuple(ipv6, ipv6).map(([address, linkLocal]) => ({ ...nullNh, address, linkLocal })),
  fc.tuple(rdArb, ipv4).map(([rd, address]) => ({ ...nullNh, address, rd })),
  fc.tuple(rdArb, ipv6).map(([rd, address]) => ({ ...nullNh, address, rd })),
  fc.tuple(rdArb, ipv6, rdArb, ipv6).map(([rd, address, linkLocalRd, linkLocal]) => ({ ...nullNh, address, rd, linkLocal, linkLocalRd })),
  bytes(0, 20)
    .filter((b) => ![4, 12, 16].includes(b.length))
    .map((raw) => ({ ...nullNh, raw })),
);

// ---------------------------------------------------------------- generators: attributes

function asPathArb(asMax: number, as4: boolean): fc.Arbitrary<AsPathSegment[]> {
  const type = fc.constantFrom<AsPathSegment['type']>('sequence', 'set', 'confed_sequence', 'confed_set');
  const seg = rec({ type, asns: fc.array(fc.integer({ min: 0, max: asMax }), { minLength: as4 ? 1 : 0, maxLength: 10 }) });
  return fc.array(seg, { minLength: as4 ? 1 : 0, maxLength: 4 });
}

const flagsArb = u8;
const mpFlagsArb = u8.map((f) => f | 0x10);

function attributeArbs(opts: BgpDecodeOptions, families: Fam[] = FAMILIES): fc.Arbitrary<PathAttribute>[] {
  const asMax = opts.fourOctetAs ? 0xffffffff : 0xffff;
  const fam = fc.constantFrom(...families);
  const a = <K extends PathAttribute['kind']>(code: number, kind: K, value: fc.Arbitrary<unknown>, flags = flagsArb): fc.Arbitrary<PathAttribute> =>
    fc.tuple(flags, value).map(([f, v]) => ({ code, kind, flags: f, value: v }) as PathAttribute);
  return [
    a(1, 'origin', fc.constantFrom('igp', 'egp', 'incomplete')),
    a(2, 'as_path', asPathArb(asMax, false)),
    a(3, 'next_hop', ipv4),
    a(4, 'med', u32),
    a(5, 'local_pref', u32),
    a(6, 'atomic_aggregate', fc.constant(true)),
    a(7, 'aggregator', rec({ as: fc.integer({ min: 0, max: asMax }), address: ipv4 })),
    a(8, 'communities', fc.array(u32, { minLength: 1, maxLength: 20 })),
    a(9, 'originator_id', ipv4),
    a(10, 'cluster_list', fc.array(ipv4, { minLength: 1, maxLength: 5 })),
    a(
      14,
      'mp_reach',
      fam.chain((f) => rec({ afi: fc.constant(f.afi), safi: fc.constant(f.safi), nextHop: nextHopArb, reserved: u8, routes: routesArb(f, opts, false) })),
      mpFlagsArb,
    ),
    a(15, 'mp_unreach', fam.chain((f) => rec({ afi: fc.constant(f.afi), safi: fc.constant(f.safi), routes: routesArb(f, opts, true) })), mpFlagsArb),
    a(16, 'extended_communities', fc.array(bytes(8, 8).map(extendedCommunityFromBytes), { minLength: 1, maxLength: 10 })),
    a(17, 'as4_path', asPathArb(0xffffffff, true)),
    a(18, 'as4_aggregator', rec({ as: u32, address: ipv4 })),
    a(
      25,
      'ipv6_extended_communities',
      fc.array(
        fc.tuple(u8, u8, ipv6, u16).map(([t, s, g, l]) => makeIpv6ExtendedCommunity(t, s, g, l)),
        { minLength: 1, maxLength: 5 },
      ),
    ),
    a(
      26,
      'aigp',
      fc.array(
        fc.oneof(
          fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }).map(aigpMetricTlv),
          fc.tuple(fc.integer({ min: 2, max: 255 }), bytes(0, 10)).map(([type, value]) => ({ type, value })),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    ),
    a(32, 'large_communities', fc.array(fc.tuple(u32, u32, u32).map((t) => t.join(':')), { minLength: 1, maxLength: 5 })),
    a(35, 'otc', u32),
    a(23, 'tunnel_encapsulation', tunnelEncapsulationArb, mpFlagsArb),
    a(29, 'bgp_ls', lsAttributeArb, mpFlagsArb),
    a(40, 'prefix_sid', prefixSidArb, mpFlagsArb),
  ];
}

const KNOWN_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 23, 25, 26, 29, 32, 35, 40]);
const rawAttrArb: fc.Arbitrary<PathAttribute> = fc
  .tuple(
    flagsArb,
    u8.filter((c) => !KNOWN_CODES.has(c)),
    bytes(0, 30),
  )
  .map(([flags, code, value]) => ({ code, kind: 'raw', flags, value, error: null }));

const optsArb: fc.Arbitrary<BgpDecodeOptions> = fc
  .tuple(fc.boolean(), fc.subarray(FAMILIES))
  .map(([four, addPath]) => makeDecodeOptions(four, addPath));

const updateArb: fc.Arbitrary<{ opts: BgpDecodeOptions; msg: UpdateMessage }> = optsArb.chain((opts) => {
  const v4 = { afi: 1, safi: 1 };
  const attrList = fc
    .tuple(fc.subarray(attributeArbs(opts)), fc.array(rawAttrArb, { maxLength: 3 }))
    .chain(([known, raw]) => fc.tuple(...known).map((values): PathAttribute[] => [...values, ...raw]))
    .chain((list) => fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))
    .map((list) => {
      // One attribute per type code (repeats decode as raw by design).
      const seen = new Set<number>();
      return list.filter((x) => !seen.has(x.code) && seen.add(x.code) !== undefined);
    });
  return fc.tuple(routesArb(v4, opts, true), attrList, routesArb(v4, opts, false)).map(([withdrawn, attributeList, nlri]) => ({
    opts,
    msg: makeUpdate({ withdrawn, attributeList, nlri }, opts),
  }));
});

// ---------------------------------------------------------------- generators: OPEN

const KNOWN_CAPS = new Set([1, 2, 5, 6, 8, 9, 64, 65, 69, 70, 71, 73, 128]);
const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc.tuple(u16, u8, u8).map(([afi, safi, reserved]): Capability => ({ code: 1, kind: 'multiprotocol', afi, safi, reserved })),
  fc.constant<Capability>({ code: 2, kind: 'route_refresh' }),
  fc.array(rec({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 4 }).map((families): Capability => ({ code: 5, kind: 'extended_next_hop', families })),
  fc.constant<Capability>({ code: 6, kind: 'extended_message' }),
  fc.array(rec({ afi: u16, safi: u8, count: u8 }), { maxLength: 4 }).map((families): Capability => ({ code: 8, kind: 'multiple_labels', families })),
  u8.map((role): Capability => ({ code: 9, kind: 'role', role })),
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xfff }), fc.array(rec({ afi: u16, safi: u8, flags: u8 }), { maxLength: 4 }))
    .map(([flags, restartTime, families]): Capability => ({ code: 64, kind: 'graceful_restart', flags, restartTime, families })),
  u32.map((asn): Capability => ({ code: 65, kind: 'four_octet_as', asn })),
  fc.array(rec({ afi: u16, safi: u8, sendReceive: u8 }), { maxLength: 4 }).map((families): Capability => ({ code: 69, kind: 'add_path', families })),
  fc.constant<Capability>({ code: 70, kind: 'enhanced_route_refresh' }),
  fc
    .array(rec({ afi: u16, safi: u8, flags: u8, staleTime: fc.integer({ min: 0, max: 0xffffff }) }), { maxLength: 4 })
    .map((families): Capability => ({ code: 71, kind: 'long_lived_graceful_restart', families })),
  fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([hostname, domain]): Capability => ({ code: 73, kind: 'fqdn', hostname, domain })),
  fc.constant<Capability>({ code: 128, kind: 'route_refresh_cisco' }),
  fc.tuple(u8.filter((c) => !KNOWN_CAPS.has(c)), bytes(0, 12)).map(([code, value]): Capability => ({ code, kind: 'raw', value, error: null })),
);
const parameterArb: fc.Arbitrary<OptionalParameter> = fc.oneof(
  fc.array(capabilityArb, { maxLength: 5 }).map((capabilities): OptionalParameter => ({ kind: 'capabilities', type: 2, capabilities })),
  fc.tuple(u8.filter((t) => t !== 2 && t !== 255), bytes(0, 10)).map(([type, value]): OptionalParameter => ({ kind: 'raw', type, value, error: null })),
);
const openArb: fc.Arbitrary<OpenMessage> = fc
  .record({ version: u8, myAs: u16, holdTime: u16, bgpId: ipv4, extendedParameters: fc.boolean(), parameters: fc.array(parameterArb, { maxLength: 4 }) })
  .map((f) => {
    const m = makeOpen(f);
    if (m.extendedParameters) return m;
    try {
      encodeOpen(m);
      return m;
    } catch {
      return makeOpen({ ...f, extendedParameters: true }); // too big for 1-octet lengths
    }
  });

// ---------------------------------------------------------------- properties

describe('property: valid messages round-trip', () => {
  it('UPDATE: decode(encode(x)) deep-equals x and the bytes re-encode exactly', () => {
    fc.assert(
      fc.property(updateArb, ({ opts, msg }) => {
        const bytes = encodeUpdate(msg, opts);
        const back = decodeBgpMessage(bytes, opts);
        assert.deepStrictEqual(back, msg);
        assert.deepStrictEqual(encodeBgpMessage(back, opts), bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('OPEN: decode(encode(x)) deep-equals x and the bytes re-encode exactly', () => {
    fc.assert(
      fc.property(openArb, (msg) => {
        const bytes = encodeOpen(msg);
        const back = decodeOpen(bytes);
        assert.deepStrictEqual(back, msg);
        assert.deepStrictEqual(encodeOpen(back), bytes);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Decodes; on success the message must re-encode to the same bytes; on failure only CodecError. */
function decodeOrCodecError(buf: Buffer, opts: BgpDecodeOptions): void {
  let msg;
  try {
    msg = decodeBgpMessage(buf, opts);
  } catch (e) {
    assert.ok(e instanceof CodecError, `non-CodecError thrown: ${String(e)}`);
    assert.doesNotMatch(e.reason, /internal BGP decoder error/);
    return;
  }
  // RFC 9072 says the Non-Ext OP Len octet is 255; other values are accepted but normalised.
  if (msg.type === 'open' && msg.extendedParameters && buf[28] !== 255) return;
  assert.deepStrictEqual(encodeBgpMessage(msg, opts), buf, 'anything that decodes re-encodes byte for byte');
}

function withHeader(type: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(19 + body.length, 0xff);
  out.writeUInt16BE(Math.min(out.length, 0xffff), 16);
  out[18] = type;
  out.set(body, 19);
  return out;
}

describe('property: arbitrary bytes only ever raise CodecError', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), optsArb, (b, opts) => decodeOrCodecError(Buffer.from(b), opts)),
      { numRuns: RUNS * 3 },
    );
  });

  it('random bodies behind a valid header, every message type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 200 }), optsArb, (type, body, opts) => decodeOrCodecError(withHeader(type, body), opts)),
      { numRuns: RUNS * 5 },
    );
  });

  it('mutated valid UPDATEs (byte flips, truncation) with random options', () => {
    const mutation = rec({
      flips: fc.array(fc.tuple(fc.nat(), u8), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
    });
    fc.assert(
      fc.property(updateArb, mutation, optsArb, ({ opts, msg }, m, otherOpts) => {
        const buf = Buffer.from(encodeUpdate(msg, opts));
        for (const [pos, v] of m.flips) if (buf.length > 19) buf[19 + (pos % (buf.length - 19))] = v;
        let out = buf;
        if (m.cut !== null) {
          out = buf.subarray(0, 19 + (m.cut % (buf.length - 18)));
          out.writeUInt16BE(out.length, 16);
        }
        decodeOrCodecError(out, opts);
        decodeOrCodecError(out, otherOpts);
        try {
          decodeBgpMessageHeuristic(out);
          decodeBgpMessageHeuristic(out, otherOpts);
        } catch (e) {
          assert.ok(e instanceof CodecError, `heuristic decoder threw ${String(e)}`);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('mutated valid OPENs', () => {
    fc.assert(
      fc.property(openArb, fc.array(fc.tuple(fc.nat(), u8), { minLength: 1, maxLength: 3 }), (msg, flips) => {
        const buf = Buffer.from(encodeOpen(msg));
        for (const [pos, v] of flips) buf[19 + (pos % (buf.length - 19))] = v;
        decodeOrCodecError(buf, makeDecodeOptions(true));
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

// ---------------------------------------------------------------- scanUpdate

/** A scan's routes as the PrefixRoutes decodeUpdateBody makes of them. */
function blockRoutes(block: PrefixBlock | null): Route[] {
  if (block === null) return [];
  return block.prefixes.map((prefix, i): Route => ({ kind: 'prefix', afi: block.afi, safi: block.safi, prefix, pathId: block.pathIds === null ? null : block.pathIds[i] }));
}

const SCAN_AS_IS: ScanConverters<{ asn: number; segment: string }, number> = { hop: (asn, segment) => ({ asn, segment }), community: (value) => value };

/**
 * scanUpdate against decodeBgpMessage on one UPDATE: when the scan reads it, it holds the same
 * routes, End-of-RIB and attribute values; when it does not, decodeBgpMessage must fail or find
 * what the scan leaves to it (a raw attribute, AS4_PATH / AS4_AGGREGATOR, non-plain MP NLRI).
 */
function scanAgrees(buf: Buffer, opts: BgpDecodeOptions): void {
  let msg: UpdateMessage | null = null;
  try {
    const m = decodeBgpMessage(buf, opts);
    if (m.type === 'update') msg = m;
  } catch {
    // malformed: the scan must decline
  }
  const scan = buf.length >= 19 && buf[18] === 2 ? scanUpdate(buf, 19, buf.length, opts, SCAN_AS_IS) : null;
  placeholderAgrees(buf, opts, scan);
  if (scan === null) {
    if (msg === null) return;
    const a = msg.attributes;
    const plainOrEmpty = (x: { afi: number; safi: number; routes: Route[] } | null): boolean =>
      x === null || x.routes.length === 0 || ['ipv4', 'ipv6'].includes(nlriEncoding(x.afi, x.safi));
    assert.ok(
      a.raw.length > 0 ||
        a.as4Path !== null ||
        a.as4Aggregator !== null ||
        // Left to decodeUpdateBody (update-scan.ts): TUNNEL_ENCAPSULATION, BGP-LS, PREFIX_SID.
        a.tunnelEncapsulation !== null ||
        a.bgpLs !== null ||
        a.prefixSid !== null ||
        !plainOrEmpty(a.mpReach) ||
        !plainOrEmpty(a.mpUnreach),
      'scanUpdate declined an UPDATE it reads',
    );
    return;
  }
  assert.ok(msg !== null, 'scanUpdate read an UPDATE decodeBgpMessage rejects');
  const a = msg.attributes;
  assert.equal(a.raw.length, 0);
  assert.deepStrictEqual(blockRoutes(scan.withdrawn), msg.withdrawn);
  assert.deepStrictEqual(blockRoutes(scan.nlri), msg.nlri);
  assert.deepStrictEqual(scan.endOfRib, msg.endOfRib);
  assert.deepStrictEqual(scan.mpReach === null ? null : { afi: scan.mpReach.afi, safi: scan.mpReach.safi, routes: blockRoutes(scan.mpReach) }, a.mpReach && { afi: a.mpReach.afi, safi: a.mpReach.safi, routes: a.mpReach.routes });
  assert.deepStrictEqual(scan.mpReachNextHop, a.mpReach && a.mpReach.nextHop);
  assert.deepStrictEqual(scan.mpUnreach === null ? null : { afi: scan.mpUnreach.afi, safi: scan.mpUnreach.safi, routes: blockRoutes(scan.mpUnreach) }, a.mpUnreach);
  const hops = a.asPath === null ? null : a.asPath.flatMap((s) => s.asns.map((asn) => ({ asn, segment: s.type })));
  assert.deepStrictEqual(scan.asPath, hops);
  assert.equal(scan.asPathSegments, a.asPath === null ? 0 : a.asPath.length);
  assert.deepStrictEqual(
    [scan.origin, scan.nextHop, scan.med, scan.localPref, scan.atomicAggregate, scan.aggregator, scan.communities, scan.originatorId, scan.clusterList],
    [a.origin, a.nextHop, a.med, a.localPref, a.atomicAggregate, a.aggregator, a.communities, a.originatorId, a.clusterList],
  );
  assert.deepStrictEqual(
    [scan.extendedCommunities, scan.ipv6ExtendedCommunities, scan.aigp, scan.largeCommunities, scan.otc],
    [a.extendedCommunities, a.ipv6ExtendedCommunities, a.aigp, a.largeCommunities, a.otc],
  );
  // Where the AS path and the communities lie: their values, read back from the octets.
  assert.equal(scan.octets, buf);
  const wireSegments = scan.asPathAt < 0 ? null : decodeAsPath(buf, scan.asPathAt, scan.asPathEnd, scan.asPathAsSize);
  assert.deepStrictEqual(wireSegments && wireSegments.flatMap((s) => s.asns.map((asn) => ({ asn, segment: s.type }))), hops);
  assert.equal(scan.asPathAsSize, opts.fourOctetAs ? 4 : 2);
  const at = (start: number, end: number, width: number): number[][] | null =>
    start < 0
      ? null
      : Array.from({ length: (end - start) / width }, (_, i) => Array.from({ length: width / 4 }, (_, k) => buf.readUInt32BE(start + i * width + 4 * k)));
  assert.deepStrictEqual(at(scan.communitiesAt, scan.communitiesEnd, 4), a.communities && a.communities.map((v) => [v]));
  assert.deepStrictEqual(
    at(scan.largeCommunitiesAt, scan.largeCommunitiesEnd, 12)?.map((v) => v.join(':')) ?? null,
    a.largeCommunities,
  );
}

/**
 * scanUpdate with placeholders reads the same UPDATEs, and gives the same, but the placeholder
 * text for every announced IPv4 prefix (NLRI field and MP_REACH_NLRI of an IPv4 family; withdrawn
 * ones keep theirs) and the placeholder arrays for AS_PATH, COMMUNITIES and LARGE_COMMUNITY, where
 * they are.
 */
function placeholderAgrees(buf: Buffer, opts: BgpDecodeOptions, scan: ReturnType<typeof scanUpdate> | null): void {
  const text = '(placeholder)';
  const communities = [-1];
  const asPath = [{ asn: -1, segment: 'placeholder' }];
  const largeCommunities = ['(placeholder)'];
  const deferred =
    buf.length >= 19 && buf[18] === 2 ? scanUpdate(buf, 19, buf.length, opts, SCAN_AS_IS, { announcedIPv4Text: text, asPath, communities, largeCommunities }) : null;
  assert.equal(deferred === null, scan === null, 'the placeholder changed whether the scan reads the UPDATE');
  if (scan === null || deferred === null) return;
  const announced = (block: PrefixBlock | null): PrefixBlock | null =>
    block !== null && nlriEncoding(block.afi, block.safi) === 'ipv4' ? { ...block, prefixes: block.prefixes.map(() => text) } : block;
  assert.equal(deferred.communities === communities, scan.communities !== null, 'the placeholder stands for COMMUNITIES where present');
  assert.equal(deferred.largeCommunities === largeCommunities, scan.largeCommunities !== null, 'the placeholder stands for LARGE_COMMUNITY where present');
  assert.equal(deferred.asPath === asPath, scan.asPathSegments > 0, 'the placeholder stands for an AS_PATH with segments');
  if (scan.asPathSegments === 0) assert.deepStrictEqual(deferred.asPath, scan.asPath);
  assert.deepStrictEqual(
    { ...deferred, serial: 0, communities: null, largeCommunities: null, asPath: null },
    { ...scan, serial: 0, communities: null, largeCommunities: null, asPath: null, nlri: announced(scan.nlri), mpReach: announced(scan.mpReach) },
  );
}

/** UPDATEs of the shape scanUpdate reads: no raw attributes, no AS4_*, plain IP families only. */
const plainUpdateArb: fc.Arbitrary<{ opts: BgpDecodeOptions; msg: UpdateMessage }> = optsArb.chain((opts) => {
  const v4 = { afi: 1, safi: 1 };
  const plain = FAMILIES.filter((f) => ['ipv4', 'ipv6'].includes(nlriEncoding(f.afi, f.safi)));
  const attrList = fc
    .subarray(attributeArbs(opts, plain))
    .chain((known) => fc.tuple(...known))
    .map((list) => list.filter((a) => a.code !== 17 && a.code !== 18 && a.code !== 23 && a.code !== 29 && a.code !== 40))
    .chain((list) => fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }));
  return fc.tuple(routesArb(v4, opts, true), attrList, routesArb(v4, opts, false)).map(([withdrawn, attributeList, nlri]) => ({
    opts,
    msg: makeUpdate({ withdrawn, attributeList, nlri }, opts),
  }));
});

describe('property: scanUpdate reads what decodeUpdateBody reads', () => {
  it('valid UPDATEs', () => {
    fc.assert(
      fc.property(updateArb, ({ opts, msg }) => scanAgrees(encodeUpdate(msg, opts), opts)),
      { numRuns: RUNS * 2 },
    );
  });

  it('valid UPDATEs of the common shape: all read', () => {
    fc.assert(
      fc.property(plainUpdateArb, ({ opts, msg }) => {
        const buf = encodeUpdate(msg, opts);
        assert.notEqual(scanUpdate(buf, 19, buf.length, opts, SCAN_AS_IS), null);
        scanAgrees(buf, opts);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('mutated UPDATEs (byte flips, truncation) with random options', () => {
    const mutation = rec({
      flips: fc.array(fc.tuple(fc.nat(), u8), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
    });
    fc.assert(
      fc.property(fc.oneof(updateArb, plainUpdateArb), mutation, optsArb, ({ opts, msg }, m, otherOpts) => {
        const buf = Buffer.from(encodeUpdate(msg, opts));
        for (const [pos, v] of m.flips) if (buf.length > 19) buf[19 + (pos % (buf.length - 19))] = v;
        let out = buf;
        if (m.cut !== null) {
          out = buf.subarray(0, 19 + (m.cut % (buf.length - 18)));
          out.writeUInt16BE(out.length, 16);
        }
        scanAgrees(out, opts);
        scanAgrees(out, otherOpts);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('random bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), optsArb, (body, opts) => scanAgrees(withHeader(2, body), opts)),
      { numRuns: RUNS * 3 },
    );
  });
});
