/**
 * Turns the BMP messages of one router session into events, one logical topic per message type.
 *
 * The session's only state is what the codec needs to read the BGP inside: per monitored peer,
 * the options negotiated in its Peer Up OPENs (4-octet AS, ADD-PATH per AFI/SAFI and direction)
 * and its VRF/table name (docs/bmp-protocol.md §5.1, §5.3, §8.3). It is forgotten on Peer Down.
 * Without a Peer Up (the collector joined mid-session, or a Loc-RIB instance that never sends one)
 * the BGP codec's documented heuristics guess those options and the events say so.
 *
 * Hot path: an UPDATE's attributes are converted once and shared (same array objects) by all its
 * prefix events; each event is built by one function with a fixed field order, so V8 gives all
 * route events one hidden class. Nothing in here throws: every failure becomes an error event.
 *
 * Route Monitoring is read in three tiers, each giving exactly the events of the next (the unit
 * tests compare them on every capture): a v3 message whose UPDATE fills it, of a peer whose
 * options are known, is read in place (plainRouteMonitoring) — by scanUpdate straight into events
 * when it has the common shape (no Route objects, no attribute objects), else by
 * decodeUpdateWithKnownOptions; anything that does not decode cleanly that way falls back, having
 * emitted nothing, to the general path (decodeBmpMessage, the BGP heuristics), which also reports
 * the errors.
 */
import { CodecError } from '../codec/errors.js';
import {
  BMP_COMMON_HEADER_LENGTH,
  ROUTE_MONITORING_PDU_OFFSET,
  decodeBmpMessage,
  decodePerPeerHeader,
  isPlainRouteMonitoring,
  pathMarkingReasonName,
  pathStatusNames,
  V4_TLV_G_BIT,
  type BmpDecodeOptions,
  type BmpMessage,
  type BmpV4Tlv,
  type InformationTlv,
  type PeerDownMessage,
  type PeerUpMessage,
  type PerPeerHeader,
  type RoftMessage,
  type RouteMirroringMessage,
  type RouteMonitoringMessage,
  type StatisticsReportMessage,
} from '../codec/bmp/index.js';
import {
  capabilityName,
  decodeBgpMessage,
  decodeCapabilities,
  decodeBgpMessageHeuristic,
  decodeNotification,
  decodeOpen,
  decodeOptionsFromOpens,
  decodeUpdateWithKnownOptions,
  scanUpdate,
  BGP_HEADER_LENGTH,
  describeNotification,
  familyKey,
  formatCommunity,
  makeDecodeOptions,
  messageTypeName,
  type Attributes,
  type BgpDecodeOptions,
  type Capability,
  type OpenMessage,
  type Route,
  type MpNextHop,
  type PrefixBlock,
  type ScanConverters,
  type UpdateRoutes,
  type ScanPlaceholders,
  type UpdateScan,
} from '../codec/bgp/index.js';
import type { FramingError } from '../codec/framer.js';
import { familyName } from './families.js';
import { familyRoute, NO_FAMILY_FIELDS } from './family-fields.js';
import { bgpLsAttributeField, prefixSidField, tunnelEncapsulationField } from './traffic-engineering.js';
import type { FamilyFields } from './family-fields.js';
import type {
  AsPathHop,
  CapabilityField,
  ErrorEvent,
  EventByTopic,
  EventTopic,
  MessageTopic,
  OpenField,
  PeerFields,
  RouteAction,
  RouteEvent,
  TlvField,
} from './model.js';
import { AS_PATH_ON_THE_WIRE, COMMUNITIES_ON_THE_WIRE, LARGE_COMMUNITIES_ON_THE_WIRE, PREFIX_ON_THE_WIRE } from './model.js';
import { asPathHops, communityTexts } from './path-attribute-values.js';

/** Receives each event as it is made; called synchronously, in order. */
export type EventSink = <T extends EventTopic>(topic: T, event: EventByTopic[T]) => void;

export interface SessionDecoderOptions {
  /** The router's address, carried by every event. */
  routerAddress: string;
  /** BMP codec options (v4 TLV code points, ROFT message type). */
  bmp?: BmpDecodeOptions;
  /**
   * The sink borrows route events: the events of one block of plain prefixes are one object,
   * updated in place (sequence, prefix, path id) before each call, so the sink must not keep an
   * event past its call. Saves an object of some fifty fields per prefix, for a sink that encodes
   * each event at once (ingest). Off by default: other sinks keep events.
   */
  borrowedRouteEvents?: boolean;
  /**
   * With borrowedRouteEvents: a lent event of an announced IPv4 prefix read by the hot path has
   * PREFIX_ON_THE_WIRE as its `prefix`, and a lent announcement's `as_path`, `communities` and
   * `large_communities`, when its UPDATE has them, are AS_PATH_ON_THE_WIRE, COMMUNITIES_ON_THE_WIRE
   * and LARGE_COMMUNITIES_ON_THE_WIRE: the sink reads them from the octets (attributeSource's, the
   * prefix at prefixSource). Making the values only to throw them away was ~8% of ingest's decode
   * worker's instructions (bench:worker), the large communities' texts ~2% more. Off by default.
   */
  deferredPrefixTexts?: boolean;
}

/** What decoding one message produced, for callers that count (metrics, `--summary`). */
export interface MessageOutcome {
  /** Topic of the message type, or null for an error or an unknown message type. */
  topic: MessageTopic | null;
  /** Events emitted for it (route events for Route Monitoring; 1 otherwise). */
  events: number;
  /** True when the message became an error event (possibly besides other events). */
  error: boolean;
}

/** Negotiated decode options of one monitored peer, per RIB view. */
interface PeerContext {
  adjRibIn: BgpDecodeOptions;
  adjRibOut: BgpDecodeOptions;
  locRib: BgpDecodeOptions;
  /** Both OPENs carry capability 65 (RFC 6793 §4.1). */
  fourOctetAs: boolean;
  tableName: string | null;
  /** Loc-RIB only: families (familyKey) whose NLRI carry path ids, accumulated over Peer Ups. */
  locRibAddPath: ReadonlySet<number>;
}

const TWO_OCTET_NO_ADD_PATH = makeDecodeOptions(false);

/** Attribute fields shared by every announcement of one UPDATE. */
interface SharedAttributes {
  origin: RouteEvent['origin'];
  as_path: AsPathHop[];
  next_hop: string | null;
  med: number | null;
  local_pref: number | null;
  atomic_aggregate: boolean;
  aggregator_as: number | null;
  aggregator_address: string | null;
  communities: string[];
  large_communities: string[];
  extended_communities: string[];
  originator_id: string | null;
  cluster_list: string[];
  aigp: number | null;
  otc: number | null;
  unknown_attributes: string[];
  bgp_ls_attribute: RouteEvent['bgp_ls_attribute'];
  prefix_sid: RouteEvent['prefix_sid'];
  tunnel_encapsulation: RouteEvent['tunnel_encapsulation'];
  /** One of the three above is set (routeEvent then copies them; see setRareRouteFields). */
  hasTrafficEngineering: boolean;
}

