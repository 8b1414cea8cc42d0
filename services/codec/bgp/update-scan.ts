/**
 * An UPDATE read in one pass for a consumer that renders routes straight from the bytes: the event
 * model's hot path (services/events/session-decoder.ts), where a full-table dump is millions of
 * UPDATEs of one common shape.
 *
 * scanUpdate reads the UPDATEs decodeUpdateBody reads cleanly — no exception, no attribute kept
 * raw — as far as they hold only the path attributes listed in scanAttribute and, in MP_REACH_NLRI
 * and MP_UNREACH_NLRI, prefixes of plain IP families (nlriEncoding 'ipv4' or 'ipv6'; a block with
 * no NLRI may be of any family). Anything else — a framing or value error, a repeated or unknown
 * attribute, AS4_PATH or AS4_AGGREGATOR (their merge, RFC 6793 §4.2.3), labeled, VPN or raw NLRI —
 * gives null, and the caller decodes the UPDATE with decodeUpdateBody, which reports or keeps it.
 * For an UPDATE it does read, the result holds what decodeUpdateBody's `attributes`, `endOfRib`
 * and routes hold, in another form:
 *  - routes as prefix blocks: the CIDR texts of a block's routes, and their path ids, in order,
 *    instead of one Route object per prefix;
 *  - AS_PATH and COMMUNITIES already mapped to the caller's representation (converters), so that
 *    neither the segment arrays nor the array of 32-bit values is built only to be converted;
 *  - the other attribute values exactly as the attribute decoders give them (the same functions).
 * The rules that make a block, an AS_PATH or a COMMUNITIES value malformed are those of
 * decodeIPv4Prefixes / decodeIPv6Prefixes, decodeAsPath and decodeCommunities; the unit tests
 * compare the two readings on captures and on random UPDATEs.
 */
import { aigpMetric, decodeAigp } from './attributes/aigp.js';
import { decodeAggregator, type Aggregator } from './attributes/aggregator.js';
import { AS_PATH_SEGMENT_TYPES as SEGMENT_TYPES, type AsPathSegmentType } from './attributes/as-path.js';
import { decodeAtomicAggregate } from './attributes/atomic-aggregate.js';
import { decodeClusterList } from './attributes/cluster-list.js';
import { AttrFlag } from './attributes/codes.js';
import { decodeExtendedCommunities, type ExtendedCommunity } from './attributes/extended-communities.js';
import { decodeIpv6ExtendedCommunities, type Ipv6ExtendedCommunity } from './attributes/ipv6-extended-communities.js';
import { decodeLargeCommunities } from './attributes/large-communities.js';
import { decodeLocalPref } from './attributes/local-pref.js';
import { decodeMed } from './attributes/med.js';
import { decodeMpNextHop, type MpNextHop } from './attributes/mp-reach.js';
import { decodeNextHop } from './attributes/next-hop.js';
import { decodeOrigin, type Origin } from './attributes/origin.js';
import { decodeOriginatorId } from './attributes/originator-id.js';
import { decodeOtc } from './attributes/otc.js';
import { u32 } from './bytes.js';
import { nlriEncoding } from './nlri/families.js';
import { countPrefixes } from './nlri/ipv4.js';
import { ipv4PrefixText, ipv6PrefixText } from './nlri/prefix.js';
import type { BgpDecodeOptions, Family } from './options.js';

/** The routes of one NLRI block: what decodeUpdateBody's PrefixRoutes of that block hold. */
export interface PrefixBlock {
  afi: number;
  safi: number;
  /** CIDR text of each route, in wire order (PrefixRoute.prefix); ScanPlaceholders.announcedIPv4Text in its place where given. */
  prefixes: string[];
  /** ADD-PATH path identifier of each route; null when the block has none (PrefixRoute.pathId). */
  pathIds: number[] | null;
  /**
   * Where the block's routes start in the buffer scanned (UpdateScan.octets): each is its path id
   * (with pathIds), its length octet and its prefix octets, in order; -1 for a block of none.
   */
  octetsAt: number;
}

