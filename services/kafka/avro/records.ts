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

/**
 * Topics whose records the event model does not declare: the collector's own, and those of the
 * consumer services (route-change aggregator: services/route-changes/model.ts).
 */
export interface CollectorRecordByTopic {
  router: RouterRecord;
  route_changes: RouteChangesRecord;
  prefix_flaps: PrefixFlapRecord;
}

/** The record type of each Avro topic. */
export type RecordByTopic = EventByTopic & CollectorRecordByTopic;