const EMPTY: never[] = [];
Object.freeze(EMPTY);

/**
 * What a withdrawal carries: no path attributes (RFC 4271 §4.3). Not frozen (it is never handed
 * out, only read): a frozen object has a hidden class of its own, and routeEvent's reads of the
 * shared attributes would then see two.
 */
const NO_ATTRIBUTES: SharedAttributes = {
  origin: null,
  as_path: EMPTY,
  next_hop: null,
  med: null,
  local_pref: null,
  atomic_aggregate: false,
  aggregator_as: null,
  aggregator_address: null,
  communities: EMPTY,
  large_communities: EMPTY,
  extended_communities: EMPTY,
  originator_id: null,
  cluster_list: EMPTY,
  aigp: null,
  otc: null,
  unknown_attributes: EMPTY,
  bgp_ls_attribute: null,
  prefix_sid: null,
  tunnel_encapsulation: null,
  hasTrafficEngineering: false,
};

export class BmpSessionDecoder {
  private readonly routerAddress: string;
  private readonly bmpOptions: BmpDecodeOptions | undefined;
  private readonly borrowedRouteEvents: boolean;
  /** scanUpdate's placeholders with deferredPrefixTexts, else null. */
  private readonly placeholders: ScanPlaceholders<AsPathHop, string> | null;
  /** The route event being lent and the scanned UPDATE its path attributes are from (attributeSource). */
  private lentEvent: RouteEvent | null = null;
  private lentScan: UpdateScan<AsPathHop, string> | null = null;
  /** Where the lent event's prefix lies in lentScan's octets (prefixSource). */
  private lentPrefixAt = -1;
  private readonly peers = new Map<string, PeerContext>();
  private sequence = 0;
  /** peerKey's memo: the identity fields of the last peer seen and its key. */
  private lastKeyType = -1;
  private lastKeyDistinguisher = '';
  private lastKeyId = '';
  private lastKey = '';
  /**
   * plainRouteMonitoring's memo: octets 0-33 of the last per-peer header it saw (as in
   * per-peer-header.ts's memo), that header decoded (its timestamp is not used), and the decode
   * options and table name of its peer. Messages come in long runs of one peer; a message of the
   * same peer skips the header object and the context lookup. Cleared (lastPeer = null) whenever
   * the per-peer contexts change.
   */
  private readonly lastPeerOctets = new Uint8Array(PEER_IDENTITY_LENGTH);
  private lastPeer: PerPeerHeader | null = null;
  private lastPeerOptions: BgpDecodeOptions | null = null;
  private lastPeerTableName: string | null = null;

  constructor(options: SessionDecoderOptions) {
    this.routerAddress = options.routerAddress;
    this.bmpOptions = options.bmp;
    this.borrowedRouteEvents = options.borrowedRouteEvents ?? false;
    if (options.deferredPrefixTexts === true && !this.borrowedRouteEvents) throw new Error('deferredPrefixTexts needs borrowedRouteEvents');
    this.placeholders =
      options.deferredPrefixTexts === true
        ? { announcedIPv4Text: PREFIX_ON_THE_WIRE, asPath: AS_PATH_ON_THE_WIRE, communities: COMMUNITIES_ON_THE_WIRE, largeCommunities: LARGE_COMMUNITIES_ON_THE_WIRE }
        : null;
  }

  /**
   * The scanned UPDATE (update-scan.ts) whose path attributes the route event now in the sink's
   * hands was decoded from, unchanged: for a sink that writes them from the octets (ingest's Avro
   * writer). Only for a lent event (borrowedRouteEvents) of an UPDATE read by the hot path, and
   * only during its sink call; null otherwise.
   */
  attributeSource(event: RouteEvent): UpdateScan<AsPathHop, string> | null {
    return event === this.lentEvent ? this.lentScan : null;
  }

  /**
   * With attributeSource: where the lent event's prefix lies in the scanned UPDATE's octets (its
   * length octet, then the prefix octets, RFC 4271 §4.3), for a sink that writes its text from
   * them; -1 when attributeSource is null.
   */
  prefixSource(event: RouteEvent): number {
    return event === this.lentEvent ? this.lentPrefixAt : -1;
  }

  /** Sequence number the next event will get. */
  get nextSequence(): number {
    return this.sequence;
  }

  /**
   * Decodes one whole BMP message (as the framer yields it) found at `streamOffset` of the
   * session, emitting its events to `sink`. Never throws.
   */
  decode(bytes: Buffer, streamOffset: number, sink: EventSink): MessageOutcome {
    if (isPlainRouteMonitoring(bytes)) {
      const outcome = this.plainRouteMonitoring(bytes, streamOffset, sink);
      if (outcome !== null) return outcome;
    }
    let message: BmpMessage;
    try {
      message = decodeBmpMessage(bytes, this.bmpOptions);
    } catch (err) {
      this.emitError(sink, bytes, streamOffset, err, false);
      return { topic: null, events: 1, error: true };
    }
    try {
      return this.decodeMessage(message, bytes, streamOffset, sink);
    } catch (err) {
      // A failure in the BGP inside a message the BMP layer accepted.
      this.emitError(sink, bytes, streamOffset, err, false);
      return { topic: message.type === 'unknown' ? null : message.type, events: 1, error: true };
    }
  }

  /** Emits the dead-letter event of a framing error (the session cannot go on after it). */
  framingError(error: FramingError, pending: Buffer, sink: EventSink): void {
    const event: ErrorEvent = {
      router_address: this.routerAddress,
      sequence: this.sequence++,
      message_type: pending.length >= 6 ? pending[5] : null,
      stream_offset: error.offset,
      error_offset: null,
      reason: `framing lost (${error.code}): ${error.reason}`,
      fatal: error.code !== 'truncated',
      raw: pending,
    };
    sink('errors', event);
  }

