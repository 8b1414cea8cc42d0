/**
 * Route Monitoring records in the Confluent wire format, the same octets as encodeRecord writes
 * (a unit test holds them equal), made faster by reusing the encoded parts that repeat.
 *
 * A route event is one prefix of an UPDATE, and an UPDATE usually announces several prefixes with
 * the same path attributes, from a peer whose header repeats in every message. The Avro binary
 * encoding of a record is the concatenation of its fields' encodings, in schema order, with
 * nothing in between (Avro 1.11 specification, "Binary Encoding": records); so a run of fields
 * can be encoded once and its octets copied into every record that has the same values there:
 *
 *   router_address | sequence | peer header | bmp_timestamp | table_name | action..family | prefix..raw_nlri | path attributes | the rest
 *   (cached)         (written)  (cached)      (written)       (cached)     (cached)         (written)          (cached)          (cached when null)
 *
 * (The BMP timestamp is written on its own: it changes with every message, and the peer header
 * around it only when the peer does. The table name and the route kind, adjacent, are kept as one
 * run, and so are the path attributes and the null rest after them: each run costs a copy per
 * record.)
 *
 * A cached run is reused only when every field of it equals, value for value, what it was encoded
 * from (arrays compared element by element against a copy taken then, so an event whose arrays
 * were changed in place is never written with stale octets). The path attributes are the
 * exception when the caller names the UPDATE they were decoded from (encodeBorrowed's `wire`):
 * the same UPDATE and next hop then stand for the same values, and the communities, most of
 * their octets, are written from the UPDATE's 32-bit values rather than from their texts. So is
 * an IPv4 prefix whose octets the caller points to (`prefixAt`).
 *
 * The NLRI fields (prefix, path id, RD, labels, raw NLRI) differ from event to event: for a plain
 * IP prefix they are written here directly (no RD, no labels, no raw NLRI, a short prefix text),
 * otherwise by avsc. At start the direct writing (NLRI and path attributes, from values and from
 * the wire) is checked against avsc's on sample events; any difference turns that writing off.
 *
 * The encoder knows the field order of schemas/route_monitoring.avsc. When the schema's fields are
 * not the ones listed here (a field added), it encodes every record with encodeRecord, correct
 * but without the reuse; a unit test fails then, so that the lists here are brought up to date.
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { decodeAsPath, encodeAsPath, type AsPathSegment } from '../../codec/bgp/attributes/as-path.js';
import { decodeCommunities } from '../../codec/bgp/attributes/communities.js';
import { decodeLargeCommunities } from '../../codec/bgp/attributes/large-communities.js';
import { putU32 } from '../../codec/bgp/bytes.js';
import { ByteWriter } from '../../codec/bgp/writer.js';
import { asPathHops, communityTexts } from '../../events/path-attribute-values.js';
import { ipv4PrefixText } from '../../codec/bgp/nlri/prefix.js';
import { AS_PATH_ON_THE_WIRE, COMMUNITIES_ON_THE_WIRE, LARGE_COMMUNITIES_ON_THE_WIRE, PREFIX_ON_THE_WIRE, type AsPathHop, type RouteEvent } from '../../events/model.js';
import { typeFor } from './schemas.js';
import { WIRE_HEADER_LENGTH, WIRE_MAGIC, checkSchemaId, encodeRecord } from './wire.js';
import { writeUtf8 } from './utf8.js';
import { writeIPv4PrefixText } from './decimal.js';
import { writeVarint } from './varint.js';
import { ATTRIBUTE_FIELDS, AttributeFallback, AttributeWriter, type AttributeValues, type WireAttributes } from './attribute-writer.js';

const ROUTER_FIELDS = ['router_address'] as const;
const SEQUENCE_FIELDS = ['sequence'] as const;
/** The per-peer header's fields up to its timestamp: the same for every message of a peer's RIB view. */
const PEER_FIELDS = [
  'peer_type',
  'peer_type_code',
  'peer_distinguisher',
  'peer_address',
  'peer_as',
  'peer_bgp_id',
  'is_post_policy',
  'is_adj_rib_out',
  'is_loc_rib_filtered',
  'is_as2',
] as const;
/** The per-peer header's timestamp: different in nearly every message. */
const TIMESTAMP_FIELDS = ['bmp_timestamp'] as const;
/** The Loc-RIB table name (RFC 9069 §5.1), after the timestamp. */
const TABLE_FIELDS = ['table_name'] as const;
/** What kind of route: the same for every prefix of an UPDATE's block. */
const ROUTE_KIND_FIELDS = ['action', 'afi', 'safi', 'family'] as const;
/** Which route: different for every event. */
const NLRI_FIELDS = ['prefix', 'path_id', 'rd', 'labels', 'raw_nlri'] as const;
/** decoded_without_peer_up, then the fields that are null on all but a few families' routes. */
const REST_FIELDS = [
  'decoded_without_peer_up',
  'evpn',
  'vpls',
  'mvpn',
  'rt_constraint',
  'flowspec',
  'path_status',
  'path_reason',
  'bgp_ls',
  'sr_policy',
  'bgp_ls_attribute',
  'prefix_sid',
  'tunnel_encapsulation',
] as const;

