/**
 * Synthetic full-table BMP dump, for benchmarks (bench/decode.ts, later the ingest benchmark) and
 * for `bmp replay` tests: one router session made with the project's own encoders.
 *
 *   Initiation
 *   Peer Up per peer (OPENs with multiprotocol IPv4/IPv6 unicast, route refresh, 4-octet AS and,
 *     in the ADD-PATH variant, ADD-PATH for both unicast families)
 *   Route Monitoring, one UPDATE each, 1-4 prefixes per UPDATE, peers interleaved in runs:
 *     all IPv4 unicast (NLRI field, NEXT_HOP attribute), then IPv4 End-of-RIB per peer,
 *     all IPv6 unicast (MP_REACH_NLRI, 16- or 32-octet next hop), then IPv6 End-of-RIB per peer
 *   Termination
 *
 * Attributes follow the shape of a real Internet table: ORIGIN, a 3-8 hop AS_PATH of 4-octet ASNs
 * (some prepending, a few AS_SETs), NEXT_HOP, MED on some routes, LOCAL_PREF from the iBGP peer,
 * 0-10 COMMUNITIES, LARGE_COMMUNITY on some, the odd ATOMIC_AGGREGATE + AGGREGATOR. Prefix lengths
 * follow the usual DFZ mix (/24 and /48 dominate); every prefix is distinct within its family
 * (per-length bijective counters), so a RIB fed with the dump holds exactly `prefixesV4 +
 * prefixesV6` routes (ADD-PATH: that many (prefix, path id) routes, some prefixes with 2 paths).
 *
 * Everything is derived from `seed`: the same options give the same bytes. The dump is a
 * generator of chunks (about `chunkSize` octets each, whole messages only), so a dump of any size
 * is made in bounded memory; write the chunks to a file or feed them to a consumer as they come.
 */
import { formatIPv6 } from '../services/codec/address.js';
import {
  encodeBmpMessage,
  makePerPeerHeader,
  PEER_FLAG_V,
  stringTlv,
  uint16Tlv,
  type PerPeerHeader,
} from '../services/codec/bmp/index.js';
import {
  encodeOpen,
  encodeUpdate,
  makeDecodeOptions,
  makeOpen,
  makeUpdate,
  type AsPathSegment,
  type BgpDecodeOptions,
  type Capability,
  type PathAttribute,
  type PrefixRoute,
} from '../services/codec/bgp/index.js';

export interface FullTableOptions {
  /** IPv4 unicast NLRI to announce, over all peers (default 1,000,000). */
  prefixesV4?: number;
  /** IPv6 unicast NLRI to announce, over all peers (default 250,000). */
  prefixesV6?: number;
  /** Monitored peers (default 4, at most 64). */
  peers?: number;
  /** Negotiate ADD-PATH for IPv4 and IPv6 unicast and put a path id on every NLRI (default false). */
  addPath?: boolean;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Target chunk size in octets (default 1 MiB); a chunk is always whole messages. */
  chunkSize?: number;
  /** Called after each chunk with the NLRI generated so far and the total. */
  onProgress?: (prefixesDone: number, prefixesTotal: number) => void;
}

/** What a dump holds; the generator returns it once done (and `fullTableExpectation` predicts it). */
export interface FullTableSummary {
  /** BMP messages in the dump. */
  messages: number;
  /** Route Monitoring messages (one UPDATE each), End-of-RIB markers included. */
  routeMonitoring: number;
  /** Announced IPv4 / IPv6 unicast NLRI (= the options). */
  prefixesV4: number;
  prefixesV6: number;
  /** End-of-RIB markers: one per peer and family. */
  endOfRib: number;
  peers: number;
  /** Octets of the whole dump. */
  bytes: number;
}

/** The parts of the summary known without generating the dump. */
export function fullTableExpectation(options: FullTableOptions = {}): Pick<FullTableSummary, 'prefixesV4' | 'prefixesV6' | 'endOfRib' | 'peers'> {
  const o = resolve(options);
  return { prefixesV4: o.prefixesV4, prefixesV6: o.prefixesV6, endOfRib: 2 * o.peers, peers: o.peers };
}

/** Address the dump's router would connect from (for BmpSessionDecoder's routerAddress). */
export const FULL_TABLE_ROUTER_ADDRESS = '192.0.2.254';

// ------------------------------------------------------------------------------------ PRNG --