  private decodeMessage(message: BmpMessage, bytes: Buffer, streamOffset: number, sink: EventSink): MessageOutcome {
    switch (message.type) {
      case 'route_monitoring':
        return { topic: 'route_monitoring', events: this.routeMonitoring(message, sink), error: false };
      case 'peer_up':
        this.peerUp(message, sink);
        return { topic: 'peer_up', events: 1, error: false };
      case 'peer_down':
        this.peerDown(message, sink);
        return { topic: 'peer_down', events: 1, error: false };
      case 'stats':
        this.stats(message, sink);
        return { topic: 'stats', events: 1, error: false };
      case 'initiation':
        sink('initiation', {
          router_address: this.routerAddress,
          sequence: this.sequence++,
          sys_name: message.sysName,
          sys_descr: message.sysDescr,
          strings: message.strings,
          tlvs: tlvFields(message.tlvs, INITIATION_TLV_NAMES),
        });
        return { topic: 'initiation', events: 1, error: false };
      case 'termination':
        sink('termination', {
          router_address: this.routerAddress,
          sequence: this.sequence++,
          reason_code: message.reason,
          reason: message.reasonName,
          strings: message.strings,
          tlvs: tlvFields(message.tlvs, TERMINATION_TLV_NAMES),
        });
        // RFC 7854 §4.5: the router closes the session after a Termination; nothing to keep.
        this.peers.clear();
        this.lastPeer = null;
        return { topic: 'termination', events: 1, error: false };
      case 'route_mirroring':
        this.routeMirroring(message, sink);
        return { topic: 'route_mirroring', events: 1, error: false };
      case 'roft':
        this.roft(message, sink);
        return { topic: 'roft', events: 1, error: false };
      case 'unknown':
        // RFC 7854 §4.1: unknown message types are skipped, but not silently: a dead letter
        // keeps the bytes for whoever learns to read them.
        sink('errors', {
          router_address: this.routerAddress,
          sequence: this.sequence++,
          message_type: message.messageType,
          stream_offset: streamOffset,
          error_offset: null,
          reason: `unknown BMP message type ${message.messageType} (skipped)`,
          fatal: false,
          raw: bytes,
        });
        return { topic: null, events: 1, error: true };
    }
  }

  // ---------------------------------------------------------------- per-peer context --

  private peerKey(peer: PerPeerHeader): string {
    // RFC 9069 §6.1.1 identifies a Loc-RIB instance by its distinguisher and BGP ID; other peers
    // by type, distinguisher and address (RFC 7854 §4.2).
    const type = peer.peerType;
    const distinguisher = peer.peerDistinguisher;
    const id = type === 3 ? peer.peerBgpId : peer.peerAddress;
    // Messages come in long runs of one peer: reuse the last key rather than building the same
    // string (and hashing it afresh in the Map lookup) for every message. The header texts come
    // from the per-peer header's memo, so the comparisons are usually of identical strings.
    if (type === this.lastKeyType && distinguisher === this.lastKeyDistinguisher && id === this.lastKeyId) return this.lastKey;
    const key = `${type}|${distinguisher}|${id}`;
    this.lastKeyType = type;
    this.lastKeyDistinguisher = distinguisher;
    this.lastKeyId = id;
    this.lastKey = key;
    return key;
  }

  /**
   * Decode options for a message of `peer`, or null when no Peer Up was seen for it. The A flag
   * describes the message held (RFC 7854 §4.2; notes §5.1): set means 2-octet ASNs. Clear, with
   * OPENs that did not both carry capability 65, is read as 2-octet too: FRR sends 2-octet paths
   * with A clear (docs/real-senders.md). The BGP codec re-checks the width against the bytes and
   * falls back to its heuristics when the AS_PATH does not parse, so a sender that re-encodes to
   * 4 octets is still read right.
   */
  private optionsFor(peer: PerPeerHeader, context: PeerContext | undefined): BgpDecodeOptions | null {
    if (peer.peerType === 3) return context ? context.locRib : null;
    if (!context) return peer.twoOctetAs ? TWO_OCTET_NO_ADD_PATH : null;
    const options = peer.adjRibOut ? context.adjRibOut : context.adjRibIn;
    if (peer.twoOctetAs && options.fourOctetAs) return { fourOctetAs: false, addPath: options.addPath };
    return options;
  }

  private peerFields(peer: PerPeerHeader, tableName: string | null): PeerFields {
    return {
      router_address: this.routerAddress,
      sequence: 0,
      peer_type: peer.peerTypeName,
      peer_type_code: peer.peerType,
      peer_distinguisher: peer.peerDistinguisher,
      peer_address: peer.peerAddress,
      peer_as: peer.peerAs,
      peer_bgp_id: peer.peerBgpId,
      is_post_policy: peer.postPolicy,
      is_adj_rib_out: peer.adjRibOut,
      is_loc_rib_filtered: peer.filtered,
      is_as2: peer.twoOctetAs,
      bmp_timestamp: peer.timestamp === 0 ? null : peer.timestamp,
      table_name: tableName,
    };
  }

  // ------------------------------------------------------------------ route monitoring --

  /**
   * The hot path: a v3 Route Monitoring message whose UPDATE fills it (isPlainRouteMonitoring), of
   * a peer whose options are known, decoded in place — no BMP message object, no PDU view. The
   * result is what decode's general path gives, which it falls back to (returning null, having
   * emitted nothing) whenever the UPDATE does not decode cleanly with the known options: that
   * path then decodes the message again and reports the error or applies the heuristics.
   */
  private plainRouteMonitoring(bytes: Buffer, streamOffset: number, sink: EventSink): MessageOutcome | null {
    const o = BMP_COMMON_HEADER_LENGTH;
    const last = this.lastPeerOctets;
    let peer = this.lastPeer;
    // Octets 0-33 of the per-peer header: everything but the timestamp.
    let same = peer !== null;
    for (let i = 0; same && i < PEER_IDENTITY_LENGTH; i++) same = bytes[o + i] === last[i];
    if (peer === null || !same) {
      // A peer other than the last one's: decode its header and look up its context.
      try {
        peer = decodePerPeerHeader(bytes, o);
      } catch {
        return null;
      }
      const context = this.peers.get(this.peerKey(peer));
      this.lastPeer = peer;
      this.lastPeerOptions = this.optionsFor(peer, context);
      this.lastPeerTableName = context?.tableName ?? null;
      for (let i = 0; i < PEER_IDENTITY_LENGTH; i++) last[i] = bytes[o + i];
    }
    const known = this.lastPeerOptions;
    const end = bytes.length;
    // isPlainRouteMonitoring checked the marker and the length: what isUpdateMessage checks but the type.
    if (known === null || bytes[ROUTE_MONITORING_PDU_OFFSET + 18] !== BGP_UPDATE) return null;
    // The UPDATE of the common shape is read straight into events; failing that, decoded in
    // place with the known options.
    const scan = scanUpdate(bytes, ROUTE_MONITORING_PDU_OFFSET + BGP_HEADER_LENGTH, end, known, EVENT_CONVERTERS, this.placeholders);
    const update = scan === null ? decodeUpdateWithKnownOptions(bytes, ROUTE_MONITORING_PDU_OFFSET, end, known) : null;
    if (scan === null && update === null) return null;
    // The timestamp as decodePerPeerHeader reads it (microseconds; 0 = not available).
    const t = o + PEER_IDENTITY_LENGTH;
    const seconds = bytes[t] * 0x1000000 + ((bytes[t + 1] << 16) | (bytes[t + 2] << 8) | bytes[t + 3]);
    const micros = seconds * 1_000_000 + bytes[t + 4] * 0x1000000 + ((bytes[t + 5] << 16) | (bytes[t + 6] << 8) | bytes[t + 7]);
    const timestamp = micros === 0 ? null : micros;
    try {
      const events =
        scan !== null
          ? this.scanEvents(scan, peer, timestamp, this.lastPeerTableName, sink)
          : this.routeEvents(update as UpdateRoutes, peer, timestamp, this.lastPeerTableName, false, sink, null);
      return { topic: 'route_monitoring', events, error: false };
    } catch (err) {
      // As in decode: a failure while emitting (a sink that throws) becomes an error event.
      this.emitError(sink, bytes, streamOffset, err, false);
      return { topic: 'route_monitoring', events: 1, error: true };
    }
  }