/** The field order the encoder is written for. */
export const ROUTE_MONITORING_FIELD_ORDER: readonly string[] = [
  ...ROUTER_FIELDS,
  ...SEQUENCE_FIELDS,
  ...PEER_FIELDS,
  ...TIMESTAMP_FIELDS,
  ...TABLE_FIELDS,
  ...ROUTE_KIND_FIELDS,
  ...NLRI_FIELDS,
  ...ATTRIBUTE_FIELDS,
  ...REST_FIELDS,
];

interface RecordField {
  name: string;
  type: Type;
}

/** The fields of an avsc record type (avsc's RecordType#fields, absent from its Type typings). */
function recordFields(record: Type): RecordField[] {
  return (record as unknown as { fields: RecordField[] }).fields;
}

/** A record type of some consecutive fields of `full`: its encoding is those fields' octets. */
function runType(full: Type, names: readonly string[], label: string): Type {
  const fields = recordFields(full).filter((f) => names.includes(f.name));
  // Field types are the full schema's Type instances (named types stay defined once).
  return avro.Type.forSchema({ type: 'record', name: `RouteMonitoring${label}`, fields: fields.map((f) => ({ name: f.name, type: f.type })) } as never, {
    wrapUnions: false,
  });
}

/** The path attribute values a cached encoding was made from (arrays copied). */
type AttributeSnapshot = Omit<AttributeValues, 'as_path'> & { asns: number[]; segments: AsPathHop['segment'][] };

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameAsPath(path: readonly AsPathHop[], asns: readonly number[], segments: readonly string[]): boolean {
  const n = path.length;
  if (n !== asns.length) return false;
  for (let i = 0; i < n; i++) {
    const hop = path[i];
    if (hop.asn !== asns[i] || hop.segment !== segments[i]) return false;
  }
  return true;
}

function sameAttributes(e: RouteEvent, s: AttributeSnapshot): boolean {
  return (
    e.origin === s.origin &&
    e.next_hop === s.next_hop &&
    e.med === s.med &&
    e.local_pref === s.local_pref &&
    e.atomic_aggregate === s.atomic_aggregate &&
    e.aggregator_as === s.aggregator_as &&
    e.aggregator_address === s.aggregator_address &&
    e.originator_id === s.originator_id &&
    e.aigp === s.aigp &&
    e.otc === s.otc &&
    sameAsPath(e.as_path, s.asns, s.segments) &&
    sameStrings(e.communities, s.communities) &&
    sameStrings(e.large_communities, s.large_communities) &&
    sameStrings(e.extended_communities, s.extended_communities) &&
    sameStrings(e.cluster_list, s.cluster_list) &&
    sameStrings(e.unknown_attributes, s.unknown_attributes)
  );
}

/** What a snapshot holds for an empty list: one shared array, never written to. */
const NONE: readonly never[] = Object.freeze([]);

/** A copy of `list` to compare later events with (the event's own array may change in place). */
function copyOf<T>(list: readonly T[]): T[] {
  // Frozen: a write to it would throw (ES modules are strict), never corrupt another snapshot.
  return list.length === 0 ? (NONE as unknown as T[]) : list.slice();
}

function attributeSnapshot(e: RouteEvent): AttributeSnapshot {
  const path = e.as_path;
  const n = path.length;
  const asns = new Array<number>(n);
  const segments = new Array<AsPathHop['segment']>(n);
  for (let i = 0; i < n; i++) {
    asns[i] = path[i].asn;
    segments[i] = path[i].segment;
  }
  return {
    origin: e.origin,
    asns,
    segments,
    next_hop: e.next_hop,
    med: e.med,
    local_pref: e.local_pref,
    atomic_aggregate: e.atomic_aggregate,
    aggregator_as: e.aggregator_as,
    aggregator_address: e.aggregator_address,
    communities: copyOf(e.communities),
    large_communities: copyOf(e.large_communities),
    extended_communities: copyOf(e.extended_communities),
    originator_id: e.originator_id,
    cluster_list: copyOf(e.cluster_list),
    aigp: e.aigp,
    otc: e.otc,
    unknown_attributes: copyOf(e.unknown_attributes),
  };
}

/** The peer header values a cached encoding was made from. */
type PeerSnapshot = Pick<RouteEvent, (typeof PEER_FIELDS)[number]>;

function samePeer(e: RouteEvent, s: PeerSnapshot): boolean {
  return (
    e.peer_address === s.peer_address &&
    e.is_post_policy === s.is_post_policy &&
    e.peer_type === s.peer_type &&
    e.peer_type_code === s.peer_type_code &&
    e.peer_distinguisher === s.peer_distinguisher &&
    e.peer_as === s.peer_as &&
    e.peer_bgp_id === s.peer_bgp_id &&
    e.is_adj_rib_out === s.is_adj_rib_out &&
    e.is_loc_rib_filtered === s.is_loc_rib_filtered &&
    e.is_as2 === s.is_as2
  );
}

function peerSnapshot(e: RouteEvent): PeerSnapshot {
  return {
    peer_type: e.peer_type,
    peer_type_code: e.peer_type_code,
    peer_distinguisher: e.peer_distinguisher,
    peer_address: e.peer_address,
    peer_as: e.peer_as,
    peer_bgp_id: e.peer_bgp_id,
    is_post_policy: e.is_post_policy,
    is_adj_rib_out: e.is_adj_rib_out,
    is_loc_rib_filtered: e.is_loc_rib_filtered,
    is_as2: e.is_as2,
  };
}

