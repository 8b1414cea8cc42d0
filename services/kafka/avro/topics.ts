/**
 * The topics the pipeline publishes, what their values are and how their records are keyed. The
 * catalogue (schemas/README.md, `npm run schemas:catalogue`) is generated from this and from the
 * .avsc files, so the documentation and the code that keys records cannot drift apart.
 *
 * Keys are UTF-8 text (not Avro). Kafka keeps the records of one key in one partition, in order:
 *  - router key: the router address. Topics about a router session as a whole, and `roft`,
 *    whose messages have no per-peer header;
 *  - peer key: router address, then the peer identity of the per-peer header (RFC 7854 §4.2):
 *    peer type code, peer distinguisher, peer address, and the RIB view its flags select, joined
 *    by "|". Every view of every peer is its own ordered stream, spread over the partitions.
 */
import type { PeerFields } from '../../events/model.js';
import type { AvroTopic, RecordOf } from './schemas.js';

export type KeyKind = 'router' | 'peer' | 'state';

/** How a topic's values are framed. */
export type ValueFormat = 'avro' | 'openbmp_raw';

/** Topics besides the Avro ones: `raw` carries every BMP message with an OpenBMP binary header. */
export type PublishedTopicName = AvroTopic | 'raw';

export interface PublishedTopic {
  /** Logical name; the Kafka topic is the configured prefix (default "bmp.") plus this. */
  name: PublishedTopicName;
  value: ValueFormat;
  key: KeyKind;
}

/** Every published topic, in catalogue order. */
export const PUBLISHED_TOPICS: readonly PublishedTopic[] = [
  { name: 'initiation', value: 'avro', key: 'router' },
  { name: 'termination', value: 'avro', key: 'router' },
  { name: 'peer_up', value: 'avro', key: 'peer' },
  { name: 'peer_down', value: 'avro', key: 'peer' },
  { name: 'route_monitoring', value: 'avro', key: 'peer' },
  { name: 'stats', value: 'avro', key: 'peer' },
  { name: 'route_mirroring', value: 'avro', key: 'peer' },
  { name: 'roft', value: 'avro', key: 'router' },
  { name: 'errors', value: 'avro', key: 'router' },
  { name: 'router', value: 'avro', key: 'router' },
  { name: 'peer_state', value: 'avro', key: 'state' },
  { name: 'route_changes', value: 'avro', key: 'peer' },
  { name: 'prefix_flaps', value: 'avro', key: 'peer' },
  { name: 'raw', value: 'openbmp_raw', key: 'router' },
];

/** Topics keyed by peer whose records carry the per-peer header fields (route_changes and prefix_flaps carry the RIB view itself). */
export type PeerKeyedTopic = 'peer_up' | 'peer_down' | 'route_monitoring' | 'stats' | 'route_mirroring';

/** Peer-keyed topics whose records name their RIB view in a `rib_view` field instead of the per-peer header flags. */
const VIEW_KEYED = new Set<string>(['route_changes', 'prefix_flaps']);

const PEER_KEYED = new Set<string>(PUBLISHED_TOPICS.filter((t) => t.key === 'peer' && !VIEW_KEYED.has(t.name)).map((t) => t.name));

export function isPeerKeyed(topic: string): topic is PeerKeyedTopic {
  return PEER_KEYED.has(topic);
}

/** RIB view of a per-peer header, by its peer type and flags. */
export type RibView = 'adj_rib_in_pre' | 'adj_rib_in_post' | 'adj_rib_out_pre' | 'adj_rib_out_post' | 'loc_rib' | 'loc_rib_filtered';

/**
 * The RIB view a per-peer header selects: Loc-RIB (peer type 3, RFC 9069 §4.1), filtered when the
 * F flag is set (§4.2); otherwise Adj-RIB-In or -Out by the O flag (RFC 8671 §4), pre- or
 * post-policy by the L flag (RFC 7854 §4.2).
 */
export function ribView(peer: Pick<PeerFields, 'peer_type_code' | 'is_post_policy' | 'is_adj_rib_out' | 'is_loc_rib_filtered'>): RibView {
  if (peer.peer_type_code === 3) return peer.is_loc_rib_filtered ? 'loc_rib_filtered' : 'loc_rib';
  if (peer.is_adj_rib_out) return peer.is_post_policy ? 'adj_rib_out_post' : 'adj_rib_out_pre';
  return peer.is_post_policy ? 'adj_rib_in_post' : 'adj_rib_in_pre';
}

/** Key of a peer-keyed record: "router|peer type code|peer distinguisher|peer address|RIB view". */
export function peerKey(record: PeerFields): string {
  return `${record.router_address}|${record.peer_type_code}|${record.peer_distinguisher}|${record.peer_address}|${ribView(record)}`;
}