  private routeMonitoring(message: RouteMonitoringMessage, sink: EventSink): number {
    const peer = message.peer;
    const context = this.peers.get(this.peerKey(peer));
    // Without a Peer Up, a v4 message's Stateless Parsing TLVs may still say how to read it.
    const known = this.optionsFor(peer, context) ?? (message.tlvs.length === 0 ? null : statelessOptions(message.tlvs, peer));
    const decoded = decodeBgpMessageHeuristic(message.pdu, known);
    const bgp = decoded.message;
    if (bgp.type !== 'update') {
      throw new CodecError(`Route Monitoring carries a BGP ${bgp.type} message, not an UPDATE (RFC 7854 §4.6)`, 48);
    }
    const guessed = known === null || decoded.heuristic;
    const marks = message.tlvs.length === 0 ? null : pathMarks(message.tlvs);
    return this.routeEvents(bgp, peer, peer.timestamp === 0 ? null : peer.timestamp, context?.tableName ?? tableNameTlv(message), guessed, sink, marks);
  }

  /**
   * The events of a decoded UPDATE: withdrawn routes, MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI, in
   * that order. `marks` (BMP v4 Path Marking TLVs) are looked up by the 1-based ordinal of each
   * route in that order (see pathMarks).
   */
  private routeEvents(
    update: UpdateRoutes,
    peer: PerPeerHeader,
    timestamp: number | null,
    tableName: string | null,
    guessed: boolean,
    sink: EventSink,
    marks: PathMarks | null = null,
  ): number {
    let count = 0;
    if (update.endOfRib !== null) {
      const { afi, safi } = update.endOfRib;
      sink('route_monitoring', this.routeEventOf(peer, timestamp, tableName, 'end_of_rib', afi, safi, null, NO_ATTRIBUTES, null, guessed, null));
      return 1;
    }
    const attrs = update.attributes;
    for (const route of update.withdrawn) {
      count++;
      sink('route_monitoring', this.routeEventOf(peer, timestamp, tableName, 'withdraw', route.afi, route.safi, route, NO_ATTRIBUTES, null, guessed, markOf(marks, count)));
    }
    if (attrs.mpUnreach !== null) {
      for (const route of attrs.mpUnreach.routes) {
        count++;
        sink('route_monitoring', this.routeEventOf(peer, timestamp, tableName, 'withdraw', route.afi, route.safi, route, NO_ATTRIBUTES, null, guessed, markOf(marks, count)));
      }
    }
    const announces = update.nlri.length > 0 || (attrs.mpReach !== null && attrs.mpReach.routes.length > 0);
    if (!announces) return count;
    const shared = sharedAttributes(attrs);
    for (const route of update.nlri) {
      count++;
      sink('route_monitoring', this.routeEventOf(peer, timestamp, tableName, 'announce', route.afi, route.safi, route, shared, attrs.nextHop, guessed, markOf(marks, count)));
    }
    if (attrs.mpReach !== null) {
      const nextHop = attrs.mpReach.nextHop.address;
      for (const route of attrs.mpReach.routes) {
        count++;
        sink('route_monitoring', this.routeEventOf(peer, timestamp, tableName, 'announce', route.afi, route.safi, route, shared, nextHop, guessed, markOf(marks, count)));
      }
    }
    return count;
  }

  /**
   * routeEvents for an UPDATE read by scanUpdate (decoded with the peer's known options, so never
   * guessed): the same events, in the same order, from the prefix blocks.
   */
  private scanEvents(scan: UpdateScan<AsPathHop, string>, peer: PerPeerHeader, timestamp: number | null, tableName: string | null, sink: EventSink): number {
    if (scan.endOfRib !== null) {
      const { afi, safi } = scan.endOfRib;
      sink('route_monitoring', this.routeEvent(peer, timestamp, tableName, 'end_of_rib', afi, safi, familyName(afi, safi), null, null, null, EMPTY, null, NO_ATTRIBUTES, null, false, null));
      return 1;
    }
    let count = 0;
    if (scan.withdrawn !== null) count += this.blockEvents(scan.withdrawn, peer, timestamp, tableName, 'withdraw', NO_ATTRIBUTES, null, sink);
    if (scan.mpUnreach !== null) count += this.blockEvents(scan.mpUnreach, peer, timestamp, tableName, 'withdraw', NO_ATTRIBUTES, null, sink);
    const reach = scan.mpReach;
    if (scan.nlri === null && (reach === null || reach.prefixes.length === 0)) return count;
    const shared = scanSharedAttributes(scan);
    this.lentScan = this.borrowedRouteEvents ? scan : null;
    try {
      if (scan.nlri !== null) count += this.blockEvents(scan.nlri, peer, timestamp, tableName, 'announce', shared, scan.nextHop, sink);
      if (reach !== null) count += this.blockEvents(reach, peer, timestamp, tableName, 'announce', shared, (scan.mpReachNextHop as MpNextHop).address, sink);
    } finally {
      this.lentScan = null;
      this.lentEvent = null;
      this.lentPrefixAt = -1;
    }
    return count;
  }

  /** The events of one block of prefixes (plain IP routes: no RD, labels or raw NLRI). */
  private blockEvents(
    block: PrefixBlock,
    peer: PerPeerHeader,
    timestamp: number | null,
    tableName: string | null,
    action: RouteAction,
    a: SharedAttributes,
    nextHop: string | null,
    sink: EventSink,
  ): number {
    const { afi, safi, prefixes, pathIds } = block;
    const family = familyName(afi, safi);
    const n = prefixes.length;
    if (this.borrowedRouteEvents && n > 0) {
      // Only these three fields differ between a block's events (see routeEvent's arguments).
      const event = this.routeEvent(peer, timestamp, tableName, action, afi, safi, family, prefixes[0], pathIds === null ? null : pathIds[0], null, EMPTY, null, a, nextHop, false, null);
      // Lent with its UPDATE (lentScan): each prefix's place in the octets too (scanPrefixes' walk).
      const scan = this.lentScan;
      const skip = pathIds === null ? 0 : 4;
      let at = block.octetsAt + skip;
      if (scan !== null) {
        this.lentEvent = event;
        this.lentPrefixAt = at;
      }
      sink('route_monitoring', event);
      for (let i = 1; i < n; i++) {
        event.sequence = this.sequence++;
        event.prefix = prefixes[i];
        event.path_id = pathIds === null ? null : pathIds[i];
        if (scan !== null) {
          at += 1 + ((scan.octets[at] + 7) >>> 3) + skip;
          this.lentPrefixAt = at;
        }
        sink('route_monitoring', event);
      }
      return n;
    }
    for (let i = 0; i < n; i++) {
      const pathId = pathIds === null ? null : pathIds[i];
      sink('route_monitoring', this.routeEvent(peer, timestamp, tableName, action, afi, safi, family, prefixes[i], pathId, null, EMPTY, null, a, nextHop, false, null));
    }
    return n;
  }