/** Maps AS_PATH members and COMMUNITIES values to the caller's representation. */
export interface ScanConverters<H, C> {
  /** One AS_PATH member: its ASN and the type of its segment. */
  hop(asn: number, segment: AsPathSegmentType): H;
  /** One COMMUNITIES value (32 bits). */
  community(value: number): C;
}

/**
 * Stand-ins for values the caller reads from the octets (scanUpdate's `placeholders`), so that
 * they are not made: ingest's Avro encoder writes prefixes, AS_PATH, COMMUNITIES and LARGE_COMMUNITY
 * from the UPDATE.
 */
export interface ScanPlaceholders<H, C> {
  /** The text of every announced IPv4 prefix (NLRI field and MP_REACH_NLRI; withdrawn ones keep theirs). */
  announcedIPv4Text: string;
  /** AS_PATH, when it has a segment: this array (the same object), not its converted members (asPathAt..asPathEnd say where they are). */
  asPath: H[];
  /** COMMUNITIES, when present: this array (the same object), not its converted values (communitiesAt and communitiesEnd say where they are). */
  communities: C[];
  /** LARGE_COMMUNITY, when present: this array (the same object), not its texts (largeCommunitiesAt and largeCommunitiesEnd say where they are). */
  largeCommunities: string[];
}

export interface UpdateScan<H, C> {
  /** Withdrawn Routes field (IPv4 unicast); null when empty. */
  withdrawn: PrefixBlock | null;
  /** NLRI field (IPv4 unicast); null when empty. */
  nlri: PrefixBlock | null;
  /** MP_REACH_NLRI's routes (none when it has no NLRI); null without the attribute. */
  mpReach: PrefixBlock | null;
  /** MP_REACH_NLRI's next hop; null without the attribute. */
  mpReachNextHop: MpNextHop | null;
  /** MP_UNREACH_NLRI's routes (none for an End-of-RIB); null without the attribute. */
  mpUnreach: PrefixBlock | null;
  /** UpdateMessage.endOfRib. */
  endOfRib: Family | null;
  // The attributes, as Attributes has them (AS4_PATH and AS4_AGGREGATOR are never present, so the
  // effective AS path and aggregator are the wire ones, and there are no raw attributes).
  origin: Origin | null;
  /** AS_PATH as converters.hop of each member, in order; null without the attribute. */
  asPath: H[] | null;
  /** Number of AS_PATH segments (0 also without the attribute). */
  asPathSegments: number;
  nextHop: string | null;
  med: number | null;
  localPref: number | null;
  atomicAggregate: boolean;
  aggregator: Aggregator | null;
  /** COMMUNITIES as converters.community of each value, in order; null without the attribute. */
  communities: C[] | null;
  originatorId: string | null;
  clusterList: string[] | null;
  extendedCommunities: ExtendedCommunity[] | null;
  ipv6ExtendedCommunities: Ipv6ExtendedCommunity[] | null;
  aigp: bigint | null;
  /** LARGE_COMMUNITY's texts, in order; null without the attribute. */
  largeCommunities: string[] | null;
  otc: number | null;
  /**
   * Where the AS_PATH, COMMUNITIES and LARGE_COMMUNITY values lie in `octets` (the buffer
   * scanned), -1 without the attribute: for a caller that writes them in another form straight
   * from the wire (the ingest's Avro writer), rather than from the values above.
   */
  octets: Buffer;
  /** A number no other scan of this thread has had: names the UPDATE without holding its octets. */
  serial: number;
  asPathAt: number;
  asPathEnd: number;
  /** Octets per ASN in the AS_PATH (the options' fourOctetAs): 4 or 2. */
  asPathAsSize: 2 | 4;
  communitiesAt: number;
  communitiesEnd: number;
  largeCommunitiesAt: number;
  largeCommunitiesEnd: number;
}


/** The last UpdateScan.serial given. */
let lastSerial = 0;

// Repeated type codes, without allocating per UPDATE (as decodeAttributes does).
const seen = new Uint32Array(256);
let generation = 0;