/**
 * `event` with the values of what it has on the wire (PREFIX_ON_THE_WIRE, AS_PATH_ON_THE_WIRE,
 * COMMUNITIES_ON_THE_WIRE, LARGE_COMMUNITIES_ON_THE_WIRE): the text of the IPv4 prefix whose length
 * octet is at `prefixAt` of the scanned UPDATE's octets, its AS_PATH's hops, its COMMUNITIES' and
 * LARGE_COMMUNITY's texts. Throws when the octets are
 * missing: such an event is only ever given with them (encodeBorrowed's `wire` and `prefixAt`).
 */
function withTexts(event: RouteEvent, wire: WireAttributes | null, prefixAt: number): RouteEvent {
  let out = withWireAttributes(event, wire);
  if (out.prefix === PREFIX_ON_THE_WIRE) {
    if (wire === null || prefixAt < 0) throw new Error('a route event whose prefix is on the wire came without the octets it is in');
    const octets = wire.octets;
    out = { ...out, prefix: ipv4PrefixText(octets, prefixAt + 1, octets[prefixAt]) };
  }
  return out;
}

/**
 * `event` with its AS path's hops and its COMMUNITIES' and LARGE_COMMUNITY's texts where they are
 * AS_PATH_ON_THE_WIRE, COMMUNITIES_ON_THE_WIRE and LARGE_COMMUNITIES_ON_THE_WIRE: the values the
 * decoder would have made (asPathHops, communityTexts, decodeLargeCommunities).
 */
function withWireAttributes(event: RouteEvent, wire: WireAttributes | null): RouteEvent {
  let out = event;
  if (out.communities === COMMUNITIES_ON_THE_WIRE) {
    if (wire === null || wire.communitiesAt < 0) throw new Error('a route event whose communities are on the wire came without the octets they are in');
    out = { ...out, communities: communityTexts(decodeCommunities(wire.octets, wire.communitiesAt, wire.communitiesEnd)) };
  }
  if (out.large_communities === LARGE_COMMUNITIES_ON_THE_WIRE) {
    if (wire === null || wire.largeCommunitiesAt < 0) throw new Error('a route event whose large communities are on the wire came without the octets they are in');
    out = { ...out, large_communities: decodeLargeCommunities(wire.octets, wire.largeCommunitiesAt, wire.largeCommunitiesEnd) };
  }
  if (out.as_path === AS_PATH_ON_THE_WIRE) {
    if (wire === null || wire.asPathAt < 0) throw new Error('a route event whose AS path is on the wire came without the octets it is in');
    out = { ...out, as_path: asPathHops(decodeAsPath(wire.octets, wire.asPathAt, wire.asPathEnd, wire.asPathAsSize === 2 ? 2 : 4)) };
  }
  return out;
}

/**
 * A route writeNlri writes directly (given a prefix text under 64 octets, which a placeholder is):
 * no RD, no labels, no raw NLRI, a path id that is a long. The same test decides whether a
 * deferred prefix is written from the octets (RouteMonitoringEncoder#writable).
 */
function plainRoute(e: RouteEvent): boolean {
  const pathId = e.path_id;
  return e.rd === null && e.raw_nlri === null && e.labels.length === 0 && (pathId === null || (Number.isSafeInteger(pathId) && pathId >= 0));
}

/** Every field after the path attributes is null (decoded_without_peer_up aside): the usual case. */
function restIsNull(e: RouteEvent): boolean {
  return (
    e.evpn === null &&
    e.vpls === null &&
    e.mvpn === null &&
    e.rt_constraint === null &&
    e.flowspec === null &&
    e.path_status === null &&
    e.path_reason === null &&
    e.bgp_ls === null &&
    e.sr_policy === null &&
    e.bgp_ls_attribute === null &&
    e.prefix_sid === null &&
    e.tunnel_encapsulation === null
  );
}

interface Parts {
  reusesParts: boolean;
  /** Whether the direct NLRI writing was compared with avsc's yet. */
  nlriChecked: boolean;
  /** Whether IPv4 prefixes written from the wire gave the texts of samples (checked with the NLRI writing). */
  wirePrefixes: boolean;
  routerType: Type;
  peerType: Type;
  timestampType: Type;
  tableType: Type;
  kindType: Type;
  nlriType: Type;
  attributeType: Type;
  restType: Type;
  nullRest: [Buffer, Buffer];
  /**
   * The attribute fields written directly (attribute-writer.ts), when they agree with avsc on
   * sample values (checked once per process); null: avsc writes them. Each encoder writes with
   * its own copy (`another()`): a writer's octets are a view of its buffer.
   */
  attributeWriter: AttributeWriter | null;
}

/** Attribute values the direct writer must write as avsc does before it is used. */
const ATTRIBUTE_SAMPLES: AttributeValues[] = [
  {
    origin: null,
    as_path: [],
    next_hop: null,
    med: null,
    local_pref: null,
    atomic_aggregate: false,
    aggregator_as: null,
    aggregator_address: null,
    communities: [],
    large_communities: [],
    extended_communities: [],
    originator_id: null,
    cluster_list: [],
    aigp: null,
    otc: null,
    unknown_attributes: [],
  },
  {
    origin: 'incomplete',
    as_path: [
      { asn: 4294967295, segment: 'sequence' },
      { asn: 0, segment: 'set' },
      { asn: 64512, segment: 'confed_sequence' },
      { asn: 65001, segment: 'confed_set' },
    ],
    next_hop: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
    med: 4294967295,
    local_pref: 0,
    atomic_aggregate: true,
    aggregator_as: 2 ** 40,
    aggregator_address: '192.0.2.1',
    communities: ['65535:65535', '0:0', 'no-export'],
    large_communities: ['4294967295:4294967295:4294967295'],
    extended_communities: ['rt:65000:100', 'é'.repeat(40), 'x'.repeat(70), 'y'.repeat(9000)],
    originator_id: '198.51.100.7',
    cluster_list: ['192.0.2.2', '192.0.2.3'],
    aigp: -(2 ** 52),
    otc: 64,
    unknown_attributes: ['99:c0:00ff'],
  },
];

