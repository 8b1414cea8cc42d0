/**
 * The TypeScript shape of every Avro topic's records: the event model's events (the session
 * decoder emits them and they are published as is, field names being the Avro field names) plus
 * the records of the collector's own topics that the event model does not declare.
 *
 * RouterRecord mirrors schemas/router.avsc field for field and in the same order (a unit test
 * compares them). When the event model gains a router event, add it to EventByTopic and remove
 * it from CollectorRecordByTopic.
 */
import type { EventByTopic } from '../../events/model.js';
import type { PrefixFlapRecord, RouteChangesRecord } from '../../route-changes/model.js';

export type RouterEventType = 'connected' | 'initiated' | 'terminated' | 'disconnected';

/** The collector's view of one router session (topic `router`). */
export interface RouterRecord {
  event: RouterEventType;
  /** Router address text: the session's source address, or the one a PROXY header gave. */
  router_address: string;
  /** The router's TCP source port. */
  router_port: number;
  /** Identifier of the collector instance holding the session. */
  collector_id: string;
  /** From the Initiation message, once received. */
  sys_name: string | null;
  sys_descr: string | null;
  /** Why the session ended; null except for `disconnected`. */
  disconnect_reason: string | null;
  /** BMP octets received on the session so far. */
  bytes_received: number;
  /** Whole BMP messages received on the session so far. */
  messages_received: number;
  /** When the collector saw the event: microseconds since the Unix epoch. */
  timestamp: number;
}

/** Topics whose records the event model does not declare: the collector's own. */
export interface CollectorRecordByTopic {
  router: RouterRecord;
}

/** Where an event stands in its router's history (schemas/peer_state.avsc EventOrder). */
export interface EventOrderRecord {
  /** Kafka timestamp of the ingest record, microseconds since the epoch. */
  timestamp: number;
  /** 0 session start, 1 BMP message event, 2 session end / bookkeeping. */
  rank: number;
  sequence: number;
}

export interface RouterStateRecord {
  connected: boolean;
  since: number | null;
  router_port: number | null;
  collector_id: string | null;
  sys_name: string | null;
  sys_descr: string | null;
  session_count: number;
  last_message_at: number | null;
  disconnect_reason: string | null;
  status_order: EventOrderRecord | null;
  end_order: EventOrderRecord | null;
  end_at: number | null;
  info_order: EventOrderRecord | null;
}

export interface PeerDownInfoRecord {
  at: number;
  reason_code: number;
  reason: string;
  notification_code: number | null;
  notification_subcode: number | null;
  notification: string | null;
  fsm_event_code: number | null;
}

export interface PeerSessionRecord {
  local_address: string;
  local_port: number;
  remote_port: number;
  local_asn: number | null;
  remote_asn: number | null;
  local_bgp_id: string | null;
  remote_bgp_id: string | null;
  hold_time: number | null;
  four_octet_as: boolean;
  families: string[];
  add_path_families: string[];
  capabilities: string[];
}

export interface EndOfRibRecord {
  family: string;
  at: number;
  order: EventOrderRecord;
}

export interface StatValueRecord {
  type: number;
  name: string;
  afi: number | null;
  safi: number | null;
  value: number;
}

export type InitialDump = 'unknown' | 'in_progress' | 'done';

export interface RibViewStateRecord {
  view: string;
  first_seen: number;
  initial_dump: InitialDump;
  end_of_rib: EndOfRibRecord[];
  stats_at: number | null;
  stats_order: EventOrderRecord | null;
  stats: StatValueRecord[];
}

export type PeerStatus = 'unknown' | 'up' | 'down';

export interface PeerStateRecord {
  peer_type: string;
  peer_type_code: number;
  peer_distinguisher: string;
  peer_address: string;
  peer_as: number;
  peer_bgp_id: string;
  table_name: string | null;
  status: PeerStatus;
  since: number | null;
  stale: boolean;
  stale_since: number | null;
  flap_count: number;
  last_down: PeerDownInfoRecord | null;
  session: PeerSessionRecord | null;
  views: RibViewStateRecord[];
  up_order: EventOrderRecord | null;
  down_order: EventOrderRecord | null;
}

/** One record of the compacted `peer_state` topic: the whole new state of a router or a peer. */
export interface PeerStateChangeRecord {
  entity: 'router' | 'peer';
  router_address: string;
  updated_at: number;
  router: RouterStateRecord | null;
  peer: PeerStateRecord | null;
}

/** Topics written by the consumer services, derived from the ingest topics. */
export interface DerivedRecordByTopic {
  peer_state: PeerStateChangeRecord;
  /** The route-change aggregator's outputs (services/route-changes/model.ts). */
  route_changes: RouteChangesRecord;
  prefix_flaps: PrefixFlapRecord;
}

/** The record type of each Avro topic. */
export type RecordByTopic = EventByTopic & CollectorRecordByTopic & DerivedRecordByTopic;