  /** routeEvent for a Route (or none: End-of-RIB). */
  private routeEventOf(
    peer: PerPeerHeader,
    timestamp: number | null,
    tableName: string | null,
    action: RouteAction,
    afi: number,
    safi: number,
    route: Route | null,
    a: SharedAttributes,
    nextHop: string | null,
    guessed: boolean,
    mark: PathMark | null,
  ): RouteEvent {
    const family = familyName(afi, safi);
    if (route === null) return this.routeEvent(peer, timestamp, tableName, action, afi, safi, family, null, null, null, EMPTY, null, a, nextHop, guessed, mark);
    switch (route.kind) {
      case 'raw':
        return this.routeEvent(peer, timestamp, tableName, action, afi, safi, family, null, null, null, EMPTY, route.raw, a, nextHop, guessed, mark);
      case 'prefix':
        return this.routeEvent(peer, timestamp, tableName, action, afi, safi, family, route.prefix, route.pathId, route.rd ?? null, route.labels ?? EMPTY, null, a, nextHop, guessed, mark);
      default: {
        const f = familyRoute(route);
        return this.routeEvent(peer, timestamp, tableName, action, afi, safi, family, f.prefix, route.pathId, f.rd, f.labels, null, a, nextHop, guessed, mark, f.fields);
      }
    }
  }

  /** The one place route events are made: every one gets the same fields in the same order. */
  private routeEvent(
    peer: PerPeerHeader,
    timestamp: number | null,
    tableName: string | null,
    action: RouteAction,
    afi: number,
    safi: number,
    family: string,
    prefix: string | null,
    pathId: number | null,
    rd: string | null,
    labels: number[],
    rawNlri: Buffer | null,
    a: SharedAttributes,
    nextHop: string | null,
    guessed: boolean,
    mark: PathMark | null,
    families: FamilyFields = NO_FAMILY_FIELDS,
  ): RouteEvent {
    const event: RouteEvent = {
      // The peer fields in peerFields' order (one hidden class for all route events).
      router_address: this.routerAddress,
      sequence: this.sequence++,
      peer_type: peer.peerTypeName,
      peer_type_code: peer.peerType,
      peer_distinguisher: peer.peerDistinguisher,
      peer_address: peer.peerAddress,
      peer_as: peer.peerAs,
      peer_bgp_id: peer.peerBgpId,
      is_post_policy: peer.postPolicy,
      is_adj_rib_out: peer.adjRibOut,
      is_loc_rib_filtered: peer.filtered,
      is_as2: peer.twoOctetAs,
      bmp_timestamp: timestamp,
      table_name: tableName,
      action,
      afi,
      safi,
      family,
      prefix,
      path_id: pathId,
      rd,
      labels,
      raw_nlri: rawNlri,
      origin: a.origin,
      as_path: a.as_path,
      next_hop: nextHop,
      med: a.med,
      local_pref: a.local_pref,
      atomic_aggregate: a.atomic_aggregate,
      aggregator_as: a.aggregator_as,
      aggregator_address: a.aggregator_address,
      communities: a.communities,
      large_communities: a.large_communities,
      extended_communities: a.extended_communities,
      originator_id: a.originator_id,
      cluster_list: a.cluster_list,
      aigp: a.aigp,
      otc: a.otc,
      unknown_attributes: a.unknown_attributes,
      decoded_without_peer_up: guessed,
      // The fields of the other families, of BMP v4 path marking and of the traffic-engineering
      // attributes are null in the literal (no code for them here) and set below only when an
      // event has them: this function stays small enough for V8 to inline into the per-prefix
      // loop, which the full list of loads here prevented (decode ~17 % slower).
      evpn: null,
      vpls: null,
      mvpn: null,
      rt_constraint: null,
      flowspec: null,
      path_status: null,
      path_reason: null,
      bgp_ls: null,
      sr_policy: null,
      bgp_ls_attribute: null,
      prefix_sid: null,
      tunnel_encapsulation: null,
    };
    if (families !== NO_FAMILY_FIELDS || mark !== null || a.hasTrafficEngineering) setRareRouteFields(event, families, mark, a);
    return event;
  }

  // ------------------------------------------------------------------- peer up / down --

  private peerUp(message: PeerUpMessage, sink: EventSink): void {
    const peer = message.peer;
    let sent: OpenMessage | null = null;
    let received: OpenMessage | null = null;
    let decodeError: string | null = null;
    try {
      sent = decodeOpen(message.sentOpen);
    } catch (err) {
      decodeError = `sent OPEN: ${errorText(err)}`;
    }
    try {
      received = decodeOpen(message.receivedOpen);
    } catch (err) {
      decodeError = `${decodeError ? `${decodeError}; ` : ''}received OPEN: ${errorText(err)}`;
    }
    const key = this.peerKey(peer);
    let context: PeerContext | undefined;
    if (sent && received) {
      const locRib = decodeOptionsFromOpens(sent, received, 'loc_rib');
      context = {
        adjRibIn: decodeOptionsFromOpens(sent, received, 'adj_rib_in'),
        adjRibOut: decodeOptionsFromOpens(sent, received, 'adj_rib_out'),
        locRib,
        fourOctetAs: hasCapability(sent, 'four_octet_as') && hasCapability(received, 'four_octet_as'),
        tableName: message.vrfTableName,
        locRibAddPath: addPathKeys(sent, received, locRib),
      };
      const previous = peer.peerType === 3 ? this.peers.get(key) : undefined;
      if (previous) context = mergeLocRibContext(previous, context, sent, received);
      this.peers.set(key, context);
      this.lastPeer = null;
    } else {
      // Without both OPENs the old context may be wrong; later routes fall back to heuristics.
      this.peers.delete(key);
      this.lastPeer = null;
    }
    const view = peer.peerType === 3 ? context?.locRib : peer.adjRibOut ? context?.adjRibOut : context?.adjRibIn;
    const event = {
      ...this.peerFields(peer, message.vrfTableName),
      sequence: this.sequence++,
      local_address: message.localAddress,
      local_port: message.localPort,
      remote_port: message.remotePort,
      sent_open: sent ? openField(sent) : null,
      received_open: received ? openField(received) : null,
      four_octet_as: peer.peerType === 3 || (context?.fourOctetAs ?? false),
      add_path_families: view && sent && received ? addPathFamilies(sent, received, view) : [],
      families: sent && received ? commonFamilies(sent, received) : [],
      strings: message.strings,
      tlvs: tlvFields(message.tlvs, PEER_UP_TLV_NAMES),
      decode_error: decodeError,
    };
    sink('peer_up', event);
  }