/** The run types, made once per process (every session's encoder uses them). */
let sharedParts: Parts | null = null;

function makeParts(): Parts {
  const full = typeFor('route_monitoring');
  const names = recordFields(full).map((f) => f.name);
  const restType = runType(full, REST_FIELDS, 'RestFields');
  const nullRest = (guessed: boolean): Buffer =>
    restType.toBuffer(Object.fromEntries(REST_FIELDS.map((n) => [n, n === 'decoded_without_peer_up' ? guessed : null])));
  return {
    nlriChecked: false,
    wirePrefixes: false,
    reusesParts: names.length === ROUTE_MONITORING_FIELD_ORDER.length && names.every((n, i) => n === ROUTE_MONITORING_FIELD_ORDER[i]),
    routerType: runType(full, ROUTER_FIELDS, 'RouterFields'),
    peerType: runType(full, PEER_FIELDS, 'PeerFields'),
    timestampType: runType(full, TIMESTAMP_FIELDS, 'TimestampFields'),
    tableType: runType(full, TABLE_FIELDS, 'TableFields'),
    kindType: runType(full, ROUTE_KIND_FIELDS, 'RouteKindFields'),
    nlriType: runType(full, NLRI_FIELDS, 'NlriFields'),
    attributeType: runType(full, ATTRIBUTE_FIELDS, 'AttributeFields'),
    restType,
    nullRest: [nullRest(false), nullRest(true)],
    attributeWriter: agreeingAttributeWriter(full, runType(full, ATTRIBUTE_FIELDS, 'AttributeFields')),
  };
}

/**
 * Communities, as 32-bit values and as the texts the event model has for them, for checking the
 * writing from the wire: the extremes of each part's width.
 */
const WIRE_COMMUNITY_SAMPLES: ReadonlyArray<readonly [number, string]> = [
  [0, '0:0'],
  [0xffffffff, '65535:65535'],
  [65000 * 0x10000 + 100, '65000:100'],
  [9 * 0x10000 + 10, '9:10'],
];
const WIRE_LARGE_SAMPLES: ReadonlyArray<readonly [number, number, number, string]> = [
  [0, 0, 0, '0:0:0'],
  [0xffffffff, 0xffffffff, 0xffffffff, '4294967295:4294967295:4294967295'],
  [1, 22, 333, '1:22:333'],
  [999999999, 1000000000, 9, '999999999:1000000000:9'],
];

/** AS_PATH octets (RFC 4271 §4.3) of `segments`. */
function asPathOctets(segments: readonly AsPathSegment[], asSize: 2 | 4): Buffer {
  const w = new ByteWriter();
  encodeAsPath(w, segments, asSize);
  return w.toBuffer();
}

/** Attribute values and the wire octets of their AS paths and communities, to check the writing from the wire. */
function wireSamples(): Array<[AttributeValues, WireAttributes]> {
  const communities = Buffer.alloc(4 * WIRE_COMMUNITY_SAMPLES.length);
  WIRE_COMMUNITY_SAMPLES.forEach(([v], i) => communities.writeUInt32BE(v, 4 * i));
  const large = Buffer.alloc(12 * WIRE_LARGE_SAMPLES.length);
  WIRE_LARGE_SAMPLES.forEach(([a, b, c], i) => {
    large.writeUInt32BE(a, 12 * i);
    large.writeUInt32BE(b, 12 * i + 4);
    large.writeUInt32BE(c, 12 * i + 8);
  });
  const base = ATTRIBUTE_SAMPLES[1];
  // A segment of each type with 4-octet ASNs, then a path of 2-octet ones.
  const path4Segments: AsPathSegment[] = [
    { type: 'sequence', asns: [4294967295, 7] },
    { type: 'set', asns: [0] },
    { type: 'confed_sequence', asns: [64512] },
    { type: 'confed_set', asns: [65001, 65002] },
  ];
  const path2Segments: AsPathSegment[] = [
    { type: 'sequence', asns: [65535, 1] },
    { type: 'set', asns: [0, 300] },
  ];
  const path4 = asPathOctets(path4Segments, 4);
  const path2 = asPathOctets(path2Segments, 2);
  const octets = Buffer.concat([Buffer.from([0xff]), communities, large, path4, path2]);
  const largeAt = 1 + communities.length;
  const path4At = largeAt + large.length;
  const path2At = path4At + path4.length;
  const none = { communitiesAt: -1, communitiesEnd: -1, largeCommunitiesAt: -1, largeCommunitiesEnd: -1 };
  return [
    [
      {
        ...base,
        as_path: asPathHops(path4Segments),
        communities: WIRE_COMMUNITY_SAMPLES.map(([, t]) => t),
        large_communities: WIRE_LARGE_SAMPLES.map(([, , , t]) => t),
      },
      { octets, serial: 0, asPathAt: path4At, asPathEnd: path2At, asPathAsSize: 4, communitiesAt: 1, communitiesEnd: largeAt, largeCommunitiesAt: largeAt, largeCommunitiesEnd: path4At },
    ],
    [{ ...base, as_path: [], communities: [], large_communities: [] }, { octets, serial: 0, asPathAt: -1, asPathEnd: -1, asPathAsSize: 4, ...none }],
    [{ ...base, as_path: asPathHops(path2Segments), communities: [], large_communities: [] }, { octets, serial: 0, asPathAt: path2At, asPathEnd: octets.length, asPathAsSize: 2, ...none }],
  ];
}