/**
 * Deterministic 32-bit generator: a Weyl sequence run through the murmur3 finalizer. Plenty for
 * shaping test data; not for anything that needs statistical quality.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() < p * 0x100000000;
  }

  /** Index into `weights` drawn with those weights. */
  weighted(weights: readonly number[], total: number): number {
    let r = this.below(total);
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// -------------------------------------------------------------------------------- prefixes --

/**
 * Bijection of [0, 2^bits) (bits ≤ 32): multiply by an odd constant, xor-shift, multiply again.
 * Counting 0, 1, 2, ... through it visits every value once, in a scattered order.
 */
function scatter(c: number, bits: number, salt: number): number {
  const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
  let x = (Math.imul(c, 0x2c1b3c6d) + salt) & mask;
  x = (x ^ (x >>> Math.ceil(bits / 2))) & mask;
  x = Math.imul(x, 0x297a2d39) & mask;
  return x >>> 0;
}

interface LengthClass {
  bits: number;
  weight: number;
  /** Next counter value, and the counter's limit (2^freeBits, capped). */
  next: number;
  limit: number;
}

/** DFZ-like IPv4 prefix length mix (per mille). */
const V4_LENGTHS: readonly [number, number][] = [
  [24, 600], [23, 95], [22, 110], [21, 45], [20, 42], [19, 28], [18, 14], [17, 9], [16, 14], [15, 2], [14, 1], [13, 1], [12, 1],
];
/** DFZ-like IPv6 prefix length mix (per mille). */
const V6_LENGTHS: readonly [number, number][] = [
  [48, 450], [32, 90], [44, 60], [40, 50], [36, 30], [29, 35], [46, 30], [47, 25], [45, 10], [42, 10], [56, 15], [64, 10], [28, 10], [30, 10], [33, 10],
  [34, 10], [35, 10], [38, 5], [39, 5], [41, 5], [43, 5], [31, 5],
];

/** Distinct prefixes of one family, drawn with a length mix. */
class PrefixSource {
  private readonly classes: LengthClass[];
  private readonly weights: number[];
  private readonly total: number;
  private readonly bytes = Buffer.alloc(16);

  constructor(
    private readonly v6: boolean,
    private readonly rng: Prng,
  ) {
    const table = v6 ? V6_LENGTHS : V4_LENGTHS;
    // IPv6 prefixes sit in 2000::/3, so 3 bits are fixed; counters beyond 2^32 are not needed.
    this.classes = table.map(([bits, weight]) => ({ bits, weight, next: 0, limit: 2 ** Math.min(32, v6 ? bits - 3 : bits) }));
    this.weights = this.classes.map((c) => c.weight);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  /** A prefix never returned before (CIDR text in the decoder's canonical form). */
  next(): string {
    let k = this.rng.weighted(this.weights, this.total);
    for (;;) {
      const cls = this.classes[k];
      const text = this.v6 ? this.fromClass6(cls) : this.fromClass4(cls);
      if (text !== null) return text;
      // That length is used up (only with very large counts): fall back to the most common one.
      if (k === 0) throw new Error(`full-table: ran out of distinct /${cls.bits} prefixes`);
      k = 0;
    }
  }

  private fromClass4(cls: LengthClass): string | null {
    const bits = cls.bits;
    while (cls.next < cls.limit) {
      const v = scatter(cls.next++, bits, 0x5bd1e995);
      const address = bits === 32 ? v : v * 2 ** (32 - bits);
      const a = Math.floor(address / 0x1000000);
      // Skip 0/8, 10/8, 127/8 and class D/E: real tables do not carry them.
      if (a === 0 || a === 10 || a === 127 || a >= 224) continue;
      return `${a}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}/${bits}`;
    }
    return null;
  }

  private fromClass6(cls: LengthClass): string | null {
    if (cls.next >= cls.limit) return null;
    const bits = cls.bits;
    const free = bits - 3;
    // The counter's scatter fills the top min(free, 32) free bits (so prefixes are distinct),
    // random bits fill the rest.
    const top = scatter(cls.next++, Math.min(free, 32), 0x1b873593);
    let value = (1n << BigInt(free)) | (BigInt(top) << BigInt(Math.max(0, free - 32)));
    if (free > 32) value |= BigInt(this.rng.u32()) & ((1n << BigInt(free - 32)) - 1n);
    this.bytes.fill(0);
    this.bytes.writeBigUInt64BE(value << BigInt(64 - bits), 0);
    return `${formatIPv6(this.bytes, 0)}/${bits}`;
  }
}

// ------------------------------------------------------------------------------------ peers --

interface Peer {
  index: number;
  header: PerPeerHeader;
  asn: number;
  ibgp: boolean;
  /** IPv4 NEXT_HOP for IPv4 routes. */
  nextHop4: string;
  /** IPv6 global next hop, and link-local for a 32-octet next hop (null: 16 octets). */
  nextHop6: string;
  linkLocal6: string | null;
  /** ADD-PATH second paths waiting for a later UPDATE of this peer. */
  pending: { prefix: string; pathId: number }[];
}

const ROUTER_AS = 4200000000;
const AS_TRANS = 23456;
const BASE_TIMESTAMP = 1_735_689_600; // 2025-01-01T00:00:00Z, seconds

function makePeers(count: number): Peer[] {
  const peers: Peer[] = [];
  for (let i = 0; i < count; i++) {
    const v6 = i % 2 === 1;
    const ibgp = i === count - 1 && count > 1;
    const asn = ibgp ? ROUTER_AS : i % 3 === 0 ? 64496 + i : 4200000100 + i;
    peers.push({
      index: i,
      header: makePerPeerHeader({
        peerType: 0,
        flags: v6 ? PEER_FLAG_V : 0,
        peerAddress: v6 ? `2001:db8:ffff::${(i + 1).toString(16)}` : `198.51.100.${i + 1}`,
        peerAs: asn,
        peerBgpId: `203.0.113.${i + 1}`,
        timestamp: BASE_TIMESTAMP * 1_000_000,
      }),
      asn,
      ibgp,
      nextHop4: `198.51.100.${i + 1}`,
      nextHop6: `2001:db8:ffff::${(i + 1).toString(16)}`,
      linkLocal6: v6 ? `fe80::${(i + 1).toString(16)}` : null,
      pending: [],
    });
  }
  return peers;
}

function openOf(asn: number, bgpId: string, addPathMode: number | null): Buffer {
  const capabilities: Capability[] = [
    { code: 1, kind: 'multiprotocol', afi: 1, safi: 1, reserved: 0 },
    { code: 1, kind: 'multiprotocol', afi: 2, safi: 1, reserved: 0 },
    { code: 2, kind: 'route_refresh' },
    { code: 65, kind: 'four_octet_as', asn },
  ];
  if (addPathMode !== null) {
    capabilities.push({
      code: 69,
      kind: 'add_path',
      families: [
        { afi: 1, safi: 1, sendReceive: addPathMode },
        { afi: 2, safi: 1, sendReceive: addPathMode },
      ],
    });
  }
  return encodeOpen(
    makeOpen({
      version: 4,
      myAs: asn > 0xffff ? AS_TRANS : asn,
      holdTime: 90,
      bgpId,
      parameters: [{ kind: 'capabilities', type: 2, capabilities }],
    }),
  );
}

function peerUp(peer: Peer, addPath: boolean): Buffer {
  const v6 = peer.header.ipv6;
  return encodeBmpMessage({
    type: 'peer_up',
    version: 3,
    peer: peer.header,
    localAddress: v6 ? '2001:db8:ffff::fe' : FULL_TABLE_ROUTER_ADDRESS,
    localPort: 179,
    remotePort: 40000 + peer.index,
    // The monitored router can send and receive paths; the peer sends them (RFC 7911 §4).
    sentOpen: openOf(ROUTER_AS, '192.0.2.254', addPath ? 3 : null),
    receivedOpen: openOf(peer.asn, peer.header.peerBgpId, addPath ? 2 : null),
    tlvs: [stringTlv(0, `bench peer ${peer.index}`)],
    vrfTableName: null,
    strings: [`bench peer ${peer.index}`],
    adminLabels: [],
  });
}

// ------------------------------------------------------------------------------- attributes --

/** ASNs as the Internet has them: about a quarter of them 4-octet. */
function asns(rng: Prng, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(rng.chance(0.75) ? rng.between(1, 64495) : rng.between(131072, 401308));
  return out;
}

/** Values from a pool drawn with a skew, so a few are very common, as in a real table. */
function skewed(rng: Prng, pool: readonly number[]): number {
  const u = rng.u32() / 0x100000000;
  return pool[Math.floor(u * u * pool.length)];
}

/**
 * Attribute sets with the repetition of a real table: paths run peer AS, 1-4 transit ASNs from a
 * few hundred, then one of tens of thousands of origins; a third of the UPDATEs reuse a recent
 * path of the same peer (an origin's other prefixes); communities come mostly from a per-peer set
 * of a few hundred values and a shared set of a few thousand.
 */
class AttributeMaker {
  private readonly transit: number[];
  private readonly origins: number[];
  private readonly sharedCommunities: number[];
  private readonly largeCommunities: string[];
  private readonly peerCommunities = new Map<number, number[]>();
  private readonly recentPaths = new Map<number, AsPathSegment[][]>();

  constructor(private readonly rng: Prng) {
    this.transit = asns(rng, 400);
    this.origins = asns(rng, 60000);
    const transit16 = this.transit.filter((asn) => asn <= 0xffff);
    this.sharedCommunities = Array.from({ length: 3000 }, () => this.pick(transit16) * 0x10000 + (rng.chance(0.7) ? rng.below(1000) : rng.below(65536)));
    this.largeCommunities = Array.from({ length: 600 }, () => `${this.pick(this.origins)}:${rng.below(1000)}:${rng.below(100000)}`);
  }

  /** Path attributes of one UPDATE (MP_REACH_NLRI added by the caller for IPv6). */
  make(peer: Peer, v6: boolean, mpReach: PathAttribute | null): PathAttribute[] {
    const rng = this.rng;
    const list: PathAttribute[] = [];
    // FRR and others put MP_REACH_NLRI first.
    if (mpReach !== null) list.push(mpReach);
    const o = rng.below(100);
    list.push({ code: 1, kind: 'origin', flags: 0x40, value: o < 80 ? 'igp' : o < 95 ? 'incomplete' : 'egp' });
    list.push({ code: 2, kind: 'as_path', flags: 0x40, value: this.asPath(peer) });
    if (!v6) list.push({ code: 3, kind: 'next_hop', flags: 0x40, value: peer.nextHop4 });
    if (rng.chance(0.4)) list.push({ code: 4, kind: 'med', flags: 0x80, value: rng.below(5000) });
    if (peer.ibgp) list.push({ code: 5, kind: 'local_pref', flags: 0x40, value: rng.chance(0.8) ? 100 : 200 });
    if (rng.chance(0.02)) {
      list.push({ code: 6, kind: 'atomic_aggregate', flags: 0x40, value: true });
      list.push({ code: 7, kind: 'aggregator', flags: 0xc0, value: { as: this.pick(this.origins), address: `192.0.2.${rng.between(1, 250)}` } });
    }
    const nCommunities = rng.below(11);
    if (nCommunities > 0) {
      const own = this.communitiesOf(peer);
      const values: number[] = [];
      for (let i = 0; i < nCommunities; i++) {
        const r = rng.below(100);
        values.push(r < 70 ? skewed(rng, own) : r < 95 ? skewed(rng, this.sharedCommunities) : r < 98 ? 0xffffff01 : rng.u32());
      }
      list.push({ code: 8, kind: 'communities', flags: 0xc0, value: values });
    }
    if (rng.chance(0.15)) {
      const n = rng.between(1, 3);
      const values: string[] = [];
      for (let i = 0; i < n; i++) values.push(this.largeCommunities[rng.below(this.largeCommunities.length)]);
      list.push({ code: 32, kind: 'large_communities', flags: 0xc0, value: values });
    }
    return list;
  }

  private pick(from: readonly number[]): number {
    return from[this.rng.below(from.length)];
  }

  private communitiesOf(peer: Peer): number[] {
    let own = this.peerCommunities.get(peer.index);
    if (own === undefined) {
      // A 4-octet peer AS does not fit a community: such networks tag with a 2-octet one.
      const high = peer.asn <= 0xffff ? peer.asn : 64512 + peer.index;
      own = Array.from({ length: 300 }, () => high * 0x10000 + (this.rng.chance(0.8) ? this.rng.below(3000) : this.rng.below(65536)));
      this.peerCommunities.set(peer.index, own);
    }
    return own;
  }

  private asPath(peer: Peer): AsPathSegment[] {
    const rng = this.rng;
    let recent = this.recentPaths.get(peer.index);
    if (recent === undefined) this.recentPaths.set(peer.index, (recent = []));
    if (recent.length > 0 && rng.chance(0.33)) {
      // Another prefix of a recently seen origin, over the same path.
      return recent[rng.below(recent.length)].map((s) => ({ type: s.type, asns: s.asns.slice() }));
    }
    const hops = rng.between(3, 8);
    const asns: number[] = [];
    // An eBGP peer puts its own AS first; the iBGP peer passes on what its neighbour sent.
    if (!peer.ibgp) asns.push(peer.asn);
    const origin = this.pick(this.origins);
    // Prepending: the origin repeats its AS once or twice on some paths.
    const originTimes = rng.chance(0.1) ? rng.between(2, 3) : 1;
    while (asns.length < hops - originTimes) asns.push(this.pick(this.transit));
    while (asns.length < hops) asns.push(origin);
    let path: AsPathSegment[];
    if (hops >= 4 && rng.chance(0.02)) {
      // An aggregate: the last two hops become an AS_SET.
      path = [
        { type: 'sequence', asns: asns.slice(0, hops - 2) },
        { type: 'set', asns: [origin, this.pick(this.origins)] },
      ];
    } else {
      path = [{ type: 'sequence', asns }];
    }
    if (recent.length < 512) recent.push(path);
    else recent[rng.below(512)] = path;
    return path;
  }
}

// ------------------------------------------------------------------------------- generator --

function resolve(o: FullTableOptions): Required<Omit<FullTableOptions, 'onProgress'>> {
  const r = {
    prefixesV4: o.prefixesV4 ?? 1_000_000,
    prefixesV6: o.prefixesV6 ?? 250_000,
    peers: o.peers ?? 4,
    addPath: o.addPath ?? false,
    seed: o.seed ?? 1,
    chunkSize: o.chunkSize ?? 1024 * 1024,
  };
  for (const k of ['prefixesV4', 'prefixesV6', 'chunkSize'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 0) throw new RangeError(`full-table: ${k} must be a non-negative integer, got ${r[k]}`);
  }
  if (!Number.isInteger(r.peers) || r.peers < 1 || r.peers > 64) throw new RangeError(`full-table: peers must be 1..64, got ${r.peers}`);
  return r;
}

/** Collects encoded messages into chunks of about `size` octets. */
class Chunker {
  private parts: Buffer[] = [];
  private length = 0;
  messages = 0;
  bytes = 0;

  constructor(private readonly size: number) {}

  add(message: Buffer): void {
    this.parts.push(message);
    this.length += message.length;
    this.messages++;
    this.bytes += message.length;
  }

  /** A chunk when enough is collected (or everything when `flush`), else null. */
  take(flush = false): Buffer | null {
    if (this.length === 0 || (!flush && this.length < this.size)) return null;
    const chunk = Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    return chunk;
  }
}

/**
 * The dump as a stream of chunks. Each chunk is a fresh Buffer holding whole BMP messages; the
 * generator's return value summarises the dump.
 */
export function* fullTableDump(options: FullTableOptions = {}): Generator<Buffer, FullTableSummary, void> {
  const o = resolve(options);
  const rng = new Prng(o.seed);
  const peers = makePeers(o.peers);
  const attrs = new AttributeMaker(rng);
  const families = o.addPath
    ? [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ]
    : [];
  const opts: BgpDecodeOptions = makeDecodeOptions(true, families);
  const out = new Chunker(o.chunkSize);
  const totalPrefixes = o.prefixesV4 + o.prefixesV6;
  let done = 0;
  let routeMonitoring = 0;
  let timestamp = BASE_TIMESTAMP * 1_000_000;

  out.add(
    encodeBmpMessage({
      type: 'initiation',
      version: 3,
      tlvs: [stringTlv(1, 'bmp-pipeline synthetic full table (bench/full-table.ts)'), stringTlv(2, 'bench-router'), stringTlv(0, `seed ${o.seed}`)],
      sysDescr: 'bmp-pipeline synthetic full table (bench/full-table.ts)',
      sysName: 'bench-router',
      strings: [`seed ${o.seed}`],
    }),
  );
  for (const peer of peers) out.add(peerUp(peer, o.addPath));

  const routeMonitoringOf = (peer: Peer, pdu: Buffer): Buffer => {
    // Timestamps advance by a few microseconds per message, as in a real dump.
    timestamp += 1 + rng.below(40);
    routeMonitoring++;
    return encodeBmpMessage({ type: 'route_monitoring', version: 3, peer: { ...peer.header, timestamp }, pdu, v4Layout: null, tlvs: [] });
  };

  for (const v6 of [false, true]) {
    const total = v6 ? o.prefixesV6 : o.prefixesV4;
    const afi = v6 ? 2 : 1;
    const source = new PrefixSource(v6, rng);
    let emitted = 0;
    let queued = 0;
    let peerIndex = 0;
    let runLeft = rng.between(16, 256);
    while (emitted < total) {
      let peer = peers[peerIndex];
      if (runLeft-- === 0 || (emitted + queued >= total && peer.pending.length === 0)) {
        // Next peer's run; once every new prefix is out, only peers with queued paths are left.
        do peerIndex = (peerIndex + 1) % peers.length;
        while (emitted + queued >= total && peers[peerIndex].pending.length === 0);
        peer = peers[peerIndex];
        runLeft = rng.between(16, 256);
      }
      const n = rng.between(1, 4);
      const routes: PrefixRoute[] = [];
      const deferred: { prefix: string; pathId: number }[] = [];
      for (let i = 0; i < n; i++) {
        const mustDrain = emitted + queued >= total;
        if (peer.pending.length > 0 && (mustDrain || rng.chance(0.5))) {
          const p = peer.pending.shift() as { prefix: string; pathId: number };
          routes.push({ kind: 'prefix', afi, safi: 1, prefix: p.prefix, pathId: p.pathId });
          queued--;
          emitted++;
        } else if (!mustDrain) {
          const prefix = source.next();
          const pathId = o.addPath ? rng.between(1, 16) : null;
          routes.push({ kind: 'prefix', afi, safi: 1, prefix, pathId });
          emitted++;
          // ADD-PATH: a quarter of the prefixes get a second path, announced in a later UPDATE.
          if (pathId !== null && emitted + queued < total && rng.chance(0.25)) {
            deferred.push({ prefix, pathId: pathId + rng.between(1, 16) });
            queued++;
          }
        } else {
          break;
        }
      }
      for (const d of deferred) peer.pending.push(d);
      let update;
      if (v6) {
        const mpReach: PathAttribute = {
          code: 14,
          kind: 'mp_reach',
          flags: 0x90,
          value: {
            afi: 2,
            safi: 1,
            nextHop: { address: peer.nextHop6, linkLocal: peer.linkLocal6, rd: null, linkLocalRd: null, raw: null },
            reserved: 0,
            routes,
          },
        };
        update = makeUpdate({ attributeList: attrs.make(peer, true, mpReach) }, opts);
      } else {
        update = makeUpdate({ attributeList: attrs.make(peer, false, null), nlri: routes }, opts);
      }
      out.add(routeMonitoringOf(peer, encodeUpdate(update, opts)));
      done += routes.length;
      const chunk = out.take();
      if (chunk !== null) {
        options.onProgress?.(done, totalPrefixes);
        yield chunk;
      }
    }
    // End-of-RIB per peer (RFC 4724 §2): an empty UPDATE for IPv4 unicast, an empty
    // MP_UNREACH_NLRI for IPv6 unicast.
    for (const peer of peers) {
      const eor = v6
        ? makeUpdate({ attributeList: [{ code: 15, kind: 'mp_unreach', flags: 0x90, value: { afi: 2, safi: 1, routes: [] } }] }, opts)
        : makeUpdate({}, opts);
      out.add(routeMonitoringOf(peer, encodeUpdate(eor, opts)));
    }
  }

  out.add(
    encodeBmpMessage({
      type: 'termination',
      version: 3,
      tlvs: [stringTlv(0, 'full table sent'), uint16Tlv(1, 0)],
      reason: 0,
      reasonName: 'administratively_closed',
      strings: ['full table sent'],
    }),
  );
  const last = out.take(true);
  options.onProgress?.(done, totalPrefixes);
  if (last !== null) yield last;
  return {
    messages: out.messages,
    routeMonitoring,
    prefixesV4: o.prefixesV4,
    prefixesV6: o.prefixesV6,
    endOfRib: 2 * peers.length,
    peers: peers.length,
    bytes: out.bytes,
  };
}