/**
 * The plain prefixes in [pos, end) (IPv4 when `width` is 32, IPv6 when 128) as a block, or null
 * where decodeIPv4Prefixes / decodeIPv6Prefixes would throw.
 */
function scanPrefixes(buf: Buffer, pos: number, end: number, afi: number, safi: number, addPath: boolean, width: 32 | 128, ipv4Text: string | null): PrefixBlock | null {
  const start = pos;
  const n = countPrefixes(buf, pos, end, addPath);
  const prefixes = new Array<string>(n);
  const pathIds = addPath ? new Array<number>(n) : null;
  let i = 0;
  while (pos < end) {
    if (pathIds !== null) {
      if (end - pos < 5) return null;
      pathIds[i] = u32(buf, pos);
      pos += 4;
    }
    const bits = buf[pos];
    if (bits > width) return null;
    const octets = (bits + 7) >>> 3;
    if (pos + 1 + octets > end) return null;
    prefixes[i++] = width === 32 ? (ipv4Text ?? ipv4PrefixText(buf, pos + 1, bits)) : ipv6PrefixText(buf, pos + 1, bits);
    pos += 1 + octets;
  }
  return { afi, safi, prefixes, pathIds, octetsAt: start };
}

/** An MP_REACH / MP_UNREACH block of `afi`/`safi` in [pos, end): empty, or plain prefixes; else null. */
function scanMpPrefixes(buf: Buffer, pos: number, end: number, afi: number, safi: number, opts: BgpDecodeOptions, ipv4Text: string | null): PrefixBlock | null {
  if (pos >= end) return { afi, safi, prefixes: [], pathIds: null, octetsAt: -1 };
  const encoding = nlriEncoding(afi, safi);
  if (encoding !== 'ipv4' && encoding !== 'ipv6') return null;
  return scanPrefixes(buf, pos, end, afi, safi, opts.addPath(afi, safi), encoding === 'ipv4' ? 32 : 128, ipv4Text);
}

/**
 * AS_PATH in [start, end) into `out` as hops (or the placeholder); false where decodeAsPath(buf,
 * start, end, asSize) would throw.
 */
function scanAsPath<H, C>(
  buf: Buffer,
  start: number,
  end: number,
  asSize: 2 | 4,
  conv: ScanConverters<H, C>,
  out: UpdateScan<H, C>,
  placeholders: ScanPlaceholders<H, C> | null,
): boolean {
  // First pass: the checks of decodeAsPath (segment header, known type, count within the
  // attribute; a zero count is allowed in AS_PATH) and the number of members.
  let members = 0;
  let segments = 0;
  let pos = start;
  while (pos < end) {
    if (end - pos < 2) return false;
    if ((SEGMENT_TYPES[buf[pos]] ?? null) === null) return false;
    const count = buf[pos + 1];
    if (count * asSize > end - pos - 2) return false;
    pos += 2 + count * asSize;
    members += count;
    segments++;
  }
  out.asPathAt = start;
  out.asPathEnd = end;
  out.asPathAsSize = asSize;
  out.asPathSegments = segments;
  if (placeholders !== null && segments > 0) {
    out.asPath = placeholders.asPath;
    return true;
  }
  const hops = new Array<H>(members);
  let k = 0;
  pos = start;
  while (pos < end) {
    const type = SEGMENT_TYPES[buf[pos]] as AsPathSegmentType;
    const count = buf[pos + 1];
    pos += 2;
    if (asSize === 4) {
      for (let i = 0; i < count; i++, pos += 4) hops[k++] = conv.hop(u32(buf, pos), type);
    } else {
      for (let i = 0; i < count; i++, pos += 2) hops[k++] = conv.hop((buf[pos] << 8) | buf[pos + 1], type);
    }
  }
  out.asPath = hops;
  return true;
}

/**
 * One path attribute's value into `out`; false when decodeAttributes would keep it raw (a value
 * error) or scanUpdate does not read it (see the module notes). The decoders throw CodecError on
 * malformed values; the caller turns any exception into false.
 */