/**
 * peerKey for a stream of records, returning the same string while the peer does not change. A
 * string made once is hashed once: the partitioner's per-key cache (services/kafka/partitioner.ts)
 * then finds it without hashing a freshly concatenated key for every route event.
 */
export class PeerKeyCache {
  private last: Pick<PeerFields, 'router_address' | 'peer_type_code' | 'peer_distinguisher' | 'peer_address' | 'is_post_policy' | 'is_adj_rib_out' | 'is_loc_rib_filtered'> | null = null;
  private key = '';

  keyOf(record: PeerFields): string {
    const l = this.last;
    if (
      l === null ||
      l.peer_address !== record.peer_address ||
      l.is_post_policy !== record.is_post_policy ||
      l.router_address !== record.router_address ||
      l.peer_type_code !== record.peer_type_code ||
      l.peer_distinguisher !== record.peer_distinguisher ||
      l.is_adj_rib_out !== record.is_adj_rib_out ||
      l.is_loc_rib_filtered !== record.is_loc_rib_filtered
    ) {
      this.key = peerKey(record);
      this.last = {
        router_address: record.router_address,
        peer_type_code: record.peer_type_code,
        peer_distinguisher: record.peer_distinguisher,
        peer_address: record.peer_address,
        is_post_policy: record.is_post_policy,
        is_adj_rib_out: record.is_adj_rib_out,
        is_loc_rib_filtered: record.is_loc_rib_filtered,
      };
    }
    return this.key;
  }
}

/**
 * Key of a `peer_state` record: the router address for a router's state, and for a peer's state
 * the router address, peer type code, peer distinguisher and peer address joined by "|" (all
 * RIB views of a peer share one state).
 */
export function stateKey(record: { router_address: string; peer: Pick<PeerFields, 'peer_type_code' | 'peer_distinguisher' | 'peer_address'> | null }): string {
  const p = record.peer;
  return p === null ? record.router_address : `${record.router_address}|${p.peer_type_code}|${p.peer_distinguisher}|${p.peer_address}`;
}

/** The Kafka key of a record of `topic` (see the module comment). */
export function recordKey<T extends AvroTopic>(topic: T, record: RecordOf<T>): string {
  if (isPeerKeyed(topic)) return peerKey(record as PeerFields);
  if (topic === 'peer_state') return stateKey(record as RecordOf<'peer_state'>);
  if (VIEW_KEYED.has(topic)) {
    const r = record as RecordOf<'route_changes' | 'prefix_flaps'>;
    return `${r.router_address}|${r.peer_type_code}|${r.peer_distinguisher}|${r.peer_address}|${r.rib_view}`;
  }
  return (record as { router_address: string }).router_address;
}

/** What each key kind is, for the catalogue. */
export const KEY_DOCS: Readonly<Record<KeyKind, { format: string; example: string; doc: string }>> = {
  router: {
    format: '<router_address>',
    example: '192.0.2.1',
    doc: 'The router address (IPv4 or IPv6 text, as in the router_address field): all records about one router session stay in order.',
  },
  peer: {
    format: '<router_address>|<peer_type_code>|<peer_distinguisher>|<peer_address>|<rib_view>',
    example: '192.0.2.1|0|0:0|198.51.100.7|adj_rib_in_post',
    doc:
      'The router address, then the peer identity of the per-peer header (RFC 7854 §4.2) as the record\'s fields give it: ' +
      'peer type code, peer distinguisher, peer address, and the RIB view its flags select: ' +
      'adj_rib_in_pre or adj_rib_in_post (L flag, RFC 7854 §4.2), adj_rib_out_pre or adj_rib_out_post (O flag, RFC 8671 §4), ' +
      'loc_rib or loc_rib_filtered (peer type 3 and its F flag, RFC 9069 §4.1-§4.2). ' +
      'Each view of each peer is one ordered stream. The view comes from the flags of each message, so the Peer Up, ' +
      'Peer Down and Statistics Report records of a peer carry the view their own per-peer header selects, ' +
      'not necessarily the one of its Route Monitoring records.',
  },
  state: {
    format: '<router_address> | <router_address>|<peer_type_code>|<peer_distinguisher>|<peer_address>',
    example: '192.0.2.1|0|0:0|198.51.100.7',
    doc:
      'The state key of the compacted peer_state topic: the router address alone for a router\'s state, or followed by the peer identity ' +
      '(peer type code, peer distinguisher, peer address, RFC 7854 §4.2) for a peer\'s state, all its RIB views together. ' +
      'The latest record of a key is the current state. Records of one router (its own and its peers\') are in one partition.',
  },
};
