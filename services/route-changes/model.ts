/**
 * What the route-change aggregator publishes: per peer, RIB view and family, one `route_changes`
 * record per tumbling window (counts of what the routes did) and one `prefix_flaps` record per
 * prefix that flapped in that window. Field names are snake_case and are the Avro field names of
 * schemas/route_changes.avsc and schemas/prefix_flaps.avsc (a unit test compares them); values that
 * can be absent are `null`.
 *
 * Both records carry the peer identity of the route_monitoring key (router, peer type code, peer
 * distinguisher, peer address, RIB view), so they are keyed like the input (see `outputKey`).
 */
import type { RibView } from '../kafka/avro/topics.js';

/** The peer identity shared by both records: the fields of the route_monitoring peer key. */
export interface ChangePeerFields {
  router_address: string;
  peer_type_code: number;
  peer_distinguisher: string;
  peer_address: string;
  peer_as: number;
  peer_bgp_id: string;
  rib_view: RibView;
  afi: number;
  safi: number;
  family: string;
  /** Start (inclusive) and end (exclusive) of the tumbling window, microseconds since the epoch. */
  window_start: number;
  window_end: number;
}

/** One of the most-changed routes of a window (top N by changes). */
export interface PrefixChangeCount {
  /** CIDR text; hex of the NLRI for a family the codec keeps raw. */
  prefix: string;
  rd: string | null;
  path_id: number | null;
  /** Events of this route in the window that changed the table: new route, path change, withdrawal of the known route. */
  changes: number;
  /** Announcements of this route in the window (duplicates included). */
  announcements: number;
  /** Withdrawals of this route in the window (of the known route or not). */
  withdrawals: number;
}

/** Counts of one peer, RIB view and family over one window (topic route_changes). */
export interface RouteChangesRecord extends ChangePeerFields {
  /** Announcements received (new routes + path changes + duplicates). */
  announcements: number;
  /** Announcements of a route (prefix + path id) the peer did not have. */
  new_routes: number;
  /** Withdrawals of a route the peer had. */
  withdrawals: number;
  /** Withdrawals of a route the peer did not have. */
  unknown_withdrawals: number;
  /** Routes dropped by a Peer Down or a router disconnect (not in the counts above). */
  implicit_withdrawals: number;
  /** Announcements of a known route with different attributes (one per event). */
  path_changes: number;
  as_path_changes: number;
  next_hop_changes: number;
  communities_changes: number;
  large_communities_changes: number;
  extended_communities_changes: number;
  med_changes: number;
  local_pref_changes: number;
  origin_changes: number;
  /** Any other attribute changed: labels, atomic aggregate, aggregator, originator, cluster list, AIGP, OTC, unknown attributes. */
  other_changes: number;
  /** Announcements identical to the route the peer had. */
  duplicates: number;
  /** Distinct routes (prefix + RD + path id; distinct prefixes without ADD-PATH) announced or withdrawn in the window. */
  prefixes_touched: number;
  /** Events of this peer and family whose time was behind the watermark by more than the allowed lateness. */
  late_events: number;
  /** Routes the peer held for this family when the window was emitted. */
  routes: number;
  top_prefixes: PrefixChangeCount[];
}

/** A prefix that went through at least the threshold of withdraw/re-announce cycles in one window (topic prefix_flaps). */
export interface PrefixFlapRecord extends ChangePeerFields {
  prefix: string;
  rd: string | null;
  path_id: number | null;
  /** Withdrawals followed by a re-announcement within the window. */
  flaps: number;
  announcements: number;
  withdrawals: number;
  /** Event time of the first and last event of this route in the window. */
  first_seen: number;
  last_seen: number;
}

/** What the aggregator emits: a record, its topic and its Kafka key. */
export type AggregatorOutput =
  | { topic: 'route_changes'; key: string; record: RouteChangesRecord }
  | { topic: 'prefix_flaps'; key: string; record: PrefixFlapRecord };

/** Key of an output record: the route_monitoring peer key of its peer (services/kafka/avro/topics.ts). */
export function outputKey(record: ChangePeerFields): string {
  return `${record.router_address}|${record.peer_type_code}|${record.peer_distinguisher}|${record.peer_address}|${record.rib_view}`;
}