function scanAttribute<H, C>(
  buf: Buffer,
  code: number,
  s: number,
  e: number,
  opts: BgpDecodeOptions,
  conv: ScanConverters<H, C>,
  out: UpdateScan<H, C>,
  placeholders: ScanPlaceholders<H, C> | null,
): boolean {
  switch (code) {
    case 1:
      out.origin = decodeOrigin(buf, s, e);
      return true;
    case 2:
      return scanAsPath(buf, s, e, opts.fourOctetAs ? 4 : 2, conv, out, placeholders);
    case 3:
      out.nextHop = decodeNextHop(buf, s, e);
      return true;
    case 4:
      out.med = decodeMed(buf, s, e);
      return true;
    case 5:
      out.localPref = decodeLocalPref(buf, s, e);
      return true;
    case 6:
      out.atomicAggregate = decodeAtomicAggregate(buf, s, e);
      return true;
    case 7:
      out.aggregator = decodeAggregator(buf, s, e, opts.fourOctetAs ? 4 : 2);
      return true;
    case 8: {
      // decodeCommunities' rule (RFC 7606 §7.8): a non-zero multiple of 4 octets.
      const len = e - s;
      if (len === 0 || len % 4 !== 0) return false;
      if (placeholders !== null) out.communities = placeholders.communities;
      else {
        const values = new Array<C>(len >>> 2);
        for (let pos = s, i = 0; pos < e; pos += 4, i++) values[i] = conv.community(u32(buf, pos));
        out.communities = values;
      }
      out.communitiesAt = s;
      out.communitiesEnd = e;
      return true;
    }
    case 9:
      out.originatorId = decodeOriginatorId(buf, s, e);
      return true;
    case 10:
      out.clusterList = decodeClusterList(buf, s, e);
      return true;
    case 14: {
      // decodeMpReach's checks, then the NLRI as a block.
      if (e - s < 5) return false;
      const afi = (buf[s] << 8) | buf[s + 1];
      const safi = buf[s + 2];
      const nhLen = buf[s + 3];
      if (nhLen + 1 > e - s - 4) return false;
      out.mpReachNextHop = decodeMpNextHop(buf, s + 4, nhLen);
      out.mpReach = scanMpPrefixes(buf, s + 5 + nhLen, e, afi, safi, opts, placeholders === null ? null : placeholders.announcedIPv4Text);
      return out.mpReach !== null;
    }
    case 15: {
      if (e - s < 3) return false;
      out.mpUnreach = scanMpPrefixes(buf, s + 3, e, (buf[s] << 8) | buf[s + 1], buf[s + 2], opts, null);
      return out.mpUnreach !== null;
    }
    case 16:
      out.extendedCommunities = decodeExtendedCommunities(buf, s, e);
      return true;
    case 25:
      out.ipv6ExtendedCommunities = decodeIpv6ExtendedCommunities(buf, s, e);
      return true;
    case 26:
      out.aigp = aigpMetric(decodeAigp(buf, s, e));
      return true;
    case 32:
      if (placeholders !== null) {
        // decodeLargeCommunities' rule (RFC 8092 §6): a non-zero multiple of 12 octets.
        const len = e - s;
        if (len === 0 || len % 12 !== 0) return false;
        out.largeCommunities = placeholders.largeCommunities;
      } else {
        out.largeCommunities = decodeLargeCommunities(buf, s, e);
      }
      out.largeCommunitiesAt = s;
      out.largeCommunitiesEnd = e;
      return true;
    case 35:
      out.otc = decodeOtc(buf, s, e);
      return true;
    default:
      // AS4_PATH / AS4_AGGREGATOR (the merge), the attributes decodeAttributes keeps raw, and
      // TUNNEL_ENCAPSULATION, BGP-LS and PREFIX_SID (rare on the common shape; their TLV lists are
      // left to decodeUpdateBody).
      return false;
  }
}