  private peerDown(message: PeerDownMessage, sink: EventSink): void {
    const peer = message.peer;
    const key = this.peerKey(peer);
    const tableName = message.vrfTableName ?? this.peers.get(key)?.tableName ?? null;
    // Notes §5.3: forget the negotiated options on Peer Down.
    this.peers.delete(key);
    this.lastPeer = null;
    let code: number | null = null;
    let subcode: number | null = null;
    let text: string | null = null;
    let data: Buffer | null = null;
    if (message.notification !== null) {
      try {
        const n = decodeNotification(message.notification);
        code = n.code;
        subcode = n.subcode;
        text = describeNotification(n.code, n.subcode) + (n.shutdownMessage ? ` "${n.shutdownMessage}"` : '');
        data = n.data;
      } catch (err) {
        text = `undecodable NOTIFICATION: ${errorText(err)}`;
        data = message.notification;
      }
    }
    sink('peer_down', {
      ...this.peerFields(peer, tableName),
      sequence: this.sequence++,
      reason_code: message.reason,
      reason: message.reasonName ?? `reason_${message.reason}`,
      notification_code: code,
      notification_subcode: subcode,
      notification: text,
      notification_data: data,
      fsm_event_code: message.fsmEventCode,
      tlvs: tlvFields(message.tlvs, PEER_UP_TLV_NAMES),
    });
  }

  // ------------------------------------------------------------- stats, mirroring, roft --

  private stats(message: StatisticsReportMessage, sink: EventSink): void {
    const context = this.peers.get(this.peerKey(message.peer));
    sink('stats', {
      ...this.peerFields(message.peer, context?.tableName ?? null),
      sequence: this.sequence++,
      stats: message.stats.map((s) => {
        const v = s.value;
        const name = s.name ?? `stat_${s.type}`;
        if (typeof v === 'number') return { type: s.type, name, value: v, afi: null, safi: null, raw: null };
        if (typeof v === 'bigint') return { type: s.type, name, value: Number(v), afi: null, safi: null, raw: null };
        if (Buffer.isBuffer(v)) return { type: s.type, name, value: 0, afi: null, safi: null, raw: v };
        return { type: s.type, name, value: Number(v.value), afi: v.afi, safi: v.safi, raw: null };
      }),
    });
  }

  private routeMirroring(message: RouteMirroringMessage, sink: EventSink): void {
    let type: string | null = null;
    if (message.bgpMessage !== null && message.bgpMessage.length >= 19) {
      type = messageTypeName(message.bgpMessage[18]);
      // Validate the mirrored message with the peer's options (verbatim received PDUs,
      // notes §5.1/§5.3: as Adj-RIB-In); a malformed one is itself an error event.
      const context = this.peers.get(this.peerKey(message.peer));
      decodeBgpMessage(message.bgpMessage, context?.adjRibIn ?? makeDecodeOptions(true));
    }
    sink('route_mirroring', {
      ...this.peerFields(message.peer, null),
      sequence: this.sequence++,
      information: message.information.map((i) => i.name ?? `code_${i.code}`),
      bgp_message_type: type,
      bgp_message: message.bgpMessage,
      tlvs: tlvFields(message.tlvs, MIRRORING_TLV_NAMES),
    });
  }

  private roft(message: RoftMessage, sink: EventSink): void {
    sink('roft', {
      router_address: this.routerAddress,
      sequence: this.sequence++,
      route_distinguisher: message.routeDistinguisher,
      prefix: `${message.prefix}/${message.prefixLength}`,
      flags: message.flags,
      route_origin_id: message.routeOriginId,
      events: message.events.map((e) => ({
        index: e.index,
        timestamp: e.timestamp === 0 ? null : e.timestamp,
        path_id: e.pathId,
        afi: e.afi,
        safi: e.safi,
        family: familyName(e.afi, e.safi),
        vrf_table: firstOf(e.tlvs, 'vrf_table', (t) => t.name),
        policies: e.tlvs.flatMap((t) =>
          t.kind === 'policy'
            ? [
                {
                  policy_class: t.policyClassName ?? `class_${t.policyClass}`,
                  matched: t.matched,
                  permitted: t.permitted,
                  attributes_differ: t.attributesDiffer,
                  peer_address: t.peerAddress,
                  peer_router_id: t.peerRouterId,
                  peer_as: t.peerAs,
                  names: t.policies ? t.policies.map((p) => `${p.name}/${p.itemId}`) : [],
                },
              ]
            : [],
        ),
        pre_policy_attributes: firstOf(e.tlvs, 'pre_policy_attributes', (t) => t.attributes),
        post_policy_attributes: firstOf(e.tlvs, 'post_policy_attributes', (t) => t.attributes),
        strings: e.tlvs.flatMap((t) => (t.kind === 'string' ? [t.text.replace(/\0+$/, '')] : [])),
      })),
    });
  }

  private emitError(sink: EventSink, bytes: Buffer, streamOffset: number, err: unknown, fatal: boolean): void {
    const codec = err instanceof CodecError;
    sink('errors', {
      router_address: this.routerAddress,
      sequence: this.sequence++,
      message_type: bytes.length >= 6 ? bytes[5] : null,
      stream_offset: streamOffset,
      error_offset: codec ? err.offset : null,
      // Anything but a CodecError is a bug of ours; it still must not take the session down.
      reason: codec ? err.reason : `internal decoder error: ${errorText(err)}`,
      fatal,
      raw: bytes,
    });
  }
}

// ------------------------------------------------------------------------------ helpers --

function errorText(err: unknown): string {
  return err instanceof CodecError ? `${err.reason} (at byte ${err.offset})` : err instanceof Error ? err.message : String(err);
}

function firstOf<K extends string, T extends { kind: string }, R>(
  tlvs: readonly T[],
  kind: K,
  pick: (t: Extract<T, { kind: K }>) => R,
): R | null {
  for (const t of tlvs) if (t.kind === kind) return pick(t as Extract<T, { kind: K }>);
  return null;
}

/**
 * Decode options from the Stateless Parsing TLVs of a v4 Route Monitoring message
 * (draft-ietf-grow-bmp-tlv): each carries one BGP capability encoded as in an OPEN, so that the
 * UPDATE can be read without the peer's Peer Up. ADD-PATH (capability 69): its Send/Receive
 * field is the monitored router's, as in its own OPEN, so path ids are in Adj-RIB-In when it
 * receives (1 or 3), in Adj-RIB-Out when it sends (2 or 3), in Loc-RIB for any value. That is what
 * the Huawei VRP captures show against their Peer Ups: `45 04 0001 01 01` on both RIB views of a
 * peer with receive-only ADD-PATH, and path ids only in its Adj-RIB-In; `... 01 02` with path ids
 * in Adj-RIB-Out; `45 04 0001 80 03` with path ids in both. 4-octet AS (capability 65) sets the AS
 * width; without it the A flag decides (the BGP codec still re-checks the AS_PATH). Null when the
 * message has no Stateless Parsing TLV.
 */