/** An AttributeWriter for the schema's enums, if it writes the samples as avsc does (from values and from the wire). */
function agreeingAttributeWriter(full: Type, attributeType: Type): AttributeWriter | null {
  const field = (name: string): Type | undefined => recordFields(full).find((f) => f.name === name)?.type;
  // origin: ["null", Origin]; as_path: array of AsPathHop {asn, segment: AsPathSegmentType}.
  const originType = (field('origin') as unknown as { types?: Type[] } | undefined)?.types?.[1];
  const hopType = (field('as_path') as unknown as { itemsType?: Type } | undefined)?.itemsType;
  const segmentType = hopType ? recordFields(hopType).find((f) => f.name === 'segment')?.type : undefined;
  if (originType === undefined || segmentType === undefined) return null;
  const writer = new AttributeWriter(originType, segmentType);
  try {
    const agrees =
      ATTRIBUTE_SAMPLES.every((sample) => writer.write(sample).equals(attributeType.toBuffer(sample))) &&
      wireSamples().every(([sample, wire]) => writer.write(sample, wire).equals(attributeType.toBuffer(sample)));
    return agrees ? writer : null;
  } catch {
    return null;
  }
}

/** `bytes` into `target` at `at`: their end, or -1 when they do not fit (encodeAt). */
function copyInto(bytes: Buffer, target: Buffer, at: number): number {
  if (at + bytes.length > target.length) return -1;
  target.set(bytes, at);
  return at + bytes.length;
}

/** Thrown internally when the scratch buffer is too small; the record is then encoded again. */
const NO_ROOM = Symbol('no room');

/**
 * Encodes route_monitoring records for one stream of events (a router session: its successive
 * events share the most). Not shared between sessions: the cache is the last event's values.
 */
export class RouteMonitoringEncoder {
  private reuse: boolean;
  private scratch: Buffer = Buffer.allocUnsafe(16 * 1024);
  /** Where a changed run is encoded before it is copied out (scratch holds the record meanwhile). */
  private partScratch = Buffer.allocUnsafe(16 * 1024);
  private readonly routerType: Type;
  private readonly peerType: Type;
  private readonly timestampType: Type;
  private readonly tableType: Type;
  private readonly kindType: Type;
  private readonly nlriType: Type;
  private readonly attributeType: Type;
  private readonly attributeWriter: AttributeWriter | null;
  private readonly restType: Type;
  /** IPv4 prefixes are written from the wire when the caller says where (Parts.wirePrefixes). */
  private readonly wirePrefixes: boolean;
  private routerAddress: string | null = null;
  private routerBytes: Buffer = Buffer.alloc(0);
  private kind: Pick<RouteEvent, (typeof ROUTE_KIND_FIELDS)[number]> | null = null;
  private kindBytes: Buffer = Buffer.alloc(0);
  private peer: PeerSnapshot | null = null;
  private peerBytes: Buffer = Buffer.alloc(0);
  /** The table name the cached octets are of (undefined: none cached). */
  private tableName: string | null | undefined = undefined;
  private tableBytes: Buffer = Buffer.alloc(0);
  /**
   * tableBytes then kindBytes, adjacent in the record: one copy per record rather than two
   * (a TypedArray#set is ~240 instructions however short, bench:worker); null when either changed.
   */
  private tableKindBytes: Buffer | null = null;
  private attributes: AttributeSnapshot | null = null;
  /**
   * Instead of `attributes`: the serial of the UPDATE (and the next hop) the cached octets were
   * written from, when the caller vouched that the event's attributes are that UPDATE's
   * (encodeBorrowed); -1: none. A number, so that an idle session's encoder holds no octets of
   * its last message.
   */
  private wireSerial = -1;
  private wireNextHop: string | null = null;
  /**
   * Octets of `attributes`: a view of attributeWriter's buffer, which is written again only
   * when they change, or avsc's (a failed write may have overwritten the view: forget() then
   * drops `attributes`, so it is not used).
   */
  private attributeBytes: Buffer = Buffer.alloc(0);
  /**
   * When attributeBytes are the attribute writer's: the length of the fields, which the null rest
   * of a route decoded with its Peer Up (nullRest[0]) follows there, so that the usual record
   * takes both in one copy (each copy is ~240 instructions however short, bench:worker). -1 when
   * attributeBytes are avsc's, without the rest.
   */
  private attributeFieldsLength = -1;
  /** The rest's octets when every field of it is null: decoded_without_peer_up false, true. */
  private readonly nullRest: [Buffer, Buffer];