/** The path attributes in [start, end) into `out`, or false (see the module notes). */
function scanAttributes<H, C>(
  buf: Buffer,
  start: number,
  end: number,
  opts: BgpDecodeOptions,
  conv: ScanConverters<H, C>,
  out: UpdateScan<H, C>,
  placeholders: ScanPlaceholders<H, C> | null,
): boolean {
  if (++generation === 0xffffffff) {
    seen.fill(0);
    generation = 1;
  }
  let pos = start;
  while (pos < end) {
    // decodeAttributes' framing checks.
    if (end - pos < 3) return false;
    const flags = buf[pos];
    const code = buf[pos + 1];
    let len: number;
    let vstart: number;
    if (flags & AttrFlag.EXTENDED_LENGTH) {
      if (end - pos < 4) return false;
      len = (buf[pos + 2] << 8) | buf[pos + 3];
      vstart = pos + 4;
    } else {
      len = buf[pos + 2];
      vstart = pos + 3;
    }
    const vend = vstart + len;
    if (vend > end || seen[code] === generation) return false;
    seen[code] = generation;
    try {
      if (!scanAttribute(buf, code, vstart, vend, opts, conv, out, placeholders)) return false;
    } catch {
      return false;
    }
    pos = vend;
  }
  return true;
}

/**
 * Reads the UPDATE body in [start, end) of `buf` as decodeUpdateBody(buf, start, end, opts) would,
 * or returns null (see the module notes).
 *
 * `placeholders`, when given, stand for the values of a caller that reads them from the octets
 * itself and would only throw them away (see ScanPlaceholders). The octets are checked as always.
 */
export function scanUpdate<H, C>(
  buf: Buffer,
  start: number,
  end: number,
  opts: BgpDecodeOptions,
  conv: ScanConverters<H, C>,
  placeholders: ScanPlaceholders<H, C> | null = null,
): UpdateScan<H, C> | null {
  // decodeUpdateBody's framing checks.
  if (end - start < 4) return null;
  const wLen = (buf[start] << 8) | buf[start + 1];
  const wStart = start + 2;
  const wEnd = wStart + wLen;
  if (wEnd + 2 > end) return null;
  const aLen = (buf[wEnd] << 8) | buf[wEnd + 1];
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > end) return null;
  const ipv4AddPath = wLen > 0 || aEnd < end ? opts.addPath(1, 1) : false;
  const out: UpdateScan<H, C> = {
    withdrawn: null,
    nlri: null,
    mpReach: null,
    mpReachNextHop: null,
    mpUnreach: null,
    endOfRib: null,
    origin: null,
    asPath: null,
    asPathSegments: 0,
    nextHop: null,
    med: null,
    localPref: null,
    atomicAggregate: false,
    aggregator: null,
    communities: null,
    originatorId: null,
    clusterList: null,
    extendedCommunities: null,
    ipv6ExtendedCommunities: null,
    aigp: null,
    largeCommunities: null,
    otc: null,
    octets: buf,
    serial: ++lastSerial,
    asPathAt: -1,
    asPathEnd: -1,
    asPathAsSize: opts.fourOctetAs ? 4 : 2,
    communitiesAt: -1,
    communitiesEnd: -1,
    largeCommunitiesAt: -1,
    largeCommunitiesEnd: -1,
  };
  if (wLen > 0 && (out.withdrawn = scanPrefixes(buf, wStart, wEnd, 1, 1, ipv4AddPath, 32, null)) === null) return null;
  if (aLen > 0 && !scanAttributes(buf, aStart, aEnd, opts, conv, out, placeholders)) return null;
  if (aEnd < end && (out.nlri = scanPrefixes(buf, aEnd, end, 1, 1, ipv4AddPath, 32, placeholders === null ? null : placeholders.announcedIPv4Text)) === null) return null;
  // update.ts's endOfRib: nothing at all, or an MP_UNREACH_NLRI without routes and nothing else.
  if (out.withdrawn === null && out.nlri === null) {
    // A field that holds bytes holds at least one route (or the scan failed above).
    const un = out.mpUnreach;
    if (aLen === 0) out.endOfRib = { afi: 1, safi: 1 };
    else if (un !== null && un.prefixes.length === 0 && out.mpReach === null) out.endOfRib = { afi: un.afi, safi: un.safi };
  }
  return out;
}