function statelessOptions(tlvs: readonly BmpV4Tlv[], peer: PerPeerHeader): BgpDecodeOptions | null {
  let any = false;
  let fourOctetAs = !peer.twoOctetAs;
  const addPath: { afi: number; safi: number }[] = [];
  const wanted = peer.peerType === 3 ? 3 : peer.adjRibOut ? 2 : 1;
  for (const t of tlvs) {
    if (t.kind !== 'stateless_parsing') continue;
    any = true;
    let capabilities: Capability[];
    try {
      capabilities = decodeCapabilities(t.value, 0, t.value.length);
    } catch {
      continue;
    }
    for (const c of capabilities) {
      if (c.kind === 'four_octet_as') fourOctetAs = true;
      else if (c.kind === 'add_path') for (const f of c.families) if (f.sendReceive & wanted) addPath.push({ afi: f.afi, safi: f.safi });
    }
  }
  return any ? makeDecodeOptions(fourOctetAs, addPath) : null;
}

/** Path status names and reason of one BMP v4 Path Marking TLV (draft-ietf-grow-bmp-path-marking-tlv). */
interface PathMark {
  status: string[];
  reason: string | null;
}

/** The Path Marking TLVs of a Route Monitoring message, by the routes they apply to. */
interface PathMarks {
  /** A TLV of Index 0 (or without an Index): every route of the UPDATE. */
  all: PathMark | null;
  /** By route ordinal (1-based, in routeEvents' order). */
  byOrdinal: Map<number, PathMark>;
}

/**
 * Which Path Marking TLV applies to which route (draft-ietf-grow-bmp-tlv, Route Monitoring TLV
 * Index): Index 0 applies to the whole UPDATE; 1..n to the n-th NLRI; with the G bit (0x8000) it
 * names a group, and the Group TLV of that Index lists the member NLRI ordinals. NLRI ordinals
 * count the routes in routeEvents' order (withdrawn routes, MP_UNREACH_NLRI, NLRI,
 * MP_REACH_NLRI) — in practice one block per message. A TLV naming an NLRI wins over one of
 * Index 0; of two naming the same NLRI, the first in the message. Null when there is none.
 */
function pathMarks(tlvs: readonly BmpV4Tlv[]): PathMarks | null {
  let marks: PathMarks | null = null;
  for (const t of tlvs) {
    if (t.kind !== 'path_marking') continue;
    marks ??= { all: null, byOrdinal: new Map() };
    const mark: PathMark = {
      status: pathStatusNames(t.pathStatus),
      reason: t.reasonCode === null ? null : (pathMarkingReasonName(t.reasonCode) ?? `reason_${t.reasonCode}`),
    };
    const index = t.index ?? 0;
    if (index === 0) {
      marks.all ??= mark;
    } else if (index & V4_TLV_G_BIT) {
      for (const g of tlvs) {
        if (g.kind === 'group' && g.index === index) for (const n of g.members) if (!marks.byOrdinal.has(n)) marks.byOrdinal.set(n, mark);
      }
    } else if (!marks.byOrdinal.has(index)) {
      marks.byOrdinal.set(index, mark);
    }
  }
  return marks;
}

function markOf(marks: PathMarks | null, ordinal: number): PathMark | null {
  if (marks === null) return null;
  return marks.byOrdinal.get(ordinal) ?? marks.all;
}

/** Sets routeEvent's rarely non-null fields (kept out of it so that it stays inlinable). */
function setRareRouteFields(event: RouteEvent, families: FamilyFields, mark: PathMark | null, a: SharedAttributes): void {
  event.evpn = families.evpn;
  event.vpls = families.vpls;
  event.mvpn = families.mvpn;
  event.rt_constraint = families.rt_constraint;
  event.flowspec = families.flowspec;
  if (mark !== null) {
    event.path_status = mark.status;
    event.path_reason = mark.reason;
  }
  event.bgp_ls = families.bgp_ls;
  event.sr_policy = families.sr_policy;
  event.bgp_ls_attribute = a.bgp_ls_attribute;
  event.prefix_sid = a.prefix_sid;
  event.tunnel_encapsulation = a.tunnel_encapsulation;
}

function tableNameTlv(message: RouteMonitoringMessage): string | null {
  for (const t of message.tlvs) if (t.kind === 'vrf_table_name') return t.name;
  return null;
}


/** Per-peer header octets that identify the peer (type, flags, distinguisher, address, AS, BGP ID): all but the timestamp. */
const PEER_IDENTITY_LENGTH = 34;

/** BGP message type of an UPDATE (RFC 4271 §4.1). */
const BGP_UPDATE = 2;

/** How scanUpdate renders AS_PATH members and COMMUNITIES values: as asPathHops and communityTexts do. */
const EVENT_CONVERTERS: ScanConverters<AsPathHop, string> = {
  hop: (asn, segment) => ({ asn, segment }),
  community: formatCommunity,
};

/** sharedAttributes of the Attributes decodeUpdateBody gives for a scanned UPDATE. */
function scanSharedAttributes(a: UpdateScan<AsPathHop, string>): SharedAttributes {
  return {
    origin: a.origin,
    as_path: a.asPath === null || a.asPathSegments === 0 ? EMPTY : a.asPath,
    next_hop: a.nextHop,
    med: a.med,
    local_pref: a.localPref,
    atomic_aggregate: a.atomicAggregate,
    aggregator_as: a.aggregator ? a.aggregator.as : null,
    aggregator_address: a.aggregator ? a.aggregator.address : null,
    communities: a.communities ?? EMPTY,
    large_communities: a.largeCommunities ?? EMPTY,
    extended_communities:
      a.extendedCommunities === null && a.ipv6ExtendedCommunities === null
        ? EMPTY
        : [...(a.extendedCommunities ?? EMPTY).map((c) => c.text), ...(a.ipv6ExtendedCommunities ?? EMPTY).map((c) => c.text)],
    originator_id: a.originatorId,
    cluster_list: a.clusterList ?? EMPTY,
    aigp: a.aigp === null ? null : Number(a.aigp),
    otc: a.otc,
    // A scanned UPDATE has no raw attributes, and none of the attributes below (update-scan.ts).
    unknown_attributes: EMPTY,
    bgp_ls_attribute: null,
    prefix_sid: null,
    tunnel_encapsulation: null,
    hasTrafficEngineering: false,
  };
}