  constructor() {
    const parts = (sharedParts ??= makeParts());
    this.reuse = parts.reusesParts;
    this.routerType = parts.routerType;
    this.peerType = parts.peerType;
    this.timestampType = parts.timestampType;
    this.tableType = parts.tableType;
    this.kindType = parts.kindType;
    this.nlriType = parts.nlriType;
    this.attributeType = parts.attributeType;
    this.attributeWriter = parts.attributeWriter?.another() ?? null;
    this.restType = parts.restType;
    this.nullRest = parts.nullRest;
    if (parts.reusesParts && !parts.nlriChecked) {
      parts.nlriChecked = true;
      parts.reusesParts = this.nlriWritingAgrees();
      this.reuse = parts.reusesParts;
      parts.wirePrefixes = parts.reusesParts && this.wirePrefixWritingAgrees();
    }
    this.wirePrefixes = parts.wirePrefixes;
  }

  /**
   * False when the schema's fields are not the ones this encoder knows, or the direct NLRI
   * writing disagrees with avsc: every record then goes to encodeRecord.
   */
  get reusesParts(): boolean {
    return this.reuse;
  }

  /** Whether IPv4 prefixes are written from the wire when the caller says where (else from their texts). */
  get writesPrefixesFromWire(): boolean {
    return this.reuse && this.wirePrefixes;
  }

  /** Whether the path attributes are written by AttributeWriter (else by avsc). */
  get writesAttributesDirectly(): boolean {
    return this.reuse && this.attributeWriter !== null;
  }

  /**
   * IPv4 prefixes written from their wire octets give the event model's texts, as avsc writes them,
   * for samples of every octet count (run once per process).
   */
  private wirePrefixWritingAgrees(): boolean {
    const samples: Array<[number[], string]> = [
      [[0], '0.0.0.0/0'],
      [[8, 10], '10.0.0.0/8'],
      [[17, 192, 168, 128], '192.168.128.0/17'],
      [[20, 100, 64, 255], '100.64.255.0/20'],
      [[24, 255, 255, 255], '255.255.255.0/24'],
      [[32, 1, 22, 133, 4], '1.22.133.4/32'],
    ];
    return samples.every(([octets, prefix]) => {
      const e = { prefix, path_id: 7, afi: 1, rd: null, labels: [], raw_nlri: null } as unknown as RouteEvent;
      const end = this.writeNlri(e, 0, Buffer.from([0xff, ...octets]), 1);
      return this.scratch.subarray(0, end).equals(this.nlriType.toBuffer(e));
    });
  }

  /** Direct NLRI writing gives avsc's octets for sample routes (run once per process). */
  private nlriWritingAgrees(): boolean {
    const samples = [
      { prefix: '192.0.2.0/24', path_id: null },
      { prefix: '2001:db8:ffff:ffff:ffff:ffff:ffff:0/112', path_id: 4294967295 },
      { prefix: null, path_id: 0 },
      { prefix: 'é/8', path_id: 2 ** 40 },
    ];
    return samples.every((sample) => {
      const e = { ...sample, rd: null, labels: [], raw_nlri: null } as unknown as RouteEvent;
      const end = this.writeNlri(e, 0, null, -1);
      return this.scratch.subarray(0, end).equals(this.nlriType.toBuffer(e));
    });
  }

  /** The record in the Confluent wire format with `schemaId`; throws InvalidRecordError as encodeRecord does. */
  encode(schemaId: number, event: RouteEvent): Buffer {
    return Buffer.from(this.encodeBorrowed(schemaId, event));
  }

  /**
   * As encode, but the octets may be a view of this encoder's scratch buffer, valid only until
   * its next call: for a caller that copies them at once (a session's records are packed into
   * one buffer), without a buffer and a copy per record.
   *
   * `wire`, when given, vouches that the event's path attributes are those decoded from that
   * scanned UPDATE (as the session decoder lends it: BmpSessionDecoder#attributeSource), with the
   * event's own next hop: the AS path and the communities are then written from its octets
   * rather than from the values, and the attributes' octets are reused, without comparing values, for every event of
   * the same UPDATE and next hop. `prefixAt`, with `wire`, vouches that the event's prefix is the
   * one whose length octet is there in wire.octets (BmpSessionDecoder#prefixSource): an IPv4
   * prefix is then written from its octets, not read back from its text (-1: from the text). An
   * event with PREFIX_ON_THE_WIRE, AS_PATH_ON_THE_WIRE, COMMUNITIES_ON_THE_WIRE or
   * LARGE_COMMUNITIES_ON_THE_WIRE (deferredPrefixTexts) must come with both.
   */
  encodeBorrowed(schemaId: number, event: RouteEvent, wire: WireAttributes | null = null, prefixAt = -1): Buffer {
    event = this.writable(event, wire, prefixAt);
    if (!this.reuse) return encodeRecord('route_monitoring', schemaId, event);
    checkSchemaId(schemaId);
    let end: number;
    try {
      for (;;) {
        try {
          end = this.encodeBody(event, wire, prefixAt, 0);
          break;
        } catch (err) {
          if (err !== NO_ROOM) throw err;
          this.scratch = Buffer.allocUnsafe(this.scratch.length * 2);
        }
      }
    } catch {
      // Not a valid record: encodeRecord names the fields at fault.
      this.forget();
      return encodeRecord('route_monitoring', schemaId, withTexts(event, wire, prefixAt));
    }
    const out = this.scratch;
    out[0] = WIRE_MAGIC;
    putU32(out, 1, schemaId);
    return out.subarray(0, end);
  }

  /**
   * As encodeBorrowed, but writes the record into `target` from `at`, for a caller that packs
   * records into a buffer of its own (ingest's RecordPacker): no view and no copy per record.
   * Returns the record's end, or -1 when it does not fit in `target` (what was written past `at`
   * is then to be ignored: the caller makes room and calls again with the same arguments).
   * Throws InvalidRecordError as encodeRecord does.
   */
  encodeAt(schemaId: number, event: RouteEvent, wire: WireAttributes | null, prefixAt: number, target: Buffer, at: number): number {
    event = this.writable(event, wire, prefixAt);
    if (!this.reuse) return copyInto(encodeRecord('route_monitoring', schemaId, event), target, at);
    checkSchemaId(schemaId);
    // The run writers write into `scratch`: here, the caller's buffer.
    const own = this.scratch;
    this.scratch = target;
    let end: number;
    try {
      end = this.encodeBody(event, wire, prefixAt, at);
    } catch (err) {
      if (err === NO_ROOM) return -1;
      // Not a valid record: encodeRecord names the fields at fault.
      this.forget();
      return copyInto(encodeRecord('route_monitoring', schemaId, withTexts(event, wire, prefixAt)), target, at);
    } finally {
      this.scratch = own;
    }
    target[at] = WIRE_MAGIC;
    putU32(target, at + 1, schemaId);
    return end;
  }

  /**
   * `event`, or, when it has its prefix, AS path or communities on the wire (a session decoder's
   * deferredPrefixTexts) and this encoder would not write them from the octets (the direct
   * writing off; for the prefix, not a plain IPv4 route), a copy with their texts: avsc writes
   * the values it is given. (Attributes the attribute writer leaves to avsc get theirs in
   * attributeOctets.)
   */
  private writable(event: RouteEvent, wire: WireAttributes | null, prefixAt: number): RouteEvent {
    const prefixOnWire = event.prefix === PREFIX_ON_THE_WIRE;
    const attributesOnWire =
      event.communities === COMMUNITIES_ON_THE_WIRE || event.large_communities === LARGE_COMMUNITIES_ON_THE_WIRE || event.as_path === AS_PATH_ON_THE_WIRE;
    if (!prefixOnWire && !attributesOnWire) return event;
    const prefixFromWire = !prefixOnWire || (this.reuse && this.wirePrefixes && wire !== null && prefixAt >= 0 && event.afi === 1 && plainRoute(event));
    const attributesFromWire = !attributesOnWire || (this.reuse && this.attributeWriter !== null && wire !== null);
    return prefixFromWire && attributesFromWire ? event : withTexts(event, wire, prefixAt);
  }

  /** Writes the Avro body after the wire header at `base` of scratch; returns its end. */
  private encodeBody(e: RouteEvent, wire: WireAttributes | null, prefixAt: number, base: number): number {
    let pos = base + WIRE_HEADER_LENGTH;
    if (e.router_address !== this.routerAddress) {
      this.routerBytes = this.encodeCopy(this.routerType, e);
      this.routerAddress = e.router_address;
    }
    pos = this.put(this.routerBytes, pos);
    pos = this.writeLong(e.sequence, pos);
    if (this.peer === null || !samePeer(e, this.peer)) {
      this.peerBytes = this.encodeCopy(this.peerType, e);
      this.peer = peerSnapshot(e);
    }
    pos = this.put(this.peerBytes, pos);
    pos = this.writeTimestamp(e, pos);
    if (e.table_name !== this.tableName) {
      this.tableBytes = this.encodeCopy(this.tableType, e);
      this.tableName = e.table_name;
      this.tableKindBytes = null;
    }
    const kind = this.kind;
    if (kind === null || e.action !== kind.action || e.afi !== kind.afi || e.safi !== kind.safi || e.family !== kind.family) {
      this.kindBytes = this.encodeCopy(this.kindType, e);
      this.tableKindBytes = null;
      this.kind = { action: e.action, afi: e.afi, safi: e.safi, family: e.family };
    }
    pos = this.put((this.tableKindBytes ??= Buffer.concat([this.tableBytes, this.kindBytes])), pos);
    pos = this.writeNlri(e, pos, wire !== null && this.wirePrefixes ? wire.octets : null, prefixAt);
    if (wire !== null && this.attributeWriter !== null) {
      // Vouched for by the caller: the same UPDATE (and block's next hop) means the same values.
      if (wire.serial !== this.wireSerial || e.next_hop !== this.wireNextHop) {
        this.wireSerial = -1;
        this.attributes = null;
        this.attributeBytes = this.attributeOctets(e, wire);
        this.wireSerial = wire.serial;
        this.wireNextHop = e.next_hop;
      }
    } else if (this.attributes === null || !sameAttributes(e, this.attributes)) {
      this.wireSerial = -1;
      this.attributeBytes = this.attributeOctets(e, null);
      this.attributes = attributeSnapshot(e);
    }
    const fieldsLength = this.attributeFieldsLength;
    if (fieldsLength >= 0 && e.decoded_without_peer_up === false && restIsNull(e)) return this.put(this.attributeBytes, pos);
    pos = this.put(fieldsLength >= 0 ? this.attributeBytes.subarray(0, fieldsLength) : this.attributeBytes, pos);
    if (restIsNull(e)) {
      if (typeof e.decoded_without_peer_up !== 'boolean') throw new TypeError('decoded_without_peer_up is not a boolean');
      pos = this.put(this.nullRest[e.decoded_without_peer_up ? 1 : 0], pos);
    } else {
      pos = this.encodeInto(this.restType, e, pos);
    }
    return pos;
  }