/** Converts an UPDATE's attributes once, for all its announcements. */
function sharedAttributes(a: Attributes): SharedAttributes {
  return {
    origin: a.origin,
    as_path: a.asPath === null || a.asPath.length === 0 ? EMPTY : asPathHops(a.asPath),
    next_hop: a.nextHop,
    med: a.med,
    local_pref: a.localPref,
    atomic_aggregate: a.atomicAggregate,
    aggregator_as: a.aggregator ? a.aggregator.as : null,
    aggregator_address: a.aggregator ? a.aggregator.address : null,
    communities: a.communities === null ? EMPTY : communityTexts(a.communities),
    large_communities: a.largeCommunities ?? EMPTY,
    extended_communities:
      a.extendedCommunities === null && a.ipv6ExtendedCommunities === null
        ? EMPTY
        : [...(a.extendedCommunities ?? EMPTY).map((c) => c.text), ...(a.ipv6ExtendedCommunities ?? EMPTY).map((c) => c.text)],
    originator_id: a.originatorId,
    cluster_list: a.clusterList ?? EMPTY,
    aigp: a.aigp === null ? null : Number(a.aigp),
    otc: a.otc,
    unknown_attributes: a.raw.length === 0 ? EMPTY : a.raw.map((r) => `${r.code}:${r.flags}:${r.value.toString('hex')}`),
    bgp_ls_attribute: a.bgpLs === null ? null : bgpLsAttributeField(a.bgpLs),
    prefix_sid: a.prefixSid === null ? null : prefixSidField(a.prefixSid),
    tunnel_encapsulation: a.tunnelEncapsulation === null ? null : tunnelEncapsulationField(a.tunnelEncapsulation),
    hasTrafficEngineering: a.bgpLs !== null || a.prefixSid !== null || a.tunnelEncapsulation !== null,
  };
}

function hasCapability(open: OpenMessage, kind: Capability['kind']): boolean {
  return open.capabilities.some((c) => c.kind === kind);
}

function capabilityText(c: Capability): string {
  switch (c.kind) {
    case 'multiprotocol':
      return familyName(c.afi, c.safi);
    case 'four_octet_as':
      return String(c.asn);
    case 'add_path':
      return c.families.map((f) => `${familyName(f.afi, f.safi)}:${['none', 'receive', 'send', 'send_receive'][f.sendReceive] ?? f.sendReceive}`).join(',');
    case 'extended_next_hop':
      return c.families.map((f) => `${familyName(f.afi, f.safi)}:${f.nextHopAfi === 2 ? 'ipv6' : `afi_${f.nextHopAfi}`}`).join(',');
    case 'graceful_restart':
      return `restart_time=${c.restartTime},flags=${c.flags},families=${c.families.map((f) => familyName(f.afi, f.safi)).join('|')}`;
    case 'fqdn':
      return c.domain ? `${c.hostname}.${c.domain}` : c.hostname;
    case 'role':
      return String(c.role);
    case 'raw':
      return c.value.toString('hex');
    default:
      return '';
  }
}

function openField(open: OpenMessage): OpenField {
  let asn = open.myAs;
  const capabilities: CapabilityField[] = [];
  for (const c of open.capabilities) {
    if (c.kind === 'four_octet_as') asn = c.asn;
    capabilities.push({ code: c.code, name: capabilityName(c.code), value: capabilityText(c) });
  }
  return { version: open.version, my_as: open.myAs, asn, hold_time: open.holdTime, bgp_id: open.bgpId, capabilities };
}

/** Family keys of the ADD-PATH capabilities in the two OPENs that `options` says carry path ids. */
function addPathKeys(sent: OpenMessage, received: OpenMessage, options: BgpDecodeOptions): Set<number> {
  const out = new Set<number>();
  for (const open of [sent, received]) {
    for (const c of open.capabilities) {
      if (c.kind !== 'add_path') continue;
      for (const f of c.families) if (options.addPath(f.afi, f.safi)) out.add(familyKey(f.afi, f.safi));
    }
  }
  return out;
}

/**
 * A further Loc-RIB Peer Up for an instance that is still up (no Peer Down since). RFC 9069 §5.2
 * has one Peer Up whose fabricated OPENs list every family the instance's Route Monitoring
 * uses, but Huawei VRP (8.200 to 8.240) and Junos (MX204) send one Peer Up per family instead, each OPEN
 * listing only that family (multiprotocol and ADD-PATH) — e.g. IPv4 unicast with ADD-PATH, then
 * IPv6 unicast with ADD-PATH for the same instance. Replacing the context would forget the
 * earlier families' ADD-PATH, and a path id then reads as /0 prefixes (ambiguous bytes: four
 * zero octets are four 0.0.0.0/0 NLRI). So the new Peer Up decides the families its OPENs list
 * (multiprotocol capability; IPv4 unicast when there is none, RFC 4760 §1) and earlier Peer Ups
 * keep deciding the others.
 */
function mergeLocRibContext(previous: PeerContext, next: PeerContext, sent: OpenMessage, received: OpenMessage): PeerContext {
  const listed = new Set<number>();
  for (const open of [sent, received]) {
    for (const c of open.capabilities) if (c.kind === 'multiprotocol') listed.add(familyKey(c.afi, c.safi));
  }
  if (listed.size === 0) listed.add(familyKey(1, 1));
  const addPath = new Set<number>();
  for (const k of previous.locRibAddPath) if (!listed.has(k)) addPath.add(k);
  for (const k of next.locRibAddPath) addPath.add(k);
  const families = [...addPath].map((k) => ({ afi: Math.floor(k / 256), safi: k % 256 }));
  return { ...next, locRib: makeDecodeOptions(true, families), tableName: next.tableName ?? previous.tableName, locRibAddPath: addPath };
}

function families(open: OpenMessage): Set<string> {
  const out = new Set<string>();
  for (const c of open.capabilities) if (c.kind === 'multiprotocol') out.add(familyName(c.afi, c.safi));
  return out;
}

function commonFamilies(sent: OpenMessage, received: OpenMessage): string[] {
  const theirs = families(received);
  return [...families(sent)].filter((f) => theirs.has(f));
}

function addPathFamilies(sent: OpenMessage, received: OpenMessage, options: BgpDecodeOptions): string[] {
  const out = new Set<string>();
  for (const open of [sent, received]) {
    for (const c of open.capabilities) {
      if (c.kind !== 'add_path') continue;
      for (const f of c.families) if (options.addPath(f.afi, f.safi)) out.add(familyName(f.afi, f.safi));
    }
  }
  return [...out];
}

const INITIATION_TLV_NAMES: Record<number, string> = { 0: 'string', 1: 'sys_descr', 2: 'sys_name', 3: 'vrf_table_name', 4: 'admin_label' };
const TERMINATION_TLV_NAMES: Record<number, string> = { 0: 'string', 1: 'reason' };
const PEER_UP_TLV_NAMES: Record<number, string> = { 0: 'string', 3: 'vrf_table_name', 4: 'admin_label' };
const MIRRORING_TLV_NAMES: Record<number, string> = { 0: 'bgp_message', 1: 'information' };
const STRING_TLVS = new Set([0, 1, 2, 3, 4]);

function tlvFields(tlvs: readonly InformationTlv[], names: Record<number, string>): TlvField[] {
  return tlvs.map((t) => {
    const name = names[t.type] ?? `tlv_${t.type}`;
    const isText = STRING_TLVS.has(t.type) && name !== 'reason' && name !== 'bgp_message' && name !== 'information';
    return { type: t.type, name, text: isText ? t.value.toString('utf8') : null, value: t.value };
  });
}