  private forget(): void {
    this.routerAddress = null;
    this.tableName = undefined;
    this.kind = null;
    this.peer = null;
    this.attributes = null;
    this.wireSerial = -1;
  }

  /**
   * prefix, path_id, rd, labels, raw_nlri. A plain IP route (prefix text under 64 octets, no RD,
   * labels or raw NLRI) is written directly: union branch index (0 null, 1 the value), the
   * string's length and UTF-8 octets, the path id as a long, an empty array (block count 0).
   */
  /** `octets`, `prefixAt`: where the event's IPv4 prefix lies on the wire, to write it from there (null, -1: from its text). */
  private writeNlri(e: RouteEvent, pos: number, octets: Buffer | null, prefixAt: number): number {
    const prefix = e.prefix;
    const pathId = e.path_id;
    if (!plainRoute(e) || (prefix !== null && (typeof prefix !== 'string' || prefix.length >= 64))) {
      return this.encodeInto(this.nlriType, e, pos);
    }
    // Room for the longest case: 1 + 1 + 63 * 3 (prefix) + 1 + 10 (path id) + 3.
    if (pos + 205 > this.scratch.length) throw NO_ROOM;
    const buf = this.scratch;
    if (prefix === null) {
      buf[pos++] = 0;
    } else if (octets !== null && prefixAt >= 0 && e.afi === 1) {
      // Vouched for by the caller: the IPv4 prefix whose octets are at prefixAt (at most 18 ASCII octets).
      buf[pos] = 2;
      const end = writeIPv4PrefixText(octets, prefixAt, buf, pos + 2);
      buf[pos + 1] = (end - pos - 2) * 2;
      pos = end;
    } else {
      buf[pos] = 2;
      const written = writeUtf8(buf, prefix, pos + 2);
      if (written >= 64) return this.encodeInto(this.nlriType, e, pos);
      buf[pos + 1] = written * 2;
      pos += 2 + written;
    }
    if (pathId === null) {
      buf[pos++] = 0;
    } else {
      buf[pos++] = 2;
      pos = this.writeLong(pathId, pos);
    }
    buf[pos++] = 0; // rd: null
    buf[pos++] = 0; // labels: no items
    buf[pos++] = 0; // raw_nlri: null
    return pos;
  }

  /** The attribute fields' octets: written directly, or by avsc for values the writer leaves to it. */
  private attributeOctets(e: RouteEvent, wire: WireAttributes | null): Buffer {
    if (this.attributeWriter !== null) {
      try {
        const suffix = this.nullRest[0];
        const octets = this.attributeWriter.write(e, wire, suffix);
        this.attributeFieldsLength = octets.length - suffix.length;
        return octets;
      } catch (err) {
        if (err !== AttributeFallback) throw err;
      }
    }
    this.attributeFieldsLength = -1;
    return this.encodeCopy(this.attributeType, withWireAttributes(e, wire));
  }

  /** The octets of `type`'s fields of `e`, as a buffer of their own (made only when the values change). */
  private encodeCopy(type: Type, e: RouteEvent): Buffer {
    let end = type.encode(e, this.partScratch, 0);
    while (end < 0) {
      this.partScratch = Buffer.allocUnsafe(Math.max(this.partScratch.length * 2, this.partScratch.length - end));
      end = type.encode(e, this.partScratch, 0);
    }
    return Buffer.from(this.partScratch.subarray(0, end));
  }

  private encodeInto(type: Type, e: RouteEvent, pos: number): number {
    const end = type.encode(e, this.scratch, pos);
    if (end < 0) throw NO_ROOM;
    return end;
  }

  private put(bytes: Buffer, pos: number): number {
    const end = pos + bytes.length;
    if (end > this.scratch.length) throw NO_ROOM;
    this.scratch.set(bytes, pos);
    return end;
  }

  /**
   * bmp_timestamp, a union of null and a long: branch index 0 (null) or 1 then the long. A value
   * writeLong is not for (negative, beyond 2^53, not a number) is left to avsc, which accepts or
   * refuses it as encodeRecord would.
   */
  private writeTimestamp(e: RouteEvent, pos: number): number {
    const t = e.bmp_timestamp;
    if (t === null) {
      if (pos + 1 > this.scratch.length) throw NO_ROOM;
      this.scratch[pos] = 0;
      return pos + 1;
    }
    if (!Number.isSafeInteger(t) || t < 0) return this.encodeInto(this.timestampType, e, pos);
    if (pos + 1 > this.scratch.length) throw NO_ROOM;
    this.scratch[pos] = 2;
    return this.writeLong(t, pos + 1);
  }

  /** An Avro long (zig-zag varint) of a non-negative integer below 2^53 (a sequence number, a timestamp). */
  private writeLong(n: number, pos: number): number {
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`not a non-negative integer: ${n}`);
    if (pos + 10 > this.scratch.length) throw NO_ROOM;
    return writeVarint(this.scratch, pos, n * 2);
  }
}
